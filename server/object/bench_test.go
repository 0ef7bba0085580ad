package object

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/sciswift/sciswift/ring"
	"github.com/sciswift/sciswift/server/swift"
)

// The handler benchmarks measure what the object role adds to
// storage/diskfile's: parsing, the existence check, metadata and the
// response. No container updates are configured.

func benchServer(b *testing.B) *Server {
	root := b.TempDir()
	if err := os.Mkdir(filepath.Join(root, dev), 0o755); err != nil {
		b.Fatal(err)
	}
	s, err := New(Config{Root: root, Hasher: ring.PathHasher{Prefix: "p", Suffix: "s"}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func benchPut(b *testing.B, s *Server, obj string, body io.Reader, size int64) {
	r := httptest.NewRequest(http.MethodPut, objPath(obj), body)
	r.ContentLength = size
	r.Header.Set("Content-Length", strconv.FormatInt(size, 10))
	r.Header.Set("Content-Type", "application/octet-stream")
	r.Header.Set("X-Timestamp", swift.Now().Internal())
	w := &discardWriter{h: http.Header{}}
	s.ServeHTTP(w, r)
	if w.status != http.StatusCreated {
		b.Fatalf("PUT: %d", w.status)
	}
}

type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(s int)           { w.status = s }

func BenchmarkHandlerPut4KParallel(b *testing.B) {
	s := benchServer(b)
	body := make([]byte, 4096)
	b.SetBytes(4096)
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			benchPut(b, s, fmt.Sprintf("o%d", n.Add(1)), bytes.NewReader(body), 4096)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "puts/s")
}

func BenchmarkHandlerGet64M(b *testing.B) {
	s := benchServer(b)
	const size = 64 << 20
	benchPut(b, s, "big", bytes.NewReader(make([]byte, size)), size)
	b.SetBytes(size)
	for b.Loop() {
		w := &discardWriter{h: http.Header{}}
		s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, objPath("big"), nil))
		if w.status != http.StatusOK {
			b.Fatalf("GET: %d", w.status)
		}
	}
}
