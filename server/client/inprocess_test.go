package client

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// patternReader yields n deterministic bytes without holding them.
type patternReader struct{ n, off int64 }

func (p *patternReader) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	if rem := p.n - p.off; int64(len(b)) > rem {
		b = b[:rem]
	}
	for i := range b {
		b[i] = byte((p.off + int64(i)) % 251)
	}
	p.off += int64(len(b))
	return len(b), nil
}

func newTransport(t *testing.T, h http.Handler) *http.Client {
	t.Helper()
	tr := NewInProcessTransport(nil)
	tr.Register("backend.test:6200", h)
	return &http.Client{Transport: tr}
}

func TestInProcessBasics(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Path", r.URL.EscapedPath())
		w.Header().Set("X-Query", r.URL.RawQuery)
		w.Header().Set("X-Host", r.Host)
		w.Header().Set("X-Len", strconv.FormatInt(r.ContentLength, 10))
		w.Header().Set("X-TE", strings.Join(r.TransferEncoding, ","))
		switch r.URL.Query().Get("mode") {
		case "nocl":
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(body)
		case "empty":
		case "204":
			w.WriteHeader(http.StatusNoContent)
			if _, err := w.Write([]byte("x")); !errors.Is(err, http.ErrBodyNotAllowed) {
				panic("write on 204 allowed")
			}
		default:
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			_, _ = w.Write(body)
		}
	})
	hc := newTransport(t, h)
	tests := []struct {
		name       string
		method     string
		url        string
		body       io.Reader
		length     int64
		wantStatus int
		wantLen    int64
		wantBody   string
		want       map[string]string
	}{
		{"sized", "PUT", "http://backend.test:6200/d1/3/a/c/o%2Fx?mode=cl", strings.NewReader("hello"), 5,
			200, 5, "hello", map[string]string{"X-Path": "/d1/3/a/c/o%2Fx", "X-Query": "mode=cl", "X-Len": "5", "X-Host": "backend.test:6200"}},
		{"chunked", "PUT", "http://backend.test:6200/x?mode=nocl", io.MultiReader(strings.NewReader("ab"), strings.NewReader("cd")), -1,
			201, -1, "abcd", map[string]string{"X-Len": "-1", "X-TE": "chunked"}},
		{"no body handler silent", "GET", "http://backend.test:6200/x?mode=empty", nil, 0,
			200, 0, "", map[string]string{"X-Len": "0"}},
		{"head keeps length", "HEAD", "http://backend.test:6200/x?mode=cl", nil, 0,
			200, 0, "", nil},
		{"204", "DELETE", "http://backend.test:6200/x?mode=204", nil, 0,
			204, 0, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, tc.url, tc.body)
			if err != nil {
				t.Fatal(err)
			}
			if tc.body != nil {
				req.ContentLength = tc.length
			}
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.wantStatus || resp.ContentLength != tc.wantLen || string(got) != tc.wantBody {
				t.Errorf("got %d len %d body %q; want %d len %d body %q",
					resp.StatusCode, resp.ContentLength, got, tc.wantStatus, tc.wantLen, tc.wantBody)
			}
			for k, v := range tc.want {
				if resp.Header.Get(k) != v {
					t.Errorf("%s = %q, want %q", k, resp.Header.Get(k), v)
				}
			}
		})
	}
}

// TestInProcessStreamsLargeBodies sends 64 MiB up and down through a
// hashing handler and checks that the heap never holds the object.
func TestInProcessStreamsLargeBodies(t *testing.T) {
	const size = 64 << 20
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			sum := md5.New()
			n, err := io.Copy(sum, r.Body)
			if err != nil || n != size {
				http.Error(w, "short body", http.StatusBadRequest)
				return
			}
			w.Header().Set("Etag", string(sum.Sum(nil)))
			w.WriteHeader(http.StatusCreated)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(size))
		_, _ = io.Copy(w, &patternReader{n: size})
	})
	hc := newTransport(t, h)

	var peak uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
	}()
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)

	req, _ := http.NewRequest(http.MethodPut, "http://backend.test:6200/o", &patternReader{n: size})
	req.ContentLength = size
	resp, err := hc.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT: %v %v", resp, err)
	}
	resp.Body.Close()

	resp, err = hc.Get("http://backend.test:6200/o")
	if err != nil {
		t.Fatal(err)
	}
	want := md5.New()
	_, _ = io.Copy(want, &patternReader{n: size})
	got := md5.New()
	n, err := io.Copy(got, resp.Body)
	resp.Body.Close()
	close(stop)
	<-done
	if err != nil || n != size || !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Fatalf("GET: %d bytes, err %v, digest match %v", n, err, bytes.Equal(got.Sum(nil), want.Sum(nil)))
	}
	if grew := int64(peak) - int64(base.HeapInuse); grew > 16<<20 {
		t.Errorf("heap grew by %d MiB moving a 64 MiB object; the body was buffered", grew>>20)
	}
}

