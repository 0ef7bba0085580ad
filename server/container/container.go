package container

import (
	"errors"
	"net/http"

	"github.com/sciswift/sciswift/server/swift"
	"github.com/sciswift/sciswift/storage/listing"
)

// checkMetadata is Swift's validate_metadata, applied to the metadata a
// container would have after the request: existing and new items count
// together against the limits.
func (s *Server) checkMetadata(merged map[string]string) error {
	return s.limits.CheckMetadata(merged, swift.LevelContainer)
}

func refOf(p swift.Path) containerRef {
	return containerRef{device: p.Device, account: p.Account, container: p.Container}
}

// reportNow sends the account update for a container PUT or DELETE and
// waits for it, as Swift's container server does: the proxy's next account
// listing should show the change. When every account server answers 404
// the request fails with 404, as in Swift; other failures are only logged.
func (s *Server) reportNow(r *http.Request, p swift.Path) error {
	err := <-s.updates.notify(refOf(p), r.Header.Get(swift.HeaderTransID), true)
	if errors.Is(err, swift.ErrNotFound) {
		return err
	}
	return nil
}

// putContainer creates or updates a container: 201 when it did not exist
// (or was deleted), 202 otherwise.
func (s *Server) putContainer(w http.ResponseWriter, r *http.Request, p swift.Path) error {
	ts, err := requestTimestamp(r)
	if err != nil {
		return err
	}
	target, err := accountTarget(r.Header)
	if err != nil {
		return err
	}
	db, err := s.store.Device(p.Device)
	if err != nil {
		return err
	}
	u := listing.Update{Timestamp: ts, Metadata: containerMetadata(r.Header), Check: s.checkMetadata}
	_, created, err := db.PutContainer(p.Account, p.Container, u, target)
	if err != nil {
		return err
	}
	if err := s.reportNow(r, p); err != nil {
		return err
	}
	if created {
		w.WriteHeader(http.StatusCreated)
	} else {
		w.WriteHeader(http.StatusAccepted)
	}
	return nil
}

// getContainer answers HEAD (204 with the container's headers) and GET
// (the listing, with the same headers).
func (s *Server) getContainer(w http.ResponseWriter, r *http.Request, p swift.Path) error {
	var q swift.ListingQuery
	if r.Method == http.MethodGet {
		var err error
		if q, err = swift.ParseListingQuery(r.URL.Query(), s.limits.ContainerListingLimit); err != nil {
			return err
		}
	}
	format, err := swift.NegotiateListingFormat(r)
	if err != nil {
		return err
	}
	db, err := s.store.Device(p.Device)
	if err != nil {
		return err
	}
	info, err := db.Container(p.Account, p.Container)
	if err != nil && !errors.Is(err, swift.ErrNotFound) {
		return err
	}
	setBackendHeaders(w.Header(), info)
	if err != nil || info.Deleted() {
		return swift.ErrNotFound
	}
	setLiveHeaders(w.Header(), info)
	var recs []swift.ObjectRecord
	if r.Method == http.MethodGet {
		if recs, err = db.ListObjects(p.Account, p.Container, q); err != nil {
			return err
		}
	}
	if err := swift.WriteObjectListing(w, r, format, p.Container, recs); err != nil {
		s.logger.Debug("listing not delivered", "path", r.URL.Path, "err", err)
	}
	return nil
}

// postContainer merges metadata into a live container: 204, or 404.
func (s *Server) postContainer(w http.ResponseWriter, r *http.Request, p swift.Path) error {
	ts, err := requestTimestamp(r)
	if err != nil {
		return err
	}
	db, err := s.store.Device(p.Device)
	if err != nil {
		return err
	}
	u := listing.Update{Timestamp: ts, Metadata: containerMetadata(r.Header), Check: s.checkMetadata}
	if _, err := db.PostContainer(p.Account, p.Container, u); err != nil {
		return err
	}
	// The put timestamp moved: the account listing's last_modified follows.
	s.updates.notify(refOf(p), r.Header.Get(swift.HeaderTransID), false)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteContainer deletes an empty container: 204; 404 when it was already
// deleted (the account still hears of it); 409 when objects remain.
func (s *Server) deleteContainer(w http.ResponseWriter, r *http.Request, p swift.Path) error {
	ts, err := requestTimestamp(r)
	if err != nil {
		return err
	}
	target, err := accountTarget(r.Header)
	if err != nil {
		return err
	}
	db, err := s.store.Device(p.Device)
	if err != nil {
		return err
	}
	_, existed, err := db.DeleteContainer(p.Account, p.Container, ts, target)
	if err != nil {
		return err
	}
	if err := s.reportNow(r, p); err != nil {
		return err
	}
	if !existed {
		return swift.ErrNotFound
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
