package slo

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

// builder makes random large objects: plain segments with and without
// ranges, inline data, and nested manifests, remembering the bytes each
// should assemble to.
type builder struct {
	t   *testing.T
	f   *fakeSwift
	m   *Middleware
	rnd *rand.Rand
	n   int
}

func (b *builder) randomBytes(n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(b.rnd.IntN(256))
	}
	return out
}

// slo PUTs a manifest of up to 5 random segments and returns its name
// and content.
func (b *builder) slo(depth int) (string, []byte) {
	b.t.Helper()
	var entries []map[string]any
	var want []byte
	for range 1 + b.rnd.IntN(5) {
		kind := b.rnd.IntN(4)
		switch {
		case kind == 0:
			data := b.randomBytes(1 + b.rnd.IntN(9))
			entries = append(entries, map[string]any{"data": base64.StdEncoding.EncodeToString(data)})
			want = append(want, data...)
			continue
		case kind == 1 && depth < 3:
			name, body := b.slo(depth + 1)
			entry, part := b.maybeRange("/cont/"+name, body)
			entries, want = append(entries, entry), append(want, part...)
			continue
		}
		b.n++
		name := fmt.Sprintf("seg%03d", b.n)
		body := b.randomBytes(1 + b.rnd.IntN(40))
		b.f.put("segs", name, body, nil)
		entry, part := b.maybeRange("/segs/"+name, body)
		entries, want = append(entries, entry), append(want, part...)
	}
	if !bytes.Contains(mustJSON(b.t, entries), []byte(`"path"`)) {
		// A manifest needs at least one object-backed segment.
		b.n++
		seg := fmt.Sprintf("seg%03d", b.n)
		body := b.randomBytes(3)
		b.f.put("segs", seg, body, nil)
		entries, want = append(entries, map[string]any{"path": "/segs/" + seg}), append(want, body...)
	}
	b.n++
	name := fmt.Sprintf("slo%03d", b.n)
	rec := do(b.t, b.m, "PUT", "/v1/AUTH_test/cont/"+name+"?multipart-manifest=put", mustJSON(b.t, entries), nil)
	if rec.Code != http.StatusCreated {
		b.t.Fatalf("PUT %s = %d %s (%s)", name, rec.Code, rec.Body, mustJSON(b.t, entries))
	}
	return name, want
}

// maybeRange uses a random range of body half of the time.
func (b *builder) maybeRange(path string, body []byte) (map[string]any, []byte) {
	if b.rnd.IntN(2) == 0 || len(body) < 2 {
		return map[string]any{"path": path}, body
	}
	first := b.rnd.IntN(len(body))
	last := first + b.rnd.IntN(len(body)-first)
	return map[string]any{"path": path, "range": fmt.Sprintf("%d-%d", first, last)}, body[first : last+1]
}

func newBuilder(t *testing.T, seed uint64) *builder {
	f := newFakeSwift()
	f.containers["cont"], f.containers["segs"] = true, true
	return &builder{t: t, f: f, m: newSLO(f), rnd: rand.New(rand.NewPCG(seed, seed))}
}

// TestRangesMatchConcatenation is the property that any range of a large
// object is the same slice of its segments' concatenation, across
// segment boundaries, nested manifests, segment ranges and inline data.
func TestRangesMatchConcatenation(t *testing.T) {
	for seed := range uint64(20) {
		b := newBuilder(t, seed)
		name, want := b.slo(1)
		target := "/v1/AUTH_test/cont/" + name
		rec := do(t, b.m, "GET", target, nil, nil)
		if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), want) {
			t.Fatalf("seed %d: GET = %d, %d bytes; want %d bytes", seed, rec.Code, rec.Body.Len(), len(want))
		}
		if got := rec.Header().Get("Content-Length"); got != strconv.Itoa(len(want)) {
			t.Fatalf("seed %d: Content-Length %s, want %d", seed, got, len(want))
		}
		for range 30 {
			header := b.randomRange(len(want))
			checkRange(t, b.m, target, header, want)
		}
	}
}

