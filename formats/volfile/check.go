package volfile

import (
	"fmt"
	"math/bits"
	"strings"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
)

// The checks below make every document safe to use: after them, types can
// be walked, spaces multiplied and chunk grids divided without overflow,
// and every reference points at a document of the right kind.

func checkHeader(h *domain.Header, kind domain.Kind, id uint64) error {
	if h.ID != id || h.Kind != kind {
		return fmt.Errorf("%w: document of %s %d says it is %s %d", ErrCorrupt, kind, id, h.Kind, h.ID)
	}
	if h.Refcount < 0 {
		return fmt.Errorf("%w: %s %d: negative refcount", ErrCorrupt, kind, id)
	}
	return checkAttrs(h.Attributes)
}

func checkGroup(g *domain.Group) error {
	seen := make(map[string]bool, len(g.Links))
	for _, l := range g.Links {
		if l.Name == "" || l.Name == "." || strings.ContainsRune(l.Name, '/') {
			return fmt.Errorf("%w: group %d: link name %q", ErrCorrupt, g.ID, l.Name)
		}
		if seen[l.Name] {
			return fmt.Errorf("%w: group %d: link %q twice", ErrCorrupt, g.ID, l.Name)
		}
		seen[l.Name] = true
		switch l.Kind {
		case domain.LinkHard:
			if l.Target == 0 || !l.TargetKind.Valid() {
				return fmt.Errorf("%w: group %d: hard link %q has no target", ErrCorrupt, g.ID, l.Name)
			}
		case domain.LinkSoft:
			if l.Path == "" {
				return fmt.Errorf("%w: group %d: soft link %q has no path", ErrCorrupt, g.ID, l.Name)
			}
		case domain.LinkExternal:
			if l.File == "" || l.Path == "" {
				return fmt.Errorf("%w: group %d: external link %q lacks its file or path", ErrCorrupt, g.ID, l.Name)
			}
		default:
			return fmt.Errorf("%w: group %d: link %q of kind %q", ErrCorrupt, g.ID, l.Name, l.Kind)
		}
	}
	return nil
}

func checkDataset(d *domain.Dataset) error {
	if err := checkType(&d.Type, 0); err != nil {
		return fmt.Errorf("dataset %d: %w", d.ID, err)
	}
	if err := checkSpace(d.Space); err != nil {
		return fmt.Errorf("dataset %d: %w", d.ID, err)
	}
	lay := d.Layout
	if d.Space.Class != "simple" {
		if len(lay.StoredChunks) != 0 {
			return fmt.Errorf("%w: dataset %d: %s dataspace with a chunk shape", ErrCorrupt, d.ID, d.Space.Class)
		}
	} else {
		if len(lay.StoredChunks) != len(d.Space.Dims) {
			return fmt.Errorf("%w: dataset %d: chunks %v for dims %v", ErrCorrupt, d.ID, lay.StoredChunks, d.Space.Dims)
		}
		elems, ok := uint64(1), true
		for _, c := range lay.StoredChunks {
			if c == 0 {
				return fmt.Errorf("%w: dataset %d: chunk shape %v has a 0", ErrCorrupt, d.ID, lay.StoredChunks)
			}
			elems, ok = mulCheck(elems, c, ok)
		}
		// Chunks too big to read are refused by Read, for that dataset
		// only; here the sizes must just be computable.
		if _, ok := mulCheck(elems, elemCost(d.Type), ok); !ok {
			return fmt.Errorf("%w: dataset %d: chunk shape %v overflows", ErrCorrupt, d.ID, lay.StoredChunks)
		}
	}
	if len(lay.Chunks) != 0 && len(lay.Chunks) != len(d.Space.Dims) {
		return fmt.Errorf("%w: dataset %d: declared chunks %v for dims %v", ErrCorrupt, d.ID, lay.Chunks, d.Space.Dims)
	}
	if len(lay.Filters) > 32 {
		return fmt.Errorf("%w: dataset %d: %d filters", ErrCorrupt, d.ID, len(lay.Filters))
	}
	if !d.Type.IsVariable() && d.Fill != nil && len(d.Fill) != d.Type.Size {
		return fmt.Errorf("%w: dataset %d: fill value of %d bytes for %d-byte elements", ErrCorrupt, d.ID, len(d.Fill), d.Type.Size)
	}
	return nil
}

// elemCost is what one element of t takes in a decoded chunk: its size, or
// for variable-length types at least their length prefix.
func elemCost(t formats.Dtype) uint64 {
	if t.IsVariable() {
		return 4
	}
	return uint64(t.Size)
}

func checkAttrs(attrs []domain.Attribute) error {
	seen := make(map[string]bool, len(attrs))
	for i := range attrs {
		a := &attrs[i]
		if a.Name == "" || seen[a.Name] {
			return fmt.Errorf("%w: attribute name %q empty or repeated", ErrCorrupt, a.Name)
		}
		seen[a.Name] = true
		if err := checkType(&a.Type, 0); err != nil {
			return fmt.Errorf("attribute %q: %w", a.Name, err)
		}
		if err := checkSpace(a.Space); err != nil {
			return fmt.Errorf("attribute %q: %w", a.Name, err)
		}
		n := spaceElems(a.Space)
		switch {
		case a.Strings != nil && (!a.Type.IsVariable() || uint64(len(a.Strings)) != n):
			return fmt.Errorf("%w: attribute %q holds %d strings for %d elements of %s", ErrCorrupt, a.Name, len(a.Strings), n, a.Type.Class)
		case a.Value == nil || a.Type.IsVariable():
		case uint64(len(a.Value))/uint64(a.Type.Size) != n || len(a.Value)%a.Type.Size != 0:
			return fmt.Errorf("%w: attribute %q holds %d bytes for %d elements of %d", ErrCorrupt, a.Name, len(a.Value), n, a.Type.Size)
		}
		if a.Value != nil && a.Type.IsVariable() {
			if _, err := domain.DecodeVarChunk(a.Value, n); err != nil {
				return fmt.Errorf("%w: attribute %q: %w", ErrCorrupt, a.Name, err)
			}
		}
	}
	return nil
}

