package fits

import (
	"bytes"
	"encoding/binary"
	"math"

	"github.com/sciswift/sciswift/formats"
)

// Dtypes of FITS data: everything is big-endian as FITS stores it.

func intType(size int, signed bool) formats.Dtype {
	return formats.Dtype{Class: formats.ClassInteger, Size: size, Order: formats.BigEndian, Signed: signed}
}

func floatType(size int) formats.Dtype {
	return formats.Dtype{Class: formats.ClassFloat, Size: size, Order: formats.BigEndian}
}

// boolType is h5py's bool: an int8 enum FALSE=0, TRUE=1.
func boolType() formats.Dtype {
	base := intType(1, true)
	return formats.Dtype{
		Class: formats.ClassEnum, Size: 1, Base: &base,
		Members: []formats.Member{{Name: "FALSE", Value: 0}, {Name: "TRUE", Value: 1}},
	}
}

// complexType is h5py's complex: a compound of two floats named r and i.
func complexType(size int) formats.Dtype {
	part := floatType(size / 2)
	return formats.Dtype{
		Class: formats.ClassCompound, Size: size,
		Members: []formats.Member{{Name: "r", Offset: 0, Type: &part}, {Name: "i", Offset: size / 2, Type: &part}},
	}
}

// stringType is a fixed-size, space-padded ASCII string.
func stringType(size int) formats.Dtype {
	return formats.Dtype{Class: formats.ClassString, Size: size, Charset: formats.CharsetASCII, Padding: formats.PadSpacePad}
}

// rawKind is how stored elements are encoded.
type rawKind uint8

const (
	rawU8 rawKind = iota
	rawI16
	rawI32
	rawI64
	rawF32
	rawF64
)

func (k rawKind) size() int {
	switch k {
	case rawU8:
		return 1
	case rawI16:
		return 2
	case rawI32, rawF32:
		return 4
	}
	return 8
}

// convKind is what turns stored bytes into the values Read returns.
type convKind uint8

const (
	convNone     convKind = iota // the bytes as stored
	convFlipSign                 // offset-binary integers: BZERO/TZERO 2^(n-1), or -128 on bytes
	convLogical                  // 'T' → 1, anything else → 0
	convScale                    // raw·scale + zero as float32 or float64, BLANK → NaN
	convString                   // a NUL ends a FITS string: blank what follows it
)

// conversion is a dataset's raw → returned transformation.
type conversion struct {
	kind     convKind
	raw      rawKind // convScale: the stored type
	outSize  int     // convScale: 4 (float32) or 8 (float64)
	scale    float64
	zero     float64
	hasScale bool // multiply (astropy skips it when the factor is 1)
	hasZero  bool // add (skipped when 0)
	hasBlank bool
	blank    int64
}

// apply converts raw, n stored elements of elemSize bytes each, and returns
// the converted bytes (raw itself when the sizes match).
func (c conversion) apply(raw []byte, elemSize int) []byte {
	switch c.kind {
	case convFlipSign:
		// Adding 2^(n-1) modulo 2^n flips the top bit; big-endian puts it
		// in the element's first byte.
		for i := 0; i < len(raw); i += elemSize {
			raw[i] ^= 0x80
		}
		return raw
	case convLogical:
		for i, b := range raw {
			if b == 'T' {
				raw[i] = 1
			} else {
				raw[i] = 0
			}
		}
		return raw
	case convScale:
		return c.scaleAll(raw)
	case convString:
		// FITS strings are space padded or end at a NUL, after which the
		// bytes mean nothing; as space-padded strings they end at the NUL.
		for i := 0; i+elemSize <= len(raw); i += elemSize {
			s := raw[i : i+elemSize]
			if nul := bytes.IndexByte(s, 0); nul >= 0 {
				for k := nul; k < len(s); k++ {
					s[k] = ' '
				}
			}
		}
		return raw
	}
	return raw
}

// scaleAll does what astropy does: convert to the physical float type, then
// multiply and add in that type, each step rounded to it (the explicit
// conversions stop Go from fusing them into one FMA).
func (c conversion) scaleAll(raw []byte) []byte {
	in := c.raw.size()
	n := len(raw) / in
	out := raw
	if c.outSize != in {
		out = make([]byte, n*c.outSize)
	}
	s32, z32 := float32(c.scale), float32(c.zero)
	for e := 0; e < n; e++ {
		src := raw[e*in : (e+1)*in]
		var iv int64
		var fv float64
		isInt := true
		switch c.raw {
		case rawU8:
			iv = int64(src[0])
		case rawI16:
			iv = int64(int16(binary.BigEndian.Uint16(src)))
		case rawI32:
			iv = int64(int32(binary.BigEndian.Uint32(src)))
		case rawI64:
			iv = int64(binary.BigEndian.Uint64(src))
		case rawF32:
			fv, isInt = float64(math.Float32frombits(binary.BigEndian.Uint32(src))), false
		case rawF64:
			fv, isInt = math.Float64frombits(binary.BigEndian.Uint64(src)), false
		}
		dst := out[e*c.outSize : (e+1)*c.outSize]
		blank := isInt && c.hasBlank && iv == c.blank
		if c.outSize == 4 {
			v := float32(fv)
			if isInt {
				v = float32(iv)
			}
			if c.hasScale {
				v = float32(v * s32)
			}
			if c.hasZero {
				v = float32(v + z32)
			}
			if blank {
				v = float32(math.NaN())
			}
			binary.BigEndian.PutUint32(dst, math.Float32bits(v))
			continue
		}
		v := fv
		if isInt {
			v = float64(iv)
		}
		if c.hasScale {
			v = float64(v * c.scale)
		}
		if c.hasZero {
			v = float64(v + c.zero)
		}
		if blank {
			v = math.NaN()
		}
		binary.BigEndian.PutUint64(dst, math.Float64bits(v))
	}
	return out
}
