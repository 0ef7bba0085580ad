package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// httpClient is shared by all raw-HTTP tests: no proxy, no transparent
// gzip (Content-Encoding must round-trip untouched), no redirects (a
// Swift API never redirects; following one would hide a bug).
var httpClient = &http.Client{
	Transport: &http.Transport{
		Proxy:               nil,
		DisableCompression:  true,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     30 * time.Second,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       2 * time.Minute,
}

// ---------------------------------------------------------------- users

type user struct{ name, key string }

var (
	tester  = user{"test:tester", "testing"}    // .admin on AUTH_test
	tester2 = user{"test:tester2", "testing2"}  // .admin on AUTH_test
	tester3 = user{"test:tester3", "testing3"}  // plain user on AUTH_test
	t2admin = user{"test2:tester2", "testing2"} // .admin on AUTH_test2
)

// session is an authenticated (or anonymous) client of one server.
type session struct {
	base       string // http://127.0.0.1:PORT
	storageURL string // http://127.0.0.1:PORT/v1/AUTH_x
	token      string
	user       string
}

var (
	sessionsMu sync.Mutex
	sessions   = map[string]*session{}
)

// as returns a session of u on the shared server (tokens are cached).
func as(t testing.TB, u user) *session {
	t.Helper()
	sessionsMu.Lock()
	defer sessionsMu.Unlock()
	if s, ok := sessions[u.name]; ok {
		return s
	}
	s := login(t, srv.BaseURL, u)
	sessions[u.name] = s
	return s
}

// login authenticates u against base with X-Auth-User/X-Auth-Key.
func login(t testing.TB, base string, u user) *session {
	t.Helper()
	r := rawDo(t, "GET", base+"/auth/v1.0", nil, "X-Auth-User", u.name, "X-Auth-Key", u.key)
	if r.Status != 200 {
		t.Fatalf("auth as %s: status %d, want 200; body %q", u.name, r.Status, r.Body)
	}
	s := &session{base: base, storageURL: r.Header.Get("X-Storage-Url"), token: r.Header.Get("X-Auth-Token"), user: u.name}
	if s.storageURL == "" || s.token == "" {
		t.Fatalf("auth as %s: X-Storage-Url=%q X-Auth-Token=%q, want both set", u.name, s.storageURL, s.token)
	}
	return s
}

// anon is an unauthenticated session for AUTH_test on the shared server.
func anon() *session {
	return &session{base: srv.BaseURL, storageURL: srv.BaseURL + "/v1/AUTH_test", user: "anonymous"}
}

// withToken returns a copy of s that sends token instead.
func (s *session) withToken(token string) *session {
	c := *s
	c.token = token
	return &c
}

// onAccount returns a copy of s addressing another account.
func (s *session) onAccount(account string) *session {
	c := *s
	c.storageURL = s.base + "/v1/" + account
	return &c
}

// ---------------------------------------------------------------- requests

// resp is a fully read response.
type resp struct {
	Method, URL string
	Status      int
	Header      http.Header
	Body        []byte
}

func (r *resp) String() string {
	body := r.Body
	if len(body) > 300 {
		body = append(body[:300:300], "…"...)
	}
	return fmt.Sprintf("%s %s → %d %q", r.Method, r.URL, r.Status, body)
}

// expect fails the test unless the status is one of want.
func (r *resp) expect(t testing.TB, want ...int) *resp {
	t.Helper()
	for _, w := range want {
		if r.Status == w {
			return r
		}
	}
	t.Fatalf("%s: want status %v", r, want)
	return r
}

// check is expect without stopping the test.
func (r *resp) check(t testing.TB, want ...int) bool {
	t.Helper()
	for _, w := range want {
		if r.Status == w {
			return true
		}
	}
	t.Errorf("%s: want status %v", r, want)
	return false
}

// hdr checks that header name has value want.
func (r *resp) hdr(t testing.TB, name, want string) {
	t.Helper()
	if got := r.Header.Get(name); got != want {
		t.Errorf("%s %s: header %s = %q, want %q", r.Method, r.URL, name, got, want)
	}
}

// hdrAbsent checks that header name is not set.
func (r *resp) hdrAbsent(t testing.TB, name string) {
	t.Helper()
	if v, ok := r.Header[http.CanonicalHeaderKey(name)]; ok {
		t.Errorf("%s %s: header %s = %q, want it absent", r.Method, r.URL, name, v)
	}
}

func (r *resp) intHdr(t testing.TB, name string) int64 {
	t.Helper()
	v := r.Header.Get(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		t.Fatalf("%s %s: header %s = %q, want an integer", r.Method, r.URL, name, v)
	}
	return n
}

// rawDo sends one request; headers are name, value pairs. body may be
// nil, a string, []byte or an io.Reader (sent chunked).
func rawDo(t testing.TB, method, rawURL string, body any, headers ...string) *resp {
	t.Helper()
	req := newRequest(t, method, rawURL, body, headers...)
	res, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, rawURL, err)
	}
	checkTransID(method, rawURL, res)
	return &resp{Method: method, URL: rawURL, Status: res.StatusCode, Header: res.Header, Body: b}
}

