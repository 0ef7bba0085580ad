package object

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sciswift/sciswift/ring"
	"github.com/sciswift/sciswift/server/swift"
)

const (
	dev  = "sda"
	base = "/" + dev + "/3/AUTH_a/c/"
)

type harness struct {
	t    testing.TB
	root string
	srv  *Server
}

func newHarness(t testing.TB, cfg Config) *harness {
	t.Helper()
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, dev), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg.Root = root
	cfg.Hasher = ring.PathHasher{Prefix: "pre", Suffix: "suf"}
	// Test timestamps are from 2023: keep their tombstones.
	cfg.Disk.ReclaimAge = 100 * 365 * 24 * time.Hour
	if cfg.ContainerUpdateTimeout == 0 {
		cfg.ContainerUpdateTimeout = 5 * time.Second
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &harness{t: t, root: root, srv: srv}
}

// do sends a request; headers alternate name, value. A body sets
// Content-Length unless the headers already say how it is framed.
func (h *harness) do(method, path string, body io.Reader, headers ...string) *httptest.ResponseRecorder {
	h.t.Helper()
	r := httptest.NewRequest(method, "http://object.test"+path, body)
	r.Header = http.Header{}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	// Frame the body as net/http's server would have.
	cl, given := r.Header["Content-Length"]
	switch {
	case given && cl[0] == "":
		r.Header.Del("Content-Length")
		r.ContentLength = 0
	case given && cl[0] == "-1":
		r.Header.Del("Content-Length")
		r.ContentLength, r.TransferEncoding = -1, []string{"chunked"}
	case given:
		r.ContentLength, _ = strconv.ParseInt(cl[0], 10, 64)
	case method == http.MethodPut:
		r.Header.Set("Content-Length", strconv.FormatInt(r.ContentLength, 10))
	}
	w := httptest.NewRecorder()
	h.srv.ServeHTTP(w, r)
	return w
}

// objPath is the escaped backend path of an object in AUTH_a/c on sda.
func objPath(obj string) string { return swift.EscapePath(dev, "3", "AUTH_a", "c", obj) }

func ts(sec int) string { return fmt.Sprintf("%d.00000", 1700000000+sec) }

// put stores body at ts(sec) with extra headers.
func (h *harness) put(obj string, sec int, body string, headers ...string) *httptest.ResponseRecorder {
	h.t.Helper()
	hs := append([]string{"X-Timestamp", ts(sec), "Content-Type", "text/plain"}, headers...)
	return h.do(http.MethodPut, objPath(obj), strings.NewReader(body), hs...)
}

func (h *harness) mustPut(obj string, sec int, body string, headers ...string) {
	h.t.Helper()
	if w := h.put(obj, sec, body, headers...); w.Code != http.StatusCreated {
		h.t.Fatalf("PUT %s: %d %s", obj, w.Code, w.Body)
	}
}

func expect(t *testing.T, w *httptest.ResponseRecorder, status int, body string) {
	t.Helper()
	if w.Code != status {
		t.Errorf("status %d, want %d (body %q)", w.Code, status, w.Body)
	}
	if body != "" && !strings.Contains(w.Body.String(), body) {
		t.Errorf("body %q, want it to contain %q", w.Body, body)
	}
}

func TestPutGetHead(t *testing.T) {
	h := newHarness(t, Config{})
	w := h.put("o", 1, "hello", "X-Object-Meta-Color", "blue", "X-Object-Sysmeta-Slo-Size", "5",
		"Content-Disposition", "attachment", "X-Object-Transient-Sysmeta-T", "t", "X-Trans-Id", "tx1")
	expect(t, w, http.StatusCreated, "")
	if got := w.Header().Get("Etag"); got != `"5d41402abc4b2a76b9719d911017c592"` {
		t.Errorf("PUT ETag %q", got)
	}
	want := map[string]string{
		"Content-Type": "text/plain", "Content-Length": "5", "Etag": "5d41402abc4b2a76b9719d911017c592",
		"X-Timestamp": ts(1), "X-Backend-Timestamp": ts(1), "X-Backend-Data-Timestamp": ts(1),
		"Last-Modified": "Tue, 14 Nov 2023 22:13:21 GMT", "Accept-Ranges": "bytes",
		"X-Object-Meta-Color": "blue", "X-Object-Sysmeta-Slo-Size": "5", "Content-Disposition": "attachment",
		"X-Object-Transient-Sysmeta-T": "t",
	}
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		w := h.do(method, base+"o", nil)
		expect(t, w, http.StatusOK, "")
		for k, v := range want {
			if got := w.Header().Get(k); got != v {
				t.Errorf("%s %s = %q, want %q", method, k, got, v)
			}
		}
		if w.Header().Get("X-Trans-Id") != "" {
			t.Errorf("%s stored a non-metadata header", method)
		}
		if body := w.Body.String(); (method == http.MethodGet) != (body == "hello") {
			t.Errorf("%s body %q", method, body)
		}
	}
}

