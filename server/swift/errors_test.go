package swift

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestStatus(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 200},
		{ErrBadRequest, 400},
		{ErrUnauthorized, 401},
		{ErrForbidden, 403},
		{ErrNotFound, 404},
		{ErrMethodNotAllowed, 405},
		{ErrNotAcceptable, 406},
		{ErrRequestTimeout, 408},
		{ErrConflict, 409},
		{ErrLengthRequired, 411},
		{ErrPreconditionFailed, 412},
		{ErrEntityTooLarge, 413},
		{ErrUnsupportedMedia, 415},
		{ErrRangeNotSatisfiable, 416},
		{ErrUnprocessable, 422},
		{ErrRequestHeaderTooLong, 431},
		{ErrClientDisconnect, 499},
		{ErrNotImplemented, 501},
		{ErrBadGateway, 502},
		{ErrServiceUnavailable, 503},
		{ErrGatewayTimeout, 504},
		{ErrInsufficientStorage, 507},
		{ErrNotModified, 304},
		{Errorf(ErrConflict, "newer exists"), 409},
		{fmt.Errorf("opening: %w", Errorf(ErrNotFound, "gone")), 404},
		{errors.New("disk on fire"), 500},
	}
	for _, tc := range tests {
		if got := Status(tc.err); got != tc.want {
			t.Errorf("Status(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestFromStatus(t *testing.T) {
	tests := []struct {
		code     int
		body     string
		sentinel error // nil: FromStatus returns nil
		status   int
	}{
		{200, "", nil, 200},
		{204, "ignored", nil, 200},
		{304, "", ErrNotModified, 304},
		{404, "", ErrNotFound, 404},
		{409, "newer", ErrConflict, 409},
		{416, "", ErrRangeNotSatisfiable, 416},
		{499, "", ErrClientDisconnect, 499},
		{507, "no disk", ErrInsufficientStorage, 507},
		{418, "teapot", ErrBadRequest, 400},
		{302, "", ErrBadRequest, 400},
		{500, "boom", ErrBadGateway, 502},
		{529, "", ErrBadGateway, 502},
	}
	for _, tc := range tests {
		err := FromStatus(tc.code, tc.body)
		if tc.sentinel == nil {
			if err != nil {
				t.Errorf("FromStatus(%d) = %v, want nil", tc.code, err)
			}
			continue
		}
		if !errors.Is(err, tc.sentinel) || Status(err) != tc.status {
			t.Errorf("FromStatus(%d, %q) = %v (status %d), want %v", tc.code, tc.body, err, Status(err), tc.sentinel)
		}
	}
	// Every mapped status survives the trip through FromStatus.
	for _, s := range statusBySentinel {
		if got := Status(FromStatus(s.status, "")); got != s.status {
			t.Errorf("Status(FromStatus(%d)) = %d", s.status, got)
		}
	}
}

func TestMessage(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{Errorf(ErrBadRequest, "Object name length of %d longer than %d", 1025, 1024), "Object name length of 1025 longer than 1024"},
		{fmt.Errorf("wrapped: %w", Errorf(ErrConflict, "newer")), "newer"},
		{ErrNotFound, "The resource could not be found."},
		{fmt.Errorf("x: %w", ErrNotFound), "The resource could not be found."},
		{ErrUnauthorized, "This server could not verify that you are authorized to access the document you requested."},
		{ErrForbidden, "Access was denied to this resource."},
		{errors.New("secret internals"), "An error occurred while handling the request."},
		{ErrClientDisconnect, "Client disconnected."},
		{ErrPreconditionFailed, "Precondition Failed"},
	}
	for _, tc := range tests {
		if got := Message(tc.err); got != tc.want {
			t.Errorf("Message(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
	if err := Errorf(ErrBadRequest, "hi %s", "there"); err.Error() != "hi there" || !errors.Is(err, ErrBadRequest) {
		t.Errorf("Errorf: %q", err)
	}
}

func TestWriteError(t *testing.T) {
	for _, tc := range []struct {
		method string
		err    error
		status int
		body   string
	}{
		{"GET", Errorf(ErrBadRequest, "bad"), 400, "bad"},
		{"HEAD", Errorf(ErrBadRequest, "bad"), 400, ""},
		{"GET", ErrNotModified, 304, ""},
		{"GET", errors.New("x"), 500, "An error occurred while handling the request."},
	} {
		rec := httptest.NewRecorder()
		WriteError(rec, httptest.NewRequest(tc.method, "/", nil), tc.err)
		if rec.Code != tc.status || rec.Body.String() != tc.body {
			t.Errorf("%s %v: %d %q", tc.method, tc.err, rec.Code, rec.Body.String())
		}
		if tc.body != "" && (rec.Header().Get("Content-Length") != fmt.Sprint(len(tc.body)) ||
			rec.Header().Get("Content-Type") != "text/plain; charset=UTF-8") {
			t.Errorf("%s %v: headers %v", tc.method, tc.err, rec.Header())
		}
	}
	rec := httptest.NewRecorder()
	WriteError(rec, nil, Errorf(ErrConflict, "c"))
	if rec.Code != http.StatusConflict || rec.Body.String() != "c" {
		t.Errorf("nil request: %d %q", rec.Code, rec.Body.String())
	}
}
