package account

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/sciswift/sciswift/server/swift"
	"github.com/sciswift/sciswift/storage/listing"
)

// checkMetadata is Swift's validate_metadata over the metadata the account
// would have after the request.
func (s *Server) checkMetadata(merged map[string]string) error {
	return s.limits.CheckMetadata(merged, swift.LevelAccount)
}

// markDeleted adds Swift's X-Account-Status: Deleted to the answer about an
// account that a DELETE marked deleted (Swift's _deleted_response).
func markDeleted(w http.ResponseWriter, info listing.AccountInfo) {
	if info.StatusDeleted {
		w.Header().Set("X-Account-Status", "Deleted")
	}
}

// putAccount creates an account (201) or updates it (202). An account
// marked deleted answers 403 "Recently deleted" until it is reclaimed.
func (s *Server) putAccount(w http.ResponseWriter, r *http.Request, p swift.Path) error {
	db, err := s.store.Device(p.Device)
	if err != nil {
		return err
	}
	ts, err := requestTimestamp(r)
	if err != nil {
		return err
	}
	u := listing.Update{Timestamp: ts, Metadata: accountMetadata(r.Header), Check: s.checkMetadata}
	info, created, err := db.PutAccount(p.Account, u)
	if errors.Is(err, swift.ErrForbidden) {
		markDeleted(w, info)
		return swift.Errorf(swift.ErrForbidden, "Recently deleted")
	}
	if err != nil {
		return err
	}
	if created {
		w.WriteHeader(http.StatusCreated)
	} else {
		w.WriteHeader(http.StatusAccepted)
	}
	return nil
}

// getAccount answers HEAD (204 with the account's headers) and GET (the
// container listing, with the same headers).
func (s *Server) getAccount(w http.ResponseWriter, r *http.Request, p swift.Path) error {
	var q swift.ListingQuery
	if r.Method == http.MethodGet {
		var err error
		if q, err = swift.ParseListingQuery(r.URL.Query(), s.limits.AccountListingLimit); err != nil {
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
	info, err := s.liveAccount(w, db, p.Account)
	if err != nil {
		return err
	}
	setAccountHeaders(w.Header(), info)
	var recs []swift.ContainerRecord
	if r.Method == http.MethodGet {
		if recs, err = db.ListContainers(p.Account, q); err != nil {
			return err
		}
	}
	if err := swift.WriteContainerListing(w, r, format, p.Account, recs); err != nil {
		s.logger.Debug("listing not delivered", "path", r.URL.Path, "err", err)
	}
	return nil
}

// liveAccount returns the account's info, or swift.ErrNotFound (marking
// the answer when the account was deleted) if it is missing or deleted.
func (s *Server) liveAccount(w http.ResponseWriter, db *listing.DB, account string) (listing.AccountInfo, error) {
	info, err := db.Account(account)
	switch {
	case err != nil:
		return info, err
	case info.Deleted():
		markDeleted(w, info)
		return info, swift.ErrNotFound
	}
	return info, nil
}

// postAccount merges metadata into a live account: 204, or 404.
func (s *Server) postAccount(w http.ResponseWriter, r *http.Request, p swift.Path) error {
	ts, err := requestTimestamp(r)
	if err != nil {
		return err
	}
	db, err := s.store.Device(p.Device)
	if err != nil {
		return err
	}
	u := listing.Update{Timestamp: ts, Metadata: accountMetadata(r.Header), Check: s.checkMetadata}
	info, err := db.PostAccount(p.Account, u)
	if errors.Is(err, swift.ErrNotFound) {
		markDeleted(w, info)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteAccount marks a live account deleted: 204, or 404. Its containers
// stay listed until the reaper removes them, as in Swift.
func (s *Server) deleteAccount(w http.ResponseWriter, r *http.Request, p swift.Path) error {
	db, err := s.store.Device(p.Device)
	if err != nil {
		return err
	}
	ts, err := requestTimestamp(r)
	if err != nil {
		return err
	}
	info, err := db.DeleteAccount(p.Account, ts)
	markDeleted(w, info)
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// putContainerRow records a container server's report: 201, or 204 when
// the report is a deletion (delete timestamp newer than put timestamp); 404
// when the account is missing or deleted.
func (s *Server) putContainerRow(w http.ResponseWriter, r *http.Request, p swift.Path) error {
	db, err := s.store.Device(p.Device)
	if err != nil {
		return err
	}
	row, opts, err := containerRow(r, p)
	if err != nil {
		return err
	}
	if err := db.PutContainerRow(p.Account, row, opts); err != nil {
		return err
	}
	if row.DeleteTimestamp.After(row.PutTimestamp) {
		w.WriteHeader(http.StatusNoContent)
	} else {
		w.WriteHeader(http.StatusCreated)
	}
	return nil
}

// containerRow reads a container report. X-Timestamp is optional here (it
// only dates an auto-created account), as in Swift.
func containerRow(r *http.Request, p swift.Path) (listing.ContainerRow, listing.RowOptions, error) {
	h := r.Header
	opts := listing.RowOptions{
		AutoCreate:      strings.HasPrefix(p.Account, "."),
		Timestamp:       swift.Now(),
		OverrideDeleted: strings.EqualFold(h.Get("X-Account-Override-Deleted"), "yes"),
	}
	if h.Get(swift.HeaderTimestamp) != "" {
		ts, err := requestTimestamp(r)
		if err != nil {
			return listing.ContainerRow{}, opts, err
		}
		opts.Timestamp = ts
	}
	row := listing.ContainerRow{Name: p.Container}
	var errs [4]error
	row.PutTimestamp, errs[0] = headerTimestamp(h, swift.HeaderPutTimestamp)
	row.DeleteTimestamp, errs[1] = headerTimestamp(h, swift.HeaderDeleteTimestamp)
	row.ObjectCount, errs[2] = headerCount(h, swift.HeaderObjectCount)
	row.BytesUsed, errs[3] = headerCount(h, swift.HeaderBytesUsed)
	return row, opts, errors.Join(errs[:]...)
}

func headerTimestamp(h http.Header, name string) (swift.Timestamp, error) {
	ts, err := swift.ParseTimestamp(h.Get(name))
	if err != nil {
		return ts, swift.Errorf(swift.ErrBadRequest, "Invalid %s header", name)
	}
	return ts, nil
}

func headerCount(h http.Header, name string) (int64, error) {
	n, err := strconv.ParseInt(h.Get(name), 10, 64)
	if err != nil || n < 0 {
		return 0, swift.Errorf(swift.ErrBadRequest, "Invalid %s header", name)
	}
	return n, nil
}
