package dlo

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

func newDLO(f *fakeSwift, pageSize int) *Middleware {
	limits := swift.DefaultLimits()
	limits.ContainerListingLimit = pageSize
	f.listingLimit = pageSize
	return New(f, Config{Client: f.client(), Endpoint: "http://" + fakeHost, Logger: slog.New(slog.DiscardHandler), Limits: limits})
}

// makeDLO stores n segments of random sizes under segs/big/ plus a
// manifest cont/big, and returns the assembled bytes and segment ETags.
func makeDLO(f *fakeSwift, seed uint64, n int) ([]byte, []string) {
	rnd := rand.New(rand.NewPCG(seed, seed))
	var all []byte
	var etags []string
	for i := range n {
		body := make([]byte, rnd.IntN(20))
		for j := range body {
			body[j] = byte(rnd.IntN(256))
		}
		etags = append(etags, f.put("segs", fmt.Sprintf("big/%04d", i), body, nil))
		all = append(all, body...)
	}
	f.put("segs", "bigger", []byte("not a segment"), nil) // shares the prefix "big" only without the slash
	f.put("cont", "big", nil, http.Header{"X-Object-Manifest": {"segs/big/"}, "X-Object-Meta-Color": {"red"}})
	return all, etags
}

func TestGet(t *testing.T) {
	f := newFakeSwift()
	all, etags := makeDLO(f, 1, 7)
	m := newDLO(f, 10000)
	var concat string
	for _, e := range etags {
		concat += e
	}
	for _, method := range []string{"GET", "HEAD"} {
		rec := do(t, m, method, "/v1/AUTH_test/cont/big", nil, nil)
		want := map[string]string{
			"Content-Length":      strconv.Itoa(len(all)),
			"Etag":                `"` + md5Of([]byte(concat)) + `"`,
			"X-Object-Manifest":   "segs/big/",
			"X-Object-Meta-Color": "red",
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
			t.Errorf("%s = %d, %d bytes", method, rec.Code, rec.Body.Len())
		}
	}
	for _, line := range f.requests() {
		if bytes.Contains([]byte(line), []byte("segs")) && !bytes.HasSuffix([]byte(line), []byte(" DLO")) {
			t.Errorf("subrequest not marked: %q", line)
		}
	}
}

// TestRanges checks that a single range of a DLO whose listing fits one
// page is the same slice of the concatenated segments, and that a
// multi-range request gets the whole object, as in Swift.
func TestRanges(t *testing.T) {
	f := newFakeSwift()
	all, _ := makeDLO(f, 2, 9)
	m := newDLO(f, 10000)
	rnd := rand.New(rand.NewPCG(3, 3))
	headers := []string{"bytes=0-0", "bytes=-1", "bytes=5-", fmt.Sprintf("bytes=%d-", len(all)), "bytes=-0", "bytes=1-2,5-6", "nonsense"}
	for range 100 {
		first := rnd.IntN(len(all) + 3)
		headers = append(headers, fmt.Sprintf("bytes=%d-%d", first, first+rnd.IntN(len(all))), fmt.Sprintf("bytes=-%d", rnd.IntN(len(all)+3)))
	}
	for _, header := range headers {
		rec := do(t, m, "GET", "/v1/AUTH_test/cont/big", nil, http.Header{"Range": {header}})
		ranges, err := swift.ParseRange(header, int64(len(all)))
		switch {
		case err != nil:
			if rec.Code != http.StatusRequestedRangeNotSatisfiable || rec.Header().Get("Content-Range") != fmt.Sprintf("bytes */%d", len(all)) {
				t.Errorf("%s: %d %q, want 416", header, rec.Code, rec.Header().Get("Content-Range"))
			}
		case len(ranges) == 1:
			r := ranges[0]
			if rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), all[r.Start:r.End]) ||
				rec.Header().Get("Content-Range") != r.ContentRange(int64(len(all))) ||
				rec.Header().Get("Content-Length") != strconv.FormatInt(r.Length(), 10) {
				t.Errorf("%s: %d %s, %d bytes", header, rec.Code, rec.Header().Get("Content-Range"), rec.Body.Len())
			}
		default:
			if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), all) {
				t.Errorf("%s: %d, want the whole object", header, rec.Code)
			}
		}
	}
}

