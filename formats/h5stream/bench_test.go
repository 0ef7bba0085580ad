package h5stream

import (
	"context"
	"io"
	"testing"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
)

// BenchmarkPlanManyChunks measures laying out the metadata of a dataset of
// 100 000 chunk objects (listing in memory): the planner's own cost.
func BenchmarkPlanManyChunks(b *testing.B) {
	const n = 100_000
	st := memStore{}
	chunk := make([]byte, 64*8)
	for i := range n {
		st[domain.ChunkKey("b.h5", 2, []uint64{uint64(i)})] = chunk
	}
	f := &domain.File{Name: "b.h5", Manifest: domain.Manifest{Format: domain.FormatName, Version: 1, Root: 1},
		Groups: map[uint64]*domain.Group{1: {Header: domain.Header{ID: 1, Kind: domain.KindGroup},
			Links: []domain.Link{{Name: "x", Kind: domain.LinkHard, Target: 2, TargetKind: domain.KindDataset}}}},
		Datasets: map[uint64]*domain.Dataset{2: {Header: domain.Header{ID: 2, Kind: domain.KindDataset},
			Type:   formats.Dtype{Class: formats.ClassFloat, Size: 8, Order: formats.LittleEndian},
			Space:  domain.Space{Class: "simple", Dims: []uint64{64 * n}},
			Layout: domain.Layout{Class: "chunked", StoredChunks: []uint64{64}}}},
	}
	ctx := context.Background()
	for b.Loop() {
		p, err := NewPlan(ctx, f, st)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.WriteTo(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
