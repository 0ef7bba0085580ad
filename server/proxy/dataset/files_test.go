package dataset_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// python is Debian's, which sees astropy and numpy.
const python = "/usr/bin/python3"

// runPython runs script with args and returns its stdout.
func runPython(t *testing.T, script string, args ...string) []byte {
	t.Helper()
	if _, err := os.Stat(python); err != nil {
		t.Skipf("no %s: %v", python, err)
	}
	cmd := exec.Command(python, append([]string{"-c", script}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	return out
}

// fitsImage is a 200×300 float32 image written by astropy, with an
// int16 image extension scaled by BSCALE/BZERO.
const makeFITS = `
import sys
import numpy as np
from astropy.io import fits
img = (np.arange(200*300, dtype=np.float32).reshape(200, 300) * 0.5)
scaled = fits.ImageHDU(np.arange(12*10, dtype=np.int16).reshape(12, 10))
scaled.scale('int16', bscale=2.0, bzero=100.0)
fits.HDUList([fits.PrimaryHDU(img), scaled]).writeto(sys.argv[1], overwrite=True)
`

// readFITS prints what astropy reads for HDU hdu, NumPy selection sel.
const readFITS = `
import sys, json
from astropy.io import fits
data = fits.getdata(sys.argv[1], int(sys.argv[2]))
print(json.dumps(eval("data" + sys.argv[3]).tolist()))
`

func fitsFile(t *testing.T) (path string, data []byte) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "survey.fits")
	runPython(t, makeFITS, path)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

// astropyValues is what astropy reads from HDU hdu of the file at path
// for a NumPy selection such as "[0:10:2, 5:7]".
func astropyValues(t *testing.T, path string, hdu, sel string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(runPython(t, readFITS, path, hdu, sel), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// parquetFile is a table of 100000 rows in row groups of 10000, written by
// arrow-go: "energy" float64 (every 7th null), "id" int64.
func parquetFile(t *testing.T) (data []byte, energy []float64, valid []bool) {
	t.Helper()
	const rows = 100000
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "energy", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	energy, valid = make([]float64, rows), make([]bool, rows)
	for i := range rows {
		energy[i], valid[i] = float64(i)*1.5+0.25, i%7 != 0
		b.Field(0).(*array.Float64Builder).AppendValues([]float64{energy[i]}, []bool{valid[i]})
		b.Field(1).(*array.Int64Builder).Append(int64(i))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	var buf bytes.Buffer
	w, err := pqarrow.NewFileWriter(schema, &buf, pq.NewWriterProperties(pq.WithMaxRowGroupLength(10000)), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), energy, valid
}
