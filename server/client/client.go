// Package client speaks HTTP to Swift-compatible servers: a small public
// Swift API client (Client), the helpers the proxy uses to address backend
// roles (Node, BackendURL, NewBackendRequest), and InProcessTransport, which
// serves requests for addresses this process owns by calling their handler
// directly.
//
// Every failure status becomes the server/swift sentinel for that status
// (swift.FromStatus), so callers branch with errors.Is(err, swift.ErrNotFound)
// whether they talk to a proxy or to a backend.
package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sciswift/sciswift/server/swift"
)

// Client talks to one Swift account through its storage URL, as the
// python-swiftclient Connection does. The zero value is not usable: set
// StorageURL and Token, or call Auth.
type Client struct {
	StorageURL string       // e.g. http://127.0.0.1:8080/v1/AUTH_test
	Token      string       // sent as X-Auth-Token when not empty
	HTTP       *http.Client // nil means http.DefaultClient
}

// ErrBadAuthResponse is returned by Auth when a 2xx answer lacks the
// storage URL or the token.
var ErrBadAuthResponse = errors.New("client: auth response lacks X-Storage-Url or X-Auth-Token")

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// Auth authenticates with a tempauth-style v1 endpoint
// (http://HOST/auth/v1.0): user is "account:user". On success it sets
// StorageURL and Token.
func (c *Client) Auth(ctx context.Context, authURL, user, key string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-Auth-User", user)
	req.Header.Set("X-Auth-Key", key)
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return err
	}
	if err := ReadError(resp); err != nil {
		return err
	}
	Drain(resp.Body)
	storageURL, token := resp.Header.Get("X-Storage-Url"), resp.Header.Get("X-Auth-Token")
	if storageURL == "" || token == "" {
		return ErrBadAuthResponse
	}
	c.StorageURL, c.Token = storageURL, token
	return nil
}

// Request is one call on the storage URL. Container and Object may be
// empty to address the account or a container.
type Request struct {
	Method    string
	Container string
	Object    string
	Query     url.Values
	Header    http.Header
	Body      io.Reader
	// ContentLength is Body's length; -1 sends it chunked. Ignored
	// without a Body.
	ContentLength int64
}

// Do sends req and returns the response whatever its status; the caller
// closes the body. Use ReadError to turn an error status into an error.
func (c *Client) Do(ctx context.Context, req Request) (*http.Response, error) {
	u := strings.TrimRight(c.StorageURL, "/")
	switch {
	case req.Object != "":
		u += swift.EscapePath(req.Container, req.Object)
	case req.Container != "":
		u += swift.EscapePath(req.Container)
	}
	if len(req.Query) > 0 {
		u += "?" + req.Query.Encode()
	}
	body := req.Body
	if body == nil {
		body = http.NoBody
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, u, body)
	if err != nil {
		return nil, err
	}
	for k, v := range req.Header {
		hr.Header[k] = append([]string(nil), v...)
	}
	if c.Token != "" {
		hr.Header.Set(swift.HeaderAuthToken, c.Token)
	}
	hr.ContentLength = 0
	if req.Body != nil {
		hr.ContentLength = req.ContentLength
		if req.ContentLength == 0 {
			hr.Body = http.NoBody
		}
	}
	return c.httpClient().Do(hr)
}

// call is Do for requests whose answer is only headers: error statuses
// become errors and the body is drained.
func (c *Client) call(ctx context.Context, req Request) (http.Header, error) {
	resp, err := c.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := ReadError(resp); err != nil {
		return resp.Header, err
	}
	Drain(resp.Body)
	return resp.Header, nil
}

// HeadAccount returns the account's headers (counts, metadata).
func (c *Client) HeadAccount(ctx context.Context) (http.Header, error) {
	return c.call(ctx, Request{Method: http.MethodHead})
}

// PostAccount sets account metadata (X-Account-Meta-*, X-Remove-Account-Meta-*).
func (c *Client) PostAccount(ctx context.Context, h http.Header) error {
	_, err := c.call(ctx, Request{Method: http.MethodPost, Header: h})
	return err
}

// PutContainer creates a container or updates its metadata and ACLs.
func (c *Client) PutContainer(ctx context.Context, container string, h http.Header) error {
	_, err := c.call(ctx, Request{Method: http.MethodPut, Container: container, Header: h})
	return err
}

// HeadContainer returns the container's headers.
func (c *Client) HeadContainer(ctx context.Context, container string) (http.Header, error) {
	return c.call(ctx, Request{Method: http.MethodHead, Container: container})
}

// PostContainer updates container metadata and ACLs.
func (c *Client) PostContainer(ctx context.Context, container string, h http.Header) error {
	_, err := c.call(ctx, Request{Method: http.MethodPost, Container: container, Header: h})
	return err
}

