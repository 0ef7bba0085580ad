package formats_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// makeH5 writes run1.h5 with h5py (variant "a": the full tree; "b": a
// different, smaller one, for overwrite tests).
func makeH5(t testing.TB, dir, variant string) string {
	t.Helper()
	p := filepath.Join(dir, "run1-"+variant+".h5")
	runPython(t, "fixtures.py", "h5", p, variant)
	return p
}

// makeFITS writes survey.fits with astropy.
func makeFITS(t testing.TB, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "survey.fits")
	runPython(t, "fixtures.py", "fits", p)
	return p
}

// Parquet fixture: rows in row groups of parquetRowGroup.
const (
	parquetRows     = 3000
	parquetRowGroup = 700
)

// parquetSchema has nulls, a Parquet-dictionary-encoded string column, an
// Arrow dictionary column, a nested struct and a list column.
func parquetSchema() *arrow.Schema {
	pos := arrow.StructOf(
		arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		arrow.Field{Name: "y", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	)
	md := arrow.NewMetadata([]string{"survey"}, []string{"sky-e2e"})
	return arrow.NewSchema([]arrow.Field{
		{Name: "energy", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "count", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "flag", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "name", Type: arrow.BinaryTypes.String},
		{Name: "cat", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}},
		{Name: "pos", Type: pos, Nullable: true},
		{Name: "hits", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
	}, &md)
}

// writeParquet writes events.parquet with arrow-go's pqarrow writer.
func writeParquet(t testing.TB, path string, rows, rowGroup int) {
	t.Helper()
	sc := parquetSchema()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	props := pq.NewWriterProperties(
		pq.WithMaxRowGroupLength(int64(rowGroup)),
		pq.WithCompression(compress.Codecs.Snappy),
		pq.WithDictionaryDefault(true),
		pq.WithStats(true),
	)
	w, err := pqarrow.NewFileWriter(sc, f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	const batch = 1 << 16
	for from := 0; from < rows; from += batch {
		rec := parquetRecord(sc, from, min(batch, rows-from))
		if err := w.WriteBuffered(rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// parquetRecord builds rows [from, from+n): values are a function of the
// row number, with nulls at rows that are multiples of small primes.
func parquetRecord(sc *arrow.Schema, from, n int) arrow.Record {
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	cats := []string{"alpha", "beta", "gamma"}
	for i := from; i < from+n; i++ {
		if i%97 == 0 {
			b.Field(0).AppendNull()
		} else {
			b.Field(0).(*array.Float64Builder).Append(float64(i)*0.125 - 100 + 1/float64(i+3))
		}
		b.Field(1).(*array.Int64Builder).Append(int64(i)*1_000_003 - 1<<40)
		if i%11 == 0 {
			b.Field(2).AppendNull()
		} else {
			b.Field(2).(*array.Int32Builder).Append(int32(i*7 - 5000))
		}
		b.Field(3).(*array.BooleanBuilder).Append(i%3 == 0)
		b.Field(4).(*array.StringBuilder).Append("evt" + strconv.Itoa(i%50))
		if err := b.Field(5).(*array.BinaryDictionaryBuilder).AppendString(cats[i%len(cats)]); err != nil {
			panic(err)
		}
		pos := b.Field(6).(*array.StructBuilder)
		if i%13 == 0 {
			pos.AppendNull()
		} else {
			pos.Append(true)
			pos.FieldBuilder(0).(*array.Float32Builder).Append(float32(i) / 3)
			if i%5 == 0 {
				pos.FieldBuilder(1).AppendNull()
			} else {
				pos.FieldBuilder(1).(*array.Float64Builder).Append(math.Sqrt(float64(i)))
			}
		}
		hits := b.Field(7).(*array.ListBuilder)
		hits.Append(true)
		for k := 0; k < i%4; k++ {
			hits.ValueBuilder().(*array.Int32Builder).Append(int32(i + k))
		}
	}
	return b.NewRecord()
}

// parquetColumn is one leaf column as arrow-go reads the file back: the
// expected values of a dataset, in check.py's "values" form.
type parquetColumn struct {
	Dtype  string `json:"dtype"` // NumPy dtype, or "str"
	Values []any  `json:"values"`
	Nulls  []bool `json:"nulls"`
}

// readParquetBack reads path with pqarrow and returns every leaf column of
// fixed-size or string values by dataset path (/energy, /pos/x, …), and the
// list column /hits as nested values.
func readParquetBack(t testing.TB, path string) (map[string]*parquetColumn, [][]int32) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := pqarrow.ReadTable(context.Background(), bytes.NewReader(data), pq.NewReaderProperties(nil), pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatalf("pqarrow.ReadTable(%s): %v", path, err)
	}
	defer tbl.Release()
	cols := map[string]*parquetColumn{}
	var hits [][]int32
	for c := 0; c < int(tbl.NumCols()); c++ {
		col := tbl.Column(c)
		name := "/" + col.Name()
		for _, chunk := range col.Data().Chunks() {
			switch a := chunk.(type) {
			case *array.Struct:
				st := a.DataType().(*arrow.StructType)
				for f := 0; f < a.NumField(); f++ {
					appendLeaf(t, cols, name+"/"+st.Field(f).Name, a.Field(f), a)
				}
			case *array.List:
				for i := 0; i < a.Len(); i++ {
					start, end := a.ValueOffsets(i)
					vals := a.ListValues().(*array.Int32).Int32Values()[start:end]
					hits = append(hits, append([]int32(nil), vals...))
				}
			default:
				appendLeaf(t, cols, name, chunk, nil)
			}
		}
	}
	return cols, hits
}

// appendLeaf adds the values of one chunk of a leaf column; parent, when
// not nil, is the struct holding it (a null struct makes the leaf null).
func appendLeaf(t testing.TB, cols map[string]*parquetColumn, path string, a arrow.Array, parent arrow.Array) {
	t.Helper()
	c := cols[path]
	if c == nil {
		c = &parquetColumn{}
		cols[path] = c
	}
	for i := 0; i < a.Len(); i++ {
		null := a.IsNull(i) || (parent != nil && parent.IsNull(i))
		c.Nulls = append(c.Nulls, null)
		if null {
			c.Values = append(c.Values, nil)
			continue
		}
		switch v := a.(type) {
		case *array.Float64:
			c.Dtype = "<f8"
			c.Values = append(c.Values, v.Value(i))
		case *array.Float32:
			c.Dtype = "<f4"
			c.Values = append(c.Values, float64(v.Value(i)))
		case *array.Int64:
			c.Dtype = "<i8"
			c.Values = append(c.Values, v.Value(i))
		case *array.Int32:
			c.Dtype = "<i4"
			c.Values = append(c.Values, v.Value(i))
		case *array.Boolean:
			c.Dtype = "?"
			c.Values = append(c.Values, v.Value(i))
		case *array.String:
			c.Dtype = "str"
			c.Values = append(c.Values, v.Value(i))
		case *array.Dictionary:
			c.Dtype = "str"
			c.Values = append(c.Values, v.Dictionary().(*array.String).Value(v.GetValueIndex(i)))
		default:
			t.Fatalf("readParquetBack: column %s: unexpected Arrow type %s", path, a.DataType())
		}
	}
	if c.Dtype == "" { // every value null so far: type from the Arrow type
		c.Dtype = map[arrow.Type]string{arrow.FLOAT64: "<f8", arrow.FLOAT32: "<f4", arrow.INT64: "<i8", arrow.INT32: "<i4"}[a.DataType().ID()]
	}
}

// ---------------------------------------------------------------- arrow output

// arrowToJSON reads an Arrow IPC stream with arrow-go's ipc reader and
// writes it in check.py's form: {"shape": the sciswift:shape metadata,
// "values": the rows as nested JSON, NaN and infinities as the words the
// JSON format uses}.
func arrowToJSON(body []byte) ([]byte, error) {
	rd, err := ipc.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer rd.Release()
	shape, ok := rd.Schema().Metadata().GetValue("sciswift:shape")
	if !ok {
		return nil, fmt.Errorf("the Arrow schema has no sciswift:shape metadata: %s", rd.Schema())
	}
	table := len(rd.Schema().Fields()) != 1 || rd.Schema().Field(0).Name != "values"
	var rows []any
	for rd.Next() {
		rec := rd.Record()
		for i := 0; i < int(rec.NumRows()); i++ {
			if !table {
				rows = append(rows, arrowValue(rec.Column(0), i))
				continue
			}
			row := orderedObject{}
			for c := 0; c < int(rec.NumCols()); c++ {
				row = append(row, member{rec.ColumnName(c), arrowValue(rec.Column(c), i)})
			}
			rows = append(rows, row)
		}
	}
	if err := rd.Err(); err != nil {
		return nil, fmt.Errorf("reading the Arrow stream: %w", err)
	}
	if rows == nil {
		rows = []any{}
	}
	return json.Marshal(map[string]any{"shape": shape, "values": rows})
}

// arrowValue is element i of a as a JSON-ready value.
func arrowValue(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch v := a.(type) {
	case *array.Float64:
		return floatWord(v.Value(i))
	case *array.Float32:
		return floatWord(float64(v.Value(i)))
	case *array.Float16:
		return floatWord(float64(v.Value(i).Float32()))
	case *array.String:
		return v.Value(i)
	case *array.Binary:
		return string(v.Value(i))
	case *array.FixedSizeBinary:
		return base64.StdEncoding.EncodeToString(v.Value(i))
	case *array.FixedSizeList:
		n := int(v.DataType().(*arrow.FixedSizeListType).Len())
		start := (v.Data().Offset() + i) * n
		out := make([]any, n)
		for k := range out {
			out[k] = arrowValue(v.ListValues(), start+k)
		}
		return out
	case *array.List:
		start, end := v.ValueOffsets(i)
		out := make([]any, 0, end-start)
		for k := start; k < end; k++ {
			out = append(out, arrowValue(v.ListValues(), int(k)))
		}
		return out
	case *array.Struct:
		st := v.DataType().(*arrow.StructType)
		obj := orderedObject{}
		for f := 0; f < v.NumField(); f++ {
			obj = append(obj, member{st.Field(f).Name, arrowValue(v.Field(f), i)})
		}
		return obj
	default:
		return a.GetOneForMarshal(i)
	}
}

func floatWord(f float64) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return f
}

// orderedObject is a JSON object that keeps its members' order (a struct's
// field order is part of what is compared).
type orderedObject []member

type member struct {
	name  string
	value any
}

func (o orderedObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(m.name)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
