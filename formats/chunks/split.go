package chunks

import (
	"fmt"
	"slices"
)

// Piece is a stretch of elements that is contiguous both inside one chunk and
// in the caller's packed buffer.
type Piece struct {
	// Chunk is the grid index of the chunk. Split never modifies it after
	// handing it out, so it may be kept; pieces of one chunk may share it.
	Chunk []uint64
	// InChunk is the element offset of the first element inside the FULL
	// chunk (row-major over Grid.Chunk, edge chunks included).
	InChunk uint64
	// InBuf is the element offset of the first element in the caller's
	// buffer (the k-th element of the runs is element k of the buffer).
	InBuf uint64
	Count uint64
}

// walker holds the grid with its trailing "full" dimensions folded away:
// a dimension whose chunk length equals its extent is covered whole by every
// chunk, so it and everything after it are contiguous in both the dataset and
// the chunk and can be merged into the dimension before it. That is what makes
// a whole-dataset run over row-spanning chunks one piece per chunk rather than
// one per row, without a merging pass.
type walker struct {
	rank   int      // rank of the grid (the length of Piece.Chunk)
	dims   []uint64 // folded extent
	chunk  []uint64 // folded chunk shape
	stride []uint64 // folded row-major strides inside a full chunk
	dstr   []uint64 // folded row-major strides of the extent

	// Position of the next element, kept incrementally so that walking never
	// divides: coordinate, chunk index and coordinate inside the chunk.
	pos, idx, rem []uint64

	arena []uint64 // Piece.Chunk slices are carved from here
}

func newWalker(g Grid) *walker {
	if err := g.Validate(); err != nil {
		panic(err)
	}
	w := &walker{rank: len(g.Dims)}
	if w.rank == 0 {
		// A scalar behaves as a rank-1 grid of one element in one chunk.
		w.dims, w.chunk = []uint64{1}, []uint64{1}
	} else {
		k := w.rank - 1
		inner := uint64(1)
		for k > 0 && g.Chunk[k] == g.Dims[k] {
			inner *= g.Dims[k]
			k--
		}
		w.dims = slices.Clone(g.Dims[:k+1])
		w.chunk = slices.Clone(g.Chunk[:k+1])
		// Folding cannot overflow: dims[k] is bounded by the extent's
		// element count and chunk[k] by the chunk's, both checked.
		w.dims[k] *= inner
		w.chunk[k] *= inner
	}
	m := len(w.dims)
	w.stride = make([]uint64, m)
	w.dstr = make([]uint64, m)
	s, d := uint64(1), uint64(1)
	for i := m - 1; i >= 0; i-- {
		w.stride[i], w.dstr[i] = s, d
		s *= w.chunk[i]
		d *= w.dims[i]
	}
	w.pos = make([]uint64, m)
	w.idx = make([]uint64, m)
	w.rem = make([]uint64, m)
	return w
}

// seek places the walker on element off of the extent.
func (w *walker) seek(off uint64) {
	for i := range w.dims {
		w.pos[i] = off / w.dstr[i]
		off %= w.dstr[i]
		w.idx[i] = w.pos[i] / w.chunk[i]
		w.rem[i] = w.pos[i] % w.chunk[i]
	}
}

// local is the offset of the current element inside its full chunk.
func (w *walker) local() uint64 {
	var o uint64
	for i, r := range w.rem {
		o += r * w.stride[i]
	}
	return o
}

// advance moves n elements along the last dimension; n never crosses a chunk
// boundary or the end of a row, and on reaching either it carries.
func (w *walker) advance(n uint64) {
	last := len(w.dims) - 1
	w.pos[last] += n
	w.rem[last] += n
	if w.rem[last] == w.chunk[last] {
		w.rem[last] = 0
		w.idx[last]++
	}
	for i := last; i > 0 && w.pos[i] == w.dims[i]; i-- {
		w.pos[i], w.idx[i], w.rem[i] = 0, 0, 0
		w.pos[i-1]++
		w.rem[i-1]++
		if w.rem[i-1] == w.chunk[i-1] {
			w.rem[i-1] = 0
			w.idx[i-1]++
		}
	}
}

// sameChunk reports whether the walker's current chunk is c.
func (w *walker) sameChunk(c []uint64) bool {
	if w.rank == 0 {
		return true
	}
	for i, x := range w.idx {
		if c[i] != x {
			return false
		}
	}
	// Folded dimensions have index 0 in c by construction.
	return true
}

