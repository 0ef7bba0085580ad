package h5stream_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/formats/filter"
	"github.com/sciswift/sciswift/formats/h5stream"
	"github.com/sciswift/sciswift/server/client"
	"github.com/sciswift/sciswift/vol"
)

func le(size int, signed bool) formats.Dtype {
	return formats.Dtype{Class: formats.ClassInteger, Size: size, Order: formats.LittleEndian, Signed: signed}
}

func be(t formats.Dtype) formats.Dtype { t.Order = formats.BigEndian; return t }

func float(size int) formats.Dtype {
	return formats.Dtype{Class: formats.ClassFloat, Size: size, Order: formats.LittleEndian}
}

func simple(dims ...uint64) domain.Space { return domain.Space{Class: "simple", Dims: dims} }

func chunked(c []uint64, fs ...domain.Filter) domain.Layout {
	return domain.Layout{Class: "chunked", Chunks: c, Filters: fs}
}

func ptr[T any](v T) *T { return &v }

// pattern is n deterministic bytes that differ from element to element.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7+int(seed)) ^ byte(i>>8)
	}
	return b
}

func f64be(vals ...float64) []byte {
	var b []byte
	for _, v := range vals {
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

// writeFile creates a file that uses every construct the streamer emits.
func writeFile(t *testing.T, s vol.Settings, name string) {
	c := vol.NewConnector()
	defer c.Close()
	f := must[*vol.File](t)(c.CreateFile(s, name, vol.CreateTruncate, nil))
	root := f.Root()
	ds := func(path string, spec vol.DatasetSpec) *vol.Object {
		t.Helper()
		return must[*vol.Object](t)(root.CreateDataset(path, true, spec))
	}
	fill := func(d *vol.Object, n uint64, elem int, seed byte) {
		t.Helper()
		check(t, d.Write([]vol.Run{{Offset: 0, Count: n}}, pattern(int(n)*elem, seed)))
	}
	attr := func(o *vol.Object, name string, spec vol.AttrSpec, val []byte) {
		t.Helper()
		a := must[*vol.Attr](t)(o.CreateAttrWith(name, spec))
		if val != nil {
			check(t, a.Write(val))
		}
	}

	str6 := formats.Dtype{Class: formats.ClassString, Size: 6, Padding: formats.PadNullPad, Charset: formats.CharsetASCII}
	vstr := formats.Dtype{Class: formats.ClassString, Variable: true, Padding: formats.PadNullTerm, Charset: formats.CharsetUTF8}
	attr(root, "title", vol.AttrSpec{Type: str6, Space: domain.Space{Class: "scalar"}}, []byte("run 1\x00"))
	attr(root, "version", vol.AttrSpec{Type: le(4, true), Space: domain.Space{Class: "scalar"}}, pattern(4, 1))
	tags := must[*vol.Attr](t)(root.CreateAttrWith("tags", vol.AttrSpec{Type: vstr, Space: simple(3)}))
	check(t, tags.WriteStrings([]*string{ptr("alpha"), nil, ptr("γάμμα")}))
	attr(root, "nothing", vol.AttrSpec{Type: le(4, true), Space: domain.Space{Class: "null"}}, nil)

	fill(ds("grp/sub/i8", vol.DatasetSpec{Type: le(1, true), Space: simple(7)}), 7, 1, 2)
	fill(ds("u16be", vol.DatasetSpec{Type: be(le(2, false)), Space: simple(5, 3),
		Layout: chunked([]uint64{2, 2}, domain.Filter{ID: filter.Shuffle}, domain.Filter{ID: filter.Deflate, Params: []uint32{4}})}), 15, 2, 3)
	grow := ds("f64be_fill", vol.DatasetSpec{Type: be(float(8)), Fill: f64be(-1.5),
		Space:  domain.Space{Class: "simple", Dims: []uint64{20}, MaxDims: []uint64{domain.Unlimited}},
		Layout: chunked([]uint64{4})})
	check(t, grow.Write([]vol.Run{{Offset: 0, Count: 3}}, f64be(1, 2, 3)))
	f32 := ds("f32", vol.DatasetSpec{Type: float(4), Space: simple(30, 40),
		Layout: chunked([]uint64{8, 8}, domain.Filter{ID: filter.Deflate, Params: []uint32{6}}, domain.Filter{ID: filter.Fletcher32})})
	fill(f32, 1200, 4, 4)
	fill(ds("f16", vol.DatasetSpec{Type: float(2), Space: simple(4)}), 4, 2, 5)
	check(t, must[*vol.Object](t)(root.CreateDataset("str6", false, vol.DatasetSpec{Type: str6, Space: simple(3)})).
		Write([]vol.Run{{Offset: 0, Count: 3}}, []byte("abc\x00\x00\x00abcdefxy\x00\x00\x00\x00")))
	utf := formats.Dtype{Class: formats.ClassString, Size: 8, Padding: formats.PadSpacePad, Charset: formats.CharsetUTF8}
	check(t, ds("utf8", vol.DatasetSpec{Type: utf, Space: simple(2)}).Write([]vol.Run{{Offset: 0, Count: 2}}, []byte("héllo  naïve  ")))
	vs := ds("vstr", vol.DatasetSpec{Type: vstr, Space: simple(5), Layout: chunked([]uint64{2}, domain.Filter{ID: filter.Shuffle}, domain.Filter{ID: filter.Deflate, Params: []uint32{1}})})
	check(t, vs.WriteVar([]vol.Run{{Offset: 0, Count: 5}}, [][]byte{[]byte("one"), nil, []byte("three, longer"), []byte("ünï"), {}}))
	vseq := ds("vseq", vol.DatasetSpec{Type: formats.Dtype{Class: formats.ClassVlen, Base: ptr(le(4, true))}, Space: simple(3)})
	check(t, vseq.WriteVar([]vol.Run{{Offset: 0, Count: 3}}, [][]byte{pattern(8, 6), pattern(4, 7), pattern(20, 8)}))

	inner := formats.Dtype{Class: formats.ClassCompound, Size: 4, Members: []formats.Member{
		{Name: "x", Offset: 0, Type: ptr(le(1, false))},
		{Name: "y", Offset: 1, Type: ptr(formats.Dtype{Class: formats.ClassString, Size: 3, Padding: formats.PadNullTerm, Charset: formats.CharsetASCII})}}}
	comp := formats.Dtype{Class: formats.ClassCompound, Size: 24, Members: []formats.Member{
		{Name: "a", Offset: 0, Type: ptr(le(4, true))},
		{Name: "b", Offset: 4, Type: ptr(be(float(8)))},
		{Name: "c", Offset: 12, Type: ptr(formats.Dtype{Class: formats.ClassArray, Size: 8, Dims: []int{2, 2}, Base: ptr(le(2, true))})},
		{Name: "d", Offset: 20, Type: &inner}}}
	fill(ds("comp", vol.DatasetSpec{Type: comp, Space: simple(6), Layout: chunked([]uint64{4})}), 6, 24, 9)
	enum := formats.Dtype{Class: formats.ClassEnum, Size: 2, Base: ptr(le(2, true)), Members: []formats.Member{
		{Name: "RED", Value: 0}, {Name: "GREEN", Value: 1}, {Name: "BLUE", Value: -2}}}
	check(t, ds("enum", vol.DatasetSpec{Type: enum, Space: simple(3)}).Write([]vol.Run{{Offset: 0, Count: 3}}, []byte{1, 0, 0xfe, 0xff, 0, 0}))
	fill(ds("opaque", vol.DatasetSpec{Type: formats.Dtype{Class: formats.ClassOpaque, Size: 5, Tag: "blob"}, Space: simple(2)}), 2, 5, 10)
	fill(ds("bits", vol.DatasetSpec{Type: formats.Dtype{Class: formats.ClassBitfield, Size: 2, Order: formats.LittleEndian}, Space: simple(3)}), 3, 2, 11)
	fill(ds("arr", vol.DatasetSpec{Type: formats.Dtype{Class: formats.ClassArray, Size: 24, Dims: []int{2, 3}, Base: ptr(le(4, true))}, Space: simple(2)}), 2, 24, 12)
	check(t, ds("scalar", vol.DatasetSpec{Type: be(float(8)), Space: domain.Space{Class: "scalar"}}).Write([]vol.Run{{Offset: 0, Count: 1}}, f64be(3.25)))
	ds("null", vol.DatasetSpec{Type: le(4, true), Space: domain.Space{Class: "null"}})
	ds("empty", vol.DatasetSpec{Type: le(8, true), Space: simple(10), Layout: chunked([]uint64{5})})

	named := must[*vol.Object](t)(root.CommitType("mytype", false, be(le(8, true)), nil))
	attr(named, "unit", vol.AttrSpec{Type: str6, Space: domain.Space{Class: "scalar"}}, []byte("metres"))
	typed := ds("typed", vol.DatasetSpec{Type: be(le(8, true)), TypeRef: named, Space: simple(4)})
	fill(typed, 4, 8, 13)
	attr(typed, "same_type", vol.AttrSpec{Type: be(le(8, true)), TypeRef: named, Space: simple(2)}, pattern(16, 14))
	attr(f32, "scale", vol.AttrSpec{Type: float(8), Space: simple(2, 2)}, pattern(32, 15))
	attr(f32, "ünits", vol.AttrSpec{Type: str6, Space: domain.Space{Class: "scalar"}, UTF8: true}, []byte("kelvin"))
	grp := must[*vol.Object](t)(root.Resolve("grp"))
	attr(grp, "comp_attr", vol.AttrSpec{Type: comp, Space: simple(2)}, pattern(48, 16))

	check(t, root.CreateSoftLink("soft", "/grp/sub/i8", false))
	check(t, root.CreateSoftLink("dangling", "/no/such", false))
	check(t, root.CreateExternalLink("ext", "other.h5", "/x", false))
	check(t, root.CreateHardLink("grp/f32_again", f32, false))
	check(t, f.Close())
}

// expected is what the connector reads back, in the form testdata/h5values.py
// prints.
func expected(t *testing.T, s vol.Settings, name string) map[string]map[string]any {
	c := vol.NewConnector()
	defer c.Close()
	f := must[*vol.File](t)(c.OpenFile(s, name, false))
	defer f.Close()
	out := map[string]map[string]any{}
	seen := map[uint64]bool{} // h5py visits each object once, by its first path
	var walk func(path string, o *vol.Object)
	walk = func(path string, o *vol.Object) {
		seen[o.Token()] = true
		item := map[string]any{"attrs": attrValues(t, o)}
		out[path] = item
		switch o.Kind() {
		case domain.KindNamedType:
			item["datatype"] = true
		case domain.KindDataset:
			d := o.Dataset()
			if d.Space.Class == "null" {
				item["null"] = true
				break
			}
			n := uint64(1)
			shape := []any{}
			for _, x := range d.Space.Dims {
				n *= x
				shape = append(shape, float64(x))
			}
			item["shape"] = shape
			runs := []vol.Run{{Offset: 0, Count: n}}
			if d.Type.IsVariable() {
				vals := must[[][]byte](t)(o.ReadVar(runs))
				item["var"] = hexList(vals)
			} else {
				buf := make([]byte, int(n)*d.Type.Size)
				check(t, o.Read(runs, buf))
				item["hex"] = hex.EncodeToString(buf)
			}
		case domain.KindGroup:
			for _, l := range must[[]domain.Link](t)(o.Links(vol.LinkOrder{})) {
				p := strings.TrimSuffix(path, "/") + "/" + l.Name
				switch l.Kind {
				case domain.LinkSoft:
					if path == "/" {
						out[p] = map[string]any{"soft": l.Path}
					}
				case domain.LinkExternal:
					out[p] = map[string]any{"external": []any{l.File, l.Path}}
				default:
					if target := must[*vol.Object](t)(o.Resolve(l.Name)); !seen[target.Token()] {
						walk(p, target)
					}
				}
			}
		}
	}
	walk("/", f.Root())
	return out
}

func hexList(vals [][]byte) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = hex.EncodeToString(v)
	}
	return out
}

