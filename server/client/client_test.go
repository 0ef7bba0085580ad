package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

func TestBackendURL(t *testing.T) {
	tests := []struct {
		node    Node
		part    uint32
		a, c, o string
		want    string
	}{
		{Node{"127.0.0.1", 6200, "d1"}, 7, "AUTH_test", "", "", "http://127.0.0.1:6200/d1/7/AUTH_test"},
		{Node{"127.0.0.1", 6200, "d1"}, 7, "AUTH_test", "c", "", "http://127.0.0.1:6200/d1/7/AUTH_test/c"},
		{Node{"::1", 6201, "sdb"}, 0, "a", "c c", "dir/o?#%", "http://[::1]:6201/sdb/0/a/c%20c/dir/o%3F%23%25"},
	}
	for _, tc := range tests {
		if got := BackendURL(tc.node, tc.part, tc.a, tc.c, tc.o); got != tc.want {
			t.Errorf("BackendURL = %q, want %q", got, tc.want)
		}
	}
}

// fakeSwift is just enough of a proxy for the client's requests.
func fakeSwift(t *testing.T) *httptest.Server {
	objects := map[string]string{}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/auth/v1.0" {
			if r.Header.Get("X-Auth-User") != "test:tester" || r.Header.Get("X-Auth-Key") != "testing" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			w.Header().Set("X-Storage-Url", srv.URL+"/v1/AUTH_test")
			w.Header().Set("X-Auth-Token", "AUTH_tk1")
			return
		}
		if r.Header.Get("X-Auth-Token") != "AUTH_tk1" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch {
		case r.Method == http.MethodPut:
			b, _ := io.ReadAll(r.Body)
			objects[r.URL.EscapedPath()] = string(b)
			w.Header().Set("Etag", "x")
			w.WriteHeader(http.StatusCreated)
		case r.Method == http.MethodGet && r.URL.Query().Get("format") == "json":
			if r.URL.Path == "/v1/AUTH_test/empty" {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			_, _ = io.WriteString(w, `[{"name":"o","hash":"h","bytes":3,"content_type":"text/plain","last_modified":"2024-01-02T03:04:05.000000"},{"subdir":"d/"}]`)
		case r.Method == http.MethodGet:
			body, ok := objects[r.URL.EscapedPath()]
			if !ok {
				http.Error(w, "gone", http.StatusNotFound)
				return
			}
			_, _ = io.WriteString(w, body)
		case r.Method == "COPY":
			w.Header().Set("X-Dest", r.Header.Get("Destination"))
			w.WriteHeader(http.StatusCreated)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestClient(t *testing.T) {
	srv := fakeSwift(t)
	ctx := context.Background()
	c := &Client{}
	if err := c.Auth(ctx, srv.URL+"/auth/v1.0", "test:tester", "wrong"); !errors.Is(err, swift.ErrUnauthorized) {
		t.Fatalf("bad key: %v, want ErrUnauthorized", err)
	}
	if err := c.Auth(ctx, srv.URL+"/auth/v1.0", "test:tester", "testing"); err != nil {
		t.Fatal(err)
	}
	if c.StorageURL != srv.URL+"/v1/AUTH_test" || c.Token != "AUTH_tk1" {
		t.Fatalf("after auth: %+v", c)
	}
	if _, err := c.PutObject(ctx, "c", "dir/a b", io.MultiReader(strings.NewReader("he"), strings.NewReader("llo")), -1, nil); err != nil {
		t.Fatal(err)
	}
	body, _, err := c.GetObject(ctx, "c", "dir/a b", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(body)
	body.Close()
	if string(got) != "hello" {
		t.Errorf("GET = %q", got)
	}
	if _, _, err := c.GetObject(ctx, "c", "missing", nil); !errors.Is(err, swift.ErrNotFound) || !strings.Contains(err.Error(), "gone") {
		t.Errorf("GET missing: %v, want ErrNotFound with the server's message", err)
	}
	recs, _, err := c.ListObjects(ctx, "c", ListOptions{Prefix: "d", Limit: 2})
	if err != nil || len(recs) != 2 || recs[0].Name != "o" || recs[0].Bytes != 3 || recs[1].Subdir != "d/" {
		t.Errorf("ListObjects = %+v, %v", recs, err)
	}
	if recs, _, err := c.ListObjects(ctx, "empty", ListOptions{}); err != nil || len(recs) != 0 {
		t.Errorf("empty listing = %+v, %v", recs, err)
	}
	h, err := c.CopyObject(ctx, "c", "o", "c2", "new name", nil)
	if err != nil || h.Get("X-Dest") != "c2/new%20name" {
		t.Errorf("COPY destination %q, err %v", h.Get("X-Dest"), err)
	}
	if err := c.DeleteContainer(ctx, "c"); err != nil {
		t.Error(err)
	}
}
