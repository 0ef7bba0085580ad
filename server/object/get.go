package object

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/sciswift/sciswift/server/swift"
	"github.com/sciswift/sciswift/storage/diskfile"
)

// get answers GET and HEAD: Swift's ObjectController.GET and HEAD.
func (s *Server) get(w http.ResponseWriter, r *http.Request, q *request) error {
	dev, err := s.device(q.Device)
	if err != nil {
		return err
	}
	o, err := dev.Open(q.Partition, q.hash, q.name())
	var nf *diskfile.NotFoundError
	if errors.As(err, &nf) {
		return notFound(w, r, nf.Tombstone)
	}
	if err != nil {
		return err
	}
	defer o.Close()
	if expired(o.Metadata(), readTimestamp(r)) {
		return notFound(w, r, o.Timestamp())
	}
	setObjectHeaders(w.Header(), o)
	v := swift.Validators{Exists: true, ETag: conditionalETag(r.Header, o.Metadata()), LastModified: o.Timestamp()}
	if err := swift.CheckPreconditions(r.Header, r.Method, v); err != nil {
		// swob keeps the object's headers on 304 and 412, with no body.
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(swift.Status(err))
		return nil
	}
	return s.sendBody(w, r, q, o)
}

// notFound answers 404, telling the proxy in X-Backend-Timestamp how
// recent the deletion it found was; If-Match: * turns it into a 412.
func notFound(w http.ResponseWriter, r *http.Request, tombstone swift.Timestamp) error {
	if !tombstone.IsZero() {
		w.Header().Set(swift.HeaderBackendTimestamp, tombstone.Internal())
	}
	if err := swift.CheckPreconditions(r.Header, r.Method, swift.Validators{}); err != nil {
		// swob's 412 for If-Match: * has no body, like the 412 above.
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(swift.Status(err))
		return nil
	}
	return swift.ErrNotFound
}

// sendBody writes the body, whole or in the ranges asked for. Once the
// status line is out, a failure can only cut the response short.
func (s *Server) sendBody(w http.ResponseWriter, r *http.Request, q *request, o *diskfile.Object) error {
	var ranges []swift.ByteRange
	if r.Method == http.MethodGet && !ignoreRange(r.Header, o.Metadata()) {
		var err error
		ranges, err = swift.ParseRange(strings.Join(r.Header.Values("Range"), ","), o.Size())
		if err != nil {
			swift.WriteRangeNotSatisfiable(w, r, o.Size())
			return nil
		}
	}
	ct := w.Header().Get("Content-Type")
	var err error
	switch {
	case len(ranges) > 0:
		w.Header().Del("Content-Length")
		err = swift.WriteRanges(w, r, ct, o.Size(), ranges, o)
	default:
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			// The whole body goes through the MD5-checking reader, so a
			// damaged file is quarantined rather than served again.
			err = s.copyBody(w, o.Reader())
		}
	}
	if err != nil {
		s.log.Error("object read failed mid-response", "device", q.Device, "path", q.name(), "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}

func (s *Server) copyBody(w io.Writer, src io.Reader) error {
	buf := s.bufs.Get().(*[]byte)
	defer s.bufs.Put(buf)
	_, err := io.CopyBuffer(writerOnly{w}, src, *buf)
	return err
}
