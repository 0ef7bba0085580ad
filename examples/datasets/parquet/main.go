// Command parquet writes events.parquet, the Parquet sample of the README's
// dataset API example, with arrow-go's pqarrow: a detector's event list of
// 4000 rows in row groups of 1000, so a slice of the server reads only the
// row groups it touches.
//
//	go run ./examples/datasets/parquet events.parquet
//
// Columns: energy (float64, null where the trigger fired without a
// measurement), id (int64) and detector (a dictionary of a few names, as
// arrow-go writes categorical strings). Values are deterministic.
package main

import (
	"fmt"
	"math"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

const (
	rows         = 4000
	rowGroupRows = 1000
)

var detectors = []string{"north", "south", "east", "west", "centre"}

func main() {
	if len(os.Args) != 2 || os.Args[1] == "-h" || os.Args[1] == "--help" {
		fmt.Fprintln(os.Stderr, "usage: parquet OUTPUT.parquet")
		os.Exit(2)
	}
	if err := write(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "parquet:", err)
		os.Exit(1)
	}
}

func write(path string) error {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "energy", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "detector", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}},
	}, nil)
	record, err := events(schema)
	if err != nil {
		return err
	}
	defer record.Release()

	out, err := os.Create(path)
	if err != nil {
		return err
	}
	props := parquet.NewWriterProperties(
		parquet.WithMaxRowGroupLength(rowGroupRows),
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithDictionaryDefault(true),
	)
	w, err := pqarrow.NewFileWriter(schema, out, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		out.Close()
		return err
	}
	if err := w.Write(record); err != nil {
		w.Close()
		return err
	}
	// Close writes the footer and closes out.
	return w.Close()
}

// events builds the table: a falling energy spectrum with a null every
// 13th row.
func events(schema *arrow.Schema) (arrow.Record, error) {
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	energy := b.Field(0).(*array.Float64Builder)
	id := b.Field(1).(*array.Int64Builder)
	detector := b.Field(2).(*array.BinaryDictionaryBuilder)
	for i := range rows {
		if i%13 == 0 {
			energy.AppendNull()
		} else {
			energy.Append(1.5 + 10*math.Exp(-float64(i%250)/40))
		}
		id.Append(100000 + int64(i))
		if err := detector.AppendString(detectors[i*7%len(detectors)]); err != nil {
			return nil, err
		}
	}
	return b.NewRecord(), nil
}
