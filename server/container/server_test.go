package container

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

// newTestServer returns a container server over a root with device d1.
func newTestServer(t testing.TB, limits swift.Limits) *Server {
	t.Helper()
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "d1"), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Root: root, Limits: limits, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// call sends one request to h; hdr alternates names and values.
func call(h http.Handler, method, path string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "http://backend"+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// T is an X-Timestamp header pair for second n after a fixed epoch.
func T(n int64) []string {
	return []string{swift.HeaderTimestamp, swift.TimestampFromSeconds(1_700_000_000 + n).Internal()}
}

func with(a []string, more ...string) []string { return append(append([]string(nil), a...), more...) }

// exchange is one request and what it must answer.
type exchange struct {
	method, path string
	hdr          []string
	status       int
	headers      map[string]string // "" means must be absent
	body         string            // checked when set
}

func (e exchange) check(t *testing.T, h http.Handler) {
	t.Helper()
	w := call(h, e.method, e.path, e.hdr...)
	if w.Code != e.status {
		t.Fatalf("%s %s = %d %q, want %d", e.method, e.path, w.Code, w.Body.String(), e.status)
	}
	for k, want := range e.headers {
		if got := w.Header().Get(k); got != want {
			t.Errorf("%s %s: %s = %q, want %q", e.method, e.path, k, got, want)
		}
	}
	if e.body != "" && w.Body.String() != e.body {
		t.Errorf("%s %s: body %q, want %q", e.method, e.path, w.Body.String(), e.body)
	}
}

func TestContainerServer(t *testing.T) {
	const c, o = "/d1/0/a/c", "/d1/0/a/c/o"
	row := func(n int64, size string) []string {
		return with(T(n), swift.HeaderSize, size, swift.HeaderEtag, "etag", swift.HeaderContentType, "text/plain")
	}
	tests := []struct {
		name string
		ex   []exchange
	}{
		{"create and head", []exchange{
			{method: "PUT", path: c, hdr: with(T(1), "X-Container-Meta-Color", "red", "X-Container-Read", ".r:*"), status: 201},
			{method: "HEAD", path: c, status: 204, headers: map[string]string{
				"X-Container-Object-Count": "0", "X-Container-Bytes-Used": "0",
				"X-Timestamp": "1700000001.00000", "X-Put-Timestamp": "1700000001.00000",
				"X-Backend-Timestamp": "1700000001.00000", "X-Container-Meta-Color": "red",
				"X-Container-Read": ".r:*", "Content-Type": "text/plain; charset=utf-8",
				"Last-Modified": "Tue, 14 Nov 2023 22:13:21 GMT",
			}},
		}},
		{"put existing is 202", []exchange{
			{method: "PUT", path: c, hdr: T(1), status: 201},
			{method: "PUT", path: c, hdr: with(T(2), "X-Container-Sysmeta-Owner", "x"), status: 202},
			{method: "HEAD", path: c, status: 204, headers: map[string]string{
				"X-Put-Timestamp": "1700000002.00000", "X-Timestamp": "1700000001.00000", "X-Container-Sysmeta-Owner": "x",
			}},
		}},
		{"head missing", []exchange{
			{method: "HEAD", path: c, status: 404, headers: map[string]string{
				"X-Backend-Timestamp": "0000000000.00000", "X-Container-Object-Count": "",
			}},
		}},
		{"get missing", []exchange{{method: "GET", path: c, status: 404, body: "The resource could not be found."}}},
		{"post merges and removes", []exchange{
			{method: "PUT", path: c, hdr: with(T(1), "X-Container-Meta-A", "1", "X-Container-Meta-B", "2"), status: 201},
			{method: "POST", path: c, hdr: with(T(2), "X-Remove-Container-Meta-A", "x", "X-Container-Meta-C", "3"), status: 204},
			{method: "HEAD", path: c, status: 204, headers: map[string]string{
				"X-Container-Meta-A": "", "X-Container-Meta-B": "2", "X-Container-Meta-C": "3", "X-Put-Timestamp": "1700000002.00000",
			}},
		}},
		{"post missing", []exchange{{method: "POST", path: c, hdr: T(1), status: 404}}},
		{"delete", []exchange{
			{method: "PUT", path: c, hdr: T(1), status: 201},
			{method: "DELETE", path: c, hdr: T(2), status: 204},
			{method: "HEAD", path: c, status: 404, headers: map[string]string{
				"X-Backend-Delete-Timestamp": "1700000002.00000", "X-Container-Object-Count": "",
			}},
			{method: "DELETE", path: c, hdr: T(3), status: 404},
		}},
		{"delete missing", []exchange{{method: "DELETE", path: c, hdr: T(1), status: 404}}},
		{"delete non-empty", []exchange{
			{method: "PUT", path: c, hdr: T(1), status: 201},
			{method: "PUT", path: o, hdr: row(2, "5"), status: 201},
			{method: "DELETE", path: c, hdr: T(3), status: 409,
				body: "There was a conflict when trying to complete your request."},
		}},
		{"re-create", []exchange{
			{method: "PUT", path: c, hdr: with(T(1), "X-Container-Meta-Old", "1"), status: 201},
			{method: "DELETE", path: c, hdr: T(2), status: 204},
			{method: "PUT", path: c, hdr: T(3), status: 201},
			{method: "HEAD", path: c, status: 204, headers: map[string]string{
				"X-Put-Timestamp": "1700000003.00000", "X-Container-Meta-Old": "",
			}},
		}},
		{"put older than delete", []exchange{
			{method: "PUT", path: c, hdr: T(1), status: 201},
			{method: "DELETE", path: c, hdr: T(5), status: 204},
			{method: "PUT", path: c, hdr: T(3), status: 409},
		}},
		{"object rows", []exchange{
			{method: "PUT", path: c, hdr: T(1), status: 201},
			{method: "PUT", path: o, hdr: row(2, "5"), status: 201},
			{method: "PUT", path: "/d1/0/a/c/p", hdr: row(3, "7"), status: 201},
			{method: "HEAD", path: c, status: 204, headers: map[string]string{
				"X-Container-Object-Count": "2", "X-Container-Bytes-Used": "12",
			}},
			{method: "DELETE", path: o, hdr: T(4), status: 204},
			{method: "DELETE", path: "/d1/0/a/c/never", hdr: T(4), status: 204},
			{method: "GET", path: c, status: 200, body: "p\n", headers: map[string]string{
				"X-Container-Object-Count": "1", "X-Container-Bytes-Used": "7",
			}},
		}},
		{"object row needs its container", []exchange{
			{method: "PUT", path: o, hdr: row(1, "1"), status: 404},
			{method: "DELETE", path: o, hdr: T(1), status: 404},
		}},
		{"dot accounts auto-create", []exchange{
			{method: "PUT", path: "/d1/0/.expiring_objects/1700006400/1700000000-a/c/o", hdr: row(1, "0"), status: 201},
			{method: "HEAD", path: "/d1/0/.expiring_objects/1700006400", status: 204, headers: map[string]string{
				"X-Container-Object-Count": "1",
			}},
			{method: "DELETE", path: "/d1/0/.expiring_objects/1700000000/x", hdr: T(1), status: 204},
		}},
		{"bad requests", []exchange{
			{method: "PUT", path: c, status: 400, body: "Missing X-Timestamp header"},
			{method: "PUT", path: c, hdr: []string{swift.HeaderTimestamp, "yesterday"}, status: 400, body: "Invalid X-Timestamp header"},
			{method: "PUT", path: o, hdr: T(1), status: 400, body: "Invalid X-Size header"},
			{method: "PUT", path: "/d1/0/a", hdr: T(1), status: 400},
			{method: "HEAD", path: o, status: 400},
			{method: "PUT", path: c, hdr: with(T(1), swift.HeaderAccountHost, "h1:1,h2:2", swift.HeaderAccountDevice, "sda",
				swift.HeaderAccountPartition, "1"), status: 400},
			{method: "PUT", path: "/d1/0/a/%FF", hdr: T(1), status: 412, body: "Invalid UTF8 or contains NULL"},
			{method: "PATCH", path: c, hdr: T(1), status: 405},
			{method: "GET", path: c, status: 404},
		}},
		{"missing device", []exchange{
			{method: "PUT", path: "/nodev/0/a/c", hdr: T(1), status: 507},
			{method: "HEAD", path: "/nodev/0/a/c", status: 507},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, swift.Limits{})
			for _, e := range tt.ex {
				e.check(t, s)
			}
		})
	}
}

