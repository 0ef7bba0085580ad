package proxy_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sciswift/sciswift/server/client"
	"github.com/sciswift/sciswift/server/swift"
)

func TestAuthAndInfo(t *testing.T) {
	c := newCluster(t, 1)
	resp, _ := c.do(t, "GET", "/auth/v1.0", map[string]string{"X-Storage-User": "test:tester", "X-Storage-Pass": "testing"}, "")
	if resp.StatusCode != 200 || resp.Header.Get("X-Auth-Token") == "" ||
		resp.Header.Get("X-Storage-Url") != c.url+"/v1/AUTH_test" || resp.Header.Get("X-Auth-Token-Expires") != "86400" {
		t.Fatalf("auth: %d %v", resp.StatusCode, resp.Header)
	}
	if resp.Header.Get("X-Trans-Id") == "" || resp.Header.Get("X-Openstack-Request-Id") != resp.Header.Get("X-Trans-Id") {
		t.Errorf("no transaction id on the auth response: %v", resp.Header)
	}
	resp, _ = c.do(t, "GET", "/auth/v1.0", map[string]string{"X-Auth-User": "test:tester", "X-Auth-Key": "nope"}, "")
	if resp.StatusCode != 401 || resp.Header.Get("Www-Authenticate") != `Swift realm="test"` {
		t.Errorf("bad key: %d %q", resp.StatusCode, resp.Header.Get("Www-Authenticate"))
	}
	resp, body := c.do(t, "GET", "/info", nil, "")
	var info map[string]map[string]any
	if err := json.Unmarshal([]byte(body), &info); err != nil || resp.StatusCode != 200 {
		t.Fatalf("/info: %d %v", resp.StatusCode, err)
	}
	if info["swift"]["version"] != "2.30.0" || info["swift"]["max_file_size"] != float64(5368709122) ||
		info["tempauth"]["account_acls"] != true || info["slo"]["max_manifest_segments"] != float64(1000) {
		t.Errorf("/info = %s", body)
	}
	if _, ok := info["bulk_delete"]; ok {
		t.Error("/info lists a feature that is not enabled")
	}
	resp, body = c.do(t, "GET", "/healthcheck", nil, "")
	if resp.StatusCode != 200 || body != "OK" {
		t.Errorf("healthcheck: %d %q", resp.StatusCode, body)
	}
}

