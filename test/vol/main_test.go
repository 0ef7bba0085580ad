// Package voltest runs unmodified HDF5 1.14 C programs (test/vol/c) with
// the sciswift VOL connector against a real `sciswift serve`, and natively
// against local files, and checks that h5dump and h5ls print the same for
// both; plus the failure cases (wrong key, server down mid-write, file
// deleted under an open file, two writers, no plugin).
//
// It needs HDF5 >= 1.14 (h5cc, h5dump, h5ls, h5delete) and, for everything
// through the connector, bin/plugins/libsciswift.so (make vol) and the
// `swift` CLI. See README.md for the variables; missing pieces skip the
// tests, or fail them when CI or SCISWIFT_BIN is set.
package voltest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/sciswift/sciswift/test/testserver"
)

// programs are the C sources under c/, each built with `h5cc -shlib`.
var programs = []string{"files_links", "datasets", "attrs_types", "failcase"}

// suite is what TestMain found and started; read-only once tests run.
type suite struct {
	strict  bool   // missing tools fail tests instead of skipping them
	workDir string // scratch: programs, server data and log, kept on failure
	repo    string // the module root

	hdf5       string            // HDF5 prefix ("" when missing)
	hdf5Err    error             // why HDF5 tests cannot run
	bins       map[string]string // program name → executable
	pluginDir  string            // holds libsciswift.so
	pluginErr  error             // why connector tests cannot run
	swiftErr   error             // why tests needing the swift CLI cannot run
	sciswift   string            // server binary
	srv        *testserver.Server
	serverErr  error
	authURL    string // http://127.0.0.1:PORT/auth/v1.0 of srv
	emptyPlugs string // an empty plugin directory
}

var env suite

const (
	user = "test:tester"
	key  = "testing"
	// stopTimeout is how long a server may take to exit after SIGTERM.
	stopTimeout = 10 * time.Second
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runMain(m))
}

func runMain(m *testing.M) (code int) {
	env.strict = os.Getenv("CI") != "" || os.Getenv("SCISWIFT_BIN") != ""
	var err error
	if env.workDir, err = os.MkdirTemp("", "sciswift-voltest-"); err != nil {
		fmt.Fprintln(os.Stderr, "voltest:", err)
		return 1
	}
	keep := os.Getenv("SCISWIFT_E2E_KEEP") != ""
	defer func() {
		if keep || code != 0 {
			fmt.Fprintf(os.Stderr, "voltest: scratch directory (programs, outputs, server log) kept at %s\n", env.workDir)
			return
		}
		os.RemoveAll(env.workDir)
	}()
	if env.repo, err = filepath.Abs(filepath.Join("..", "..")); err != nil {
		fmt.Fprintln(os.Stderr, "voltest:", err)
		return 1
	}
	if _, err := os.Stat(filepath.Join(env.repo, "go.mod")); err != nil {
		fmt.Fprintf(os.Stderr, "voltest: %s is not the module root: %v\n", env.repo, err)
		return 1
	}
	env.emptyPlugs = filepath.Join(env.workDir, "empty-plugins")
	if err := os.MkdirAll(env.emptyPlugs, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "voltest:", err)
		return 1
	}

	env.hdf5, env.hdf5Err = testserver.FindHDF5(env.repo, "h5cc", "h5dump", "h5ls", "h5delete")
	if env.hdf5Err == nil {
		if env.bins, err = buildPrograms(env.hdf5, filepath.Join(env.repo, "test", "vol", "c"), filepath.Join(env.workDir, "bin")); err != nil {
			// A program that does not compile is a bug, not a missing tool.
			fmt.Fprintln(os.Stderr, "voltest: FAIL:", err)
			return 1
		}
	}
	env.pluginDir, env.pluginErr = testserver.FindPlugin(env.repo)
	if _, err := exec.LookPath("swift"); err != nil {
		env.swiftErr = fmt.Errorf("the swift CLI (python3-swiftclient) is not installed: %w", err)
	}

	// The shared server: only when the connector can be used at all.
	if env.hdf5Err == nil && env.pluginErr == nil {
		env.sciswift, env.serverErr = testserver.Binary(env.workDir)
		if env.serverErr == nil {
			env.srv, env.serverErr = startServer("shared")
		}
		if env.serverErr != nil {
			fmt.Fprintln(os.Stderr, "voltest: FAIL:", env.serverErr)
			return 1
		}
		env.authURL = env.srv.BaseURL + "/auth/v1.0"
		fmt.Fprintf(os.Stderr, "voltest: HDF5 %s, plugin %s, server %s (log %s)\n", env.hdf5, env.pluginDir, env.srv.BaseURL, env.srv.LogPath)
	} else {
		fmt.Fprintf(os.Stderr, "voltest: no connector runs: hdf5: %v; plugin: %v\n", env.hdf5Err, env.pluginErr)
	}

	code = m.Run()

	if env.srv != nil {
		if _, err := env.srv.Stop(stopTimeout); err != nil {
			fmt.Fprintln(os.Stderr, "voltest: FAIL: stopping the server:", err)
			code = 1
		}
	}
	return code
}

// buildPrograms compiles every program with the prefix's `h5cc -shlib`
// (a program that loads a VOL plugin must link libhdf5 dynamically).
func buildPrograms(prefix, srcDir, outDir string) (map[string]string, error) {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, err
	}
	bins := map[string]string{}
	for _, p := range programs {
		out := filepath.Join(outDir, p)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, filepath.Join(prefix, "bin", "h5cc"), "-shlib", "-Wall", "-O1", "-o", out, filepath.Join(srcDir, p+".c"))
		cmd.Dir = outDir // h5cc leaves .o files in the working directory
		msg, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			return nil, fmt.Errorf("h5cc -shlib %s.c: %v\n%s", p, err, msg)
		}
		bins[p] = out
	}
	return bins, nil
}

// startServer starts a server with a data directory and log of its own
// under the scratch directory, named by name.
func startServer(name string) (*testserver.Server, error) {
	dir, err := os.MkdirTemp(env.workDir, "server-"+name+"-")
	if err != nil {
		return nil, err
	}
	return testserver.Start(env.sciswift, "", filepath.Join(dir, "data"), "", filepath.Join(dir, "server.log"))
}

// needHDF5 skips (or, when strict, fails) a test that needs HDF5 and the
// compiled programs.
func needHDF5(t *testing.T) {
	t.Helper()
	if env.hdf5Err != nil {
		missing(t, env.hdf5Err)
	}
}

// needVOL is needHDF5 plus the connector plugin, the server and the swift
// CLI.
func needVOL(t *testing.T) {
	t.Helper()
	needHDF5(t)
	if env.pluginErr != nil {
		missing(t, env.pluginErr)
	}
	if env.swiftErr != nil {
		missing(t, env.swiftErr)
	}
	if env.srv == nil {
		missing(t, errors.New("no server"))
	}
}

func missing(t *testing.T, err error) {
	t.Helper()
	if env.strict {
		t.Fatalf("%v (CI or SCISWIFT_BIN is set: the setup must provide it)", err)
	}
	t.Skip(err)
}
