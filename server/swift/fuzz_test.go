package swift

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz targets for every parser of untrusted input in this package. Each
// checks properties that must hold for any input, beyond not panicking.

func checkName(t *testing.T, what, name string) {
	t.Helper()
	if !utf8.ValidString(name) || strings.IndexByte(name, 0) >= 0 {
		t.Fatalf("%s %q: invalid UTF-8 or NUL after a successful parse", what, name)
	}
}

func FuzzParsePublicPath(f *testing.F) {
	for _, s := range []string{
		"/v1/AUTH_test", "/v1/a/c/", "/v1/a/c/o/p", "/v1/a/c%2Fd/o", "/v1/a/c/%00", "//a", "/v1//c/o",
		"/v1/a/c/%FF", "/v1/a/c/o?x=y", "/v1/%2E%2E/%2E%2E/%2E%2E",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.ParseRequestURI(raw)
		if err != nil {
			return
		}
		p, err := ParsePublicPath(u)
		if err != nil {
			if s := Status(err); s != http.StatusNotFound && s != http.StatusPreconditionFailed {
				t.Fatalf("%q: status %d (%v)", raw, s, err)
			}
			return
		}
		for _, n := range []string{p.Version, p.Account, p.Container, p.Object} {
			checkName(t, "segment", n)
		}
		if p.Account == "" || (p.Object != "" && p.Container == "") || strings.Contains(p.Container, "/") ||
			strings.Contains(p.Account, "/") || p.Device != "" || p.Partition != "" {
			t.Fatalf("%q: malformed %+v", raw, p)
		}
	})
}

func FuzzParseBackendPath(f *testing.F) {
	for _, s := range []string{
		"/d1/0/a", "/d1/0/a/c/o", "/../0/a", "/d1/../a", "/%2E%2E/0/a", "/d1/0/a/c/%00", "/d%2F1/0/a/c",
		"/d1/0/a//o", "/d\\1/0/a",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.ParseRequestURI(raw)
		if err != nil {
			return
		}
		p, err := ParseBackendPath(u)
		if err != nil {
			if s := Status(err); s != http.StatusBadRequest && s != http.StatusPreconditionFailed {
				t.Fatalf("%q: status %d (%v)", raw, s, err)
			}
			return
		}
		for _, n := range []string{p.Device, p.Partition, p.Account, p.Container, p.Object} {
			checkName(t, "segment", n)
		}
		for _, dir := range []string{p.Device, p.Partition} {
			if dir == "" || dir == "." || dir == ".." || strings.ContainsAny(dir, "/\\") {
				t.Fatalf("%q: device or partition %q could leave its parent directory", raw, dir)
			}
		}
		if p.Account == "" || (p.Object != "" && p.Container == "") || strings.Contains(p.Container, "/") {
			t.Fatalf("%q: malformed %+v", raw, p)
		}
		// What a client builds with EscapePath parses back to the same path.
		segs := []string{p.Device, p.Partition, p.Account}
		if p.Container != "" {
			segs = append(segs, p.Container)
		}
		if p.Object != "" {
			segs = append(segs, p.Object)
		}
		u2, err := url.ParseRequestURI(EscapePath(segs...))
		if err != nil {
			t.Fatalf("EscapePath(%q) does not parse: %v", segs, err)
		}
		if p2, err := ParseBackendPath(u2); err != nil || p2 != p {
			t.Fatalf("round trip of %+v through %q: %+v, %v", p, EscapePath(segs...), p2, err)
		}
	})
}

