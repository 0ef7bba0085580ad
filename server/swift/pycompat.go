package swift

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Swift parses headers and query strings with Python's str methods. The
// helpers here reproduce the few Python behaviours whose edge cases decide
// whether a request is accepted, so that sciswift draws the line exactly
// where Swift does. Header values arrive in WSGI as latin-1 strings, one
// character per byte; the helpers therefore work on bytes unless noted.

// isPySpaceByte reports whether Python's str.isspace() holds for the
// latin-1 character with code b. It is wider than ASCII whitespace: the
// information separators \x1c-\x1f, NEL (\x85) and NBSP (\xa0) count.
func isPySpaceByte(b byte) bool {
	switch b {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0:
		return true
	}
	return false
}

// pyStripLatin1 is Python's str.strip() on a latin-1 (WSGI) string.
func pyStripLatin1(s string) string {
	start, end := 0, len(s)
	for start < end && isPySpaceByte(s[start]) {
		start++
	}
	for end > start && isPySpaceByte(s[end-1]) {
		end--
	}
	return s[start:end]
}

// isPySpaceRune reports whether Python's str.isspace() holds for r.
func isPySpaceRune(r rune) bool {
	if r < 0x100 {
		return isPySpaceByte(byte(r))
	}
	switch {
	case r == 0x1680, r >= 0x2000 && r <= 0x200a, r == 0x2028, r == 0x2029,
		r == 0x202f, r == 0x205f, r == 0x3000:
		return true
	}
	return false
}

// pyStrip is Python's str.strip() on a decoded (UTF-8) string.
func pyStrip(s string) string { return strings.TrimFunc(s, isPySpaceRune) }

// latin1ToUTF8 re-encodes a WSGI header value so that each byte becomes the
// rune of the same number, letting regular expressions written for
// Python's latin-1 strings run unchanged.
func latin1ToUTF8(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

// asciiLower lowers ASCII letters only. Python's str.lower() never maps a
// non-ASCII character onto the ASCII words Swift compares against, so this
// is exact for those comparisons, while strings.ToLower and EqualFold are
// not (EqualFold("ſ", "s") holds).
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// configTrueValue is Swift's config_true_value for a string: one of
// Swift's TRUE_VALUES, ignoring case.
func configTrueValue(s string) bool {
	switch asciiLower(s) {
	case "true", "1", "yes", "on", "t", "y":
		return true
	}
	return false
}

// pyDecimal is a non-negative integer as Python's int() reads it, kept as
// its normalised digits so that numbers wider than int64 still compare
// exactly, as they do in Python.
type pyDecimal struct {
	digits string // no leading zeros; "0" for zero
}

// parsePyUint parses what Python's int(s) accepts for a latin-1 string
// without a minus sign: surrounding whitespace, an optional '+', ASCII
// digits with single underscores between them.
func parsePyUint(s string) (pyDecimal, bool) {
	s = pyStripLatin1(s)
	s = strings.TrimPrefix(s, "+")
	if s == "" {
		return pyDecimal{}, false
	}
	var b strings.Builder
	prevDigit := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
			prevDigit = true
		case c == '_' && prevDigit && i+1 < len(s):
			prevDigit = false
		default:
			return pyDecimal{}, false
		}
	}
	if !prevDigit {
		return pyDecimal{}, false
	}
	d := strings.TrimLeft(b.String(), "0")
	if d == "" {
		d = "0"
	}
	return pyDecimal{digits: d}, true
}

// parseASCIIDigits accepts what Python's str.isdigit() followed by int()
// accepts for a latin-1 string: ASCII digits only (the latin-1 superscripts
// pass isdigit but make int() fail, so they are rejected too).
func parseASCIIDigits(s string) (pyDecimal, bool) {
	if s == "" {
		return pyDecimal{}, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return pyDecimal{}, false
		}
	}
	d := strings.TrimLeft(s, "0")
	if d == "" {
		d = "0"
	}
	return pyDecimal{digits: d}, true
}

// cmp compares two decimals numerically.
func (d pyDecimal) cmp(o pyDecimal) int {
	switch {
	case len(d.digits) != len(o.digits):
		if len(d.digits) < len(o.digits) {
			return -1
		}
		return 1
	default:
		return strings.Compare(d.digits, o.digits)
	}
}

// int64Sat converts to int64, saturating at the maximum: every caller
// compares the value with a size or a limit far below it.
func (d pyDecimal) int64Sat() int64 {
	const maxInt64 = 1<<63 - 1
	if len(d.digits) > 19 {
		return maxInt64
	}
	var v uint64
	for i := 0; i < len(d.digits); i++ {
		v = v*10 + uint64(d.digits[i]-'0')
	}
	if v > maxInt64 {
		return maxInt64
	}
	return int64(v)
}

// appendPyJSONString appends s as Python's json.dumps writes a str with the
// default ensure_ascii=True: every character outside printable ASCII is
// escaped, as \uXXXX with lowercase hex (UTF-16 surrogate pairs above the
// BMP). Invalid UTF-8 is written as U+FFFD.
func appendPyJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	appendU := func(b []byte, r rune) []byte {
		return append(b, '\\', 'u',
			hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
	}
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"':
			b = append(b, '\\', '"')
		case r == '\\':
			b = append(b, '\\', '\\')
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		case r == '\b':
			b = append(b, '\\', 'b')
		case r == '\f':
			b = append(b, '\\', 'f')
		case r >= ' ' && r <= '~':
			b = append(b, byte(r))
		case r > 0xffff:
			hi, lo := utf16.EncodeRune(r)
			b = appendU(appendU(b, hi), lo)
		default:
			if r == utf8.RuneError {
				r = 0xfffd
			}
			b = appendU(b, r)
		}
	}
	return append(b, '"')
}

// appendXMLText appends s escaped as Python's ElementTree escapes element
// text: only &, < and >.
func appendXMLText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b = append(b, "&amp;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// appendXMLAttr appends s escaped as Python 3's ElementTree escapes
// attribute values: &, <, >, " and the line-structure characters \r, \n
// and \t as character references.
func appendXMLAttr(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b = append(b, "&amp;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '"':
			b = append(b, "&quot;"...)
		case '\r':
			b = append(b, "&#13;"...)
		case '\n':
			b = append(b, "&#10;"...)
		case '\t':
			b = append(b, "&#09;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// pyQuote is Python's urllib.parse.quote(s) with its default safe="/":
// every byte except ASCII letters, digits, "_.-~" and "/" is percent-encoded
// with uppercase hex. Swift quotes paths this way in its error messages.
func pyQuote(s string) string {
	const upperHex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '_', c == '.', c == '-', c == '~', c == '/':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(upperHex[c>>4])
			b.WriteByte(upperHex[c&0xf])
		}
	}
	return b.String()
}
