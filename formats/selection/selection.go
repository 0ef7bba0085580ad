// Package selection parses the `select=` query parameter of the dataset API
// into a formats.Selection, and sizes the result.
//
// The syntax and its checks are HSDS's (hsds/util/dsetUtil.py,
// getSelectionList), so a URL that works against HSDS works here:
//
//	[r0,r1,...]     one range per dimension, brackets required
//	:             the whole extent
//	a:b  a:b:s    start a (default 0), stop b exclusive (default the extent),
//	              step s >= 1 (default 1); any part may be left empty
//	i             a single index; the dimension is dropped from the result
//	              (NumPy's rule; HSDS keeps it with length 1)
//
// Whitespace is ignored anywhere, as HSDS ignores it. An empty expression
// selects everything. Like HSDS, an explicit start must lie inside the
// extent and an explicit stop must be greater than the start, so a
// selection is never empty unless a dimension's extent is 0 (and then only
// ":", "::s" and friends select it). Negative numbers are rejected, as HSDS
// rejects them: there is no NumPy-style counting from the end.
//
// A dataset with no dimensions (a scalar) takes "" or "[]", or, as HSDS
// treats a scalar as one element of a one-dimensional space, a single range
// that covers index 0 ("[0]", "[:]", "[0:1]"); all give the empty Selection.
//
// HSDS also accepts a coordinate list for a dimension ("[[1,5,9],:]"); a
// formats.Selection cannot express one, so those are refused with
// ErrUnsupported.
package selection

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"unicode"

	"github.com/sciswift/sciswift/formats"
)

// Sentinels for errors.Is. The proxy answers 413 for ErrTooLarge and 400
// for the rest.
var (
	ErrSyntax      = fmt.Errorf("malformed: %w", formats.ErrSelection)
	ErrRank        = fmt.Errorf("rank does not match the dataset: %w", formats.ErrSelection)
	ErrOutOfRange  = fmt.Errorf("out of range: %w", formats.ErrSelection)
	ErrUnsupported = fmt.Errorf("not supported: %w", formats.ErrSelection)
	ErrTooLarge    = fmt.Errorf("%w", formats.ErrTooLarge)
)

// Error is what Parse and Limit.Check return: the message names the
// dimension and the offending value ("select: dimension 2: stop 900 >
// extent 512"); Kind is one of the sentinels.
type Error struct {
	Kind error
	Dim  int // 0-based, as in HSDS's messages; -1 when no one dimension is at fault
	Msg  string
}

func (e *Error) Error() string {
	if e.Dim < 0 {
		return "select: " + e.Msg
	}
	return fmt.Sprintf("select: dimension %d: %s", e.Dim, e.Msg)
}

func (e *Error) Unwrap() error { return e.Kind }

func fail(kind error, dim int, format string, args ...any) error {
	return &Error{Kind: kind, Dim: dim, Msg: fmt.Sprintf(format, args...)}
}

// All selects the whole of a dataset of the given shape.
func All(shape []uint64) formats.Selection {
	sel := make(formats.Selection, len(shape))
	for i, n := range shape {
		sel[i] = formats.Range{Start: 0, Stop: n, Step: 1}
	}
	return sel
}

// Parse reads a select expression against a dataset's shape. The result has
// one Range per dimension of shape, each inside its extent with Step >= 1.
func Parse(expr string, shape []uint64) (formats.Selection, error) {
	expr = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, expr)
	if expr == "" {
		return All(shape), nil
	}
	if len(expr) < 2 || expr[0] != '[' || expr[len(expr)-1] != ']' {
		return nil, fail(ErrSyntax, -1, "%q: expected [start:stop:step,...] in brackets", clip(expr))
	}
	inner := expr[1 : len(expr)-1]
	if strings.ContainsAny(inner, "[]") {
		return nil, fail(ErrUnsupported, -1, "coordinate lists ([[i,j,...],...]) are not supported; use start:stop:step ranges")
	}
	var parts []string
	if inner != "" {
		parts = strings.Split(inner, ",")
	}

	if len(shape) == 0 {
		return parseScalar(parts)
	}
	if len(parts) != len(shape) {
		return nil, fail(ErrRank, -1, "%d ranges for a %d-dimensional dataset", len(parts), len(shape))
	}
	sel := make(formats.Selection, len(shape))
	for dim, part := range parts {
		r, err := parseRange(part, dim, shape[dim])
		if err != nil {
			return nil, err
		}
		sel[dim] = r
	}
	return sel, nil
}

// parseScalar accepts what HSDS accepts for a scalar dataset, which it
// treats as the shape [1].
func parseScalar(parts []string) (formats.Selection, error) {
	switch len(parts) {
	case 0:
		return formats.Selection{}, nil
	case 1:
		if _, err := parseRange(parts[0], 0, 1); err != nil {
			return nil, err
		}
		return formats.Selection{}, nil
	}
	return nil, fail(ErrRank, -1, "%d ranges for a scalar dataset", len(parts))
}