func TestObjectLifecycle(t *testing.T) {
	for _, replicas := range []int{1, 3} {
		t.Run(strconv.Itoa(replicas)+" replicas", func(t *testing.T) {
			c := newCluster(t, replicas)
			cl := c.login(t, "test:tester", "testing")
			ctx := context.Background()

			h, err := cl.HeadAccount(ctx)
			mustf(t, err, "HEAD autocreated account")
			if h.Get("X-Account-Container-Count") != "0" {
				t.Errorf("fresh account: %v", h)
			}
			mustf(t, cl.PutContainer(ctx, "c", nil), "PUT container")
			_, _, err = cl.GetObject(ctx, "missing-container", "o", nil)
			if !errors.Is(err, swift.ErrNotFound) {
				t.Errorf("GET in a missing container: %v", err)
			}
			if _, err := cl.PutObject(ctx, "nocont", "o", strings.NewReader("x"), 1, nil); !errors.Is(err, swift.ErrNotFound) {
				t.Errorf("PUT into a missing container: %v, want 404", err)
			}

			data := bytes.Repeat([]byte("0123456789abcdef"), 100000) // 1.6 MB: many chunks
			sum := md5.Sum(data)
			etag := hex.EncodeToString(sum[:])
			meta := http.Header{"X-Object-Meta-Color": {"blue"}}
			h, err = cl.PutObject(ctx, "c", "dir/data.json", bytes.NewReader(data), int64(len(data)), meta)
			mustf(t, err, "PUT object")
			if strings.Trim(h.Get("Etag"), `"`) != etag || h.Get("Last-Modified") == "" {
				t.Errorf("PUT answer: %v", h)
			}
			_, err = cl.PutObject(ctx, "c", "chunked", io.MultiReader(bytes.NewReader(data[:1000]), bytes.NewReader(data[1000:])), -1, nil)
			mustf(t, err, "chunked PUT")

			body, h, err := cl.GetObject(ctx, "c", "dir/data.json", nil)
			mustf(t, err, "GET")
			got, _ := io.ReadAll(body)
			body.Close()
			if !bytes.Equal(got, data) || h.Get("X-Object-Meta-Color") != "blue" || h.Get("Content-Type") != "application/json" {
				t.Errorf("GET: %d bytes, headers %v", len(got), h)
			}
			body, h, err = cl.GetObject(ctx, "c", "chunked", http.Header{"Range": {"bytes=10-19"}})
			mustf(t, err, "range GET")
			got, _ = io.ReadAll(body)
			body.Close()
			if string(got) != string(data[10:20]) || h.Get("Content-Range") == "" {
				t.Errorf("range GET: %q %v", got, h)
			}
			if _, _, err := cl.GetObject(ctx, "c", "chunked", http.Header{"If-None-Match": {etag}}); !errors.Is(err, swift.ErrNotModified) {
				t.Errorf("If-None-Match: %v, want 304", err)
			}

			mustf(t, cl.PostObject(ctx, "c", "chunked", http.Header{"X-Object-Meta-Shape": {"round"}}), "POST")
			h, err = cl.HeadObject(ctx, "c", "chunked", nil)
			mustf(t, err, "HEAD")
			if h.Get("X-Object-Meta-Shape") != "round" || h.Get("Content-Length") != strconv.Itoa(len(data)) {
				t.Errorf("HEAD after POST: %v", h)
			}

			recs, h, err := cl.ListObjects(ctx, "c", client.ListOptions{})
			mustf(t, err, "listing")
			if len(recs) != 2 || recs[1].Name != "dir/data.json" || recs[1].Hash != etag || h.Get("X-Container-Object-Count") != "2" {
				t.Errorf("listing: %+v %v", recs, h)
			}
			if err := cl.DeleteContainer(ctx, "c"); !errors.Is(err, swift.ErrConflict) {
				t.Errorf("DELETE non-empty container: %v, want 409", err)
			}
			mustf(t, cl.DeleteObject(ctx, "c", "chunked", nil), "DELETE")
			mustf(t, cl.DeleteObject(ctx, "c", "dir/data.json", nil), "DELETE")
			if err := cl.DeleteObject(ctx, "c", "chunked", nil); !errors.Is(err, swift.ErrNotFound) {
				t.Errorf("second DELETE: %v, want 404", err)
			}
			mustf(t, cl.DeleteContainer(ctx, "c"), "DELETE container")
			if _, err := cl.HeadContainer(ctx, "c"); !errors.Is(err, swift.ErrNotFound) {
				t.Errorf("HEAD deleted container: %v", err)
			}
		})
	}
}

