package proxy

import (
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/sciswift/sciswift/server/swift"
)

// request is one client request under /v1, as the controllers see it.
type request struct {
	w       http.ResponseWriter
	r       *http.Request
	path    swift.Path
	user    *identity // nil: anonymous
	transID string
	// internal marks a request of the process itself to a hidden account
	// (InternalHandler): it acts as the account's owner.
	internal bool
}

// The methods each level answers, as Swift's controllers publish them.
var (
	accountMethods   = []string{"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"}
	containerMethods = []string{"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"}
	objectMethods    = []string{"COPY", "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"}
)

// serveStorage is Swift's proxy handle_request for /v1/... paths.
func (s *Server) serveStorage(w http.ResponseWriter, r *http.Request) {
	p, err := parseStoragePath(r.URL)
	if err != nil {
		s.fail(w, r, "", err)
		return
	}
	rq, err := s.newRequest(w, r, p)
	if err == nil {
		err = s.dispatch(rq)
	}
	if err != nil {
		s.fail(rq.w, r, p.Account, err)
	}
}

// newRequest authenticates r and checks an account ACL it carries, which
// tempauth rejects before anything else when malformed.
func (s *Server) newRequest(w http.ResponseWriter, r *http.Request, p swift.Path) (*request, error) {
	rq := &request{w: w, r: r, path: p, transID: transID(r)}
	if rq.transID == "" {
		rq.transID = swift.NewTransID()
	}
	user, err := s.auth.identify(r)
	if err != nil {
		return rq, err
	}
	rq.user = user
	if vals, ok := r.Header[http.CanonicalHeaderKey(headerAccountACL)]; ok {
		if _, err := parseAccountACL(strings.Join(vals, ",")); err != nil {
			return rq, err
		}
	}
	if r.Header.Get("Origin") != "" && p.Container != "" && r.Method != http.MethodOptions {
		rq.w = s.corsWriter(rq)
	}
	return rq, nil
}

func (s *Server) dispatch(rq *request) error {
	switch rq.path.Level() {
	case swift.LevelAccount:
		return s.serveAccount(rq)
	case swift.LevelContainer:
		return s.serveContainer(rq)
	default:
		return s.serveObject(rq)
	}
}

// notAllowed answers a method the level does not have.
func notAllowed(rq *request, allowed []string) error {
	rq.w.Header().Set("Allow", strings.Join(allowed, ", "))
	return swift.ErrMethodNotAllowed
}

// parseStoragePath is get_controller's path handling on top of
// swift.ParsePublicPath (404 without a version segment, 412 "Bad URL"
// without an account, 412 for names that are not UTF-8 or hold NUL): a
// version Swift does not serve is a 400.
func parseStoragePath(u *url.URL) (swift.Path, error) {
	p, err := swift.ParsePublicPath(u)
	if err != nil {
		return swift.Path{}, err
	}
	if p.Version != "v1" && p.Version != "v1.0" {
		return swift.Path{}, swift.ErrBadRequest
	}
	return p, nil
}

// authorize runs tempauth's authorize for rq with the given ACL.
func (s *Server) authorize(rq *request, method string, p swift.Path, acl string) (owner bool, err error) {
	if rq.internal {
		return true, nil
	}
	return s.auth.authorize(authzRequest{
		method: method, account: p.Account, container: p.Container, object: p.Object,
		referer: rq.r.Referer(), user: rq.user, acl: acl,
		accountACL: func() accountACL { return s.loadAccountACL(rq, p.Account) },
	})
}

// relay streams a backend response to the client. filter may adjust the
// headers first (owner-only headers, ACLs). The backend's Content-Length
// is kept, so HEAD answers carry the entity's length.
func relay(rq *request, resp *http.Response, filter func(http.Header)) {
	defer resp.Body.Close()
	h := rq.w.Header()
	copyHeaders(h, resp.Header)
	if filter != nil {
		filter(h)
	}
	rq.w.WriteHeader(resp.StatusCode)
	if rq.r.Method == http.MethodHead || !bodyAllowed(resp.StatusCode) {
		return
	}
	_, _ = io.Copy(rq.w, resp.Body)
}

// stripOwnerHeaders hides the owner-only headers from other users.
func stripOwnerHeaders(owner bool) func(http.Header) {
	return func(h http.Header) {
		if !owner {
			deleteAll(h, ownerHeaders)
		}
	}
}

// isNotFound reports a verdict of 404.
func isNotFound(rep reply, err error) bool {
	return err == nil && rep.status == http.StatusNotFound
}

// errorOr returns the reply as an error when it is a failure status, for
// callers that only need to know whether a lookup failed.
func errorOr(rep reply, err error) error {
	if err != nil {
		return err
	}
	return swift.FromStatus(rep.status, string(rep.body))
}
