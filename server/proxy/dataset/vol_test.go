package dataset_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/server/proxy/dataset"
)

// putVOLFile stores, as the VOL connector lays it out, a file whose root
// group holds /temp, a 6×4 float64 dataset in chunks of 3×4 with
// temp[i][j] = i*10 + j/4.
func putVOLFile(t *testing.T, u *user, container, name string) [][]float64 {
	t.Helper()
	put := func(key string, v any, h map[string]string) {
		t.Helper()
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		u.must(t, "PUT", "/"+container+"/"+key, h, bytes.NewReader(b), 201)
	}
	f64 := formats.Dtype{Class: formats.ClassFloat, Size: 8, Order: formats.LittleEndian}
	put(domain.DocKey(name, domain.KindGroup, 1), domain.Group{
		Header:        domain.Header{ID: 1, Kind: domain.KindGroup, Refcount: 1},
		Links:         []domain.Link{{Name: "temp", Kind: domain.LinkHard, Target: 2, TargetKind: domain.KindDataset}},
		NextLinkOrder: 1,
	}, nil)
	put(domain.DocKey(name, domain.KindDataset, 2), domain.Dataset{
		Header: domain.Header{ID: 2, Kind: domain.KindDataset, Refcount: 1},
		Type:   f64,
		Space:  domain.Space{Class: "simple", Dims: []uint64{6, 4}, MaxDims: []uint64{6, 4}},
		Layout: domain.Layout{Class: "chunked", Chunks: []uint64{3, 4}, StoredChunks: []uint64{3, 4}},
	}, nil)
	values := make([][]float64, 6)
	for i := range values {
		values[i] = make([]float64, 4)
		for j := range values[i] {
			values[i][j] = float64(i*10) + float64(j)/4
		}
	}
	for c := range 2 {
		var chunk []byte
		for i := 3 * c; i < 3*c+3; i++ {
			for _, v := range values[i] {
				chunk = binary.LittleEndian.AppendUint64(chunk, math.Float64bits(v))
			}
		}
		u.must(t, "PUT", "/"+container+"/"+domain.ChunkKey(name, 2, []uint64{uint64(c), 0}), nil, bytes.NewReader(chunk), 201)
	}
	put(name, domain.Manifest{Format: domain.FormatName, Version: domain.Version, Root: 1, NextID: 3},
		map[string]string{"X-Object-Meta-Sciswift-Format": domain.FormatName})
	return values
}

func TestVOLFile(t *testing.T) {
	s := newStore(t, func(c *dataset.Config) { c.VOL = dataset.VOLFiles{} })
	u := s.login(t, "test:tester", "testing")
	u.must(t, "PUT", "/c", nil, nil, 201)
	values := putVOLFile(t, u, "c", "run1.h5")

	r := u.must(t, "GET", "/c/run1.h5?describe", nil, nil, 200)
	if tree := jsonValue(t, r.body).(map[string]any); tree["format"] != "hdf5-vol" {
		t.Fatalf("describe: %s", r.body)
	}
	r = u.must(t, "GET", "/c/run1.h5?dataset=/temp&select=[2:5,1:4:2]", nil, nil, 200)
	var want []any
	for i := 2; i < 5; i++ {
		want = append(want, []any{values[i][1], values[i][3]})
	}
	if got := jsonValue(t, r.body); !reflect.DeepEqual(got, want) {
		t.Errorf("slice across chunks: %v, want %v", got, want)
	}
	if n, _ := strconv.Atoi(r.header.Get(dataset.HeaderSourceBytes)); n < 2*96 {
		t.Errorf("%s = %q: both chunks had to be read", dataset.HeaderSourceBytes, r.header.Get(dataset.HeaderSourceBytes))
	}

	// The manifest itself, as the VOL connector reads it.
	r = u.must(t, "GET", "/c/run1.h5?multipart-manifest=get", nil, nil, 200)
	if m, err := domain.ParseManifest(r.body); err != nil || m.Root != 1 {
		t.Fatalf("manifest: %v %s", err, r.body)
	}
	// What swiftclient HEADs before deleting: the stored object too.
	r = u.must(t, "HEAD", "/c/run1.h5?symlink=get", nil, nil, 200)
	if got := r.header.Get("Content-Type"); got == "application/x-hdf5" {
		t.Errorf("HEAD ?symlink=get answered the streamed file (%s), want the stored manifest", got)
	}

	// A plain GET is a standard HDF5 file, as h5py reads it.
	r = u.must(t, "GET", "/c/run1.h5", nil, nil, 200)
	if r.header.Get("Etag") != "" || r.header.Get("Content-Type") != "application/x-hdf5" ||
		r.header.Get("Content-Length") != strconv.Itoa(len(r.body)) {
		t.Errorf("streamed file headers: %v (%d bytes)", r.header, len(r.body))
	}
	head := u.must(t, "HEAD", "/c/run1.h5", nil, nil, 200)
	if head.header.Get("Content-Length") != strconv.Itoa(len(r.body)) || head.header.Get("Etag") != "" {
		t.Errorf("HEAD disagrees with GET: %v", head.header)
	}
	file := filepath.Join(t.TempDir(), "run1.h5")
	if err := os.WriteFile(file, r.body, 0o644); err != nil {
		t.Fatal(err)
	}
	out := runPython(t, "import sys, json, h5py\nprint(json.dumps(h5py.File(sys.argv[1], 'r')['temp'][()].tolist()))", file)
	var got [][]float64
	if err := json.Unmarshal(out, &got); err != nil || !reflect.DeepEqual(got, values) {
		t.Errorf("h5py reads %s (%v), want %v", strings.TrimSpace(string(out)), err, values)
	}

	// Without the VOL readers the manifest is just an object.
	url2, _ := s.serve(t, nil)
	u2 := &user{s: &store{url: url2}, token: u.token, account: u.account}
	r = u2.must(t, "GET", "/c/run1.h5", nil, nil, 200)
	if _, err := domain.ParseManifest(r.body); err != nil {
		t.Errorf("plain GET without VOL support: %v", err)
	}
	u2.must(t, "GET", "/c/run1.h5?describe", nil, nil, 501)
}
