package slo

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sciswift/sciswift/server/swift"
)

func newSLO(f *fakeSwift) *Middleware {
	return New(f, Config{
		Client:         f.client(),
		Endpoint:       "http://" + fakeHost,
		Logger:         slog.New(slog.DiscardHandler),
		YieldFrequency: time.Hour,
	})
}

// segmentJSON is one put-format entry.
func segmentJSON(path, etag string, size int) map[string]any {
	return map[string]any{"path": path, "etag": etag, "size_bytes": size}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParsePutManifest(t *testing.T) {
	tests := []struct {
		name, body, wantErr string
		wantSegs            int
	}{
		{"valid", `[{"path": "/c/a", "etag": "x", "size_bytes": 1}, {"path": "c/b"}]`, "", 2},
		{"size as string", `[{"path": "/c/a", "size_bytes": " 12 "}]`, "", 1},
		{"size as float", `[{"path": "/c/a", "size_bytes": 1.9}]`, "", 1},
		{"null checks", `[{"path": "/c/a", "etag": null, "size_bytes": null}]`, "", 1},
		{"data and object", `[{"data": "YWJj"}, {"path": "/c/a"}]`, "", 2},
		{"empty list", `[]`, "", 0},
		{"last segment may be empty", `[{"path": "/c/a", "size_bytes": 1}, {"path": "/c/b", "size_bytes": 0}]`, "", 2},
		{"not json", `[{`, "Manifest must be valid JSON.\n", 0},
		{"trailing garbage", `[] []`, "Manifest must be valid JSON.\n", 0},
		{"not a list", `{"path": "/c/a"}`, "Manifest must be a list.\n", 0},
		{"not an object", `["x"]`, "Index 0: not a JSON object\n", 0},
		{"no keys", `[{}]`, "Index 0: expected keys to include one of 'data' or 'path'\n", 0},
		{"extraneous", `[{"path": "/c/a", "zz": 1, "aa": 2}]`, "Index 0: extraneous keys \"aa\", \"zz\"\n", 0},
		{"data wins over path", `[{"data": "YQ==", "path": "/c/a"}]`, "Index 0: extraneous keys \"path\"\nInline data segments require at least one object-backed segment.\n", 0},
		{"path not string", `[{"path": 5}]`, "Index 0: \"path\" must be a string\n", 0},
		{"etag not string", `[{"path": "/c/a", "etag": 5}]`, "Index 0: \"etag\" must be a string or null (if provided)\n", 0},
		{"path names a container", `[{"path": "/c/"}]`, "Index 0: path does not refer to an object. Path must be of the form /container/object.\n", 0},
		{"bad size", `[{"path": "/c/a", "size_bytes": "x"}]`, "Index 0: invalid size_bytes\n", 0},
		{"size list", `[{"path": "/c/a", "size_bytes": [1]}]`, "Index 0: invalid size_bytes\n", 0},
		{"too small", `[{"path": "/c/a", "size_bytes": 0}, {"path": "/c/b"}]`, "Index 0: too small; each segment must be at least 1 byte.\n", 0},
		{"self", `[{"path": "/cont/man"}]`, "Index 0: manifest must not include itself as a segment\n", 0},
		{"bad range", `[{"path": "/c/a", "range": "x"}]`, "Index 0: invalid range\n", 0},
		{"positive number range", `[{"path": "/c/a", "range": 5}]`, "Index 0: invalid range\n", 0},
		{"negative number range", `[{"path": "/c/a", "range": -5}]`, "", 1},
		{"empty range ignored", `[{"path": "/c/a", "range": ""}]`, "", 1},
		{"two ranges", `[{"path": "/c/a", "range": "1-2,4-5"}]`, "Index 0: multiple ranges (only one allowed)\n", 0},
		{"unsatisfiable", `[{"path": "/c/a", "size_bytes": 5, "range": "5-"}]`, "Index 0: unsatisfiable range\n", 0},
		{"bad base64", `[{"data": "YQ"}, {"path": "/c/a"}]`, "Index 0: data must be valid base64\n", 0},
		{"base64 junk", `[{"data": "Y*=="}, {"path": "/c/a"}]`, "Index 0: data must be valid base64\n", 0},
		{"empty data", `[{"data": ""}, {"path": "/c/a"}]`, "Index 0: too small; each segment must be at least 1 byte.\n", 0},
		{"only data", `[{"data": "YQ=="}]`, "Inline data segments require at least one object-backed segment.\n", 0},
		{"only bad data", `[{"data": 5}]`, "Index 0: data must be valid base64\nInline data segments require at least one object-backed segment.\n", 0},
		{"every problem", `[5, {"path": 1}, {"path": "/c/a"}]`, "Index 0: not a JSON object\nIndex 1: \"path\" must be a string\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			segs, err := parsePutManifest([]byte(tt.body), "cont", "man")
			if tt.wantErr != "" {
				if swift.Status(err) != http.StatusBadRequest || swift.Message(err) != tt.wantErr {
					t.Fatalf("err = %v (%d), want 400 %q", err, swift.Status(err), tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if len(segs) != tt.wantSegs {
				t.Fatalf("got %d segments, want %d", len(segs), tt.wantSegs)
			}
		})
	}
}

func TestStrictBase64(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"YWJj", "abc", true},
		{"YWI=", "ab", true},
		{"YQ==", "a", true},
		{"YQ===", "a", true}, // Python ignores extra padding
		{"=YQ==", "a", true}, // and leading padding
		{"YQ=", "", false},   // too little padding
		{"YQ", "", false},
		{"Y", "", false},
		{"YQ==YQ==", "", false}, // padding inside
		{"YW Jj", "", false},
		{"", "", true},
	}
	for _, tt := range tests {
		got, ok := strictBase64(tt.in)
		if ok != tt.ok || (ok && string(got) != tt.want) {
			t.Errorf("strictBase64(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRangeSpecForLength(t *testing.T) {
	tests := []struct {
		spec       string
		size       int64
		start, end int64
		ok         bool
	}{
		{"bytes=0-9", 100, 0, 10, true},
		{"bytes=90-200", 100, 90, 100, true},
		{"bytes=100-", 100, 0, 0, false},
		{"bytes=-10", 100, 90, 100, true},
		{"bytes=-200", 100, 0, 100, true},
		{"bytes=-0", 100, 0, 0, false},
		{"bytes=-5", 0, 0, 0, true}, // swob's (0, 0) for an empty object
		{"bytes=+5-", 100, 5, 100, true},
	}
	for _, tt := range tests {
		specs, ok := parseRangeHeader(tt.spec)
		if !ok || len(specs) != 1 {
			t.Fatalf("parseRangeHeader(%q) failed", tt.spec)
		}
		start, end, ok := specs[0].forLength(tt.size)
		if ok != tt.ok || (ok && (start != tt.start || end != tt.end)) {
			t.Errorf("%q.forLength(%d) = %d, %d, %v; want %d, %d, %v", tt.spec, tt.size, start, end, ok, tt.start, tt.end, tt.ok)
		}
	}
	for _, bad := range []string{"bytes=", "bytes=5", "bytes=5-4", "bytes=-", "bytes=a-b", "bytes=1--2", "items=1-2", "bytes=1-+2"} {
		if _, ok := parseRangeHeader(bad); ok {
			t.Errorf("parseRangeHeader(%q) accepted", bad)
		}
	}
}

// makeSegments stores segments seg0.. in container "segs" and returns
// their put-format entries and the concatenated bodies.
func makeSegments(f *fakeSwift, sizes ...int) ([]map[string]any, []byte) {
	var entries []map[string]any
	var all []byte
	for i, n := range sizes {
		body := make([]byte, n)
		for j := range body {
			body[j] = byte('a' + (i*7+j)%26)
		}
		name := "seg" + string(rune('0'+i))
		etag := f.put("segs", name, body, nil)
		entries = append(entries, segmentJSON("/segs/"+name, etag, n))
		all = append(all, body...)
	}
	return entries, all
}

func TestPutManifest(t *testing.T) {
	f := newFakeSwift()
	f.containers["cont"] = true
	entries, _ := makeSegments(f, 5, 7)
	m := newSLO(f)
	rec := do(t, m, "PUT", "/v1/AUTH_test/cont/big.bin?multipart-manifest=put", mustJSON(t, entries), nil)
	if rec.Code != http.StatusCreated {
		t.Fatalf("PUT = %d %s", rec.Code, rec.Body)
	}
	wantETag := md5Of([]byte(entries[0]["etag"].(string) + entries[1]["etag"].(string)))
	if got := rec.Header().Get("Etag"); got != `"`+wantETag+`"` {
		t.Errorf("Etag = %s, want %q", got, wantETag)
	}
	o, ok := f.get("cont", "big.bin")
	if !ok {
		t.Fatal("manifest not stored")
	}
	checks := map[string]string{
		"X-Static-Large-Object":     "True",
		"X-Object-Sysmeta-Slo-Etag": wantETag,
		"X-Object-Sysmeta-Slo-Size": "12",
		"Content-Type":              "application/octet-stream;swift_bytes=12",
	}
	for k, want := range checks {
		if got := o.header.Get(k); got != want {
			t.Errorf("stored %s = %q, want %q", k, got, want)
		}
	}
	var stored []map[string]any
	if err := json.Unmarshal(o.body, &stored); err != nil {
		t.Fatal(err)
	}
	if len(stored) != 2 || stored[0]["name"] != "/segs/seg0" || stored[0]["bytes"] != 5.0 ||
		stored[0]["hash"] != entries[0]["etag"] || stored[0]["content_type"] != "application/octet-stream" ||
		len(stored[0]["last_modified"].(string)) != len("2006-01-02T15:04:05.000000") {
		t.Errorf("stored manifest = %s", o.body)
	}
}

func TestPutManifestContentType(t *testing.T) {
	tests := []struct {
		name, object string
		header       http.Header
		want         string
	}{
		{"client's", "x.bin", http.Header{"Content-Type": {"text/csv"}}, "text/csv;swift_bytes=3"},
		{"guessed", "x.json", nil, "application/json;swift_bytes=3"},
		{"detected", "x.json", http.Header{"Content-Type": {"text/csv"}, "X-Detect-Content-Type": {"true"}}, "application/json;swift_bytes=3"},
		{"unknown", "x.zzz9", nil, "application/octet-stream;swift_bytes=3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSwift()
			f.containers["cont"] = true
			entries, _ := makeSegments(f, 3)
			rec := do(t, newSLO(f), "PUT", "/v1/AUTH_test/cont/"+tt.object+"?multipart-manifest=put", mustJSON(t, entries), tt.header)
			if rec.Code != http.StatusCreated {
				t.Fatalf("PUT = %d %s", rec.Code, rec.Body)
			}
			o, _ := f.get("cont", tt.object)
			if got := o.header.Get("Content-Type"); got != tt.want {
				t.Errorf("Content-Type = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPutManifestProblems(t *testing.T) {
	f := newFakeSwift()
	f.containers["cont"] = true
	entries, _ := makeSegments(f, 5, 7)
	body := mustJSON(t, []map[string]any{
		entries[0],
		segmentJSON("/segs/missing", "x", 1),
		segmentJSON("/segs/seg1", "wrong", 8),
	})
	tests := []struct {
		accept, wantType, wantBody string
	}{
		{"", "text/plain", "Errors:\n/segs/missing, 404 Not Found\n/segs/seg1, Size Mismatch\n/segs/seg1, Etag Mismatch\n"},
		{"application/json", "application/json",
			`{"Errors": [["/segs/missing", "404 Not Found"], ["/segs/seg1", "Size Mismatch"], ["/segs/seg1", "Etag Mismatch"]]}`},
		{"text/xml", "text/xml", "<upload>\n<errors>\n" +
			"<object><name>/segs/missing</name><status>404 Not Found</status></object>\n" +
			"<object><name>/segs/seg1</name><status>Size Mismatch</status></object>\n" +
			"<object><name>/segs/seg1</name><status>Etag Mismatch</status></object>\n" +
			"</errors>\n</upload>\n"},
		{"image/png", "text/plain", "Errors:\n/segs/missing, 404 Not Found\n/segs/seg1, Size Mismatch\n/segs/seg1, Etag Mismatch\n"},
	}
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			rec := do(t, newSLO(f), "PUT", "/v1/AUTH_test/cont/m?multipart-manifest=put", body, http.Header{"Accept": {tt.accept}})
			if rec.Code != http.StatusBadRequest || rec.Header().Get("Content-Type") != tt.wantType || rec.Body.String() != tt.wantBody {
				t.Fatalf("PUT = %d %s %q, want 400 %s %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body, tt.wantType, tt.wantBody)
			}
			if _, ok := f.get("cont", "m"); ok {
				t.Fatal("a rejected manifest was stored")
			}
		})
	}
}

func TestPutManifestSegmentRules(t *testing.T) {
	f := newFakeSwift()
	f.containers["cont"] = true
	makeSegments(f, 10)
	f.put("segs", "empty", nil, nil)
	tests := []struct {
		name     string
		entries  string
		wantCode int
		wantBody string
		wantSize string
	}{
		{"range normalised", `[{"path": "/segs/seg0", "range": "-3"}]`, 201, "", "3"},
		{"whole range dropped", `[{"path": "/segs/seg0", "range": "0-"}]`, 201, "", "10"},
		{"unsatisfiable after HEAD", `[{"path": "/segs/seg0", "range": "10-"}]`, 400, "Errors:\n/segs/seg0, Unsatisfiable Range\n", ""},
		{"empty segment not last", `[{"path": "/segs/empty"}, {"path": "/segs/seg0"}]`, 400, "Errors:\n/segs/empty, Too small; each segment must be at least 1 byte.\n", ""},
		{"empty segment last", `[{"path": "/segs/seg0"}, {"path": "/segs/empty"}]`, 201, "", "10"},
		{"repeated segment", `[{"path": "/segs/seg0"}, {"path": "segs/seg0", "range": "1-2"}]`, 201, "", "12"},
		{"data segments", `[{"data": "YWJj"}, {"path": "/segs/seg0"}, {"data": "eA=="}]`, 201, "", "14"},
		{"quoted name", `[{"path": "/segs/no such"}]`, 400, "Errors:\n/segs/no%20such, 404 Not Found\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, newSLO(f), "PUT", "/v1/AUTH_test/cont/m?multipart-manifest=put", []byte(tt.entries), nil)
			if rec.Code != tt.wantCode || (tt.wantBody != "" && rec.Body.String() != tt.wantBody) {
				t.Fatalf("PUT = %d %q, want %d %q", rec.Code, rec.Body, tt.wantCode, tt.wantBody)
			}
			if tt.wantSize == "" {
				return
			}
			o, _ := f.get("cont", "m")
			if got := o.header.Get("X-Object-Sysmeta-Slo-Size"); got != tt.wantSize {
				t.Errorf("size = %s, want %s", got, tt.wantSize)
			}
		})
	}
}

func TestPutManifestRefusals(t *testing.T) {
	f := newFakeSwift()
	f.containers["cont"] = true
	entries, _ := makeSegments(f, 3)
	body := mustJSON(t, entries)
	m := New(f, Config{Client: f.client(), Endpoint: "http://" + fakeHost, Logger: slog.New(slog.DiscardHandler),
		MaxManifestSegments: 2, MaxManifestSize: 500})
	three := mustJSON(t, []map[string]any{entries[0], entries[0], entries[0]})
	tests := []struct {
		name     string
		target   string
		body     []byte
		header   http.Header
		wantCode int
		wantBody string
	}{
		{"copy", "/v1/AUTH_test/cont/m?multipart-manifest=put", body, http.Header{"X-Copy-From": {"c/o"}}, 405, "Multipart Manifest PUTs cannot be COPY requests"},
		{"too many segments", "/v1/AUTH_test/cont/m?multipart-manifest=put", three, nil, 413, "Number of object-backed segments must be <= 2"},
		{"too big", "/v1/AUTH_test/cont/m?multipart-manifest=put", []byte(strings.Repeat(" ", 501)), nil, 413, "Manifest File > 500 bytes"},
		{"client sets the flag", "/v1/AUTH_test/cont/m", body, http.Header{"X-Static-Large-Object": {"True"}}, 400,
			"X-Static-Large-Object is a reserved header. To create a static large object add query param multipart-manifest=put."},
		{"client posts the flag", "/v1/AUTH_test/cont/m", nil, http.Header{"X-Static-Large-Object": {"False"}}, 400, ""},
		{"wrong etag", "/v1/AUTH_test/cont/m?multipart-manifest=put", body, http.Header{"Etag": {`"00000000000000000000000000000000"`}}, 422, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := "PUT"
			if tt.body == nil {
				method = "POST"
			}
			rec := do(t, m, method, tt.target, tt.body, tt.header)
			if rec.Code != tt.wantCode || (tt.wantBody != "" && rec.Body.String() != tt.wantBody) {
				t.Fatalf("%s = %d %q, want %d %q", method, rec.Code, rec.Body, tt.wantCode, tt.wantBody)
			}
		})
	}
}

func TestPutManifestHeartbeat(t *testing.T) {
	f := newFakeSwift()
	f.containers["cont"] = true
	entries, _ := makeSegments(f, 3)
	m := newSLO(f)
	good := mustJSON(t, entries)
	bad := mustJSON(t, []map[string]any{segmentJSON("/segs/nope", "x", 1)})
	tests := []struct {
		name, accept string
		body         []byte
		want         []string
	}{
		{"created", "", good, []string{" \r\n\r\n", "Response Status: 201 Created\n", "Etag: \"", "Last Modified: ", "Errors:\n"}},
		{"rejected", "", bad, []string{"Response Status: 400 Bad Request\n", "/segs/nope, 404 Not Found\n"}},
		{"json", "application/json", bad, []string{`{"Response Status": "400 Bad Request", "Response Body": "Bad Request\n`, `"Errors": [["/segs/nope", "404 Not Found"]]}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, m, "PUT", "/v1/AUTH_test/cont/m?multipart-manifest=put&heartbeat=on", tt.body, http.Header{"Accept": {tt.accept}})
			if rec.Code != http.StatusAccepted {
				t.Fatalf("PUT = %d, want 202", rec.Code)
			}
			body, _ := io.ReadAll(rec.Body)
			if !strings.HasPrefix(string(body), " \r\n\r\n") {
				t.Errorf("body %q does not start with a heartbeat and the separator", body)
			}
			for _, want := range tt.want {
				if !strings.Contains(string(body), want) {
					t.Errorf("body %q lacks %q", body, want)
				}
			}
		})
	}
}

func TestPutHeadsThroughSelf(t *testing.T) {
	f := newFakeSwift()
	f.containers["cont"] = true
	entries, all := makeSegments(f, 4, 4)
	m := newSLO(f)
	if rec := do(t, m, "PUT", "/v1/AUTH_test/cont/inner?multipart-manifest=put", mustJSON(t, entries), nil); rec.Code != 201 {
		t.Fatalf("inner PUT = %d", rec.Code)
	}
	head := do(t, m, "HEAD", "/v1/AUTH_test/cont/inner", nil, nil)
	innerETag := strings.Trim(head.Header().Get("Etag"), `"`)
	outer := mustJSON(t, []map[string]any{segmentJSON("/cont/inner", innerETag, len(all)), entries[0]})
	f.mu.Lock()
	f.log = nil
	f.mu.Unlock()
	if rec := do(t, m, "PUT", "/v1/AUTH_test/cont/outer?multipart-manifest=put", outer, nil); rec.Code != 201 {
		t.Fatalf("outer PUT = %d %s", rec.Code, rec.Body)
	}
	o, _ := f.get("cont", "outer")
	var stored []storedSegment
	if err := json.Unmarshal(o.body, &stored); err != nil || !stored[0].SubSLO || *stored[0].Bytes != int64(len(all)) {
		t.Fatalf("outer manifest = %s", o.body)
	}
	for _, line := range f.requests() {
		if !strings.HasPrefix(line, "PUT ") && !strings.HasSuffix(line, " SLO") {
			t.Errorf("segment HEAD not marked as a subrequest: %q", line)
		}
	}
}
