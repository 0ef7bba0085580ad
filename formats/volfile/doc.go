// Package volfile serves files written through the HDF5 VOL connector
// (layout: package formats/domain) as formats.File: the same `?describe`
// tree and `?dataset=&select=` reads as an uploaded HDF5, Parquet or FITS
// object, computed from the file's JSON documents and chunk objects.
//
// Load fetches the manifest and then the documents, walking from the root
// group along hard links and named-type references: keys are computed from
// ids, never found by listing, so a file with a million chunk objects costs
// as many requests to open as one with a single chunk. Read fetches only the
// chunk objects a selection touches, a few at a time in parallel.
//
// The tree shows each object at every path it is reachable at (hard links
// to one dataset give two datasets with one set of chunks); soft links
// that resolve inside the file show their target at the link's path, and
// dangling soft links and external links are left out. A group reachable
// from itself is shown once per path down to the point where it would
// repeat. Named datatypes are not part of the tree (the dataset model has no
// place for them); datasets created with one carry its type. A dataset with
// a null dataspace (no elements, no rank) is shown with shape [0].
package volfile

import (
	"fmt"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
)

// Format is the Tree.Format of VOL-written files.
const Format = domain.FormatName

// Errors, wrapped with detail; test with errors.Is.
var (
	// ErrNotVOL: the object under the file's name is not a manifest.
	ErrNotVOL = fmt.Errorf("hdf5-vol: %w", formats.ErrUnrecognized)
	// ErrCorrupt: a document is malformed, missing, or inconsistent with
	// another, or a chunk does not decode.
	ErrCorrupt = fmt.Errorf("hdf5-vol: %w", formats.ErrCorrupt)
	// ErrUnsupported: a newer layout version, or a filter or type this
	// reader does not decode.
	ErrUnsupported = fmt.Errorf("hdf5-vol: %w", formats.ErrUnsupported)
	// ErrLimit: the file or a read exceeds the bounds below.
	ErrLimit = fmt.Errorf("hdf5-vol: %w", formats.ErrLimit)
	// ErrNotFound: no dataset at the path.
	ErrNotFound = fmt.Errorf("hdf5-vol: %w", formats.ErrNotFound)
	// ErrSelection: the selection does not fit the dataset.
	ErrSelection = fmt.Errorf("hdf5-vol: %w", formats.ErrSelection)
)

// Bounds on what a file in the store (written by any client, so untrusted)
// can make this package do.
const (
	maxObjects    = 1 << 17 // documents of one file
	maxTreeNodes  = 1 << 17 // groups and datasets in the tree (paths, not objects)
	maxTypeDepth  = 16      // nesting of compound, array, enum and vlen types
	maxRank       = 32      // HDF5's H5S_MAX_RANK
	maxTypeSize   = 1 << 30 // bytes of one element
	maxChunkBytes = 1 << 28 // one decoded chunk (the connector's policy keeps them to a few MiB)
	maxReadBytes  = 1 << 31 // the result of one Read
	maxSoftLinks  = 16      // soft links followed resolving one path (HDF5's H5L_NUM_LINKS)
	maxAttrBytes  = 1 << 20 // an attribute never written is shown as zeros up to this size
	fetchParallel = 8       // documents or chunks fetched at once
)
