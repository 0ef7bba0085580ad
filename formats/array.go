package formats

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// ErrArray reports an Array whose bytes do not match its type and shape.
var ErrArray = errors.New("formats: array does not match its type and shape")

// Elements is the number of elements of an array of the given shape (1 for
// a scalar); ok is false when the product overflows uint64.
func Elements(shape []uint64) (n uint64, ok bool) {
	n = 1
	for _, d := range shape {
		hi, lo := bits.Mul64(n, d)
		if hi != 0 {
			return math.MaxUint64, false
		}
		n = lo
	}
	return n, true
}

// Len is the number of elements of a, saturating at math.MaxUint64.
func (a *Array) Len() uint64 {
	n, _ := Elements(a.Shape)
	return n
}

// Check reports whether a's storage holds exactly its elements: one entry
// of Strings per element for variable-length types (each a whole number of
// Base elements for vlen sequences), Len × Type.Size bytes of Data
// otherwise, and one Null flag per element when Null is set. Encoders call
// it before writing a byte, so a driver's mistake is an error rather than a
// short or garbled response.
func (a *Array) Check() error {
	n, ok := Elements(a.Shape)
	if !ok {
		return fmt.Errorf("%w: shape %v has more than 2^64 elements", ErrArray, a.Shape)
	}
	if a.Null != nil && uint64(len(a.Null)) != n {
		return fmt.Errorf("%w: %d null flags for %d elements", ErrArray, len(a.Null), n)
	}
	if a.Type.IsVariable() {
		if uint64(len(a.Strings)) != n {
			return fmt.Errorf("%w: %d variable-length values for %d elements", ErrArray, len(a.Strings), n)
		}
		if a.Type.Class == ClassVlen {
			if a.Type.Base == nil || a.Type.Base.Size <= 0 {
				return fmt.Errorf("%w: vlen sequence without a fixed-size base type", ErrArray)
			}
			for i, s := range a.Strings {
				if len(s)%a.Type.Base.Size != 0 {
					return fmt.Errorf("%w: vlen element %d has %d bytes, not a multiple of its base's %d", ErrArray, i, len(s), a.Type.Base.Size)
				}
			}
		}
		return nil
	}
	if a.Type.Size <= 0 {
		return fmt.Errorf("%w: fixed-size type of size %d", ErrArray, a.Type.Size)
	}
	hi, want := bits.Mul64(n, uint64(a.Type.Size))
	if hi != 0 || uint64(len(a.Data)) != want {
		return fmt.Errorf("%w: %d bytes of data for %d elements of %d bytes", ErrArray, len(a.Data), n, a.Type.Size)
	}
	return nil
}

// IsBool reports whether t is h5py's boolean: an enum of a one-byte integer
// with exactly the members FALSE = 0 and TRUE = 1. NumPy's bool is stored
// that way, so encoders give it as a boolean rather than as an integer.
func (t Dtype) IsBool() bool {
	if t.Class != ClassEnum || t.Base == nil || t.Base.Class != ClassInteger || t.Base.Size != 1 || len(t.Members) != 2 {
		return false
	}
	var f, tr bool
	for _, m := range t.Members {
		switch {
		case m.Name == "FALSE" && m.Value == 0:
			f = true
		case m.Name == "TRUE" && m.Value == 1:
			tr = true
		}
	}
	return f && tr
}

// BigEndian reports whether multi-byte values of the atomic type t are
// stored most significant byte first. An empty Order means little-endian.
func (t Dtype) BigEndian() bool {
	if t.Class == ClassEnum && t.Base != nil {
		return t.Base.BigEndian()
	}
	return t.Order == BigEndian
}

// WithOrder is a deep copy of t with every atomic part (integers, floats,
// bitfields, enum bases, inside compounds and arrays too) in byte order o:
// the type of the same values after a byte swap.
func (t Dtype) WithOrder(o ByteOrder) Dtype {
	switch t.Class {
	case ClassInteger, ClassFloat, ClassBitfield:
		t.Order = o
	}
	if t.Base != nil {
		b := t.Base.WithOrder(o)
		t.Base = &b
	}
	if t.Class == ClassCompound && len(t.Members) > 0 {
		ms := make([]Member, len(t.Members))
		for i, m := range t.Members {
			if m.Type != nil {
				mt := m.Type.WithOrder(o)
				m.Type = &mt
			}
			ms[i] = m
		}
		t.Members = ms
	}
	return t
}
