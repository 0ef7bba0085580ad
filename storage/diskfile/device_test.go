package diskfile

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sciswift/sciswift/server/swift"
	"github.com/sciswift/sciswift/storage/vfs"
)

const part = "17"

func hashOf(name string) string {
	sum := md5.Sum([]byte(name))
	return hex.EncodeToString(sum[:])
}

func ts(t testing.TB, s string) swift.Timestamp {
	t.Helper()
	v, err := swift.ParseTimestamp(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func newTestDevice(t testing.TB, fs vfs.FS) *Device {
	t.Helper()
	root := filepath.Join(t.TempDir(), "d1")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	// Test timestamps are from 2023; keep their tombstones.
	d, err := OpenDevice(root, Options{FS: fs, TempMaxAge: 1, ReclaimAge: 100 * 365 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func put(d *Device, name string, at swift.Timestamp, body string, meta Metadata) error {
	w, err := d.Create(part, hashOf(name), name, at, int64(len(body)))
	if err != nil {
		return err
	}
	defer w.Abort()
	if _, err := io.WriteString(w, body); err != nil {
		return err
	}
	return w.Commit(meta)
}

func mustPut(t testing.TB, d *Device, name, at, body string, meta Metadata) {
	t.Helper()
	if err := put(d, name, ts(t, at), body, meta); err != nil {
		t.Fatal(err)
	}
}

// read returns the body through the verifying reader and the metadata.
func read(t testing.TB, d *Device, name string) (string, Metadata, error) {
	t.Helper()
	o, err := d.Open(part, hashOf(name), name)
	if err != nil {
		return "", nil, err
	}
	defer o.Close()
	b, err := io.ReadAll(o.Reader())
	return string(b), o.Metadata(), err
}

func hashDir(d *Device, name string) string {
	h := hashOf(name)
	return filepath.Join(d.Root(), objectsDir, part, h[29:], h)
}

func listDir(t testing.TB, dir string) []string {
	t.Helper()
	names, err := vfs.OS().ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return names
}

func TestPutGet(t *testing.T) {
	d := newTestDevice(t, nil)
	mustPut(t, d, "a/c/o", "1700000001.00000", "hello", Metadata{KeyContentType: "text/plain", "X-Object-Meta-Color": "blue"})
	body, m, err := read(t, d, "a/c/o")
	if err != nil {
		t.Fatal(err)
	}
	want := Metadata{
		KeyName: "a/c/o", KeyTimestamp: "1700000001.00000", KeyContentType: "text/plain",
		KeyContentLength: "5", KeyETag: "5d41402abc4b2a76b9719d911017c592", "X-Object-Meta-Color": "blue",
	}
	if body != "hello" || fmt.Sprint(m) != fmt.Sprint(want) {
		t.Errorf("read %q %v; want hello %v", body, m, want)
	}
	if got := listDir(t, hashDir(d, "a/c/o")); len(got) != 1 || got[0] != "1700000001.00000.data" {
		t.Errorf("hash dir holds %v", got)
	}
	if got := listDir(t, filepath.Join(d.Root(), tmpDir)); len(got) != 0 {
		t.Errorf("temp files left: %v", got)
	}
}

func TestReadAtRanges(t *testing.T) {
	d := newTestDevice(t, nil)
	mustPut(t, d, "a/c/o", "1700000001.00000", "0123456789", nil)
	o, err := d.Open(part, hashOf("a/c/o"), "a/c/o")
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	tests := []struct {
		off, n  int
		want    string
		wantEOF bool
	}{
		{0, 10, "0123456789", false},
		{3, 4, "3456", false},
		{8, 5, "89", true},
		{10, 1, "", true},
		{12, 1, "", true},
	}
	for _, tt := range tests {
		p := make([]byte, tt.n)
		n, err := o.ReadAt(p, int64(tt.off))
		if string(p[:n]) != tt.want || (err == io.EOF) != tt.wantEOF || (err != nil && err != io.EOF) {
			t.Errorf("ReadAt(%d, %d) = %q, %v; want %q eof=%v", tt.off, tt.n, p[:n], err, tt.want, tt.wantEOF)
		}
	}
}

func TestVersions(t *testing.T) {
	d := newTestDevice(t, nil)
	const o = "a/c/o"
	mustPut(t, d, o, "1700000001.00000", "v1", Metadata{KeyContentType: "a/b", "X-Object-Meta-A": "1", "X-Object-Sysmeta-S": "s", "Content-Encoding": "gzip"})
	mustPut(t, d, o, "1700000003.00000", "v3", Metadata{KeyContentType: "a/b"})
	// A late write of an older version is obsolete on arrival.
	mustPut(t, d, o, "1700000002.00000", "v2", Metadata{KeyContentType: "a/b"})
	if body, _, _ := read(t, d, o); body != "v3" {
		t.Errorf("body %q, want v3", body)
	}
	if got := listDir(t, hashDir(d, o)); len(got) != 1 {
		t.Errorf("old versions not cleaned up: %v", got)
	}

	// fast-POST: .meta replaces user metadata and Content-Type, keeps sysmeta.
	mustPut(t, d, o, "1700000004.00000", "v4", Metadata{KeyContentType: "a/b", "X-Object-Meta-A": "1", "X-Object-Sysmeta-S": "s", "Content-Encoding": "gzip"})
	if err := d.WriteMeta(part, hashOf(o), o, ts(t, "1700000005.00000"), Metadata{"X-Object-Meta-B": "2", KeyContentType: "new/type", KeyContentTypeTimestamp: "1700000005.00000"}); err != nil {
		t.Fatal(err)
	}
	obj, err := d.Open(part, hashOf(o), o)
	if err != nil {
		t.Fatal(err)
	}
	m := obj.Metadata()
	obj.Close()
	checks := map[string]string{
		"X-Object-Meta-A": "", "X-Object-Meta-B": "2", "X-Object-Sysmeta-S": "s", "Content-Encoding": "",
		KeyContentType: "new/type", KeyTimestamp: "1700000005.00000", KeyETag: md5hex("v4"), KeyContentLength: "2",
	}
	for k, want := range checks {
		if m[k] != want {
			t.Errorf("after POST %s = %q, want %q", k, m[k], want)
		}
	}
	if obj.DataTimestamp().Internal() != "1700000004.00000" || obj.Timestamp().Internal() != "1700000005.00000" || obj.ContentTypeTimestamp().Internal() != "1700000005.00000" {
		t.Errorf("timestamps data=%v ts=%v ctype=%v", obj.DataTimestamp(), obj.Timestamp(), obj.ContentTypeTimestamp())
	}
	// A PUT after the POST makes the .meta obsolete.
	mustPut(t, d, o, "1700000006.00000", "v6", Metadata{KeyContentType: "x/y"})
	if _, m, _ := read(t, d, o); m["X-Object-Meta-B"] != "" || m[KeyContentType] != "x/y" {
		t.Errorf("stale .meta applied to a newer .data: %v", m)
	}
	if got := listDir(t, hashDir(d, o)); len(got) != 1 {
		t.Errorf("hash dir holds %v", got)
	}

	if err := d.Delete(part, hashOf(o), o, ts(t, "1700000007.00000")); err != nil {
		t.Fatal(err)
	}
	_, _, err = read(t, d, o)
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Tombstone.Internal() != "1700000007.00000" || !errors.Is(err, swift.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if got := listDir(t, hashDir(d, o)); len(got) != 1 || got[0] != "1700000007.00000.ts" {
		t.Errorf("hash dir holds %v", got)
	}
}

func md5hex(s string) string { return hashOf(s) }

func TestNotFound(t *testing.T) {
	d := newTestDevice(t, nil)
	_, err := d.Open(part, hashOf("nope"), "nope")
	var nf *NotFoundError
	if !errors.As(err, &nf) || !nf.Tombstone.IsZero() || nf.Quarantined {
		t.Errorf("err = %#v", err)
	}
}

func TestCollision(t *testing.T) {
	d := newTestDevice(t, nil)
	mustPut(t, d, "a/c/o", "1700000001.00000", "x", nil)
	if _, err := d.Open(part, hashOf("a/c/o"), "a/c/other"); !errors.Is(err, swift.ErrForbidden) {
		t.Errorf("opening another name under the same hash: %v", err)
	}
}

func TestInvalidLocation(t *testing.T) {
	d := newTestDevice(t, nil)
	tests := []struct{ part, hash string }{
		{"..", hashOf("x")}, {"", hashOf("x")}, {"1/2", hashOf("x")}, {"12345678901", hashOf("x")}, {"-1", hashOf("x")},
		{"1", ".."}, {"1", "../../../../etc/passwd"}, {"1", strings.ToUpper(hashOf("x"))}, {"1", hashOf("x") + "0"}, {"1", "\x00"},
	}
	for _, tt := range tests {
		if _, err := d.Create(tt.part, tt.hash, "x", ts(t, "1700000001"), 0); !errors.Is(err, swift.ErrBadRequest) {
			t.Errorf("Create(%q, %q) = %v, want ErrBadRequest", tt.part, tt.hash, err)
		}
		if _, err := d.Open(tt.part, tt.hash, "x"); !errors.Is(err, swift.ErrBadRequest) {
			t.Errorf("Open(%q, %q) = %v, want ErrBadRequest", tt.part, tt.hash, err)
		}
	}
}

func TestMissingDevice(t *testing.T) {
	_, err := OpenDevice(filepath.Join(t.TempDir(), "absent"), Options{})
	if !errors.Is(err, swift.ErrInsufficientStorage) {
		t.Errorf("err = %v, want ErrInsufficientStorage", err)
	}
}

func TestStaleTempsRemoved(t *testing.T) {
	d := newTestDevice(t, nil)
	stale := filepath.Join(d.Root(), tmpDir, "tmp-left-by-a-crash")
	if err := os.WriteFile(stale, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenDevice(d.Root(), Options{TempMaxAge: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temp file survived reopening: %v", err)
	}
}

func TestBigMetadataFits(t *testing.T) {
	d := newTestDevice(t, nil)
	m := bigMeta()
	mustPut(t, d, "a/c/o", "1700000001.00000", "x", m)
	_, got, err := read(t, d, "a/c/o")
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range m {
		if got[k] != v {
			t.Fatalf("%s lost", k)
		}
	}
}

// TestQuarantine damages a stored .data in ways a crash or a bad disk
// could, and checks that the read notices, moves the hash directory to
// quarantine and answers not found.
func TestQuarantine(t *testing.T) {
	body := strings.Repeat("0123456789", 1000)
	tests := []struct {
		name   string
		damage func(t *testing.T, path string)
		// atOpen: found when opening; else only by a full read.
		atOpen bool
	}{
		{"truncated to zero", func(t *testing.T, p string) { truncate(t, p, 0) }, true},
		{"truncated", func(t *testing.T, p string) { truncate(t, p, 5000) }, true},
		{"last byte cut", func(t *testing.T, p string) { truncate(t, p, size(t, p)-1) }, true},
		{"metadata flipped", func(t *testing.T, p string) { flip(t, p, size(t, p)-trailerSize-3) }, true},
		{"trailer flipped", func(t *testing.T, p string) { flip(t, p, size(t, p)-10) }, true},
		{"body flipped", func(t *testing.T, p string) { flip(t, p, 4321) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newTestDevice(t, nil)
			mustPut(t, d, "a/c/o", "1700000001.00000", body, nil)
			dir := hashDir(d, "a/c/o")
			tt.damage(t, filepath.Join(dir, "1700000001.00000.data"))
			o, err := d.Open(part, hashOf("a/c/o"), "a/c/o")
			if !tt.atOpen {
				if err != nil {
					t.Fatalf("open: %v", err)
				}
				_, err = io.ReadAll(o.Reader())
				o.Close()
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("full read err = %v, want ErrCorrupt", err)
				}
				_, err = d.Open(part, hashOf("a/c/o"), "a/c/o")
			}
			var nf *NotFoundError
			if !errors.As(err, &nf) {
				t.Fatalf("err = %v, want NotFoundError", err)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("hash dir still in place: %v", err)
			}
			q := filepath.Join(d.Root(), quarantineDir, objectsDir, hashOf("a/c/o"), "1700000001.00000.data")
			if _, err := os.Stat(q); err != nil {
				t.Errorf("not quarantined: %v", err)
			}
			// The name is usable again.
			mustPut(t, d, "a/c/o", "1700000002.00000", "new", nil)
			if got, _, err := read(t, d, "a/c/o"); got != "new" || err != nil {
				t.Errorf("after quarantine: %q %v", got, err)
			}
		})
	}
}

func TestQuarantineTwice(t *testing.T) {
	d := newTestDevice(t, nil)
	for _, at := range []string{"1700000001.00000", "1700000002.00000"} {
		mustPut(t, d, "a/c/o", at, "body", nil)
		truncate(t, filepath.Join(hashDir(d, "a/c/o"), at+".data"), 1)
		if _, err := d.Open(part, hashOf("a/c/o"), "a/c/o"); !errors.Is(err, swift.ErrNotFound) {
			t.Fatalf("err = %v", err)
		}
	}
	got := listDir(t, filepath.Join(d.Root(), quarantineDir, objectsDir))
	if len(got) != 2 {
		t.Errorf("quarantine holds %v, want two directories", got)
	}
}

func truncate(t *testing.T, p string, n int64) {
	if err := os.Truncate(p, n); err != nil {
		t.Fatal(err)
	}
}

func size(t *testing.T, p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func flip(t *testing.T, p string, off int64) {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[off] ^= 0x55
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLargeObjectStreams(t *testing.T) {
	d := newTestDevice(t, nil)
	const size = 3*writebackWindow + 12345
	w, err := d.Create(part, hashOf("big"), "big", ts(t, "1700000001"), size)
	if err != nil {
		t.Fatal(err)
	}
	src := io.LimitReader(patternReader{}, size)
	want := md5.New()
	if _, err := io.Copy(io.MultiWriter(w, want), src); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(Metadata{KeyContentType: "application/octet-stream"}); err != nil {
		t.Fatal(err)
	}
	o, err := d.Open(part, hashOf("big"), "big")
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	got := md5.New()
	n, err := io.Copy(got, o.Reader())
	if err != nil || n != size || !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Errorf("read back %d bytes, %v; md5 match %v", n, err, bytes.Equal(got.Sum(nil), want.Sum(nil)))
	}
}

type patternReader struct{}

func (patternReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i*7 + i>>8)
	}
	return len(p), nil
}

func TestTombstoneReclaimed(t *testing.T) {
	d := newTestDevice(t, nil)
	d.reclm = time.Hour
	old := swift.FromTime(time.Now().Add(-2 * time.Hour))
	if err := put(d, "a/c/o", old, "x", nil); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(part, hashOf("a/c/o"), "a/c/o", swift.FromTime(time.Now().Add(-90*time.Minute))); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(hashDir(d, "a/c/o")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("hash dir of a reclaimed tombstone still there: %v", listDir(t, hashDir(d, "a/c/o")))
	}
	if err := d.Delete(part, hashOf("a/c/o"), "a/c/o", swift.Now()); err != nil {
		t.Fatal(err)
	}
	if got := listDir(t, hashDir(d, "a/c/o")); len(got) != 1 {
		t.Errorf("recent tombstone: dir holds %v", got)
	}
}

// TestConcurrentWriters runs writers of distinct and shared objects at once
// (run it with -race): every distinct object must read back, and each
// shared one must hold one of the versions written, complete.
func TestConcurrentWriters(t *testing.T) {
	d := newTestDevice(t, nil)
	const writers, each = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers*each*2)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				at := swift.TimestampFromSeconds(1700000000 + int64(i)).WithOffset(int64(w + 1))
				errs <- put(d, fmt.Sprintf("a/c/own-%d-%d", w, i), at, fmt.Sprint(w, i), nil)
				errs <- put(d, fmt.Sprintf("a/c/shared-%d", i%3), at, fmt.Sprint("shared ", w, i), nil)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for w := range writers {
		for i := range each {
			if body, _, err := read(t, d, fmt.Sprintf("a/c/own-%d-%d", w, i)); err != nil || body != fmt.Sprint(w, i) {
				t.Errorf("own-%d-%d: %q %v", w, i, body, err)
			}
		}
	}
	for i := range 3 {
		body, _, err := read(t, d, fmt.Sprintf("a/c/shared-%d", i))
		if err != nil || !strings.HasPrefix(body, "shared ") {
			t.Errorf("shared-%d: %q %v", i, body, err)
		}
		if got := listDir(t, hashDir(d, fmt.Sprintf("a/c/shared-%d", i))); len(got) != 1 {
			t.Errorf("shared-%d: hash dir holds %v", i, got)
		}
	}
}
