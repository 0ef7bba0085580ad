package bulk

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func newBulk(f http.Handler, client *http.Client, cfg Config) *Middleware {
	cfg.Client, cfg.Endpoint = client, "http://"+fakeHost
	cfg.Logger = slog.New(slog.DiscardHandler)
	if cfg.YieldFrequency == 0 {
		cfg.YieldFrequency = time.Hour
	}
	return New(f, cfg)
}

type result struct {
	Status   string     `json:"Response Status"`
	Body     string     `json:"Response Body"`
	Deleted  int        `json:"Number Deleted"`
	NotFound int        `json:"Number Not Found"`
	Errors   [][]string `json:"Errors"`
}

// bodyOf quotes names one per line, as python-swiftclient sends them.
func bodyOf(names ...string) []byte {
	var b strings.Builder
	for _, n := range names {
		b.WriteString(url.PathEscape(n) + "\n")
	}
	return []byte(strings.ReplaceAll(b.String(), "%2F", "/"))
}

func bulkDelete(t *testing.T, m http.Handler, body []byte, header http.Header) result {
	t.Helper()
	h := http.Header{"Accept": {"application/json"}, "Content-Type": {"text/plain"}}
	for k, v := range header {
		h[k] = v
	}
	rec := do(t, m, "POST", "/v1/AUTH_test?bulk-delete", body, h)
	if rec.Code != http.StatusOK {
		t.Fatalf("POST = %d", rec.Code)
	}
	var res result
	// Swift may send whitespace first; clients skip it.
	if err := json.Unmarshal([]byte(strings.TrimSpace(rec.Body.String())), &res); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	return res
}

func TestBulkDelete(t *testing.T) {
	f := newFakeSwift()
	f.put("c", "a", []byte("1"), nil)
	f.put("c", "b c", []byte("2"), nil)
	f.put("c", "snow☃", []byte("3"), nil)
	f.put("d", "x", []byte("4"), nil)
	m := newBulk(f, f.client(), Config{})
	// The container comes first in the body but must go after its objects.
	res := bulkDelete(t, m, bodyOf("/c", "/c/a", "c/b c", "/c/snow☃", "/c/missing", "/d/x", "/nosuch"), nil)
	if res.Status != "200 OK" || res.Deleted != 5 || res.NotFound != 2 || len(res.Errors) != 0 {
		t.Fatalf("result %+v", res)
	}
	if f.containers["c"] || len(f.objects) != 0 {
		t.Fatalf("left behind: containers %v objects %v", f.containers, f.objects)
	}
	for _, line := range f.requests() {
		if !strings.HasSuffix(line, " BD") {
			t.Errorf("subrequest not marked: %q", line)
		}
	}
}

func TestBulkDeleteFailures(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(f *fakeSwift)
		body       []byte
		wantStatus string
		wantErrors [][]string
	}{
		{"container not empty", func(f *fakeSwift) { f.put("c", "keep", nil, nil) }, bodyOf("/c"),
			"400 Bad Request", [][]string{{"/c", "409 Conflict"}}},
		{"server error", func(f *fakeSwift) { f.put("c", "o", nil, nil); f.status["c/o"] = 503 }, bodyOf("/c/o", "/c/p"),
			"502 Bad Gateway", [][]string{{"/c/o", "503 Service Unavailable"}}},
		{"forbidden", func(f *fakeSwift) { f.status["c/o"] = 403 }, bodyOf("/c/o"),
			"400 Bad Request", [][]string{{"/c/o", "403 Forbidden"}}},
		{"invalid utf-8", func(f *fakeSwift) {}, []byte("/c/%FF\n/c/ok\n"),
			"400 Bad Request", [][]string{{"/c/%FF", "412 Precondition Failed"}}},
		{"nothing to do", func(f *fakeSwift) {}, []byte("\n\n"), "400 Bad Request", [][]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSwift()
			f.containers["c"] = true
			tt.setup(f)
			res := bulkDelete(t, newBulk(f, f.client(), Config{}), tt.body, nil)
			if res.Status != tt.wantStatus || len(res.Errors) != len(tt.wantErrors) {
				t.Fatalf("result %+v, want %s %v", res, tt.wantStatus, tt.wantErrors)
			}
			for i := range tt.wantErrors {
				if strings.Join(res.Errors[i], " ") != strings.Join(tt.wantErrors[i], " ") {
					t.Errorf("error %d = %v, want %v", i, res.Errors[i], tt.wantErrors[i])
				}
			}
			if tt.name == "nothing to do" && res.Body != "Invalid bulk delete." {
				t.Errorf("body %q", res.Body)
			}
		})
	}
}

func TestBulkDeleteRefusals(t *testing.T) {
	f := newFakeSwift()
	f.put("c", "a", nil, nil)
	m := newBulk(f, f.client(), Config{MaxDeletesPerRequest: 2})
	tests := []struct {
		name       string
		body       []byte
		header     http.Header
		wantStatus string
		wantBody   string
	}{
		{"too many", bodyOf("/c/a", "/c/b", "/c/c"), nil, "413 Request Entity Too Large", "Maximum Bulk Deletes: 2 per request"},
		{"not plain text", bodyOf("/c/a"), http.Header{"Content-Type": {"application/json"}}, "406 Not Acceptable", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := bulkDelete(t, m, tt.body, tt.header)
			if res.Status != tt.wantStatus || res.Body != tt.wantBody || res.Deleted != 0 {
				t.Fatalf("result %+v, want %s %q", res, tt.wantStatus, tt.wantBody)
			}
		})
	}
	if _, ok := f.get("c", "a"); !ok {
		t.Error("a refused request deleted something")
	}
	rec := do(t, m, "POST", "/v1/AUTH_test?bulk-delete", bodyOf("/c/a"), http.Header{"Accept": {"image/png"}})
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "" ||
		rec.Body.String() != "Number Deleted: 0\nNumber Not Found: 0\nResponse Body: \nResponse Status: 406 Not Acceptable\nErrors:\n" {
		t.Errorf("unacceptable Accept: %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
}

func TestMaxFailedDeletes(t *testing.T) {
	f := newFakeSwift()
	var names []string
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		f.status["c/"+n] = 409
		names = append(names, "/c/"+n)
	}
	m := newBulk(f, f.client(), Config{MaxFailedDeletes: 2, DeleteConcurrency: 1})
	res := bulkDelete(t, m, bodyOf(names...), nil)
	if res.Status != "400 Bad Request" || res.Body != "Max delete failures exceeded" || len(res.Errors) != 2 {
		t.Fatalf("result %+v", res)
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("%d deletes sent after the limit was reached at 2", n)
	}
}

