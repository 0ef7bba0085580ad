package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sciswift/sciswift/test/testserver"
)

func TestHealthcheck(t *testing.T) {
	t.Parallel()
	r := rawDo(t, "GET", srv.BaseURL+"/healthcheck", nil).expect(t, 200)
	if strings.TrimSpace(string(r.Body)) != "OK" {
		t.Errorf("GET /healthcheck body %q, want OK", r.Body)
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	authURL := srv.BaseURL + "/auth/v1.0"
	for _, tc := range []struct {
		name            string
		u               user
		userHdr, keyHdr string
		wantAccount     string
	}{
		{"auth headers", tester, "X-Auth-User", "X-Auth-Key", "AUTH_test"},
		{"storage headers", tester, "X-Storage-User", "X-Storage-Pass", "AUTH_test"},
		{"non-admin user", tester3, "X-Auth-User", "X-Auth-Key", "AUTH_test"},
		{"second account", t2admin, "X-Auth-User", "X-Auth-Key", "AUTH_test2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rawDo(t, "GET", authURL, nil, tc.userHdr, tc.u.name, tc.keyHdr, tc.u.key).expect(t, 200)
			tok := r.Header.Get("X-Auth-Token")
			if tok == "" {
				t.Fatalf("no X-Auth-Token")
			}
			r.hdr(t, "X-Storage-Token", tok)
			r.hdr(t, "X-Storage-Url", srv.BaseURL+"/v1/"+tc.wantAccount)
			exp, err := strconv.Atoi(r.Header.Get("X-Auth-Token-Expires"))
			if err != nil || exp <= 0 || exp > 86400 {
				t.Errorf("X-Auth-Token-Expires = %q, want seconds in (0, 86400]", r.Header.Get("X-Auth-Token-Expires"))
			}
			// The token works on its account.
			rawDo(t, "HEAD", r.Header.Get("X-Storage-Url"), nil, "X-Auth-Token", tok).check(t, 204, 200, 403)
		})
	}
	t.Run("admin token reads account", func(t *testing.T) {
		as(t, tester).do(t, "HEAD", "", nil).check(t, 204)
		as(t, tester2).do(t, "HEAD", "", nil).check(t, 204)
		as(t, t2admin).do(t, "HEAD", "", nil).check(t, 204, 200) // 200: auto-created, never written
	})
	for _, tc := range []struct {
		name    string
		headers []string
	}{
		{"bad key", []string{"X-Auth-User", "test:tester", "X-Auth-Key", "wrong"}},
		{"key of another user", []string{"X-Auth-User", "test:tester", "X-Auth-Key", "testing2"}},
		{"unknown user", []string{"X-Auth-User", "test:nobody", "X-Auth-Key", "testing"}},
		{"unknown account", []string{"X-Auth-User", "nope:tester", "X-Auth-Key", "testing"}},
		{"bad storage pass", []string{"X-Storage-User", "test:tester", "X-Storage-Pass", "wrong"}},
		{"no credentials", nil},
		{"empty key", []string{"X-Auth-User", "test:tester", "X-Auth-Key", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rawDo(t, "GET", authURL, nil, tc.headers...)
			r.check(t, 401)
			if r.Header.Get("X-Auth-Token") != "" {
				t.Errorf("a failed auth returned a token")
			}
		})
	}
}

// TestTokenExpiry runs a second server whose tokens live 2 seconds.
func TestTokenExpiry(t *testing.T) {
	t.Parallel()
	ownServer(t)
	s2 := startExtraServer(t, `{"token_ttl": "2s"}`)
	sess := login(t, s2.BaseURL, tester)
	r := rawDo(t, "GET", s2.BaseURL+"/auth/v1.0", nil, "X-Auth-User", tester.name, "X-Auth-Key", tester.key)
	if exp, err := strconv.Atoi(r.Header.Get("X-Auth-Token-Expires")); err != nil || exp > 2 || exp < 0 {
		t.Errorf("with token_ttl 2s, X-Auth-Token-Expires = %q, want 0..2", r.Header.Get("X-Auth-Token-Expires"))
	}
	sess.do(t, "HEAD", "", nil).expect(t, 204)
	start := time.Now()
	eventually(t, 10*time.Second, "a 2s token to expire", func() string {
		r := sess.do(t, "HEAD", "", nil)
		if r.Status == 401 {
			return ""
		}
		return r.String()
	})
	if el := time.Since(start); el < time.Second {
		t.Errorf("the token expired after %s, want about 2s", el)
	}
	// A new token works again.
	login(t, s2.BaseURL, tester).do(t, "HEAD", "", nil).check(t, 204)
}

