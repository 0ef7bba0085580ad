package proxy

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/sciswift/sciswift/ring"
	"github.com/sciswift/sciswift/server/swift"
)

// serveObject is Swift's ObjectController with the copy middleware in
// front of it.
func (s *Server) serveObject(rq *request) error {
	switch rq.r.Method {
	case http.MethodGet, http.MethodHead:
		return s.objectGet(rq)
	case http.MethodPut:
		if rq.r.Header.Get(swift.HeaderCopyFrom) != "" {
			return s.objectCopyFrom(rq)
		}
		return s.objectPut(rq)
	case http.MethodPost:
		return s.objectPost(rq)
	case http.MethodDelete:
		return s.objectDelete(rq)
	case "COPY":
		return s.objectCopy(rq)
	case http.MethodOptions:
		return s.options(rq, objectMethods)
	}
	return notAllowed(rq, objectMethods)
}

// objectGet streams an object from the first replica that has it,
// passing the backend's status (200, 206, 304, 412, 416) and headers.
func (s *Server) objectGet(rq *request) error {
	resp, rep, err := s.fetchObject(rq, rq.r.Method, rq.path, forwardHeaders(rq.r.Header))
	if err != nil {
		return err
	}
	if resp != nil {
		relay(rq, resp, nil)
		return nil
	}
	writeReply(rq.w, rq.r, rep)
	return nil
}

// fetchObject authorizes a read of p with the container's read ACL and
// asks the object's replicas. It returns the open response of a good
// source, or the quorum's failure reply.
func (s *Server) fetchObject(rq *request, method string, p swift.Path, h http.Header) (*http.Response, reply, error) {
	ctx := rq.r.Context()
	ci, err := s.containerInfo(ctx, p.Account, p.Container, rq.transID)
	if err != nil {
		return nil, reply{}, err
	}
	if _, err := s.authorize(rq, method, p, ci.readACL()); err != nil {
		return nil, reply{}, err
	}
	op := s.place(s.objRing, p.Account, p.Container, p.Object)
	resp, replies := s.read(ctx, op, call{method: method, rawQuery: rq.r.URL.RawQuery, header: h}, rq.transID,
		configTrue(h.Get("X-Newest")))
	if resp != nil {
		return resp, reply{}, nil
	}
	rep, err := readVerdict(replies)
	return nil, rep, err
}

// writableContainer is the common start of object writes: the container
// must admit the user through its write ACL, then exist.
func (s *Server) writableContainer(rq *request, method string, p swift.Path) (containerInfo, error) {
	ci, err := s.containerInfo(rq.r.Context(), p.Account, p.Container, rq.transID)
	if err != nil {
		return ci, err
	}
	if _, err := s.authorize(rq, method, p, ci.writeACL()); err != nil {
		return ci, err
	}
	if !ci.exists {
		return ci, swift.ErrNotFound
	}
	return ci, nil
}

// objectPost replaces an object's metadata (Swift's fast POST).
func (s *Server) objectPost(rq *request) error {
	ci, err := s.writableContainer(rq, http.MethodPost, rq.path)
	if err != nil {
		return err
	}
	h := forwardHeaders(rq.r.Header)
	if err := s.limits.CheckMetadata(swift.UserMetadata(h, swift.LevelObject), swift.LevelObject); err != nil {
		return err
	}
	ts, err := s.requestTimestamp(h)
	if err != nil {
		return err
	}
	if err := setDeleteAt(h, ts); err != nil {
		return err
	}
	return s.objectWrite(rq, ci, http.MethodPost, h, nil)
}

// objectDelete deletes an object; a 404 on some replicas counts as done
// when the others deleted it.
func (s *Server) objectDelete(rq *request) error {
	ci, err := s.writableContainer(rq, http.MethodDelete, rq.path)
	if err != nil {
		return err
	}
	h := forwardHeaders(rq.r.Header)
	if _, err := s.requestTimestamp(h); err != nil {
		return err
	}
	return s.objectWrite(rq, ci, http.MethodDelete, h, map[int]int{http.StatusNotFound: http.StatusNoContent})
}

// objectWrite sends a body-less object write to every replica.
func (s *Server) objectWrite(rq *request, ci containerInfo, method string, h http.Header, overrides map[int]int) error {
	ctx := rq.r.Context()
	op := s.place(s.objRing, rq.path.Account, rq.path.Container, rq.path.Object)
	headers, err := s.objectHeaders(ctx, op, ci, h, rq.transID)
	if err != nil {
		return err
	}
	replies := s.writeAll(ctx, op, method, rq.r.URL.RawQuery, headers, rq.transID)
	rep, err := bestResponse(replies, quorumSize(op.replicas()), overrides)
	if err != nil {
		return err
	}
	writeReply(rq.w, rq.r, rep)
	return nil
}

