package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// makeH5 writes a real HDF5 file with h5py: groups, chunked and compressed
// datasets, attributes. It returns the path.
func makeH5(t *testing.T, py, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	script := `
import sys, h5py, numpy as np
rng = np.random.default_rng(20240601)
with h5py.File(sys.argv[1], "w") as f:
    f.attrs["experiment"] = "sciswift-e2e"
    g = f.create_group("run1")
    t = g.create_dataset("temperature", data=np.arange(400*500, dtype="<f8").reshape(400, 500),
                         chunks=(100, 100), compression="gzip")
    t.attrs["units"] = "K"
    g.create_dataset("counts", data=rng.integers(0, 1 << 30, size=(700, 300), dtype="<i4"), chunks=(70, 300))
    f.create_dataset("noise", data=rng.standard_normal(150000).astype(">f4"))
`
	out, err := exec.Command(py, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("h5py could not write %s: %v\n%s", path, err, out)
	}
	return path
}

// TestCLIHDF5RoundTrip is the README's quickstart: upload a real .h5 made
// by h5py with the swift CLI, list, download, stat.
func TestCLIHDF5RoundTrip(t *testing.T) {
	t.Parallel()
	requireSwiftCLI(t)
	py := requireH5py(t)
	dir := t.TempDir()
	local := readFile(t, makeH5(t, py, dir, "run1.h5"))
	c := uniq("results")

	out := swiftOK(t, dir, "upload", c, "run1.h5")
	if strings.TrimSpace(out) != "run1.h5" {
		t.Errorf("swift upload printed %q, want %q", out, "run1.h5")
	}
	if got := splitLines([]byte(swiftOK(t, dir, "list", c))); !equalStrings(got, []string{"run1.h5"}) {
		t.Errorf("swift list %s = %q, want [run1.h5]", c, got)
	}

	swiftOK(t, dir, "download", c, "run1.h5", "-o", "downloaded.h5")
	got := readFile(t, filepath.Join(dir, "downloaded.h5"))
	if !bytes.Equal(got, local) {
		t.Fatalf("downloaded run1.h5 differs from the uploaded file (%d vs %d bytes, md5 %s vs %s)", len(got), len(local), md5hex(got), md5hex(local))
	}
	// And it is still an HDF5 file h5py reads.
	check := `
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    assert f.attrs["experiment"] == "sciswift-e2e"
    assert f["run1/temperature"].attrs["units"] == "K"
    assert float(f["run1/temperature"][399, 499]) == 400*500 - 1
    print(f["run1/counts"].shape)
`
	if out, err := exec.Command(py, "-c", check, filepath.Join(dir, "downloaded.h5")).CombinedOutput(); err != nil {
		t.Errorf("h5py cannot read the downloaded file: %v\n%s", err, out)
	}

	st := statFields(swiftOK(t, dir, "stat", c, "run1.h5"))
	for k, want := range map[string]string{
		"Account":        "AUTH_test",
		"Container":      c,
		"Object":         "run1.h5",
		"Content Length": strconv.Itoa(len(local)),
		"ETag":           md5hex(local),
	} {
		if st[k] != want {
			t.Errorf("swift stat %s run1.h5: %s = %q, want %q (all: %v)", c, k, st[k], want, st)
		}
	}
	for _, k := range []string{"Content Type", "Last Modified", "Meta Mtime", "X-Timestamp"} {
		if st[k] == "" {
			t.Errorf("swift stat %s run1.h5: no %q field (all: %v)", c, k, st)
		}
	}

	cst := statFields(swiftOK(t, dir, "stat", c))
	if cst["Objects"] != "1" || cst["Bytes"] != strconv.Itoa(len(local)) {
		t.Errorf("swift stat %s: Objects=%q Bytes=%q, want 1 and %d", c, cst["Objects"], cst["Bytes"], len(local))
	}

	// Raw GET agrees byte for byte too.
	r := as(t, tester).get(t, c, "run1.h5")
	if !bytes.Equal(r.Body, local) {
		t.Errorf("raw GET of run1.h5 differs from the file")
	}
}

