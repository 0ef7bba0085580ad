// Package e2e is sciswift's end-to-end suite: it runs the real
// `sciswift serve` binary on a free loopback port with a temporary data
// directory and drives it with the real `swift` CLI and with raw HTTP.
//
// Run it with `go test ./test/e2e/` (the binary is built on the fly) or
// with SCISWIFT_BIN=bin/sciswift (as `make test` does). When CI or
// SCISWIFT_BIN is set, missing tools (swift, h5py) fail the tests instead
// of skipping them: the project's setup is supposed to install them.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// serverProc is one running `sciswift serve` process.
type serverProc struct {
	bin     string
	addr    string // 127.0.0.1:PORT
	baseURL string // http://127.0.0.1:PORT
	data    string
	config  string // path of the --config file, "" for none
	logPath string // stderr of the process

	cmd     *exec.Cmd
	logFile *os.File
	started time.Time

	exitOnce sync.Once
	exited   chan struct{} // closed when the process has exited
	waitErr  error
}

// freeAddr finds a free loopback port. The port is released before the
// server binds it, so callers retry on "address already in use".
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startServer starts bin serve on addr (a free port when "") with data as
// its data directory and waits until /healthcheck answers 200 "OK".
func startServer(bin, addr, data, config, logPath string) (*serverProc, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		a := addr
		if a == "" {
			var err error
			if a, err = freeAddr(); err != nil {
				return nil, err
			}
		}
		s, err := startServerOnce(bin, a, data, config, logPath)
		if err == nil {
			return s, nil
		}
		lastErr = err
		if addr != "" || !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	return nil, lastErr
}

func startServerOnce(bin, addr, data, config, logPath string) (*serverProc, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	args := []string{"serve", "--addr", addr, "--data", data}
	if config != "" {
		args = append(args, "--config", config)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.Dir = filepath.Dir(logPath) // never beside data: tests check nothing lands there
	// Own process group: a ^C to `go test` must not reach the server
	// before we stop it ourselves.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	s := &serverProc{
		bin: bin, addr: addr, baseURL: "http://" + addr, data: data, config: config,
		logPath: logPath, cmd: cmd, logFile: logFile, exited: make(chan struct{}),
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	s.started = time.Now()
	go func() {
		s.waitErr = cmd.Wait()
		logFile.Close()
		close(s.exited)
	}()
	if err := s.waitHealthy(30 * time.Second); err != nil {
		s.kill()
		return nil, err
	}
	return s, nil
}

// waitHealthy polls GET /healthcheck until it answers 200 "OK".
func (s *serverProc) waitHealthy(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	var last string
	for time.Now().Before(deadline) {
		select {
		case <-s.exitedOrNever():
			return fmt.Errorf("%s exited before becoming healthy (%v); its output:\n%s", s.describe(), s.waitErr, s.logTail(40))
		default:
		}
		resp, err := client.Get(s.baseURL + "/healthcheck")
		if err == nil {
			var b bytes.Buffer
			_, _ = b.ReadFrom(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && strings.TrimSpace(b.String()) == "OK" {
				return nil
			}
			last = fmt.Sprintf("GET /healthcheck: %d %q", resp.StatusCode, b.String())
		} else {
			last = err.Error()
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s not healthy after %s (last: %s); its output:\n%s", s.describe(), timeout, last, s.logTail(40))
}

func (s *serverProc) describe() string {
	if s.cmd == nil {
		return s.baseURL
	}
	return fmt.Sprintf("%s (pid %d)", strings.Join(s.cmd.Args, " "), s.pid())
}

func (s *serverProc) pid() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// exitedOrNever is s.exited, or a channel that never closes for an
// external server.
func (s *serverProc) exitedOrNever() <-chan struct{} {
	if s.exited == nil {
		return make(chan struct{})
	}
	return s.exited
}

// running reports whether the process has not exited yet.
func (s *serverProc) running() bool {
	if s.exited == nil {
		return true // external
	}
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// signal sends sig to the server's process (by PID, never by name).
func (s *serverProc) signal(sig syscall.Signal) error {
	return s.cmd.Process.Signal(sig)
}

// stop sends SIGTERM and waits up to timeout for the process to exit. It
// returns an error unless the process exited with status 0 in time; a
// process that does not exit is killed.
func (s *serverProc) stop(timeout time.Duration) (time.Duration, error) {
	if !s.running() {
		return 0, s.exitError("had already exited")
	}
	t0 := time.Now()
	if err := s.signal(syscall.SIGTERM); err != nil {
		return 0, fmt.Errorf("SIGTERM to pid %d: %w", s.pid(), err)
	}
	select {
	case <-s.exited:
		return time.Since(t0), s.exitError("after SIGTERM")
	case <-time.After(timeout):
		s.kill()
		return time.Since(t0), fmt.Errorf("%s did not exit within %s of SIGTERM (killed); its output:\n%s", s.describe(), timeout, s.logTail(20))
	}
}

// waitExit waits up to timeout for the process to exit on its own.
func (s *serverProc) waitExit(timeout time.Duration) error {
	select {
	case <-s.exited:
		return s.exitError("")
	case <-time.After(timeout):
		return fmt.Errorf("%s still running after %s", s.describe(), timeout)
	}
}

func (s *serverProc) exitError(when string) error {
	if s.waitErr == nil {
		return nil
	}
	var ee *exec.ExitError
	if errors.As(s.waitErr, &ee) {
		return fmt.Errorf("%s exited %s with %v (want status 0); its output:\n%s", s.describe(), when, ee.ProcessState, s.logTail(20))
	}
	return fmt.Errorf("%s: %v", s.describe(), s.waitErr)
}

// kill ends the process with SIGKILL (its PID only) and waits for it.
func (s *serverProc) kill() {
	if s.running() && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
		}
	}
}

// logTail is the last n lines the process wrote.
func (s *serverProc) logTail(n int) string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "    " + strings.Join(lines, "\n    ")
}

// buildBinary builds ./cmd/sciswift from the module that contains the
// working directory into dir.
func buildBinary(dir string) (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the sciswift module: cannot build ./cmd/sciswift (set SCISWIFT_BIN)")
	}
	bin := filepath.Join(dir, "sciswift")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/sciswift")
	cmd.Dir = filepath.Dir(gomod)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build -o %s ./cmd/sciswift (in %s): %v\n%s", bin, cmd.Dir, err, out)
	}
	return bin, nil
}
