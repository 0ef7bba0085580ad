// Package vfs is the seam under all of sciswift's file I/O, in the spirit of
// pebble's vfs.FS: storage code never calls package os directly, so tests can
// run it over an FS that fails chosen operations (NewErrorFS) and prove that
// a failure at any step leaves the store consistent.
//
// The interface is deliberately small: what a durable write needs (exclusive
// create, write, fdatasync, rename, directory fsync) and what a read needs
// (open, pread, stat, list). Anything merely advisory (fadvise, fallocate,
// sync_file_range) goes through File.Fd and is not modelled.
package vfs

import (
	"io"
	"os"
)

// InvalidFd is what File.Fd returns for files with no OS descriptor.
const InvalidFd = ^uintptr(0)

// File is an open file or directory.
type File interface {
	io.Reader
	io.ReaderAt
	io.Writer
	io.Closer
	// Sync commits the file's data and metadata (fsync). On a directory it
	// makes the entries created, renamed or removed in it durable.
	Sync() error
	// SyncData commits the file's data and the metadata needed to read it
	// back, such as its size, but not its timestamps (fdatasync). That is
	// all a newly written file needs before it is renamed into place.
	SyncData() error
	Stat() (os.FileInfo, error)
	// Fd is the OS descriptor, for advice the FS does not model (fadvise,
	// fallocate, sync_file_range); InvalidFd if there is none. Advice must
	// never be needed for correctness.
	Fd() uintptr
}

// FS is a filesystem. Paths are OS paths; implementations do not interpret
// them beyond what the OS does.
type FS interface {
	// Create makes a new file for reading and writing. It fails if name
	// exists: callers make temporary files with unique names and never
	// write over a file another writer may hold.
	Create(name string, perm os.FileMode) (File, error)
	// Open opens a file for reading.
	Open(name string) (File, error)
	// OpenDir opens a directory so that it can be synced.
	OpenDir(name string) (File, error)
	// Rename atomically replaces newname with oldname.
	Rename(oldname, newname string) error
	// Remove removes a file or an empty directory.
	Remove(name string) error
	// RemoveAll removes name and everything below it; a missing name is
	// not an error.
	RemoveAll(name string) error
	// Mkdir makes one directory; it fails if name exists (os.ErrExist) or
	// its parent does not (os.ErrNotExist), which is how callers learn
	// which directories they created and so must sync the parents of.
	Mkdir(name string, perm os.FileMode) error
	// MkdirAll makes name and any missing parents.
	MkdirAll(name string, perm os.FileMode) error
	Stat(name string) (os.FileInfo, error)
	// ReadDir lists the names in a directory, sorted.
	ReadDir(name string) ([]string, error)
	// SyncFS commits everything written to the filesystem holding dir
	// (Linux syncfs): one journal commit and one cache flush however many
	// files and directories changed. errors.ErrUnsupported where there is
	// no such call.
	SyncFS(dir string) error
}
