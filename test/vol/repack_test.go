package voltest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRepackHardLinks copies a file h5py made, with hard links to a
// dataset and to a group, into the store with `h5repack --dst-vol-name`:
// h5repack writes each object once and makes the other paths to it with
// H5Lcreate_hard(..., H5L_SAME_LOC, ...). The copy must h5dump as the
// original does, the second paths still HARDLINKs to the first.
//
// The file has no soft or external links: h5repack copies those with
// H5Lcopy, which HDF5 1.14 refuses between files of different connectors
// ("Objects are accessed through different VOL connectors") before any
// connector is asked.
func TestRepackHardLinks(t *testing.T) {
	needVOL(t)
	if _, err := os.Stat(tool("h5repack")); err != nil {
		missing(t, err)
	}
	dir := t.TempDir()
	debianPython(t, dir, `
import h5py, numpy as np
with h5py.File('src.h5', 'w') as f:
    d = f.create_dataset('g/d', data=np.arange(12, dtype='<i4').reshape(3, 4))
    d.attrs['units'] = 'm'
    f.create_group('g/sub').create_dataset('e', data=np.linspace(0, 1, 5))
    f.create_group('links')
    f['links/d_alias'] = d
    f['links/g_alias'] = f['g/sub']
`)
	src := filepath.Join(dir, "src.h5")
	const container, name = "vol-repack", "repacked.h5"
	file := container + "/" + name

	cwd := t.TempDir()
	// The source is read natively; only the destination goes through the
	// connector, named on the command line rather than by HDF5_VOL_CONNECTOR.
	runOK(t, volEnv("HDF5_VOL_CONNECTOR="), cwd, tool("h5repack"), "--enable-error-stack", "--dst-vol-name=sciswift", src, file)
	checkNoLocalFiles(t, cwd)
	checkStoredFile(t, container, name)

	want := runOK(t, nativeEnv(), dir, tool("h5dump"), src)
	if n := strings.Count(want.stdout, "HARDLINK"); n != 2 {
		t.Fatalf("h5dump of the h5py file shows %d HARDLINKs, want 2 (the file is not what this test is about):\n%s", n, want.stdout)
	}
	got := run(t, volEnv(), cwd, tool("h5dump"), file)
	if got.code != 0 {
		t.Fatalf("h5dump of the repacked file through the connector: %s", got)
	}
	compareOutputs(t, "h5dump", normaliseDump(want.stdout, false), normaliseDump(got.stdout, false))
	checkNoLocalFiles(t, cwd)

	runOK(t, volEnv(), cwd, tool("h5delete"), file)
}
