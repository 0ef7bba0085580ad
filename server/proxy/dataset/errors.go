package dataset

import (
	"context"
	"errors"
	"net/http"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/encode"
	"github.com/sciswift/sciswift/formats/hdf5"
	"github.com/sciswift/sciswift/server/swift"
)

// ErrNoHDF5 is the answer for an HDF5 upload when the server runs without
// the HDF5 worker (501).
var ErrNoHDF5 = swift.Errorf(swift.ErrNotImplemented, "this server has no HDF5 worker (sciswift-h5worker); HDF5 uploads cannot be described or sliced")

// statusOf says which swift sentinel stands for a formats or encode error.
// It is the one place the dataset API decides what its errors mean to a
// client; swift.Status then picks the status.
var statusOf = []struct {
	cause, sentinel error
}{
	// Before ErrUnsupported, which it wraps.
	{hdf5.ErrNoWorker, swift.ErrNotImplemented},
	{formats.ErrUnrecognized, swift.ErrUnsupportedMedia},
	{formats.ErrNotFound, swift.ErrBadRequest},
	{formats.ErrSelection, swift.ErrBadRequest},
	{formats.ErrTooLarge, swift.ErrEntityTooLarge},
	{formats.ErrCorrupt, swift.ErrUnprocessable},
	{formats.ErrUnsupported, swift.ErrUnprocessable},
	{formats.ErrLimit, swift.ErrUnprocessable},
	{formats.ErrIndexer, swift.ErrUnprocessable},
	{encode.ErrFormat, swift.ErrBadRequest},
	{encode.ErrUnsupported, swift.ErrBadRequest},
	{encode.ErrNotImplemented, swift.ErrNotImplemented},
	{encode.ErrInvalid, swift.ErrUnprocessable},
}

// apiError translates err for swift.Status. Errors of the store (a
// subrequest's 404, 409, 503) already carry a swift sentinel and keep it:
// they say more than what a driver made of them.
func apiError(err error) error {
	if swift.Status(err) != http.StatusInternalServerError {
		return err
	}
	for _, s := range statusOf {
		if errors.Is(err, s.cause) {
			return swift.Errorf(s.sentinel, "%s", err.Error())
		}
	}
	if errors.Is(err, context.Canceled) {
		return swift.ErrClientDisconnect
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return swift.Errorf(swift.ErrGatewayTimeout, "%s", err.Error())
	}
	return err
}
