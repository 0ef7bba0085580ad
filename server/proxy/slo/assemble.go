package slo

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/sciswift/sciswift/server/proxy/subrequest"
	"github.com/sciswift/sciswift/server/swift"
)

// maxRecursionDepth is Swift's limit on manifests nested in manifests.
const maxRecursionDepth = 10

// subManifestCacheSize is how many nested manifests one GET keeps parsed:
// Swift's number, enough that a multi-range GET fetches each at most once
// in the usual case, too few for a deep tree to fill memory.
const subManifestCacheSize = 20

// assembler streams byte ranges of a large object from its segments.
type assembler struct {
	m *Middleware
	r *http.Request
	p swift.Path
	// cache holds parsed nested manifests, least recently used first.
	cache []cachedManifest
}

type cachedManifest struct {
	name string
	segs []segment
}

// piece is the bytes first..last (inclusive) of one segment object, or
// of one inline data segment.
type piece struct {
	seg         *segment
	first, last int64
}

// walk calls fn for the pieces that make up bytes first..last of the
// object segs describe, in order, opening nested manifests only where
// the range needs them.
func (a *assembler) walk(segs []segment, first, last int64, depth int, fn func(piece) error) error {
	for i := range segs {
		s := &segs[i]
		if first >= s.length {
			first, last = first-s.length, last-s.length
			continue
		}
		if last < 0 {
			return nil
		}
		if err := a.visit(s, max(first, 0), min(last, s.length-1), depth, fn); err != nil {
			return err
		}
		first, last = first-s.length, last-s.length
	}
	return nil
}

// visit handles bytes first..last of what segment s contributes.
func (a *assembler) visit(s *segment, first, last int64, depth int, fn func(piece) error) error {
	switch {
	case s.isData():
		return fn(piece{seg: s, first: first, last: last})
	case s.SubSLO:
		if depth >= maxRecursionDepth {
			return fmt.Errorf("%w: while processing manifest %s, max recursion depth was exceeded", swift.ErrConflict, a.r.URL.Path)
		}
		sub, err := a.subManifest(s.Name)
		if err != nil {
			return err
		}
		return a.walk(sub, s.start+first, s.start+last, depth+1, fn)
	}
	return fn(piece{seg: s, first: s.start + first, last: s.start + last})
}

// subManifest fetches and parses a nested manifest, through the cache.
func (a *assembler) subManifest(name string) ([]segment, error) {
	if i := slices.IndexFunc(a.cache, func(c cachedManifest) bool { return c.name == name }); i >= 0 {
		c := a.cache[i]
		a.cache = append(slices.Delete(a.cache, i, i+1), c)
		return c.segs, nil
	}
	segs, err := a.fetchSubManifest(name)
	if err != nil {
		return nil, err
	}
	if len(a.cache) == subManifestCacheSize {
		a.cache = slices.Delete(a.cache, 0, 1)
	}
	a.cache = append(a.cache, cachedManifest{name: name, segs: segs})
	return segs, nil
}

func (a *assembler) fetchSubManifest(name string) ([]segment, error) {
	resp, err := a.m.sub.Send(a.r, http.MethodGet, objectPath(a.p, name), "multipart-manifest=get", "SLO MultipartGET", nil)
	if err != nil {
		return nil, fmt.Errorf("%w: while fetching %s, GET of submanifest %s failed: %v", swift.ErrConflict, a.r.URL.Path, name, err)
	}
	body, truncated, err := subrequest.ReadBody(resp, a.m.storedManifestLimit())
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%w: while fetching %s, GET of submanifest %s failed with status %d (%s)",
			swift.ErrConflict, a.r.URL.Path, name, resp.StatusCode, shorten(string(body)))
	}
	segs, decodeErr := decodeManifest(body)
	if err != nil || truncated || decodeErr != nil {
		return nil, fmt.Errorf("%w: while fetching %s, JSON-decoding of submanifest %s failed", swift.ErrConflict, a.r.URL.Path, name)
	}
	return segs, nil
}

// shorten keeps an error body short enough for a log line, as Swift does.
func shorten(s string) string {
	if len(s) <= 60 {
		return s
	}
	return s[:57] + "..."
}

// open returns a reader of exactly one piece's bytes.
func (a *assembler) open(pc piece) (io.ReadCloser, error) {
	if pc.seg.isData() {
		return io.NopCloser(bytes.NewReader(pc.seg.data[pc.first : pc.last+1])), nil
	}
	return a.m.sub.OpenSegment(a.r, "SLO MultipartGET", subrequest.Segment{
		Path:  objectPath(a.p, pc.seg.Name),
		First: pc.first,
		Last:  pc.last,
		Size:  *pc.seg.Bytes,
		ETag:  pc.seg.Hash,
	})
}

// send streams ranges of the object segs describe to w, as one body or
// as the parts of mp. Nothing is written until the first segment is open
// and checked, so that a broken manifest still gets a clean 409, as in
// Swift: writeHead is called then. started reports whether it was.
func (a *assembler) send(w io.Writer, segs []segment, ranges []swift.ByteRange, mp *swift.MultipartRanges, writeHead func()) (started bool, err error) {
	for i, br := range ranges {
		if started && mp != nil {
			if err := mp.BeginPart(i); err != nil {
				return true, err
			}
		}
		err := a.walk(segs, br.Start, br.End-1, 1, func(pc piece) error {
			rc, err := a.open(pc)
			if err != nil {
				return err
			}
			defer rc.Close()
			if !started {
				writeHead()
				started = true
				if mp != nil {
					if err := mp.BeginPart(i); err != nil {
						return err
					}
				}
			}
			_, err = io.Copy(w, rc)
			return err
		})
		if err != nil {
			return started, err
		}
	}
	if !started {
		writeHead() // an empty object
	}
	if mp != nil {
		return true, mp.Close()
	}
	return true, nil
}
