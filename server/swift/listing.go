package swift

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ListingFormat is the body format of an account or container listing.
type ListingFormat int

const (
	FormatPlain ListingFormat = iota
	FormatJSON
	FormatXML
)

// ContentType is the Content-Type header of a listing in format f.
func (f ListingFormat) ContentType() string {
	switch f {
	case FormatJSON:
		return "application/json; charset=utf-8"
	case FormatXML:
		return "application/xml; charset=utf-8"
	default:
		return "text/plain; charset=utf-8"
	}
}

// The media types Swift offers for listings, in its order of preference.
const (
	mediaPlain   = "text/plain"
	mediaJSON    = "application/json"
	mediaXML     = "application/xml"
	mediaTextXML = "text/xml"
)

// NegotiateListingFormat picks the format as Swift's get_listing_content_type
// does: from ?format= (plain, json or xml, ignoring case; any other value
// means plain) when given, else from the Accept header, best match first
// among text/plain, application/json, application/xml and text/xml
// (text/xml answers as FormatXML). No or an empty Accept header means plain;
// 406 (ErrNotAcceptable) when nothing matches; 400 for an Accept header
// Swift cannot parse or a format value that is not UTF-8.
func NegotiateListingFormat(r *http.Request) (ListingFormat, error) {
	accept := strings.Join(r.Header.Values("Accept"), ",")
	if format, ok := lastQueryValue(r.URL.Query(), "format"); ok && format != "" {
		if !utf8.ValidString(format) {
			return FormatPlain, errParamNotUTF8("format")
		}
		switch asciiLower(format) {
		case "json":
			accept = mediaJSON
		case "xml":
			accept = mediaXML
		default:
			accept = mediaPlain
		}
	}
	media, err := bestListingMedia(accept)
	if err != nil {
		return FormatPlain, err
	}
	switch media {
	case mediaJSON:
		return FormatJSON, nil
	case mediaXML, mediaTextXML:
		return FormatXML, nil
	case mediaPlain:
		return FormatPlain, nil
	}
	return FormatPlain, Errorf(ErrNotAcceptable, "Not Acceptable")
}

// acceptMediaRange is swob.Accept's pattern for one element of an Accept
// header, applied, as Python applies it, to the header decoded as latin-1:
// \s is Python's whitespace and a token is any run of characters other than
// controls, space and RFC 2616 separators. The trailing \n? is Python's $,
// which also matches before a final newline.
var acceptMediaRange = regexp.MustCompile(
	`^` + pyWS + `*(` + rfcToken + `)/(` + rfcToken + `)((?:` + pyWS + `*;` + pyWS + `*(?:` + rfcToken + `)` +
		pyWS + `*=` + pyWS + `*(?:` + rfcToken + `|"(?:[^"\\]|\\.)*"))*?` + pyWS + `*)\n?$`)

const (
	pyWS     = `[\t\n\v\f\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]`
	rfcToken = `[^()<>@,;:\\"/\[\]?={}\x00-\x20\x7f]+`
)

// bestListingMedia is swob's Accept.best_match over Swift's listing media
// types.
func bestListingMedia(accept string) (string, error) {
	options := [...]string{mediaPlain, mediaJSON, mediaXML, mediaTextXML}
	if accept == "" {
		return options[0], nil
	}
	invalid := Errorf(ErrBadRequest, "Invalid Accept header")
	type mediaRange struct {
		typ, subtype string
		quality      float64
		exact        bool // neither part is "*"
	}
	var ranges []mediaRange
	for _, elem := range strings.Split(latin1ToUTF8(accept), ",") {
		m := acceptMediaRange.FindStringSubmatch(elem)
		if m == nil {
			return "", invalid
		}
		mr := mediaRange{typ: m[1], subtype: m[2], quality: 1, exact: m[1] != "*" && m[2] != "*"}
		seenQ := false
		for _, param := range strings.Split(m[3], ";") {
			if param = pyStrip(param); param == "" {
				continue
			}
			parts := strings.Split(param, "=")
			if len(parts) != 2 {
				return "", invalid
			}
			if pyStrip(parts[0]) != "q" {
				continue
			}
			q, ok := parsePyFloat(pyStrip(parts[1]))
			if seenQ || !ok {
				return "", invalid
			}
			seenQ, mr.quality = true, q
		}
		ranges = append(ranges, mr)
	}
	// Highest quality first, then exact types before globs; Python's sort
	// is stable, and so must this be.
	sort.SliceStable(ranges, func(i, j int) bool {
		if ranges[i].quality != ranges[j].quality {
			return ranges[i].quality > ranges[j].quality
		}
		return ranges[i].exact && !ranges[j].exact
	})
	for _, mr := range ranges {
		for _, option := range options {
			typ, subtype, _ := strings.Cut(option, "/")
			if (mr.typ == "*" || mr.typ == typ) && (mr.subtype == "*" || mr.subtype == subtype) {
				return option, nil
			}
		}
	}
	return "", nil
}

