//go:build !linux

package vfs

import (
	"errors"
	"os"
)

const oDirectory = 0

// syncData falls back to fsync where fdatasync is not available.
func syncData(f *os.File) error { return f.Sync() }

func (osFS) SyncFS(dir string) error { return errors.ErrUnsupported }
