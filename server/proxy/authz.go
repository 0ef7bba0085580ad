package proxy

import (
	"net/http"
	"slices"
	"strings"

	"github.com/sciswift/sciswift/server/swift"
)

// authzRequest is what tempauth's authorize looks at for one request.
type authzRequest struct {
	method                     string
	account, container, object string
	referer                    string
	user                       *identity // nil: anonymous
	// acl is the container ACL that applies: X-Container-Read for reads,
	// X-Container-Write for object writes, none for account requests and
	// container writes.
	acl string
	// accountACL loads the account's ACL; it is called only when the
	// answer depends on it, since it costs a backend request.
	accountACL func() accountACL
}

// authorize is tempauth's authorize. It returns whether the user acts as
// the account's owner (Swift's swift_owner: may set ACLs and sees them),
// or an error: 401 for an anonymous request, 403 for an authenticated one.
func (a *tempauth) authorize(q authzRequest) (owner bool, err error) {
	if !strings.HasPrefix(q.account, a.prefix) {
		return false, denied(q.user)
	}
	if a.isOwner(q) {
		return true, nil
	}
	if q.method == http.MethodOptions {
		return false, nil
	}
	referrers, groups := parseACL(q.acl)
	if referrerAllowed(q.referer, referrers) {
		if q.object != "" || slices.Contains(groups, ".rlistings") {
			return false, nil
		}
		return false, denied(q.user)
	}
	if q.user == nil {
		return false, denied(nil)
	}
	for _, g := range q.user.groups {
		if slices.Contains(groups, g) {
			return false, nil
		}
	}
	return a.byAccountACL(q)
}

// isOwner: a reseller admin owns every reseller account except the bare
// prefix and hidden ones ("AUTH_.x"); an .admin user owns their account,
// though only a reseller admin may create or delete the account itself.
func (a *tempauth) isOwner(q authzRequest) bool {
	if q.user == nil {
		return false
	}
	if q.user.in(groupResellerAdmin) && q.account != a.prefix && q.account[len(a.prefix)] != '.' {
		return true
	}
	accountLevelWrite := q.container == "" && (q.method == http.MethodPut || q.method == http.MethodDelete)
	return q.user.in(q.account) && !accountLevelWrite
}

// byAccountACL applies X-Account-Access-Control: admin grants ownership,
// read-write all container and object operations plus account reads,
// read-only reads.
func (a *tempauth) byAccountACL(q authzRequest) (bool, error) {
	if q.accountACL == nil {
		return false, denied(q.user)
	}
	acl := q.accountACL()
	member := func(list []string) bool {
		return slices.ContainsFunc(q.user.groups, func(g string) bool { return slices.Contains(list, g) })
	}
	read := q.method == http.MethodGet || q.method == http.MethodHead
	switch {
	case member(acl.Admin):
		return true, nil
	case member(acl.ReadWrite) && (q.container != "" || read):
		return false, nil
	case member(acl.ReadOnly) && read:
		return false, nil
	}
	return false, denied(q.user)
}

// denied is tempauth's denied_response.
func denied(user *identity) error {
	if user == nil {
		return swift.ErrUnauthorized
	}
	return swift.ErrForbidden
}