// pyFloatLiteral is what Python's float() reads, less the surrounding
// whitespace the caller has stripped: decimal notation with optional
// digit-separating underscores, or inf, infinity and nan in any case.
var pyFloatLiteral = regexp.MustCompile(
	`^[+-]?(?:(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9](?:_?[0-9])*)?|(?i:inf|infinity|nan))$`)

// parsePyFloat is Python's float() on a stripped string.
func parsePyFloat(s string) (float64, bool) {
	if !pyFloatLiteral.MatchString(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) { // overflow is ±inf in Python too
		return 0, false
	}
	return f, true
}

// ListingQuery holds the parameters of an account or container listing.
type ListingQuery struct {
	Prefix, Delimiter, Marker, EndMarker string
	Limit                                int
	Reverse                              bool
	// Path is set when the request used path=P. Prefix and Delimiter are
	// then already Swift's equivalents ("P/" and "/"), and, as in Swift's
	// container broker, the listing must leave out the entry named exactly
	// Prefix and everything below a further delimiter: no subdir rows.
	Path bool
}

// listingParams are the parameters Swift validates as UTF-8 before serving
// a listing (validate_container_params), in its order, which decides which
// error a request with several bad parameters gets.
var listingParams = [...]string{
	"marker", "end_marker", "prefix", "delimiter", "path", "format", "reverse", "states", "includes", "limit",
}

// ParseListingQuery validates listing parameters as Swift does:
//   - a value that is not valid UTF-8 → 400 `"NAME" parameter not valid UTF-8`
//     (Swift 2.30's get_param);
//   - NUL in a name-like value → 412 "Invalid UTF8 or contains NULL" (Swift
//     would look it up; NUL is sciswift's key separator and no name holds it);
//   - a delimiter longer than one byte → 412 "Bad delimiter" (older Swift's
//     rule: Swift 2.30 accepts multi-character delimiters, which sciswift's
//     listings do not implement);
//   - limit: all digits and above maxLimit → 412 "Maximum limit is N"; a
//     value that is not all ASCII digits ("-1", "ten") is ignored as Swift
//     ignores it; Limit defaults to maxLimit;
//   - path=P means prefix=P/ (P with trailing slashes stripped; path=
//     gives prefix "") and delimiter=/, overriding both, with Path set;
//   - reverse takes Swift's true values (true/yes/on/1/t/y, any case).
//
// When a parameter is given more than once the last value counts, as in
// Swift's req.params.
func ParseListingQuery(q url.Values, maxLimit int) (ListingQuery, error) {
	for _, name := range listingParams {
		if v, ok := lastQueryValue(q, name); ok && !utf8.ValidString(v) {
			return ListingQuery{}, errParamNotUTF8(name)
		}
	}
	get := func(name string) string { v, _ := lastQueryValue(q, name); return v }
	lq := ListingQuery{
		Prefix:    get("prefix"),
		Delimiter: get("delimiter"),
		Marker:    get("marker"),
		EndMarker: get("end_marker"),
		Limit:     maxLimit,
		Reverse:   configTrueValue(get("reverse")),
	}
	path, hasPath := lastQueryValue(q, "path")
	for _, v := range [...]string{lq.Prefix, lq.Delimiter, lq.Marker, lq.EndMarker, path} {
		if strings.IndexByte(v, 0) >= 0 {
			return ListingQuery{}, Errorf(ErrPreconditionFailed, "Invalid UTF8 or contains NULL")
		}
	}
	if len(lq.Delimiter) > 1 {
		return ListingQuery{}, Errorf(ErrPreconditionFailed, "Bad delimiter")
	}
	if limit, ok := parseASCIIDigits(get("limit")); ok {
		n := limit.int64Sat()
		if n > int64(maxLimit) {
			return ListingQuery{}, Errorf(ErrPreconditionFailed, "Maximum limit is %d", maxLimit)
		}
		lq.Limit = int(n)
	}
	if hasPath {
		lq.Path, lq.Prefix, lq.Delimiter = true, path, "/"
		if path != "" {
			lq.Prefix = strings.TrimRight(path, "/") + "/"
		}
	}
	return lq, nil
}

