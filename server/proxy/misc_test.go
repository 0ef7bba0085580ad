package proxy

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sciswift/sciswift/server/swift"
)

func TestGuessContentType(t *testing.T) {
	tests := []struct{ object, want string }{
		{"index.html", "text/html"},
		{"dir/photo.JPG", "image/jpeg"},
		{"data.json", "application/json"},
		{"a.png", "image/png"},
		{"noext", "application/octet-stream"},
		{"dir.d/", "application/octet-stream"},
		{"file.unknownextension", "application/octet-stream"},
	}
	for _, tc := range tests {
		if got := guessContentType(tc.object); got != tc.want {
			t.Errorf("guessContentType(%q) = %q, want %q", tc.object, got, tc.want)
		}
	}
}

func TestSetContentType(t *testing.T) {
	tests := []struct {
		header map[string]string
		want   string
	}{
		{map[string]string{}, "image/png"},
		{map[string]string{"Content-Type": "text/plain"}, "text/plain"},
		{map[string]string{"Content-Type": "text/plain", "X-Detect-Content-Type": "true"}, "image/png"},
		{map[string]string{"Content-Type": "text/plain", "X-Detect-Content-Type": "false"}, "text/plain"},
		{map[string]string{"Content-Type": ""}, "image/png"},
	}
	for _, tc := range tests {
		h := http.Header{}
		for k, v := range tc.header {
			h.Set(k, v)
		}
		setContentType(h, "pic.png")
		if h.Get("Content-Type") != tc.want || h.Get("X-Detect-Content-Type") != "" {
			t.Errorf("%v: Content-Type %q, want %q", tc.header, h.Get("Content-Type"), tc.want)
		}
	}
}

func TestSetDeleteAt(t *testing.T) {
	ts := swift.FromTime(time.Unix(1700000000, 500000000))
	tests := []struct {
		header  map[string]string
		want    string
		wantErr string
	}{
		{map[string]string{"X-Delete-After": "60"}, "1700000060", ""},
		{map[string]string{"X-Delete-After": " 60 "}, "1700000060", ""},
		{map[string]string{"X-Delete-After": "0"}, "", "X-Delete-After in past"},
		{map[string]string{"X-Delete-After": "-5"}, "", "X-Delete-After in past"},
		{map[string]string{"X-Delete-After": "1.5"}, "", "Non-integer X-Delete-After"},
		{map[string]string{"X-Delete-At": "1700000001"}, "1700000001", ""},
		{map[string]string{"X-Delete-At": "1700000000"}, "", "X-Delete-At in past"},
		{map[string]string{"X-Delete-At": "99999999999"}, "9999999999", ""},
		{map[string]string{"X-Delete-At": "soon"}, "", "Non-integer X-Delete-At"},
		{map[string]string{"X-Delete-At": "1700000100", "X-Delete-After": "10"}, "1700000010", ""},
		{map[string]string{}, "", ""},
	}
	for _, tc := range tests {
		h := http.Header{}
		for k, v := range tc.header {
			h.Set(k, v)
		}
		err := setDeleteAt(h, ts)
		switch {
		case tc.wantErr != "":
			if swift.Status(err) != 400 || swift.Message(err) != tc.wantErr {
				t.Errorf("%v: %v, want 400 %q", tc.header, err, tc.wantErr)
			}
		case err != nil || h.Get("X-Delete-At") != tc.want || h.Get("X-Delete-After") != "":
			t.Errorf("%v: X-Delete-At %q, %v; want %q", tc.header, h.Get("X-Delete-At"), err, tc.want)
		}
	}
	if got := deleteAtContainer(1700000060); got != "1699920000" {
		t.Errorf("deleteAtContainer = %q", got)
	}
}

func TestInfo(t *testing.T) {
	limits := swift.DefaultLimits()
	limits.MaxFileSize = 1 << 30
	b, err := buildInfo(Config{Limits: limits, AccountAutocreate: true,
		Features: map[string]any{"bulk_delete": map[string]int{"max_deletes_per_request": 10000}}})
	if err != nil {
		t.Fatal(err)
	}
	var info map[string]map[string]any
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatal(err)
	}
	sw := info["swift"]
	checks := map[string]any{
		"version": "2.30.0", "max_file_size": float64(1 << 30), "account_autocreate": true,
		"allow_account_management": false, "strict_cors_mode": true, "container_listing_limit": float64(10000),
		"max_meta_name_length": float64(128), "max_object_name_length": float64(1024), "extra_header_count": float64(0),
	}
	for k, want := range checks {
		if sw[k] != want {
			t.Errorf("swift.%s = %v, want %v", k, sw[k], want)
		}
	}
	if v, _ := json.Marshal(sw["valid_api_versions"]); string(v) != `["v1","v1.0"]` {
		t.Errorf("valid_api_versions = %s", v)
	}
	if p, _ := json.Marshal(sw["policies"]); string(p) != `[{"aliases":"Policy-0","default":true,"name":"Policy-0"}]` {
		t.Errorf("policies = %s", p)
	}
	if info["tempauth"]["account_acls"] != true || info["bulk_delete"]["max_deletes_per_request"] != float64(10000) {
		t.Errorf("sections: %s", b)
	}
	for k := range info {
		if k != "swift" && k != "tempauth" && k != "bulk_delete" {
			t.Errorf("unexpected section %q", k)
		}
	}
	if _, err := buildInfo(Config{Features: map[string]any{"swift": 1}}); err == nil {
		t.Error("a feature may replace the swift section")
	}
}

