package parquet

import (
	"context"
	"encoding/json"
	"testing"

	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"

	"github.com/sciswift/sciswift/formats"
)

// FuzzOpen opens arbitrary bytes, describes them and reads every dataset
// whole and with a stepped selection: no panics, a tree that is valid JSON,
// results that match their shape, and no allocation beyond the limits (the
// footer, read and chunk limits are small here).
//
//	go test ./formats/parquet -run XXX -fuzz FuzzOpen
func FuzzOpen(f *testing.F) {
	f.Add(writeSink(f, 12, 5))
	f.Add(writeSink(f, 7, 7, pq.WithDictionaryDefault(false), pq.WithCompression(compress.Codecs.Uncompressed), pq.WithDataPageVersion(pq.DataPageV2)))
	f.Add(writeSink(f, 0, 1))
	f.Add([]byte("PAR1\x00\x00\x00\x00PAR1"))
	f.Add([]byte("PAR1\x15\x00\x19\x1c\x18\x01a\x15\x02\x00\x00\x05\x00\x00\x00PAR1"))
	limits := Limits{MaxFooterBytes: 1 << 20, MaxReadBytes: 1 << 20, MaxChunkBytes: 1 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		file, err := Open(ctx, memObject(data), limits)
		if err != nil {
			return
		}
		tree := file.Tree()
		if _, err := json.Marshal(tree); err != nil {
			t.Fatalf("tree is not JSON: %v", err)
		}
		var datasets []*formats.Dataset
		var walk func(g *formats.Group)
		walk = func(g *formats.Group) {
			datasets = append(datasets, g.Datasets...)
			for _, sub := range g.Groups {
				walk(sub)
			}
		}
		walk(tree.Root)
		for _, d := range datasets {
			arr, err := file.Read(ctx, d.Path, nil)
			if err == nil {
				if err := arr.Check(); err != nil {
					t.Fatalf("%s: %v", d.Path, err)
				}
				if arr.Len() != d.Shape[0] {
					t.Fatalf("%s: %d elements for shape %v", d.Path, arr.Len(), d.Shape)
				}
			}
			n := d.Shape[0]
			arr, err = file.Read(ctx, d.Path, formats.Selection{{Start: n / 3, Stop: n, Step: 2}})
			if err == nil {
				if err := arr.Check(); err != nil {
					t.Fatalf("%s: %v", d.Path, err)
				}
			}
		}
	})
}
