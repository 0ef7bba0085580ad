package chunks

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

func collect(g Grid, runs []Run) []Piece {
	var out []Piece
	g.Split(runs, func(p Piece) { out = append(out, p) })
	return out
}

// naive maps every element on its own and merges consecutive elements of one
// chunk that are adjacent inside it: the definition Split must match.
func naive(g Grid, runs []Run) []Piece {
	var out []Piece
	var buf uint64
	rank := len(g.Dims)
	for _, r := range runs {
		for e := r.Offset; e < r.Offset+r.Count; e++ {
			coord := make([]uint64, rank)
			rest := e
			for i := rank - 1; i >= 0; i-- {
				coord[i] = rest % g.Dims[i]
				rest /= g.Dims[i]
			}
			idx := make([]uint64, rank)
			var in uint64
			for i := range rank {
				idx[i] = coord[i] / g.Chunk[i]
				in = in*g.Chunk[i] + coord[i]%g.Chunk[i]
			}
			if n := len(out); n > 0 && slices.Equal(out[n-1].Chunk, idx) && out[n-1].InChunk+out[n-1].Count == in {
				out[n-1].Count++
			} else {
				out = append(out, Piece{Chunk: idx, InChunk: in, InBuf: buf, Count: 1})
			}
			buf++
		}
	}
	return out
}

func equalPieces(a, b []Piece) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !slices.Equal(a[i].Chunk, b[i].Chunk) || a[i].InChunk != b[i].InChunk ||
			a[i].InBuf != b[i].InBuf || a[i].Count != b[i].Count {
			return false
		}
	}
	return true
}

func TestSplitTable(t *testing.T) {
	tests := []struct {
		name string
		g    Grid
		runs []Run
		want []Piece
	}{
		{
			name: "scalar",
			g:    Grid{},
			runs: []Run{{0, 1}},
			want: []Piece{{Chunk: []uint64{}, Count: 1}},
		},
		{
			name: "1d across chunks",
			g:    Grid{Dims: []uint64{10}, Chunk: []uint64{4}},
			runs: []Run{{2, 7}},
			want: []Piece{
				{Chunk: []uint64{0}, InChunk: 2, InBuf: 0, Count: 2},
				{Chunk: []uint64{1}, InChunk: 0, InBuf: 2, Count: 4},
				{Chunk: []uint64{2}, InChunk: 0, InBuf: 6, Count: 1},
			},
		},
		{
			name: "adjacent runs merge",
			g:    Grid{Dims: []uint64{10}, Chunk: []uint64{10}},
			runs: []Run{{0, 3}, {3, 3}},
			want: []Piece{{Chunk: []uint64{0}, Count: 6}},
		},
		{
			name: "rows spanning full trailing dims: one piece per chunk",
			g:    Grid{Dims: []uint64{5, 3, 4}, Chunk: []uint64{2, 3, 4}},
			runs: []Run{{0, 60}},
			want: []Piece{
				{Chunk: []uint64{0, 0, 0}, InChunk: 0, InBuf: 0, Count: 24},
				{Chunk: []uint64{1, 0, 0}, InChunk: 0, InBuf: 24, Count: 24},
				{Chunk: []uint64{2, 0, 0}, InChunk: 0, InBuf: 48, Count: 12},
			},
		},
		{
			name: "edge chunk with padding along the last dim does not merge rows",
			g:    Grid{Dims: []uint64{2, 3}, Chunk: []uint64{2, 4}},
			runs: []Run{{0, 6}},
			want: []Piece{
				{Chunk: []uint64{0, 0}, InChunk: 0, InBuf: 0, Count: 3},
				{Chunk: []uint64{0, 0}, InChunk: 4, InBuf: 3, Count: 3},
			},
		},
		{
			name: "2d row through two chunks",
			g:    Grid{Dims: []uint64{4, 6}, Chunk: []uint64{2, 3}},
			runs: []Run{{7, 4}},
			want: []Piece{
				{Chunk: []uint64{0, 0}, InChunk: 4, InBuf: 0, Count: 2},
				{Chunk: []uint64{0, 1}, InChunk: 3, InBuf: 2, Count: 2},
			},
		},
		{
			name: "empty runs skipped",
			g:    Grid{Dims: []uint64{0, 3}, Chunk: []uint64{1, 1}},
			runs: []Run{{0, 0}},
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := collect(tt.g, tt.runs)
			if !equalPieces(got, tt.want) {
				t.Fatalf("got %v\nwant %v", got, tt.want)
			}
			if n := naive(tt.g, tt.runs); !equalPieces(got, n) {
				t.Fatalf("got %v\nnaive %v", got, n)
			}
		})
	}
}

