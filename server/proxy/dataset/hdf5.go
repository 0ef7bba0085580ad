package dataset

import (
	"context"
	"fmt"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/hdf5"
)

// HDF5Files is the HDF5 seam served by formats/hdf5: indexes are built by
// Indexer's worker process, and reads the Go reader cannot serve go to
// the worker too.
type HDF5Files struct {
	Indexer *hdf5.Indexer
}

// Sniff implements HDF5.
func (h HDF5Files) Sniff(head []byte) bool { return hdf5.Sniff(head) }

// Build implements HDF5.
func (h HDF5Files) Build(ctx context.Context, obj formats.Object) (HDF5Index, error) {
	idx, err := h.Indexer.Build(ctx, obj)
	if err != nil {
		return nil, err
	}
	return idx, nil
}

// ParseIndex implements HDF5.
func (h HDF5Files) ParseIndex(data []byte) (HDF5Index, error) {
	idx, err := hdf5.ParseIndex(data)
	if err != nil {
		return nil, err
	}
	return idx, nil
}

// Open implements HDF5.
func (h HDF5Files) Open(obj formats.Object, idx HDF5Index) (formats.File, error) {
	ix, ok := idx.(*hdf5.Index)
	if !ok {
		return nil, fmt.Errorf("dataset: an HDF5 index of type %T", idx)
	}
	f, err := hdf5.Open(obj, ix, h.Indexer)
	if err != nil {
		return nil, err
	}
	return f, nil
}
