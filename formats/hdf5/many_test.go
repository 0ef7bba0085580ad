package hdf5_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/sciswift/sciswift/formats/hdf5"
)

type manyExpectations struct {
	Many struct {
		Datasets []string `json:"datasets"`
		Groups   []string `json:"groups"`
	} `json:"many"`
	Attributes map[string]any `json:"attributes"`
}

// makeMany runs testdata/make_many_h5.py: a group /many of links datasets
// and a dataset /attrs with attrs attributes, in new-style storage if
// trackOrder.
func makeMany(t testing.TB, links, attrs int, trackOrder bool) ([]byte, manyExpectations) {
	t.Helper()
	dir := t.TempDir()
	h5, js := filepath.Join(dir, "many.h5"), filepath.Join(dir, "many.json")
	track := "0"
	if trackOrder {
		track = "1"
	}
	cmd := exec.Command("/usr/bin/python3", "testdata/make_many_h5.py", h5, js, fmt.Sprint(links), fmt.Sprint(attrs), track)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make_many_h5.py: %v\n%s", err, out)
	}
	data, err := os.ReadFile(h5)
	if err != nil {
		t.Fatal(err)
	}
	var want manyExpectations
	b, err := os.ReadFile(js)
	if err == nil {
		err = json.Unmarshal(b, &want)
	}
	if err != nil {
		t.Fatal(err)
	}
	return data, want
}

func childGroup(g *hdf5.Group, path string) *hdf5.Group {
	for _, s := range g.Groups {
		if s.Path == path {
			return s
		}
	}
	return nil
}

// TestManyLinksAndAttributes checks the worker lists a large group's links
// and an object's attributes in libhdf5's name order, leaving out the soft
// link, in both old-style and dense (track_order) storage.
func TestManyLinksAndAttributes(t *testing.T) {
	ix := indexer(t)
	for _, trackOrder := range []bool{false, true} {
		t.Run(fmt.Sprintf("track_order=%v", trackOrder), func(t *testing.T) {
			data, want := makeMany(t, 300, 40, trackOrder)
			idx, err := ix.Build(context.Background(), newObject(data))
			if err != nil {
				t.Fatal(err)
			}
			many := childGroup(idx.Root, "/many")
			if many == nil {
				t.Fatal("no /many in the index")
			}
			var datasets, groups []string
			for _, d := range many.Datasets {
				datasets = append(datasets, filepath.Base(d.Path))
			}
			for _, g := range many.Groups {
				groups = append(groups, filepath.Base(g.Path))
			}
			if !slices.Equal(datasets, want.Many.Datasets) {
				t.Errorf("/many datasets: got %d %q…, want %d %q…", len(datasets), datasets[:min(5, len(datasets))], len(want.Many.Datasets), want.Many.Datasets[:5])
			}
			if !slices.Equal(groups, want.Many.Groups) {
				t.Errorf("/many groups: got %q, want %q", groups, want.Many.Groups)
			}
			var attrs *hdf5.Dataset
			for _, d := range idx.Root.Datasets {
				if d.Path == "/attrs" {
					attrs = d
				}
			}
			if attrs == nil {
				t.Fatal("no /attrs in the index")
			}
			var names []string
			for _, a := range attrs.Attributes {
				names = append(names, a.Name)
				got, _ := json.Marshal(a.Value)
				if exp, _ := json.Marshal(want.Attributes[a.Name]); string(got) != string(exp) {
					t.Errorf("attribute %s: got %s, want %s", a.Name, got, exp)
				}
			}
			if wantNames := slices.Sorted(maps.Keys(want.Attributes)); !slices.Equal(names, wantNames) {
				t.Errorf("attribute names: got %q, want %q", names, wantNames)
			}
		})
	}
}

// childCPU is the CPU time of this process's waited-for children.
func childCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchmarkIndex indexes data, reporting the worker's CPU time per index
// (the wall time also counts the pipe and the parent's decoding).
func benchmarkIndex(b *testing.B, data []byte) {
	ix := indexer(b)
	ix.Timeout = 10 * time.Minute
	var cpu time.Duration
	b.ResetTimer()
	for b.Loop() {
		before := childCPU()
		if _, err := ix.Build(context.Background(), newObject(data)); err != nil {
			b.Fatal(err)
		}
		cpu += childCPU() - before
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "worker-cpu-s/op")
}

// BenchmarkIndexManyLinks indexes a group of 5000 datasets: with links
// found by index, libhdf5 sorted the whole group once per link.
func BenchmarkIndexManyLinks(b *testing.B) {
	for _, trackOrder := range []bool{false, true} {
		b.Run(fmt.Sprintf("track_order=%v", trackOrder), func(b *testing.B) {
			data, _ := makeMany(b, 5000, 1, trackOrder)
			benchmarkIndex(b, data)
		})
	}
}

// BenchmarkIndexManyAttributes indexes a dataset with 3000 attributes.
func BenchmarkIndexManyAttributes(b *testing.B) {
	for _, trackOrder := range []bool{false, true} {
		b.Run(fmt.Sprintf("track_order=%v", trackOrder), func(b *testing.B) {
			data, _ := makeMany(b, 1, 3000, trackOrder)
			benchmarkIndex(b, data)
		})
	}
}