func TestInfo(t *testing.T) {
	t.Parallel()
	r := rawDo(t, "GET", srv.BaseURL+"/info", nil).expect(t, 200)
	var info map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &info); err != nil {
		t.Fatalf("/info is not a JSON object: %v\n%s", err, r.Body)
	}
	for _, k := range []string{"swift", "slo", "bulk_delete", "tempauth"} {
		if _, ok := info[k]; !ok {
			t.Errorf("/info lacks %q (keys: %v)", k, keys(info))
		}
	}
	// Features sciswift does not implement must not be advertised:
	// clients (the swift CLI included) switch behaviour on them.
	for _, k := range []string{"tempurl", "formpost", "staticweb", "s3api", "swift3", "symlink",
		"versioned_writes", "object_versioning", "container_sync", "account_quotas",
		"container_quotas", "bulk_upload", "keystoneauth", "domain_remap", "cname_lookup",
		"encryption", "ratelimit", "crossdomain", "etag_quoter", "copy" /* old middleware name */} {
		if _, ok := info[k]; ok {
			sciswiftOnly(t, "/info advertises %q, which sciswift does not implement", k)
		}
	}
	var sw map[string]any
	if err := json.Unmarshal(info["swift"], &sw); err != nil {
		t.Fatalf("/info swift: %v", err)
	}
	for k, want := range map[string]float64{
		"max_file_size":             5368709122,
		"max_meta_name_length":      128,
		"max_meta_value_length":     256,
		"max_meta_count":            90,
		"max_meta_overall_size":     4096,
		"max_object_name_length":    1024,
		"container_listing_limit":   10000,
		"account_listing_limit":     10000,
		"max_account_name_length":   256,
		"max_container_name_length": 256,
		"max_header_size":           8192,
	} {
		if got, ok := sw[k].(float64); !ok || got != want {
			t.Errorf("/info swift.%s = %v, want %v", k, sw[k], want)
		}
	}
	var slo map[string]any
	if err := json.Unmarshal(info["slo"], &slo); err == nil {
		for _, k := range []string{"max_manifest_segments", "max_manifest_size"} {
			if _, ok := slo[k]; !ok {
				t.Errorf("/info slo lacks %s: %v", k, slo)
			}
		}
	}
	var bulk map[string]any
	if err := json.Unmarshal(info["bulk_delete"], &bulk); err == nil {
		for _, k := range []string{"max_deletes_per_request", "max_failed_deletes"} {
			if _, ok := bulk[k]; !ok {
				t.Errorf("/info bulk_delete lacks %s: %v", k, bulk)
			}
		}
	}
}

