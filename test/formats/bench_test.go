package formats_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// benchSlice is one object of `make bench-formats` and the small slice
// fetched from it.
type benchSlice struct {
	format, object, dataset, sel string
	make                         func(b *testing.B, path string)
}

// benchResult is one row of the printed table.
type benchResult struct {
	format, request                string
	objectBytes                    int64
	coldTime, sliceTime, wholeTime time.Duration
	coldSourceBytes                int64
	sliceSourceBytes, sliceOut     int64
	wholeBytes                     int64
}

// benchRepeats is how many times the warm slice and the whole download
// are timed (the median is reported).
const benchRepeats = 5

// BenchmarkFormats: for an object of each format (1 GiB unless
// BENCH_FORMATS_MB says otherwise), the time and the bytes read from the
// store (X-Sciswift-Source-Bytes) to fetch a small slice, against
// downloading the whole object. Run by `make bench-formats`
// (scripts/bench-formats.sh); results go in docs/PERFORMANCE.md.
func BenchmarkFormats(b *testing.B) {
	mb := 1024
	if v := os.Getenv("BENCH_FORMATS_MB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("BENCH_FORMATS_MB=%q: want a positive number of MiB", v)
		}
		mb = n
	}
	// A square float32 image of mb MiB, and the Parquet rows of as many bytes.
	side := 1
	for (side+1)*(side+1)*4 <= mb<<20 {
		side++
	}
	side -= side % 256
	rows := mb << 20 / 32 // four float64 columns

	dir := b.TempDir()
	if d := os.Getenv("BENCH_FORMATS_DIR"); d != "" {
		dir = d
	}
	// 100×100 pixels (40 KB), not aligned to the 256×256 chunks: 4 chunks.
	imageSel := fmt.Sprintf("[%d:%d,%d:%d]", side/2+10, side/2+110, side/3+10, side/3+110)
	cases := []benchSlice{
		{"HDF5 (h5py, chunked 256×256 f4)", "image.h5", "/image", imageSel, func(b *testing.B, p string) {
			runPython(b, "bigfiles.py", "h5", p, strconv.Itoa(side))
		}},
		{"FITS (astropy, BITPIX -32)", "image.fits", "/HDU0", imageSel, func(b *testing.B, p string) {
			runPython(b, "bigfiles.py", "fits", p, strconv.Itoa(side))
		}},
		{"Parquet (arrow-go, 4×f8, 1Mi-row groups)", "table.parquet", "/a", fmt.Sprintf("[%d:%d]", rows/2, rows/2+min(10000, rows/2)), func(b *testing.B, p string) {
			writeBenchParquet(b, p, rows)
		}},
	}
	s := login(b, shared.srv, tester)
	c := uniq("bench")
	var results []benchResult
	for _, bc := range cases {
		local := filepath.Join(dir, bc.object)
		if _, err := os.Stat(local); err != nil {
			t0 := time.Now()
			bc.make(b, local)
			b.Logf("wrote %s in %s", local, time.Since(t0).Round(time.Millisecond))
		}
		st, err := os.Stat(local)
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		upload(b, shared.srv, c, local, bc.object)
		b.Logf("swift upload %s (%d bytes) in %s", bc.object, st.Size(), time.Since(t0).Round(time.Millisecond))
		results = append(results, measure(b, s, c+"/"+bc.object, bc, st.Size()))
	}
	b.StopTimer()
	printBenchTable(results)
}