func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{
		"0", "1700000000.12345", "1700000000.12345_000000000000000a", "9999999999.99999", "9999999999.999999",
		"1e5", ".5", "-0", "1.000005", "1_0", "inf", "0x1p3",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := ParseTimestamp(s)
		if err != nil {
			if Status(err) != http.StatusBadRequest {
				t.Fatalf("%q: status %d", s, Status(err))
			}
			return
		}
		normal, err := ParseTimestamp(ts.Normal())
		if err != nil || normal != ts.WithOffset(0) || len(ts.Normal()) != 16 {
			t.Fatalf("%q: Normal %q parses to %v, %v", s, ts.Normal(), normal, err)
		}
		internal, err := ParseTimestamp(ts.Internal())
		if err != nil || internal != ts {
			t.Fatalf("%q: Internal %q parses to %v, %v", s, ts.Internal(), internal, err)
		}
		listed, err := ParseListingTime(ts.ListingTime())
		if err != nil || listed != ts.WithOffset(0) {
			t.Fatalf("%q: ListingTime %q parses to %v, %v", s, ts.ListingTime(), listed, err)
		}
		if ts.CeilSeconds()*ticksPerSecond < ts.ticks || (ts.CeilSeconds()-1)*ticksPerSecond >= ts.ticks && ts.ticks > 0 {
			t.Fatalf("%q: CeilSeconds %d for %d ticks", s, ts.CeilSeconds(), ts.ticks)
		}
	})
}

func FuzzParseListingTime(f *testing.F) {
	for _, s := range []string{"2023-11-14T22:13:20.123450", "1970-01-01T00:00:00", "2286-11-20T17:46:39.999999", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := ParseListingTime(s)
		if err != nil {
			return
		}
		if again, err := ParseListingTime(ts.ListingTime()); err != nil || again != ts {
			t.Fatalf("%q: %v → %q → %v, %v", s, ts, ts.ListingTime(), again, err)
		}
	})
}

// FuzzMetadata feeds arbitrary header lines ("Name: value" per line) through
// UserMetadata and CheckMetadata: whatever passes must be within Swift's
// limits.
func FuzzMetadata(f *testing.F) {
	f.Add("X-Object-Meta-Color: blue\nX-Remove-Object-Meta-Old: x", 2)
	f.Add("X-Container-Meta-"+strings.Repeat("k", 129)+": v", 1)
	f.Add("X-Account-Meta-: v\nx-account-meta-\xff: \x00", 0)
	f.Fuzz(func(t *testing.T, lines string, levelN int) {
		level := Level(1 + (levelN%3+3)%3)
		h := http.Header{}
		for _, line := range strings.Split(lines, "\n") {
			name, value, _ := strings.Cut(line, ":")
			h[name] = append(h[name], strings.TrimSpace(value))
		}
		l := DefaultLimits()
		meta := UserMetadata(h, level)
		err := l.CheckMetadata(meta, level)
		if err != nil {
			if Status(err) != http.StatusBadRequest || Message(err) == "" {
				t.Fatalf("status %d, message %q", Status(err), Message(err))
			}
			return
		}
		count, size := 0, 0
		prefix := level.UserMetaPrefix()
		for k, v := range meta {
			if !HasPrefixFold(k, prefix) {
				t.Fatalf("UserMetadata returned %q for level %v", k, level)
			}
			if v == "" {
				continue
			}
			name := k[len(prefix):]
			if name == "" || len(name) > l.MaxMetaNameLength || len(v) > l.MaxMetaValueLength ||
				!utf8.ValidString(name+v) || strings.IndexByte(name+v, 0) >= 0 {
				t.Fatalf("accepted %q: %q", k, v)
			}
			count++
			size += len(name) + len(v)
		}
		if count > l.MaxMetaCount || size > l.MaxMetaOverallSize {
			t.Fatalf("accepted %d items, %d bytes", count, size)
		}
	})
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{
		"bytes=0-9", "bytes=-5", "bytes=5-", "bytes=0-1,-7", "bytes=10-20,20-30,30-40,40-50", "BYTES = 1 - 2",
		"bytes=1_0-20", "bytes=99999999999999999999999-", "bytes=0-0,0-0,0-0", "bytes=-0",
	} {
		f.Add(s, int64(100))
	}
	f.Add("bytes=-5", int64(0))
	f.Fuzz(func(t *testing.T, header string, size int64) {
		ranges, err := ParseRange(header, size)
		if err != nil {
			if Status(err) != http.StatusRequestedRangeNotSatisfiable {
				t.Fatalf("%q/%d: status %d", header, size, Status(err))
			}
			return
		}
		if size <= 0 && ranges != nil {
			t.Fatalf("%q/%d: ranges %v of an empty entity", header, size, ranges)
		}
		if len(ranges) > maxRanges || (ranges != nil && isAbusiveRangeSet(ranges)) {
			t.Fatalf("%q/%d: abusive set %v accepted", header, size, ranges)
		}
		for _, r := range ranges {
			if r.Start < 0 || r.End <= r.Start || r.End > size {
				t.Fatalf("%q/%d: range %v outside [0,%d)", header, size, r, size)
			}
		}
		if len(ranges) > 1 && size < 1<<20 {
			// The multipart body is exactly as long as announced.
			src := strings.NewReader(strings.Repeat("x", int(size)))
			rec := httptest.NewRecorder()
			if err := WriteRanges(rec, httptest.NewRequest("GET", "/", nil), "a/b", size, ranges, src); err != nil {
				t.Fatal(err)
			}
			if rec.Header().Get("Content-Length") != strconv.Itoa(rec.Body.Len()) {
				t.Fatalf("%q/%d: Content-Length %s, body %d", header, size, rec.Header().Get("Content-Length"), rec.Body.Len())
			}
		}
	})
}

