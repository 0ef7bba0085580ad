package e2e

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sciswift/sciswift/test/testserver"
)

// The shared server every parallel test talks to.
var (
	srv *serverProc
	// binPath is the sciswift binary under test.
	binPath string
	// strict is true when missing tools must fail tests (CI, make test).
	strict bool
	// sandbox holds the shared server's data directory several levels
	// down, so path-traversal tests can check nothing lands beside it.
	sandbox string
	// expirerConfigured is true when the shared server took our config
	// file (expirer_interval: 1s).
	expirerConfigured bool
	// workDir is the suite's scratch directory.
	workDir string
	// external is set when SCISWIFT_E2E_URL points the suite at a server
	// it did not start (e.g. a reference OpenStack Swift, to check the
	// suite itself); tests that need the process or its files skip.
	external bool
)

// sandboxLevels are the directories between the sandbox and the data dir.
var sandboxLevels = []string{"l1", "l2", "l3"}

const (
	// mainConfig shortens the expirer interval so expiry is observable
	// within a test; everything else stays on the embedded defaults.
	mainConfig = `{"expirer_interval": "1s"}`
	// stopTimeout is how long a server may take to exit after SIGTERM.
	stopTimeout = 10 * time.Second
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runMain(m))
}

func runMain(m *testing.M) (code int) {
	strict = os.Getenv("CI") != "" || os.Getenv("SCISWIFT_BIN") != ""
	var err error
	workDir, err = os.MkdirTemp("", "sciswift-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	keep := os.Getenv("SCISWIFT_E2E_KEEP") != ""
	defer func() {
		if keep || code != 0 {
			fmt.Fprintf(os.Stderr, "e2e: scratch directory (server log, data) kept at %s\n", workDir)
			return
		}
		os.RemoveAll(workDir)
	}()

	if u := os.Getenv("SCISWIFT_E2E_URL"); u != "" {
		external, expirerConfigured = true, true
		srv = testserver.External(u)
		fmt.Fprintf(os.Stderr, "e2e: testing the external server at %s (SCISWIFT_E2E_URL); process tests skip\n", srv.BaseURL)
		if err := srv.WaitHealthy(10 * time.Second); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: FAIL:", err)
			return 1
		}
		code = m.Run()
		if missing := transIDViolations(); len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "e2e: FAIL: %d response(s) had no X-Trans-Id:\n  %s\n", len(missing), strings.Join(firstN(missing, 15), "\n  "))
			code = 1
		}
		return code
	}

	if binPath, err = testserver.Binary(workDir); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: FAIL:", err)
		return 1
	}

	sandbox = filepath.Join(workDir, "sandbox")
	data := filepath.Join(append([]string{sandbox}, append(sandboxLevels, "data")...)...)
	if err := os.MkdirAll(filepath.Dir(data), 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	configPath := filepath.Join(workDir, "sciswift.json")
	if err := os.WriteFile(configPath, []byte(mainConfig), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	logPath := filepath.Join(workDir, "server.log")
	srv, err = testserver.Start(binPath, "", data, configPath, logPath)
	if err == nil {
		expirerConfigured = true
	} else {
		// Fall back to the embedded defaults so the rest of the suite
		// still runs; the expiry test then waits for the default interval.
		fmt.Fprintf(os.Stderr, "e2e: WARNING: the server did not start with --config %s (%s): %v\ne2e: retrying without --config\n", configPath, mainConfig, err)
		if srv, err = testserver.Start(binPath, "", data, "", logPath); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: FAIL:", err)
			return 1
		}
	}
	fmt.Fprintf(os.Stderr, "e2e: %s serving at %s (data %s, log %s)\n", binPath, srv.BaseURL, data, logPath)

	code = m.Run()

	took, err := srv.Stop(stopTimeout)
	switch {
	case err != nil:
		fmt.Fprintf(os.Stderr, "e2e: FAIL: stopping the server with SIGTERM: %v\n", err)
		code = 1
	case took > 5*time.Second:
		fmt.Fprintf(os.Stderr, "e2e: FAIL: the idle server took %s to exit after SIGTERM (want a few seconds at most)\n", took)
		code = 1
	}
	if missing := transIDViolations(); len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "e2e: FAIL: %d response(s) had no X-Trans-Id header (Swift sends one on every response), e.g.:\n  %s\n",
			len(missing), strings.Join(firstN(missing, 15), "\n  "))
		code = 1
	}
	return code
}

// ownServer skips tests that need to start, stop or inspect the server
// process when the suite runs against an external server.
func ownServer(t testing.TB) {
	t.Helper()
	if external {
		t.Skip("needs a sciswift process of its own; SCISWIFT_E2E_URL points at an external server")
	}
}

// Every raw HTTP response the suite sees is checked for X-Trans-Id; the
// violations are reported once, at the end, instead of failing every test.
var (
	transIDMu      sync.Mutex
	transIDMissing = map[string]bool{}
)

func noteMissingTransID(what string) {
	transIDMu.Lock()
	transIDMissing[what] = true
	transIDMu.Unlock()
}

func transIDViolations() []string {
	transIDMu.Lock()
	defer transIDMu.Unlock()
	var out []string
	for k := range transIDMissing {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("… and %d more", len(s)-n))
	}
	return s
}
