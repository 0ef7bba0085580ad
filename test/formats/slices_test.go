package formats_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// sliceCase is one dataset and the selections read from it.
type sliceCase struct {
	dataset  string
	selects  []string // "" = no select= parameter
	rank     int      // of the dataset
	noBinary bool     // variable-length values: json, csv and arrow only
	src      source
}

// fetchAll reads every selection of every case in every format it can hold.
func fetchAll(t *testing.T, c *checker, s *session, object string, cases []sliceCase) {
	t.Helper()
	for _, sc := range cases {
		for _, sel := range sc.selects {
			for _, f := range allFormats {
				// CSV holds 1-D and 2-D results; npy and raw have no
				// variable-length strings.
				if r := resultRank(sel, sc.rank); f == "csv" && (r == 0 || r > 2) || (sc.noBinary && (f == "npy" || f == "raw")) {
					continue
				}
				c.slice(t, s, object, sc.dataset, sel, f, sc.src)
			}
		}
	}
}

// resultRank is the rank of a selection's result: single indexes drop
// their dimension.
func resultRank(sel string, rank int) int {
	inner := strings.Trim(sel, "[]")
	if inner == "" {
		return rank
	}
	for _, part := range strings.Split(inner, ",") {
		if !strings.Contains(part, ":") {
			rank--
		}
	}
	return rank
}

// TestHDF5 is the HDF5 walk-through: `swift upload sky run1.h5`,
// ?describe as h5dump -H would show it, and slices of contiguous, chunked,
// deflated, shuffled, fletcher32 and compound datasets in every format.
func TestHDF5(t *testing.T) {
	t.Parallel()
	s := login(t, shared.srv, tester)
	dir := t.TempDir()
	h5 := makeH5(t, dir, "a")
	sky := uniq("sky")
	upload(t, shared.srv, sky, h5, "run1.h5")
	obj := sky + "/run1.h5"

	c := newChecker(t)
	c.describe(t, s, obj, source{"kind": "h5file", "file": h5})
	checkAgainstH5dump(t, s, obj, h5)
	// The command, exactly as written there (brackets unescaped).
	r := s.get(t, "/"+obj+"?dataset=/wind/u&select=[0:100:2,5:7]&format=json")
	if r.status != 200 {
		t.Errorf("%s: want 200", r)
	} else {
		var rows [][]any
		decodeJSON(t, r, &rows)
		if len(rows) != 50 || len(rows[0]) != 2 {
			t.Errorf("%s: want 50 rows of 2 values", r)
		}
	}
	fetchAll(t, c, s, obj, []sliceCase{
		{"/wind/u", []string{"", "[0:100:2,5:7]", "[7,3:39:5]", "[199,:]", "[15:45,:]", "[::7,::3]"}, 2, false, h5Source(h5, "/wind/u")},
		{"/wind/v", []string{"", "[0:12,0:12]", "[190:200:3,30:40]"}, 2, false, h5Source(h5, "/wind/v")},
		{"/counts", []string{"", "[10:900:7]", "[999]"}, 1, false, h5Source(h5, "/counts")},
		{"/table", []string{"", "[5:120:3]"}, 1, false, h5Source(h5, "/table")},
		{"/grid/cube", []string{"", "[1:9:2,::3,4]", "[3,4,5]"}, 3, false, h5Source(h5, "/grid/cube")},
		{"/grid/deep/u8", []string{"", "[10:20]"}, 1, false, h5Source(h5, "/grid/deep/u8")},
		{"/flags", []string{"[0:100:3]"}, 1, false, h5Source(h5, "/flags")},
		{"/scalar", []string{""}, 0, false, h5Source(h5, "/scalar")}, // no csv
	})
	c.run(t)
	checkPartialRead(t, s, obj, h5, "/wind/u", "[0:20,0:8]")
}

