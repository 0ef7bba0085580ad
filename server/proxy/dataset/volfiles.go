package dataset

import (
	"context"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/h5stream"
	"github.com/sciswift/sciswift/formats/volfile"
)

// VOLFiles is the VOL seam served by formats/volfile (describe, slices)
// and formats/h5stream (a plain GET as standard HDF5).
type VOLFiles struct{}

// Open implements VOL.
func (VOLFiles) Open(ctx context.Context, store formats.ObjectStore, name string) (formats.File, error) {
	f, err := volfile.Open(ctx, store, name)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Stream implements VOL.
func (VOLFiles) Stream(ctx context.Context, store formats.ObjectStore, name string) (HDF5Stream, error) {
	f, err := volfile.Load(ctx, store, name)
	if err != nil {
		return nil, err
	}
	plan, err := h5stream.NewPlan(ctx, f, store)
	if err != nil {
		return nil, err
	}
	return plan, nil
}
