package bulk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// The response formats a bulk-style body can take, Swift's
// ACCEPTABLE_FORMATS in order of preference.
const (
	FormatPlain   = "text/plain"
	FormatJSON    = "application/json"
	FormatXML     = "application/xml"
	FormatTextXML = "text/xml"
)

// NegotiateFormat picks the response format for an Accept header as
// swob's Accept.best_match does: no header means text/plain; a header
// that accepts none of the formats, or that cannot be parsed, means ""
// (Swift's None), which the caller reports as 406 inside the body.
func NegotiateFormat(accept string) string {
	if accept == "" {
		return FormatPlain
	}
	ranges, ok := parseAccept(accept)
	if !ok {
		return ""
	}
	for _, mr := range ranges {
		for _, f := range [...]string{FormatPlain, FormatJSON, FormatXML, FormatTextXML} {
			if mr.matches(f) {
				return f
			}
		}
	}
	return ""
}

// mediaRange is one element of an Accept header.
type mediaRange struct {
	typ, subtype string
	q            float64
}

func (mr mediaRange) specific() bool { return mr.typ != "*" && mr.subtype != "*" }

func (mr mediaRange) matches(format string) bool {
	typ, sub, _ := strings.Cut(format, "/")
	return (mr.typ == "*" || mr.typ == typ) && (mr.subtype == "*" || mr.subtype == sub)
}

// parseAccept parses an Accept header into media ranges, best first:
// by quality, then exact types before wildcards, then header order.
// Like swob, a q of 0 still counts (just last), and a malformed element
// spoils the whole header.
func parseAccept(header string) ([]mediaRange, bool) {
	var out []mediaRange
	for _, elem := range strings.Split(header, ",") {
		mr, ok := parseMediaRange(elem)
		if !ok {
			return nil, false
		}
		out = append(out, mr)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].q != out[j].q {
			return out[i].q > out[j].q
		}
		return out[i].specific() && !out[j].specific()
	})
	return out, true
}

func parseMediaRange(elem string) (mediaRange, bool) {
	mt, params, hasParams := strings.Cut(elem, ";")
	typ, sub, ok := strings.Cut(strings.TrimLeft(mt, " \t"), "/")
	sub = strings.TrimRight(sub, " \t")
	if !ok || !isToken(typ) || !isToken(sub) {
		return mediaRange{}, false
	}
	mr := mediaRange{typ: typ, subtype: sub, q: 1}
	if !hasParams {
		return mr, true
	}
	seenQ := false
	for _, p := range strings.Split(params, ";") {
		name, value, ok := strings.Cut(p, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || strings.Contains(value, "=") || !isToken(name) || !isParamValue(value) {
			return mediaRange{}, false
		}
		if name != "q" {
			continue
		}
		q, err := strconv.ParseFloat(value, 64)
		if err != nil || seenQ {
			return mediaRange{}, false
		}
		seenQ, mr.q = true, q
	}
	return mr, true
}

// isToken reports whether s is an RFC 2616 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}

func isParamValue(s string) bool {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return true
	}
	return isToken(s)
}

// Field is one entry of a bulk response's summary, e.g. "Number Deleted".
type Field struct {
	Key   string
	Value any // a string or an int
}

// ResponseBody renders a bulk-style result as Swift's get_response_body
// does: JSON keeps the fields in order and adds "Errors"; XML and plain
// text sort the fields by name and list the errors after them. Each error
// is a quoted name and a status or message. root names the XML element,
// "delete" or "upload". An unknown format renders as plain text.
func ResponseBody(format string, fields []Field, errs [][2]string, root string) []byte {
	switch {
	case format == FormatJSON:
		return jsonBody(fields, errs)
	case strings.HasSuffix(format, "/xml"):
		return xmlBody(fields, errs, root)
	}
	return plainBody(fields, errs)
}

// jsonBody writes Python's json.dumps layout (", " and ": ") so that the
// body reads as Swift's does; only the escaping of non-ASCII differs.
func jsonBody(fields []Field, errs [][2]string) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for _, f := range fields {
		writeJSON(&b, f.Key)
		b.WriteString(": ")
		writeJSON(&b, f.Value)
		b.WriteString(", ")
	}
	b.WriteString(`"Errors": [`)
	for i, e := range errs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('[')
		writeJSON(&b, e[0])
		b.WriteString(", ")
		writeJSON(&b, e[1])
		b.WriteByte(']')
	}
	b.WriteString("]}")
	return b.Bytes()
}

func writeJSON(b *bytes.Buffer, v any) {
	enc, err := json.Marshal(v)
	if err != nil {
		enc = []byte(`""`)
	}
	b.Write(enc)
}

func sortedFields(fields []Field) []Field {
	out := append([]Field(nil), fields...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func xmlBody(fields []Field, errs [][2]string, root string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<%s>\n", root)
	for _, f := range sortedFields(fields) {
		tag := strings.ToLower(strings.ReplaceAll(f.Key, " ", "_"))
		fmt.Fprintf(&b, "<%s>%s</%s>\n", tag, xmlEscape(fmt.Sprint(f.Value)), tag)
	}
	b.WriteString("<errors>\n")
	for _, e := range errs {
		fmt.Fprintf(&b, "<object><name>%s</name><status>%s</status></object>\n", xmlEscape(e[0]), xmlEscape(e[1]))
	}
	fmt.Fprintf(&b, "</errors>\n</%s>\n", root)
	return b.Bytes()
}

// xmlEscape escapes what Python's saxutils.escape escapes: &, < and >.
func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func plainBody(fields []Field, errs [][2]string) []byte {
	var b bytes.Buffer
	for _, f := range sortedFields(fields) {
		fmt.Fprintf(&b, "%s: %v\n", f.Key, f.Value)
	}
	b.WriteString("Errors:\n")
	for _, e := range errs {
		fmt.Fprintf(&b, "%s, %s\n", e[0], e[1])
	}
	return b.Bytes()
}

// Quote percent-encodes a name for a bulk response as Python's
// urllib.parse.quote does: everything but letters, digits, "_.-~" and "/".
func Quote(name string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if isUnreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("_.-~/", c) >= 0
}

// StatusLine is a status as swob writes it ("404 Not Found"): Swift's
// reason phrases, which differ from Go's for a few codes.
func StatusLine(code int) string {
	reason := http.StatusText(code)
	switch code {
	case http.StatusInternalServerError:
		reason = "Internal Error"
	case 499:
		reason = "Client Disconnect"
	}
	return strconv.Itoa(code) + " " + reason
}

// unescapeName undoes the URL-encoding of one line of a bulk-delete body
// as Python's unquote does: a "%" not followed by two hex digits is kept
// as it is, and "+" stays "+".
func unescapeName(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
