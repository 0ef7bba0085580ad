package chunks

import (
	"slices"
	"testing"
)

const unlimited = ^uint64(0)

func TestStoredChunkShape(t *testing.T) {
	tests := []struct {
		name                     string
		class                    string
		dims, maxDims, requested []uint64
		elemSize                 int
		want                     []uint64
	}{
		{name: "scalar", class: "contiguous", elemSize: 8, want: nil},
		{name: "small contiguous is one chunk", class: "contiguous", dims: []uint64{100, 3}, elemSize: 8, want: []uint64{100, 3}},
		{name: "empty contiguous", class: "contiguous", dims: []uint64{0, 5}, elemSize: 4, want: []uint64{1, 5}},
		// 1 GiB 1-d: halved 8 times to 2^19 elements = 4 MiB.
		{name: "1 GiB contiguous 1-d", class: "contiguous", dims: []uint64{1 << 27}, elemSize: 8, want: []uint64{1 << 19}},
		// 8192x16384 float64 = 1 GiB: halving first dims first, each pass
		// halves every dim > 1 until <= 4 MiB.
		{name: "1 GiB contiguous 2-d", class: "contiguous", dims: []uint64{1 << 13, 1 << 14}, elemSize: 8, want: []uint64{1 << 9, 1 << 10}},
		{name: "compact", class: "compact", dims: []uint64{7}, elemSize: 1, want: []uint64{7}},
		{name: "huge element", class: "contiguous", dims: []uint64{3, 3}, elemSize: 5 << 20, want: []uint64{1, 1}},
		{name: "odd dims shrink with ceil", class: "contiguous", dims: []uint64{1000001}, elemSize: 8, want: []uint64{500001}},
		{name: "chunked big enough kept", class: "chunked", dims: []uint64{1 << 20}, requested: []uint64{1 << 18}, elemSize: 8, want: []uint64{1 << 18}},
		{name: "chunked huge kept", class: "chunked", dims: []uint64{1 << 30}, requested: []uint64{1 << 28}, elemSize: 8, want: []uint64{1 << 28}},
		{name: "chunked small expanded last dim first", class: "chunked", dims: []uint64{1000, 1000}, requested: []uint64{10, 10}, elemSize: 8,
			// round-robin doubling from the last dim: (10,10)->(10,20)->(20,20)->...
			want: []uint64{320, 640}},
		{name: "chunked bounded by extent", class: "chunked", dims: []uint64{15, 30}, requested: []uint64{5, 10}, elemSize: 8, want: []uint64{10, 20}},
		{name: "unlimited bound by requested when extent smaller", class: "chunked", dims: []uint64{0}, maxDims: []uint64{unlimited}, requested: []uint64{10}, elemSize: 8, want: []uint64{10}},
		{name: "unlimited bound by current extent", class: "chunked", dims: []uint64{100}, maxDims: []uint64{unlimited}, requested: []uint64{10}, elemSize: 8, want: []uint64{80}},
		{name: "bad requested returned as given", class: "chunked", dims: []uint64{10, 10}, requested: []uint64{0, 3}, elemSize: 8, want: []uint64{0, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := StoredChunkShape(tt.class, tt.dims, tt.maxDims, tt.requested, tt.elemSize)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestStoredChunkShapeInvariants checks the policy's promises over many
// shapes: synthetic chunks fit in MaxChunkBytes unless one element does not,
// no dimension is 0, expanded chunks are integer multiples of the requested
// ones and never pass 2*MinChunkBytes by expanding.
func TestStoredChunkShapeInvariants(t *testing.T) {
	dimsSet := [][]uint64{{1}, {3}, {1 << 20}, {999, 1001}, {1 << 12, 1 << 12, 7}, {5, 1, 1 << 16, 3}, {0, 10}}
	sizes := []int{1, 2, 8, 24, 1000}
	for _, dims := range dimsSet {
		for _, size := range sizes {
			c := StoredChunkShape("contiguous", dims, dims, nil, size)
			if len(c) != len(dims) || slices.Contains(c, 0) {
				t.Fatalf("contiguous %v size %d: bad shape %v", dims, size, c)
			}
			if b := chunkBytes(c, uint64(size)); b > MaxChunkBytes {
				t.Fatalf("contiguous %v size %d: chunk %v is %d bytes", dims, size, c, b)
			}
			for i := range c {
				if c[i] > max(dims[i], 1) {
					t.Fatalf("contiguous %v: chunk %v larger than extent", dims, c)
				}
			}
			req := make([]uint64, len(dims))
			for i := range req {
				req[i] = max(1, dims[i]/7)
			}
			e := StoredChunkShape("chunked", dims, nil, req, size)
			for i := range e {
				if e[i]%req[i] != 0 || e[i] > max(dims[i], req[i]) {
					t.Fatalf("chunked %v req %v: stored %v not an in-extent multiple", dims, req, e)
				}
			}
			if b := chunkBytes(req, uint64(size)); b < MinChunkBytes {
				if eb := chunkBytes(e, uint64(size)); eb >= 2*MinChunkBytes {
					t.Fatalf("chunked %v req %v: expanded to %v, %d bytes", dims, req, e, eb)
				}
			}
		}
	}
}
