package bulk

// fakeSwift is a test double for the proxy below a middleware: an
// in-memory namespace of containers and objects answering Swift's public
// API closely enough for the middlewares (object GET/HEAD/PUT/DELETE with
// ranges and conditions, container PUT/DELETE and JSON listings). The
// same file is copied into each middleware's package, since test files
// cannot be shared.

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/sciswift/sciswift/server/client"
	"github.com/sciswift/sciswift/server/swift"
)

const (
	fakeHost  = "next.internal"
	fakeToken = "AUTH_tk_test"
	account   = "AUTH_test"
)

type fakeObject struct {
	body   []byte
	header http.Header // stored metadata, Content-Type included
	ts     swift.Timestamp
}

type fakeSwift struct {
	mu         sync.Mutex
	objects    map[string]*fakeObject // "container/object"
	containers map[string]bool
	// status, when set for "container/object" or "container", answers
	// every request for it.
	status map[string]int
	// honorBackend makes the fake honour X-Backend-Etag-Is-At and
	// X-Backend-Ignore-Range-If-Metadata-Present as Swift's object
	// server does; off, it behaves like one that ignores them.
	honorBackend bool
	listingLimit int
	log          []string
	clock        int64
}

func newFakeSwift() *fakeSwift {
	return &fakeSwift{
		objects:      map[string]*fakeObject{},
		containers:   map[string]bool{},
		status:       map[string]int{},
		honorBackend: true,
		listingLimit: 10000,
		clock:        1700000000,
	}
}

// client returns an HTTP client whose transport serves fakeHost with f,
// streaming, as the production in-process transport does.
func (f *fakeSwift) client() *http.Client {
	tr := client.NewInProcessTransport(nil)
	tr.Register(fakeHost, f)
	return &http.Client{Transport: tr}
}

func (f *fakeSwift) put(container, object string, body []byte, header http.Header) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.containers[container] = true
	if header == nil {
		header = http.Header{}
	}
	if header.Get("Content-Type") == "" {
		header.Set("Content-Type", "application/octet-stream")
	}
	f.clock++
	f.objects[container+"/"+object] = &fakeObject{body: body, header: header, ts: swift.TimestampFromSeconds(f.clock)}
	return md5Of(body)
}

func (f *fakeSwift) get(container, object string) (*fakeObject, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.objects[container+"/"+object]
	return o, ok
}

func (f *fakeSwift) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}

func md5Of(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

func (f *fakeSwift) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.log = append(f.log, r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("X-Backend-Subrequest"))
	f.mu.Unlock()
	if r.Header.Get("X-Auth-Token") != fakeToken {
		swift.WriteError(w, r, swift.ErrUnauthorized)
		return
	}
	p, err := swift.ParsePublicPath(r.URL)
	if err != nil || p.Account != account {
		swift.WriteError(w, r, swift.ErrNotFound)
		return
	}
	key := p.Container
	if p.Object != "" {
		key += "/" + p.Object
	}
	f.mu.Lock()
	status := f.status[key]
	f.mu.Unlock()
	if status != 0 {
		w.WriteHeader(status)
		return
	}
	if p.Level() == swift.LevelContainer {
		f.serveContainer(w, r, p)
		return
	}
	f.serveObject(w, r, p)
}