// checkSpace accepts null and scalar dataspaces and simple ones of rank 1 to
// 32 whose element count fits in uint64.
func checkSpace(s domain.Space) error {
	switch s.Class {
	case "null", "scalar":
		if len(s.Dims) != 0 || len(s.MaxDims) != 0 {
			return fmt.Errorf("%w: %s dataspace with dims", ErrCorrupt, s.Class)
		}
		return nil
	case "simple":
	default:
		return fmt.Errorf("%w: dataspace class %q", ErrCorrupt, s.Class)
	}
	if len(s.Dims) == 0 || len(s.Dims) > maxRank {
		return fmt.Errorf("%w: simple dataspace of rank %d", ErrCorrupt, len(s.Dims))
	}
	if len(s.MaxDims) != 0 && len(s.MaxDims) != len(s.Dims) {
		return fmt.Errorf("%w: max dims %v for dims %v", ErrCorrupt, s.MaxDims, s.Dims)
	}
	n, ok := uint64(1), true
	for i, d := range s.Dims {
		if len(s.MaxDims) != 0 && s.MaxDims[i] != domain.Unlimited && s.MaxDims[i] < d {
			return fmt.Errorf("%w: dimension %d is %d, above its maximum %d", ErrCorrupt, i, d, s.MaxDims[i])
		}
		n, ok = mulCheck(n, d, ok)
	}
	if !ok {
		return fmt.Errorf("%w: dataspace %v has more than 2^64 elements", ErrCorrupt, s.Dims)
	}
	return nil
}

// spaceElems is the number of elements of a checked dataspace.
func spaceElems(s domain.Space) uint64 {
	switch s.Class {
	case "null":
		return 0
	case "scalar":
		return 1
	}
	n, _ := formats.Elements(s.Dims)
	return n
}

// checkType makes sure a type can be walked and its parts lie inside its
// bytes: what the encoders and the HDF5 writer will trust.
func checkType(t *formats.Dtype, depth int) error {
	if depth > maxTypeDepth {
		return fmt.Errorf("%w: types nested more than %d deep", ErrCorrupt, maxTypeDepth)
	}
	if t.IsVariable() {
		if t.Class == formats.ClassVlen {
			if t.Base == nil || t.Base.IsVariable() {
				return fmt.Errorf("%w: vlen sequence without a fixed-size base type", ErrUnsupported)
			}
			return checkType(t.Base, depth+1)
		}
		return nil
	}
	if t.Size <= 0 || t.Size > maxTypeSize {
		return fmt.Errorf("%w: %s type of size %d", ErrCorrupt, t.Class, t.Size)
	}
	switch t.Class {
	case formats.ClassInteger, formats.ClassFloat, formats.ClassBitfield, formats.ClassString, formats.ClassOpaque:
	case formats.ClassEnum:
		if t.Base == nil || t.Base.Class != formats.ClassInteger || t.Base.Size != t.Size {
			return fmt.Errorf("%w: %d-byte enum without a base integer of its size", ErrCorrupt, t.Size)
		}
		return checkType(t.Base, depth+1)
	case formats.ClassCompound:
		for _, m := range t.Members {
			if m.Type == nil {
				return fmt.Errorf("%w: compound member %q has no type", ErrCorrupt, m.Name)
			}
			if err := checkType(m.Type, depth+1); err != nil {
				return fmt.Errorf("compound member %q: %w", m.Name, err)
			}
			if m.Type.IsVariable() || m.Offset < 0 || m.Offset > t.Size-m.Type.Size {
				return fmt.Errorf("%w: compound member %q (%d bytes at offset %d) does not fit %d bytes", ErrCorrupt, m.Name, m.Type.Size, m.Offset, t.Size)
			}
		}
	case formats.ClassArray:
		if t.Base == nil || t.Base.IsVariable() || len(t.Dims) == 0 || len(t.Dims) > maxRank {
			return fmt.Errorf("%w: array type without a fixed-size base or dimensions", ErrCorrupt)
		}
		if err := checkType(t.Base, depth+1); err != nil {
			return err
		}
		n := uint64(t.Base.Size)
		for _, d := range t.Dims {
			if d <= 0 || n > uint64(t.Size)/uint64(d) {
				return fmt.Errorf("%w: array dims %v of %d-byte elements in %d bytes", ErrCorrupt, t.Dims, t.Base.Size, t.Size)
			}
			n *= uint64(d)
		}
		if n != uint64(t.Size) {
			return fmt.Errorf("%w: array dims %v of %d-byte elements in %d bytes", ErrCorrupt, t.Dims, t.Base.Size, t.Size)
		}
	default:
		return fmt.Errorf("%w: type class %q", ErrUnsupported, t.Class)
	}
	return nil
}

// mulCheck multiplies, carrying an overflow flag along.
func mulCheck(a, b uint64, ok bool) (uint64, bool) {
	hi, lo := bits.Mul64(a, b)
	return lo, ok && hi == 0
}