func errParamNotUTF8(name string) error {
	return Errorf(ErrBadRequest, "%q parameter not valid UTF-8", name)
}

// lastQueryValue is the value Swift sees for name: the last one given.
func lastQueryValue(q url.Values, name string) (string, bool) {
	vs := q[name]
	if len(vs) == 0 {
		return "", false
	}
	return vs[len(vs)-1], true
}

// ObjectRecord is one row of a container listing; Subdir != "" makes it a
// {"subdir": …} entry.
type ObjectRecord struct {
	Name         string
	Bytes        int64
	Hash         string
	ContentType  string
	LastModified Timestamp
	Subdir       string
}

// ContainerRecord is one row of an account listing.
type ContainerRecord struct {
	Name         string
	Count, Bytes int64
	LastModified Timestamp
	Subdir       string
}

// WriteObjectListing answers a container listing GET or HEAD in format f,
// exactly as Swift formats it (see EncodeObjectListing): 200, or 204 when f
// is plain and there are no rows (JSON gives "[]", XML an empty root
// element). A HEAD gets Swift's 204 with Content-Length 0 whatever the rows.
// It sets Content-Type and Content-Length, and, when the format came from
// the Accept header rather than ?format=, adds Accept to Vary as Swift's
// listing filter does. Callers set the count, bytes and metadata headers
// beforehand.
func WriteObjectListing(w http.ResponseWriter, r *http.Request, f ListingFormat, container string, recs []ObjectRecord) error {
	if isHead(r) {
		return writeListing(w, r, f, nil)
	}
	return writeListing(w, r, f, EncodeObjectListing(f, container, recs))
}

// WriteContainerListing is WriteObjectListing for an account listing.
func WriteContainerListing(w http.ResponseWriter, r *http.Request, f ListingFormat, account string, recs []ContainerRecord) error {
	if isHead(r) {
		return writeListing(w, r, f, nil)
	}
	return writeListing(w, r, f, EncodeContainerListing(f, account, recs))
}

func isHead(r *http.Request) bool { return r != nil && r.Method == http.MethodHead }

func writeListing(w http.ResponseWriter, r *http.Request, f ListingFormat, body []byte) error {
	h := w.Header()
	h.Set("Content-Type", f.ContentType())
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r != nil && r.URL != nil {
		if _, ok := r.URL.Query()["format"]; !ok {
			addVaryAccept(h)
		}
	}
	if isHead(r) || len(body) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(body)
	return err
}

// addVaryAccept adds Accept to Vary unless it is there already.
func addVaryAccept(h http.Header) {
	vary := h.Get("Vary")
	if vary == "" {
		h.Set("Vary", "Accept")
		return
	}
	for _, v := range strings.Split(vary, ",") {
		if strings.EqualFold(strings.TrimSpace(v), "accept") {
			return
		}
	}
	h.Set("Vary", vary+", Accept")
}

