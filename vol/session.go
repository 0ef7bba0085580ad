package vol

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sciswift/sciswift/server/client"
)

// sessionKey identifies an account session: files opened with the same
// credentials share one authenticated client and its connection pool. The
// key is part of it so that a wrong key never borrows a good session.
type sessionKey struct {
	authURL, user, key string
	storageURL, token  string
}

func keyOf(s Settings) sessionKey {
	return sessionKey{s.AuthURL, s.User, s.Key, s.StorageURL, s.Token}
}

// session is one authenticated Swift account: a token, the storage URL it
// is good for, and an HTTP client with a connection pool sized for
// parallel chunk traffic. It is safe for concurrent use.
type session struct {
	authURL, user, key string
	http               *http.Client

	mu         sync.Mutex
	storageURL string
	token      string
	gen        uint64 // bumped by every successful authentication
}

// Transport limits. A hung server must turn into an error, never a hang.
const (
	dialTimeout           = 10 * time.Second
	responseHeaderTimeout = 2 * time.Minute
	maxIdlePerHost        = 256
)

func newSession(s Settings) *session {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          maxIdlePerHost,
		MaxIdleConnsPerHost:   maxIdlePerHost,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: responseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
		// Chunks are mostly incompressible floats; gzip negotiation
		// would cost CPU on both ends for nothing.
		DisableCompression: true,
		WriteBufferSize:    256 << 10,
		ReadBufferSize:     256 << 10,
	}
	return &session{
		authURL: s.AuthURL, user: s.User, key: s.Key,
		storageURL: strings.TrimRight(s.StorageURL, "/"), token: s.Token,
		http: &http.Client{Transport: tr},
	}
}

// close drops idle connections; requests in flight finish on their own.
func (s *session) close() {
	if tr, ok := s.http.Transport.(*http.Transport); ok {
		tr.CloseIdleConnections()
	}
}

// canAuth reports whether the session can (re)authenticate by itself.
func (s *session) canAuth() bool { return s.authURL != "" && s.user != "" && s.key != "" }

// ensure authenticates if the session has no token yet.
func (s *session) ensure(ctx context.Context) error {
	s.mu.Lock()
	have := s.token != "" && s.storageURL != ""
	gen := s.gen
	s.mu.Unlock()
	if have {
		return nil
	}
	return s.reauth(ctx, gen)
}

// reauth authenticates again unless another goroutine already did since
// generation seen.
func (s *session) reauth(ctx context.Context, seen uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen != seen && s.token != "" {
		return nil
	}
	if !s.canAuth() {
		return fmt.Errorf("%w: token for %s refused and no auth=/user=/key= to get another", ErrAuth, s.storageURL)
	}
	storageURL, token, err := s.authenticate(ctx)
	if err != nil {
		return err
	}
	s.storageURL, s.token = strings.TrimRight(storageURL, "/"), token
	s.gen++
	return nil
}

// authenticate asks the tempauth v1.0 endpoint for a token. It is done
// here rather than with client.Auth to report the status of a refusal.
func (s *session) authenticate(ctx context.Context) (string, string, error) {
	what := fmt.Sprintf("auth %s as %s", s.authURL, s.user)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.authURL, nil)
	if err != nil {
		return "", "", fmt.Errorf("%s: %w: %v", what, ErrInvalid, err)
	}
	req.Header.Set("X-Auth-User", s.user)
	req.Header.Set("X-Auth-Key", s.key)
	resp, err := s.http.Do(req)
	if err != nil {
		return "", "", fmt.Errorf("%s: %w: %v", what, ErrUnreachable, err)
	}
	defer client.Drain(resp.Body)
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return "", "", fmt.Errorf("%s: %d %s: %w (wrong user or key?)", what, resp.StatusCode, http.StatusText(resp.StatusCode), ErrAuth)
	case resp.StatusCode >= 300:
		return "", "", fmt.Errorf("%s: %d %s: %w", what, resp.StatusCode, http.StatusText(resp.StatusCode), sentinelFor(resp.StatusCode))
	}
	storageURL, token := resp.Header.Get("X-Storage-Url"), resp.Header.Get("X-Auth-Token")
	if storageURL == "" || token == "" {
		return "", "", fmt.Errorf("%s: %d answer without X-Storage-Url or X-Auth-Token: %w", what, resp.StatusCode, ErrAuth)
	}
	return storageURL, token, nil
}

