package swift

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Swift's guards against abusive range sets (swob's MAX_RANGES,
// MAX_RANGE_OVERLAPS and MAX_NONASCENDING_RANGES; RFC 7233 section 6.1).
// A set that trips any of them is refused as unsatisfiable.
const (
	maxRanges             = 50 // more satisfiable ranges than this
	maxRangeOverlaps      = 2  // more overlapping pairs than this
	maxNonAscendingRanges = 8  // this many ranges or more, out of order
)

// ByteRange is a satisfiable range [Start, End) resolved against an entity size.
type ByteRange struct{ Start, End int64 }

// Length is the number of bytes in the range.
func (r ByteRange) Length() int64 { return r.End - r.Start }

// ContentRange is the Content-Range header value for the range of an
// entity of size bytes: "bytes 0-9/100".
func (r ByteRange) ContentRange(size int64) string {
	return "bytes " + strconv.FormatInt(r.Start, 10) + "-" + strconv.FormatInt(r.End-1, 10) +
		"/" + strconv.FormatInt(size, 10)
}

// rangeSpec is one byte-range-spec as written in the header; a missing
// bound is nil ("500-" has no last, "-500" has no first).
type rangeSpec struct {
	first, last *pyDecimal
}

// parseRangeHeader is swob.Range's constructor. It reports false for a
// header that is syntactically invalid anywhere, which Swift then ignores
// as a whole (RFC 7233: a recipient MUST ignore a Range header containing
// an invalid byte-range-spec).
func parseRangeHeader(header string) ([]rangeSpec, bool) {
	if header == "" {
		return nil, false
	}
	// swob removes spaces (only spaces) before anything else.
	header = strings.ReplaceAll(header, " ", "")
	if len(header) < len("bytes=") || asciiLower(header[:len("bytes=")]) != "bytes=" {
		return nil, false
	}
	var specs []rangeSpec
	for _, spec := range strings.Split(header[len("bytes="):], ",") {
		firstText, lastText, ok := strings.Cut(spec, "-")
		if !ok {
			return nil, false
		}
		var s rangeSpec
		if firstText != "" {
			// swob calls int() on the first position, which allows
			// surrounding whitespace, a '+' and digit-separating underscores.
			first, ok := parsePyUint(firstText)
			if !ok {
				return nil, false
			}
			s.first = &first
		}
		if lastText != "" {
			// ...but requires the last position to be all digits.
			last, ok := parseASCIIDigits(lastText)
			if !ok || (s.first != nil && last.cmp(*s.first) < 0) {
				return nil, false
			}
			s.last = &last
		} else if s.first == nil {
			return nil, false
		}
		specs = append(specs, s)
	}
	return specs, true
}

// ParseRange resolves a Range header against size as Swift's swob does:
// (nil, nil) when the header is absent or syntactically invalid, or when
// the entity is empty and a suffix range was asked for (Swift then serves
// the whole entity with 200); an error wrapping ErrRangeNotSatisfiable when
// no range is satisfiable; else the satisfiable ranges in request order,
// unsatisfiable ones dropped. Suffix ranges ("-500") take the last bytes,
// open ranges ("9500-") run to the end, and ends past the entity are
// clipped. Like swob, a set of more than 50 satisfiable ranges, more than
// two overlapping pairs, or eight or more ranges out of ascending order is
// refused as unsatisfiable (swob's ranges_for_length returns [] and
// Swift answers 416) rather than served.
func ParseRange(header string, size int64) ([]ByteRange, error) {
	specs, ok := parseRangeHeader(header)
	if !ok || size < 0 {
		return nil, nil
	}
	var ranges []ByteRange
	for _, s := range specs {
		switch {
		case s.first == nil: // suffix range: the last N bytes
			n := s.last.int64Sat()
			switch {
			case n == 0:
				continue // "bytes=-0" asks for nothing
			case n > size:
				ranges = append(ranges, ByteRange{0, size})
			default:
				ranges = append(ranges, ByteRange{size - n, size})
			}
		default:
			first := s.first.int64Sat()
			if first >= size {
				continue
			}
			end := size
			if s.last != nil {
				if last := s.last.int64Sat(); last < size-1 {
					end = last + 1
				}
			}
			ranges = append(ranges, ByteRange{first, end})
		}
	}
	if len(ranges) == 0 || isAbusiveRangeSet(ranges) {
		return nil, Errorf(ErrRangeNotSatisfiable, "Requested Range Not Satisfiable")
	}
	if size == 0 {
		// Only suffix ranges get here, as [0,0): there are no byte
		// positions to name in a Content-Range, so Swift (like Apache and
		// nginx) answers 200 with the empty entity.
		return nil, nil
	}
	return ranges, nil
}