// measure times the slice cold (first request: for HDF5 this builds the
// index), then warm, then the whole object's download.
func measure(b *testing.B, s *session, obj string, bc benchSlice, size int64) benchResult {
	b.Helper()
	q := "/" + obj + "?dataset=" + url.QueryEscape(bc.dataset) + "&select=" + url.QueryEscape(bc.sel) + "&format=npy"
	res := benchResult{format: bc.format, request: bc.dataset + bc.sel, objectBytes: size}
	var sliceTimes, wholeTimes []time.Duration
	for i := 0; i <= benchRepeats; i++ {
		t0 := time.Now()
		r := s.get(b, q)
		d := time.Since(t0)
		if r.status != 200 {
			b.Fatalf("%s: want 200", r)
		}
		n, err := strconv.ParseInt(r.header.Get("X-Sciswift-Source-Bytes"), 10, 64)
		if err != nil {
			b.Fatalf("%s: X-Sciswift-Source-Bytes: %v", r, err)
		}
		res.sliceSourceBytes, res.sliceOut = n, int64(len(r.body))
		if i == 0 {
			res.coldTime, res.coldSourceBytes = d, n
			continue
		}
		sliceTimes = append(sliceTimes, d)
	}
	for i := 0; i < benchRepeats; i++ {
		t0 := time.Now()
		n := download(b, s, "/"+obj)
		wholeTimes = append(wholeTimes, time.Since(t0))
		res.wholeBytes = n
	}
	res.sliceTime, res.wholeTime = median(sliceTimes), median(wholeTimes)
	return res
}

// download is a plain GET of the object, its body counted and dropped.
func download(b *testing.B, s *session, path string) int64 {
	b.Helper()
	req, err := http.NewRequest("GET", s.storageURL+path, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("X-Auth-Token", s.token)
	res, err := httpClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	n, err := io.Copy(io.Discard, res.Body)
	if err != nil || res.StatusCode != 200 {
		b.Fatalf("GET %s: %d, %v", path, res.StatusCode, err)
	}
	return n
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func printBenchTable(rs []benchResult) {
	var b strings.Builder
	fmt.Fprintln(&b, "\n| object | slice (npy) | cold slice: bytes read, time | warm slice: bytes read | warm slice (median) | whole GET: bytes | whole GET (median) | bytes ratio | time ratio |")
	fmt.Fprintln(&b, "|---|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rs {
		fmt.Fprintf(&b, "| %s, %s | `%s` (%s out) | %s, %s | %s | %s | %s | %s | 1/%.0f | 1/%.0f |\n",
			r.format, mib(r.objectBytes), r.request, mib(r.sliceOut), mib(r.coldSourceBytes), ms(r.coldTime),
			mib(r.sliceSourceBytes), ms(r.sliceTime), mib(r.wholeBytes), ms(r.wholeTime),
			float64(r.wholeBytes)/float64(max(1, r.sliceSourceBytes)), float64(r.wholeTime)/float64(max(1, r.sliceTime)))
	}
	fmt.Print(b.String())
}

func mib(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func ms(d time.Duration) string {
	if d >= time.Second {
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
}

// writeBenchParquet writes rows of four float64 columns a, b, c, d in row
// groups of 1Mi rows, uncompressed and without dictionaries (arrow-go).
func writeBenchParquet(b *testing.B, path string, rows int) {
	b.Helper()
	names := []string{"a", "b", "c", "d"}
	fields := make([]arrow.Field, len(names))
	for i, n := range names {
		fields[i] = arrow.Field{Name: n, Type: arrow.PrimitiveTypes.Float64}
	}
	sc := arrow.NewSchema(fields, nil)
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	props := pq.NewWriterProperties(pq.WithMaxRowGroupLength(1<<20), pq.WithDictionaryDefault(false),
		pq.WithCompression(compress.Codecs.Uncompressed), pq.WithStats(true))
	w, err := pqarrow.NewFileWriter(sc, f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		b.Fatal(err)
	}
	const batch = 1 << 16
	vals := make([]float64, batch)
	for from := 0; from < rows; from += batch {
		n := min(batch, rows-from)
		cols := make([]arrow.Array, len(names))
		for c := range names {
			for i := 0; i < n; i++ {
				vals[i] = float64(from+i)*0.5 + float64(c)
			}
			bld := array.NewFloat64Builder(memory.DefaultAllocator)
			bld.AppendValues(vals[:n], nil)
			cols[c] = bld.NewArray()
			bld.Release()
		}
		rec := array.NewRecord(sc, cols, int64(n))
		if err := w.WriteBuffered(rec); err != nil {
			b.Fatal(err)
		}
		rec.Release()
		for _, a := range cols {
			a.Release()
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}