func (b *builder) randomRange(size int) string {
	spec := func() string {
		first := b.rnd.IntN(size + 2)
		switch b.rnd.IntN(3) {
		case 0:
			return fmt.Sprintf("%d-", first)
		case 1:
			return fmt.Sprintf("-%d", b.rnd.IntN(size+2))
		}
		return fmt.Sprintf("%d-%d", first, first+b.rnd.IntN(size+2))
	}
	specs := []string{spec()}
	for b.rnd.IntN(3) == 0 {
		specs = append(specs, spec())
	}
	return "bytes=" + strings.Join(specs, ",")
}

// checkRange compares a ranged GET with what swift.ParseRange says the
// answer must be.
func checkRange(t *testing.T, h http.Handler, target, header string, whole []byte) {
	t.Helper()
	rec := do(t, h, "GET", target, nil, http.Header{"Range": {header}})
	ranges, err := swift.ParseRange(header, int64(len(whole)))
	switch {
	case err != nil:
		if rec.Code != http.StatusRequestedRangeNotSatisfiable || rec.Header().Get("Content-Range") != fmt.Sprintf("bytes */%d", len(whole)) {
			t.Fatalf("%s: got %d %q, want 416", header, rec.Code, rec.Header().Get("Content-Range"))
		}
	case len(ranges) == 0:
		if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), whole) {
			t.Fatalf("%s: got %d, want the whole object", header, rec.Code)
		}
	case len(ranges) == 1:
		r := ranges[0]
		if rec.Code != http.StatusPartialContent || rec.Header().Get("Content-Range") != r.ContentRange(int64(len(whole))) ||
			!bytes.Equal(rec.Body.Bytes(), whole[r.Start:r.End]) {
			t.Fatalf("%s: got %d %s %q, want %s %q", header, rec.Code, rec.Header().Get("Content-Range"), rec.Body.Bytes(),
				r.ContentRange(int64(len(whole))), whole[r.Start:r.End])
		}
	default:
		parts := readMultipart(t, rec)
		if len(parts) != len(ranges) {
			t.Fatalf("%s: %d parts, want %d", header, len(parts), len(ranges))
		}
		for i, r := range ranges {
			if !bytes.Equal(parts[i], whole[r.Start:r.End]) {
				t.Fatalf("%s: part %d = %q, want %q", header, i, parts[i], whole[r.Start:r.End])
			}
		}
		if got := rec.Header().Get("Content-Length"); got != strconv.Itoa(rec.Body.Len()) {
			t.Fatalf("%s: Content-Length %s for a %d-byte body", header, got, rec.Body.Len())
		}
	}
}

func readMultipart(t *testing.T, rec *httptest.ResponseRecorder) [][]byte {
	t.Helper()
	_, params, err := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	if rec.Code != http.StatusPartialContent || err != nil {
		t.Fatalf("multi-range GET = %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	mr := multipart.NewReader(bytes.NewReader(rec.Body.Bytes()), params["boundary"])
	var parts [][]byte
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return parts
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		parts = append(parts, b)
	}
}

func TestGetHeaders(t *testing.T) {
	f := newFakeSwift()
	f.containers["cont"] = true
	entries, all := makeSegments(f, 5, 7)
	m := newSLO(f)
	put := do(t, m, "PUT", "/v1/AUTH_test/cont/m?multipart-manifest=put", mustJSON(t, entries),
		http.Header{"Content-Type": {"text/csv"}, "X-Object-Meta-Color": {"blue"}})
	manifest, _ := f.get("cont", "m")
	for _, method := range []string{"GET", "HEAD"} {
		rec := do(t, m, method, "/v1/AUTH_test/cont/m", nil, nil)
		want := map[string]string{
			"Etag":                      put.Header().Get("Etag"),
			"Content-Length":            "12",
			"Content-Type":              "text/csv",
			"X-Static-Large-Object":     "True",
			"X-Manifest-Etag":           md5Of(manifest.body),
			"X-Object-Meta-Color":       "blue",
			"X-Object-Sysmeta-Slo-Etag": "",
			"Accept-Ranges":             "bytes",
		}
		for k, v := range want {
			if got := rec.Header().Get(k); got != v {
				t.Errorf("%s %s = %q, want %q", method, k, got, v)
			}
		}
		wantBody := all
		if method == "HEAD" {
			wantBody = nil
		}
		if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), wantBody) {
			t.Errorf("%s = %d %q", method, rec.Code, rec.Body)
		}
	}
}

