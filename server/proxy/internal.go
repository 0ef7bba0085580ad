package proxy

import (
	"net/http"
	"strings"

	"github.com/sciswift/sciswift/server/swift"
)

// InternalHandler serves the hidden accounts (names starting with ".",
// such as the dataset API's index store) to callers inside the process:
// no token, the rights of the account's owner, and a container PUT
// creates its account first whatever account_autocreate says. Tempauth
// refuses these accounts on the public API, so the public listener must
// never route here.
func (s *Server) InternalHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := parseStoragePath(r.URL)
		if err == nil && (!strings.HasPrefix(p.Account, ".") || p.Container == "") {
			err = swift.Errorf(swift.ErrForbidden, "internal requests reach hidden containers only")
		}
		if err != nil {
			s.fail(w, r, "", err)
			return
		}
		rq := &request{w: w, r: r, path: p, transID: transID(r), internal: true}
		if rq.transID == "" {
			rq.transID = swift.NewTransID()
		}
		if err := s.dispatch(rq); err != nil {
			s.fail(w, r, p.Account, err)
		}
	})
}
