package swift

import (
	"net/http"
	"strings"
	"time"
)

// Validators describe the entity a conditional request is checked against.
type Validators struct {
	Exists       bool
	ETag         string    // unquoted hex
	LastModified Timestamp // the entity's X-Timestamp; compared as Last-Modified (rounded up)
}

// CheckPreconditions evaluates If-Match, If-None-Match, If-Modified-Since
// and If-Unmodified-Since as Swift's object server does for method, and
// returns nil, an error wrapping ErrNotModified (GET/HEAD only) or one
// wrapping ErrPreconditionFailed.
//
// GET and HEAD follow swob's conditional responses, first rule that
// applies wins:
//  1. If-None-Match lists the entity's ETag or "*" → 304;
//  2. If-Match does not list it (nor "*") → 412;
//  3. the entity does not exist and If-Match lists "*" → 412;
//  4. Last-Modified <= If-Modified-Since → 304;
//  5. Last-Modified > If-Unmodified-Since → 412.
//
// Rules 1, 2, 4 and 5 need an existing entity. For PUT, an existing
// object listed by If-None-Match ("*" or its ETag) → 412. POST and DELETE
// have no preconditions in Swift's object server (DELETE's X-If-Delete-At
// is the object server's own business).
//
// ETags in the headers may be quoted or not, and several may be given,
// separated by commas. Dates that do not parse are ignored, as in Swift,
// and compare at one-second resolution: Last-Modified is
// LastModified.CeilSeconds(), what Swift sends in Last-Modified.
func CheckPreconditions(h http.Header, method string, v Validators) error {
	switch method {
	case http.MethodGet, http.MethodHead:
		return checkReadPreconditions(h, v)
	case http.MethodPut:
		if v.Exists {
			if tags, ok := headerETags(h, "If-None-Match"); ok && tags.contains(v.ETag) {
				return errPreconditionFailed()
			}
		}
	}
	return nil
}

func errPreconditionFailed() error {
	return Errorf(ErrPreconditionFailed, "Precondition Failed")
}

func checkReadPreconditions(h http.Header, v Validators) error {
	// swob reads the ETag with its quotes removed; an entity without one
	// (none of ours, but a caller may not know it) skips the ETag rules.
	etag := strings.ReplaceAll(v.ETag, `"`, "")
	if v.Exists && etag != "" {
		if tags, ok := headerETags(h, "If-None-Match"); ok && tags.contains(etag) {
			return Errorf(ErrNotModified, "Not Modified")
		}
		if tags, ok := headerETags(h, "If-Match"); ok && !tags.contains(etag) {
			return errPreconditionFailed()
		}
	}
	if !v.Exists {
		if tags, ok := headerETags(h, "If-Match"); ok && tags.star() {
			return errPreconditionFailed()
		}
		return nil
	}
	lastModified := v.LastModified.CeilSeconds()
	if since, ok := headerDate(h, "If-Modified-Since"); ok && lastModified <= since {
		return Errorf(ErrNotModified, "Not Modified")
	}
	if since, ok := headerDate(h, "If-Unmodified-Since"); ok && lastModified > since {
		return errPreconditionFailed()
	}
	return nil
}

// ValidatePutIfNoneMatch is the proxy's check on an object PUT: Swift
// supports If-None-Match only as "*" there, and answers 400 for anything
// else (a list is fine as long as it holds "*").
func ValidatePutIfNoneMatch(h http.Header) error {
	if tags, ok := headerETags(h, "If-None-Match"); ok && !tags.star() {
		return Errorf(ErrBadRequest, "If-None-Match only supports *")
	}
	return nil
}

// etagSet is swob's Match: the entity tags of an If-Match or If-None-Match
// header, each stripped of whitespace and of one pair of enclosing quotes.
type etagSet []string

// headerETags parses header name, reporting whether it is present at all:
// an empty If-Match is present, matches nothing, and so fails.
func headerETags(h http.Header, name string) (etagSet, bool) {
	values := h.Values(name)
	if len(values) == 0 {
		return nil, false
	}
	var tags etagSet
	for _, tag := range strings.Split(strings.Join(values, ","), ",") {
		if tag = pyStripLatin1(tag); tag != "" {
			tags = append(tags, normalizeETag(tag))
		}
	}
	return tags, true
}

// normalizeETag is swob's normalize_etag: one pair of enclosing quotes off.
func normalizeETag(tag string) string {
	if len(tag) >= 2 && tag[0] == '"' && tag[len(tag)-1] == '"' {
		return tag[1 : len(tag)-1]
	}
	return tag
}

func (s etagSet) star() bool { return s.has("*") }

func (s etagSet) has(tag string) bool {
	for _, t := range s {
		if t == tag {
			return true
		}
	}
	return false
}

// contains is swob's Match.__contains__: "*" matches any entity.
func (s etagSet) contains(etag string) bool {
	return s.star() || s.has(normalizeETag(etag))
}

// httpDateLayouts are the date forms clients send (RFC 7231's three, plus
// numeric zones and the day name left out), which Python's parsedate also
// reads. Zone names are whatever letters come; see headerDate.
var httpDateLayouts = [...]string{
	"Mon, _2 Jan 2006 15:04:05 MST",
	"Mon, _2 Jan 2006 15:04:05 -0700",
	"Mon, _2 Jan 2006 15:04:05",
	"Monday, _2-Jan-06 15:04:05 MST",
	"Mon Jan _2 15:04:05 2006",
	"_2 Jan 2006 15:04:05 MST",
	"_2 Jan 2006 15:04:05 -0700",
}

// headerDate parses an HTTP date header into Unix seconds. Swift reads it
// with email.utils.parsedate, which drops the zone: every date is taken as
// UTC whatever it says, and a date that does not parse is ignored.
func headerDate(h http.Header, name string) (int64, bool) {
	value := strings.TrimSpace(h.Get(name))
	if value == "" {
		return 0, false
	}
	for _, layout := range httpDateLayouts {
		t, err := time.Parse(layout, value)
		if err != nil {
			continue
		}
		wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
		return wall.Unix(), true
	}
	return 0, false
}