// TestPaging covers listings longer than a page: the object streams
// whole (chunked, with the manifest's own ETag), and a range is honoured
// only while the first page settles it.
func TestPaging(t *testing.T) {
	f := newFakeSwift()
	all, _ := makeDLO(f, 4, 11)
	m := newDLO(f, 3)
	manifest, _ := f.get("cont", "big")
	rec := do(t, m, "GET", "/v1/AUTH_test/cont/big", nil, nil)
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), all) {
		t.Fatalf("GET = %d, %d of %d bytes", rec.Code, rec.Body.Len(), len(all))
	}
	if rec.Header().Get("Content-Length") != "" || rec.Header().Get("Etag") != md5Of(manifest.body) {
		t.Errorf("Content-Length %q Etag %q: want none and the manifest's", rec.Header().Get("Content-Length"), rec.Header().Get("Etag"))
	}
	var listings int
	for _, line := range f.requests() {
		if bytes.Contains([]byte(line), []byte("/segs?")) {
			listings++
		}
	}
	if listings != 4 {
		t.Errorf("%d listing pages fetched for 11 segments in pages of 3, want 4", listings)
	}

	var firstPage int
	for i := range 3 {
		o, _ := f.get("segs", fmt.Sprintf("big/%04d", i))
		firstPage += len(o.body)
	}
	within := fmt.Sprintf("bytes=1-%d", firstPage-2)
	if rec := do(t, m, "GET", "/v1/AUTH_test/cont/big", nil, http.Header{"Range": {within}}); rec.Code != http.StatusPartialContent ||
		!bytes.Equal(rec.Body.Bytes(), all[1:firstPage-1]) || rec.Header().Get("Content-Range") != fmt.Sprintf("bytes 1-%d/%d", firstPage-2, firstPage) {
		t.Errorf("range within the first page: %d %q", rec.Code, rec.Header().Get("Content-Range"))
	}
	beyond := fmt.Sprintf("bytes=%d-%d", firstPage, firstPage+2)
	if rec := do(t, m, "GET", "/v1/AUTH_test/cont/big", nil, http.Header{"Range": {beyond}}); rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), all) {
		t.Errorf("range beyond the first page: %d, want the whole object", rec.Code)
	}
}

func TestManifestItself(t *testing.T) {
	f := newFakeSwift()
	makeDLO(f, 5, 3)
	rec := do(t, newDLO(f, 10000), "GET", "/v1/AUTH_test/cont/big?multipart-manifest=get", nil, nil)
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("X-Object-Manifest") != "segs/big/" {
		t.Fatalf("GET = %d %q", rec.Code, rec.Body)
	}
}

func TestErrors(t *testing.T) {
	f := newFakeSwift()
	makeDLO(f, 6, 3)
	f.put("cont", "nocontainer", nil, http.Header{"X-Object-Manifest": {"nosuch/x"}})
	f.put("cont", "badvalue", nil, http.Header{"X-Object-Manifest": {"noslash"}})
	f.put("cont", "empty", nil, http.Header{"X-Object-Manifest": {"segs/nothing-here"}})
	m := newDLO(f, 10000)
	tests := []struct {
		method, target string
		want           int
	}{
		{"GET", "/v1/AUTH_test/cont/nocontainer", http.StatusNotFound},
		{"HEAD", "/v1/AUTH_test/cont/nocontainer", http.StatusNotFound},
		{"GET", "/v1/AUTH_test/cont/badvalue", http.StatusInternalServerError},
		{"GET", "/v1/AUTH_test/cont/empty", http.StatusOK},
	}
	for _, tt := range tests {
		if rec := do(t, m, tt.method, tt.target, nil, nil); rec.Code != tt.want {
			t.Errorf("%s %s = %d, want %d", tt.method, tt.target, rec.Code, tt.want)
		}
	}
}

