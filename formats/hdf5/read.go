package hdf5

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/chunks"
	"github.com/sciswift/sciswift/formats/filter"
	"github.com/sciswift/sciswift/formats/selection"
)

const (
	// maxReadBytes bounds one Read's result; the proxy's own, smaller,
	// limit is checked before.
	maxReadBytes = 1 << 32
	// Contiguous runs closer than readGap bytes are read with one ReadAt,
	// as long as that read stays within maxExtent bytes.
	readGap   = 64 << 10
	maxExtent = 8 << 20
	// parallelChunks is how many chunk range reads one Read has in flight.
	parallelChunks = 8
)

// read serves a fixed-size dataset from the index: the chunks or byte
// ranges the selection touches, nothing else.
func (f *File) read(ctx context.Context, d *dataset, sel formats.Selection) (*formats.Array, error) {
	arr := &formats.Array{Type: d.Type, Shape: selection.Shape(sel), Data: []byte{}}
	count, _ := formats.Elements(arr.Shape)
	if count == 0 {
		return arr, nil
	}
	es := uint64(d.Type.Size)
	total, ok := mul(count, es)
	if !ok || total > maxReadBytes {
		return nil, fmt.Errorf("%w: %s: %d elements of %d bytes", formats.ErrTooLarge, d.Path, count, es)
	}
	arr.Data = make([]byte, total)
	runs := selectionRuns(sel, d.Shape)
	var err error
	switch d.Layout {
	case LayoutContiguous:
		err = f.readContiguous(ctx, d, runs, arr.Data)
	case LayoutCompact:
		copyRuns(d.Compact, es, runs, arr.Data)
	case LayoutChunked:
		err = f.readChunked(ctx, d, runs, arr.Data)
	default:
		err = fmt.Errorf("%w: %s layout", formats.ErrUnsupported, d.Layout)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.Path, err)
	}
	return arr, nil
}

