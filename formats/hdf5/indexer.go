package hdf5

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/hdf5/pipe"
	"golang.org/x/sys/unix"
)

// Defaults of Indexer's zero fields.
const (
	DefaultTimeout   = 2 * time.Minute
	DefaultMaxMemory = 2 << 30
	DefaultMaxOutput = 256 << 20
)

// Indexer runs the worker child process. Its zero fields take the defaults.
type Indexer struct {
	Worker    string        // path of sciswift-h5worker
	Timeout   time.Duration // per run; default 2m
	MaxMemory int64         // RLIMIT_AS of the child; default 2 GiB
	// MaxOutput bounds the index or read result the child may send;
	// default 256 MiB.
	MaxOutput int64
}

func (ix *Indexer) timeout() time.Duration {
	if ix.Timeout > 0 {
		return ix.Timeout
	}
	return DefaultTimeout
}

func (ix *Indexer) maxMemory() int64 {
	if ix.MaxMemory > 0 {
		return ix.MaxMemory
	}
	return DefaultMaxMemory
}

func (ix *Indexer) maxOutput() int64 {
	if ix.MaxOutput > 0 {
		return min(ix.MaxOutput, 1<<32-1)
	}
	return DefaultMaxOutput
}

// Build runs the worker on obj and returns the validated index. A crash,
// kill or timeout wraps formats.ErrIndexer; a broken file
// formats.ErrCorrupt; an object without the HDF5 signature
// formats.ErrUnrecognized.
func (ix *Indexer) Build(ctx context.Context, obj formats.Object) (*Index, error) {
	ok, err := hasSignature(obj)
	if err != nil {
		return nil, fmt.Errorf("reading the object: %w", err)
	}
	if !ok {
		return nil, fmt.Errorf("%w: no HDF5 signature", formats.ErrUnrecognized)
	}
	out, err := ix.run(ctx, obj, "-mode", "index")
	if err != nil {
		return nil, err
	}
	idx, err := ParseIndex(out)
	if err != nil {
		return nil, fmt.Errorf("the HDF5 indexer's answer: %w", err)
	}
	if idx.Size != obj.Size() {
		return nil, fmt.Errorf("%w: HDF5 index for %d bytes, object has %d", formats.ErrCorrupt, idx.Size, obj.Size())
	}
	return idx, nil
}

// readWorker reads a selection with libhdf5 in a child.
func (ix *Indexer) readWorker(ctx context.Context, obj formats.Object, path string, sel formats.Selection) (*formats.Array, error) {
	js, err := json.Marshal(sel)
	if err != nil {
		return nil, err
	}
	out, err := ix.run(ctx, obj, "-mode", "read", "-dataset", path, "-select", string(js),
		"-max-result", strconv.FormatInt(ix.maxOutput()/2, 10))
	if err != nil {
		return nil, err
	}
	var arr formats.Array
	if err := json.Unmarshal(out, &arr); err != nil {
		return nil, fmt.Errorf("%w: the HDF5 worker's answer: %v", formats.ErrIndexer, err)
	}
	if err := arr.Check(); err != nil {
		return nil, fmt.Errorf("%w: the HDF5 worker's answer: %v", formats.ErrIndexer, err)
	}
	return &arr, nil
}

// run starts the worker with args, serves its reads of obj, and returns its
// Result.
func (ix *Indexer) run(ctx context.Context, obj formats.Object, args ...string) ([]byte, error) {
	if ix == nil || ix.Worker == "" {
		return nil, ErrNoWorker
	}
	if _, err := os.Stat(ix.Worker); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoWorker, err)
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, ix.timeout())
	defer cancel()
	cpu := uint64(ix.timeout()/time.Second) + 1
	args = append(args, "-size", strconv.FormatInt(obj.Size(), 10),
		"-max-memory", strconv.FormatInt(ix.maxMemory(), 10),
		"-cpu-seconds", strconv.FormatUint(cpu, 10))
	cmd := exec.CommandContext(ctx, ix.Worker, args...)
	// Its own process group, so that a kill takes anything it started too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return unix.Kill(-cmd.Process.Pid, unix.SIGKILL) }
	cmd.WaitDelay = time.Second
	cmd.Env = []string{}
	stderr := &tailBuffer{max: 4096}
	cmd.Stderr = stderr
	toChild, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	fromChild, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoWorker, err)
	}
	var storeErr error // a failure to read obj, which is the store's, not the file's
	result, protoErr := serveChild(ctx, obj, fromChild, toChild, int(ix.maxOutput()), &storeErr)
	if brokeProtocol(protoErr) {
		_ = unix.Kill(-cmd.Process.Pid, unix.SIGKILL)
	}
	toChild.Close()
	waitErr := cmd.Wait()
	// Anything the worker left behind in its group goes too.
	_ = unix.Kill(-cmd.Process.Pid, unix.SIGKILL)
	if err := parent.Err(); err != nil {
		return nil, err
	}
	if storeErr != nil {
		return nil, fmt.Errorf("reading the object for the HDF5 worker: %w", storeErr)
	}
	return ix.outcome(ctx, cmd, result, protoErr, waitErr, stderr.String())
}

