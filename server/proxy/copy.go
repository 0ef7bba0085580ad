package proxy

import (
	"net/http"
	"strings"

	"github.com/sciswift/sciswift/server/swift"
)

// Server-side copy, as Swift's copy middleware does it in front of the
// proxy: COPY becomes a PUT with X-Copy-From, and a PUT with X-Copy-From
// GETs the source (with the source container's read ACL) and streams it
// into a PUT of the destination (with the destination's write ACL). A
// Range or conditional header on the request applies to the source, so a
// range of an object can be copied.

// copyTarget is a container/object named by a Destination or X-Copy-From
// header.
type copyTarget struct{ container, object string }

// parseCopyPath is the copy middleware's _check_path_header: the value is
// URL-unquoted, may start with "/", and must name a container and an
// object (which may hold further slashes).
func parseCopyPath(value, errMsg string) (copyTarget, error) {
	v := unquote(value)
	if !strings.HasPrefix(v, "/") {
		v = "/" + v
	}
	container, object, ok := strings.Cut(v[1:], "/")
	if !ok || container == "" || object == "" {
		return copyTarget{}, swift.Errorf(swift.ErrPreconditionFailed, "%s", errMsg)
	}
	return copyTarget{container: container, object: object}, nil
}

// parseCopyAccount is check_account_format for Destination-Account and
// X-Copy-From-Account.
func parseCopyAccount(value string) (string, error) {
	a := unquote(value)
	switch {
	case a == "":
		return "", swift.Errorf(swift.ErrPreconditionFailed, "Account name is required")
	case strings.Contains(a, "/"):
		return "", swift.Errorf(swift.ErrPreconditionFailed, "Account name cannot contain slashes")
	}
	return a, nil
}

const (
	msgDestinationForm = "Destination header must be of the form <container name>/<object name>"
	msgCopyFromForm    = "X-Copy-From header must be of the form <container name>/<object name>"
)

// objectCopy is handle_COPY: it rewrites the request into a PUT of the
// destination with X-Copy-From naming this object.
func (s *Server) objectCopy(rq *request) error {
	h := rq.r.Header
	if h.Get(swift.HeaderDestination) == "" {
		return swift.Errorf(swift.ErrPreconditionFailed, "Destination header required")
	}
	src := rq.path
	dst := rq.path
	if vals, ok := h[swift.HeaderDestAccount]; ok {
		account, err := parseCopyAccount(vals[0])
		if err != nil {
			return err
		}
		h.Set(swift.HeaderCopyFromAccount, pyQuote(src.Account))
		dst.Account = account
		h.Del(swift.HeaderDestAccount)
	}
	t, err := parseCopyPath(h.Get(swift.HeaderDestination), msgDestinationForm)
	if err != nil {
		return err
	}
	dst.Container, dst.Object = t.container, t.object
	h.Set(swift.HeaderCopyFrom, pyQuote("/"+src.Container+"/"+src.Object))
	h.Del(swift.HeaderDestination)
	rq.r.ContentLength = 0
	h.Set("Content-Length", "0")
	rq.path = dst
	return s.objectCopyFrom(rq)
}

// objectCopyFrom is handle_PUT: copy the object named by X-Copy-From
// (and X-Copy-From-Account) to the request's path.
func (s *Server) objectCopyFrom(rq *request) error {
	if rq.r.ContentLength > 0 {
		return swift.Errorf(swift.ErrBadRequest, "Copy requests require a zero byte body")
	}
	src, err := copySource(rq.r.Header, rq.path.Account)
	if err != nil {
		return err
	}
	resp, rep, err := s.fetchCopySource(rq, src)
	if err != nil {
		return err
	}
	if resp == nil {
		writeReply(rq.w, rq.r, rep)
		return nil
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		relay(rq, resp, nil)
		return nil
	}
	if resp.ContentLength < 0 || resp.ContentLength > s.limits.MaxFileSize {
		return swift.ErrEntityTooLarge
	}
	spec := putSpec{
		path: rq.path, header: sinkHeaders(rq.r.Header, resp), body: resp.Body,
		length: resp.ContentLength, rawQuery: rq.r.URL.RawQuery,
	}
	res, err := s.putObject(rq, spec)
	if err != nil {
		return err
	}
	writePutResult(rq, res, copiedHeaders(src, resp, spec.header))
	return nil
}

// fetchCopySource reads a copy's source. Through the pipeline, when one is
// configured, a large object arrives assembled and becomes a plain object
// at the destination; ?multipart-manifest=get copies the manifest itself.
func (s *Server) fetchCopySource(rq *request, src swift.Path) (*http.Response, reply, error) {
	h := copySourceHeaders(rq.r.Header)
	if s.pipeline == nil || rq.r.URL.Query().Get("multipart-manifest") == "get" {
		return s.fetchObject(rq, http.MethodGet, src, h)
	}
	target := s.pipelineEndpoint + swift.EscapePath("v1", src.Account, src.Container, src.Object)
	req, err := http.NewRequestWithContext(rq.r.Context(), http.MethodGet, target, nil)
	if err != nil {
		return nil, reply{}, err
	}
	req.Header = h
	for _, k := range []string{swift.HeaderAuthToken, swift.HeaderStorageToken, "Referer"} {
		if v := rq.r.Header.Get(k); v != "" {
			req.Header.Set(k, v)
		}
	}
	req.Header.Set(swift.HeaderTransID, rq.transID)
	resp, err := s.pipeline.Do(req)
	if err != nil {
		return nil, reply{}, swift.Errorf(swift.ErrServiceUnavailable, "reading the copy source: %v", err)
	}
	if hasManifestHeader(resp.Header) {
		// The bytes are the segments' now: no manifest header may mark
		// the copy, and the manifest's ETag is not the MD5 of these bytes.
		resp.Header.Del(swift.HeaderStaticLarge)
		resp.Header.Del(swift.HeaderObjectManifest)
		resp.Header.Del("Etag")
	}
	return resp, reply{}, nil
}

