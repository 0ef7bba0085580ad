// Package encode writes a formats.Array — the elements a select= expression
// picked — in the formats of the dataset API's `format=` parameter:
//
//	json   nested arrays (see WriteJSON for how each dtype is written)
//	npy    NumPy's .npy, version 1.0 (2.0 only when the header needs it)
//	csv    one value per line (1-D) or one row per line (2-D)
//	raw    the bytes in C order, little-endian, described by the
//	       X-Sciswift-Dtype and X-Sciswift-Shape headers
//	arrow  an Arrow IPC stream (see WriteArrow)
//
// New checks everything it can before the first byte, so an HTTP handler
// can still answer 400 (ErrFormat, ErrUnsupported, ErrInvalid); after New
// succeeds, writing fails only when the writer does. Output is streamed
// through a small buffer (json, csv, npy, raw) or in record batches of about
// 64Ki elements (arrow), never built whole.
//
// Elements an Array marks as null (formats.Array.Null) are written as JSON
// null, an empty CSV field and a null in Arrow's validity bitmap; npy and raw
// have no null and carry the fill value the driver put in their place.
//
// Top-level array types (an HDF5 dataset of float[3] elements) are written as
// NumPy reads them: their dimensions become the last dimensions of the
// result, so a [10] dataset of float[3] is written as shape [10, 3].
package encode

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/sciswift/sciswift/formats"
)

// Format names, as in the format= query parameter.
const (
	JSON  = "json"
	NPY   = "npy"
	CSV   = "csv"
	Raw   = "raw"
	Arrow = "arrow"
)

// Response headers of the raw format.
const (
	HeaderDtype = "X-Sciswift-Dtype"
	HeaderShape = "X-Sciswift-Shape"
)

// Sentinels for errors.Is.
var (
	// ErrFormat: the format name is not one of the above.
	ErrFormat = errors.New("encode: unknown format")
	// ErrNotImplemented: a format the API names but this build cannot write
	// yet (none at present; kept for callers that map it to 501).
	ErrNotImplemented = errors.New("encode: format not implemented yet")
	// ErrUnsupported: the format cannot hold this dtype or shape (a 3-D
	// CSV, variable-length strings in .npy, a 16-byte float…).
	ErrUnsupported = errors.New("encode: not supported")
	// ErrInvalid: the array contradicts itself (a compound member past the
	// end of its compound, data of the wrong length…): a driver bug or a
	// corrupt file, not a client error, but the message says which.
	ErrInvalid = errors.New("encode: invalid array")
)

// Encoding is one array ready to be written in one format.
type Encoding struct {
	Format      string
	ContentType string
	// Header holds the response headers the format needs besides
	// Content-Type (the raw format's dtype and shape); nil when none.
	Header map[string]string

	write func(w *bufio.Writer) error
}

// New checks that a can be written in format and says how it will be.
func New(format string, a *formats.Array) (*Encoding, error) {
	var prepare func(*view) (*Encoding, error)
	switch format {
	case JSON:
		prepare = prepareJSON
	case NPY:
		prepare = prepareNPY
	case CSV:
		prepare = prepareCSV
	case Raw:
		prepare = prepareRaw
	case Arrow:
		prepare = prepareArrow
	default:
		return nil, fmt.Errorf("%w: %q (want json, npy, csv, raw or arrow)", ErrFormat, format)
	}
	v, err := newView(a)
	if err != nil {
		return nil, err
	}
	e, err := prepare(v)
	if err != nil {
		return nil, err
	}
	e.Format = format
	return e, nil
}

// WriteTo writes the encoded array to w.
func (e *Encoding) WriteTo(w io.Writer) (int64, error) {
	cw := &countingWriter{w: w}
	bw := bufio.NewWriterSize(cw, 64<<10)
	err := e.write(bw)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return cw.n, err
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func writeAs(format string, w io.Writer, a *formats.Array) error {
	e, err := New(format, a)
	if err != nil {
		return err
	}
	_, err = e.WriteTo(w)
	return err
}

// WriteJSON writes a as JSON: nested arrays in C order, one level per
// dimension, and a bare value for a scalar. Elements are written as
//
//   - integers, bitfields: JSON numbers, exact (64-bit values beyond 2^53
//     are exact in the text; JavaScript readers will round them);
//   - floats: JSON numbers in the shortest form that reads back to the same
//     float of the stored width; NaN and ±infinity, which JSON lacks, as the
//     strings "NaN", "Infinity" and "-Infinity" — what Python's float() and
//     JavaScript's Number() turn back into the values;
//   - enums: their integer value (names are in ?describe), except h5py's
//     boolean enum, written as true/false;
//   - strings: JSON strings, with the padding HDF5 describes removed
//     (nullterm: up to the first NUL; nullpad and unspecified: trailing NULs;
//     spacepad: trailing spaces) and bytes that are not UTF-8 replaced by
//     U+FFFD;
//   - opaque values: base64 strings (standard alphabet, padded);
//   - compounds: JSON objects, members in declaration order;
//   - array members: nested arrays; vlen sequences: arrays.
func WriteJSON(w io.Writer, a *formats.Array) error { return writeAs(JSON, w, a) }

// WriteNPY writes a as a NumPy .npy file (format version 1.0; 2.0 only when
// a compound's header exceeds 64 KiB). The dtype keeps the stored byte order
// (">f8" for FITS data), which NumPy reads natively, so the data is written
// as stored; see formats.Dtype.NumpyDescr for the dtype of each class. Compounds
// become structured dtypes. Variable-length strings and sequences have no
// .npy form short of pickled object arrays, which numpy.load refuses by
// default: they are ErrUnsupported.
func WriteNPY(w io.Writer, a *formats.Array) error { return writeAs(NPY, w, a) }

// WriteCSV writes a 1-D array one value per line, a 2-D array one row per
// line, values separated by commas, lines ending in LF, with no header line.
// A 1-D compound is a table: one row per element, one column per member
// (members must be numbers, enums, strings or opaque). Values are written as
// in WriteJSON except that strings are quoted only when RFC 4180 needs it
// (and when empty, so an empty string is not a blank line), booleans are
// true/false and NaN/±infinity are NaN, Infinity and -Infinity unquoted.
// Other ranks are ErrUnsupported.
func WriteCSV(w io.Writer, a *formats.Array) error { return writeAs(CSV, w, a) }

// WriteRaw writes a's bytes in C order with every value little-endian (big-
// endian sources are swapped). The Encoding's Header gives the element type
// as a NumPy dtype (X-Sciswift-Dtype: "<f8", or a structured dtype's list
// literal, as formats.Dtype.NumpyDtype) and the shape as comma-separated extents
// (X-Sciswift-Shape: "100,2"; empty for a scalar). Variable-length types are
// ErrUnsupported.
func WriteRaw(w io.Writer, a *formats.Array) error { return writeAs(Raw, w, a) }
