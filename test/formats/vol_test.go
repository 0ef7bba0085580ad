package formats_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/vol"
)

// volDataset is one dataset of the VOL-written file: how it is created and
// the values written (as float64, exact for every value used here).
type volDataset struct {
	path    string
	dtype   formats.Dtype
	numpy   string // the dtype h5py must read
	dims    []uint64
	layout  domain.Layout
	values  []float64
	encode  func(b []byte, v float64) // one element, little-endian
	element int
}

var (
	f64LE = formats.Dtype{Class: formats.ClassFloat, Size: 8, Order: formats.LittleEndian}
	f32LE = formats.Dtype{Class: formats.ClassFloat, Size: 4, Order: formats.LittleEndian}
	i32LE = formats.Dtype{Class: formats.ClassInteger, Size: 4, Order: formats.LittleEndian, Signed: true}
	i64LE = formats.Dtype{Class: formats.ClassInteger, Size: 8, Order: formats.LittleEndian, Signed: true}
)

func putF64(b []byte, v float64) { binary.LittleEndian.PutUint64(b, math.Float64bits(v)) }
func putF32(b []byte, v float64) { binary.LittleEndian.PutUint32(b, math.Float32bits(float32(v))) }
func putI32(b []byte, v float64) { binary.LittleEndian.PutUint32(b, uint32(int32(v))) }
func putI64(b []byte, v float64) { binary.LittleEndian.PutUint64(b, uint64(int64(v))) }

// volDatasets are the file's datasets: chunked with NaN and infinities,
// contiguous in a nested group, 3-D with partial edge chunks, 2000 chunks
// (a chunk index of several nodes), and deflate+shuffle.
func volDatasets() []volDataset {
	values := func(n int, f func(i int) float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = f(i)
		}
		return v
	}
	temps := values(600, func(i int) float64 { return float64(i)*0.5 - 77.25 })
	temps[7], temps[8], temps[9] = math.NaN(), math.Inf(1), math.Inf(-1)
	return []volDataset{
		{"/temps", f64LE, "<f8", []uint64{100, 6}, domain.Layout{Class: "chunked", Chunks: []uint64{10, 6}}, temps, putF64, 8},
		{"/g/counts", i32LE, "<i4", []uint64{50}, domain.Layout{Class: "contiguous"},
			values(50, func(i int) float64 { return float64(i*i - 300) }), putI32, 4},
		{"/g/h/cube", f32LE, "<f4", []uint64{7, 9, 11}, domain.Layout{Class: "chunked", Chunks: []uint64{3, 4, 5}},
			values(7*9*11, func(i int) float64 { return float64(i) * 0.25 }), putF32, 4},
		{"/big", i64LE, "<i8", []uint64{200000}, domain.Layout{Class: "chunked", Chunks: []uint64{100}},
			values(200000, func(i int) float64 { return float64(i*3 - 7) }), putI64, 8},
		{"/packed", f64LE, "<f8", []uint64{1000}, domain.Layout{Class: "chunked", Chunks: []uint64{100},
			Filters: []domain.Filter{{ID: 2, Name: "shuffle", Params: []uint32{8}}, {ID: 1, Name: "deflate", Params: []uint32{6}}}},
			values(1000, func(i int) float64 { return math.Sqrt(float64(i)) }), putF64, 8},
	}
}

