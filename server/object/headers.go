package object

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/sciswift/sciswift/server/swift"
	"github.com/sciswift/sciswift/storage/diskfile"
)

// Backend headers only the object server reads or writes.
const (
	headerIgnoreRange         = "X-Backend-Ignore-Range-If-Metadata-Present"
	headerEtagIsAt            = "X-Backend-Etag-Is-At"
	headerDataTimestamp       = "X-Backend-Data-Timestamp"
	headerDurableTimestamp    = "X-Backend-Durable-Timestamp"
	headerReplication         = "X-Backend-Replication"
	headerCleanExpiringQueue  = "X-Backend-Clean-Expiring-Object-Queue"
	headerContentTypeTS       = "Content-Type-Timestamp"
	backendOverridePrefix     = "X-Backend-Container-Update-Override-"
	sysmetaOverridePrefix     = "X-Object-Sysmeta-Container-Update-Override-"
	transientSysmetaPrefix    = "X-Object-Transient-Sysmeta-"
	defaultContentType        = "application/octet-stream"
	emptyETag                 = "d41d8cd98f00b204e9800998ecf8427e"
	maxDeleteAtSeconds        = 9999999999
	msgDeleteAtInPast         = "X-Delete-At in past"
	msgNonIntegerDeleteAt     = "Non-integer X-Delete-At"
	msgMissingTimestamp       = "Missing X-Timestamp header"
	msgRequestTooLarge        = "Your request is too large."
	msgMissingContentLength   = "Missing Content-Length header."
	msgNoContentType          = "No content type"
	msgInvalidContentType     = "Invalid Content-Type"
	msgIfDeleteAtMismatch     = "X-If-Delete-At and X-Delete-At do not match"
	msgBadIfDeleteAt          = "Bad X-If-Delete-At header value"
	msgNonIntegerDeleteAfter  = "Non-integer X-Delete-After"
	msgDeleteAfterInPast      = "X-Delete-After in past"
	acceptedBody              = "<html><h1>Accepted</h1><p>The request is accepted for processing.</p></html>"
	acceptedBodyContentType   = "text/html; charset=UTF-8"
	userAgent                 = "object-server"
	maxUpdateResponseBodySize = 64 << 10
)

// requestTimestamp is a write's X-Timestamp, which Swift requires.
func requestTimestamp(r *http.Request) (swift.Timestamp, error) {
	v := r.Header.Get(swift.HeaderTimestamp)
	if v == "" {
		return swift.Timestamp{}, swift.Errorf(swift.ErrBadRequest, msgMissingTimestamp)
	}
	return swift.ParseTimestamp(v)
}

// readTimestamp is the time a read is judged at for expiry: the proxy's
// X-Timestamp when it sends one, else now.
func readTimestamp(r *http.Request) swift.Timestamp {
	if ts, err := swift.ParseTimestamp(r.Header.Get(swift.HeaderTimestamp)); err == nil && r.Header.Get(swift.HeaderTimestamp) != "" {
		return ts
	}
	return swift.Now()
}

// configTrue is Swift's config_true_value.
func configTrue(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1", "yes", "on", "t", "y":
		return true
	}
	return false
}

// deleteAt reads an X-Delete-At value (0 if absent or unreadable).
func deleteAt(v string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// expired is Swift's DiskFileExpired test: X-Delete-At <= now.
func expired(m diskfile.Metadata, now swift.Timestamp) bool {
	at := deleteAt(m[diskfile.KeyDeleteAt])
	return at > 0 && !swift.TimestampFromSeconds(at).After(now)
}

// isStoredMeta says whether a header is metadata an object keeps as
// sent: user metadata, sysmeta and transient sysmeta.
func isStoredMeta(name string) bool {
	return swift.HasPrefixFold(name, swift.LevelObject.UserMetaPrefix()) ||
		swift.HasPrefixFold(name, swift.LevelObject.SysMetaPrefix()) ||
		swift.HasPrefixFold(name, transientSysmetaPrefix)
}

// isReturnedMeta says whether stored metadata goes back out on GET/HEAD.
func isReturnedMeta(name string) bool { return isStoredMeta(name) || swift.IsObjectPassThrough(name) }

// copyPassThrough stores the pass-through headers a request carries
// (Swift's allowed_headers), empty values included as Swift does.
func copyPassThrough(m diskfile.Metadata, h http.Header) {
	for _, name := range swift.ObjectPassThroughHeaders() {
		if vals, ok := h[name]; ok {
			m[name] = strings.Join(vals, ",")
		}
	}
}

// copyMeta stores the request's metadata headers with a value, as
// accept(name) selects them.
func copyMeta(m diskfile.Metadata, h http.Header, accept func(string) bool) {
	for name, vals := range h {
		if v := strings.Join(vals, ","); v != "" && accept(name) {
			m[http.CanonicalHeaderKey(name)] = v
		}
	}
}

// quoteETag is how swob sends ETags.
func quoteETag(etag string) string { return `"` + etag + `"` }

// unquoteETag is swob's normalize_etag, lower-cased for comparison with
// an MD5 hex digest.
func unquoteETag(etag string) string {
	etag = strings.TrimSpace(etag)
	if len(etag) >= 2 && etag[0] == '"' && etag[len(etag)-1] == '"' {
		etag = etag[1 : len(etag)-1]
	}
	return strings.ToLower(etag)
}

// setObjectHeaders writes the headers every answer about an existing
// object carries, as Swift's GET and HEAD do.
func setObjectHeaders(h http.Header, o *diskfile.Object) {
	m := o.Metadata()
	for k, v := range m {
		if isReturnedMeta(k) {
			h.Set(k, v)
		}
	}
	ct := m[diskfile.KeyContentType]
	if ct == "" {
		ct = defaultContentType
	}
	h.Set("Content-Type", ct)
	h.Set("Etag", m[diskfile.KeyETag]) // Swift clients see the bare MD5
	h.Set("Last-Modified", o.Timestamp().LastModified())
	h.Set(swift.HeaderTimestamp, o.Timestamp().Normal())
	h.Set(swift.HeaderBackendTimestamp, o.Timestamp().Internal())
	h.Set(headerDataTimestamp, o.DataTimestamp().Internal())
	h.Set(headerDurableTimestamp, o.DataTimestamp().Internal())
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Length", strconv.FormatInt(o.Size(), 10))
}

// conditionalETag is the ETag conditional requests are judged by: normally
// the object's, but X-Backend-Etag-Is-At names metadata holding another
// (an SLO's manifest ETag, say), the first present one winning.
func conditionalETag(h http.Header, m diskfile.Metadata) string {
	for _, name := range strings.Split(h.Get(headerEtagIsAt), ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		for k, v := range m {
			if strings.EqualFold(k, name) {
				return v
			}
		}
	}
	return m[diskfile.KeyETag]
}

// ignoreRange applies X-Backend-Ignore-Range-If-Metadata-Present: a
// middleware that will rewrite the body (an SLO manifest, say) asks for
// all of it when the object carries one of the named metadata.
func ignoreRange(h http.Header, m diskfile.Metadata) bool {
	for _, name := range strings.Split(h.Get(headerIgnoreRange), ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		for k := range m {
			if strings.EqualFold(k, name) {
				return true
			}
		}
	}
	return false
}