// requestTimestamp is Swift's ensure_x_timestamp: a client's X-Timestamp
// is kept (container sync and migrations rely on it), else the proxy's
// next one is set.
func (s *Server) requestTimestamp(h http.Header) (swift.Timestamp, error) {
	if v := h.Get(swift.HeaderTimestamp); v != "" {
		ts, err := swift.ParseTimestamp(v)
		if err != nil {
			return ts, err
		}
		h.Set(swift.HeaderTimestamp, ts.Internal())
		return ts, nil
	}
	ts := s.ts.next()
	h.Set(swift.HeaderTimestamp, ts.Internal())
	return ts, nil
}

// maxDeleteAt is what Swift's normalize_delete_at_timestamp clamps to.
const maxDeleteAt = 9999999999

// setDeleteAt is Swift's check_delete_headers: X-Delete-After becomes
// X-Delete-At (relative to the request's timestamp), and either must be a
// whole number of seconds in the future.
func setDeleteAt(h http.Header, ts swift.Timestamp) error {
	now := ts.Time()
	nowSec := float64(now.UnixNano()) / 1e9
	if v, ok := h[swift.HeaderDeleteAfter]; ok {
		after, err := strconv.ParseInt(strings.TrimSpace(v[0]), 10, 64)
		if err != nil {
			return swift.Errorf(swift.ErrBadRequest, "Non-integer X-Delete-After")
		}
		at := clampDeleteAt(int64(nowSec + float64(after)))
		if float64(at) <= nowSec {
			return swift.Errorf(swift.ErrBadRequest, "X-Delete-After in past")
		}
		h.Set(swift.HeaderDeleteAt, strconv.FormatInt(at, 10))
		h.Del(swift.HeaderDeleteAfter)
	}
	if v, ok := h[swift.HeaderDeleteAt]; ok {
		at, err := strconv.ParseInt(strings.TrimSpace(v[0]), 10, 64)
		if err != nil {
			return swift.Errorf(swift.ErrBadRequest, "Non-integer X-Delete-At")
		}
		at = clampDeleteAt(at)
		if float64(at) <= nowSec {
			return swift.Errorf(swift.ErrBadRequest, "X-Delete-At in past")
		}
		h.Set(swift.HeaderDeleteAt, fmt.Sprintf("%010d", at))
	}
	return nil
}

func clampDeleteAt(at int64) int64 { return min(max(at, 0), maxDeleteAt) }

// deleteAtContainer is the expirer queue container for an X-Delete-At:
// the start of its day, as INTERNALS fixes it.
func deleteAtContainer(at int64) string {
	return fmt.Sprintf("%010d", at/swift.ExpiringObjectsDivisor*swift.ExpiringObjectsDivisor)
}

// objectHeaders makes one header set per object replica, with the
// container updates and expirer-queue updates spread over them as Swift's
// _backend_requests spreads them: every container replica gets at least
// one update, and enough go out that a container quorum hears of any
// write that reached an object quorum.
func (s *Server) objectHeaders(ctx context.Context, op placement, ci containerInfo, h http.Header, transID string) ([]http.Header, error) {
	n := op.replicas()
	headers := make([]http.Header, n)
	for i := range headers {
		headers[i] = h.Clone()
		headers[i].Set(swift.HeaderContainerPartition, partString(ci.place.part))
	}
	var queue placement
	if v := h.Get(swift.HeaderDeleteAt); v != "" {
		at, _ := strconv.ParseInt(v, 10, 64)
		var err error
		if queue, err = s.ensureQueue(ctx, deleteAtContainer(at), transID); err != nil {
			return nil, err
		}
		for _, hi := range headers {
			hi.Set(swift.HeaderDeleteAtContainer, queue.container)
			hi.Set(swift.HeaderDeleteAtPartition, partString(queue.part))
		}
	}
	containers := ci.place.primaries
	updates := numContainerUpdates(len(containers), n)
	for i := 0; i < updates && len(containers) > 0; i++ {
		addTarget(headers[i%n], swift.HeaderContainerHost, swift.HeaderContainerDevice, containers[i%len(containers)])
		if len(queue.primaries) > 0 {
			// Reversed, so queue updates land on other replicas than
			// container updates where there are several.
			addTarget(headers[n-1-i%n], swift.HeaderDeleteAtHost, swift.HeaderDeleteAtDevice, queue.primaries[i%len(queue.primaries)])
		}
	}
	return headers, nil
}

// numContainerUpdates is Swift's num_container_updates.
func numContainerUpdates(containerReplicas, objectReplicas int) int {
	return max(containerReplicas,
		quorumSize(containerReplicas)+objectReplicas-quorumSize(objectReplicas))
}

func addTarget(h http.Header, hostHeader, deviceHeader string, dev ring.Device) {
	h.Set(hostHeader, csvAppend(h.Get(hostHeader), nodeOf(dev).Host()))
	h.Set(deviceHeader, csvAppend(h.Get(deviceHeader), dev.Name))
}
