package parquet

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strconv"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/float16"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/sciswift/sciswift/formats"
)

// memObject is an object held in memory.
type memObject []byte

func (m memObject) Size() int64 { return int64(len(m)) }

func (m memObject) ReadAt(p []byte, off int64) (int, error) {
	return bytes.NewReader(m).ReadAt(p, off)
}

// countingObject records every ReadAt, as a store would see the range
// requests.
type countingObject struct {
	formats.Object
	mu    sync.Mutex
	reads []byteRange
}

type byteRange struct{ off, n int64 }

func (c *countingObject) ReadAt(p []byte, off int64) (int, error) {
	c.mu.Lock()
	c.reads = append(c.reads, byteRange{off, int64(len(p))})
	c.mu.Unlock()
	return c.Object.ReadAt(p, off)
}

// take returns the reads so far and forgets them.
func (c *countingObject) take() []byteRange {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.reads
	c.reads = nil
	return r
}

func mustOpen(t testing.TB, obj formats.Object) *File {
	t.Helper()
	f, err := Open(context.Background(), obj, Limits{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return f
}

// The kitchen-sink schema: every primitive type pqarrow writes, nulls,
// dictionary-encoded and Arrow dictionary columns, nested structs, lists,
// fixed-size lists, a map, a list of strings (both skipped), names that
// need replacing and a column called "table".
func sinkSchema() *arrow.Schema {
	inner := arrow.StructOf(
		arrow.Field{Name: "y", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		arrow.Field{Name: "z", Type: arrow.BinaryTypes.String},
	)
	st := arrow.StructOf(
		arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		arrow.Field{Name: "inner", Type: inner, Nullable: true},
		arrow.Field{Name: "tags", Type: arrow.ListOf(arrow.PrimitiveTypes.Int16)},
	)
	meta := arrow.NewMetadata([]string{"origin", "PARQUET:field_id"}, []string{"test", "-1"})
	return arrow.NewSchema([]arrow.Field{
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "i8", Type: arrow.PrimitiveTypes.Int8},
		{Name: "i16", Type: arrow.PrimitiveTypes.Int16},
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true, Metadata: meta},
		{Name: "i64", Type: arrow.PrimitiveTypes.Int64},
		{Name: "u8", Type: arrow.PrimitiveTypes.Uint8},
		{Name: "u16", Type: arrow.PrimitiveTypes.Uint16},
		{Name: "u32", Type: arrow.PrimitiveTypes.Uint32},
		{Name: "u64", Type: arrow.PrimitiveTypes.Uint64},
		{Name: "f16", Type: arrow.FixedWidthTypes.Float16, Nullable: true},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "f64", Type: arrow.PrimitiveTypes.Float64},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "bin", Type: arrow.BinaryTypes.Binary},
		{Name: "dict", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}, Nullable: true},
		{Name: "fsb", Type: &arrow.FixedSizeBinaryType{ByteWidth: 4}},
		{Name: "dec", Type: &arrow.Decimal128Type{Precision: 10, Scale: 3}, Nullable: true},
		{Name: "date", Type: arrow.FixedWidthTypes.Date32},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{Name: "t64", Type: arrow.FixedWidthTypes.Time64ns},
		{Name: "t32", Type: arrow.FixedWidthTypes.Time32ms},
		{Name: "st", Type: st, Nullable: true},
		{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
		{Name: "fsl", Type: arrow.FixedSizeListOf(3, arrow.PrimitiveTypes.Float32), Nullable: true},
		{Name: "m", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int32)},
		{Name: "ls", Type: arrow.ListOf(arrow.BinaryTypes.String)},
		{Name: "table", Type: arrow.PrimitiveTypes.Int16},
		{Name: "a/b", Type: arrow.PrimitiveTypes.Int8},
		{Name: "", Type: arrow.PrimitiveTypes.Uint8},
	}, nil)
}

// sinkRecord builds rows [from, from+n) of the kitchen sink.
func sinkRecord(sc *arrow.Schema, from, n int) arrow.RecordBatch {
	rb := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer rb.Release()
	for i := from; i < from+n; i++ {
		appendSinkRow(rb, i)
	}
	return rb.NewRecordBatch()
}

