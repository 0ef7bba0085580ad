// Package chunks is the chunk-grid arithmetic of a chunked dataset: which
// chunk holds an element, how a selection (as runs of elements in the
// dataset's row-major order) splits into per-chunk pieces, how big edge
// chunks are, and the policy that picks the stored chunk shape. It is the hot
// path of every VOL read and write, so nothing here does per-element work.
package chunks

import (
	"errors"
	"fmt"
	"math/bits"
)

// ErrInvalidGrid is wrapped by every error Validate and CheckRuns return.
var ErrInvalidGrid = errors.New("chunks: invalid grid")

// Run is Count elements starting at element Offset of a dataset's extent, in
// C (row-major) order.
type Run struct{ Offset, Count uint64 }

// Grid is a dataset's current extent cut into chunks of one shape. Rank 0 is
// a scalar: one chunk (index []) of one element.
type Grid struct {
	Dims  []uint64 // current extent; a dimension may be 0
	Chunk []uint64 // stored chunk shape; every entry > 0
}

// Validate checks that the ranks agree, no chunk dimension is 0, and that
// neither the number of elements of the extent nor of one chunk overflows
// uint64 (so offsets computed from them never wrap).
func (g Grid) Validate() error {
	if len(g.Dims) != len(g.Chunk) {
		return fmt.Errorf("%w: rank %d extent with rank %d chunks", ErrInvalidGrid, len(g.Dims), len(g.Chunk))
	}
	if _, ok := product(g.Dims); !ok {
		return fmt.Errorf("%w: extent %v overflows", ErrInvalidGrid, g.Dims)
	}
	for i, c := range g.Chunk {
		if c == 0 {
			return fmt.Errorf("%w: chunk dimension %d is 0", ErrInvalidGrid, i)
		}
	}
	if _, ok := product(g.Chunk); !ok {
		return fmt.Errorf("%w: chunk %v overflows", ErrInvalidGrid, g.Chunk)
	}
	return nil
}

// product multiplies dims, reporting false on overflow. The empty product is 1.
func product(dims []uint64) (uint64, bool) {
	n := uint64(1)
	for _, d := range dims {
		hi, lo := bits.Mul64(n, d)
		if hi != 0 {
			return 0, false
		}
		n = lo
	}
	return n, true
}

// Elems is the number of elements of the extent (1 for a scalar).
func (g Grid) Elems() uint64 {
	n, _ := product(g.Dims)
	return n
}

// ChunkElems is the number of elements of one full chunk (1 for a scalar).
func (g Grid) ChunkElems() uint64 {
	n, _ := product(g.Chunk)
	return n
}

// NumChunks is the number of chunks along each dimension, counting partial
// edge chunks (0 along an empty dimension).
func (g Grid) NumChunks() []uint64 {
	n := make([]uint64, len(g.Dims))
	for i, d := range g.Dims {
		n[i] = d / g.Chunk[i]
		if d%g.Chunk[i] != 0 {
			n[i]++
		}
	}
	return n
}

// Index is the grid index of the chunk holding the element at coord.
func (g Grid) Index(coord []uint64) []uint64 {
	idx := make([]uint64, len(coord))
	for i, c := range coord {
		idx[i] = c / g.Chunk[i]
	}
	return idx
}

// ChunkExtent is the in-extent shape of the chunk at index: the chunk shape,
// cut short along dimensions where the chunk sticks out of the extent. A chunk
// wholly outside the extent has a 0 somewhere.
func (g Grid) ChunkExtent(index []uint64) []uint64 {
	ext := make([]uint64, len(g.Chunk))
	for i, c := range g.Chunk {
		start := index[i] * c
		switch {
		case start >= g.Dims[i]:
			ext[i] = 0
		case g.Dims[i]-start < c:
			ext[i] = g.Dims[i] - start
		default:
			ext[i] = c
		}
	}
	return ext
}

// ChunkStart is the coordinate of the first element of the chunk at index.
func (g Grid) ChunkStart(index []uint64) []uint64 {
	start := make([]uint64, len(index))
	for i, x := range index {
		start[i] = x * g.Chunk[i]
	}
	return start
}

// Linear numbers the chunk at index in row-major order over NumChunks, so a
// chunk can key a map without building a string.
func (g Grid) Linear(index []uint64) uint64 {
	var n uint64
	for i, x := range index {
		c := g.Dims[i] / g.Chunk[i]
		if g.Dims[i]%g.Chunk[i] != 0 {
			c++
		}
		n = n*c + x
	}
	return n
}

// CheckRuns reports whether every run lies inside the extent; Split requires
// it.
func (g Grid) CheckRuns(runs []Run) error {
	total := g.Elems()
	for i, r := range runs {
		if r.Offset > total || r.Count > total-r.Offset {
			return fmt.Errorf("%w: run %d [%d,+%d) outside %d elements", ErrInvalidGrid, i, r.Offset, r.Count, total)
		}
	}
	return nil
}