func TestLegacyManifest(t *testing.T) {
	f := newFakeSwift()
	f.containers["cont"] = true
	_, all := makeSegments(f, 3, 4)
	seg0, _ := f.get("segs", "seg0")
	seg1, _ := f.get("segs", "seg1")
	stored := fmt.Sprintf(`[{"name": "/segs/seg0", "bytes": 3, "hash": %q}, {"name": "/segs/seg1", "bytes": 4, "hash": %q, "range": "1-3"}]`,
		md5Of(seg0.body), md5Of(seg1.body))
	f.put("cont", "legacy", []byte(stored), http.Header{"X-Static-Large-Object": {"True"}})
	wantETag := `"` + md5Of([]byte(md5Of(seg0.body)+md5Of(seg1.body)+":1-3;")) + `"`
	m := newSLO(f)
	for _, method := range []string{"HEAD", "GET"} {
		rec := do(t, m, method, "/v1/AUTH_test/cont/legacy", nil, nil)
		if rec.Code != http.StatusOK || rec.Header().Get("Etag") != wantETag || rec.Header().Get("Content-Length") != "6" {
			t.Errorf("%s = %d %s %s", method, rec.Code, rec.Header().Get("Etag"), rec.Header().Get("Content-Length"))
		}
	}
	if rec := do(t, m, "GET", "/v1/AUTH_test/cont/legacy", nil, nil); rec.Body.String() != string(all[:3])+string(all[4:7]) {
		t.Errorf("GET body %q", rec.Body)
	}
}

func TestConditionalGet(t *testing.T) {
	for _, honor := range []bool{true, false} {
		f := newFakeSwift()
		f.honorBackend = honor
		f.containers["cont"] = true
		entries, _ := makeSegments(f, 5)
		m := newSLO(f)
		etag := do(t, m, "PUT", "/v1/AUTH_test/cont/m?multipart-manifest=put", mustJSON(t, entries), nil).Header().Get("Etag")
		modified := do(t, m, "HEAD", "/v1/AUTH_test/cont/m", nil, nil).Header().Get("Last-Modified")
		tests := []struct {
			header http.Header
			want   int
		}{
			{http.Header{"If-None-Match": {etag}}, http.StatusNotModified},
			{http.Header{"If-None-Match": {`"other"`}}, http.StatusOK},
			{http.Header{"If-Match": {etag}}, http.StatusOK},
			{http.Header{"If-Match": {`"other"`}}, http.StatusPreconditionFailed},
			{http.Header{"If-Match": {"*"}}, http.StatusOK},
			{http.Header{"If-Modified-Since": {modified}}, http.StatusNotModified},
			{http.Header{"If-Unmodified-Since": {"Mon, 02 Jan 2006 15:04:05 GMT"}}, http.StatusPreconditionFailed},
		}
		for _, tt := range tests {
			for _, method := range []string{"GET", "HEAD"} {
				rec := do(t, m, method, "/v1/AUTH_test/cont/m", nil, tt.header)
				if rec.Code != tt.want {
					t.Errorf("honor=%v %s %v = %d, want %d", honor, method, tt.header, rec.Code, tt.want)
				}
				if rec.Code == http.StatusNotModified && rec.Header().Get("Etag") != etag {
					t.Errorf("304 Etag = %q, want %q", rec.Header().Get("Etag"), etag)
				}
			}
		}
	}
}

// TestManifestIgnoringRange covers object servers that apply the Range to
// the manifest itself: the middleware must fetch the manifest again.
func TestManifestIgnoringRange(t *testing.T) {
	f := newFakeSwift()
	f.honorBackend = false
	f.containers["cont"] = true
	entries, all := makeSegments(f, 5, 5)
	m := newSLO(f)
	do(t, m, "PUT", "/v1/AUTH_test/cont/m?multipart-manifest=put", mustJSON(t, entries), nil)
	for _, header := range []string{"bytes=3-6", "bytes=0-0", "bytes=9-", "bytes=-2", "bytes=1-2,6-8", "bytes=500-"} {
		checkRange(t, m, "/v1/AUTH_test/cont/m", header, all)
	}
}