// slowBody fails like a connection whose read deadline passed.
type slowBody struct{}

func (slowBody) Read([]byte) (int, error) { return 0, timeoutError{} }

type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

func TestPutStatuses(t *testing.T) {
	h := newHarness(t, Config{})
	h.mustPut("exists", 10, "x")
	future := strconv.FormatInt(1700000000+1000, 10)
	big := strings.Repeat("0123456789abcdef", 3<<16) + "tail" // 3 MiB and a bit
	bigSum := md5.Sum([]byte(big))
	bigETag := hex.EncodeToString(bigSum[:])
	tests := []struct {
		name    string
		path    string
		body    io.Reader
		headers []string
		status  int
		msg     string
	}{
		{"created", base + "new", strings.NewReader("abc"), []string{"X-Timestamp", ts(1), "Content-Type", "a/b"}, 201, ""},
		{"chunked", base + "chunked", strings.NewReader("abc"), []string{"X-Timestamp", ts(1), "Content-Type", "a/b", "Content-Length", "-1"}, 201, ""},
		{"zero bytes", base + "empty", strings.NewReader(""), []string{"X-Timestamp", ts(1), "Content-Type", "a/b"}, 201, ""},
		{"no timestamp", base + "o", strings.NewReader("abc"), []string{"Content-Type", "a/b"}, 400, "Missing X-Timestamp header"},
		{"bad timestamp", base + "o", strings.NewReader("abc"), []string{"X-Timestamp", "soon", "Content-Type", "a/b"}, 400, "X-Timestamp should be a UNIX timestamp float value"},
		{"no content type", base + "o", strings.NewReader("abc"), []string{"X-Timestamp", ts(1)}, 400, "No content type"},
		{"no length", base + "o", nil, []string{"X-Timestamp", ts(1), "Content-Type", "a/b", "Content-Length", ""}, 411, "Missing Content-Length header."},
		{"too large", base + "o", strings.NewReader("abc"), []string{"X-Timestamp", ts(1), "Content-Type", "a/b", "Content-Length", "6000000000"}, 413, "Your request is too large."},
		{"name too long", base + strings.Repeat("n", 1025), strings.NewReader("abc"), []string{"X-Timestamp", ts(1), "Content-Type", "a/b"}, 400, "Object name length of 1025 longer than 1024"},
		{"etag mismatch", base + "o", strings.NewReader("abc"), []string{"X-Timestamp", ts(1), "Content-Type", "a/b", "Etag", "0123"}, 422, "Unprocessable Entity"},
		{"etag match quoted", base + "etag", strings.NewReader("abc"), []string{"X-Timestamp", ts(1), "Content-Type", "a/b", "Etag", `"900150983CD24FB0D6963F7D28E17F72"`}, 201, ""},
		{"short body", base + "o", strings.NewReader("abc"), []string{"X-Timestamp", ts(1), "Content-Type", "a/b", "Content-Length", "10"}, 499, ""},
		{"read timeout", base + "o", slowBody{}, []string{"X-Timestamp", ts(1), "Content-Type", "a/b", "Content-Length", "10"}, 408, ""},
		{"delete-at in past", base + "o", strings.NewReader("abc"), []string{"X-Timestamp", ts(1), "Content-Type", "a/b", "X-Delete-At", "1700000000"}, 400, "X-Delete-At in past"},
		{"delete-at not integer", base + "o", strings.NewReader("abc"), []string{"X-Timestamp", ts(1), "Content-Type", "a/b", "X-Delete-At", "soon"}, 400, "Non-integer X-Delete-At"},
		{"delete-at future", base + "expiring", strings.NewReader("abc"), []string{"X-Timestamp", ts(1), "Content-Type", "a/b", "X-Delete-At", future}, 201, ""},
		{"delete-after", base + "after", strings.NewReader("abc"), []string{"X-Timestamp", ts(1), "Content-Type", "a/b", "X-Delete-After", "60"}, 201, ""},
		{"delete-after bad", base + "o", strings.NewReader("abc"), []string{"X-Timestamp", ts(1), "Content-Type", "a/b", "X-Delete-After", "x"}, 400, "Non-integer X-Delete-After"},
		{"older than existing", base + "exists", strings.NewReader("abc"), []string{"X-Timestamp", ts(5), "Content-Type", "a/b"}, 409, ""},
		{"same as existing", base + "exists", strings.NewReader("abc"), []string{"X-Timestamp", ts(10), "Content-Type", "a/b"}, 409, ""},
		{"if-none-match existing", base + "exists", strings.NewReader("abc"), []string{"X-Timestamp", ts(20), "Content-Type", "a/b", "If-None-Match", "*"}, 412, ""},
		{"if-none-match absent", base + "inm", strings.NewReader("abc"), []string{"X-Timestamp", ts(20), "Content-Type", "a/b", "If-None-Match", "*"}, 201, ""},
		{"too much metadata", base + "o", strings.NewReader("abc"), []string{"X-Timestamp", ts(1), "Content-Type", "a/b", "X-Object-Meta-Big", strings.Repeat("v", 257)}, 400, "Metadata value longer than 256"},
		{"invalid content type", base + "o", strings.NewReader("abc"), []string{"X-Timestamp", ts(1), "Content-Type", "a/\xff"}, 400, "Invalid Content-Type"},
		{"missing device", "/sdz/3/AUTH_a/c/o", strings.NewReader("abc"), []string{"X-Timestamp", ts(1), "Content-Type", "a/b"}, 507, "Drive: sdz"},
		{"bad partition", "/sda/x/AUTH_a/c/o", strings.NewReader("abc"), []string{"X-Timestamp", ts(1), "Content-Type", "a/b"}, 400, "partition"},
		{"container path", "/sda/3/AUTH_a/c", strings.NewReader("abc"), []string{"X-Timestamp", ts(1), "Content-Type", "a/b"}, 400, "Invalid path"},
		{"NUL in name", base + "a%00b", strings.NewReader("abc"), []string{"X-Timestamp", ts(1), "Content-Type", "a/b"}, 412, "Invalid UTF8 or contains NULL"},
		// Bodies that take many buffers on their way to disk.
		{"large", base + "large", strings.NewReader(big), []string{"X-Timestamp", ts(1), "Content-Type", "a/b", "Etag", bigETag}, 201, ""},
		{"large chunked", base + "large-chunked", strings.NewReader(big), []string{"X-Timestamp", ts(1), "Content-Type", "a/b", "Content-Length", "-1"}, 201, ""},
		{"large etag mismatch", base + "o", strings.NewReader(big), []string{"X-Timestamp", ts(1), "Content-Type", "a/b", "Etag", "0123"}, 422, "Unprocessable Entity"},
		{"large short body", base + "o", strings.NewReader(big), []string{"X-Timestamp", ts(1), "Content-Type", "a/b", "Content-Length", strconv.Itoa(2 * len(big))}, 499, ""},
		{"large read timeout", base + "o", io.MultiReader(strings.NewReader(big), slowBody{}), []string{"X-Timestamp", ts(1), "Content-Type", "a/b", "Content-Length", strconv.Itoa(2 * len(big))}, 408, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := h.do(http.MethodPut, tt.path, tt.body, tt.headers...)
			expect(t, w, tt.status, tt.msg)
			if tt.status == 409 && w.Header().Get("X-Backend-Timestamp") != ts(10) {
				t.Errorf("409 X-Backend-Timestamp %q, want %s", w.Header().Get("X-Backend-Timestamp"), ts(10))
			}
		})
	}
	if got := h.do(http.MethodGet, base+"exists", nil); got.Body.String() != "x" {
		t.Errorf("a rejected PUT changed the object: %q", got.Body)
	}
	for _, name := range []string{"large", "large-chunked"} {
		got := h.do(http.MethodGet, base+name, nil)
		if got.Body.String() != big || got.Header().Get("Etag") != bigETag {
			t.Errorf("GET %s: %d bytes, Etag %s; want %d bytes, Etag %s", name, got.Body.Len(), got.Header().Get("Etag"), len(big), bigETag)
		}
	}
	if got := h.do(http.MethodGet, base+"o", nil); got.Code != http.StatusNotFound {
		t.Errorf("failed PUTs left an object: %d", got.Code)
	}
	if got := h.do(http.MethodHead, base+"after", nil, "X-Timestamp", ts(2)).Header().Get("X-Delete-At"); got != strconv.Itoa(1700000001+60) {
		t.Errorf("X-Delete-After stored as X-Delete-At %q", got)
	}
	if left, _ := os.ReadDir(filepath.Join(h.root, dev, "tmp")); len(left) != 0 {
		t.Errorf("failed PUTs left temp files: %v", left)
	}
}

