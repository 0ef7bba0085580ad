package vol

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/formats/filter"
	"github.com/sciswift/sciswift/server/client"
)

// slab is the runs of the hyperslab start/count of an extent dims, in
// row-major order, adjacent rows merged.
func slab(dims, start, count []uint64) []Run {
	rank := len(dims)
	if rank == 0 {
		return span(0, 1)
	}
	for _, c := range count {
		if c == 0 {
			return nil
		}
	}
	var runs []Run
	idx := make([]uint64, rank)
	for {
		var off uint64
		for i := 0; i < rank; i++ {
			off = off*dims[i] + start[i] + idx[i]
		}
		if n := len(runs); n > 0 && runs[n-1].Offset+runs[n-1].Count == off {
			runs[n-1].Count += count[rank-1]
		} else {
			runs = append(runs, Run{Offset: off, Count: count[rank-1]})
		}
		i := rank - 2
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < count[i] {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return runs
		}
	}
}

func runsLen(runs []Run) uint64 {
	var n uint64
	for _, r := range runs {
		n += r.Count
	}
	return n
}

// model is what a fixed-size dataset should hold.
type model struct {
	elem int
	data []byte
}

func newModel(n uint64, elem int, fill []byte) *model {
	m := &model{elem: elem, data: make([]byte, int(n)*elem)}
	if fill != nil {
		fillPattern(m.data, fill)
	}
	return m
}

func (m *model) write(runs []Run, src []byte) {
	k := 0
	for _, r := range runs {
		n := int(r.Count) * m.elem
		copy(m.data[int(r.Offset)*m.elem:], src[k:k+n])
		k += n
	}
}

func (m *model) read(runs []Run) []byte {
	var out []byte
	for _, r := range runs {
		out = append(out, m.data[int(r.Offset)*m.elem:int(r.Offset+r.Count)*m.elem]...)
	}
	return out
}

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// compressible is bytes deflate shrinks: slowly varying float-like data.
func compressible(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i / 97)
	}
	return b
}

func readAll(t *testing.T, d *Object, runs []Run, elem int) []byte {
	t.Helper()
	out := make([]byte, int(runsLen(runs))*elem)
	check(t, d.Read(runs, out))
	return out
}

