// Package testserver starts and stops real `sciswift serve` processes for
// the end-to-end suites under test/: on a free loopback port, with a data
// directory the caller chooses, each in a process group of its own, and
// stopped only by its own PID. It also finds what the suites hand to those
// servers and to the VOL connector: the server binary (Binary), HDF5 1.14
// (FindHDF5) and the connector plugin (FindPlugin).
package testserver

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

// Server is one running `sciswift serve` process, or an external server
// (see External) that only has an address.
type Server struct {
	Bin     string
	Addr    string // 127.0.0.1:PORT
	BaseURL string // http://127.0.0.1:PORT
	Data    string
	Config  string // path of the --config file, "" for none
	LogPath string // stdout and stderr of the process

	cmd     *exec.Cmd
	logFile *os.File
	started time.Time

	exitOnce sync.Once
	exited   chan struct{} // closed when the process has exited
	waitErr  error
}

// External is a server the caller did not start, known only by its URL
// (e.g. a reference Swift): WaitHealthy and the address fields work, the
// process methods do not apply (Running always reports true).
func External(baseURL string) *Server {
	u := strings.TrimRight(baseURL, "/")
	return &Server{BaseURL: u, Addr: strings.TrimPrefix(u, "http://")}
}

// FreeAddr finds a free loopback port. The port is released before the
// server binds it, so callers retry on "address already in use".
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Start starts bin serve on addr (a free port when "") with data as
// its data directory and waits until /healthcheck answers 200 "OK".
func Start(bin, addr, data, config, logPath string) (*Server, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		a := addr
		if a == "" {
			var err error
			if a, err = FreeAddr(); err != nil {
				return nil, err
			}
		}
		s, err := startOnce(bin, a, data, config, logPath)
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

func startOnce(bin, addr, data, config, logPath string) (*Server, error) {
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
	s := &Server{
		Bin: bin, Addr: addr, BaseURL: "http://" + addr, Data: data, Config: config,
		LogPath: logPath, cmd: cmd, logFile: logFile, exited: make(chan struct{}),
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
	if err := s.WaitHealthy(30 * time.Second); err != nil {
		s.Kill()
		return nil, err
	}
	return s, nil
}

// WaitHealthy polls GET /healthcheck until it answers 200 "OK".
func (s *Server) WaitHealthy(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	var last string
	for time.Now().Before(deadline) {
		select {
		case <-s.exitedOrNever():
			return fmt.Errorf("%s exited before becoming healthy (%v); its output:\n%s", s.Describe(), s.waitErr, s.LogTail(40))
		default:
		}
		resp, err := client.Get(s.BaseURL + "/healthcheck")
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
	return fmt.Errorf("%s not healthy after %s (last: %s); its output:\n%s", s.Describe(), timeout, last, s.LogTail(40))
}

// Describe names the server for messages: its command line and PID.
func (s *Server) Describe() string {
	if s.cmd == nil {
		return s.BaseURL
	}
	return fmt.Sprintf("%s (pid %d)", strings.Join(s.cmd.Args, " "), s.PID())
}

// PID is the process id, 0 for an external server.
func (s *Server) PID() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// exitedOrNever is s.exited, or a channel that never closes for an
// external server.
func (s *Server) exitedOrNever() <-chan struct{} {
	if s.exited == nil {
		return make(chan struct{})
	}
	return s.exited
}

// Running reports whether the process has not exited yet.
func (s *Server) Running() bool {
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

// Signal sends sig to the server's process (by PID, never by name).
func (s *Server) Signal(sig syscall.Signal) error {
	return s.cmd.Process.Signal(sig)
}

// Stop sends SIGTERM and waits up to timeout for the process to exit. It
// returns an error unless the process exited with status 0 in time; a
// process that does not exit is killed.
func (s *Server) Stop(timeout time.Duration) (time.Duration, error) {
	if !s.Running() {
		return 0, s.ExitError("had already exited")
	}
	t0 := time.Now()
	if err := s.Signal(syscall.SIGTERM); err != nil {
		return 0, fmt.Errorf("SIGTERM to pid %d: %w", s.PID(), err)
	}
	select {
	case <-s.exited:
		return time.Since(t0), s.ExitError("after SIGTERM")
	case <-time.After(timeout):
		s.Kill()
		return time.Since(t0), fmt.Errorf("%s did not exit within %s of SIGTERM (killed); its output:\n%s", s.Describe(), timeout, s.LogTail(20))
	}
}

// WaitExit waits up to timeout for the process to exit on its own.
func (s *Server) WaitExit(timeout time.Duration) error {
	select {
	case <-s.exited:
		return s.ExitError("")
	case <-time.After(timeout):
		return fmt.Errorf("%s still running after %s", s.Describe(), timeout)
	}
}

// ExitError is nil when the process exited with status 0 (or has not
// exited); otherwise it describes how it ended, with its last output.
// when says at what point it exited, for the message.
func (s *Server) ExitError(when string) error {
	if s.waitErr == nil {
		return nil
	}
	var ee *exec.ExitError
	if errors.As(s.waitErr, &ee) {
		return fmt.Errorf("%s exited %s with %v (want status 0); its output:\n%s", s.Describe(), when, ee.ProcessState, s.LogTail(20))
	}
	return fmt.Errorf("%s: %v", s.Describe(), s.waitErr)
}

// Kill ends the process with SIGKILL (its PID only) and waits for it.
func (s *Server) Kill() {
	if s.Running() && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
		}
	}
}

// LogTail is the last n lines the process wrote.
func (s *Server) LogTail(n int) string {
	b, err := os.ReadFile(s.LogPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "    " + strings.Join(lines, "\n    ")
}

// BuildBinary builds ./cmd/sciswift from the module that contains the
// working directory into dir.
func BuildBinary(dir string) (string, error) {
	return build(dir, "sciswift", nil)
}

// BuildH5Worker builds ./cmd/sciswift-h5worker into dir. With hdf5 (a
// prefix) not "", cgo finds HDF5 there, as the Makefile's CGO_* settings
// say; otherwise the caller's environment must.
func BuildH5Worker(dir, hdf5 string) (string, error) {
	var env []string
	if hdf5 != "" {
		lib := filepath.Join(hdf5, "lib")
		env = []string{
			"PKG_CONFIG_PATH=" + filepath.Join(lib, "pkgconfig"),
			"CGO_CFLAGS=-I" + filepath.Join(hdf5, "include"),
			"CGO_LDFLAGS=-L" + lib + " -Wl,-rpath," + lib,
		}
	}
	return build(dir, "sciswift-h5worker", env)
}

// build builds ./cmd/name into dir, with env on top of the caller's.
func build(dir, name string, env []string) (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside the sciswift module: cannot build ./cmd/%s (set SCISWIFT_BIN)", name)
	}
	bin := filepath.Join(dir, name)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/"+name)
	cmd.Dir = filepath.Dir(gomod)
	if env != nil {
		cmd.Env = append(os.Environ(), env...) // the last value of a name wins
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build -o %s ./cmd/%s (in %s): %v\n%s", bin, name, cmd.Dir, err, out)
	}
	return bin, nil
}

// Binary is SCISWIFT_BIN as an absolute path (the server runs in another
// directory), or else ./cmd/sciswift built into dir.
func Binary(dir string) (string, error) {
	bin := os.Getenv("SCISWIFT_BIN")
	if bin == "" {
		fmt.Fprintln(os.Stderr, "testserver: SCISWIFT_BIN not set; building ./cmd/sciswift")
		return BuildBinary(dir)
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(abs); err != nil {
		return "", fmt.Errorf("SCISWIFT_BIN=%s: %w (run make build)", bin, err)
	}
	return abs, nil
}