func TestFormatsAndMethods(t *testing.T) {
	tests := []struct {
		method, accept, wantType, wantBody string
	}{
		{"POST", "", "text/plain", "Number Deleted: 1\nNumber Not Found: 0\nResponse Body: \nResponse Status: 200 OK\nErrors:\n"},
		{"DELETE", "text/xml", "text/xml", "<delete>\n<number_deleted>1</number_deleted>\n<number_not_found>0</number_not_found>\n" +
			"<response_body></response_body>\n<response_status>200 OK</response_status>\n<errors>\n</errors>\n</delete>\n"},
	}
	for _, tt := range tests {
		f := newFakeSwift()
		f.put("c", "o", nil, nil)
		rec := do(t, newBulk(f, f.client(), Config{}), tt.method, "/v1/AUTH_test?bulk-delete", bodyOf("/c/o"), http.Header{"Accept": {tt.accept}})
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != tt.wantType || rec.Body.String() != tt.wantBody {
			t.Errorf("%s %s = %d %s %q", tt.method, tt.accept, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		}
	}
}

func TestPassThrough(t *testing.T) {
	f := newFakeSwift()
	f.put("c", "o", []byte("x"), nil)
	m := newBulk(f, f.client(), Config{})
	for _, target := range []string{"/v1/AUTH_test/c/o", "/v1/AUTH_test/c/o?bulk-delete"} {
		if rec := do(t, m, "GET", target, nil, nil); rec.Code != http.StatusOK || rec.Body.String() != "x" {
			t.Errorf("GET %s = %d", target, rec.Code)
		}
	}
}

// slowFake delays every DELETE so that heartbeats are due.
type slowFake struct {
	*fakeSwift
	delay time.Duration
}

func (s slowFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	time.Sleep(s.delay)
	s.fakeSwift.ServeHTTP(w, r)
}

func TestHeartbeat(t *testing.T) {
	tests := []struct{ accept, wantPrefix string }{
		{"application/json", " "},
		{"application/xml", `<?xml version="1.0" encoding="UTF-8"?>` + "\n"},
	}
	for _, tt := range tests {
		f := newFakeSwift()
		f.put("c", "a", nil, nil)
		f.put("c", "b", nil, nil)
		slow := slowFake{f, 30 * time.Millisecond}
		client := f.client()
		client.Transport.(interface{ Register(string, http.Handler) }).Register(fakeHost, slow)
		m := newBulk(f, client, Config{YieldFrequency: 5 * time.Millisecond, DeleteConcurrency: 1})
		rec := do(t, m, "POST", "/v1/AUTH_test?bulk-delete", bodyOf("/c/a", "/c/b"), http.Header{"Accept": {tt.accept}})
		body := rec.Body.String()
		head, result, found := strings.Cut(body, "\r\n\r\n")
		if !found || !strings.HasPrefix(head, tt.wantPrefix) || strings.Trim(head[len(tt.wantPrefix):], " ") != "" {
			t.Fatalf("%s: body %q lacks heartbeats and the separator", tt.accept, body)
		}
		if !strings.Contains(result, "200 OK") {
			t.Errorf("%s: result %q", tt.accept, result)
		}
	}
}

func TestInfo(t *testing.T) {
	f := newFakeSwift()
	info := newBulk(f, f.client(), Config{}).Info()
	b, _ := json.Marshal(info)
	if string(b) != `{"bulk_delete":{"max_deletes_per_request":10000,"max_failed_deletes":1000}}` {
		t.Errorf("Info = %s", b)
	}
}

// TestConcurrentDeletes checks that DeleteConcurrency DELETEs overlap
// but never more.
func TestConcurrentDeletes(t *testing.T) {
	f := newFakeSwift()
	var names []string
	for i := range 12 {
		name := string(rune('a' + i))
		f.put("c", name, nil, nil)
		names = append(names, "/c/"+name)
	}
	gauge := &inFlight{next: f}
	client := f.client()
	client.Transport.(interface{ Register(string, http.Handler) }).Register(fakeHost, gauge)
	res := bulkDelete(t, newBulk(f, client, Config{DeleteConcurrency: 3}), bodyOf(names...), nil)
	if res.Deleted != 12 {
		t.Fatalf("result %+v", res)
	}
	if gauge.peak < 2 || gauge.peak > 3 {
		t.Errorf("peak concurrency %d, want 2..3", gauge.peak)
	}
}

type inFlight struct {
	next      http.Handler
	mu        sync.Mutex
	now, peak int
}

func (g *inFlight) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	g.now++
	g.peak = max(g.peak, g.now)
	g.mu.Unlock()
	time.Sleep(10 * time.Millisecond)
	g.next.ServeHTTP(w, r)
	g.mu.Lock()
	g.now--
	g.mu.Unlock()
}
