package proxy

import (
	"context"
	"io"
	"iter"
	"net/http"
	"strconv"
	"sync"

	"github.com/sciswift/sciswift/ring"
	"github.com/sciswift/sciswift/server/client"
	"github.com/sciswift/sciswift/server/swift"
)

// placement is where one account, container or object lives: its
// partition in a ring and that partition's primary devices.
type placement struct {
	ring      *ring.Ring
	part      uint32
	primaries []ring.Device
	account   string
	container string
	object    string
}

// place looks a path up in r.
func (s *Server) place(r *ring.Ring, account, container, object string) placement {
	part := r.Partition(s.hasher.Hash(account, container, object))
	return placement{ring: r, part: part, primaries: r.Primaries(part),
		account: account, container: container, object: object}
}

// replicas is the number of copies a write must reach.
func (p placement) replicas() int { return len(p.primaries) }

// nodes yields the primaries, then handoffs, up to Swift's
// request_node_count (2 × replicas).
func (p placement) nodes() iter.Seq[ring.Device] {
	limit := 2 * len(p.primaries)
	return func(yield func(ring.Device) bool) {
		n := 0
		for _, d := range p.primaries {
			if n++; n > limit || !yield(d) {
				return
			}
		}
		for d := range p.ring.Handoffs(p.part) {
			if n++; n > limit || !yield(d) {
				return
			}
		}
	}
}

// nodeQueue hands out a placement's nodes to concurrent workers, each
// taking the next untried node when its own fails, as Swift's
// GreenthreadSafeIterator over iter_nodes.
type nodeQueue struct {
	mu   sync.Mutex
	next func() (ring.Device, bool)
	stop func()
}

func newNodeQueue(p placement) *nodeQueue {
	next, stop := iter.Pull(p.nodes())
	return &nodeQueue{next: next, stop: stop}
}

func (q *nodeQueue) pop() (ring.Device, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.next()
}

func (q *nodeQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.stop()
}

func nodeOf(d ring.Device) client.Node {
	return client.Node{IP: d.IP, Port: d.Port, Device: d.Name}
}

// call is one backend request before it is addressed to a node.
type call struct {
	method   string
	rawQuery string
	header   http.Header
	body     io.Reader // nil for none
	length   int64     // body length, -1 chunked
}

// send makes one backend request to dev.
func (s *Server) send(ctx context.Context, p placement, dev ring.Device, c call, transID string) (*http.Response, error) {
	h := c.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set(swift.HeaderTransID, transID)
	h.Set("User-Agent", "proxy-server")
	req, err := client.NewBackendRequest(ctx, client.BackendRequest{
		Method: c.method, Node: nodeOf(dev), Partition: p.part,
		Account: p.account, Container: p.container, Object: p.object,
		RawQuery: c.rawQuery, Header: h, Body: c.body, ContentLength: c.length,
	})
	if err != nil {
		return nil, err
	}
	return s.http.Do(req)
}

// reply is a backend answer kept for the quorum decision; bodies are
// error messages and small, read in full.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// maxReplyBody bounds what is kept of a backend's body.
const maxReplyBody = 64 << 10

func readReply(resp *http.Response) reply {
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxReplyBody))
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// unavailable stands for a node that could not be reached.
func unavailable() reply { return reply{status: http.StatusServiceUnavailable} }

// writeAll is Swift's make_requests for body-less writes: one worker per
// header set (one per replica, headers[i] carrying that replica's update
// targets); each worker tries nodes from the shared queue until one
// answers without a server error. A worker that runs out of nodes counts
// as a 503.
func (s *Server) writeAll(ctx context.Context, p placement, method, rawQuery string, headers []http.Header, transID string) []reply {
	q := newNodeQueue(p)
	defer q.close()
	replies := make([]reply, len(headers))
	var wg sync.WaitGroup
	for i, h := range headers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replies[i] = s.writeOne(ctx, p, q, call{method: method, rawQuery: rawQuery, header: h}, transID)
		}()
	}
	wg.Wait()
	return replies
}

func (s *Server) writeOne(ctx context.Context, p placement, q *nodeQueue, c call, transID string) reply {
	for {
		dev, ok := q.pop()
		if !ok {
			return unavailable()
		}
		resp, err := s.send(ctx, p, dev, c, transID)
		if err != nil {
			s.log.Warn("backend request failed", "method", c.method, "node", dev.String(), "trans_id", transID, "err", err)
			if ctx.Err() != nil {
				return unavailable()
			}
			continue
		}
		if resp.StatusCode >= 500 {
			s.log.Warn("backend server error", "method", c.method, "node", dev.String(), "status", resp.StatusCode, "trans_id", transID)
			client.Drain(resp.Body)
			continue
		}
		return readReply(resp)
	}
}

// timestampOf is the version a backend response reports, for X-Newest.
func timestampOf(h http.Header) swift.Timestamp {
	for _, k := range []string{swift.HeaderBackendTimestamp, swift.HeaderPutTimestamp, swift.HeaderTimestamp} {
		if ts, err := swift.ParseTimestamp(h.Get(k)); err == nil {
			return ts
		}
	}
	return swift.Timestamp{}
}

// read is Swift's GETorHEAD_base: it tries nodes in order until one gives
// a good answer (2xx or 3xx, or a 416 for objects) and returns that
// response open for streaming. With newest, it asks every node reached
// and keeps the newest good answer. When no node answers well it returns
// the replies it collected for bestResponse.
func (s *Server) read(ctx context.Context, p placement, c call, transID string, newest bool) (*http.Response, []reply) {
	var best *http.Response
	var replies []reply
	for dev := range p.nodes() {
		resp, err := s.send(ctx, p, dev, c, transID)
		if err != nil {
			replies = append(replies, unavailable())
			if ctx.Err() != nil {
				break
			}
			continue
		}
		if !goodSource(p, resp.StatusCode) {
			replies = append(replies, readReply(resp))
			continue
		}
		if !newest {
			return resp, nil
		}
		best = newer(best, resp)
	}
	if best != nil {
		return best, nil
	}
	return nil, replies
}

// newer keeps the response with the newer timestamp and closes the other.
func newer(a, b *http.Response) *http.Response {
	if a == nil {
		return b
	}
	if timestampOf(b.Header).After(timestampOf(a.Header)) {
		client.Drain(a.Body)
		return b
	}
	client.Drain(b.Body)
	return a
}

func goodSource(p placement, status int) bool {
	if p.object != "" && status == http.StatusRequestedRangeNotSatisfiable {
		return true
	}
	return status >= 200 && status < 400
}

// writeReply answers the client with a reply.
func writeReply(w http.ResponseWriter, r *http.Request, rep reply) {
	copyHeaders(w.Header(), rep.header)
	body := rep.body
	if r.Method == http.MethodHead || !bodyAllowed(rep.status) {
		body = nil
	} else {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(body)
}

func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// partString formats a partition for update-target headers.
func partString(part uint32) string { return strconv.FormatUint(uint64(part), 10) }

// csvAppend is Swift's csv_append: update-target headers list one entry
// per target, comma separated.
func csvAppend(list, item string) string {
	if list == "" {
		return item
	}
	return list + "," + item
}
