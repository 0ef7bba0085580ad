// Package h5lib is what the sciswift-h5worker child does: it is the one
// place that binds libhdf5 (1.14, through cgo) for uploaded files. The child
// opens the object through a virtual file driver whose reads are requests to
// the parent over the pipe (package formats/hdf5/pipe), walks the file into
// an hdf5.Index, or reads a selection the parent's Go reader cannot serve.
//
// It uses libhdf5's C API directly rather than gonum.org/v1/hdf5: gonum's
// OpenFile takes no file access property list, so it cannot open a file
// through a custom driver (and the library refuses to change the default
// file access list's driver), and what the index needs besides
// (H5Dchunk_iter, H5Dget_offset, filters, fill values, type introspection)
// is C API gonum does not wrap either.
package h5lib

/*
#cgo pkg-config: hdf5
#include "h5lib.h"
*/
import "C"

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/cgo"
	"strconv"
	"unsafe"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/hdf5/pipe"
	"golang.org/x/sys/unix"
)

// Modes of the worker.
const (
	ModeIndex = "index"
	ModeRead  = "read"
)

// Config is what the parent tells the worker on its command line.
type Config struct {
	Mode       string
	Size       uint64 // the object's size
	Dataset    string // ModeRead: the dataset's path
	Select     string // ModeRead: the formats.Selection as JSON
	MaxMemory  int64  // RLIMIT_AS in bytes; 0: unlimited
	CPUSeconds uint64 // RLIMIT_CPU; 0: unlimited
	MaxResult  int64  // ModeRead: the most bytes of elements to return
}

// failure is an error the worker reports to the parent with its kind.
type failure struct {
	kind byte
	msg  string
}

func (f *failure) Error() string { return f.msg }

func fail(kind byte, format string, args ...any) error {
	return &failure{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// Run is the whole worker: it limits itself, takes over stdin/stdout for the
// pipe (stdout then goes to stderr, so nothing libhdf5 or the runtime prints
// can corrupt the protocol), does cfg.Mode and returns the exit status.
func Run(cfg Config) int {
	if err := limit(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "sciswift-h5worker:", err)
		return 2
	}
	out, err := takeStdout()
	if err != nil {
		fmt.Fprintln(os.Stderr, "sciswift-h5worker:", err)
		return 2
	}
	if err := forbidOpening(); err != nil {
		fmt.Fprintln(os.Stderr, "sciswift-h5worker:", err)
		return 2
	}
	c := newConn(os.Stdin, out, cfg.Size)
	result, err := serve(cfg, c)
	if err != nil {
		var f *failure
		if !errors.As(err, &f) {
			f = &failure{kind: pipe.FailCorrupt, msg: err.Error()}
		}
		if c.send(pipe.Fail, pipe.EncodeFail(f.kind, f.msg)) != nil {
			return 2
		}
		return 0
	}
	if c.send(pipe.Result, result) != nil {
		return 2
	}
	return 0
}

func limit(cfg Config) error {
	if cfg.MaxMemory > 0 {
		lim := unix.Rlimit{Cur: uint64(cfg.MaxMemory), Max: uint64(cfg.MaxMemory)}
		if err := unix.Setrlimit(unix.RLIMIT_AS, &lim); err != nil {
			return fmt.Errorf("RLIMIT_AS: %w", err)
		}
	}
	if cfg.CPUSeconds > 0 {
		lim := unix.Rlimit{Cur: cfg.CPUSeconds, Max: cfg.CPUSeconds + 1}
		if err := unix.Setrlimit(unix.RLIMIT_CPU, &lim); err != nil {
			return fmt.Errorf("RLIMIT_CPU: %w", err)
		}
	}
	return nil
}

// forbidOpening makes every later open(2), socket(2) or pipe(2) fail: it
// lowers RLIMIT_NOFILE to just above the highest descriptor in use and fills
// the gaps below it. The worker then reads nothing but its pipe, whatever a
// file asks libhdf5 to open (external storage, virtual dataset sources).
func forbidOpening() error {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return err
	}
	highest := 2
	for _, e := range fds {
		if fd, err := strconv.Atoi(e.Name()); err == nil {
			highest = max(highest, fd)
		}
	}
	lim := unix.Rlimit{Cur: uint64(highest + 1), Max: uint64(highest + 1)}
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("RLIMIT_NOFILE: %w", err)
	}
	for {
		if _, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0); err != nil {
			if err == unix.EMFILE {
				return nil
			}
			return fmt.Errorf("filling descriptors: %w", err)
		}
	}
}

func takeStdout() (io.Writer, error) {
	fd, err := unix.Dup(1)
	if err != nil {
		return nil, err
	}
	if err := unix.Dup2(2, 1); err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), "pipe"), nil
}

// serve opens the object through the pipe and does the mode's work.
func serve(cfg Config, c *conn) ([]byte, error) {
	// libhdf5 is not thread-safe and keeps its error stack per thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := checkLibrary(); err != nil {
		return nil, err
	}
	h := cgo.NewHandle(c)
	defer h.Delete()
	errbuf := make([]byte, 512)
	file := C.h5w_open(C.uintptr_t(h), C.uint64_t(cfg.Size), (*C.char)(unsafe.Pointer(&errbuf[0])), C.size_t(len(errbuf)))
	if file < 0 {
		if c.err != nil {
			return nil, c.err
		}
		return nil, fail(pipe.FailCorrupt, "libhdf5 cannot open the file: %s", C.GoString((*C.char)(unsafe.Pointer(&errbuf[0]))))
	}
	defer C.H5Fclose(file)
	switch cfg.Mode {
	case ModeIndex:
		idx, err := buildIndex(file, cfg.Size)
		if err != nil {
			return nil, withPipeError(c, err)
		}
		return idx.Marshal()
	case ModeRead:
		var sel formats.Selection
		if err := json.Unmarshal([]byte(cfg.Select), &sel); err != nil {
			return nil, fail(pipe.FailSelection, "selection: %v", err)
		}
		arr, err := readDataset(file, cfg.Dataset, sel, cfg.MaxResult)
		if err != nil {
			return nil, withPipeError(c, err)
		}
		return json.Marshal(arr)
	}
	return nil, fmt.Errorf("unknown mode %q", cfg.Mode)
}

// withPipeError prefers a failure to read the object over what libhdf5
// made of it.
func withPipeError(c *conn, err error) error {
	if c.err != nil {
		return c.err
	}
	return err
}

func checkLibrary() error {
	// Errors are reported through lastError, never printed.
	C.H5Eset_auto2(C.H5E_DEFAULT, nil, nil)
	// Filters come from the library itself, never from plugins on disk.
	C.H5PLset_loading_state(0)
	var major, minor, release C.uint
	if C.H5get_libversion(&major, &minor, &release) < 0 {
		return fail(pipe.FailWorker, "libhdf5 failed to start (out of memory?)")
	}
	if major < 1 || (major == 1 && minor < 14) {
		return fail(pipe.FailWorker, "libhdf5 %d.%d.%d at run time; 1.14 or newer needed", major, minor, release)
	}
	return nil
}

// lastError describes libhdf5's current error stack.
func lastError() string {
	buf := make([]byte, 512)
	C.h5w_last_error((*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)))
	s := C.GoString((*C.char)(unsafe.Pointer(&buf[0])))
	if s == "" {
		return "unknown error"
	}
	return s
}
