package vol

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/server/client"
)

var float64LE = formats.Dtype{Class: formats.ClassFloat, Size: 8, Order: formats.LittleEndian}

// smallDataset makes a 1-D float64 dataset of n elements in chunks of c.
func smallDataset(t testing.TB, at *Object, path string, n, c uint64) *Object {
	t.Helper()
	d, err := at.CreateDataset(path, false, DatasetSpec{
		Type:   float64LE,
		Space:  domain.Space{Class: "simple", Dims: []uint64{n}},
		Layout: domain.Layout{Class: "chunked", Chunks: []uint64{c}, StoredChunks: []uint64{c}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCreateOpenClose(t *testing.T) {
	s := testSettings(t, srv)
	c := newTestConnector(t)
	raw := rawClient(t, srv)
	ctx := context.Background()

	f := must[*File](t)(c.CreateFile(s, "run1.h5", CreateExclusive, []byte{1, 2, 3}))
	if !f.Writable() || f.Name() != "run1.h5" || f.Root() == nil || f.Root().Kind() != domain.KindGroup {
		t.Fatalf("new file: writable %v name %q root %v", f.Writable(), f.Name(), f.Root())
	}
	// The manifest is there from create on, marked, with the root group;
	// a plain HEAD describes the HDF5 file a GET streams from it.
	resp, err := raw.Do(ctx, client.Request{Method: http.MethodHead, Container: s.Container, Object: "run1.h5", Query: url.Values{"multipart-manifest": {"get"}}})
	check(t, err)
	resp.Body.Close()
	if hdr := resp.Header; hdr.Get(headerFormat) != domain.FormatName || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
		t.Errorf("manifest headers: format %q content-type %q", hdr.Get(headerFormat), hdr.Get("Content-Type"))
	}
	hdr, err := raw.HeadObject(ctx, s.Container, "run1.h5", nil)
	check(t, err)
	if hdr.Get("Content-Type") != "application/x-hdf5" {
		t.Errorf("plain HEAD of a manifest: content-type %q, want the streamed file's", hdr.Get("Content-Type"))
	}
	if got := names(t, raw, s.Container, "run1.h5/"); !slices.Equal(got, []string{"run1.h5/.lock", "run1.h5/g/1.json"}) {
		t.Errorf("objects of a new file: %q", got)
	}
	body, _, err := raw.GetObject(ctx, s.Container, "run1.h5/.lock", nil)
	check(t, err)
	var h lockHolder
	check(t, json.NewDecoder(body).Decode(&h))
	body.Close()
	if h.PID != os.Getpid() || h.Host == "" {
		t.Errorf("lock holder %+v", h)
	}
	if ok := must[bool](t)(c.FileAccessible(s, "run1.h5")); !ok {
		t.Error("FileAccessible(open file) = false")
	}
	check(t, f.Close())
	if got := names(t, raw, s.Container, "run1.h5/"); slices.Contains(got, "run1.h5/.lock") {
		t.Errorf("lock left after Close: %q", got)
	}
	if ok := must[bool](t)(c.FileAccessible(s, "run1.h5")); !ok {
		t.Error("FileAccessible(closed file) = false")
	}

	r := must[*File](t)(c.OpenFile(s, "run1.h5", false))
	if r.Writable() || !slices.Equal(r.FCPL(), []byte{1, 2, 3}) {
		t.Errorf("reopened: writable %v fcpl %v", r.Writable(), r.FCPL())
	}
	if _, err := r.Root().CreateGroup("g", false, nil); !errors.Is(err, ErrReadOnly) {
		t.Errorf("CreateGroup on a read-only file: %v", err)
	}
	if got := names(t, raw, s.Container, "run1.h5/"); slices.Contains(got, "run1.h5/.lock") {
		t.Error("a reader took the lock")
	}
	check(t, r.Close())
	if err := r.Close(); !errors.Is(err, ErrInvalid) {
		t.Errorf("second Close: %v", err)
	}
}

func TestCreateModes(t *testing.T) {
	s := testSettings(t, srv)
	c := newTestConnector(t)
	raw := rawClient(t, srv)

	f := must[*File](t)(c.CreateFile(s, "a.h5", CreateExclusive, nil))
	if _, err := c.CreateFile(s, "a.h5", CreateExclusive, nil); !errors.Is(err, ErrExists) {
		t.Errorf("EXCL create of an open file: %v", err)
	}
	if _, err := c.CreateFile(s, "a.h5", CreateTruncate, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("TRUNC create of an open file: %v", err)
	}
	d := smallDataset(t, f.Root(), "d", 100, 10)
	check(t, d.Write(span(0, 100), make([]byte, 800)))
	check(t, f.Close())
	if n := len(names(t, raw, s.Container, "a.h5/d/")); n != 11 {
		t.Fatalf("want 10 chunks and a document, got %d objects", n)
	}
	if _, err := c.CreateFile(s, "a.h5", CreateExclusive, nil); !errors.Is(err, ErrExists) {
		t.Errorf("EXCL create of an existing file: %v", err)
	}
	f = must[*File](t)(c.CreateFile(s, "a.h5", CreateTruncate, nil))
	if got := names(t, raw, s.Container, "a.h5/"); !slices.Equal(got, []string{"a.h5/.lock", "a.h5/g/1.json"}) {
		t.Errorf("after TRUNC: %q", got)
	}
	if l := must[[]domain.Link](t)(f.Root().Links(LinkOrder{})); len(l) != 0 {
		t.Errorf("truncated root has links %v", l)
	}
	check(t, f.Close())
}

func TestOpenErrors(t *testing.T) {
	s := testSettings(t, srv)
	c := newTestConnector(t)
	raw := rawClient(t, srv)
	ctx := context.Background()
	check(t, raw.PutContainer(ctx, s.Container, nil))
	_, err := raw.PutObject(ctx, s.Container, "plain.h5", strings.NewReader("\x89HDF\r\n"), 6, nil)
	check(t, err)
	_, err = raw.PutObject(ctx, s.Container, "fake.h5", strings.NewReader(`{"format":"hdf5-vol","version":99,"root":1,"next_id":2}`), -1,
		http.Header{headerFormat: {domain.FormatName}})
	check(t, err)

	tests := []struct {
		name       string
		s          Settings
		file       string
		want       error
		mentioning string
	}{
		{"missing", s, "nope.h5", ErrNotFound, "nope.h5"},
		{"missing container", s, "no-such-container-xyz/nope.h5", ErrNotFound, "no-such-container-xyz"},
		{"plain object", s, "plain.h5", ErrNotHDF5, "plain.h5"},
		{"newer layout", s, "fake.h5", ErrNotHDF5, "newer"},
		{"no container", Settings{AuthURL: s.AuthURL, User: s.User, Key: s.Key}, "x.h5", ErrNoContainer, "SCISWIFT_CONTAINER"},
		{"no credentials", Settings{Container: "c"}, "x.h5", ErrNoAuth, "ST_AUTH"},
		{"wrong key", Settings{AuthURL: s.AuthURL, User: s.User, Key: "wrong", Container: s.Container}, "x.h5", ErrAuth, "as test:tester: 401 Unauthorized"},
		{"store down", Settings{AuthURL: "http://127.0.0.1:1/auth/v1.0", User: "u", Key: "k", Container: "c"}, "x.h5", ErrUnreachable, "127.0.0.1:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.OpenFile(tt.s, tt.file, false)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.mentioning) {
				t.Errorf("OpenFile: %v; want %v mentioning %q", err, tt.want, tt.mentioning)
			}
			ok, aerr := c.FileAccessible(tt.s, tt.file)
			if ok {
				t.Errorf("FileAccessible = true")
			}
			if (aerr != nil) != (tt.want == ErrAuth || tt.want == ErrNoAuth || tt.want == ErrUnreachable) {
				t.Errorf("FileAccessible error %v", aerr)
			}
		})
	}
}

func TestStoreErrorMessage(t *testing.T) {
	e := &storeError{op: "PUT", path: "sky/run1.h5/d/3/0_1", status: 507, sentinel: ErrStore}
	if got, want := e.Error(), "PUT sky/run1.h5/d/3/0_1: 507 Insufficient Storage: store error"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !errors.Is(e, ErrStore) {
		t.Error("does not unwrap to ErrStore")
	}
}

func TestReauthOnExpiredToken(t *testing.T) {
	s := testSettings(t, srv)
	raw := rawClient(t, srv)
	// A token the store refuses, with credentials to get a good one: the
	// session authenticates again on the 401.
	s.StorageURL, s.Token = raw.StorageURL, "AUTH_tkbogus"
	c := newTestConnector(t)
	f := must[*File](t)(c.CreateFile(s, "x.h5", CreateExclusive, nil))
	check(t, f.Close())
	// Without the credentials the refusal is final.
	s.AuthURL, s.User, s.Key = "", "", ""
	c2 := newTestConnector(t)
	if _, err := c2.OpenFile(s, "x.h5", false); !errors.Is(err, ErrAuth) {
		t.Errorf("bogus token only: %v", err)
	}
}

func TestSameFileSharedInProcess(t *testing.T) {
	s := testSettings(t, srv)
	c := newTestConnector(t)
	raw := rawClient(t, srv)
	f := must[*File](t)(c.CreateFile(s, "shared.h5", CreateExclusive, nil))
	g := must[*File](t)(c.OpenFile(s, s.Container+"/shared.h5", false))
	if g != f {
		t.Fatal("opening an open file gave another *File")
	}
	if h := f.Reopen(); h != f {
		t.Fatal("Reopen gave another *File")
	}
	check(t, f.Close())
	check(t, f.Close())
	if !slices.Contains(names(t, raw, s.Container, "shared.h5/"), "shared.h5/.lock") {
		t.Fatal("lock released before the last Close")
	}
	check(t, g.Close())
	if slices.Contains(names(t, raw, s.Container, "shared.h5/"), "shared.h5/.lock") {
		t.Fatal("lock kept after the last Close")
	}

	r := must[*File](t)(c.OpenFile(s, "shared.h5", false))
	if _, err := c.OpenFile(s, "shared.h5", true); !errors.Is(err, ErrReadOnly) {
		t.Errorf("write open of a file open read-only here: %v", err)
	}
	if r.FileNo() == 0 {
		t.Error("FileNo 0")
	}
	check(t, r.Close())
}

func TestWriteLock(t *testing.T) {
	s := testSettings(t, srv)
	a, b := newTestConnector(t), newTestConnector(t)
	f := must[*File](t)(a.CreateFile(s, "locked.h5", CreateExclusive, nil))
	_, err := b.OpenFile(s, "locked.h5", true)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Fatalf("second writer: %v (want ErrLocked naming the holder)", err)
	}
	if _, err := b.CreateFile(s, "locked.h5", CreateTruncate, nil); !errors.Is(err, ErrLocked) {
		t.Errorf("truncating a locked file: %v", err)
	}
	if err := b.DeleteFile(s, "locked.h5"); !errors.Is(err, ErrLocked) {
		t.Errorf("deleting a locked file: %v", err)
	}
	r := must[*File](t)(b.OpenFile(s, "locked.h5", false))
	check(t, r.Close())
	check(t, f.Close())
	w := must[*File](t)(b.OpenFile(s, "locked.h5", true))
	check(t, w.Close())
}

