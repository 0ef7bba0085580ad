package hdf5_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/encode"
	"github.com/sciswift/sciswift/formats/hdf5"
	"github.com/sciswift/sciswift/formats/selection"
)

type expectations struct {
	Datasets map[string]struct {
		Shape    []uint64 `json:"shape"`
		Chunks   []uint64 `json:"chunks"`
		MaxShape []int64  `json:"maxshape"`
		Filters  []string `json:"filters"`
		Descr    string   `json:"descr"`
	} `json:"datasets"`
	DatasetPaths []string                  `json:"dataset_paths"`
	Attributes   map[string]map[string]any `json:"attributes"`
	Reads        []struct {
		Path    string   `json:"path"`
		Select  string   `json:"select"`
		Shape   []uint64 `json:"shape"`
		Hex     *string  `json:"hex"`
		Strings []string `json:"strings"`
	} `json:"reads"`
}

func TestH5py(t *testing.T) {
	ix := indexer(t)
	for _, tc := range []struct {
		name string
		args []string
	}{{"plain", nil}, {"userblock", []string{"userblock"}}} {
		t.Run(tc.name, func(t *testing.T) {
			data, js := makeFile(t, tc.args...)
			var want expectations
			if err := json.Unmarshal(js, &want); err != nil {
				t.Fatal(err)
			}
			obj := newObject(data)
			idx, err := ix.Build(context.Background(), obj)
			if err != nil {
				t.Fatal(err)
			}
			// The index survives its own serialisation and validation.
			b, err := idx.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if idx, err = hdf5.ParseIndex(b); err != nil {
				t.Fatal(err)
			}
			f, err := hdf5.Open(obj, idx, ix)
			if err != nil {
				t.Fatal(err)
			}
			checkTree(t, f, idx, &want)
			checkAttributes(t, f.Tree().Root, &want)
			checkReads(t, f, &want)
			// Data outside the object is never read.
			for _, path := range []string{"/virtual", "/external"} {
				if _, err := f.Read(context.Background(), path, nil); !errors.Is(err, formats.ErrUnsupported) {
					t.Errorf("%s: got %v, want ErrUnsupported", path, err)
				}
			}
			// lzf is h5py's own filter, not libhdf5's: refused by name.
			_, err = f.Read(context.Background(), "/lzf", nil)
			if !errors.Is(err, formats.ErrUnsupported) || !strings.Contains(err.Error(), "lzf") {
				t.Errorf("/lzf: got %v, want ErrUnsupported naming lzf", err)
			}
		})
	}
}

func checkTree(t *testing.T, f *hdf5.File, idx *hdf5.Index, want *expectations) {
	if f.Tree().Format != hdf5.Format {
		t.Errorf("format %q", f.Tree().Format)
	}
	indexed := map[string]*hdf5.Dataset{}
	var walk func(g *hdf5.Group)
	walk = func(g *hdf5.Group) {
		for _, d := range g.Datasets {
			indexed[d.Path] = d
		}
		for _, c := range g.Groups {
			walk(c)
		}
	}
	walk(idx.Root)
	paths := slices.Sorted(maps.Keys(indexed))
	if !slices.Equal(paths, want.DatasetPaths) {
		t.Errorf("datasets indexed %v, h5py sees %v", paths, want.DatasetPaths)
	}
	for path, w := range want.Datasets {
		d, ok := f.Dataset(path)
		if !ok {
			t.Errorf("%s: missing", path)
			continue
		}
		if !slices.Equal(d.Shape, w.Shape) || !slices.Equal(d.Chunks, w.Chunks) {
			t.Errorf("%s: shape %v chunks %v, h5py %v %v", path, d.Shape, d.Chunks, w.Shape, w.Chunks)
		}
		got := slices.Clone(d.Filters)
		slices.Sort(got)
		if !slices.Equal(got, w.Filters) && !(len(got) == 0 && len(w.Filters) == 0) {
			t.Errorf("%s: filters %v, h5py %v", path, got, w.Filters)
		}
		if descr, err := d.Type.NumpyDescr(); err == nil && descr != w.Descr {
			t.Errorf("%s: dtype %s, h5py %s", path, descr, w.Descr)
		} else if err != nil && w.Descr != "|O" {
			t.Errorf("%s: dtype %+v has no NumPy descr (%v); h5py says %s", path, d.Type, err, w.Descr)
		}
		if ms := indexed[path].MaxShape; !slices.Equal(ms, w.MaxShape) {
			t.Errorf("%s: maxshape %v, h5py %v", path, ms, w.MaxShape)
		}
	}
}