func parseRange(part string, dim int, extent uint64) (formats.Range, error) {
	if part == "" {
		return formats.Range{}, fail(ErrSyntax, dim, "empty range (use : for the whole extent)")
	}
	if !strings.Contains(part, ":") {
		i, err := number(part, "index", dim)
		if err != nil {
			return formats.Range{}, err
		}
		if i >= extent {
			return formats.Range{}, fail(ErrOutOfRange, dim, "index %d >= extent %d", i, extent)
		}
		return formats.Range{Start: i, Stop: i + 1, Step: 1, Index: true}, nil
	}

	fields := strings.Split(part, ":")
	if len(fields) > 3 {
		return formats.Range{}, fail(ErrSyntax, dim, "%q: expected start:stop or start:stop:step", clip(part))
	}
	r := formats.Range{Start: 0, Stop: extent, Step: 1}
	var err error
	if fields[0] != "" {
		if r.Start, err = number(fields[0], "start", dim); err != nil {
			return formats.Range{}, err
		}
		if r.Start >= extent {
			return formats.Range{}, fail(ErrOutOfRange, dim, "start %d >= extent %d", r.Start, extent)
		}
	}
	if fields[1] != "" {
		if r.Stop, err = number(fields[1], "stop", dim); err != nil {
			return formats.Range{}, err
		}
		if r.Stop > extent {
			return formats.Range{}, fail(ErrOutOfRange, dim, "stop %d > extent %d", r.Stop, extent)
		}
		if r.Stop <= r.Start {
			return formats.Range{}, fail(ErrOutOfRange, dim, "stop %d <= start %d (empty selection)", r.Stop, r.Start)
		}
	}
	if len(fields) == 3 && fields[2] != "" {
		if r.Step, err = number(fields[2], "step", dim); err != nil {
			return formats.Range{}, err
		}
		if r.Step == 0 {
			return formats.Range{}, fail(ErrOutOfRange, dim, "step 0: the step must be >= 1")
		}
	}
	return r, nil
}

// number reads a decimal integer the way HSDS's int() would for the values
// it accepts; negative values are out of range, as in HSDS.
func number(s, what string, dim int) (uint64, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, fail(ErrOutOfRange, dim, "%s %s is too large", what, clip(s))
		}
		return 0, fail(ErrSyntax, dim, "%s %q is not an integer", what, clip(s))
	}
	if v < 0 {
		if what == "step" {
			return 0, fail(ErrOutOfRange, dim, "step %d: the step must be >= 1", v)
		}
		return 0, fail(ErrOutOfRange, dim, "%s %d < 0 (negative indices are not supported)", what, v)
	}
	return uint64(v), nil
}

// clip keeps error messages short whatever the client sent.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

// Len is the number of indices r selects in its dimension.
func Len(r formats.Range) uint64 {
	if r.Step == 0 || r.Stop <= r.Start {
		return 0
	}
	return (r.Stop-r.Start-1)/r.Step + 1
}

// Shape is the shape of the result: one length per range, without the
// dimensions picked by a single index.
func Shape(sel formats.Selection) []uint64 {
	shape := make([]uint64, 0, len(sel))
	for _, r := range sel {
		if !r.Index {
			shape = append(shape, Len(r))
		}
	}
	return shape
}

// Count is the number of elements sel selects (1 for the empty selection of
// a scalar), saturating at math.MaxUint64.
func Count(sel formats.Selection) uint64 {
	n := uint64(1)
	for _, r := range sel {
		n = mulSat(n, Len(r))
	}
	return n
}

// cells is what an encoder iterates over: the elements, or, when a
// dimension has length 0, the empty rows or lists written for each index of
// the dimensions before it (a [2^40, 0] selection has no elements but would
// still stream 2^40 "[]" in JSON).
func cells(sel formats.Selection) uint64 {
	n := uint64(1)
	for _, r := range sel {
		l := Len(r)
		if l == 0 {
			return n
		}
		n = mulSat(n, l)
	}
	return n
}

func mulSat(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 {
		return math.MaxUint64
	}
	return lo
}

// Limit bounds what one request may select; a zero field means no bound.
// It is the proxy's configurable guard against reading a whole dataset into
// a response by accident.
type Limit struct {
	MaxElements uint64
	MaxBytes    uint64
}

// Check returns an ErrTooLarge error when sel exceeds the limit. elemSize is
// the stored size of one element; 0 (variable-length types, whose size is
// not known before reading) skips the byte bound.
func (l Limit) Check(sel formats.Selection, elemSize int) error {
	n := Count(sel)
	if c := cells(sel); c > n {
		n = c
	}
	if l.MaxElements > 0 && n > l.MaxElements {
		return fail(ErrTooLarge, -1, "%d elements > limit of %d", n, l.MaxElements)
	}
	if l.MaxBytes > 0 && elemSize > 0 {
		if b := mulSat(Count(sel), uint64(elemSize)); b > l.MaxBytes {
			return fail(ErrTooLarge, -1, "%d elements of %d bytes = %s > limit of %d bytes", Count(sel), elemSize, bytesString(b), l.MaxBytes)
		}
	}
	return nil
}

func bytesString(b uint64) string {
	if b == math.MaxUint64 {
		return "more than 2^64 bytes"
	}
	return strconv.FormatUint(b, 10) + " bytes"
}

// Format writes sel back as an expression Parse accepts, with every part
// explicit ("[0:10:1,5]").
func Format(sel formats.Selection) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, r := range sel {
		if i > 0 {
			b.WriteByte(',')
		}
		switch {
		case r.Index:
			b.WriteString(strconv.FormatUint(r.Start, 10))
		case r.Stop <= r.Start:
			// Only a dimension of extent 0 has an empty range, and
			// only the defaults can select it.
			fmt.Fprintf(&b, "::%d", r.Step)
		default:
			fmt.Fprintf(&b, "%d:%d:%d", r.Start, r.Stop, r.Step)
		}
	}
	b.WriteByte(']')
	return b.String()
}
