// Package container is the backend container server: Swift's container
// server protocol (docs/INTERNALS.md, "Container server") over the
// container databases of storage/listing.
//
// It answers container PUT, HEAD, GET (listings), POST and DELETE, and the
// object-row PUT and DELETE that object servers send after each object
// write. After every change to a container's counts or timestamps it tells
// the account server recorded at container PUT, one report at a time per
// container so reports arrive in order (see updater.go).
package container

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
	// (or getting) a containers.db.
	Root string
	// Limits are the cluster constraints; the zero value means
	// swift.DefaultLimits().
	Limits swift.Limits
	// HTTP sends account updates; nil means a plain http.Client.
	HTTP *http.Client
	// Logger receives errors and failed account updates; nil means
	// slog.Default().
	Logger *slog.Logger
}

// Server is the container role's http.Handler.
type Server struct {
	limits  swift.Limits
	logger  *slog.Logger
	store   *listing.Store
	updates *accountUpdater
}

// New returns a container server for the devices under cfg.Root.
// Databases are opened on first use.
func New(cfg Config) (*Server, error) {
	if cfg.Root == "" {
		return nil, errors.New("container: Config.Root is required")
	}
	if cfg.Limits == (swift.Limits{}) {
		cfg.Limits = swift.DefaultLimits()
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	logger := cfg.Logger.With("server", "container")
	store := listing.Open(cfg.Root, listing.KindContainer, listing.Options{Logger: logger})
	return &Server{
		limits:  cfg.Limits,
		logger:  logger,
		store:   store,
		updates: newAccountUpdater(store, cfg.HTTP, logger),
	}, nil
}

// Close waits for pending account updates, then closes the databases.
// Stop serving requests (http.Server.Shutdown) before calling it.
func (s *Server) Close() error {
	s.updates.close()
	return s.store.Close()
}

// ServeHTTP routes a backend request by path depth and method.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, err := s.parsePath(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := s.handler(p, r.Method)
	switch {
	case h == nil && p.Level() == swift.LevelObject && isContainerMethod(r.Method):
		// Swift's container HEAD, GET and POST take exactly four path
		// segments.
		s.fail(w, r, swift.Errorf(swift.ErrBadRequest, "Invalid path: %s", r.URL.Path))
	case h == nil:
		s.fail(w, r, swift.ErrMethodNotAllowed)
	default:
		if err := h(w, r, p); err != nil {
			s.fail(w, r, err)
		}
	}
}

func isContainerMethod(m string) bool {
	return m == http.MethodHead || m == http.MethodGet || m == http.MethodPost
}

// handlerFunc handles one request; an error is answered by ServeHTTP, so a
// handler returns one only before it has written anything.
type handlerFunc func(w http.ResponseWriter, r *http.Request, p swift.Path) error

func (s *Server) handler(p swift.Path, method string) handlerFunc {
	if p.Level() == swift.LevelObject {
		switch method {
		case http.MethodPut:
			return s.putObject
		case http.MethodDelete:
			return s.deleteObject
		}
		return nil
	}
	switch method {
	case http.MethodPut:
		return s.putContainer
	case http.MethodHead, http.MethodGet:
		return s.getContainer
	case http.MethodPost:
		return s.postContainer
	case http.MethodDelete:
		return s.deleteContainer
	}
	return nil
}

// parsePath accepts /DEVICE/PARTITION/ACCOUNT/CONTAINER[/OBJECT] with names
// Swift accepts: valid UTF-8, no NUL (412), within the cluster's limits.
func (s *Server) parsePath(r *http.Request) (swift.Path, error) {
	p, err := swift.ParseBackendPath(r.URL)
	if err != nil {
		return p, err
	}
	if p.Container == "" {
		return p, swift.Errorf(swift.ErrBadRequest, "Invalid path: %s", r.URL.Path)
	}
	if err := s.limits.CheckAccount(p.Account); err != nil {
		return p, err
	}
	if err := s.limits.CheckContainer(p.Container); err != nil {
		return p, err
	}
	if p.Object != "" {
		return p, s.limits.CheckObject(p.Object)
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
