package voltest

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/sciswift/sciswift/test/testserver"
)

// The README's dataset API example and its "uploaded files through the
// connector" example, each the first sh block under its heading.
const (
	readmeDatasetsSection = "## Dataset API"
	readmeUploadedSection = "### Uploaded files through the connector, read-only"
	debianPython3         = "/usr/bin/python3"
)

// traceCommands makes bash print a marker line with each command before
// running it, so the output can be split by the README line it came from
// while the lines themselves run as written.
const (
	commandMarker = "\n\x1e "
	traceCommands = `trap 'printf "\n\036 %s\n" "$BASH_COMMAND"' DEBUG` + "\n"
)

// TestReadmeDatasetAPI runs the README's dataset API example, then its
// uploaded-files-through-the-connector example, as written, in one
// `bash -euo pipefail`: the only substitution is the test server's address
// for 127.0.0.1:8080, the only addition a DEBUG trap that marks where each
// command's output starts (traceCommands). It runs in
// a scratch directory that links bin/plugins, scripts, examples, go.mod and
// go.sum (so `go run ./examples/...` resolves), with Debian's python3 first
// on PATH. Every value printed is compared with what the library that
// wrote the file reads back: h5py, astropy and arrow-go.
func TestReadmeDatasetAPI(t *testing.T) {
	needVOL(t)
	if _, err := os.Stat(debianPython3); err != nil {
		missing(t, fmt.Errorf("no %s (apt-get install python3-h5py python3-astropy): %v", debianPython3, err))
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		missing(t, fmt.Errorf("no go on PATH for `go run ./examples/datasets/parquet`: %v", err))
	}
	if _, err := exec.LookPath("curl"); err != nil {
		missing(t, fmt.Errorf("no curl (make deps): %v", err))
	}
	srv := startDatasetServer(t)

	script := readmeShBlock(t, readmeDatasetsSection, "make_samples.py") + readmeShBlock(t, readmeUploadedSection, "h5dump")
	script = strings.ReplaceAll(script, "127.0.0.1:8080", srv.Addr)
	dir := t.TempDir()
	for name, target := range map[string]string{
		"bin/plugins": env.pluginDir,
		"scripts":     filepath.Join(env.repo, "scripts"),
		"examples":    filepath.Join(env.repo, "examples"),
		"go.mod":      filepath.Join(env.repo, "go.mod"),
		"go.sum":      filepath.Join(env.repo, "go.sum"),
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	// Debian's python3 (h5py, astropy) before any other; the go running
	// this test before Debian's, if any.
	path := filepath.Dir(goTool) + ":/usr/bin:" + os.Getenv("PATH")
	r := run(t, withEnv(cleanEnv(), "PATH="+path), dir, "bash", "-euo", "pipefail", "-c", traceCommands+script)
	if r.code != 0 {
		t.Fatalf("the README's dataset API examples failed:\n%s\n%s", script, r)
	}
	t.Logf("the examples printed:\n%s", r.stdout)
	out := splitOutput(script, r.stdout)

	want := librariesRead(t, dir)
	checkDescribe(t, out.of(t, "?describe"), want)
	checkWindSlice(t, out.of(t, "run1.h5?dataset="), want)
	if got := strings.TrimSpace(out.of(t, "numpy.load")); got != want.CutPrinted {
		t.Errorf("the README prints %q for cut.npy's shape, numpy prints %q for astropy's data[0:512,0:512]", got, want.CutPrinted)
	}
	if !want.CutEqual {
		t.Errorf("cut.npy (%s, %v) differs from astropy's data[0:512,0:512] (%s)", want.CutDtype, want.CutShape, want.ImageDtype)
	}
	checkEnergyCSV(t, out.of(t, "events.parquet?dataset="), filepath.Join(dir, "events.parquet"))
	checkCornerDump(t, out.of(t, "h5dump"), want.Corner)
	checkEventsListing(t, out.of(t, "h5ls"), filepath.Join(dir, "events.parquet"))
}

// startDatasetServer starts a server of the test's own (the sky container
// of the other upload tests stays theirs) with the HDF5 index worker that
// sits next to the server binary, built when it is missing.
func startDatasetServer(t *testing.T) *testserver.Server {
	t.Helper()
	dir := t.TempDir()
	config, err := json.Marshal(map[string]any{"datasets": map[string]any{"h5_worker": h5Worker(t)}})
	if err != nil {
		t.Fatal(err)
	}
	configPath := filepath.Join(dir, "config.json")
	if err := os.WriteFile(configPath, config, 0o644); err != nil {
		t.Fatal(err)
	}
	srv, err := testserver.Start(env.sciswift, "", filepath.Join(dir, "data"), configPath, filepath.Join(dir, "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := srv.Stop(stopTimeout); err != nil {
			t.Errorf("stopping the server: %v", err)
		}
	})
	return srv
}

