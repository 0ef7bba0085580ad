package parquet

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/encode"
	"github.com/sciswift/sciswift/formats/selection"
)

const (
	sinkRows   = 3500
	sinkRGRows = 1000
)

// variants of the kitchen-sink file: the writer's defaults as configured
// in writeSink, and plain-encoded, uncompressed, v2 data pages.
func sinkVariants(t testing.TB) map[string][]byte {
	return map[string][]byte{
		"dictionary+snappy, v1 pages": writeSink(t, sinkRows, sinkRGRows),
		"plain, uncompressed, v2 pages": writeSink(t, sinkRows, sinkRGRows,
			pq.WithDictionaryDefault(false), pq.WithCompression(compress.Codecs.Uncompressed),
			pq.WithCompressionFor("f64", compress.Codecs.Uncompressed), pq.WithDataPageVersion(pq.DataPageV2)),
	}
}

func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		head string
		want bool
	}{{"PAR1\x15\x04", true}, {"PAR1", true}, {"PAR", false}, {"PARE", false}, {"\x89HDF", false}, {"", false}} {
		if got := Sniff([]byte(tc.head)); got != tc.want {
			t.Errorf("Sniff(%q) = %v", tc.head, got)
		}
	}
}

// leafNode is a dataset node with the field indices leading to it in the
// Arrow schema (top-level index first).
type leafNode struct {
	n     *node
	chain []int
}

func datasetNodes(f *File) []leafNode {
	var out []leafNode
	var walk func(n *node, chain []int)
	walk = func(n *node, chain []int) {
		for i, c := range n.children {
			ch := append(slices.Clone(chain), i)
			switch c.kind {
			case kindGroup:
				walk(c, ch)
			case kindFixed, kindString, kindVlen:
				out = append(out, leafNode{c, ch})
			}
		}
	}
	walk(f.root, nil)
	return out
}