func TestGetStatuses(t *testing.T) {
	h := newHarness(t, Config{})
	h.mustPut("o", 1, "0123456789", "X-Object-Meta-Manifest", "yes")
	h.mustPut("gone", 1, "x")
	expect(t, h.do(http.MethodDelete, base+"gone", nil, "X-Timestamp", ts(2)), 204, "")
	h.mustPut("expiring", 1, "x", "X-Delete-At", "1700000100")
	etag := "781e5e245d69b566979b86e28d23f2c7"
	lm := "Tue, 14 Nov 2023 22:13:21 GMT"
	tests := []struct {
		name    string
		method  string
		obj     string
		headers []string
		status  int
		body    string
		check   map[string]string
	}{
		{"missing", "GET", "nope", nil, 404, "", map[string]string{"X-Backend-Timestamp": ""}},
		{"deleted", "GET", "gone", nil, 404, "", map[string]string{"X-Backend-Timestamp": ts(2)}},
		{"deleted head", "HEAD", "gone", nil, 404, "", map[string]string{"X-Backend-Timestamp": ts(2)}},
		{"not yet expired", "GET", "expiring", []string{"X-Timestamp", "1700000099.00000"}, 200, "x", nil},
		{"expired", "GET", "expiring", []string{"X-Timestamp", "1700000100.00000"}, 404, "", map[string]string{"X-Backend-Timestamp": ts(1)}},
		{"if-none-match", "GET", "o", []string{"If-None-Match", etag}, 304, "", map[string]string{"Etag": etag, "Content-Length": "0"}},
		{"if-none-match other", "GET", "o", []string{"If-None-Match", `"abc"`}, 200, "0123456789", nil},
		{"if-match", "GET", "o", []string{"If-Match", etag}, 200, "0123456789", nil},
		{"if-match other", "GET", "o", []string{"If-Match", `"abc"`}, 412, "", map[string]string{"Etag": etag}},
		{"if-match star missing", "GET", "nope", []string{"If-Match", "*"}, 412, "", nil},
		{"if-modified-since", "GET", "o", []string{"If-Modified-Since", lm}, 304, "", nil},
		{"if-modified-since earlier", "GET", "o", []string{"If-Modified-Since", "Tue, 14 Nov 2023 22:13:20 GMT"}, 200, "", nil},
		{"if-unmodified-since earlier", "HEAD", "o", []string{"If-Unmodified-Since", "Tue, 14 Nov 2023 22:13:20 GMT"}, 412, "", nil},
		{"range", "GET", "o", []string{"Range", "bytes=2-4"}, 206, "234", map[string]string{"Content-Range": "bytes 2-4/10", "Content-Length": "3", "Etag": etag}},
		{"suffix range", "GET", "o", []string{"Range", "bytes=-3"}, 206, "789", nil},
		{"multipart", "GET", "o", []string{"Range", "bytes=0-0,-1"}, 206, "Content-Range: bytes 9-9/10", nil},
		{"unsatisfiable", "GET", "o", []string{"Range", "bytes=20-"}, 416, "", map[string]string{"Content-Range": "bytes */10"}},
		{"range on head", "HEAD", "o", []string{"Range", "bytes=2-4"}, 200, "", map[string]string{"Content-Length": "10"}},
		{"ignore range", "GET", "o", []string{"Range", "bytes=2-4", headerIgnoreRange, "X-Static-Large-Object, x-object-meta-manifest"}, 200, "0123456789", nil},
		{"etag is at", "GET", "o", []string{"If-None-Match", "yes", headerEtagIsAt, "X-Object-Meta-Manifest"}, 304, "", nil},
		{"missing device", "GET", "", nil, 507, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := base + tt.obj
			if tt.obj == "" {
				path = "/sdz/3/AUTH_a/c/o"
			}
			w := h.do(tt.method, path, nil, tt.headers...)
			expect(t, w, tt.status, tt.body)
			for k, v := range tt.check {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if tt.method == "HEAD" && w.Body.Len() != 0 {
				t.Errorf("HEAD with a body")
			}
		})
	}
}