func TestDatasetsRoundTrip(t *testing.T) {
	i8 := formats.Dtype{Class: formats.ClassInteger, Size: 1, Signed: true}
	u16 := formats.Dtype{Class: formats.ClassInteger, Size: 2, Order: formats.LittleEndian}
	i32be := formats.Dtype{Class: formats.ClassInteger, Size: 4, Order: formats.BigEndian, Signed: true}
	compound := formats.Dtype{Class: formats.ClassCompound, Size: 12, Members: []formats.Member{
		{Name: "x", Offset: 0, Type: &float64LE}, {Name: "n", Offset: 8, Type: &i32be}}}
	deflateShuffle := []domain.Filter{{ID: 2, Name: "shuffle"}, {ID: 1, Name: "deflate", Params: []uint32{6}}}

	tests := []struct {
		name      string
		typ       formats.Dtype
		dims, max []uint64
		layout    domain.Layout
		fill      []byte
		gen       func(rng *rand.Rand, n int) []byte
	}{
		{name: "int8 rank1 small chunks", typ: i8, dims: []uint64{1000},
			layout: domain.Layout{Class: "chunked", Chunks: []uint64{64}, StoredChunks: []uint64{64}}},
		{name: "float64 rank2 edge chunks", typ: float64LE, dims: []uint64{37, 23},
			layout: domain.Layout{Class: "chunked", Chunks: []uint64{8, 5}, StoredChunks: []uint64{8, 5}}},
		{name: "int32be rank3 fill", typ: i32be, dims: []uint64{9, 10, 11}, fill: []byte{0x7f, 1, 2, 3},
			layout: domain.Layout{Class: "chunked", Chunks: []uint64{4, 3, 5}, StoredChunks: []uint64{4, 3, 5}}},
		{name: "compound contiguous policy", typ: compound, dims: []uint64{50, 7}, layout: domain.Layout{Class: "contiguous"}},
		{name: "uint16 chunked policy", typ: u16, dims: []uint64{5000}, max: []uint64{domain.Unlimited},
			layout: domain.Layout{Class: "chunked", Chunks: []uint64{100}}},
		{name: "float64 deflate shuffle", typ: float64LE, dims: []uint64{100, 100}, gen: func(_ *rand.Rand, n int) []byte { return compressible(n) },
			layout: domain.Layout{Class: "chunked", Chunks: []uint64{16, 16}, StoredChunks: []uint64{16, 16}, Filters: deflateShuffle}},
		{name: "fill and filters", typ: u16, dims: []uint64{33, 17}, fill: []byte{0xab, 0xcd},
			layout: domain.Layout{Class: "chunked", Chunks: []uint64{10, 4}, StoredChunks: []uint64{10, 4}, Filters: []domain.Filter{{ID: 1, Params: []uint32{1}}, {ID: 3}}}},
	}
	s := testSettings(t, srv)
	c := newTestConnector(t)
	raw := rawClient(t, srv)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			gen := tt.gen
			if gen == nil {
				gen = randBytes
			}
			file := fmt.Sprintf("rt%d.h5", i)
			f := must[*File](t)(c.CreateFile(s, file, CreateExclusive, nil))
			d := must[*Object](t)(f.Root().CreateDataset("d", false, DatasetSpec{
				Type: tt.typ, Space: domain.Space{Class: "simple", Dims: tt.dims, MaxDims: tt.max},
				Layout: tt.layout, Fill: tt.fill, DCPL: []byte("dcpl")}))
			doc := d.Dataset()
			if len(doc.Layout.StoredChunks) != len(tt.dims) {
				t.Fatalf("stored chunks %v", doc.Layout.StoredChunks)
			}
			elem := tt.typ.Size
			n := uint64(1)
			for _, x := range tt.dims {
				n *= x
			}
			m := newModel(n, elem, tt.fill)
			// Two overlapping slabs, neither covering everything; then
			// scattered single elements.
			start1, count1 := make([]uint64, len(tt.dims)), make([]uint64, len(tt.dims))
			start2, count2 := make([]uint64, len(tt.dims)), make([]uint64, len(tt.dims))
			for k, x := range tt.dims {
				start1[k], count1[k] = 0, x*2/3+1
				start2[k], count2[k] = x/3, x-x/3
			}
			for _, sl := range [][2][]uint64{{start1, count1}, {start2, count2}} {
				runs := slab(tt.dims, sl[0], sl[1])
				src := gen(rng, int(runsLen(runs))*elem)
				check(t, d.Write(runs, src))
				m.write(runs, src)
			}
			var points []Run
			for k := 0; k < 20; k++ {
				points = append(points, Run{Offset: rng.Uint64N(n), Count: 1})
			}
			src := gen(rng, len(points)*elem)
			check(t, d.Write(points, src))
			m.write(points, src)

			all := span(0, n)
			if got := readAll(t, d, all, elem); !bytes.Equal(got, m.data) {
				t.Fatal("read before close differs")
			}
			check(t, f.Close())

			f = must[*File](t)(c.OpenFile(s, file, false))
			d = must[*Object](t)(f.Root().Resolve("d"))
			if string(d.CPL()) != "dcpl" || !slices.Equal(d.Dataset().Space.Dims, tt.dims) {
				t.Errorf("dataset doc after reopen: %+v", d.Dataset())
			}
			if got := readAll(t, d, all, elem); !bytes.Equal(got, m.data) {
				t.Fatal("read after reopen differs")
			}
			mid := slab(tt.dims, start2, count1)
			for k := range mid {
				if mid[k].Offset+mid[k].Count > n {
					mid = mid[:k]
					break
				}
			}
			if got := readAll(t, d, mid, elem); !bytes.Equal(got, m.read(mid)) {
				t.Error("hyperslab read differs")
			}
			slices.Reverse(points)
			if got := readAll(t, d, points, elem); !bytes.Equal(got, m.read(points)) {
				t.Error("point read differs")
			}
			check(t, f.Close())

			// A partial write to chunks that are only in the store.
			f = must[*File](t)(c.OpenFile(s, file, true))
			d = must[*Object](t)(f.Root().Resolve("d"))
			runs := slab(tt.dims, start2, count2)
			runs = runs[:len(runs)/2+1]
			src = gen(rng, int(runsLen(runs))*elem)
			check(t, d.Write(runs, src))
			m.write(runs, src)
			check(t, f.Close())
			f = must[*File](t)(c.OpenFile(s, file, false))
			d = must[*Object](t)(f.Root().Resolve("d"))
			if got := readAll(t, d, all, elem); !bytes.Equal(got, m.data) {
				t.Error("read after read-modify-write differs")
			}
			size := must[uint64](t)(d.BytesStored())
			var listed uint64
			recs, _, err := raw.ListObjects(context.Background(), s.Container, listOpts(file+"/d/"+fmt.Sprint(d.Token())+"/"))
			check(t, err)
			for _, r := range recs {
				listed += uint64(r.Bytes)
			}
			if size == 0 || size != listed {
				t.Errorf("BytesStored %d, chunk objects hold %d", size, listed)
			}
			if len(tt.layout.Filters) > 0 && tt.gen != nil && size >= n*uint64(elem) {
				t.Errorf("compressible data stored in %d bytes, raw %d", size, n*uint64(elem))
			}
			check(t, f.Close())
		})
	}
}