// h5Worker is sciswift-h5worker next to the server binary (make build
// h5worker puts them side by side), else one built for this test with the
// HDF5 the suite uses.
func h5Worker(t *testing.T) string {
	t.Helper()
	beside := filepath.Join(filepath.Dir(env.sciswift), "sciswift-h5worker")
	if _, err := os.Stat(beside); err == nil {
		return beside
	}
	t.Logf("no %s; building one", beside)
	out, err := testserver.BuildH5Worker(t.TempDir(), env.hdf5)
	if err != nil {
		t.Fatalf("no %s (make h5worker), and building one failed: %v", beside, err)
	}
	return out
}

// readmeShBlock returns the first ```sh block after the heading, which
// must mention mustHave.
func readmeShBlock(t *testing.T, heading, mustHave string) string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(env.repo, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no %q heading", heading)
	}
	_, block, ok := strings.Cut(section, "```sh\n")
	if ok {
		block, _, ok = strings.Cut(block, "```")
	}
	if !ok || !strings.Contains(block, mustHave) {
		t.Fatalf("no sh block with %q under %q in README.md", mustHave, heading)
	}
	return block
}

// scriptOutput is what each line of a script printed.
type scriptOutput struct {
	lines   []string
	printed map[int]string // line index → its stdout
}

// splitOutput attributes the traced stdout to the script's lines: each
// marker names a command, found in the first line at or after the current
// one that holds it; commands no line holds (those eval runs) belong to
// the current line.
func splitOutput(script, stdout string) scriptOutput {
	out := scriptOutput{lines: strings.Split(script, "\n"), printed: map[int]string{}}
	current := 0
	parts := strings.Split(stdout, commandMarker)
	for _, part := range parts[1:] {
		command, printed, _ := strings.Cut(part, "\n")
		for i := current; i < len(out.lines); i++ {
			if strings.Contains(squeeze(out.lines[i]), squeeze(command)) {
				current = i
				break
			}
		}
		out.printed[current] += printed
	}
	return out
}

// of is the output of the first script line that holds text.
func (o scriptOutput) of(t *testing.T, text string) string {
	t.Helper()
	for i, line := range o.lines {
		if strings.Contains(line, text) {
			return o.printed[i]
		}
	}
	t.Fatalf("no line of the README examples holds %q", text)
	return ""
}

func squeeze(s string) string { return strings.Join(strings.Fields(s), " ") }

// libraryValues is what h5py, astropy and numpy read from the files the
// example wrote and downloaded.
type libraryValues struct {
	UShape     []uint64    `json:"u_shape"`
	USlice     [][]float64 `json:"u_slice"`
	CutPrinted string      `json:"cut_printed"`
	CutEqual   bool        `json:"cut_equal"`
	CutShape   []int       `json:"cut_shape"`
	CutDtype   string      `json:"cut_dtype"`
	ImageDtype string      `json:"image_dtype"`
	Corner     [][]float64 `json:"corner"`
}

