package slo

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/sciswift/sciswift/server/swift"
)

// putSegment is one validated entry of a manifest a client PUTs: either
// an object segment (Path, with optional checks and range) or inline
// Data.
type putSegment struct {
	Path  string
	ETag  *string    // nil: not checked
	Size  *int64     // nil: not checked
	Range *rangeSpec // nil: the whole object
	Data  []byte     // decoded; non-nil for data segments
}

func (s *putSegment) isData() bool { return s.Data != nil }

// parsePutManifest parses and checks a manifest body as Swift's
// parse_and_validate_input does, with Swift's messages: every problem is
// listed, one per line, in a single 400. container and object name the
// manifest itself, which may not be one of its own segments.
func parsePutManifest(body []byte, container, object string) ([]putSegment, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil || dec.Decode(new(any)) != io.EOF {
		return nil, swift.Errorf(swift.ErrBadRequest, "Manifest must be valid JSON.\n")
	}
	list, ok := doc.([]any)
	if !ok {
		return nil, swift.Errorf(swift.ErrBadRequest, "Manifest must be a list.\n")
	}
	self := container + "/" + object
	segs := make([]putSegment, len(list))
	var problems []string
	allData := len(list) > 0
	for i, elem := range list {
		obj, isObj := elem.(map[string]any)
		allData = allData && isObj && hasKey(obj, "data")
		seg, err := parsePutSegment(elem, i, i == len(list)-1, self)
		if err != "" {
			problems = append(problems, fmt.Sprintf("Index %d: %s", i, err))
			continue
		}
		segs[i] = seg
	}
	if allData {
		problems = append(problems, "Inline data segments require at least one object-backed segment.")
	}
	if len(problems) > 0 {
		return nil, swift.Errorf(swift.ErrBadRequest, "%s\n", strings.Join(problems, "\n"))
	}
	return segs, nil
}

// parsePutSegment checks one element; a non-empty string is the problem.
func parsePutSegment(elem any, index int, last bool, self string) (putSegment, string) {
	obj, ok := elem.(map[string]any)
	if !ok {
		return putSegment{}, "not a JSON object"
	}
	// Swift looks for "data" before "path": an element with both is a
	// data segment with an extraneous key.
	kind, allowed := "", map[string]bool{}
	switch {
	case hasKey(obj, "data"):
		kind, allowed = "data", map[string]bool{"data": true}
	case hasKey(obj, "path"):
		kind, allowed = "path", map[string]bool{"path": true, "etag": true, "size_bytes": true, "range": true}
	default:
		return putSegment{}, `expected keys to include one of 'data' or 'path'`
	}
	if extra := extraneous(obj, allowed); extra != "" {
		return putSegment{}, "extraneous keys " + extra
	}
	if kind == "data" {
		return parseDataSegment(obj["data"])
	}
	return parseObjectSegment(obj, index, last, self)
}

func hasKey(obj map[string]any, k string) bool {
	_, ok := obj[k]
	return ok
}

func extraneous(obj map[string]any, allowed map[string]bool) string {
	var keys []string
	for k := range obj {
		if !allowed[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for i, k := range keys {
		keys[i] = jsonString(k)
	}
	return strings.Join(keys, ", ")
}

func parseDataSegment(v any) (putSegment, string) {
	s, ok := v.(string)
	if !ok {
		return putSegment{}, "data must be valid base64"
	}
	raw, ok := strictBase64(s)
	if !ok {
		return putSegment{}, "data must be valid base64"
	}
	if len(raw) < 1 {
		return putSegment{}, "too small; each segment must be at least 1 byte."
	}
	return putSegment{Data: raw}, ""
}

// strictBase64 decodes as Swift's strict_b64decode: only the base64
// alphabet between any leading and trailing "=", and enough padding.
func strictBase64(s string) ([]byte, bool) {
	body := strings.Trim(s, "=")
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
			return nil, false
		}
	}
	pad := len(s) - len(strings.TrimRight(s, "="))
	switch len(body) % 4 {
	case 1:
		return nil, false
	case 2, 3:
		if len(body)%4+pad < 4 {
			return nil, false
		}
	}
	raw, err := base64.RawStdEncoding.DecodeString(body)
	return raw, err == nil
}

