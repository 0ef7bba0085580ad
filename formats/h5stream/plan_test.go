package h5stream

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
)

// A chunk rewritten between planning and streaming stops the stream.
func TestChunkChangedWhileStreaming(t *testing.T) {
	file, st := seedInput(t).file()
	p, err := NewPlan(context.Background(), file, st)
	if err != nil {
		t.Fatal(err)
	}
	st["fz.h5/d/2/2"] = append(st["fz.h5/d/2/2"], 0)
	if err := p.WriteTo(context.Background(), io.Discard); !errors.Is(err, ErrChanged) || !errors.Is(err, formats.ErrCorrupt) {
		t.Fatalf("WriteTo after a chunk changed: %v, want ErrChanged", err)
	}
	delete(st, "fz.h5/d/2/2")
	if err := p.WriteTo(context.Background(), io.Discard); !errors.Is(err, formats.ErrNotFound) {
		t.Fatalf("WriteTo after a chunk vanished: %v, want the store's not-found", err)
	}
}

// Inconsistent documents are refused with an error naming the problem.
func TestRefusesInconsistentFiles(t *testing.T) {
	for _, tc := range []struct {
		name    string
		breakIt func(in *fuzzInput)
		want    error
	}{
		{"no root", func(in *fuzzInput) { in.Manifest.Root = 99 }, ErrDocument},
		{"dangling hard link", func(in *fuzzInput) { in.Groups[0].Links[0].Target = 77 }, ErrDocument},
		{"link to the wrong kind", func(in *fuzzInput) { in.Groups[0].Links[0].TargetKind = domain.KindGroup }, ErrDocument},
		{"two links of one name", func(in *fuzzInput) { in.Groups[0].Links[1].Name = "d" }, ErrDocument},
		{"link name with a slash", func(in *fuzzInput) { in.Groups[0].Links[1].Name = "a/b" }, ErrDocument},
		{"missing named type", func(in *fuzzInput) { in.Datasets[2].TypeRef = 55 }, ErrDocument},
		{"chunk shape of another rank", func(in *fuzzInput) { in.Datasets[0].Layout.StoredChunks = []uint64{2, 2} }, ErrDocument},
		{"zero chunk", func(in *fuzzInput) { in.Datasets[0].Layout.StoredChunks = []uint64{0} }, ErrDocument},
		{"dims above max", func(in *fuzzInput) { in.Datasets[0].Space.MaxDims = []uint64{5} }, ErrDocument},
		{"fill of the wrong size", func(in *fuzzInput) { in.Datasets[0].Fill = []byte{1} }, ErrDocument},
		{"unfiltered chunk of the wrong size", func(in *fuzzInput) {
			in.Datasets[0].Layout.Filters = nil
		}, ErrDocument},
		{"truncated variable-length chunk", func(in *fuzzInput) { in.Chunks["3/0"] = in.Chunks["3/0"][:5] }, ErrDocument},
		{"attribute value of the wrong size", func(in *fuzzInput) { in.Groups[0].Attributes[1].Value = []byte{1} }, ErrDocument},
		{"compound member outside", func(in *fuzzInput) { in.Types[0].Type.Members[1].Offset = 6 }, ErrDocument},
		{"float of 3 bytes", func(in *fuzzInput) {
			in.Datasets[0].Type = formats.Dtype{Class: formats.ClassFloat, Size: 3}
		}, ErrUnsupported},
		{"vlen of vlen", func(in *fuzzInput) {
			s := formats.Dtype{Class: formats.ClassString, Variable: true}
			in.Datasets[1].Type = formats.Dtype{Class: formats.ClassVlen, Base: &s}
		}, ErrUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := seedInput(t)
			tc.breakIt(&in)
			file, st := in.file()
			_, err := NewPlan(context.Background(), file, st)
			if !errors.Is(err, tc.want) {
				t.Fatalf("NewPlan: %v, want %v", err, tc.want)
			}
			t.Log(err)
		})
	}
}