func TestWriteLockLeaseRenewed(t *testing.T) {
	s := testSettings(t, srv)
	a, b := newTestConnector(t), newTestConnector(t)
	a.leaseTTL, a.leaseRenew = 2*time.Second, 300*time.Millisecond
	f := must[*File](t)(a.CreateFile(s, "lease.h5", CreateExclusive, nil))
	// Well past the lease: only renewal keeps the lock.
	time.Sleep(4 * time.Second)
	if _, err := b.OpenFile(s, "lease.h5", true); !errors.Is(err, ErrLocked) {
		t.Fatalf("lock lapsed although renewed: %v", err)
	}
	check(t, f.Close())
}

func TestWriteLockLeaseLapses(t *testing.T) {
	s := testSettings(t, srv)
	c := newTestConnector(t)
	f := must[*File](t)(c.CreateFile(s, "crashed.h5", CreateExclusive, nil))
	check(t, f.Close())
	// A writer that died: its lock, with a short lease, nobody renews.
	raw := rawClient(t, srv)
	body := `{"host":"deadhost","pid":4242,"since":"2024-01-01T00:00:00Z","id":"x"}`
	_, err := raw.PutObject(context.Background(), s.Container, "crashed.h5/.lock", strings.NewReader(body), int64(len(body)),
		http.Header{"X-Delete-After": {"2"}})
	check(t, err)
	_, err = c.OpenFile(s, "crashed.h5", true)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "deadhost") || !strings.Contains(err.Error(), "4242") {
		t.Fatalf("open while a dead writer's lease runs: %v", err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		f, err := c.OpenFile(s, "crashed.h5", true)
		if err == nil {
			check(t, f.Close())
			return
		}
		if !errors.Is(err, ErrLocked) || time.Now().After(deadline) {
			t.Fatalf("the lease never lapsed: %v", err)
		}
	}
}

