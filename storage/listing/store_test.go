package listing

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

func TestStoreDevice(t *testing.T) {
	root := t.TempDir()
	for _, dev := range []string{"d1", "d2"} {
		if err := os.Mkdir(filepath.Join(root, dev), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s := Open(root, KindAccount, Options{Logger: slog.New(slog.DiscardHandler)})
	defer s.Close()

	tests := []struct {
		dev    string
		status int
	}{
		{"d1", 200},
		{"missing", 507},
		{"file", 507}, // not a directory: not a mounted device
		{"..", 400},
		{"a/b", 400},
	}
	for _, tt := range tests {
		_, err := s.Device(tt.dev)
		if got := swift.Status(err); got != tt.status {
			t.Errorf("Device(%q) = %v (status %d), want status %d", tt.dev, err, got, tt.status)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "d1", "accounts.db")); err != nil {
		t.Errorf("accounts.db not created under the device: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "d2", "accounts.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("d2 opened before anyone asked for it: %v", err)
	}
}

func TestStoreSharesDB(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "d1"), 0o755); err != nil {
		t.Fatal(err)
	}
	s := Open(root, KindContainer, Options{Logger: slog.New(slog.DiscardHandler)})
	var wg sync.WaitGroup
	dbs := make([]*DB, 8)
	for i := range dbs {
		wg.Go(func() {
			db, err := s.Device("d1")
			if err != nil {
				t.Error(err)
			}
			dbs[i] = db
		})
	}
	wg.Wait()
	for _, db := range dbs[1:] {
		if db != dbs[0] {
			t.Fatal("concurrent Device calls opened the database more than once")
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Device("d1"); swift.Status(err) != 503 {
		t.Errorf("Device after Close = %v, want 503", err)
	}
}

func TestStoreReopenKeepsData(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "d1"), 0o755); err != nil {
		t.Fatal(err)
	}
	open := func() (*Store, *DB) {
		s := Open(root, KindContainer, Options{Logger: slog.New(slog.DiscardHandler)})
		db, err := s.Device("d1")
		if err != nil {
			t.Fatal(err)
		}
		return s, db
	}
	s, db := open()
	mustPutContainer(t, db, "a", "c", 1)
	mustPutObject(t, db, "a", "c", ObjectRow{Name: "o", Timestamp: ts(2), Size: 5})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, db = open()
	defer s.Close()
	if info := mustContainer(t, db, "a", "c"); info.ObjectCount != 1 || info.BytesUsed != 5 {
		t.Errorf("after reopen: count %d bytes %d, want 1 and 5", info.ObjectCount, info.BytesUsed)
	}
}
