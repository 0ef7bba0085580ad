package examplestest

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/server/client"
)

func TestPythonHelp(t *testing.T) {
	need(t, env.pythonErr)
	for _, script := range []string{"upload.py", "list.py", "vol_write.py", "vol_read.py"} {
		t.Run(script, func(t *testing.T) {
			r := run(t, example(), nil, python, example(script), "--help")
			if r.code != 0 || !strings.Contains(r.stdout, "usage: "+script) {
				t.Fatalf("%s --help:\n%s", script, r)
			}
		})
	}
}

// TestUploadPy runs the quickstart's upload, then reads the uploaded file
// back with HDF5 1.14's h5dump and checks a value against the formula the
// script documents (value[i, j] = i + j/1000).
func TestUploadPy(t *testing.T) {
	need(t, env.pythonErr)
	need(t, env.hdf5Err)
	dir := t.TempDir()
	r := run(t, dir, storeEnv(), python, example("upload.py"), "up", "wind.h5", "wind", "100", "100")
	if r.code != 0 || !strings.Contains(r.stdout, "uploaded up/wind.h5: /wind 100x100 float64") {
		t.Fatalf("upload.py:\n%s", r)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("upload.py left %d files in the working directory", len(entries))
	}
	local := download(t, login(t), "up", "wind.h5")
	dump := run(t, dir, nil, filepath.Join(env.hdf5, "bin", "h5dump"), "-d", "/wind", "-s", "37,42", "-c", "1,1", local)
	if dump.code != 0 {
		t.Fatalf("h5dump of the uploaded file:\n%s", dump)
	}
	for _, want := range []string{"DATASPACE  SIMPLE { ( 100, 100 ) / ( 100, 100 ) }", "H5T_IEEE_F64LE", "(37,42): 37.042"} {
		if !strings.Contains(dump.stdout, want) {
			t.Errorf("h5dump of up/wind.h5 lacks %q:\n%s", want, dump.stdout)
		}
	}
}

func TestUploadPyErrors(t *testing.T) {
	need(t, env.pythonErr)
	cases := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"no credentials", nil, []string{"c", "f.h5", "d", "2", "2"}, "credentials missing"},
		{"zero rows", storeEnv(), []string{"c", "f.h5", "d", "0", "2"}, "at least 1"},
		{"wrong key", []string{"ST_AUTH=" + env.authURL, "ST_USER=" + user, "ST_KEY=wrong"}, []string{"c", "f.h5", "d", "2", "2"}, "401"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, t.TempDir(), tc.env, python, append([]string{example("upload.py")}, tc.args...)...)
			if r.code == 0 || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("want a failure naming %q:\n%s", tc.want, r)
			}
		})
	}
}

// TestListPy lists a container holding an uploaded HDF5 file, a text file
// and (when the connector is built) a file written through the connector,
// and compares every row with the store's own listing: sizes, formats, and
// the connector file's parts folded into one row.
func TestListPy(t *testing.T) {
	need(t, env.pythonErr)
	const container = "listing"
	c := login(t)
	ctx := context.Background()
	if r := run(t, t.TempDir(), storeEnv(), python, example("upload.py"), container, "wind.h5", "wind", "30", "20"); r.code != 0 {
		t.Fatalf("upload.py:\n%s", r)
	}
	notes := "calibration notes\n"
	if _, err := c.PutObject(ctx, container, "notes.txt", strings.NewReader(notes), int64(len(notes)), nil); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"wind.h5": "hdf5", "notes.txt": "-"}
	volFile := ""
	if env.hdf5Err == nil && env.pluginErr == nil {
		sim := h5cc(t, example("vol", "simulation.c"), "-lm")
		if r := run(t, t.TempDir(), connectorEnv(), sim, container+"/run1.h5", "3"); r.code != 0 {
			t.Fatalf("simulation through the connector:\n%s", r)
		}
		volFile = "run1.h5"
		want[volFile] = "hdf5-vol"
	} else if env.strict {
		t.Fatalf("no connector: hdf5: %v, plugin: %v", env.hdf5Err, env.pluginErr)
	}

	r := run(t, t.TempDir(), storeEnv(), python, example("list.py"), container)
	if r.code != 0 {
		t.Fatalf("list.py:\n%s", r)
	}
	got := parseListing(t, r.stdout)
	recs, _, err := c.ListObjects(ctx, container, client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantBytes, wantParts := map[string]int64{}, map[string]int{}
	for _, rec := range recs {
		name := rec.Name
		if volFile != "" && strings.HasPrefix(name, volFile+"/") {
			name = volFile
			wantParts[name]++
		}
		wantBytes[name] += rec.Bytes
	}
	if len(got) != len(want) {
		t.Errorf("list.py shows %d rows, want %d (%v):\n%s", len(got), len(want), want, r.stdout)
	}
	for name, format := range want {
		row, ok := got[name]
		switch {
		case !ok:
			t.Errorf("list.py has no row for %s:\n%s", name, r.stdout)
		case row.format != format:
			t.Errorf("%s: format %q, want %q", name, row.format, format)
		case row.bytes != wantBytes[name]:
			t.Errorf("%s: %d bytes, the listing says %d", name, row.bytes, wantBytes[name])
		case row.parts != wantParts[name]:
			t.Errorf("%s: %d parts, the listing has %d", name, row.parts, wantParts[name])
		}
	}
	if volFile != "" && wantParts[volFile] == 0 {
		t.Errorf("the listing shows no parts under %s/: the connector file was not stored as parts", volFile)
	}
}

type listRow struct {
	bytes  int64
	format string
	parts  int
}

var rowRE = regexp.MustCompile(`^(\S+)\s+(\d+)\s+(\S+)\s+(\S*)\s+(\d+)\s`)

func parseListing(t *testing.T, out string) map[string]listRow {
	t.Helper()
	rows := map[string]listRow{}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "NAME") {
		t.Fatalf("list.py printed no table:\n%s", out)
	}
	for _, line := range lines[1 : len(lines)-1] {
		m := rowRE.FindStringSubmatch(line + " ")
		if m == nil {
			t.Fatalf("list.py row %q is not NAME BYTES FORMAT FROM PARTS", line)
		}
		n, _ := strconv.ParseInt(m[2], 10, 64)
		parts, _ := strconv.Atoi(m[5])
		rows[m[1]] = listRow{bytes: n, format: m[3], parts: parts}
	}
	return rows
}

// download saves one object into a temporary file and returns its path.
func download(t *testing.T, c *client.Client, container, object string) string {
	t.Helper()
	body, _, err := c.GetObject(context.Background(), container, object, nil)
	if err != nil {
		t.Fatalf("GET %s/%s: %v", container, object, err)
	}
	defer body.Close()
	path := filepath.Join(t.TempDir(), filepath.Base(object))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.Copy(f, body); err != nil {
		t.Fatal(fmt.Errorf("GET %s/%s: %w", container, object, err))
	}
	return path
}