func TestObjectPutChecks(t *testing.T) {
	c := newCluster(t, 1)
	cl := c.login(t, "test:tester", "testing")
	ctx := context.Background()
	mustf(t, cl.PutContainer(ctx, "c", nil), "PUT container")
	tok := map[string]string{"X-Auth-Token": cl.Token}
	with := func(kv ...string) map[string]string {
		m := map[string]string{"X-Auth-Token": cl.Token}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name, method, path string
		header             map[string]string
		body               string
		status             int
		wantBody           string
	}{
		{"long name", "PUT", "/v1/AUTH_test/c/" + strings.Repeat("n", 1025), tok, "x", 400, "Object name length of 1025 longer than 1024"},
		{"meta too long", "PUT", "/v1/AUTH_test/c/o", with("X-Object-Meta-"+strings.Repeat("k", 129), "v"), "x", 400, ""},
		{"delete-at past", "PUT", "/v1/AUTH_test/c/o", with("X-Delete-At", "1000"), "x", 400, "X-Delete-At in past"},
		{"delete-at junk", "PUT", "/v1/AUTH_test/c/o", with("X-Delete-At", "soon"), "x", 400, "Non-integer X-Delete-At"},
		{"delete-after zero", "PUT", "/v1/AUTH_test/c/o", with("X-Delete-After", "0"), "x", 400, "X-Delete-After in past"},
		{"if-none-match etag", "PUT", "/v1/AUTH_test/c/o", with("If-None-Match", "abc"), "x", 400, "If-None-Match only supports *"},
		{"etag mismatch", "PUT", "/v1/AUTH_test/c/o", with("Etag", "00000000000000000000000000000000"), "x", 422, ""},
		{"bad version", "GET", "/v2/AUTH_test", tok, "", 400, ""},
		{"bad url", "GET", "/v1", tok, "", 412, "Bad URL"},
		{"copy with body", "PUT", "/v1/AUTH_test/c/o2", with("X-Copy-From", "c/o"), "x", 400, "Copy requests require a zero byte body"},
		{"copy bad source", "PUT", "/v1/AUTH_test/c/o2", with("X-Copy-From", "c"), "", 412, "X-Copy-From header must be of the form <container name>/<object name>"},
		{"copy no destination", "COPY", "/v1/AUTH_test/c/o", tok, "", 412, "Destination header required"},
		{"container method", "COPY", "/v1/AUTH_test/c", tok, "", 405, ""},
		{"listing limit", "GET", "/v1/AUTH_test/c?limit=10001", tok, "", 412, "Maximum limit is 10000"},
		{"listing accept", "GET", "/v1/AUTH_test/c", with("Accept", "image/png"), "", 406, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := c.do(t, tc.method, tc.path, tc.header, tc.body)
			if resp.StatusCode != tc.status || (tc.wantBody != "" && body != tc.wantBody) {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, tc.status, tc.wantBody)
			}
		})
	}
	resp, _ := c.do(t, "PUT", "/v1/AUTH_test/c/page.html", tok, "<p>")
	expect(t, resp, "", 201)
	h, err := cl.HeadObject(ctx, "c", "page.html", nil)
	if err != nil || h.Get("Content-Type") != "text/html" {
		t.Errorf("guessed Content-Type %q, %v", h.Get("Content-Type"), err)
	}
	resp, _ = c.do(t, "PUT", "/v1/AUTH_test/c/o", with("If-None-Match", "*"), "x")
	expect(t, resp, "", 201)
	resp, _ = c.do(t, "PUT", "/v1/AUTH_test/c/o", with("If-None-Match", "*"), "x")
	expect(t, resp, "", 412)
}

