// Package dlo is Swift's dynamic large object middleware. A manifest is
// an object with an X-Object-Manifest: CONTAINER/PREFIX header; a GET of
// it lists CONTAINER for names starting with PREFIX and streams those
// objects in listing order as one object, paging through listings of any
// length. ?multipart-manifest=get returns the manifest object itself.
//
// Listings and segment reads are subrequests to the handler this
// middleware wraps, made with the client's token; segment bodies stream
// through and are never held in memory.
package dlo

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/sciswift/sciswift/server/proxy/subrequest"
	"github.com/sciswift/sciswift/server/swift"
)

// Config configures the middleware.
type Config struct {
	// Limits.ContainerListingLimit is the page size of the listings
	// (a shorter page is the last one).
	Limits swift.Limits
	Logger *slog.Logger
	// Client sends subrequests; its transport must route Endpoint to the
	// handler this middleware wraps. Both are required.
	Client   *http.Client
	Endpoint string
}

// Middleware serves dynamic large objects and passes everything else to
// next.
type Middleware struct {
	next http.Handler
	cfg  Config
	sub  *subrequest.Client
}

// New wraps next. It panics without Config.Client and Config.Endpoint:
// the middleware cannot work without them.
func New(next http.Handler, cfg Config) *Middleware {
	if cfg.Client == nil || cfg.Endpoint == "" {
		panic("dlo: Config.Client and Config.Endpoint are required")
	}
	if cfg.Limits == (swift.Limits{}) {
		cfg.Limits = swift.DefaultLimits()
	}
	if cfg.Limits.ContainerListingLimit <= 0 {
		cfg.Limits.ContainerListingLimit = swift.DefaultLimits().ContainerListingLimit
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Middleware{
		next: next,
		cfg:  cfg,
		sub:  &subrequest.Client{HTTP: cfg.Client, Endpoint: cfg.Endpoint, Source: "DLO"},
	}
}

// Info is this middleware's part of /info: nothing, as Swift's DLO
// registers no section (it is always on).
func (m *Middleware) Info() map[string]any { return map[string]any{} }

func (m *Middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, err := swift.ParsePublicPath(r.URL)
	if err != nil || p.Level() != swift.LevelObject {
		m.next.ServeHTTP(w, r)
		return
	}
	switch {
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.URL.Query().Get("multipart-manifest") != "get":
		m.serveGetOrHead(w, r, p)
		return
	case r.Method == http.MethodPut && r.Header[swift.HeaderObjectManifest] != nil:
		if err := ValidateManifest(r.Header.Get(swift.HeaderObjectManifest)); err != nil {
			swift.WriteError(w, r, err)
			return
		}
	}
	m.next.ServeHTTP(w, r)
}

// ValidateManifest checks an X-Object-Manifest value as a client sends it
// (still URL-encoded), with Swift's rules and message.
func ValidateManifest(value string) error {
	container, prefix, found := strings.Cut(value, "/")
	if !found || container == "" || prefix == "" || strings.ContainsAny(value, "?&") || strings.HasPrefix(prefix, "/") {
		return swift.Errorf(swift.ErrBadRequest, "X-Object-Manifest must be in the format container/prefix")
	}
	return nil
}

// errBadManifest is a stored X-Object-Manifest this middleware cannot
// use; Swift fails the same way (with a 500) on one without a slash.
var errBadManifest = swift.Errorf(errors.New("internal server error"), "Invalid X-Object-Manifest")

// splitManifest decodes a stored X-Object-Manifest into the container
// and prefix to list, as Swift does: URL-decoded first, then split at
// the first slash.
func splitManifest(value string) (container, prefix string, err error) {
	container, prefix, found := strings.Cut(unquote(value), "/")
	if !found || container == "" {
		return "", "", errBadManifest
	}
	return container, prefix, nil
}

// unquote URL-decodes as Python's unquote: a "%" not followed by two hex
// digits stays as it is.
func unquote(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, fromHex(s[i+1])<<4|fromHex(s[i+2]))
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

func fromHex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
