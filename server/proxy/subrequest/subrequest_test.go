package subrequest

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/server/client"
	"github.com/sciswift/sciswift/server/swift"
)

func TestNewRequest(t *testing.T) {
	c := &Client{HTTP: http.DefaultClient, Endpoint: "http://next.internal", Source: "SLO"}
	tests := []struct {
		name      string
		header    http.Header
		wantToken string
		wantAgent string
	}{
		{"auth token", http.Header{"X-Auth-Token": {"t1"}, "User-Agent": {"curl"}}, "t1", "curl SLO MultipartGET"},
		{"storage token", http.Header{"X-Storage-Token": {"t2"}}, "t2", "SLO MultipartGET"},
		{"anonymous", http.Header{}, "", "SLO MultipartGET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := httptest.NewRequest("GET", "/v1/a/c/o", nil)
			orig.Header = tt.header
			orig.Header.Set("X-Trans-Id", "tx123")
			orig.Header.Set("X-Object-Meta-Secret", "not copied")
			req, err := c.NewRequest(orig, "HEAD", swift.EscapePath("v1", "a", "c", "o n/x%"), "a=b", "SLO MultipartGET", nil)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{
				"X-Auth-Token":         tt.wantToken,
				"X-Trans-Id":           "tx123",
				"User-Agent":           tt.wantAgent,
				Header:                 "SLO",
				"X-Object-Meta-Secret": "",
			}
			for k, v := range want {
				if got := req.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if got := req.URL.String(); got != "http://next.internal/v1/a/c/o%20n/x%25?a=b" {
				t.Errorf("URL = %s", got)
			}
			if req.Context() != orig.Context() {
				t.Error("the subrequest does not share the client's context")
			}
		})
	}
}

func TestIntercept(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Kind", r.URL.Query().Get("kind"))
		w.WriteHeader(http.StatusTeapot)
		for range 3 {
			if _, err := io.WriteString(w, "0123456789"); err != nil {
				return
			}
		}
	})
	keepKept := func(status int, h http.Header) bool { return h.Get("X-Kind") == "kept" }
	tests := []struct {
		kind      string
		limit     int64
		wantKept  bool
		wantBody  string
		truncated bool
	}{
		{"passed", 5, false, "012345678901234567890123456789", false},
		{"kept", 100, true, "012345678901234567890123456789", false},
		{"kept", 15, true, "012345678901234", true},
		{"kept", 0, true, "", true},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		resp := Intercept(next, rec, httptest.NewRequest("GET", "/?kind="+tt.kind, nil), tt.limit, keepKept)
		if (resp != nil) != tt.wantKept {
			t.Fatalf("%s/%d: kept = %v", tt.kind, tt.limit, resp != nil)
		}
		if !tt.wantKept {
			if rec.Code != http.StatusTeapot || rec.Body.String() != tt.wantBody || rec.Header().Get("X-Kind") != "passed" {
				t.Errorf("passed through %d %q", rec.Code, rec.Body)
			}
			continue
		}
		if rec.Body.Len() != 0 || resp.StatusCode != http.StatusTeapot || string(resp.Body) != tt.wantBody || resp.Truncated != tt.truncated {
			t.Errorf("%s/%d: kept %d %q truncated=%v; client saw %q", tt.kind, tt.limit, resp.StatusCode, resp.Body, resp.Truncated, rec.Body)
		}
	}
}

func TestInterceptEditsPassedHeader(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "body") // implicit 200
	})
	rec := httptest.NewRecorder()
	resp := Intercept(next, rec, httptest.NewRequest("GET", "/", nil), 10, func(status int, h http.Header) bool {
		h.Set("Content-Type", "application/json")
		return status != http.StatusOK
	})
	if resp != nil || rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" || rec.Body.String() != "body" {
		t.Fatalf("got %v, %d %q %q", resp, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	silent := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	if resp := Intercept(silent, httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), 10, func(int, http.Header) bool { return true }); resp == nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("a handler that writes nothing: %+v", resp)
	}
}

// segmentServer serves one object, "/v1/a/c/o", honouring Range.
func segmentServer(t *testing.T, body string, etag string) *Client {
	t.Helper()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("multipart-manifest") != "get" {
			t.Errorf("segment GET without multipart-manifest=get: %s", r.URL)
		}
		w.Header().Set("Etag", etag)
		ranges, err := swift.RequestRanges(r, int64(len(body)))
		if err != nil {
			swift.WriteRangeNotSatisfiable(w, r, int64(len(body)))
			return
		}
		_ = swift.WriteRanges(w, r, "text/plain", int64(len(body)), ranges, strings.NewReader(body))
	})
	tr := client.NewInProcessTransport(nil)
	tr.Register("next.internal", h)
	return &Client{HTTP: &http.Client{Transport: tr}, Endpoint: "http://next.internal", Source: "SLO"}
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestOpenSegment(t *testing.T) {
	const body = "0123456789"
	good := md5Hex(body)
	tests := []struct {
		name       string
		serverETag string
		seg        Segment
		want       string
		wantErr    bool
	}{
		{"whole", good, Segment{Last: 9, Size: 10, ETag: good}, body, false},
		{"whole, quoted etag", `"` + good + `"`, Segment{Last: 9, Size: 10, ETag: good}, body, false},
		{"range", good, Segment{First: 2, Last: 4, Size: 10, ETag: good}, "234", false},
		{"to the end", good, Segment{First: 7, Last: 9, Size: 10, ETag: good}, "789", false},
		{"unchecked", good, Segment{First: 3, Last: -1, Size: -1}, "3456789", false},
		{"etag changed", good, Segment{Last: 9, Size: 10, ETag: md5Hex("other")}, "", true},
		{"size changed", good, Segment{Last: 10, Size: 11, ETag: good}, "", true},
		{"bytes do not match etag", md5Hex("other"), Segment{Last: 9, Size: 10, ETag: md5Hex("other")}, body, true},
		{"shorter than asked", good, Segment{First: 8, Last: 12, Size: -1}, "89", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := segmentServer(t, body, tt.serverETag)
			tt.seg.Path = "/v1/a/c/o"
			orig := httptest.NewRequest("GET", "/v1/a/c/manifest", nil)
			rc, err := c.OpenSegment(orig, "SLO MultipartGET", tt.seg)
			var got []byte
			if err == nil {
				got, err = io.ReadAll(rc)
				rc.Close()
			}
			if (err != nil) != tt.wantErr || (!tt.wantErr && string(got) != tt.want) {
				t.Fatalf("got %q, %v; want %q, error %v", got, err, tt.want, tt.wantErr)
			}
			if err != nil && !errors.Is(err, swift.ErrConflict) {
				t.Errorf("error %v does not wrap ErrConflict", err)
			}
		})
	}
}

func TestRelay(t *testing.T) {
	resp := &http.Response{StatusCode: http.StatusNotFound, ContentLength: 9,
		Header: http.Header{"X-Trans-Id": {"tx"}}, Body: io.NopCloser(strings.NewReader("Not Found"))}
	rec := httptest.NewRecorder()
	Relay(rec, "GET", resp)
	if rec.Code != http.StatusNotFound || rec.Body.String() != "Not Found" || rec.Header().Get("Content-Length") != strconv.Itoa(9) {
		t.Fatalf("relayed %d %q %v", rec.Code, rec.Body, rec.Header())
	}
}
