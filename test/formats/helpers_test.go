package formats_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sciswift/sciswift/test/testserver"
)

// httpClient stands in for curl: no proxy, no transparent gzip, no redirects.
var httpClient = &http.Client{
	Transport:     &http.Transport{Proxy: nil, DisableCompression: true, MaxIdleConnsPerHost: 16},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       5 * time.Minute,
}

type user struct{ name, key string }

var (
	tester  = user{"test:tester", "testing"}    // .admin on AUTH_test
	tester3 = user{"test:tester3", "testing3"}  // plain user on AUTH_test
	t2admin = user{"test2:tester2", "testing2"} // .admin on AUTH_test2
)

// session is a logged-in user of one server: $URL and $T of the issue.
type session struct {
	srv        *testserver.Server
	u          user
	storageURL string
	token      string
}

// login authenticates at /auth/v1.0 as tempauth expects.
func login(t testing.TB, srv *testserver.Server, u user) *session {
	t.Helper()
	r := do(t, "GET", srv.BaseURL+"/auth/v1.0", nil, "X-Auth-User", u.name, "X-Auth-Key", u.key)
	if r.status != 200 || r.header.Get("X-Auth-Token") == "" || r.header.Get("X-Storage-Url") == "" {
		t.Fatalf("auth as %s: %s", u.name, r)
	}
	return &session{srv: srv, u: u, storageURL: r.header.Get("X-Storage-Url"), token: r.header.Get("X-Auth-Token")}
}

// reply is a fully read response.
type reply struct {
	method, url string
	status      int
	header      http.Header
	body        []byte
}

// String is the exchange as a report quotes it: request, status, the
// headers the dataset API sets, and the start of the body.
func (r *reply) String() string {
	body := r.body
	if len(body) > 400 {
		body = append(body[:400:400], "…"...)
	}
	var hs []string
	for _, h := range []string{"Content-Type", "X-Sciswift-Dtype", "X-Sciswift-Shape", "X-Sciswift-Source-Bytes"} {
		if v := r.header.Get(h); v != "" {
			hs = append(hs, h+": "+v)
		}
	}
	return fmt.Sprintf("%s %s → %d [%s] %q", r.method, r.url, r.status, strings.Join(hs, "; "), body)
}

// do sends one request; headers are name, value pairs.
func do(t testing.TB, method, url string, body []byte, headers ...string) *reply {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	if body == nil {
		req.Body = http.NoBody
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, url, err)
	}
	return &reply{method: method, url: url, status: res.StatusCode, header: res.Header, body: b}
}

// get is `curl -H "X-Auth-Token: $T" "$URL/path"`; path includes the query.
func (s *session) get(t testing.TB, path string) *reply {
	t.Helper()
	return do(t, "GET", s.storageURL+path, nil, "X-Auth-Token", s.token)
}

func (s *session) request(t testing.TB, method, path string, body []byte, headers ...string) *reply {
	t.Helper()
	return do(t, method, s.storageURL+path, body, append([]string{"X-Auth-Token", s.token}, headers...)...)
}

// want fails the test unless the status is want.
func (r *reply) want(t testing.TB, status int) *reply {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: want status %d", r, status)
	}
	return r
}

// wantError checks an error reply: its status, and a message that
// mentions every one of words (case-insensitive), so the user can tell
// what was wrong.
func (r *reply) wantError(t testing.TB, status int, words ...string) {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: want status %d", r, status)
		return
	}
	msg := strings.ToLower(string(r.body))
	for _, w := range words {
		if !strings.Contains(msg, strings.ToLower(w)) {
			t.Errorf("%s: the message does not mention %q", r, w)
		}
	}
}

// ---------------------------------------------------------------- tools

// python is Debian's interpreter, which has h5py, numpy, astropy and swiftclient.
const python = "/usr/bin/python3"

// runPython runs a script of testdata with args and returns its stdout.
func runPython(t testing.TB, script string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, append([]string{testdataPath(t, script)}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s %s: %v\n%s", python, script, strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

func testdataPath(t testing.TB, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// swift runs the real `swift` CLI (python3-swiftclient) as u in dir.
func swift(t testing.TB, srv *testserver.Server, dir string, u user, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	full := append([]string{"-A", srv.BaseURL + "/auth/v1.0", "-U", u.name, "-K", u.key}, args...)
	cmd := exec.CommandContext(ctx, "swift", full...)
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("swift %s (in %s): %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), dir, err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.String()
}

// cleanEnv keeps credentials and proxies of the developer's shell away
// from child tools.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		upper := strings.ToUpper(name)
		if strings.HasPrefix(upper, "OS_") || strings.HasPrefix(upper, "ST_") || strings.HasSuffix(upper, "_PROXY") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost")
}

// upload is `swift upload CONTAINER NAME` run in the directory holding the
// file, so the object is named as the commands name it.
func upload(t testing.TB, srv *testserver.Server, container, local, name string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.Link(local, filepath.Join(dir, name)); err != nil {
		copyFile(t, local, filepath.Join(dir, name))
	}
	out := swift(t, srv, dir, tester, "upload", container, name)
	if strings.TrimSpace(out) != name {
		t.Fatalf("swift upload %s %s printed %q, want %q", container, name, out, name)
	}
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

var containerSeq atomic.Int64

// uniq is a container name no other test uses.
func uniq(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, os.Getpid(), containerSeq.Add(1))
}

// decodeJSON unmarshals a reply body or fails the test naming the request.
func decodeJSON(t testing.TB, r *reply, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("%s: not JSON: %v", r, err)
	}
}

// writeFile writes b under dir and returns the path.
func writeFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
