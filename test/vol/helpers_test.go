package voltest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// runTimeout bounds one program or tool run: generous (CI has two cores),
// and only there so a hang ends as a failure instead of a stuck suite.
const runTimeout = 5 * time.Minute

// ---------------------------------------------------------------- environments

// cleanEnv is the inherited environment minus everything that could steer
// HDF5 or the connector (or a proxy) from the developer's shell.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		upper := strings.ToUpper(name)
		switch {
		case strings.HasPrefix(upper, "OS_"), strings.HasPrefix(upper, "ST_"), strings.HasSuffix(upper, "_PROXY"),
			strings.HasPrefix(upper, "HDF5_"), upper == "SCISWIFT_CONTAINER", upper == "SCISWIFT_EXPECT_VOL",
			upper == "SCISWIFT_KEEP_GOING":
			continue
		}
		out = append(out, kv)
	}
	return out
}

// nativeEnv runs a program natively; the programs check they really are on
// the native connector.
func nativeEnv() []string {
	return append(cleanEnv(), "SCISWIFT_EXPECT_VOL=0")
}

// volEnv runs a program through the connector as test:tester on the shared
// server; extra entries (NAME=VALUE) are added or override.
func volEnv(extra ...string) []string {
	return withEnv(append(cleanEnv(),
		"HDF5_PLUGIN_PATH="+env.pluginDir,
		"HDF5_VOL_CONNECTOR=sciswift",
		"SCISWIFT_EXPECT_VOL=1",
		"ST_AUTH="+env.authURL,
		"ST_USER="+user,
		"ST_KEY="+key,
	), extra...)
}

// withEnv sets NAME=VALUE entries in base, replacing earlier values of
// NAME; an entry "NAME=" (nothing after '=') removes NAME.
func withEnv(base []string, extra ...string) []string {
	drop := map[string]bool{}
	for _, kv := range extra {
		name, _, _ := strings.Cut(kv, "=")
		drop[name] = true
	}
	var out []string
	for _, kv := range base {
		if name, _, _ := strings.Cut(kv, "="); !drop[name] {
			out = append(out, kv)
		}
	}
	for _, kv := range extra {
		if !strings.HasSuffix(kv, "=") {
			out = append(out, kv)
		}
	}
	return out
}

// ---------------------------------------------------------------- running programs

// result is one finished run.
type result struct {
	cmdline        string
	stdout, stderr string
	code           int // exit status; -1 when killed (timeout)
}

func (r result) String() string {
	return fmt.Sprintf("%s: exit %d\n--- stdout:\n%s--- stderr:\n%s", r.cmdline, r.code, r.stdout, r.stderr)
}

// run runs prog with args in dir (a fresh scratch directory when "") and
// environment envv, and waits for it (at most runTimeout).
func run(t *testing.T, envv []string, dir, prog string, args ...string) result {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Dir = dir
	cmd.Env = envv
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	r := result{cmdline: filepath.Base(prog) + " " + strings.Join(args, " "), stdout: o.String(), stderr: e.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case ctx.Err() != nil:
		r.code = -1
		r.stderr += fmt.Sprintf("\n(killed after %s: hung)", runTimeout)
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("running %s: %v", r.cmdline, err)
	}
	return r
}

// runOK is run, failing the test unless the program exits 0.
func runOK(t *testing.T, envv []string, dir, prog string, args ...string) result {
	t.Helper()
	r := run(t, envv, dir, prog, args...)
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	return r
}

// tool is the path of an HDF5 command-line tool.
func tool(name string) string { return filepath.Join(env.hdf5, "bin", name) }

// checkNoLocalFiles fails when a run through the connector left anything
// in its working directory: HDF5 falling back to the native connector
// would have created the file there.
func checkNoLocalFiles(t *testing.T, dir string) {
	t.Helper()
	var found []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && p != dir {
			found = append(found, strings.TrimPrefix(p, dir+"/"))
		}
		return nil
	})
	if len(found) > 0 {
		t.Errorf("local files appeared in the working directory %s of a connector run: %v (HDF5 wrote natively?)", dir, found)
	}
}

// proc is a program the test talks to: it prints READY and waits for a
// line on stdin (see c/failcase.c).
type proc struct {
	r      result
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	mu     sync.Mutex
	out    bytes.Buffer // everything read from stdout
	errb   bytes.Buffer
	exited chan struct{}
	err    error
}

func startProc(t *testing.T, envv []string, dir, prog string, args ...string) *proc {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	p := &proc{cmd: exec.Command(prog, args...), lines: make(chan string, 64), exited: make(chan struct{})}
	p.r.cmdline = filepath.Base(prog) + " " + strings.Join(args, " ")
	p.cmd.Dir, p.cmd.Env, p.cmd.Stderr = dir, envv, &lockedWriter{mu: &p.mu, w: &p.errb}
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", p.r.cmdline, err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.mu.Lock()
			p.out.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			select {
			case p.lines <- sc.Text():
			default: // nobody waits for lines any more
			}
		}
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill() // its PID only
			<-p.exited
		}
	})
	return p
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// waitReady waits until the program prints READY; it fails the test when
// the program exits or stays silent for runTimeout.
func (p *proc) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.After(runTimeout)
	for {
		select {
		case line := <-p.lines:
			if line == "READY" {
				return
			}
		case <-p.exited:
			t.Fatalf("%s exited before printing READY:\n%s", p.r.cmdline, p.result())
		case <-deadline:
			t.Fatalf("%s did not print READY within %s:\n%s", p.r.cmdline, runTimeout, p.result())
		}
	}
}