func TestContainerACLs(t *testing.T) {
	c := newCluster(t, 3)
	ctx := context.Background()
	owner := c.login(t, "test:tester", "testing")
	other := c.login(t, "test:tester3", "testing3")
	mustf(t, owner.PutContainer(ctx, "c", nil), "PUT container")
	_, err := owner.PutObject(ctx, "c", "o", strings.NewReader("hello"), 5, nil)
	mustf(t, err, "PUT object")

	if _, _, err := other.GetObject(ctx, "c", "o", nil); !errors.Is(err, swift.ErrForbidden) {
		t.Errorf("tester3 without ACL: %v, want 403", err)
	}
	resp, _ := c.do(t, "GET", "/v1/AUTH_test/c/o", nil, "")
	if resp.StatusCode != 401 || resp.Header.Get("Www-Authenticate") != `Swift realm="AUTH_test"` {
		t.Errorf("anonymous: %d %v", resp.StatusCode, resp.Header)
	}
	if err := other.PostContainer(ctx, "c", http.Header{"X-Container-Read": {".r:*"}}); !errors.Is(err, swift.ErrForbidden) {
		t.Errorf("non-owner setting an ACL: %v, want 403", err)
	}

	for _, bad := range []struct{ header, value, msg string }{
		{"X-Container-Read", ".r:", "No host/domain value after referrer designation in ACL: '.r:'"},
		{"X-Container-Write", ".r:*", "Referrers not allowed in write ACL: '.r:*'"},
		{"X-Container-Read", ".x:y", "Unknown designator '.x' in ACL: '.x:y'"},
	} {
		resp, body := c.do(t, "POST", "/v1/AUTH_test/c", map[string]string{"X-Auth-Token": owner.Token, bad.header: bad.value}, "")
		if resp.StatusCode != 400 || body != bad.msg {
			t.Errorf("%s: %s: %d %q, want 400 %q", bad.header, bad.value, resp.StatusCode, body, bad.msg)
		}
	}

	mustf(t, owner.PostContainer(ctx, "c", http.Header{"X-Container-Read": {"test:tester3"}}), "set read ACL")
	if _, _, err := other.ListObjects(ctx, "c", client.ListOptions{}); err != nil {
		t.Errorf("listing with a group ACL: %v", err)
	}
	h, err := other.HeadContainer(ctx, "c")
	if err != nil || h.Get("X-Container-Read") != "" {
		t.Errorf("non-owner sees the ACL: %v %v", h, err)
	}
	if h, _ := owner.HeadContainer(ctx, "c"); h.Get("X-Container-Read") != "test:tester3" {
		t.Errorf("owner does not see the ACL: %v", h)
	}
	if _, err := other.PutObject(ctx, "c", "o2", strings.NewReader("x"), 1, nil); !errors.Is(err, swift.ErrForbidden) {
		t.Errorf("write without write ACL: %v", err)
	}

	mustf(t, owner.PostContainer(ctx, "c", http.Header{"X-Container-Read": {".r:*"}, "X-Container-Write": {"test:tester3"}}), "set ACLs")
	resp, body := c.do(t, "GET", "/v1/AUTH_test/c/o", nil, "")
	if resp.StatusCode != 200 || body != "hello" {
		t.Errorf("anonymous read with .r:*: %d %q", resp.StatusCode, body)
	}
	resp, _ = c.do(t, "GET", "/v1/AUTH_test/c", nil, "")
	if resp.StatusCode != 401 {
		t.Errorf("anonymous listing without .rlistings: %d, want 401", resp.StatusCode)
	}
	if _, err := other.PutObject(ctx, "c", "o2", strings.NewReader("x"), 1, nil); err != nil {
		t.Errorf("write with write ACL: %v", err)
	}
	mustf(t, owner.PostContainer(ctx, "c", http.Header{"X-Container-Read": {".r:*,.rlistings"}}), "set ACL")
	resp, body = c.do(t, "GET", "/v1/AUTH_test/c", nil, "")
	if resp.StatusCode != 200 || body != "o\no2\n" {
		t.Errorf("anonymous listing with .rlistings: %d %q", resp.StatusCode, body)
	}
	mustf(t, owner.PostContainer(ctx, "c", http.Header{"X-Remove-Container-Read": {"x"}}), "remove read ACL")
	if _, _, err := other.ListObjects(ctx, "c", client.ListOptions{}); !errors.Is(err, swift.ErrForbidden) {
		t.Errorf("listing after X-Remove-Container-Read: %v, want 403", err)
	}
	mustf(t, owner.PostContainer(ctx, "c", http.Header{"X-Container-Read": {".r:.example.com,.r:-bad.example.com"}}), "referrer ACL")
	for referer, want := range map[string]int{"http://www.example.com/x": 200, "http://bad.example.com/": 401, "": 401} {
		resp, _ := c.do(t, "GET", "/v1/AUTH_test/c/o", map[string]string{"Referer": referer}, "")
		if resp.StatusCode != want {
			t.Errorf("Referer %q: %d, want %d", referer, resp.StatusCode, want)
		}
	}
}

func TestAccountACLsAndManagement(t *testing.T) {
	c := newCluster(t, 1)
	ctx := context.Background()
	owner := c.login(t, "test:tester", "testing")
	other := c.login(t, "test:tester3", "testing3")
	mustf(t, owner.PutContainer(ctx, "c", nil), "PUT container")

	resp, body := c.do(t, "POST", "/v1/AUTH_test", map[string]string{"X-Auth-Token": owner.Token, "X-Account-Access-Control": `{"read-only": "x"}`}, "")
	if resp.StatusCode != 400 || !strings.HasPrefix(body, `X-Account-Access-Control invalid: Value for key "read-only" must be a list`) {
		t.Errorf("bad account ACL: %d %q", resp.StatusCode, body)
	}
	if _, err := other.HeadAccount(ctx); !errors.Is(err, swift.ErrForbidden) {
		t.Errorf("tester3 on the account: %v", err)
	}
	mustf(t, owner.PostAccount(ctx, http.Header{"X-Account-Access-Control": {`{"read-only":["test:tester3"]}`}}), "set account ACL")
	h, err := owner.HeadAccount(ctx)
	if err != nil || h.Get("X-Account-Access-Control") != `{"read-only":["test:tester3"]}` {
		t.Errorf("owner's view of the account ACL: %v %v", h, err)
	}
	h, err = other.HeadAccount(ctx)
	if err != nil || h.Get("X-Account-Access-Control") != "" {
		t.Errorf("read-only user: %v %v", h, err)
	}
	if _, _, err := other.ListObjects(ctx, "c", client.ListOptions{}); err != nil {
		t.Errorf("read-only user listing: %v", err)
	}
	if _, err := other.PutObject(ctx, "c", "o", strings.NewReader("x"), 1, nil); !errors.Is(err, swift.ErrForbidden) {
		t.Errorf("read-only user writing: %v", err)
	}

	resp, _ = c.do(t, "PUT", "/v1/AUTH_test", map[string]string{"X-Auth-Token": owner.Token}, "")
	if resp.StatusCode != 403 {
		t.Errorf("account PUT by its admin: %d, want 403", resp.StatusCode)
	}
	reseller := c.login(t, ".super:admin", "secret")
	resp, _ = c.do(t, "PUT", "/v1/AUTH_new", map[string]string{"X-Auth-Token": reseller.Token}, "")
	if resp.StatusCode != 201 {
		t.Errorf("account PUT by a reseller admin: %d, want 201", resp.StatusCode)
	}
	resp, _ = c.do(t, "GET", "/v1/AUTH_test", map[string]string{"X-Auth-Token": reseller.Token}, "")
	if resp.StatusCode != 200 {
		t.Errorf("reseller admin listing another account: %d", resp.StatusCode)
	}
	resp, _ = c.do(t, "GET", "/v1/.expiring_objects", map[string]string{"X-Auth-Token": reseller.Token}, "")
	if resp.StatusCode != 403 {
		t.Errorf("hidden account: %d, want 403", resp.StatusCode)
	}
}

