package slo

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sciswift/sciswift/server/proxy/bulk"
	"github.com/sciswift/sciswift/server/proxy/subrequest"
	"github.com/sciswift/sciswift/server/swift"
)

// Swift's explanations for the statuses a heartbeat PUT reports in its
// body, where there is no status line to carry them.
const (
	reasonBadRequest    = "Bad Request\nThe server could not comply with the request since it is either malformed or otherwise incorrect."
	reasonUnprocessable = "Unprocessable Entity\nUnable to process the contained instructions"
)

// servePut creates a manifest: it checks the client's segment list,
// HEADs every segment, and stores the list in Swift's get format with
// the large object's ETag and size as sysmeta.
func (m *Middleware) servePut(w http.ResponseWriter, r *http.Request, p swift.Path) {
	segs, err := m.readPutManifest(r, p)
	if err != nil {
		swift.WriteError(w, r, err)
		return
	}
	out := &putResponse{w: w, format: bulk.NegotiateFormat(strings.Join(r.Header.Values("Accept"), ","))}
	if out.format == "" {
		out.format = bulk.FormatPlain
	}
	if trueValue(r.URL.Query().Get("heartbeat")) {
		// Checking a thousand segments can outlast a client's timeout:
		// answer now and report the outcome in the body.
		w.Header().Set("Content-Type", out.format)
		w.WriteHeader(http.StatusAccepted)
		out.progress = bulk.StartProgress(w, " ", m.cfg.YieldFrequency, true)
	}
	stored, total, problems := m.checkSegments(r, p, segs)
	if len(problems) > 0 {
		out.rejected(problems)
		return
	}
	etag := largeObjectETag(stored)
	if want := unquote(r.Header.Get("Etag")); want != "" && want != etag {
		out.unprocessable(r)
		return
	}
	out.stored(m.storeManifest(w, r, p, stored, total, etag))
}

// readPutManifest reads and parses the client's segment list.
func (m *Middleware) readPutManifest(r *http.Request, p swift.Path) ([]putSegment, error) {
	limit := int64(m.cfg.MaxManifestSize)
	switch {
	case r.Header.Get(swift.HeaderCopyFrom) != "":
		return nil, swift.Errorf(swift.ErrMethodNotAllowed, "Multipart Manifest PUTs cannot be COPY requests")
	case !hasLength(r):
		return nil, swift.Errorf(swift.ErrLengthRequired, "Length Required")
	case r.ContentLength > limit:
		return nil, swift.Errorf(swift.ErrEntityTooLarge, "Manifest File > %d bytes", limit)
	}
	// Like Swift, read no more than the limit: a longer chunked body is
	// cut short and fails to parse.
	body, err := io.ReadAll(io.LimitReader(r.Body, limit))
	if err != nil {
		return nil, swift.Errorf(swift.ErrClientDisconnect, "Client disconnected")
	}
	segs, err := parsePutManifest(body, p.Container, p.Object)
	if err != nil {
		return nil, err
	}
	objects := 0
	for _, s := range segs {
		if !s.isData() {
			objects++
		}
	}
	if objects > m.cfg.MaxManifestSegments {
		return nil, swift.Errorf(swift.ErrEntityTooLarge, "Number of object-backed segments must be <= %d", m.cfg.MaxManifestSegments)
	}
	return segs, nil
}

// hasLength reports whether the request says how long its body is: a
// Content-Length, or chunked encoding (which Go reports as -1).
func hasLength(r *http.Request) bool {
	return r.ContentLength != 0 || r.Header.Get("Content-Length") != "" || len(r.TransferEncoding) > 0
}

// checkSegments HEADs each distinct segment once and turns the client's
// list into stored segments, collecting every problem as Swift does.
func (m *Middleware) checkSegments(r *http.Request, p swift.Path, segs []putSegment) ([]storedSegment, int64, [][2]string) {
	var paths []string
	indices := map[string][]int{}
	for i, s := range segs {
		if s.isData() {
			continue
		}
		if indices[s.Path] == nil {
			paths = append(paths, s.Path)
		}
		indices[s.Path] = append(indices[s.Path], i)
	}
	heads := m.headSegments(r, p, paths)
	stored := make([]storedSegment, len(segs))
	var total int64
	for i, s := range segs {
		if s.isData() {
			enc := base64.StdEncoding.EncodeToString(s.Data)
			stored[i] = storedSegment{Data: &enc}
			total += int64(len(s.Data))
		}
	}
	var problems [][2]string
	for j, segPath := range paths {
		for _, i := range indices[segPath] {
			st, n, probs := checkSegment(segs[i], heads[j], i == len(segs)-1)
			stored[i], total, problems = st, total+n, append(problems, probs...)
		}
	}
	return stored, total, problems
}

