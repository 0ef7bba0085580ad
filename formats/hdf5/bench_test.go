package hdf5_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/hdf5"
)

// bigFile is a 2048×2048 float64 dataset /big (32 MiB of elements) in
// 128×128 deflated chunks, made by h5py.
func bigFile(b *testing.B) []byte {
	path := filepath.Join(b.TempDir(), "big.h5")
	if out, err := exec.Command("/usr/bin/python3", "testdata/make_big_h5.py", path, "2048").CombinedOutput(); err != nil {
		b.Fatalf("make_big_h5.py: %v\n%s", err, out)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkIndexAndReadSlice indexes the big file and reads a 10×10 slice,
// reporting the bytes read from the object by each step against the
// object's size.
func BenchmarkIndexAndReadSlice(b *testing.B) {
	ix := indexer(b)
	data := bigFile(b)
	sel := formats.Selection{{Start: 1000, Stop: 1010, Step: 1}, {Start: 1000, Stop: 1010, Step: 1}}
	var indexBytes, readBytes, reads int64
	b.ResetTimer()
	for b.Loop() {
		obj := newObject(data)
		idx, err := ix.Build(context.Background(), obj)
		if err != nil {
			b.Fatal(err)
		}
		indexBytes = obj.read.Load()
		f, err := hdf5.Open(obj, idx, ix)
		if err != nil {
			b.Fatal(err)
		}
		before := obj.n.Load()
		if _, err := f.Read(context.Background(), "/big", sel); err != nil {
			b.Fatal(err)
		}
		readBytes = obj.read.Load() - indexBytes
		reads = obj.n.Load() - before
	}
	b.ReportMetric(float64(len(data)), "object-bytes")
	b.ReportMetric(float64(indexBytes), "index-bytes-read")
	b.ReportMetric(float64(readBytes), "slice-bytes-read")
	b.ReportMetric(float64(reads), "slice-range-reads")
}

// BenchmarkReadRows reads 256 whole rows (32 chunks, 4 MiB of elements)
// from an index built once, as a server with the index cached does.
func BenchmarkReadRows(b *testing.B) {
	ix := indexer(b)
	data := bigFile(b)
	obj := newObject(data)
	idx, err := ix.Build(context.Background(), obj)
	if err != nil {
		b.Fatal(err)
	}
	f, err := hdf5.Open(obj, idx, ix)
	if err != nil {
		b.Fatal(err)
	}
	sel := formats.Selection{{Start: 512, Stop: 768, Step: 1}, {Start: 0, Stop: 2048, Step: 1}}
	b.SetBytes(256 * 2048 * 8)
	var readBytes, reads int64
	b.ResetTimer()
	for b.Loop() {
		bytes0, n0 := obj.read.Load(), obj.n.Load()
		if _, err := f.Read(context.Background(), "/big", sel); err != nil {
			b.Fatal(err)
		}
		readBytes, reads = obj.read.Load()-bytes0, obj.n.Load()-n0
	}
	b.ReportMetric(float64(readBytes), "bytes-read")
	b.ReportMetric(float64(reads), "range-reads")
}
