package vol

import (
	"flag"
	"os"
	"testing"

	"github.com/sciswift/sciswift/formats/domain"
)

// The benchmarks move one float64 dataset in 4 MiB chunks through the real
// store, as the HDF5 benchmark does with 1 GiB:
//
//	go test ./vol -run '^$' -bench . -vol.bench-bytes 1G
//	SCISWIFT_VOL_BENCH_BYTES=1G go test ./vol -run '^$' -bench .
//
// The default is small so that `go test -bench .` stays quick.
var benchBytesFlag = flag.String("vol.bench-bytes", "", "dataset size of the vol benchmarks (e.g. 1G; default 64M or $SCISWIFT_VOL_BENCH_BYTES)")

const benchChunkElems = 4 << 20 / 8 // 4 MiB of float64

func benchBytes(b *testing.B) int64 {
	v := *benchBytesFlag
	if v == "" {
		v = os.Getenv("SCISWIFT_VOL_BENCH_BYTES")
	}
	if v == "" {
		v = "64M"
	}
	n, err := parseBytes(v)
	if err != nil || n < 8 {
		b.Fatalf("bench size %q: %v", v, err)
	}
	return n / 8 * 8
}

func benchFile(b *testing.B, c *Connector, s Settings, name string, data []byte) {
	f, err := c.CreateFile(s, name, CreateTruncate, nil)
	if err != nil {
		b.Fatal(err)
	}
	n := uint64(len(data) / 8)
	d, err := f.Root().CreateDataset("data", false, DatasetSpec{Type: float64LE,
		Space:  domain.Space{Class: "simple", Dims: []uint64{n}},
		Layout: domain.Layout{Class: "chunked", Chunks: []uint64{min(n, benchChunkElems)}}})
	if err != nil {
		b.Fatal(err)
	}
	if err := d.Write(span(0, n), data); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

func benchData(size int64) []byte {
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i*7 + i>>13)
	}
	return data
}

func BenchmarkWrite(b *testing.B) {
	size := benchBytes(b)
	s := testSettings(b, srv)
	c := newTestConnector(b)
	data := benchData(size)
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		benchFile(b, c, s, "bench.h5", data)
	}
}

func BenchmarkRead(b *testing.B) {
	size := benchBytes(b)
	s := testSettings(b, srv)
	c := newTestConnector(b)
	benchFile(b, c, s, "bench.h5", benchData(size))
	dst := make([]byte, size)
	n := uint64(size / 8)
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := c.OpenFile(s, "bench.h5", false)
		if err != nil {
			b.Fatal(err)
		}
		d, err := f.Root().Resolve("data")
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Read(span(0, n), dst); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if dst[size-1] != byte((size-1)*7+(size-1)>>13) {
		b.Fatal("read back the wrong bytes")
	}
}