func appendSinkRow(rb *array.RecordBuilder, i int) {
	f := rb.Field
	if i%5 == 1 {
		f(0).AppendNull()
	} else {
		f(0).(*array.BooleanBuilder).Append(i%3 == 0)
	}
	f(1).(*array.Int8Builder).Append(int8(i%256 - 128))
	f(2).(*array.Int16Builder).Append(int16(i*7 - 20000))
	if i%7 == 3 {
		f(3).AppendNull()
	} else {
		f(3).(*array.Int32Builder).Append(int32(i*1000 - 1_000_000))
	}
	f(4).(*array.Int64Builder).Append(int64(i)*1_000_000_000_000 - 3)
	f(5).(*array.Uint8Builder).Append(uint8(i))
	f(6).(*array.Uint16Builder).Append(uint16(i * 13))
	f(7).(*array.Uint32Builder).Append(uint32(i) * 1_000_000)
	f(8).(*array.Uint64Builder).Append(math.MaxUint64 - uint64(i))
	if i%11 == 0 {
		f(9).AppendNull()
	} else {
		f(9).(*array.Float16Builder).Append(float16.New(float32(i) / 8))
	}
	switch {
	case i%17 == 0:
		f(10).AppendNull()
	case i%13 == 0:
		f(10).(*array.Float32Builder).Append(float32(math.NaN())) // a NaN value, not a null
	default:
		f(10).(*array.Float32Builder).Append(float32(i) * 0.25)
	}
	f(11).(*array.Float64Builder).Append(float64(i) / 3)
	if i%9 == 4 {
		f(12).AppendNull()
	} else {
		f(12).(*array.StringBuilder).Append("v" + strconv.Itoa(i%20) + "é")
	}
	f(13).(*array.BinaryBuilder).Append([]byte{byte(i), 'x', byte(i >> 8)})
	if i%10 == 0 {
		f(14).AppendNull()
	} else {
		f(14).(*array.BinaryDictionaryBuilder).AppendString([]string{"red", "green", "blue"}[i%3])
	}
	f(15).(*array.FixedSizeBinaryBuilder).Append(binary.BigEndian.AppendUint32(nil, uint32(i)))
	if i%8 == 2 {
		f(16).AppendNull()
	} else {
		f(16).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(i)*1234 - 50000))
	}
	f(17).(*array.Date32Builder).Append(arrow.Date32(18000 + i))
	f(18).(*array.TimestampBuilder).Append(arrow.Timestamp(int64(i)*1_000_000 + 1_700_000_000_000_000))
	f(19).(*array.Time64Builder).Append(arrow.Time64(int64(i) * 1_000_000_000 % 86_400_000_000_000))
	f(20).(*array.Time32Builder).Append(arrow.Time32(int32(i) * 10))

	sb := f(21).(*array.StructBuilder)
	if i%6 == 5 {
		sb.AppendNull()
	} else {
		sb.Append(true)
		if i%4 == 2 {
			sb.FieldBuilder(0).AppendNull()
		} else {
			sb.FieldBuilder(0).(*array.Int32Builder).Append(int32(i))
		}
		ib := sb.FieldBuilder(1).(*array.StructBuilder)
		if i%8 == 7 {
			ib.AppendNull()
		} else {
			ib.Append(true)
			if i%5 == 0 {
				ib.FieldBuilder(0).AppendNull()
			} else {
				ib.FieldBuilder(0).(*array.Float64Builder).Append(float64(i) * 1.5)
			}
			ib.FieldBuilder(1).(*array.StringBuilder).Append("z" + strconv.Itoa(i))
		}
		tb := sb.FieldBuilder(2).(*array.ListBuilder)
		tb.Append(true)
		for j := range i % 4 {
			tb.ValueBuilder().(*array.Int16Builder).Append(int16(i + j))
		}
	}

	lb := f(22).(*array.ListBuilder)
	if i%10 == 9 {
		lb.AppendNull()
	} else {
		lb.Append(true)
		for j := range i % 5 {
			if (i+j)%7 == 0 {
				lb.ValueBuilder().AppendNull()
			} else {
				lb.ValueBuilder().(*array.Int32Builder).Append(int32(i*10 + j))
			}
		}
	}
	// pqarrow cannot write a null fixed-size list (its n child slots are
	// "non-zero length null components"), so only elements are null.
	fb := f(23).(*array.FixedSizeListBuilder)
	fb.Append(true)
	for j := range 3 {
		if j == 1 && i%3 == 0 {
			fb.ValueBuilder().AppendNull()
		} else {
			fb.ValueBuilder().(*array.Float32Builder).Append(float32(i) + 0.5*float32(j))
		}
	}
	mb := f(24).(*array.MapBuilder)
	mb.Append(true)
	mb.KeyBuilder().(*array.StringBuilder).Append("k")
	mb.ItemBuilder().(*array.Int32Builder).Append(int32(i))
	ls := f(25).(*array.ListBuilder)
	ls.Append(true)
	ls.ValueBuilder().(*array.StringBuilder).Append("w" + strconv.Itoa(i))
	f(26).(*array.Int16Builder).Append(int16(-i))
	f(27).(*array.Int8Builder).Append(int8(i % 100))
	f(28).(*array.Uint8Builder).Append(uint8(i % 200))
}