func TestDeleteFile(t *testing.T) {
	s := testSettings(t, srv)
	c := newTestConnector(t)
	name := s.Container + "/dir/del.h5" // a path with a directory in it
	raw := rawClient(t, srv)
	f := must[*File](t)(c.CreateFile(s, name, CreateExclusive, nil))
	d := smallDataset(t, f.Root(), "d", 1000, 10)
	check(t, d.Write(span(0, 1000), make([]byte, 8000)))
	if err := c.DeleteFile(s, name); !errors.Is(err, ErrInvalid) {
		t.Errorf("DeleteFile of an open file: %v", err)
	}
	check(t, f.Close())
	if n := len(names(t, raw, s.Container, "dir/del.h5")); n < 100 {
		t.Fatalf("only %d objects before delete", n)
	}
	check(t, c.DeleteFile(s, name))
	if got := names(t, raw, s.Container, "dir/del.h5"); len(got) != 0 {
		t.Errorf("left after DeleteFile: %q", got)
	}
	if ok := must[bool](t)(c.FileAccessible(s, name)); ok {
		t.Error("deleted file still accessible")
	}
	if err := c.DeleteFile(s, name); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting a missing file: %v", err)
	}
}

func TestDeletedUnderOpenFile(t *testing.T) {
	s := testSettings(t, srv)
	c := newTestConnector(t)
	raw := rawClient(t, srv)
	f := must[*File](t)(c.CreateFile(s, "under.h5", CreateExclusive, nil))
	_ = must[*Object](t)(f.Root().CreateGroup("g", false, nil))
	check(t, f.Flush())
	check(t, raw.DeleteObject(context.Background(), s.Container, "under.h5", nil))
	_ = must[*Object](t)(f.Root().CreateGroup("h", false, nil))
	// Whole chunks upload at once, before any flush can notice the deletion.
	d := must[*Object](t)(f.Root().CreateDataset("d", false, DatasetSpec{Type: float64LE,
		Space:  domain.Space{Class: "simple", Dims: []uint64{1 << 18}},
		Layout: domain.Layout{Class: "chunked", Chunks: []uint64{1 << 17}}}))
	check(t, d.Write([]Run{{Offset: 0, Count: 1 << 18}}, make([]byte, 8<<18)))
	if err := f.Flush(); !errors.Is(err, ErrDeletedUnder) {
		t.Fatalf("Flush after the manifest went: %v", err)
	}
	if _, err := f.Root().CreateGroup("i", false, nil); !errors.Is(err, ErrDeletedUnder) {
		t.Errorf("change after ErrDeletedUnder: %v", err)
	}
	if err := f.Close(); !errors.Is(err, ErrDeletedUnder) {
		t.Errorf("Close: %v", err)
	}
	// Close removes what was left under the prefix of the deleted file:
	// documents, the chunks uploaded after the deletion, and the lock.
	if got := names(t, raw, s.Container, "under.h5"); len(got) != 0 {
		t.Errorf("left in the store after the file was deleted: %q", got)
	}
}

