package examplestest

import (
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestCSummarize runs examples/vol/summarize.c on the same simulation
// written twice, natively to a local file and through the connector into
// the store: both must print the same, and the figures must be those
// computed here from h5dump's listing of every value.
func TestCSummarize(t *testing.T) {
	need(t, env.hdf5Err)
	need(t, env.pluginErr)
	sim := h5cc(t, example("vol", "simulation.c"), "-lm")
	sum := h5cc(t, example("vol", "summarize.c"))
	dir := t.TempDir()

	if r := run(t, dir, nil, sim, "native.h5", "4"); r.code != 0 {
		t.Fatalf("simulation, native:\n%s", r)
	}
	if r := run(t, dir, connectorEnv(), sim, "summaries/run.h5", "4"); r.code != 0 {
		t.Fatalf("simulation through the connector:\n%s", r)
	}
	native := run(t, dir, nil, sum, "native.h5")
	stored := run(t, dir, connectorEnv(), sum, "summaries/run.h5")
	if native.code != 0 || stored.code != 0 {
		t.Fatalf("summarize:\nnative: %s\nstore: %s", native, stored)
	}
	if native.stdout != stored.stdout {
		t.Errorf("summarize differs between the native file and the store:\nnative:\n%sstore:\n%s", native.stdout, stored.stdout)
	}

	dump := run(t, dir, nil, filepath.Join(env.hdf5, "bin", "h5dump"), "-d", "/fields/temperature", "-y", "-w", "0", "-m", "%.9g", "native.h5")
	if dump.code != 0 {
		t.Fatalf("h5dump:\n%s", dump)
	}
	min, max, total, n := statsOf(t, dump.stdout)
	if n != 4*64*128 {
		t.Fatalf("h5dump listed %d values, want %d", n, 4*64*128)
	}
	m := regexp.MustCompile(`^/fields/temperature float 4x64x128 min=(\S+) max=(\S+) sum=(\S+)$`).FindStringSubmatch(strings.TrimSpace(stored.stdout))
	if m == nil {
		t.Fatalf("summarize printed %q, not one line for /fields/temperature 4x64x128", stored.stdout)
	}
	for i, want := range []float64{min, max, total} {
		got, _ := strconv.ParseFloat(m[i+1], 64)
		if math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
			t.Errorf("summarize %s = %v, h5dump's values give %v", []string{"min", "max", "sum"}[i], got, want)
		}
	}
}

// statsOf reads the values out of `h5dump -y -w 0` DATA { … }.
func statsOf(t *testing.T, dump string) (min, max, sum float64, n int) {
	t.Helper()
	_, data, ok := strings.Cut(dump, "DATA {")
	if !ok {
		t.Fatalf("no DATA in h5dump output:\n%s", dump)
	}
	data, _, _ = strings.Cut(data, "}")
	for _, field := range strings.FieldsFunc(data, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		v, err := strconv.ParseFloat(field, 64)
		if err != nil {
			t.Fatalf("h5dump value %q: %v", field, err)
		}
		if n == 0 || v < min {
			min = v
		}
		if n == 0 || v > max {
			max = v
		}
		sum += v
		n++
	}
	return min, max, sum, n
}
