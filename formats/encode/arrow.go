package encode

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/float16"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sciswift/sciswift/formats"
)

// Arrow output: names in the stream.
const (
	// ArrowColumn is the name of the one column of a non-table array.
	ArrowColumn = "values"
	// ArrowShapeKey is the schema metadata key holding the array's shape as
	// comma-separated extents ("" for a scalar).
	ArrowShapeKey = "sciswift:shape"
)

// arrowBatchElements is about how many elements one record batch holds, so
// a large selection is streamed in pieces rather than built whole.
const arrowBatchElements = 64 << 10

// WriteArrow writes a as an Arrow IPC stream (the streaming format, as
// pyarrow.ipc.open_stream and arrow-go's ipc.NewReader read it):
//
//   - a 1-D compound is a table: one column per member, one row per
//     element (an element marked null is null in every column);
//   - anything else is one column named "values" with one row per index
//     of the first dimension; further dimensions nest as fixed-size lists
//     (shape [10, 3] is 10 rows of fixed_size_list<3>), and a scalar is one
//     row. A dimension of extent 0 beyond the first is ErrUnsupported
//     (Arrow has no fixed-size list of size 0);
//   - the schema's metadata holds the shape under "sciswift:shape" ("10,3").
//
// Elements map as: integers and bitfields to the Arrow integer of the same
// size (unsigned for bitfields), floats to float16/32/64, h5py's boolean to
// bool and other enums to their base integer, UTF-8 strings (fixed or
// variable, padding removed as in JSON, invalid bytes replaced by U+FFFD) to
// utf8 and other strings to binary, opaque values to fixed_size_binary,
// compounds to structs (members in declaration order), array members to
// fixed-size lists and vlen sequences to lists. Values are converted to
// Arrow's little-endian layout whatever their stored byte order. Elements
// the Array marks null are null in the validity bitmap.
func WriteArrow(w io.Writer, a *formats.Array) error { return writeAs(Arrow, w, a) }

// arrowPlan is an array checked for Arrow output, with its schema.
type arrowPlan struct {
	v      *view
	schema *arrow.Schema
	table  bool     // a 1-D compound, written one column per member
	dims   []uint64 // extents nested inside each row (shape[1:])
	perRow uint64   // elements per row
	rows   uint64
}

func prepareArrow(v *view) (*Encoding, error) {
	p := &arrowPlan{v: v, rows: 1, perRow: 1}
	if len(v.shape) > 0 {
		p.rows, p.dims = v.shape[0], v.shape[1:]
	}
	for _, d := range p.dims {
		if d == 0 || d > math.MaxInt32 {
			return nil, fmt.Errorf("%w: arrow output of shape %v (a dimension after the first of extent 0 or above 2^31-1); use json or npy", ErrUnsupported, v.shape)
		}
		p.perRow *= d // no overflow: Check bounded the product by the data's length
	}
	meta := arrow.NewMetadata([]string{ArrowShapeKey}, []string{shapeText(v.shape)})
	nullable := v.null != nil

	var fields []arrow.Field
	if v.t.Class == formats.ClassCompound && len(v.shape) == 1 {
		p.table = true
		for _, m := range v.t.Members {
			t, err := arrowType(m.Type)
			if err != nil {
				return nil, fmt.Errorf("compound member %q: %w", m.Name, err)
			}
			fields = append(fields, arrow.Field{Name: m.Name, Type: t, Nullable: nullable})
		}
	} else {
		t, err := arrowType(&v.t)
		if err != nil {
			return nil, err
		}
		for i := len(p.dims) - 1; i >= 0; i-- {
			t = arrow.FixedSizeListOfField(int32(p.dims[i]), arrow.Field{Name: "item", Type: t, Nullable: nullable})
		}
		fields = []arrow.Field{{Name: ArrowColumn, Type: t, Nullable: nullable}}
	}
	p.schema = arrow.NewSchema(fields, &meta)
	return &Encoding{
		ContentType: "application/vnd.apache.arrow.stream",
		write:       p.write,
	}, nil
}