func TestBrokenSegments(t *testing.T) {
	f := newFakeSwift()
	for i, body := range []string{"aaaa", "bbbb", "cccc"} {
		f.put("segs", fmt.Sprintf("big/%d", i), []byte(body), nil)
	}
	f.put("cont", "big", nil, http.Header{"X-Object-Manifest": {"segs/big/"}})
	m := newDLO(f, 10000)
	srv := httptest.NewServer(m)
	defer srv.Close()
	get := func() (int, []byte, error) {
		req, _ := http.NewRequest("GET", srv.URL+"/v1/AUTH_test/cont/big", nil)
		req.Header.Set("X-Auth-Token", fakeToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, b, err
	}
	if code, body, err := get(); code != http.StatusOK || string(body) != "aaaabbbbcccc" || err != nil {
		t.Fatalf("GET = %d %q %v", code, body, err)
	}
	f.status["segs/big/0"] = http.StatusNotFound
	if code, _, err := get(); code != http.StatusConflict || err != nil {
		t.Errorf("first segment missing: %d %v, want 409", code, err)
	}
	f.status["segs/big/0"] = 0
	f.status["segs/big/2"] = http.StatusServiceUnavailable
	if _, _, err := get(); err == nil {
		t.Error("last segment failing: want a cut connection")
	}
}

func TestConditional(t *testing.T) {
	for _, honor := range []bool{true, false} {
		f := newFakeSwift()
		f.honorBackend = honor
		makeDLO(f, 7, 4)
		m := newDLO(f, 10000)
		head := do(t, m, "HEAD", "/v1/AUTH_test/cont/big", nil, nil)
		etag, modified := head.Header().Get("Etag"), head.Header().Get("Last-Modified")
		tests := []struct {
			header http.Header
			want   int
		}{
			{http.Header{"If-None-Match": {etag}}, http.StatusNotModified},
			{http.Header{"If-Match": {etag}}, http.StatusOK},
			{http.Header{"If-Match": {`"nope"`}}, http.StatusPreconditionFailed},
			{http.Header{"If-Modified-Since": {modified}}, http.StatusNotModified},
		}
		for _, tt := range tests {
			if rec := do(t, m, "GET", "/v1/AUTH_test/cont/big", nil, tt.header); rec.Code != tt.want {
				t.Errorf("honor=%v %v = %d, want %d", honor, tt.header, rec.Code, tt.want)
			}
		}
	}
}

func TestPutValidation(t *testing.T) {
	f := newFakeSwift()
	f.containers["cont"] = true
	m := newDLO(f, 10000)
	tests := []struct {
		value string
		want  int
	}{
		{"segs/prefix", http.StatusCreated},
		{"segs/", http.StatusBadRequest},
		{"segs", http.StatusBadRequest},
		{"/prefix", http.StatusBadRequest},
		{"segs//prefix", http.StatusBadRequest},
		{"segs/a?b", http.StatusBadRequest},
		{"segs/a&b", http.StatusBadRequest},
		{"", http.StatusBadRequest},
	}
	for _, tt := range tests {
		rec := do(t, m, "PUT", "/v1/AUTH_test/cont/m", []byte{}, http.Header{"X-Object-Manifest": {tt.value}})
		if rec.Code != tt.want {
			t.Errorf("PUT with %q = %d, want %d", tt.value, rec.Code, tt.want)
		}
		if tt.want == http.StatusBadRequest && rec.Body.String() != "X-Object-Manifest must be in the format container/prefix" {
			t.Errorf("PUT with %q: body %q", tt.value, rec.Body)
		}
	}
}

func TestSplitManifest(t *testing.T) {
	tests := []struct{ value, container, prefix string }{
		{"segs/big/", "segs", "big/"},
		{"se%67s/b%20ig", "segs", "b ig"},
		{"a%2Fb/c", "a", "b/c"}, // decoded first, then split, as Swift does
		{"c/%zz", "c", "%zz"},
	}
	for _, tt := range tests {
		c, p, err := splitManifest(tt.value)
		if err != nil || c != tt.container || p != tt.prefix {
			t.Errorf("splitManifest(%q) = %q, %q, %v", tt.value, c, p, err)
		}
	}
	if _, _, err := splitManifest("/x"); err == nil {
		t.Error("an empty container was accepted")
	}
}

func TestInfo(t *testing.T) {
	if info := newDLO(newFakeSwift(), 1).Info(); len(info) != 0 {
		t.Errorf("Info = %v, want no section", info)
	}
}

// TestBoundedWriter checks the guard against segments that changed size
// since the listing announced the length.
func TestBoundedWriter(t *testing.T) {
	tests := []struct {
		left    int64
		writes  []string
		want    string
		wantErr bool
	}{
		{-1, []string{"abc", "def"}, "abcdef", false},
		{6, []string{"abc", "def"}, "abcdef", false},
		{4, []string{"abc", "def"}, "abcd", true},
		{0, []string{"a"}, "", true},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		bw := &boundedWriter{w: &buf, left: tt.left}
		var err error
		for _, s := range tt.writes {
			if _, err = bw.Write([]byte(s)); err != nil {
				break
			}
		}
		if buf.String() != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("left %d: wrote %q, err %v; want %q, error %v", tt.left, buf.String(), err, tt.want, tt.wantErr)
		}
	}
}
