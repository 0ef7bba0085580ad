package vol

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sciswift/sciswift/server/client"
)

// The tests run against the real store: TestMain builds cmd/sciswift (or
// takes $SCISWIFT_BIN) and serves it on a free loopback port with a
// temporary data directory; tests that stop or break a server start their
// own.
var (
	binPath string
	workDir string
	srv     *testServer
)

// testServer is one `sciswift serve` process.
type testServer struct {
	addr   string
	data   string
	cmd    *exec.Cmd
	exited chan struct{}
}

func (s *testServer) authURL() string { return "http://" + s.addr + "/auth/v1.0" }

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	var err error
	if workDir, err = os.MkdirTemp("", "sciswift-vol-"); err != nil {
		fmt.Fprintln(os.Stderr, "vol tests:", err)
		return 1
	}
	defer os.RemoveAll(workDir)
	if binPath = os.Getenv("SCISWIFT_BIN"); binPath == "" {
		binPath = filepath.Join(workDir, "sciswift")
		build := exec.Command("go", "build", "-o", binPath, "./cmd/sciswift")
		build.Dir = ".."
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "vol tests: building the server: %v\n%s", err, out)
			return 1
		}
	} else if binPath, err = filepath.Abs(binPath); err != nil {
		fmt.Fprintln(os.Stderr, "vol tests:", err)
		return 1
	}
	if srv, err = startServer(filepath.Join(workDir, "main")); err != nil {
		fmt.Fprintln(os.Stderr, "vol tests:", err)
		return 1
	}
	code := m.Run()
	if err := srv.stop(); err != nil {
		fmt.Fprintln(os.Stderr, "vol tests: stopping the server:", err)
		code = 1
	}
	return code
}

// startServer runs a server with its data (and log) under dir.
func startServer(dir string) (*testServer, error) {
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	var last error
	for attempt := 0; attempt < 3; attempt++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		addr := ln.Addr().String()
		ln.Close()
		s, err := startServerAt(dir, data, addr)
		if err == nil {
			return s, nil
		}
		last = err
	}
	return nil, last
}

func startServerAt(dir, data, addr string) (*testServer, error) {
	logf, err := os.OpenFile(filepath.Join(dir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(binPath, "serve", "--addr", addr, "--data", data)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	s := &testServer{addr: addr, data: data, cmd: cmd, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(s.exited)
	}()
	hc := &http.Client{Timeout: 2 * time.Second}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		select {
		case <-s.exited:
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			return nil, fmt.Errorf("server exited before becoming healthy:\n%s", tail(string(log), 2000))
		default:
		}
		resp, err := hc.Get("http://" + addr + "/healthcheck")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s, nil
			}
		}
	}
	_ = s.stop()
	return nil, errors.New("server not healthy after 30s")
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// stop ends the server by its PID: SIGTERM, then SIGKILL after 10 s.
func (s *testServer) stop() error {
	select {
	case <-s.exited:
		return nil
	default:
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-s.exited:
		return nil
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return errors.New("server ignored SIGTERM for 10s; killed")
	}
}

// ownServer starts a server for one test and stops it at its end.
func ownServer(t testing.TB) *testServer {
	t.Helper()
	s, err := startServer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Error(err)
		}
	})
	return s
}

var containerSeq atomic.Int64

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// testSettings are credentials for s with a container of the test's own.
func testSettings(t testing.TB, s *testServer) Settings {
	name := unsafeChars.ReplaceAllString(t.Name(), "-")
	if len(name) > 100 {
		name = name[:100]
	}
	return Settings{AuthURL: s.authURL(), User: "test:tester", Key: "testing",
		Container: fmt.Sprintf("%s-%d", strings.ToLower(name), containerSeq.Add(1))}.withDefaults()
}

// newTestConnector is a connector closed at the end of the test.
func newTestConnector(t testing.TB) *Connector {
	c := NewConnector()
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// rawClient is a plain Swift client on s, to look at what the connector
// stored (and to break it).
func rawClient(t testing.TB, s *testServer) *client.Client {
	t.Helper()
	c := &client.Client{}
	if err := c.Auth(context.Background(), s.authURL(), "test:tester", "testing"); err != nil {
		t.Fatal(err)
	}
	return c
}

// names lists a container's objects under prefix.
func names(t testing.TB, c *client.Client, container, prefix string) []string {
	t.Helper()
	recs, _, err := c.ListObjects(context.Background(), container, client.ListOptions{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Name
	}
	return out
}

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// span is the run of n elements from off.
func span(off, n uint64) []Run { return []Run{{Offset: off, Count: n}} }