// arrowType is the Arrow type of values of t.
func arrowType(t *formats.Dtype) (arrow.DataType, error) {
	switch t.Class {
	case formats.ClassInteger, formats.ClassBitfield:
		signed := t.Class == formats.ClassInteger && t.Signed
		switch {
		case t.Size == 1 && signed:
			return arrow.PrimitiveTypes.Int8, nil
		case t.Size == 1:
			return arrow.PrimitiveTypes.Uint8, nil
		case t.Size == 2 && signed:
			return arrow.PrimitiveTypes.Int16, nil
		case t.Size == 2:
			return arrow.PrimitiveTypes.Uint16, nil
		case t.Size == 4 && signed:
			return arrow.PrimitiveTypes.Int32, nil
		case t.Size == 4:
			return arrow.PrimitiveTypes.Uint32, nil
		case t.Size == 8 && signed:
			return arrow.PrimitiveTypes.Int64, nil
		case t.Size == 8:
			return arrow.PrimitiveTypes.Uint64, nil
		}
		return nil, fmt.Errorf("%w: arrow has no %d-byte %s", ErrUnsupported, t.Size, t.Class)
	case formats.ClassFloat:
		switch t.Size {
		case 2:
			return arrow.FixedWidthTypes.Float16, nil
		case 4:
			return arrow.PrimitiveTypes.Float32, nil
		}
		return arrow.PrimitiveTypes.Float64, nil
	case formats.ClassEnum:
		if t.IsBool() {
			return arrow.FixedWidthTypes.Boolean, nil
		}
		return arrowType(t.Base)
	case formats.ClassString:
		if t.Charset == formats.CharsetUTF8 {
			return arrow.BinaryTypes.String, nil
		}
		return arrow.BinaryTypes.Binary, nil
	case formats.ClassOpaque:
		return &arrow.FixedSizeBinaryType{ByteWidth: t.Size}, nil
	case formats.ClassCompound:
		fields := make([]arrow.Field, len(t.Members))
		for i, m := range t.Members {
			mt, err := arrowType(m.Type)
			if err != nil {
				return nil, fmt.Errorf("compound member %q: %w", m.Name, err)
			}
			fields[i] = arrow.Field{Name: m.Name, Type: mt}
		}
		return arrow.StructOf(fields...), nil
	case formats.ClassArray:
		base, dims := t.ArrayDims()
		at, err := arrowType(&base)
		if err != nil {
			return nil, err
		}
		for i := len(dims) - 1; i >= 0; i-- {
			at = arrow.FixedSizeListOfNonNullable(int32(dims[i]), at)
		}
		return at, nil
	case formats.ClassVlen:
		bt, err := arrowType(t.Base)
		if err != nil {
			return nil, err
		}
		return arrow.ListOfNonNullable(bt), nil
	}
	return nil, fmt.Errorf("%w: arrow output of type class %q", ErrUnsupported, t.Class)
}

func (p *arrowPlan) write(w *bufio.Writer) error {
	mem := memory.NewGoAllocator()
	iw := ipc.NewWriter(w, ipc.WithSchema(p.schema), ipc.WithAllocator(mem))
	batch := max(1, arrowBatchElements/p.perRow)
	builders := make([]array.Builder, len(p.schema.Fields()))
	for r := uint64(0); r < p.rows; r += batch {
		n := min(batch, p.rows-r)
		for i, f := range p.schema.Fields() {
			builders[i] = array.NewBuilder(mem, f.Type)
		}
		for row := r; row < r+n; row++ {
			p.appendRow(builders, row)
		}
		if err := writeBatch(iw, p.schema, builders, int64(n)); err != nil {
			iw.Close()
			return err
		}
	}
	// Close writes the schema if no batch did (an empty array), then the
	// end-of-stream marker.
	return iw.Close()
}

func writeBatch(iw *ipc.Writer, schema *arrow.Schema, builders []array.Builder, rows int64) error {
	cols := make([]arrow.Array, len(builders))
	for i, b := range builders {
		cols[i] = b.NewArray()
		b.Release()
	}
	rec := array.NewRecordBatch(schema, cols, rows)
	for _, c := range cols {
		c.Release()
	}
	defer rec.Release()
	return iw.Write(rec)
}

// appendRow appends row row of the array to the column builders.
func (p *arrowPlan) appendRow(builders []array.Builder, row uint64) {
	v := p.v
	if p.table {
		size := uint64(v.t.Size)
		if v.null != nil && v.null[row] {
			for _, b := range builders {
				b.AppendNull()
			}
			return
		}
		elem := v.data[row*size : (row+1)*size]
		for i, m := range v.t.Members {
			appendArrowValue(builders[i], m.Type, elem[m.Offset:m.Offset+m.Type.Size])
		}
		return
	}
	k := row * p.perRow
	p.appendNested(builders[0], p.dims, &k)
}