func randGrid(r *rand.Rand) Grid {
	rank := r.IntN(5)
	g := Grid{Dims: make([]uint64, rank), Chunk: make([]uint64, rank)}
	for i := range rank {
		g.Dims[i] = uint64(r.IntN(7))
		if r.IntN(8) == 0 {
			g.Dims[i] = 0
		} else if g.Dims[i] == 0 {
			g.Dims[i] = 1
		}
		switch r.IntN(4) {
		case 0: // spans the dimension exactly (folds)
			g.Chunk[i] = max(g.Dims[i], 1)
		case 1: // bigger than the extent (extendible dataset)
			g.Chunk[i] = g.Dims[i] + 1 + uint64(r.IntN(3))
		default:
			g.Chunk[i] = 1 + uint64(r.IntN(4))
		}
	}
	return g
}

func randRuns(r *rand.Rand, total uint64) []Run {
	var runs []Run
	if total == 0 {
		return []Run{{0, 0}}
	}
	for range r.IntN(6) {
		off := uint64(r.Int64N(int64(total)))
		n := uint64(r.Int64N(int64(total-off) + 1))
		runs = append(runs, Run{off, n})
	}
	if r.IntN(3) == 0 {
		runs = append(runs, Run{0, total})
	}
	// Sorted, disjoint runs are what hyperslab selections produce; leave
	// some unsorted and overlapping ones as point selections can.
	if r.IntN(2) == 0 {
		slices.SortFunc(runs, func(a, b Run) int { return int(a.Offset) - int(b.Offset) })
	}
	return runs
}

func TestSplitMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := range 20000 {
		g := randGrid(r)
		runs := randRuns(r, g.Elems())
		got := collect(g, runs)
		want := naive(g, runs)
		if !equalPieces(got, want) {
			t.Fatalf("iter %d grid %+v runs %v:\n got %v\nwant %v", iter, g, runs, got, want)
		}
	}
}

// coveredNaive marks every element the pieces touch in a chunk-sized bitmap
// and checks every in-extent element is marked.
func coveredNaive(g Grid, index []uint64, pieces []Piece) bool {
	seen := make([]bool, g.ChunkElems())
	for _, p := range pieces {
		if slices.Equal(p.Chunk, index) {
			for k := p.InChunk; k < p.InChunk+p.Count; k++ {
				seen[k] = true
			}
		}
	}
	ext := g.ChunkExtent(index)
	rank := len(g.Chunk)
	for k := range seen {
		rest := uint64(k)
		inside := true
		for i := rank - 1; i >= 0; i-- {
			if rest%g.Chunk[i] >= ext[i] {
				inside = false
			}
			rest /= g.Chunk[i]
		}
		if inside && !seen[k] {
			return false
		}
	}
	return true
}

func TestCoveredMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	outcomes := map[bool]int{}
	for iter := range 20000 {
		g := randGrid(r)
		runs := randRuns(r, g.Elems())
		for _, cp := range g.Plan(runs) {
			// Shuffle so Covered also sees unsorted input.
			ps := slices.Clone(cp.Pieces)
			r.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
			got := g.Covered(cp.Index, ps)
			if want := coveredNaive(g, cp.Index, ps); got != want {
				t.Fatalf("iter %d grid %+v chunk %v pieces %v: Covered %v, naive %v", iter, g, cp.Index, ps, got, want)
			}
			outcomes[got]++
		}
	}
	if outcomes[true] == 0 || outcomes[false] == 0 {
		t.Fatalf("property test never exercised both outcomes: %v", outcomes)
	}
}

func TestPlanGroupsByChunk(t *testing.T) {
	g := Grid{Dims: []uint64{4, 4}, Chunk: []uint64{2, 2}}
	plan := g.Plan([]Run{{0, 16}})
	if len(plan) != 4 {
		t.Fatalf("got %d chunks, want 4", len(plan))
	}
	wantOrder := [][]uint64{{0, 0}, {0, 1}, {1, 0}, {1, 1}}
	for i, cp := range plan {
		if !slices.Equal(cp.Index, wantOrder[i]) {
			t.Fatalf("chunk %d is %v, want %v", i, cp.Index, wantOrder[i])
		}
		if len(cp.Pieces) != 2 {
			t.Fatalf("chunk %v has %d pieces, want 2 (one per row)", cp.Index, len(cp.Pieces))
		}
		if !g.Covered(cp.Index, cp.Pieces) {
			t.Fatalf("chunk %v not covered by a whole-dataset run", cp.Index)
		}
		if g.Covered(cp.Index, cp.Pieces[:1]) {
			t.Fatalf("chunk %v covered by half its rows", cp.Index)
		}
	}
}