// TestFITS is `swift upload sky survey.fits` and its slices: images of
// every BITPIX, with BSCALE/BZERO and BLANK, and binary-table columns with
// repeat counts and TSCAL/TZERO, compared with what astropy reads.
func TestFITS(t *testing.T) {
	t.Parallel()
	s := login(t, shared.srv, tester)
	dir := t.TempDir()
	fitsPath := makeFITS(t, dir)
	sky := uniq("sky")
	upload(t, shared.srv, sky, fitsPath, "survey.fits")
	obj := sky + "/survey.fits"

	c := newChecker(t)
	c.describe(t, s, obj, source{"kind": "fitsfile", "file": fitsPath})
	// The cut-out: `curl … ?dataset=/HDU1&select=[0:512,0:512]&format=npy > cut.npy`.
	r := s.get(t, "/"+obj+"?dataset=/HDU1&select=[0:512,0:512]&format=npy")
	if r.status != 200 {
		t.Errorf("%s: want 200", r)
	}
	cases := []sliceCase{
		{"/HDU1", []string{"[0:512,0:512]", "[10,::7]", "[599,699]"}, 2, false, fitsImage(fitsPath, 1)},
		{"/HDU6", []string{"", "[1,2:5,::2]"}, 3, false, fitsImage(fitsPath, 6)},
	}
	for _, hdu := range []int{2, 3, 4, 5, 7, 8, 9, 10, 11} {
		cases = append(cases, sliceCase{fmt.Sprintf("/HDU%d", hdu), []string{"", "[1:5,2::3]"}, 2, false, fitsImage(fitsPath, hdu)})
	}
	for _, col := range []string{"ID", "MAG", "NAME", "GOOD", "SCALED", "USHORT", "BIG"} {
		cases = append(cases, sliceCase{"/HDU12/" + col, []string{"", "[10:400:9]"}, 1, false, fitsColumn(fitsPath, 12, col)})
	}
	for _, col := range []string{"FLUX", "BYTES"} {
		cases = append(cases, sliceCase{"/HDU12/" + col, []string{"", "[3:50:4,1:]"}, 2, false, fitsColumn(fitsPath, 12, col)})
	}
	fetchAll(t, c, s, obj, cases)
	c.run(t)
	checkPartialRead(t, s, obj, fitsPath, "/HDU1", "[0:4,0:4]")
}

// TestParquet is `swift upload sky events.parquet` (written by arrow-go in
// row groups, with nulls, dictionary-encoded, nested and list columns) and
// its columns read back in every format, compared with pqarrow's reading.
func TestParquet(t *testing.T) {
	t.Parallel()
	s := login(t, shared.srv, tester)
	dir := t.TempDir()
	pqPath := filepath.Join(dir, "events.parquet")
	writeParquet(t, pqPath, parquetRows, parquetRowGroup)
	expect, hits := readParquetBack(t, pqPath)
	sky := uniq("sky")
	upload(t, shared.srv, sky, pqPath, "events.parquet")
	obj := sky + "/events.parquet"

	checkParquetDescribe(t, s, obj, expect)

	// The command.
	r := s.get(t, "/"+obj+"?dataset=/energy&select=[1000:2000]&format=csv")
	if r.status != 200 {
		t.Errorf("%s: want 200", r)
	} else if lines := strings.Split(strings.TrimSuffix(string(r.body), "\n"), "\n"); len(lines) != 1000 {
		t.Errorf("%s: %d lines, want 1000", r, len(lines))
	}

	c := newChecker(t)
	var cases []sliceCase
	for _, path := range []string{"/energy", "/id", "/count", "/flag", "/name", "/cat", "/pos/x", "/pos/y"} {
		col := expect[path]
		if col == nil {
			t.Fatalf("pqarrow read back no column %s", path)
		}
		b, err := json.Marshal(col)
		if err != nil {
			t.Fatal(err)
		}
		valuesFile := writeFile(t, dir, strings.ReplaceAll(path[1:], "/", "_")+".json", b)
		cases = append(cases, sliceCase{path, []string{"", "[1000:2000]", "[0:3000:97]", "[2999]", "[690:710]"},
			1, col.Dtype == "str", source{"kind": "values", "file": valuesFile}})
	}
	fetchAll(t, c, s, obj, cases)
	c.run(t)

	checkParquetLists(t, s, obj, hits)
	checkParquetTable(t, s, obj, expect)
	checkPartialRead(t, s, obj, pqPath, "/energy", "[0:10]")
}