// writeSink writes rows of the kitchen sink in row groups of rgRows.
func writeSink(t testing.TB, rows, rgRows int, extra ...pq.WriterProperty) []byte {
	t.Helper()
	sc := sinkSchema()
	sc = arrow.NewSchema(sc.Fields(), ptr(arrow.NewMetadata([]string{"experiment", "pipeline"}, []string{"sky-42", "v1.2"})))
	props := append([]pq.WriterProperty{
		pq.WithMaxRowGroupLength(int64(rgRows)),
		pq.WithCompression(compress.Codecs.Snappy),
		pq.WithCompressionFor("f64", compress.Codecs.Zstd),
		pq.WithDictionaryDefault(true),
		pq.WithStats(true),
		pq.WithDataPageSize(4 << 10), // several pages per chunk
	}, extra...)
	var buf bytes.Buffer
	w, err := pqarrow.NewFileWriter(sc, &buf, pq.NewWriterProperties(props...), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	for from := 0; from < rows; from += rgRows {
		rec := sinkRecord(sc, from, min(rgRows, rows-from))
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func ptr[T any](v T) *T { return &v }

// referenceTable reads the whole file with arrow-go's own reader.
func referenceTable(t testing.TB, data []byte) arrow.Table {
	t.Helper()
	tbl, err := pqarrow.ReadTable(context.Background(), bytes.NewReader(data), pq.NewReaderProperties(nil), pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// columnChunkRange is where the chunk of leaf column col in row group rg
// lies, from arrow-go's own metadata reader.
func columnChunkRange(t testing.TB, data []byte, rg, col int) byteRange {
	t.Helper()
	r, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	cc, err := r.MetaData().RowGroup(rg).ColumnChunk(col)
	if err != nil {
		t.Fatal(err)
	}
	off := cc.DataPageOffset()
	if cc.HasDictionaryPage() && cc.DictionaryPageOffset() < off {
		off = cc.DictionaryPageOffset()
	}
	return byteRange{off, cc.TotalCompressedSize()}
}

// refValue is row i of an Arrow array as a plain Go value: nil for nulls
// (in a list, the element's fill value instead, as Read returns it),
// int64/uint64/float64/bool/string, []any for lists, map[string]any for
// structs.
func refValue(a arrow.Array, i int, elem *formats.Dtype) any {
	if ext, ok := a.(array.ExtensionArray); ok {
		a = ext.Storage()
	}
	if a.IsNull(i) {
		if elem != nil {
			return fillValue(elem)
		}
		return nil
	}
	switch a := a.(type) {
	case *array.Boolean:
		return a.Value(i)
	case *array.Int8:
		return int64(a.Value(i))
	case *array.Int16:
		return int64(a.Value(i))
	case *array.Int32:
		return int64(a.Value(i))
	case *array.Int64:
		return a.Value(i)
	case *array.Uint8:
		return uint64(a.Value(i))
	case *array.Uint16:
		return uint64(a.Value(i))
	case *array.Uint32:
		return uint64(a.Value(i))
	case *array.Uint64:
		return a.Value(i)
	case *array.Float16:
		return float64(a.Value(i).Float32())
	case *array.Float32:
		return float64(a.Value(i))
	case *array.Float64:
		return a.Value(i)
	case *array.Decimal128:
		return a.Value(i).ToFloat64(a.DataType().(arrow.DecimalType).GetScale())
	case *array.Date32:
		return int64(a.Value(i))
	case *array.Time32:
		return int64(a.Value(i))
	case *array.Time64:
		return int64(a.Value(i))
	case *array.Timestamp:
		return int64(a.Value(i))
	case *array.Duration:
		return int64(a.Value(i))
	case *array.String:
		return a.Value(i)
	case *array.Binary:
		return string(a.Value(i))
	case *array.FixedSizeBinary:
		return string(a.Value(i))
	case *array.Dictionary:
		return refValue(a.Dictionary(), a.GetValueIndex(i), elem)
	case array.ListLike:
		var base *formats.Dtype
		if elem != nil {
			base = elem.Base
		}
		start, end := a.ValueOffsets(i)
		out := []any{}
		for j := start; j < end; j++ {
			out = append(out, refValue(a.ListValues(), int(j), base))
		}
		return out
	case *array.Struct:
		out := map[string]any{}
		for j := range a.NumField() {
			var mt *formats.Dtype
			if elem != nil {
				mt = elem.Members[j].Type
			}
			out[a.DataType().(*arrow.StructType).Field(j).Name] = refValue(a.Field(j), i, mt)
		}
		return out
	}
	panic(fmt.Sprintf("refValue: %T", a))
}

// fillValue is what Read puts in place of a null of type t.
func fillValue(t *formats.Dtype) any {
	switch t.Class {
	case formats.ClassFloat:
		return math.NaN()
	case formats.ClassEnum:
		return false
	case formats.ClassInteger:
		if t.Signed {
			return int64(0)
		}
		return uint64(0)
	case formats.ClassOpaque:
		return string(make([]byte, t.Size))
	case formats.ClassArray:
		out := []any{}
		for range t.Dims[0] {
			out = append(out, fillValue(t.Base))
		}
		return out
	case formats.ClassCompound:
		out := map[string]any{}
		for _, m := range t.Members {
			out[m.Name] = fillValue(m.Type)
		}
		return out
	}
	panic("fillValue: " + string(t.Class))
}

// gotValue decodes one element of type t from b (or s for variable-length
// types) as refValue represents it.
func gotValue(t *formats.Dtype, b []byte, s []byte) any {
	switch t.Class {
	case formats.ClassEnum:
		return b[0] != 0
	case formats.ClassInteger:
		var u uint64
		for i := len(b) - 1; i >= 0; i-- {
			u = u<<8 | uint64(b[i])
		}
		if !t.Signed {
			return u
		}
		shift := 64 - 8*len(b)
		return int64(u<<shift) >> shift
	case formats.ClassFloat:
		switch t.Size {
		case 2:
			return float64(float16.FromBits(binary.LittleEndian.Uint16(b)).Float32())
		case 4:
			return float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
		}
		return math.Float64frombits(binary.LittleEndian.Uint64(b))
	case formats.ClassOpaque:
		return string(b)
	case formats.ClassString:
		return string(s)
	case formats.ClassArray:
		out := []any{}
		for j := range t.Dims[0] {
			out = append(out, gotValue(t.Base, b[j*t.Base.Size:(j+1)*t.Base.Size], nil))
		}
		return out
	case formats.ClassVlen:
		out := []any{}
		for off := 0; off < len(s); off += t.Base.Size {
			out = append(out, gotValue(t.Base, s[off:off+t.Base.Size], nil))
		}
		return out
	case formats.ClassCompound:
		out := map[string]any{}
		for _, m := range t.Members {
			out[m.Name] = gotValue(m.Type, b[m.Offset:m.Offset+m.Type.Size], nil)
		}
		return out
	}
	panic("gotValue: " + string(t.Class))
}

// canon is a value as comparable text (NaN equals NaN, map keys sorted).
func canon(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case []any:
		s := "["
		for i, e := range v {
			if i > 0 {
				s += ","
			}
			s += canon(e)
		}
		return s + "]"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		s := "{"
		for i, k := range keys {
			if i > 0 {
				s += ","
			}
			s += strconv.Quote(k) + ":" + canon(v[k])
		}
		return s + "}"
	case string:
		return strconv.Quote(v)
	}
	return fmt.Sprint(v)
}

// element decodes element k of arr (nil when marked null).
func element(arr *formats.Array, k uint64) any {
	if arr.Null != nil && arr.Null[k] {
		return nil
	}
	if arr.Type.IsVariable() {
		return gotValue(&arr.Type, nil, arr.Strings[k])
	}
	size := uint64(arr.Type.Size)
	return gotValue(&arr.Type, arr.Data[k*size:(k+1)*size], nil)
}