func TestDatasetErrors(t *testing.T) {
	s := testSettings(t, srv)
	c := newTestConnector(t)
	f := must[*File](t)(c.CreateFile(s, "errs.h5", CreateExclusive, nil))
	root := f.Root()
	specTests := []struct {
		name string
		spec DatasetSpec
		want error
	}{
		{"no size", DatasetSpec{Type: formats.Dtype{Class: formats.ClassInteger}, Space: domain.Space{Class: "scalar"}}, ErrInvalid},
		{"bad class", DatasetSpec{Type: float64LE, Space: domain.Space{Class: "weird"}}, ErrInvalid},
		{"max below dims", DatasetSpec{Type: float64LE, Space: domain.Space{Class: "simple", Dims: []uint64{5}, MaxDims: []uint64{4}}}, ErrInvalid},
		{"extendible contiguous", DatasetSpec{Type: float64LE, Space: domain.Space{Class: "simple", Dims: []uint64{5}, MaxDims: []uint64{domain.Unlimited}}}, ErrInvalid},
		{"chunk rank", DatasetSpec{Type: float64LE, Space: domain.Space{Class: "simple", Dims: []uint64{5}}, Layout: domain.Layout{Class: "chunked", Chunks: []uint64{1, 1}}}, ErrInvalid},
		{"zero chunk", DatasetSpec{Type: float64LE, Space: domain.Space{Class: "simple", Dims: []uint64{5}}, Layout: domain.Layout{Class: "chunked", Chunks: []uint64{0}}}, ErrInvalid},
		{"fill size", DatasetSpec{Type: float64LE, Space: domain.Space{Class: "scalar"}, Fill: []byte{1}}, ErrInvalid},
		{"szip", DatasetSpec{Type: float64LE, Space: domain.Space{Class: "simple", Dims: []uint64{5}}, Layout: domain.Layout{Class: "chunked", Chunks: []uint64{5}, Filters: []domain.Filter{{ID: 4}}}}, ErrUnsupported},
	}
	for _, tt := range specTests {
		if _, err := root.CreateDataset(tt.name, false, tt.spec); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	d := smallDataset(t, root, "d", 10, 4)
	if err := d.Write(span(5, 6), make([]byte, 48)); !errors.Is(err, ErrInvalid) {
		t.Errorf("write past the extent: %v", err)
	}
	if err := d.Write(span(0, 2), make([]byte, 15)); !errors.Is(err, ErrInvalid) {
		t.Errorf("write with a short buffer: %v", err)
	}
	if _, err := d.ReadVar(span(0, 1)); !errors.Is(err, ErrInvalid) {
		t.Errorf("ReadVar of a fixed-size dataset: %v", err)
	}
	if err := root.Read(span(0, 1), make([]byte, 8)); !errors.Is(err, ErrInvalid) {
		t.Errorf("Read of a group: %v", err)
	}
	if err := d.SetExtent([]uint64{11}); !errors.Is(err, ErrInvalid) {
		t.Errorf("growing a fixed-size dataset: %v", err)
	}
	check(t, f.Close())
}

func TestScalarAndNullDatasets(t *testing.T) {
	s := testSettings(t, srv)
	c := newTestConnector(t)
	f := must[*File](t)(c.CreateFile(s, "scalar.h5", CreateExclusive, nil))
	sc := must[*Object](t)(f.Root().CreateDataset("s", false, DatasetSpec{Type: float64LE, Space: domain.Space{Class: "scalar"},
		Fill: []byte{1, 2, 3, 4, 5, 6, 7, 8}}))
	if got := readAll(t, sc, span(0, 1), 8); !bytes.Equal(got, []byte{1, 2, 3, 4, 5, 6, 7, 8}) {
		t.Errorf("unwritten scalar reads %v, want its fill value", got)
	}
	check(t, sc.Write(span(0, 1), []byte("abcdefgh")))
	null := must[*Object](t)(f.Root().CreateDataset("n", false, DatasetSpec{Type: float64LE, Space: domain.Space{Class: "null"}}))
	check(t, null.Read(nil, nil))
	if err := null.Write(span(0, 1), make([]byte, 8)); !errors.Is(err, ErrInvalid) {
		t.Errorf("writing a null dataset: %v", err)
	}
	f = reopen(t, c, s, f, false)
	sc = must[*Object](t)(f.Root().Resolve("s"))
	if got := readAll(t, sc, span(0, 1), 8); string(got) != "abcdefgh" {
		t.Errorf("scalar after reopen: %q", got)
	}
	check(t, f.Close())
}

func TestSetExtent(t *testing.T) {
	s := testSettings(t, srv)
	c := newTestConnector(t)
	raw := rawClient(t, srv)
	f := must[*File](t)(c.CreateFile(s, "extent.h5", CreateExclusive, nil))
	fill := []byte{9, 9}
	d := must[*Object](t)(f.Root().CreateDataset("d", false, DatasetSpec{
		Type:   formats.Dtype{Class: formats.ClassInteger, Size: 2, Order: formats.LittleEndian},
		Space:  domain.Space{Class: "simple", Dims: []uint64{10, 10}, MaxDims: []uint64{domain.Unlimited, 20}},
		Layout: domain.Layout{Class: "chunked", Chunks: []uint64{4, 4}, StoredChunks: []uint64{4, 4}},
		Fill:   fill,
	}))
	dims := []uint64{10, 10}
	m := newModel(100, 2, fill)
	src := randBytes(rand.New(rand.NewPCG(1, 2)), 200)
	check(t, d.Write(span(0, 100), src))
	m.write(span(0, 100), src)
	check(t, f.Flush())
	chunkNames := func() []string {
		return names(t, raw, s.Container, fmt.Sprintf("extent.h5/d/%d/", d.Token()))
	}
	if n := len(chunkNames()); n != 9 {
		t.Fatalf("%d chunks stored, want 9", n)
	}

	// Shrink to 5x6: chunks with a row index of 2 or a column index of 2
	// go; chunks on the new boundary keep only their in-extent part.
	check(t, d.SetExtent([]uint64{5, 6}))
	if got := chunkNames(); len(got) != 4 {
		t.Errorf("after shrinking, chunks %q", got)
	}
	if err := d.SetExtent([]uint64{5, 21}); !errors.Is(err, ErrInvalid) {
		t.Errorf("growing past the maximum: %v", err)
	}
	// Grow past the old extent: everything cut off reads as fill.
	check(t, d.SetExtent([]uint64{12, 12}))
	want := newModel(144, 2, fill)
	for r := uint64(0); r < 5; r++ {
		for col := uint64(0); col < 6; col++ {
			copy(want.data[(r*12+col)*2:], m.data[(r*dims[1]+col)*2:(r*dims[1]+col)*2+2])
		}
	}
	if got := readAll(t, d, span(0, 144), 2); !bytes.Equal(got, want.data) {
		t.Errorf("after shrink and grow:\n got %v\nwant %v", got, want.data)
	}
	f = reopen(t, c, s, f, false)
	d = must[*Object](t)(f.Root().Resolve("d"))
	if got := d.Dataset().Space.Dims; !slices.Equal(got, []uint64{12, 12}) {
		t.Errorf("dims after reopen %v", got)
	}
	if got := readAll(t, d, span(0, 144), 2); !bytes.Equal(got, want.data) {
		t.Error("after reopen the data differs")
	}
	check(t, f.Close())
}

func TestVariableLength(t *testing.T) {
	s := testSettings(t, srv)
	c := newTestConnector(t)
	vstr := formats.Dtype{Class: formats.ClassString, Variable: true, Charset: formats.CharsetUTF8}
	layouts := []domain.Layout{
		{Class: "chunked", Chunks: []uint64{3, 4}, StoredChunks: []uint64{3, 4}},
		{Class: "chunked", Chunks: []uint64{3, 4}, StoredChunks: []uint64{3, 4}, Filters: []domain.Filter{{ID: 1, Params: []uint32{4}}}},
		{Class: "contiguous"},
	}
	for i, layout := range layouts {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			file := fmt.Sprintf("var%d.h5", i)
			f := must[*File](t)(c.CreateFile(s, file, CreateExclusive, nil))
			d := must[*Object](t)(f.Root().CreateDataset("d", false, DatasetSpec{Type: vstr,
				Space: domain.Space{Class: "simple", Dims: []uint64{7, 5}}, Layout: layout}))
			want := make([][]byte, 35)
			all := span(0, 35)
			runs := slab([]uint64{7, 5}, []uint64{1, 1}, []uint64{5, 3})
			vals := make([][]byte, runsLen(runs))
			for k := range vals {
				switch k % 4 {
				case 0:
					vals[k] = nil
				case 1:
					vals[k] = []byte{}
				default:
					vals[k] = []byte(strings.Repeat(fmt.Sprint(k), k))
				}
			}
			check(t, d.WriteVar(runs, vals))
			k := 0
			for _, r := range runs {
				for j := r.Offset; j < r.Offset+r.Count; j++ {
					want[j] = bytes.Clone(vals[k])
					k++
				}
			}
			if err := d.Write(all, make([]byte, 35)); !errors.Is(err, ErrInvalid) {
				t.Errorf("fixed-size Write to a variable-length dataset: %v", err)
			}
			vals[2][0] = 'X' // the caller's memory may change after the call
			f = reopen(t, c, s, f, true)
			d = must[*Object](t)(f.Root().Resolve("d"))
			// A partial overwrite of a chunk that is only in the store.
			check(t, d.WriteVar(span(34, 1), [][]byte{[]byte("last")}))
			want[34] = []byte("last")
			f = reopen(t, c, s, f, false)
			d = must[*Object](t)(f.Root().Resolve("d"))
			got := must[[][]byte](t)(d.ReadVar(all))
			for j := range want {
				if (got[j] == nil) != (want[j] == nil) || !bytes.Equal(got[j], want[j]) {
					t.Errorf("element %d: %q (nil %v), want %q (nil %v)", j, got[j], got[j] == nil, want[j], want[j] == nil)
				}
			}
			check(t, f.Close())
		})
	}
}