func TestManifestGet(t *testing.T) {
	f := newFakeSwift()
	f.containers["cont"] = true
	entries, all := makeSegments(f, 5, 7)
	entries[1]["range"] = "1-4"
	entries = append(entries, map[string]any{"data": "eHl6"})
	m := newSLO(f)
	do(t, m, "PUT", "/v1/AUTH_test/cont/m?multipart-manifest=put", mustJSON(t, entries), http.Header{"Content-Type": {"text/csv"}})
	stored, _ := f.get("cont", "m")

	rec := do(t, m, "GET", "/v1/AUTH_test/cont/m?multipart-manifest=get", nil, nil)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" ||
		!bytes.Equal(rec.Body.Bytes(), stored.body) || rec.Header().Get(headerSysmetaETag) != "" {
		t.Fatalf("manifest GET = %d %s %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}

	raw := do(t, m, "GET", "/v1/AUTH_test/cont/m?multipart-manifest=get&format=raw", nil, nil)
	wantRaw := fmt.Sprintf(`[{"etag": %q, "path": "/segs/seg0", "size_bytes": 5}, {"etag": %q, "path": "/segs/seg1", "range": "1-4", "size_bytes": 7}, {"data": "eHl6"}]`,
		entries[0]["etag"], entries[1]["etag"])
	if raw.Body.String() != wantRaw || raw.Header().Get("Content-Type") != "text/csv" || raw.Header().Get("Etag") != md5Of([]byte(wantRaw)) {
		t.Fatalf("raw GET = %s %s %s", raw.Header().Get("Content-Type"), raw.Header().Get("Etag"), raw.Body)
	}

	// The raw form PUTs back as the same large object, as a COPY with
	// multipart-manifest=get relies on.
	if rec := do(t, m, "PUT", "/v1/AUTH_test/cont/copy?multipart-manifest=put", raw.Body.Bytes(), nil); rec.Code != http.StatusCreated {
		t.Fatalf("re-PUT = %d %s", rec.Code, rec.Body)
	}
	want := string(all[:5]) + string(all[6:10]) + "xyz"
	for _, name := range []string{"m", "copy"} {
		if got := do(t, m, "GET", "/v1/AUTH_test/cont/"+name, nil, nil).Body.String(); got != want {
			t.Errorf("GET %s = %q, want %q", name, got, want)
		}
	}

	plain := do(t, m, "GET", "/v1/AUTH_test/segs/seg0?multipart-manifest=get", nil, nil)
	if plain.Body.String() != string(all[:5]) {
		t.Errorf("manifest GET of a plain object = %q", plain.Body)
	}
}

func TestPlainObjectsPassThrough(t *testing.T) {
	f := newFakeSwift()
	f.put("segs", "plain", []byte("hello world"), http.Header{"X-Object-Meta-A": {"b"}})
	m := newSLO(f)
	rec := do(t, m, "GET", "/v1/AUTH_test/segs/plain", nil, http.Header{"Range": {"bytes=6-"}})
	if rec.Code != http.StatusPartialContent || rec.Body.String() != "world" || rec.Header().Get("X-Object-Meta-A") != "b" {
		t.Fatalf("GET = %d %q", rec.Code, rec.Body)
	}
	if rec := do(t, m, "GET", "/v1/AUTH_test/segs/missing", nil, nil); rec.Code != http.StatusNotFound {
		t.Fatalf("missing GET = %d", rec.Code)
	}
	rec = do(t, m, "GET", "/v1/AUTH_test/segs/plain", nil, http.Header{"If-None-Match": {`"` + md5Of([]byte("hello world")) + `"`}})
	if rec.Code != http.StatusNotModified {
		t.Fatalf("conditional GET = %d", rec.Code)
	}
}

func TestBrokenSegments(t *testing.T) {
	f := newFakeSwift()
	f.containers["cont"] = true
	entries, _ := makeSegments(f, 5, 5, 5)
	m := newSLO(f)
	do(t, m, "PUT", "/v1/AUTH_test/cont/m?multipart-manifest=put", mustJSON(t, entries), nil)
	srv := httptest.NewServer(m)
	defer srv.Close()
	get := func(header string) (int, error) {
		req, _ := http.NewRequest("GET", srv.URL+"/v1/AUTH_test/cont/m", nil)
		req.Header.Set("X-Auth-Token", fakeToken)
		req.Header.Set("Range", header)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, err = io.ReadAll(resp.Body)
		return resp.StatusCode, err
	}
	// The last segment changes after the manifest was made.
	f.put("segs", "seg2", []byte("XXXXX"), nil)
	if code, err := get("bytes=0-9"); code != http.StatusPartialContent || err != nil {
		t.Errorf("GET of the intact part = %d, %v", code, err)
	}
	if code, err := get("bytes=10-"); code != http.StatusConflict || err != nil {
		t.Errorf("GET starting at the changed segment = %d, %v; want 409", code, err)
	}
	// Headers may still sit in the server's buffer when the connection
	// is cut, so the client sees either a short body or no answer.
	if code, err := get(""); err == nil {
		t.Errorf("GET through the changed segment = %d; want a cut connection", code)
	}
	f.put("segs", "seg1", []byte("YYYYYY"), nil) // a different size too
	if code, _ := get("bytes=5-6"); code != http.StatusConflict {
		t.Errorf("GET of a resized segment = %d; want 409", code)
	}
}

func TestNestingTooDeep(t *testing.T) {
	f := newFakeSwift()
	f.containers["cont"] = true
	entries, _ := makeSegments(f, 3)
	m := newSLO(f)
	name := "/cont/m0"
	do(t, m, "PUT", "/v1/AUTH_test"+name+"?multipart-manifest=put", mustJSON(t, entries), nil)
	for i := 1; i <= maxRecursionDepth; i++ {
		next := fmt.Sprintf("/cont/m%d", i)
		rec := do(t, m, "PUT", "/v1/AUTH_test"+next+"?multipart-manifest=put", mustJSON(t, []map[string]any{{"path": name}}), nil)
		if rec.Code != http.StatusCreated {
			t.Fatalf("PUT %s = %d %s", next, rec.Code, rec.Body)
		}
		name = next
	}
	if rec := do(t, m, "GET", "/v1/AUTH_test/cont/m8", nil, nil); rec.Code != http.StatusOK || rec.Body.Len() != 3 {
		t.Errorf("GET at depth 9 = %d", rec.Code)
	}
	if rec := do(t, m, "GET", "/v1/AUTH_test"+name, nil, nil); rec.Code != http.StatusConflict {
		t.Errorf("GET at depth %d = %d, want 409", maxRecursionDepth+1, rec.Code)
	}
}

func TestUnloadableManifest(t *testing.T) {
	f := newFakeSwift()
	for name, body := range map[string]string{
		"notjson":  "{",
		"noname":   `[{"bytes": 1, "hash": "x"}]`,
		"badrange": `[{"name": "/c/o", "bytes": 1, "hash": "x", "range": "3-1"}]`,
		"baddata":  `[{"data": "!!"}]`,
	} {
		f.put("cont", name, []byte(body), http.Header{"X-Static-Large-Object": {"True"}})
		if rec := do(t, newSLO(f), "GET", "/v1/AUTH_test/cont/"+name, nil, nil); rec.Code != http.StatusInternalServerError ||
			rec.Body.String() != "Unable to load SLO manifest" {
			t.Errorf("GET %s = %d %q", name, rec.Code, rec.Body)
		}
	}
}

func TestInfo(t *testing.T) {
	f := newFakeSwift()
	got := mustJSON(t, newSLO(f).Info())
	want := `{"slo":{"allow_async_delete":false,"max_manifest_segments":1000,"max_manifest_size":8388608,"min_segment_size":1,"yield_frequency":3600}}`
	if string(got) != want {
		t.Errorf("Info = %s, want %s", got, want)
	}
}
