package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// ErrNoRoute is returned for a request to a host:port that no handler is
// registered for when the transport has no fallback.
var ErrNoRoute = errors.New("client: no in-process handler for host")

// inProcessRemoteAddr is the RemoteAddr handlers see for in-process
// requests; it parses with net.SplitHostPort like a real peer address.
const inProcessRemoteAddr = "in-process:0"

// InProcessTransport is an http.RoundTripper that serves requests for
// registered host:port addresses by calling their handler directly, and
// sends every other request to a fallback transport.
//
// It keeps HTTP's streaming semantics so that code cannot tell it from a
// socket: the request body is handed to the handler as is (never buffered),
// the response body is an io.Pipe fed by the handler's writes, the
// handler's Content-Length (or its absence: chunked) reaches the caller as
// resp.ContentLength, HEAD, 204 and 304 responses carry no body, and the
// request's context cancels the handler's context and unblocks both
// directions.
type InProcessTransport struct {
	fallback http.RoundTripper

	mu       sync.RWMutex
	handlers map[string]http.Handler
}

// NewInProcessTransport returns a transport that sends requests for
// unregistered hosts to fallback. With a nil fallback such requests fail
// with ErrNoRoute, so a subrequest can never leak onto the network.
func NewInProcessTransport(fallback http.RoundTripper) *InProcessTransport {
	return &InProcessTransport{fallback: fallback, handlers: map[string]http.Handler{}}
}

// Register serves requests for hostport ("127.0.0.1:6200", or a bare host,
// which means port 80) with h. A later registration for the same address
// replaces the earlier one.
func (t *InProcessTransport) Register(hostport string, h http.Handler) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.handlers[canonicalHostPort(hostport, "http")] = h
}

// RoundTrip implements http.RoundTripper.
func (t *InProcessTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.mu.RLock()
	h := t.handlers[canonicalHostPort(req.URL.Host, req.URL.Scheme)]
	t.mu.RUnlock()
	if h != nil {
		return serveInProcess(req, h)
	}
	if t.fallback != nil {
		return t.fallback.RoundTrip(req)
	}
	closeBody(req)
	return nil, fmt.Errorf("%w %q", ErrNoRoute, req.URL.Host)
}

// canonicalHostPort lower-cases the host and adds the scheme's default
// port, so "Example:80" and "example" name one registration.
func canonicalHostPort(hostport, scheme string) string {
	hostport = strings.ToLower(hostport)
	if _, _, err := net.SplitHostPort(hostport); err == nil {
		return hostport
	}
	port := "80"
	if scheme == "https" {
		port = "443"
	}
	return net.JoinHostPort(strings.Trim(hostport, "[]"), port)
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// serveInProcess runs h for req in its own goroutine, as a server would,
// and returns as soon as the handler has sent its status line.
func serveInProcess(req *http.Request, h http.Handler) (*http.Response, error) {
	sreq, err := serverRequest(req)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	ctx, cancel := context.WithCancel(req.Context())
	pr, pw := io.Pipe()
	w := newPipeResponseWriter(req, pw)
	// A cancelled request must unblock a handler stuck writing, a caller
	// stuck reading, and a handler stuck reading a request body.
	stop := context.AfterFunc(ctx, func() {
		_ = pw.CloseWithError(context.Cause(ctx))
		closeBody(req)
	})
	go runHandler(h, w, sreq.WithContext(ctx), req, stop)

	select {
	case <-w.headerSent:
		if w.failure != nil {
			cancel()
			return nil, w.failure
		}
		return w.response(&cancelOnClose{PipeReader: pr, cancel: cancel}), nil
	case <-ctx.Done():
		// The handler may not watch its context; it finishes on its own
		// and its writes fail on the closed pipe.
		cancel()
		return nil, context.Cause(req.Context())
	}
}

// runHandler calls h and finishes the response however h ends: by
// returning, or by panicking before or after writing its header.
func runHandler(h http.Handler, w *pipeResponseWriter, sreq, req *http.Request, stop func() bool) {
	defer func() {
		stop()
		if p := recover(); p != nil {
			w.abort(fmt.Errorf("client: in-process handler for %s panicked: %v", req.URL.Host, p))
		} else {
			w.finish()
		}
		closeBody(req)
	}()
	h.ServeHTTP(w, sreq)
}

// serverRequest builds what net/http's server would hand a handler for
// req: a URL parsed from the request line, Host promoted out of the
// header, the body length in ContentLength and TransferEncoding.
func serverRequest(req *http.Request) (*http.Request, error) {
	u, err := url.ParseRequestURI(req.URL.RequestURI())
	if err != nil {
		return nil, fmt.Errorf("client: in-process request: %w", err)
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	sreq := &http.Request{
		Method:     method,
		URL:        u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     req.Header.Clone(),
		Host:       host,
		RemoteAddr: inProcessRemoteAddr,
		RequestURI: req.URL.RequestURI(),
	}
	if sreq.Header == nil {
		sreq.Header = http.Header{}
	}
	setServerBody(sreq, req)
	return sreq, nil
}

// setServerBody mirrors http.Client's length rules: a nil or NoBody body is
// empty, a positive ContentLength is exact, anything else is chunked.
func setServerBody(sreq, req *http.Request) {
	sreq.Header.Del("Transfer-Encoding")
	switch {
	case req.Body == nil || req.Body == http.NoBody:
		sreq.Body = http.NoBody
		sreq.Header.Del("Content-Length")
		if req.ContentLength > 0 || req.Method == http.MethodPut || req.Method == http.MethodPost {
			sreq.Header.Set("Content-Length", "0")
		}
	case req.ContentLength > 0:
		sreq.ContentLength = req.ContentLength
		sreq.Header.Set("Content-Length", strconv.FormatInt(req.ContentLength, 10))
		sreq.Body = &serverBody{r: io.LimitReader(req.Body, req.ContentLength), want: req.ContentLength}
	default:
		sreq.ContentLength = -1
		sreq.TransferEncoding = []string{"chunked"}
		sreq.Header.Del("Content-Length")
		sreq.Body = &serverBody{r: req.Body, want: -1}
	}
}

// serverBody is the handler's view of the request body. Closing it only
// stops the handler's reads; the caller's body is closed by the transport
// once the handler returns, as a server closes the connection's reader.
// A body that ends before its Content-Length is io.ErrUnexpectedEOF, as
// when a client disconnects mid-upload.
type serverBody struct {
	r      io.Reader
	want   int64 // -1 for chunked
	got    int64
	closed atomic.Bool
}

func (b *serverBody) Read(p []byte) (int, error) {
	if b.closed.Load() {
		return 0, http.ErrBodyReadAfterClose
	}
	n, err := b.r.Read(p)
	b.got += int64(n)
	if err == io.EOF && b.want >= 0 && b.got < b.want {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (b *serverBody) Close() error {
	b.closed.Store(true)
	return nil
}

// cancelOnClose cancels the handler's context when the caller closes the
// response body, as a server notices a closed connection.
type cancelOnClose struct {
	*io.PipeReader
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	c.cancel()
	return c.PipeReader.Close()
}
