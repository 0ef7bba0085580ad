package fits

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/formats"
)

const python = "/usr/bin/python3"

// requireAstropy skips when the system python has no astropy, unless this
// is CI or a full run (SCISWIFT_BIN set), where that is a broken setup.
func requireAstropy(t *testing.T) {
	t.Helper()
	if err := exec.Command(python, "-c", "import astropy.io.fits, numpy").Run(); err != nil {
		if os.Getenv("CI") == "" && os.Getenv("SCISWIFT_BIN") == "" {
			t.Skipf("%s has no astropy: %v", python, err)
		}
		t.Fatalf("%s has no astropy: %v", python, err)
	}
}

type manifest struct {
	Files []struct {
		File string `json:"file"`
		HDUs []struct {
			Index   int            `json:"index"`
			Cards   map[string]any `json:"cards"`
			Comment []string       `json:"comment"`
			History []string       `json:"history"`
		} `json:"hdus"`
		Datasets []struct {
			Path  string   `json:"path"`
			Descr string   `json:"descr"`
			Shape []uint64 `json:"shape"`
			Cases []struct {
				Sel [][]any `json:"sel"`
				Npy string  `json:"npy"`
			} `json:"cases"`
		} `json:"datasets"`
		Skipped []string `json:"skipped"`
		Groups  []string `json:"groups"`
	} `json:"files"`
}

// makeFiles runs testdata/mkfits.py into a temporary directory.
func makeFiles(t *testing.T) (string, manifest) {
	t.Helper()
	requireAstropy(t)
	dir := t.TempDir()
	cmd := exec.Command(python, filepath.Join("testdata", "mkfits.py"), dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("mkfits.py: %v\n%s", err, stderr.Bytes())
	}
	var m manifest
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("mkfits.py output: %v", err)
	}
	if len(m.Files) == 0 {
		t.Fatal("mkfits.py described no files")
	}
	return dir, m
}

