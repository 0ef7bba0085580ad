package h5stream

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/formats/filter"
)

// gridDataset fills an in-memory store with the chunks of a dataset whose
// element i (C order) is elem(i), leaving out the chunks skip names, and
// returns the dataset's expected bytes (fill where a chunk is missing).
func gridDataset(t *testing.T, st memStore, file string, id uint64, d *domain.Dataset, skip func(n int) bool) []byte {
	t.Helper()
	dims, cdims := d.Space.Dims, d.Layout.StoredChunks
	size := d.Type.Size
	total := 1
	for _, x := range dims {
		total *= int(x)
	}
	want := make([]byte, total*size)
	for i := 0; i < total; i++ {
		copy(want[i*size:], d.Fill)
	}
	rank := len(dims)
	grid := make([]uint64, rank)
	for i := range grid {
		grid[i] = (dims[i] + cdims[i] - 1) / cdims[i]
	}
	idx := make([]uint64, rank)
	for n := 0; ; n++ {
		celems := 1
		for _, c := range cdims {
			celems *= int(c)
		}
		chunk := make([]byte, celems*size)
		pos := make([]uint64, rank)
		for e := 0; e < celems; e++ {
			rem, inside, flat := e, true, 0
			for k := rank - 1; k >= 0; k-- {
				pos[k] = idx[k]*cdims[k] + uint64(rem%int(cdims[k]))
				rem /= int(cdims[k])
			}
			for k := 0; k < rank; k++ {
				inside = inside && pos[k] < dims[k]
				flat = flat*int(dims[k]) + int(pos[k])
			}
			v := byte(e*31+n*7) ^ byte(n>>8)
			for b := 0; b < size; b++ {
				chunk[e*size+b] = v + byte(b)
			}
			if inside && !skip(n) {
				copy(want[flat*size:], chunk[e*size:(e+1)*size])
			}
		}
		if !skip(n) {
			stored := chunk
			if len(d.Layout.Filters) > 0 {
				var err error
				if stored, err = filter.Encode(d.Layout.Filters, size, chunk); err != nil {
					t.Fatal(err)
				}
			}
			st[domain.ChunkKey(file, id, idx)] = stored
		}
		k := rank - 1
		for ; k >= 0; k-- {
			idx[k]++
			if idx[k] < grid[k] {
				break
			}
			idx[k] = 0
		}
		if k < 0 {
			return want
		}
	}
}

// Many small chunks make multi-level chunk B-trees; h5py (HDF5 1.10) and
// h5dump (1.14) must find every chunk and the fill value where none is.
func TestManyChunks(t *testing.T) {
	i32 := formats.Dtype{Class: formats.ClassInteger, Size: 4, Order: formats.LittleEndian, Signed: true}
	root := &domain.Group{Header: domain.Header{ID: 1, Kind: domain.KindGroup}}
	f := &domain.File{Name: "many.h5", Manifest: domain.Manifest{Format: domain.FormatName, Version: 1, Root: 1},
		Groups: map[uint64]*domain.Group{1: root}, Datasets: map[uint64]*domain.Dataset{}}
	st := memStore{}
	want := map[string][]byte{}
	add := func(id uint64, name string, d *domain.Dataset, skip func(int) bool) {
		d.Header = domain.Header{ID: id, Kind: domain.KindDataset}
		f.Datasets[id] = d
		root.Links = append(root.Links, domain.Link{Name: name, Kind: domain.LinkHard, Target: id, TargetKind: domain.KindDataset, Order: int64(id)})
		want["/"+name] = gridDataset(t, st, f.Name, id, d, skip)
	}
	// 17×10×4 = 680 chunks: two levels.
	add(2, "cube", &domain.Dataset{Type: i32, Fill: []byte{9, 0, 0, 0},
		Space:  domain.Space{Class: "simple", Dims: []uint64{50, 40, 7}},
		Layout: domain.Layout{Class: "chunked", StoredChunks: []uint64{3, 4, 2}}}, func(n int) bool { return n%7 == 3 })
	// 5000 chunks of an unlimited dimension, deflated: three levels.
	add(3, "line", &domain.Dataset{Type: i32,
		Space:  domain.Space{Class: "simple", Dims: []uint64{9999}, MaxDims: []uint64{domain.Unlimited}},
		Layout: domain.Layout{Class: "chunked", StoredChunks: []uint64{2}, Filters: []domain.Filter{{ID: filter.Deflate}}}}, func(n int) bool { return n%13 == 0 })
	// One chunk, every element but the last stored.
	add(4, "one", &domain.Dataset{Type: i32, Space: domain.Space{Class: "simple", Dims: []uint64{3, 3}},
		Layout: domain.Layout{Class: "chunked", StoredChunks: []uint64{3, 3}}}, func(int) bool { return false })

	// An empty fixed extent still has a chunk shape: (1), above its
	// maximum (0).
	add(5, "nothing", &domain.Dataset{Type: i32, Space: domain.Space{Class: "simple", Dims: []uint64{0}},
		Layout: domain.Layout{Class: "chunked", StoredChunks: []uint64{1}}}, func(int) bool { return false })
	// A chunk bigger than a fixed extent (the VOL grows small chunks).
	add(6, "big_chunk", &domain.Dataset{Type: i32, Space: domain.Space{Class: "simple", Dims: []uint64{5, 3}},
		Layout: domain.Layout{Class: "chunked", StoredChunks: []uint64{8, 8}}}, func(int) bool { return false })

	p, err := NewPlan(context.Background(), f, st)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := p.WriteTo(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	if int64(buf.Len()) != p.Size() {
		t.Fatalf("wrote %d bytes, Size %d", buf.Len(), p.Size())
	}
	path := filepath.Join(t.TempDir(), "many.h5")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("/usr/bin/python3", "testdata/h5values.py", path).Output()
	if err != nil {
		t.Fatalf("h5py: %v", err)
	}
	var got map[string]struct{ Hex string }
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	for name, w := range want {
		if g := got[name].Hex; g != hex.EncodeToString(w) {
			t.Errorf("%s: h5py reads %d hex digits that differ from the %d bytes stored", name, len(g), len(w))
		}
	}
	// h5dump (HDF5 1.14) reads the same bytes.
	for name, w := range want {
		bin := filepath.Join(t.TempDir(), "out.bin")
		cmd := exec.Command("/root/.cache/sciswift/hdf5-1.14.5/bin/h5dump", "-d", name, "-b", "FILE", "-o", bin, path)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("h5dump -d %s: %v\n%s", name, err, out)
		}
		if g, _ := os.ReadFile(bin); !bytes.Equal(g, w) {
			t.Errorf("%s: h5dump -b reads %d bytes that differ from the %d stored", name, len(g), len(w))
		}
	}
}