func TestTokenExpiry(t *testing.T) {
	c := newCluster(t, 1)
	cl := c.login(t, "test:tester", "testing")
	if _, err := cl.HeadAccount(context.Background()); err != nil {
		t.Fatal(err)
	}
	c.now.Set(25 * time.Hour)
	if _, err := cl.HeadAccount(context.Background()); !errors.Is(err, swift.ErrUnauthorized) {
		t.Errorf("expired token: %v, want 401", err)
	}
	forged := *cl
	forged.Token = cl.Token[:len(cl.Token)-2] + "AA"
	c.now.Set(0)
	if _, err := forged.HeadAccount(context.Background()); !errors.Is(err, swift.ErrUnauthorized) {
		t.Errorf("forged token: %v, want 401", err)
	}
}

func TestCopy(t *testing.T) {
	c := newCluster(t, 3)
	ctx := context.Background()
	cl := c.login(t, "test:tester", "testing")
	cl2 := c.login(t, "test2:tester2", "testing2")
	mustf(t, cl.PutContainer(ctx, "src", nil), "PUT container")
	mustf(t, cl.PutContainer(ctx, "dst", nil), "PUT container")
	_, err := cl.PutObject(ctx, "src", "a b", strings.NewReader("0123456789"), 10,
		http.Header{"X-Object-Meta-Old": {"1"}, "Content-Type": {"text/x-thing"}, "Content-Disposition": {"inline"}})
	mustf(t, err, "PUT source")

	h, err := cl.CopyObject(ctx, "src", "a b", "dst", "copy", http.Header{"X-Object-Meta-New": {"2"}})
	mustf(t, err, "COPY")
	if h.Get("X-Copied-From") != "src/a%20b" || h.Get("X-Copied-From-Account") != "AUTH_test" ||
		h.Get("X-Copied-From-Last-Modified") == "" || h.Get("X-Object-Meta-Old") != "1" {
		t.Errorf("COPY answer: %v", h)
	}
	h, err = cl.HeadObject(ctx, "dst", "copy", nil)
	if err != nil || h.Get("X-Object-Meta-Old") != "1" || h.Get("X-Object-Meta-New") != "2" ||
		h.Get("Content-Type") != "text/x-thing" || h.Get("Content-Disposition") != "inline" {
		t.Errorf("copied object: %v %v", h, err)
	}

	resp, _ := c.do(t, "PUT", "/v1/AUTH_test/dst/fresh", map[string]string{"X-Auth-Token": cl.Token,
		"X-Copy-From": "/src/a%20b", "X-Fresh-Metadata": "true", "X-Object-Meta-Only": "me", "Range": "bytes=2-4"}, "")
	expect(t, resp, "", 201)
	body, h, err := cl.GetObject(ctx, "dst", "fresh", nil)
	mustf(t, err, "GET fresh copy")
	got, _ := io.ReadAll(body)
	body.Close()
	if string(got) != "234" || h.Get("X-Object-Meta-Old") != "" || h.Get("X-Object-Meta-Only") != "me" {
		t.Errorf("fresh ranged copy: %q %v", got, h)
	}

	mustf(t, cl2.PutContainer(ctx, "in", http.Header{"X-Container-Write": {"test:tester"}}), "PUT test2 container")
	_, err = cl.CopyObject(ctx, "src", "a b", "in", "x", http.Header{"Destination-Account": {"AUTH_test2"}})
	mustf(t, err, "cross-account COPY")
	body, _, err = cl2.GetObject(ctx, "in", "x", nil)
	mustf(t, err, "GET cross-account copy")
	got, _ = io.ReadAll(body)
	body.Close()
	if string(got) != "0123456789" {
		t.Errorf("cross-account copy holds %q", got)
	}
	if _, err := cl2.CopyObject(ctx, "in", "x", "src", "back", http.Header{"Destination-Account": {"AUTH_test"}}); !errors.Is(err, swift.ErrForbidden) {
		t.Errorf("copy into an account without write access: %v", err)
	}
	resp, _ = c.do(t, "PUT", "/v1/AUTH_test/dst/y", map[string]string{"X-Auth-Token": cl.Token, "X-Copy-From": "src/nothing"}, "")
	expect(t, resp, "", 404)
}