func checkAttributes(t *testing.T, root *formats.Group, want *expectations) {
	got := map[string]map[string]any{}
	add := func(path string, attrs []formats.Attribute) {
		m := map[string]any{}
		for _, a := range attrs {
			m[a.Name] = a.Value
		}
		// Compare as JSON, as clients see them.
		b, _ := json.Marshal(m)
		var back map[string]any
		json.Unmarshal(b, &back)
		got[path] = back
	}
	var walk func(g *formats.Group)
	walk = func(g *formats.Group) {
		add(g.Path, g.Attributes)
		for _, d := range g.Datasets {
			add(d.Path, d.Attributes)
		}
		for _, c := range g.Groups {
			walk(c)
		}
	}
	walk(root)
	for path, w := range want.Attributes {
		if len(w) == 0 && len(got[path]) == 0 {
			continue
		}
		if !reflect.DeepEqual(got[path], w) {
			t.Errorf("%s: attributes\n got %v\nh5py %v", path, got[path], w)
		}
	}
}

func checkReads(t *testing.T, f *hdf5.File, want *expectations) {
	for _, r := range want.Reads {
		d, _ := f.Dataset(r.Path)
		sel, err := selection.Parse(r.Select, d.Shape)
		if err != nil {
			t.Errorf("%s %s: %v", r.Path, r.Select, err)
			continue
		}
		arr, err := f.Read(context.Background(), r.Path, sel)
		if err != nil {
			t.Errorf("%s %s: %v", r.Path, r.Select, err)
			continue
		}
		// What the dataset API will do with it (.npy holds fixed sizes only).
		for _, format := range []string{"json", "npy"} {
			if format == "npy" && arr.Type.IsVariable() {
				continue
			}
			if _, err := encode.New(format, arr); err != nil {
				t.Errorf("%s %s: %s: %v", r.Path, r.Select, format, err)
			}
		}
		if !slices.Equal(arr.Shape, r.Shape) && !(len(arr.Shape) == 0 && len(r.Shape) == 0) {
			t.Errorf("%s %s: shape %v, h5py %v", r.Path, r.Select, arr.Shape, r.Shape)
		}
		if r.Hex != nil {
			if got := hex.EncodeToString(arr.Data); got != *r.Hex {
				t.Errorf("%s %s: data\n got %s\nh5py %s", r.Path, r.Select, got, *r.Hex)
			}
			continue
		}
		var got []string
		for _, s := range arr.Strings {
			got = append(got, string(s))
		}
		if !slices.Equal(got, r.Strings) {
			t.Errorf("%s %s: strings %q, h5py %q", r.Path, r.Select, got, r.Strings)
		}
	}
}

// A single index may come without the Stop and Step selection.Parse gives
// it: both readers, the worker's too, read the same as for the parsed "[2]".
func TestIndexWithoutStop(t *testing.T) {
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
	for _, path := range []string{"/vlenstr", "/compound"} { // worker, Go reader
		d, _ := f.Dataset(path)
		parsed, err := selection.Parse("[2]", d.Shape)
		if err != nil {
			t.Fatal(err)
		}
		want, err := f.Read(context.Background(), path, parsed)
		if err != nil {
			t.Fatalf("%s[2]: %v", path, err)
		}
		got, err := f.Read(context.Background(), path, formats.Selection{{Start: 2, Index: true}})
		if err != nil {
			t.Fatalf("%s, index 2 without Stop: %v", path, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s, index 2 without Stop: %+v, parsed [2] gives %+v", path, got, want)
		}
	}
}
