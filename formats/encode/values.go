package encode

import (
	"bytes"
	"encoding/base64"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sciswift/sciswift/formats"
)

// The decoders below are only called on types checkType accepted and on
// slices of exactly the type's size.

// rawUint reads an unsigned integer of len(b) ≤ 8 bytes.
func rawUint(b []byte, bigEndian bool) uint64 {
	var u uint64
	if bigEndian {
		for _, c := range b {
			u = u<<8 | uint64(c)
		}
		return u
	}
	for i := len(b) - 1; i >= 0; i-- {
		u = u<<8 | uint64(b[i])
	}
	return u
}

// appendInt appends an integer or bitfield as decimal text, honouring
// HDF5's precision and bit offset when they do not fill the bytes.
func appendInt(buf []byte, t *formats.Dtype, b []byte) []byte {
	u, s := intValue(t, b)
	if t.Class == formats.ClassInteger && t.Signed {
		return strconv.AppendInt(buf, s, 10)
	}
	return strconv.AppendUint(buf, u, 10)
}

// intValue reads an integer or bitfield (HDF5 precision and bit offset
// honoured), unsigned and sign-extended.
func intValue(t *formats.Dtype, b []byte) (u uint64, s int64) {
	u = rawUint(b, t.Order == formats.BigEndian)
	bits := 8 * t.Size
	if t.Precision > 0 && t.Precision < bits {
		u = u >> t.BitOffset & (1<<t.Precision - 1)
		bits = t.Precision
	}
	shift := 64 - bits
	return u, int64(u<<shift) >> shift
}

// shapeText is a shape as comma-separated extents ("100,2"; "" for a
// scalar), as the raw header and the Arrow metadata give it.
func shapeText(shape []uint64) string {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.FormatUint(d, 10)
	}
	return strings.Join(dims, ",")
}

// float reads a float of 2, 4 or 8 bytes; bits is the width to format it
// at (32 for halves, whose shortest float32 text reads back exactly).
func float(t *formats.Dtype, b []byte) (f float64, bits int) {
	u := rawUint(b, t.Order == formats.BigEndian)
	switch t.Size {
	case 2:
		return float64(halfToFloat32(uint16(u))), 32
	case 4:
		return float64(math.Float32frombits(uint32(u))), 32
	}
	return math.Float64frombits(u), 64
}

func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch exp {
	case 0: // zero or subnormal: mant × 2^-24
		f := float32(mant) / (1 << 24)
		if sign != 0 {
			f = -f
		}
		return f
	case 0x1f: // infinity or NaN
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// appendFloat appends f as text; ok is false for NaN and infinities, which
// are appended as NaN, Infinity or -Infinity for the caller to quote or not.
// Finite values are formatted as Go's encoding/json does: the shortest text
// that reads back to the same value at the given width, in exponent form
// only for very small and very large magnitudes.
func appendFloat(buf []byte, f float64, bits int) (out []byte, ok bool) {
	switch {
	case math.IsNaN(f):
		return append(buf, "NaN"...), false
	case math.IsInf(f, 1):
		return append(buf, "Infinity"...), false
	case math.IsInf(f, -1):
		return append(buf, "-Infinity"...), false
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	start := len(buf)
	buf = strconv.AppendFloat(buf, f, format, -1, bits)
	if format == 'e' {
		// 1e-07 → 1e-7, as encoding/json does.
		n := len(buf)
		if n-start >= 4 && buf[n-4] == 'e' && buf[n-3] == '-' && buf[n-2] == '0' {
			buf[n-2] = buf[n-1]
			buf = buf[:n-1]
		}
	}
	return buf, true
}

// isTrue reads h5py's boolean as NumPy does: any non-zero byte is true.
func isTrue(b []byte) bool { return b[0] != 0 }

// fixedString is the text of a fixed-length string without its padding.
func fixedString(t *formats.Dtype, b []byte) []byte {
	switch t.Padding {
	case formats.PadNullTerm:
		if i := bytes.IndexByte(b, 0); i >= 0 {
			return b[:i]
		}
		return b
	case formats.PadSpacePad:
		return bytes.TrimRight(b, " ")
	}
	return bytes.TrimRight(b, "\x00")
}

// appendBase64 appends the opaque bytes b in standard base64.
func appendBase64(buf, b []byte) []byte {
	return base64.StdEncoding.AppendEncode(buf, b)
}

// appendJSONString appends s as a JSON string; bytes that are not UTF-8
// become U+FFFD.
func appendJSONString(buf, s []byte) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				buf = append(buf, '\\', c)
			case c == '\n':
				buf = append(buf, '\\', 'n')
			case c == '\r':
				buf = append(buf, '\\', 'r')
			case c == '\t':
				buf = append(buf, '\\', 't')
			case c < 0x20 || c == 0x7f:
				buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				buf = append(buf, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && n == 1 {
			buf = append(buf, `\ufffd`...)
		} else {
			buf = append(buf, s[i:i+n]...)
		}
		i += n
	}
	return append(buf, '"')
}
