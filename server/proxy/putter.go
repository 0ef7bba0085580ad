package proxy

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sciswift/sciswift/ring"
)

// putter is one replica's PUT in flight: the backend reads the body from
// the read end of pw as the proxy writes each chunk into it.
type putter struct {
	dev     ring.Device
	pw      *io.PipeWriter // nil for an empty body
	started chan struct{}  // closed when the backend first reads the body
	done    chan struct{}  // closed when rep or err is set
	rep     reply
	err     error
	failed  bool // a write failed; the putter takes no more chunks
}

// Errors that end a backend's body early.
var (
	errBackendAnswered = errors.New("proxy: object server answered before the body ended")
	errNodeTimeout     = errors.New("proxy: object server stopped reading the body")
)

// backendTimeout is how long one chunk may wait for an object server to
// take it. Swift's node_timeout is 10s; this is generous because a
// backend may be busy fsyncing another object.
const backendTimeout = 60 * time.Second

// startReader is the body an object server reads. Its first Read tells
// the proxy the server accepted the request (in-process directly; over
// the network when the transport saw "100 Continue"), and closing it,
// as a transport does with a request's body, unblocks the proxy's writer.
type startReader struct {
	pr      *io.PipeReader
	once    sync.Once
	started chan struct{}
}

func (r *startReader) Read(b []byte) (int, error) {
	r.once.Do(func() { close(r.started) })
	return r.pr.Read(b)
}

func (r *startReader) Close() error { return r.pr.CloseWithError(errBackendAnswered) }

// startPut begins a PUT to dev; its answer arrives on p.done.
func (s *Server) startPut(ctx context.Context, op placement, dev ring.Device, h http.Header, length int64, transID string) *putter {
	p := &putter{dev: dev, started: make(chan struct{}), done: make(chan struct{})}
	c := call{method: http.MethodPut, header: h, length: length}
	if length != 0 {
		pr, pw := io.Pipe()
		p.pw = pw
		c.body = &startReader{pr: pr, started: p.started}
	}
	go func() {
		defer close(p.done)
		resp, err := s.send(ctx, op, dev, c, transID)
		if err != nil {
			p.err = err
		} else {
			p.rep = readReply(resp)
		}
		if p.pw != nil {
			_ = p.pw.CloseWithError(errBackendAnswered)
		}
	}()
	return p
}

// connectAll connects one putter per replica concurrently. Replies that
// came before any body was read (409, 412, 4xx) are final and returned
// apart; a node that fails with a server error is replaced by the next
// untried node, handoffs included.
func (s *Server) connectAll(ctx context.Context, op placement, headers []http.Header, spec putSpec, transID string) ([]*putter, []reply) {
	q := newNodeQueue(op)
	defer q.close()
	type result struct {
		p     *putter
		final *reply
	}
	results := make([]result, len(headers))
	var wg sync.WaitGroup
	for i, h := range headers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i].p, results[i].final = s.connect(ctx, op, q, h, spec.length, transID)
		}()
	}
	wg.Wait()
	var putters []*putter
	var finals []reply
	for _, r := range results {
		switch {
		case r.p != nil:
			putters = append(putters, r.p)
		case r.final != nil:
			finals = append(finals, *r.final)
		}
	}
	return putters, finals
}

// connect tries nodes until one takes the body or answers finally; it
// returns neither when the nodes run out.
func (s *Server) connect(ctx context.Context, op placement, q *nodeQueue, h http.Header, length int64, transID string) (*putter, *reply) {
	for {
		dev, ok := q.pop()
		if !ok {
			return nil, nil
		}
		p := s.startPut(ctx, op, dev, h, length, transID)
		select {
		case <-p.started:
			return p, nil
		case <-p.done:
		case <-ctx.Done():
			return nil, nil
		}
		if p.err == nil && p.rep.status < 500 {
			return nil, &p.rep
		}
		s.log.Warn("object PUT connect failed", "node", dev.String(), "status", p.rep.status, "err", p.err, "trans_id", transID)
	}
}

// writeChunk writes b to every live putter at once and waits for all, so
// the slowest replica sets the pace and memory stays at one chunk. A
// putter that fails or stalls past backendTimeout is dropped. It returns
// how many putters are still live.
func writeChunk(b []byte, putters []*putter) int {
	var wg sync.WaitGroup
	for _, p := range putters {
		if p.failed {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var wrote atomic.Bool
			stall := time.AfterFunc(backendTimeout, func() {
				if !wrote.Load() {
					_ = p.pw.CloseWithError(errNodeTimeout)
				}
			})
			_, err := p.pw.Write(b)
			wrote.Store(true)
			stall.Stop()
			if err != nil {
				p.failed = true
				_ = p.pw.CloseWithError(err)
			}
		}()
	}
	wg.Wait()
	live := 0
	for _, p := range putters {
		if !p.failed {
			live++
		}
	}
	return live
}

// abortAll ends every putter's body with err, so that no replica commits
// a partial object.
func abortAll(putters []*putter, err error) {
	for _, p := range putters {
		if p.pw != nil {
			_ = p.pw.CloseWithError(err)
		}
	}
}
