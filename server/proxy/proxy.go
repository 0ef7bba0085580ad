// Package proxy is sciswift's public API: Swift's proxy server with
// tempauth, container ACLs and the copy middleware built in. It
// authenticates users, authorizes requests, finds the replicas of each
// account, container and object in the rings, fans requests out to the
// backend roles over HTTP, and answers with the quorum's verdict, as
// OpenStack Swift 2.30's proxy does. It also runs the object expirer.
//
// Large objects and bulk delete are middlewares (server/proxy/slo, dlo,
// bulk) that wrap Server; WithRequestLog wraps the whole pipeline.
package proxy

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/sciswift/sciswift/ring"
	"github.com/sciswift/sciswift/server/swift"
)

// Config configures a Server.
type Config struct {
	Limits                                 swift.Limits // zero value: swift.DefaultLimits()
	AccountRing, ContainerRing, ObjectRing *ring.Ring
	Hasher                                 ring.PathHasher
	// HTTP sends backend requests; its Transport may be a
	// client.InProcessTransport. Nil means http.DefaultClient.
	HTTP *http.Client

	Users          []User
	TokenTTL       time.Duration // default 24h, tempauth's token_life
	TokenSecret    []byte        // signs tokens; proxies sharing it accept each other's tokens
	ResellerPrefix string        // default "AUTH_"

	// AccountAutocreate makes missing accounts look empty to GET/HEAD
	// and creates them on first write, as Swift's account_autocreate.
	AccountAutocreate bool
	// Features are extra /info sections, registered by middlewares
	// (slo, dlo, bulk_delete).
	Features map[string]any
	// Pipeline, when set, is how copies read their source: a client
	// whose transport reaches PipelineEndpoint, the top of the middleware
	// pipeline, so a large object's segments are assembled as Swift's
	// copy middleware (which sits above slo and dlo) sees them.
	Pipeline         *http.Client
	PipelineEndpoint string

	Logger          *slog.Logger  // nil: discard
	ExpirerInterval time.Duration // default 5m, Swift's expirer interval
	Clock           func() time.Time
}

// User is one tempauth user: Swift's user_ACCOUNT_NAME = KEY [.admin] [.reseller_admin].
type User struct {
	Account, Name, Key string
	Admin              bool // .admin: owner of Account
	ResellerAdmin      bool // .reseller_admin: owner of every account
}

// Server is the proxy handler.
type Server struct {
	limits                              swift.Limits
	accountRing, containerRing, objRing *ring.Ring
	hasher                              ring.PathHasher
	http                                *http.Client
	log                                 *slog.Logger
	clock                               func() time.Time
	expirerInterval                     time.Duration
	autocreate                          bool
	pipeline                            *http.Client
	pipelineEndpoint                    string

	auth    *tempauth
	ts      *timestamper
	info    []byte
	router  http.Handler
	queueMu sync.Mutex
	queues  map[string]bool // expirer queue containers known to exist
}

// Defaults, as Swift ships them.
const (
	defaultTokenTTL        = 24 * time.Hour
	defaultExpirerInterval = 5 * time.Minute
	defaultResellerPrefix  = "AUTH_"
)

// New checks cfg and builds a Server.
func New(cfg Config) (*Server, error) {
	if cfg.AccountRing == nil || cfg.ContainerRing == nil || cfg.ObjectRing == nil {
		return nil, errors.New("proxy: account, container and object rings are required")
	}
	if cfg.Limits == (swift.Limits{}) {
		cfg.Limits = swift.DefaultLimits()
	}
	cfg.HTTP = cmpOr(cfg.HTTP, http.DefaultClient)
	cfg.Logger = cmpOr(cfg.Logger, slog.New(slog.DiscardHandler))
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	cfg.TokenTTL = cmpOr(cfg.TokenTTL, defaultTokenTTL)
	cfg.ExpirerInterval = cmpOr(cfg.ExpirerInterval, defaultExpirerInterval)
	cfg.ResellerPrefix = cmpOr(cfg.ResellerPrefix, defaultResellerPrefix)
	auth, err := newTempauth(cfg)
	if err != nil {
		return nil, err
	}
	info, err := buildInfo(cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{
		limits:           cfg.Limits,
		accountRing:      cfg.AccountRing,
		containerRing:    cfg.ContainerRing,
		objRing:          cfg.ObjectRing,
		hasher:           cfg.Hasher,
		http:             cfg.HTTP,
		log:              cfg.Logger,
		clock:            cfg.Clock,
		expirerInterval:  cfg.ExpirerInterval,
		autocreate:       cfg.AccountAutocreate,
		pipeline:         cfg.Pipeline,
		pipelineEndpoint: cfg.PipelineEndpoint,
		auth:             auth,
		ts:               &timestamper{clock: cfg.Clock},
		info:             info,
		queues:           map[string]bool{},
	}
	s.router = s.routes()
	return s, nil
}

// cmpOr is cmp.Or for any comparable type: pointers are not cmp.Ordered.
func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// routes mounts the handlers. The router must neither clean paths nor
// decode them: object names may hold "//", "." and "%2F".
func (s *Server) routes() http.Handler {
	m := mux.NewRouter().SkipClean(true).UseEncodedPath()
	m.Path("/healthcheck").HandlerFunc(s.serveHealthcheck)
	m.Path("/info").HandlerFunc(s.serveInfo)
	m.PathPrefix("/auth/").HandlerFunc(s.serveAuth)
	m.Path("/v1.0").HandlerFunc(s.serveAuth)
	m.PathPrefix("/").HandlerFunc(s.serveStorage)
	return m
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.router.ServeHTTP(w, r)
}

// serveHealthcheck is Swift's healthcheck middleware: any method, "OK".
func (s *Server) serveHealthcheck(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Content-Length", "2")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte("OK"))
	}
}

// fail answers err. A 401 carries tempauth's challenge, as swob adds it to
// every 401; server-side failures are logged.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, account string, err error) {
	status := swift.Status(err)
	if status == http.StatusUnauthorized {
		w.Header().Set("Www-Authenticate", challenge(account))
	}
	if status >= 500 {
		s.log.Error("proxy request failed", "method", r.Method, "path", r.URL.EscapedPath(),
			"trans_id", transID(r), "err", err)
	}
	swift.WriteError(w, r, err)
}

// challenge is the Www-Authenticate value of a 401 for account.
func challenge(account string) string {
	if account == "" {
		account = "unknown"
	}
	return fmt.Sprintf("Swift realm=%q", escapeRealm(account))
}

func escapeRealm(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '%' {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
