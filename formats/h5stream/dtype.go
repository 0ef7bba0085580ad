package h5stream

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"strings"

	"github.com/sciswift/sciswift/formats"
)

// vlenRefSize is the on-disk size of one variable-length element: sequence
// length, global heap collection address and object index.
const vlenRefSize = 4 + 8 + 4

// maxTypeDepth bounds nesting so a crafted document cannot recurse forever.
const maxTypeDepth = 16

// encodeDtype appends the datatype message for t: class and version in the
// first byte, three class bit-field bytes, the size, then the properties.
// Compound, enum and array use version 3 (packed names and offsets), which
// every HDF5 since 1.8 reads.
func encodeDtype(b []byte, t formats.Dtype, depth int) ([]byte, error) {
	if depth > maxTypeDepth {
		return nil, fmt.Errorf("%w: datatype nested deeper than %d", ErrDocument, maxTypeDepth)
	}
	if t.Size < 0 || t.Size > math.MaxUint32 || (t.Size == 0 && !t.IsVariable()) {
		return nil, fmt.Errorf("%w: %s datatype of size %d", ErrDocument, t.Class, t.Size)
	}
	head := func(class, version byte, flags uint32, size int) []byte {
		b = append(b, class|version<<4, byte(flags), byte(flags>>8), byte(flags>>16))
		return binary.LittleEndian.AppendUint32(b, uint32(size))
	}
	switch t.Class {
	case formats.ClassInteger, formats.ClassBitfield:
		prec, off, err := bitsOf(t)
		if err != nil {
			return nil, err
		}
		flags := orderBit(t.Order)
		class := byte(4)
		if t.Class == formats.ClassInteger {
			class = 0
			if t.Signed {
				flags |= 1 << 3
			}
		}
		b = head(class, 1, flags, t.Size)
		b = binary.LittleEndian.AppendUint16(b, uint16(off))
		return binary.LittleEndian.AppendUint16(b, uint16(prec)), nil
	case formats.ClassFloat:
		return encodeFloat(b, t, head)
	case formats.ClassString:
		pad, cset, err := stringFlags(t)
		if err != nil {
			return nil, err
		}
		if t.Variable {
			b = head(9, 1, 1|pad<<4|cset<<8, vlenRefSize)
			return encodeDtype(b, formats.Dtype{Class: formats.ClassInteger, Size: 1, Order: formats.LittleEndian}, depth+1)
		}
		return head(3, 1, pad|cset<<4, t.Size), nil
	case formats.ClassOpaque:
		tag := []byte(t.Tag)
		if len(tag) > 255 {
			return nil, fmt.Errorf("%w: opaque tag of %d bytes", ErrDocument, len(tag))
		}
		padded := (len(tag) + 7) &^ 7
		b = head(5, 1, uint32(padded), t.Size)
		b = append(b, tag...)
		return append(b, make([]byte, padded-len(tag))...), nil
	case formats.ClassCompound:
		return encodeCompound(b, t, head, depth)
	case formats.ClassEnum:
		return encodeEnum(b, t, head, depth)
	case formats.ClassArray:
		return encodeArray(b, t, head, depth)
	case formats.ClassVlen:
		if t.Base == nil {
			return nil, fmt.Errorf("%w: vlen datatype without a base type", ErrDocument)
		}
		if t.Base.IsVariable() || t.Base.Size <= 0 {
			return nil, fmt.Errorf("%w: vlen of a variable-length type", ErrUnsupported)
		}
		b = head(9, 1, 0, vlenRefSize)
		return encodeDtype(b, *t.Base, depth+1)
	}
	return nil, fmt.Errorf("%w: datatype class %q", ErrUnsupported, t.Class)
}

type headFunc func(class, version byte, flags uint32, size int) []byte

func orderBit(o formats.ByteOrder) uint32 {
	if o == formats.BigEndian {
		return 1
	}
	return 0
}

func bitsOf(t formats.Dtype) (prec, off int, err error) {
	prec, off = t.Precision, t.BitOffset
	if prec == 0 {
		prec = 8 * t.Size
	}
	if t.Size > 8192 || prec < 0 || off < 0 || prec+off > 8*t.Size {
		return 0, 0, fmt.Errorf("%w: %s of %d bytes with precision %d at bit %d", ErrDocument, t.Class, t.Size, prec, off)
	}
	return prec, off, nil
}

// encodeFloat writes IEEE 754 half, single and double precision; other
// sizes have no layout a Dtype can describe.
func encodeFloat(b []byte, t formats.Dtype, head headFunc) ([]byte, error) {
	var sign, expLoc, expSize, mantSize byte
	var bias uint32
	switch t.Size {
	case 2:
		sign, expLoc, expSize, mantSize, bias = 15, 10, 5, 10, 15
	case 4:
		sign, expLoc, expSize, mantSize, bias = 31, 23, 8, 23, 127
	case 8:
		sign, expLoc, expSize, mantSize, bias = 63, 52, 11, 52, 1023
	default:
		return nil, fmt.Errorf("%w: float of %d bytes", ErrUnsupported, t.Size)
	}
	// Mantissa normalisation 2: the most significant bit is implied.
	b = head(1, 1, orderBit(t.Order)|2<<4|uint32(sign)<<8, t.Size)
	b = binary.LittleEndian.AppendUint16(b, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(8*t.Size))
	b = append(b, expLoc, expSize, 0, mantSize)
	return binary.LittleEndian.AppendUint32(b, bias), nil
}

