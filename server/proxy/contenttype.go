package proxy

import (
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/sciswift/sciswift/server/swift"
)

// defaultContentType is what an object gets when nothing better is known.
const defaultContentType = "application/octet-stream"

// guessContentType is Swift's mimetypes.guess_type on the object name: the
// type registered for its extension, without parameters (Python's table
// has no "; charset=utf-8", Go's does), or application/octet-stream.
func guessContentType(object string) string {
	ext := path.Ext(object)
	if ext == "" {
		return defaultContentType
	}
	t := mime.TypeByExtension(ext)
	if t == "" {
		return defaultContentType
	}
	if mediaType, _, err := mime.ParseMediaType(t); err == nil {
		return mediaType
	}
	return strings.TrimSpace(strings.Split(t, ";")[0])
}

// setContentType fills in Content-Type as Swift's object PUT does: guessed
// from the name when the client sent none (or an empty one), or when it
// asked with X-Detect-Content-Type: true.
func setContentType(h http.Header, object string) {
	detect := configTrue(h.Get(swift.HeaderDetectType))
	h.Del(swift.HeaderDetectType)
	if detect || h.Get("Content-Type") == "" {
		h.Set("Content-Type", guessContentType(object))
	}
}
