package listing

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

// BenchmarkPutObject is the cost of one object row update (read row and
// counts, write both, synced commit) with one writer.
func BenchmarkPutObject(b *testing.B) {
	db := openTestDB(b, KindContainer)
	mustPutContainer(b, db, "a", "c", 0)
	i := 0
	for b.Loop() {
		i++
		row := ObjectRow{Name: fmt.Sprintf("obj/%08d", i), Timestamp: ts(int64(i)), Size: 1024, ETag: "d41d8cd98f00b204e9800998ecf8427e", ContentType: "application/octet-stream"}
		if _, err := db.PutObject("a", "c", row, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPutObjectParallel: many writers, one container, the case the
// per-container lock serialises. Writers share WAL fsyncs because the lock
// is dropped before the sync.
func BenchmarkPutObjectParallel(b *testing.B) {
	db := openTestDB(b, KindContainer)
	mustPutContainer(b, db, "a", "c", 0)
	var n atomic.Int64
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			row := ObjectRow{Name: fmt.Sprintf("obj/%08d", i), Timestamp: ts(i), Size: 1024}
			if _, err := db.PutObject("a", "c", row, false); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkPutObjectParallelContainers: many writers, a container each.
func BenchmarkPutObjectParallelContainers(b *testing.B) {
	db := openTestDB(b, KindContainer)
	var n, c atomic.Int64
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		cont := fmt.Sprint("c", c.Add(1))
		mustPutContainer(b, db, "a", cont, 0)
		for pb.Next() {
			i := n.Add(1)
			row := ObjectRow{Name: fmt.Sprintf("obj/%08d", i), Timestamp: ts(i), Size: 1024}
			if _, err := db.PutObject("a", cont, row, false); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkList lists 1000 rows of a 100×100 container, and the 100
// subdirs of the same container with delimiter=/ (one seek per subdir, the
// 10000 rows below them unread).
func BenchmarkList(b *testing.B) {
	db := openTestDB(b, KindContainer)
	mustPutContainer(b, db, "a", "c", 0)
	for d := range 100 {
		for f := range 100 {
			mustPutObject(b, db, "a", "c", ObjectRow{Name: fmt.Sprintf("dir%03d/file%03d", d, f), Timestamp: ts(1), Size: 1})
		}
	}
	for _, bc := range []struct {
		name string
		q    swift.ListingQuery
		want int
	}{
		{"rows-1000", swift.ListingQuery{Limit: 1000, Marker: "dir050/"}, 1000},
		{"delimiter-100-subdirs", swift.ListingQuery{Limit: 10000, Delimiter: "/"}, 100},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				recs, err := db.ListObjects("a", "c", bc.q)
				if err != nil || len(recs) != bc.want {
					b.Fatalf("%d records, %v", len(recs), err)
				}
			}
		})
	}
}
