package slo

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/sciswift/sciswift/server/proxy/subrequest"
	"github.com/sciswift/sciswift/server/swift"
)

// serveGetOrHead serves a GET or HEAD of an object that may be a
// manifest. Objects that are not pass through untouched and streamed.
func (m *Middleware) serveGetOrHead(w http.ResponseWriter, r *http.Request, p swift.Path, manifestGet bool) {
	if manifestGet {
		m.serveManifest(w, r, r.URL.Query().Get("format") == "raw")
		return
	}
	fwd := r.Clone(r.Context())
	// An object server that knows these judges If-Match and friends by
	// the large object's ETag and sends a manifest whole whatever the
	// Range; one that does not is caught below.
	appendHeaderList(fwd.Header, "X-Backend-Etag-Is-At", headerSysmetaETag)
	appendHeaderList(fwd.Header, "X-Backend-Ignore-Range-If-Metadata-Present", swift.HeaderStaticLarge)
	recheck := etagConditional(r.Header)
	resp := subrequest.Intercept(m.next, w, fwd, m.storedManifestLimit(), func(status int, h http.Header) bool {
		return isSLO(h) || (recheck && (status == http.StatusNotModified || status == http.StatusPreconditionFailed))
	})
	if resp == nil {
		return
	}
	if !isSLO(resp.Header) {
		// A 304 or 412 may have been judged by the manifest's own ETag
		// rather than the large object's: look again, unconditionally.
		f, err := m.fetchManifest(r, p, p.Container+"/"+p.Object)
		if err != nil || f.StatusCode/100 != 2 || !isSLO(f.Header) {
			resp.Forward(w)
			return
		}
		resp = f
	}
	m.serveLargeObject(w, r, p, resp)
}

func appendHeaderList(h http.Header, name, value string) {
	if old := h.Get(name); old != "" {
		value = old + "," + value
	}
	h.Set(name, value)
}

// etagConditional reports whether the request has an ETag condition that
// the manifest's ETag could answer wrongly.
func etagConditional(h http.Header) bool {
	for _, name := range []string{"If-Match", "If-None-Match"} {
		if v := strings.TrimSpace(h.Get(name)); v != "" && v != "*" {
			return true
		}
	}
	return false
}

// fetchManifest GETs the manifest at name ("container/object") without
// the client's conditions and range. It asks for the last byte only, so
// that an object that turns out not to be a manifest costs nothing to
// read, while an object server that honours the ignore-range header sends
// a manifest whole; one that does not is asked again.
func (m *Middleware) fetchManifest(r *http.Request, p swift.Path, name string) (*subrequest.Response, error) {
	f, err := m.getManifest(r, p, name, true)
	if err == nil && isSLO(f.Header) && f.StatusCode == http.StatusPartialContent {
		return m.getManifest(r, p, name, false)
	}
	return f, err
}

func (m *Middleware) getManifest(r *http.Request, p swift.Path, name string, lastByte bool) (*subrequest.Response, error) {
	req, err := m.sub.NewRequest(r, http.MethodGet, objectPath(p, name), "multipart-manifest=get", "SLO MultipartGET", nil)
	if err != nil {
		return nil, err
	}
	if lastByte {
		req.Header.Set("Range", "bytes=-1")
		req.Header.Set("X-Backend-Ignore-Range-If-Metadata-Present", swift.HeaderStaticLarge)
	}
	resp, err := m.sub.Do(req)
	if err != nil {
		return nil, err
	}
	body, truncated, err := subrequest.ReadBody(resp, m.storedManifestLimit())
	if err != nil {
		return nil, swift.Errorf(swift.ErrServiceUnavailable, "reading manifest %s: %v", name, err)
	}
	return &subrequest.Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body, Truncated: truncated}, nil
}

// largeObject is a manifest's answer and what it describes.
type largeObject struct {
	resp  *subrequest.Response
	segs  []segment // nil until the manifest body has been read
	attrs attributes
}

func (lo *largeObject) status() int {
	if lo.resp.StatusCode/100 == 2 {
		return lo.resp.StatusCode
	}
	return http.StatusOK // the manifest answer was a 304 or 412 being re-judged
}

// header is what the client sees: the manifest object's metadata with
// the large object's ETag and length.
func (lo *largeObject) header() http.Header {
	h := lo.resp.Header.Clone()
	for _, k := range []string{"Content-Range", "Transfer-Encoding", headerSysmetaETag, headerSysmetaSize} {
		h.Del(k)
	}
	h.Set("X-Manifest-Etag", lo.resp.Header.Get("Etag"))
	h.Set("Etag", `"`+lo.attrs.etag+`"`)
	h.Set("Content-Length", strconv.FormatInt(lo.attrs.size, 10))
	h.Set("Accept-Ranges", "bytes")
	if ct := h.Get("Content-Type"); ct != "" {
		h.Set("Content-Type", withoutSwiftBytes(ct))
	}
	return h
}