func TestInProcessCancellation(t *testing.T) {
	handlerDone := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000000000")
		w.WriteHeader(http.StatusOK)
		_, err := io.Copy(w, &patternReader{n: 1e9})
		handlerDone <- err
	})
	hc := newTransport(t, h)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://backend.test:6200/o", nil)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(resp.Body, make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := io.Copy(io.Discard, resp.Body); !errors.Is(err, context.Canceled) {
		t.Errorf("read after cancel: %v, want context.Canceled", err)
	}
	select {
	case err := <-handlerDone:
		if err == nil {
			t.Error("handler write succeeded after cancel")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("handler still writing after the request was cancelled")
	}
}

func TestInProcessCancelBeforeHeader(t *testing.T) {
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release // ignores its context on purpose
	})
	defer close(release)
	hc := newTransport(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://backend.test:6200/o", nil)
	if _, err := hc.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want deadline exceeded", err)
	}
}

func TestInProcessClosingBodyCancelsHandler(t *testing.T) {
	cancelled := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		<-r.Context().Done()
		close(cancelled)
	})
	hc := newTransport(t, h)
	resp, err := hc.Get("http://backend.test:6200/o")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("closing the response body did not cancel the handler")
	}
}

func TestInProcessShortBodyAndPanic(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/short":
			w.Header().Set("Content-Length", "10")
			_, _ = w.Write([]byte("abc"))
		case "/long":
			w.Header().Set("Content-Length", "2")
			if _, err := w.Write([]byte("abc")); !errors.Is(err, http.ErrContentLength) {
				panic("overlong write accepted")
			}
		case "/panic-before":
			panic("boom")
		case "/panic-after":
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte("partial"))
			panic("boom")
		}
	})
	hc := newTransport(t, h)
	tests := []struct {
		path      string
		doErr     bool
		wantBody  string
		readError error
	}{
		{"/short", false, "abc", io.ErrUnexpectedEOF},
		{"/long", false, "ab", nil},
		{"/panic-before", true, "", nil},
		{"/panic-after", false, "partial", errAny},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := hc.Get("http://backend.test:6200" + tc.path)
			if tc.doErr {
				if err == nil {
					resp.Body.Close()
					t.Fatal("round trip succeeded for a handler that panicked before its header")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, err := io.ReadAll(resp.Body)
			if string(got) != tc.wantBody {
				t.Errorf("body %q, want %q", got, tc.wantBody)
			}
			switch {
			case tc.readError == errAny && err == nil:
				t.Error("read succeeded, want an error")
			case tc.readError != errAny && !errors.Is(err, tc.readError):
				t.Errorf("read error %v, want %v", err, tc.readError)
			}
		})
	}
}

var errAny = errors.New("any error")

func TestInProcessRouting(t *testing.T) {
	fallback := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "network")
	}))
	defer fallback.Close()
	tr := NewInProcessTransport(http.DefaultTransport)
	tr.Register("Pipeline.Internal", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "in-process")
	}))
	hc := &http.Client{Transport: tr}
	for url, want := range map[string]string{
		"http://pipeline.internal/x":    "in-process",
		"http://pipeline.internal:80/x": "in-process",
		fallback.URL + "/x":             "network",
	} {
		resp, err := hc.Get(url)
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(got) != want {
			t.Errorf("%s: %q, want %q", url, got, want)
		}
	}
	noFallback := &http.Client{Transport: NewInProcessTransport(nil)}
	if _, err := noFallback.Get(fallback.URL); !errors.Is(err, ErrNoRoute) {
		t.Errorf("unregistered host without fallback: %v, want ErrNoRoute", err)
	}
}

// TestInProcessHandlerSeesShortUpload checks that a request body shorter
// than its Content-Length reads as an unexpected EOF, as a client that
// disconnects mid-upload does, so a backend never commits a short object.
func TestInProcessHandlerSeesShortUpload(t *testing.T) {
	errc := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		errc <- err
	})
	hc := newTransport(t, h)
	pr, pw := io.Pipe()
	go func() {
		_, _ = pw.Write([]byte("abc"))
		_ = pw.CloseWithError(io.ErrUnexpectedEOF)
	}()
	req, _ := http.NewRequest(http.MethodPut, "http://backend.test:6200/o", pr)
	req.ContentLength = 10
	resp, err := hc.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	if err := <-errc; err == nil {
		t.Fatal("handler read a short body without error")
	}
}
