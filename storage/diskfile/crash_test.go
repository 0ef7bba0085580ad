package diskfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sciswift/sciswift/server/swift"
	"github.com/sciswift/sciswift/storage/vfs"
)

// recorder logs operations, and fails every one from the nth on once armed
// (n < 0: never), as a crash would.
type recorder struct {
	armed atomic.Bool
	n     int64
	mu    sync.Mutex
	ops   []vfs.Op
}

func (r *recorder) MaybeError(op vfs.Op) error {
	if !r.armed.Load() {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	i := int64(len(r.ops))
	r.ops = append(r.ops, op)
	if r.n >= 0 && i >= r.n {
		return fmt.Errorf("%w: crash at operation %d (%s)", vfs.ErrInjected, i, op)
	}
	return nil
}

// crashCase is a write to crash at each of its steps in turn.
type crashCase struct {
	name  string
	setup func(t *testing.T, d *Device) // on a healthy device
	write func(d *Device) error
	// before is what a reader must see when the write failed before its
	// rename; after, when it succeeded. Either is fine in between.
	before, after string
}

func TestCrashAtEveryStep(t *testing.T) {
	const o = "a/c/o"
	v1 := func(t *testing.T, d *Device) {
		mustPut(t, d, o, "1700000001.00000", "version one", Metadata{"X-Object-Meta-M": "1"})
	}
	cases := []crashCase{
		{"put new object", func(*testing.T, *Device) {}, func(d *Device) error { return put(d, o, ts(t, "1700000002"), "version two", nil) }, "", "version two"},
		{"put over old", v1, func(d *Device) error { return put(d, o, ts(t, "1700000002"), "version two", nil) }, "version one", "version two"},
		{"delete", v1, func(d *Device) error { return d.Delete(part, hashOf(o), o, ts(t, "1700000002")) }, "version one", ""},
		{"post", v1, func(d *Device) error {
			return d.WriteMeta(part, hashOf(o), o, ts(t, "1700000002"), Metadata{"X-Object-Meta-M": "2"})
		}, "version one", "version one+meta"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { crashEachStep(t, c) })
	}
}

func crashEachStep(t *testing.T, c crashCase) {
	// A clean run counts the steps and finds the rename.
	rec := &recorder{n: -1}
	d := newTestDevice(t, vfs.NewErrorFS(vfs.OS(), rec))
	c.setup(t, d)
	rec.armed.Store(true)
	if err := c.write(d); err != nil {
		t.Fatal(err)
	}
	steps, rename := len(rec.ops), -1
	for i, op := range rec.ops {
		if op.Kind == vfs.OpRename && strings.Contains(op.Path, "/"+objectsDir+"/") {
			rename = i
		}
	}
	if rename < 0 {
		t.Fatalf("no rename among %v", rec.ops)
	}
	for n := range steps {
		rec := &recorder{n: int64(n)}
		d := newTestDevice(t, vfs.NewErrorFS(vfs.OS(), rec))
		c.setup(t, d)
		rec.armed.Store(true)
		err := c.write(d)
		failed := rec.ops[n]
		// Restart: a new Device on a healthy FS.
		d2, oerr := OpenDevice(d.Root(), Options{TempMaxAge: 1, ReclaimAge: d.reclm})
		if oerr != nil {
			t.Fatal(oerr)
		}
		got := state(t, d2, "a/c/o")
		switch {
		case err == nil && got != c.after:
			t.Errorf("crash at %d (%s): write succeeded but reads %q, want %q", n, failed, got, c.after)
		case err != nil && n <= rename && got != c.before:
			t.Errorf("crash at %d (%s) before rename: reads %q, want %q", n, failed, got, c.before)
		case got != c.before && got != c.after:
			t.Errorf("crash at %d (%s): reads %q, want %q or %q", n, failed, got, c.before, c.after)
		}
		if left := listDir(t, filepath.Join(d2.Root(), tmpDir)); len(left) != 0 {
			t.Errorf("crash at %d: temp files survive a restart: %v", n, left)
		}
	}
}

// state reads an object back in full, checksum verified: its body, plus
// "+meta" if its metadata came from a POST, or "" if not found.
func state(t *testing.T, d *Device, name string) string {
	t.Helper()
	body, m, err := read(t, d, name)
	if errors.Is(err, swift.ErrNotFound) {
		return ""
	}
	if err != nil {
		t.Fatalf("reading back: %v", err)
	}
	if m["X-Object-Meta-M"] == "2" {
		body += "+meta"
	}
	return body
}

func TestFailedSyncPoisonsDevice(t *testing.T) {
	var fail atomic.Bool
	fs := vfs.NewErrorFS(vfs.OS(), vfs.InjectorFunc(func(op vfs.Op) error {
		if fail.Load() && op.Kind == vfs.OpSync && strings.Contains(op.Path, "/"+objectsDir+"/") {
			return vfs.ErrInjected
		}
		return nil
	}))
	d := newTestDevice(t, fs)
	mustPut(t, d, "a/c/o", "1700000001.00000", "one", nil)
	fail.Store(true)
	if err := put(d, "a/c/o", ts(t, "1700000002"), "two", nil); !errors.Is(err, swift.ErrInsufficientStorage) {
		t.Fatalf("err = %v, want ErrInsufficientStorage", err)
	}
	if got := state(t, d, "a/c/o"); got != "one" {
		t.Errorf("after failed sync reads %q, want the old version", got)
	}
	fail.Store(false)
	if err := put(d, "a/c/x", ts(t, "1700000003"), "x", nil); !errors.Is(err, swift.ErrInsufficientStorage) {
		t.Errorf("write after a failed sync: %v, want the device to stay failed", err)
	}
}

// TestSyncerBatches holds the first batch's sync until many writers have
// queued, and checks they then share one batch.
func TestSyncerBatches(t *testing.T) {
	release := make(chan struct{})
	var syncs, syncfs atomic.Int64
	var first sync.Once
	fs := vfs.NewErrorFS(vfs.OS(), vfs.InjectorFunc(func(op vfs.Op) error {
		switch op.Kind {
		case vfs.OpSync:
			syncs.Add(1)
			first.Do(func() { <-release })
		case vfs.OpSyncFS:
			syncfs.Add(1)
		}
		return nil
	}))
	dir := t.TempDir()
	s := newSyncer(fs, dir)
	const writers = 20
	var wg sync.WaitGroup
	errs := make(chan error, writers+1)
	wg.Go(func() { errs <- s.syncDirs([]string{dir}) })
	waitFor(t, func() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.running })
	for i := range writers {
		sub := filepath.Join(dir, fmt.Sprint(i))
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() { errs <- s.syncDirs([]string{sub}) })
	}
	waitFor(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.dirs) == writers && waiting(s) == writers
	})
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// One batch before the hold, one fsync; one after, carrying all the
	// writers' directories in one syncfs.
	if syncs.Load() != 1 || syncfs.Load() != 1 {
		t.Errorf("%d writers took %d fsyncs and %d syncfs, want 1 and 1", writers+1, syncs.Load(), syncfs.Load())
	}
}

