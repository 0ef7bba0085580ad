package parquet

import (
	"context"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/encode"
)

// TestTableWithNumpy writes a slice of the table compound as .npy and has
// NumPy read it: every member, nested ones included, must hold the bytes
// Read put at its offset.
func TestTableWithNumpy(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import numpy").Run(); err != nil {
		t.Skip("no python3 with numpy:", err)
	}
	f := mustOpen(t, memObject(writeSink(t, sinkRows, sinkRGRows)))
	arr, err := f.Read(context.Background(), "/table_", formats.Selection{{Start: 990, Stop: 1030, Step: 3}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "table.npy")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := encode.WriteNPY(out, arr); err != nil {
		t.Fatal(err)
	}
	out.Close()

	// Leaf members as NumPy field paths, and their bytes as Read laid them out.
	type leaf struct {
		path []string
		want []byte
	}
	var leaves []leaf
	var walk func(prefix []string, t *formats.Dtype, off int)
	walk = func(prefix []string, ct *formats.Dtype, off int) {
		for _, m := range ct.Members {
			p := append(append([]string{}, prefix...), m.Name)
			if m.Type.Class == formats.ClassCompound {
				walk(p, m.Type, off+m.Offset)
				continue
			}
			var want []byte
			size := uint64(arr.Type.Size)
			for k := range arr.Len() {
				at := k*size + uint64(off+m.Offset)
				want = append(want, arr.Data[at:at+uint64(m.Type.Size)]...)
			}
			leaves = append(leaves, leaf{p, want})
		}
	}
	walk(nil, &arr.Type, 0)

	script := `
import sys, numpy as np
a = np.load(sys.argv[1])
print(a.dtype.itemsize, a.shape[0])
for path in sys.argv[2:]:
    v = a
    for name in path.split("/"):
        v = v[name]
    print(np.ascontiguousarray(v).tobytes().hex())
`
	args := []string{"-c", script, path}
	for _, l := range leaves {
		args = append(args, strings.Join(l.path, "/"))
	}
	got, err := exec.Command("/usr/bin/python3", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("numpy: %v\n%s", err, got)
	}
	lines := strings.Split(strings.TrimSpace(string(got)), "\n")
	if want := "109 14"; lines[0] != want {
		t.Errorf("numpy reads itemsize and rows %q, want %q", lines[0], want)
	}
	for i, l := range leaves {
		if lines[i+1] != hex.EncodeToString(l.want) {
			t.Errorf("member %s: numpy reads %s\nRead laid out %x", strings.Join(l.path, "/"), lines[i+1], l.want)
		}
	}
}
