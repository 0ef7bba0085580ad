package subrequest

import (
	"bytes"
	"errors"
	"net/http"
)

// Response is an answer of the next handler that a middleware kept for
// itself instead of passing it on.
type Response struct {
	StatusCode int
	Header     http.Header
	// Body holds at most the limit given to Intercept.
	Body []byte
	// Truncated reports that the body was longer than the limit.
	Truncated bool
}

// Intercept serves r with next, the way Swift's WSGIContext._app_call lets
// a middleware see a response before its client does. When next starts
// its answer, keep decides: false sends the answer straight on to w,
// streamed, and Intercept returns nil; true keeps status, header and up
// to limit bytes of body and returns them (writes past the limit fail, to
// stop next from sending what nobody will read). keep
// may edit h, which is what goes out when it returns false.
func Intercept(next http.Handler, w http.ResponseWriter, r *http.Request, limit int64, keep func(status int, h http.Header) bool) *Response {
	iw := &interceptor{dst: w, header: http.Header{}, keep: keep, limit: limit}
	next.ServeHTTP(iw, r)
	if !iw.decided {
		// A handler that writes nothing answers 200 with no body.
		iw.WriteHeader(http.StatusOK)
	}
	if iw.passing {
		return nil
	}
	iw.resp.Body = iw.body.Bytes()
	return iw.resp
}

// Forward sends a kept response on to the client unchanged.
func (resp *Response) Forward(w http.ResponseWriter) {
	dst := w.Header()
	for k, v := range resp.Header {
		dst[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(resp.Body)
}

type interceptor struct {
	dst     http.ResponseWriter
	header  http.Header
	keep    func(int, http.Header) bool
	limit   int64
	decided bool
	passing bool
	resp    *Response
	body    bytes.Buffer
}

func (iw *interceptor) Header() http.Header {
	if iw.passing {
		return iw.dst.Header()
	}
	return iw.header
}

func (iw *interceptor) WriteHeader(code int) {
	if iw.decided || code < http.StatusOK {
		// Informational answers are dropped: the middleware may yet
		// replace the final one.
		return
	}
	iw.decided = true
	if iw.keep(code, iw.header) {
		iw.resp = &Response{StatusCode: code, Header: iw.header}
		return
	}
	iw.passing = true
	dst := iw.dst.Header()
	for k, v := range iw.header {
		dst[k] = v
	}
	iw.dst.WriteHeader(code)
}

func (iw *interceptor) Write(p []byte) (int, error) {
	if !iw.decided {
		iw.WriteHeader(http.StatusOK)
	}
	if iw.passing {
		return iw.dst.Write(p)
	}
	room := iw.limit - int64(iw.body.Len())
	if int64(len(p)) > room {
		// Fail the write so that next stops producing a body nobody
		// will read, as Swift closes a response iterator it is done with.
		iw.resp.Truncated = true
		n, _ := iw.body.Write(p[:max(room, 0)])
		return n, errDiscarded
	}
	return iw.body.Write(p)
}

// errDiscarded tells next that the rest of its body is not wanted.
var errDiscarded = errors.New("subrequest: response body beyond what the middleware keeps")

// Flush lets streaming answers of next reach the client as they come.
func (iw *interceptor) Flush() {
	if iw.passing {
		_ = http.NewResponseController(iw.dst).Flush()
	}
}

// Unwrap lets next reach the connection through http.ResponseController
// (write deadlines for slow clients, say); Flush above takes precedence,
// so a kept body is never flushed out.
func (iw *interceptor) Unwrap() http.ResponseWriter { return iw.dst }