// appendNested appends the elements from *k on, nested as fixed-size lists
// of the extents dims.
func (p *arrowPlan) appendNested(b array.Builder, dims []uint64, k *uint64) {
	if len(dims) == 0 {
		p.appendElement(b, *k)
		*k++
		return
	}
	lb := b.(*array.FixedSizeListBuilder)
	lb.Append(true)
	vb := lb.ValueBuilder()
	for range dims[0] {
		p.appendNested(vb, dims[1:], k)
	}
}

// appendElement appends element k of the array.
func (p *arrowPlan) appendElement(b array.Builder, k uint64) {
	v := p.v
	switch {
	case v.null != nil && v.null[k]:
		b.AppendNull()
	case v.t.Class == formats.ClassString && v.t.Variable:
		appendArrowString(b, &v.t, v.strs[k])
	case v.t.Class == formats.ClassVlen:
		lb := b.(*array.ListBuilder)
		lb.Append(true)
		vb := lb.ValueBuilder()
		base := v.t.Base
		seq := v.strs[k]
		for off := 0; off < len(seq); off += base.Size {
			appendArrowValue(vb, base, seq[off:off+base.Size])
		}
	default:
		size := uint64(v.t.Size)
		appendArrowValue(b, &v.t, v.data[k*size:(k+1)*size])
	}
}

// appendArrowValue appends one fixed-size value of type t held in b to a
// builder of arrowType(t).
func appendArrowValue(bld array.Builder, t *formats.Dtype, b []byte) {
	switch t.Class {
	case formats.ClassInteger, formats.ClassBitfield:
		u, s := intValue(t, b)
		switch bb := bld.(type) {
		case *array.Int8Builder:
			bb.Append(int8(s))
		case *array.Int16Builder:
			bb.Append(int16(s))
		case *array.Int32Builder:
			bb.Append(int32(s))
		case *array.Int64Builder:
			bb.Append(s)
		case *array.Uint8Builder:
			bb.Append(uint8(u))
		case *array.Uint16Builder:
			bb.Append(uint16(u))
		case *array.Uint32Builder:
			bb.Append(uint32(u))
		case *array.Uint64Builder:
			bb.Append(u)
		}
	case formats.ClassFloat:
		u := rawUint(b, t.Order == formats.BigEndian)
		switch bb := bld.(type) {
		case *array.Float16Builder:
			bb.Append(float16.FromBits(uint16(u)))
		case *array.Float32Builder:
			bb.Append(math.Float32frombits(uint32(u)))
		case *array.Float64Builder:
			bb.Append(math.Float64frombits(u))
		}
	case formats.ClassEnum:
		if t.IsBool() {
			bld.(*array.BooleanBuilder).Append(isTrue(b))
			return
		}
		appendArrowValue(bld, t.Base, b)
	case formats.ClassString:
		appendArrowString(bld, t, fixedString(t, b))
	case formats.ClassOpaque:
		bld.(*array.FixedSizeBinaryBuilder).Append(b)
	case formats.ClassCompound:
		sb := bld.(*array.StructBuilder)
		sb.Append(true)
		for i, m := range t.Members {
			appendArrowValue(sb.FieldBuilder(i), m.Type, b[m.Offset:m.Offset+m.Type.Size])
		}
	case formats.ClassArray:
		base, dims := t.ArrayDims()
		appendArrowArray(bld, &base, dims, b)
	}
}

// appendArrowArray appends the value of an array type (dims of base
// elements, held in b) as nested fixed-size lists.
func appendArrowArray(bld array.Builder, base *formats.Dtype, dims []int, b []byte) {
	if len(dims) == 0 {
		appendArrowValue(bld, base, b)
		return
	}
	lb := bld.(*array.FixedSizeListBuilder)
	lb.Append(true)
	vb := lb.ValueBuilder()
	step := len(b) / dims[0]
	for i := range dims[0] {
		appendArrowArray(vb, base, dims[1:], b[i*step:(i+1)*step])
	}
}

// appendArrowString appends the text s to a utf8 (UTF-8 strings, invalid
// bytes replaced) or binary (any other charset) builder.
func appendArrowString(bld array.Builder, t *formats.Dtype, s []byte) {
	if t.Charset == formats.CharsetUTF8 {
		bld.(*array.StringBuilder).Append(string(bytes.ToValidUTF8(s, []byte("\uFFFD"))))
		return
	}
	bld.(*array.BinaryBuilder).Append(s)
}
