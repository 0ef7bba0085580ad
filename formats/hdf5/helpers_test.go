package hdf5_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sciswift/sciswift/formats/hdf5"
)

// workerPath is the built worker: $SCISWIFT_H5WORKER, or bin/ at the root of
// the repository (where `make h5worker` puts it).
func workerPath(t testing.TB) string {
	p, err := workerBinary()
	if err != nil {
		t.Skipf("the worker binary is not built (%v); `make h5worker` builds it", err)
	}
	return p
}

func workerBinary() (string, error) {
	p := os.Getenv("SCISWIFT_H5WORKER")
	if p == "" {
		_, here, _, _ := runtime.Caller(0)
		p = filepath.Join(filepath.Dir(here), "..", "..", "bin", "sciswift-h5worker")
	}
	_, err := os.Stat(p)
	return p, err
}

func indexer(t testing.TB) *hdf5.Indexer {
	return &hdf5.Indexer{Worker: workerPath(t), Timeout: time.Minute}
}

// makeFile runs testdata/make_h5.py and returns the file's bytes and the
// expectations it wrote.
func makeFile(t testing.TB, args ...string) (data []byte, expected []byte) {
	t.Helper()
	dir := t.TempDir()
	h5, js := filepath.Join(dir, "t.h5"), filepath.Join(dir, "t.json")
	cmd := exec.Command("/usr/bin/python3", append([]string{"testdata/make_h5.py", h5, js}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make_h5.py: %v\n%s", err, out)
	}
	data, err := os.ReadFile(h5)
	if err != nil {
		t.Fatal(err)
	}
	expected, err = os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	return data, expected
}

// memObject is an object in memory that counts the bytes read from it.
type memObject struct {
	r    *bytes.Reader
	read atomic.Int64
	n    atomic.Int64 // ReadAt calls
}

func newObject(b []byte) *memObject { return &memObject{r: bytes.NewReader(b)} }

func (o *memObject) ReadAt(p []byte, off int64) (int, error) {
	n, err := o.r.ReadAt(p, off)
	o.read.Add(int64(n))
	o.n.Add(1)
	return n, err
}

func (o *memObject) Size() int64 { return o.r.Size() }