// A cache far smaller than the data forces partly written chunks out
// (uploaded dirty) and back in (read back for the next write).
func TestSmallCacheEviction(t *testing.T) {
	s := testSettings(t, srv)
	s.CacheBytes = 1 << 20
	s.Parallel = 3
	c := newTestConnector(t)
	f := must[*File](t)(c.CreateFile(s, "evict.h5", CreateExclusive, nil))
	// 64 chunks of 128 KiB; each written in two halves, far apart in time.
	const rows, cols = 256, 4096
	d := must[*Object](t)(f.Root().CreateDataset("d", false, DatasetSpec{Type: formats.Dtype{Class: formats.ClassInteger, Size: 1},
		Space:  domain.Space{Class: "simple", Dims: []uint64{rows, cols}},
		Layout: domain.Layout{Class: "chunked", Chunks: []uint64{32, 512}, StoredChunks: []uint64{32, 512}}}))
	m := newModel(rows*cols, 1, nil)
	rng := rand.New(rand.NewPCG(3, 4))
	for half := uint64(0); half < 2; half++ {
		for r := uint64(0); r < rows; r += 32 {
			runs := slab([]uint64{rows, cols}, []uint64{r + half*16, 0}, []uint64{16, cols})
			src := randBytes(rng, int(runsLen(runs)))
			check(t, d.Write(runs, src))
			m.write(runs, src)
			if f.io.bytes > s.CacheBytes+128<<10 {
				t.Fatalf("cache holds %d bytes, bound %d", f.io.bytes, s.CacheBytes)
			}
		}
	}
	if got := readAll(t, d, span(0, rows*cols), 1); !bytes.Equal(got, m.data) {
		t.Fatal("data differs before close")
	}
	f = reopen(t, c, s, f, false)
	d = must[*Object](t)(f.Root().Resolve("d"))
	if got := readAll(t, d, span(0, rows*cols), 1); !bytes.Equal(got, m.data) {
		t.Fatal("data differs after reopen")
	}
	check(t, f.Close())
}