// hasManifestHeader reports a response about a large-object manifest: read
// from the pipeline, one whose segments a middleware assembled; read from
// the object servers, the manifest itself.
func hasManifestHeader(h http.Header) bool {
	return h.Get(swift.HeaderStaticLarge) != "" || h.Get(swift.HeaderObjectManifest) != ""
}

// copySource reads the source path from X-Copy-From and X-Copy-From-Account.
func copySource(h http.Header, account string) (swift.Path, error) {
	if vals, ok := h[swift.HeaderCopyFromAccount]; ok {
		a, err := parseCopyAccount(vals[0])
		if err != nil {
			return swift.Path{}, err
		}
		account = a
	}
	t, err := parseCopyPath(h.Get(swift.HeaderCopyFrom), msgCopyFromForm)
	if err != nil {
		return swift.Path{}, err
	}
	return swift.Path{Version: "v1", Account: account, Container: t.container, Object: t.object}, nil
}

// copySourceHeaders is the source GET's request: the copy request's
// headers (Range and conditions apply to the source) without its body
// framing, asking for the newest replica.
func copySourceHeaders(h http.Header) http.Header {
	g := forwardHeaders(h)
	deleteAll(g, []string{swift.HeaderCopyFrom, swift.HeaderCopyFromAccount, "Etag",
		swift.HeaderTimestamp, swift.HeaderDeleteAt, swift.HeaderDeleteAfter})
	g.Set("X-Newest", "true")
	return g
}

// sinkHeaders builds the destination PUT's headers as handle_PUT does.
// Without X-Fresh-Metadata the source's metadata, sysmeta and pass-through
// headers come first and the request's own override them; with it only the
// source's sysmeta survives. The source's ETag makes the destination check
// the bytes, except for a partial (206) read, whose ETag is the whole's.
// A manifest fetched without the pipeline is copied as a manifest.
func sinkHeaders(req http.Header, src *http.Response) http.Header {
	sink := http.Header{}
	fresh := configTrue(req.Get(swift.HeaderFreshMetadata))
	for k, v := range src.Header {
		if isSysmeta(k) || isManifestHeader(k) || (!fresh && copiedFromSource(k)) {
			sink[k] = v
		}
	}
	for k, v := range forwardHeaders(req) {
		sink[k] = v
	}
	deleteAll(sink, []string{swift.HeaderCopyFrom, swift.HeaderCopyFromAccount, swift.HeaderFreshMetadata,
		"Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "X-Newest"})
	etag := strings.Trim(src.Header.Get("Etag"), `"`)
	if src.StatusCode == http.StatusOK && !hasManifestHeader(src.Header) && etag != "" {
		sink.Set("Etag", etag)
	} else {
		sink.Del("Etag")
	}
	if req.Get("Content-Type") == "" {
		sink.Set("Content-Type", src.Header.Get("Content-Type"))
	}
	return sink
}

// isManifestHeader reports the headers that make an object a large-object
// manifest; a copy of a manifest stays one.
func isManifestHeader(k string) bool {
	return k == swift.HeaderStaticLarge || k == swift.HeaderObjectManifest
}

// isSysmeta reports object sysmeta, which a copy always keeps.
func isSysmeta(k string) bool {
	return swift.HasPrefixFold(k, swift.LevelObject.SysMetaPrefix()) ||
		swift.HasPrefixFold(k, "X-Object-Transient-Sysmeta-")
}

// copiedFromSource reports the source headers a copy inherits: user
// metadata and the headers the object server keeps with an object.
func copiedFromSource(k string) bool {
	return swift.HasPrefixFold(k, swift.LevelObject.UserMetaPrefix()) || swift.IsObjectPassThrough(k)
}

// copiedHeaders are the extra headers of a successful copy's answer:
// where it came from, and the metadata the new object has.
func copiedHeaders(src swift.Path, resp *http.Response, sink http.Header) http.Header {
	h := http.Header{}
	h.Set("X-Copied-From-Account", pyQuote(src.Account))
	h.Set("X-Copied-From", pyQuote(src.Container+"/"+src.Object))
	if lm := resp.Header.Get("Last-Modified"); lm != "" {
		h.Set("X-Copied-From-Last-Modified", lm)
	}
	for k, v := range sink {
		if isSysmeta(k) || swift.HasPrefixFold(k, swift.LevelObject.UserMetaPrefix()) || k == swift.HeaderDeleteAt {
			h[k] = v
		}
	}
	return h
}