// DeleteContainer deletes an empty container (swift.ErrConflict otherwise).
func (c *Client) DeleteContainer(ctx context.Context, container string) error {
	_, err := c.call(ctx, Request{Method: http.MethodDelete, Container: container})
	return err
}

// PutObject uploads size bytes of body (size -1: chunked, for a stream of
// unknown length) and returns the response headers (ETag, Last-Modified).
// The body is streamed, never buffered.
func (c *Client) PutObject(ctx context.Context, container, object string, body io.Reader, size int64, h http.Header) (http.Header, error) {
	if body == nil {
		body, size = http.NoBody, 0
	}
	return c.call(ctx, Request{Method: http.MethodPut, Container: container, Object: object,
		Header: h, Body: body, ContentLength: size})
}

// GetObject starts a download; h may carry Range and conditional headers.
// A 200 or 206 returns the body (the caller closes it) and the headers;
// Content-Range tells a partial answer.
func (c *Client) GetObject(ctx context.Context, container, object string, h http.Header) (io.ReadCloser, http.Header, error) {
	resp, err := c.Do(ctx, Request{Method: http.MethodGet, Container: container, Object: object, Header: h})
	if err != nil {
		return nil, nil, err
	}
	if err := ReadError(resp); err != nil {
		return nil, resp.Header, err
	}
	return resp.Body, resp.Header, nil
}

// HeadObject returns an object's headers.
func (c *Client) HeadObject(ctx context.Context, container, object string, h http.Header) (http.Header, error) {
	return c.call(ctx, Request{Method: http.MethodHead, Container: container, Object: object, Header: h})
}

// PostObject replaces an object's user metadata (and sets X-Delete-At and
// the like).
func (c *Client) PostObject(ctx context.Context, container, object string, h http.Header) error {
	_, err := c.call(ctx, Request{Method: http.MethodPost, Container: container, Object: object, Header: h})
	return err
}

// DeleteObject deletes an object.
func (c *Client) DeleteObject(ctx context.Context, container, object string, h http.Header) error {
	_, err := c.call(ctx, Request{Method: http.MethodDelete, Container: container, Object: object, Header: h})
	return err
}

// CopyObject copies container/object to dstContainer/dstObject in the same
// account with Swift's COPY verb; h may add X-Fresh-Metadata, metadata or
// Destination-Account.
func (c *Client) CopyObject(ctx context.Context, container, object, dstContainer, dstObject string, h http.Header) (http.Header, error) {
	hh := h.Clone()
	if hh == nil {
		hh = http.Header{}
	}
	hh.Set(swift.HeaderDestination, strings.TrimPrefix(swift.EscapePath(dstContainer, dstObject), "/"))
	return c.call(ctx, Request{Method: "COPY", Container: container, Object: object, Header: hh})
}

// ListOptions select a page of a listing.
type ListOptions struct {
	Prefix, Delimiter, Marker, EndMarker string
	Limit                                int // 0: the server's maximum
	Reverse                              bool
}

func (o ListOptions) query() url.Values {
	q := url.Values{"format": {"json"}}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("prefix", o.Prefix)
	set("delimiter", o.Delimiter)
	set("marker", o.Marker)
	set("end_marker", o.EndMarker)
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.Reverse {
		q.Set("reverse", "true")
	}
	return q
}

// ListObjects returns one page of a container listing (at most the
// server's limit); page with Marker set to the last name returned.
func (c *Client) ListObjects(ctx context.Context, container string, opts ListOptions) ([]swift.ObjectRecord, http.Header, error) {
	resp, err := c.list(ctx, container, opts)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	recs, err := swift.DecodeObjectListing(resp.Body)
	return recs, resp.Header, err
}

// ListContainers returns one page of the account's containers.
func (c *Client) ListContainers(ctx context.Context, opts ListOptions) ([]swift.ContainerRecord, http.Header, error) {
	resp, err := c.list(ctx, "", opts)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	recs, err := swift.DecodeContainerListing(resp.Body)
	return recs, resp.Header, err
}

func (c *Client) list(ctx context.Context, container string, opts ListOptions) (*http.Response, error) {
	resp, err := c.Do(ctx, Request{Method: http.MethodGet, Container: container, Query: opts.query()})
	if err != nil {
		return nil, err
	}
	if err := ReadError(resp); err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusNoContent {
		resp.Body.Close()
		resp.Body = io.NopCloser(strings.NewReader("[]"))
	}
	return resp, nil
}

// String identifies the client in logs without its token.
func (c *Client) String() string { return fmt.Sprintf("swift client for %s", c.StorageURL) }
