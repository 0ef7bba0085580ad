// Package bulk is Swift's bulk middleware, bulk delete half: POST (or
// DELETE) /v1/ACCOUNT?bulk-delete with a text/plain body of URL-encoded
// "/container/object" and "/container" lines deletes them all, each as a
// subrequest carrying the user's token, and answers 200 with the outcome
// in the body (plain text, JSON or XML as Accept asks), sending
// whitespace while it works. Archive extraction (?extract-archive) is not
// provided and not advertised.
//
// The package also holds the pieces Swift's SLO middleware borrows from
// bulk: the Deleter loop, response bodies and Accept negotiation.
package bulk

import (
	"iter"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/sciswift/sciswift/server/proxy/subrequest"
	"github.com/sciswift/sciswift/server/swift"
)

// Config configures the middleware. Zero numbers take Swift's defaults.
type Config struct {
	Limits swift.Limits
	Logger *slog.Logger
	// Client sends the DELETE subrequests; its transport must route
	// Endpoint to the handler this middleware wraps. Both are required.
	Client   *http.Client
	Endpoint string

	MaxDeletesPerRequest int           // 10000
	MaxFailedDeletes     int           // 1000
	DeleteConcurrency    int           // 2
	YieldFrequency       time.Duration // 10s
}

// Middleware serves bulk deletes and passes everything else to next.
type Middleware struct {
	next    http.Handler
	cfg     Config
	deleter *Deleter
}

// New wraps next. It panics without Config.Client and Config.Endpoint:
// the middleware cannot work without them.
func New(next http.Handler, cfg Config) *Middleware {
	cfg = withDefaults(cfg)
	return &Middleware{
		next: next,
		cfg:  cfg,
		deleter: &Deleter{
			Client:           &subrequest.Client{HTTP: cfg.Client, Endpoint: cfg.Endpoint, Source: "BD"},
			Agent:            "BulkDelete",
			MaxFailedDeletes: cfg.MaxFailedDeletes,
			Concurrency:      cfg.DeleteConcurrency,
			YieldFrequency:   cfg.YieldFrequency,
			Logger:           cfg.Logger,
		},
	}
}

func withDefaults(cfg Config) Config {
	if cfg.Client == nil || cfg.Endpoint == "" {
		panic("bulk: Config.Client and Config.Endpoint are required")
	}
	if cfg.Limits == (swift.Limits{}) {
		cfg.Limits = swift.DefaultLimits()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxDeletesPerRequest <= 0 {
		cfg.MaxDeletesPerRequest = 10000
	}
	if cfg.MaxFailedDeletes <= 0 {
		cfg.MaxFailedDeletes = 1000
	}
	// Swift clamps delete_concurrency to 1..1000.
	cfg.DeleteConcurrency = min(max(cfg.DeleteConcurrency, 0), 1000)
	if cfg.DeleteConcurrency == 0 {
		cfg.DeleteConcurrency = 2
	}
	if cfg.YieldFrequency <= 0 {
		cfg.YieldFrequency = 10 * time.Second
	}
	return cfg
}

// Info is this middleware's part of /info, keyed by section: Swift's
// "bulk_delete". ("bulk_upload" is absent: extraction is not provided.)
func (m *Middleware) Info() map[string]any {
	return map[string]any{
		"bulk_delete": map[string]any{
			"max_deletes_per_request": m.cfg.MaxDeletesPerRequest,
			"max_failed_deletes":      m.cfg.MaxFailedDeletes,
		},
	}
}

func (m *Middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if (r.Method == http.MethodPost || r.Method == http.MethodDelete) && r.URL.Query().Has("bulk-delete") {
		accept := strings.Join(r.Header.Values("Accept"), ",")
		m.deleter.Serve(w, r, NegotiateFormat(accept), m.bodyItems(r))
		return
	}
	m.next.ServeHTTP(w, r)
}

// bodyItems yields the names in r's body. The body is read whole before
// the first delete, as Swift does, so that a body over the limits deletes
// nothing.
func (m *Middleware) bodyItems(r *http.Request) iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {
		if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "text/plain") {
			yield(Item{}, swift.Errorf(swift.ErrNotAcceptable, ""))
			return
		}
		if !hasLength(r) {
			yield(Item{}, swift.Errorf(swift.ErrLengthRequired, ""))
			return
		}
		names, err := parseDeleteBody(r.Body, m.cfg.MaxDeletesPerRequest, maxPathLength(m.cfg.Limits))
		if err != nil {
			yield(Item{}, err)
			return
		}
		for _, n := range names {
			if !yield(Item{Name: n}, nil) {
				return
			}
		}
	}
}

// hasLength reports whether the request says how long its body is: a
// Content-Length, or chunked encoding (which Go reports as -1).
func hasLength(r *http.Request) bool {
	return r.ContentLength != 0 || r.Header.Get("Content-Length") != "" || len(r.TransferEncoding) > 0
}
