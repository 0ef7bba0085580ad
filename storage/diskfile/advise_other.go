//go:build !linux

package diskfile

func preallocate(fd uintptr, size int64)      {}
func startWriteback(fd uintptr, off, n int64) {}
func waitWriteback(fd uintptr, off, n int64)  {}
func dropCache(fd uintptr, off, n int64)      {}
func adviseSequential(fd uintptr)             {}