func TestExpiringObjects(t *testing.T) {
	c := newCluster(t, 1)
	// The proxy runs an hour behind the backends: an X-Delete-At a minute
	// ago is in the future to the proxy and already past to the object
	// server.
	c.now.Set(-time.Hour)
	ctx := context.Background()
	cl := c.login(t, "test:tester", "testing")
	mustf(t, cl.PutContainer(ctx, "c", nil), "PUT container")
	at := time.Now().Add(-time.Minute).Unix()
	_, err := cl.PutObject(ctx, "c", "gone", strings.NewReader("x"), 1, http.Header{"X-Delete-At": {strconv.FormatInt(at, 10)}})
	mustf(t, err, "PUT expiring")
	_, err = cl.PutObject(ctx, "c", "kept", strings.NewReader("y"), 1, nil)
	mustf(t, err, "PUT")
	if _, _, err := cl.GetObject(ctx, "c", "gone", nil); !errors.Is(err, swift.ErrNotFound) {
		t.Errorf("GET expired object: %v, want 404", err)
	}
	recs, _, _ := cl.ListObjects(ctx, "c", client.ListOptions{})
	if len(recs) != 2 {
		t.Fatalf("before the expirer the listing has %d rows, want 2", len(recs))
	}
	c.now.Set(0)
	runExpirerOnce(t, c)
	recs, _, _ = cl.ListObjects(ctx, "c", client.ListOptions{})
	if len(recs) != 1 || recs[0].Name != "kept" {
		t.Errorf("after the expirer: %+v", recs)
	}
	if n, err := c.proxy.ExpireOnce(ctx); n != 0 || err != nil {
		t.Errorf("second expirer pass: %d, %v; the queue entry was not removed", n, err)
	}
}

func runExpirerOnce(t *testing.T, c *cluster) {
	t.Helper()
	n, err := c.proxy.ExpireOnce(context.Background())
	if err != nil || n != 1 {
		t.Errorf("expirer pass: %d expired, %v; want 1", n, err)
	}
}

// TestHandoffsAndQuorum: with 3 replicas on 4 devices, a failed primary is
// replaced by the handoff for writes and skipped for reads; with two of
// three primaries and the handoff down there is no quorum.
func TestHandoffsAndQuorum(t *testing.T) {
	c := newCluster(t, 3)
	ctx := context.Background()
	cl := c.login(t, "test:tester", "testing")
	mustf(t, cl.PutContainer(ctx, "c", nil), "PUT container")
	for _, status := range []int{507, 503} {
		for _, dev := range []string{"d1", "d2", "d3", "d4"} {
			c.faults.set(dev, status)
			name := dev + strconv.Itoa(status)
			_, err := cl.PutObject(ctx, "c", name, strings.NewReader("data"), 4, nil)
			mustf(t, err, "PUT with %s down", dev)
			body, _, err := cl.GetObject(ctx, "c", name, nil)
			mustf(t, err, "GET with %s down", dev)
			body.Close()
			c.faults.set(dev, 0)
		}
	}
	c.faults.set("d1", 507)
	c.faults.set("d2", 507)
	c.faults.set("d3", 507)
	_, err := cl.PutObject(ctx, "c", "nowhere", strings.NewReader("data"), 4, nil)
	if !errors.Is(err, swift.ErrServiceUnavailable) {
		t.Errorf("PUT with three of four devices down: %v, want 503", err)
	}
	_, err = cl.PutObject(ctx, "c", "empty", nil, 0, nil)
	if !errors.Is(err, swift.ErrServiceUnavailable) {
		t.Errorf("empty PUT with three of four devices down: %v, want 503", err)
	}
}