func FuzzParseListingQuery(f *testing.F) {
	for _, s := range []string{
		"prefix=a/&delimiter=/&limit=10", "path=a/b//", "limit=99999999999999999999", "marker=%FF", "prefix=%00",
		"delimiter=ab", "reverse=YES&limit=-1", "path=&prefix=x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		const maxLimit = 1000
		lq, err := ParseListingQuery(q, maxLimit)
		if err != nil {
			if s := Status(err); s != http.StatusBadRequest && s != http.StatusPreconditionFailed {
				t.Fatalf("%q: status %d", raw, s)
			}
			return
		}
		if lq.Limit < 0 || lq.Limit > maxLimit || len(lq.Delimiter) > 1 || (lq.Path && lq.Delimiter != "/") {
			t.Fatalf("%q: %+v", raw, lq)
		}
		for _, v := range []string{lq.Prefix, lq.Delimiter, lq.Marker, lq.EndMarker} {
			checkName(t, "parameter", v)
		}
	})
}

func FuzzNegotiateListingFormat(f *testing.F) {
	for _, s := range []string{
		"application/json", "*/*;q=0.9,application/xml;q=1.0", "text/plain,,", `a/b;c="d\"e";q=0.5`, "text/*;q=nan",
	} {
		f.Add(s, "")
	}
	f.Add("", "json")
	f.Fuzz(func(t *testing.T, accept, format string) {
		req := httptest.NewRequest("GET", "/v1/a", nil)
		req.URL.RawQuery = url.Values{"format": {format}}.Encode()
		req.Header.Set("Accept", accept)
		got, err := NegotiateListingFormat(req)
		switch Status(err) {
		case http.StatusOK:
			if got != FormatPlain && got != FormatJSON && got != FormatXML {
				t.Fatalf("format %d", got)
			}
		case http.StatusBadRequest, http.StatusNotAcceptable:
		default:
			t.Fatalf("%q %q: %v", accept, format, err)
		}
	})
}

