package hdf5

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sciswift/sciswift/formats"
)

type bytesObject struct{ *bytes.Reader }

func (b bytesObject) Size() int64 { return b.Reader.Size() }

// TestWorkerOpensNoFiles asks the worker itself (past File.Read, which
// refuses such datasets) to read a dataset whose raw data is in an external
// file that exists and is readable: libhdf5 must fail to open it.
func TestWorkerOpensNoFiles(t *testing.T) {
	worker := filepath.Join("..", "..", "bin", "sciswift-h5worker")
	if p := os.Getenv("SCISWIFT_H5WORKER"); p != "" {
		worker = p
	}
	if _, err := os.Stat(worker); err != nil {
		t.Skipf("the worker binary is not built (%v); `make h5worker` builds it", err)
	}
	dir := t.TempDir()
	h5, raw := filepath.Join(dir, "x.h5"), filepath.Join(dir, "x.raw")
	script := `
import sys, h5py, numpy as np
np.arange(8, dtype="<i4").tofile(sys.argv[2])
with h5py.File(sys.argv[1], "w") as f:
    f.create_dataset("external", shape=(8,), dtype="<i4", external=[(sys.argv[2], 0, 32)])
with h5py.File(sys.argv[1], "r") as f:
    assert list(f["external"][:]) == list(range(8))  # h5py itself can read it
`
	if out, err := exec.Command("/usr/bin/python3", "-c", script, h5, raw).CombinedOutput(); err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	data, err := os.ReadFile(h5)
	if err != nil {
		t.Fatal(err)
	}
	ix := &Indexer{Worker: worker}
	arr, err := ix.readWorker(context.Background(), bytesObject{bytes.NewReader(data)}, "/external", nil)
	if err == nil {
		t.Fatalf("the worker read %v from a file outside the object", arr.Data)
	}
	if !errors.Is(err, formats.ErrCorrupt) {
		t.Errorf("got %v, want the read refused as a failed read", err)
	}
	t.Log(err)
}