// EncodeObjectListing is the body of a container listing in format f, byte
// for byte as Swift 2.30 writes it:
//   - plain: one name (or subdir) per line, each ending in "\n";
//   - JSON: Python's json.dumps of
//     {"bytes", "hash", "name", "content_type", "last_modified"} objects (the
//     key order of Swift's container server) or {"subdir"}, ASCII-only with
//     \u escapes, ", " and ": " separators;
//   - XML: <?xml version="1.0" encoding="UTF-8"?>, then
//     <container name="…"> holding <object> elements (name, hash, bytes,
//     content_type, last_modified) and <subdir name="…"><name>…</name></subdir>,
//     with no whitespace between elements, as ElementTree writes it.
//
// As Swift's container server does for every format, a swift_bytes=N
// parameter of the content type (set by large-object middleware) replaces
// Bytes and is removed, and the content type's parameters are rewritten
// without spaces ("text/plain;charset=utf-8").
func EncodeObjectListing(f ListingFormat, container string, recs []ObjectRecord) []byte {
	var b []byte
	switch f {
	case FormatJSON:
		b = append(b, '[')
		for i, rec := range recs {
			if i > 0 {
				b = append(b, ", "...)
			}
			if rec.Subdir != "" {
				b = append(b, `{"subdir": `...)
				b = appendPyJSONString(b, rec.Subdir)
				b = append(b, '}')
				continue
			}
			contentType, bytes := listingContentType(rec.ContentType, rec.Bytes)
			b = append(b, `{"bytes": `...)
			b = strconv.AppendInt(b, bytes, 10)
			b = append(b, `, "hash": `...)
			b = appendPyJSONString(b, rec.Hash)
			b = append(b, `, "name": `...)
			b = appendPyJSONString(b, rec.Name)
			b = append(b, `, "content_type": `...)
			b = appendPyJSONString(b, contentType)
			b = append(b, `, "last_modified": `...)
			b = appendPyJSONString(b, rec.LastModified.ListingTime())
			b = append(b, '}')
		}
		b = append(b, ']')
	case FormatXML:
		b = append(b, xmlDeclaration...)
		b = append(b, `<container name="`...)
		b = appendXMLAttr(b, container)
		if len(recs) == 0 {
			return append(b, `" />`...)
		}
		b = append(b, `">`...)
		for _, rec := range recs {
			if rec.Subdir != "" {
				b = append(b, `<subdir name="`...)
				b = appendXMLAttr(b, rec.Subdir)
				b = append(b, `">`...)
				b = appendXMLElement(b, "name", rec.Subdir)
				b = append(b, "</subdir>"...)
				continue
			}
			contentType, bytes := listingContentType(rec.ContentType, rec.Bytes)
			b = append(b, "<object>"...)
			b = appendXMLElement(b, "name", rec.Name)
			b = appendXMLElement(b, "hash", rec.Hash)
			b = appendXMLElement(b, "bytes", strconv.FormatInt(bytes, 10))
			b = appendXMLElement(b, "content_type", contentType)
			b = appendXMLElement(b, "last_modified", rec.LastModified.ListingTime())
			b = append(b, "</object>"...)
		}
		b = append(b, "</container>"...)
	default:
		for _, rec := range recs {
			if rec.Subdir != "" {
				b = append(b, rec.Subdir...)
			} else {
				b = append(b, rec.Name...)
			}
			b = append(b, '\n')
		}
	}
	return b
}

