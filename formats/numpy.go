package formats

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrNoNumpy reports a dtype NumPy cannot represent (variable-length
// strings and sequences, integers of odd sizes, 128-bit floats…).
var ErrNoNumpy = errors.New("formats: no NumPy equivalent")

// maxNumpyDepth bounds the nesting of compound and array types, which come
// from untrusted files.
const maxNumpyDepth = 32

// NumpyDescr is t's NumPy dtype in the form numpy.lib.format writes in a
// .npy header (numpy.dtype.descr, read back by
// numpy.lib.format.descr_to_dtype):
//
//   - an atomic type is its type string, byte order first: "<f8", ">i4",
//     "|u1", "|S10" (fixed strings, as bytes), "|V16" (opaque), "|b1"
//     (h5py's boolean enum); a bitfield is an unsigned integer and any other
//     enum is its base integer;
//   - a compound is the Python literal of a list of fields in offset order,
//     with NumPy's unnamed "|V" padding fields for gaps, and a shape for
//     array members.
//
// A compound with a gap after x and an array member v, for example, is
//
//	[('x', '<f4'), ('', '|V4'), ('v', '<f8', (3,))]
//
// An array type at the top level has no dtype of its own in NumPy (arrays of
// it gain dimensions instead): see ArrayDims.
func (t Dtype) NumpyDescr() (string, error) {
	if t.Class == ClassArray {
		return "", fmt.Errorf("%w: an array type is the dimensions %v of its base type", ErrNoNumpy, t.Dims)
	}
	return t.numpy(0, false)
}

// NumpyDtype is what numpy.dtype accepts for t: the same type string as
// NumpyDescr for atomic types, and for a compound the Python literal of
// numpy's dict form, "{'names': ['x', 'v'], 'formats': ['<f4', ('<f8',
// (3,))], 'offsets': [0, 8], 'itemsize': 32}", which (unlike a descr list)
// keeps gaps without padding fields: numpy.dtype(ast.literal_eval(s)).
func (t Dtype) NumpyDtype() (string, error) {
	if t.Class == ClassArray {
		return "", fmt.Errorf("%w: an array type is the dimensions %v of its base type", ErrNoNumpy, t.Dims)
	}
	return t.numpy(0, true)
}

// ArrayDims splits an array type (perhaps of arrays) into its innermost
// element type and all its dimensions, outermost first; other types are
// returned as they are, with no dimensions.
func (t Dtype) ArrayDims() (Dtype, []int) {
	var dims []int
	for i := 0; i < maxNumpyDepth && t.Class == ClassArray && t.Base != nil; i++ {
		dims = append(dims, t.Dims...)
		t = *t.Base
	}
	return t, dims
}

func (t Dtype) numpy(depth int, dict bool) (string, error) {
	if depth > maxNumpyDepth {
		return "", fmt.Errorf("%w: types nested more than %d deep", ErrNoNumpy, maxNumpyDepth)
	}
	switch t.Class {
	case ClassInteger, ClassBitfield:
		kind := "u"
		if t.Class == ClassInteger && t.Signed {
			kind = "i"
		}
		return numpyNumber(t, kind, 1, 2, 4, 8)
	case ClassFloat:
		return numpyNumber(t, "f", 2, 4, 8)
	case ClassEnum:
		if t.IsBool() {
			return "|b1", nil
		}
		if t.Base == nil || t.Base.Class != ClassInteger {
			return "", fmt.Errorf("%w: enum without an integer base type", ErrNoNumpy)
		}
		return t.Base.numpy(depth+1, dict)
	case ClassString:
		if t.Variable {
			return "", fmt.Errorf("%w: variable-length strings", ErrNoNumpy)
		}
		if t.Size <= 0 {
			return "", fmt.Errorf("%w: string of size %d", ErrNoNumpy, t.Size)
		}
		return "|S" + strconv.Itoa(t.Size), nil
	case ClassOpaque:
		if t.Size <= 0 {
			return "", fmt.Errorf("%w: opaque type of size %d", ErrNoNumpy, t.Size)
		}
		return "|V" + strconv.Itoa(t.Size), nil
	case ClassCompound:
		return t.numpyCompound(depth, dict)
	case ClassVlen:
		return "", fmt.Errorf("%w: variable-length sequences", ErrNoNumpy)
	case ClassArray:
		return "", fmt.Errorf("%w: array type outside a compound", ErrNoNumpy)
	}
	return "", fmt.Errorf("%w: type class %q", ErrNoNumpy, t.Class)
}

func numpyNumber(t Dtype, kind string, sizes ...int) (string, error) {
	for _, s := range sizes {
		if t.Size != s {
			continue
		}
		order := "<"
		switch {
		case s == 1:
			order = "|"
		case t.Order == BigEndian:
			order = ">"
		}
		return order + kind + strconv.Itoa(s), nil
	}
	return "", fmt.Errorf("%w: %d-byte %s", ErrNoNumpy, t.Size, t.Class)
}

func (t Dtype) numpyCompound(depth int, dict bool) (string, error) {
	if t.Size <= 0 {
		return "", fmt.Errorf("%w: compound of size %d", ErrNoNumpy, t.Size)
	}
	ms := make([]Member, len(t.Members))
	copy(ms, t.Members)
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Offset < ms[j].Offset })

	// The descr list: (name, format[, shape]) per field, padding fields for
	// gaps. The dict: names, formats and offsets, and the itemsize.
	var fields, names, fmts, offsets []string
	pad := func(n int) {
		fields = append(fields, "('', '|V"+strconv.Itoa(n)+"')")
	}
	seen := make(map[string]bool, len(ms))
	end := 0 // offset just past the previous field
	for _, m := range ms {
		if m.Type == nil {
			return "", fmt.Errorf("%w: compound member %q has no type", ErrNoNumpy, m.Name)
		}
		if m.Name == "" || seen[m.Name] {
			return "", fmt.Errorf("%w: compound member name %q is empty or repeated", ErrNoNumpy, m.Name)
		}
		seen[m.Name] = true
		base, dims := m.Type.ArrayDims()
		f, err := base.numpy(depth+1, dict)
		if err != nil {
			return "", fmt.Errorf("compound member %q: %w", m.Name, err)
		}
		if m.Offset < end || m.Type.Size <= 0 || m.Offset > t.Size-m.Type.Size {
			return "", fmt.Errorf("%w: compound member %q at offset %d (size %d) overlaps another or the end of the %d-byte compound", ErrNoNumpy, m.Name, m.Offset, m.Type.Size, t.Size)
		}
		if m.Offset > end {
			pad(m.Offset - end)
		}
		if base.Class != ClassCompound {
			f = PyString(f)
		}
		name := PyString(m.Name)
		if len(dims) > 0 {
			fields = append(fields, "("+name+", "+f+", "+PyTuple(dims)+")")
			f = "(" + f + ", " + PyTuple(dims) + ")"
		} else {
			fields = append(fields, "("+name+", "+f+")")
		}
		names = append(names, name)
		fmts = append(fmts, f)
		offsets = append(offsets, strconv.Itoa(m.Offset))
		end = m.Offset + m.Type.Size
	}
	if !dict {
		if end < t.Size {
			pad(t.Size - end)
		}
		return "[" + strings.Join(fields, ", ") + "]", nil
	}
	return "{'names': [" + strings.Join(names, ", ") + "], 'formats': [" + strings.Join(fmts, ", ") +
		"], 'offsets': [" + strings.Join(offsets, ", ") + "], 'itemsize': " + strconv.Itoa(t.Size) + "}", nil
}

// PyString is s as a Python string literal in ASCII: single-quoted, with
// backslash escapes for quotes, control characters and everything beyond
// ASCII, so it can go in a .npy header (Latin-1) or an HTTP header.
// Invalid UTF-8 becomes U+FFFD.
func PyString(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == '\\' || r == '\'':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// PyTuple is the Python literal of a tuple of integers: "()", "(3,)",
// "(2, 3)".
func PyTuple[T int | uint64](v []T) string {
	switch len(v) {
	case 0:
		return "()"
	case 1:
		return fmt.Sprintf("(%d,)", v[0])
	}
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmt.Sprint(x)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
