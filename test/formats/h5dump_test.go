package formats_test

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// h5dumpDataset is what `h5dump -H -p` says of one dataset.
type h5dumpDataset struct {
	shape, chunks string // "200,40"; "" when scalar / not chunked
	filters       []string
}

var (
	h5dumpOpen    = regexp.MustCompile(`^\s*(GROUP|DATASET|ATTRIBUTE|DATATYPE|DATASPACE|FILTERS|STORAGE_LAYOUT|FILLVALUE|ALLOCATION_TIME|HDF5)\b\s*("([^"]*)")?`)
	h5dumpSpace   = regexp.MustCompile(`DATASPACE\s+SIMPLE \{ \( ([^)]*) \)`)
	h5dumpChunked = regexp.MustCompile(`CHUNKED \( ([^)]*) \)`)
	h5dumpFilter  = map[string]string{"COMPRESSION DEFLATE": "deflate", "PREPROCESSING SHUFFLE": "shuffle", "CHECKSUM FLETCHER32": "fletcher32"}
)

// h5dumpDatasets runs HDF5 1.14's `h5dump -H -p` on file and returns its
// datasets by path.
func h5dumpDatasets(t *testing.T, file string) map[string]*h5dumpDataset {
	t.Helper()
	prefix, err := exec.Command("bash", filepath.Join("..", "..", "scripts", "install-hdf5.sh"), "--print-prefix").Output()
	if err != nil {
		t.Fatalf("scripts/install-hdf5.sh --print-prefix: %v (make hdf5)", err)
	}
	h5dump := filepath.Join(strings.TrimSpace(string(prefix)), "bin", "h5dump")
	out, err := exec.Command(h5dump, "-H", "-p", file).CombinedOutput()
	if err != nil {
		t.Fatalf("%s -H -p %s: %v\n%s", h5dump, file, err, out)
	}
	type open struct {
		kind, name string
		depth      int
	}
	var stack []open
	depth := 0
	datasets := map[string]*h5dumpDataset{}
	path := func() string {
		var parts []string
		for _, o := range stack {
			if (o.kind == "GROUP" || o.kind == "DATASET") && o.name != "/" {
				parts = append(parts, o.name)
			}
		}
		return "/" + strings.Join(parts, "/")
	}
	inside := func(kind string) bool {
		return len(stack) > 0 && stack[len(stack)-1].kind == kind
	}
	var current *h5dumpDataset
	for _, line := range strings.Split(string(out), "\n") {
		if m := h5dumpOpen.FindStringSubmatch(line); m != nil && strings.HasSuffix(strings.TrimSpace(line), "{") {
			stack = append(stack, open{m[1], m[3], depth})
			if m[1] == "DATASET" {
				current = &h5dumpDataset{}
				datasets[path()] = current
			}
		}
		if current != nil && (inside("DATASET") || inside("STORAGE_LAYOUT") || inside("FILTERS")) {
			if m := h5dumpSpace.FindStringSubmatch(line); m != nil && inside("DATASET") {
				current.shape = strings.ReplaceAll(m[1], " ", "")
			}
			if m := h5dumpChunked.FindStringSubmatch(line); m != nil {
				current.chunks = strings.ReplaceAll(m[1], " ", "")
			}
			for text, name := range h5dumpFilter {
				if strings.Contains(line, text) && inside("FILTERS") {
					current.filters = append(current.filters, name)
				}
			}
		}
		depth += strings.Count(line, "{") - strings.Count(line, "}")
		for len(stack) > 0 && stack[len(stack)-1].depth >= depth {
			if stack[len(stack)-1].kind == "DATASET" {
				current = nil
			}
			stack = stack[:len(stack)-1]
		}
	}
	return datasets
}

// checkAgainstH5dump: ?describe lists the datasets `h5dump -H -p` shows,
// with its shapes, chunk shapes and filters.
func checkAgainstH5dump(t *testing.T, s *session, obj, file string) {
	t.Helper()
	want := h5dumpDatasets(t, file)
	if len(want) == 0 {
		t.Fatalf("h5dump -H -p %s: no datasets parsed", file)
	}
	r := s.get(t, "/"+obj+"?describe")
	if r.status != 200 {
		t.Errorf("%s: want 200", r)
		return
	}
	var tree describedTree
	decodeJSON(t, r, &tree)
	got := tree.datasets()
	for p, w := range want {
		g := got[p]
		if g == nil {
			t.Errorf("?describe of %s: no %s, which h5dump -H shows (have %v)", obj, p, keys(got))
			continue
		}
		filters := slices.Clone(g.Filters)
		slices.Sort(filters)
		slices.Sort(w.filters)
		if shape, chunks := joinDims(g.Shape), joinDims(g.Chunks); shape != w.shape || chunks != w.chunks || !slices.Equal(filters, w.filters) {
			t.Errorf("?describe of %s: %s has shape [%s] chunks [%s] filters %v; h5dump -H -p: [%s] [%s] %v",
				obj, p, shape, chunks, filters, w.shape, w.chunks, w.filters)
		}
	}
	t.Logf("?describe matches h5dump -H -p on %d datasets (e.g. /wind/u: %+v)", len(want), want["/wind/u"])
	if len(got) != len(want) {
		t.Errorf("?describe of %s: %d datasets %v, h5dump -H shows %d", obj, len(got), keys(got), len(want))
	}
}

func joinDims(d []uint64) string {
	parts := make([]string, len(d))
	for i, v := range d {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, ",")
}
