package proxy

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/sciswift/sciswift/server/swift"
)

// WithRequestLog is the outermost wrapper of the public pipeline, doing
// what Swift's catch_errors, gatekeeper and proxy-logging do there:
//
//   - every response carries X-Trans-Id and X-Openstack-Request-Id, errors
//     included; the id is also in the request (header and context) for the
//     handlers and the subrequests they make;
//   - clients can neither set nor see internal headers: X-Backend-* and
//     sysmeta are removed from requests (the middlewares inside may set
//     them on their subrequests) and from responses;
//   - one structured log line per request: method, path, status, bytes,
//     duration, trans id, remote address;
//   - a handler panic is logged with its stack and becomes a 500, or an
//     aborted response when the status line has already gone out.
func WithRequestLog(h http.Handler, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newTransID(r.Header.Get("X-Trans-Id-Extra"))
		stripInternal(r.Header)
		r.Header.Set(swift.HeaderTransID, id)
		r = r.WithContext(withTransID(r.Context(), id))
		lw := &logWriter{ResponseWriter: w, transID: id}
		defer func() {
			var abort any
			if p := recover(); p != nil {
				abort = lw.recovered(r, p, logger)
			}
			logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("path", r.URL.RequestURI()),
				slog.Int("status", lw.statusOr200()),
				slog.Int64("bytes", lw.bytes),
				slog.Duration("duration", time.Since(start)),
				slog.String("trans_id", id),
				slog.String("remote", r.RemoteAddr),
			)
			if abort != nil {
				panic(abort)
			}
		}()
		h.ServeHTTP(lw, r)
	})
}

// newTransID is Swift's generate_trans_id with catch_errors' suffix: a
// client's X-Trans-Id-Extra (first 32 characters, URL-quoted) is appended
// so that it can find its requests in the logs.
func newTransID(extra string) string {
	id := swift.NewTransID()
	if extra != "" {
		if len(extra) > 32 {
			extra = extra[:32]
		}
		id += pyQuote("-" + extra)
	}
	return id
}

// internalPrefixes are the header families gatekeeper keeps away from
// clients in both directions.
var internalPrefixes = []string{
	"X-Backend-", "X-Account-Sysmeta-", "X-Container-Sysmeta-", "X-Object-Sysmeta-",
	"X-Object-Transient-Sysmeta-",
}

func stripInternal(h http.Header) {
	for k := range h {
		for _, p := range internalPrefixes {
			if swift.HasPrefixFold(k, p) {
				delete(h, k)
				break
			}
		}
	}
}

// logWriter records the status and size of a response and adds the
// transaction id and gatekeeper's filter just before the header goes out.
type logWriter struct {
	http.ResponseWriter
	transID     string
	status      int
	bytes       int64
	wroteHeader bool
}

func (w *logWriter) WriteHeader(status int) {
	if !w.wroteHeader && status >= 200 {
		w.wroteHeader = true
		w.status = status
		h := w.Header()
		stripInternal(h)
		h.Set(swift.HeaderTransID, w.transID)
		h.Set(swift.HeaderRequestID, w.transID)
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *logWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *logWriter) Flush() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (w *logWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// statusOr200 is the status sent; a handler that wrote nothing sent 200.
func (w *logWriter) statusOr200() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// recovered handles a panic in the pipeline. Before the header, the client
// gets a 500; after it, the only honest thing left is to abort the
// connection so that the client sees a truncated response: recovered then
// returns the value to panic with once the request is logged.
func (w *logWriter) recovered(r *http.Request, p any, logger *slog.Logger) any {
	if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
		return p
	}
	logger.Error("panic serving request", "method", r.Method, "path", r.URL.RequestURI(),
		"trans_id", w.transID, "panic", fmt.Sprint(p), "stack", strings.TrimSpace(string(debug.Stack())))
	if w.wroteHeader {
		return http.ErrAbortHandler
	}
	for k := range w.Header() {
		delete(w.Header(), k)
	}
	swift.WriteError(w, r, errors.New("panic"))
	return nil
}
