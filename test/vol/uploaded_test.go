package voltest

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// Uploaded .fits, .parquet and .h5 objects opened through the connector:
// HDF5 tools see the datasets of ?describe, every value as the library
// that wrote the file reads it back, and nothing can change them.

// uploadContainer is the example container ("sky/survey.fits").
const uploadContainer = "sky"

// debianPython runs a script with Debian's python3, which has h5py,
// astropy and numpy (pyenv's python3 on PATH does not).
func debianPython(t *testing.T, dir, script string, args ...string) {
	t.Helper()
	const py = "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		missing(t, fmt.Errorf("no %s: %v", py, err))
	}
	r := run(t, cleanEnv(), dir, py, append([]string{"-c", script}, args...)...)
	if r.code != 0 {
		if strings.Contains(r.stderr, "ModuleNotFoundError") {
			missing(t, fmt.Errorf("python module missing: %s", r.stderr))
		}
		t.Fatalf("%s", r)
	}
}

// upload puts dir/name into the sky container with the swift CLI.
func upload(t *testing.T, dir, name string) {
	t.Helper()
	r := run(t, cleanEnv(), dir, "swift", "-A", env.authURL, "-U", user, "-K", key, "upload", uploadContainer, name)
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
}

// dumpBinary is h5dump -d PATH -b LE through the connector: the dataset's
// bytes, little-endian.
func dumpBinary(t *testing.T, file, path string) []byte {
	t.Helper()
	cwd := t.TempDir()
	out := filepath.Join(t.TempDir(), "data.bin")
	r := run(t, volEnv(), cwd, tool("h5dump"), "-d", path, "-b", "LE", "-o", out, file)
	if r.code != 0 {
		t.Fatalf("h5dump -d %s -b LE %s: %s", path, file, r)
	}
	checkNoLocalFiles(t, cwd)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dumpStrings is what h5dump prints for a string dataset, element by
// element; NULL elements are nil.
func dumpStrings(t *testing.T, file, path string) []*string {
	t.Helper()
	r := run(t, volEnv(), t.TempDir(), tool("h5dump"), "-d", path, "-y", "-w", "0", file)
	if r.code != 0 {
		t.Fatalf("h5dump -d %s %s: %s", path, file, r)
	}
	_, data, ok := strings.Cut(r.stdout, "DATA {")
	if ok {
		// Attributes follow the data.
		data, _, ok = strings.Cut(data, "\n   }\n")
	}
	if !ok {
		t.Fatalf("h5dump -d %s printed no DATA block:\n%s", path, r.stdout)
	}
	var out []*string
	for _, m := range dumpElem.FindAllStringSubmatch(data, -1) {
		if m[0] == "NULL" {
			out = append(out, nil)
			continue
		}
		s, err := strconv.Unquote(`"` + m[1] + `"`)
		if err != nil {
			t.Fatalf("h5dump string %s: %v", m[0], err)
		}
		out = append(out, &s)
	}
	return out
}

var dumpElem = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"|NULL`)

func compareBytes(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	t.Errorf("%s: %d bytes through the connector, %d from the writing library; first difference at byte %d", what, len(got), len(want), i)
}

func TestUploadedFITS(t *testing.T) {
	needVOL(t)
	dir := t.TempDir()
	// astropy writes the file and what it reads back from it, per dataset,
	// as little-endian bytes.
	debianPython(t, dir, `
import numpy as np
from astropy.io import fits
rng = np.random.default_rng(7)
img = (rng.standard_normal((40, 30)) * 100).astype('>f4')
h1 = fits.ImageHDU(img)
h1.header['OBJECT'] = 'M31'
h1.header['EXPTIME'] = 12.5
h1.header['NCOMBINE'] = 4
cols = fits.ColDefs([
    fits.Column(name='E', format='D', array=rng.standard_normal(25) * 1e3),
    fits.Column(name='ID', format='J', array=np.arange(25, dtype='>i4') * 3 - 10),
    fits.Column(name='FLUX', format='3E', array=rng.standard_normal((25, 3)).astype('>f4')),
])
h2 = fits.BinTableHDU.from_columns(cols)
h3 = fits.ImageHDU((np.arange(60).reshape(6, 10) * 0.5 + 10).astype('f4'))
h3.scale('int16', bscale=0.5, bzero=10)
fits.HDUList([fits.PrimaryHDU(), h1, h2, h3]).writeto('survey.fits')
with fits.open('survey.fits') as hdul:
    def save(name, a):
        a = np.ascontiguousarray(a)
        a.astype(a.dtype.newbyteorder('<')).tofile(name)
    save('HDU1.bin', hdul[1].data)
    for c in ('E', 'ID', 'FLUX'):
        save('HDU2_' + c + '.bin', hdul[2].data[c])
    save('HDU3.bin', hdul[3].data)
    print(hdul[1].header['OBJECT'], file=open('object.txt', 'w'), end='')
`)
	upload(t, dir, "survey.fits")
	file := uploadContainer + "/survey.fits"

	// The example, verbatim but for the credentials in the
	// environment.
	cwd := t.TempDir()
	r := run(t, volEnv(), cwd, tool("h5dump"), "-d", "/HDU1", file)
	if r.code != 0 || !strings.Contains(r.stdout, `DATASET "/HDU1"`) || !strings.Contains(r.stdout, "DATASPACE  SIMPLE { ( 40, 30 ) / ( 40, 30 ) }") {
		t.Errorf("h5dump -d /HDU1 %s: %s", file, r)
	}
	checkNoLocalFiles(t, cwd)

	for _, c := range []struct{ path, want string }{
		{"/HDU1", "HDU1.bin"}, {"/HDU2/E", "HDU2_E.bin"}, {"/HDU2/ID", "HDU2_ID.bin"},
		{"/HDU2/FLUX", "HDU2_FLUX.bin"}, {"/HDU3", "HDU3.bin"},
	} {
		want, err := os.ReadFile(filepath.Join(dir, c.want))
		if err != nil {
			t.Fatal(err)
		}
		compareBytes(t, c.path, dumpBinary(t, file, c.path), want)
	}

	// Header cards are attributes.
	object, _ := os.ReadFile(filepath.Join(dir, "object.txt"))
	r = run(t, volEnv(), t.TempDir(), tool("h5dump"), "-a", "/HDU1/OBJECT", file)
	if r.code != 0 || !strings.Contains(r.stdout, `"`+string(object)+`"`) {
		t.Errorf("h5dump -a /HDU1/OBJECT: want %q in %s", object, r)
	}
	checkListing(t, file, "/HDU1", "/HDU2/E", "/HDU2/FLUX", "/HDU3")
	checkReadOnly(t, file, "/HDU2/ID", "fits")
}

// checkListing runs h5ls -r -v through the connector and looks for paths.
func checkListing(t *testing.T, file string, paths ...string) {
	t.Helper()
	r := run(t, volEnv(), t.TempDir(), tool("h5ls"), "-r", "-v", file)
	if r.code != 0 {
		t.Errorf("h5ls -r -v %s: %s", file, r)
		return
	}
	for _, p := range paths {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(p) + `\s+Dataset \{`).MatchString(r.stdout) {
			t.Errorf("h5ls -r -v %s lists no dataset %s:\n%s", file, p, r.stdout)
		}
	}
}

