package proxy_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestInternalHandler: hidden accounts are reachable in-process without a
// token (a container PUT creates the account), never on the public API,
// and the internal handler refuses ordinary accounts.
func TestInternalHandler(t *testing.T) {
	c := newCluster(t, 1)
	internal := httptest.NewServer(c.proxy.InternalHandler())
	t.Cleanup(internal.Close)
	send := func(base, method, path, body string) int {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	steps := []struct {
		base, method, path, body string
		want                     int
	}{
		{internal.URL, "PUT", "/v1/.hidden/c/o", "x", 404},
		{internal.URL, "PUT", "/v1/.hidden/c", "", 201},
		{internal.URL, "PUT", "/v1/.hidden/c/o", "index", 201},
		{internal.URL, "GET", "/v1/.hidden/c/o", "", 200},
		{c.url, "GET", "/v1/.hidden/c/o", "", 401},
		{internal.URL, "GET", "/v1/AUTH_test/c/o", "", 403},
		{internal.URL, "GET", "/v1/.hidden", "", 403},
		{internal.URL, "DELETE", "/v1/.hidden/c/o", "", 204},
		{internal.URL, "GET", "/v1/.hidden/c/o", "", 404},
	}
	for _, s := range steps {
		if got := send(s.base, s.method, s.path, s.body); got != s.want {
			t.Errorf("%s %s%s: %d, want %d", s.method, s.base, s.path, got, s.want)
		}
	}
}
