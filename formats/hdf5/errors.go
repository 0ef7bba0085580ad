package hdf5

import (
	"errors"
	"fmt"

	"github.com/sciswift/sciswift/formats"
)

// ErrNoWorker is returned when the worker binary is not there: the server
// then cannot serve HDF5 uploads (the proxy answers 501).
var ErrNoWorker = fmt.Errorf("the HDF5 worker (sciswift-h5worker) is not installed: %w", formats.ErrUnsupported)

// errNoAnswer: the child closed its end of the pipe without a Result or
// Fail (it exited or crashed; its exit status says which).
var errNoAnswer = errors.New("the worker ended without an answer")