// segmentedUpload uploads a file larger than the segment size with
// `swift upload -S` and checks download, stat, segments and delete.
func segmentedUpload(t *testing.T, slo bool) {
	requireSwiftCLI(t)
	dir := t.TempDir()
	const segSize = 1 << 20
	data := randBytes(5*segSize + 12345) // 6 segments, the last one short
	writeFile(t, dir, "big.bin", data)
	c := uniq("seg")
	segc := c + "_segments"

	args := []string{"upload", c, "big.bin", "-S", strconv.Itoa(segSize)}
	if slo {
		args = append(args, "--use-slo")
	}
	swiftOK(t, dir, args...)

	segs := splitLines([]byte(swiftOK(t, dir, "list", segc)))
	if len(segs) != 6 {
		t.Errorf("swift list %s: %d segments %q, want 6", segc, len(segs), segs)
	}
	for _, s := range segs {
		if !strings.HasPrefix(s, "big.bin/") {
			t.Errorf("segment %q is not under big.bin/", s)
		}
	}
	if got := splitLines([]byte(swiftOK(t, dir, "list", c))); !equalStrings(got, []string{"big.bin"}) {
		t.Errorf("swift list %s = %q, want [big.bin]", c, got)
	}

	swiftOK(t, dir, "download", c, "big.bin", "-o", "out.bin")
	if got := readFile(t, filepath.Join(dir, "out.bin")); !bytes.Equal(got, data) {
		t.Fatalf("downloaded big.bin differs (%d vs %d bytes)", len(got), len(data))
	}

	st := statFields(swiftOK(t, dir, "stat", c, "big.bin"))
	if st["Content Length"] != strconv.Itoa(len(data)) {
		t.Errorf("swift stat: Content Length = %q, want %d", st["Content Length"], len(data))
	}
	if !slo && !strings.HasPrefix(st["Manifest"], segc+"/big.bin/") {
		t.Errorf("swift stat of a DLO: Manifest = %q, want %s/big.bin/…", st["Manifest"], segc)
	}

	s := as(t, tester)
	h := s.do(t, "HEAD", p(c, "big.bin"), nil).expect(t, 200)
	if h.intHdr(t, "Content-Length") != int64(len(data)) {
		t.Errorf("HEAD Content-Length = %s, want %d", h.Header.Get("Content-Length"), len(data))
	}
	if slo {
		if !strings.EqualFold(h.Header.Get("X-Static-Large-Object"), "true") {
			t.Errorf("HEAD of an --use-slo upload: X-Static-Large-Object = %q, want True", h.Header.Get("X-Static-Large-Object"))
		}
	} else if h.Header.Get("X-Object-Manifest") == "" {
		t.Errorf("HEAD of a DLO upload has no X-Object-Manifest")
	}
	// A range that spans a segment boundary.
	rg := s.do(t, "GET", p(c, "big.bin"), nil, "Range", fmt.Sprintf("bytes=%d-%d", segSize-10, segSize+9)).expect(t, 206)
	if !bytes.Equal(rg.Body, data[segSize-10:segSize+10]) {
		t.Errorf("range across segments 0/1 returned wrong bytes")
	}

	// A server-side copy of a large object is the assembled bytes, a
	// plain object that outlives the segments, as with Swift's copy.
	swiftOK(t, dir, "copy", "-d", "/"+c+"/copy.bin", c, "big.bin")
	cp := s.do(t, "GET", p(c, "copy.bin"), nil).expect(t, 200)
	if !bytes.Equal(cp.Body, data) {
		t.Errorf("copy of the large object: %d bytes differ from the %d uploaded", len(cp.Body), len(data))
	}
	cp.hdrAbsent(t, "X-Static-Large-Object")
	cp.hdrAbsent(t, "X-Object-Manifest")
	cp.hdr(t, "Etag", md5hex(data))
	s.do(t, "DELETE", p(c, "copy.bin"), nil).expect(t, 204)

	// swift delete removes the manifest and its segments.
	swiftOK(t, dir, "delete", c, "big.bin")
	if left := splitLines([]byte(swiftOK(t, dir, "list", segc))); len(left) != 0 {
		t.Errorf("after swift delete, %s still holds %q", segc, left)
	}
	if left := splitLines([]byte(swiftOK(t, dir, "list", c))); len(left) != 0 {
		t.Errorf("after swift delete, %s still holds %q", c, left)
	}
	s.do(t, "HEAD", p(c, "big.bin"), nil).check(t, 404)
}

