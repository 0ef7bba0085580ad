package encode

import (
	"fmt"

	"github.com/sciswift/sciswift/formats"
)

// maxDepth bounds the nesting of compound and array types, which come from
// untrusted files; maxRank bounds dimensions (HDF5's limit is 32).
const (
	maxDepth = 16
	maxRank  = 64
)

// view is an Array checked for encoding, with top-level array types
// expanded into trailing dimensions.
type view struct {
	t     formats.Dtype
	shape []uint64
	data  []byte
	strs  [][]byte
	null  []bool // per element of shape (array types expanded); nil when none
}

func newView(a *formats.Array) (*view, error) {
	if err := checkType(&a.Type, 0); err != nil {
		return nil, err
	}
	if err := a.Check(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	v := &view{t: a.Type, shape: a.Shape, data: a.Data, strs: a.Strings, null: a.Null}
	if base, dims := a.Type.ArrayDims(); len(dims) > 0 {
		v.t = base
		v.shape = make([]uint64, 0, len(a.Shape)+len(dims))
		v.shape = append(v.shape, a.Shape...)
		for _, d := range dims {
			v.shape = append(v.shape, uint64(d))
		}
		if a.Null != nil {
			// A null element of an array type is null in every position.
			per := a.Type.Size / base.Size
			v.null = make([]bool, 0, len(a.Null)*per)
			for _, isNull := range a.Null {
				for range per {
					v.null = append(v.null, isNull)
				}
			}
		}
	}
	if len(v.shape) > maxRank {
		return nil, fmt.Errorf("%w: %d dimensions (at most %d)", ErrUnsupported, len(v.shape), maxRank)
	}
	return v, nil
}

// checkType makes sure every part of t can be decoded without reading past
// an element's bytes, so the encoders can trust it.
func checkType(t *formats.Dtype, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("%w: types nested more than %d deep", ErrUnsupported, maxDepth)
	}
	switch t.Class {
	case formats.ClassInteger, formats.ClassBitfield:
		if t.Size < 1 || t.Size > 8 {
			return fmt.Errorf("%w: %d-byte %s", ErrUnsupported, t.Size, t.Class)
		}
		if t.Precision < 0 || t.BitOffset < 0 || t.Precision+t.BitOffset > 8*t.Size {
			return fmt.Errorf("%w: %d-byte %s with precision %d at bit offset %d", ErrInvalid, t.Size, t.Class, t.Precision, t.BitOffset)
		}
	case formats.ClassFloat:
		if t.Size != 2 && t.Size != 4 && t.Size != 8 {
			return fmt.Errorf("%w: %d-byte floats", ErrUnsupported, t.Size)
		}
	case formats.ClassEnum:
		if t.Base == nil || t.Base.Class != formats.ClassInteger {
			return fmt.Errorf("%w: enum without an integer base type", ErrInvalid)
		}
		if err := checkType(t.Base, depth+1); err != nil {
			return err
		}
		if t.Size != t.Base.Size {
			return fmt.Errorf("%w: %d-byte enum of a %d-byte integer", ErrInvalid, t.Size, t.Base.Size)
		}
	case formats.ClassString:
		if t.Variable {
			if depth > 0 {
				return fmt.Errorf("%w: variable-length strings inside compound or array types", ErrUnsupported)
			}
		} else if t.Size < 1 {
			return fmt.Errorf("%w: fixed-length string of size %d", ErrInvalid, t.Size)
		}
	case formats.ClassOpaque:
		if t.Size < 1 {
			return fmt.Errorf("%w: opaque type of size %d", ErrInvalid, t.Size)
		}
	case formats.ClassCompound:
		if t.Size < 1 {
			return fmt.Errorf("%w: compound of size %d", ErrInvalid, t.Size)
		}
		for _, m := range t.Members {
			if m.Type == nil {
				return fmt.Errorf("%w: compound member %q has no type", ErrInvalid, m.Name)
			}
			if m.Type.IsVariable() {
				return fmt.Errorf("%w: compound member %q is variable-length", ErrUnsupported, m.Name)
			}
			if err := checkType(m.Type, depth+1); err != nil {
				return fmt.Errorf("compound member %q: %w", m.Name, err)
			}
			if m.Offset < 0 || m.Offset > t.Size-m.Type.Size {
				return fmt.Errorf("%w: compound member %q (%d bytes at offset %d) ends past the %d-byte compound", ErrInvalid, m.Name, m.Type.Size, m.Offset, t.Size)
			}
		}
	case formats.ClassArray:
		if t.Base == nil || len(t.Dims) == 0 {
			return fmt.Errorf("%w: array type without base type or dimensions", ErrInvalid)
		}
		if t.Base.IsVariable() {
			return fmt.Errorf("%w: arrays of variable-length elements", ErrUnsupported)
		}
		if err := checkType(t.Base, depth+1); err != nil {
			return err
		}
		size := t.Base.Size
		for _, d := range t.Dims {
			if d < 1 || size > t.Size/d {
				return fmt.Errorf("%w: %d-byte array type of dimensions %v of %d-byte elements", ErrInvalid, t.Size, t.Dims, t.Base.Size)
			}
			size *= d
		}
		if size != t.Size {
			return fmt.Errorf("%w: %d-byte array type of dimensions %v of %d-byte elements", ErrInvalid, t.Size, t.Dims, t.Base.Size)
		}
	case formats.ClassVlen:
		if depth > 0 {
			return fmt.Errorf("%w: variable-length sequences inside compound or array types", ErrUnsupported)
		}
		if t.Base == nil {
			return fmt.Errorf("%w: vlen sequence without a base type", ErrInvalid)
		}
		if t.Base.IsVariable() {
			return fmt.Errorf("%w: sequences of variable-length elements", ErrUnsupported)
		}
		if err := checkType(t.Base, depth+1); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w: type class %q", ErrUnsupported, t.Class)
	}
	return nil
}
