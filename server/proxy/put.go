package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/sciswift/sciswift/server/swift"
)

// putSpec is an object PUT as the object controller receives it, from a
// client or from the copy code.
type putSpec struct {
	path   swift.Path
	header http.Header // what the client sent, less connection headers
	body   io.Reader
	// length is the body's length, -1 when chunked; noLength marks a
	// request that gave neither (411).
	length   int64
	noLength bool
	rawQuery string
}

// putResult is the answer to a PUT.
type putResult struct {
	reply
	timestamp swift.Timestamp
}

// objectPut is a client's object PUT.
func (s *Server) objectPut(rq *request) error {
	r := rq.r
	spec := putSpec{
		path: rq.path, header: forwardHeaders(r.Header), body: r.Body, length: r.ContentLength,
		noLength: r.ContentLength == 0 && r.Header.Get("Content-Length") == "", rawQuery: r.URL.RawQuery,
	}
	res, err := s.putObject(rq, spec)
	if err != nil {
		return err
	}
	writePutResult(rq, res, nil)
	return nil
}

// writePutResult answers a PUT as Swift's proxy does: the quorum's
// status and body, the replicas' ETag and Last-Modified of the new
// version. extra adds headers (the copy middleware's) to a success.
func writePutResult(rq *request, res putResult, extra http.Header) {
	h := rq.w.Header()
	if etag := res.header.Get("Etag"); etag != "" {
		h.Set("Etag", etag)
	}
	h.Set("Last-Modified", res.timestamp.LastModified())
	if res.status < 300 {
		for k, v := range extra {
			h[k] = v
		}
	}
	h.Set("Content-Type", "text/html; charset=UTF-8")
	writeReply(rq.w, rq.r, reply{status: res.status, body: res.body})
}

// putObject checks a PUT as Swift's proxy does, in its order, and streams
// it to the object's replicas.
func (s *Server) putObject(rq *request, spec putSpec) (putResult, error) {
	setContentType(spec.header, spec.path.Object)
	ci, err := s.writableContainer(rq, http.MethodPut, spec.path)
	if err != nil {
		return putResult{}, err
	}
	ts, err := s.checkCreation(spec)
	if err != nil {
		return putResult{}, err
	}
	ctx := rq.r.Context()
	op := s.place(s.objRing, spec.path.Account, spec.path.Container, spec.path.Object)
	headers, err := s.objectHeaders(ctx, op, ci, spec.header, rq.transID)
	if err != nil {
		return putResult{}, err
	}
	rep, err := s.streamPut(ctx, op, headers, spec, rq.transID)
	return putResult{reply: rep, timestamp: ts}, err
}

// checkCreation is Swift's check_object_creation plus the proxy's
// If-None-Match rule; it sets X-Timestamp and X-Delete-At in spec.header.
func (s *Server) checkCreation(spec putSpec) (swift.Timestamp, error) {
	h := spec.header
	switch {
	case spec.length > s.limits.MaxFileSize:
		return swift.Timestamp{}, swift.Errorf(swift.ErrEntityTooLarge, "Your request is too large.")
	case spec.noLength:
		return swift.Timestamp{}, swift.Errorf(swift.ErrLengthRequired, "Missing Content-Length header.")
	}
	if err := s.limits.CheckObject(spec.path.Object); err != nil {
		return swift.Timestamp{}, err
	}
	if err := swift.ValidatePutIfNoneMatch(h); err != nil {
		return swift.Timestamp{}, err
	}
	ts, err := s.requestTimestamp(h)
	if err != nil {
		return ts, err
	}
	if err := setDeleteAt(h, ts); err != nil {
		return ts, err
	}
	if !utf8.ValidString(h.Get("Content-Type")) {
		return ts, swift.Errorf(swift.ErrBadRequest, "Invalid Content-Type")
	}
	return ts, s.limits.CheckMetadata(swift.UserMetadata(h, swift.LevelObject), swift.LevelObject)
}

// ifNoneMatchStar reports a PUT that must not overwrite.
func ifNoneMatchStar(h http.Header) bool {
	for _, v := range h.Values("If-None-Match") {
		for _, tag := range strings.Split(v, ",") {
			if strings.TrimSpace(tag) == "*" {
				return true
			}
		}
	}
	return false
}

// streamPut is Swift's _store_object for replicated data: connect to a
// node per replica (handoffs replacing primaries that fail before taking
// the body), check that a quorum can succeed, stream the body to all of
// them at once, and decide on their answers.
func (s *Server) streamPut(ctx context.Context, op placement, headers []http.Header, spec putSpec, transID string) (reply, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if spec.length != 0 {
		// Over a network transport this holds the body back until the
		// object server has accepted the request, so that after a 507
		// or a 409 the node can still be replaced or the PUT given up.
		for _, h := range headers {
			h.Set("Expect", "100-continue")
		}
	}
	putters, finals := s.connectAll(ctx, op, headers, spec, transID)
	quorum := quorumSize(op.replicas())
	if rep, err := checkConnections(putters, finals, quorum, ifNoneMatchStar(spec.header)); err != nil || rep.status != 0 {
		abortAll(putters, errPutAborted)
		return rep, err
	}
	if spec.length != 0 {
		if err := s.transfer(spec, putters, len(finals), quorum); err != nil {
			abortAll(putters, err)
			s.log.Warn("object PUT aborted", "path", spec.path.Object, "trans_id", transID, "err", err)
			return reply{}, err
		}
	}
	return putVerdict(collect(putters, finals, op.replicas()), quorum)
}

