package vfs

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
)

// ErrInjected is the error NewErrorFS's stock injectors return.
var ErrInjected = errors.New("vfs: injected error")

// OpKind names a filesystem operation.
type OpKind int

// The operations an ErrorFS can fail.
const (
	OpCreate OpKind = iota + 1
	OpOpen
	OpOpenDir
	OpRename
	OpRemove
	OpRemoveAll
	OpMkdir
	OpMkdirAll
	OpStat
	OpReadDir
	OpRead
	OpWrite
	OpSync // Sync and SyncData
	OpFileStat
	OpClose
	OpSyncFS
)

var opNames = [...]string{
	OpCreate: "create", OpOpen: "open", OpOpenDir: "opendir", OpRename: "rename",
	OpRemove: "remove", OpRemoveAll: "removeall", OpMkdir: "mkdir", OpMkdirAll: "mkdirall",
	OpStat: "stat", OpReadDir: "readdir", OpRead: "read", OpWrite: "write",
	OpSync: "sync", OpFileStat: "fstat", OpClose: "close", OpSyncFS: "syncfs",
}

func (k OpKind) String() string {
	if k > 0 && int(k) < len(opNames) {
		return opNames[k]
	}
	return fmt.Sprintf("op(%d)", int(k))
}

// Op is one filesystem operation: its kind and the path it acts on (for a
// rename, the new name; for file operations, the name the file was opened
// with).
type Op struct {
	Kind OpKind
	Path string
}

func (o Op) String() string { return o.Kind.String() + " " + o.Path }

// Injector decides whether an operation fails, and with what error. It is
// called before the operation runs; a failed operation has no effect.
type Injector interface {
	MaybeError(op Op) error
}

// InjectorFunc adapts a function to Injector.
type InjectorFunc func(op Op) error

// MaybeError calls f.
func (f InjectorFunc) MaybeError(op Op) error { return f(op) }

// OnOp fails every operation match accepts, with ErrInjected.
func OnOp(match func(op Op) bool) Injector {
	return InjectorFunc(func(op Op) error {
		if match(op) {
			return fmt.Errorf("%w: %s", ErrInjected, op)
		}
		return nil
	})
}

// Countdown lets the first n operations through and fails every one after,
// as a crash would: nothing, not even cleanup, happens afterwards. A
// negative n never fails, which counts the operations a code path makes so
// that a test can then crash it at each one in turn.
type Countdown struct {
	n    int64
	seen atomic.Int64
}

// NewCountdown returns a Countdown that fails from the (n+1)th operation on.
func NewCountdown(n int64) *Countdown { return &Countdown{n: n} }

// MaybeError implements Injector.
func (c *Countdown) MaybeError(op Op) error {
	i := c.seen.Add(1) - 1
	if c.n >= 0 && i >= c.n {
		return fmt.Errorf("%w: operation %d: %s", ErrInjected, i, op)
	}
	return nil
}

// Ops is the number of operations seen so far.
func (c *Countdown) Ops() int64 { return c.seen.Load() }

// NewErrorFS wraps inner so that inject is consulted before every operation,
// including operations on files it opened.
func NewErrorFS(inner FS, inject Injector) FS {
	return &errorFS{inner: inner, inject: inject}
}

type errorFS struct {
	inner  FS
	inject Injector
}

func (fs *errorFS) check(kind OpKind, path string) error {
	return fs.inject.MaybeError(Op{Kind: kind, Path: path})
}

func (fs *errorFS) wrap(name string, f File, err error) (File, error) {
	if err != nil {
		return nil, err
	}
	return &errorFile{File: f, fs: fs, name: name}, nil
}

func (fs *errorFS) Create(name string, perm os.FileMode) (File, error) {
	if err := fs.check(OpCreate, name); err != nil {
		return nil, err
	}
	f, err := fs.inner.Create(name, perm)
	return fs.wrap(name, f, err)
}

func (fs *errorFS) Open(name string) (File, error) {
	if err := fs.check(OpOpen, name); err != nil {
		return nil, err
	}
	f, err := fs.inner.Open(name)
	return fs.wrap(name, f, err)
}

func (fs *errorFS) OpenDir(name string) (File, error) {
	if err := fs.check(OpOpenDir, name); err != nil {
		return nil, err
	}
	f, err := fs.inner.OpenDir(name)
	return fs.wrap(name, f, err)
}

func (fs *errorFS) Rename(oldname, newname string) error {
	if err := fs.check(OpRename, newname); err != nil {
		return err
	}
	return fs.inner.Rename(oldname, newname)
}

func (fs *errorFS) Remove(name string) error {
	if err := fs.check(OpRemove, name); err != nil {
		return err
	}
	return fs.inner.Remove(name)
}

func (fs *errorFS) RemoveAll(name string) error {
	if err := fs.check(OpRemoveAll, name); err != nil {
		return err
	}
	return fs.inner.RemoveAll(name)
}

func (fs *errorFS) Mkdir(name string, perm os.FileMode) error {
	if err := fs.check(OpMkdir, name); err != nil {
		return err
	}
	return fs.inner.Mkdir(name, perm)
}

func (fs *errorFS) MkdirAll(name string, perm os.FileMode) error {
	if err := fs.check(OpMkdirAll, name); err != nil {
		return err
	}
	return fs.inner.MkdirAll(name, perm)
}

func (fs *errorFS) Stat(name string) (os.FileInfo, error) {
	if err := fs.check(OpStat, name); err != nil {
		return nil, err
	}
	return fs.inner.Stat(name)
}

func (fs *errorFS) ReadDir(name string) ([]string, error) {
	if err := fs.check(OpReadDir, name); err != nil {
		return nil, err
	}
	return fs.inner.ReadDir(name)
}

func (fs *errorFS) SyncFS(dir string) error {
	if err := fs.check(OpSyncFS, dir); err != nil {
		return err
	}
	return fs.inner.SyncFS(dir)
}

type errorFile struct {
	File
	fs   *errorFS
	name string
}

func (f *errorFile) Read(p []byte) (int, error) {
	if err := f.fs.check(OpRead, f.name); err != nil {
		return 0, err
	}
	return f.File.Read(p)
}

func (f *errorFile) ReadAt(p []byte, off int64) (int, error) {
	if err := f.fs.check(OpRead, f.name); err != nil {
		return 0, err
	}
	return f.File.ReadAt(p, off)
}

func (f *errorFile) Write(p []byte) (int, error) {
	if err := f.fs.check(OpWrite, f.name); err != nil {
		return 0, err
	}
	return f.File.Write(p)
}

func (f *errorFile) Sync() error {
	if err := f.fs.check(OpSync, f.name); err != nil {
		return err
	}
	return f.File.Sync()
}

func (f *errorFile) SyncData() error {
	if err := f.fs.check(OpSync, f.name); err != nil {
		return err
	}
	return f.File.SyncData()
}

func (f *errorFile) Stat() (os.FileInfo, error) {
	if err := f.fs.check(OpFileStat, f.name); err != nil {
		return nil, err
	}
	return f.File.Stat()
}

// Close releases the descriptor even when it reports an injected failure,
// so that tests which fail every Close do not leak descriptors.
func (f *errorFile) Close() error {
	injected := f.fs.check(OpClose, f.name)
	err := f.File.Close()
	if injected != nil {
		return injected
	}
	return err
}
