package domain

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// A chunk of a variable-length dataset (and a variable-length attribute value
// kept as bytes) is stored, before its filters, as: for each element of the
// full chunk in row-major order, a little-endian uint32 byte count and then
// the bytes. VarNull as the count marks a NULL element, with no bytes after
// it. HDF5 has no on-disk form for this (it keeps vlen data in a global
// heap), so the layout is ours; the writer (vol) and the readers (volfile,
// the HDF5 streamer) share this one codec.
const VarNull = math.MaxUint32

// MaxVarElem bounds one element, so that its length never collides with
// VarNull.
const MaxVarElem = math.MaxUint32 - 1

var (
	// ErrVarElemTooLarge is wrapped when an element to encode is longer
	// than MaxVarElem.
	ErrVarElemTooLarge = errors.New("domain: variable-length element too large")
	// ErrBadVarChunk is wrapped when stored bytes are not a well-formed
	// variable-length chunk of the expected number of elements.
	ErrBadVarChunk = errors.New("domain: bad variable-length chunk")
)

// EncodeVarChunk serialises elements; nil is NULL, an empty non-nil slice is
// the empty string.
func EncodeVarChunk(vals [][]byte) ([]byte, error) {
	n := 4 * len(vals)
	for _, v := range vals {
		n += len(v)
	}
	out := make([]byte, 0, n)
	for i, v := range vals {
		if v == nil {
			out = binary.LittleEndian.AppendUint32(out, VarNull)
			continue
		}
		if uint64(len(v)) > MaxVarElem {
			return nil, fmt.Errorf("%w: element %d is %d bytes, at most %d", ErrVarElemTooLarge, i, len(v), uint64(MaxVarElem))
		}
		out = binary.LittleEndian.AppendUint32(out, uint32(len(v)))
		out = append(out, v...)
	}
	return out, nil
}

// DecodeVarChunk parses a serialised chunk of exactly n elements. The
// elements alias data (which the caller must not modify afterwards); data is
// untrusted and every length is checked against what is left.
func DecodeVarChunk(data []byte, n uint64) ([][]byte, error) {
	if n > uint64(len(data))/4 {
		return nil, fmt.Errorf("%w: %d bytes cannot hold %d elements", ErrBadVarChunk, len(data), n)
	}
	vals := make([][]byte, n)
	off := 0
	for i := range vals {
		if len(data)-off < 4 {
			return nil, fmt.Errorf("%w: ends at element %d of %d", ErrBadVarChunk, i, n)
		}
		l := binary.LittleEndian.Uint32(data[off:])
		off += 4
		if l == VarNull {
			continue
		}
		if uint64(l) > uint64(len(data)-off) {
			return nil, fmt.Errorf("%w: element %d claims %d bytes, %d left", ErrBadVarChunk, i, l, len(data)-off)
		}
		vals[i] = data[off : off+int(l) : off+int(l)]
		off += int(l)
	}
	if off != len(data) {
		return nil, fmt.Errorf("%w: %d bytes after its %d elements", ErrBadVarChunk, len(data)-off, n)
	}
	return vals, nil
}

// VarChunkMemory is what decoded elements hold in memory: their bytes plus a
// slice header each. Caches and read planners bound decoded chunks by it.
func VarChunkMemory(vals [][]byte) int64 {
	n := int64(24 * len(vals))
	for _, v := range vals {
		n += int64(len(v))
	}
	return n
}