// selectionRuns lists the selected elements as runs of the dataset's C
// order, in result order, merging runs that touch. sel is checked, with
// single indexes as ranges (indexesAsRanges).
func selectionRuns(sel formats.Selection, shape []uint64) []chunks.Run {
	rank := len(shape)
	if rank == 0 {
		return []chunks.Run{{Offset: 0, Count: 1}}
	}
	stride := make([]uint64, rank)
	s := uint64(1)
	for i := rank - 1; i >= 0; i-- {
		stride[i] = s
		s *= shape[i]
	}
	lens := make([]uint64, rank)
	for i, r := range sel {
		lens[i] = selection.Len(r)
	}
	var runs []chunks.Run
	add := func(off, n uint64) {
		if k := len(runs) - 1; k >= 0 && runs[k].Offset+runs[k].Count == off {
			runs[k].Count += n
			return
		}
		runs = append(runs, chunks.Run{Offset: off, Count: n})
	}
	idx := make([]uint64, rank-1)
	last := sel[rank-1]
	for {
		base := last.Start
		for i, k := range idx {
			base += (sel[i].Start + k*sel[i].Step) * stride[i]
		}
		if last.Step == 1 {
			add(base, lens[rank-1])
		} else {
			for k := range lens[rank-1] {
				add(base+k*last.Step, 1)
			}
		}
		i := rank - 2
		for ; i >= 0; i-- {
			if idx[i]++; idx[i] < lens[i] {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return runs
		}
	}
}

// copyRuns copies runs of src (elements of es bytes) into out, packed.
func copyRuns(src []byte, es uint64, runs []chunks.Run, out []byte) {
	pos := uint64(0)
	for _, r := range runs {
		n := r.Count * es
		copy(out[pos:pos+n], src[r.Offset*es:])
		pos += n
	}
}

// fillWith repeats one element (zeros when fill is empty) over buf.
func fillWith(buf, fill []byte) {
	if len(fill) == 0 {
		clear(buf)
		return
	}
	for i := 0; i < len(buf); i += len(fill) {
		copy(buf[i:], fill)
	}
}

func (f *File) readContiguous(ctx context.Context, d *dataset, runs []chunks.Run, out []byte) error {
	if d.Extent == nil {
		fillWith(out, d.Fill)
		return nil
	}
	es := uint64(d.Type.Size)
	base := d.Extent.Offset
	pos := uint64(0)
	for len(runs) > 0 {
		// Take as many runs as one extent read may cover.
		lo := base + runs[0].Offset*es
		hi := lo + runs[0].Count*es
		n := 1
		for n < len(runs) {
			s := base + runs[n].Offset*es
			e := s + runs[n].Count*es
			if s < hi || s-hi > readGap || e-lo > maxExtent {
				break
			}
			hi, n = e, n+1
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if n == 1 {
			if err := readFull(f.obj, out[pos:pos+(hi-lo)], lo); err != nil {
				return err
			}
			pos += hi - lo
		} else {
			buf := make([]byte, hi-lo)
			if err := readFull(f.obj, buf, lo); err != nil {
				return err
			}
			for _, r := range runs[:n] {
				m := r.Count * es
				at := base + r.Offset*es - lo
				copy(out[pos:pos+m], buf[at:at+m])
				pos += m
			}
		}
		runs = runs[n:]
	}
	return nil
}

func (f *File) readChunked(ctx context.Context, d *dataset, runs []chunks.Run, out []byte) error {
	g := chunks.Grid{Dims: d.Shape, Chunk: d.Chunks}
	es := uint64(d.Type.Size)
	want := g.ChunkElems() * es
	if want > maxReadBytes {
		return fmt.Errorf("%w: chunks of %d bytes", formats.ErrTooLarge, want)
	}
	at := d.chunkIndex()
	var jobs []chunkJob
	for _, cp := range g.Plan(runs) {
		row, ok := at[g.Linear(cp.Index)]
		if !ok {
			for _, p := range cp.Pieces {
				fillWith(out[p.InBuf*es:(p.InBuf+p.Count)*es], d.Fill)
			}
			continue
		}
		jobs = append(jobs, chunkJob{row: row, ChunkPieces: cp})
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// Extents are fetched a few at a time: each may be a range request to
	// another server. Their chunks land in disjoint parts of out.
	slots := make(chan struct{}, parallelChunks)
	var wg sync.WaitGroup
	for _, ext := range extents(d.ChunkTable, jobs) {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			if err := f.readExtent(d, ext, int(want), out); err != nil {
				cancel(err)
			}
		}()
	}
	wg.Wait()
	return context.Cause(ctx)
}

// chunkJob is a stored chunk a selection needs, and where its pieces go.
type chunkJob struct {
	row int // in the chunk table
	chunks.ChunkPieces
}

// extent is one range read covering the stored bytes of one or more chunks.
type extent struct {
	lo, hi uint64
	jobs   []chunkJob
}

// extents groups jobs into range reads: chunks stored next to each other
// (libhdf5 writes them in order) are read together, across gaps of at most
// readGap bytes and up to maxExtent bytes per read.
func extents(t *ChunkTable, jobs []chunkJob) []extent {
	slices.SortFunc(jobs, func(a, b chunkJob) int { return cmp.Compare(t.Offsets[a.row], t.Offsets[b.row]) })
	var out []extent
	for _, j := range jobs {
		lo, hi := t.Offsets[j.row], t.Offsets[j.row]+t.Sizes[j.row]
		if n := len(out); n > 0 {
			e := &out[n-1]
			if lo >= e.hi && lo-e.hi <= readGap && hi-e.lo <= maxExtent {
				e.hi = hi
				e.jobs = append(e.jobs, j)
				continue
			}
		}
		out = append(out, extent{lo: lo, hi: hi, jobs: []chunkJob{j}})
	}
	return out
}

// readExtent reads one extent and decodes its chunks into out.
func (f *File) readExtent(d *dataset, ext extent, want int, out []byte) error {
	t := d.ChunkTable
	for _, j := range ext.jobs {
		// Deflate can grow a chunk by a little, never by an eighth.
		if t.Sizes[j.row] > uint64(want)+uint64(want)/8+1024 {
			return fmt.Errorf("chunk %v: %w: %d stored bytes for a %d-byte chunk", j.Index, formats.ErrCorrupt, t.Sizes[j.row], want)
		}
	}
	buf := make([]byte, ext.hi-ext.lo)
	if err := readFull(f.obj, buf, ext.lo); err != nil {
		return err
	}
	es := uint64(d.Type.Size)
	for _, j := range ext.jobs {
		at := t.Offsets[j.row] - ext.lo
		var mask uint32
		if t.Masks != nil {
			mask = t.Masks[j.row]
		}
		chunk, err := filter.DecodeMask(d.Filters, mask, d.Type.Size, buf[at:at+t.Sizes[j.row]], want)
		if err != nil {
			return fmt.Errorf("chunk %v: %w: %v", j.Index, formats.ErrCorrupt, err)
		}
		for _, p := range j.Pieces {
			copy(out[p.InBuf*es:(p.InBuf+p.Count)*es], chunk[p.InChunk*es:])
		}
	}
	return nil
}

func readFull(obj formats.Object, buf []byte, off uint64) error {
	n, err := obj.ReadAt(buf, int64(off))
	if n == len(buf) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("reading %d bytes at %d: %w", len(buf), off, err)
}
