package h5stream

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/formats/filter"
)

// fuzzInput is a whole VOL-written file as the fuzzer mutates it: the
// documents and the chunk objects.
type fuzzInput struct {
	Manifest domain.Manifest
	Groups   []*domain.Group
	Datasets []*domain.Dataset
	Types    []*domain.NamedType
	Chunks   map[string][]byte
}

func (in fuzzInput) file() (*domain.File, memStore) {
	f := &domain.File{Name: "fz.h5", Manifest: in.Manifest, Groups: map[uint64]*domain.Group{},
		Datasets: map[uint64]*domain.Dataset{}, Types: map[uint64]*domain.NamedType{}}
	for _, g := range in.Groups {
		if g != nil {
			f.Groups[g.ID] = g
		}
	}
	for _, d := range in.Datasets {
		if d != nil {
			f.Datasets[d.ID] = d
		}
	}
	for _, t := range in.Types {
		if t != nil {
			f.Types[t.ID] = t
		}
	}
	st := memStore{}
	for k, v := range in.Chunks {
		st["fz.h5/d/"+k] = v
	}
	return f, st
}

func seedInput(t testing.TB) fuzzInput {
	i32 := formats.Dtype{Class: formats.ClassInteger, Size: 4, Order: formats.LittleEndian, Signed: true}
	vstr := formats.Dtype{Class: formats.ClassString, Variable: true}
	comp := formats.Dtype{Class: formats.ClassCompound, Size: 8, Members: []formats.Member{
		{Name: "a", Type: &i32}, {Name: "b", Offset: 4, Type: &formats.Dtype{Class: formats.ClassArray, Size: 4, Dims: []int{2}, Base: &formats.Dtype{Class: formats.ClassInteger, Size: 2}}}}}
	s := "x"
	vchunk, _ := domain.EncodeVarChunk([][]byte{[]byte("ab"), nil, {}})
	deflated, err := filter.Encode([]domain.Filter{{ID: filter.Deflate}}, 4, make([]byte, 16))
	if err != nil {
		t.Fatal(err)
	}
	return fuzzInput{
		Manifest: domain.Manifest{Format: domain.FormatName, Version: 1, Root: 1},
		Groups: []*domain.Group{
			{Header: domain.Header{ID: 1, Kind: domain.KindGroup, Attributes: []domain.Attribute{
				{Name: "s", Type: vstr, Space: domain.Space{Class: "simple", Dims: []uint64{2}}, Strings: []*string{&s, nil}},
				{Name: "c", Type: comp, TypeRef: 5, Space: domain.Space{Class: "scalar"}, Value: make([]byte, 8)}}},
				Links: []domain.Link{
					{Name: "d", Kind: domain.LinkHard, Target: 2, TargetKind: domain.KindDataset},
					{Name: "v", Kind: domain.LinkHard, Target: 3, TargetKind: domain.KindDataset, Order: 1},
					{Name: "g", Kind: domain.LinkHard, Target: 4, TargetKind: domain.KindGroup, Order: 2},
					{Name: "t", Kind: domain.LinkHard, Target: 5, TargetKind: domain.KindNamedType, Order: 3},
					{Name: "s", Kind: domain.LinkSoft, Path: "/d", Order: 4},
					{Name: "e", Kind: domain.LinkExternal, File: "o.h5", Path: "/", Order: 5}}},
			{Header: domain.Header{ID: 4, Kind: domain.KindGroup}},
		},
		Datasets: []*domain.Dataset{
			{Header: domain.Header{ID: 2, Kind: domain.KindDataset}, Type: i32, Fill: []byte{1, 2, 3, 4},
				Space:  domain.Space{Class: "simple", Dims: []uint64{10}, MaxDims: []uint64{domain.Unlimited}},
				Layout: domain.Layout{Class: "chunked", StoredChunks: []uint64{4}, Filters: []domain.Filter{{ID: filter.Deflate}}}},
			{Header: domain.Header{ID: 3, Kind: domain.KindDataset}, Type: vstr,
				Space: domain.Space{Class: "simple", Dims: []uint64{3}}, Layout: domain.Layout{StoredChunks: []uint64{3}}},
			{Header: domain.Header{ID: 6, Kind: domain.KindDataset}, Type: comp, TypeRef: 5, Space: domain.Space{Class: "scalar"}},
		},
		Types:  []*domain.NamedType{{Header: domain.Header{ID: 5, Kind: domain.KindNamedType}, Type: comp}},
		Chunks: map[string][]byte{"2/0": deflated, "2/2": deflated, "3/0": vchunk, "6/0": make([]byte, 8)},
	}
}

// FuzzNewPlan feeds mutated documents and chunks to the planner: it must
// refuse what is inconsistent with an error wrapping a formats sentinel,
// never panic, and a plan it accepts must stream exactly Size bytes.
func FuzzNewPlan(f *testing.F) {
	seed, err := json.Marshal(seedInput(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		var in fuzzInput
		if json.Unmarshal(data, &in) != nil {
			return
		}
		file, st := in.file()
		p, err := NewPlan(context.Background(), file, st)
		if err != nil {
			if !errors.Is(err, formats.ErrCorrupt) && !errors.Is(err, formats.ErrUnsupported) && !errors.Is(err, formats.ErrLimit) && !errors.Is(err, formats.ErrNotFound) {
				t.Fatalf("error wraps no formats sentinel: %v", err)
			}
			return
		}
		n := &countWriter{}
		if err := p.WriteTo(context.Background(), n); err != nil {
			t.Fatal(err)
		}
		if n.n != p.Size() {
			t.Fatalf("streamed %d bytes, Size %d", n.n, p.Size())
		}
	})
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

// The seed itself streams.
func TestSeedPlans(t *testing.T) {
	file, st := seedInput(t).file()
	p, err := NewPlan(context.Background(), file, st)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WriteTo(context.Background(), io.Discard); err != nil {
		t.Fatal(err)
	}
}