func stringFlags(t formats.Dtype) (pad, cset uint32, err error) {
	switch t.Padding {
	case formats.PadNullTerm, "":
		pad = 0
	case formats.PadNullPad:
		pad = 1
	case formats.PadSpacePad:
		pad = 2
	default:
		return 0, 0, fmt.Errorf("%w: string padding %q", ErrDocument, t.Padding)
	}
	switch t.Charset {
	case formats.CharsetASCII, "":
		cset = 0
	case formats.CharsetUTF8:
		cset = 1
	default:
		return 0, 0, fmt.Errorf("%w: string charset %q", ErrDocument, t.Charset)
	}
	return pad, cset, nil
}

func encodeCompound(b []byte, t formats.Dtype, head headFunc, depth int) ([]byte, error) {
	if len(t.Members) == 0 || len(t.Members) > 0xffff {
		return nil, fmt.Errorf("%w: compound with %d members", ErrDocument, len(t.Members))
	}
	b = head(6, 3, uint32(len(t.Members)), t.Size)
	// Member offsets take as many bytes as the compound's size needs.
	offBytes := max(bits.Len64(uint64(t.Size))-1, 0)/8 + 1
	var err error
	for _, m := range t.Members {
		if m.Type == nil || !validName(m.Name) {
			return nil, fmt.Errorf("%w: compound member %q without a type or name", ErrDocument, m.Name)
		}
		if m.Type.Size < 0 || m.Type.Size > t.Size {
			return nil, fmt.Errorf("%w: compound member %q of %d bytes", ErrDocument, m.Name, m.Type.Size)
		}
		if m.Type.ContainsVariable() {
			return nil, fmt.Errorf("%w: variable-length compound member %q", ErrUnsupported, m.Name)
		}
		if m.Offset < 0 || m.Offset+m.Type.Size > t.Size {
			return nil, fmt.Errorf("%w: compound member %q at %d does not fit %d bytes", ErrDocument, m.Name, m.Offset, t.Size)
		}
		b = append(b, m.Name...)
		b = append(b, 0)
		for i := range offBytes {
			b = append(b, byte(m.Offset>>(8*i)))
		}
		if b, err = encodeDtype(b, *m.Type, depth+1); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func encodeEnum(b []byte, t formats.Dtype, head headFunc, depth int) ([]byte, error) {
	if t.Base == nil || t.Base.Class != formats.ClassInteger || t.Base.Size != t.Size || t.Size > 8 {
		return nil, fmt.Errorf("%w: enum needs an integer base of its own size", ErrDocument)
	}
	if len(t.Members) > 0xffff {
		return nil, fmt.Errorf("%w: enum with %d members", ErrDocument, len(t.Members))
	}
	b = head(8, 3, uint32(len(t.Members)), t.Size)
	b, err := encodeDtype(b, *t.Base, depth+1)
	if err != nil {
		return nil, err
	}
	for _, m := range t.Members {
		if !validName(m.Name) {
			return nil, fmt.Errorf("%w: enum member %q", ErrDocument, m.Name)
		}
		b = append(b, m.Name...)
		b = append(b, 0)
	}
	for _, m := range t.Members {
		b = appendInt(b, uint64(m.Value), t.Size, t.Base.Order)
	}
	return b, nil
}

// appendInt appends the low size bytes of v in the given byte order.
func appendInt(b []byte, v uint64, size int, order formats.ByteOrder) []byte {
	for i := range size {
		shift := 8 * i
		if order == formats.BigEndian {
			shift = 8 * (size - 1 - i)
		}
		b = append(b, byte(v>>shift))
	}
	return b
}

func encodeArray(b []byte, t formats.Dtype, head headFunc, depth int) ([]byte, error) {
	if t.Base == nil || len(t.Dims) == 0 || len(t.Dims) > 32 {
		return nil, fmt.Errorf("%w: array datatype needs a base and 1 to 32 dims", ErrDocument)
	}
	if t.Base.ContainsVariable() {
		return nil, fmt.Errorf("%w: array of variable-length elements", ErrUnsupported)
	}
	n := int64(t.Base.Size)
	for _, d := range t.Dims {
		if d <= 0 || d > 1<<31 {
			return nil, fmt.Errorf("%w: array dimension %d", ErrDocument, d)
		}
		n *= int64(d)
		if n > int64(t.Size) {
			break
		}
	}
	if n != int64(t.Size) {
		return nil, fmt.Errorf("%w: array of %v × %d bytes is not %d bytes", ErrDocument, t.Dims, t.Base.Size, t.Size)
	}
	b = head(10, 3, 0, t.Size)
	b = append(b, byte(len(t.Dims)))
	for _, d := range t.Dims {
		b = binary.LittleEndian.AppendUint32(b, uint32(d))
	}
	return encodeDtype(b, *t.Base, depth+1)
}

// validName is a name HDF5 stores null-terminated: not empty, no NUL.
func validName(s string) bool { return s != "" && !strings.ContainsRune(s, 0) }
