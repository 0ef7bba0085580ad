package client

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"

	"github.com/sciswift/sciswift/server/swift"
)

// Node is one backend device as a request addresses it: where its server
// listens and the device directory on that server. It carries the fields
// of a ring device that a request needs, so that this package does not
// depend on the ring (callers convert).
type Node struct {
	IP     string
	Port   int
	Device string
}

// Host is "ip:port", bracketing IPv6 addresses; it is also the form of
// X-Container-Host and the other update-target headers.
func (n Node) Host() string { return net.JoinHostPort(n.IP, strconv.Itoa(n.Port)) }

// BackendURL is http://IP:PORT/DEVICE/PARTITION/ACCOUNT[/CONTAINER[/OBJECT]]
// with each segment escaped as swift.ParseBackendPath expects.
func BackendURL(n Node, partition uint32, account, container, object string) string {
	segs := []string{n.Device, strconv.FormatUint(uint64(partition), 10), account}
	if container != "" {
		segs = append(segs, container)
		if object != "" {
			segs = append(segs, object)
		}
	}
	return "http://" + n.Host() + swift.EscapePath(segs...)
}

// BackendRequest describes one request to a backend role.
type BackendRequest struct {
	Method    string
	Node      Node
	Partition uint32
	Account   string
	Container string
	Object    string
	RawQuery  string      // already encoded, without "?"
	Header    http.Header // sent as is; X-Timestamp and friends are the caller's
	Body      io.Reader   // nil for none
	// ContentLength is the body length, or -1 for chunked. It is ignored
	// without a body.
	ContentLength int64
}

// NewBackendRequest builds the *http.Request for br.
func NewBackendRequest(ctx context.Context, br BackendRequest) (*http.Request, error) {
	u := BackendURL(br.Node, br.Partition, br.Account, br.Container, br.Object)
	if br.RawQuery != "" {
		u += "?" + br.RawQuery
	}
	body := br.Body
	if body == nil {
		body = http.NoBody
	}
	req, err := http.NewRequestWithContext(ctx, br.Method, u, body)
	if err != nil {
		return nil, err
	}
	if br.Header != nil {
		req.Header = br.Header.Clone()
	}
	req.ContentLength = 0
	if br.Body != nil {
		req.ContentLength = br.ContentLength
		if br.ContentLength == 0 {
			req.Body = http.NoBody
		}
	}
	return req, nil
}

// maxErrorBody bounds how much of an error response is kept as its message.
const maxErrorBody = 64 << 10

// ReadError turns a response with an error status into the swift sentinel
// for that status (swift.FromStatus), with the peer's message, and closes
// the body. It returns nil, leaving the body open, for statuses below 300.
func ReadError(resp *http.Response) error {
	if resp.StatusCode < 300 {
		return nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return swift.FromStatus(resp.StatusCode, string(b))
}

// Drain reads what is left of a body (a little, so the connection can be
// reused) and closes it.
func Drain(body io.ReadCloser) {
	if body == nil {
		return
	}
	_, _ = io.CopyN(io.Discard, body, maxErrorBody)
	_ = body.Close()
}