// Write must not keep the caller's buffer.
func TestWriteCopiesCallerMemory(t *testing.T) {
	s := testSettings(t, srv)
	c := newTestConnector(t)
	f := must[*File](t)(c.CreateFile(s, "copy.h5", CreateExclusive, nil))
	d := smallDataset(t, f.Root(), "d", 1<<16, 1<<14)
	src := bytes.Repeat([]byte{1}, 8<<16)
	check(t, d.Write(span(0, 1<<16), src))
	clear(src) // while uploads may still run
	f = reopen(t, c, s, f, false)
	d = must[*Object](t)(f.Root().Resolve("d"))
	if got := readAll(t, d, span(0, 1<<16), 8); !bytes.Equal(got, bytes.Repeat([]byte{1}, 8<<16)) {
		t.Fatal("the store got the caller's later bytes")
	}
	check(t, f.Close())
}

// StorageSize answers what native HDF5's H5Dget_storage_size would, in
// the program's chunks rather than the stored ones.
func TestStorageSize(t *testing.T) {
	s := testSettings(t, srv)
	c := newTestConnector(t)
	f := must[*File](t)(c.CreateFile(s, "storagesize.h5", CreateExclusive, nil))
	i32 := formats.Dtype{Class: formats.ClassInteger, Size: 4, Order: formats.LittleEndian, Signed: true}
	vstr := formats.Dtype{Class: formats.ClassString, Variable: true, Charset: formats.CharsetUTF8}
	simple := func(dims ...uint64) domain.Space { return domain.Space{Class: "simple", Dims: dims} }
	chunked := func(requested, stored []uint64) domain.Layout {
		return domain.Layout{Class: "chunked", Chunks: requested, StoredChunks: stored}
	}
	grid2 := chunked([]uint64{5, 4}, []uint64{10, 8}) // 2x2 requested chunks per stored one
	tests := []struct {
		name   string
		spec   DatasetSpec
		before uint64 // nothing written
		writes []Run
		after  uint64
	}{
		{name: "contiguous: all once written", spec: DatasetSpec{Type: i32, Space: simple(10)},
			before: 0, writes: span(3, 1), after: 40},
		{name: "contiguous, early allocation", spec: DatasetSpec{Type: i32, Space: simple(10),
			Layout: domain.Layout{Class: "contiguous", EarlyAlloc: true}}, before: 40, writes: span(0, 1), after: 40},
		{name: "compact: always allocated", spec: DatasetSpec{Type: i32, Space: simple(10),
			Layout: domain.Layout{Class: "compact"}}, before: 40, after: 40},
		{name: "scalar", spec: DatasetSpec{Type: float64LE, Space: domain.Space{Class: "scalar"}},
			before: 0, writes: span(0, 1), after: 8},
		{name: "null", spec: DatasetSpec{Type: float64LE, Space: domain.Space{Class: "null"}}, before: 0, after: 0},
		{name: "variable-length contiguous: 16 bytes an element", spec: DatasetSpec{Type: vstr, Space: simple(10)},
			before: 0, writes: span(0, 1), after: 160},
		{name: "chunked: one element in a stored chunk of two requested", spec: DatasetSpec{Type: i32, Space: simple(10),
			Layout: chunked([]uint64{4}, []uint64{8})}, before: 0, writes: span(0, 1), after: 2 * 16},
		{name: "chunked: edge stored chunk holds one requested chunk", spec: DatasetSpec{Type: i32, Space: simple(10),
			Layout: chunked([]uint64{4}, []uint64{8})}, writes: span(9, 1), after: 16},
		{name: "chunked 2-D: every requested chunk, edges whole", spec: DatasetSpec{Type: i32, Space: simple(12, 10),
			Layout: grid2}, writes: span(0, 120), after: 3 * 3 * 5 * 4 * 4},
		{name: "chunked 2-D: one corner", spec: DatasetSpec{Type: i32, Space: simple(12, 10),
			Layout: grid2}, writes: span(119, 1), after: 5 * 4 * 4},
		{name: "chunked, early allocation", spec: DatasetSpec{Type: i32, Space: simple(12, 10),
			Layout: domain.Layout{Class: "chunked", Chunks: []uint64{5, 4}, StoredChunks: []uint64{10, 8}, EarlyAlloc: true}},
			before: 3 * 3 * 5 * 4 * 4, writes: span(0, 1), after: 3 * 3 * 5 * 4 * 4},
		{name: "variable-length chunked", spec: DatasetSpec{Type: vstr, Space: simple(10),
			Layout: chunked([]uint64{4}, []uint64{4})}, writes: span(5, 1), after: 4 * 16},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := must[*Object](t)(f.Root().CreateDataset(fmt.Sprint("d", i), false, tt.spec))
			if got := must[uint64](t)(d.StorageSize()); got != tt.before {
				t.Errorf("before any write: %d, want %d", got, tt.before)
			}
			if n := runsLen(tt.writes); n > 0 {
				if tt.spec.Type.IsVariable() {
					check(t, d.WriteVar(tt.writes, make([][]byte, n)))
				} else {
					check(t, d.Write(tt.writes, make([]byte, int(n)*tt.spec.Type.Size)))
				}
			}
			if got := must[uint64](t)(d.StorageSize()); got != tt.after {
				t.Errorf("after writing %v: %d, want %d", tt.writes, got, tt.after)
			}
		})
	}

	// Filtered: the bytes of the chunk objects (compressed together, so
	// not native's figure).
	d := must[*Object](t)(f.Root().CreateDataset("deflated", false, DatasetSpec{Type: i32, Space: simple(1000),
		Layout: domain.Layout{Class: "chunked", Chunks: []uint64{100}, StoredChunks: []uint64{500},
			Filters: []domain.Filter{{ID: 1, Params: []uint32{6}}}, EarlyAlloc: true}}))
	if got := must[uint64](t)(d.StorageSize()); got != 0 {
		t.Errorf("filtered, nothing written: %d", got)
	}
	check(t, d.Write(span(0, 1000), make([]byte, 4000)))
	size, stored := must[uint64](t)(d.StorageSize()), must[uint64](t)(d.BytesStored())
	if size == 0 || size != stored || size >= 4000 {
		t.Errorf("filtered: StorageSize %d, BytesStored %d (want equal, compressed)", size, stored)
	}

	// A shrink frees the requested chunks wholly outside the extent.
	d = must[*Object](t)(f.Root().CreateDataset("shrinking", false, DatasetSpec{Type: i32,
		Space:  domain.Space{Class: "simple", Dims: []uint64{10}, MaxDims: []uint64{domain.Unlimited}},
		Layout: chunked([]uint64{4}, []uint64{8})}))
	check(t, d.Write(span(0, 10), make([]byte, 40)))
	for _, step := range []struct {
		dims uint64
		want uint64
	}{{10, 48}, {3, 16}, {0, 0}} {
		check(t, d.SetExtent([]uint64{step.dims}))
		if got := must[uint64](t)(d.StorageSize()); got != step.want {
			t.Errorf("extent %d: %d, want %d", step.dims, got, step.want)
		}
	}
	check(t, f.Close())
}

