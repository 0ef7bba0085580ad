package hdf5_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/hdf5"
	"golang.org/x/sys/unix"
)

// substitute writes a shell script standing in for the worker.
func substitute(t *testing.T, body string) string {
	p := filepath.Join(t.TempDir(), "worker")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// hdf5Looking is an object that passes Sniff.
func hdf5Looking() *memObject {
	return newObject(append([]byte("\x89HDF\r\n\x1a\n"), make([]byte, 600)...))
}

func TestWorkerCrashes(t *testing.T) {
	ix := &hdf5.Indexer{Worker: substitute(t, "kill -SEGV $$")}
	_, err := ix.Build(context.Background(), hdf5Looking())
	if !errors.Is(err, formats.ErrIndexer) || !strings.Contains(err.Error(), "crashed (signal SIGSEGV)") {
		t.Fatalf("got %v, want ErrIndexer naming SIGSEGV", err)
	}
}

func TestWorkerHangs(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	// The hanging worker starts a grandchild too: it must not survive.
	ix := &hdf5.Indexer{
		Worker:  substitute(t, "sleep 300 & echo $! > "+pidFile+"\nwait"),
		Timeout: 2 * time.Second,
	}
	_, err := ix.Build(context.Background(), hdf5Looking())
	if !errors.Is(err, formats.ErrIndexer) || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("got %v, want ErrIndexer saying it timed out", err)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if alive(pid) {
		t.Errorf("the worker's child %d survived", pid)
	}
}

// alive reports whether pid is a live process (not gone, not a zombie
// waiting for init to reap it).
func alive(pid int) bool {
	for range 50 { // the kill is synchronous; reaping by init is not
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil || strings.Contains(string(stat), ") Z ") {
			return false
		}
		if unix.Kill(pid, 0) != nil {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

func TestWorkerCanceled(t *testing.T) {
	ix := &hdf5.Indexer{Worker: substitute(t, "exec sleep 300")}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(200 * time.Millisecond); cancel() }()
	if _, err := ix.Build(ctx, hdf5Looking()); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestWorkerExitsOrBabbles(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"echo 'boom' >&2; exit 3", "exited with status 3 on this file: boom"},
		{"printf 'garbage!garbage!'", "malformed worker message"},
		{"printf 'o\\005\\000\\000\\000{bad}'", "corrupt file"},
	} {
		ix := &hdf5.Indexer{Worker: substitute(t, tc.body)}
		_, err := ix.Build(context.Background(), hdf5Looking())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.body, err, tc.want)
		}
	}
}

func TestNoWorker(t *testing.T) {
	ix := &hdf5.Indexer{Worker: filepath.Join(t.TempDir(), "missing")}
	if _, err := ix.Build(context.Background(), hdf5Looking()); !errors.Is(err, hdf5.ErrNoWorker) || !errors.Is(err, formats.ErrUnsupported) {
		t.Fatalf("got %v, want ErrNoWorker", err)
	}
}

func TestBadFiles(t *testing.T) {
	ix := indexer(t)
	data, _ := makeFile(t)
	garbage := append([]byte("\x89HDF\r\n\x1a\n"), []byte(strings.Repeat("\xff\x01junk", 400))...)
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"not hdf5", []byte(strings.Repeat("SIMPLE  = T", 100)), formats.ErrUnrecognized},
		{"empty", nil, formats.ErrUnrecognized},
		{"garbage after the signature", garbage, formats.ErrCorrupt},
		{"truncated", data[:2000], formats.ErrCorrupt},
		{"superblock only", data[:96], formats.ErrCorrupt},
	} {
		_, err := ix.Build(context.Background(), newObject(tc.data))
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		} else {
			t.Logf("%s: %v", tc.name, err)
		}
	}
}

// TestWorkerMemoryLimit gives the real worker too little address space to
// run: the limit is applied, and its failure is an indexer failure.
func TestWorkerMemoryLimit(t *testing.T) {
	ix := indexer(t)
	data, _ := makeFile(t)
	if _, err := ix.Build(context.Background(), newObject(data)); err != nil {
		t.Fatalf("with the default limit: %v", err)
	}
	ix.MaxMemory = 16 << 20
	_, err := ix.Build(context.Background(), newObject(data))
	if !errors.Is(err, formats.ErrIndexer) {
		t.Fatalf("with 16 MiB: got %v, want ErrIndexer", err)
	}
	t.Log(err)
}

// failingObject fails every read past its first kilobyte, as a store whose
// disk went away would.
type failingObject struct{ *memObject }

var errDiskGone = errors.New("disk gone")

func (f failingObject) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > 1024 {
		return 0, errDiskGone
	}
	return f.memObject.ReadAt(p, off)
}

// TestStoreReadFails: a store failure is reported as itself, not as a
// corrupt file.
func TestStoreReadFails(t *testing.T) {
	ix := indexer(t)
	data, _ := makeFile(t)
	_, err := ix.Build(context.Background(), failingObject{newObject(data)})
	if !errors.Is(err, errDiskGone) || errors.Is(err, formats.ErrCorrupt) {
		t.Fatalf("got %v, want the store's error", err)
	}
}