func parseObjectSegment(obj map[string]any, index int, last bool, self string) (putSegment, string) {
	path, ok := obj["path"].(string)
	if !ok {
		return putSegment{}, `"path" must be a string`
	}
	seg := putSegment{Path: path}
	switch etag := obj["etag"].(type) {
	case nil:
	case string:
		seg.ETag = &etag
	default:
		return putSegment{}, `"etag" must be a string or null (if provided)`
	}
	if !strings.Contains(strings.Trim(path, "/"), "/") {
		return putSegment{}, "path does not refer to an object. Path must be of the form /container/object."
	}
	if v := obj["size_bytes"]; v != nil {
		size, ok := pythonInt(v)
		if !ok {
			return putSegment{}, "invalid size_bytes"
		}
		if size < 1 && !last {
			return putSegment{}, "too small; each segment must be at least 1 byte."
		}
		seg.Size = &size
	}
	if strings.TrimLeft(path, "/") == self {
		return putSegment{}, "manifest must not include itself as a segment"
	}
	if v := obj["range"]; truthy(v) {
		spec, problem := parseSegmentRange(v, seg.Size)
		if problem != "" {
			return putSegment{}, problem
		}
		seg.Range = &spec
	}
	return seg, ""
}

// pythonInt converts a size as Python's int() does for JSON values:
// integers, floats (truncated), numeric strings and booleans.
func pythonInt(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number:
		if n, err := strconv.ParseInt(x.String(), 10, 64); err == nil {
			return n, true
		}
		f, err := strconv.ParseFloat(x.String(), 64)
		if err != nil || math.Abs(f) >= math.MaxInt64 {
			return 0, false
		}
		return int64(f), true
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n, err == nil
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// truthy is Python's truth value of a JSON value.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case json.Number:
		f, err := x.Float64()
		return err != nil || f != 0
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

func parseSegmentRange(v any, size *int64) (rangeSpec, string) {
	text := ""
	switch x := v.(type) {
	case string:
		text = x
	case json.Number:
		// Python formats the number into "bytes=%s": only a negative
		// integer ("-5") makes a valid (suffix) range.
		text = x.String()
	}
	specs, ok := parseRangeHeader("bytes=" + text)
	switch {
	case !ok:
		return rangeSpec{}, "invalid range"
	case len(specs) > 1:
		return rangeSpec{}, "multiple ranges (only one allowed)"
	}
	if size != nil {
		if _, _, ok := specs[0].forLength(*size); !ok {
			return rangeSpec{}, "unsatisfiable range"
		}
	}
	return specs[0], ""
}

// rangeSpec is one byte-range-spec as swob.Range parses it: first < 0
// for a suffix range ("-N", N in last), last < 0 for an open end ("N-").
type rangeSpec struct {
	first, last int64
}

// parseRangeHeader parses a Range value as swob.Range does; unlike an
// HTTP server, which ignores a bad Range header, a manifest's bad range
// is an error the client must hear about.
func parseRangeHeader(v string) ([]rangeSpec, bool) {
	v = strings.ReplaceAll(v, " ", "")
	if !strings.HasPrefix(strings.ToLower(v), "bytes=") {
		return nil, false
	}
	var specs []rangeSpec
	for _, part := range strings.Split(v[len("bytes="):], ",") {
		a, b, ok := strings.Cut(part, "-")
		if !ok {
			return nil, false
		}
		spec := rangeSpec{first: -1, last: -1}
		if a != "" {
			n, err := strconv.ParseUint(strings.TrimPrefix(a, "+"), 10, 63)
			if err != nil {
				return nil, false
			}
			spec.first = int64(n)
		}
		if b != "" {
			n, err := strconv.ParseUint(b, 10, 63)
			if err != nil || (spec.first >= 0 && int64(n) < spec.first) {
				return nil, false
			}
			spec.last = int64(n)
		} else if spec.first < 0 {
			return nil, false
		}
		specs = append(specs, spec)
	}
	return specs, true
}

// forLength resolves the spec against an object of size bytes, as
// swob's ranges_for_length: the half-open [start, end), or false when it
// selects nothing.
func (s rangeSpec) forLength(size int64) (start, end int64, ok bool) {
	switch {
	case s.first < 0: // suffix
		if s.last == 0 {
			return 0, 0, false
		}
		return max(size-s.last, 0), size, true
	case s.first >= size:
		return 0, 0, false
	case s.last < 0:
		return s.first, size, true
	}
	return s.first, min(s.last+1, size), true
}