// isAbusiveRangeSet applies swob's three guards, with swob's exact
// definitions: ranges overlap when an end point of one lies strictly
// inside the other (identical and adjacent ranges do not overlap), and
// order is that of (start, end) pairs.
func isAbusiveRangeSet(ranges []ByteRange) bool {
	if len(ranges) > maxRanges {
		return true
	}
	overlaps := 0
	for i, a := range ranges {
		for _, b := range ranges[i+1:] {
			if (a.Start < b.Start && b.Start < a.End) || (a.Start < b.End && b.End < a.End) ||
				(b.Start < a.Start && a.Start < b.End) || (b.Start < a.End && a.End < b.End) {
				overlaps++
				if overlaps > maxRangeOverlaps {
					return true
				}
			}
		}
	}
	if len(ranges) < maxNonAscendingRanges {
		return false
	}
	for i := 1; i < len(ranges); i++ {
		a, b := ranges[i-1], ranges[i]
		if a.Start > b.Start || (a.Start == b.Start && a.End > b.End) {
			return true
		}
	}
	return false
}

// RequestRanges is ParseRange for a request: Swift honours Range on GET
// only. A HEAD is answered as for a GET without Range (200, full
// Content-Length), never 206 or 416, because swob finishes HEAD responses
// before it looks at ranges.
func RequestRanges(r *http.Request, size int64) ([]ByteRange, error) {
	if r.Method != http.MethodGet {
		return nil, nil
	}
	return ParseRange(strings.Join(r.Header.Values("Range"), ","), size)
}

// WriteRanges answers a GET whose entity is readable at random (a file):
// no ranges → 200 with the whole entity; one range → 206 with
// Content-Range; several → 206 multipart/byteranges (a random boundary,
// each part with Content-Type and Content-Range), Content-Length exact in
// every case. For HEAD it writes the headers of the 200 whole-entity
// answer only, as Swift ignores Range on HEAD. Callers set ETag,
// Last-Modified and metadata headers beforehand. An error after the
// status line is written means the body is short; the caller can only
// abort the connection.
func WriteRanges(w http.ResponseWriter, r *http.Request, contentType string, size int64, ranges []ByteRange, src io.ReaderAt) error {
	h := w.Header()
	if r.Method == http.MethodHead || len(ranges) == 0 {
		h.Set("Content-Type", contentType)
		h.Set("Content-Length", strconv.FormatInt(size, 10))
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodHead {
			return nil
		}
		return copyRange(w, src, ByteRange{0, size})
	}
	if len(ranges) == 1 {
		rng := ranges[0]
		h.Set("Content-Type", contentType)
		h.Set("Content-Range", rng.ContentRange(size))
		h.Set("Content-Length", strconv.FormatInt(rng.Length(), 10))
		w.WriteHeader(http.StatusPartialContent)
		return copyRange(w, src, rng)
	}
	mr := NewMultipartRanges(w, contentType, size, ranges)
	h.Set("Content-Type", mr.ContentType())
	h.Set("Content-Length", strconv.FormatInt(mr.ContentLength(), 10))
	h.Del("Content-Range")
	w.WriteHeader(http.StatusPartialContent)
	for i, rng := range ranges {
		if err := mr.BeginPart(i); err != nil {
			return err
		}
		if err := copyRange(w, src, rng); err != nil {
			return err
		}
	}
	return mr.Close()
}