func attrValues(t *testing.T, o *vol.Object) map[string]any {
	out := map[string]any{}
	for _, a := range o.Attrs(vol.LinkOrder{}) {
		m := a.Meta()
		switch {
		case m.Space.Class == "null":
			out[m.Name] = map[string]any{"null": true}
		case m.Type.IsVariable():
			var vals [][]byte
			for _, s := range a.ReadStrings() {
				if s != nil {
					vals = append(vals, []byte(*s))
				} else {
					vals = append(vals, nil)
				}
			}
			out[m.Name] = map[string]any{"var": hexList(vals)}
		default:
			v := a.Read()
			if v == nil {
				n := 1
				for _, d := range m.Space.Dims {
					n *= int(d)
				}
				v = make([]byte, n*m.Type.Size)
			}
			out[m.Name] = map[string]any{"hex": hex.EncodeToString(v)}
		}
	}
	return out
}

func TestStreamedFileReadsBack(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the server")
	}
	const container = "h5stream"
	store := newSwiftStore(t, container)
	check(t, store.c.PutContainer(context.Background(), container, nil))
	s := must[vol.Settings](t)(vol.ParseSettings("auth="+srv.BaseURL+"/auth/v1.0 user=test:tester key=testing container="+container,
		func(string) string { return "" }))
	writeFile(t, s, "all.h5")

	plan := must[*h5stream.Plan](t)(h5stream.NewPlan(context.Background(), loadFile(t, store, "all.h5"), store))
	var buf bytes.Buffer
	check(t, plan.WriteTo(context.Background(), &buf))
	if int64(buf.Len()) != plan.Size() {
		t.Fatalf("streamed %d bytes, Size said %d", buf.Len(), plan.Size())
	}
	path := filepath.Join(t.TempDir(), "all.h5")
	check(t, os.WriteFile(path, buf.Bytes(), 0o644))
	if keep := os.Getenv("H5STREAM_KEEP"); keep != "" { // for a look by hand
		check(t, os.WriteFile(keep, buf.Bytes(), 0o644))
	}

	out, err := exec.Command(h5dumpBin, path).CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("h5dump error")) {
		t.Fatalf("h5dump: %v\n%s", err, out)
	}
	t.Logf("h5dump:\n%s", out)

	py, err := exec.Command(python, "testdata/h5values.py", path).Output()
	if err != nil {
		t.Fatalf("h5py: %v\n%s", err, stderrOf(err))
	}
	var got map[string]map[string]any
	check(t, json.Unmarshal(py, &got))
	want := expected(t, s, "all.h5")
	for p, w := range want {
		g, ok := got[p]
		if !ok {
			t.Errorf("%s: missing from the streamed file", p)
			continue
		}
		delete(g, "chunks")
		wj, _ := json.Marshal(w)
		gj, _ := json.Marshal(g)
		if !bytes.Equal(wj, gj) {
			t.Errorf("%s:\n h5py %s\n vol  %s", p, gj, wj)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s: in the streamed file, not in the VOL-written one", p)
		}
	}
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

