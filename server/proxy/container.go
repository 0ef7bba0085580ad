package proxy

import (
	"context"
	"net/http"
	"strings"

	"github.com/sciswift/sciswift/server/swift"
)

// serveContainer is Swift's ContainerController.
func (s *Server) serveContainer(rq *request) error {
	switch rq.r.Method {
	case http.MethodGet, http.MethodHead:
		return s.containerGet(rq)
	case http.MethodPut:
		return s.containerPut(rq)
	case http.MethodPost:
		return s.containerPost(rq)
	case http.MethodDelete:
		return s.containerDelete(rq)
	case http.MethodOptions:
		return s.options(rq, containerMethods)
	}
	return notAllowed(rq, containerMethods)
}

// containerGet lists the container (HEAD: its counts and metadata). The
// read ACL comes from the container's own answer, so the backend is asked
// first and the answer withheld from users the ACL does not admit; a
// listing through a referrer ACL also needs .rlistings.
func (s *Server) containerGet(rq *request) error {
	if _, err := checkListing(rq.r, s.limits.ContainerListingLimit); err != nil {
		return err
	}
	p := s.place(s.containerRing, rq.path.Account, rq.path.Container, "")
	c := call{method: rq.r.Method, rawQuery: rq.r.URL.RawQuery, header: forwardHeaders(rq.r.Header)}
	resp, replies := s.read(rq.r.Context(), p, c, rq.transID, configTrue(rq.r.Header.Get("X-Newest")))
	if resp != nil {
		owner, err := s.authorize(rq, rq.r.Method, rq.path, resp.Header.Get("X-Container-Read"))
		if err != nil {
			resp.Body.Close()
			return err
		}
		relay(rq, resp, stripOwnerHeaders(owner))
		return nil
	}
	rep, err := readVerdict(replies)
	if err != nil {
		return err
	}
	owner, err := s.authorize(rq, rq.r.Method, rq.path, "")
	if err != nil {
		return err
	}
	copyHeaders(rq.w.Header(), rep.header)
	stripOwnerHeaders(owner)(rq.w.Header())
	writeReply(rq.w, rq.r, reply{status: rep.status, body: rep.body})
	return nil
}

// containerWriteHeaders checks and transfers what a container PUT or POST
// sets: ACLs (cleaned, 400 when malformed), metadata, and only from an
// owner the owner-only headers.
func (s *Server) containerWriteHeaders(rq *request, owner bool) (http.Header, error) {
	for _, name := range []string{"X-Container-Read", "X-Container-Write"} {
		vals, ok := rq.r.Header[name]
		if !ok {
			continue
		}
		cleaned, err := cleanACL(name, strings.Join(vals, ","))
		if err != nil {
			return nil, err
		}
		rq.r.Header.Set(name, cleaned)
	}
	if err := s.limits.CheckMetadata(swift.UserMetadata(rq.r.Header, swift.LevelContainer), swift.LevelContainer); err != nil {
		return nil, err
	}
	h := transferHeaders(rq.r.Header, swift.LevelContainer)
	if !owner {
		deleteAll(h, ownerHeaders)
	}
	h.Set(swift.HeaderTimestamp, s.ts.next().Internal())
	return h, nil
}

// containerPut creates the container, creating the account first under
// account autocreate.
func (s *Server) containerPut(rq *request) error {
	owner, err := s.authorize(rq, rq.r.Method, rq.path, "")
	if err != nil {
		return err
	}
	h, err := s.containerWriteHeaders(rq, owner)
	if err != nil {
		return err
	}
	if err := s.limits.CheckContainer(rq.path.Container); err != nil {
		return err
	}
	if err := s.ensureAccount(rq); err != nil {
		return err
	}
	rep, err := s.containerWrite(rq.r.Context(), rq.path.Account, rq.path.Container, http.MethodPut, h, rq.transID)
	if err != nil {
		return err
	}
	writeReply(rq.w, rq.r, rep)
	return nil
}

