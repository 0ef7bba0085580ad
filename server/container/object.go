package container

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/sciswift/sciswift/server/swift"
	"github.com/sciswift/sciswift/storage/listing"
)

// autoCreate reports whether rows may create their container: Swift does
// this for accounts whose name starts with "." (the expirer's queue).
func autoCreate(account string) bool { return strings.HasPrefix(account, ".") }

// putObject records an object server's report of a PUT: 201; 404 when the
// container does not exist.
func (s *Server) putObject(w http.ResponseWriter, r *http.Request, p swift.Path) error {
	ts, err := requestTimestamp(r)
	if err != nil {
		return err
	}
	size, err := strconv.ParseInt(r.Header.Get(swift.HeaderSize), 10, 64)
	if err != nil || size < 0 {
		return swift.Errorf(swift.ErrBadRequest, "Invalid X-Size header")
	}
	row := listing.ObjectRow{
		Name: p.Object, Timestamp: ts, Size: size,
		ETag:        r.Header.Get(swift.HeaderEtag),
		ContentType: r.Header.Get(swift.HeaderContentType),
	}
	if err := s.updateRow(r, p, row); err != nil {
		return err
	}
	w.WriteHeader(http.StatusCreated)
	return nil
}

// deleteObject records an object server's report of a DELETE: 204, also
// for an object the container never listed (the tombstone stops an older
// PUT report arriving later); 404 when the container does not exist.
func (s *Server) deleteObject(w http.ResponseWriter, r *http.Request, p swift.Path) error {
	ts, err := requestTimestamp(r)
	if err != nil {
		return err
	}
	row := listing.ObjectRow{Name: p.Object, Timestamp: ts, Deleted: true}
	if err := s.updateRow(r, p, row); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// updateRow stores the row and, when the container's counts changed,
// queues an account update without waiting for it: the object server is
// waiting on us, and the account's totals are eventually consistent in
// Swift too.
func (s *Server) updateRow(r *http.Request, p swift.Path, row listing.ObjectRow) error {
	db, err := s.store.Device(p.Device)
	if err != nil {
		return err
	}
	changed, err := db.PutObject(p.Account, p.Container, row, autoCreate(p.Account))
	if err != nil {
		return err
	}
	if changed {
		s.updates.notify(refOf(p), r.Header.Get(swift.HeaderTransID), false)
	}
	return nil
}