func TestCLISegmentedDLO(t *testing.T) { t.Parallel(); segmentedUpload(t, false) }
func TestCLISegmentedSLO(t *testing.T) { t.Parallel(); segmentedUpload(t, true) }

func TestCLIListPrefixDelimiter(t *testing.T) {
	t.Parallel()
	requireSwiftCLI(t)
	dir := t.TempDir()
	for _, n := range []string{"p/a.txt", "p/b.txt", "p/q/c.txt", "r.txt"} {
		writeFile(t, dir, n, []byte("content of "+n))
	}
	c := uniq("clilist")
	swiftOK(t, dir, "upload", c, "p", "r.txt")
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{nil, []string{"p/a.txt", "p/b.txt", "p/q/c.txt", "r.txt"}},
		{[]string{"--prefix", "p/"}, []string{"p/a.txt", "p/b.txt", "p/q/c.txt"}},
		{[]string{"--delimiter", "/"}, []string{"p/", "r.txt"}},
		{[]string{"--prefix", "p/", "--delimiter", "/"}, []string{"p/a.txt", "p/b.txt", "p/q/"}},
		{[]string{"--prefix", "nothing"}, nil},
	} {
		got := splitLines([]byte(swiftOK(t, dir, append([]string{"list", c}, tc.args...)...)))
		if !equalStrings(got, tc.want) {
			t.Errorf("swift list %s %s = %q, want %q", c, strings.Join(tc.args, " "), got, tc.want)
		}
	}
	// Account listing with a prefix finds the container.
	got := splitLines([]byte(swiftOK(t, dir, "list", "--prefix", c)))
	if !equalStrings(got, []string{c}) {
		t.Errorf("swift list --prefix %s = %q, want [%s]", c, got, c)
	}
}

func TestCLIPostStatCopy(t *testing.T) {
	t.Parallel()
	requireSwiftCLI(t)
	dir := t.TempDir()
	data := []byte("sciswift copy and metadata test\n")
	writeFile(t, dir, "obj.txt", data)
	c, c2 := uniq("clipost"), uniq("clicopy")
	swiftOK(t, dir, "upload", c, "obj.txt")
	swiftOK(t, dir, "post", c2)

	swiftOK(t, dir, "post", c, "obj.txt", "-m", "Color:Blue", "-m", "Shape:round")
	st := statFields(swiftOK(t, dir, "stat", c, "obj.txt"))
	if st["Meta Color"] != "Blue" || st["Meta Shape"] != "round" {
		t.Errorf("after swift post -m: Meta Color=%q Meta Shape=%q, want Blue, round (all: %v)", st["Meta Color"], st["Meta Shape"], st)
	}
	// A second post replaces the object's metadata (fast-POST).
	swiftOK(t, dir, "post", c, "obj.txt", "-m", "Size:big")
	st = statFields(swiftOK(t, dir, "stat", c, "obj.txt"))
	if st["Meta Size"] != "big" || st["Meta Color"] != "" {
		t.Errorf("after a second swift post: Meta Size=%q Meta Color=%q, want big and no Color (object POST replaces metadata)", st["Meta Size"], st["Meta Color"])
	}
	if st["Content Length"] != strconv.Itoa(len(data)) || st["ETag"] != md5hex(data) {
		t.Errorf("swift post changed the object: %v", st)
	}

	// Container metadata and ACLs.
	swiftOK(t, dir, "post", c, "-m", "Team:astro", "-r", "test:tester3")
	cst := statFields(swiftOK(t, dir, "stat", c))
	if cst["Meta Team"] != "astro" || cst["Read ACL"] != "test:tester3" {
		t.Errorf("swift stat %s: Meta Team=%q Read ACL=%q (all: %v)", c, cst["Meta Team"], cst["Read ACL"], cst)
	}
	// The read ACL lets the non-admin user download.
	out, errOut, code := swiftCLI(t, dir, tester3, "download", c, "obj.txt", "-o", "-")
	if code != 0 || out != string(data) {
		t.Errorf("swift download as test:tester3 after -r test:tester3: exit %d, out %q, err %q", code, out, errOut)
	}

	// swift copy keeps metadata; --fresh-metadata drops it.
	swiftOK(t, dir, "copy", c, "obj.txt", "-d", "/"+c2+"/copy1.txt")
	st = statFields(swiftOK(t, dir, "stat", c2, "copy1.txt"))
	if st["Meta Size"] != "big" || st["ETag"] != md5hex(data) {
		t.Errorf("swift copy: destination stat %v, want Meta Size big and the source ETag", st)
	}
	swiftOK(t, dir, "copy", c, "obj.txt", "-d", "/"+c2+"/copy2.txt", "--fresh-metadata", "-m", "New:1")
	st = statFields(swiftOK(t, dir, "stat", c2, "copy2.txt"))
	if st["Meta New"] != "1" || st["Meta Size"] != "" {
		t.Errorf("swift copy --fresh-metadata -m New:1: Meta New=%q Meta Size=%q, want 1 and none", st["Meta New"], st["Meta Size"])
	}
	swiftOK(t, dir, "download", c2, "copy2.txt", "-o", "copy2.txt")
	if got := readFile(t, filepath.Join(dir, "copy2.txt")); !bytes.Equal(got, data) {
		t.Errorf("copied object content differs")
	}

	// Account stat.
	ast := statFields(swiftOK(t, dir, "stat"))
	for _, k := range []string{"Containers", "Objects", "Bytes"} {
		if _, err := strconv.Atoi(ast[k]); err != nil {
			t.Errorf("swift stat (account): %s = %q, want a number (all: %v)", k, ast[k], ast)
		}
	}
	if ast["Account"] != "AUTH_test" {
		t.Errorf("swift stat (account): Account = %q", ast["Account"])
	}
}