func TestPost(t *testing.T) {
	h := newHarness(t, Config{})
	h.mustPut("o", 1, "body", "X-Object-Meta-A", "1", "X-Object-Sysmeta-S", "s", "Content-Encoding", "gzip")
	post := func(sec int, headers ...string) *httptest.ResponseRecorder {
		return h.do(http.MethodPost, base+"o", nil, append([]string{"X-Timestamp", ts(sec)}, headers...)...)
	}
	expect(t, post(2, "X-Object-Meta-B", "2", "Content-Type", "new/type"), 202, "Accepted")
	w := h.do(http.MethodHead, base+"o", nil)
	for k, v := range map[string]string{"X-Object-Meta-A": "", "X-Object-Meta-B": "2", "X-Object-Sysmeta-S": "s",
		"Content-Encoding": "", "Content-Type": "new/type", "X-Timestamp": ts(2), "X-Backend-Data-Timestamp": ts(1), "Content-Length": "4"} {
		if got := w.Header().Get(k); got != v {
			t.Errorf("after POST %s = %q, want %q", k, got, v)
		}
	}
	// A later POST without Content-Type keeps the one the first set.
	expect(t, post(3, "X-Object-Meta-C", "3"), 202, "")
	w = h.do(http.MethodHead, base+"o", nil)
	if w.Header().Get("Content-Type") != "new/type" || w.Header().Get("X-Object-Meta-B") != "" || w.Header().Get("X-Object-Meta-C") != "3" {
		t.Errorf("second POST: %v", w.Header())
	}
	expect(t, post(3), 409, "")
	if got := post(2).Header().Get("X-Backend-Timestamp"); got != ts(3) {
		t.Errorf("409 X-Backend-Timestamp %q", got)
	}
	expect(t, h.do(http.MethodPost, base+"o", nil), 400, "Missing X-Timestamp header")
	expect(t, post(4, "X-Delete-At", "1700000003"), 400, "X-Delete-At in past")
	expect(t, post(4, "X-Delete-At", "later"), 400, "Non-integer X-Delete-At")
	expect(t, h.do(http.MethodPost, base+"nope", nil, "X-Timestamp", ts(4)), 404, "")
	expect(t, h.do(http.MethodPost, "/sdz/3/AUTH_a/c/o", nil, "X-Timestamp", ts(4)), 507, "")
	expect(t, post(5, "X-Delete-At", "1700000010"), 202, "")
	expect(t, h.do(http.MethodGet, base+"o", nil, "X-Timestamp", ts(11)), 404, "")
	expect(t, post(12), 404, "")
}

