package encode

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/formats"
)

// Dtypes for the cases testdata/crosscheck.py builds with numpy: the Go
// side of the cross-check only declares types, the values come from numpy.
func intT(size int, signed bool, order formats.ByteOrder) *formats.Dtype {
	return &formats.Dtype{Class: formats.ClassInteger, Size: size, Signed: signed, Order: order}
}

func floatT(size int, order formats.ByteOrder) *formats.Dtype {
	return &formats.Dtype{Class: formats.ClassFloat, Size: size, Order: order}
}

func strT(size int, pad string) *formats.Dtype {
	return &formats.Dtype{Class: formats.ClassString, Size: size, Charset: formats.CharsetASCII, Padding: pad}
}

func boolT() *formats.Dtype {
	return &formats.Dtype{Class: formats.ClassEnum, Size: 1, Base: intT(1, true, formats.LittleEndian),
		Members: []formats.Member{{Name: "FALSE", Value: 0}, {Name: "TRUE", Value: 1}}}
}

func arrayT(base *formats.Dtype, dims ...int) *formats.Dtype {
	size := base.Size
	for _, d := range dims {
		size *= d
	}
	return &formats.Dtype{Class: formats.ClassArray, Size: size, Base: base, Dims: dims}
}

const le, be = formats.LittleEndian, formats.BigEndian

type crossCase struct {
	t     *formats.Dtype
	shape []uint64 // overrides numpy's shape (array types)
}

func crossCases() map[string]crossCase {
	return map[string]crossCase{
		"i4le_2d":       {t: intT(4, true, le)},
		"i4be_2d":       {t: intT(4, true, be)},
		"u2be":          {t: intT(2, false, be)},
		"i8le_extremes": {t: intT(8, true, le)},
		"u8be_extremes": {t: intT(8, false, be)},
		"i1":            {t: intT(1, true, le)},
		"u1_boollike":   {t: intT(1, false, le)},
		"bool_enum":     {t: boolT()},
		"enum_i2be": {t: &formats.Dtype{Class: formats.ClassEnum, Size: 2, Base: intT(2, true, be),
			Members: []formats.Member{{Name: "RED", Value: 0}, {Name: "GREEN", Value: 1}, {Name: "BLUE", Value: 2}}}},
		"f8le_special": {t: floatT(8, le)},
		"f4be_special": {t: floatT(4, be)},
		"f2le":         {t: floatT(2, le)},
		"fixed_str":    {t: strT(5, formats.PadNullPad)},
		"compound": {t: &formats.Dtype{Class: formats.ClassCompound, Size: 40, Members: []formats.Member{
			{Name: "x", Offset: 0, Type: floatT(4, le)},
			{Name: "y", Offset: 8, Type: intT(2, true, be)},
			{Name: "name", Offset: 10, Type: strT(3, formats.PadNullPad)},
			{Name: "v", Offset: 16, Type: arrayT(floatT(8, le), 2)},
		}}},
		"nested_compound": {t: &formats.Dtype{Class: formats.ClassCompound, Size: 11, Members: []formats.Member{
			{Name: "id", Offset: 0, Type: intT(8, true, be)},
			{Name: "pt", Offset: 8, Type: &formats.Dtype{Class: formats.ClassCompound, Size: 3, Members: []formats.Member{
				{Name: "a", Offset: 0, Type: intT(2, false, be)},
				{Name: "b", Offset: 2, Type: intT(1, false, le)},
			}}},
		}}},
		"table": {t: &formats.Dtype{Class: formats.ClassCompound, Size: 17, Members: []formats.Member{
			{Name: "n", Offset: 0, Type: intT(4, true, le)},
			{Name: "val", Offset: 4, Type: floatT(8, be)},
			{Name: "label", Offset: 12, Type: strT(4, formats.PadNullPad)},
			{Name: "ok", Offset: 16, Type: boolT()},
		}}},
		"scalar":     {t: floatT(8, le)},
		"scalar_str": {t: strT(4, formats.PadNullTerm)},
		"f8be_3d":    {t: floatT(8, be)},
		"array_type": {t: arrayT(floatT(4, le), 3), shape: []uint64{2}},
		"empty_1d":   {t: intT(4, true, le)},
		"empty_2d":   {t: intT(4, true, le)},
		"opaque":     {t: &formats.Dtype{Class: formats.ClassOpaque, Size: 4, Tag: "blob"}},
		"vstr":       {t: &formats.Dtype{Class: formats.ClassString, Variable: true, Charset: formats.CharsetUTF8, Padding: formats.PadNullTerm}},
	}
}