const librariesScript = `
import json, h5py, numpy
from astropy.io import fits
u = h5py.File('run1.h5', 'r')['wind/u']
image = fits.getdata('survey.fits', 1)
cut = numpy.load('cut.npy')
want = image[0:512, 0:512]
print(json.dumps({
    'u_shape': list(u.shape),
    'u_slice': u[0:100:2, 5:7].tolist(),
    'cut_printed': str(want.shape),
    'cut_equal': cut.shape == want.shape and cut.dtype.kind == want.dtype.kind
        and cut.dtype.itemsize == want.dtype.itemsize and bool(numpy.array_equal(cut, want)),
    'cut_shape': list(cut.shape), 'cut_dtype': str(cut.dtype), 'image_dtype': str(image.dtype),
    'corner': image[0:2, 0:4].tolist(),
}))
`

func librariesRead(t *testing.T, dir string) libraryValues {
	t.Helper()
	r := runOK(t, cleanEnv(), dir, debianPython3, "-c", librariesScript)
	var v libraryValues
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("reading the libraries' values: %v\n%s", err, r.stdout)
	}
	return v
}

// describedGroup is the part of ?describe's tree the checks read.
type describedGroup struct {
	Groups   []describedGroup `json:"groups"`
	Datasets []struct {
		Path  string   `json:"path"`
		Shape []uint64 `json:"shape"`
	} `json:"datasets"`
}

func (g describedGroup) shape(path string) ([]uint64, bool) {
	for _, d := range g.Datasets {
		if d.Path == path {
			return d.Shape, true
		}
	}
	for _, sub := range g.Groups {
		if s, ok := sub.shape(path); ok {
			return s, true
		}
	}
	return nil, false
}

func checkDescribe(t *testing.T, printed string, want libraryValues) {
	t.Helper()
	var tree struct {
		Format string         `json:"format"`
		Root   describedGroup `json:"root"`
	}
	if err := json.Unmarshal([]byte(printed), &tree); err != nil {
		t.Fatalf("?describe printed no tree: %v\n%s", err, printed)
	}
	shape, ok := tree.Root.shape("/wind/u")
	if tree.Format != "hdf5" || !ok || fmt.Sprint(shape) != fmt.Sprint(want.UShape) {
		t.Errorf("?describe: format %q, /wind/u shape %v (found %v); h5py: hdf5, %v\n%s", tree.Format, shape, ok, want.UShape, printed)
	}
}

// checkWindSlice compares the JSON slice with h5py's u[0:100:2,5:7], both
// rounded to the dataset's float32.
func checkWindSlice(t *testing.T, printed string, want libraryValues) {
	t.Helper()
	var got [][]float64
	if err := json.Unmarshal([]byte(printed), &got); err != nil {
		t.Fatalf("the /wind/u slice is not a JSON array of rows: %v\n%s", err, printed)
	}
	if len(got) != len(want.USlice) || len(got) == 0 {
		t.Fatalf("the /wind/u slice has %d rows, h5py's u[0:100:2,5:7] %d", len(got), len(want.USlice))
	}
	for i := range got {
		if len(got[i]) != len(want.USlice[i]) {
			t.Fatalf("row %d of the /wind/u slice has %d values, h5py's %d", i, len(got[i]), len(want.USlice[i]))
		}
		for j := range got[i] {
			if float32(got[i][j]) != float32(want.USlice[i][j]) {
				t.Errorf("/wind/u slice [%d][%d] = %v, h5py reads %v", i, j, got[i][j], want.USlice[i][j])
			}
		}
	}
}

// checkEnergyCSV compares the CSV of /energy rows 1000..1002 (of
// events.parquet) with what arrow-go reads from the file the example wrote.
func checkEnergyCSV(t *testing.T, printed, parquetPath string) {
	t.Helper()
	const first = 1000
	lines := strings.Split(strings.TrimSuffix(printed, "\n"), "\n")
	energy := readEnergy(t, parquetPath)
	if len(lines) != 3 || len(energy) < first+3 {
		t.Fatalf("want 3 CSV lines for rows %d.. of %d, got:\n%s", first, len(energy), printed)
	}
	for i, line := range lines {
		want := energy[first+i]
		if want == nil {
			if line != "" {
				t.Errorf("energy row %d: CSV %q, arrow-go reads null", first+i, line)
			}
			continue
		}
		got, err := strconv.ParseFloat(line, 64)
		if err != nil || got != *want {
			t.Errorf("energy row %d: CSV %q, arrow-go reads %v", first+i, line, *want)
		}
	}
}

