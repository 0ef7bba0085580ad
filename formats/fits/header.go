package fits

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Sizes fixed by the FITS standard.
const (
	blockSize     = 2880
	cardSize      = 80
	cardsPerBlock = blockSize / cardSize
)

// valueKind says which field of a card's value holds it.
type valueKind uint8

const (
	kindNone valueKind = iota // no value (undefined, or commentary)
	kindBool
	kindInt   // fits int64
	kindUint  // above MaxInt64, fits uint64
	kindFloat // real, or an integer beyond uint64
	kindComplex
	kindString
)

// card is one keyword = value record, CONTINUE cards already folded into the
// long string they continue.
type card struct {
	key  string
	kind valueKind
	b    bool
	i    int64
	u    uint64
	f    float64
	c    [2]float64
	s    string
}

// header is one HDU's cards in file order plus what the scanner looks up.
type header struct {
	cards    []card
	first    map[string]int // keyword → index of its first card
	comments []string
	history  []string
}

// parseHeader turns raw 80-byte card images (END excluded) into a header.
func parseHeader(raw []string) *header {
	h := &header{first: make(map[string]int, len(raw))}
	for i := 0; i < len(raw); i++ {
		img := raw[i]
		key := strings.TrimRight(img[:8], " ")
		switch {
		case key == "COMMENT":
			h.comments = append(h.comments, cleanText(strings.TrimRight(img[8:], " ")))
			continue
		case key == "HISTORY":
			h.history = append(h.history, cleanText(strings.TrimRight(img[8:], " ")))
			continue
		case key == "" || key == "CONTINUE":
			// Blank-keyword commentary, or a CONTINUE not following a long
			// string: nothing to report.
			continue
		}
		var valueText string
		if key == "HIERARCH" {
			eq := strings.IndexByte(img, '=')
			if eq < 0 {
				continue
			}
			key = strings.TrimSpace(img[8:eq])
			valueText = img[eq+1:]
		} else if img[8] == '=' {
			valueText = img[9:]
		} else {
			continue // a keyword without a value indicator: commentary
		}
		if key == "" {
			continue
		}
		c := parseValue(valueText)
		c.key = cleanText(key)
		// A string ending in '&' continues on the CONTINUE cards after it.
		if c.kind == kindString {
			for strings.HasSuffix(c.s, "&") && i+1 < len(raw) && strings.TrimRight(raw[i+1][:8], " ") == "CONTINUE" {
				next := parseValue(raw[i+1][8:])
				if next.kind != kindString {
					break
				}
				c.s = c.s[:len(c.s)-1] + next.s
				i++
			}
		}
		if c.kind == kindNone {
			continue
		}
		if _, seen := h.first[c.key]; !seen {
			h.first[c.key] = len(h.cards)
			h.cards = append(h.cards, c)
		}
	}
	return h
}