func checkTransID(method, rawURL string, res *http.Response) {
	if res.Header.Get("X-Trans-Id") == "" {
		u, _ := url.Parse(rawURL)
		path := rawURL
		if u != nil {
			path = u.Path
		}
		noteMissingTransID(fmt.Sprintf("%s %s → %d", method, path, res.StatusCode))
	}
}

// newRequest builds a request whose path is sent exactly as written in
// rawURL (percent-escapes and dot segments untouched).
func newRequest(t testing.TB, method, rawURL string, body any, headers ...string) *http.Request {
	t.Helper()
	var rd io.Reader
	var size int64 = -1
	switch b := body.(type) {
	case nil:
		size = 0
	case string:
		rd, size = strings.NewReader(b), int64(len(b))
	case []byte:
		rd, size = bytes.NewReader(b), int64(len(b))
	case io.Reader:
		rd = b
	default:
		t.Fatalf("newRequest: unsupported body type %T", body)
	}
	ctx := context.Background()
	if tt, ok := t.(interface{ Context() context.Context }); ok {
		ctx = tt.Context()
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, rd)
	if err != nil {
		t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	if rd != nil {
		req.ContentLength = size
		if size == 0 {
			req.Body = http.NoBody
		}
	}
	if len(headers)%2 != 0 {
		t.Fatalf("newRequest: odd number of header arguments %q", headers)
	}
	for i := 0; i < len(headers); i += 2 {
		if strings.EqualFold(headers[i], "Host") {
			req.Host = headers[i+1]
			continue
		}
		req.Header[http.CanonicalHeaderKey(headers[i])] = append(req.Header[http.CanonicalHeaderKey(headers[i])], headers[i+1])
	}
	return req
}

// do sends a request relative to the session's storage URL: path "" is
// the account, "/c" a container, "/c/o?x=y" an object with a query.
// The path must already be escaped (see p()).
func (s *session) do(t testing.TB, method, path string, body any, headers ...string) *resp {
	t.Helper()
	if s.token != "" {
		headers = append([]string{"X-Auth-Token", s.token}, headers...)
	}
	return rawDo(t, method, s.storageURL+path, body, headers...)
}

// p escapes names into a path: p("c", "a b/c") = "/c/a%20b/c". Slashes
// inside an object name stay slashes, as Swift clients send them.
func p(names ...string) string {
	var b strings.Builder
	for _, n := range names {
		b.WriteByte('/')
		parts := strings.Split(n, "/")
		for i, part := range parts {
			if i > 0 {
				b.WriteByte('/')
			}
			b.WriteString(url.PathEscape(part))
		}
	}
	return b.String()
}

// q builds a query string from name, value pairs: q("prefix", "a/") = "?prefix=a%2F".
func q(pairs ...string) string {
	v := make([]string, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		v = append(v, url.QueryEscape(pairs[i])+"="+url.QueryEscape(pairs[i+1]))
	}
	return "?" + strings.Join(v, "&")
}

// mkContainer creates a fresh container and returns its name.
func (s *session) mkContainer(t testing.TB, prefix string, headers ...string) string {
	t.Helper()
	c := uniq(prefix)
	s.do(t, "PUT", p(c), nil, headers...).expect(t, 201)
	return c
}

// put uploads an object and fails the test unless it answers 201.
func (s *session) put(t testing.TB, container, object string, data []byte, headers ...string) *resp {
	t.Helper()
	return s.do(t, "PUT", p(container, object), data, headers...).expect(t, 201)
}

// get downloads an object and fails the test unless it answers 200.
func (s *session) get(t testing.TB, container, object string, headers ...string) *resp {
	t.Helper()
	return s.do(t, "GET", p(container, object), nil, headers...).expect(t, 200)
}

// listing returns the plain-text listing lines of path (a container or
// "" for the account) with query; a 204 is an empty listing.
func (s *session) listing(t testing.TB, path, query string) []string {
	t.Helper()
	r := s.do(t, "GET", path+query, nil).expect(t, 200, 204)
	return splitLines(r.Body)
}

// jsonListing returns the format=json listing entries of path.
func (s *session) jsonListing(t testing.TB, path, query string) []map[string]any {
	t.Helper()
	sep := "?"
	if strings.Contains(query, "?") {
		sep = "&"
	}
	r := s.do(t, "GET", path+query+sep+"format=json", nil).expect(t, 200)
	var out []map[string]any
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatalf("%s: not a JSON listing: %v", r, err)
	}
	return out
}