func TestDelete(t *testing.T) {
	h := newHarness(t, Config{})
	del := func(obj string, sec int, headers ...string) *httptest.ResponseRecorder {
		return h.do(http.MethodDelete, base+obj, nil, append([]string{"X-Timestamp", ts(sec)}, headers...)...)
	}
	h.mustPut("o", 5, "x")
	expect(t, del("o", 4), 409, "")
	expect(t, del("o", 5), 409, "")
	w := del("o", 6)
	expect(t, w, 204, "")
	if w.Header().Get("X-Backend-Timestamp") != ts(6) {
		t.Errorf("204 X-Backend-Timestamp %q", w.Header().Get("X-Backend-Timestamp"))
	}
	expect(t, h.do(http.MethodGet, base+"o", nil), 404, "")
	w = del("o", 7)
	expect(t, w, 404, "")
	if w.Header().Get("X-Backend-Timestamp") != ts(7) {
		t.Errorf("404 X-Backend-Timestamp %q", w.Header().Get("X-Backend-Timestamp"))
	}
	// A PUT older than the tombstone loses.
	expect(t, h.put("o", 6, "y"), 409, "")
	// A DELETE of nothing still leaves a tombstone for replicas.
	expect(t, del("never", 3), 404, "")
	expect(t, h.put("never", 2, "y"), 409, "")
	expect(t, h.do(http.MethodDelete, base+"o", nil), 400, "Missing X-Timestamp header")
	expect(t, h.do(http.MethodDelete, "/sdz/3/AUTH_a/c/o", nil, "X-Timestamp", ts(9)), 507, "")

	h.mustPut("exp", 1, "x", "X-Delete-At", "1700000100")
	expect(t, del("exp", 2, "X-If-Delete-At", "abc"), 400, "Bad X-If-Delete-At header value")
	expect(t, del("exp", 2, "X-If-Delete-At", "1700000099"), 412, "X-If-Delete-At and X-Delete-At do not match")
	expect(t, del("missing", 2, "X-If-Delete-At", "1700000100"), 404, "")
	expect(t, del("exp", 1, "X-If-Delete-At", "1700000100"), 409, "")
	expect(t, del("exp", 100, "X-If-Delete-At", "1700000100"), 204, "") // the expirer, at expiry
	expect(t, h.do(http.MethodHead, base+"exp", nil), 404, "")
}

