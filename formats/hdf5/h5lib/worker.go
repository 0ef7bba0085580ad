// Package h5lib is what the sciswift-h5worker child does: it is the one
// place that binds libhdf5 (1.14, through cgo) for uploaded files. The child
// opens the object through a virtual file driver whose reads are requests to
// the parent over the pipe (package formats/hdf5/pipe), walks the file into
// an hdf5.Index, or reads a selection the parent's Go reader cannot serve.
//
// gonum.org/v1/hdf5 does what it wraps: it opens the file (its OpenFile
// passes H5P_DEFAULT, so the pipe driver is installed once on the default
// file access list), counts a group's links, opens groups, datasets and
// attributes, describes and selects dataspaces, and closes all of them. The
// C here, on the raw ids of gonum's objects, is what gonum does not wrap:
// the pipe driver itself; a group's links with their kinds and targets'
// types, and an object's attribute names, each listed in one iteration
// (soft and external links are never followed; gonum's ObjectNameByIndex
// would find each link by index, sorting the group once per link); object
// tokens (a hard-link cycle is entered once);
// datatype introspection; creation properties (filters, fill values,
// layout, chunk shape); H5Dchunk_iter and H5Dget_offset; reads whose memory
// type is the file type (gonum picks the memory type from a Go value);
// variable-length strings; and the error stack, which gonum's errors do not
// carry.
//
// gonum's own cgo directives name Debian's HDF5 1.10 directories, after
// those in CGO_CFLAGS and CGO_LDFLAGS: the worker is built with both
// pointing at HDF5 1.14 (the Makefile exports them). Linking 1.10 fails
// (h5lib calls 1.12+ functions), h5lib.h refuses older headers, and
// checkLibrary refuses a gonum compiled against them or a 1.10 library at
// run time.
package h5lib

/*
#cgo pkg-config: hdf5
#include <malloc.h>
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
	"strings"
	"time"
	"unsafe"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/hdf5/pipe"
	"golang.org/x/sys/unix"
	gonum "gonum.org/v1/hdf5"
)

// objectName is the name libhdf5 is given for the object; the pipe driver
// ignores it.
const objectName = "sciswift-object"

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
	// The runtime opens its poller (an epoll descriptor and an eventfd) the
	// first time a timer is set, as its scavenger does once libhdf5 has
	// allocated enough: with no descriptor left, that is a fatal error.
	time.AfterFunc(time.Hour, func() {}).Stop()
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
	zeroAllocations()
	h := cgo.NewHandle(c)
	defer h.Delete()
	file, err := openThroughPipe(h, cfg.Size)
	if err != nil {
		return nil, withPipeError(c, err)
	}
	defer file.Close()
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

// openThroughPipe opens the object, whose reads h serves. gonum's OpenFile
// takes no file access list: it gets the default one, which the pipe driver
// is installed on (the worker opens one file in its life).
func openThroughPipe(h cgo.Handle, size uint64) (*gonum.File, error) {
	if C.h5w_use_pipe_driver(C.uintptr_t(h), C.uint64_t(size)) < 0 {
		return nil, fail(pipe.FailWorker, "libhdf5 refuses the pipe driver: %s", lastError())
	}
	file, err := gonum.OpenFile(objectName, gonum.F_ACC_RDONLY)
	if err != nil {
		return nil, fail(pipe.FailCorrupt, "libhdf5 cannot open the file: %s", lastError())
	}
	return file, nil
}

// hid is the libhdf5 id of a gonum object, for the calls gonum does not
// wrap.
func hid(obj interface{ ID() int64 }) C.hid_t { return C.hid_t(obj.ID()) }

// checkLibrary refuses a libhdf5 other than the one the worker is built
// for, and turns off what could reach beyond the pipe.
func checkLibrary() error {
	// gonum's package init started libhdf5 before Run, so before the
	// descriptor lock: whatever connector or driver the environment named is
	// loaded by now. The parent gives the worker an empty environment.
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "HDF5_") {
			name, _, _ := strings.Cut(kv, "=")
			return fail(pipe.FailWorker, "%s is set: the worker runs with an empty environment", name)
		}
	}
	// Errors are reported through lastError, never printed.
	C.H5Eset_auto2(C.H5E_DEFAULT, nil, nil)
	// Filters come from the library itself, never from plugins on disk.
	C.H5PLset_loading_state(0)
	v, err := gonum.LibVersion()
	if err != nil {
		return fail(pipe.FailWorker, "libhdf5 failed to start (out of memory?)")
	}
	if v.Major < 1 || (v.Major == 1 && v.Minor < 14) {
		return fail(pipe.FailWorker, "libhdf5 %s at run time; 1.14 or newer needed", v)
	}
	// gonum is compiled by its own cgo directives, which fall back on
	// Debian's 1.10 headers; H5I_ATTR moved from 6 to 7 in 1.12, so this
	// tells 1.10 headers from the 1.14 ones h5lib.h insists on.
	if int(gonum.ATTRIBUTE) != int(C.H5I_ATTR) {
		return fail(pipe.FailWorker, "gonum.org/v1/hdf5 was compiled against HDF5 headers older than 1.12 (set CGO_CFLAGS and CGO_LDFLAGS to HDF5 1.14's, as the Makefile does)")
	}
	return nil
}

// zeroAllocations makes malloc return zeroed memory (glibc fills what it
// hands out with the complement of M_PERTURB's byte). libhdf5 1.14.5 frees
// the entries of a link table it never filled when a corrupt file stops it
// midway (HDFGroup/hdf5#5375): zeroed, they hold only NULLs, and whether such
// a file crashes the worker no longer depends on what the heap held before.
func zeroAllocations() {
	C.mallopt(C.M_PERTURB, 0xff)
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