func TestTimestamperIsStrictlyMonotonic(t *testing.T) {
	now := time.Unix(1700000000, 0)
	ts := &timestamper{clock: func() time.Time { return now }}
	prev := ts.next()
	for i := 0; i < 1000; i++ {
		if i == 500 {
			now = now.Add(-time.Hour) // the wall clock steps back
		}
		next := ts.next()
		if !next.After(prev) {
			t.Fatalf("timestamp %d: %s does not follow %s", i, next, prev)
		}
		prev = next
	}
}

func TestParseStoragePath(t *testing.T) {
	tests := []struct {
		path   string
		status int
		want   swift.Path
	}{
		{"/v1/AUTH_test", 0, swift.Path{Version: "v1", Account: "AUTH_test"}},
		{"/v1.0/AUTH_test/c/", 0, swift.Path{Version: "v1.0", Account: "AUTH_test", Container: "c"}},
		{"/v1/a/c/d/o%2Fx", 0, swift.Path{Version: "v1", Account: "a", Container: "c", Object: "d/o/x"}},
		{"/v1/a/c//o", 0, swift.Path{Version: "v1", Account: "a", Container: "c", Object: "/o"}},
		{"/", 404, swift.Path{}},
		{"/v1", 412, swift.Path{}},
		{"/v1/", 412, swift.Path{}},
		{"/foo", 412, swift.Path{}},
		{"/v2/AUTH_test", 400, swift.Path{}},
		{"/v1/a/%00", 412, swift.Path{}},
		{"/v1/a/%FF", 412, swift.Path{}},
		{"/v1//c", 412, swift.Path{}},
	}
	for _, tc := range tests {
		u, err := url.Parse("http://h" + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := parseStoragePath(u)
		if status := swift.Status(err); (tc.status == 0 && err != nil) || (tc.status != 0 && status != tc.status) || got != tc.want {
			t.Errorf("parseStoragePath(%q) = %+v, %v (%d); want %+v, %d", tc.path, got, err, status, tc.want, tc.status)
		}
	}
}

func TestWithRequestLog(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	var seen http.Header
	h := WithRequestLog(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Clone()
		switch r.URL.Path {
		case "/panic":
			panic("boom")
		case "/late-panic":
			w.WriteHeader(200)
			_, _ = w.Write([]byte("x"))
			panic("boom")
		}
		w.Header().Set("X-Object-Sysmeta-Secret", "s")
		w.Header().Set("X-Backend-Timestamp", "1")
		w.Header().Set("X-Object-Meta-Ok", "yes")
		swift.WriteError(w, r, swift.ErrNotFound)
	}), logger)

	r := httptest.NewRequest("GET", "/v1/a/c/o", nil)
	r.Header.Set("X-Object-Sysmeta-Evil", "1")
	r.Header.Set("X-Backend-Subrequest", "SLO")
	r.Header.Set("X-Trans-Id", "forged")
	r.Header.Set("X-Trans-Id-Extra", "my job")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	id := w.Header().Get("X-Trans-Id")
	if w.Code != 404 || !strings.HasPrefix(id, "tx") || !strings.HasSuffix(id, "-my%20job") ||
		w.Header().Get("X-Openstack-Request-Id") != id {
		t.Errorf("response %d, trans id %q", w.Code, id)
	}
	if w.Header().Get("X-Object-Sysmeta-Secret") != "" || w.Header().Get("X-Backend-Timestamp") != "" || w.Header().Get("X-Object-Meta-Ok") != "yes" {
		t.Errorf("response headers not filtered: %v", w.Header())
	}
	if seen.Get("X-Object-Sysmeta-Evil") != "" || seen.Get("X-Backend-Subrequest") != "" || seen.Get("X-Trans-Id") != id {
		t.Errorf("request headers not filtered: %v", seen)
	}
	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("log line %q: %v", logs.String(), err)
	}
	for k, want := range map[string]any{"method": "GET", "path": "/v1/a/c/o", "status": float64(404),
		"bytes": float64(len("The resource could not be found.")), "trans_id": id} {
		if line[k] != want {
			t.Errorf("log %s = %v, want %v", k, line[k], want)
		}
	}
	if _, ok := line["duration"]; !ok {
		t.Error("log line lacks the duration")
	}

	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/panic", nil))
	if w.Code != 500 || w.Header().Get("X-Trans-Id") == "" {
		t.Errorf("panic: %d %v", w.Code, w.Header())
	}
	func() {
		defer func() {
			if p := recover(); p != http.ErrAbortHandler {
				t.Errorf("late panic: recovered %v, want http.ErrAbortHandler", p)
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/late-panic", nil))
	}()
}
