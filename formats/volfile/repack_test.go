package volfile_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/volfile"
)

// nativeDataset is what h5py reads from the native file (testdata/native.py).
type nativeDataset struct {
	Shape   []uint64       `json:"shape"`
	Chunks  []uint64       `json:"chunks"`
	Filters []string       `json:"filters"`
	Attrs   map[string]any `json:"attrs"`
	Bytes   string         `json:"bytes"`
	Strings []string       `json:"strings"`
}

// A file written by h5py, copied into the store by HDF5's own h5repack
// through the connector (the real cabi, not the Go API), reads the same
// through volfile as through h5py from the original. Needs the HDF5 1.14
// tools and the built connector: SCISWIFT_HDF5_PREFIX and
// SCISWIFT_PLUGIN_DIR, as `make test` sets them for the VOL suites.
func TestRepackedByHDF5(t *testing.T) {
	prefix, plugins := os.Getenv("SCISWIFT_HDF5_PREFIX"), os.Getenv("SCISWIFT_PLUGIN_DIR")
	if prefix == "" || plugins == "" {
		t.Skip("SCISWIFT_HDF5_PREFIX and SCISWIFT_PLUGIN_DIR not set (make test sets them)")
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import h5py").Run(); err != nil {
		t.Skip("no h5py for /usr/bin/python3")
	}
	dir := t.TempDir()
	native := filepath.Join(dir, "native.h5")
	out, err := exec.Command("/usr/bin/python3", "testdata/native.py", native).Output()
	if err != nil {
		t.Fatalf("native.py: %v", err)
	}
	var want map[string]nativeDataset
	check(t, json.Unmarshal(out, &want))

	container := newContainer(t)
	repack := exec.Command(filepath.Join(prefix, "bin", "h5repack"), "--enable-error-stack",
		"--dst-vol-name=sciswift", "--dst-vol-info=auth="+authURL(t)+" user="+testUser+" key="+testKey+" container="+container,
		native, "repacked.h5")
	repack.Env = append(os.Environ(), "HDF5_PLUGIN_PATH="+plugins)
	repack.Dir = dir
	if msg, err := repack.CombinedOutput(); err != nil || len(msg) > 0 {
		t.Fatalf("h5repack: %v\n%s", err, msg)
	}
	if _, err := os.Stat(filepath.Join(dir, "repacked.h5")); err == nil {
		t.Fatal("h5repack wrote a local file: the connector was not used")
	}

	store := newSwiftStore(t, container)
	ctx := context.Background()
	f := must[*volfile.File](t)(volfile.Open(ctx, store, "repacked.h5"))
	var paths, groups []string
	walkTree(f.Tree().Root, &paths, &groups, map[string]*formats.Group{})
	sort.Strings(paths)
	var wantPaths []string
	for p := range want {
		if p != "/" {
			wantPaths = append(wantPaths, p)
		}
	}
	sort.Strings(wantPaths)
	if !slices.Equal(paths, wantPaths) {
		t.Fatalf("datasets %q, h5py sees %q", paths, wantPaths)
	}
	if !slices.Contains(groups, "/wind/empty") {
		t.Errorf("groups %q lack /wind/empty", groups)
	}
	compareNativeAttrs(t, "/", f.Tree().Root.Attributes, want["/"].Attrs)
	for _, p := range wantPaths {
		w := want[p]
		m, _ := f.Dataset(p)
		if !slices.Equal(m.Shape, w.Shape) {
			t.Errorf("%s: shape %v, h5py %v", p, m.Shape, w.Shape)
		}
		if !slices.Equal(m.Chunks, w.Chunks) {
			t.Errorf("%s: chunks %v, h5py %v", p, m.Chunks, w.Chunks)
		}
		filters := slices.Sorted(slices.Values(m.Filters))
		if !slices.Equal(filters, w.Filters) && len(filters)+len(w.Filters) > 0 {
			t.Errorf("%s: filters %v, h5py %v", p, filters, w.Filters)
		}
		compareNativeAttrs(t, p, m.Attributes, w.Attrs)
		arr, err := f.Read(ctx, p, nil)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if w.Strings != nil {
			got := make([]string, len(arr.Strings))
			for i, s := range arr.Strings {
				got[i] = string(s)
			}
			if !slices.Equal(got, w.Strings) {
				t.Errorf("%s: %q, h5py reads %q", p, got, w.Strings)
			}
			continue
		}
		if wb := must[[]byte](t)(base64.StdEncoding.DecodeString(w.Bytes)); string(arr.Data) != string(wb) {
			t.Errorf("%s: %d bytes differ from h5py's %d", p, len(arr.Data), len(wb))
		}
	}
}

// compareNativeAttrs compares attribute values as JSON values.
func compareNativeAttrs(t *testing.T, path string, got []formats.Attribute, want map[string]any) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d attributes, h5py sees %d", path, len(got), len(want))
	}
	for _, a := range got {
		var g any
		check(t, json.Unmarshal(must[[]byte](t)(json.Marshal(a.Value)), &g))
		if !reflect.DeepEqual(g, want[a.Name]) {
			t.Errorf("%s@%s: %v, h5py reads %v", path, a.Name, g, want[a.Name])
		}
	}
}
