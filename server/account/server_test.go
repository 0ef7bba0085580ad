package account

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

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

func call(h http.Handler, method, path string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "http://backend"+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func stamp(n int64) string { return swift.TimestampFromSeconds(1_700_000_000 + n).Internal() }

// T is an X-Timestamp header pair for second n after a fixed epoch.
func T(n int64) []string { return []string{swift.HeaderTimestamp, stamp(n)} }

func with(a []string, more ...string) []string { return append(append([]string(nil), a...), more...) }

// row is a container report: put and delete at seconds p and d (0: none).
func row(p, d, count, bytes int64) []string {
	del := "0"
	if d != 0 {
		del = stamp(d)
	}
	return []string{
		swift.HeaderPutTimestamp, stamp(p), swift.HeaderDeleteTimestamp, del,
		swift.HeaderObjectCount, strconv.FormatInt(count, 10), swift.HeaderBytesUsed, strconv.FormatInt(bytes, 10),
	}
}

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

func TestAccountServer(t *testing.T) {
	const a = "/d1/0/a"
	tests := []struct {
		name string
		ex   []exchange
	}{
		{"create and head", []exchange{
			{method: "PUT", path: a, hdr: with(T(1), "X-Account-Meta-Owner", "me"), status: 201},
			{method: "HEAD", path: a, status: 204, headers: map[string]string{
				"X-Account-Container-Count": "0", "X-Account-Object-Count": "0", "X-Account-Bytes-Used": "0",
				"X-Timestamp": "1700000001.00000", "X-Put-Timestamp": "1700000001.00000",
				"X-Account-Meta-Owner": "me", "Content-Type": "text/plain; charset=utf-8",
			}},
		}},
		{"put again", []exchange{
			{method: "PUT", path: a, hdr: T(1), status: 201},
			{method: "PUT", path: a, hdr: T(2), status: 202},
			{method: "HEAD", path: a, status: 204, headers: map[string]string{"X-Put-Timestamp": "1700000002.00000"}},
		}},
		{"head missing", []exchange{{method: "HEAD", path: a, status: 404, headers: map[string]string{"X-Account-Status": ""}}}},
		{"post", []exchange{
			{method: "PUT", path: a, hdr: with(T(1), "X-Account-Meta-A", "1"), status: 201},
			{method: "POST", path: a, hdr: with(T(2), "X-Remove-Account-Meta-A", "x", "X-Account-Sysmeta-Acl", "{}"), status: 204},
			{method: "HEAD", path: a, status: 204, headers: map[string]string{
				"X-Account-Meta-A": "", "X-Account-Sysmeta-Acl": "{}", "X-Put-Timestamp": "1700000001.00000",
			}},
		}},
		{"post missing", []exchange{{method: "POST", path: a, hdr: T(1), status: 404}}},
		{"delete", []exchange{
			{method: "PUT", path: a, hdr: T(1), status: 201},
			{method: "DELETE", path: a, hdr: T(2), status: 204, headers: map[string]string{"X-Account-Status": "Deleted"}},
			{method: "HEAD", path: a, status: 404, headers: map[string]string{"X-Account-Status": "Deleted"}},
			{method: "GET", path: a, status: 404},
			{method: "POST", path: a, hdr: T(3), status: 404, headers: map[string]string{"X-Account-Status": "Deleted"}},
			{method: "DELETE", path: a, hdr: T(3), status: 404},
			{method: "PUT", path: a, hdr: T(4), status: 403, body: "Recently deleted",
				headers: map[string]string{"X-Account-Status": "Deleted"}},
			{method: "PUT", path: a + "/c", hdr: row(5, 0, 1, 1), status: 404},
			{method: "PUT", path: a + "/c", hdr: with(row(5, 0, 1, 1), "X-Account-Override-Deleted", "yes"), status: 201},
		}},
		{"delete missing", []exchange{{method: "DELETE", path: a, hdr: T(1), status: 404, headers: map[string]string{"X-Account-Status": ""}}}},
		{"container rows", []exchange{
			{method: "PUT", path: a, hdr: T(1), status: 201},
			{method: "PUT", path: a + "/c1", hdr: row(2, 0, 3, 300), status: 201},
			{method: "PUT", path: a + "/c2", hdr: row(2, 0, 1, 5), status: 201},
			{method: "PUT", path: a + "/c1", hdr: row(2, 0, 4, 400), status: 201},
			{method: "HEAD", path: a, status: 204, headers: map[string]string{
				"X-Account-Container-Count": "2", "X-Account-Object-Count": "5", "X-Account-Bytes-Used": "405",
			}},
			{method: "PUT", path: a + "/c1", hdr: row(2, 3, 0, 0), status: 204},
			{method: "HEAD", path: a, status: 204, headers: map[string]string{
				"X-Account-Container-Count": "1", "X-Account-Object-Count": "1", "X-Account-Bytes-Used": "5",
			}},
			{method: "GET", path: a, status: 200, body: "c2\n"},
			// A stale put report for the deleted container changes nothing.
			{method: "PUT", path: a + "/c1", hdr: row(2, 0, 0, 0), status: 201},
			{method: "GET", path: a, status: 200, body: "c2\n"},
		}},
		{"container row needs its account", []exchange{{method: "PUT", path: a + "/c", hdr: row(1, 0, 0, 0), status: 404}}},
		{"dot accounts auto-create", []exchange{
			{method: "PUT", path: "/d1/0/.expiring_objects/1700006400", hdr: with(T(1), row(1, 0, 2, 0)...), status: 201},
			{method: "HEAD", path: "/d1/0/.expiring_objects", status: 204, headers: map[string]string{
				"X-Account-Container-Count": "1", "X-Account-Object-Count": "2", "X-Timestamp": "1700000001.00000",
			}},
		}},
		{"bad requests", []exchange{
			{method: "PUT", path: a, status: 400, body: "Missing X-Timestamp header"},
			{method: "POST", path: a, hdr: []string{swift.HeaderTimestamp, "x"}, status: 400, body: "Invalid X-Timestamp header"},
			{method: "PUT", path: a, hdr: T(1), status: 201},
			{method: "PUT", path: a + "/c", hdr: row(1, 0, -1, 0), status: 400, body: "Invalid X-Object-Count header"},
			{method: "PUT", path: a + "/c", hdr: T(1), status: 400, body: "Invalid X-Put-Timestamp header"},
			{method: "HEAD", path: a + "/c", status: 400},
			{method: "PUT", path: a + "/c/o", hdr: T(1), status: 400},
			{method: "PATCH", path: a, status: 405},
			{method: "PUT", path: "/d1/0/%FF", hdr: T(1), status: 412},
			{method: "GET", path: a + "?limit=10001", status: 412, body: "Maximum limit is 10000"},
			{method: "GET", path: a, hdr: []string{"Accept", "image/png"}, status: 406},
		}},
		{"missing device", []exchange{
			{method: "PUT", path: "/nodev/0/a", hdr: T(1), status: 507},
			{method: "GET", path: "/nodev/0/a", status: 507},
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

func TestAccountMetadataLimits(t *testing.T) {
	limits := swift.DefaultLimits()
	limits.MaxMetaCount = 2
	s := newTestServer(t, limits)
	for _, e := range []exchange{
		{method: "PUT", path: "/d1/0/a", hdr: with(T(1), "X-Account-Meta-A", "1", "X-Account-Meta-B", "2"), status: 201},
		{method: "POST", path: "/d1/0/a", hdr: with(T(2), "X-Account-Meta-C", "3"), status: 400, body: "Too many metadata items; max 2"},
		{method: "POST", path: "/d1/0/a", hdr: with(T(3), "X-Remove-Account-Meta-A", "x", "X-Account-Meta-C", "3"), status: 204},
		{method: "HEAD", path: "/d1/0/a", status: 204, headers: map[string]string{
			"X-Account-Meta-A": "", "X-Account-Meta-B": "2", "X-Account-Meta-C": "3",
		}},
	} {
		e.check(t, s)
	}
}

func TestAccountListing(t *testing.T) {
	s := newTestServer(t, swift.Limits{})
	call(s, "PUT", "/d1/0/a", T(1)...)
	for i, c := range []string{"archive", "logs", "logs-2023", "logs-2024", "photos", "zeta"} {
		if w := call(s, "PUT", "/d1/0/a/"+c, row(int64(10+i), 0, int64(i), int64(100*i))...); w.Code != 201 {
			t.Fatalf("row %s: %d", c, w.Code)
		}
	}
	call(s, "PUT", "/d1/0/a/zeta", row(15, 20, 0, 0)...) // deleted
	tests := []struct {
		query, contentType, body string
		status                   int
	}{
		{"", "text/plain; charset=utf-8", "archive\nlogs\nlogs-2023\nlogs-2024\nphotos\n", 200},
		{"?prefix=logs-", "text/plain; charset=utf-8", "logs-2023\nlogs-2024\n", 200},
		{"?delimiter=-", "text/plain; charset=utf-8", "archive\nlogs\nlogs-\nphotos\n", 200},
		{"?marker=logs&end_marker=photos", "text/plain; charset=utf-8", "logs-2023\nlogs-2024\n", 200},
		{"?limit=2&reverse=yes", "text/plain; charset=utf-8", "photos\nlogs-2024\n", 200},
		{"?prefix=none", "text/plain; charset=utf-8", "", 204},
		{"?format=json&prefix=logs", "application/json; charset=utf-8",
			`[{"name": "logs", "count": 1, "bytes": 100, "last_modified": "2023-11-14T22:13:31.000000"}, ` +
				`{"name": "logs-2023", "count": 2, "bytes": 200, "last_modified": "2023-11-14T22:13:32.000000"}, ` +
				`{"name": "logs-2024", "count": 3, "bytes": 300, "last_modified": "2023-11-14T22:13:33.000000"}]`, 200},
		{"?format=json&delimiter=-&prefix=logs", "application/json; charset=utf-8",
			`[{"name": "logs", "count": 1, "bytes": 100, "last_modified": "2023-11-14T22:13:31.000000"}, {"subdir": "logs-"}]`, 200},
		{"?format=xml&limit=1", "application/xml; charset=utf-8",
			"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<account name=\"a\">\n<container><name>archive</name><count>0</count>" +
				"<bytes>0</bytes><last_modified>2023-11-14T22:13:30.000000</last_modified></container>\n</account>", 200},
		{"?format=json&prefix=none", "application/json; charset=utf-8", "[]", 200},
	}
	for _, tt := range tests {
		w := call(s, "GET", "/d1/0/a"+tt.query)
		if w.Code != tt.status || w.Body.String() != tt.body || w.Header().Get("Content-Type") != tt.contentType {
			t.Errorf("GET %s = %d %q %q\nwant %d %q %q", tt.query, w.Code, w.Header().Get("Content-Type"), w.Body.String(),
				tt.status, tt.contentType, tt.body)
		}
		if tt.status < 300 && w.Header().Get("X-Account-Container-Count") != "5" {
			t.Errorf("GET %s: X-Account-Container-Count = %q", tt.query, w.Header().Get("X-Account-Container-Count"))
		}
	}
}

// TestConcurrentContainerRows: container servers report concurrently, each
// container in order; the totals must be the sum of the final reports.
func TestConcurrentContainerRows(t *testing.T) {
	s := newTestServer(t, swift.Limits{})
	call(s, "PUT", "/d1/0/a", T(1)...)
	const containers, reports = 16, 30
	var wg sync.WaitGroup
	for c := range containers {
		wg.Go(func() {
			for i := range reports {
				hdr := row(2, 0, int64(c+i), int64(10*(c+i)))
				if c%3 == 0 && i == reports-1 {
					hdr = row(2, 3, 0, 0)
				}
				if w := call(s, "PUT", fmt.Sprintf("/d1/0/a/c%d", c), hdr...); w.Code >= 300 {
					t.Errorf("report %d for c%d: %d", i, c, w.Code)
				}
			}
		})
	}
	wg.Wait()
	var wantC, wantO, wantB int
	for c := range containers {
		if c%3 != 0 {
			wantC, wantO, wantB = wantC+1, wantO+c+reports-1, wantB+10*(c+reports-1)
		}
	}
	w := call(s, "HEAD", "/d1/0/a")
	got := [3]string{w.Header().Get("X-Account-Container-Count"), w.Header().Get("X-Account-Object-Count"), w.Header().Get("X-Account-Bytes-Used")}
	want := [3]string{strconv.Itoa(wantC), strconv.Itoa(wantO), strconv.Itoa(wantB)}
	if got != want {
		t.Errorf("totals %v, want %v", got, want)
	}
}
