package hdf5_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/hdf5"
	"github.com/sciswift/sciswift/formats/selection"
)

func TestSniff(t *testing.T) {
	sig := "\x89HDF\r\n\x1a\n"
	at := func(off int) []byte {
		b := make([]byte, off+len(sig))
		copy(b[off:], sig)
		return b
	}
	for _, tc := range []struct {
		head []byte
		want bool
	}{
		{at(0), true}, {at(512), true}, {at(1024), true}, {at(4096), true},
		{at(100), false}, {at(768), false}, {[]byte(sig[:7]), false}, {nil, false},
		{[]byte("PAR1"), false},
	} {
		if got := hdf5.Sniff(tc.head); got != tc.want {
			t.Errorf("Sniff(%d bytes, signature at %d) = %v", len(tc.head), len(tc.head)-len(sig), got)
		}
	}
}

// validIndex is a small index of every layout, for tests that break it.
func validIndex() *hdf5.Index {
	i4 := formats.Dtype{Class: formats.ClassInteger, Size: 4, Order: formats.LittleEndian, Signed: true}
	return &hdf5.Index{Version: hdf5.IndexVersion, Size: 1000, Root: &hdf5.Group{
		Path: "/",
		Groups: []*hdf5.Group{{Path: "/g", Datasets: []*hdf5.Dataset{
			{Path: "/g/c", Type: i4, Shape: []uint64{4}, Layout: hdf5.LayoutCompact, Compact: make([]byte, 16)},
		}}},
		Datasets: []*hdf5.Dataset{
			{Path: "/contig", Type: i4, Shape: []uint64{10}, Layout: hdf5.LayoutContiguous, Extent: &hdf5.Extent{Offset: 100, Size: 40}},
			{Path: "/chunked", Type: i4, Shape: []uint64{10, 3}, Chunks: []uint64{4, 2}, Layout: hdf5.LayoutChunked,
				Fill:       []byte{1, 0, 0, 0},
				ChunkTable: &hdf5.ChunkTable{Coords: []uint64{0, 0, 2, 1}, Offsets: []uint64{200, 300}, Sizes: []uint64{32, 32}}},
		},
	}}
}

func TestParseIndexRejects(t *testing.T) {
	good, err := validIndex().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hdf5.ParseIndex(good); err != nil {
		t.Fatalf("valid index refused: %v", err)
	}
	for _, tc := range []struct {
		name   string
		break_ func(*hdf5.Index)
		want   string
	}{
		{"version", func(x *hdf5.Index) { x.Version = 99 }, "version"},
		{"no root", func(x *hdf5.Index) { x.Root = nil }, "root"},
		{"path outside parent", func(x *hdf5.Index) { x.Root.Groups[0].Datasets[0].Path = "/h/c" }, "bad child"},
		{"extent past the end", func(x *hdf5.Index) { x.Root.Datasets[0].Extent.Offset = 990 }, "outside"},
		{"extent of the wrong size", func(x *hdf5.Index) { x.Root.Datasets[0].Extent.Size = 41 }, "extent of 41"},
		{"chunk outside the grid", func(x *hdf5.Index) { x.Root.Datasets[1].ChunkTable.Coords[2] = 3 }, "outside the"},
		{"chunk twice", func(x *hdf5.Index) { x.Root.Datasets[1].ChunkTable.Coords = []uint64{0, 0, 0, 0} }, "twice"},
		{"chunk past the end", func(x *hdf5.Index) { x.Root.Datasets[1].ChunkTable.Offsets[1] = 1<<64 - 8 }, "outside"},
		{"ragged table", func(x *hdf5.Index) { x.Root.Datasets[1].ChunkTable.Sizes = []uint64{1} }, "unequal"},
		{"zero chunk", func(x *hdf5.Index) { x.Root.Datasets[1].Chunks = []uint64{0, 2} }, "chunk dimension"},
		{"bad fill", func(x *hdf5.Index) { x.Root.Datasets[1].Fill = []byte{1} }, "fill value"},
		{"compact size", func(x *hdf5.Index) { x.Root.Groups[0].Datasets[0].Compact = nil }, "compact bytes"},
		{"shape overflow", func(x *hdf5.Index) { x.Root.Datasets[0].Shape = []uint64{1 << 40, 1 << 40} }, "overflow"},
		{"dtype order", func(x *hdf5.Index) { x.Root.Datasets[0].Type.Order = "middle" }, "byte order"},
		{"compound member outside", func(x *hdf5.Index) {
			x.Root.Datasets[0].Type = formats.Dtype{Class: formats.ClassCompound, Size: 4, Members: []formats.Member{{Name: "a", Offset: 2, Type: &formats.Dtype{Class: formats.ClassFloat, Size: 4, Order: "le"}}}}
		}, "outside 4 bytes"},
		{"compound member offset overflows", func(x *hdf5.Index) {
			x.Root.Datasets[0].Type = formats.Dtype{Class: formats.ClassCompound, Size: 4, Members: []formats.Member{{Name: "a", Offset: math.MaxInt - 1, Type: &formats.Dtype{Class: formats.ClassFloat, Size: 4, Order: "le"}}}}
		}, "outside 4 bytes"},
		{"dtype bits overflow", func(x *hdf5.Index) {
			x.Root.Datasets[0].Type.Precision, x.Root.Datasets[0].Type.BitOffset = math.MaxInt, math.MaxInt
		}, "bits at"},
		{"unknown layout", func(x *hdf5.Index) { x.Root.Datasets[0].Layout = "sideways" }, "layout"},
	} {
		idx := validIndex()
		tc.break_(idx)
		b, _ := json.Marshal(idx)
		_, err := hdf5.ParseIndex(b)
		if !errors.Is(err, formats.ErrCorrupt) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want ErrCorrupt mentioning %q", tc.name, err, tc.want)
		}
	}
	if _, err := hdf5.ParseIndex([]byte("{")); !errors.Is(err, formats.ErrCorrupt) {
		t.Errorf("truncated JSON: %v", err)
	}
}

