package domain

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestKeys(t *testing.T) {
	if got := Prefix("run1.h5"); got != "run1.h5/" {
		t.Errorf("Prefix = %q", got)
	}
	if got := LockKey("a/b.h5"); got != "a/b.h5/.lock" {
		t.Errorf("LockKey = %q", got)
	}
	docs := []struct {
		name string
		kind Kind
		id   uint64
		want string
	}{
		{"run1.h5", KindGroup, 1, "run1.h5/g/1.json"},
		{"dir/run1.h5", KindDataset, 42, "dir/run1.h5/d/42.json"},
		{"x", KindNamedType, ^uint64(0), "x/t/18446744073709551615.json"},
		{"x", Kind("link"), 3, ""},
	}
	for _, tt := range docs {
		got := DocKey(tt.name, tt.kind, tt.id)
		if got != tt.want {
			t.Errorf("DocKey(%q, %q, %d) = %q, want %q", tt.name, tt.kind, tt.id, got, tt.want)
			continue
		}
		if got == "" {
			continue
		}
		name, kind, id, err := ParseDocKey(got)
		if err != nil || name != tt.name || kind != tt.kind || id != tt.id {
			t.Errorf("ParseDocKey(%q) = %q, %q, %d, %v", got, name, kind, id, err)
		}
	}
	chunks := []struct {
		name  string
		id    uint64
		index []uint64
		want  string
	}{
		{"run1.h5", 7, []uint64{0, 12, 3}, "run1.h5/d/7/0_12_3"},
		{"a/b/c.h5", 1, []uint64{5}, "a/b/c.h5/d/1/5"},
		{"s.h5", 2, nil, "s.h5/d/2/0"},
		{"s.h5", 2, []uint64{^uint64(0), 1}, "s.h5/d/2/18446744073709551615_1"},
	}
	for _, tt := range chunks {
		got := ChunkKey(tt.name, tt.id, tt.index)
		if got != tt.want {
			t.Errorf("ChunkKey(%q, %d, %v) = %q, want %q", tt.name, tt.id, tt.index, got, tt.want)
		}
		name, id, index, err := ParseChunkKey(got)
		want := tt.index
		if len(want) == 0 {
			want = []uint64{0}
		}
		if err != nil || name != tt.name || id != tt.id || !slices.Equal(index, want) {
			t.Errorf("ParseChunkKey(%q) = %q, %d, %v, %v", got, name, id, index, err)
		}
	}
}

func TestParseKeysReject(t *testing.T) {
	badChunks := []string{
		"", "x", "x/d/1", "/d/1/0", "x/g/1/0", "x/d/01/0", "x/d/1/00", "x/d/1/0__1", "x/d/1/_1",
		"x/d/1/1_", "x/d/1/+1", "x/d/1/-1", "x/d/1/18446744073709551616", "x/d//0", "x/d/1/",
		"x/d/1/" + strings.Repeat("0_", 32) + "0", "x/d/1.json",
	}
	for _, k := range badChunks {
		if _, _, _, err := ParseChunkKey(k); !errors.Is(err, ErrBadKey) {
			t.Errorf("ParseChunkKey(%q) = %v, want ErrBadKey", k, err)
		}
	}
	badDocs := []string{
		"", "x", "x/g/1", "x/q/1.json", "/g/1.json", "x/g/.json", "x/g/01.json", "x/d/1/0", "x/g/1.json.json", "x/g/ 1.json",
	}
	for _, k := range badDocs {
		if _, _, _, err := ParseDocKey(k); !errors.Is(err, ErrBadKey) {
			t.Errorf("ParseDocKey(%q) = %v, want ErrBadKey", k, err)
		}
	}
}

func TestManifestCheck(t *testing.T) {
	good := Manifest{Format: FormatName, Version: Version, Root: 1, NextID: 2}
	tests := []struct {
		name string
		m    func(Manifest) Manifest
		ok   bool
	}{
		{"good", func(m Manifest) Manifest { return m }, true},
		{"format", func(m Manifest) Manifest { m.Format = "hsds"; return m }, false},
		{"newer", func(m Manifest) Manifest { m.Version = Version + 1; return m }, false},
		{"no version", func(m Manifest) Manifest { m.Version = 0; return m }, false},
		{"no root", func(m Manifest) Manifest { m.Root = 0; return m }, false},
	}
	for _, tt := range tests {
		err := tt.m(good).Check()
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrBadManifest)) {
			t.Errorf("%s: Check() = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
	m, err := ParseManifest([]byte(`{"format":"hdf5-vol","version":1,"root":3,"next_id":9,"created":5,"fcpl":"AQI="}`))
	if err != nil || m.Root != 3 || m.NextID != 9 || !slices.Equal(m.FCPL, []byte{1, 2}) {
		t.Fatalf("ParseManifest = %+v, %v", m, err)
	}
	for _, bad := range []string{``, `[]`, `{"format":"hdf5-vol","version":2,"root":1}`, `{"format":"hdf5-vol","version":1}`} {
		if _, err := ParseManifest([]byte(bad)); !errors.Is(err, ErrBadManifest) {
			t.Errorf("ParseManifest(%q) = %v, want ErrBadManifest", bad, err)
		}
	}
}

func FuzzParseChunkKey(f *testing.F) {
	for _, s := range []string{"run1.h5/d/7/0_12_3", "s.h5/d/2/0", "x/d/01/0", "a/b/d/1/2_3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		name, id, index, err := ParseChunkKey(key)
		if err != nil {
			if !errors.Is(err, ErrBadKey) {
				t.Fatalf("error %v does not wrap ErrBadKey", err)
			}
			return
		}
		if len(index) == 0 || len(index) > maxRank {
			t.Fatalf("%q: index %v", key, index)
		}
		if back := ChunkKey(name, id, index); back != key {
			t.Fatalf("%q parsed to %q %d %v which rebuilds to %q", key, name, id, index, back)
		}
	})
}

func FuzzParseDocKey(f *testing.F) {
	for _, s := range []string{"run1.h5/g/1.json", "dir/x/t/9.json", "x/d/0.json"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		name, kind, id, err := ParseDocKey(key)
		if err != nil {
			if !errors.Is(err, ErrBadKey) {
				t.Fatalf("error %v does not wrap ErrBadKey", err)
			}
			return
		}
		if !kind.Valid() {
			t.Fatalf("%q: invalid kind %q", key, kind)
		}
		if back := DocKey(name, kind, id); back != key {
			t.Fatalf("%q parsed to %q %q %d which rebuilds to %q", key, name, kind, id, back)
		}
	})
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(`{"format":"hdf5-vol","version":1,"root":3,"next_id":9}`))
	f.Add([]byte(`{"format":"hdf5-vol","version":7,"root":3}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			if !errors.Is(err, ErrBadManifest) {
				t.Fatalf("error %v does not wrap ErrBadManifest", err)
			}
			return
		}
		if m.Check() != nil {
			t.Fatalf("accepted manifest fails Check: %+v", m)
		}
	})
}