var errPutAborted = errors.New("proxy: object PUT aborted")

// checkConnections is Swift's _check_failure_put_connections.
func checkConnections(putters []*putter, finals []reply, quorum int, ifNoneMatchStar bool) (reply, error) {
	for _, f := range finals {
		if ifNoneMatchStar && f.status == http.StatusPreconditionFailed {
			return reply{}, swift.ErrPreconditionFailed
		}
	}
	for _, f := range finals {
		if f.status == http.StatusConflict {
			// A replica holds a version at least as new: the write is
			// moot rather than failed.
			return reply{status: http.StatusAccepted, header: http.Header{}}, nil
		}
	}
	if len(putters)+len(finals) < quorum {
		return reply{}, swift.Errorf(swift.ErrServiceUnavailable, "Service Unavailable")
	}
	return reply{}, nil
}

// putChunk is how much of the body moves to the replicas at a time; the
// proxy holds one chunk per PUT, whatever the object's size.
const putChunk = 64 << 10

// transfer copies the body to every live putter, a chunk at a time. A
// putter that fails is dropped; the PUT fails when fewer than a quorum
// remain, when the client stops sending, or when a chunked body grows
// past the size limit.
func (s *Server) transfer(spec putSpec, putters []*putter, finals, quorum int) error {
	buf := make([]byte, putChunk)
	var total int64
	for {
		n, rerr := fill(spec.body, buf)
		if n > 0 {
			total += int64(n)
			if spec.length < 0 && total > s.limits.MaxFileSize {
				return swift.Errorf(swift.ErrEntityTooLarge, "Your request is too large.")
			}
			if live := writeChunk(buf[:n], putters); live+finals < quorum {
				return swift.Errorf(swift.ErrServiceUnavailable, "Service Unavailable")
			}
		}
		switch {
		case rerr == io.EOF:
			return finishBody(putters, total, spec.length)
		case rerr != nil:
			return clientReadError(rerr)
		}
	}
}

// fill reads until buf is full or the body ends; unlike io.ReadFull it
// reports the reader's own error, so a body cut short by a disconnecting
// client (io.ErrUnexpectedEOF) is not mistaken for its end (io.EOF).
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// finishBody ends the body on every live putter, after checking that the
// client sent as much as it announced.
func finishBody(putters []*putter, total, length int64) error {
	if length > 0 && total < length {
		return swift.Errorf(swift.ErrClientDisconnect, "Client Disconnect")
	}
	for _, p := range putters {
		if !p.failed {
			_ = p.pw.Close()
		}
	}
	return nil
}

// clientReadError maps a failure reading the client's body to Swift's
// 408 (timeout) or 499 (disconnect).
func clientReadError(err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return swift.Errorf(swift.ErrRequestTimeout, "Request Timeout")
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return swift.Errorf(swift.ErrEntityTooLarge, "Your request is too large.")
	}
	return swift.Errorf(swift.ErrClientDisconnect, "Client Disconnect")
}

// collect waits for every putter's answer and pads the replies to one per
// replica with 503s for the nodes that never took part.
func collect(putters []*putter, finals []reply, replicas int) []reply {
	replies := append([]reply(nil), finals...)
	for _, p := range putters {
		<-p.done
		if p.err != nil {
			replies = append(replies, unavailable())
			continue
		}
		replies = append(replies, p.rep)
	}
	for len(replies) < replicas {
		replies = append(replies, unavailable())
	}
	return replies
}

// putVerdict is the end of _store_object: replicas that stored different
// bytes are a 500, otherwise the quorum decides, with the ETag they agree
// on.
func putVerdict(replies []reply, quorum int) (reply, error) {
	etags := map[string]bool{}
	for _, rep := range replies {
		if rep.status >= 200 && rep.status < 300 {
			if etag := strings.Trim(rep.header.Get("Etag"), `"`); etag != "" {
				etags[etag] = true
			}
		}
	}
	if len(etags) > 1 {
		return reply{}, fmt.Errorf("proxy: object servers returned %d mismatched etags", len(etags))
	}
	rep, err := bestResponse(replies, quorum, nil)
	if err != nil {
		return rep, err
	}
	out := reply{status: rep.status, body: rep.body, header: http.Header{}}
	for etag := range etags {
		out.header.Set("Etag", etag)
	}
	return out, nil
}