func keys(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestTransIDOnEveryResponse checks a representative response of each
// kind, errors included (every other response the suite sees is checked
// too, and reported at the end).
func TestTransIDOnEveryResponse(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c := s.mkContainer(t, "transid")
	s.put(t, c, "o", []byte("0123456789"))
	etag := md5hex([]byte("0123456789"))
	for _, r := range []*resp{
		rawDo(t, "GET", srv.BaseURL+"/healthcheck", nil),
		rawDo(t, "GET", srv.BaseURL+"/info", nil),
		rawDo(t, "GET", srv.BaseURL+"/auth/v1.0", nil, "X-Auth-User", "test:tester", "X-Auth-Key", "testing"),
		rawDo(t, "GET", srv.BaseURL+"/auth/v1.0", nil, "X-Auth-User", "test:tester", "X-Auth-Key", "bad"), // 401
		s.do(t, "HEAD", "", nil),
		s.do(t, "GET", p(c), nil),
		s.do(t, "GET", p(c, "o"), nil),
		s.do(t, "HEAD", p(c, "o"), nil),
		s.do(t, "GET", p(c, "o"), nil, "Range", "bytes=0-1"),         // 206
		s.do(t, "GET", p(c, "o"), nil, "If-None-Match", etag),        // 304
		s.do(t, "GET", p(c, "o"), nil, "If-Match", "nope"),           // 412
		s.do(t, "GET", p(c, "o"), nil, "Range", "bytes=100-200"),     // 416
		s.do(t, "PUT", p(c, "o2"), "x", "ETag", md5hex([]byte("y"))), // 422
		s.do(t, "GET", p(c, "missing"), nil),                         // 404
		s.do(t, "DELETE", p(c), nil),                                 // 409
		s.withToken("AUTH_tkbogus").do(t, "GET", "", nil),            // 401
		as(t, tester3).do(t, "GET", p(c), nil),                       // 403
		s.do(t, "PUT", p(c, strings.Repeat("x", 1025)), "x"),         // 400
		s.do(t, "POST", p(c, "o"), nil, "X-Object-Meta-A", "b"),      // 202
		s.do(t, "DELETE", p(c, "o"), nil),                            // 204
	} {
		if r.Header.Get("X-Trans-Id") == "" {
			t.Errorf("%s: no X-Trans-Id", r)
		} else if id := r.Header.Get("X-Openstack-Request-Id"); id != "" && id != r.Header.Get("X-Trans-Id") {
			t.Errorf("%s: X-Openstack-Request-Id %q differs from X-Trans-Id %q", r, id, r.Header.Get("X-Trans-Id"))
		}
	}
	// Distinct requests get distinct ids.
	a := s.do(t, "HEAD", "", nil).Header.Get("X-Trans-Id")
	b := s.do(t, "HEAD", "", nil).Header.Get("X-Trans-Id")
	if a != "" && a == b {
		t.Errorf("two requests got the same X-Trans-Id %q", a)
	}
}

// TestRequestLogOneLinePerRequest checks the server logs each request
// exactly once on stderr.
func TestRequestLogOneLinePerRequest(t *testing.T) {
	t.Parallel()
	ownServer(t)
	marker := uniq("logprobe")
	as(t, tester).do(t, "GET", p(marker), nil).expect(t, 404)
	needle := "/v1/AUTH_test/" + marker
	var lines []string
	read := func() {
		lines = nil
		b, err := os.ReadFile(filepath.Join(workDir, "server.log"))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if strings.Contains(l, needle) {
				lines = append(lines, l)
			}
		}
	}
	eventually(t, 5*time.Second, "the request to appear in the server log", func() string {
		read()
		if len(lines) == 0 {
			return "no line mentions " + needle
		}
		return ""
	})
	time.Sleep(300 * time.Millisecond)
	read()
	if len(lines) != 1 {
		t.Fatalf("%d log lines mention %s, want exactly 1:\n%s", len(lines), needle, strings.Join(lines, "\n"))
	}
	l := lines[0]
	if strings.HasPrefix(l, "{") && !json.Valid([]byte(l)) {
		t.Errorf("log line looks like JSON but is not valid: %s", l)
	}
	if !strings.Contains(l, "GET") || !strings.Contains(l, "404") {
		t.Errorf("log line should record the method and the status (GET, 404): %s", l)
	}
}

// startExtraServer runs a private server (own data dir and port) with the
// given config file contents for tests that change server settings or
// restart it. It is stopped (and its exit status checked) at cleanup.
func startExtraServer(t *testing.T, config string) *serverProc {
	t.Helper()
	dir := t.TempDir()
	cfg := ""
	if config != "" {
		cfg = filepath.Join(dir, "config.json")
		if err := os.WriteFile(cfg, []byte(config), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := testserver.Start(binPath, "", filepath.Join(dir, "data"), cfg, filepath.Join(dir, "server.log"))
	if err != nil {
		t.Fatalf("starting a private server with config %s: %v", config, err)
	}
	t.Cleanup(func() {
		if s.Running() {
			if _, err := s.Stop(stopTimeout); err != nil {
				t.Errorf("stopping the private server: %v", err)
			}
		}
	})
	return s
}