// goOn sends the line the program waits for.
func (p *proc) goOn(t *testing.T) {
	t.Helper()
	if _, err := io.WriteString(p.stdin, "go\n"); err != nil {
		t.Fatalf("writing to %s: %v\n%s", p.r.cmdline, err, p.result())
	}
}

// wait waits for the program to exit (killing it after runTimeout: a hang
// is a failure, reported as exit -1).
func (p *proc) wait() result {
	select {
	case <-p.exited:
	case <-time.After(runTimeout):
		_ = p.cmd.Process.Kill()
		<-p.exited
		p.mu.Lock()
		p.errb.WriteString(fmt.Sprintf("\n(killed after %s: hung)", runTimeout))
		p.mu.Unlock()
		r := p.result()
		r.code = -1
		return r
	}
	return p.result()
}

func (p *proc) result() result {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := p.r
	r.stdout, r.stderr = p.out.String(), p.errb.String()
	select {
	case <-p.exited:
		r.code = 0
		var ee *exec.ExitError
		if errors.As(p.err, &ee) {
			r.code = ee.ExitCode()
		} else if p.err != nil {
			r.code = -1
		}
	default:
		r.code = -2 // still running
	}
	return r
}

// ---------------------------------------------------------------- the store

// swiftCLI runs the swift CLI as test:tester against the shared server
// (or authURL when given) and returns stdout, stderr and the exit status.
func swiftCLI(t *testing.T, authURL string, args ...string) (string, string, int) {
	t.Helper()
	if authURL == "" {
		authURL = env.authURL
	}
	r := run(t, cleanEnv(), "", "swift", append([]string{"-A", authURL, "-U", user, "-K", key}, args...)...)
	return r.stdout, r.stderr, r.code
}

// listObjects is `swift list CONTAINER`, sorted; a missing container is an
// empty list.
func listObjects(t *testing.T, container string) []string {
	t.Helper()
	out, errOut, code := swiftCLI(t, "", "list", container)
	if code != 0 {
		if strings.Contains(errOut, "not found") {
			return nil
		}
		t.Fatalf("swift list %s: exit %d: %s", container, code, errOut)
	}
	var names []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l != "" {
			names = append(names, l)
		}
	}
	sort.Strings(names)
	return names
}

// checkStoredFile checks that container holds the closed file name as
// HSDS-style objects: the manifest under name itself and at least one part
// under "name/", no write lock (name/.lock) left behind, and nothing else.
func checkStoredFile(t *testing.T, container, name string) {
	t.Helper()
	objs := listObjects(t, container)
	manifest, parts := false, 0
	var stray []string
	for _, o := range objs {
		switch {
		case o == name:
			manifest = true
		case o == name+"/.lock":
			t.Errorf("%s/%s is still there after the file was closed: the write lock was not released", container, o)
		case strings.HasPrefix(o, name+"/"):
			parts++
		default:
			stray = append(stray, o)
		}
	}
	if !manifest || parts == 0 || len(stray) > 0 {
		t.Errorf("swift list %s: want %s and parts under %s/ only; got manifest=%v, %d parts, others %v\nlisting: %v",
			container, name, name, manifest, parts, stray, objs)
	}
}

// ---------------------------------------------------------------- comparing outputs

// compareOutputs fails with the first differing lines of want (native)
// and got (connector), after saving both under the scratch directory.
func compareOutputs(t *testing.T, what, want, got string) {
	t.Helper()
	if want == got {
		return
	}
	dir := filepath.Join(env.workDir, "outputs", strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()))
	_ = os.MkdirAll(dir, 0o755)
	base := strings.NewReplacer(" ", "_", "/", "_").Replace(what)
	_ = os.WriteFile(filepath.Join(dir, base+".native"), []byte(want), 0o644)
	_ = os.WriteFile(filepath.Join(dir, base+".sciswift"), []byte(got), 0o644)
	t.Errorf("%s through the connector differs from native (both saved in %s):\n%s", what, dir, firstDifference(want, got, 4))
}

// firstDifference shows the first differing line of a and b with context.
func firstDifference(a, b string, context int) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	i := 0
	for i < len(al) && i < len(bl) && al[i] == bl[i] {
		i++
	}
	from := max(0, i-context)
	var sb strings.Builder
	fmt.Fprintf(&sb, "first difference at line %d (native %d lines, connector %d lines)\n", i+1, len(al), len(bl))
	for _, side := range []struct {
		name  string
		lines []string
	}{{"native", al}, {"sciswift", bl}} {
		fmt.Fprintf(&sb, "--- %s:\n", side.name)
		for j := from; j < min(len(side.lines), i+context+1); j++ {
			mark := "  "
			if j == i {
				mark = "> "
			}
			fmt.Fprintf(&sb, "%s%s\n", mark, side.lines[j])
		}
	}
	return sb.String()
}
