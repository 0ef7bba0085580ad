package object

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/sciswift/sciswift/server/swift"
	"github.com/sciswift/sciswift/storage/diskfile"
)

// put stores a new version: Swift's ObjectController.PUT.
func (s *Server) put(w http.ResponseWriter, r *http.Request, q *request) error {
	dev, err := s.device(q.Device)
	if err != nil {
		return err
	}
	ts, err := requestTimestamp(r)
	if err != nil {
		return err
	}
	newDeleteAt, err := s.checkCreation(r, q, ts)
	if err != nil {
		return err
	}
	orig, err := s.putOriginal(dev, q, ts)
	if err != nil {
		return err
	}
	if orig.exists {
		if err := swift.CheckPreconditions(r.Header, http.MethodPut, swift.Validators{Exists: true, ETag: orig.etag}); err != nil {
			return err
		}
	}
	if !orig.ts.Before(ts) {
		w.Header().Set(swift.HeaderBackendTimestamp, orig.ts.Internal())
		return swift.ErrConflict
	}
	meta := putMetadata(r, newDeleteAt)
	etag, size, err := s.receive(dev, r, q, ts, meta)
	if err != nil {
		return err
	}
	ups := s.deleteAtUpdates(r, q, ts, orig.deleteAt, newDeleteAt)
	ups = append(ups, containerUpdates(r, q, http.MethodPut, containerPutHeaders(r, ts, size, etag, meta))...)
	s.dispatch(dev, ups)
	w.Header().Set("Etag", quoteETag(etag))
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusCreated)
	return nil
}

// checkCreation is Swift's check_object_creation for the object server,
// returning the X-Delete-At to store (0 for none).
func (s *Server) checkCreation(r *http.Request, q *request, ts swift.Timestamp) (int64, error) {
	chunked := len(r.TransferEncoding) > 0 && r.TransferEncoding[0] == "chunked"
	switch {
	case r.ContentLength > s.cfg.Limits.MaxFileSize:
		return 0, swift.Errorf(swift.ErrEntityTooLarge, msgRequestTooLarge)
	case r.ContentLength <= 0 && !chunked && r.Header.Get("Content-Length") == "":
		return 0, swift.Errorf(swift.ErrLengthRequired, msgMissingContentLength)
	}
	if err := s.cfg.Limits.CheckObject(q.Object); err != nil {
		return 0, err
	}
	ct, ok := r.Header["Content-Type"]
	if !ok {
		return 0, swift.Errorf(swift.ErrBadRequest, msgNoContentType)
	}
	at, err := checkDeleteHeaders(r.Header, ts)
	if err != nil {
		return 0, err
	}
	if len(ct) > 0 && !utf8.ValidString(ct[0]) {
		return 0, swift.Errorf(swift.ErrBadRequest, msgInvalidContentType)
	}
	return at, s.cfg.Limits.CheckMetadata(swift.UserMetadata(r.Header, swift.LevelObject), swift.LevelObject)
}

// checkDeleteHeaders is Swift's check_delete_headers: X-Delete-After
// becomes X-Delete-At, and either must lie after the request's timestamp
// (unless a replicator is copying an object as it was).
func checkDeleteHeaders(h http.Header, ts swift.Timestamp) (int64, error) {
	now := ts.Time().Unix()
	if v := h.Get(swift.HeaderDeleteAfter); v != "" {
		after, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, swift.Errorf(swift.ErrBadRequest, msgNonIntegerDeleteAfter)
		}
		at := now + after
		if !swift.TimestampFromSeconds(at).After(ts) {
			return 0, swift.Errorf(swift.ErrBadRequest, msgDeleteAfterInPast)
		}
		h.Set(swift.HeaderDeleteAt, strconv.FormatInt(at, 10))
		h.Del(swift.HeaderDeleteAfter)
	}
	v := h.Get(swift.HeaderDeleteAt)
	if v == "" {
		return 0, nil
	}
	at, err := strconv.ParseInt(v, 10, 64)
	if err != nil || at < 0 || at > maxDeleteAtSeconds {
		return 0, swift.Errorf(swift.ErrBadRequest, msgNonIntegerDeleteAt)
	}
	if !swift.TimestampFromSeconds(at).After(ts) && !configTrue(h.Get(headerReplication)) {
		return 0, swift.Errorf(swift.ErrBadRequest, msgDeleteAtInPast)
	}
	return at, nil
}

// original is what a write finds on disk, by Swift's rules: ts is the
// time a new write must beat (the data's, or the tombstone's, or an
// expired object's X-Timestamp); exists means live.
type original struct {
	exists   bool
	ts       swift.Timestamp
	etag     string
	deleteAt int64
}

// putOriginal reads the current version as Swift's PUT does.
func (s *Server) putOriginal(dev *diskfile.Device, q *request, now swift.Timestamp) (original, error) {
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
	if expired(m, now) {
		return original{ts: o.Timestamp()}, nil
	}
	return original{exists: true, ts: o.DataTimestamp(), etag: m[diskfile.KeyETag], deleteAt: deleteAt(m[diskfile.KeyDeleteAt])}, nil
}

// putMetadata is what a PUT stores besides what the Writer adds.
func putMetadata(r *http.Request, deleteAt int64) diskfile.Metadata {
	m := diskfile.Metadata{diskfile.KeyContentType: r.Header.Get("Content-Type")}
	copyMeta(m, r.Header, isStoredMeta)
	copyPassThrough(m, r.Header)
	if deleteAt > 0 {
		m[diskfile.KeyDeleteAt] = strconv.FormatInt(deleteAt, 10)
	}
	return m
}

// receive streams the body to disk and commits it, checking its length
// and ETag on the way.
func (s *Server) receive(dev *diskfile.Device, r *http.Request, q *request, ts swift.Timestamp, meta diskfile.Metadata) (etag string, size int64, err error) {
	fw, err := dev.Create(q.Partition, q.hash, q.name(), ts, r.ContentLength)
	if err != nil {
		return "", 0, err
	}
	defer fw.Abort()
	limit := r.ContentLength
	if limit < 0 {
		limit = s.cfg.Limits.MaxFileSize + 1
	}
	body := &bodyReader{r: io.LimitReader(r.Body, limit)}
	buf := s.bufs.Get().(*[]byte)
	n, err := io.CopyBuffer(writerOnly{fw}, body, *buf)
	s.bufs.Put(buf)
	switch {
	case body.err != nil:
		return "", 0, clientError(body.err)
	case err != nil:
		return "", 0, err
	case r.ContentLength >= 0 && n != r.ContentLength:
		return "", 0, swift.ErrClientDisconnect
	case n > s.cfg.Limits.MaxFileSize:
		return "", 0, swift.Errorf(swift.ErrEntityTooLarge, msgRequestTooLarge)
	}
	etag = fw.ETag()
	if want := unquoteETag(r.Header.Get("Etag")); want != "" && want != etag {
		return "", 0, swift.ErrUnprocessable
	}
	return etag, n, fw.Commit(meta)
}

// bodyReader remembers read errors, which are the client's fault, apart
// from write errors, which are ours.
type bodyReader struct {
	r   io.Reader
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

// writerOnly hides any ReaderFrom so io.CopyBuffer uses the pooled buffer.
type writerOnly struct{ io.Writer }

// clientError maps a failed body read: a read deadline is 408, anything
// else (a short body, a reset) the client going away, 499.
func clientError(err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return swift.ErrRequestTimeout
	}
	return swift.ErrClientDisconnect
}
