package dlo

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sciswift/sciswift/server/proxy/subrequest"
	"github.com/sciswift/sciswift/server/swift"
)

// serveGetOrHead serves a GET or HEAD of an object that may be a
// manifest. Objects that are not pass through untouched and streamed.
func (m *Middleware) serveGetOrHead(w http.ResponseWriter, r *http.Request, p swift.Path) {
	fwd := r.Clone(r.Context())
	// An object server that knows this sends a manifest whole whatever
	// the Range (the range is for the large object, not the manifest).
	appendHeaderList(fwd.Header, "X-Backend-Ignore-Range-If-Metadata-Present", swift.HeaderObjectManifest)
	recheck := etagConditional(r.Header)
	// The manifest's own body is never used: keep none of it.
	resp := subrequest.Intercept(m.next, w, fwd, 0, func(status int, h http.Header) bool {
		return h[swift.HeaderObjectManifest] != nil ||
			(recheck && (status == http.StatusNotModified || status == http.StatusPreconditionFailed))
	})
	if resp == nil {
		return
	}
	manifest := resp.Header
	if resp.StatusCode == http.StatusNotModified || resp.StatusCode == http.StatusPreconditionFailed {
		// Judged by the manifest's own ETag and dates, perhaps without
		// its metadata: look again, unconditionally.
		h, ok := m.probe(r, p)
		if !ok {
			resp.Forward(w)
			return
		}
		manifest = h
	}
	m.serveLargeObject(w, r, p, manifest)
}

func (m *Middleware) probe(r *http.Request, p swift.Path) (http.Header, bool) {
	path := swift.EscapePath(p.Version, p.Account, p.Container, p.Object)
	resp, err := m.sub.Send(r, http.MethodHead, path, "", "DLO MultipartGET", http.NoBody)
	if err != nil {
		return nil, false
	}
	resp.Body.Close()
	return resp.Header, resp.StatusCode/100 == 2 && resp.Header[swift.HeaderObjectManifest] != nil
}

func appendHeaderList(h http.Header, name, value string) {
	if old := h.Get(name); old != "" {
		value = old + "," + value
	}
	h.Set(name, value)
}

// etagConditional reports whether the request has an ETag condition that
// the manifest's own ETag could answer wrongly.
func etagConditional(h http.Header) bool {
	for _, name := range []string{"If-Match", "If-None-Match"} {
		if v := strings.TrimSpace(h.Get(name)); v != "" && v != "*" {
			return true
		}
	}
	return false
}

// largeObject is a DLO being served: where its segments are, and the
// first page of their listing.
type largeObject struct {
	container, prefix string
	page              []swift.ObjectRecord
	complete          bool // the first page is the whole listing
}

// pageBytes is the size of the segments on the first page.
func (lo *largeObject) pageBytes() int64 {
	var n int64
	for _, s := range lo.page {
		n += s.Bytes
	}
	return n
}

