// Package dataset is the dataset API: a middleware that answers
// `?describe` and `?dataset=PATH&select=EXPR&format=FMT` on an object by
// reading the object as a scientific file (HDF5, Parquet, FITS, or a file
// written through the VOL connector), and that turns a plain GET of a
// VOL-written file's manifest into a standard HDF5 file, streamed.
//
// Every byte it reads is a subrequest to the handler it wraps, made with
// the client's token: Range GETs of the object, GETs and listings of a
// VOL-written file's documents and chunks. So the object's ACLs decide,
// exactly as for a GET of it: a token or ACL that cannot GET the object
// cannot describe or slice it either, and large objects (SLO, DLO) are read
// as the bytes a GET returns.
package dataset

import (
	"log/slog"
	"net/http"

	"github.com/sciswift/sciswift/formats/fits"
	"github.com/sciswift/sciswift/formats/parquet"
	"github.com/sciswift/sciswift/formats/selection"
	"github.com/sciswift/sciswift/server/proxy/subrequest"
	"github.com/sciswift/sciswift/server/swift"
)

// Config configures the middleware.
type Config struct {
	Logger *slog.Logger
	// Client sends subrequests; its transport must route Endpoint to the
	// handler this middleware wraps. Both are required.
	Client   *http.Client
	Endpoint string

	// Limit bounds one selection (413 beyond it); zero fields are
	// unbounded.
	Limit selection.Limit
	// FITS and Parquet bound what a crafted file can make the drivers do.
	FITS    fits.Limits
	Parquet parquet.Limits

	// HDF5 indexes and opens uploaded HDF5 files; nil answers them 501.
	HDF5 HDF5
	// Index keeps built HDF5 indexes with the objects; nil keeps them in
	// memory only.
	Index IndexStore
	// IndexCacheSize is how many parsed indexes stay in memory (default
	// 64); MaxWorkers how many index builds run at once (default 2).
	IndexCacheSize int
	MaxWorkers     int

	// VOL reads files written through the VOL connector; nil answers
	// them 501 and lets a plain GET return the manifest.
	VOL VOL
}

// Middleware serves the dataset API and passes everything else to next.
type Middleware struct {
	next    http.Handler
	cfg     Config
	sub     *subrequest.Client
	indexes *indexCache
}

// subrequestSource marks the middleware's subrequests in the access log.
const subrequestSource = "DS"

// New wraps next. It panics without Config.Client and Config.Endpoint:
// the middleware cannot work without them.
func New(next http.Handler, cfg Config) *Middleware {
	if cfg.Client == nil || cfg.Endpoint == "" {
		panic("dataset: Config.Client and Config.Endpoint are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	m := &Middleware{
		next: next,
		cfg:  cfg,
		sub:  &subrequest.Client{HTTP: cfg.Client, Endpoint: cfg.Endpoint, Source: subrequestSource},
	}
	m.indexes = newIndexCache(cfg.IndexCacheSize, cfg.MaxWorkers, cfg.Index, cfg.Logger)
	return m
}

// Info is the middleware's /info section: what a client can ask for.
func (m *Middleware) Info() map[string]any {
	formatNames := []string{fits.Format, parquet.Format}
	if m.cfg.HDF5 != nil {
		formatNames = append(formatNames, "hdf5")
	}
	if m.cfg.VOL != nil {
		formatNames = append(formatNames, "hdf5-vol")
	}
	return map[string]any{
		"sciswift_datasets": map[string]any{
			"formats":                formatNames,
			"encodings":              encodings,
			"max_selection_bytes":    m.cfg.Limit.MaxBytes,
			"max_selection_elements": m.cfg.Limit.MaxElements,
		},
	}
}

func (m *Middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, err := swift.ParsePublicPath(r.URL)
	if err != nil || p.Level() != swift.LevelObject {
		m.next.ServeHTTP(w, r)
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodDelete:
		m.serveDelete(w, r, p)
		return
	default:
		m.next.ServeHTTP(w, r)
		return
	}
	q, isAPI, err := parseQuery(r.URL.RawQuery)
	switch {
	case err != nil:
		swift.WriteError(w, r, err)
	case isAPI:
		m.serveAPI(w, r, p, q)
	case m.cfg.VOL != nil && !q.manifestGet:
		m.serveMaybeVOL(w, r, p)
	default:
		m.next.ServeHTTP(w, r)
	}
}

// serveDelete passes a DELETE on and, when it succeeds, drops the object's
// HDF5 index, best effort: an index left behind is rebuilt or ignored
// since its source ETag no longer matches.
func (m *Middleware) serveDelete(w http.ResponseWriter, r *http.Request, p swift.Path) {
	var status int
	subrequest.Intercept(m.next, w, r, 0, func(code int, _ http.Header) bool {
		status = code
		return false
	})
	if status/100 == 2 && m.cfg.HDF5 != nil {
		m.indexes.forget(r.Context(), indexKeyOf(p))
	}
}