func TestMethodNotAllowed(t *testing.T) {
	h := newHarness(t, Config{})
	w := h.do("PATCH", base+"o", nil)
	expect(t, w, 405, "")
	if w.Header().Get("Allow") == "" {
		t.Error("405 without Allow")
	}
}

// TestNamesStayInside stores objects whose names look like paths and
// checks that every file lands inside the device's objects directory.
func TestNamesStayInside(t *testing.T) {
	h := newHarness(t, Config{})
	names := []string{"..", "../..", "../../../etc/passwd", "a/../../b", "/leading", "trailing/", "%2e%2e%2f%2e%2e",
		"a%2Fb", strings.Repeat("x", 1024), ".", "sp ace", "ünï/çødé", "\\..\\..\\x"}
	for i, n := range names {
		path := swift.EscapePath(dev, "3", "AUTH_a", "c", n)
		w := h.do(http.MethodPut, path, strings.NewReader("body "+n), "X-Timestamp", ts(i+1), "Content-Type", "a/b")
		if w.Code != http.StatusCreated {
			t.Errorf("PUT %q: %d %s", n, w.Code, w.Body)
			continue
		}
		if w := h.do(http.MethodGet, path, nil); w.Body.String() != "body "+n {
			t.Errorf("GET %q: %d %q", n, w.Code, w.Body)
		}
	}
	for _, path := range []string{"/../3/a/c/o", "/sda/../a/c/o", "/sda/3/a/c/o%00", "/%2e%2e/3/a/c/o"} {
		if w := h.do(http.MethodPut, path, strings.NewReader("x"), "X-Timestamp", ts(1), "Content-Type", "a/b"); w.Code/100 != 4 {
			t.Errorf("PUT %s: %d, want 4xx", path, w.Code)
		}
	}
	err := filepath.WalkDir(h.root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(filepath.Join(h.root, dev, "objects"), p)
		if strings.HasPrefix(rel, "..") {
			t.Errorf("file outside objects/: %s", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(h.root)
	if len(entries) != 1 {
		t.Errorf("data root holds %v, want only the device", entries)
	}
}

func TestCorruptObjectIsNotServed(t *testing.T) {
	h := newHarness(t, Config{})
	h.mustPut("o", 1, "some body")
	var data string
	filepath.WalkDir(filepath.Join(h.root, dev, "objects"), func(p string, d os.DirEntry, err error) error {
		if strings.HasSuffix(p, ".data") {
			data = p
		}
		return nil
	})
	if err := os.Truncate(data, 4); err != nil {
		t.Fatal(err)
	}
	expect(t, h.do(http.MethodGet, base+"o", nil), 404, "")
	if _, err := os.Stat(filepath.Join(h.root, dev, "quarantined", "objects")); err != nil {
		t.Errorf("nothing quarantined: %v", err)
	}
	h.mustPut("o", 2, "new")
}

// containerServer is a fake container server recording what it is sent.
type containerServer struct {
	*httptest.Server
	mu     sync.Mutex
	got    []string
	status int
}

func newContainerServer(t *testing.T) *containerServer {
	cs := &containerServer{status: http.StatusCreated}
	cs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cs.mu.Lock()
		defer cs.mu.Unlock()
		var hs []string
		for _, k := range []string{"X-Timestamp", "X-Size", "X-Content-Type", "X-Etag"} {
			if v := r.Header.Get(k); v != "" {
				hs = append(hs, k+"="+v)
			}
		}
		cs.got = append(cs.got, r.Method+" "+r.URL.EscapedPath()+" "+strings.Join(hs, " "))
		w.WriteHeader(cs.status)
	}))
	t.Cleanup(cs.Close)
	return cs
}

