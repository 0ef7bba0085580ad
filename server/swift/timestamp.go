package swift

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ticksPerSecond is Swift's timestamp precision: 10 microseconds.
const ticksPerSecond = 100000

// Timestamp is Swift's X-Timestamp: seconds since the epoch with five
// decimals, plus an optional offset that orders internal updates made at the
// same instant. Replicas converge by keeping the largest.
type Timestamp struct {
	ticks  int64
	offset int64
}

// Now is the current time as a Timestamp.
func Now() Timestamp { return FromTime(time.Now()) }

// FromTime rounds t to Swift's precision.
func FromTime(t time.Time) Timestamp {
	return Timestamp{ticks: t.UnixNano() / (1e9 / ticksPerSecond)}
}

// TimestampFromSeconds builds a Timestamp from whole seconds (X-Delete-At).
func TimestampFromSeconds(s int64) Timestamp { return Timestamp{ticks: s * ticksPerSecond} }

// maxTicks bounds timestamps as Swift does ("timestamp too large" at 1e10
// seconds), applied after rounding so that every Timestamp formats to a
// string ParseTimestamp accepts again.
const maxTicks = 1e10 * ticksPerSecond

// ParseTimestamp accepts what Swift's Timestamp class accepts: a decimal
// number of seconds ("1700000000", "1700000000.12345", "1.7e9") optionally
// followed by "_" and a hex offset of at most 16 digits. Values with more
// than five decimals round to Swift's precision as Swift rounds them
// (round(seconds / 1e-5), halves to even).
func ParseTimestamp(s string) (Timestamp, error) {
	bad := func() (Timestamp, error) {
		return Timestamp{}, Errorf(ErrBadRequest, "X-Timestamp should be a UNIX timestamp float value; was %q", s)
	}
	var t Timestamp
	base, offset, hasOffset := strings.Cut(s, "_")
	if hasOffset {
		off, err := strconv.ParseUint(offset, 16, 63)
		if err != nil || len(offset) > 16 {
			return bad()
		}
		t.offset = int64(off)
	}
	mantissa, exponent, plain := splitDecimal(base)
	if mantissa == "" {
		return bad()
	}
	f, err := strconv.ParseFloat(base, 64)
	if err != nil || f < 0 || math.IsNaN(f) || f >= 1e10 {
		return bad()
	}
	whole, frac, _ := strings.Cut(mantissa, ".")
	if !plain || exponent != "" || len(frac) > 5 {
		t.ticks = int64(math.RoundToEven(f / (1.0 / ticksPerSecond)))
	} else {
		sec, _ := strconv.ParseInt("0"+strings.TrimLeft(whole, "+-"), 10, 64)
		fr, _ := strconv.ParseInt(frac+strings.Repeat("0", 5-len(frac)), 10, 64)
		t.ticks = sec*ticksPerSecond + fr
	}
	if t.ticks >= maxTicks {
		return bad()
	}
	return t, nil
}

// splitDecimal splits a Python float literal in decimal notation,
// "[+-]digits[.digits][e[+-]digits]", into its mantissa and exponent;
// mantissa is "" when s is not such a literal (Go's ParseFloat also takes
// hex floats, "inf" and underscores, which Swift's float() does not or
// which make no sense in a timestamp). plain reports no exponent.
func splitDecimal(s string) (mantissa, exponent string, plain bool) {
	m, e, hasExp := strings.Cut(strings.ToLower(s), "e")
	body := strings.TrimLeft(m, "+-")
	if len(m)-len(body) > 1 {
		return "", "", false
	}
	whole, frac, _ := strings.Cut(body, ".")
	if whole+frac == "" || !allDigits(whole) || !allDigits(frac) {
		return "", "", false
	}
	if hasExp {
		digits := strings.TrimLeft(e, "+-")
		if len(e)-len(digits) > 1 || digits == "" || !allDigits(digits) {
			return "", "", false
		}
	}
	return m, e, !hasExp
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Normal is the 16-character form used in headers and file names:
// "1700000000.12345".
func (t Timestamp) Normal() string {
	return fmt.Sprintf("%010d.%05d", t.ticks/ticksPerSecond, t.ticks%ticksPerSecond)
}

// Internal is Normal plus "_offset" when the offset is set.
func (t Timestamp) Internal() string {
	if t.offset == 0 {
		return t.Normal()
	}
	return fmt.Sprintf("%s_%016x", t.Normal(), t.offset)
}

// String is Internal, so Timestamps print as Swift writes them.
func (t Timestamp) String() string { return t.Internal() }

// WithOffset returns t with an offset, for updates that must sort after an
// earlier update carrying the same client timestamp.
func (t Timestamp) WithOffset(offset int64) Timestamp { t.offset = offset; return t }

// Offset reports the offset part.
func (t Timestamp) Offset() int64 { return t.offset }

// Time converts to time.Time.
func (t Timestamp) Time() time.Time {
	return time.Unix(t.ticks/ticksPerSecond, (t.ticks%ticksPerSecond)*(1e9/ticksPerSecond))
}

// Seconds is the whole seconds, rounded up as Swift does for Last-Modified
// so that If-Modified-Since with the returned date matches.
func (t Timestamp) CeilSeconds() int64 {
	return (t.ticks + ticksPerSecond - 1) / ticksPerSecond
}

// LastModified is the HTTP date Swift sends in Last-Modified.
func (t Timestamp) LastModified() string {
	return time.Unix(t.CeilSeconds(), 0).UTC().Format(http1123)
}

// ListingTime is the "last_modified" value of JSON and XML listings:
// ISO 8601 with microseconds, no zone, as Swift's listings show.
func (t Timestamp) ListingTime() string {
	return t.Time().UTC().Format("2006-01-02T15:04:05.000000")
}

// IsZero reports whether t was never set.
func (t Timestamp) IsZero() bool { return t.ticks == 0 && t.offset == 0 }

// Compare orders timestamps by time, then offset.
func (t Timestamp) Compare(o Timestamp) int {
	switch {
	case t.ticks < o.ticks:
		return -1
	case t.ticks > o.ticks:
		return 1
	case t.offset < o.offset:
		return -1
	case t.offset > o.offset:
		return 1
	}
	return 0
}

// After reports t > o.
func (t Timestamp) After(o Timestamp) bool { return t.Compare(o) > 0 }

// Before reports t < o.
func (t Timestamp) Before(o Timestamp) bool { return t.Compare(o) < 0 }

const http1123 = "Mon, 02 Jan 2006 15:04:05 GMT"