func FuzzCheckPreconditions(f *testing.F) {
	f.Add("abc", "", "", "", true, "abc", int64(170000000000000), byte(0))
	f.Add("", `"x", *`, "Mon, 13 Nov 2023 22:13:20 GMT", "", true, "abc", int64(0), byte(1))
	f.Add("*", "", "", "Mon Nov 13 22:13:20 2023", false, "", int64(5), byte(2))
	f.Fuzz(func(t *testing.T, ifMatch, ifNoneMatch, ims, ius string, exists bool, etag string, ticks int64, m byte) {
		methods := [...]string{"GET", "HEAD", "PUT", "POST", "DELETE"}
		method := methods[int(m)%len(methods)]
		h := http.Header{}
		for name, v := range map[string]string{"If-Match": ifMatch, "If-None-Match": ifNoneMatch,
			"If-Modified-Since": ims, "If-Unmodified-Since": ius} {
			if v != "" {
				h.Set(name, v)
			}
		}
		if ticks < 0 {
			ticks = -(ticks + 1)
		}
		v := Validators{Exists: exists, ETag: etag, LastModified: Timestamp{ticks: ticks % maxTicks}}
		err := CheckPreconditions(h, method, v)
		switch Status(err) {
		case http.StatusOK:
		case http.StatusNotModified:
			if method != "GET" && method != "HEAD" || !exists {
				t.Fatalf("304 for %s (exists %v)", method, exists)
			}
		case http.StatusPreconditionFailed:
			if method == "POST" || method == "DELETE" || (method == "PUT" && !exists) {
				t.Fatalf("412 for %s (exists %v)", method, exists)
			}
		default:
			t.Fatalf("%v", err)
		}
	})
}

func FuzzDecodeObjectListing(f *testing.F) {
	f.Add([]byte(`[{"subdir": "d/"}, {"bytes": 1, "hash": "h", "name": "o", "content_type": "a/b;swift_bytes=9", "last_modified": "2023-11-14T22:13:20.123450"}]`))
	f.Add([]byte(`[{"name": "c", "count": 1, "bytes": 2, "last_modified": "1970-01-01T00:00:00.000000"}]`))
	f.Add([]byte(`[{"name": "\ud83d\ude00\u0000", "content_type": "a/b; k=\"x"}]`))
	f.Add([]byte(`[] x`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if recs, err := DecodeObjectListing(bytes.NewReader(data)); err == nil {
			// Encoding normalises content types once; from then on
			// encoding and decoding are exact inverses.
			once := decodeObjects(t, EncodeObjectListing(FormatJSON, "c", recs))
			if twice := decodeObjects(t, EncodeObjectListing(FormatJSON, "c", once)); !reflect.DeepEqual(once, twice) {
				t.Fatalf("not stable:\n%+v\n%+v", once, twice)
			}
			checkXML(t, EncodeObjectListing(FormatXML, "c", recs))
		} else if Status(err) != http.StatusBadGateway {
			t.Fatalf("status %d", Status(err))
		}
		if recs, err := DecodeContainerListing(bytes.NewReader(data)); err == nil {
			again, err := DecodeContainerListing(bytes.NewReader(EncodeContainerListing(FormatJSON, "a", recs)))
			if err != nil || !reflect.DeepEqual(again, recs) {
				t.Fatalf("containers: %+v\n%+v, %v", recs, again, err)
			}
			checkXML(t, EncodeContainerListing(FormatXML, "a", recs))
		} else if Status(err) != http.StatusBadGateway {
			t.Fatalf("status %d", Status(err))
		}
	})
}

func decodeObjects(t *testing.T, body []byte) []ObjectRecord {
	t.Helper()
	if !json.Valid(body) {
		t.Fatalf("invalid JSON %q", body)
	}
	recs, err := DecodeObjectListing(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%q: %v", body, err)
	}
	return recs
}

// checkXML checks an XML listing is well-formed, unless it holds characters
// XML cannot carry at all (Swift writes those as they are, and so do we).
func checkXML(t *testing.T, body []byte) {
	t.Helper()
	for _, r := range string(body) {
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0xfffe || r == 0xffff || r == utf8.RuneError {
			return
		}
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		_, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return
			}
			t.Fatalf("%q: %v", body, err)
		}
	}
}