// outcome turns how the child ended into the caller's answer; ctx is the
// run's own timeout (the caller's context is checked before).
func (ix *Indexer) outcome(ctx context.Context, cmd *exec.Cmd, result []byte, protoErr, waitErr error, stderr string) ([]byte, error) {
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%w: HDF5 indexer timed out after %v on this file", formats.ErrIndexer, ix.timeout())
	}
	var failed *childFailure
	if errors.As(protoErr, &failed) && waitErr == nil {
		return nil, failed.err
	}
	if brokeProtocol(protoErr) {
		return nil, fmt.Errorf("%w: HDF5 indexer: %v", formats.ErrIndexer, protoErr)
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		if ws.Signal() == syscall.SIGXCPU {
			return nil, fmt.Errorf("%w: HDF5 indexer ran out of CPU time (%v) on this file", formats.ErrIndexer, ix.timeout())
		}
		return nil, fmt.Errorf("%w: HDF5 indexer crashed (signal %s) on this file", formats.ErrIndexer, unix.SignalName(ws.Signal()))
	}
	if waitErr != nil {
		return nil, fmt.Errorf("%w: HDF5 indexer exited with status %d on this file%s", formats.ErrIndexer, cmd.ProcessState.ExitCode(), why(stderr))
	}
	if protoErr != nil {
		return nil, fmt.Errorf("%w: HDF5 indexer: %v", formats.ErrIndexer, protoErr)
	}
	return result, nil
}

// brokeProtocol reports whether the child, still running, said something
// the protocol does not allow (so the parent kills it).
func brokeProtocol(err error) bool {
	var failed *childFailure
	return err != nil && !errors.As(err, &failed) && !errors.Is(err, errNoAnswer)
}

// childFailure is a Fail message: the child worked, the file did not.
type childFailure struct{ err error }

func (c *childFailure) Error() string { return c.err.Error() }

// serveChild answers the child's reads until it sends its Result or Fail.
// The first failure to read obj is kept in storeErr (the child is told, and
// fails).
func serveChild(ctx context.Context, obj formats.Object, from io.Reader, to io.Writer, maxOutput int, storeErr *error) ([]byte, error) {
	for {
		m, err := pipe.ReadMessage(from, maxOutput)
		if err != nil {
			if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, errNoAnswer
			}
			return nil, err
		}
		switch m.Type {
		case pipe.Result:
			return m.Payload, nil
		case pipe.Fail:
			return nil, failure(m.Payload)
		case pipe.Read:
			if err := answerRead(ctx, obj, m.Payload, to, storeErr); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("%w: type %q from the worker", pipe.ErrMalformed, m.Type)
		}
	}
}

func failure(payload []byte) error {
	kind, msg, err := pipe.DecodeFail(payload)
	if err != nil {
		return err
	}
	sentinel := formats.ErrCorrupt
	switch kind {
	case pipe.FailUnsupported:
		sentinel = formats.ErrUnsupported
	case pipe.FailNotFound:
		sentinel = formats.ErrNotFound
	case pipe.FailLimit:
		sentinel = formats.ErrLimit
	case pipe.FailSelection:
		sentinel = formats.ErrSelection
	case pipe.FailWorker:
		sentinel = formats.ErrIndexer
	}
	return &childFailure{err: fmt.Errorf("%w: %s", sentinel, msg)}
}

func answerRead(ctx context.Context, obj formats.Object, payload []byte, to io.Writer, storeErr *error) error {
	off, n, err := pipe.DecodeRead(payload)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	size := uint64(obj.Size())
	if off >= size {
		return pipe.WriteMessage(to, pipe.Data, nil)
	}
	buf := make([]byte, min(uint64(n), size-off))
	got, err := obj.ReadAt(buf, int64(off))
	if err != nil && !(err == io.EOF && got == len(buf)) {
		if *storeErr == nil {
			*storeErr = err
		}
		return pipe.WriteMessage(to, pipe.Error, []byte(err.Error()))
	}
	return pipe.WriteMessage(to, pipe.Data, buf)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	buf bytes.Buffer
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf.Write(p)
	if extra := t.buf.Len() - t.max; extra > 0 {
		t.buf.Next(extra)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return t.buf.String() }

// why picks the line of the worker's stderr that says why it died: the Go
// runtime's "fatal error:" or "panic:" (followed by stack dumps, which are
// not for users), else the last line.
func why(stderr string) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	for _, l := range lines {
		if strings.HasPrefix(l, "fatal error:") || strings.HasPrefix(l, "panic:") {
			return ": " + strings.TrimSpace(l)
		}
	}
	if l := strings.TrimSpace(lines[len(lines)-1]); l != "" {
		return ": " + l
	}
	return ""
}
