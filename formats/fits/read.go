package fits

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/sciswift/sciswift/formats"
)

// maxExtent bounds the bytes one ReadAt reads into a scratch buffer when
// joining needed ranges across gaps. Ranges with no gaps between them are
// read straight into the result, however long.
const maxExtent = 8 << 20

// Read returns the selected elements of the dataset at path (see the package
// comment for the types), reading only the byte ranges they occupy: for each
// run of the last dimension one range, ranges closer than Limits.ReadGap
// joined into one ReadAt. An empty selection selects everything.
func (f *File) Read(ctx context.Context, path string, sel formats.Selection) (*formats.Array, error) {
	ds, ok := f.datasets[path]
	if !ok {
		if why, ok := f.skipped[path]; ok {
			return nil, fmt.Errorf("%w: %s: %s", ErrUnsupported, path, why)
		}
		return nil, fmt.Errorf("%w: %s", ErrNotFound, path)
	}
	spans, shape, err := sel.Spans(ds.shape)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	count, ok := uint64(1), true
	for _, s := range spans {
		count, ok = mulCheck(count, s.Count, ok)
	}
	total, ok := mulCheck(count, uint64(ds.typ.Size), ok)
	if !ok || total > uint64(f.limits.MaxReadBytes) {
		return nil, fmt.Errorf("%w: %s: selection of %d elements is more than %d bytes", ErrLimit, path, count, f.limits.MaxReadBytes)
	}
	arr := &formats.Array{Type: copyDtype(ds.typ), Shape: shape, Data: []byte{}}
	if count == 0 {
		return arr, nil
	}
	g := &gatherer{ctx: ctx, obj: f.obj, gap: f.limits.ReadGap}
	if ds.bitCount > 0 {
		arr.Data, err = g.readBits(ds, spans, count)
	} else {
		raw := make([]byte, count*uint64(ds.rawSize))
		if err = g.gather(ds.base, int64(ds.rawSize), ds.strides, spans, raw); err == nil {
			arr.Data = ds.conv.apply(raw, ds.rawSize)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return arr, nil
}

// span is one dimension of a checked selection.
type span = formats.Span

// gatherer turns a strided selection into few ReadAt calls: it walks the
// selected runs in file order (which is also result order), joins runs
// separated by at most gap bytes into one extent, and reads the extents a
// few at a time (each read is a round trip to the store), copying each
// extent's elements into place.
type gatherer struct {
	ctx context.Context
	obj formats.Object
	gap int64

	elem int64
	out  []byte
	pos  int64 // result offset of the next piece

	open  bool
	cur   extent // being built while open
	ready []extent
	err   error
}

// extent is one ReadAt: file bytes lo..hi, which are result bytes outLo…
// when dense (no gaps), else scattered by its pieces.
type extent struct {
	lo, hi, outLo int64
	dense         bool
	pieces        []piece
}

// Extents read at once, and how many are queued before a batch is read.
const (
	parallelReads = 8
	readBatch     = 64
)

// piece is n elements stride bytes apart from file offset off, landing
// contiguously at result offset out.
type piece struct{ off, stride, n, out int64 }

// gather reads the elements of spans (of a layout with the given byte
// strides from base) into out in C order.
func (g *gatherer) gather(base, elem int64, strides []int64, spans []span, out []byte) error {
	g.elem, g.out, g.pos = elem, out, 0
	nd := len(spans)
	if nd == 0 {
		g.add(base, 1, elem)
		g.flush()
		g.drain()
		return g.err
	}
	last, lastStride := spans[nd-1], strides[nd-1]
	idx := make([]uint64, nd-1)
	for g.err == nil {
		off := base + int64(last.Start)*lastStride
		for d := range idx {
			off += int64(spans[d].Start+idx[d]*spans[d].Step) * strides[d]
		}
		g.add(off, int64(last.Count), int64(last.Step)*lastStride)
		d := nd - 2
		for ; d >= 0; d-- {
			if idx[d]++; idx[d] < spans[d].Count {
				break
			}
			idx[d] = 0
		}
		if d < 0 {
			break
		}
	}
	g.flush()
	g.drain()
	return g.err
}

// add queues a run of n elements stride bytes apart.
func (g *gatherer) add(off, n, stride int64) {
	switch {
	case n == 1 || stride == g.elem:
		g.addPiece(piece{off: off, stride: g.elem, n: n})
	case stride-g.elem > g.gap:
		for i := int64(0); i < n && g.err == nil; i++ {
			g.addPiece(piece{off: off + i*stride, stride: g.elem, n: 1})
		}
	default:
		// One piece per maxExtent of file bytes, so the scratch buffer
		// stays bounded.
		per := max(1, (maxExtent-g.elem)/stride+1)
		for i := int64(0); i < n && g.err == nil; i += per {
			g.addPiece(piece{off: off + i*stride, stride: stride, n: min(per, n-i)})
		}
	}
}

func (g *gatherer) addPiece(p piece) {
	p.out = g.pos
	g.pos += p.n * g.elem
	lo, hi := p.off, p.off+(p.n-1)*p.stride+g.elem
	dense := p.stride == g.elem
	if c := &g.cur; g.open {
		if c.dense && dense && lo == c.hi {
			c.hi = hi
			return
		}
		if lo >= c.hi && lo-c.hi <= g.gap && hi-c.lo <= maxExtent {
			if c.dense {
				c.pieces = []piece{{off: c.lo, stride: g.elem, n: (c.hi - c.lo) / g.elem, out: c.outLo}}
				c.dense = false
			}
			c.pieces = append(c.pieces, p)
			c.hi = hi
			return
		}
		g.flush()
	}
	g.open = true
	g.cur = extent{lo: lo, hi: hi, outLo: p.out, dense: dense, pieces: []piece{p}}
}

// flush queues the current extent, reading a batch when enough are queued.
func (g *gatherer) flush() {
	if g.open {
		g.ready = append(g.ready, g.cur)
		g.open = false
	}
	if len(g.ready) >= readBatch {
		g.drain()
	}
}

// drain reads the queued extents, parallelReads at a time; they land in
// disjoint parts of out. The first error is kept.
func (g *gatherer) drain() {
	defer func() { g.ready = g.ready[:0] }()
	if g.err != nil {
		return
	}
	if g.err = g.ctx.Err(); g.err != nil {
		return
	}
	errs := make([]error, len(g.ready))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(parallelReads, len(g.ready)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for i := next.Add(1) - 1; i < int64(len(g.ready)); i = next.Add(1) - 1 {
				errs[i] = g.read(&g.ready[i], &buf)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			g.err = err
			return
		}
	}
}

// read reads one extent and places its elements, using *scratch for the
// gaps' bytes.
func (g *gatherer) read(e *extent, scratch *[]byte) error {
	n := e.hi - e.lo
	if e.dense {
		return readFull(g.obj, g.out[e.outLo:e.outLo+n], e.lo)
	}
	if int64(cap(*scratch)) < n {
		*scratch = make([]byte, n)
	}
	buf := (*scratch)[:n]
	if err := readFull(g.obj, buf, e.lo); err != nil {
		return err
	}
	for _, p := range e.pieces {
		src := p.off - e.lo
		dst := g.out[p.out : p.out+p.n*g.elem]
		if p.stride == g.elem {
			copy(dst, buf[src:src+p.n*g.elem])
			continue
		}
		for i := int64(0); i < p.n; i++ {
			copy(dst[i*g.elem:(i+1)*g.elem], buf[src+i*p.stride:])
		}
	}
	return nil
}

// readBits reads an X column: per selected row, the bytes holding the
// selected bits, unpacked most significant bit first into one 0/1 byte each.
func (g *gatherer) readBits(ds *dataset, spans []span, count uint64) ([]byte, error) {
	rows, bitSel := spans[0], spans[1]
	first := bitSel.Start
	last := first + (bitSel.Count-1)*bitSel.Step
	b0, nb := first/8, last/8-first/8+1
	raw := make([]byte, rows.Count*nb)
	if err := g.gather(ds.base+int64(b0), int64(nb), ds.strides[:1], spans[:1], raw); err != nil {
		return nil, err
	}
	out := make([]byte, count)
	for r := uint64(0); r < rows.Count; r++ {
		cell := raw[r*nb : (r+1)*nb]
		for k := uint64(0); k < bitSel.Count; k++ {
			bit := first + k*bitSel.Step - b0*8
			out[r*bitSel.Count+k] = cell[bit/8] >> (7 - bit%8) & 1
		}
	}
	return out, nil
}
