package client

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// pipeResponseWriter is the http.ResponseWriter an in-process handler
// writes to. The status line and header are handed to RoundTrip once, when
// the handler first writes or flushes; the body goes through an unbuffered
// pipe, so a handler can only run ahead of its reader by one Write.
//
// All methods run on the handler's goroutine; headerSent publishes status,
// sent, contentLength and failure to RoundTrip.
type pipeResponseWriter struct {
	req    *http.Request
	pw     *io.PipeWriter
	header http.Header

	wroteHeader   bool
	status        int
	sent          http.Header // snapshot of header at WriteHeader, as on the wire
	contentLength int64       // declared by the handler, -1 when absent
	written       int64
	failure       error // set when the handler died before its header
	headerSent    chan struct{}
}

func newPipeResponseWriter(req *http.Request, pw *io.PipeWriter) *pipeResponseWriter {
	return &pipeResponseWriter{req: req, pw: pw, header: http.Header{}, contentLength: -1, headerSent: make(chan struct{})}
}

func (w *pipeResponseWriter) Header() http.Header { return w.header }

// WriteHeader sends the status line. Informational statuses are dropped,
// as a client transport consumes them (100 Continue) without surfacing them.
func (w *pipeResponseWriter) WriteHeader(code int) {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if w.wroteHeader || (code < 200 && code != http.StatusSwitchingProtocols) {
		return
	}
	w.wroteHeader = true
	w.status = code
	w.sent = w.header.Clone()
	if cl := w.sent.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n >= 0 {
			w.contentLength = n
		}
	}
	close(w.headerSent)
}

func (w *pipeResponseWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		if w.header.Get("Content-Type") == "" && w.header.Get("X-Content-Type-Options") != "nosniff" {
			w.header.Set("Content-Type", http.DetectContentType(p))
		}
		w.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if w.req.Method == http.MethodHead {
		return len(p), nil
	}
	var tooLong bool
	if w.contentLength >= 0 && w.written+int64(len(p)) > w.contentLength {
		p, tooLong = p[:w.contentLength-w.written], true
	}
	n, err := w.pw.Write(p)
	w.written += int64(n)
	if err == nil && tooLong {
		err = http.ErrContentLength
	}
	return n, err
}

// Flush sends the header if it was not yet; body writes are never
// buffered, so there is nothing else to push.
func (w *pipeResponseWriter) Flush() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
}

// finish ends a response whose handler returned. A handler that wrote
// nothing sent an empty 200, as net/http's server does; one that declared
// a Content-Length and wrote less leaves its reader with
// io.ErrUnexpectedEOF, as a connection closed early would.
func (w *pipeResponseWriter) finish() {
	if !w.wroteHeader {
		w.header.Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
	}
	if w.contentLength >= 0 && w.written < w.contentLength &&
		bodyAllowed(w.status) && w.req.Method != http.MethodHead {
		_ = w.pw.CloseWithError(io.ErrUnexpectedEOF)
		return
	}
	_ = w.pw.Close()
}

// abort ends a response whose handler panicked: before the header the
// round trip fails, after it the body read does.
func (w *pipeResponseWriter) abort(err error) {
	if !w.wroteHeader {
		w.wroteHeader = true
		w.failure = err
		close(w.headerSent)
	}
	_ = w.pw.CloseWithError(err)
}

// response is what the caller gets back once the header is sent.
func (w *pipeResponseWriter) response(body io.ReadCloser) *http.Response {
	resp := &http.Response{
		Status:        fmt.Sprintf("%d %s", w.status, http.StatusText(w.status)),
		StatusCode:    w.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        w.sent,
		ContentLength: w.contentLength,
		Body:          body,
		Request:       w.req,
	}
	// Bodiless responses drop the pipe without closing it: closing would
	// cancel a handler that may still be finishing its work after the
	// header, which a server only does when the connection goes away.
	switch {
	case !bodyAllowed(w.status):
		resp.ContentLength = 0
		resp.Body = http.NoBody
	case w.req.Method == http.MethodHead:
		resp.Body = http.NoBody
	case resp.ContentLength < 0:
		resp.TransferEncoding = []string{"chunked"}
	}
	return resp
}

// bodyAllowed is RFC 9110's rule: 1xx, 204 and 304 responses have no body.
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}