// python finds a Python with numpy, skipping the test when there is none
// unless CI or SCISWIFT_BIN says the full toolchain must be there.
func python(t *testing.T) string {
	t.Helper()
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		if py, err = exec.LookPath("python3"); err != nil {
			py = ""
		}
	}
	if py != "" {
		if out, err := exec.Command(py, "-c", "import numpy").CombinedOutput(); err != nil {
			t.Logf("%s has no numpy: %v: %s", py, err, out)
			py = ""
		}
	}
	if py == "" {
		if os.Getenv("CI") != "" || os.Getenv("SCISWIFT_BIN") != "" {
			t.Fatal("python3 with numpy is required (CI or SCISWIFT_BIN is set)")
		}
		t.Skip("no python3 with numpy")
	}
	return py
}

// TestCrossCheckNumpy writes every case in every format and has numpy,
// json and csv read them back (testdata/crosscheck.py).
func TestCrossCheckNumpy(t *testing.T) {
	py := python(t)
	script, err := filepath.Abs("testdata/crosscheck.py")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if out, err := exec.Command(py, script, "gen", dir).CombinedOutput(); err != nil {
		t.Fatalf("crosscheck.py gen: %v\n%s", err, out)
	}
	var meta []struct {
		Name    string   `json:"name"`
		Shape   []uint64 `json:"shape"`
		Strings []string `json:"strings"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		t.Fatal(err)
	}
	defs := crossCases()
	if len(meta) != len(defs) {
		t.Fatalf("crosscheck.py has %d cases, the Go test declares %d", len(meta), len(defs))
	}
	unsupported := map[string]map[string]bool{
		NPY: {"vstr": true},
		Raw: {"vstr": true},
		CSV: {"scalar": true, "scalar_str": true, "f8be_3d": true, "compound": true, "nested_compound": true},
	}
	for _, m := range meta {
		def, ok := defs[m.Name]
		if !ok {
			t.Fatalf("case %q has no Go dtype", m.Name)
		}
		a := &formats.Array{Type: *def.t, Shape: m.Shape}
		if def.shape != nil {
			a.Shape = def.shape
		}
		if m.Strings != nil {
			for _, s := range m.Strings {
				a.Strings = append(a.Strings, []byte(s))
			}
		} else if a.Data, err = os.ReadFile(filepath.Join(dir, m.Name+".bin")); err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{JSON, NPY, CSV, Raw} {
			enc, err := New(format, a)
			if unsupported[format][m.Name] {
				if !errors.Is(err, ErrUnsupported) {
					t.Errorf("%s as %s: error %v, want ErrUnsupported", m.Name, format, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s as %s: %v", m.Name, format, err)
				continue
			}
			f, err := os.Create(filepath.Join(dir, m.Name+"."+format))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := enc.WriteTo(f); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			if format == Raw {
				hdr, _ := json.Marshal(enc.Header)
				if err := os.WriteFile(filepath.Join(dir, m.Name+".raw.hdr"), hdr, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	out, err := exec.Command(py, script, "check", dir).CombinedOutput()
	t.Logf("crosscheck.py check:\n%s", out)
	if err != nil {
		t.Fatalf("crosscheck.py check: %v:\n%s", err, strings.TrimSpace(string(out)))
	}
}