func (cs *containerServer) take() []string {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	got := cs.got
	cs.got = nil
	return got
}

func (cs *containerServer) setStatus(s int) {
	cs.mu.Lock()
	cs.status = s
	cs.mu.Unlock()
}

func (cs *containerServer) host() string { return strings.TrimPrefix(cs.URL, "http://") }

func TestContainerUpdates(t *testing.T) {
	cs1, cs2 := newContainerServer(t), newContainerServer(t)
	h := newHarness(t, Config{})
	hosts := []string{"X-Container-Host", cs1.host() + ", " + cs2.host(), "X-Container-Device", "c1, c2", "X-Container-Partition", "9"}
	h.mustPut("dir/o 1", 1, "hello", append(hosts, "Content-Type", "text/x")...)
	wantPut := "PUT /%s/9/AUTH_a/c/dir/o%%201 X-Timestamp=" + ts(1) + " X-Size=5 X-Content-Type=text/plain X-Etag=5d41402abc4b2a76b9719d911017c592"
	if got := cs1.take(); len(got) != 1 || got[0] != fmt.Sprintf(wantPut, "c1") {
		t.Errorf("container 1 got %q, want %q", got, fmt.Sprintf(wantPut, "c1"))
	}
	if got := cs2.take(); len(got) != 1 || got[0] != fmt.Sprintf(wantPut, "c2") {
		t.Errorf("container 2 got %q", got)
	}
	expect(t, h.do(http.MethodDelete, objPath("dir/o 1"), nil, append(hosts, "X-Timestamp", ts(2))...), 204, "")
	if got := cs1.take(); len(got) != 1 || got[0] != "DELETE /c1/9/AUTH_a/c/dir/o%201 X-Timestamp="+ts(2) {
		t.Errorf("DELETE update %q", got)
	}
	// Overrides replace the listing's ETag and size.
	h.mustPut("slo", 3, "manifest", append(hosts, "X-Object-Sysmeta-Container-Update-Override-Etag", "abc", "X-Backend-Container-Update-Override-Size", "999")...)
	if got := cs1.take(); len(got) != 1 || !strings.Contains(got[0], "X-Size=999") || !strings.Contains(got[0], "X-Etag=abc") {
		t.Errorf("override update %q", got)
	}
	cs2.take()
	// Mismatched hosts and devices: no update, as Swift.
	h.mustPut("odd", 4, "x", "X-Container-Host", cs1.host()+","+cs2.host(), "X-Container-Device", "c1", "X-Container-Partition", "9")
	if got := append(cs1.take(), cs2.take()...); len(got) != 0 {
		t.Errorf("mismatched headers still updated: %q", got)
	}
}