// writeVOLFile writes CONTAINER/vol1.h5 through the connector's Go API, as
// an HDF5 program using HDF5_VOL_CONNECTOR=sciswift would.
func writeVOLFile(t *testing.T, container string, datasets []volDataset) {
	t.Helper()
	s, err := vol.ParseSettings(fmt.Sprintf("auth=%s/auth/v1.0 user=%s key=%s container=%s",
		shared.srv.BaseURL, tester.name, tester.key, container), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := vol.NewConnector()
	defer c.Close()
	f, err := c.CreateFile(s, "vol1.h5", vol.CreateExclusive, nil)
	if err != nil {
		t.Fatalf("vol CreateFile: %v", err)
	}
	for _, ds := range datasets {
		d, err := f.Root().CreateDataset(ds.path, true, vol.DatasetSpec{
			Type: ds.dtype, Space: domain.Space{Class: "simple", Dims: ds.dims}, Layout: ds.layout,
		})
		if err != nil {
			t.Fatalf("vol CreateDataset %s: %v", ds.path, err)
		}
		b := make([]byte, ds.element*len(ds.values))
		for i, v := range ds.values {
			ds.encode(b[ds.element*i:], v)
		}
		if err := d.Write([]vol.Run{{Offset: 0, Count: uint64(len(ds.values))}}, b); err != nil {
			t.Fatalf("vol Write %s: %v", ds.path, err)
		}
	}
	a, err := f.Root().CreateAttr("version", i32LE, domain.Space{Class: "scalar"}, nil)
	if err != nil {
		t.Fatalf("vol CreateAttr: %v", err)
	}
	if err := a.Write([]byte{7, 0, 0, 0}); err != nil {
		t.Fatalf("vol attribute Write: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("vol Close: %v", err)
	}
}

// TestVOLFile: a file written through the VOL connector downloads with
// `swift download` as a standard HDF5 file h5py reads with the values
// written, and the dataset API describes and slices it too.
func TestVOLFile(t *testing.T) {
	t.Parallel()
	s := login(t, shared.srv, tester)
	c := uniq("vol")
	datasets := volDatasets()
	writeVOLFile(t, c, datasets)

	t.Run("swift download", func(t *testing.T) { checkVOLDownload(t, c, datasets) })
	t.Run("dataset API", func(t *testing.T) { checkVOLDataset(t, s, c, datasets) })
}

// checkVOLDownload: `swift download` gives a standard HDF5 file that h5py
// reads with the values written.
func checkVOLDownload(t *testing.T, c string, datasets []volDataset) {
	dir := t.TempDir()
	swift(t, shared.srv, dir, tester, "download", c, "vol1.h5", "-o", "downloaded.h5")
	got, err := os.ReadFile(filepath.Join(dir, "downloaded.h5"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(got, []byte("\x89HDF\r\n\x1a\n")) {
		t.Fatalf("swift download %s vol1.h5: %d bytes without the HDF5 signature, starting %q", c, len(got), got[:min(len(got), 200)])
	}
	var dump struct {
		Datasets map[string]struct {
			Dtype  string `json:"dtype"`
			Shape  []int  `json:"shape"`
			Values []any  `json:"values"`
		} `json:"datasets"`
		Attrs map[string]map[string]any `json:"attrs"`
	}
	out := runPython(t, "dump_h5.py", filepath.Join(dir, "downloaded.h5"))
	if err := json.Unmarshal(out, &dump); err != nil {
		t.Fatalf("dump_h5.py: %v\n%s", err, out)
	}
	if len(dump.Datasets) != len(datasets) {
		t.Errorf("h5py finds datasets %v in the downloaded file, want %d", keys(dump.Datasets), len(datasets))
	}
	for _, ds := range datasets {
		d, ok := dump.Datasets[ds.path]
		if !ok {
			t.Errorf("h5py: no %s in the downloaded file (datasets: %v)", ds.path, keys(dump.Datasets))
			continue
		}
		if fmt.Sprint(d.Shape) != fmt.Sprint(ds.dims) || d.Dtype != ds.numpy || len(d.Values) != len(ds.values) {
			t.Errorf("h5py reads %s as %s %v (%d values), want %s %v", ds.path, d.Dtype, d.Shape, len(d.Values), ds.numpy, ds.dims)
			continue
		}
		for i, want := range ds.values {
			if !sameNumber(d.Values[i], floatWord(want)) {
				t.Errorf("h5py: %s element %d = %v, want %v", ds.path, i, d.Values[i], want)
				break
			}
		}
	}
	if v := dump.Attrs["/"]["version"]; !sameNumber(v, 7) {
		t.Errorf("h5py: root attribute version = %v, want 7", v)
	}
}

// checkVOLDataset: the dataset API describes and slices the VOL-written file.
func checkVOLDataset(t *testing.T, s *session, c string, datasets []volDataset) {
	r := s.get(t, "/"+c+"/vol1.h5?describe")
	if r.status != 200 {
		t.Fatalf("%s: want 200", r)
	}
	var tree describedTree
	decodeJSON(t, r, &tree)
	ds := tree.datasets()
	if tree.Format != "hdf5-vol" {
		t.Errorf("%s: format %q, want hdf5-vol", r, tree.Format)
	}
	for _, want := range datasets {
		if d := ds[want.path]; d == nil || fmt.Sprint(d.Shape) != fmt.Sprint(want.dims) {
			t.Errorf("%s: want %s of shape %v", r, want.path, want.dims)
		}
	}
	temps := datasets[0].values
	r = s.get(t, "/"+c+"/vol1.h5?dataset=/temps&select=[1:3,::2]&format=json")
	if r.status != 200 {
		t.Fatalf("%s: want 200", r)
	}
	var got [][]any
	decodeJSON(t, r, &got)
	if len(got) != 2 || len(got[0]) != 3 {
		t.Fatalf("%s: want 2 rows of 3", r)
	}
	for i, row := range got {
		for j, v := range row {
			if want := temps[(1+i)*6+2*j]; !sameNumber(v, floatWord(want)) {
				t.Errorf("%s: [%d][%d] = %v, want %v", r, i, j, v, want)
			}
		}
	}
	big := datasets[3].values
	r = s.get(t, "/"+c+"/vol1.h5?dataset=/big&select=[150050:150060]&format=json")
	if r.status != 200 {
		t.Fatalf("%s: want 200", r)
	}
	var got1 []any
	decodeJSON(t, r, &got1)
	for i, v := range got1 {
		if !sameNumber(v, big[150050+i]) {
			t.Errorf("%s: [%d] = %v, want %v", r, i, v, big[150050+i])
		}
	}
}
