package vol

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/chunks"
	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/formats/encode"
)

// A described attribute turned into a document and written back out by
// the dataset API's own JSON encoder must say what the description said.
func TestUploadedAttributesRoundTrip(t *testing.T) {
	i8 := formats.Dtype{Class: formats.ClassInteger, Size: 1, Signed: true}
	u64be := formats.Dtype{Class: formats.ClassInteger, Size: 8, Order: formats.BigEndian}
	i32be := formats.Dtype{Class: formats.ClassInteger, Size: 4, Order: formats.BigEndian, Signed: true}
	f16 := formats.Dtype{Class: formats.ClassFloat, Size: 2, Order: formats.LittleEndian}
	f32 := formats.Dtype{Class: formats.ClassFloat, Size: 4, Order: formats.LittleEndian}
	f64 := formats.Dtype{Class: formats.ClassFloat, Size: 8, Order: formats.LittleEndian}
	boolT := formats.Dtype{Class: formats.ClassEnum, Size: 1, Base: &i8, Members: []formats.Member{{Name: "FALSE", Value: 0}, {Name: "TRUE", Value: 1}}}
	complexT := formats.Dtype{Class: formats.ClassCompound, Size: 16, Members: []formats.Member{{Name: "r", Offset: 0, Type: &f64}, {Name: "i", Offset: 8, Type: &f64}}}
	fixed := formats.Dtype{Class: formats.ClassString, Size: 8, Charset: formats.CharsetASCII, Padding: formats.PadNullPad}
	arr := formats.Dtype{Class: formats.ClassArray, Size: 12, Base: &i32be, Dims: []int{3}}
	attrs := []formats.Attribute{
		{Name: "naxis", Type: formats.Dtype{Class: formats.ClassInteger, Size: 8, Order: formats.LittleEndian, Signed: true}, Value: int64(-9007199254740993)},
		{Name: "big", Type: u64be, Value: uint64(math.MaxUint64 - 1)},
		{Name: "half", Type: f16, Value: -0.75},
		{Name: "bscale", Type: f32, Shape: []uint64{3}, Value: []float64{1.5, -2.25, 1e-3}},
		{Name: "simple", Type: boolT, Value: true},
		{Name: "cplx", Type: complexT, Value: map[string]float64{"r": 1.25, "i": -3}},
		{Name: "tag", Type: fixed, Value: "abc"},
		{Name: "grid", Type: i8, Shape: []uint64{2, 2}, Value: [][]int{{-1, 2}, {3, -128}}},
		{Name: "triple", Type: arr, Value: []int{7, -8, 9}},
		{Name: "object", Type: utf8VarString(), Value: "M31"},
		{Name: "history", Type: utf8VarString(), Shape: []uint64{2}, Value: []string{"made by a test", "ünïcode"}},
	}
	tree := describedTree(t, &formats.Tree{Format: "fits", Root: &formats.Group{Path: "/", Attributes: attrs}})
	f := &File{objects: map[uint64]*Object{}, name: "c/x.fits"}
	f.uploaded = &uploadedFile{format: tree.Format, paths: map[uint64]string{}}
	root := (&treeBuilder{f: f, next: 1}).group(tree.Root)
	got := root.hdr().Attributes
	if len(got) != len(attrs) {
		t.Fatalf("%d attributes, want %d", len(got), len(attrs))
	}
	for i, a := range attrs {
		d := got[i]
		if d.Name != a.Name || d.Order != int64(i) {
			t.Errorf("attribute %d: %q order %d", i, d.Name, d.Order)
		}
		want, err := json.Marshal(a.Value)
		if err != nil {
			t.Fatal(err)
		}
		if back := encodedJSON(t, d); !sameJSON(t, back, want) {
			t.Errorf("attribute %q: documents hold %s, the description said %s", a.Name, back, want)
		}
	}
}

// An attribute whose value does not fit its type is kept as its JSON text.
func TestUploadedAttributeFallback(t *testing.T) {
	i16 := formats.Dtype{Class: formats.ClassInteger, Size: 2, Order: formats.LittleEndian, Signed: true}
	a := attributeDoc(formats.Attribute{Name: "odd", Type: i16, Value: json.Number("1.5")})
	if a.Type.Class != formats.ClassString || len(a.Strings) != 1 || *a.Strings[0] != "1.5" {
		t.Errorf("fallback = %+v", a)
	}
}

// describedTree is tree as the client gets it: through JSON.
func describedTree(t *testing.T, tree *formats.Tree) *formats.Tree {
	t.Helper()
	data, err := json.Marshal(tree)
	if err != nil {
		t.Fatal(err)
	}
	back, err := parseTree(data)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

// encodedJSON is the attribute's value written by package encode.
func encodedJSON(t *testing.T, d domain.Attribute) []byte {
	t.Helper()
	a := &formats.Array{Type: d.Type, Shape: d.Space.Dims, Data: d.Value}
	for _, s := range d.Strings {
		a.Strings = append(a.Strings, []byte(*s))
	}
	enc, err := encode.New(encode.JSON, a)
	if err != nil {
		t.Fatalf("%s: %v", d.Name, err)
	}
	var b bytes.Buffer
	if _, err := enc.WriteTo(&b); err != nil {
		t.Fatalf("%s: %v", d.Name, err)
	}
	return b.Bytes()
}

func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(a, b)
	}
	xs, _ := json.Marshal(x)
	ys, _ := json.Marshal(y)
	return bytes.Equal(xs, ys)
}

