package object

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/sciswift/sciswift/server/swift"
	"github.com/sciswift/sciswift/storage/diskfile"
)

// delete writes a tombstone: Swift's ObjectController.DELETE. The answer
// is 204 if there was an object, 404 if not, but the tombstone is written
// either way (unless a newer version exists), so that replicas converge.
func (s *Server) delete(w http.ResponseWriter, r *http.Request, q *request) error {
	ts, err := requestTimestamp(r)
	if err != nil {
		return err
	}
	dev, err := s.device(q.Device)
	if err != nil {
		return err
	}
	orig, err := s.deleteOriginal(dev, q, ts)
	if err != nil {
		return err
	}
	status, err := deleteStatus(r.Header, orig, ts)
	if err != nil {
		return err
	}
	ups := s.deleteAtUpdates(r, q, ts, orig.deleteAt, 0)
	if orig.ts.Before(ts) {
		if err := dev.Delete(q.Partition, q.hash, q.name(), ts); err != nil {
			return err
		}
		ups = append(ups, containerUpdates(r, q, http.MethodDelete, updateHeaders(r, ts))...)
	}
	s.dispatch(dev, ups)
	respTS := orig.ts
	if ts.After(respTS) {
		respTS = ts
	}
	w.Header().Set(swift.HeaderBackendTimestamp, respTS.Internal())
	if status != http.StatusNoContent {
		return swift.FromStatus(status, "")
	}
	w.WriteHeader(status)
	return nil
}

// deleteOriginal reads the current version as Swift's DELETE does: an
// expired object still counts (with its metadata, for the queue update),
// a tombstone only by its time.
func (s *Server) deleteOriginal(dev *diskfile.Device, q *request, now swift.Timestamp) (original, error) {
	o, err := dev.Open(q.Partition, q.hash, q.name())
	var nf *diskfile.NotFoundError
	if errors.As(err, &nf) {
		return original{ts: nf.Tombstone}, nil
	}
	if err != nil {
		return original{}, err
	}
	defer o.Close()
	m := o.Metadata()
	at := deleteAt(m[diskfile.KeyDeleteAt])
	if expired(m, now) {
		return original{ts: o.Timestamp(), deleteAt: at}, nil
	}
	return original{exists: true, ts: o.DataTimestamp(), deleteAt: at}, nil
}

// deleteStatus decides the answer, applying X-If-Delete-At: the expirer's
// guard against deleting an object whose expiry has since changed.
func deleteStatus(h http.Header, orig original, ts swift.Timestamp) (int, error) {
	status := http.StatusNotFound
	if orig.exists {
		status = http.StatusNoContent
		if !orig.ts.Before(ts) {
			status = http.StatusConflict
		}
	}
	v, ok := h[http.CanonicalHeaderKey(swift.HeaderIfDeleteAt)]
	if !ok {
		return status, nil
	}
	want, err := strconv.ParseInt(v[0], 10, 64)
	switch {
	case err != nil:
		return 0, swift.Errorf(swift.ErrBadRequest, msgBadIfDeleteAt)
	case orig.ts.IsZero():
		return 0, swift.ErrNotFound
	case !orig.ts.Before(ts):
		return 0, swift.ErrConflict
	case orig.deleteAt != want:
		return 0, swift.Errorf(swift.ErrPreconditionFailed, msgIfDeleteAtMismatch)
	}
	return http.StatusNoContent, nil
}
