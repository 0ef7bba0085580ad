package vol

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sciswift/sciswift/formats/domain"
)

// The store goes away while chunks are being written: the error surfaces
// from Write, Flush or Close (none of them hangs), and names the operation.
func TestServerStoppedMidWrite(t *testing.T) {
	own := ownServer(t)
	s := testSettings(t, own)
	s.CacheBytes = 4 << 20
	c := newTestConnector(t)
	f := must[*File](t)(c.CreateFile(s, "stop.h5", CreateExclusive, nil))
	d := smallDataset(t, f.Root(), "d", 1<<20, 1<<15) // 8 MiB in 256 KiB chunks
	chunk := make([]byte, 8<<15)
	check(t, d.Write(span(0, 1<<15), chunk))
	check(t, own.stop())

	var werr error
	for i := uint64(1); i < 32 && werr == nil; i++ {
		werr = d.Write(span(i<<15, 1<<15), chunk)
	}
	ferr := f.Flush()
	cerr := f.Close()
	first := werr
	if first == nil {
		first = ferr
	}
	if first == nil {
		first = cerr
	}
	if first == nil {
		t.Fatal("writes to a stopped store reported no error")
	}
	if !errors.Is(first, ErrUnreachable) || !strings.Contains(first.Error(), "PUT ") || !strings.Contains(first.Error(), "stop.h5/") {
		t.Errorf("error %q: want ErrUnreachable naming the PUT and the object", first)
	}
	if cerr == nil {
		t.Errorf("Close of a file whose data never reached the store: nil error")
	}
}

// A store that refuses writes (here: its only device vanished, which the
// proxy reports as 503) gives ErrStore with the status; once it is back,
// the next Flush sends what is still dirty.
func TestStoreRefusesWrites(t *testing.T) {
	own := ownServer(t)
	s := testSettings(t, own)
	c := newTestConnector(t)
	f := must[*File](t)(c.CreateFile(s, "refuse.h5", CreateExclusive, nil))
	d := must[*Object](t)(f.Root().CreateDataset("d", false, DatasetSpec{Type: float64LE,
		Space:  domain.Space{Class: "simple", Dims: []uint64{64}},
		Layout: domain.Layout{Class: "chunked", Chunks: []uint64{16}, StoredChunks: []uint64{16}}}))
	check(t, d.Write(span(0, 64), make([]byte, 8*64))) // cached from here on
	check(t, f.Flush())

	dev := filepath.Join(own.data, "d1")
	check(t, os.Rename(dev, dev+".away"))
	// A whole chunk (uploaded at once, and failing in the background) and
	// a partial write to a cached chunk (dirty until Flush).
	whole := bytes.Repeat([]byte{5}, 8*16)
	if err := d.Write(span(16, 16), whole); err != nil && !errors.Is(err, ErrStore) {
		t.Fatalf("Write: %v", err)
	}
	src := bytes.Repeat([]byte{7}, 8*10)
	if err := d.Write(span(2, 10), src); err != nil && !errors.Is(err, ErrStore) {
		t.Fatalf("Write: %v", err)
	}
	err := f.Flush()
	if !errors.Is(err, ErrStore) || !strings.Contains(err.Error(), "503 Service Unavailable") || !strings.Contains(err.Error(), "refuse.h5") {
		t.Fatalf("Flush while the store refuses: %v", err)
	}
	check(t, os.Rename(dev+".away", dev))
	// The proxy may still answer 503 for a moment after the device is
	// back; the point is that the dirty chunks survive until a flush works.
	err = f.Flush()
	for i := 0; err != nil && errors.Is(err, ErrStore) && i < 20; i++ {
		time.Sleep(250 * time.Millisecond)
		err = f.Flush()
	}
	check(t, err)
	f = reopen(t, c, s, f, false)
	d = must[*Object](t)(f.Root().Resolve("d"))
	got := readAll(t, d, span(0, 64), 8)
	want := make([]byte, 8*64)
	copy(want[8*2:], src)
	copy(want[8*16:], whole)
	if !bytes.Equal(got, want) {
		t.Error("data written while the store refused was lost")
	}
	check(t, f.Close())
}