// checkReadOnly runs c/uploaded.c on the file, and checks the object in
// the store is the one uploaded.
func checkReadOnly(t *testing.T, file, dataset, format string) {
	t.Helper()
	prog := buildUploadedProgram(t)
	before := objectETag(t, file)
	cwd := t.TempDir()
	r := run(t, volEnv(), cwd, prog, file, dataset, "is an uploaded "+format+" file, read-only through sciswift")
	if r.code != 0 {
		t.Errorf("%s", r)
	}
	checkNoLocalFiles(t, cwd)
	if after := objectETag(t, file); after != before {
		t.Errorf("%s changed: ETag %s, was %s", file, after, before)
	}
	for _, o := range listObjects(t, uploadContainer) {
		if strings.HasPrefix(o, strings.TrimPrefix(file, uploadContainer+"/")+"/") {
			t.Errorf("the refused changes left %s/%s in the store", uploadContainer, o)
		}
	}
}

func objectETag(t *testing.T, file string) string {
	t.Helper()
	container, name, _ := strings.Cut(file, "/")
	out, errOut, code := swiftCLI(t, "", "stat", container, name)
	if code != 0 {
		t.Fatalf("swift stat %s: %s", file, errOut)
	}
	m := regexp.MustCompile(`(?m)^\s*ETag: (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("swift stat %s printed no ETag:\n%s", file, out)
	}
	return m[1]
}

// buildUploadedProgram compiles c/uploaded.c once per test binary.
func buildUploadedProgram(t *testing.T) string {
	t.Helper()
	out := filepath.Join(env.workDir, "bin", "uploaded")
	if _, err := os.Stat(out); err == nil {
		return out
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	cmd := exec.CommandContext(ctx, filepath.Join(env.hdf5, "bin", "h5cc"), "-shlib", "-Wall", "-O1", "-o", filepath.Join(tmp, "uploaded"),
		filepath.Join(env.repo, "test", "vol", "c", "uploaded.c"))
	cmd.Dir = tmp
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("h5cc uploaded.c: %v\n%s", err, msg)
	}
	_ = os.MkdirAll(filepath.Dir(out), 0o755)
	if err := os.Rename(filepath.Join(tmp, "uploaded"), out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestUploadedParquet(t *testing.T) {
	needVOL(t)
	const rows, rowGroup = 2500, 1000
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "energy", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	var buf bytes.Buffer
	w, err := pqarrow.NewFileWriter(schema, &buf, pq.NewWriterProperties(pq.WithMaxRowGroupLength(rowGroup), pq.WithCompression(compress.Codecs.Snappy), pq.WithDictionaryDefault(true)), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	for i := range rows {
		if i%7 == 3 {
			b.Field(0).(*array.Float64Builder).AppendNull()
		} else {
			b.Field(0).(*array.Float64Builder).Append(math.Sqrt(float64(i)) * 1.5)
		}
		b.Field(1).(*array.Int64Builder).Append(int64(i*i) - 1000)
		if i%11 == 5 {
			b.Field(2).(*array.StringBuilder).AppendNull()
		} else {
			b.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("event-%d", i%13))
		}
	}
	rec := b.NewRecord()
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	rec.Release()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "events.parquet"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	upload(t, dir, "events.parquet")
	file := uploadContainer + "/events.parquet"

	// What arrow-go reads back from the file.
	tbl, err := pqarrow.ReadTable(context.Background(), bytes.NewReader(buf.Bytes()), pq.NewReaderProperties(nil), pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	var energy, ids []byte
	var names []*string
	for _, c := range tbl.Column(0).Data().Chunks() {
		a := c.(*array.Float64)
		for i := range a.Len() {
			v := math.NaN() // the documented fill of a null float
			if a.IsValid(i) {
				v = a.Value(i)
			}
			energy = binary.LittleEndian.AppendUint64(energy, math.Float64bits(v))
		}
	}
	for _, c := range tbl.Column(1).Data().Chunks() {
		for _, v := range c.(*array.Int64).Int64Values() {
			ids = binary.LittleEndian.AppendUint64(ids, uint64(v))
		}
	}
	for _, c := range tbl.Column(2).Data().Chunks() {
		a := c.(*array.String)
		for i := range a.Len() {
			if a.IsNull(i) {
				names = append(names, nil)
				continue
			}
			s := a.Value(i)
			names = append(names, &s)
		}
	}
	compareBytes(t, "/energy", dumpBinary(t, file, "/energy"), energy)
	compareBytes(t, "/id", dumpBinary(t, file, "/id"), ids)
	got := dumpStrings(t, file, "/name")
	if len(got) != len(names) {
		t.Errorf("/name: %d strings through the connector, arrow-go reads %d", len(got), len(names))
	}
	for i := range min(len(got), len(names)) {
		if (got[i] == nil) != (names[i] == nil) || got[i] != nil && *got[i] != *names[i] {
			t.Errorf("/name[%d] = %s, arrow-go reads %s", i, show(got[i]), show(names[i]))
			break
		}
	}
	checkListing(t, file, "/energy", "/id", "/name", "/table")
	checkReadOnly(t, file, "/id", "parquet")
}

func show(s *string) string {
	if s == nil {
		return "NULL"
	}
	return strconv.Quote(*s)
}

func TestUploadedHDF5(t *testing.T) {
	needVOL(t)
	dir := t.TempDir()
	debianPython(t, dir, `
import h5py, numpy as np
with h5py.File('run1.h5', 'w') as f:
    f.attrs['title'] = 'run 1'
    f.attrs['version'] = np.int32(3)
    f.attrs['limits'] = np.array([0.5, 1.5, 2.5])
    g = f.create_group('wind')
    u = g.create_dataset('u', data=np.arange(2000, dtype='<f8').reshape(100, 20) / 7, chunks=(10, 20), compression='gzip', shuffle=True)
    u.attrs['units'] = 'm/s'
    g.create_dataset('v', data=(np.arange(300, dtype='<i2') - 150).reshape(30, 10))
    f.create_dataset('names', data=np.array(['alpha', 'beta', 'gamma', ''], dtype=h5py.string_dtype()))
    pairs = np.zeros(5, dtype=[('x', '<f4'), ('n', '<i4')])
    pairs['x'] = np.arange(5) / 4
    pairs['n'] = np.arange(5) * -2
    f.create_dataset('pairs', data=pairs)
    f.create_dataset('fixed', data=np.array([b'ab', b'cde'], dtype='S4'))
    f.create_dataset('scalar', data=np.float64(2.5))
`)
	upload(t, dir, "run1.h5")
	file := uploadContainer + "/run1.h5"
	// h5dump prints the same for the uploaded object through the
	// connector as for the file on disk, natively.
	want := runOK(t, nativeEnv(), dir, tool("h5dump"), "run1.h5")
	cwd := t.TempDir()
	got := run(t, volEnv(), cwd, tool("h5dump"), file)
	if got.code != 0 {
		t.Errorf("h5dump %s: %s", file, got)
	} else {
		compareOutputs(t, "h5dump", normaliseDump(want.stdout, false), normaliseDump(got.stdout, false))
	}
	checkNoLocalFiles(t, cwd)
	checkListing(t, file, "/wind/u", "/wind/v", "/names", "/pairs", "/scalar")
	checkReadOnly(t, file, "/wind/v", "hdf5")
}

// An object in no format the server knows does not open, with a sentence
// saying why, and stays as it was.
func TestUploadedNotScientific(t *testing.T) {
	needVOL(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte(strings.Repeat("not a data file\n", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	upload(t, dir, "notes.txt")
	file := uploadContainer + "/notes.txt"
	r := run(t, volEnv(), t.TempDir(), env.bins["failcase"], "expect-fail", "open-ro", file, "is not an HDF5, Parquet or FITS file, nor one written by sciswift")
	if r.code != 0 {
		t.Errorf("%s", r)
	}
	r = run(t, volEnv(), t.TempDir(), env.bins["failcase"], "expect-fail", "create", file, "not an HDF5, Parquet or FITS file")
	if r.code != 0 {
		t.Errorf("%s", r)
	}
	if !slices.Contains(listObjects(t, uploadContainer), "notes.txt") {
		t.Errorf("notes.txt is gone after a refused H5Fcreate(TRUNC)")
	}
}
