package dataset_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/formats/selection"
	"github.com/sciswift/sciswift/ring"
	"github.com/sciswift/sciswift/server/account"
	"github.com/sciswift/sciswift/server/client"
	"github.com/sciswift/sciswift/server/container"
	"github.com/sciswift/sciswift/server/object"
	"github.com/sciswift/sciswift/server/proxy"
	"github.com/sciswift/sciswift/server/proxy/dataset"
)

// store is a whole single-replica store in one test: the real backend
// roles and proxy, with the dataset middleware in front, on a loopback
// listener.
type store struct {
	url      string
	mw       *dataset.Middleware
	proxy    *proxy.Server
	pipeline *http.Client // reaches "proxy.internal" and "index.internal"
	// hook, when set, sees every subrequest of the middleware before the
	// proxy does.
	hook func(r *http.Request)
}

var testUsers = []proxy.User{
	{Account: "test", Name: "tester", Key: "testing", Admin: true},
	{Account: "test", Name: "tester3", Key: "testing3"},
	{Account: "test2", Name: "tester2", Key: "testing2", Admin: true},
}

func buildRing(t *testing.T, port int) *ring.Ring {
	t.Helper()
	b, err := ring.NewBuilder(4, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.AddDevice(ring.Device{Region: 1, Zone: 1, IP: "127.0.0.1", Port: port, Name: "d1", Weight: 100}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Rebalance(); err != nil {
		t.Fatal(err)
	}
	r, err := b.Ring()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// newStore starts a store; adjust may change the middleware's Config.
func newStore(t *testing.T, adjust func(*dataset.Config)) *store {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "d1"), 0o755); err != nil {
		t.Fatal(err)
	}
	hasher := ring.PathHasher{Prefix: "pre", Suffix: "suf"}
	tr := client.NewInProcessTransport(nil)
	hc := &http.Client{Transport: tr}
	acct, err := account.New(account.Config{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	cont, err := container.New(container.Config{Root: root, HTTP: hc})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := object.New(object.Config{Root: root, HTTP: hc, Hasher: hasher})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { obj.Close(); cont.Close(); acct.Close() })
	tr.Register("127.0.0.1:6200", obj)
	tr.Register("127.0.0.1:6201", cont)
	tr.Register("127.0.0.1:6202", acct)
	p, err := proxy.New(proxy.Config{
		AccountRing:       buildRing(t, 6202),
		ContainerRing:     buildRing(t, 6201),
		ObjectRing:        buildRing(t, 6200),
		Hasher:            hasher,
		HTTP:              hc,
		Users:             testUsers,
		TokenSecret:       []byte("0123456789abcdef0123456789abcdef"),
		AccountAutocreate: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	pipeline := client.NewInProcessTransport(nil)
	pc := &http.Client{Transport: pipeline}
	s := &store{proxy: p, pipeline: pc}
	pipeline.Register("proxy.internal:80", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.hook != nil {
			s.hook(r)
		}
		p.ServeHTTP(w, r)
	}))
	pipeline.Register("index.internal:80", p.InternalHandler())
	s.url, s.mw = s.serve(t, adjust)
	return s
}

// serve starts another middleware in front of the store's proxy.
func (s *store) serve(t *testing.T, adjust func(*dataset.Config)) (string, *dataset.Middleware) {
	t.Helper()
	pc := s.pipeline
	cfg := dataset.Config{
		Client:   pc,
		Endpoint: "http://proxy.internal:80",
		Limit:    selection.Limit{MaxBytes: 1 << 20},
		Index:    &dataset.StoreIndexes{HTTP: pc, Endpoint: "http://index.internal:80"},
	}
	if adjust != nil {
		adjust(&cfg)
	}
	mw := dataset.New(s.proxy, cfg)
	srv := httptest.NewServer(proxy.WithRequestLog(mw, nil))
	t.Cleanup(srv.Close)
	return srv.URL, mw
}

// user is a logged-in client of the store.
type user struct {
	s       *store
	token   string
	account string // "AUTH_test"
}

func (s *store) login(t *testing.T, name, key string) *user {
	t.Helper()
	req, _ := http.NewRequest("GET", s.url+"/auth/v1.0", nil)
	req.Header.Set("X-Auth-User", name)
	req.Header.Set("X-Auth-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("login %s: %d", name, resp.StatusCode)
	}
	acct, _, _ := strings.Cut(name, ":")
	return &user{s: s, token: resp.Header.Get("X-Auth-Token"), account: "AUTH_" + acct}
}

// response is a finished request.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request as u (or anonymously when u has no token) to a path
// under u's account.
func (u *user) do(t *testing.T, method, path string, h map[string]string, body io.Reader) response {
	t.Helper()
	return u.doURL(t, method, u.s.url+"/v1/"+u.account+path, h, body)
}

func (u *user) doURL(t *testing.T, method, url string, h map[string]string, body io.Reader) response {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if u.token != "" {
		req.Header.Set("X-Auth-Token", u.token)
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func (u *user) must(t *testing.T, method, path string, h map[string]string, body io.Reader, want int) response {
	t.Helper()
	r := u.do(t, method, path, h, body)
	if r.status != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, r.status, want, r.body)
	}
	return r
}
