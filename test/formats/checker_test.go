package formats_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCheckerCatchesWrongValues: check.py, which every slice test relies
// on, reports a wrong value, a wrong shape and a wrong null in each output
// form — so a passing suite means the server's values were right.
func TestCheckerCatchesWrongValues(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	h5 := makeH5(t, dir, "a")
	// /wind/u[0:2,0:2] is 2×2 float32 of standard normals: never all zero.
	npyZeros := append(padHeader([]byte("\x93NUMPY\x01\x00\x00\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }\n")), make([]byte, 16)...)
	values := writeFile(t, dir, "values.json", []byte(`{"dtype": "<f8", "values": [1.5, null, 3], "nulls": [false, true, false]}`))
	arrowLike, _ := json.Marshal(map[string]any{"shape": "2,2", "values": [][]float64{{0, 0}, {0, 0}}})
	c := &checker{dir: dir}
	add := func(format, body string, src source, sel string) *checkCase {
		id := strconv.Itoa(len(c.cases))
		cc := &checkCase{ID: id, Source: src, Select: sel, Format: format,
			Got: writeFile(t, dir, id+"."+format, []byte(body)), exchange: format + " " + body}
		c.cases = append(c.cases, cc)
		return cc
	}
	u := h5Source(h5, "/wind/u")
	add("npy", string(npyZeros), u, "[0:2,0:2]")
	add("json", "[[0,0],[0,0]]", u, "[0:2,0:2]")
	add("json", "[[0,0,0],[0,0,0]]", u, "[0:2,0:2]") // a wrong shape
	add("csv", "0,0\n0,0\n", u, "[0:2,0:2]")
	add("arrow", string(arrowLike), u, "[0:2,0:2]")
	raw := add("raw", string(make([]byte, 16)), u, "[0:2,0:2]")
	raw.RawDtype, raw.RawShape = "<f4", "2,2"
	add("json", "[1.5, 2, 3]", source{"kind": "values", "file": values}, "")       // a null read as a value
	add("csv", "1.5\n\n3.5\n", source{"kind": "values", "file": values}, "")       // a wrong value
	add("json", "[1.5, null, null]", source{"kind": "values", "file": values}, "") // a value read as null

	manifest, err := json.Marshal(c.cases)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "manifest.json")
	if err := os.WriteFile(path, manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	var results map[string][]string
	if err := json.Unmarshal(runPython(t, "check.py", path), &results); err != nil {
		t.Fatal(err)
	}
	for _, cc := range c.cases {
		if probs := results[cc.ID]; len(probs) == 0 {
			t.Errorf("check.py found nothing wrong with %s (%q)", cc.ID, cc.exchange)
		} else {
			t.Logf("%s: %s", cc.ID, probs[0])
		}
	}
}

// padHeader pads a .npy version 1.0 header (ending in '\n') with spaces
// to a multiple of 64 bytes and fixes its length field.
func padHeader(h []byte) []byte {
	body := strings.TrimSuffix(string(h[10:]), "\n")
	total := 10 + len(body) + 1
	pad := (64 - total%64) % 64
	body += strings.Repeat(" ", pad) + "\n"
	n := len(body)
	return append([]byte{0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, byte(n), byte(n >> 8)}, body...)
}