// referenceColumn is the Arrow array arrow-go reads for a dataset: the top
// field's column, descended through its structs, with the structs' nulls.
func referenceColumn(t *testing.T, tbl arrow.Table, chain []int) (arrow.Array, []arrow.Array) {
	t.Helper()
	col, err := array.Concatenate(tbl.Column(chain[0]).Data().Chunks(), memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	var parents []arrow.Array
	for _, c := range chain[1:] {
		s := col.(*array.Struct)
		parents = append(parents, s)
		col = s.Field(c)
	}
	return col, parents
}

var selections = []struct {
	name string
	sel  formats.Selection
}{
	{"all", nil},
	{"head", formats.Selection{{Start: 0, Stop: 10, Step: 1}}},
	{"across a row-group boundary", formats.Selection{{Start: 995, Stop: 1005, Step: 1}}},
	{"step 7", formats.Selection{{Start: 5, Stop: sinkRows, Step: 7}}},
	{"last index", formats.Selection{{Start: sinkRows - 1, Index: true}}},
	{"first index", formats.Selection{{Start: 0, Index: true}}},
	{"one row", formats.Selection{{Start: 1000, Stop: 1001, Step: 1}}},
	{"one row per row group", formats.Selection{{Start: 0, Stop: sinkRows, Step: sinkRGRows}}},
	{"skipping row groups", formats.Selection{{Start: 999, Stop: 2001, Step: 1001}}},
	{"tail step 3", formats.Selection{{Start: 3490, Stop: sinkRows, Step: 3}}},
}

// TestReadMatchesArrow compares every value Read returns, for every
// dataset and several selections, with what arrow-go reads from the file.
func TestReadMatchesArrow(t *testing.T) {
	for variant, data := range sinkVariants(t) {
		t.Run(variant, func(t *testing.T) {
			f := mustOpen(t, memObject(data))
			tbl := referenceTable(t, data)
			defer tbl.Release()
			nodes := datasetNodes(f)
			if len(nodes) != 30 {
				paths := []string{}
				for _, n := range nodes {
					paths = append(paths, n.n.path)
				}
				t.Fatalf("%d datasets: %v", len(nodes), paths)
			}
			for _, ln := range nodes {
				ref, parents := referenceColumn(t, tbl, ln.chain)
				for _, s := range selections {
					arr, err := f.Read(context.Background(), ln.n.path, s.sel)
					if err != nil {
						t.Fatalf("%s %s: %v", ln.n.path, s.name, err)
					}
					if err := arr.Check(); err != nil {
						t.Fatalf("%s %s: %v", ln.n.path, s.name, err)
					}
					start, step := uint64(0), uint64(1)
					if len(s.sel) == 1 {
						start, step = s.sel[0].Start, s.sel[0].Step
					}
					for k := range arr.Len() {
						row := int(start + k*step)
						want := any(nil)
						null := ref.IsNull(row)
						for _, p := range parents {
							null = null || p.IsNull(row)
						}
						if !null {
							want = refValue(ref, row, &ln.n.dtype)
						}
						got := element(arr, k)
						if canon(got) != canon(want) {
							t.Fatalf("%s %s: row %d = %s, arrow-go reads %s", ln.n.path, s.name, row, canon(got), canon(want))
						}
						if null && !arr.Type.IsVariable() {
							// Nulls hold the documented fill value.
							size := uint64(arr.Type.Size)
							if fill := canon(gotValue(&arr.Type, arr.Data[k*size:(k+1)*size], nil)); fill != canon(fillValue(&arr.Type)) {
								t.Fatalf("%s: null at row %d filled with %s", ln.n.path, row, fill)
							}
						}
					}
				}
			}
		})
	}
}

// TestTableMatchesColumns checks every member of the table compound
// against the column datasets (nulls read as their fill values).
func TestTableMatchesColumns(t *testing.T) {
	data := writeSink(t, sinkRows, sinkRGRows)
	f := mustOpen(t, memObject(data))
	ctx := context.Background()
	ds, ok := f.Dataset("/table_")
	if !ok {
		t.Fatal("no /table_ (a column is called table)")
	}
	var names []string
	for _, m := range ds.Type.Members {
		names = append(names, m.Name)
	}
	wantNames := []string{"b", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f16", "f32", "f64", "fsb", "dec", "date", "ts", "t64", "t32", "st", "fsl", "table", "col27", "col28"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("members %v\nwant    %v", names, wantNames)
	}
	if got := attr(ds.Attributes, "sciswift:excluded"); !slices.Equal(got.([]string), []string{"s", "bin", "dict", "l", "m", "ls"}) {
		t.Errorf("excluded %v", got)
	}
	for _, s := range selections {
		tbl, err := f.Read(ctx, "/table_", s.sel)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if err := tbl.Check(); err != nil || tbl.Null != nil {
			t.Fatalf("%s: %v, null %v", s.name, err, tbl.Null != nil)
		}
		var check func(prefix string, ct *formats.Dtype, off int)
		check = func(prefix string, ct *formats.Dtype, off int) {
			for _, m := range ct.Members {
				p := prefix + "/" + m.Name
				if m.Type.Class == formats.ClassCompound {
					check(p, m.Type, off+m.Offset)
					continue
				}
				col, err := f.Read(ctx, p, s.sel)
				if err != nil {
					t.Fatalf("%s %s: %v", p, s.name, err)
				}
				size := uint64(m.Type.Size)
				for k := range tbl.Len() {
					row := tbl.Data[k*uint64(tbl.Type.Size):]
					got := gotValue(m.Type, row[off+m.Offset:off+m.Offset+m.Type.Size], nil)
					want := gotValue(&col.Type, col.Data[k*size:(k+1)*size], nil)
					if canon(got) != canon(want) {
						t.Fatalf("%s member %s element %d: %s, column reads %s", s.name, p, k, canon(got), canon(want))
					}
				}
			}
		}
		check("", &tbl.Type, 0)
	}
	// A null struct fills every member of it.
	st, _ := f.Read(ctx, "/table_", formats.Selection{{Start: 5, Index: true}})
	m := st.Type.Members[slices.Index(names, "st")]
	if got := canon(gotValue(m.Type, st.Data[m.Offset:m.Offset+m.Type.Size], nil)); got != `{"inner":{"y":NaN},"x":0}` {
		t.Errorf("null struct at row 5 reads %s", got)
	}
}

func attr(attrs []formats.Attribute, name string) any {
	for _, a := range attrs {
		if a.Name == name {
			return a.Value
		}
	}
	return nil
}

func TestTree(t *testing.T) {
	data := writeSink(t, sinkRows, sinkRGRows)
	f := mustOpen(t, memObject(data))
	tree := f.Tree()
	if tree.Format != "parquet" {
		t.Errorf("format %q", tree.Format)
	}
	if _, err := json.Marshal(tree); err != nil {
		t.Fatalf("the tree is not JSON: %v", err)
	}
	root := tree.Root
	for name, want := range map[string]any{
		"experiment":          "sky-42",
		"pipeline":            "v1.2",
		"ARROW:schema":        nil,
		"sciswift:num_rows":   int64(sinkRows),
		"sciswift:table":      "/table_",
		"sciswift:skipped":    []string{"m: map columns are not served", "ls: list of variable-length utf8 values: only lists of fixed-size values are served"},
		"sciswift:row_groups": []int64{1000, 1000, 1000, 500},
	} {
		got := attr(root.Attributes, name)
		if gj, _ := json.Marshal(got); string(gj) != mustJSON(want) {
			t.Errorf("root attribute %s = %s, want %s", name, gj, mustJSON(want))
		}
	}
	if by, _ := attr(root.Attributes, "sciswift:created_by").(string); !strings.Contains(by, "parquet-go") {
		t.Errorf("created_by %q", by)
	}

	datasets := map[string]*formats.Dataset{}
	var walk func(g *formats.Group)
	walk = func(g *formats.Group) {
		for _, d := range g.Datasets {
			datasets[d.Path] = d
		}
		for _, sub := range g.Groups {
			walk(sub)
		}
	}
	walk(root)
	var paths []string
	for p := range datasets {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	want := []string{"/b", "/bin", "/col27", "/col28", "/date", "/dec", "/dict", "/t32", "/f16", "/f32", "/f64", "/fsb", "/fsl",
		"/i16", "/i32", "/i64", "/i8", "/l", "/s", "/st/inner/y", "/st/inner/z", "/st/tags", "/st/x", "/t64", "/table", "/table_", "/ts",
		"/u16", "/u32", "/u64", "/u8"}
	sort.Strings(want)
	if !slices.Equal(paths, want) {
		t.Errorf("datasets %v\nwant     %v", paths, want)
	}
	if len(root.Groups) != 1 || root.Groups[0].Path != "/st" || len(root.Groups[0].Groups) != 1 || root.Groups[0].Groups[0].Path != "/st/inner" {
		t.Errorf("groups: %+v", root.Groups)
	}

	tests := []struct {
		path  string
		dtype string // JSON of the Dtype
		attrs map[string]any
	}{
		{"/b", `{"class":"enum","size":1,"members":[{"name":"FALSE"},{"name":"TRUE","value":1}],"base":{"class":"integer","size":1,"order":"le","signed":true}}`,
			map[string]any{"sciswift:null_value": "false", "sciswift:null_count": int64(700), "sciswift:parquet_type": "BOOLEAN"}},
		{"/i32", `{"class":"integer","size":4,"order":"le","signed":true}`,
			map[string]any{"origin": "test", "PARQUET:field_id": nil, "sciswift:null_value": "0", "sciswift:null_count": int64(500), "sciswift:arrow_type": "int32"}},
		{"/u64", `{"class":"integer","size":8,"order":"le"}`, map[string]any{"sciswift:null_value": nil}},
		{"/f16", `{"class":"float","size":2,"order":"le"}`, map[string]any{"sciswift:null_value": "NaN"}},
		{"/s", `{"class":"string","size":0,"variable":true,"charset":"utf-8"}`, map[string]any{"sciswift:null_value": "", "sciswift:parquet_type": "BYTE_ARRAY String"}},
		{"/bin", `{"class":"string","size":0,"variable":true,"charset":"ascii"}`, nil},
		{"/dict", `{"class":"string","size":0,"variable":true,"charset":"utf-8"}`, map[string]any{"sciswift:arrow_type": "dictionary<values=utf8, indices=int32, ordered=false>"}},
		{"/fsb", `{"class":"opaque","size":4,"tag":"parquet:fixed_len_byte_array"}`, nil},
		{"/dec", `{"class":"float","size":8,"order":"le"}`, map[string]any{"precision": int64(10), "scale": int64(3)}},
		{"/date", `{"class":"integer","size":4,"order":"le","signed":true}`, map[string]any{"unit": "D"}},
		{"/ts", `{"class":"integer","size":8,"order":"le","signed":true}`, map[string]any{"unit": "us", "timezone": "UTC", "sciswift:arrow_type": "timestamp[us, tz=UTC]"}},
		{"/t64", `{"class":"integer","size":8,"order":"le","signed":true}`, map[string]any{"unit": "ns"}},
		{"/t32", `{"class":"integer","size":4,"order":"le","signed":true}`, map[string]any{"unit": "ms"}},
		{"/st/x", `{"class":"integer","size":4,"order":"le","signed":true}`, map[string]any{"sciswift:null_value": "0"}},
		{"/st/inner/z", `{"class":"string","size":0,"variable":true,"charset":"utf-8"}`, map[string]any{"sciswift:null_value": ""}},
		{"/st/tags", `{"class":"vlen","size":0,"base":{"class":"integer","size":2,"order":"le","signed":true}}`, map[string]any{"sciswift:null_value": "[]"}},
		{"/l", `{"class":"vlen","size":0,"base":{"class":"integer","size":4,"order":"le","signed":true}}`, nil},
		{"/fsl", `{"class":"array","size":12,"base":{"class":"float","size":4,"order":"le"},"dims":[3]}`, map[string]any{"sciswift:null_value": "NaN"}},
		{"/table", `{"class":"integer","size":2,"order":"le","signed":true}`, nil},
		{"/col27", `{"class":"integer","size":1,"order":"le","signed":true}`, map[string]any{"sciswift:name": "a/b"}},
		{"/col28", `{"class":"integer","size":1,"order":"le"}`, map[string]any{"sciswift:name": ""}},
	}
	for _, tc := range tests {
		d := datasets[tc.path]
		if d == nil {
			t.Errorf("no dataset %s", tc.path)
			continue
		}
		if got := mustJSON(d.Type); got != tc.dtype {
			t.Errorf("%s: type %s\nwant %s", tc.path, got, tc.dtype)
		}
		if !slices.Equal(d.Shape, []uint64{sinkRows}) || !slices.Equal(d.Chunks, []uint64{sinkRGRows}) {
			t.Errorf("%s: shape %v chunks %v", tc.path, d.Shape, d.Chunks)
		}
		wantFilters := []string{"snappy"}
		if tc.path == "/f64" {
			wantFilters = []string{"zstd"}
		}
		if !slices.Equal(d.Filters, wantFilters) {
			t.Errorf("%s: filters %v", tc.path, d.Filters)
		}
		for name, want := range tc.attrs {
			if got := attr(d.Attributes, name); mustJSON(got) != mustJSON(want) {
				t.Errorf("%s: attribute %s = %s, want %s", tc.path, name, mustJSON(got), mustJSON(want))
			}
		}
	}
	if got := attr(root.Groups[0].Groups[0].Attributes, "sciswift:arrow_type"); got != "struct<y: float64 nullable, z: utf8>" {
		t.Errorf("/st/inner arrow type %v", got)
	}

	// Each Tree is a fresh copy.
	tree.Root.Datasets[0].Type.Members = nil
	tree.Root.Datasets[0].Path = "changed"
	if again := f.Tree(); again.Root.Datasets[0].Path == "changed" {
		t.Error("Tree shares its nodes")
	}
	if d, ok := f.Dataset("/st/inner/y"); !ok || d.Path != "/st/inner/y" {
		t.Errorf("Dataset(/st/inner/y) = %v, %v", d, ok)
	}
	if _, ok := f.Dataset("/st"); ok {
		t.Error("Dataset(/st): a group is not a dataset")
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestReadsOnlyNeeded counts the bytes Open and Read fetch: the head magic
// and the footer, then exactly the column chunks of the selected rows.
func TestReadsOnlyNeeded(t *testing.T) {
	data := writeSink(t, sinkRows, sinkRGRows)
	obj := &countingObject{Object: memObject(data)}
	f := mustOpen(t, obj)
	opened := obj.take()
	footer := int64(binary.LittleEndian.Uint32(data[len(data)-8:]))
	want := []byteRange{{0, 4}, {int64(len(data)) - tailPrefix, tailPrefix}}
	if footer+8 > tailPrefix {
		want = append(want, byteRange{int64(len(data)) - 8 - footer, footer})
	}
	if !slices.Equal(opened, want) {
		t.Errorf("Open read %v, want %v (file of %d bytes, footer %d)", opened, want, len(data), footer)
	}

	meta, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	leaf := func(dotted string) int {
		i := meta.MetaData().Schema.ColumnIndexByName(dotted)
		if i < 0 {
			t.Fatalf("no column %s", dotted)
		}
		return i
	}
	tableLeaves := []int{}
	for _, n := range []string{"b", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f16", "f32", "f64", "fsb", "dec", "date", "ts", "t64", "t32",
		"st.x", "st.inner.y", "fsl.list.element", "table", "a/b", ""} {
		tableLeaves = append(tableLeaves, leaf(n))
	}
	ctx := context.Background()
	tests := []struct {
		path   string
		sel    formats.Selection
		groups []int
		leaves []int
	}{
		{"/i32", formats.Selection{{Start: 1500, Stop: 1510, Step: 1}}, []int{1}, []int{leaf("i32")}},
		{"/st/inner/y", formats.Selection{{Start: 2999, Stop: 3001, Step: 1}}, []int{2, 3}, []int{leaf("st.inner.y")}},
		{"/f64", formats.Selection{{Start: 0, Stop: sinkRows, Step: 2000}}, []int{0, 2}, []int{leaf("f64")}},
		{"/s", formats.Selection{{Start: 3400, Index: true}}, []int{3}, []int{leaf("s")}},
		{"/l", formats.Selection{{Start: 10, Stop: 20, Step: 1}}, []int{0}, []int{leaf("l.list.element")}},
		{"/table_", formats.Selection{{Start: 0, Stop: 5, Step: 1}}, []int{0}, tableLeaves},
	}
	for _, tc := range tests {
		if _, err := f.Read(ctx, tc.path, tc.sel); err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		got := obj.take()
		var want []byteRange
		var total int64
		for _, g := range tc.groups {
			for _, l := range tc.leaves {
				want = append(want, columnChunkRange(t, data, g, l))
			}
		}
		for _, r := range got {
			total += r.n
		}
		key := func(r byteRange) int64 { return r.off }
		slices.SortFunc(got, func(a, b byteRange) int { return int(key(a) - key(b)) })
		slices.SortFunc(want, func(a, b byteRange) int { return int(key(a) - key(b)) })
		if !slices.Equal(got, want) {
			t.Errorf("%s %v: read %v\nwant the chunks %v", tc.path, tc.sel, got, want)
		}
		if tc.path != "/table_" && total*20 > int64(len(data)) {
			t.Errorf("%s: read %d bytes of a %d-byte file", tc.path, total, len(data))
		}
	}
}

func TestConcurrentReads(t *testing.T) {
	data := writeSink(t, sinkRows, sinkRGRows)
	f := mustOpen(t, memObject(data))
	ctx := context.Background()
	paths := []string{"/i64", "/s", "/st/inner/y", "/l", "/table_", "/dict"}
	want := map[string]string{}
	for _, p := range paths {
		arr, err := f.Read(ctx, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		want[p] = mustJSON(arr)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*len(paths))
	for range 4 {
		for _, p := range paths {
			wg.Go(func() {
				arr, err := f.Read(ctx, p, nil)
				if err == nil && mustJSON(arr) != want[p] {
					err = errors.New(p + ": differs when read concurrently")
				}
				if err != nil {
					errs <- err
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestEncodings writes what Read returns through formats/encode: nulls are
// JSON nulls, and the table comes back from an Arrow IPC stream as arrow-go
// read it from the Parquet file.
func TestEncodings(t *testing.T) {
	data := writeSink(t, sinkRows, sinkRGRows)
	f := mustOpen(t, memObject(data))
	ctx := context.Background()

	arr, err := f.Read(ctx, "/i32", formats.Selection{{Start: 0, Stop: 5, Step: 1}})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := encode.WriteJSON(&out, arr); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != `[-1000000,-999000,-998000,null,-996000]` {
		t.Errorf("JSON %s", got)
	}
	out.Reset()
	arr, _ = f.Read(ctx, "/f32", formats.Selection{{Start: 12, Stop: 18, Step: 1}})
	if err := encode.WriteCSV(&out, arr); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "3\nNaN\n3.5\n3.75\n4\n\n" {
		t.Errorf("CSV %q (a NaN value at 13, a null at 17)", got)
	}

	sel := formats.Selection{{Start: 990, Stop: 1020, Step: 2}}
	tblArr, err := f.Read(ctx, "/table_", sel)
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := encode.WriteArrow(&out, tblArr); err != nil {
		t.Fatal(err)
	}
	r, err := ipc.NewReader(&out)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	ref := referenceTable(t, data)
	defer ref.Release()
	refCol := func(name string) arrow.Array {
		idx := ref.Schema().FieldIndices(name)[0]
		a, _ := array.Concatenate(ref.Column(idx).Data().Chunks(), memory.DefaultAllocator)
		return a
	}
	rows := 0
	for r.Next() {
		rec := r.RecordBatch()
		for k := range int(rec.NumRows()) {
			row := 990 + 2*(rows+k)
			for _, name := range []string{"i64", "u64", "ts", "f64", "table"} {
				got := refValue(rec.Column(rec.Schema().FieldIndices(name)[0]), k, nil)
				want := refValue(refCol(name), row, nil)
				if canon(got) != canon(want) {
					t.Errorf("arrow %s row %d = %v, want %v", name, row, got, want)
				}
			}
		}
		rows += int(rec.NumRows())
	}
	if rows != 15 {
		t.Errorf("%d rows", rows)
	}
}

func TestEmptyFile(t *testing.T) {
	data := writeSink(t, 0, 10)
	f := mustOpen(t, memObject(data))
	ds, ok := f.Dataset("/i64")
	if !ok || !slices.Equal(ds.Shape, []uint64{0}) || ds.Chunks != nil {
		t.Fatalf("/i64 in an empty file: %+v", ds)
	}
	for _, p := range []string{"/i64", "/s", "/table_", "/l"} {
		arr, err := f.Read(context.Background(), p, nil)
		if err != nil || arr.Len() != 0 || arr.Check() != nil {
			t.Errorf("%s: %v, %d elements", p, err, arr.Len())
		}
	}
}

func TestOpenErrors(t *testing.T) {
	good := writeSink(t, 20, 10)
	n := len(good)
	patch := func(off int, b ...byte) []byte {
		c := slices.Clone(good)
		copy(c[off:], b)
		return c
	}
	footerLen := func(v uint32) []byte { return patch(n-8, binary.LittleEndian.AppendUint32(nil, v)...) }
	tests := []struct {
		name   string
		data   []byte
		limits Limits
		want   error
		msg    string
	}{
		{"not parquet", []byte("hello, world, not parquet"), Limits{}, ErrNotParquet, "no PAR1 magic at the start"},
		{"empty", nil, Limits{}, ErrNotParquet, ""},
		{"magic only", []byte("PAR1"), Limits{}, ErrCorrupt, "too short"},
		{"truncated", good[:n-100], Limits{}, ErrCorrupt, "no PAR1 magic at the end"},
		{"encrypted footer", patch(n-4, 'P', 'A', 'R', 'E'), Limits{}, ErrUnsupported, "encrypted footer"},
		{"footer longer than the file", footerLen(uint32(n)), Limits{}, ErrCorrupt, "footer of"},
		{"footer of 4 GiB", footerLen(math.MaxUint32), Limits{}, ErrCorrupt, "footer of 4294967295 bytes"},
		{"footer over the limit", good, Limits{MaxFooterBytes: 100}, ErrLimit, "at most 100"},
		{"footer of garbage", footerLen(12), Limits{}, ErrCorrupt, "corrupt file"},
	}
	for _, tc := range tests {
		_, err := Open(context.Background(), memObject(tc.data), tc.limits)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want %v with %q", tc.name, err, tc.want, tc.msg)
		}
	}
}

func TestReadErrors(t *testing.T) {
	data := writeSink(t, sinkRows, sinkRGRows)
	ctx := context.Background()
	f := mustOpen(t, memObject(data))
	smallRead, err := Open(ctx, memObject(data), Limits{MaxReadBytes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	smallChunk, err := Open(ctx, memObject(data), Limits{MaxChunkBytes: 2000})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		f    *File
		path string
		sel  formats.Selection
		want error
		msg  string
	}{
		{f, "/nope", nil, ErrNotFound, "/nope"},
		{f, "/st", nil, ErrNotFound, "/st"},
		{f, "/m", nil, ErrUnsupported, "/m: map columns are not served"},
		{f, "/ls", nil, ErrUnsupported, "list of variable-length utf8 values"},
		{f, "/i8", formats.Selection{{Stop: 1, Step: 1}, {Stop: 1, Step: 1}}, formats.ErrSelection, "2 ranges for a 1-dimensional dataset"},
		{f, "/i8", formats.Selection{{Start: 0, Stop: sinkRows + 1, Step: 1}}, formats.ErrSelection, "0:3501:1 does not fit 0..3500"},
		{f, "/i8", formats.Selection{{Start: 0, Stop: 5}}, formats.ErrSelection, "0:5:0"},
		{f, "/i8", formats.Selection{{Start: sinkRows, Index: true}}, formats.ErrSelection, "index 3500"},
		{smallRead, "/i64", formats.Selection{{Start: 0, Stop: 200, Step: 1}}, ErrLimit, "200 elements of 8 bytes is more than 1000 bytes"},
		{smallRead, "/s", nil, ErrLimit, "3500 elements of 24 bytes is more than 1000 bytes"},
		{smallRead, "/s", formats.Selection{{Start: 0, Stop: 40, Step: 1}}, ErrLimit, "more than 1000 bytes of values"},
		{smallChunk, "/i64", formats.Selection{{Start: 0, Stop: 10, Step: 1}}, ErrLimit, "column chunk of"},
	}
	for _, tc := range tests {
		_, err := tc.f.Read(ctx, tc.path, tc.sel)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s %v: %v, want %v with %q", tc.path, tc.sel, err, tc.want, tc.msg)
		}
	}
	ctxDone, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := f.Read(ctxDone, "/i64", nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Read with a cancelled context: %v", err)
	}
}

func TestSchemaShape(t *testing.T) {
	tests := []struct {
		counts []int64
		msg    string // "" = valid
	}{
		{[]int64{0}, ""},
		{[]int64{2, 0, 0}, ""},
		{[]int64{2, 0, 1, 0}, ""},
		{[]int64{1, 1, 1, 0}, ""},
		{[]int64{}, "empty schema"},
		{[]int64{3, 0, 0}, "declares 3 children, 2 elements follow"},
		{[]int64{1 << 31, 0}, "declares 2147483648 children"},
		{[]int64{-1, 0}, "declares -1 children"},
		{[]int64{1, 0, 0}, "1 schema elements after the root's last child"},
		{[]int64{0, 0}, "root has no children"},
		{[]int64{2, 1, 0}, "schema ends inside a group"},
	}
	for _, tc := range tests {
		err := checkSchemaShape(tc.counts)
		switch {
		case tc.msg == "" && err != nil:
			t.Errorf("%v: %v", tc.counts, err)
		case tc.msg != "" && (err == nil || !strings.Contains(err.Error(), tc.msg)):
			t.Errorf("%v: %v, want %q", tc.counts, err, tc.msg)
		}
	}
	deep := make([]int64, 100)
	for i := range 99 {
		deep[i] = 1
	}
	if err := checkSchemaShape(deep); !errors.Is(err, ErrUnsupported) {
		t.Errorf("100 levels: %v", err)
	}
}

func TestUniqueNames(t *testing.T) {
	got := uniqueNames([]string{"a", "", "a", "col1", ".", "x/y", "col5", ".."})
	want := []string{"a", "col1", "col2", "col3", "col4", "col5", "col6", "col7"}
	if !slices.Equal(got, want) {
		t.Errorf("uniqueNames = %v, want %v", got, want)
	}
}

// TestUserRequest follows the request through the formats layer:
// ?dataset=/energy&select=[1000:2000]&format=csv on a Parquet upload.
func TestUserRequest(t *testing.T) {
	f := mustOpen(t, memObject(bigFile()))
	ds, ok := f.Dataset("/energy")
	if !ok {
		t.Fatal("no /energy")
	}
	sel, err := selection.Parse("[1000:2000]", ds.Shape)
	if err != nil {
		t.Fatal(err)
	}
	arr, err := f.Read(context.Background(), "/energy", sel)
	if err != nil {
		t.Fatal(err)
	}
	e, err := encode.New(encode.CSV, arr)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := e.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	// energy = (i mod 10007)·0.37, null where i is a multiple of 97 (1067).
	if len(lines) != 1000 || lines[0] != "370" || lines[10] != "373.7" || lines[67] != "" || lines[68] != "395.15999999999997" {
		t.Errorf("%d lines: %q … %q", len(lines), lines[:11], lines[66:69])
	}
}