func selectionOf(t *testing.T, raw [][]any) formats.Selection {
	t.Helper()
	sel := make(formats.Selection, len(raw))
	for d, r := range raw {
		num := func(v any) uint64 {
			n, err := strconv.ParseUint(string(v.(json.Number)), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		sel[d] = formats.Range{Start: num(r[0]), Stop: num(r[1]), Step: num(r[2]), Index: r[3].(bool)}
	}
	return sel
}

// TestAgainstAstropy opens files astropy wrote (and files written byte by
// byte with astropy-made headers) and checks that every dataset astropy
// serves is in the tree with astropy's dtype and shape, that every value
// Read returns for several selections is the value astropy returns, that
// the header cards are the attributes, and that Open read header blocks only.
func TestAgainstAstropy(t *testing.T) {
	dir, m := makeFiles(t)
	ctx := context.Background()
	for _, mf := range m.Files {
		t.Run(mf.File, func(t *testing.T) {
			obj := &countingObject{Object: openFileObject(t, filepath.Join(dir, mf.File))}
			f, err := Open(ctx, obj, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			checkOpenReads(t, f, obj)
			tree := f.Tree()
			if tree.Format != "fits" {
				t.Errorf("format %q", tree.Format)
			}
			datasets, groups := map[string]*formats.Dataset{}, map[string]*formats.Group{}
			for _, d := range tree.Root.Datasets {
				datasets[d.Path] = d
			}
			for _, g := range tree.Root.Groups {
				groups[g.Path] = g
				for _, d := range g.Datasets {
					datasets[d.Path] = d
				}
			}
			if len(datasets) != len(mf.Datasets) {
				t.Errorf("%d datasets in the tree, astropy serves %d", len(datasets), len(mf.Datasets))
			}
			for _, p := range mf.Groups {
				if groups[p] == nil {
					t.Errorf("%s: not a group", p)
				}
			}
			for _, p := range mf.Skipped {
				if _, err := f.Read(ctx, p, nil); !errors.Is(err, ErrUnsupported) {
					t.Errorf("Read(%s) = %v, want ErrUnsupported", p, err)
				}
				g := groups[p[:strings.LastIndexByte(p, '/')]]
				if g == nil || !slices.ContainsFunc(attrStrings(g.Attributes, attrSkipped), func(s string) bool {
					return strings.HasPrefix(s, p[strings.LastIndexByte(p, '/')+1:]+":")
				}) {
					t.Errorf("%s: not listed in %s", p, attrSkipped)
				}
			}
			for _, md := range mf.Datasets {
				d := datasets[md.Path]
				if d == nil {
					t.Errorf("%s: not in the tree", md.Path)
					continue
				}
				want := npyKind(md.Descr)
				got := dtypeKind(d.Type)
				if want.letter == 'U' {
					want = kind{'S', want.size, false}
				}
				if got.letter != want.letter || got.size != want.size {
					t.Errorf("%s: dtype %+v, astropy has %s", md.Path, d.Type, md.Descr)
				}
				if !slices.Equal(d.Shape, md.Shape) {
					t.Errorf("%s: shape %v, astropy has %v", md.Path, d.Shape, md.Shape)
				}
				for _, c := range md.Cases {
					sel := selectionOf(t, c.Sel)
					arr, err := f.Read(ctx, md.Path, sel)
					if err != nil {
						t.Errorf("%s %v: %v", md.Path, sel, err)
						continue
					}
					exp := readNpy(t, filepath.Join(dir, c.Npy))
					if !slices.Equal(arr.Shape, exp.shape) {
						t.Errorf("%s %v: shape %v, astropy %v", md.Path, sel, arr.Shape, exp.shape)
						continue
					}
					gotV := elements(dtypeKind(arr.Type), arr.Data)
					wantV := elements(npyKind(exp.descr), exp.data)
					if !slices.Equal(gotV, wantV) {
						t.Errorf("%s %v:\n got %v\nwant %v", md.Path, sel, gotV, wantV)
					}
				}
			}
			for _, mh := range mf.HDUs {
				p := hduPath(mh.Index)
				var attrs []formats.Attribute
				if d := datasets[p]; d != nil {
					attrs = d.Attributes
				} else if g := groups[p]; g != nil {
					attrs = g.Attributes
				} else {
					t.Errorf("no node %s", p)
					continue
				}
				compareCards(t, p, attrs, mh.Cards, mh.Comment, mh.History)
			}
		})
	}
}

// checkOpenReads checks that Open read whole header blocks and nothing of a
// data unit.
func checkOpenReads(t *testing.T, f *File, obj *countingObject) {
	t.Helper()
	reads, _ := obj.since(0)
	for _, r := range reads {
		if r[1] != blockSize || r[0]%blockSize != 0 {
			t.Errorf("Open read %d bytes at %d, not one block", r[1], r[0])
		}
		for _, u := range f.hdus {
			if r[0] < u.dataOff+u.dataSize && u.dataOff < r[0]+r[1] {
				t.Errorf("Open read %d bytes at %d, inside HDU %d's data", r[1], r[0], u.index)
			}
		}
	}
}

func attrStrings(attrs []formats.Attribute, name string) []string {
	for _, a := range attrs {
		if a.Name == name {
			if s, ok := a.Value.([]string); ok {
				return s
			}
		}
	}
	return nil
}

// compareCards checks the attributes of an HDU's node against astropy's
// header: the same keywords with the same values, comments and history.
func compareCards(t *testing.T, p string, attrs []formats.Attribute, cards map[string]any, comment, history []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, a := range attrs {
		switch {
		case strings.HasPrefix(a.Name, "sciswift:"):
			continue
		case a.Name == "COMMENT" || a.Name == "HISTORY":
			want := comment
			if a.Name == "HISTORY" {
				want = history
			}
			if got, _ := a.Value.([]string); !slices.Equal(got, want) {
				t.Errorf("%s %s = %q, astropy %q", p, a.Name, got, want)
			}
			seen[a.Name] = true
			continue
		}
		seen[a.Name] = true
		want, ok := cards[a.Name]
		if !ok {
			t.Errorf("%s: attribute %s = %v, not in astropy's header", p, a.Name, a.Value)
			continue
		}
		if !sameValue(a.Value, want) {
			t.Errorf("%s: %s = %#v (%s), astropy %#v", p, a.Name, a.Value, a.Type.Class, want)
		}
	}
	for k := range cards {
		if !seen[k] {
			t.Errorf("%s: astropy's card %s = %v is not an attribute", p, k, cards[k])
		}
	}
	if len(comment) > 0 && !seen["COMMENT"] || len(history) > 0 && !seen["HISTORY"] {
		t.Errorf("%s: COMMENT or HISTORY missing", p)
	}
}

func sameValue(got, want any) bool {
	switch w := want.(type) {
	case bool:
		g, ok := got.(bool)
		return ok && g == w
	case string:
		g, ok := got.(string)
		return ok && g == w
	case json.Number:
		switch g := got.(type) {
		case int64:
			return strconv.FormatInt(g, 10) == string(w)
		case uint64:
			return strconv.FormatUint(g, 10) == string(w)
		case float64:
			f, err := strconv.ParseFloat(string(w), 64)
			return err == nil && f == g
		}
	case map[string]any:
		g, ok := got.(map[string]float64)
		return ok && sameValue(g["r"], w["r"]) && sameValue(g["i"], w["i"])
	}
	return false
}