// checkParquetDescribe: every column pqarrow reads is a dataset of shape
// [rows], struct fields nested under their struct's group, and /table the
// compound of the fixed-size columns.
func checkParquetDescribe(t *testing.T, s *session, obj string, expect map[string]*parquetColumn) {
	t.Helper()
	r := s.get(t, "/"+obj+"?describe")
	if r.status != 200 {
		t.Errorf("%s: want 200", r)
		return
	}
	var tree describedTree
	decodeJSON(t, r, &tree)
	if tree.Format != "parquet" {
		t.Errorf("%s: format %q, want parquet", r, tree.Format)
	}
	ds := tree.datasets()
	want := []string{"/hits", "/table"}
	for p := range expect {
		want = append(want, p)
	}
	for _, p := range want {
		d, ok := ds[p]
		if !ok {
			t.Errorf("?describe of %s: no dataset %s (have %v)", obj, p, keys(ds))
			continue
		}
		if len(d.Shape) != 1 || d.Shape[0] != parquetRows {
			t.Errorf("?describe of %s: %s has shape %v, want [%d]", obj, p, d.Shape, parquetRows)
		}
		if p != "/table" && (len(d.Chunks) != 1 || d.Chunks[0] != parquetRowGroup) {
			t.Errorf("?describe of %s: %s has chunks %v, want [%d] (the row group length)", obj, p, d.Chunks, parquetRowGroup)
		}
	}
	if g := tree.groups(); g["/pos"] == nil {
		t.Errorf("?describe of %s: no group /pos for the struct column", obj)
	}
	var members []string
	for _, m := range ds["/table"].Type.Members {
		members = append(members, m.Name)
	}
	if got, want := strings.Join(members, ","), "energy,id,count,flag,pos"; got != want {
		t.Errorf("?describe of %s: /table members %s, want %s (the fixed-size columns)", obj, got, want)
	}
}

// checkParquetLists: the list column in JSON is the lists pqarrow reads.
func checkParquetLists(t *testing.T, s *session, obj string, hits [][]int32) {
	t.Helper()
	r := s.get(t, "/"+obj+"?dataset=/hits&select=[1995:2010]&format=json")
	if r.status != 200 {
		t.Errorf("%s: want 200", r)
		return
	}
	var got [][]int32
	decodeJSON(t, r, &got)
	want := hits[1995:2010]
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: got %v, want %v (pqarrow)", r, got, want)
	}
}

// checkParquetTable: rows of the /table compound in JSON hold each
// column's value (null fields read as the fill value).
func checkParquetTable(t *testing.T, s *session, obj string, expect map[string]*parquetColumn) {
	t.Helper()
	r := s.get(t, "/"+obj+"?dataset=/table&select=[90:110]&format=json")
	if r.status != 200 {
		t.Errorf("%s: want 200", r)
		return
	}
	var rows []map[string]any
	decodeJSON(t, r, &rows)
	if len(rows) != 20 {
		t.Fatalf("%s: %d rows, want 20", r, len(rows))
	}
	for i, row := range rows {
		for _, name := range []string{"energy", "id", "count"} {
			col := expect["/"+name]
			want := col.Values[90+i]
			if col.Nulls[90+i] {
				want = fillOf(col.Dtype)
			}
			if !sameNumber(row[name], want) {
				t.Errorf("%s: row %d %s = %v, want %v", r, 90+i, name, row[name], want)
			}
		}
	}
}

