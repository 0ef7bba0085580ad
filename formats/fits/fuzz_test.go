package fits

import (
	"context"
	"testing"

	"github.com/sciswift/sciswift/formats"
)

// FuzzOpen opens arbitrary bytes, describes them and reads every dataset
// whole and with a stepped selection: no panics, and no allocation beyond
// the limits (the read limit is small, and Open allocates per card and
// column, both bounded).
//
// FITS inputs are at least one 2880-byte block, and the fuzzer's default
// minute of minimizing each new input stalls it on inputs that size; run
// it as
//
//	go test ./formats/fits -run XXX -fuzz FuzzOpen -fuzzminimizetime 200x
func FuzzOpen(f *testing.F) {
	f.Add(primaryEmpty())
	f.Add(join(primaryEmpty(), imageHDU(16, []int{3, 2}, []string{kv("BSCALE", "0.5"), kv("BLANK", "7")}, make([]byte, 12))))
	f.Add(join(primaryEmpty(), imageHDU(-32, []int{2, 2, 2}, nil, make([]byte, 32))))
	f.Add(join(primaryEmpty(), tableHDU(38, 2, [][2]string{{"L", "2L"}, {"X", "10X"}, {"B", "B"}, {"I", "I"}, {"J", "J"}, {"K", "K"}, {"A", "4A"}, {"E", "E"}, {"D", "D"}, {"C", "C"}, {"P", "PJ"}},
		[]string{kv("TZERO4", "32768"), kv("TSCAL5", "2"), kv("TDIM7", str("(2,2)"))}, make([]byte, 76))))
	f.Add(join(headerBlocks(kv("SIMPLE", "T"), kv("BITPIX", "8"), kv("NAXIS", "2"), kv("NAXIS1", "0"), kv("NAXIS2", "3"), kv("GROUPS", "T"), kv("PCOUNT", "1"), kv("GCOUNT", "2")), dataBlocks(make([]byte, 8))))
	f.Add([]byte("SIMPLE  =                    T"))
	limits := Limits{MaxHDUs: 64, MaxHeaderCards: 4096, MaxTotalCards: 8192, MaxReadBytes: 1 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		file, err := Open(ctx, memObject(data), limits)
		if err != nil {
			return
		}
		tree := file.Tree()
		var datasets []*formats.Dataset
		datasets = append(datasets, tree.Root.Datasets...)
		for _, g := range tree.Root.Groups {
			datasets = append(datasets, g.Datasets...)
		}
		for _, d := range datasets {
			arr, err := file.Read(ctx, d.Path, nil)
			if err == nil {
				n := uint64(d.Type.Size)
				for _, s := range d.Shape {
					n *= s
				}
				if uint64(len(arr.Data)) != n {
					t.Fatalf("%s: %d bytes for shape %v of %d-byte elements", d.Path, len(arr.Data), d.Shape, d.Type.Size)
				}
			}
			sel := make(formats.Selection, len(d.Shape))
			for i, n := range d.Shape {
				sel[i] = formats.Range{Start: n / 3, Stop: n, Step: 2}
			}
			file.Read(ctx, d.Path, sel)
		}
	})
}
