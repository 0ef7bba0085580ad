package proxy_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sciswift/sciswift/ring"
	"github.com/sciswift/sciswift/server/account"
	"github.com/sciswift/sciswift/server/client"
	"github.com/sciswift/sciswift/server/container"
	"github.com/sciswift/sciswift/server/object"
	"github.com/sciswift/sciswift/server/proxy"
)

// cluster is a whole store in one test: the real backend roles on
// in-process addresses, a ring of several devices, and the proxy behind
// WithRequestLog on a loopback listener.
type cluster struct {
	url    string
	proxy  *proxy.Server
	now    *fakeClock
	faults *faults
}

// faults makes chosen devices of the object role fail, as an unmounted
// disk (507) or a dead server (503) does.
type faults struct {
	mu     sync.Mutex
	status map[string]int // device → status
}

func (f *faults) set(device string, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if status == 0 {
		delete(f.status, device)
		return
	}
	f.status[device] = status
}

func (f *faults) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		device, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		f.mu.Lock()
		status := f.status[device]
		f.mu.Unlock()
		if status != 0 {
			w.WriteHeader(status)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// fakeClock lets tests move the proxy's time (tokens, X-Delete-At, the
// expirer) while the backends keep the real clock.
type fakeClock struct{ offset atomic.Int64 }

func (c *fakeClock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

func (c *fakeClock) Set(offset time.Duration) { c.offset.Store(int64(offset)) }

var testUsers = []proxy.User{
	{Account: "test", Name: "tester", Key: "testing", Admin: true},
	{Account: "test", Name: "tester3", Key: "testing3"},
	{Account: "test2", Name: "tester2", Key: "testing2", Admin: true},
	{Account: ".super", Name: "admin", Key: "secret", ResellerAdmin: true},
}

func buildRing(t *testing.T, replicas int, port int, devices []string) *ring.Ring {
	t.Helper()
	b, err := ring.NewBuilder(6, replicas, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range devices {
		if _, err := b.AddDevice(ring.Device{Region: 1, Zone: i + 1, IP: "127.0.0.1", Port: port, Name: d, Weight: 100}); err != nil {
			t.Fatal(err)
		}
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

func newCluster(t *testing.T, replicas int) *cluster {
	t.Helper()
	root := t.TempDir()
	devices := []string{"d1", "d2", "d3", "d4"}
	for _, d := range devices {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
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
	fs := &faults{status: map[string]int{}}
	tr.Register("127.0.0.1:6200", fs.wrap(obj))
	tr.Register("127.0.0.1:6201", cont)
	tr.Register("127.0.0.1:6202", acct)
	clock := &fakeClock{}
	p, err := proxy.New(proxy.Config{
		AccountRing:       buildRing(t, replicas, 6202, devices),
		ContainerRing:     buildRing(t, replicas, 6201, devices),
		ObjectRing:        buildRing(t, replicas, 6200, devices),
		Hasher:            hasher,
		HTTP:              hc,
		Users:             testUsers,
		TokenSecret:       []byte("0123456789abcdef0123456789abcdef"),
		AccountAutocreate: true,
		Features:          map[string]any{"slo": map[string]int{"max_manifest_segments": 1000}},
		Clock:             clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(proxy.WithRequestLog(p, nil))
	t.Cleanup(srv.Close)
	return &cluster{url: srv.URL, proxy: p, now: clock, faults: fs}
}

// login returns a client authenticated as user ("account:name").
func (c *cluster) login(t *testing.T, user, key string) *client.Client {
	t.Helper()
	cl := &client.Client{}
	if err := cl.Auth(context.Background(), c.url+"/auth/v1.0", user, key); err != nil {
		t.Fatalf("auth %s: %v", user, err)
	}
	return cl
}

// do sends a raw request and returns the response with its body read.
func (c *cluster) do(t *testing.T, method, path string, h map[string]string, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, c.url+path, stringsReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b := readAll(t, resp.Body)
	return resp, b
}

func expect(t *testing.T, resp *http.Response, body string, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d; body %q", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, status, body)
	}
}

func mustf(t *testing.T, err error, format string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprintf(format, args...), err)
	}
}