// TestReadTouchesOnlyItsChunks reads a slice inside one chunk and checks
// that exactly that chunk's stored bytes were read.
func TestReadTouchesOnlyItsChunks(t *testing.T) {
	ix := indexer(t)
	data, _ := makeFile(t)
	obj := newObject(data)
	idx, err := ix.Build(context.Background(), obj)
	if err != nil {
		t.Fatal(err)
	}
	f, err := hdf5.Open(obj, idx, ix)
	if err != nil {
		t.Fatal(err)
	}
	var chunked *hdf5.Dataset
	for _, d := range idx.Root.Datasets {
		if d.Path == "/deflate" {
			chunked = d
		}
	}
	// Rows 16..31 and columns 64..95 are chunk (1, 2) of the 16×32 grid.
	var want uint64
	tab := chunked.ChunkTable
	for i := range tab.Len() {
		if tab.Coords[2*i] == 1 && tab.Coords[2*i+1] == 2 {
			want = tab.Sizes[i]
		}
	}
	sel, err := selection.Parse("[17:30:3,70:90]", chunked.Shape)
	if err != nil {
		t.Fatal(err)
	}
	before := obj.read.Load()
	if _, err := f.Read(context.Background(), "/deflate", sel); err != nil {
		t.Fatal(err)
	}
	if got := uint64(obj.read.Load() - before); got != want || want == 0 {
		t.Errorf("read %d bytes, the one chunk holds %d", got, want)
	}
}

func TestReadErrors(t *testing.T) {
	idx := validIndex()
	obj := newObject(make([]byte, 1000))
	f, err := hdf5.Open(obj, idx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := f.Read(ctx, "/nope", nil); !errors.Is(err, formats.ErrNotFound) {
		t.Errorf("missing dataset: %v", err)
	}
	bad := formats.Selection{{Start: 0, Stop: 11, Step: 1}}
	if _, err := f.Read(ctx, "/contig", bad); !errors.Is(err, formats.ErrSelection) {
		t.Errorf("selection past the end: %v", err)
	}
	if _, err := hdf5.Open(newObject(make([]byte, 999)), idx, nil); !errors.Is(err, formats.ErrCorrupt) {
		t.Errorf("index of another size: %v", err)
	}
	// A chunk never written reads as the fill value.
	arr, err := f.Read(ctx, "/chunked", formats.Selection{{Start: 4, Stop: 5, Step: 1}, {Start: 0, Stop: 1, Step: 1}})
	if err != nil || string(arr.Data) != "\x01\x00\x00\x00" {
		t.Errorf("unwritten chunk: %v %v", arr, err)
	}
}