// copyRange copies exactly rng's bytes from src to w.
func copyRange(w io.Writer, src io.ReaderAt, rng ByteRange) error {
	n, err := io.Copy(w, io.NewSectionReader(src, rng.Start, rng.Length()))
	if err == nil && n != rng.Length() {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return fmt.Errorf("swift: writing bytes %d-%d: %w", rng.Start, rng.End-1, err)
	}
	return nil
}

// WriteRangeNotSatisfiable answers 416 with "Content-Range: bytes */SIZE".
func WriteRangeNotSatisfiable(w http.ResponseWriter, r *http.Request, size int64) {
	w.Header().Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
	WriteError(w, r, Errorf(ErrRangeNotSatisfiable, "Requested Range Not Satisfiable"))
}

// MultipartRanges streams a multipart/byteranges body, byte for byte as
// swob's multi_range_iterator writes it, for sources that are not
// random-access (large-object segments). The caller sets the headers from
// ContentType and ContentLength, then for each range i in order calls
// BeginPart(i) and writes exactly ranges[i].Length() bytes, then calls
// Close.
type MultipartRanges struct {
	w           io.Writer
	contentType string
	size        int64
	ranges      []ByteRange
	boundary    string
	next        int // the part BeginPart expects
	closed      bool
}

// NewMultipartRanges prepares a multipart/byteranges body of the given
// ranges of an entity of contentType and size, with a random boundary of
// 32 hex digits as swob makes them.
func NewMultipartRanges(w io.Writer, contentType string, size int64, ranges []ByteRange) *MultipartRanges {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand aborts the process instead
	return &MultipartRanges{
		w:           w,
		contentType: contentType,
		size:        size,
		ranges:      ranges,
		boundary:    hex.EncodeToString(b[:]),
	}
}

// ContentType is the Content-Type header value, boundary included, written
// as swob writes it (no space after the semicolon).
func (m *MultipartRanges) ContentType() string {
	return "multipart/byteranges;boundary=" + m.boundary
}

// ContentLength is the exact length of the whole body.
func (m *MultipartRanges) ContentLength() int64 {
	var n int64
	for _, r := range m.ranges {
		n += int64(len(m.partHeader(r))+len("\r\n")) + r.Length()
	}
	return n + int64(len("--")+len(m.boundary)+len("--"))
}

// partHeader is what precedes a part's bytes.
func (m *MultipartRanges) partHeader(r ByteRange) string {
	return "--" + m.boundary + "\r\nContent-Type: " + m.contentType +
		"\r\nContent-Range: " + r.ContentRange(m.size) + "\r\n\r\n"
}

// BeginPart writes the header of part i (and the line break ending part
// i-1). Parts must be begun in order, each after the previous part's bytes.
func (m *MultipartRanges) BeginPart(i int) error {
	if m.closed || i != m.next || i >= len(m.ranges) {
		return fmt.Errorf("swift: multipart ranges: part %d begun out of order (next is %d of %d)", i, m.next, len(m.ranges))
	}
	head := m.partHeader(m.ranges[i])
	if i > 0 {
		head = "\r\n" + head
	}
	m.next++
	_, err := io.WriteString(m.w, head)
	return err
}

// Close writes the closing boundary. It is an error to close before every
// part was begun, as the body would then be shorter than ContentLength.
func (m *MultipartRanges) Close() error {
	if m.closed {
		return nil
	}
	if m.next != len(m.ranges) {
		return fmt.Errorf("swift: multipart ranges: closed after %d of %d parts", m.next, len(m.ranges))
	}
	m.closed = true
	tail := "--" + m.boundary + "--"
	if len(m.ranges) > 0 {
		tail = "\r\n" + tail
	}
	_, err := io.WriteString(m.w, tail)
	return err
}
