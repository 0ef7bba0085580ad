// Package account is the backend account server: Swift's account server
// protocol (docs/INTERNALS.md, "Account server") over the account
// databases of storage/listing.
//
// It answers account PUT, HEAD, GET (container listings), POST and DELETE,
// and the container-row PUT that container servers send after each change
// to a container; the account's container, object and byte totals follow
// those rows exactly.
package account

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/sciswift/sciswift/server/swift"
	"github.com/sciswift/sciswift/storage/listing"
)

// Config configures a Server.
type Config struct {
	// Root is the data directory: one directory per device, each holding
	// (or getting) an accounts.db.
	Root string
	// Limits are the cluster constraints; the zero value means
	// swift.DefaultLimits().
	Limits swift.Limits
	// Logger receives errors; nil means slog.Default().
	Logger *slog.Logger
}

// Server is the account role's http.Handler.
type Server struct {
	limits swift.Limits
	logger *slog.Logger
	store  *listing.Store
}

// New returns an account server for the devices under cfg.Root.
// Databases are opened on first use.
func New(cfg Config) (*Server, error) {
	if cfg.Root == "" {
		return nil, errors.New("account: Config.Root is required")
	}
	if cfg.Limits == (swift.Limits{}) {
		cfg.Limits = swift.DefaultLimits()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	logger := cfg.Logger.With("server", "account")
	return &Server{
		limits: cfg.Limits,
		logger: logger,
		store:  listing.Open(cfg.Root, listing.KindAccount, listing.Options{Logger: logger}),
	}, nil
}

// Close closes the databases. Stop serving requests first.
func (s *Server) Close() error { return s.store.Close() }

// handlerFunc handles one request; an error is answered by ServeHTTP, so a
// handler returns one only before it has written anything.
type handlerFunc func(w http.ResponseWriter, r *http.Request, p swift.Path) error

// ServeHTTP routes a backend request by path depth and method.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, err := s.parsePath(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h, err := s.handler(p, r)
	if err == nil {
		err = h(w, r, p)
	}
	if err != nil {
		s.fail(w, r, err)
	}
}

// handler picks the handler. Only PUT takes a container path (the
// container row); Swift's other account requests take exactly three
// segments.
func (s *Server) handler(p swift.Path, r *http.Request) (handlerFunc, error) {
	if p.Level() != swift.LevelAccount {
		switch r.Method {
		case http.MethodPut:
			if p.Level() == swift.LevelContainer {
				return s.putContainerRow, nil
			}
		case http.MethodHead, http.MethodGet, http.MethodPost, http.MethodDelete:
		default:
			return nil, swift.ErrMethodNotAllowed
		}
		return nil, swift.Errorf(swift.ErrBadRequest, "Invalid path: %s", r.URL.Path)
	}
	switch r.Method {
	case http.MethodPut:
		return s.putAccount, nil
	case http.MethodHead, http.MethodGet:
		return s.getAccount, nil
	case http.MethodPost:
		return s.postAccount, nil
	case http.MethodDelete:
		return s.deleteAccount, nil
	}
	return nil, swift.ErrMethodNotAllowed
}

// parsePath accepts /DEVICE/PARTITION/ACCOUNT[/CONTAINER] with names Swift
// accepts: valid UTF-8, no NUL (412), within the cluster's limits.
func (s *Server) parsePath(r *http.Request) (swift.Path, error) {
	p, err := swift.ParseBackendPath(r.URL)
	if err != nil {
		return p, err
	}
	if err := s.limits.CheckAccount(p.Account); err != nil {
		return p, err
	}
	if p.Container != "" {
		if err := s.limits.CheckContainer(p.Container); err != nil {
			return p, err
		}
	}
	return p, nil
}

// fail answers with err. Storage errors carry internal detail for the log;
// clients get Swift's wording for the status.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := swift.Status(err)
	if status >= 500 && status != http.StatusInsufficientStorage {
		s.logger.Error("request failed", "method", r.Method, "path", r.URL.Path,
			"trans_id", r.Header.Get(swift.HeaderTransID), "err", err)
	}
	swift.WriteError(w, r, swiftWording(err))
}

// swiftWording replaces the stock phrase of statuses whose Swift body is
// not the HTTP reason phrase; user-facing errors keep their own words.
func swiftWording(err error) error {
	if swift.Message(err) != http.StatusText(swift.Status(err)) {
		return err
	}
	switch {
	case errors.Is(err, swift.ErrConflict):
		return swift.Errorf(swift.ErrConflict, "There was a conflict when trying to complete your request.")
	case errors.Is(err, swift.ErrMethodNotAllowed):
		return swift.Errorf(swift.ErrMethodNotAllowed, "The method is not allowed for this resource.")
	case errors.Is(err, swift.ErrBadRequest):
		return swift.Errorf(swift.ErrBadRequest,
			"The server could not comply with the request since it is either malformed or otherwise incorrect.")
	}
	return err
}