func (f *fakeSwift) serveContainer(w http.ResponseWriter, r *http.Request, p swift.Path) {
	f.mu.Lock()
	defer f.mu.Unlock()
	exists := f.containers[p.Container]
	switch r.Method {
	case http.MethodPut:
		f.containers[p.Container] = true
		w.WriteHeader(http.StatusCreated)
	case http.MethodDelete:
		switch {
		case !exists:
			w.WriteHeader(http.StatusNotFound)
		case len(f.names(p.Container, "", "", 1)) > 0:
			w.WriteHeader(http.StatusConflict)
		default:
			delete(f.containers, p.Container)
			w.WriteHeader(http.StatusNoContent)
		}
	case http.MethodHead:
		if !exists {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case http.MethodGet:
		if !exists {
			swift.WriteError(w, r, swift.ErrNotFound)
			return
		}
		q := r.URL.Query()
		var recs []swift.ObjectRecord
		for _, name := range f.names(p.Container, q.Get("prefix"), q.Get("marker"), f.listingLimit) {
			o := f.objects[p.Container+"/"+name]
			recs = append(recs, swift.ObjectRecord{Name: name, Bytes: int64(len(o.body)), Hash: md5Of(o.body),
				ContentType: o.header.Get("Content-Type"), LastModified: o.ts})
		}
		format := swift.FormatPlain
		if q.Get("format") == "json" {
			format = swift.FormatJSON
		}
		_ = swift.WriteObjectListing(w, r, format, p.Container, recs)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// names lists a container's object names in order; the caller holds mu.
func (f *fakeSwift) names(container, prefix, marker string, limit int) []string {
	var out []string
	for key := range f.objects {
		c, name, _ := strings.Cut(key, "/")
		if c == container && strings.HasPrefix(name, prefix) && name > marker {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

func (f *fakeSwift) serveObject(w http.ResponseWriter, r *http.Request, p swift.Path) {
	key := p.Container + "/" + p.Object
	switch r.Method {
	case http.MethodPut:
		f.putObject(w, r, p)
	case http.MethodDelete:
		f.mu.Lock()
		_, ok := f.objects[key]
		delete(f.objects, key)
		f.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case http.MethodGet, http.MethodHead:
		o, ok := f.get(p.Container, p.Object)
		if !ok {
			swift.WriteError(w, r, swift.ErrNotFound)
			return
		}
		f.getObject(w, r, o)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

func (f *fakeSwift) putObject(w http.ResponseWriter, r *http.Request, p swift.Path) {
	f.mu.Lock()
	exists := f.containers[p.Container]
	f.mu.Unlock()
	if !exists {
		swift.WriteError(w, r, swift.ErrNotFound)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		swift.WriteError(w, r, swift.ErrClientDisconnect)
		return
	}
	etag := md5Of(body)
	if want := r.Header.Get("Etag"); want != "" && strings.Trim(want, `"`) != etag {
		swift.WriteError(w, r, swift.ErrUnprocessable)
		return
	}
	h := http.Header{}
	for k, v := range r.Header {
		if k == "Content-Type" || swift.HasPrefixFold(k, "X-Object-Meta-") || swift.HasPrefixFold(k, "X-Object-Sysmeta-") ||
			k == swift.HeaderStaticLarge || k == swift.HeaderObjectManifest {
			h[k] = v
		}
	}
	f.put(p.Container, p.Object, body, h)
	o, _ := f.get(p.Container, p.Object)
	w.Header().Set("Etag", etag)
	w.Header().Set("Last-Modified", o.ts.LastModified())
	w.WriteHeader(http.StatusCreated)
}

func (f *fakeSwift) getObject(w http.ResponseWriter, r *http.Request, o *fakeObject) {
	h := w.Header()
	for k, v := range o.header {
		h[k] = v
	}
	etag := md5Of(o.body)
	h.Set("Etag", etag)
	h.Set("X-Timestamp", o.ts.Normal())
	h.Set("Last-Modified", o.ts.LastModified())
	h.Set("Accept-Ranges", "bytes")
	v := swift.Validators{Exists: true, ETag: etag, LastModified: o.ts}
	if at := r.Header.Get("X-Backend-Etag-Is-At"); f.honorBackend && at != "" {
		for _, name := range strings.Split(at, ",") {
			if alt := o.header.Get(name); alt != "" {
				v.ETag = alt
				break
			}
		}
	}
	if err := swift.CheckPreconditions(r.Header, r.Method, v); err != nil {
		swift.WriteError(w, r, err)
		return
	}
	ranges, err := swift.RequestRanges(r, int64(len(o.body)))
	if f.ignoresRange(r, o) {
		ranges, err = nil, nil
	}
	if err != nil {
		swift.WriteRangeNotSatisfiable(w, r, int64(len(o.body)))
		return
	}
	_ = swift.WriteRanges(w, r, o.header.Get("Content-Type"), int64(len(o.body)), ranges, bytes.NewReader(o.body))
}

func (f *fakeSwift) ignoresRange(r *http.Request, o *fakeObject) bool {
	if !f.honorBackend {
		return false
	}
	for _, name := range strings.Split(r.Header.Get("X-Backend-Ignore-Range-If-Metadata-Present"), ",") {
		if name != "" && o.header.Get(name) != "" {
			return true
		}
	}
	return false
}

// do sends a client request through h and returns the recorded answer.
func do(t *testing.T, h http.Handler, method, target string, body []byte, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	req.Header.Set("X-Auth-Token", fakeToken)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
