package volfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/formats/filter"
)

// Read returns the selected elements of the dataset at path in its stored
// dtype and byte order (Strings for variable-length types, nil for NULL),
// fetching only the chunk objects the selection touches, fetchParallel at a
// time. Chunks never written read as the fill value (zeros, or NULL for
// variable-length types). An empty selection selects everything.
func (f *File) Read(ctx context.Context, path string, sel formats.Selection) (*formats.Array, error) {
	ds, ok := f.datasets[path]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, path)
	}
	r, err := f.newReader(ds, sel)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := r.run(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r.out, nil
}

// span is one dimension of a checked selection.
type span = formats.Span

// part is the indices k0 … k0+n-1 of a span (the k-th index being
// start+k·step) that fall in chunk number chunk along their dimension.
type part struct{ chunk, k0, n uint64 }

// reader is one Read: the selection cut by chunk, and the result.
type reader struct {
	f        *File
	ds       *domain.Dataset
	variable bool
	elem     uint64   // element size (fixed-size types)
	chunk    []uint64 // stored chunk shape
	spans    []span
	parts    [][]part // per dimension
	inChunk  []uint64 // row-major element strides inside a full chunk
	inOut    []uint64 // row-major element strides of the result, per span
	chunkN   uint64   // elements of a full chunk

	fill []byte // one element of the fill value, nil when it is zeros

	out *formats.Array
}

func (f *File) newReader(ds *dataset, sel formats.Selection) (*reader, error) {
	d := ds.doc
	dims := ds.model.Shape
	r := &reader{f: f, ds: d, variable: d.Type.IsVariable(), elem: uint64(d.Type.Size), chunk: d.Layout.StoredChunks}
	if d.Space.Class == "null" {
		r.chunk = []uint64{1}
	}
	spans, shape, err := sel.Spans(dims)
	if err != nil {
		return nil, err
	}
	r.spans = spans
	count, ok := formats.Elements(shape)
	if total, ok := mulCheck(count, elemCost(d.Type), ok); !ok || total > maxReadBytes {
		return nil, fmt.Errorf("%w: a selection of %d elements is more than %d bytes", ErrLimit, count, maxReadBytes)
	}
	filterElem := int(r.elem)
	if r.variable {
		filterElem = 1
	}
	if err := filter.Check(d.Layout.Filters, filterElem); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnsupported, err)
	}
	chunkElems, _ := formats.Elements(r.chunk)
	if cb, ok := mulCheck(chunkElems, elemCost(d.Type), true); !ok || cb > f.maxChunk {
		return nil, fmt.Errorf("%w: chunks of %v elements are more than %d bytes", ErrLimit, r.chunk, f.maxChunk)
	}
	if !r.variable && len(d.Fill) == int(r.elem) && !allZero(d.Fill) {
		r.fill = d.Fill
	}
	r.out = &formats.Array{Type: d.Type, Shape: shape}
	if r.variable {
		r.out.Strings = make([][]byte, count)
	} else {
		r.out.Data = make([]byte, count*r.elem)
	}
	if count == 0 {
		return r, nil
	}
	rank := len(spans)
	r.inChunk, r.inOut = make([]uint64, rank), make([]uint64, rank)
	c, o := uint64(1), uint64(1)
	for i := rank - 1; i >= 0; i-- {
		r.inChunk[i], r.inOut[i] = c, o
		c *= r.chunk[i]
		o *= spans[i].Count
	}
	r.chunkN = c
	r.parts = make([][]part, rank)
	for i, s := range spans {
		r.parts[i] = cut(s, r.chunk[i])
	}
	return r, nil
}

func ceilDiv(a, b uint64) uint64 {
	q := a / b
	if a%b != 0 {
		q++
	}
	return q
}

// cut splits a span by the chunks of length c it falls in: work per chunk
// crossed, not per index.
func cut(s span, c uint64) []part {
	var parts []part
	for k := uint64(0); k < s.Count; {
		i := s.Start + k*s.Step
		left := c - i%c // indices from i to the end of its chunk
		n := min(ceilDiv(left, s.Step), s.Count-k)
		parts = append(parts, part{chunk: i / c, k0: k, n: n})
		k += n
	}
	return parts
}

// run fetches and scatters every chunk the selection touches.
func (r *reader) run(ctx context.Context) error {
	if r.parts == nil {
		return nil // nothing selected
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan []part)
	errs := make([]error, fetchParallel)
	var wg sync.WaitGroup
	for w := range fetchParallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range jobs {
				if errs[w] != nil {
					continue
				}
				if errs[w] = r.chunkAt(ctx, job); errs[w] != nil {
					cancel()
				}
			}
		}()
	}
	r.each(ctx, jobs)
	close(jobs)
	wg.Wait()
	return firstError(errs)
}

