package vfs

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestOSFS(t *testing.T) {
	fs, dir := OS(), t.TempDir()
	p := filepath.Join(dir, "a")
	f, err := fs.Create(p, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if err := f.SyncData(); err != nil {
		t.Fatal(err)
	}
	if f.Fd() == InvalidFd {
		t.Error("OS file has no descriptor")
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Create(p, 0o644); !errors.Is(err, os.ErrExist) {
		t.Errorf("Create over an existing file: %v, want ErrExist", err)
	}
	if err := fs.Mkdir(filepath.Join(dir, "x", "y"), 0o755); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Mkdir without parent: %v, want ErrNotExist", err)
	}
	if err := fs.MkdirAll(filepath.Join(dir, "x", "y"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := fs.Mkdir(filepath.Join(dir, "x"), 0o755); !errors.Is(err, os.ErrExist) {
		t.Errorf("Mkdir of existing dir: %v, want ErrExist", err)
	}
	if err := fs.Rename(p, filepath.Join(dir, "x", "b")); err != nil {
		t.Fatal(err)
	}
	d, err := fs.OpenDir(filepath.Join(dir, "x"))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Sync(); err != nil {
		t.Errorf("directory sync: %v", err)
	}
	d.Close()
	if err := fs.SyncFS(dir); err != nil {
		t.Errorf("SyncFS: %v", err)
	}
	names, err := fs.ReadDir(filepath.Join(dir, "x"))
	if err != nil || !slices.Equal(names, []string{"b", "y"}) {
		t.Errorf("ReadDir = %v, %v; want [b y]", names, err)
	}
	r, err := fs.Open(filepath.Join(dir, "x", "b"))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 3)
	if n, err := r.ReadAt(buf, 2); n != 3 || string(buf) != "llo" {
		t.Errorf("ReadAt = %d %q %v", n, buf, err)
	}
	r.Close()
	if err := fs.RemoveAll(filepath.Join(dir, "x")); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Stat(filepath.Join(dir, "x")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Stat after RemoveAll: %v", err)
	}
}

func TestErrorFSOnOp(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		kind OpKind
		run  func(fs FS) error
	}{
		{"create", OpCreate, func(fs FS) error { _, err := fs.Create(filepath.Join(dir, "c"), 0o644); return err }},
		{"mkdir", OpMkdir, func(fs FS) error { return fs.Mkdir(filepath.Join(dir, "m"), 0o755) }},
		{"mkdirall", OpMkdirAll, func(fs FS) error { return fs.MkdirAll(filepath.Join(dir, "ma", "b"), 0o755) }},
		{"stat", OpStat, func(fs FS) error { _, err := fs.Stat(dir); return err }},
		{"readdir", OpReadDir, func(fs FS) error { _, err := fs.ReadDir(dir); return err }},
		{"opendir", OpOpenDir, func(fs FS) error { _, err := fs.OpenDir(dir); return err }},
		{"syncfs", OpSyncFS, func(fs FS) error { return fs.SyncFS(dir) }},
		{"write", OpWrite, func(fs FS) error {
			f, err := fs.Create(filepath.Join(dir, "w"), 0o644)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.Write([]byte("x"))
			return err
		}},
		{"sync", OpSync, func(fs FS) error {
			f, err := fs.Create(filepath.Join(dir, "s"), 0o644)
			if err != nil {
				return err
			}
			defer f.Close()
			return f.SyncData()
		}},
		{"rename", OpRename, func(fs FS) error {
			f, err := fs.Create(filepath.Join(dir, "r"), 0o644)
			if err != nil {
				return err
			}
			f.Close()
			return fs.Rename(filepath.Join(dir, "r"), filepath.Join(dir, "r2"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := NewErrorFS(OS(), OnOp(func(op Op) bool { return op.Kind == tt.kind }))
			err := tt.run(fs)
			if !errors.Is(err, ErrInjected) {
				t.Fatalf("err = %v, want ErrInjected", err)
			}
			if !strings.Contains(err.Error(), tt.kind.String()) {
				t.Errorf("error %q does not name the operation", err)
			}
		})
	}
}

func TestErrorFSOnOpLeavesNoEffect(t *testing.T) {
	dir := t.TempDir()
	fs := NewErrorFS(OS(), OnOp(func(op Op) bool { return op.Kind == OpRename }))
	src := filepath.Join(dir, "src")
	if err := os.WriteFile(src, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := fs.Rename(src, filepath.Join(dir, "dst")); err == nil {
		t.Fatal("rename succeeded")
	}
	if _, err := os.Stat(src); err != nil {
		t.Errorf("a failed rename moved the file: %v", err)
	}
}

func TestCountdown(t *testing.T) {
	dir := t.TempDir()
	work := func(fs FS) error {
		f, err := fs.Create(filepath.Join(dir, "f"), 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := f.Write([]byte("abc")); err != nil {
			return err
		}
		if err := f.SyncData(); err != nil {
			return err
		}
		if _, err := f.ReadAt(make([]byte, 3), 0); err != nil && err != io.EOF {
			return err
		}
		return fs.Remove(filepath.Join(dir, "f"))
	}
	counter := NewCountdown(-1)
	if err := work(NewErrorFS(OS(), counter)); err != nil {
		t.Fatal(err)
	}
	// create, write, sync, read, remove, close
	if got := counter.Ops(); got != 6 {
		t.Fatalf("counted %d operations, want 6", got)
	}
	for n := int64(0); n < 5; n++ {
		os.Remove(filepath.Join(dir, "f"))
		if err := work(NewErrorFS(OS(), NewCountdown(n))); !errors.Is(err, ErrInjected) {
			t.Errorf("countdown %d: err = %v, want ErrInjected", n, err)
		}
	}
}