// Groups and datasets become linked documents; a described chunk shape is
// what H5Pget_chunk reports and the stored one follows the policy; names
// a link cannot have are reported, not dropped silently.
func TestUploadedTreeDocuments(t *testing.T) {
	f64be := formats.Dtype{Class: formats.ClassFloat, Size: 8, Order: formats.BigEndian}
	str := formats.Dtype{Class: formats.ClassString, Variable: true, Charset: formats.CharsetUTF8}
	tree := describedTree(t, &formats.Tree{Format: "parquet", Root: &formats.Group{Path: "/",
		Groups: []*formats.Group{{Path: "/wind", Datasets: []*formats.Dataset{
			{Path: "/wind/u", Type: f64be, Shape: []uint64{1000, 30}},
		}}},
		Datasets: []*formats.Dataset{
			{Path: "/energy", Type: f64be, Shape: []uint64{10000}, Chunks: []uint64{1000}},
			{Path: "/name", Type: str, Shape: []uint64{10000}, Chunks: []uint64{1000}},
			{Path: "/bad/", Type: f64be, Shape: []uint64{3}},
			{Path: "/empty", Type: f64be, Shape: []uint64{0}},
		},
	}})
	f := &File{objects: map[uint64]*Object{}, name: "c/x.parquet"}
	f.uploaded = &uploadedFile{format: tree.Format, paths: map[uint64]string{}}
	b := &treeBuilder{f: f, next: 1}
	root := b.group(tree.Root)
	var names []string
	for _, l := range root.group.Links {
		names = append(names, l.Name)
	}
	if !slices.Equal(names, []string{"wind", "energy", "name", "empty"}) {
		t.Errorf("root links %q", names)
	}
	wind := f.objects[root.group.Links[0].Target]
	u := f.objects[wind.group.Links[0].Target]
	if u == nil || u.kind != domain.KindDataset || f.uploaded.paths[u.id] != "/wind/u" {
		t.Fatalf("/wind/u: %+v", u)
	}
	if u.dset.Type.Order != formats.LittleEndian || u.dset.Layout.Class != "contiguous" {
		t.Errorf("/wind/u type %+v layout %+v", u.dset.Type, u.dset.Layout)
	}
	if c := u.dset.Layout.StoredChunks; !slices.Equal(c, []uint64{1000, 30}) {
		t.Errorf("/wind/u stored chunks %v, want the whole extent", c)
	}
	energy := f.objects[root.group.Links[1].Target].dset
	if !slices.Equal(energy.Layout.Chunks, []uint64{1000}) || energy.Layout.StoredChunks[0]%1000 != 0 ||
		!slices.Equal(energy.Layout.StoredChunks, chunks.StoredChunkShape("chunked", []uint64{10000}, nil, []uint64{1000}, 8)) {
		t.Errorf("/energy layout %+v", energy.Layout)
	}
	var skipped []string
	for _, a := range root.group.Attributes {
		if a.Name == "sciswift:vol_skipped" {
			for _, s := range a.Strings {
				skipped = append(skipped, *s)
			}
		}
	}
	if len(skipped) != 1 {
		t.Errorf("skipped %q, want /bad/", skipped)
	}
	if b.next != f.manifestNext(t) {
		t.Errorf("ids handed out up to %d, objects %d", b.next, len(f.objects))
	}
	if err := f.checkWritableUploaded(); !errors.Is(err, ErrReadOnly) || err.Error() != "c/x.parquet is an uploaded parquet file, read-only through sciswift: "+ErrReadOnly.Error() {
		t.Errorf("write check: %v", err)
	}
}

func (f *File) manifestNext(t *testing.T) uint64 {
	t.Helper()
	var top uint64
	for id := range f.objects {
		top = max(top, id)
	}
	return top + 1
}

func (f *File) checkWritableUploaded() error { return f.checkWritable() }

// A box cut by the extent lands at the chunk's origin, row by row.
func TestScatterBox(t *testing.T) {
	c, ext := []uint64{3, 4}, []uint64{2, 3}
	dst := make([]int, 12)
	src := []int{1, 2, 3, 4, 5, 6}
	scatterBox(c, ext, func(co, bo, n uint64) { copy(dst[co:co+n], src[bo:bo+n]) })
	if want := []int{1, 2, 3, 0, 4, 5, 6, 0, 0, 0, 0, 0}; !slices.Equal(dst, want) {
		t.Errorf("scatter = %v, want %v", dst, want)
	}
	sel, e := selectBox(chunks.Grid{Dims: []uint64{10, 7}, Chunk: []uint64{4, 4}}, []uint64{2, 1})
	if sel != "[8:10,4:7]" || !slices.Equal(e, []uint64{2, 3}) {
		t.Errorf("selectBox = %q %v", sel, e)
	}
}

