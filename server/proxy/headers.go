package proxy

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/sciswift/sciswift/server/swift"
)

// transIDKey carries the transaction id in a request's context, so that
// subrequests made with the same context keep it.
type transIDKey struct{}

// withTransID returns ctx carrying id.
func withTransID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, transIDKey{}, id)
}

// transID is the request's transaction id: from the context
// (WithRequestLog's), else from X-Trans-Id (a middleware's subrequest).
func transID(r *http.Request) string {
	if id, ok := r.Context().Value(transIDKey{}).(string); ok && id != "" {
		return id
	}
	return r.Header.Get(swift.HeaderTransID)
}

// hopByHop are the headers that describe one connection, never forwarded.
var hopByHop = []string{
	"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

// notForwarded are client request headers a backend must not see: how the
// body is framed is the transport's business, and tokens stay in the proxy.
var notForwarded = append([]string{
	"Host", "Content-Length", "Expect", swift.HeaderAuthToken, swift.HeaderStorageToken,
}, hopByHop...)

// ownerHeaders are Swift's swift_owner_headers: only an owner may set them
// and only an owner sees them.
var ownerHeaders = []string{
	"X-Container-Read", "X-Container-Write", "X-Container-Sync-Key", "X-Container-Sync-To",
	"X-Account-Meta-Temp-Url-Key", "X-Account-Meta-Temp-Url-Key-2",
	"X-Container-Meta-Temp-Url-Key", "X-Container-Meta-Temp-Url-Key-2",
	headerAccountACL,
}

func deleteAll(h http.Header, names []string) {
	for _, n := range names {
		h.Del(n)
	}
}

// forwardHeaders is what Swift's generate_request_headers(req,
// additional=req.headers) sends for object requests and for reads: every
// client header but the connection's own.
func forwardHeaders(src http.Header) http.Header {
	h := src.Clone()
	if h == nil {
		h = http.Header{}
	}
	deleteAll(h, notForwarded)
	return h
}

// containerPassThrough are the container headers a write transfers besides
// metadata: Swift's ContainerController.pass_through_headers.
var containerPassThrough = []string{
	"X-Container-Read", "X-Container-Write", "X-Container-Sync-Key", "X-Container-Sync-To",
	"X-Versions-Location",
}

// transferHeaders is Swift's transfer_headers for account and container
// writes: X-Backend-* , user metadata and sysmeta of the level, the
// level's pass-through headers, and X-Remove-* turned into the empty value
// that removes.
func transferHeaders(src http.Header, level swift.Level) http.Header {
	h := http.Header{}
	var pass []string
	if level == swift.LevelContainer {
		pass = containerPassThrough
	}
	userMeta, sysMeta, remove := level.UserMetaPrefix(), level.SysMetaPrefix(), level.RemoveMetaPrefix()
	for name, vals := range src {
		switch {
		case swift.HasPrefixFold(name, "X-Backend-"), swift.HasPrefixFold(name, userMeta),
			swift.HasPrefixFold(name, sysMeta), slices.Contains(pass, name):
			h[name] = vals
		case swift.HasPrefixFold(name, remove):
			setIfAbsent(h, userMeta+name[len(remove):], "")
		case strings.HasPrefix(name, "X-Remove-") && slices.Contains(pass, "X-"+name[len("X-Remove-"):]):
			setIfAbsent(h, "X-"+name[len("X-Remove-"):], "")
		}
	}
	return h
}

// setIfAbsent sets name unless the request also set it outright, which
// wins over a removal as in Swift.
func setIfAbsent(h http.Header, name, value string) {
	name = http.CanonicalHeaderKey(name)
	if _, ok := h[name]; !ok {
		h[name] = []string{value}
	}
}

// copyHeaders copies a backend response's headers for the client,
// leaving out the connection's own.
func copyHeaders(dst, src http.Header) {
	for k, v := range src {
		if !slices.Contains(hopByHop, k) {
			dst[k] = v
		}
	}
}