// TestCLIDeleteContainer: `swift delete CONTAINER` empties and removes it
// (through bulk delete when /info advertises it).
func TestCLIDeleteContainer(t *testing.T) {
	t.Parallel()
	requireSwiftCLI(t)
	dir := t.TempDir()
	for i := 0; i < 12; i++ {
		writeFile(t, dir, fmt.Sprintf("d/f%02d", i), randBytes(100+i))
	}
	c := uniq("clidel")
	swiftOK(t, dir, "upload", c, "d")
	if n := len(splitLines([]byte(swiftOK(t, dir, "list", c)))); n != 12 {
		t.Fatalf("uploaded 12 files, swift list shows %d", n)
	}
	swiftOK(t, dir, "delete", c)
	out, errOut, code := swiftCLI(t, dir, tester, "list", c)
	if code == 0 {
		t.Errorf("swift list of a deleted container exited 0: %q", out)
	}
	if !strings.Contains(errOut, "not found") {
		t.Errorf("swift list of a deleted container: stderr %q, want it to say not found", errOut)
	}
	as(t, tester).do(t, "HEAD", p(c), nil).check(t, 404)
}

func TestCLICapabilities(t *testing.T) {
	t.Parallel()
	requireSwiftCLI(t)
	out := swiftOK(t, t.TempDir(), "capabilities", "--json")
	var caps map[string]any
	if err := json.Unmarshal([]byte(out), &caps); err != nil {
		t.Fatalf("swift capabilities --json: %v\n%s", err, out)
	}
	for _, k := range []string{"swift", "slo", "bulk_delete"} {
		if _, ok := caps[k]; !ok {
			t.Errorf("swift capabilities lacks %q: %s", k, out)
		}
	}
}

func TestCLIBadKey(t *testing.T) {
	t.Parallel()
	requireSwiftCLI(t)
	_, errOut, code := swiftCLI(t, t.TempDir(), user{"test:tester", "wrong"}, "stat")
	if code == 0 {
		t.Fatalf("swift stat with a wrong key exited 0")
	}
	if !strings.Contains(errOut, "401") && !strings.Contains(strings.ToLower(errOut), "unauthorized") && !strings.Contains(errOut, "Auth") {
		t.Errorf("swift stat with a wrong key: stderr %q, want an auth failure", errOut)
	}
}
