package diskfile

import (
	"golang.org/x/sys/unix"

	"github.com/sciswift/sciswift/storage/vfs"
)

// Page-cache and allocation advice. All of it is best effort: errors
// (EOPNOTSUPP on some file systems, or no descriptor under a test FS) only
// cost performance, never correctness.

func preallocate(fd uintptr, size int64) {
	if fd != vfs.InvalidFd {
		_ = unix.Fallocate(int(fd), unix.FALLOC_FL_KEEP_SIZE, 0, size)
	}
}

func startWriteback(fd uintptr, off, n int64) {
	if fd != vfs.InvalidFd {
		_ = unix.SyncFileRange(int(fd), off, n, unix.SYNC_FILE_RANGE_WRITE)
	}
}

func waitWriteback(fd uintptr, off, n int64) {
	if fd != vfs.InvalidFd {
		_ = unix.SyncFileRange(int(fd), off, n,
			unix.SYNC_FILE_RANGE_WAIT_BEFORE|unix.SYNC_FILE_RANGE_WRITE|unix.SYNC_FILE_RANGE_WAIT_AFTER)
	}
}

// dropCache evicts clean pages; n == 0 means to the end of the file.
func dropCache(fd uintptr, off, n int64) {
	if fd != vfs.InvalidFd {
		_ = unix.Fadvise(int(fd), off, n, unix.FADV_DONTNEED)
	}
}

func adviseSequential(fd uintptr) {
	if fd != vfs.InvalidFd {
		_ = unix.Fadvise(int(fd), 0, 0, unix.FADV_SEQUENTIAL)
	}
}