// BenchmarkStreamFromServer streams a 64 MiB dataset (deflated and not)
// written through the vol package, reading its chunk objects from the test
// server one after the other, as a plain GET does.
func BenchmarkStreamFromServer(b *testing.B) {
	if testing.Short() {
		b.Skip("needs the server")
	}
	const container, n = "h5stream-bench", 8 << 20
	ctx := context.Background()
	c := &client.Client{}
	if err := c.Auth(ctx, srv.BaseURL+"/auth/v1.0", "test:tester", "testing"); err != nil {
		b.Fatal(err)
	}
	store := &swiftStore{c: c, container: container}
	if err := c.PutContainer(ctx, container, nil); err != nil {
		b.Fatal(err)
	}
	s, err := vol.ParseSettings("auth="+srv.BaseURL+"/auth/v1.0 user=test:tester key=testing container="+container, func(string) string { return "" })
	if err != nil {
		b.Fatal(err)
	}
	conn := vol.NewConnector()
	f, err := conn.CreateFile(s, "big.h5", vol.CreateTruncate, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, spec := range []struct {
		name   string
		layout domain.Layout
	}{
		{"plain", domain.Layout{Class: "contiguous"}},
		{"deflated", chunked([]uint64{1 << 19}, domain.Filter{ID: filter.Deflate, Params: []uint32{1}})},
	} {
		d, err := f.Root().CreateDataset(spec.name, false, vol.DatasetSpec{Type: float(8), Space: simple(n), Layout: spec.layout})
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Write([]vol.Run{{Offset: 0, Count: n}}, pattern(8*n, 1)); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	conn.Close()
	file := loadFile(b, store, "big.h5")
	b.ResetTimer()
	for b.Loop() {
		p, err := h5stream.NewPlan(ctx, file, store)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(p.Size())
		if err := p.WriteTo(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
