package parquet

import (
	"bytes"
	"context"
	"strconv"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/sciswift/sciswift/formats"
)

const (
	bigRows   = 4 << 20
	bigRGRows = 128 << 10
)

var bigFile = sync.OnceValue(func() []byte {
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "energy", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "detector", Type: arrow.BinaryTypes.String},
		{Name: "flags", Type: arrow.PrimitiveTypes.Uint16},
	}, nil)
	var buf bytes.Buffer
	props := pq.NewWriterProperties(pq.WithMaxRowGroupLength(bigRGRows), pq.WithCompression(compress.Codecs.Snappy))
	w, err := pqarrow.NewFileWriter(sc, &buf, props, pqarrow.DefaultWriterProps())
	if err != nil {
		panic(err)
	}
	for from := 0; from < bigRows; from += bigRGRows {
		rb := array.NewRecordBuilder(memory.DefaultAllocator, sc)
		for i := from; i < from+bigRGRows; i++ {
			rb.Field(0).(*array.Int64Builder).Append(int64(i))
			if i%97 == 0 {
				rb.Field(1).AppendNull()
			} else {
				rb.Field(1).(*array.Float64Builder).Append(float64(i%10007) * 0.37)
			}
			rb.Field(2).(*array.StringBuilder).Append("det" + strconv.Itoa(i%64))
			rb.Field(3).(*array.Uint16Builder).Append(uint16(i * 31))
		}
		rec := rb.NewRecordBatch()
		if err := w.Write(rec); err != nil {
			panic(err)
		}
		rec.Release()
		rb.Release()
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
})

// fetched is the bytes an object served.
func fetched(c *countingObject) int64 {
	var n int64
	for _, r := range c.take() {
		n += r.n
	}
	return n
}

// BenchmarkOpen opens a 4Mi-row file: the footer only.
func BenchmarkOpen(b *testing.B) {
	data := bigFile()
	obj := &countingObject{Object: memObject(data)}
	b.ReportAllocs()
	var bytesRead int64
	for b.Loop() {
		if _, err := Open(context.Background(), obj, Limits{}); err != nil {
			b.Fatal(err)
		}
		bytesRead += fetched(obj)
	}
	b.ReportMetric(float64(bytesRead)/float64(b.N), "fetched-B/op")
	b.ReportMetric(float64(len(data)), "file-B")
}

// BenchmarkReadSlice reads 1000 rows from the middle of a 4Mi-row file
// (32 row groups): one column chunk is fetched and decoded.
func BenchmarkReadSlice(b *testing.B) {
	for _, path := range []string{"/energy", "/detector", "/table"} {
		b.Run(path[1:], func(b *testing.B) {
			data := bigFile()
			obj := &countingObject{Object: memObject(data)}
			f := mustOpen(b, obj)
			obj.take()
			sel := formats.Selection{{Start: bigRows / 2, Stop: bigRows/2 + 1000, Step: 1}}
			b.ReportAllocs()
			var bytesRead int64
			for b.Loop() {
				arr, err := f.Read(context.Background(), path, sel)
				if err != nil || arr.Len() != 1000 {
					b.Fatal(err)
				}
				bytesRead += fetched(obj)
			}
			b.ReportMetric(float64(bytesRead)/float64(b.N), "fetched-B/op")
		})
	}
}

// BenchmarkReadStrided reads every 4096th row of a column of the whole
// file: every row group, one row group's chunk at a time.
func BenchmarkReadStrided(b *testing.B) {
	data := bigFile()
	f := mustOpen(b, memObject(data))
	sel := formats.Selection{{Start: 0, Stop: bigRows, Step: 4096}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Read(context.Background(), "/id", sel); err != nil {
			b.Fatal(err)
		}
	}
}
