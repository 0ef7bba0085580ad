package hdf5_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/hdf5"
)

// zeroObject is an object of any size whose bytes are all zero.
type zeroObject int64

func (z zeroObject) ReadAt(p []byte, off int64) (int, error) {
	clear(p)
	return len(p), nil
}

func (z zeroObject) Size() int64 { return int64(z) }

// FuzzParseIndex checks that ParseIndex never panics, and that whatever it
// accepts can be opened and read without panicking either (the reader
// relies on its checks).
func FuzzParseIndex(f *testing.F) {
	good, _ := validIndex().Marshal()
	f.Add(good)
	f.Add([]byte(`{"version":1,"size":10,"root":{"path":"/"}}`))
	if worker, err := workerBinary(); err == nil {
		ix := &hdf5.Indexer{Worker: worker}
		// A real index: every layout, dtype and attribute kind of make_h5.py.
		data, _ := makeFile(f)
		if idx, err := ix.Build(context.Background(), newObject(data)); err == nil {
			b, _ := idx.Marshal()
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		idx, err := hdf5.ParseIndex(data)
		if err != nil {
			return
		}
		file, err := hdf5.Open(zeroObject(idx.Size), idx, nil)
		if err != nil {
			t.Fatalf("a parsed index does not open: %v", err)
		}
		readAll(file)
	})
}

// readAll reads every dataset of f small enough to read whole.
func readAll(f *hdf5.File) {
	var walk func(g *formats.Group)
	walk = func(g *formats.Group) {
		for _, d := range g.Datasets {
			n, _ := formats.Elements(d.Shape)
			if n*uint64(max(d.Type.Size, 1)) > 1<<20 || n > 1<<20 {
				continue
			}
			f.Read(context.Background(), d.Path, nil)
		}
		for _, c := range g.Groups {
			walk(c)
		}
	}
	walk(f.Tree().Root)
}

// FuzzBuild mutates a real HDF5 file and has the worker index it: libhdf5
// may fail or crash in the child, and Build must then answer a formats
// error, never hang or panic; whatever index it returns must be readable.
func FuzzBuild(f *testing.F) {
	ix := indexer(f)
	// libhdf5 can loop forever on some broken files: that is a timeout
	// (ErrIndexer), and must not stall the fuzzer.
	ix.Timeout = 3 * time.Second
	data, _ := makeFile(f)
	f.Add(data)
	f.Add(data[:4096])
	f.Fuzz(func(t *testing.T, data []byte) {
		obj := newObject(data)
		idx, err := ix.Build(context.Background(), obj)
		if err != nil {
			if testing.Verbose() && errors.Is(err, formats.ErrIndexer) {
				t.Log(err)
			}
			for _, want := range []error{formats.ErrCorrupt, formats.ErrIndexer, formats.ErrUnrecognized, formats.ErrUnsupported, formats.ErrLimit} {
				if errors.Is(err, want) {
					return
				}
			}
			t.Fatalf("Build: %v wraps no formats sentinel", err)
		}
		// The Go reader only: worker reads of a broken file may each run
		// to the timeout, which would stall the fuzzer.
		file, err := hdf5.Open(obj, idx, nil)
		if err != nil {
			t.Fatalf("a built index does not open: %v", err)
		}
		readAll(file)
	})
}
