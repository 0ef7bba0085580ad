package formats

import "errors"

// Sentinels every driver wraps (a driver's own sentinels wrap these), so the
// proxy can turn any formats error into an HTTP status by asking
// errors.Is against this one list.
var (
	// ErrUnrecognized: the object is not in any format the layer serves
	// (415).
	ErrUnrecognized = errors.New("not a supported scientific data format")
	// ErrCorrupt: the object claims a format but is malformed or truncated
	// (422).
	ErrCorrupt = errors.New("corrupt file")
	// ErrUnsupported: a valid construct the driver does not serve (422).
	ErrUnsupported = errors.New("unsupported")
	// ErrLimit: the file exceeds what the server agrees to index (422).
	ErrLimit = errors.New("limit exceeded")
	// ErrIndexer: the out-of-process indexer failed on the file: it
	// crashed, was killed or timed out (422).
	ErrIndexer = errors.New("indexer failed")
	// ErrNotFound: no dataset at the requested path (400: the object
	// exists, the query names something not in it).
	ErrNotFound = errors.New("no such dataset")
	// ErrSelection: the select= expression is malformed or does not fit
	// the dataset (400).
	ErrSelection = errors.New("bad selection")
	// ErrTooLarge: the selection's result exceeds the configured limit
	// (413).
	ErrTooLarge = errors.New("selection too large")
)
