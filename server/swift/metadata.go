package swift

import (
	"net/http"
	"sort"
	"strings"
)

// UserMetadata extracts the user metadata a request sets on an entity of
// the given level: X-<Level>-Meta-NAME headers, and X-Remove-<Level>-Meta-NAME
// as NAME with an empty value (which deletes it). Keys keep their full,
// canonical header name.
func UserMetadata(h http.Header, level Level) map[string]string {
	prefix, remove := level.UserMetaPrefix(), level.RemoveMetaPrefix()
	out := map[string]string{}
	for name, vals := range h {
		switch {
		case HasPrefixFold(name, prefix):
			out[http.CanonicalHeaderKey(name)] = strings.Join(vals, ",")
		case HasPrefixFold(name, remove):
			key := http.CanonicalHeaderKey(prefix + name[len(remove):])
			if _, set := out[key]; !set {
				out[key] = ""
			}
		}
	}
	return out
}

// CheckMetadata applies Swift's check_metadata limits to the user metadata
// in meta (as returned by UserMetadata, possibly merged with what the entity
// already has). Messages match Swift's so clients see familiar errors, and
// like Swift it stops at the first offending item, counting items and bytes
// as it goes; keys are visited in sorted order so the answer is
// deterministic. An empty value is a removal and takes no room. Unlike
// Swift, which checks UTF-8 for account and container metadata only, every
// level must be valid UTF-8 without NUL: metadata is stored as JSON.
func (l Limits) CheckMetadata(meta map[string]string, level Level) error {
	prefix := level.UserMetaPrefix()
	// Swift names the offending header with its lower-case prefix and the
	// rest of the name as received: "x-object-meta-Color".
	msgPrefix := strings.ToLower(prefix)
	keys := make([]string, 0, len(meta))
	for key, value := range meta {
		if HasPrefixFold(key, prefix) && value != "" {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	count, size := 0, 0
	for _, key := range keys {
		name, value := key[len(prefix):], meta[key]
		if name == "" {
			return Errorf(ErrBadRequest, "Metadata name cannot be empty")
		}
		if !validUTF8Name(name) || !validUTF8Name(value) {
			return Errorf(ErrBadRequest, "Metadata must be valid UTF-8")
		}
		count++
		size += len(name) + len(value)
		switch {
		case len(name) > l.MaxMetaNameLength:
			return Errorf(ErrBadRequest, "Metadata name too long: %s%s", msgPrefix, name)
		case len(value) > l.MaxMetaValueLength:
			return Errorf(ErrBadRequest, "Metadata value longer than %d: %s%s", l.MaxMetaValueLength, msgPrefix, name)
		case count > l.MaxMetaCount:
			return Errorf(ErrBadRequest, "Too many metadata items; max %d", l.MaxMetaCount)
		case size > l.MaxMetaOverallSize:
			return Errorf(ErrBadRequest, "Total metadata too large; max %d", l.MaxMetaOverallSize)
		}
	}
	return nil
}

// MergeMetadata applies updates (empty value = delete) to current, returning
// a new map; used for container and account POSTs, which add to metadata
// rather than replace it.
func MergeMetadata(current, updates map[string]string) map[string]string {
	out := make(map[string]string, len(current)+len(updates))
	for k, v := range current {
		out[k] = v
	}
	for k, v := range updates {
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}
