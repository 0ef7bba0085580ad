package vol

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/sciswift/sciswift/formats"
)

// The server speaks JSON about uploaded files: attribute values in
// ?describe, variable-length elements in ?dataset=…&format=json. These
// functions turn such values (decoded with json.Decoder.UseNumber) into the
// byte layout of a dtype, which is what the rest of the package holds.

// decodeJSONValue decodes one JSON document keeping numbers exact.
func decodeJSONValue(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// flattenJSON collects the elements of v, an array nested rank deep, in C
// order. A rank-0 value is its own only element.
func flattenJSON(v any, rank int, out []any) ([]any, error) {
	if rank == 0 {
		return append(out, v), nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%w: expected a JSON array, got %s", ErrInvalid, jsonKind(v))
	}
	for _, x := range list {
		var err error
		if out, err = flattenJSON(x, rank-1, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// encodeElem writes one element of fixed-size type t, given as a JSON
// value, into dst (len(dst) == t.Size).
func encodeElem(t *formats.Dtype, v any, dst []byte) error {
	switch t.Class {
	case formats.ClassInteger, formats.ClassBitfield:
		return encodeInt(t, v, dst)
	case formats.ClassFloat:
		f, err := jsonFloat(v)
		if err != nil {
			return err
		}
		return putFloat(t, f, dst)
	case formats.ClassEnum:
		return encodeEnum(t, v, dst)
	case formats.ClassString:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%w: string expected, got %s", ErrInvalid, jsonKind(v))
		}
		pad := byte(0)
		if t.Padding == formats.PadSpacePad {
			pad = ' '
		}
		n := copy(dst, s)
		for i := n; i < len(dst); i++ {
			dst[i] = pad
		}
		return nil
	case formats.ClassOpaque:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%w: base64 string expected for opaque data, got %s", ErrInvalid, jsonKind(v))
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != len(dst) {
			return fmt.Errorf("%w: opaque value is not %d bytes of base64", ErrInvalid, len(dst))
		}
		copy(dst, b)
		return nil
	case formats.ClassCompound:
		return encodeCompound(t, v, dst)
	case formats.ClassArray:
		return encodeArray(t, v, dst)
	}
	return fmt.Errorf("%w: values of class %s", ErrUnsupported, t.Class)
}

func encodeCompound(t *formats.Dtype, v any, dst []byte) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%w: JSON object expected for a compound, got %s", ErrInvalid, jsonKind(v))
	}
	clear(dst)
	for _, m := range t.Members {
		if m.Type == nil || m.Offset < 0 || m.Offset+m.Type.Size > len(dst) || m.Type.IsVariable() {
			return fmt.Errorf("%w: compound member %q does not fit", ErrUnsupported, m.Name)
		}
		mv, ok := obj[m.Name]
		if !ok {
			return fmt.Errorf("%w: compound value lacks member %q", ErrInvalid, m.Name)
		}
		if err := encodeElem(m.Type, mv, dst[m.Offset:m.Offset+m.Type.Size]); err != nil {
			return fmt.Errorf("member %q: %w", m.Name, err)
		}
	}
	return nil
}

func encodeArray(t *formats.Dtype, v any, dst []byte) error {
	if t.Base == nil || t.Base.Size <= 0 {
		return fmt.Errorf("%w: array type without a fixed-size base", ErrUnsupported)
	}
	elems, err := flattenJSON(v, len(t.Dims), nil)
	if err != nil {
		return err
	}
	size := t.Base.Size
	if len(elems)*size != len(dst) {
		return fmt.Errorf("%w: array value of %d elements for type of %d", ErrInvalid, len(elems), len(dst)/size)
	}
	for i, e := range elems {
		if err := encodeElem(t.Base, e, dst[i*size:(i+1)*size]); err != nil {
			return err
		}
	}
	return nil
}

func encodeEnum(t *formats.Dtype, v any, dst []byte) error {
	if t.Base == nil {
		return fmt.Errorf("%w: enum without a base type", ErrUnsupported)
	}
	switch x := v.(type) {
	case bool:
		name := "FALSE"
		if x {
			name = "TRUE"
		}
		return encodeEnum(t, name, dst)
	case string:
		for _, m := range t.Members {
			if m.Name == x {
				return putInt(t.Base, uint64(m.Value), dst)
			}
		}
		return fmt.Errorf("%w: %q is no member of the enum", ErrInvalid, x)
	}
	return encodeInt(t.Base, v, dst)
}

// encodeInt writes an integer value (two's complement for negatives).
func encodeInt(t *formats.Dtype, v any, dst []byte) error {
	var u uint64
	switch x := v.(type) {
	case bool:
		if x {
			u = 1
		}
	case json.Number:
		s := string(x)
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			u = uint64(i)
		} else if p, err := strconv.ParseUint(s, 10, 64); err == nil {
			u = p
		} else if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			u = uint64(int64(f))
		} else {
			return fmt.Errorf("%w: %s is not an integer", ErrInvalid, s)
		}
	case float64:
		if x != math.Trunc(x) || math.Abs(x) >= 1<<63 {
			return fmt.Errorf("%w: %v is not an integer", ErrInvalid, x)
		}
		u = uint64(int64(x))
	default:
		return fmt.Errorf("%w: integer expected, got %s", ErrInvalid, jsonKind(v))
	}
	return putInt(t, u, dst)
}

