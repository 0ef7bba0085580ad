package proxy_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sciswift/sciswift/server/client"
	"github.com/sciswift/sciswift/server/proxy"
	"github.com/sciswift/sciswift/server/swift"
)

// pattern yields n deterministic bytes without holding them.
type pattern struct{ n, off int64 }

func (p *pattern) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.n-p.off)]
	for i := range b {
		b[i] = byte((p.off + int64(i)) % 253)
	}
	p.off += int64(len(b))
	return len(b), nil
}

// hashingBackend is a fake object and container role: containers exist,
// object PUTs are hashed and dropped, object GETs return a pattern.
type hashingBackend struct {
	size int64
	mu   sync.Mutex
	puts int
}

func (b *hashingBackend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodHead:
		w.WriteHeader(http.StatusNoContent)
	case http.MethodPut:
		sum := md5.New()
		if _, err := io.Copy(sum, r.Body); err != nil {
			w.WriteHeader(499)
			return
		}
		b.mu.Lock()
		b.puts++
		b.mu.Unlock()
		w.Header().Set("Etag", hex.EncodeToString(sum.Sum(nil)))
		w.WriteHeader(http.StatusCreated)
	case http.MethodGet:
		w.Header().Set("Content-Length", strconv.FormatInt(b.size, 10))
		_, _ = io.Copy(w, &pattern{n: b.size})
	}
}

// heapPeak samples the heap until stop is closed.
func heapPeak(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		var peak uint64
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				out <- peak
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return out
}

// TestProxyStreamsLargeObjects moves a 64 MiB object through the proxy to
// three replicas and back and checks that the proxy never holds it.
func TestProxyStreamsLargeObjects(t *testing.T) {
	const size = 64 << 20
	backend := &hashingBackend{size: size}
	tr := client.NewInProcessTransport(nil)
	tr.Register("127.0.0.1:6200", backend)
	tr.Register("127.0.0.1:6201", backend)
	devices := []string{"d1", "d2", "d3"}
	p, err := proxy.New(proxy.Config{
		AccountRing:   buildRing(t, 3, 6201, devices),
		ContainerRing: buildRing(t, 3, 6201, devices),
		ObjectRing:    buildRing(t, 3, 6200, devices),
		HTTP:          &http.Client{Transport: tr},
		Users:         testUsers,
		TokenSecret:   []byte("secret"),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	defer srv.Close()
	cl := &client.Client{}
	mustf(t, cl.Auth(context.Background(), srv.URL+"/auth/v1.0", "test:tester", "testing"), "auth")

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	stop := make(chan struct{})
	peak := heapPeak(stop)

	want := md5.New()
	_, _ = io.Copy(want, &pattern{n: size})
	h, err := cl.PutObject(context.Background(), "c", "big", &pattern{n: size}, size, nil)
	mustf(t, err, "PUT")
	if h.Get("Etag") != hex.EncodeToString(want.Sum(nil)) || backend.puts != 3 {
		t.Errorf("PUT: etag %q, %d replicas written", h.Get("Etag"), backend.puts)
	}
	body, _, err := cl.GetObject(context.Background(), "c", "big", nil)
	mustf(t, err, "GET")
	got := md5.New()
	n, err := io.Copy(got, body)
	body.Close()
	close(stop)
	if err != nil || n != size || hex.EncodeToString(got.Sum(nil)) != hex.EncodeToString(want.Sum(nil)) {
		t.Fatalf("GET: %d bytes, %v", n, err)
	}
	if grew := int64(<-peak) - int64(base.HeapInuse); grew > 24<<20 {
		t.Errorf("heap grew by %d MiB moving a 64 MiB object; the proxy buffered it", grew>>20)
	}
}

func TestPutLengthChecks(t *testing.T) {
	backend := &hashingBackend{}
	tr := client.NewInProcessTransport(nil)
	tr.Register("127.0.0.1:6200", backend)
	tr.Register("127.0.0.1:6201", backend)
	limits := swift.DefaultLimits()
	limits.MaxFileSize = 1000
	p, err := proxy.New(proxy.Config{
		Limits:        limits,
		AccountRing:   buildRing(t, 1, 6201, []string{"d1"}),
		ContainerRing: buildRing(t, 1, 6201, []string{"d1"}),
		ObjectRing:    buildRing(t, 1, 6200, []string{"d1"}),
		HTTP:          &http.Client{Transport: tr},
		Users:         testUsers,
		TokenSecret:   []byte("secret"),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	defer srv.Close()
	cl := &client.Client{}
	mustf(t, cl.Auth(context.Background(), srv.URL+"/auth/v1.0", "test:tester", "testing"), "auth")

	tests := []struct {
		name   string
		body   io.Reader
		length int64 // -1: chunked
		header string
		status int
	}{
		{"no length", nil, 0, "", 411},
		{"explicit zero", nil, 0, "0", 201},
		{"sized", strings.NewReader("abc"), 3, "3", 201},
		{"sized too large", &pattern{n: 1001}, 1001, "1001", 413},
		{"chunked", strings.NewReader("abc"), -1, "", 201},
		{"chunked too large", &pattern{n: 5000}, -1, "", 413},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("PUT", "/v1/AUTH_test/c/o", tc.body)
			r.Header.Set("X-Auth-Token", cl.Token)
			r.ContentLength = tc.length
			if tc.header != "" {
				r.Header.Set("Content-Length", tc.header)
			}
			if tc.length < 0 {
				r.TransferEncoding = []string{"chunked"}
			}
			w := httptest.NewRecorder()
			p.ServeHTTP(w, r)
			if w.Code != tc.status {
				t.Errorf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
		})
	}
}