// headResult is the answer to a segment HEAD.
type headResult struct {
	status int
	header http.Header
}

// headSegments HEADs paths with up to Concurrency requests at once.
func (m *Middleware) headSegments(r *http.Request, p swift.Path, paths []string) []headResult {
	results := make([]headResult, len(paths))
	sem := make(chan struct{}, m.cfg.Concurrency)
	var wg sync.WaitGroup
	for i, segPath := range paths {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			results[i] = m.headSelf(r, p, segPath)
		})
	}
	wg.Wait()
	return results
}

// headSelf HEADs a segment through this middleware rather than below it,
// as Swift does, so that a segment that is itself a large object reports
// its large object's size and ETag.
func (m *Middleware) headSelf(r *http.Request, p swift.Path, name string) headResult {
	req, err := m.sub.NewRequest(r, http.MethodHead, objectPath(p, name), "", "SLO MultipartPUT", http.NoBody)
	if err != nil {
		return headResult{status: swift.Status(err), header: http.Header{}}
	}
	rec := &headRecorder{header: http.Header{}}
	m.ServeHTTP(rec, req)
	if rec.code == 0 {
		rec.code = http.StatusOK
	}
	return headResult{status: rec.code, header: rec.header}
}

// headRecorder keeps a HEAD's status and header.
type headRecorder struct {
	header http.Header
	code   int
}

func (h *headRecorder) Header() http.Header { return h.header }

func (h *headRecorder) WriteHeader(code int) {
	if h.code == 0 && code >= http.StatusOK {
		h.code = code
	}
}

func (h *headRecorder) Write(p []byte) (int, error) {
	h.WriteHeader(http.StatusOK)
	return len(p), nil
}

// checkSegment compares one segment with its HEAD, as Swift's
// validate_seg_dict: it returns the stored form, the bytes the segment
// adds, and its problems.
func checkSegment(s putSegment, h headResult, last bool) (storedSegment, int64, [][2]string) {
	name := bulk.Quote(s.Path)
	if h.status/100 != 2 {
		return storedSegment{}, 0, [][2]string{{name, bulk.StatusLine(h.status)}}
	}
	size, _ := strconv.ParseInt(h.header.Get("Content-Length"), 10, 64)
	etag := unquote(h.header.Get("Etag"))
	st := storedSegment{
		Name:         "/" + strings.TrimLeft(s.Path, "/"),
		Bytes:        &size,
		Hash:         etag,
		ContentType:  withoutSwiftBytes(h.header.Get("Content-Type")),
		LastModified: listingTime(h.header.Get("Last-Modified")),
		SubSLO:       isSLO(h.header),
	}
	length := size
	var probs [][2]string
	if s.Range != nil {
		start, end, ok := s.Range.forLength(size)
		switch {
		case !ok:
			probs = append(probs, [2]string{name, "Unsatisfiable Range"})
		case start == 0 && end == size:
			// The whole object: no range to store.
		default:
			st.Range, length = fmt.Sprintf("%d-%d", start, end-1), end-start
		}
	}
	if length < 1 && !last {
		probs = append(probs, [2]string{name, "Too small; each segment must be at least 1 byte."})
	}
	if s.Size != nil && *s.Size != size {
		probs = append(probs, [2]string{name, "Size Mismatch"})
	}
	if s.ETag != nil && *s.ETag != etag {
		probs = append(probs, [2]string{name, "Etag Mismatch"})
	}
	return st, length, probs
}