// etag is Swift's DLO ETag: the MD5 of the segments' ETags, known only
// when the whole listing fits on one page.
func (lo *largeObject) etag() string {
	h := md5.New()
	for _, s := range lo.page {
		h.Write([]byte(unquoteETag(s.Hash)))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func unquoteETag(etag string) string {
	if len(etag) >= 2 && etag[0] == '"' && etag[len(etag)-1] == '"' {
		return etag[1 : len(etag)-1]
	}
	return etag
}

// serveLargeObject answers a GET or HEAD of a manifest with the object
// its segments make.
func (m *Middleware) serveLargeObject(w http.ResponseWriter, r *http.Request, p swift.Path, manifest http.Header) {
	container, prefix, err := splitManifest(manifest.Get(swift.HeaderObjectManifest))
	if err != nil {
		swift.WriteError(w, r, err)
		return
	}
	page, failed, err := m.listPage(r, p, container, prefix, "")
	switch {
	case err != nil:
		swift.WriteError(w, r, err)
		return
	case failed != nil:
		// The listing's answer is the client's: a missing segment
		// container is a 404, a forbidden one a 403.
		subrequest.Relay(w, r.Method, failed)
		return
	}
	lo := &largeObject{container: container, prefix: prefix, page: page, complete: len(page) < m.cfg.Limits.ContainerListingLimit}
	plan, err := planRange(r, lo)
	if err != nil {
		w.Header().Set("Accept-Ranges", "bytes")
		swift.WriteRangeNotSatisfiable(w, r, lo.pageBytes())
		return
	}
	h := responseHeader(manifest, lo, plan)
	v := swift.Validators{Exists: true, ETag: unquoteETag(h.Get("Etag")), LastModified: modified(manifest)}
	if err := swift.CheckPreconditions(r.Header, r.Method, v); err != nil {
		copyHeader(w.Header(), h)
		swift.WriteError(w, r, err)
		return
	}
	if r.Method == http.MethodHead {
		copyHeader(w.Header(), h)
		w.WriteHeader(http.StatusOK)
		return
	}
	m.send(w, r, p, lo, plan, h)
}

// rangePlan is the part of the object a GET sends.
type rangePlan struct {
	ranged      bool
	first, last int64 // inclusive; last is math.MaxInt64 for "to the end"
	length      int64 // -1 when unknown: sent chunked
	total       int64 // the size Content-Range reports
}

// planRange applies a Range header as Swift's DLO does. Only one range is
// honoured, and only when the first page of the listing settles it: the
// listing is complete, or the range ends within the first page's bytes.
// Otherwise the whole object is sent, as Swift will not page through a
// listing just to find out whether a range is satisfiable.
func planRange(r *http.Request, lo *largeObject) (rangePlan, error) {
	whole := rangePlan{first: 0, last: math.MaxInt64, length: -1}
	if lo.complete {
		whole.length = lo.pageBytes()
	}
	header := strings.Join(r.Header.Values("Range"), ",")
	if r.Method != http.MethodGet || header == "" {
		return whole, nil
	}
	// Against an endless object a range is only ever "too short",
	// which tells single ranges apart and where they end.
	open, err := swift.ParseRange(header, math.MaxInt64)
	switch {
	case err != nil && lo.complete:
		return rangePlan{}, err // no object could satisfy it ("bytes=-0")
	case err != nil || len(open) != 1:
		return whole, nil
	}
	sum := lo.pageBytes()
	if !lo.complete && open[0].End >= sum {
		return whole, nil
	}
	ranges, err := swift.ParseRange(header, sum)
	if err != nil {
		return rangePlan{}, err
	}
	if len(ranges) != 1 {
		return whole, nil
	}
	rng := ranges[0]
	return rangePlan{ranged: true, first: rng.Start, last: rng.End - 1, length: rng.Length(), total: sum}, nil
}

// responseHeader is the manifest's metadata with the large object's
// length, range and, when the listing is complete, ETag.
func responseHeader(manifest http.Header, lo *largeObject, plan rangePlan) http.Header {
	h := manifest.Clone()
	h.Del("Content-Length")
	h.Del("Content-Range")
	h.Del("Transfer-Encoding")
	if plan.length >= 0 {
		h.Set("Content-Length", strconv.FormatInt(plan.length, 10))
	}
	if plan.ranged {
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", plan.first, plan.last, plan.total))
	}
	if lo.complete {
		h.Set("Etag", `"`+lo.etag()+`"`)
	}
	return h
}

// modified is the manifest's modification time, for If-Modified-Since
// and the like.
func modified(h http.Header) swift.Timestamp {
	if ts, err := swift.ParseTimestamp(h.Get(swift.HeaderTimestamp)); err == nil {
		return ts
	}
	if t, err := http.ParseTime(h.Get("Last-Modified")); err == nil {
		return swift.FromTime(t)
	}
	return swift.Timestamp{}
}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		dst[k] = v
	}
}

// listPage lists one page of the segment container. A listing that fails
// comes back as failed, for the client; one that cannot be read is err.
func (m *Middleware) listPage(r *http.Request, p swift.Path, container, prefix, marker string) (page []swift.ObjectRecord, failed *http.Response, err error) {
	q := url.Values{"format": {"json"}, "prefix": {prefix}}
	if marker != "" {
		q.Set("marker", marker)
	}
	path := swift.EscapePath(p.Version, p.Account, container)
	resp, err := m.sub.Send(r, http.MethodGet, path, q.Encode(), "DLO MultipartGET", nil)
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, resp, nil
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNoContent {
		return nil, nil, nil
	}
	page, err = swift.DecodeObjectListing(resp.Body)
	return page, nil, err
}

