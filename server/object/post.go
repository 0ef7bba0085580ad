package object

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/sciswift/sciswift/server/swift"
	"github.com/sciswift/sciswift/storage/diskfile"
)

// post replaces an object's metadata with a .meta file (fast-POST):
// Swift's ObjectController.POST.
func (s *Server) post(w http.ResponseWriter, r *http.Request, q *request) error {
	ts, err := requestTimestamp(r)
	if err != nil {
		return err
	}
	newAt, err := postDeleteAt(r.Header, ts)
	if err != nil {
		return err
	}
	dev, err := s.device(q.Device)
	if err != nil {
		return err
	}
	o, err := dev.Open(q.Partition, q.hash, q.name())
	if errors.Is(err, swift.ErrNotFound) {
		return swift.ErrNotFound
	}
	if err != nil {
		return err
	}
	defer o.Close()
	if expired(o.Metadata(), ts) {
		return swift.ErrNotFound
	}
	if !o.Timestamp().Before(ts) {
		w.Header().Set(swift.HeaderBackendTimestamp, o.Timestamp().Internal())
		return swift.ErrConflict
	}
	if err := dev.WriteMeta(q.Partition, q.hash, q.name(), ts, postMetadata(r, ts, o, newAt)); err != nil {
		return err
	}
	oldAt := deleteAt(o.Metadata()[diskfile.KeyDeleteAt])
	ups := s.deleteAtUpdates(r, q, ts, oldAt, newAt)
	if ct := r.Header.Get("Content-Type"); ct != "" {
		// Listings show content types, so a POST that changes one must
		// reach the container as Swift's does.
		meta := diskfile.Metadata{diskfile.KeyContentType: ct}
		ups = append(ups, containerUpdates(r, q, http.MethodPut, containerPutHeaders(r, ts, o.Size(), o.Metadata()[diskfile.KeyETag], meta))...)
	}
	s.dispatch(dev, ups)
	w.Header().Set("Content-Type", acceptedBodyContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(acceptedBody)))
	w.WriteHeader(http.StatusAccepted)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte(acceptedBody))
	}
	return nil
}

// postDeleteAt validates a POST's X-Delete-At against its timestamp.
func postDeleteAt(h http.Header, ts swift.Timestamp) (int64, error) {
	v := h.Get(swift.HeaderDeleteAt)
	if v == "" {
		return 0, nil
	}
	at, err := strconv.ParseInt(v, 10, 64)
	if err != nil || at < 0 || at > maxDeleteAtSeconds {
		return 0, swift.Errorf(swift.ErrBadRequest, msgNonIntegerDeleteAt)
	}
	if at > 0 && swift.TimestampFromSeconds(at).Before(ts) && !configTrue(h.Get(headerReplication)) {
		return 0, swift.Errorf(swift.ErrBadRequest, msgDeleteAtInPast)
	}
	return at, nil
}

// postMetadata is the new .meta: user metadata, transient sysmeta and
// pass-through headers replace the old wholesale. Content-Type changes
// only when the POST sends one; a Content-Type set by an earlier POST is
// carried over, since the new .meta replaces the one that held it.
func postMetadata(r *http.Request, ts swift.Timestamp, o *diskfile.Object, newAt int64) diskfile.Metadata {
	m := diskfile.Metadata{}
	copyMeta(m, r.Header, func(name string) bool {
		return swift.HasPrefixFold(name, swift.LevelObject.UserMetaPrefix()) || swift.HasPrefixFold(name, transientSysmetaPrefix)
	})
	copyPassThrough(m, r.Header)
	delete(m, swift.HeaderDeleteAt)
	if newAt > 0 {
		m[diskfile.KeyDeleteAt] = strconv.FormatInt(newAt, 10)
	}
	switch ct := r.Header.Get("Content-Type"); {
	case ct != "":
		m[diskfile.KeyContentType] = ct
		m[diskfile.KeyContentTypeTimestamp] = ts.Internal()
	case o.ContentTypeTimestamp().After(o.DataTimestamp()):
		m[diskfile.KeyContentType] = o.Metadata()[diskfile.KeyContentType]
		m[diskfile.KeyContentTypeTimestamp] = o.ContentTypeTimestamp().Internal()
	}
	return m
}