func TestExpirerQueueUpdates(t *testing.T) {
	q := newContainerServer(t)
	h := newHarness(t, Config{})
	const at1, at2 = 1700050000, 1700060000
	queue := func(at int) []string {
		day := at / 86400 * 86400
		return []string{"X-Delete-At", strconv.Itoa(at), "X-Delete-At-Host", q.host(), "X-Delete-At-Device", "q1",
			"X-Delete-At-Partition", "7", "X-Delete-At-Container", fmt.Sprintf("%010d", day-42)}
	}
	h.mustPut("o", 1, "x", queue(at1)...)
	entry := func(at int) string {
		return fmt.Sprintf("/q1/7/.expiring_objects/%010d/%d-AUTH_a/c/o", at/86400*86400-42, at)
	}
	want := "PUT " + entry(at1) + " X-Timestamp=" + ts(1) + " X-Size=0 X-Content-Type=text/plain X-Etag=d41d8cd98f00b204e9800998ecf8427e"
	if got := q.take(); len(got) != 1 || got[0] != want {
		t.Errorf("queue got %q, want %q", got, want)
	}
	// POST moves the expiry within the day: new entry in, old entry out.
	expect(t, h.do(http.MethodPost, base+"o", nil, append([]string{"X-Timestamp", ts(2)}, queue(at2)...)...), 202, "")
	got := q.take()
	wantPost := []string{"PUT " + entry(at2), "DELETE " + entry(at1) + " X-Timestamp=" + ts(2)}
	if len(got) != 2 {
		t.Fatalf("POST queue updates %q, want %q", got, wantPost)
	}
	for _, w := range wantPost {
		found := false
		for _, g := range got {
			found = found || strings.HasPrefix(g, w)
		}
		if !found {
			t.Errorf("POST queue updates %q lack %q", got, w)
		}
	}
	// Unchanged X-Delete-At: no queue traffic.
	h.mustPut("o", 3, "y", queue(at2)...)
	if got := q.take(); len(got) != 0 {
		t.Errorf("unchanged X-Delete-At sent %q", got)
	}
}

func TestAsyncPendingRetry(t *testing.T) {
	cs := newContainerServer(t)
	cs.setStatus(http.StatusServiceUnavailable)
	h := newHarness(t, Config{UpdaterInterval: 10 * time.Millisecond})
	hosts := []string{"X-Container-Host", cs.host(), "X-Container-Device", "c1", "X-Container-Partition", "9"}
	h.mustPut("o", 1, "hello", hosts...)
	if got := cs.take(); len(got) != 1 {
		t.Fatalf("first attempt: %q", got)
	}
	pending := func() int {
		n := 0
		filepath.WalkDir(filepath.Join(h.root, dev, "async_pending"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				n++
			}
			return nil
		})
		return n
	}
	if pending() != 1 {
		t.Fatalf("%d async pendings after a failed update, want 1", pending())
	}
	// A newer update for the same row supersedes the saved one.
	expect(t, h.do(http.MethodDelete, base+"o", nil, append(hosts, "X-Timestamp", ts(2))...), 204, "")
	cs.take()
	h.srv.sweep(context.Background()) // still failing: nothing delivered, nothing lost
	cs.take()
	if pending() != 1 {
		t.Fatalf("%d async pendings, want the newest only", pending())
	}
	cs.setStatus(http.StatusNoContent)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.srv.RunUpdater(ctx); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for pending() != 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	if pending() != 0 {
		t.Fatal("updater never delivered the pending update")
	}
	if got := cs.take(); len(got) == 0 || got[0] != "DELETE /c1/9/AUTH_a/c/o X-Timestamp="+ts(2) {
		t.Errorf("updater sent %q", got)
	}
}

func TestSlowContainerUpdateGoesAsync(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer slow.Close()
	defer close(release)
	h := newHarness(t, Config{ContainerUpdateTimeout: 10 * time.Millisecond, NodeTimeout: 50 * time.Millisecond})
	start := time.Now()
	h.mustPut("o", 1, "x", "X-Container-Host", strings.TrimPrefix(slow.URL, "http://"), "X-Container-Device", "c1", "X-Container-Partition", "9")
	if d := time.Since(start); d > time.Second {
		t.Errorf("PUT waited %v for a stuck container server", d)
	}
	h.srv.Close() // waits for the update to time out and be saved
	var n int
	filepath.WalkDir(filepath.Join(h.root, dev, "async_pending"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	if n != 1 {
		t.Errorf("%d async pendings after a timed-out update, want 1", n)
	}
}