func fillOf(dtype string) any {
	if strings.Contains(dtype, "f") {
		return "NaN"
	}
	return 0
}

// sameNumber compares a JSON-decoded number or NaN word with a Go value.
func sameNumber(got, want any) bool {
	if w, ok := want.(string); ok {
		return got == w
	}
	g, ok := got.(float64)
	if !ok {
		return false
	}
	switch w := want.(type) {
	case float64:
		return g == w || (math.IsNaN(g) && math.IsNaN(w))
	case int64:
		return g == float64(w)
	case int32:
		return g == float64(w)
	case int:
		return g == float64(w)
	}
	return false
}

// checkPartialRead: a small slice reads less from the store than the
// whole dataset does, as the server's X-Sciswift-Source-Bytes header
// reports (bytes read from the store for the request, index included).
func checkPartialRead(t *testing.T, s *session, obj, local, dataset, sel string) {
	t.Helper()
	st, err := os.Stat(local)
	if err != nil {
		t.Fatal(err)
	}
	small := sourceBytes(t, s, obj, dataset, sel)
	whole := sourceBytes(t, s, obj, dataset, "")
	if small < 0 || whole < 0 {
		return
	}
	if small >= whole || whole > 2*st.Size() {
		t.Errorf("%s%s of %s read %d bytes from the store, the whole dataset %d, the object is %d bytes; want the slice to read only what it touches",
			dataset, sel, obj, small, whole, st.Size())
	}
	t.Logf("%s%s: read %d bytes, the whole dataset %d, of a %d-byte object", dataset, sel, small, whole, st.Size())
}

// sourceBytes is X-Sciswift-Source-Bytes of a slice request, -1 (and an
// error) when the request fails or the header is missing.
func sourceBytes(t *testing.T, s *session, obj, dataset, sel string) int64 {
	t.Helper()
	q := "?dataset=" + url.QueryEscape(dataset) + "&format=npy"
	if sel != "" {
		q += "&select=" + url.QueryEscape(sel)
	}
	r := s.get(t, "/"+obj+q)
	if r.status != 200 {
		t.Errorf("%s: want 200", r)
		return -1
	}
	v := r.header.Get("X-Sciswift-Source-Bytes")
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		t.Errorf("%s: X-Sciswift-Source-Bytes = %q, want the bytes read from the store", r, v)
		return -1
	}
	return n
}

// describedTree is the JSON of ?describe (the model of formats/model.go).
type describedTree struct {
	Format string          `json:"format"`
	Root   *describedGroup `json:"root"`
}

type describedGroup struct {
	Path       string              `json:"path"`
	Attributes []describedAttr     `json:"attributes"`
	Groups     []*describedGroup   `json:"groups"`
	Datasets   []*describedDataset `json:"datasets"`
}

type describedDataset struct {
	Path    string   `json:"path"`
	Shape   []uint64 `json:"shape"`
	Chunks  []uint64 `json:"chunks"`
	Filters []string `json:"filters"`
	Type    struct {
		Class   string `json:"class"`
		Members []struct {
			Name string `json:"name"`
		} `json:"members"`
	} `json:"type"`
	Attributes []describedAttr `json:"attributes"`
}

type describedAttr struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

func (d *describedTree) datasets() map[string]*describedDataset {
	out := map[string]*describedDataset{}
	var walk func(g *describedGroup)
	walk = func(g *describedGroup) {
		for _, ds := range g.Datasets {
			out[ds.Path] = ds
		}
		for _, sub := range g.Groups {
			walk(sub)
		}
	}
	if d.Root != nil {
		walk(d.Root)
	}
	return out
}

func (d *describedTree) groups() map[string]*describedGroup {
	out := map[string]*describedGroup{}
	var walk func(g *describedGroup)
	walk = func(g *describedGroup) {
		out[g.Path] = g
		for _, sub := range g.Groups {
			walk(sub)
		}
	}
	if d.Root != nil {
		walk(d.Root)
	}
	return out
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
