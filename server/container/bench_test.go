package container

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

// BenchmarkObjectRowPut is an object server's container update as the
// container server sees it: parse, synced row update, 201.
func BenchmarkObjectRowPut(b *testing.B) {
	s := newTestServer(b, swift.Limits{})
	call(s, "PUT", "/d1/0/a/c", T(1)...)
	var n atomic.Int64
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			w := call(s, "PUT", fmt.Sprintf("/d1/0/a/c/obj%08d", i), with(T(i+1), swift.HeaderSize, "1024",
				swift.HeaderEtag, "d41d8cd98f00b204e9800998ecf8427e", swift.HeaderContentType, "application/octet-stream")...)
			if w.Code != 201 {
				b.Errorf("status %d", w.Code)
				return
			}
		}
	})
}

// BenchmarkListingJSON is a 1000-row JSON container GET.
func BenchmarkListingJSON(b *testing.B) {
	s := newTestServer(b, swift.Limits{})
	call(s, "PUT", "/d1/0/a/c", T(1)...)
	for i := range 1000 {
		call(s, "PUT", fmt.Sprintf("/d1/0/a/c/obj%04d", i), with(T(2), swift.HeaderSize, "1024",
			swift.HeaderEtag, "d41d8cd98f00b204e9800998ecf8427e", swift.HeaderContentType, "application/octet-stream")...)
	}
	for b.Loop() {
		if w := call(s, "GET", "/d1/0/a/c?format=json"); w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}
