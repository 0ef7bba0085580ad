package chunks

import "slices"

// Chunk size bounds of the stored-chunk policy, in bytes. Object stores like
// objects of a few MiB: small enough to rewrite, big enough that per-request
// overhead does not dominate.
const (
	MinChunkBytes = 1 << 20 // chunks smaller than this are expanded
	MaxChunkBytes = 4 << 20 // synthetic chunks are shrunk to at most this
)

// StoredChunkShape is the shape of the chunk objects of a dataset, HSDS's
// policy:
//
//   - a scalar (rank 0) has no chunk shape (nil): it is one chunk of one
//     element;
//   - a contiguous or compact dataset (no requested shape) gets a synthetic
//     one: the whole extent, halved one dimension at a time, first dimensions
//     first, until a chunk is at most MaxChunkBytes;
//   - a chunked dataset keeps the requested shape, except that one smaller
//     than MinChunkBytes is grown by doubling dimensions, last first and
//     round-robin, while it is below MinChunkBytes (so it ends below
//     2*MinChunkBytes) and each dimension stays within its extent (for an
//     extendible dimension: max(current extent, requested)).
//     The stored chunk is then an integer multiple of the requested one, so
//     each requested chunk lies inside one stored chunk.
//
// A requested shape of the wrong rank or with a 0 is returned as given, for
// Grid.Validate to reject. maxDims is accepted for the policy's signature;
// the bound on extendible dimensions does not depend on it.
func StoredChunkShape(class string, dims, maxDims, requested []uint64, elemSize int) []uint64 {
	if len(dims) == 0 {
		return nil
	}
	size := uint64(max(elemSize, 1))
	if class != "chunked" || len(requested) == 0 {
		return shrink(dims, size)
	}
	if len(requested) != len(dims) || slices.Contains(requested, 0) {
		return slices.Clone(requested)
	}
	return expand(dims, requested, size)
}

// chunkBytes is the byte size of a chunk of shape c, saturating at the
// maximum uint64 instead of wrapping.
func chunkBytes(c []uint64, size uint64) uint64 {
	n, ok := product(c)
	if !ok {
		return ^uint64(0)
	}
	b, ok := product([]uint64{n, size})
	if !ok {
		return ^uint64(0)
	}
	return b
}

func shrink(dims []uint64, size uint64) []uint64 {
	c := make([]uint64, len(dims))
	for i, d := range dims {
		c[i] = max(d, 1) // an empty dimension still needs a chunk length
	}
	for chunkBytes(c, size) > MaxChunkBytes {
		progressed := false
		for i := range c {
			if c[i] > 1 {
				c[i] = (c[i] + 1) / 2
				progressed = true
				if chunkBytes(c, size) <= MaxChunkBytes {
					break
				}
			}
		}
		if !progressed { // one element is already bigger than the limit
			break
		}
	}
	return c
}

func expand(dims, requested []uint64, size uint64) []uint64 {
	c := slices.Clone(requested)
	for chunkBytes(c, size) < MinChunkBytes {
		progressed := false
		for i := len(c) - 1; i >= 0; i-- {
			bound := max(dims[i], requested[i])
			if c[i] > bound/2 {
				continue
			}
			c[i] *= 2
			progressed = true
			if chunkBytes(c, size) >= MinChunkBytes {
				return c
			}
		}
		if !progressed {
			break
		}
	}
	return c
}
