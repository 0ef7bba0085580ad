package diskfile

import (
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

func TestSuffixHashes(t *testing.T) {
	a, b := newTestDevice(t, nil), newTestDevice(t, nil)
	objs := []string{"a/c/o1", "a/c/o2", "a/c/o3"}
	for _, d := range []*Device{a, b} {
		for _, o := range objs {
			mustPut(t, d, o, "1700000001.00000", o, nil)
		}
	}
	ha, err := a.SuffixHashes(part)
	if err != nil {
		t.Fatal(err)
	}
	hb, _ := b.SuffixHashes(part)
	if len(ha) != len(objs) || !maps.Equal(ha, hb) {
		t.Fatalf("replicas with the same objects disagree: %v vs %v", ha, hb)
	}
	if again, _ := a.SuffixHashes(part); !maps.Equal(again, ha) {
		t.Errorf("hashes changed with no write: %v vs %v", again, ha)
	}
	suffix := hashOf("a/c/o2")[29:]

	steps := []struct {
		name  string
		write func(d *Device) error
	}{
		{"put", func(d *Device) error { return put(d, "a/c/o2", ts(t, "1700000002"), "new", nil) }},
		{"post", func(d *Device) error { return d.WriteMeta(part, hashOf("a/c/o2"), "a/c/o2", ts(t, "1700000003"), nil) }},
		{"delete", func(d *Device) error { return d.Delete(part, hashOf("a/c/o2"), "a/c/o2", ts(t, "1700000004")) }},
	}
	for _, s := range steps {
		if err := s.write(a); err != nil {
			t.Fatal(err)
		}
		ha2, _ := a.SuffixHashes(part)
		if ha2[suffix] == ha[suffix] {
			t.Errorf("%s: suffix %s hash unchanged", s.name, suffix)
		}
		for k, v := range ha {
			if k != suffix && ha2[k] != v {
				t.Errorf("%s: unrelated suffix %s changed", s.name, k)
			}
		}
		if err := s.write(b); err != nil {
			t.Fatal(err)
		}
		if hb2, _ := b.SuffixHashes(part); !maps.Equal(ha2, hb2) {
			t.Errorf("%s: replicas disagree after the same write", s.name)
		}
		ha = ha2
	}
	// A fresh Device (a restart) computes the same hashes from disk.
	a2, err := OpenDevice(a.Root(), Options{ReclaimAge: a.reclm})
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := a2.SuffixHashes(part); !maps.Equal(h, ha) {
		t.Errorf("after restart %v, want %v", h, ha)
	}
	if h, err := a.SuffixHashes("99"); err != nil || len(h) != 0 {
		t.Errorf("empty partition: %v %v", h, err)
	}
	if _, err := a.SuffixHashes("../x"); err == nil {
		t.Error("bad partition accepted")
	}
}

func TestSuffixCacheRace(t *testing.T) {
	var c suffixCache
	c.parts = map[string]map[string]*suffixEntry{}
	_, gen, _ := c.lookup("1", "abc")
	c.invalidate("1", "abc") // a write lands while the hash is computed
	c.store("1", "abc", gen, "stale")
	if _, _, ok := c.lookup("1", "abc"); ok {
		t.Error("a hash computed before an invalidation was kept")
	}
}

func update(obj, at string) AsyncUpdate {
	return AsyncUpdate{Op: "PUT", Account: "a", Container: "c", Object: obj,
		Headers: http.Header{swift.HeaderTimestamp: {at}, swift.HeaderSize: {"3"}},
		Host:    "127.0.0.1:6201", Device: "d2", Partition: "5"}
}

func walkAll(t *testing.T, d *Device) []PendingUpdate {
	t.Helper()
	var out []PendingUpdate
	if err := d.WalkAsyncPending(func(p PendingUpdate) error { out = append(out, p); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAsyncPending(t *testing.T) {
	d := newTestDevice(t, nil)
	if got := walkAll(t, d); len(got) != 0 {
		t.Fatalf("fresh device has pendings %v", got)
	}
	for _, u := range []AsyncUpdate{update("o1", "1700000001.00000"), update("o2", "1700000001.00000"), update("o1", "1700000002.00000")} {
		if err := d.SaveAsyncPending(u); err != nil {
			t.Fatal(err)
		}
	}
	other := update("o1", "1700000001.00000")
	other.Host = "127.0.0.1:6202" // same row, another replica: not superseded
	if err := d.SaveAsyncPending(other); err != nil {
		t.Fatal(err)
	}
	got := walkAll(t, d)
	if len(got) != 3 {
		t.Fatalf("walk found %d updates, want 3 (the older o1 superseded): %+v", len(got), got)
	}
	seen := map[string]string{}
	for _, p := range got {
		seen[p.Update.Object+" "+p.Update.Host] = p.Timestamp.Internal()
		if p.Update.Headers.Get(swift.HeaderSize) != "3" || p.Update.Device != "d2" {
			t.Errorf("update did not round-trip: %+v", p.Update)
		}
	}
	if seen["o1 127.0.0.1:6201"] != "1700000002.00000" || seen["o1 127.0.0.1:6202"] != "1700000001.00000" {
		t.Errorf("walk saw %v", seen)
	}
	for _, p := range got {
		if err := d.RemoveAsyncPending(p.ID); err != nil {
			t.Fatal(err)
		}
	}
	if got := walkAll(t, d); len(got) != 0 {
		t.Errorf("after removal: %v", got)
	}
	for _, id := range []string{"../x", "abc/../../x", "abc", "xyz/a", "abc/.."} {
		if err := d.RemoveAsyncPending(id); err == nil {
			t.Errorf("RemoveAsyncPending(%q) accepted", id)
		}
	}
	if err := d.SaveAsyncPending(AsyncUpdate{Op: "PUT"}); err == nil {
		t.Error("update without X-Timestamp saved")
	}
}

func TestAsyncPendingCorruptQuarantined(t *testing.T) {
	d := newTestDevice(t, nil)
	if err := d.SaveAsyncPending(update("o1", "1700000001.00000")); err != nil {
		t.Fatal(err)
	}
	p := walkAll(t, d)[0]
	path := filepath.Join(d.Root(), asyncDir, p.ID)
	truncate(t, path, 10)
	if got := walkAll(t, d); len(got) != 0 {
		t.Errorf("corrupt update delivered: %v", got)
	}
	if _, err := os.Stat(filepath.Join(d.Root(), quarantineDir, asyncDir, filepath.Base(p.ID))); err != nil {
		t.Errorf("not quarantined: %v", err)
	}
}