// Boxes of contiguous data are whole rows, under the chunk size bound.
func TestRowBlocks(t *testing.T) {
	for _, tt := range []struct {
		dims []uint64
		size int
		want []uint64
	}{
		{[]uint64{8192, 4096}, 4, []uint64{256, 4096}},
		{[]uint64{10, 3}, 8, []uint64{10, 3}},
		{[]uint64{3, 2048, 2048}, 8, []uint64{1, 256, 2048}},
		{[]uint64{1, 1 << 22}, 8, []uint64{1, 1 << 19}},
	} {
		got := rowBlocks(tt.dims, tt.size)
		if !slices.Equal(got, tt.want) || boxBytes(got, tt.size) > chunks.MaxChunkBytes {
			t.Errorf("rowBlocks(%v, %d) = %v, want %v", tt.dims, tt.size, got, tt.want)
		}
	}
}

func TestFloat16Bits(t *testing.T) {
	for _, tt := range []struct {
		f    float64
		want uint16
	}{{1, 0x3c00}, {-2, 0xc000}, {65504, 0x7bff}, {1e6, 0x7c00}, {5.960464477539063e-08, 0x0001}, {0.333251953125, 0x3555}, {math.Inf(-1), 0xfc00}} {
		if got := float16Bits(tt.f); got != tt.want {
			t.Errorf("float16Bits(%v) = %#x, want %#x", tt.f, got, tt.want)
		}
	}
}

func FuzzUploadedDescription(f *testing.F) {
	f.Add([]byte(`{"format":"fits","root":{"path":"/","attributes":[{"name":"A","type":{"class":"integer","size":2},"shape":[2],"value":[1,2]}],"datasets":[{"path":"/HDU1","type":{"class":"float","size":4,"order":"be"},"shape":[3,4]}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tree, err := parseTree(data)
		if err != nil {
			return
		}
		fl := &File{objects: map[uint64]*Object{}, name: "c/f"}
		fl.uploaded = &uploadedFile{format: tree.Format, paths: map[uint64]string{}}
		root := (&treeBuilder{f: fl, next: 1}).group(tree.Root)
		for _, o := range fl.objects {
			if err := checkAttrs(o.hdr().Attributes); err != nil {
				t.Fatalf("object %d: %v", o.id, err)
			}
		}
		_ = root
	})
}

// The JSON of a box of variable-length elements, as ?format=json sends it.
func TestDecodeVarBox(t *testing.T) {
	str := formats.Dtype{Class: formats.ClassString, Variable: true}
	got, err := decodeVarBox([]byte(`[["a",null],["",  "\u00e9"]]`), &str, []uint64{2, 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || string(got[0]) != "a" || got[1] != nil || got[2] == nil || len(got[2]) != 0 || string(got[3]) != "é" {
		t.Errorf("strings: %q", got)
	}
	i16 := formats.Dtype{Class: formats.ClassInteger, Size: 2, Signed: true}
	seq := formats.Dtype{Class: formats.ClassVlen, Base: &i16}
	got, err = decodeVarBox([]byte(`[[1,-2],[],null]`), &seq, []uint64{3})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got[0], []byte{1, 0, 0xfe, 0xff}) || got[1] == nil || len(got[1]) != 0 || got[2] != nil {
		t.Errorf("sequences: %v", got)
	}
	for _, bad := range []string{`["a"]`, `[["a"]]`, `[1,2]`, `{"a":1}`, `[`} {
		if _, err := decodeVarBox([]byte(bad), &str, []uint64{2}); err == nil {
			t.Errorf("decodeVarBox(%s) accepted", bad)
		}
	}
}

func FuzzDecodeVarBox(f *testing.F) {
	f.Add([]byte(`[["a",null],["b","c"]]`), uint8(2), uint8(2), false)
	f.Add([]byte(`[[1,2],[],null]`), uint8(3), uint8(0), true)
	str := formats.Dtype{Class: formats.ClassString, Variable: true}
	f64 := formats.Dtype{Class: formats.ClassFloat, Size: 8}
	seq := formats.Dtype{Class: formats.ClassVlen, Base: &f64}
	f.Fuzz(func(t *testing.T, data []byte, d0, d1 uint8, sequences bool) {
		ext := []uint64{uint64(d0)}
		if d1 > 0 {
			ext = append(ext, uint64(d1))
		}
		typ := &str
		if sequences {
			typ = &seq
		}
		box, err := decodeVarBox(data, typ, ext)
		if err == nil && uint64(len(box)) != boxElems(ext) {
			t.Fatalf("%d elements for box %v", len(box), ext)
		}
	})
}