// listingTime turns a Last-Modified header into the last_modified form of
// listings and manifests.
func listingTime(lastModified string) string {
	t, err := http.ParseTime(lastModified)
	if err != nil {
		t = time.Now()
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000")
}

func unquote(etag string) string {
	if len(etag) >= 2 && etag[0] == '"' && etag[len(etag)-1] == '"' {
		return etag[1 : len(etag)-1]
	}
	return etag
}

// storeManifest PUTs the manifest through next in place of the client's
// body, and answers with the large object's ETag as Swift does.
func (m *Middleware) storeManifest(w http.ResponseWriter, r *http.Request, p swift.Path, stored []storedSegment, total int64, etag string) *subrequest.Response {
	body, _ := json.Marshal(stored)
	fwd := r.Clone(r.Context())
	fwd.Body, fwd.ContentLength, fwd.TransferEncoding = io.NopCloser(bytes.NewReader(body)), int64(len(body)), nil
	h := fwd.Header
	h.Del("Transfer-Encoding")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Etag", md5Hex(body))
	h.Set(headerSysmetaETag, etag)
	h.Set(headerSysmetaSize, strconv.FormatInt(total, 10))
	h.Set(swift.HeaderStaticLarge, "True")
	// swift_bytes carries the large object's size to container listings.
	h.Set("Content-Type", manifestContentType(h, p.Object)+";swift_bytes="+strconv.FormatInt(total, 10))
	h.Del(swift.HeaderDetectType)
	resp := subrequest.Intercept(m.next, w, fwd, 1<<16, func(int, http.Header) bool { return true })
	if resp.StatusCode/100 == 2 {
		resp.Header.Set("Etag", `"`+etag+`"`)
	}
	return resp
}

// manifestContentType is the content type the large object will have:
// the client's, else (or when asked to detect it) one guessed from the
// name, as the proxy would; guessing here keeps swift_bytes, which the
// proxy's own detection would drop.
func manifestContentType(h http.Header, object string) string {
	ct := h.Get("Content-Type")
	if ct != "" && !trueValue(h.Get(swift.HeaderDetectType)) {
		return ct
	}
	guessed, _, _ := strings.Cut(mime.TypeByExtension(path.Ext(object)), ";")
	if guessed == "" {
		return "application/octet-stream"
	}
	return strings.TrimSpace(guessed)
}

// putResponse answers a manifest PUT, in the status line or, with
// heartbeat=on, in a body after the heartbeats.
type putResponse struct {
	w        http.ResponseWriter
	format   string
	progress *bulk.Progress
}

func (o *putResponse) rejected(problems [][2]string) {
	if o.progress != nil {
		fields := []bulk.Field{
			{Key: "Response Status", Value: bulk.StatusLine(http.StatusBadRequest)},
			{Key: "Response Body", Value: reasonBadRequest},
		}
		o.progress.Finish(bulk.ResponseBody(o.format, fields, problems, "upload"))
		return
	}
	o.w.Header().Set("Content-Type", o.format)
	o.w.WriteHeader(http.StatusBadRequest)
	_, _ = o.w.Write(bulk.ResponseBody(o.format, nil, problems, "upload"))
}

func (o *putResponse) unprocessable(r *http.Request) {
	if o.progress != nil {
		fields := []bulk.Field{
			{Key: "Response Status", Value: bulk.StatusLine(http.StatusUnprocessableEntity)},
			{Key: "Response Body", Value: reasonUnprocessable},
		}
		o.progress.Finish(bulk.ResponseBody(o.format, fields, nil, "upload"))
		return
	}
	swift.WriteError(o.w, r, swift.ErrUnprocessable)
}

func (o *putResponse) stored(resp *subrequest.Response) {
	if o.progress == nil {
		resp.Forward(o.w)
		return
	}
	fields := []bulk.Field{{Key: "Response Status", Value: bulk.StatusLine(resp.StatusCode)}}
	if resp.StatusCode/100 == 2 {
		fields = append(fields,
			bulk.Field{Key: "Etag", Value: resp.Header.Get("Etag")},
			bulk.Field{Key: "Last Modified", Value: resp.Header.Get("Last-Modified")})
	}
	fields = append(fields, bulk.Field{Key: "Response Body", Value: string(resp.Body)})
	o.progress.Finish(bulk.ResponseBody(o.format, fields, nil, "upload"))
}