// chunkIndex returns a fresh, never-modified copy of the current chunk index
// at the grid's full rank.
func (w *walker) chunkIndex() []uint64 {
	if len(w.arena) < w.rank {
		w.arena = make([]uint64, w.rank*256)
	}
	c := w.arena[:w.rank:w.rank]
	w.arena = w.arena[w.rank:]
	if w.rank > 0 {
		copy(c, w.idx) // the folded trailing dimensions stay 0
	}
	return c
}

// Split walks runs in order, the k-th element of the runs being element k of
// the caller's buffer, and calls fn with each maximal piece that is
// contiguous inside one chunk and in the buffer: consecutive stretches of one
// chunk are merged whenever they are adjacent inside it. The cost is
// proportional to the number of pieces, never to the number of elements.
//
// The grid must be valid and the runs inside the extent (see Validate and
// CheckRuns); Split panics otherwise, as that is a caller's bug and no piece
// could be right. Empty runs are skipped.
func (g Grid) Split(runs []Run, fn func(Piece)) {
	if len(runs) == 0 {
		return
	}
	if err := g.CheckRuns(runs); err != nil {
		panic(err)
	}
	w := newWalker(g)
	last := len(w.dims) - 1
	var pend Piece
	var buf uint64
	for _, r := range runs {
		if r.Count == 0 {
			continue
		}
		w.seek(r.Offset)
		left := r.Count
		for left > 0 {
			// The stretch runs to the end of the chunk along the last
			// (folded) dimension or the end of the row, whichever is first.
			end := w.dims[last]
			if start := w.idx[last] * w.chunk[last]; end-start > w.chunk[last] {
				end = start + w.chunk[last]
			}
			n := min(end-w.pos[last], left)
			in := w.local()
			if pend.Count > 0 && pend.InChunk+pend.Count == in && w.sameChunk(pend.Chunk) {
				pend.Count += n
			} else {
				var c []uint64
				if pend.Count > 0 && w.sameChunk(pend.Chunk) {
					c = pend.Chunk
				} else {
					c = w.chunkIndex()
				}
				if pend.Count > 0 {
					fn(pend)
				}
				pend = Piece{Chunk: c, InChunk: in, InBuf: buf, Count: n}
			}
			buf += n
			left -= n
			w.advance(n)
		}
	}
	if pend.Count > 0 {
		fn(pend)
	}
}

// ChunkPieces is Split's pieces of one chunk.
type ChunkPieces struct {
	Index  []uint64
	Pieces []Piece
}

// Plan splits runs and groups the pieces by chunk, chunks in the order the
// runs first touch them, pieces in buffer order within each chunk.
func (g Grid) Plan(runs []Run) []ChunkPieces {
	var out []ChunkPieces
	at := map[uint64]int{}
	g.Split(runs, func(p Piece) {
		k := g.Linear(p.Chunk)
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, ChunkPieces{Index: p.Chunk})
		}
		out[i].Pieces = append(out[i].Pieces, p)
	})
	return out
}

// Covered reports whether the pieces that hit the chunk at index (pieces of
// other chunks are ignored) cover every element of that chunk inside the
// extent, so a writer can replace the chunk without reading it first. Pieces
// may overlap or come in any order (a point selection can repeat an element);
// elements outside the extent of an edge chunk do not count.
func (g Grid) Covered(index []uint64, pieces []Piece) bool {
	want, _ := product(g.ChunkExtent(index))
	if want == 0 {
		return true
	}
	type span struct{ lo, hi uint64 }
	spans := make([]span, 0, len(pieces))
	sorted := true
	for _, p := range pieces {
		if p.Count == 0 || !slices.Equal(p.Chunk, index) {
			continue
		}
		s := span{p.InChunk, p.InChunk + p.Count}
		if n := len(spans); n > 0 && s.lo < spans[n-1].lo {
			sorted = false
		}
		spans = append(spans, s)
	}
	if !sorted {
		slices.SortFunc(spans, func(a, b span) int {
			switch {
			case a.lo < b.lo:
				return -1
			case a.lo > b.lo:
				return 1
			}
			return 0
		})
	}
	// Pieces from in-extent runs only ever address in-extent elements, so the
	// size of their union equals the in-extent count exactly when they
	// cover the chunk.
	var got, reach uint64
	for _, s := range spans {
		if s.lo < reach {
			s.lo = reach
		}
		if s.hi > s.lo {
			got += s.hi - s.lo
			reach = s.hi
		}
	}
	return got == want
}

// String shows a piece for test failures and logs.
func (p Piece) String() string {
	return fmt.Sprintf("chunk %v [%d,+%d) buf %d", p.Chunk, p.InChunk, p.Count, p.InBuf)
}
