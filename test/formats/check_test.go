package formats_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// source says where check.py finds the expected values of a dataset.
type source map[string]any

func h5Source(file, dataset string) source {
	return source{"kind": "h5", "file": file, "dataset": dataset}
}
func fitsImage(file string, hdu int) source { return source{"kind": "fits", "file": file, "hdu": hdu} }
func fitsColumn(file string, hdu int, col string) source {
	return source{"kind": "fitscol", "file": file, "hdu": hdu, "column": col}
}

// checkCase is one comparison check.py makes.
type checkCase struct {
	ID       string `json:"id"`
	Source   source `json:"source"`
	Select   string `json:"select,omitempty"`
	Format   string `json:"format,omitempty"`
	Got      string `json:"got,omitempty"`
	RawDtype string `json:"raw_dtype,omitempty"`
	RawShape string `json:"raw_shape"`
	Describe string `json:"describe,omitempty"`

	exchange string // the request and response, for failure messages
}

// checker collects server responses and has check.py compare them all in
// one run (one interpreter start for hundreds of comparisons).
type checker struct {
	dir   string
	cases []*checkCase
}

func newChecker(t *testing.T) *checker { return &checker{dir: t.TempDir()} }

// allFormats are the dataset API's format= values.
var allFormats = []string{"json", "npy", "csv", "arrow", "raw"}

// slice fetches `?dataset=PATH&select=EXPR&format=FMT` of object and
// queues the comparison with src. select "" sends no select= (the whole
// dataset). A reply other than 200 fails the test at once.
func (c *checker) slice(t *testing.T, s *session, object, dataset, sel, format string, src source) {
	t.Helper()
	q := "?dataset=" + url.QueryEscape(dataset)
	if sel != "" {
		q += "&select=" + url.QueryEscape(sel)
	}
	q += "&format=" + format
	r := s.get(t, "/"+object+q)
	if r.status != 200 {
		t.Errorf("%s: want 200", r)
		return
	}
	id := fmt.Sprintf("%03d", len(c.cases))
	body := r.body
	if format == "arrow" {
		var err error
		if body, err = arrowToJSON(r.body); err != nil {
			t.Errorf("%s: arrow-go's ipc reader: %v", r, err)
			return
		}
	}
	cc := &checkCase{
		ID: id, Source: src, Select: sel, Format: format,
		Got:      writeFile(t, c.dir, id+"."+format, body),
		exchange: r.String(),
	}
	if format == "raw" {
		cc.RawDtype, cc.RawShape = r.header.Get("X-Sciswift-Dtype"), r.header.Get("X-Sciswift-Shape")
		if cc.RawDtype == "" {
			t.Errorf("%s: no X-Sciswift-Dtype header", r)
			return
		}
	}
	c.cases = append(c.cases, cc)
}

// describe fetches `?describe` and queues its comparison with the file.
func (c *checker) describe(t *testing.T, s *session, object string, src source) {
	t.Helper()
	r := s.get(t, "/"+object+"?describe")
	if r.status != 200 {
		t.Errorf("%s: want 200", r)
		return
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q, want application/json", r, ct)
	}
	id := fmt.Sprintf("%03d", len(c.cases))
	c.cases = append(c.cases, &checkCase{
		ID: id, Source: src, Describe: writeFile(t, c.dir, id+".json", r.body), exchange: r.String(),
	})
}

// run has check.py compare everything queued and fails each case with a
// problem, quoting its exchange with the server.
func (c *checker) run(t *testing.T) {
	t.Helper()
	if len(c.cases) == 0 {
		return
	}
	manifest, err := json.Marshal(c.cases)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(c.dir, "manifest.json")
	if err := os.WriteFile(path, manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	var results map[string][]string
	out := runPython(t, "check.py", path)
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("check.py printed %q: %v", out, err)
	}
	byID := map[string]*checkCase{}
	for _, cc := range c.cases {
		byID[cc.ID] = cc
	}
	var ids []string
	for id := range results {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if probs := results[id]; len(probs) > 0 {
			t.Errorf("%s\n    %s", byID[id].exchange, strings.Join(probs, "\n    "))
		}
	}
	if len(results) != len(c.cases) {
		t.Errorf("check.py answered %d cases of %d", len(results), len(c.cases))
	}
	t.Logf("check.py compared %d responses with the writing libraries' values", len(c.cases))
}