// readEnergy is the energy column as arrow-go reads it, nil for null.
func readEnergy(t *testing.T, path string) []*float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tbl, err := pqarrow.ReadTable(context.Background(), f, pq.NewReaderProperties(nil), pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	idx := tbl.Schema().FieldIndices("energy")
	if len(idx) != 1 {
		t.Fatalf("%s has no energy column: %s", path, tbl.Schema())
	}
	var energy []*float64
	for _, chunk := range tbl.Column(idx[0]).Data().Chunks() {
		a := chunk.(*array.Float64)
		for i := range a.Len() {
			if a.IsNull(i) {
				energy = append(energy, nil)
				continue
			}
			v := a.Value(i)
			energy = append(energy, &v)
		}
	}
	return energy
}

var (
	dumpData      = regexp.MustCompile(`(?s)DATA \{(.*?)\}`)
	dumpIndex     = regexp.MustCompile(`\(\d+(,\d+)*\):`)
	groupsAndRows = regexp.MustCompile(`(?m)^(/\S*)\s+(Group|Dataset)(\s+\{(\d+)[^}]*\})?`)
)

// checkCornerDump compares `h5dump -d /HDU1 -c 2,4` with astropy's
// data[0:2,0:4], to the digits h5dump prints.
func checkCornerDump(t *testing.T, printed string, corner [][]float64) {
	t.Helper()
	m := dumpData.FindStringSubmatch(printed)
	if m == nil {
		t.Fatalf("h5dump printed no DATA:\n%s", printed)
	}
	var want []float64
	for _, row := range corner {
		want = append(want, row...)
	}
	fields := strings.FieldsFunc(dumpIndex.ReplaceAllString(m[1], " "), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' })
	if len(fields) != len(want) || len(want) != 8 {
		t.Fatalf("h5dump -c 2,4 printed %d values, astropy's [0:2,0:4] has %d:\n%s", len(fields), len(want), printed)
	}
	for i, field := range fields {
		if !printedAs(field, want[i]) {
			t.Errorf("h5dump value %d: %s, astropy reads %v", i, field, want[i])
		}
	}
}

// printedAs reports whether text is v rounded to the significant digits
// text has.
func printedAs(text string, v float64) bool {
	got, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return false
	}
	mantissa, _, _ := strings.Cut(strings.ToLower(text), "e")
	digits := strings.TrimLeft(strings.NewReplacer("-", "", "+", "", ".", "").Replace(mantissa), "0")
	if got == 0 || digits == "" {
		return v == 0
	}
	unit := math.Pow(10, math.Floor(math.Log10(math.Abs(got)))-float64(len(digits))+1)
	return math.Abs(got-v) <= unit/2*(1+1e-9)
}

// checkEventsListing checks that `h5ls -r` lists every column of the file
// as a dataset with as many rows as arrow-go reads, and the table.
func checkEventsListing(t *testing.T, printed, parquetPath string) {
	t.Helper()
	f, err := file.OpenParquetFile(parquetPath, false)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows := strconv.FormatInt(f.NumRows(), 10)
	listed := map[string]string{}
	for _, m := range groupsAndRows.FindAllStringSubmatch(printed, -1) {
		listed[m[1]] = m[2] + " " + m[4]
	}
	want := []string{"/table"}
	for i := range f.MetaData().Schema.NumColumns() {
		want = append(want, "/"+f.MetaData().Schema.Column(i).Name())
	}
	for _, path := range want {
		if listed[path] != "Dataset "+rows {
			t.Errorf("h5ls -r lists %s as %q, want a dataset of %s rows:\n%s", path, listed[path], rows, printed)
		}
	}
}