// current returns the storage URL and token in use, and their generation.
func (s *session) current() (string, string, uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.storageURL, s.token, s.gen
}

// request is one call on the account. Body is kept as bytes so that a
// retry can send it again.
type request struct {
	method    string
	container string
	object    string
	query     url.Values
	header    http.Header
	body      []byte
	hasBody   bool
	// noRetry is set for calls whose repetition would change their
	// meaning (the lock's If-None-Match PUT).
	noRetry bool
}

func (r *request) path() string {
	if r.object == "" {
		return r.container
	}
	return r.container + "/" + r.object
}

// storeError is a failed call: which operation on which path ended in
// which status. It unwraps to the vol sentinel for the status.
type storeError struct {
	op, path string
	status   int    // 0 for transport errors
	detail   string // server's message or transport error
	sentinel error
}

func (e *storeError) Error() string {
	if e.status == 0 {
		return fmt.Sprintf("%s %s: %v: %s", e.op, e.path, e.sentinel, e.detail)
	}
	s := fmt.Sprintf("%s %s: %d %s: %v", e.op, e.path, e.status, http.StatusText(e.status), e.sentinel)
	if e.detail != "" {
		s += " (" + e.detail + ")"
	}
	return s
}

func (e *storeError) Unwrap() error { return e.sentinel }

// statusOf is the HTTP status of a failed call, 0 if there was none.
func statusOf(err error) int {
	var se *storeError
	if errors.As(err, &se) {
		return se.status
	}
	return 0
}

// sentinelFor maps an HTTP status to a vol sentinel.
func sentinelFor(status int) error {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return ErrAuth
	case http.StatusNotFound:
		return ErrNotFound
	}
	return ErrStore
}