func putInt(t *formats.Dtype, u uint64, dst []byte) error {
	if len(dst) == 0 || len(dst) > 8 {
		return fmt.Errorf("%w: %d-byte integers", ErrUnsupported, len(dst))
	}
	for i := range dst {
		b := byte(u >> (8 * i))
		if t.Order == formats.BigEndian {
			dst[len(dst)-1-i] = b
		} else {
			dst[i] = b
		}
	}
	return nil
}

// jsonFloat accepts numbers and the words the server's JSON encoder writes
// for values JSON has no number for.
func jsonFloat(v any) (float64, error) {
	switch x := v.(type) {
	case json.Number:
		return strconv.ParseFloat(string(x), 64)
	case float64:
		return x, nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case string:
		switch strings.ToLower(x) {
		case "nan":
			return math.NaN(), nil
		case "inf", "infinity", "+inf", "+infinity":
			return math.Inf(1), nil
		case "-inf", "-infinity":
			return math.Inf(-1), nil
		}
	}
	return 0, fmt.Errorf("%w: number expected, got %s", ErrInvalid, jsonKind(v))
}

func putFloat(t *formats.Dtype, f float64, dst []byte) error {
	var bits uint64
	switch len(dst) {
	case 2:
		bits = uint64(float16Bits(f))
	case 4:
		bits = uint64(math.Float32bits(float32(f)))
	case 8:
		bits = math.Float64bits(f)
	default:
		return fmt.Errorf("%w: %d-byte floats", ErrUnsupported, len(dst))
	}
	return putInt(t, bits, dst)
}

// float16Bits rounds f to IEEE half precision (to nearest, ties to even).
func float16Bits(f float64) uint16 {
	b := math.Float32bits(float32(f))
	sign := uint16(b>>16) & 0x8000
	exp := int((b>>23)&0xff) - 127 + 15
	mant := b & 0x7fffff
	switch {
	case (b>>23)&0xff == 0xff: // Inf or NaN
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	case exp >= 31:
		return sign | 0x7c00
	case exp <= 0:
		if exp < -10 {
			return sign
		}
		mant |= 0x800000
		shift := uint(14 - exp)
		half := uint32(1) << (shift - 1)
		r := mant >> shift
		if rem := mant & (1<<shift - 1); rem > half || rem == half && r&1 == 1 {
			r++
		}
		return sign | uint16(r)
	}
	r := uint32(exp)<<10 | mant>>13
	if rem := mant & 0x1fff; rem > 0x1000 || rem == 0x1000 && r&1 == 1 {
		r++ // may carry into the exponent, which is right
	}
	return sign | uint16(r)
}

// encodeVarElem is one variable-length element from JSON: a string, or a
// sequence of base values; null is NULL (nil).
func encodeVarElem(t *formats.Dtype, v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	if t.Class == formats.ClassString {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%w: string expected, got %s", ErrInvalid, jsonKind(v))
		}
		return []byte(s), nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%w: sequence expected, got %s", ErrInvalid, jsonKind(v))
	}
	if t.Base == nil || t.Base.Size <= 0 || t.Base.IsVariable() {
		return nil, fmt.Errorf("%w: vlen sequence of a variable-size base", ErrUnsupported)
	}
	out := make([]byte, len(list)*t.Base.Size)
	for i, x := range list {
		if err := encodeElem(t.Base, x, out[i*t.Base.Size:(i+1)*t.Base.Size]); err != nil {
			return nil, fmt.Errorf("sequence element %d: %w", i, err)
		}
	}
	return out, nil
}