func TestManifestReplacedUnderOpenFile(t *testing.T) {
	s := testSettings(t, srv)
	c := newTestConnector(t)
	raw := rawClient(t, srv)
	f := must[*File](t)(c.CreateFile(s, "swap.h5", CreateExclusive, nil))
	m := `{"format":"hdf5-vol","version":1,"root":1,"next_id":50}`
	_, err := raw.PutObject(context.Background(), s.Container, "swap.h5", strings.NewReader(m), int64(len(m)), manifestHeaders())
	check(t, err)
	_ = must[*Object](t)(f.Root().CreateGroup("g", false, nil))
	if err := f.Close(); !errors.Is(err, ErrDeletedUnder) {
		t.Errorf("Close over a replaced manifest: %v", err)
	}
}

// What Flush writes is what another process opening the file sees, and
// Connector.Close flushes and unlocks what is still open.
func TestFlushVisibleToOthers(t *testing.T) {
	s := testSettings(t, srv)
	a, b := NewConnector(), newTestConnector(t)
	f := must[*File](t)(a.CreateFile(s, "vis.h5", CreateExclusive, nil))
	d := smallDataset(t, f.Root(), "d", 100, 30)
	one := bytes.Repeat([]byte{1}, 8*50)
	check(t, d.Write(span(10, 50), one)) // partial chunks: dirty in the cache
	readBack := func() ([]byte, error) {
		r, err := b.OpenFile(s, "vis.h5", false)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		rd, err := r.Root().Resolve("d")
		if err != nil {
			return nil, err
		}
		out := make([]byte, 800)
		return out, rd.Read(span(0, 100), out)
	}
	if _, err := readBack(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("dataset visible before any flush: %v", err)
	}
	check(t, f.Flush())
	want := make([]byte, 800)
	copy(want[80:], one)
	if got, err := readBack(); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("after File.Flush: %v", err)
	}
	two := bytes.Repeat([]byte{2}, 8*5)
	check(t, d.Write(span(90, 5), two))
	check(t, d.Flush())
	copy(want[720:], two)
	if got, err := readBack(); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("after Object.Flush: %v", err)
	}
	three := bytes.Repeat([]byte{3}, 8)
	check(t, d.Write(span(0, 1), three))
	check(t, a.Close()) // the file is still open
	copy(want, three)
	if got, err := readBack(); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("after Connector.Close: %v", err)
	}
	w := must[*File](t)(b.OpenFile(s, "vis.h5", true)) // the lock went too
	check(t, w.Close())
}

func TestDeleteMany(t *testing.T) {
	s := testSettings(t, srv)
	raw := rawClient(t, srv)
	ctx := context.Background()
	check(t, raw.PutContainer(ctx, s.Container, nil))
	odd := []string{"p/a b", "p/ü%20", "p/x?y#z", "p/+plus", "p/new\nline"}
	for _, n := range odd {
		_, err := raw.PutObject(ctx, s.Container, n, strings.NewReader("x"), 1, nil)
		check(t, err)
	}
	sess := newSession(s)
	check(t, sess.ensure(ctx))
	// Bulk delete, with names that need escaping and one already gone.
	check(t, sess.bulkDelete(ctx, s.Container, append(odd[:4:4], "p/never-was")))
	if got := names(t, raw, s.Container, "p/"); !slices.Equal(got, []string{"p/new\nline"}) {
		t.Errorf("after bulk delete: %q", got)
	}
	check(t, sess.parallelDelete(ctx, s.Container, odd[4:], 2))
	if got := names(t, raw, s.Container, "p/"); len(got) != 0 {
		t.Errorf("after parallel delete: %q", got)
	}
}
