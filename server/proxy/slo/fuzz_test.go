package slo

import (
	"errors"
	"net/http"
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

// FuzzParsePutManifest feeds client manifests (the put form) to the
// parser: it must never panic, must fail only with a 400, and what it
// accepts must be well formed.
func FuzzParsePutManifest(f *testing.F) {
	for _, seed := range []string{
		`[{"path": "/c/o", "etag": "abc", "size_bytes": 5, "range": "1-2"}]`,
		`[{"data": "YWJj"}, {"path": "c/o", "size_bytes": "3"}]`,
		`[{"path": "/c/o", "range": -5}]`, `[1, "x", null, []]`, `{}`, `[{"path": "/cont/man"}]`,
		`[{"path": "/c/o", "size_bytes": 1e300}]`, `[{"data": "=YQ==="}]`, `[{"path":"/c/o","range":"bytes=1-2"}]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		segs, err := parsePutManifest(body, "cont", "man")
		if err != nil {
			if swift.Status(err) != http.StatusBadRequest {
				t.Fatalf("error %v has status %d", err, swift.Status(err))
			}
			return
		}
		objects := 0
		for i, s := range segs {
			switch {
			case s.isData():
				if len(s.Data) == 0 || s.Path != "" {
					t.Fatalf("segment %d: bad data segment %+v", i, s)
				}
			case s.Path == "" || s.Path == "/cont/man":
				t.Fatalf("segment %d: bad path %q", i, s.Path)
			default:
				objects++
			}
			if s.Size != nil && *s.Size < 1 && i != len(segs)-1 {
				t.Fatalf("segment %d: size %d accepted", i, *s.Size)
			}
		}
		if len(segs) > 0 && objects == 0 {
			t.Fatal("a manifest of inline data only was accepted")
		}
	})
}

// FuzzDecodeManifest feeds stored manifests (the get form) to the
// decoder and walks what it accepts: every byte of the large object must
// come from exactly one piece, in order.
func FuzzDecodeManifest(f *testing.F) {
	for _, seed := range []string{
		`[{"name": "/c/o", "bytes": 5, "hash": "x"}, {"data": "YWJj"}]`,
		`[{"name": "/c/o", "bytes": 9, "hash": "x", "range": "2-4"}]`,
		`[{"name": "/c/o", "bytes": 9, "hash": "x", "sub_slo": true, "content_type": "a;swift_bytes=4"}]`,
		`[{"name": "/c/o", "bytes": 0}]`, `[{"name": "o", "bytes": 1}]`, `[{"name": "/c/o", "bytes": -1}]`,
		`[{"name": "/c/o", "bytes": 9223372036854775807}, {"name": "/c/o", "bytes": 9223372036854775807}]`,
	} {
		f.Add([]byte(seed), int64(1), int64(3))
	}
	f.Fuzz(func(t *testing.T, body []byte, first, last int64) {
		segs, err := decodeManifest(body)
		if err != nil {
			if !errors.Is(err, errUnloadable) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		var size int64
		for _, s := range segs {
			if s.length < 0 || s.SubSLO {
				return // nested manifests need a server to walk
			}
			size += s.length
		}
		if size == 0 {
			return
		}
		first, last = mod(first, size), mod(last, size)
		if first > last {
			first, last = last, first
		}
		a := &assembler{}
		next := first
		err = a.walk(segs, first, last, 1, func(pc piece) error {
			if pc.first > pc.last || pc.first < pc.seg.start || pc.last > pc.seg.end {
				t.Fatalf("piece %d-%d outside segment %d-%d", pc.first, pc.last, pc.seg.start, pc.seg.end)
			}
			next += pc.last - pc.first + 1
			return nil
		})
		if err != nil || next != last+1 {
			t.Fatalf("walk of %d-%d covered up to %d (%v)", first, last, next, err)
		}
	})
}

func mod(a, n int64) int64 {
	a %= n
	if a < 0 {
		a += n
	}
	return a
}
