package vol

import (
	"encoding/binary"
	"fmt"
	"math"
)

// A chunk of a variable-length dataset is stored (before its filters) as,
// for each element of the full chunk in row-major order, a little-endian
// uint32 byte count and then the bytes; varNull as the count marks a NULL
// element (no bytes follow).
const varNull = math.MaxUint32

// maxVarElem bounds one element, so its length never collides with varNull.
const maxVarElem = math.MaxUint32 - 1

// encodeVar serialises elements; nil is NULL, an empty non-nil slice is
// the empty string.
func encodeVar(vals [][]byte) ([]byte, error) {
	n := 4 * len(vals)
	for _, v := range vals {
		n += len(v)
	}
	out := make([]byte, 0, n)
	for i, v := range vals {
		if v == nil {
			out = binary.LittleEndian.AppendUint32(out, varNull)
			continue
		}
		if uint64(len(v)) > maxVarElem {
			return nil, fmt.Errorf("%w: element %d is %d bytes, at most %d", ErrInvalid, i, len(v), uint64(maxVarElem))
		}
		out = binary.LittleEndian.AppendUint32(out, uint32(len(v)))
		out = append(out, v...)
	}
	return out, nil
}

// decodeVar parses a serialised chunk of exactly n elements. The elements
// alias data (which the caller must not modify afterwards); data is
// untrusted and every length is checked against what is left.
func decodeVar(data []byte, n uint64) ([][]byte, error) {
	if n > uint64(len(data))/4 {
		return nil, fmt.Errorf("%w: variable-length chunk of %d bytes cannot hold %d elements", ErrStore, len(data), n)
	}
	vals := make([][]byte, n)
	off := 0
	for i := range vals {
		if len(data)-off < 4 {
			return nil, fmt.Errorf("%w: variable-length chunk ends at element %d of %d", ErrStore, i, n)
		}
		l := binary.LittleEndian.Uint32(data[off:])
		off += 4
		if l == varNull {
			continue
		}
		if uint64(l) > uint64(len(data)-off) {
			return nil, fmt.Errorf("%w: variable-length element %d claims %d bytes, %d left", ErrStore, i, l, len(data)-off)
		}
		vals[i] = data[off : off+int(l) : off+int(l)]
		off += int(l)
	}
	if off != len(data) {
		return nil, fmt.Errorf("%w: variable-length chunk has %d bytes after its %d elements", ErrStore, len(data)-off, n)
	}
	return vals, nil
}

// varSize is what a variable-length chunk costs in the cache.
func varSize(vals [][]byte) int64 {
	n := int64(24 * len(vals))
	for _, v := range vals {
		n += int64(len(v))
	}
	return n
}
