package parquet

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sciswift/sciswift/formats"
)

// putFunc writes element i of an Arrow array into dst (the element's bytes
// in the dtype's layout); nulls get the fill value.
type putFunc func(i int, dst []byte)

// storage unwraps extension arrays to the arrays holding their values.
func storage(a arrow.Array) arrow.Array {
	for {
		ext, ok := a.(array.ExtensionArray)
		if !ok {
			return a
		}
		a = ext.Storage()
	}
}

// putter makes the putFunc of a (values of the fixed-size type t, as
// fixedType mapped a's type).
func putter(a arrow.Array, t *formats.Dtype) (putFunc, error) {
	a = storage(a)
	put, err := valuePutter(a, t)
	if err != nil {
		return nil, err
	}
	if a.NullN() == 0 {
		return put, nil
	}
	return func(i int, dst []byte) {
		if a.IsNull(i) {
			fill(t, dst)
			return
		}
		put(i, dst)
	}, nil
}

// fill writes the fill value of nulls: NaN for floats (inside compounds and
// arrays too), zero bytes for everything else.
func fill(t *formats.Dtype, dst []byte) {
	switch t.Class {
	case formats.ClassFloat:
		switch t.Size {
		case 2:
			binary.LittleEndian.PutUint16(dst, 0x7e00)
		case 4:
			binary.LittleEndian.PutUint32(dst, math.Float32bits(float32(math.NaN())))
		default:
			binary.LittleEndian.PutUint64(dst, math.Float64bits(math.NaN()))
		}
	case formats.ClassCompound:
		for _, m := range t.Members {
			fill(m.Type, dst[m.Offset:m.Offset+m.Type.Size])
		}
	case formats.ClassArray:
		for off := 0; off+t.Base.Size <= len(dst); off += t.Base.Size {
			fill(t.Base, dst[off:off+t.Base.Size])
		}
	default:
		clear(dst)
	}
}

// valuePutter is putter without the null check.
func valuePutter(a arrow.Array, t *formats.Dtype) (putFunc, error) {
	switch a := a.(type) {
	case *array.Dictionary:
		inner, err := putter(a.Dictionary(), t)
		if err != nil {
			return nil, err
		}
		return func(i int, dst []byte) { inner(a.GetValueIndex(i), dst) }, nil
	case *array.Boolean:
		return func(i int, dst []byte) {
			dst[0] = 0
			if a.Value(i) {
				dst[0] = 1
			}
		}, nil
	case *array.Int8:
		return func(i int, dst []byte) { dst[0] = byte(a.Value(i)) }, nil
	case *array.Uint8:
		return func(i int, dst []byte) { dst[0] = a.Value(i) }, nil
	case *array.Int16:
		return func(i int, dst []byte) { binary.LittleEndian.PutUint16(dst, uint16(a.Value(i))) }, nil
	case *array.Uint16:
		return func(i int, dst []byte) { binary.LittleEndian.PutUint16(dst, a.Value(i)) }, nil
	case *array.Float16:
		return func(i int, dst []byte) { binary.LittleEndian.PutUint16(dst, a.Value(i).Uint16()) }, nil
	case *array.Int32:
		return func(i int, dst []byte) { binary.LittleEndian.PutUint32(dst, uint32(a.Value(i))) }, nil
	case *array.Uint32:
		return func(i int, dst []byte) { binary.LittleEndian.PutUint32(dst, a.Value(i)) }, nil
	case *array.Float32:
		return func(i int, dst []byte) { binary.LittleEndian.PutUint32(dst, math.Float32bits(a.Value(i))) }, nil
	case *array.Date32:
		return func(i int, dst []byte) { binary.LittleEndian.PutUint32(dst, uint32(a.Value(i))) }, nil
	case *array.Time32:
		return func(i int, dst []byte) { binary.LittleEndian.PutUint32(dst, uint32(a.Value(i))) }, nil
	case *array.Int64:
		return func(i int, dst []byte) { binary.LittleEndian.PutUint64(dst, uint64(a.Value(i))) }, nil
	case *array.Uint64:
		return func(i int, dst []byte) { binary.LittleEndian.PutUint64(dst, a.Value(i)) }, nil
	case *array.Float64:
		return func(i int, dst []byte) { binary.LittleEndian.PutUint64(dst, math.Float64bits(a.Value(i))) }, nil
	case *array.Date64:
		return func(i int, dst []byte) { binary.LittleEndian.PutUint64(dst, uint64(a.Value(i))) }, nil
	case *array.Time64:
		return func(i int, dst []byte) { binary.LittleEndian.PutUint64(dst, uint64(a.Value(i))) }, nil
	case *array.Timestamp:
		return func(i int, dst []byte) { binary.LittleEndian.PutUint64(dst, uint64(a.Value(i))) }, nil
	case *array.Duration:
		return func(i int, dst []byte) { binary.LittleEndian.PutUint64(dst, uint64(a.Value(i))) }, nil
	case *array.Decimal32:
		return decimalPutter(a, a.DataType())
	case *array.Decimal64:
		return decimalPutter(a, a.DataType())
	case *array.Decimal128:
		return decimalPutter(a, a.DataType())
	case *array.Decimal256:
		return decimalPutter(a, a.DataType())
	case *array.FixedSizeBinary:
		return func(i int, dst []byte) { copy(dst, a.Value(i)) }, nil
	case *array.FixedSizeList:
		if t.Class != formats.ClassArray || t.Base == nil || len(t.Dims) != 1 {
			break
		}
		n, size := t.Dims[0], t.Base.Size
		inner, err := putter(a.ListValues(), t.Base)
		if err != nil {
			return nil, err
		}
		return func(i int, dst []byte) {
			start, _ := a.ValueOffsets(i)
			for j := range n {
				inner(int(start)+j, dst[j*size:(j+1)*size])
			}
		}, nil
	case *array.Struct:
		if t.Class != formats.ClassCompound || a.NumField() != len(t.Members) {
			break
		}
		puts := make([]putFunc, len(t.Members))
		for j, m := range t.Members {
			var err error
			if puts[j], err = putter(a.Field(j), m.Type); err != nil {
				return nil, fmt.Errorf("member %q: %w", m.Name, err)
			}
		}
		return func(i int, dst []byte) {
			for j, m := range t.Members {
				puts[j](i, dst[m.Offset:m.Offset+m.Type.Size])
			}
		}, nil
	}
	return nil, fmt.Errorf("%w: Arrow %s read for a %s dataset", ErrCorrupt, a.DataType(), t.Class)
}

