package swift

import (
	"errors"
	"fmt"
	"net/http"
)

// Sentinels for every failure a request can end in. Code anywhere below the
// HTTP layer wraps one of these with %w and a sentence for the user;
// Status is the only place they become HTTP status codes.
var (
	ErrBadRequest           = errors.New("bad request")
	ErrUnauthorized         = errors.New("unauthorized")
	ErrForbidden            = errors.New("forbidden")
	ErrNotFound             = errors.New("not found")
	ErrMethodNotAllowed     = errors.New("method not allowed")
	ErrNotAcceptable        = errors.New("not acceptable")
	ErrConflict             = errors.New("conflict")
	ErrLengthRequired       = errors.New("length required")
	ErrPreconditionFailed   = errors.New("precondition failed")
	ErrEntityTooLarge       = errors.New("request entity too large")
	ErrUnsupportedMedia     = errors.New("unsupported media type")
	ErrRangeNotSatisfiable  = errors.New("requested range not satisfiable")
	ErrUnprocessable        = errors.New("unprocessable entity")
	ErrNotModified          = errors.New("not modified")
	ErrRequestTimeout       = errors.New("request timeout")
	ErrClientDisconnect     = errors.New("client disconnected")
	ErrNotImplemented       = errors.New("not implemented")
	ErrServiceUnavailable   = errors.New("service unavailable")
	ErrInsufficientStorage  = errors.New("insufficient storage")
	ErrBadGateway           = errors.New("bad gateway")
	ErrGatewayTimeout       = errors.New("gateway timeout")
	ErrRequestHeaderTooLong = errors.New("request header too large")
)

var statusBySentinel = []struct {
	err    error
	status int
}{
	{ErrNotModified, http.StatusNotModified},
	{ErrBadRequest, http.StatusBadRequest},
	{ErrUnauthorized, http.StatusUnauthorized},
	{ErrForbidden, http.StatusForbidden},
	{ErrNotFound, http.StatusNotFound},
	{ErrMethodNotAllowed, http.StatusMethodNotAllowed},
	{ErrNotAcceptable, http.StatusNotAcceptable},
	{ErrRequestTimeout, http.StatusRequestTimeout},
	{ErrConflict, http.StatusConflict},
	{ErrLengthRequired, http.StatusLengthRequired},
	{ErrPreconditionFailed, http.StatusPreconditionFailed},
	{ErrEntityTooLarge, http.StatusRequestEntityTooLarge},
	{ErrUnsupportedMedia, http.StatusUnsupportedMediaType},
	{ErrRangeNotSatisfiable, http.StatusRequestedRangeNotSatisfiable},
	{ErrUnprocessable, http.StatusUnprocessableEntity},
	{ErrRequestHeaderTooLong, http.StatusRequestHeaderFieldsTooLarge},
	{ErrClientDisconnect, 499},
	{ErrNotImplemented, http.StatusNotImplemented},
	{ErrBadGateway, http.StatusBadGateway},
	{ErrServiceUnavailable, http.StatusServiceUnavailable},
	{ErrGatewayTimeout, http.StatusGatewayTimeout},
	{ErrInsufficientStorage, http.StatusInsufficientStorage},
}

// Status maps an error to the HTTP status it must be answered with. It is the
// one place where errors become statuses; anything unrecognised is a 500.
func Status(err error) int {
	if err == nil {
		return http.StatusOK
	}
	for _, s := range statusBySentinel {
		if errors.Is(err, s.err) {
			return s.status
		}
	}
	return http.StatusInternalServerError
}

// FromStatus is the inverse of Status for responses received from another
// role: it wraps the sentinel for code with the body the peer sent, so a 404
// from an object server is still ErrNotFound in the proxy.
func FromStatus(code int, body string) error {
	if code < 300 {
		return nil
	}
	for _, s := range statusBySentinel {
		if s.status == code {
			if body == "" {
				return s.err
			}
			return fmt.Errorf("%w: %s", s.err, body)
		}
	}
	if code >= 500 {
		return fmt.Errorf("%w: status %d: %s", ErrBadGateway, code, body)
	}
	return fmt.Errorf("%w: status %d: %s", ErrBadRequest, code, body)
}

// Errorf wraps a sentinel with a user-facing sentence, the form every
// handler uses: swift.Errorf(swift.ErrBadRequest, "Object name length of %d longer than %d", n, max).
func Errorf(sentinel error, format string, args ...any) error {
	return &userError{sentinel: sentinel, msg: fmt.Sprintf(format, args...)}
}

// userError carries a message meant for the client verbatim, unlike
// fmt.Errorf wrapping, whose text also contains the sentinel's own words.
type userError struct {
	sentinel error
	msg      string
}

func (e *userError) Error() string { return e.msg }
func (e *userError) Unwrap() error { return e.sentinel }

// Message is the text sent to clients as the body of an error response:
// the user-facing sentence where there is one, else Swift's stock phrase.
func Message(err error) string {
	var ue *userError
	if errors.As(err, &ue) {
		return ue.msg
	}
	switch status := Status(err); status {
	case http.StatusNotFound:
		return "The resource could not be found."
	case http.StatusUnauthorized:
		return "This server could not verify that you are authorized to access the document you requested."
	case http.StatusForbidden:
		return "Access was denied to this resource."
	case http.StatusInternalServerError:
		return "An error occurred while handling the request."
	case 499:
		return "Client disconnected."
	default:
		return http.StatusText(status)
	}
}

// WriteError answers a request with err's status and message. HEAD requests
// and 304s get no body, as HTTP requires.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	status := Status(err)
	h := w.Header()
	if status == http.StatusNotModified || (r != nil && r.Method == http.MethodHead) {
		w.WriteHeader(status)
		return
	}
	body := Message(err)
	h.Set("Content-Type", "text/plain; charset=UTF-8")
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
