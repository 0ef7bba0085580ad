package fits

import "github.com/sciswift/sciswift/formats"

// dataset is one servable array and where its elements lie in the file.
type dataset struct {
	path  string
	typ   formats.Dtype // of the values Read returns
	shape []uint64

	base     int64   // file offset of element [0, 0, …]
	rawSize  int     // bytes of one stored element
	strides  []int64 // bytes between neighbours along each dimension
	conv     conversion
	bitCount int // X columns: bits per row (shape [rows, bitCount]); 0 otherwise

	// Its attributes: the header's cards, or column colIndex's.
	hdr      *header
	colIndex int // from 1; 0 for an image
}

// rawKindOf maps a BITPIX to its stored encoding.
func rawKindOf(bitpix int64) rawKind {
	switch bitpix {
	case 8:
		return rawU8
	case 16:
		return rawI16
	case 32:
		return rawI32
	case 64:
		return rawI64
	case -32:
		return rawF32
	}
	return rawF64
}

// rawType is the dtype of stored elements of a raw kind.
func rawType(k rawKind) formats.Dtype {
	switch k {
	case rawU8:
		return intType(1, false)
	case rawF32:
		return floatType(4)
	case rawF64:
		return floatType(8)
	}
	return intType(k.size(), true)
}

// newImage describes the data of an image HDU: its axes reversed into C
// order, its dtype and scaling chosen as astropy chooses them.
func newImage(u *hdu, bitpix int64, axes []uint64) *dataset {
	n := len(axes)
	ds := &dataset{
		path:    hduPath(u.index),
		shape:   make([]uint64, n),
		strides: make([]int64, n),
		base:    u.dataOff,
		rawSize: int(abs(bitpix) / 8),
	}
	stride := int64(ds.rawSize)
	for i := 0; i < n; i++ {
		ds.shape[n-1-i] = axes[i]
		ds.strides[n-1-i] = stride
		stride *= int64(axes[i]) // cannot overflow: the data unit fits the object
	}
	h := u.header
	raw := rawKindOf(bitpix)
	bscale, bzero := h.numeric("BSCALE"), h.numeric("BZERO")
	var blank *int64
	if v, ok := h.integer("BLANK"); ok && bitpix > 0 {
		blank = &v // BLANK means something for integer data only
	}
	unitScale := !bscale.present || bscale.is(1)
	noZero := !bzero.present || bzero.is(0)

	ds.typ = rawType(raw)
	switch {
	case unitScale && noZero && blank == nil:
		// The stored values.
	case unitScale && bitpix == 8 && bzero.is(-128):
		ds.typ, ds.conv = intType(1, true), conversion{kind: convFlipSign}
	case unitScale && bitpix == 16 && bzero.isPow2(15),
		unitScale && bitpix == 32 && bzero.isPow2(31),
		unitScale && bitpix == 64 && bzero.isPow2(63):
		ds.typ, ds.conv = intType(ds.rawSize, false), conversion{kind: convFlipSign}
	default:
		out := 8
		if bitpix == 8 || bitpix == 16 || bitpix == -32 {
			out = 4
		}
		ds.typ = floatType(out)
		ds.conv = conversion{
			kind: convScale, raw: raw, outSize: out,
			scale: bscale.orDefault(1), zero: bzero.orDefault(0),
			hasScale: !unitScale, hasZero: !noZero,
		}
		if blank != nil {
			ds.conv.hasBlank, ds.conv.blank = true, *blank
		}
	}
	ds.hdr = h
	return ds
}
