package proxy

import (
	"context"
	"net/http"
	"strings"

	"github.com/sciswift/sciswift/server/swift"
)

// serveAccount is Swift's AccountController.
func (s *Server) serveAccount(rq *request) error {
	switch rq.r.Method {
	case http.MethodGet, http.MethodHead:
		return s.accountGet(rq)
	case http.MethodPost:
		return s.accountPost(rq)
	case http.MethodPut, http.MethodDelete:
		return s.accountManage(rq)
	case http.MethodOptions:
		return s.options(rq, accountMethods)
	}
	return notAllowed(rq, accountMethods)
}

// accountGet lists the account's containers (HEAD: its counts and
// metadata). With account autocreate a missing account reads as an empty
// one, as in Swift.
func (s *Server) accountGet(rq *request) error {
	if err := s.limits.CheckAccount(rq.path.Account); err != nil {
		return err
	}
	format, err := checkListing(rq.r, s.limits.AccountListingLimit)
	if err != nil {
		return err
	}
	owner, err := s.authorize(rq, rq.r.Method, rq.path, "")
	if err != nil {
		return err
	}
	p := s.place(s.accountRing, rq.path.Account, "", "")
	c := call{method: rq.r.Method, rawQuery: rq.r.URL.RawQuery, header: forwardHeaders(rq.r.Header)}
	resp, replies := s.read(rq.r.Context(), p, c, rq.transID, configTrue(rq.r.Header.Get("X-Newest")))
	if resp != nil {
		relay(rq, resp, accountFilter(owner))
		return nil
	}
	rep, err := readVerdict(replies)
	if isNotFound(rep, err) && s.autocreate {
		return fakeAccountListing(rq, format)
	}
	if err != nil {
		return err
	}
	copyHeaders(rq.w.Header(), rep.header)
	accountFilter(owner)(rq.w.Header())
	writeReply(rq.w, rq.r, reply{status: rep.status, body: rep.body})
	return nil
}

// checkListing validates a listing request before any backend sees it,
// so that bad parameters are the proxy's 400/406/412, as in Swift.
func checkListing(r *http.Request, maxLimit int) (swift.ListingFormat, error) {
	if r.Method != http.MethodGet {
		return swift.FormatPlain, nil
	}
	if _, err := swift.ParseListingQuery(r.URL.Query(), maxLimit); err != nil {
		return swift.FormatPlain, err
	}
	return swift.NegotiateListingFormat(r)
}

// accountFilter shows the account ACL to owners, decoded from the sysmeta
// it is stored in, and hides owner-only headers from everyone else.
func accountFilter(owner bool) func(http.Header) {
	return func(h http.Header) {
		if !owner {
			deleteAll(h, ownerHeaders)
			return
		}
		if v := h.Get(headerAccountACLSysmeta); v != "" {
			if acl, err := parseAccountACL(v); err == nil && !acl.empty() {
				h.Set(headerAccountACL, acl.format())
			}
		}
	}
}

// fakeAccountListing is Swift's answer for a missing account under
// account_autocreate: an empty listing with zero counts.
func fakeAccountListing(rq *request, format swift.ListingFormat) error {
	h := rq.w.Header()
	for _, k := range []string{"X-Account-Container-Count", "X-Account-Object-Count", "X-Account-Bytes-Used"} {
		h.Set(k, "0")
	}
	zero := swift.Timestamp{}.Normal()
	h.Set(swift.HeaderTimestamp, zero)
	h.Set(swift.HeaderPutTimestamp, zero)
	return swift.WriteContainerListing(rq.w, rq.r, format, rq.path.Account, nil)
}

// accountPost updates account metadata and the account ACL. A missing
// account is created first under account autocreate.
func (s *Server) accountPost(rq *request) error {
	if err := s.limits.CheckAccount(rq.path.Account); err != nil {
		return err
	}
	owner, err := s.authorize(rq, rq.r.Method, rq.path, "")
	if err != nil {
		return err
	}
	h, err := s.accountWriteHeaders(rq, owner)
	if err != nil {
		return err
	}
	ctx := rq.r.Context()
	p := s.place(s.accountRing, rq.path.Account, "", "")
	rep, err := s.accountWrite(ctx, p, http.MethodPost, h, rq.transID)
	if isNotFound(rep, err) && s.autocreate {
		if err := s.createAccount(ctx, rq.path.Account, rq.transID); err != nil {
			return err
		}
		rep, err = s.accountWrite(ctx, p, http.MethodPost, h, rq.transID)
	}
	if err != nil {
		return err
	}
	accountFilter(owner)(rep.header)
	writeReply(rq.w, rq.r, rep)
	return nil
}