// serveLargeObject answers a GET or HEAD of a manifest with the large
// object it describes.
func (m *Middleware) serveLargeObject(w http.ResponseWriter, r *http.Request, p swift.Path, resp *subrequest.Response) {
	lo := &largeObject{resp: resp}
	if a, ok := sysmetaAttributes(resp.Header); ok {
		lo.attrs = a
	} else if !m.readSegments(w, r, p, lo) {
		// A manifest stored without its ETag and size must be read to
		// know them, even for a HEAD.
		return
	}
	v := swift.Validators{Exists: true, ETag: lo.attrs.etag, LastModified: modified(lo.resp.Header)}
	if err := swift.CheckPreconditions(r.Header, r.Method, v); err != nil {
		copyHeader(w.Header(), lo.header())
		swift.WriteError(w, r, err)
		return
	}
	if r.Method == http.MethodHead {
		copyHeader(w.Header(), lo.header())
		w.WriteHeader(lo.status())
		return
	}
	if m.readSegments(w, r, p, lo) {
		m.send(w, r, p, lo)
	}
}

// readSegments makes sure lo has its segments, fetching the manifest
// again when the answer at hand has no usable body (a HEAD, a 304, a
// range of the manifest). On failure it answers the client and reports
// false.
func (m *Middleware) readSegments(w http.ResponseWriter, r *http.Request, p swift.Path, lo *largeObject) bool {
	if lo.segs != nil {
		return true
	}
	if lo.resp.StatusCode != http.StatusOK || r.Method != http.MethodGet || lo.resp.Truncated {
		f, err := m.fetchManifest(r, p, p.Container+"/"+p.Object)
		switch {
		case err != nil:
			swift.WriteError(w, r, err)
			return false
		case f.StatusCode/100 != 2:
			f.Forward(w)
			return false
		case !isSLO(f.Header):
			// Replaced by a plain object since the first look.
			swift.WriteError(w, r, swift.ErrServiceUnavailable)
			return false
		}
		lo.resp = f
	}
	segs, err := decodeManifest(lo.resp.Body)
	if err != nil || lo.resp.Truncated {
		m.cfg.Logger.Error("unable to load SLO manifest", "path", r.URL.Path, "err", err)
		swift.WriteError(w, r, errUnloadable)
		return false
	}
	lo.segs = segs
	if a, ok := sysmetaAttributes(lo.resp.Header); ok {
		lo.attrs = a
	} else {
		lo.attrs = segmentAttributes(segs)
	}
	return true
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

// send streams the large object, or the ranges of it the client asked
// for, as one part or as multipart/byteranges.
func (m *Middleware) send(w http.ResponseWriter, r *http.Request, p swift.Path, lo *largeObject) {
	h, size := lo.header(), lo.attrs.size
	ranges, err := swift.RequestRanges(r, size)
	if err != nil {
		h.Del("Content-Length")
		copyHeader(w.Header(), h)
		swift.WriteRangeNotSatisfiable(w, r, size)
		return
	}
	status := lo.status()
	var mp *swift.MultipartRanges
	switch len(ranges) {
	case 0:
		ranges = []swift.ByteRange{{Start: 0, End: size}}
	case 1:
		status = http.StatusPartialContent
		h.Set("Content-Range", ranges[0].ContentRange(size))
		h.Set("Content-Length", strconv.FormatInt(ranges[0].Length(), 10))
	default:
		status = http.StatusPartialContent
		mp = swift.NewMultipartRanges(w, h.Get("Content-Type"), size, ranges)
		h.Set("Content-Type", mp.ContentType())
		h.Set("Content-Length", strconv.FormatInt(mp.ContentLength(), 10))
	}
	a := &assembler{m: m, r: r, p: p}
	started, err := a.send(w, lo.segs, ranges, mp, func() {
		copyHeader(w.Header(), h)
		w.WriteHeader(status)
	})
	if err == nil {
		return
	}
	if r.Context().Err() == nil {
		m.cfg.Logger.Warn("SLO GET failed", "path", r.URL.Path, "started", started, "err", err)
	}
	if !started {
		swift.WriteError(w, r, swift.ErrConflict)
		return
	}
	// The status and length are gone; only a cut connection tells the
	// client its copy is incomplete.
	panic(http.ErrAbortHandler)
}

// serveManifest answers ?multipart-manifest=get: the stored manifest as
// JSON, or with format=raw in the form a client PUTs.
func (m *Middleware) serveManifest(w http.ResponseWriter, r *http.Request, raw bool) {
	resp := subrequest.Intercept(m.next, w, r, m.storedManifestLimit(), func(status int, h http.Header) bool {
		if !isSLO(h) {
			return false
		}
		h.Del(headerSysmetaETag)
		h.Del(headerSysmetaSize)
		if raw && status == http.StatusOK && r.Method == http.MethodGet {
			return true
		}
		if raw {
			h.Set("Content-Type", withoutSwiftBytes(h.Get("Content-Type")))
		} else {
			h.Set("Content-Type", "application/json; charset=utf-8")
		}
		return false
	})
	if resp == nil {
		return
	}
	var stored []storedSegment
	if resp.Truncated || json.Unmarshal(resp.Body, &stored) != nil {
		swift.WriteError(w, r, errUnloadable)
		return
	}
	// The large object's content type, not JSON's, so that the body can
	// be PUT back as a manifest with the same type.
	resp.Body = rawManifest(stored)
	resp.Header.Set("Content-Type", withoutSwiftBytes(resp.Header.Get("Content-Type")))
	resp.Header.Set("Content-Length", strconv.Itoa(len(resp.Body)))
	resp.Header.Set("Etag", md5Hex(resp.Body))
	resp.Forward(w)
}
