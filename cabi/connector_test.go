package main

// End-to-end checks of the connector's glue: the plugin built as HDF5 loads
// it, the C programs in testdata run natively on a local file and through
// the connector against a real `sciswift serve`, and must observe the same.
// (test/vol holds the full suite; these pin the callback plumbing.)
//
// Needs HDF5 >= 1.14 (SCISWIFT_HDF5_PREFIX, else scripts/install-hdf5.sh
// --print-prefix); skipped without it unless CI or SCISWIFT_BIN is set.

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// connectorEnv is what the tests share: compiled programs, the plugin and
// a running server.
type connectorEnv struct {
	dir      string // scratch
	plugins  string // holds libsciswift.so alone
	progs    map[string]string
	authURL  string
	h5dump   string
	baseEnv  []string // the test's environment without HDF5/Swift settings
	localDir string   // working directory of native runs
}

func TestConnector(t *testing.T) {
	env := setupConnector(t)

	t.Run("transcript matches native", func(t *testing.T) {
		native := env.run(t, false, "transcript", "native.h5")
		viaVOL := env.run(t, true, "transcript", "cabi/transcript.h5")
		// The file name is the one thing allowed to differ.
		drop := func(s string) string {
			var keep []string
			for _, l := range strings.Split(s, "\n") {
				if !strings.HasPrefix(l, "file name len=") {
					keep = append(keep, l)
				}
			}
			return strings.Join(keep, "\n")
		}
		if drop(native) != drop(viaVOL) {
			t.Errorf("transcripts differ:\n%s", lineDiff(drop(native), drop(viaVOL)))
		}
		dumpNative := env.tool(t, false, env.h5dump, filepath.Join(env.localDir, "native.h5"))
		dumpVOL := env.tool(t, true, env.h5dump, "cabi/transcript.h5")
		firstLineless := func(s string) string { _, rest, _ := strings.Cut(s, "\n"); return rest }
		if firstLineless(dumpNative) != firstLineless(dumpVOL) {
			t.Errorf("h5dump differs:\n%s", lineDiff(dumpNative, dumpVOL))
		}
	})

	tests := []struct {
		name   string
		prog   string
		args   []string
		noAuth bool
		fails  bool
		want   []string // substrings of the combined output
	}{
		{name: "create write read", prog: "smoke_create", args: []string{"cabi/smoke.h5"}, want: []string{"ok"}},
		{name: "multi-dataset, vlen, visits", prog: "smoke_more", args: []string{"write", "cabi/more.h5"},
			want: []string{"multi: 1 2 3 / 4 5 6", "vlen attr: [alpha] [] [a longer string]",
				"failing iterate returns -1", "visit . type=1 id_type=5", "open objects=3", "ok"}},
		{name: "exit without closing flushes", prog: "smoke_more", args: []string{"leak", "cabi/leak.h5"},
			want: []string{"exiting with everything open"}},
		{name: "leaked file was written", prog: "smoke_more", args: []string{"check", "cabi/leak.h5"},
			want: []string{"x = 1 2 3"}},
		{name: "delete", prog: "smoke_more", args: []string{"delete", "cabi/leak.h5"},
			want: []string{"accessible after delete=0"}},
		{name: "no credentials", prog: "smoke_create", args: []string{"cabi/noauth.h5"}, noAuth: true, fails: true,
			want: []string{"sciswift: no credentials", "H5Fcreate"}},
		{name: "missing file", prog: "smoke_more", args: []string{"check", "cabi/missing.h5"}, fails: true,
			want: []string{"sciswift: opening cabi/missing.h5", "404"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(env.progs[tc.prog], tc.args...)
			cmd.Dir = env.dir
			cmd.Env = env.volEnv(!tc.noAuth)
			out, err := runTimeout(cmd)
			if failed := err != nil; failed != tc.fails {
				t.Fatalf("%s %v: error %v, want failure %v; output:\n%s", tc.prog, tc.args, err, tc.fails, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// run runs a testdata program natively (in localDir) or through the
// connector and returns its output; it must succeed.
func (e *connectorEnv) run(t *testing.T, vol bool, prog string, args ...string) string {
	t.Helper()
	return e.tool(t, vol, e.progs[prog], args...)
}

func (e *connectorEnv) tool(t *testing.T, vol bool, path string, args ...string) string {
	t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Dir, cmd.Env = e.localDir, e.baseEnv
	if vol {
		cmd.Dir, cmd.Env = e.dir, e.volEnv(true)
	}
	out, err := runTimeout(cmd)
	if err != nil {
		t.Fatalf("%s %v (through the connector: %v): %v\n%s", filepath.Base(path), args, vol, err, out)
	}
	return out
}

// volEnv is the environment of a run through the connector.
func (e *connectorEnv) volEnv(auth bool) []string {
	env := append(append([]string(nil), e.baseEnv...), "HDF5_PLUGIN_PATH="+e.plugins, "HDF5_VOL_CONNECTOR=sciswift")
	if auth {
		env = append(env, "ST_AUTH="+e.authURL, "ST_USER=test:tester", "ST_KEY=testing")
	}
	return env
}

// runTimeout runs cmd, killing it (by PID) if it hangs: a terminate
// callback that never returns must fail the test, not stall it.
func runTimeout(cmd *exec.Cmd) (string, error) {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return "", err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return out.String(), err
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		<-done
		return out.String(), fmt.Errorf("%s did not exit within 2 minutes", cmd.Path)
	}
}

func setupConnector(t *testing.T) *connectorEnv {
	t.Helper()
	strict := os.Getenv("CI") != "" || os.Getenv("SCISWIFT_BIN") != ""
	skip := func(format string, args ...any) {
		t.Helper()
		if strict {
			t.Fatalf(format, args...)
		}
		t.Skipf(format, args...)
	}
	prefix := hdf5Prefix()
	h5cc := filepath.Join(prefix, "bin", "h5cc")
	if _, err := os.Stat(h5cc); prefix == "" || err != nil {
		skip("no HDF5 >= 1.14 with h5cc (set SCISWIFT_HDF5_PREFIX or run make hdf5)")
	}
	e := &connectorEnv{dir: t.TempDir(), progs: map[string]string{}, h5dump: filepath.Join(prefix, "bin", "h5dump")}
	e.plugins = filepath.Join(e.dir, "plugins")
	e.localDir = filepath.Join(e.dir, "local")
	for _, d := range []string{e.plugins, e.localDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "HDF5_") || strings.HasPrefix(k, "ST_") || strings.HasPrefix(k, "OS_") ||
			k == "SCISWIFT_CONTAINER" {
			continue
		}
		e.baseEnv = append(e.baseEnv, kv)
	}
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	build := exec.Command(goTool, "build", "-buildmode=c-shared", "-o", filepath.Join(e.plugins, "libsciswift.so"), ".")
	build.Env = append(os.Environ(), "PKG_CONFIG_PATH="+filepath.Join(prefix, "lib", "pkgconfig"))
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the plugin: %v\n%s", err, out)
	}
	// HDF5 dlopens every library in the plugin directory: only the .so.
	os.Remove(filepath.Join(e.plugins, "libsciswift.h"))
	for _, prog := range []string{"transcript", "smoke_create", "smoke_more"} {
		exe := filepath.Join(e.dir, prog)
		src, err := filepath.Abs(filepath.Join("testdata", prog+".c"))
		if err != nil {
			t.Fatal(err)
		}
		cc := exec.Command(h5cc, "-shlib", "-o", exe, src)
		cc.Dir = e.dir // h5cc leaves its object files in the working directory
		if out, err := cc.CombinedOutput(); err != nil {
			t.Fatalf("compiling %s: %v\n%s", prog, err, out)
		}
		e.progs[prog] = exe
	}
	e.authURL = startServer(t, e.dir)
	return e
}

// hdf5Prefix is where HDF5 >= 1.14 is installed, "" if unknown.
func hdf5Prefix() string {
	if p := os.Getenv("SCISWIFT_HDF5_PREFIX"); p != "" {
		return p
	}
	out, err := exec.Command("bash", "../scripts/install-hdf5.sh", "--print-prefix").Output()
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// startServer runs `sciswift serve` on a free loopback port until the test
// ends and returns its tempauth URL.
func startServer(t *testing.T, dir string) string {
	t.Helper()
	bin := os.Getenv("SCISWIFT_BIN")
	if bin == "" {
		bin = filepath.Join(dir, "sciswift")
		build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, "../cmd/sciswift")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("building sciswift: %v\n%s", err, out)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	logFile, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--addr", addr, "--data", filepath.Join(dir, "data"))
	cmd.Stdout, cmd.Stderr, cmd.Dir = logFile, logFile, dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); logFile.Close(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	client := &http.Client{Timeout: 2 * time.Second}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			t.Fatalf("sciswift serve exited early:\n%s", log)
		default:
		}
		if resp, err := client.Get("http://" + addr + "/healthcheck"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return "http://" + addr + "/auth/v1.0"
			}
		}
	}
	t.Fatalf("sciswift serve on %s not healthy", addr)
	return ""
}

// lineDiff lists the lines that differ, for a readable failure.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out strings.Builder
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			fmt.Fprintf(&out, "line %d:\n  native:    %s\n  connector: %s\n", i+1, x, y)
		}
	}
	return out.String()
}
