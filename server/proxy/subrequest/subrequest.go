// Package subrequest is how the large-object and bulk middlewares talk to
// the part of the pipeline below them, as Swift's make_subrequest and
// WSGIContext do: Client sends new requests (segment GETs, listings,
// deletes) on behalf of the user who made the original request, and
// Intercept runs the original request through the next handler so that a
// middleware can look at the answer before deciding to pass it on.
//
// Everything streams: no subrequest body is read into memory unless its
// caller asks for a bounded prefix of it.
package subrequest

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/sciswift/sciswift/server/swift"
)

// Header marks a request as made by a middleware, with the middleware's
// short name as value ("SLO", "DLO", "BD"), so that the proxy's access log
// can tell subrequests from client requests as Swift's swift.source does.
// The public edge must delete it from client requests: only requests made
// inside the process may carry it.
const Header = "X-Backend-Subrequest"

// Client sends subrequests for one middleware.
type Client struct {
	// HTTP sends the requests. Its transport must route Endpoint to the
	// handler below the middleware (in production an in-process transport
	// that streams; no socket is involved).
	HTTP *http.Client
	// Endpoint is the scheme and host the transport serves, e.g.
	// "http://dlo.internal".
	Endpoint string
	// Source is the value of Header on every request sent.
	Source string
}

// NewRequest builds a subrequest of orig: escapedPath (as built by
// swift.EscapePath) and rawQuery name the target. It carries the user's
// token so that ACLs apply to the user and not to the middleware, the
// transaction id so that logs join up, and orig's context so that a client
// disconnect stops the work done for it. agent is appended to the
// User-Agent, as Swift appends "SLO MultipartGET" and the like.
func (c *Client) NewRequest(orig *http.Request, method, escapedPath, rawQuery, agent string, body io.Reader) (*http.Request, error) {
	target := c.Endpoint + escapedPath
	if rawQuery != "" {
		target += "?" + rawQuery
	}
	req, err := http.NewRequestWithContext(orig.Context(), method, target, body)
	if err != nil {
		return nil, swift.Errorf(swift.ErrBadRequest, "Invalid path: %s", escapedPath)
	}
	token := orig.Header.Get(swift.HeaderAuthToken)
	if token == "" {
		token = orig.Header.Get(swift.HeaderStorageToken)
	}
	if token != "" {
		req.Header.Set(swift.HeaderAuthToken, token)
	}
	if id := orig.Header.Get(swift.HeaderTransID); id != "" {
		req.Header.Set(swift.HeaderTransID, id)
	}
	req.Header.Set("User-Agent", strings.TrimSpace(orig.Header.Get("User-Agent")+" "+agent))
	req.Header.Set(Header, c.Source)
	return req, nil
}

// Do sends req. The caller owns the response body.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, swift.Errorf(swift.ErrServiceUnavailable, "subrequest %s %s: %v", req.Method, req.URL.Path, err)
	}
	return resp, nil
}

// Send is NewRequest followed by Do.
func (c *Client) Send(orig *http.Request, method, escapedPath, rawQuery, agent string, body io.Reader) (*http.Response, error) {
	req, err := c.NewRequest(orig, method, escapedPath, rawQuery, agent, body)
	if err != nil {
		return nil, err
	}
	return c.Do(req)
}

// ReadBody reads at most limit bytes of resp's body and closes it;
// truncated reports that there was more.
func ReadBody(resp *http.Response, limit int64) (body []byte, truncated bool, err error) {
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if int64(len(body)) > limit {
		return body[:limit], true, err
	}
	return body, false, err
}

// Relay answers the client with a subrequest's response, as Swift
// middlewares return a failed subrequest's response unchanged (a 404
// container listing for a DLO is the client's 404). The body streams;
// HEAD requests get none.
func Relay(w http.ResponseWriter, method string, resp *http.Response) {
	defer resp.Body.Close()
	dst := w.Header()
	for k, v := range resp.Header {
		dst[k] = v
	}
	if resp.ContentLength >= 0 && method != http.MethodHead {
		dst.Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
	}
	w.WriteHeader(resp.StatusCode)
	if method != http.MethodHead {
		_, _ = io.Copy(w, resp.Body)
	}
}
