// Package examplestest runs every program under examples/ on this host,
// against a real `sciswift serve`, so that none of them rots: the Python
// ones with Debian's h5py and swiftclient (/usr/bin/python3), the Go one
// with go build, the C one with HDF5 1.14's h5cc through the connector.
// What needs HDF5 1.14 in h5py (vol_write.py, vol_read.py) runs in the
// image instead: make docker-test.
//
// A missing tool skips the tests that need it, or fails them when CI or
// SCISWIFT_BIN is set (as under make test).
package examplestest

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sciswift/sciswift/server/client"
	"github.com/sciswift/sciswift/test/testserver"
)

const (
	user        = "test:tester"
	key         = "testing"
	stopTimeout = 10 * time.Second
	// python is Debian's interpreter, the one that sees python3-h5py and
	// python3-swiftclient (the python3 on PATH may be another).
	python = "/usr/bin/python3"
)

// suite is what TestMain found and started; read-only once tests run.
type suite struct {
	strict    bool
	repo      string
	workDir   string
	srv       *testserver.Server
	authURL   string
	hdf5      string // HDF5 >= 1.14 prefix, "" when missing
	hdf5Err   error
	plugin    string // directory holding libsciswift.so
	pluginErr error
	pythonErr error
}

var env suite

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runMain(m))
}

func runMain(m *testing.M) (code int) {
	env.strict = os.Getenv("CI") != "" || os.Getenv("SCISWIFT_BIN") != ""
	var err error
	if env.workDir, err = os.MkdirTemp("", "sciswift-examples-"); err != nil {
		fmt.Fprintln(os.Stderr, "examplestest:", err)
		return 1
	}
	defer func() {
		if code != 0 {
			fmt.Fprintf(os.Stderr, "examplestest: scratch directory (server log, outputs) kept at %s\n", env.workDir)
			return
		}
		os.RemoveAll(env.workDir)
	}()
	if env.repo, err = filepath.Abs(filepath.Join("..", "..")); err != nil {
		fmt.Fprintln(os.Stderr, "examplestest:", err)
		return 1
	}
	env.hdf5, env.hdf5Err = testserver.FindHDF5(env.repo, "h5cc", "h5dump")
	env.plugin, env.pluginErr = testserver.FindPlugin(env.repo)
	env.pythonErr = exec.Command(python, "-c", "import h5py, numpy, swiftclient").Run()
	if env.pythonErr != nil {
		env.pythonErr = fmt.Errorf("%s cannot import h5py, numpy and swiftclient (make deps): %w", python, env.pythonErr)
	}

	if env.srv, err = startServer(); err != nil {
		fmt.Fprintln(os.Stderr, "examplestest: FAIL:", err)
		return 1
	}
	env.authURL = env.srv.BaseURL + "/auth/v1.0"
	code = m.Run()
	if _, err := env.srv.Stop(stopTimeout); err != nil {
		fmt.Fprintln(os.Stderr, "examplestest: FAIL: stopping the server:", err)
		code = 1
	}
	return code
}

func startServer() (*testserver.Server, error) {
	bin, err := testserver.Binary(env.workDir)
	if err != nil {
		return nil, err
	}
	return testserver.Start(bin, "", filepath.Join(env.workDir, "data"), "", filepath.Join(env.workDir, "server.log"))
}

// need skips (or, when strict, fails) a test whose tool is missing.
func need(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if env.strict {
		t.Fatal(err)
	}
	t.Skip(err)
}

type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// run runs a program with extra environment on top of a clean one, in dir.
func run(t *testing.T, dir string, extraEnv []string, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(baseEnv(), extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", name, err)
	}
	return r
}

// baseEnv is the caller's environment without anything that would point a
// program at another store or another HDF5 connector.
func baseEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "ST_") || strings.HasPrefix(name, "OS_") || strings.HasPrefix(name, "HDF5_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// storeEnv is what a user exports to reach the test server.
func storeEnv() []string {
	return []string{"ST_AUTH=" + env.authURL, "ST_USER=" + user, "ST_KEY=" + key}
}

// connectorEnv is storeEnv plus the connector.
func connectorEnv() []string {
	return append(storeEnv(), "HDF5_PLUGIN_PATH="+env.plugin, "HDF5_VOL_CONNECTOR=sciswift")
}

func login(t *testing.T) *client.Client {
	t.Helper()
	c := &client.Client{}
	if err := c.Auth(context.Background(), env.authURL, user, key); err != nil {
		t.Fatal(err)
	}
	return c
}

func example(parts ...string) string {
	return filepath.Join(append([]string{env.repo, "examples"}, parts...)...)
}

// h5cc compiles one C example with the 1.14 prefix's `h5cc -shlib` (a
// program that loads a VOL plugin must link libhdf5 dynamically).
func h5cc(t *testing.T, src string, libs ...string) string {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(dir, strings.TrimSuffix(filepath.Base(src), ".c"))
	args := append([]string{"-shlib", "-Wall", "-O1", "-o", out, src}, libs...)
	if r := run(t, dir, nil, filepath.Join(env.hdf5, "bin", "h5cc"), args...); r.code != 0 {
		t.Fatalf("h5cc %s:\n%s", src, r)
	}
	return out
}