// send streams the planned bytes. Nothing is written until the first
// segment is open, so that a missing one is a clean 409, as in Swift;
// after that a failure can only cut the connection.
func (m *Middleware) send(w http.ResponseWriter, r *http.Request, p swift.Path, lo *largeObject, plan rangePlan, h http.Header) {
	status := http.StatusOK
	if plan.ranged {
		status = http.StatusPartialContent
	}
	out := &boundedWriter{w: w, left: plan.length}
	started := false
	err := m.walk(r, p, lo, plan, func(seg subrequest.Segment) error {
		rc, err := m.sub.OpenSegment(r, "DLO MultipartGET", seg)
		if err != nil {
			return err
		}
		defer rc.Close()
		if !started {
			copyHeader(w.Header(), h)
			w.WriteHeader(status)
			started = true
		}
		_, err = io.Copy(out, rc)
		return err
	})
	if err == nil && out.left > 0 {
		err = fmt.Errorf("%w: not enough bytes for %s; closing connection", swift.ErrConflict, r.URL.Path)
	}
	switch {
	case err == nil && !started:
		copyHeader(w.Header(), h) // no segments: an empty object
		w.WriteHeader(status)
	case err == nil:
	case !started:
		m.logFailure(r, err)
		swift.WriteError(w, r, swift.ErrConflict)
	default:
		m.logFailure(r, err)
		// The status and length are gone; only a cut connection tells
		// the client its copy is incomplete.
		panic(http.ErrAbortHandler)
	}
}

func (m *Middleware) logFailure(r *http.Request, err error) {
	if r.Context().Err() == nil {
		m.cfg.Logger.Warn("DLO GET failed", "path", r.URL.Path, "err", err)
	}
}

// walk calls fn for each segment range the plan needs, listing further
// pages while a page is full and bytes are still wanted, as Swift's
// _segment_listing_iterator does. Sizes come from the listing and may be
// stale; the caller's byte count catches that.
func (m *Middleware) walk(r *http.Request, p swift.Path, lo *largeObject, plan rangePlan, fn func(subrequest.Segment) error) error {
	first, last, page := plan.first, plan.last, lo.page
	for {
		for _, rec := range page {
			n := rec.Bytes
			if first >= n {
				first, last = max(first-n, -1), max(last-n, -1)
				continue
			}
			if last < 0 {
				return nil
			}
			seg := subrequest.Segment{
				Path:  swift.EscapePath(p.Version, p.Account, lo.container, rec.Name),
				First: max(first, 0),
				Last:  -1,
				Size:  -1,
			}
			if last < n-1 {
				seg.Last = last
			}
			if err := fn(seg); err != nil {
				return err
			}
			first, last = max(first-n, -1), max(last-n, -1)
		}
		if len(page) == 0 || len(page) < m.cfg.Limits.ContainerListingLimit || last < 0 {
			return nil
		}
		next, failed, err := m.listPage(r, p, lo.container, lo.prefix, page[len(page)-1].Name)
		if failed != nil {
			failed.Body.Close()
			err = fmt.Errorf("%w: got status %d listing container /%s/%s", swift.ErrConflict, failed.StatusCode, p.Account, lo.container)
		}
		if err != nil {
			return err
		}
		page = next
	}
}

// boundedWriter passes at most left bytes (all when left < 0) and fails
// past that, as Swift's SegmentedIterable stops at the response length
// it announced.
type boundedWriter struct {
	w    io.Writer
	left int64
}

var errTooManyBytes = errors.New("dlo: segments hold more bytes than announced")

func (b *boundedWriter) Write(p []byte) (int, error) {
	if b.left < 0 {
		return b.w.Write(p)
	}
	if int64(len(p)) > b.left {
		n, _ := b.w.Write(p[:b.left])
		b.left -= int64(n)
		return n, errTooManyBytes
	}
	n, err := b.w.Write(p)
	b.left -= int64(n)
	return n, err
}