// EncodeContainerListing is the body of an account listing in format f, as
// Swift 2.30 writes it: JSON objects {"name", "count", "bytes",
// "last_modified"} or {"subdir"}; XML <account name="…"> with a line break
// after the start tag and after every <container> (name, count, bytes,
// last_modified) or <subdir name="…" /> element; plain names one per line.
func EncodeContainerListing(f ListingFormat, account string, recs []ContainerRecord) []byte {
	var b []byte
	switch f {
	case FormatJSON:
		b = append(b, '[')
		for i, rec := range recs {
			if i > 0 {
				b = append(b, ", "...)
			}
			if rec.Subdir != "" {
				b = append(b, `{"subdir": `...)
				b = appendPyJSONString(b, rec.Subdir)
				b = append(b, '}')
				continue
			}
			b = append(b, `{"name": `...)
			b = appendPyJSONString(b, rec.Name)
			b = append(b, `, "count": `...)
			b = strconv.AppendInt(b, rec.Count, 10)
			b = append(b, `, "bytes": `...)
			b = strconv.AppendInt(b, rec.Bytes, 10)
			b = append(b, `, "last_modified": `...)
			b = appendPyJSONString(b, rec.LastModified.ListingTime())
			b = append(b, '}')
		}
		b = append(b, ']')
	case FormatXML:
		b = append(b, xmlDeclaration...)
		b = append(b, `<account name="`...)
		b = appendXMLAttr(b, account)
		b = append(b, "\">\n"...)
		for _, rec := range recs {
			if rec.Subdir != "" {
				b = append(b, `<subdir name="`...)
				b = appendXMLAttr(b, rec.Subdir)
				b = append(b, "\" />\n"...)
				continue
			}
			b = append(b, "<container>"...)
			b = appendXMLElement(b, "name", rec.Name)
			b = appendXMLElement(b, "count", strconv.FormatInt(rec.Count, 10))
			b = appendXMLElement(b, "bytes", strconv.FormatInt(rec.Bytes, 10))
			b = appendXMLElement(b, "last_modified", rec.LastModified.ListingTime())
			b = append(b, "</container>\n"...)
		}
		b = append(b, "</account>"...)
	default:
		for _, rec := range recs {
			if rec.Subdir != "" {
				b = append(b, rec.Subdir...)
			} else {
				b = append(b, rec.Name...)
			}
			b = append(b, '\n')
		}
	}
	return b
}

const xmlDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

// appendXMLElement writes <tag>text</tag>, or <tag /> for empty text, as
// ElementTree does.
func appendXMLElement(b []byte, tag, text string) []byte {
	b = append(b, '<')
	b = append(b, tag...)
	if text == "" {
		return append(b, " />"...)
	}
	b = append(b, '>')
	b = appendXMLText(b, text)
	b = append(b, "</"...)
	b = append(b, tag...)
	return append(b, '>')
}

// contentTypeParam is one parameter of a content type as Swift's
// parse_content_type finds them.
var contentTypeParam = regexp.MustCompile(
	`(?:` + pyWS + `*;` + pyWS + `*(` + rfcToken + `)` + pyWS + `*(?:=` + pyWS + `*(` + rfcToken + `|"(?:[^"\\]|\\.)*"))?)`)

// listingContentType is Swift's override_bytes_from_content_type: the
// content type rebuilt from its parsed parameters without swift_bytes, and
// the byte count swift_bytes gives when it is an integer.
func listingContentType(contentType string, bytes int64) (string, int64) {
	base, params, ok := strings.Cut(contentType, ";")
	if !ok {
		return contentType, bytes
	}
	var b strings.Builder
	b.WriteString(base)
	for _, m := range contentTypeParam.FindAllStringSubmatch(";"+params, -1) {
		key, value := pyStrip(m[1]), pyStrip(m[2])
		if key == "swift_bytes" {
			if n, ok := parsePyInt(value); ok {
				bytes = n
			}
			continue
		}
		b.WriteString(";" + key + "=" + value)
	}
	return b.String(), bytes
}