// A filtered variable-length chunk decodes to whatever size it has, within
// the bound, and a corrupt one is refused.
func TestDecodeVarFilters(t *testing.T) {
	deflate := []domain.Filter{{ID: 1, Params: []uint32{6}}}
	enc, err := encodeVar([][]byte{[]byte("alpha"), nil, []byte(strings.Repeat("x", 1000))})
	check(t, err)
	stored, err := filter.Encode(deflate, 1, enc)
	check(t, err)
	got, err := decodeFilters(deflate, 1, stored, -1)
	if err != nil || !bytes.Equal(got, enc) {
		t.Fatalf("decodeFilters: %v", err)
	}
	bad := slices.Clone(stored)
	bad[len(bad)/2] ^= 0xff
	if _, err := decodeFilters(deflate, 1, bad, -1); !errors.Is(err, filter.ErrCorrupt) {
		t.Errorf("corrupt chunk: %v, want filter.ErrCorrupt", err)
	}
}

func TestVarCodec(t *testing.T) {
	vals := [][]byte{nil, {}, []byte("a"), []byte("hello"), nil}
	enc, err := encodeVar(vals)
	check(t, err)
	got, err := decodeVar(enc, uint64(len(vals)))
	check(t, err)
	for i := range vals {
		if (got[i] == nil) != (vals[i] == nil) || !bytes.Equal(got[i], vals[i]) {
			t.Errorf("element %d: %q, want %q", i, got[i], vals[i])
		}
	}
	for _, bad := range [][]byte{enc[:len(enc)-1], append(slices.Clone(enc), 0), {1, 0, 0}} {
		if _, err := decodeVar(bad, uint64(len(vals))); err == nil {
			t.Errorf("decodeVar(%v) accepted", bad)
		}
	}
}

