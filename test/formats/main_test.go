// Package formats_test is the end-to-end suite of the dataset API (issue 4):
// a real `sciswift serve`, files written by h5py, astropy and arrow-go,
// uploaded with the `swift` CLI, described and sliced over HTTP in every
// output format, and every value compared with what the writing library
// reads back (testdata/check.py for h5py/astropy/numpy, arrow-go in Go).
//
// Nothing skips: a missing tool or a missing server part is a failure.
package formats_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sciswift/sciswift/test/testserver"
)

// suite is what every test shares: the server and the scratch directory.
type suite struct {
	srv     *testserver.Server
	bin     string
	workDir string
}

// shared is set once by TestMain before any test runs and never changed.
var shared suite

const stopTimeout = 10 * time.Second

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runMain(m))
}

func runMain(m *testing.M) (code int) {
	workDir, err := os.MkdirTemp("", "sciswift-formats-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "formats e2e:", err)
		return 1
	}
	defer func() {
		if code != 0 || os.Getenv("SCISWIFT_E2E_KEEP") != "" {
			fmt.Fprintf(os.Stderr, "formats e2e: scratch directory (server logs, files, responses) kept at %s\n", workDir)
			return
		}
		os.RemoveAll(workDir)
	}()
	bin, err := serverBinary(workDir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "formats e2e: FAIL:", err)
		return 1
	}
	srv, err := startServer(bin, workDir, "main", "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "formats e2e: FAIL:", err)
		return 1
	}
	shared = suite{srv: srv, bin: bin, workDir: workDir}
	fmt.Fprintf(os.Stderr, "formats e2e: %s serving at %s (log %s)\n", bin, srv.BaseURL, srv.LogPath)

	code = m.Run()

	if _, err := srv.Stop(stopTimeout); err != nil {
		fmt.Fprintln(os.Stderr, "formats e2e: FAIL: stopping the server:", err)
		code = 1
	}
	return code
}

// serverBinary is SCISWIFT_BIN, or ./cmd/sciswift built into dir. The HDF5 index
// worker is found by the server itself (beside its binary, or on PATH).
func serverBinary(dir string) (string, error) {
	if bin := os.Getenv("SCISWIFT_BIN"); bin != "" {
		abs, err := filepath.Abs(bin)
		if err != nil {
			return "", err
		}
		if _, err := os.Stat(abs); err != nil {
			return "", fmt.Errorf("SCISWIFT_BIN=%s: %w (run make build h5worker)", bin, err)
		}
		return abs, nil
	}
	fmt.Fprintln(os.Stderr, "formats e2e: SCISWIFT_BIN not set; building ./cmd/sciswift and ./cmd/sciswift-h5worker")
	bin, err := testserver.BuildBinary(dir)
	if err != nil {
		return "", err
	}
	// The server looks for its HDF5 worker next to its own binary.
	hdf5 := ""
	if os.Getenv("CGO_CFLAGS") == "" {
		// What the Makefile exports: gonum's cgo finds HDF5 1.14 only
		// through these.
		hdf5, _ = testserver.FindHDF5(filepath.Join("..", ".."))
	}
	if _, err := testserver.BuildH5Worker(dir, hdf5); err != nil {
		return "", fmt.Errorf("building the HDF5 worker (make h5worker; needs HDF5 1.14 through CGO_CFLAGS/CGO_LDFLAGS, as the Makefile sets them): %w", err)
	}
	return bin, nil
}

// startServer starts a server with its own data directory under the
// scratch directory and, when config is not "", that JSON config.
func startServer(bin, workDir, name, config string) (*testserver.Server, error) {
	dir := filepath.Join(workDir, "server-"+name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	configPath := ""
	if config != "" {
		configPath = filepath.Join(dir, "sciswift.json")
		if err := os.WriteFile(configPath, []byte(config), 0o644); err != nil {
			return nil, err
		}
	}
	return testserver.Start(bin, "", filepath.Join(dir, "data"), configPath, filepath.Join(dir, "server.log"))
}