// decimal is any of Arrow's decimal values.
type decimal interface{ ToFloat64(scale int32) float64 }

func decimalPutter[T decimal](a interface{ Value(int) T }, dt arrow.DataType) (putFunc, error) {
	scale := dt.(arrow.DecimalType).GetScale()
	return func(i int, dst []byte) {
		binary.LittleEndian.PutUint64(dst, math.Float64bits(a.Value(i).ToFloat64(scale)))
	}, nil
}

// bytesFunc returns element i of a variable-length array as a fresh slice
// (nil for nulls).
type bytesFunc func(i int) []byte

// variableGetter makes the bytesFunc of a string or binary array, or of a
// list of fixed-size elements of type base (t's Base, for vlen datasets).
func variableGetter(a arrow.Array, t *formats.Dtype) (bytesFunc, error) {
	a = storage(a)
	get, err := variableValues(a, t)
	if err != nil {
		return nil, err
	}
	if a.NullN() == 0 {
		return get, nil
	}
	return func(i int) []byte {
		if a.IsNull(i) {
			return nil
		}
		return get(i)
	}, nil
}

func variableValues(a arrow.Array, t *formats.Dtype) (bytesFunc, error) {
	switch a := a.(type) {
	case *array.Dictionary:
		inner, err := variableGetter(a.Dictionary(), t)
		if err != nil {
			return nil, err
		}
		return func(i int) []byte { return inner(a.GetValueIndex(i)) }, nil
	case *array.String:
		return func(i int) []byte { return []byte(a.Value(i)) }, nil
	case *array.LargeString:
		return func(i int) []byte { return []byte(a.Value(i)) }, nil
	case *array.StringView:
		return func(i int) []byte { return []byte(a.Value(i)) }, nil
	case *array.Binary:
		return func(i int) []byte { return append([]byte{}, a.Value(i)...) }, nil
	case *array.LargeBinary:
		return func(i int) []byte { return append([]byte{}, a.Value(i)...) }, nil
	case *array.BinaryView:
		return func(i int) []byte { return append([]byte{}, a.Value(i)...) }, nil
	case array.VarLenListLike:
		if t.Class != formats.ClassVlen || t.Base == nil {
			break
		}
		base := t.Base
		inner, err := putter(a.ListValues(), base)
		if err != nil {
			return nil, err
		}
		return func(i int) []byte {
			start, end := a.ValueOffsets(i)
			out := make([]byte, int(end-start)*base.Size)
			for j := range int(end - start) {
				inner(int(start)+j, out[j*base.Size:(j+1)*base.Size])
			}
			return out
		}, nil
	}
	return nil, fmt.Errorf("%w: Arrow %s read for a %s dataset", ErrCorrupt, a.DataType(), t.Class)
}