func FuzzDecodeVar(f *testing.F) {
	enc, _ := encodeVar([][]byte{nil, []byte("x"), {}})
	f.Add(enc, uint64(3))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff}, uint64(1))
	f.Add([]byte{5, 0, 0, 0, 1}, uint64(1))
	f.Fuzz(func(t *testing.T, data []byte, n uint64) {
		vals, err := decodeVar(data, n)
		if err != nil {
			return
		}
		again, err := encodeVar(vals)
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("decoded %q does not encode back to its input", vals)
		}
	})
}

// FuzzParseObject feeds documents as the store could return them.
func FuzzParseObject(f *testing.F) {
	f.Add("group", []byte(`{"id":1,"kind":"group","refcount":1,"links":[{"name":"a","kind":"hard","target":2,"target_kind":"dataset"}]}`))
	f.Add("dataset", []byte(`{"id":1,"kind":"dataset","refcount":1,"type":{"class":"float","size":8},"space":{"class":"simple","dims":[10]},"layout":{"class":"chunked","stored_chunks":[4]}}`))
	f.Add("datatype", []byte(`{"id":1,"kind":"datatype","type":{"class":"integer","size":4}}`))
	f.Add("group", []byte(`{"id":1,"kind":"group","refcount":1,"attributes":[{"name":"a","type":{"class":"integer","size":2},"type_ref":1,"space":{"class":"scalar"},"order":0,"utf8":true}],"links":[]}`))
	f.Add("dataset", []byte(`{"id":1,"kind":"dataset","type":{"class":"integer","size":4},"space":{"class":"simple","dims":[10]},"layout":{"class":"chunked","chunks":[0],"stored_chunks":[8],"early_alloc":true}}`))
	f.Add("dataset", []byte(`{"id":1,"kind":"dataset","type":{"class":"float","size":8},"space":{"class":"simple","dims":[18446744073709551615,3]},"layout":{"stored_chunks":[1,1]}}`))
	f.Fuzz(func(t *testing.T, kind string, data []byte) {
		file := &File{c: NewConnector(), settings: Settings{}.withDefaults(), objects: map[uint64]*Object{}}
		o, err := parseObject(file, domain.Kind(kind), 1, data)
		if err != nil {
			return
		}
		if o.Kind() == domain.KindDataset {
			// An accepted dataset must have a usable grid.
			ds := o.ds
			if !ds.null && ds.grid.Validate() != nil {
				t.Fatalf("accepted a dataset with a bad grid: %+v", o.dset)
			}
			// The storage size arithmetic must survive any accepted document.
			if !ds.null {
				elem, requested := ds.allocUnit()
				_ = allocatedBytes(ds.grid.Dims, requested, elem)
				if requested != nil {
					_ = requestedChunksIn(ds.grid, make([]uint64, len(requested)), requested)
				}
			}
		}
		_ = o.Info()
		_ = o.Attrs(LinkOrder{ByCreation: true})
	})
}

func listOpts(prefix string) client.ListOptions { return client.ListOptions{Prefix: prefix} }