func splitLines(b []byte) []string {
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// ---------------------------------------------------------------- data

var uniqCounter struct {
	sync.Mutex
	n int
}

// uniq makes a name no other test uses.
func uniq(prefix string) string {
	uniqCounter.Lock()
	uniqCounter.n++
	n := uniqCounter.n
	uniqCounter.Unlock()
	var b [3]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", prefix, n, hex.EncodeToString(b[:]))
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func unquote(etag string) string { return strings.Trim(etag, `"`) }

// eventually polls cond every 100ms until it returns "" or timeout
// passes; it then fails with the last message.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() string) {
	t.Helper()
	if external {
		// A reference Swift updates account rows and runs its expirer
		// from separate daemons: give them longer.
		timeout *= 4
	}
	deadline := time.Now().Add(timeout)
	var last string
	for {
		last = cond()
		if last == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not true after %s: %s", what, timeout, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sciswiftOnly reports a requirement sciswift has beyond what a
// reference Swift meets (its own /info contents, metadata that does not
// depend on xattr size): a failure for sciswift, a log line when the suite
// runs against an external server.
func sciswiftOnly(t testing.TB, format string, args ...any) {
	t.Helper()
	if external {
		t.Logf("reference server differs (a sciswift-only requirement): "+format, args...)
		return
	}
	t.Errorf(format, args...)
}

var timestampRE = regexp.MustCompile(`^\d{10}\.\d{5}$`)

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ---------------------------------------------------------------- tools

// need skips the test (or fails it under CI / make test) when a required
// tool is missing.
func need(t testing.TB, ok bool, why string) {
	t.Helper()
	if ok {
		return
	}
	if strict {
		t.Fatalf("%s — the project's setup (scripts/install-deps.sh) must install it; CI or SCISWIFT_BIN is set, so this is a failure, not a skip", why)
	}
	t.Skipf("%s (set CI=1 to make this a failure)", why)
}

// requireSwiftCLI makes sure the `swift` command (python3-swiftclient) exists.
func requireSwiftCLI(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("swift")
	need(t, err == nil, "the `swift` command (Debian package python3-swiftclient) is not on PATH")
	return path
}

// python returns Debian's interpreter when present: the python3-* packages
// (h5py, numpy) are installed for it, not for a pyenv python3 on PATH.
func python() string {
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		return "/usr/bin/python3"
	}
	return "python3"
}

// requireH5py makes sure python3 can import h5py and numpy.
func requireH5py(t testing.TB) string {
	t.Helper()
	py := python()
	out, err := exec.Command(py, "-c", "import h5py, numpy").CombinedOutput()
	need(t, err == nil, fmt.Sprintf("`%s -c \"import h5py, numpy\"` failed (Debian packages python3-h5py, python3-numpy): %v %s", py, err, bytes.TrimSpace(out)))
	return py
}

// swiftCLI runs `swift -A … -U … -K … args…` in dir and returns its
// stdout, stderr and exit code.
func swiftCLI(t testing.TB, dir string, u user, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return swiftCLIAt(t, srv.BaseURL, dir, u, args...)
}

func swiftCLIAt(t testing.TB, base, dir string, u user, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	full := append([]string{"-A", base + "/auth/v1.0", "-U", u.name, "-K", u.key}, args...)
	cmd := exec.CommandContext(ctx, "swift", full...)
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code = 0
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else {
			t.Fatalf("running swift %s: %v", strings.Join(args, " "), err)
		}
	}
	return o.String(), e.String(), code
}

// swiftOK runs the swift CLI as test:tester and fails unless it exits 0.
func swiftOK(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, errOut, code := swiftCLI(t, dir, tester, args...)
	if code != 0 {
		t.Fatalf("swift %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// cleanEnv is the environment for child tools: no OpenStack credentials
// or proxies leaking in from the developer's shell.
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

// statFields parses `swift stat` output ("  Key: value" lines).
func statFields(out string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if ok {
			m[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return m
}

// writeFile writes data to dir/name, creating parent directories.
func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