func TestChunkExtentAndNumChunks(t *testing.T) {
	g := Grid{Dims: []uint64{10, 7, 0}, Chunk: []uint64{4, 7, 3}}
	if got, want := g.NumChunks(), []uint64{3, 1, 0}; !slices.Equal(got, want) {
		t.Fatalf("NumChunks %v, want %v", got, want)
	}
	tests := []struct{ index, want []uint64 }{
		{[]uint64{0, 0, 0}, []uint64{4, 7, 0}},
		{[]uint64{2, 0, 0}, []uint64{2, 7, 0}},
		{[]uint64{3, 0, 0}, []uint64{0, 7, 0}},
	}
	for _, tt := range tests {
		if got := g.ChunkExtent(tt.index); !slices.Equal(got, tt.want) {
			t.Errorf("ChunkExtent(%v) = %v, want %v", tt.index, got, tt.want)
		}
	}
	if got, want := g.Index([]uint64{9, 6, 0}), []uint64{2, 0, 0}; !slices.Equal(got, want) {
		t.Errorf("Index = %v, want %v", got, want)
	}
	if got := (Grid{}).ChunkElems(); got != 1 {
		t.Errorf("scalar ChunkElems = %d, want 1", got)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		g    Grid
		ok   bool
	}{
		{"scalar", Grid{}, true},
		{"ok", Grid{Dims: []uint64{0, 5}, Chunk: []uint64{1, 9}}, true},
		{"rank mismatch", Grid{Dims: []uint64{3}, Chunk: []uint64{1, 1}}, false},
		{"zero chunk", Grid{Dims: []uint64{3}, Chunk: []uint64{0}}, false},
		{"extent overflow", Grid{Dims: []uint64{1 << 32, 1 << 32}, Chunk: []uint64{1, 1}}, false},
		{"chunk overflow", Grid{Dims: []uint64{1, 1}, Chunk: []uint64{1 << 40, 1 << 40}}, false},
	}
	for _, tt := range tests {
		err := tt.g.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tt.name, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidGrid) {
			t.Errorf("%s: %v does not wrap ErrInvalidGrid", tt.name, err)
		}
	}
}

func TestCheckRuns(t *testing.T) {
	g := Grid{Dims: []uint64{10}, Chunk: []uint64{3}}
	if err := g.CheckRuns([]Run{{0, 10}, {9, 1}, {10, 0}}); err != nil {
		t.Fatalf("in-extent runs rejected: %v", err)
	}
	for _, bad := range []Run{{0, 11}, {11, 0}, {5, ^uint64(0)}} {
		if err := g.CheckRuns([]Run{bad}); !errors.Is(err, ErrInvalidGrid) {
			t.Errorf("run %v: got %v, want ErrInvalidGrid", bad, err)
		}
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Split of an out-of-extent run did not panic")
		}
	}()
	g.Split([]Run{{8, 3}}, func(Piece) {})
}

func TestPieceChunkNotReused(t *testing.T) {
	g := Grid{Dims: []uint64{6, 6}, Chunk: []uint64{2, 2}}
	var ps []Piece
	g.Split([]Run{{0, 36}}, func(p Piece) { ps = append(ps, p) })
	want := naive(g, []Run{{0, 36}})
	if !reflect.DeepEqual(len(ps), len(want)) || !equalPieces(ps, want) {
		t.Fatalf("kept pieces changed after Split returned:\n got %v\nwant %v", ps, want)
	}
}

// BenchmarkSplit splits one 1 GiB float64 run (134M elements) over 4 MiB
// chunks; the figure to watch is ns per chunk.
func BenchmarkSplit(b *testing.B) {
	const elems = 1 << 27 // 1 GiB of float64
	cases := []struct {
		name string
		g    Grid
	}{
		{"1d", Grid{Dims: []uint64{elems}, Chunk: StoredChunkShape("contiguous", []uint64{elems}, nil, nil, 8)}},
		{"2d-full-rows", Grid{Dims: []uint64{1 << 13, 1 << 14}, Chunk: []uint64{1 << 5, 1 << 14}}},
		{"2d-contiguous-policy", Grid{Dims: []uint64{1 << 13, 1 << 14}, Chunk: StoredChunkShape("contiguous", []uint64{1 << 13, 1 << 14}, nil, nil, 8)}},
		{"2d-tiles", Grid{Dims: []uint64{1 << 13, 1 << 14}, Chunk: []uint64{1 << 9, 1 << 10}}},
		{"3d-tiles", Grid{Dims: []uint64{1 << 9, 1 << 9, 1 << 9}, Chunk: []uint64{1 << 6, 1 << 6, 1 << 7}}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var chunks uint64 = 1
			for _, n := range c.g.NumChunks() {
				chunks *= n
			}
			var pieces int
			for b.Loop() {
				pieces = 0
				c.g.Split([]Run{{0, elems}}, func(Piece) { pieces++ })
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(chunks), "ns/chunk")
			b.ReportMetric(float64(pieces), "pieces")
		})
	}
}