// retryable statuses are the server saying "not now".
func retryable(status int) bool {
	switch status {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryDelays are the pauses before the 2nd and 3rd attempt of a call.
var retryDelays = [...]time.Duration{100 * time.Millisecond, 400 * time.Millisecond}

// do sends r and returns the response for a 2xx status (the caller closes
// its body). Other statuses become *storeError. A 401 authenticates again
// once; transport errors and 5xx are retried twice (not for noRetry).
func (s *session) do(ctx context.Context, r request) (*http.Response, error) {
	if err := s.ensure(ctx); err != nil {
		return nil, err
	}
	reauthed := false
	for attempt := 0; ; attempt++ {
		storageURL, token, gen := s.current()
		c := client.Client{StorageURL: storageURL, Token: token, HTTP: s.http}
		cr := client.Request{Method: r.method, Container: r.container, Object: r.object, Query: r.query, Header: r.header}
		if r.hasBody {
			cr.Body = bytes.NewReader(r.body)
			cr.ContentLength = int64(len(r.body))
		}
		resp, err := c.Do(ctx, cr)
		if err != nil {
			if ctx.Err() != nil {
				return nil, &storeError{op: r.method, path: r.path(), detail: ctx.Err().Error(), sentinel: ErrUnreachable}
			}
			if !r.noRetry && attempt < len(retryDelays) {
				sleep(ctx, retryDelays[attempt])
				continue
			}
			return nil, &storeError{op: r.method, path: r.path(), detail: err.Error(), sentinel: ErrUnreachable}
		}
		if resp.StatusCode < 300 {
			return resp, nil
		}
		detail := readDetail(resp)
		switch {
		case resp.StatusCode == http.StatusUnauthorized && !reauthed && s.canAuth():
			reauthed = true
			if err := s.reauth(ctx, gen); err != nil {
				return nil, err
			}
			attempt-- // a fresh token is not a retry
			continue
		case retryable(resp.StatusCode) && !r.noRetry && attempt < len(retryDelays):
			sleep(ctx, retryDelays[attempt])
			continue
		}
		return nil, &storeError{op: r.method, path: r.path(), status: resp.StatusCode, detail: detail, sentinel: sentinelFor(resp.StatusCode)}
	}
}

// readDetail keeps a short, one-line server message from an error body.
func readDetail(resp *http.Response) string {
	defer resp.Body.Close()
	if resp.Request != nil && resp.Request.Method == http.MethodHead {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	msg := strings.Join(strings.Fields(string(b)), " ")
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	if strings.HasPrefix(msg, "<html>") {
		return ""
	}
	return msg
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// call is do for answers whose body does not matter.
func (s *session) call(ctx context.Context, r request) (http.Header, error) {
	resp, err := s.do(ctx, r)
	if err != nil {
		return nil, err
	}
	client.Drain(resp.Body)
	return resp.Header, nil
}

// put uploads body and returns the object's ETag.
func (s *session) put(ctx context.Context, container, object string, body []byte, h http.Header) (string, error) {
	hdr, err := s.call(ctx, request{method: http.MethodPut, container: container, object: object, header: h, body: body, hasBody: true})
	if err != nil {
		return "", err
	}
	return strings.Trim(hdr.Get("Etag"), `"`), nil
}

// get downloads a whole object. sizeHint, when the expected size is known,
// lets the body land in one allocation (or in buf, reused when its
// capacity suffices).
func (s *session) get(ctx context.Context, container, object string, buf []byte) ([]byte, http.Header, error) {
	resp, err := s.do(ctx, request{method: http.MethodGet, container: container, object: object})
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	var data []byte
	if n := resp.ContentLength; n >= 0 {
		if int64(cap(buf)) >= n {
			data = buf[:n]
		} else {
			data = make([]byte, n)
		}
		_, err = io.ReadFull(resp.Body, data)
	} else {
		var b bytes.Buffer
		_, err = b.ReadFrom(resp.Body)
		data = b.Bytes()
	}
	if err != nil {
		return nil, nil, &storeError{op: http.MethodGet, path: container + "/" + object, detail: "reading body: " + err.Error(), sentinel: ErrUnreachable}
	}
	return data, resp.Header, nil
}

// head asks for the stored object's own headers: multipart-manifest=get
// keeps the proxy from describing a VOL manifest as the HDF5 file it streams
// (another length, no ETag).
func (s *session) head(ctx context.Context, container, object string) (http.Header, error) {
	q := url.Values{"multipart-manifest": {"get"}}
	return s.call(ctx, request{method: http.MethodHead, container: container, object: object, query: q})
}

// del deletes an object; one already gone is not an error.
func (s *session) del(ctx context.Context, container, object string) error {
	_, err := s.call(ctx, request{method: http.MethodDelete, container: container, object: object})
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// ensureContainer creates container unless it exists.
func (s *session) ensureContainer(ctx context.Context, container string) error {
	_, err := s.call(ctx, request{method: http.MethodHead, container: container})
	if errors.Is(err, ErrNotFound) {
		_, err = s.call(ctx, request{method: http.MethodPut, container: container})
	}
	return err
}

// listPage is how many names one listing request asks for.
const listPage = 10000

// list calls fn with every object under prefix (name and bytes), page by
// page.
func (s *session) list(ctx context.Context, container, prefix string, fn func(name string, bytes int64) error) error {
	marker := ""
	for {
		q := url.Values{"format": {"json"}, "prefix": {prefix}, "limit": {fmt.Sprint(listPage)}}
		if marker != "" {
			q.Set("marker", marker)
		}
		resp, err := s.do(ctx, request{method: http.MethodGet, container: container, query: q})
		if err != nil {
			if errors.Is(err, ErrNotFound) { // no container: nothing under the prefix
				return nil
			}
			return err
		}
		var recs []struct {
			Name  string `json:"name"`
			Bytes int64  `json:"bytes"`
		}
		if resp.StatusCode != http.StatusNoContent {
			err = decodeJSON(resp.Body, &recs)
		}
		client.Drain(resp.Body)
		if err != nil {
			return &storeError{op: "GET", path: container + "?prefix=" + prefix, detail: "bad listing: " + err.Error(), sentinel: ErrStore}
		}
		for _, r := range recs {
			if err := fn(r.Name, r.Bytes); err != nil {
				return err
			}
		}
		if len(recs) < listPage {
			return nil
		}
		marker = recs[len(recs)-1].Name
	}
}
