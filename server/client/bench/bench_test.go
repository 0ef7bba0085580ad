package bench

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSwift is just enough of Swift for the bench: tempauth, container
// PUT, object PUT/GET/DELETE. Knobs make it misbehave.
type fakeSwift struct {
	t   *testing.T
	srv *httptest.Server

	mu         sync.Mutex
	objects    map[string][]byte
	puts       map[string]int // object path → number of PUTs
	containers map[string]bool
	maxInGet   int // highest number of concurrent requests seen
	inFlight   int

	corruptGet bool // flip a byte of every GET body
	wrongEtag  bool // answer PUTs with a wrong ETag
	failPuts   bool // answer PUTs with 503
}

const fakeToken = "AUTH_tkfake"

func newFakeSwift(t *testing.T) *fakeSwift {
	f := &fakeSwift{t: t, objects: map[string][]byte{}, puts: map[string]int{}, containers: map[string]bool{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSwift) config() Config {
	return Config{AuthURL: f.srv.URL + "/auth/v1.0", User: "test:tester", Key: "testing", Container: "bench"}
}

func (f *fakeSwift) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.inFlight++
	if f.inFlight > f.maxInGet {
		f.maxInGet = f.inFlight
	}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()
	// Give concurrent workers a chance to overlap.
	time.Sleep(200 * time.Microsecond)

	if r.URL.Path == "/auth/v1.0" {
		if r.Header.Get("X-Auth-User") != "test:tester" || r.Header.Get("X-Auth-Key") != "testing" {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		w.Header().Set("X-Auth-Token", fakeToken)
		w.Header().Set("X-Storage-Token", fakeToken)
		w.Header().Set("X-Storage-Url", f.srv.URL+"/v1/AUTH_test")
		w.WriteHeader(http.StatusOK)
		return
	}
	if r.Header.Get("X-Auth-Token") != fakeToken {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/v1/AUTH_test/")
	if !ok {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	container, _, isObject := strings.Cut(rest, "/")
	f.mu.Lock()
	defer f.mu.Unlock()
	if !isObject {
		if r.Method != http.MethodPut {
			http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
			return
		}
		if f.containers[container] {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		f.containers[container] = true
		w.WriteHeader(http.StatusCreated)
		return
	}
	if !f.containers[container] {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	switch r.Method {
	case http.MethodPut:
		f.mu.Unlock()
		data, err := io.ReadAll(r.Body)
		f.mu.Lock()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if r.ContentLength != int64(len(data)) {
			f.t.Errorf("PUT %s: Content-Length %d but %d bytes sent", r.URL.Path, r.ContentLength, len(data))
		}
		if f.failPuts {
			http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
			return
		}
		sum := md5.Sum(data)
		etag := hex.EncodeToString(sum[:])
		if f.wrongEtag {
			etag = strings.Repeat("0", 32)
		}
		f.objects[r.URL.Path] = data
		f.puts[r.URL.Path]++
		w.Header().Set("Etag", etag)
		w.WriteHeader(http.StatusCreated)
	case http.MethodGet:
		data, ok := f.objects[r.URL.Path]
		if !ok {
			http.Error(w, "Not Found", http.StatusNotFound)
			return
		}
		if f.corruptGet && len(data) > 0 {
			data = bytes.Clone(data)
			data[len(data)/2] ^= 0xff
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(data)))
		w.WriteHeader(http.StatusOK)
		w.Write(data)
	case http.MethodDelete:
		if _, ok := f.objects[r.URL.Path]; !ok {
			http.Error(w, "Not Found", http.StatusNotFound)
			return
		}
		delete(f.objects, r.URL.Path)
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
	}
}

func TestRunCountMode(t *testing.T) {
	f := newFakeSwift(t)
	cfg := f.config()
	cfg.Sizes = []int64{4 << 10, 3<<20 + 17} // one small, one larger than the random block
	cfg.Concurrency = []int{1, 4}
	cfg.Count = 12
	var out bytes.Buffer
	results, err := Run(context.Background(), cfg, &out)
	if err != nil {
		t.Fatalf("Run: %v\noutput:\n%s", err, out.String())
	}
	if len(results) != 8 {
		t.Fatalf("got %d results, want 8 (2 sizes × 2 concurrencies × PUT,GET)", len(results))
	}
	i := 0
	for _, size := range cfg.Sizes {
		for _, conc := range cfg.Concurrency {
			for _, phase := range []string{"PUT", "GET"} {
				r := results[i]
				i++
				if r.Phase != phase || r.Size != size || r.Concurrency != conc {
					t.Errorf("result %d is %s/%d/%d, want %s/%d/%d", i, r.Phase, r.Size, r.Concurrency, phase, size, conc)
				}
				if r.Ops != cfg.Count || r.Errors != 0 {
					t.Errorf("%s %d×%d: ops=%d errors=%d, want %d, 0", phase, size, conc, r.Ops, r.Errors, cfg.Count)
				}
				if r.Bytes != int64(cfg.Count)*size {
					t.Errorf("%s %d×%d: bytes=%d, want %d", phase, size, conc, r.Bytes, int64(cfg.Count)*size)
				}
				if r.OpsPerSec <= 0 || r.MBPerSec <= 0 || r.P50 <= 0 || r.P99 < r.P50 {
					t.Errorf("%s %d×%d: implausible figures %+v", phase, size, conc, r)
				}
			}
		}
	}
	text := out.String()
	for _, want := range []string{"ops/s", "MB/s", "p50", "p99", "4 KiB", "PUT", "GET"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if lines := strings.Count(text, "\n"); lines != 2+8 {
		t.Errorf("output has %d lines, want a title, a header and 8 rows:\n%s", lines, text)
	}
	t.Logf("\n%s", text)

	f.mu.Lock()
	defer f.mu.Unlock()
	// Distinct names: every object PUT exactly once; 4 cells × 12 objects.
	if len(f.puts) != 4*cfg.Count {
		t.Errorf("%d distinct objects were PUT, want %d", len(f.puts), 4*cfg.Count)
	}
	for name, n := range f.puts {
		if n != 1 {
			t.Errorf("%s was PUT %d times", name, n)
		}
	}
	// Objects differ from one another.
	seen := map[[16]byte]string{}
	for name, data := range f.objects {
		sum := md5.Sum(data)
		if other, dup := seen[sum]; dup {
			t.Errorf("%s and %s have the same content", name, other)
		}
		seen[sum] = name
	}
	if f.maxInGet < 2 {
		t.Errorf("never saw concurrent requests (max in flight %d) although concurrency 4 was asked", f.maxInGet)
	}
}

func TestRunCleansUp(t *testing.T) {
	f := newFakeSwift(t)
	cfg := f.config()
	cfg.Sizes = []int64{1000}
	cfg.Concurrency = []int{2}
	cfg.Count = 5
	if _, err := Run(context.Background(), cfg, io.Discard); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.objects) != 0 {
		t.Errorf("%d objects left behind after the run", len(f.objects))
	}
}

func TestRunDurationMode(t *testing.T) {
	f := newFakeSwift(t)
	cfg := f.config()
	cfg.Sizes = []int64{512}
	cfg.Concurrency = []int{3}
	cfg.Duration = 150 * time.Millisecond
	start := time.Now()
	results, err := Run(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 || results[0].Ops == 0 || results[1].Ops == 0 {
		t.Fatalf("results %+v: want a PUT and a GET phase with operations", results)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("a 150ms-per-phase run took %s", el)
	}
}

func TestRunDetectsCorruptGet(t *testing.T) {
	f := newFakeSwift(t)
	f.corruptGet = true
	cfg := f.config()
	cfg.Sizes = []int64{4096}
	cfg.Concurrency = []int{2}
	cfg.Count = 4
	results, err := Run(context.Background(), cfg, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "MD5") {
		t.Fatalf("Run error = %v, want a MD5 mismatch", err)
	}
	if len(results) != 2 || results[1].Errors != 4 || results[1].Ops != 0 {
		t.Errorf("GET phase = %+v, want 4 errors and no successful ops", results[len(results)-1])
	}
}

func TestRunDetectsWrongPutEtag(t *testing.T) {
	f := newFakeSwift(t)
	f.wrongEtag = true
	cfg := f.config()
	cfg.Sizes = []int64{4096}
	cfg.Concurrency = []int{1}
	cfg.Count = 3
	_, err := Run(context.Background(), cfg, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "ETag") {
		t.Fatalf("Run error = %v, want an ETag mismatch", err)
	}
}

func TestRunReportsFailedPuts(t *testing.T) {
	f := newFakeSwift(t)
	f.failPuts = true
	cfg := f.config()
	cfg.Sizes = []int64{10}
	cfg.Concurrency = []int{1}
	cfg.Count = 2
	results, err := Run(context.Background(), cfg, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("Run error = %v, want the 503s reported", err)
	}
	if len(results) != 1 || results[0].Errors != 2 {
		t.Errorf("results %+v: want one PUT phase with 2 errors (GET skipped)", results)
	}
}

func TestRunBadAuth(t *testing.T) {
	f := newFakeSwift(t)
	cfg := f.config()
	cfg.Key = "wrong"
	cfg.Sizes = []int64{10}
	cfg.Concurrency = []int{1}
	cfg.Count = 1
	_, err := Run(context.Background(), cfg, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("Run error = %v, want an auth failure with 401", err)
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	base := Config{AuthURL: "http://x/auth/v1.0", User: "a:b", Sizes: []int64{1}, Concurrency: []int{1}, Count: 1}
	for name, mutate := range map[string]func(*Config){
		"no auth url":     func(c *Config) { c.AuthURL = "" },
		"no sizes":        func(c *Config) { c.Sizes = nil },
		"no concurrency":  func(c *Config) { c.Concurrency = nil },
		"zero conc":       func(c *Config) { c.Concurrency = []int{0} },
		"negative size":   func(c *Config) { c.Sizes = []int64{-1} },
		"neither stopper": func(c *Config) { c.Count = 0; c.Duration = 0 },
	} {
		cfg := base
		mutate(&cfg)
		if _, err := Run(context.Background(), cfg, io.Discard); err == nil {
			t.Errorf("%s: Run accepted %+v", name, cfg)
		}
	}
}

func TestRunCancelled(t *testing.T) {
	f := newFakeSwift(t)
	cfg := f.config()
	cfg.Sizes = []int64{100}
	cfg.Concurrency = []int{2}
	cfg.Duration = time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { _, err := Run(ctx, cfg, io.Discard); done <- err }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Run returned no error after its context ended")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

func TestCyclicReader(t *testing.T) {
	block := []byte("0123456789")
	r := &cyclicReader{block: block, off: 7, remaining: 25}
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := "7890123456789012345678901"; string(got) != want {
		t.Errorf("Read: %q, want %q", got, want)
	}
	var buf bytes.Buffer
	r = &cyclicReader{block: block, off: 7, remaining: 25}
	if n, err := r.WriteTo(&buf); err != nil || n != 25 || buf.String() != string(got) {
		t.Errorf("WriteTo: %d %v %q", n, err, buf.String())
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i))
	}
	if p := percentile(d, 50); p != 50 {
		t.Errorf("p50 = %d", p)
	}
	if p := percentile(d, 99); p != 99 {
		t.Errorf("p99 = %d", p)
	}
	if p := percentile(d[:1], 99); p != 1 {
		t.Errorf("p99 of one = %d", p)
	}
	if p := percentile(nil, 50); p != 0 {
		t.Errorf("p50 of none = %d", p)
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{4096: "4 KiB", 64 << 20: "64 MiB", 1 << 30: "1 GiB", 1000: "1000 B", 1536: "1536 B"} {
		if got := formatSize(n); got != want {
			t.Errorf("formatSize(%d) = %q, want %q", n, got, want)
		}
	}
}