// each sends one job per touched chunk (its part in every dimension), in
// row-major chunk order, until ctx ends.
func (r *reader) each(ctx context.Context, jobs chan<- []part) {
	rank := len(r.parts)
	pos := make([]int, rank)
	for {
		job := make([]part, rank)
		for i, p := range pos {
			job[i] = r.parts[i][p]
		}
		select {
		case jobs <- job:
		case <-ctx.Done():
			return
		}
		i := rank - 1
		for ; i >= 0; i-- {
			pos[i]++
			if pos[i] < len(r.parts[i]) {
				break
			}
			pos[i] = 0
		}
		if i < 0 {
			return
		}
	}
}

// chunkAt fetches one chunk, decodes it and copies the selected elements
// out; a scalar's job is empty.
func (r *reader) chunkAt(ctx context.Context, job []part) error {
	index := make([]uint64, len(job))
	for i, p := range job {
		index[i] = p.chunk
	}
	key := domain.ChunkKey(r.f.doc.Name, r.ds.ID, index)
	stored, err := r.f.store.Get(ctx, key)
	absent := errors.Is(err, formats.ErrNotFound)
	if err != nil && !absent {
		return fmt.Errorf("hdf5-vol: chunk %s: %w", key, err)
	}
	if r.variable {
		var vals [][]byte
		if !absent {
			if vals, err = r.decodeVar(stored); err != nil {
				return fmt.Errorf("chunk %s: %w", key, err)
			}
		}
		r.scatter(job, func(dst, src, n uint64) {
			if vals == nil {
				return // never written: NULL
			}
			// Copies, so that the result does not keep whole chunks alive.
			for i := range n {
				r.out.Strings[dst+i] = bytes.Clone(vals[src+i])
			}
		})
		return nil
	}
	e := r.elem
	if absent {
		if r.fill != nil { // else the result's zeros are right
			r.scatter(job, func(dst, _, n uint64) {
				out := r.out.Data[dst*e : (dst+n)*e]
				for k := copy(out, r.fill); k < len(out); {
					k += copy(out[k:], out[:k])
				}
			})
		}
		return nil
	}
	data, err := r.decode(stored)
	if err != nil {
		return fmt.Errorf("chunk %s: %w", key, err)
	}
	r.scatter(job, func(dst, src, n uint64) {
		copy(r.out.Data[dst*e:(dst+n)*e], data[src*e:(src+n)*e])
	})
	return nil
}

// decode undoes the filters of a fixed-size chunk and checks its size.
func (r *reader) decode(stored []byte) ([]byte, error) {
	want := r.chunkN * r.elem
	if len(r.ds.Layout.Filters) == 0 {
		if uint64(len(stored)) != want {
			return nil, fmt.Errorf("%w: %d bytes, want %d", ErrCorrupt, len(stored), want)
		}
		return stored, nil
	}
	data, err := filter.Decode(r.ds.Layout.Filters, int(r.elem), stored, int(want))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return data, nil
}

// decodeVar undoes the filters of a variable-length chunk and splits it into
// its elements.
func (r *reader) decodeVar(stored []byte) ([][]byte, error) {
	data := stored
	if len(r.ds.Layout.Filters) > 0 {
		var err error
		if data, err = filter.DecodeAny(r.ds.Layout.Filters, 1, stored, int(r.f.maxChunk)); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
	}
	vals, err := domain.DecodeVarChunk(data, r.chunkN)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if t := r.ds.Type; t.Class == formats.ClassVlen {
		for i, v := range vals {
			if len(v)%t.Base.Size != 0 {
				return nil, fmt.Errorf("%w: element %d of %d bytes is not a sequence of %d-byte values", ErrCorrupt, i, len(v), t.Base.Size)
			}
		}
	}
	return vals, nil
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

// scatter calls move for each stretch of the chunk's selected elements that
// is contiguous in both the chunk and the result: (result element, chunk
// element, count). A scalar's only element is element 0 of both.
func (r *reader) scatter(job []part, move func(dst, src, n uint64)) {
	if len(job) == 0 {
		move(0, 0, 1)
		return
	}
	var walk func(dim int, dst, src uint64)
	last := len(job) - 1
	walk = func(dim int, dst, src uint64) {
		p, s := job[dim], r.spans[dim]
		base := p.chunk * r.chunk[dim] // first index of the chunk in this dimension
		if dim == last && s.Step == 1 {
			i := s.Start + p.k0
			move(dst+p.k0*r.inOut[dim], src+(i-base)*r.inChunk[dim], p.n)
			return
		}
		for k := p.k0; k < p.k0+p.n; k++ {
			i := s.Start + k*s.Step
			d, c := dst+k*r.inOut[dim], src+(i-base)*r.inChunk[dim]
			if dim == last {
				move(d, c, 1)
			} else {
				walk(dim+1, d, c)
			}
		}
	}
	walk(0, 0, 0)
}
