package diskfile

import (
	"fmt"
	"io"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

// Every benchmark PUT is a full durable write: fdatasync of the file, and
// the group-committed fsync of its hash directory (and the new suffix or
// partition directories above it).

func benchPut(b *testing.B, d *Device, name string, body []byte) {
	w, err := d.Create(part, hashOf(name), name, swift.Now(), int64(len(body)))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := w.Write(body); err != nil {
		b.Fatal(err)
	}
	if err := w.Commit(Metadata{KeyContentType: "application/octet-stream"}); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkPut4K(b *testing.B) {
	d := newTestDevice(b, nil)
	body := make([]byte, 4096)
	b.SetBytes(int64(len(body)))
	i := 0
	for b.Loop() {
		benchPut(b, d, fmt.Sprintf("a/c/o%d", i), body)
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "puts/s")
}

// BenchmarkPut4KParallel runs 16 writers at once, as `make bench` does.
func BenchmarkPut4KParallel(b *testing.B) {
	d := newTestDevice(b, nil)
	body := make([]byte, 4096)
	b.SetBytes(int64(len(body)))
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			benchPut(b, d, fmt.Sprintf("a/c/o%d", n.Add(1)), body)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "puts/s")
}

func BenchmarkPut64M(b *testing.B) {
	d := newTestDevice(b, nil)
	chunk := make([]byte, 64<<10)
	const size = 64 << 20
	b.SetBytes(size)
	i := 0
	for b.Loop() {
		name := fmt.Sprintf("a/c/big%d", i)
		w, err := d.Create(part, hashOf(name), name, swift.Now(), size)
		if err != nil {
			b.Fatal(err)
		}
		for range size / len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Commit(nil); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkGet64M(b *testing.B) {
	d := newTestDevice(b, nil)
	const size = 64 << 20
	benchPut(b, d, "a/c/big", make([]byte, size))
	buf := make([]byte, 64<<10)
	b.SetBytes(size)
	for b.Loop() {
		o, err := d.Open(part, hashOf("a/c/big"), "a/c/big")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyBuffer(io.Discard, o.Reader(), buf); err != nil {
			b.Fatal(err)
		}
		o.Close()
	}
}

// BenchmarkPut4MParallel is the HDF5 VOL connector's traffic: 16 writers
// storing 4 MiB chunk objects at once.
func BenchmarkPut4MParallel(b *testing.B) {
	d := newTestDevice(b, nil)
	body := make([]byte, 4<<20)
	b.SetBytes(int64(len(body)))
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			benchPut(b, d, fmt.Sprintf("a/c/chunk%d", n.Add(1)), body)
		}
	})
}