// cleanText makes header bytes (ASCII by the standard, anything in a crafted
// file) safe to hand out as a Go string.
func cleanText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// parseValue reads the value field of a card (what follows "= "): a quoted
// string (a doubled quote inside is one quote), T or F, an integer, a real
// (E or D exponent), a complex "(re, im)", or nothing. A "/" starts the
// comment.
func parseValue(text string) card {
	text = strings.TrimLeft(text, " ")
	if text == "" || text[0] == '/' {
		return card{}
	}
	if text[0] == '\'' {
		var b strings.Builder
		rest := text[1:]
		for {
			q := strings.IndexByte(rest, '\'')
			if q < 0 { // unterminated: take the rest, as lenient readers do
				b.WriteString(rest)
				break
			}
			b.WriteString(rest[:q])
			if q+1 < len(rest) && rest[q+1] == '\'' {
				b.WriteByte('\'')
				rest = rest[q+2:]
				continue
			}
			break
		}
		return card{kind: kindString, s: cleanText(strings.TrimRight(b.String(), " "))}
	}
	token := text
	if slash := strings.IndexByte(token, '/'); slash >= 0 {
		token = token[:slash]
	}
	token = strings.TrimSpace(token)
	switch token {
	case "":
		return card{}
	case "T":
		return card{kind: kindBool, b: true}
	case "F":
		return card{kind: kindBool, b: false}
	}
	if token[0] == '(' && token[len(token)-1] == ')' {
		re, im, ok := strings.Cut(token[1:len(token)-1], ",")
		if ok {
			r, okR := parseReal(strings.TrimSpace(re))
			i, okI := parseReal(strings.TrimSpace(im))
			if okR && okI {
				return card{kind: kindComplex, c: [2]float64{r, i}}
			}
		}
	}
	if isInteger(token) {
		if v, err := strconv.ParseInt(token, 10, 64); err == nil {
			return card{kind: kindInt, i: v}
		}
		if v, err := strconv.ParseUint(strings.TrimPrefix(token, "+"), 10, 64); err == nil {
			return card{kind: kindUint, u: v}
		}
		if v, err := strconv.ParseFloat(token, 64); err == nil {
			return card{kind: kindFloat, f: v}
		}
	}
	if v, ok := parseReal(token); ok {
		return card{kind: kindFloat, f: v}
	}
	// Not a valid FITS value; keep the text rather than lose the card.
	return card{kind: kindString, s: cleanText(token)}
}

// isInteger reports whether s is [+-]digits.
func isInteger(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseReal parses a FITS real: digits, '.', sign and an E or D exponent
// (nothing Go's ParseFloat would also take, like "inf" or hex).
func parseReal(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	digits := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits = true
		case c == '+' || c == '-' || c == '.' || c == 'E' || c == 'e':
		case c == 'D' || c == 'd':
		default:
			return 0, false
		}
	}
	if !digits {
		return 0, false
	}
	s = strings.NewReplacer("D", "E", "d", "E").Replace(s)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && !isRangeErr(err) {
		return 0, false
	}
	return v, true
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// lookup returns the first card of key.
func (h *header) lookup(key string) (card, bool) {
	i, ok := h.first[key]
	if !ok {
		return card{}, false
	}
	return h.cards[i], true
}

// integer returns key's value when it is an integer card.
func (h *header) integer(key string) (int64, bool) {
	c, ok := h.lookup(key)
	if !ok || c.kind != kindInt {
		return 0, false
	}
	return c.i, true
}

// str returns key's value when it is a string card.
func (h *header) str(key string) (string, bool) {
	c, ok := h.lookup(key)
	if !ok || c.kind != kindString {
		return "", false
	}
	return c.s, true
}

// number is a numeric card value kept exact enough to compare with the
// integer conventions (BZERO = 2^63 must not match 2^63-1).
type number struct {
	present bool
	isInt   bool
	i       int64 // when isInt and !big
	u       uint64
	big     bool // isInt, value in u above MaxInt64
	f       float64
}

// numeric returns key's value as a number (absent when missing or not numeric).
func (h *header) numeric(key string) number {
	c, ok := h.lookup(key)
	if !ok {
		return number{}
	}
	switch c.kind {
	case kindInt:
		return number{present: true, isInt: true, i: c.i, f: float64(c.i)}
	case kindUint:
		return number{present: true, isInt: true, big: true, u: c.u, f: float64(c.u)}
	case kindFloat:
		return number{present: true, f: c.f}
	}
	return number{}
}

// is reports whether n equals the integer v exactly (Python's int == float).
func (n number) is(v int64) bool {
	if n.isInt {
		return !n.big && n.i == v
	}
	return n.f == float64(v)
}

// isPow2 reports whether n equals 2^k exactly, k up to 63.
func (n number) isPow2(k uint) bool {
	if k < 63 {
		return n.is(int64(1) << k)
	}
	if n.isInt {
		return n.big && n.u == uint64(1)<<63
	}
	return n.f == math.Ldexp(1, 63)
}

// orDefault is n's value as float64, def when absent.
func (n number) orDefault(def float64) float64 {
	if !n.present {
		return def
	}
	return n.f
}