// accountWriteHeaders checks and transfers what an account write sets:
// metadata and, from an owner, the ACL as sysmeta.
func (s *Server) accountWriteHeaders(rq *request, owner bool) (http.Header, error) {
	if err := s.limits.CheckMetadata(swift.UserMetadata(rq.r.Header, swift.LevelAccount), swift.LevelAccount); err != nil {
		return nil, err
	}
	h := transferHeaders(rq.r.Header, swift.LevelAccount)
	if vals, ok := rq.r.Header[headerAccountACL]; ok && owner {
		acl, err := parseAccountACL(strings.Join(vals, ","))
		if err != nil {
			return nil, err
		}
		h.Set(headerAccountACLSysmeta, "")
		if !acl.empty() {
			h.Set(headerAccountACLSysmeta, acl.format())
		}
	}
	h.Set(swift.HeaderTimestamp, s.ts.next().Internal())
	return h, nil
}

// accountWrite sends one write to every account replica and returns the
// quorum's answer.
func (s *Server) accountWrite(ctx context.Context, p placement, method string, h http.Header, transID string) (reply, error) {
	headers := make([]http.Header, p.replicas())
	for i := range headers {
		headers[i] = h
	}
	return bestResponse(s.writeAll(ctx, p, method, "", headers, transID), quorumSize(p.replicas()), nil)
}

// accountManage is account PUT and DELETE, which Swift allows only with
// allow_account_management; sciswift allows them to reseller admins, the
// only way to make an account when autocreate is off.
func (s *Server) accountManage(rq *request) error {
	if _, err := s.authorize(rq, rq.r.Method, rq.path, ""); err != nil {
		return err
	}
	if rq.user == nil || !rq.user.in(groupResellerAdmin) {
		return notAllowed(rq, []string{"GET", "HEAD", "OPTIONS", "POST"})
	}
	if err := s.limits.CheckAccount(rq.path.Account); err != nil {
		return err
	}
	if rq.r.Method == http.MethodDelete && rq.r.URL.RawQuery != "" {
		return swift.Errorf(swift.ErrBadRequest, "Bad Request")
	}
	h, err := s.accountWriteHeaders(rq, true)
	if err != nil {
		return err
	}
	rep, err := s.accountWrite(rq.r.Context(), s.place(s.accountRing, rq.path.Account, "", ""), rq.r.Method, h, rq.transID)
	if err != nil {
		return err
	}
	writeReply(rq.w, rq.r, rep)
	return nil
}

// createAccount is Swift's autocreate_account.
func (s *Server) createAccount(ctx context.Context, account, transID string) error {
	h := http.Header{}
	h.Set(swift.HeaderTimestamp, s.ts.next().Internal())
	rep, err := s.accountWrite(ctx, s.place(s.accountRing, account, "", ""), http.MethodPut, h, transID)
	if err == nil && rep.status >= 300 {
		err = swift.FromStatus(rep.status, string(rep.body))
	}
	if err != nil {
		s.log.Warn("could not autocreate account", "account", account, "trans_id", transID, "err", err)
		return swift.ErrServiceUnavailable
	}
	s.log.Info("autocreated account", "account", account, "trans_id", transID)
	return nil
}

// accountExists asks the account's replicas whether it exists. Anything
// but a quorum of 2xx or 404 is an error.
func (s *Server) accountExists(ctx context.Context, account, transID string) (bool, error) {
	p := s.place(s.accountRing, account, "", "")
	resp, replies := s.read(ctx, p, call{method: http.MethodHead}, transID, false)
	if resp != nil {
		resp.Body.Close()
		return true, nil
	}
	rep, err := readVerdict(replies)
	if isNotFound(rep, err) {
		return false, nil
	}
	return false, errorOr(rep, err)
}

// loadAccountACL fetches the account's ACL for authorization; an account
// that cannot be read, or holds an ACL that does not parse, grants nothing.
func (s *Server) loadAccountACL(rq *request, account string) accountACL {
	p := s.place(s.accountRing, account, "", "")
	resp, _ := s.read(rq.r.Context(), p, call{method: http.MethodHead}, rq.transID, false)
	if resp == nil {
		return accountACL{}
	}
	resp.Body.Close()
	acl, err := parseAccountACL(resp.Header.Get(headerAccountACLSysmeta))
	if err != nil {
		s.log.Warn("invalid account ACL stored in metadata", "account", account, "err", err)
		return accountACL{}
	}
	return acl
}