// ensureAccount is the account check of a container PUT: 404 for a
// missing account unless autocreate makes it. Internal requests (the
// hidden accounts) always create theirs.
func (s *Server) ensureAccount(rq *request) error {
	ctx, account := rq.r.Context(), rq.path.Account
	exists, err := s.accountExists(ctx, account, rq.transID)
	switch {
	case err != nil:
		return err
	case exists:
		return nil
	case !s.autocreate && !rq.internal:
		return swift.ErrNotFound
	}
	return s.createAccount(ctx, account, rq.transID)
}

// containerWrite sends a container PUT or DELETE to every replica, each
// naming its share of the account's replicas to update, round robin as
// Swift's _backend_requests.
func (s *Server) containerWrite(ctx context.Context, account, container, method string, h http.Header, transID string) (reply, error) {
	p := s.place(s.containerRing, account, container, "")
	ap := s.place(s.accountRing, account, "", "")
	headers := make([]http.Header, p.replicas())
	for i := range headers {
		headers[i] = h.Clone()
	}
	for i, dev := range ap.primaries {
		hi := headers[i%len(headers)]
		hi.Set(swift.HeaderAccountPartition, partString(ap.part))
		hi.Set(swift.HeaderAccountHost, csvAppend(hi.Get(swift.HeaderAccountHost), nodeOf(dev).Host()))
		hi.Set(swift.HeaderAccountDevice, csvAppend(hi.Get(swift.HeaderAccountDevice), dev.Name))
	}
	return bestResponse(s.writeAll(ctx, p, method, "", headers, transID), quorumSize(p.replicas()), nil)
}

// containerPost updates container metadata and ACLs.
func (s *Server) containerPost(rq *request) error {
	owner, err := s.authorize(rq, rq.r.Method, rq.path, "")
	if err != nil {
		return err
	}
	h, err := s.containerWriteHeaders(rq, owner)
	if err != nil {
		return err
	}
	p := s.place(s.containerRing, rq.path.Account, rq.path.Container, "")
	headers := make([]http.Header, p.replicas())
	for i := range headers {
		headers[i] = h
	}
	rep, err := bestResponse(s.writeAll(rq.r.Context(), p, http.MethodPost, "", headers, rq.transID), quorumSize(p.replicas()), nil)
	if err != nil {
		return err
	}
	writeReply(rq.w, rq.r, rep)
	return nil
}

// containerDelete deletes an empty container; the backends' 409 for one
// that holds objects is the answer.
func (s *Server) containerDelete(rq *request) error {
	if _, err := s.authorize(rq, rq.r.Method, rq.path, ""); err != nil {
		return err
	}
	h := http.Header{}
	h.Set(swift.HeaderTimestamp, s.ts.next().Internal())
	rep, err := s.containerWrite(rq.r.Context(), rq.path.Account, rq.path.Container, http.MethodDelete, h, rq.transID)
	if err != nil {
		return err
	}
	if rep.status == http.StatusAccepted { // no replica had the container
		return swift.ErrNotFound
	}
	writeReply(rq.w, rq.r, rep)
	return nil
}

// containerInfo is what object requests need of their container.
type containerInfo struct {
	exists bool
	header http.Header
	place  placement
}

func (ci containerInfo) readACL() string  { return ci.header.Get("X-Container-Read") }
func (ci containerInfo) writeACL() string { return ci.header.Get("X-Container-Write") }

// containerInfo asks the container's replicas for its ACLs and existence:
// Swift's get_container_info, without a cache, so an ACL change is seen
// by the next request.
func (s *Server) containerInfo(ctx context.Context, account, container, transID string) (containerInfo, error) {
	ci := containerInfo{header: http.Header{}, place: s.place(s.containerRing, account, container, "")}
	resp, replies := s.read(ctx, ci.place, call{method: http.MethodHead}, transID, false)
	if resp != nil {
		resp.Body.Close()
		ci.exists, ci.header = true, resp.Header
		return ci, nil
	}
	rep, err := readVerdict(replies)
	if isNotFound(rep, err) {
		return ci, nil
	}
	return ci, errorOr(rep, err)
}
