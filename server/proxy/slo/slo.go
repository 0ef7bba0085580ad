// Package slo is Swift's static large object middleware. A client
// uploads segments as ordinary objects, then PUTs a JSON list of them with
// ?multipart-manifest=put; the middleware checks every segment by HEAD
// and stores the list as the body of a manifest object marked
// X-Static-Large-Object. A GET of the manifest streams the segments in
// order as one object, with ranges, conditional requests and manifests
// nested in manifests; ?multipart-manifest=get returns the list itself
// and ?multipart-manifest=delete deletes the segments with the manifest.
//
// Segment reads, HEADs and deletes are subrequests to the handler this
// middleware wraps, made with the client's token, so that ACLs apply to
// the client; segment bodies stream through and are never held in memory.
package slo

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/sciswift/sciswift/server/proxy/bulk"
	"github.com/sciswift/sciswift/server/proxy/subrequest"
	"github.com/sciswift/sciswift/server/swift"
)

// Config configures the middleware. Zero numbers take Swift's defaults.
type Config struct {
	Limits swift.Limits
	Logger *slog.Logger
	// Client sends subrequests; its transport must route Endpoint to the
	// handler this middleware wraps. Both are required.
	Client   *http.Client
	Endpoint string

	MaxManifestSegments int           // 1000 object segments
	MaxManifestSize     int           // 8 MiB of manifest body
	YieldFrequency      time.Duration // 10s between heartbeats
	Concurrency         int           // 2 segment HEADs at once during a PUT
	DeleteConcurrency   int           // Concurrency segment DELETEs at once
}

// maxFailedDeletes is what Swift's SLO gives its bulk deleter: the bulk
// default, not configurable.
const maxFailedDeletes = 1000

// Middleware serves static large objects and passes everything else to
// next.
type Middleware struct {
	next    http.Handler
	cfg     Config
	sub     *subrequest.Client
	deleter *bulk.Deleter
}

// New wraps next. It panics without Config.Client and Config.Endpoint:
// the middleware cannot work without them.
func New(next http.Handler, cfg Config) *Middleware {
	cfg = withDefaults(cfg)
	sub := &subrequest.Client{HTTP: cfg.Client, Endpoint: cfg.Endpoint, Source: "SLO"}
	return &Middleware{
		next: next,
		cfg:  cfg,
		sub:  sub,
		deleter: &bulk.Deleter{
			Client:           sub,
			Agent:            "MultipartDELETE",
			MaxFailedDeletes: maxFailedDeletes,
			Concurrency:      cfg.DeleteConcurrency,
			YieldFrequency:   cfg.YieldFrequency,
			Logger:           cfg.Logger,
		},
	}
}

func withDefaults(cfg Config) Config {
	if cfg.Client == nil || cfg.Endpoint == "" {
		panic("slo: Config.Client and Config.Endpoint are required")
	}
	if cfg.Limits == (swift.Limits{}) {
		cfg.Limits = swift.DefaultLimits()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxManifestSegments <= 0 {
		cfg.MaxManifestSegments = 1000
	}
	if cfg.MaxManifestSize <= 0 {
		cfg.MaxManifestSize = 8 << 20
	}
	if cfg.YieldFrequency <= 0 {
		cfg.YieldFrequency = 10 * time.Second
	}
	// Swift clamps concurrency to 1..1000 (0 means its default of 2).
	cfg.Concurrency = min(max(cfg.Concurrency, 0), 1000)
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 2
	}
	if cfg.DeleteConcurrency <= 0 {
		cfg.DeleteConcurrency = cfg.Concurrency
	}
	return cfg
}

// Info is this middleware's part of /info, keyed by section, as Swift
// registers it. Asynchronous segment deletion is not provided.
func (m *Middleware) Info() map[string]any {
	return map[string]any{
		"slo": map[string]any{
			"max_manifest_segments": m.cfg.MaxManifestSegments,
			"max_manifest_size":     m.cfg.MaxManifestSize,
			"yield_frequency":       int(m.cfg.YieldFrequency / time.Second),
			"min_segment_size":      1,
			"allow_async_delete":    false,
		},
	}
}

func (m *Middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, err := swift.ParsePublicPath(r.URL)
	if err != nil || p.Level() != swift.LevelObject {
		m.next.ServeHTTP(w, r)
		return
	}
	manifest := r.URL.Query().Get("multipart-manifest")
	switch {
	case r.Method == http.MethodPut && manifest == "put":
		m.servePut(w, r, p)
	case r.Method == http.MethodDelete && manifest == "delete":
		m.serveDelete(w, r, p)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		m.serveGetOrHead(w, r, p, manifest == "get")
	case r.Header[swift.HeaderStaticLarge] != nil:
		swift.WriteError(w, r, swift.Errorf(swift.ErrBadRequest,
			"X-Static-Large-Object is a reserved header. To create a static large object add query param multipart-manifest=put."))
	default:
		m.next.ServeHTTP(w, r)
	}
}

// storedManifestLimit bounds how much of a stored manifest is read into
// memory. Its client body was at most MaxManifestSize; each object
// segment then grew by at most its name escaped for JSON (six bytes per
// byte at worst), a content type (bounded by the header size) and a few
// short fields (hash, date, range, keys).
func (m *Middleware) storedManifestLimit() int64 {
	l := m.cfg.Limits
	perSegment := 6*(l.MaxContainerNameLength+l.MaxObjectNameLength+2) + l.MaxHeaderSize + 512
	return int64(m.cfg.MaxManifestSize) + int64(m.cfg.MaxManifestSegments)*int64(perSegment)
}

// objectPath is the escaped path of "/container/object" in p's account.
func objectPath(p swift.Path, name string) string {
	return swift.EscapePath(p.Version, p.Account, strings.TrimLeft(name, "/"))
}