func waiting(s *syncer) int { return s.waiting }

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 5000 {
		if cond() {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("condition never held")
}

func TestFullDiskDoesNotPoison(t *testing.T) {
	for _, where := range []string{tmpDir, objectsDir} {
		t.Run(where, func(t *testing.T) {
			var full atomic.Bool
			var prefix string // set before full
			fs := vfs.NewErrorFS(vfs.OS(), vfs.InjectorFunc(func(op vfs.Op) error {
				if !full.Load() {
					return nil
				}
				// A full disk fails the data sync of temp files, or the
				// syncs (fsync or syncfs) of the directories.
				syncs := op.Kind == vfs.OpSync && strings.HasPrefix(op.Path, prefix)
				if syncs || (op.Kind == vfs.OpSyncFS && where == objectsDir) {
					return &os.PathError{Op: "fsync", Path: op.Path, Err: syscall.ENOSPC}
				}
				return nil
			}))
			d := newTestDevice(t, fs)
			prefix = filepath.Join(d.Root(), where)
			full.Store(true)
			if err := put(d, "a/c/o", ts(t, "1700000001"), "x", nil); !errors.Is(err, swift.ErrInsufficientStorage) {
				t.Fatalf("err = %v, want ErrInsufficientStorage", err)
			}
			if got := state(t, d, "a/c/o"); got != "" {
				t.Errorf("failed write visible: %q", got)
			}
			full.Store(false)
			if err := put(d, "a/c/o", ts(t, "1700000002"), "y", nil); err != nil {
				t.Errorf("after space was freed: %v", err)
			}
			if got := state(t, d, "a/c/o"); got != "y" {
				t.Errorf("reads %q", got)
			}
		})
	}
}
