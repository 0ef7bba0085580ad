package proxy

import (
	"net/http"
	"slices"
	"sort"
	"strings"
)

// CORS as Swift's proxy does it with strict_cors_mode: a container opts in
// with X-Container-Meta-Access-Control-Allow-Origin (space-separated
// origins, or "*"), -Max-Age and -Expose-Headers.

// corsInfo is a container's CORS settings.
type corsInfo struct {
	allowOrigin, maxAge, exposeHeaders string
}

func corsOf(h http.Header) corsInfo {
	return corsInfo{
		allowOrigin:   h.Get("X-Container-Meta-Access-Control-Allow-Origin"),
		maxAge:        h.Get("X-Container-Meta-Access-Control-Max-Age"),
		exposeHeaders: h.Get("X-Container-Meta-Access-Control-Expose-Headers"),
	}
}

// allows is Swift's is_origin_allowed.
func (c corsInfo) allows(origin string) bool {
	origins := strings.Fields(c.allowOrigin)
	return slices.Contains(origins, origin) || slices.Contains(origins, "*")
}

// allowOriginValue is what Access-Control-Allow-Origin says for origin.
func (c corsInfo) allowOriginValue(origin string) string {
	if strings.TrimSpace(c.allowOrigin) == "*" {
		return "*"
	}
	return origin
}

// options is Swift's Controller.OPTIONS: the allowed methods, and for a
// CORS preflight on a container or object the container's verdict (401
// when it does not allow the origin or the method).
func (s *Server) options(rq *request, allowed []string) error {
	h := rq.w.Header()
	h.Set("Allow", strings.Join(allowed, ", "))
	origin := rq.r.Header.Get("Origin")
	if origin == "" || rq.path.Container == "" {
		h.Set("Content-Length", "0")
		rq.w.WriteHeader(http.StatusOK)
		return nil
	}
	ci, err := s.containerInfo(rq.r.Context(), rq.path.Account, rq.path.Container, rq.transID)
	if err != nil {
		return err
	}
	cors := corsOf(ci.header)
	if !cors.allows(origin) || !slices.Contains(allowed, rq.r.Header.Get("Access-Control-Request-Method")) {
		return unauthorizedPreflight(rq)
	}
	if reqHeaders := rq.r.Header.Get("Access-Control-Request-Headers"); reqHeaders != "" {
		h.Set("Access-Control-Allow-Headers", reqHeaders)
		h.Add("Vary", "Access-Control-Request-Headers")
	}
	h.Set("Access-Control-Allow-Origin", cors.allowOriginValue(origin))
	if cors.allowOriginValue(origin) != "*" {
		h.Add("Vary", "Origin")
	}
	if cors.maxAge != "" {
		h.Set("Access-Control-Max-Age", cors.maxAge)
	}
	h.Set("Access-Control-Allow-Methods", strings.Join(allowed, ", "))
	h.Set("Content-Length", "0")
	rq.w.WriteHeader(http.StatusOK)
	return nil
}

// unauthorizedPreflight is Swift's bare 401 for a refused preflight:
// a CORS failure, not an authentication one, so no challenge is sent.
func unauthorizedPreflight(rq *request) error {
	rq.w.Header().Set("Content-Length", "0")
	rq.w.WriteHeader(http.StatusUnauthorized)
	return nil
}

// corsWriter adds the CORS response headers to an actual (not preflight)
// request from an allowed origin, as Swift's cors_validation does, just
// before the status line goes out.
func (s *Server) corsWriter(rq *request) http.ResponseWriter {
	return &corsResponseWriter{ResponseWriter: rq.w, s: s, rq: rq}
}

type corsResponseWriter struct {
	http.ResponseWriter
	s           *Server
	rq          *request
	wroteHeader bool
}

func (w *corsResponseWriter) WriteHeader(status int) {
	if !w.wroteHeader {
		w.wroteHeader = true
		w.addHeaders()
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *corsResponseWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *corsResponseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *corsResponseWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *corsResponseWriter) addHeaders() {
	origin := w.rq.r.Header.Get("Origin")
	ci, err := w.s.containerInfo(w.rq.r.Context(), w.rq.path.Account, w.rq.path.Container, w.rq.transID)
	if err != nil {
		return
	}
	cors := corsOf(ci.header)
	if !cors.allows(origin) {
		return
	}
	h := w.Header()
	if h.Get("Access-Control-Expose-Headers") == "" {
		h.Set("Access-Control-Expose-Headers", strings.Join(exposeHeaders(h, cors), ", "))
	}
	if h.Get("Access-Control-Allow-Origin") == "" {
		h.Set("Access-Control-Allow-Origin", cors.allowOriginValue(origin))
		if cors.allowOriginValue(origin) != "*" {
			h.Add("Vary", "Origin")
		}
	}
}

// exposeHeaders is cors_validation's list: the simple response headers,
// Swift's own, the response's metadata, and the container's additions.
func exposeHeaders(h http.Header, cors corsInfo) []string {
	set := map[string]bool{}
	for _, k := range []string{"cache-control", "content-language", "content-type", "expires",
		"last-modified", "pragma", "etag", "x-timestamp", "x-trans-id", "x-openstack-request-id"} {
		set[k] = true
	}
	for k := range h {
		if strings.HasPrefix(k, "X-Container-Meta") || strings.HasPrefix(k, "X-Object-Meta") {
			set[strings.ToLower(k)] = true
		}
	}
	for _, k := range strings.Fields(cors.exposeHeaders) {
		set[strings.ToLower(k)] = true
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
