package h5stream

import (
	"fmt"

	"github.com/sciswift/sciswift/formats"
)

// The package's errors; each wraps the formats sentinel that decides the
// HTTP status.
var (
	// ErrDocument: the file's documents or chunk objects contradict each
	// other or HDF5's limits, so no consistent HDF5 file can be written.
	ErrDocument = fmt.Errorf("h5stream: inconsistent VOL-written file: %w", formats.ErrCorrupt)
	// ErrUnsupported: a valid construct this writer does not emit.
	ErrUnsupported = fmt.Errorf("h5stream: cannot stream as HDF5: %w", formats.ErrUnsupported)
	// ErrLimit: the file needs more metadata held in memory than the
	// writer allows.
	ErrLimit = fmt.Errorf("h5stream: %w", formats.ErrLimit)
	// ErrChanged: a chunk object changed between planning and streaming.
	ErrChanged = fmt.Errorf("h5stream: file changed while streaming: %w", formats.ErrCorrupt)
)