// parsePyInt is Python's int() on a stripped string that fits int64: an
// optional sign, ASCII digits with single underscores between them.
func parsePyInt(s string) (int64, bool) {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	} else if strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	if s == "" || strings.HasPrefix(s, "_") || strings.HasSuffix(s, "_") || strings.Contains(s, "__") {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
	if err != nil || !allDigits(strings.ReplaceAll(s, "_", "")) {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// listingEntry is one element of a JSON listing as Swift writes it, for
// both kinds of listing; absent and null keys decode as nil.
type listingEntry struct {
	Subdir       *string `json:"subdir"`
	Name         *string `json:"name"`
	Bytes        *int64  `json:"bytes"`
	Count        *int64  `json:"count"`
	Hash         *string `json:"hash"`
	ContentType  *string `json:"content_type"`
	LastModified *string `json:"last_modified"`
}

// decodeListing reads a JSON listing: one array of objects and nothing
// after it. Keys other than Swift's are ignored, as are records' extra
// fields (slo_etag, symlink_path, …).
func decodeListing(r io.Reader) ([]listingEntry, error) {
	dec := json.NewDecoder(r)
	var entries []listingEntry
	if err := dec.Decode(&entries); err != nil {
		return nil, Errorf(ErrBadGateway, "Invalid listing: %v", err)
	}
	if entries == nil {
		return nil, Errorf(ErrBadGateway, "Invalid listing: not a JSON array")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, Errorf(ErrBadGateway, "Invalid listing: data after the array")
	}
	return entries, nil
}

// decodeEntryName returns the row's name, or its subdir.
func decodeEntryName(i int, e listingEntry) (name, subdir string, err error) {
	switch {
	case e.Subdir != nil && *e.Subdir != "":
		return "", *e.Subdir, nil
	case e.Name != nil && *e.Name != "":
		return *e.Name, "", nil
	}
	return "", "", Errorf(ErrBadGateway, "Invalid listing: entry %d has no name", i)
}

func decodeEntryTime(i int, e listingEntry) (Timestamp, error) {
	if e.LastModified == nil {
		return Timestamp{}, nil
	}
	t, err := ParseListingTime(*e.LastModified)
	if err != nil {
		return Timestamp{}, Errorf(ErrBadGateway, "Invalid listing: entry %d: %s", i, Message(err))
	}
	return t, nil
}

func valueOr[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// DecodeObjectListing parses a JSON container listing (Swift's or
// EncodeObjectListing's) back into records. Malformed input is an error
// wrapping ErrBadGateway: listings come from another server.
func DecodeObjectListing(r io.Reader) ([]ObjectRecord, error) {
	entries, err := decodeListing(r)
	if err != nil {
		return nil, err
	}
	recs := make([]ObjectRecord, 0, len(entries))
	for i, e := range entries {
		name, subdir, err := decodeEntryName(i, e)
		if err != nil {
			return nil, err
		}
		if subdir != "" {
			recs = append(recs, ObjectRecord{Subdir: subdir})
			continue
		}
		lastModified, err := decodeEntryTime(i, e)
		if err != nil {
			return nil, err
		}
		recs = append(recs, ObjectRecord{
			Name:         name,
			Bytes:        valueOr(e.Bytes),
			Hash:         valueOr(e.Hash),
			ContentType:  valueOr(e.ContentType),
			LastModified: lastModified,
		})
	}
	return recs, nil
}

// DecodeContainerListing parses a JSON account listing back into records.
func DecodeContainerListing(r io.Reader) ([]ContainerRecord, error) {
	entries, err := decodeListing(r)
	if err != nil {
		return nil, err
	}
	recs := make([]ContainerRecord, 0, len(entries))
	for i, e := range entries {
		name, subdir, err := decodeEntryName(i, e)
		if err != nil {
			return nil, err
		}
		if subdir != "" {
			recs = append(recs, ContainerRecord{Subdir: subdir})
			continue
		}
		lastModified, err := decodeEntryTime(i, e)
		if err != nil {
			return nil, err
		}
		recs = append(recs, ContainerRecord{
			Name:         name,
			Count:        valueOr(e.Count),
			Bytes:        valueOr(e.Bytes),
			LastModified: lastModified,
		})
	}
	return recs, nil
}

// ParseListingTime parses a listing's last_modified value, as
// Timestamp.ListingTime writes it ("2023-11-14T22:13:20.123450", UTC
// without a zone), back into a Timestamp. Fractions finer than Swift's ten
// microseconds round half to even, as Swift's Timestamp.from_isoformat
// rounds them.
func ParseListingTime(s string) (Timestamp, error) {
	t, err := time.Parse("2006-01-02T15:04:05", s)
	if err != nil || t.Unix() < 0 || t.Unix() >= 1e10 {
		return Timestamp{}, Errorf(ErrBadRequest, "Invalid listing time %q", s)
	}
	const nanosPerTick = 1e9 / ticksPerSecond
	ns := int64(t.Nanosecond())
	ticks, rem := ns/nanosPerTick, ns%nanosPerTick
	if rem > nanosPerTick/2 || (rem == nanosPerTick/2 && ticks%2 == 1) {
		ticks++
	}
	ts := Timestamp{ticks: t.Unix()*ticksPerSecond + ticks}
	if ts.ticks >= maxTicks {
		return Timestamp{}, Errorf(ErrBadRequest, "Invalid listing time %q", s)
	}
	return ts, nil
}
