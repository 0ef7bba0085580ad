package slo

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/sciswift/sciswift/server/swift"
)

// Sysmeta headers in which the manifest PUT records the large object's
// ETag and size, so that GET and HEAD need not read the manifest.
const (
	headerSysmetaETag = "X-Object-Sysmeta-Slo-Etag"
	headerSysmetaSize = "X-Object-Sysmeta-Slo-Size"
)

// errUnloadable is Swift's HTTPServerError("Unable to load SLO manifest"):
// a stored manifest this middleware cannot use.
var errUnloadable = swift.Errorf(errors.New("internal server error"), "Unable to load SLO manifest")

// storedSegment is one entry of a manifest as stored in the object body
// (Swift's "get" format). Field order is Swift's, so that stored
// manifests read the same as Swift's.
type storedSegment struct {
	Name         string  `json:"name,omitempty"`
	Bytes        *int64  `json:"bytes,omitempty"`
	Hash         string  `json:"hash,omitempty"`
	ContentType  string  `json:"content_type,omitempty"`
	LastModified string  `json:"last_modified,omitempty"`
	Range        string  `json:"range,omitempty"`
	SubSLO       bool    `json:"sub_slo,omitempty"`
	Data         *string `json:"data,omitempty"` // base64
}

// segment is a stored segment made ready to serve: inline data decoded,
// and the number of bytes it contributes worked out.
type segment struct {
	storedSegment
	data   []byte // inline data; nil for object segments
	length int64  // bytes this segment adds to the large object
	// start and end are the inclusive range used within the object.
	start, end int64
}

func (s *segment) isData() bool { return s.Data != nil }

// decodeManifest parses a stored manifest. Anything a PUT through this
// middleware could not have written is errUnloadable: the body is
// trusted only as far as its shape is checked.
func decodeManifest(body []byte) ([]segment, error) {
	var stored []storedSegment
	if err := json.Unmarshal(body, &stored); err != nil {
		return nil, errUnloadable
	}
	segs := make([]segment, len(stored))
	var total int64
	for i, st := range stored {
		seg, err := annotate(st)
		if err != nil {
			return nil, err
		}
		if seg.length > math.MaxInt64-total {
			return nil, errUnloadable
		}
		total += seg.length
		segs[i] = seg
	}
	return segs, nil
}

func annotate(st storedSegment) (segment, error) {
	seg := segment{storedSegment: st}
	if st.Data != nil {
		raw, err := base64.StdEncoding.DecodeString(*st.Data)
		if err != nil {
			return segment{}, errUnloadable
		}
		seg.data, seg.length, seg.end = raw, int64(len(raw)), int64(len(raw))-1
		return seg, nil
	}
	if st.Bytes == nil || *st.Bytes < 0 || !strings.Contains(strings.TrimLeft(st.Name, "/"), "/") {
		return segment{}, errUnloadable
	}
	size := *st.Bytes
	if st.SubSLO {
		// Old manifests recorded a sub-manifest's own size in bytes and
		// its large object's size in swift_bytes.
		if n, ok := swiftBytes(st.ContentType); ok {
			size = n
		}
	}
	seg.start, seg.end = 0, size-1
	if st.Range != "" {
		first, last, ok := parseStoredRange(st.Range)
		if !ok {
			return segment{}, errUnloadable
		}
		seg.start, seg.end = first, last
	}
	seg.length = seg.end - seg.start + 1
	return seg, nil
}

// parseStoredRange parses the "first-last" form the PUT normalises every
// segment range to.
func parseStoredRange(s string) (first, last int64, ok bool) {
	a, b, found := strings.Cut(s, "-")
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if !found || err1 != nil || err2 != nil || first < 0 || last < first || last == math.MaxInt64 {
		return 0, 0, false
	}
	return first, last, true
}

// largeObjectETag is the SLO's ETag: the MD5 of its segments' ETags in
// order, where a ranged segment counts as "etag:range;" and inline data
// as the MD5 of the data.
func largeObjectETag(segs []storedSegment) string {
	h := md5.New()
	for _, s := range segs {
		switch {
		case s.Data != nil:
			raw, _ := base64.StdEncoding.DecodeString(*s.Data)
			sum := md5.Sum(raw)
			h.Write([]byte(hex.EncodeToString(sum[:])))
		case s.Range != "":
			h.Write([]byte(s.Hash + ":" + s.Range + ";"))
		default:
			h.Write([]byte(s.Hash))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// attributes are the large object's ETag (unquoted) and size.
type attributes struct {
	etag string
	size int64
}

// sysmetaAttributes reads what the PUT recorded. Manifests written
// without them (Swift's "legacy" manifests) report false and must be read.
func sysmetaAttributes(h http.Header) (attributes, bool) {
	etag := h.Get(headerSysmetaETag)
	size, err := strconv.ParseInt(h.Get(headerSysmetaSize), 10, 64)
	if etag == "" || err != nil || size < 0 {
		return attributes{}, false
	}
	return attributes{etag: etag, size: size}, true
}

func segmentAttributes(segs []segment) attributes {
	stored := make([]storedSegment, len(segs))
	var size int64
	for i, s := range segs {
		stored[i] = s.storedSegment
		size += s.length
	}
	return attributes{etag: largeObjectETag(stored), size: size}
}

// swiftBytes extracts the swift_bytes parameter Swift appends to a
// manifest's Content-Type to carry the large object's size to listings.
func swiftBytes(contentType string) (int64, bool) {
	for _, param := range strings.Split(contentType, ";")[1:] {
		k, v, _ := strings.Cut(strings.TrimSpace(param), "=")
		if k == "swift_bytes" {
			n, err := strconv.ParseInt(v, 10, 64)
			return n, err == nil && n >= 0
		}
	}
	return 0, false
}

// withoutSwiftBytes removes the swift_bytes parameter, which clients
// never see.
func withoutSwiftBytes(contentType string) string {
	parts := strings.Split(contentType, ";")
	out := parts[:1]
	for _, param := range parts[1:] {
		if k, _, _ := strings.Cut(strings.TrimSpace(param), "="); k != "swift_bytes" {
			out = append(out, param)
		}
	}
	return strings.Join(out, ";")
}

// rawManifest renders stored segments in the form a client PUTs, sorted
// keys and Python's separators, as Swift's multipart-manifest=get&format=raw
// does, so that the output can be PUT again to make a copy.
func rawManifest(segs []storedSegment) []byte {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range segs {
		if i > 0 {
			b.WriteString(", ")
		}
		if s.Data != nil {
			b.WriteString(`{"data": ` + jsonString(*s.Data) + "}")
			continue
		}
		b.WriteString(`{"etag": ` + jsonString(s.Hash) + `, "path": ` + jsonString(s.Name))
		if s.Range != "" {
			b.WriteString(`, "range": ` + jsonString(s.Range))
		}
		size := "null"
		if s.Bytes != nil {
			size = strconv.FormatInt(*s.Bytes, 10)
		}
		b.WriteString(`, "size_bytes": ` + size + "}")
	}
	b.WriteByte(']')
	return []byte(b.String())
}

func jsonString(s string) string {
	enc, _ := json.Marshal(s)
	return string(enc)
}

// trueValue is Swift's config_true_value for header values.
func trueValue(v string) bool {
	switch strings.ToLower(v) {
	case "true", "1", "yes", "on", "t", "y":
		return true
	}
	return false
}

func isSLO(h http.Header) bool { return trueValue(h.Get(swift.HeaderStaticLarge)) }

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}