// TestAbortedUploadLeavesNothing: a client that disconnects before
// sending the whole body must not leave a short object on any replica.
func TestAbortedUploadLeavesNothing(t *testing.T) {
	c := newCluster(t, 3)
	ctx := context.Background()
	cl := c.login(t, "test:tester", "testing")
	mustf(t, cl.PutContainer(ctx, "c", nil), "PUT container")
	pr, pw := io.Pipe()
	go func() {
		_, _ = pw.Write(bytes.Repeat([]byte("x"), 100000))
		_ = pw.CloseWithError(errors.New("client gave up"))
	}()
	if _, err := cl.PutObject(ctx, "c", "short", pr, 1<<20, nil); err == nil {
		t.Fatal("a PUT with a short body succeeded")
	}
	if _, err := cl.HeadObject(ctx, "c", "short", nil); !errors.Is(err, swift.ErrNotFound) {
		t.Errorf("HEAD after an aborted upload: %v, want 404", err)
	}
}

func TestCORS(t *testing.T) {
	c := newCluster(t, 1)
	ctx := context.Background()
	cl := c.login(t, "test:tester", "testing")
	mustf(t, cl.PutContainer(ctx, "c", http.Header{
		"X-Container-Meta-Access-Control-Allow-Origin": {"http://app.example"},
		"X-Container-Meta-Access-Control-Max-Age":      {"60"},
		"X-Container-Read":                             {".r:*"},
	}), "PUT container")
	_, err := cl.PutObject(ctx, "c", "o", strings.NewReader("x"), 1, http.Header{"X-Object-Meta-Color": {"red"}})
	mustf(t, err, "PUT")

	tests := []struct {
		origin, method string
		status         int
		allowOrigin    string
	}{
		{"http://app.example", "GET", 200, "http://app.example"},
		{"http://evil.example", "GET", 401, ""},
		{"http://app.example", "PATCH", 401, ""},
	}
	for _, tc := range tests {
		resp, _ := c.do(t, "OPTIONS", "/v1/AUTH_test/c/o", map[string]string{"Origin": tc.origin, "Access-Control-Request-Method": tc.method}, "")
		if resp.StatusCode != tc.status || resp.Header.Get("Access-Control-Allow-Origin") != tc.allowOrigin {
			t.Errorf("preflight %s %s: %d %q", tc.origin, tc.method, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
		}
		if tc.status == 200 && (resp.Header.Get("Access-Control-Max-Age") != "60" || resp.Header.Get("Allow") != "COPY, DELETE, GET, HEAD, OPTIONS, POST, PUT") {
			t.Errorf("preflight headers: %v", resp.Header)
		}
	}
	resp, _ := c.do(t, "OPTIONS", "/v1/AUTH_test/c/o", nil, "")
	expect(t, resp, "", 200)

	resp, _ = c.do(t, "GET", "/v1/AUTH_test/c/o", map[string]string{"Origin": "http://app.example"}, "")
	expose := resp.Header.Get("Access-Control-Expose-Headers")
	if resp.Header.Get("Access-Control-Allow-Origin") != "http://app.example" || !strings.Contains(expose, "x-object-meta-color") || !strings.Contains(expose, "etag") {
		t.Errorf("CORS GET headers: %v", resp.Header)
	}
	resp, _ = c.do(t, "GET", "/v1/AUTH_test/c/o", map[string]string{"Origin": "http://evil.example"}, "")
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS GET from a foreign origin: %d %v", resp.StatusCode, resp.Header)
	}
}
