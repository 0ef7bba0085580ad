package volfile_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/formats/volfile"
	"github.com/sciswift/sciswift/vol"
)

var containerSeq atomic.Int64

func newContainer(t testing.TB) string {
	return fmt.Sprintf("volfile-%s-%d", strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")), containerSeq.Add(1))
}

var (
	f64     = formats.Dtype{Class: formats.ClassFloat, Size: 8, Order: formats.LittleEndian}
	f32     = formats.Dtype{Class: formats.ClassFloat, Size: 4, Order: formats.LittleEndian}
	i16     = formats.Dtype{Class: formats.ClassInteger, Size: 2, Order: formats.LittleEndian, Signed: true}
	i32     = formats.Dtype{Class: formats.ClassInteger, Size: 4, Order: formats.LittleEndian, Signed: true}
	i32be   = formats.Dtype{Class: formats.ClassInteger, Size: 4, Order: formats.BigEndian, Signed: true}
	vstr    = formats.Dtype{Class: formats.ClassString, Variable: true, Charset: formats.CharsetUTF8, Padding: formats.PadNullTerm}
	fstr    = formats.Dtype{Class: formats.ClassString, Size: 6, Charset: formats.CharsetASCII, Padding: formats.PadNullPad}
	vlenI32 = formats.Dtype{Class: formats.ClassVlen, Base: &i32}
	pair    = formats.Dtype{Class: formats.ClassCompound, Size: 16, Members: []formats.Member{
		{Name: "x", Offset: 0, Type: &i32}, {Name: "y", Offset: 8, Type: &f64}}}
)

func simple(dims ...uint64) domain.Space { return domain.Space{Class: "simple", Dims: dims} }

func chunked(chunk, stored []uint64, filters ...domain.Filter) domain.Layout {
	return domain.Layout{Class: "chunked", Chunks: chunk, StoredChunks: stored, Filters: filters}
}

func span(off, n uint64) []vol.Run { return []vol.Run{{Offset: off, Count: n}} }

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func str(s string) *string { return &s }

// writeFixture writes a file with every kind of dataset, attribute and
// link the connector makes, and returns the dataset and group paths the
// tree must show.
func writeFixture(t *testing.T, container, name string) (datasets, groups []string) {
	c := vol.NewConnector()
	defer c.Close()
	f := must[*vol.File](t)(c.CreateFile(settings(t, container), name, vol.CreateTruncate, nil))
	root := f.Root()
	rng := rand.New(rand.NewPCG(1, 2))
	create := func(path string, spec vol.DatasetSpec) *vol.Object {
		t.Helper()
		return must[*vol.Object](t)(root.CreateDataset(path, true, spec))
	}

	// Chunked with edge chunks on both dimensions, some chunks never written.
	a := create("/grid/a", vol.DatasetSpec{Type: f64, Space: simple(37, 23), Layout: chunked([]uint64{8, 5}, []uint64{8, 5})})
	check(t, a.Write(span(0, 20*23), randBytes(rng, 20*23*8)))
	// Chunked, stored shape chosen by the connector's policy.
	p := create("/grid/policy", vol.DatasetSpec{Type: i16, Space: simple(1500, 1100), Layout: chunked([]uint64{100, 100}, nil)})
	check(t, p.Write(span(0, 1500*1100), randBytes(rng, 1500*1100*2)))
	// Contiguous: synthetic stored chunks (two of them, over 4 MiB).
	cg := create("/contig", vol.DatasetSpec{Type: f64, Space: simple(1030, 520), Layout: domain.Layout{Class: "contiguous"}})
	check(t, cg.Write(span(0, 1030*520), randBytes(rng, 1030*520*8)))
	// Shuffle, deflate and fletcher32.
	shuffled := create("/filtered", vol.DatasetSpec{Type: i32, Space: simple(50, 40), Layout: chunked([]uint64{16, 16}, []uint64{16, 16},
		domain.Filter{ID: 2, Name: "shuffle"}, domain.Filter{ID: 1, Name: "deflate", Params: []uint32{6}}, domain.Filter{ID: 3, Name: "fletcher32"})})
	vals := make([]byte, 50*40*4)
	for i := range 50 * 40 {
		binary.LittleEndian.PutUint32(vals[4*i:], uint32(i*i%1000))
	}
	check(t, shuffled.Write(span(0, 50*40), vals))
	// Compound, of a committed type.
	pt := must[*vol.Object](t)(root.CommitType("/types/pair", true, pair, nil))
	tbl := create("/table", vol.DatasetSpec{Type: pair, TypeRef: pt, Space: simple(25), Layout: chunked([]uint64{10}, []uint64{10})})
	check(t, tbl.Write(span(0, 25), randBytes(rng, 25*16)))
	// Variable-length strings, deflated, NULLs and a chunk never written.
	s := create("/strings", vol.DatasetSpec{Type: vstr, Space: simple(10), Layout: chunked([]uint64{4}, []uint64{4}, domain.Filter{ID: 1, Params: []uint32{4}})})
	check(t, s.WriteVar(span(0, 7), [][]byte{[]byte("alpha"), nil, {}, []byte("δέλτα"), []byte(strings.Repeat("e", 300)), []byte("f"), nil}))
	// Variable-length sequences.
	seq := create("/seqs", vol.DatasetSpec{Type: vlenI32, Space: simple(6), Layout: chunked([]uint64{3}, []uint64{3})})
	var seqs [][]byte
	for i := range 6 {
		seqs = append(seqs, randBytes(rng, 4*i))
	}
	check(t, seq.WriteVar(span(0, 6), seqs))
	// Big-endian with a fill value, partly written.
	fill := binary.BigEndian.AppendUint32(nil, uint32(0xfffffffe))
	fl := create("/filled", vol.DatasetSpec{Type: i32be, Space: simple(30), Layout: chunked([]uint64{7}, []uint64{7}), Fill: fill})
	check(t, fl.Write(span(7, 7), randBytes(rng, 7*4)))
	check(t, fl.Write(span(20, 2), randBytes(rng, 2*4)))
	// Unlimited, extended after a first write.
	g := create("/grow", vol.DatasetSpec{Type: f32, Space: domain.Space{Class: "simple", Dims: []uint64{5, 4}, MaxDims: []uint64{domain.Unlimited, 4}},
		Layout: chunked([]uint64{2, 4}, []uint64{2, 4})})
	check(t, g.Write(span(0, 20), randBytes(rng, 80)))
	check(t, g.SetExtent([]uint64{11, 4}))
	check(t, g.Write(span(28, 8), randBytes(rng, 32)))
	// Nested groups made on the way, scalar, null, fixed-length strings.
	d := create("/a/b/c/d", vol.DatasetSpec{Type: f64, Space: simple(3), Layout: domain.Layout{Class: "contiguous"}})
	check(t, d.Write(span(0, 3), randBytes(rng, 24)))
	sc := create("/scalar", vol.DatasetSpec{Type: f64, Space: domain.Space{Class: "scalar"}, Layout: domain.Layout{Class: "contiguous"}})
	check(t, sc.Write(span(0, 1), binary.LittleEndian.AppendUint64(nil, math.Float64bits(math.Pi))))
	create("/null", vol.DatasetSpec{Type: f64, Space: domain.Space{Class: "null"}, Layout: domain.Layout{Class: "contiguous"}})
	fs := create("/fixedstr", vol.DatasetSpec{Type: fstr, Space: simple(4), Layout: domain.Layout{Class: "contiguous"}})
	check(t, fs.Write(span(0, 4), []byte("one\x00\x00\x00two\x00\x00\x00threeXfour\x00\x00")))

	// Links: hard, soft (absolute, relative, to a group, dangling),
	// external, and a hard link that makes a cycle.
	check(t, root.CreateHardLink("/alias", a, false))
	check(t, root.CreateSoftLink("/soft", "/grid/a", false))
	check(t, root.CreateSoftLink("/a/rel", "b/c/d", false))
	check(t, root.CreateSoftLink("/gsoft", "/a/b", false))
	check(t, root.CreateSoftLink("/dangling", "/nowhere", false))
	check(t, root.CreateExternalLink("/ext", "other.h5", "/x", false))
	groupA := must[*vol.Object](t)(root.Resolve("/a"))
	check(t, root.CreateHardLink("/a/b/up", groupA, false))

	// Attributes of every kind of value.
	attr := func(o *vol.Object, name string, spec vol.AttrSpec) *vol.Attr {
		t.Helper()
		return must[*vol.Attr](t)(o.CreateAttrWith(name, spec))
	}
	check(t, attr(root, "title", vol.AttrSpec{Type: vstr, Space: domain.Space{Class: "scalar"}}).WriteStrings([]*string{str("run 1")}))
	check(t, attr(root, "version", vol.AttrSpec{Type: i32, Space: domain.Space{Class: "scalar"}}).Write(binary.LittleEndian.AppendUint32(nil, 3)))
	scale := binary.LittleEndian.AppendUint64(nil, math.Float64bits(1.5))
	scale = binary.LittleEndian.AppendUint64(scale, math.Float64bits(-2))
	scale = binary.LittleEndian.AppendUint64(scale, math.Float64bits(1e300))
	check(t, attr(a, "scale", vol.AttrSpec{Type: f64, Space: simple(3)}).Write(scale))
	check(t, attr(a, "names", vol.AttrSpec{Type: vstr, Space: simple(3)}).WriteStrings([]*string{str("u"), nil, str("w")}))
	attr(a, "never", vol.AttrSpec{Type: i16, Space: simple(2)})
	check(t, attr(tbl, "first", vol.AttrSpec{Type: pair, TypeRef: pt, Space: domain.Space{Class: "scalar"}}).Write(randBytes(rng, 16)[:16]))
	check(t, attr(fl, "big", vol.AttrSpec{Type: i32be, Space: simple(2)}).Write([]byte{0, 0, 1, 0, 0xff, 0xff, 0xff, 0xfe}))
	check(t, f.Close())

	datasets = []string{"/a/b/c/d", "/a/rel", "/alias", "/contig", "/filled", "/filtered", "/fixedstr", "/grid/a", "/grid/policy",
		"/grow", "/gsoft/c/d", "/gsoft/up/rel", "/null", "/scalar", "/seqs", "/soft", "/strings", "/table"}
	groups = []string{"/", "/a", "/a/b", "/a/b/c", "/grid", "/gsoft", "/gsoft/c", "/gsoft/up", "/types"}
	return datasets, groups
}

// walkTree lists the tree's dataset and group paths.
func walkTree(g *formats.Group, ds, gs *[]string, byPath map[string]*formats.Group) {
	*gs = append(*gs, g.Path)
	byPath[g.Path] = g
	for _, d := range g.Datasets {
		*ds = append(*ds, d.Path)
	}
	for _, sub := range g.Groups {
		walkTree(sub, ds, gs, byPath)
	}
}

func TestFileWrittenByVOL(t *testing.T) {
	container := newContainer(t)
	const name = "run1.h5"
	wantDatasets, wantGroups := writeFixture(t, container, name)
	store := newSwiftStore(t, container)
	ctx := context.Background()
	f := must[*volfile.File](t)(volfile.Open(ctx, store, name))
	var _ formats.File = f
	t.Logf("open: %d GETs, %d bytes", store.gets.Load(), store.bytes.Load())

	tree := f.Tree()
	if tree.Format != "hdf5-vol" || volfile.Format != domain.FormatName {
		t.Errorf("format %q", tree.Format)
	}
	var gotDatasets, gotGroups []string
	groups := map[string]*formats.Group{}
	walkTree(tree.Root, &gotDatasets, &gotGroups, groups)
	sort.Strings(gotDatasets)
	sort.Strings(gotGroups)
	if !slices.Equal(gotDatasets, wantDatasets) {
		t.Errorf("datasets\n got %q\nwant %q", gotDatasets, wantDatasets)
	}
	if !slices.Equal(gotGroups, wantGroups) {
		t.Errorf("groups\n got %q\nwant %q", gotGroups, wantGroups)
	}

	// Everything compared with what vol reads back from the same file.
	c := vol.NewConnector()
	defer c.Close()
	vf := must[*vol.File](t)(c.OpenFile(settings(t, container), name, false))
	defer vf.Close()
	vroot := vf.Root()
	compareAttrs(t, "/", groups["/"].Attributes, vroot)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, path := range wantDatasets {
		t.Run(strings.TrimPrefix(path, "/"), func(t *testing.T) {
			m, ok := f.Dataset(path)
			if !ok {
				t.Fatalf("no dataset %s", path)
			}
			o := must[*vol.Object](t)(vroot.Resolve(path))
			doc := o.Dataset()
			compareDataset(t, m, doc)
			compareAttrs(t, path, m.Attributes, o)
			if doc.Space.Class == "null" {
				arr := must[*formats.Array](t)(f.Read(ctx, path, nil))
				if arr.Len() != 0 || arr.Check() != nil {
					t.Errorf("null dataset read as %+v", arr)
				}
				return
			}
			want := readAllVOL(t, o, m)
			compareRead(t, f, path, nil, m, want)
			for range 12 {
				compareRead(t, f, path, randomSelection(rng, m.Shape), m, want)
			}
		})
	}
}

func compareDataset(t *testing.T, m *formats.Dataset, doc domain.Dataset) {
	t.Helper()
	if !reflect.DeepEqual(m.Type, doc.Type) {
		t.Errorf("type %+v, vol says %+v", m.Type, doc.Type)
	}
	wantShape := doc.Space.Dims
	switch doc.Space.Class {
	case "scalar":
		wantShape = []uint64{}
	case "null":
		wantShape = []uint64{0}
	}
	if !slices.Equal(m.Shape, wantShape) || m.Shape == nil {
		t.Errorf("shape %v, vol says %v (%s)", m.Shape, doc.Space.Dims, doc.Space.Class)
	}
	var wantChunks []uint64
	if doc.Layout.Class == "chunked" {
		wantChunks = doc.Layout.Chunks
	}
	if !slices.Equal(m.Chunks, wantChunks) {
		t.Errorf("chunks %v, vol says %v (%s)", m.Chunks, wantChunks, doc.Layout.Class)
	}
	var wantFilters []string
	for _, f := range doc.Layout.Filters {
		wantFilters = append(wantFilters, map[int]string{1: "deflate", 2: "shuffle", 3: "fletcher32"}[f.ID])
	}
	if !slices.Equal(m.Filters, wantFilters) {
		t.Errorf("filters %v, vol says %v", m.Filters, wantFilters)
	}
}

// compareAttrs checks every attribute's description and value against
// what vol reads, decoded here independently of package encode.
func compareAttrs(t *testing.T, path string, got []formats.Attribute, o *vol.Object) {
	t.Helper()
	attrs := o.Attrs(vol.LinkOrder{})
	if len(got) != len(attrs) {
		t.Fatalf("%s: %d attributes, vol has %d", path, len(got), len(attrs))
	}
	for _, va := range attrs {
		meta := va.Meta()
		i := slices.IndexFunc(got, func(a formats.Attribute) bool { return a.Name == meta.Name })
		if i < 0 {
			t.Errorf("%s: no attribute %q", path, meta.Name)
			continue
		}
		a := got[i]
		if !reflect.DeepEqual(a.Type, meta.Type) {
			t.Errorf("%s@%s: type %+v, vol says %+v", path, a.Name, a.Type, meta.Type)
		}
		n := uint64(1)
		if meta.Space.Class == "simple" {
			if !slices.Equal(a.Shape, meta.Space.Dims) {
				t.Errorf("%s@%s: shape %v, vol says %v", path, a.Name, a.Shape, meta.Space.Dims)
			}
			n = meta.Space.Dims[0]
		}
		var want []any
		if meta.Type.IsVariable() {
			for _, s := range va.ReadStrings() {
				if s == nil {
					want = append(want, nil)
				} else {
					want = append(want, *s)
				}
			}
		} else {
			b := va.Read()
			if b == nil {
				b = make([]byte, int(n)*meta.Type.Size)
			}
			for k := range int(n) {
				want = append(want, decodeValue(meta.Type, b[k*meta.Type.Size:(k+1)*meta.Type.Size]))
			}
		}
		var wantValue any = want
		if meta.Space.Class == "scalar" {
			wantValue = want[0]
		}
		gotJSON := must[[]byte](t)(json.Marshal(a.Value))
		wantJSON := must[[]byte](t)(json.Marshal(wantValue))
		if !bytes.Equal(gotJSON, wantJSON) {
			t.Errorf("%s@%s: value %s, vol reads %s", path, a.Name, gotJSON, wantJSON)
		}
	}
}

// decodeValue decodes the few fixed-size types the fixture uses.
func decodeValue(t formats.Dtype, b []byte) any {
	var order binary.ByteOrder = binary.LittleEndian
	if t.Order == formats.BigEndian {
		order = binary.BigEndian
	}
	switch {
	case t.Class == formats.ClassFloat && t.Size == 8:
		return math.Float64frombits(order.Uint64(b))
	case t.Class == formats.ClassInteger && t.Size == 4:
		return int32(order.Uint32(b))
	case t.Class == formats.ClassInteger && t.Size == 2:
		return int16(order.Uint16(b))
	case t.Class == formats.ClassCompound:
		m := map[string]any{}
		for _, mem := range t.Members {
			m[mem.Name] = decodeValue(*mem.Type, b[mem.Offset:mem.Offset+mem.Type.Size])
		}
		return m
	}
	panic(fmt.Sprintf("decodeValue: %+v", t))
}

// allElems is a whole dataset as vol reads it: fixed-size bytes or
// variable-length elements.
type allElems struct {
	data []byte
	vals [][]byte
}

func readAllVOL(t *testing.T, o *vol.Object, m *formats.Dataset) allElems {
	t.Helper()
	n, _ := formats.Elements(m.Shape)
	if m.Type.IsVariable() {
		return allElems{vals: must[[][]byte](t)(o.ReadVar(span(0, n)))}
	}
	data := make([]byte, int(n)*m.Type.Size)
	check(t, o.Read(span(0, n), data))
	return allElems{data: data}
}

// randomSelection picks per dimension an index or a start:stop:step range.
func randomSelection(rng *rand.Rand, shape []uint64) formats.Selection {
	sel := make(formats.Selection, len(shape))
	for i, n := range shape {
		switch k := rng.IntN(5); {
		case k == 0:
			sel[i] = formats.Range{Start: rng.Uint64N(n), Index: true}
			sel[i].Stop, sel[i].Step = sel[i].Start+1, 1
		case k == 1:
			sel[i] = formats.Range{Start: 0, Stop: n, Step: 1}
		default:
			a, b := rng.Uint64N(n+1), rng.Uint64N(n+1)
			if a > b {
				a, b = b, a
			}
			sel[i] = formats.Range{Start: a, Stop: b, Step: 1 + rng.Uint64N(4)}
		}
	}
	return sel
}

// slice is the reference: the selected elements' flat indices in C order.
func slice(shape []uint64, sel formats.Selection) (idx []uint64, outShape []uint64) {
	if len(sel) == 0 {
		sel = make(formats.Selection, len(shape))
		for i, n := range shape {
			sel[i] = formats.Range{Start: 0, Stop: n, Step: 1}
		}
	}
	for _, r := range sel {
		if !r.Index {
			n := uint64(0)
			for x := r.Start; x < r.Stop; x += r.Step {
				n++
			}
			outShape = append(outShape, n)
		}
	}
	var rec func(dim int, flat uint64)
	rec = func(dim int, flat uint64) {
		if dim == len(shape) {
			idx = append(idx, flat)
			return
		}
		r := sel[dim]
		for x := r.Start; x < r.Stop; x += r.Step {
			rec(dim+1, flat*shape[dim]+x)
		}
	}
	rec(0, 0)
	return idx, outShape
}

func compareRead(t *testing.T, f *volfile.File, path string, sel formats.Selection, m *formats.Dataset, want allElems) {
	t.Helper()
	arr, err := f.Read(context.Background(), path, sel)
	if err != nil {
		t.Fatalf("Read %v: %v", sel, err)
	}
	if err := arr.Check(); err != nil {
		t.Fatalf("Read %v: %v", sel, err)
	}
	idx, shape := slice(m.Shape, sel)
	if shape == nil {
		shape = []uint64{}
	}
	if !slices.Equal(arr.Shape, shape) || !reflect.DeepEqual(arr.Type, m.Type) {
		t.Fatalf("Read %v: shape %v type %+v, want %v %+v", sel, arr.Shape, arr.Type, shape, m.Type)
	}
	if m.Type.IsVariable() {
		for k, i := range idx {
			g, w := arr.Strings[k], want.vals[i]
			if (g == nil) != (w == nil) || !bytes.Equal(g, w) {
				t.Fatalf("Read %v: element %d (flat %d) = %q, vol reads %q", sel, k, i, g, w)
			}
		}
		return
	}
	size := uint64(m.Type.Size)
	for k, i := range idx {
		g, w := arr.Data[uint64(k)*size:uint64(k+1)*size], want.data[i*size:(i+1)*size]
		if !bytes.Equal(g, w) {
			t.Fatalf("Read %v: element %d (flat %d) = %x, vol reads %x", sel, k, i, g, w)
		}
	}
}

// writeBig writes big.h5: /x, 2048 x 2048 float64 (32 MiB) in 8 x 8
// chunks of 256 x 256 (512 KiB each).
func writeBig(t testing.TB, container string) {
	c := vol.NewConnector()
	defer c.Close()
	vf := must[*vol.File](t)(c.CreateFile(settings(t, container), "big.h5", vol.CreateTruncate, nil))
	d := must[*vol.Object](t)(vf.Root().CreateDataset("/x", false, vol.DatasetSpec{Type: f64, Space: simple(2048, 2048),
		Layout: chunked([]uint64{256, 256}, []uint64{256, 256})}))
	rng := rand.New(rand.NewPCG(5, 6))
	check(t, d.Write(span(0, 2048*2048), randBytes(rng, 2048*2048*8)))
	check(t, vf.Close())
}

// A small slice of a big dataset reads only the chunks it touches.
func TestReadTouchesOnlyItsChunks(t *testing.T) {
	container := newContainer(t)
	writeBig(t, container)
	store := newSwiftStore(t, container)
	f := must[*volfile.File](t)(volfile.Open(context.Background(), store, "big.h5"))
	for _, tc := range []struct {
		sel    formats.Selection
		chunks int64
	}{
		{formats.Selection{{Start: 0, Stop: 10, Step: 1}, {Start: 0, Stop: 10, Step: 1}}, 1},
		{formats.Selection{{Start: 250, Stop: 260, Step: 1}, {Start: 1000, Stop: 1001, Step: 1}}, 2},
		{formats.Selection{{Start: 5, Index: true}, {Start: 0, Stop: 2048, Step: 512}}, 4},
		{formats.Selection{{Start: 0, Stop: 2048, Step: 300}, {Start: 100, Stop: 101, Step: 1}}, 7},
	} {
		gets, bytes := store.gets.Load(), store.bytes.Load()
		arr := must[*formats.Array](t)(f.Read(context.Background(), "/x", tc.sel))
		gets, bytes = store.gets.Load()-gets, store.bytes.Load()-bytes
		if gets != tc.chunks || bytes != tc.chunks*256*256*8 {
			t.Errorf("%v: %d GETs of %d bytes, want %d chunks", tc.sel, gets, bytes, tc.chunks)
		}
		t.Logf("select %v: %d elements, %d chunk GETs, %d bytes of %d stored", tc.sel, arr.Len(), gets, bytes, 2048*2048*8)
	}
}

// Broken files are refused with the error that says what is wrong.
func TestBrokenFiles(t *testing.T) {
	container := newContainer(t)
	c := vol.NewConnector()
	defer c.Close()
	vf := must[*vol.File](t)(c.CreateFile(settings(t, container), "b.h5", vol.CreateTruncate, nil))
	d := must[*vol.Object](t)(vf.Root().CreateDataset("/g/x", true, vol.DatasetSpec{Type: i32, Space: simple(10),
		Layout: chunked([]uint64{5}, []uint64{5}, domain.Filter{ID: 1, Params: []uint32{1}})}))
	check(t, d.Write(span(0, 10), make([]byte, 40)))
	dsID := d.Token()
	groupID := must[*vol.Object](t)(vf.Root().Resolve("/g")).Token()
	check(t, vf.Close())
	store := newSwiftStore(t, container)
	ctx := context.Background()
	f := must[*volfile.File](t)(volfile.Open(ctx, store, "b.h5"))

	if _, err := f.Read(ctx, "/nope", nil); !errors.Is(err, formats.ErrNotFound) {
		t.Errorf("missing dataset: %v", err)
	}
	if _, err := f.Read(ctx, "/g/x", formats.Selection{{Start: 0, Stop: 11, Step: 1}}); !errors.Is(err, formats.ErrSelection) {
		t.Errorf("selection out of range: %v", err)
	}
	if _, err := f.Read(ctx, "/g/x", formats.Selection{{Start: 0, Stop: 1, Step: 1}, {Start: 0, Stop: 1, Step: 1}}); !errors.Is(err, formats.ErrSelection) {
		t.Errorf("selection of the wrong rank: %v", err)
	}
	put := func(key, body string) {
		t.Helper()
		_, err := store.c.PutObject(ctx, container, key, strings.NewReader(body), int64(len(body)), nil)
		check(t, err)
	}
	put(domain.ChunkKey("b.h5", dsID, []uint64{1}), "not zlib")
	if _, err := f.Read(ctx, "/g/x", nil); !errors.Is(err, formats.ErrCorrupt) || !strings.Contains(err.Error(), "/d/") {
		t.Errorf("corrupt chunk: %v", err)
	}
	check(t, store.c.DeleteObject(ctx, container, domain.DocKey("b.h5", domain.KindDataset, dsID), nil))
	if _, err := volfile.Open(ctx, store, "b.h5"); !errors.Is(err, formats.ErrCorrupt) {
		t.Errorf("missing dataset document: %v", err)
	}
	put(domain.DocKey("b.h5", domain.KindGroup, groupID), `{"id":1,"kind":"group"}`)
	if _, err := volfile.Open(ctx, store, "b.h5"); !errors.Is(err, formats.ErrCorrupt) {
		t.Errorf("document under another id: %v", err)
	}
	put("b.h5", `{"format":"hdf5-vol","version":99,"root":1}`)
	if _, err := volfile.Open(ctx, store, "b.h5"); !errors.Is(err, formats.ErrUnsupported) {
		t.Errorf("newer layout: %v", err)
	}
	put("b.h5", `PAR1 not a manifest`)
	if _, err := volfile.Open(ctx, store, "b.h5"); !errors.Is(err, formats.ErrUnrecognized) {
		t.Errorf("not a manifest: %v", err)
	}
}

// BenchmarkRead: opening big.h5 (manifest and documents) and reading a
// 10 x 10 corner, a column and the whole 32 MiB dataset through the store.
func BenchmarkRead(b *testing.B) {
	container := newContainer(b)
	writeBig(b, container)
	store := newSwiftStore(b, container)
	ctx := context.Background()
	f := must[*volfile.File](b)(volfile.Open(ctx, store, "big.h5"))
	measure := func(b *testing.B, op func()) {
		gets, bytes := store.gets.Load(), store.bytes.Load()
		b.ResetTimer()
		for b.Loop() {
			op()
		}
		b.ReportMetric(float64(store.gets.Load()-gets)/float64(b.N), "GETs/op")
		b.ReportMetric(float64(store.bytes.Load()-bytes)/float64(b.N), "fetched-B/op")
	}
	b.Run("open", func(b *testing.B) {
		measure(b, func() { must[*volfile.File](b)(volfile.Open(ctx, store, "big.h5")) })
	})
	for _, tc := range []struct {
		name string
		sel  formats.Selection
	}{
		{"corner-10x10", formats.Selection{{Start: 0, Stop: 10, Step: 1}, {Start: 0, Stop: 10, Step: 1}}},
		{"column", formats.Selection{{Start: 0, Stop: 2048, Step: 1}, {Start: 7, Index: true}}},
		{"whole", nil},
	} {
		b.Run(tc.name, func(b *testing.B) {
			measure(b, func() { must[*formats.Array](b)(f.Read(ctx, "/x", tc.sel)) })
		})
	}
}
