package dataset_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/sciswift/sciswift/formats/hdf5"
	"github.com/sciswift/sciswift/server/proxy/dataset"
)

// h5Worker finds the HDF5 worker program: $SCISWIFT_H5WORKER, else the
// repository's bin/ (make build puts it there).
func h5Worker(t *testing.T) string {
	t.Helper()
	path := os.Getenv("SCISWIFT_H5WORKER")
	if path == "" {
		path, _ = filepath.Abs("../../../bin/sciswift-h5worker")
	}
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no HDF5 worker (%v): set SCISWIFT_H5WORKER or build bin/sciswift-h5worker", err)
	}
	return path
}

const makeHDF5 = `
import sys, numpy as np, h5py
with h5py.File(sys.argv[1], 'w') as f:
    g = f.create_group('wind')
    g.attrs['units'] = 'm/s'
    g.create_dataset('u', data=np.arange(200*60, dtype='<f4').reshape(200, 60) / 8,
                     chunks=(20, 30), compression='gzip', shuffle=True)
    f.create_dataset('flat', data=np.arange(5000, dtype='>i8') * 3)
`

const readHDF5 = `
import sys, json, h5py
with h5py.File(sys.argv[1], 'r') as f:
    print(json.dumps(eval("f[sys.argv[2]]" + sys.argv[3]).tolist()))
`

func TestHDF5Upload(t *testing.T) {
	worker := h5Worker(t)
	s := newStore(t, func(c *dataset.Config) {
		c.HDF5 = dataset.HDF5Files{Indexer: &hdf5.Indexer{Worker: worker}}
	})
	u := s.login(t, "test:tester", "testing")
	path := filepath.Join(t.TempDir(), "run1.h5")
	runPython(t, makeHDF5, path)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	u.must(t, "PUT", "/sky", nil, nil, 201)
	u.must(t, "PUT", "/sky/run1.h5", nil, bytes.NewReader(data), 201)

	r := u.must(t, "GET", "/sky/run1.h5?describe", nil, nil, 200)
	if tree := jsonValue(t, r.body).(map[string]any); tree["format"] != "hdf5" {
		t.Fatalf("describe: %s", r.body)
	}
	cases := []struct{ dataset, sel, numpy string }{
		{"/wind/u", "[0:100:2,5:7]", "[0:100:2, 5:7]"},
		{"/wind/u", "[199,:]", "[199, :]"},
		{"/flat", "[4000:4003]", "[4000:4003]"},
	}
	for _, c := range cases {
		r := u.must(t, "GET", "/sky/run1.h5?dataset="+c.dataset+"&select="+c.sel, nil, nil, 200)
		var want any
		if err := json.Unmarshal(runPython(t, readHDF5, path, c.dataset, c.numpy), &want); err != nil {
			t.Fatal(err)
		}
		if got := jsonValue(t, r.body); !reflect.DeepEqual(got, want) {
			t.Errorf("%s%s: %v, h5py reads %v", c.dataset, c.sel, got, want)
		}
		n, _ := strconv.Atoi(r.header.Get(dataset.HeaderSourceBytes))
		t.Logf("%s%s: %d source bytes of a %d-byte HDF5 file", c.dataset, c.sel, n, len(data))
		if n <= 0 || n >= len(data)/2 {
			t.Errorf("%s%s: %d source bytes of %d", c.dataset, c.sel, n, len(data))
		}
	}
	// Not an HDF5 file after all: the worker's failure is a 422.
	bad := bytes.Clone(data[:4096])
	u.must(t, "PUT", "/sky/truncated.h5", nil, bytes.NewReader(bad), 201)
	if r := u.do(t, "GET", "/sky/truncated.h5?describe", nil, nil); r.status != 422 {
		t.Errorf("truncated HDF5: %d %s", r.status, r.body)
	}
	// A worker that is not there: 501, and the rest still works.
	url2, _ := s.serve(t, func(c *dataset.Config) {
		c.HDF5 = dataset.HDF5Files{Indexer: &hdf5.Indexer{Worker: filepath.Join(t.TempDir(), "missing")}}
	})
	u2 := &user{s: &store{url: url2}, token: u.token, account: u.account}
	u.must(t, "PUT", "/sky/other.h5", nil, bytes.NewReader(data), 201)
	if r := u2.do(t, "GET", "/sky/other.h5?describe", nil, nil); r.status != 501 {
		t.Errorf("no worker: %d %s", r.status, r.body)
	}
}