// TestContainerMetadataLimits: Swift checks count and total size over the
// existing and the new metadata together.
func TestContainerMetadataLimits(t *testing.T) {
	limits := swift.DefaultLimits()
	limits.MaxMetaCount = 3
	limits.MaxMetaOverallSize = 20
	s := newTestServer(t, limits)
	const c = "/d1/0/a/c"
	for _, e := range []exchange{
		{method: "PUT", path: c, hdr: with(T(1), "X-Container-Meta-A", "1", "X-Container-Meta-B", "2"), status: 201},
		{method: "POST", path: c, hdr: with(T(2), "X-Container-Meta-C", "3"), status: 204},
		{method: "POST", path: c, hdr: with(T(3), "X-Container-Meta-D", "4"), status: 400,
			body: "Too many metadata items; max 3"},
		{method: "PUT", path: c, hdr: with(T(4), "X-Container-Meta-D", "4"), status: 400},
		{method: "POST", path: c, hdr: with(T(5), "X-Remove-Container-Meta-A", "x", "X-Container-Meta-D", "4"), status: 204},
		{method: "POST", path: c, hdr: with(T(6), "X-Container-Meta-B", "0123456789abcdefg"), status: 400,
			body: "Total metadata too large; max 20"},
		{method: "HEAD", path: c, status: 204, headers: map[string]string{
			"X-Container-Meta-A": "", "X-Container-Meta-B": "2", "X-Container-Meta-D": "4",
		}},
	} {
		e.check(t, s)
	}
}

func TestContainerHeadNoBody(t *testing.T) {
	s := newTestServer(t, swift.Limits{})
	call(s, "PUT", "/d1/0/a/c", T(1)...)
	w := call(s, "HEAD", "/d1/0/a/c?format=json")
	if w.Code != 204 || w.Body.Len() != 0 || w.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("HEAD = %d %q %q", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	if b, _ := io.ReadAll(call(s, "HEAD", "/d1/0/a/nope").Body); len(b) != 0 {
		t.Errorf("HEAD 404 has a body: %q", b)
	}
	if w := call(s, "GET", "/d1/0/a/c", "Accept", "image/png"); w.Code != 406 {
		t.Errorf("GET with unacceptable Accept = %d, want 406", w.Code)
	}
	if w := call(s, "GET", "/d1/0/a/c?limit=10001"); w.Code != 412 || !strings.Contains(w.Body.String(), "Maximum limit is 10000") {
		t.Errorf("GET limit=10001 = %d %q", w.Code, w.Body.String())
	}
}
