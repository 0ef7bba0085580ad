package proxy

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sciswift/sciswift/server/swift"
)

// The object expirer, Swift's swift-object-expirer run inside the proxy.
// Writes with X-Delete-At leave an entry "<delete_at>-<a>/<c>/<o>" in the
// hidden account's queue container for the day of delete_at (the object
// server puts it there); the expirer lists the due days, deletes each due
// object with X-If-Delete-At, so that an object rewritten since is spared,
// and then removes the entry.

// expirerWorkers bounds the deletes in flight in one pass.
const expirerWorkers = 8

// RunExpirer runs an expiry pass now and then every ExpirerInterval until
// ctx ends.
func (s *Server) RunExpirer(ctx context.Context) {
	t := time.NewTicker(s.expirerInterval)
	defer t.Stop()
	for {
		if n, err := s.ExpireOnce(ctx); err != nil {
			s.log.Error("expirer pass failed", "err", err, "expired", n)
		} else if n > 0 {
			s.log.Info("expirer pass", "expired", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ExpireOnce makes one expiry pass: it processes every due queue container
// and returns how many objects it deleted. RunExpirer calls it in a loop;
// it is exported for tools and tests that want a single pass.
func (s *Server) ExpireOnce(ctx context.Context) (int, error) {
	transID := swift.NewTransID()
	now := s.clock().Unix()
	containers, err := s.listQueue(ctx, "", transID)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, c := range containers {
		day, err := strconv.ParseInt(c, 10, 64)
		if err != nil {
			continue // not a queue container
		}
		if day > now {
			break // names are fixed-width, so later ones are later days
		}
		n, err := s.expireContainer(ctx, c, day, now, transID)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// expireContainer expires the due entries of one queue container, and
// deletes the container once its day is over and it is empty.
func (s *Server) expireContainer(ctx context.Context, container string, day, now int64, transID string) (int, error) {
	entries, err := s.listQueue(ctx, container, transID)
	if err != nil {
		return 0, err
	}
	var due []string
	for _, e := range entries {
		if at, _, err := parseQueueEntry(e); err == nil && at > now {
			break
		}
		due = append(due, e)
	}
	expired := s.expireEntries(ctx, container, due, transID)
	if len(due) == len(entries) && day+swift.ExpiringObjectsDivisor <= now {
		s.dropQueueContainer(ctx, container, transID)
	}
	return expired, nil
}

// expireEntries handles due entries concurrently.
func (s *Server) expireEntries(ctx context.Context, container string, due []string, transID string) int {
	var mu sync.Mutex
	expired := 0
	sem := make(chan struct{}, expirerWorkers)
	var wg sync.WaitGroup
	for _, entry := range due {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if s.expireEntry(ctx, container, entry, transID) {
				mu.Lock()
				expired++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return expired
}

// expireEntry deletes one due object and pops its queue entry. The entry
// stays for the next pass when the replicas could not answer.
func (s *Server) expireEntry(ctx context.Context, container, entry, transID string) bool {
	at, target, err := parseQueueEntry(entry)
	if err != nil {
		s.log.Warn("expirer: dropping malformed queue entry", "container", container, "entry", entry, "err", err)
		s.popQueueEntry(ctx, container, entry, transID)
		return false
	}
	status, err := s.deleteExpired(ctx, target, at, transID)
	if err != nil {
		s.log.Warn("expirer: delete failed, will retry", "object", target.Object, "err", err, "trans_id", transID)
		return false
	}
	s.popQueueEntry(ctx, container, entry, transID)
	// 404: already gone; 412: rewritten or given a new X-Delete-At since,
	// and the object server does not always know to drop the old entry.
	return status < 300
}

// parseQueueEntry splits "<delete_at>-<account>/<container>/<object>".
func parseQueueEntry(entry string) (int64, swift.Path, error) {
	ts, target, ok := strings.Cut(entry, "-")
	at, err := strconv.ParseInt(ts, 10, 64)
	parts := strings.SplitN(target, "/", 3)
	if !ok || err != nil || len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return 0, swift.Path{}, fmt.Errorf("invalid expirer queue entry %q", entry)
	}
	return at, swift.Path{Account: parts[0], Container: parts[1], Object: parts[2]}, nil
}

// deleteExpired sends the expirer's DELETE: X-Timestamp is the delete-at
// time itself, and X-If-Delete-At makes the object server refuse (412)
// if the object's expiry changed since it was queued.
func (s *Server) deleteExpired(ctx context.Context, p swift.Path, at int64, transID string) (int, error) {
	h := http.Header{}
	ts := swift.TimestampFromSeconds(at)
	h.Set(swift.HeaderTimestamp, ts.Normal())
	h.Set(swift.HeaderIfDeleteAt, strconv.FormatInt(at, 10))
	h.Set("X-Backend-Clean-Expiring-Object-Queue", "no")
	ci := containerInfo{place: s.place(s.containerRing, p.Account, p.Container, "")}
	op := s.place(s.objRing, p.Account, p.Container, p.Object)
	headers, err := s.objectHeaders(ctx, op, ci, h, transID)
	if err != nil {
		return 0, err
	}
	rep, err := bestResponse(s.writeAll(ctx, op, http.MethodDelete, "", headers, transID), quorumSize(op.replicas()), nil)
	if err != nil {
		return 0, err
	}
	switch {
	case rep.status < 300, rep.status == http.StatusNotFound,
		rep.status == http.StatusPreconditionFailed, rep.status == http.StatusConflict:
		return rep.status, nil
	}
	return 0, swift.FromStatus(rep.status, string(rep.body))
}

// popQueueEntry removes an entry from the queue container's replicas.
func (s *Server) popQueueEntry(ctx context.Context, container, entry, transID string) {
	p := s.place(s.containerRing, swift.ExpiringObjectsAccount, container, "")
	p.object = entry
	h := http.Header{}
	h.Set(swift.HeaderTimestamp, s.ts.next().Internal())
	headers := make([]http.Header, p.replicas())
	for i := range headers {
		headers[i] = h
	}
	if _, err := bestResponse(s.writeAll(ctx, p, http.MethodDelete, "", headers, transID), quorumSize(p.replicas()), nil); err != nil {
		s.log.Warn("expirer: could not pop queue entry", "container", container, "entry", entry, "err", err)
	}
}

// dropQueueContainer deletes an emptied queue container of a past day; a
// 409 (an entry arrived meanwhile) leaves it for the next pass.
func (s *Server) dropQueueContainer(ctx context.Context, container, transID string) {
	h := http.Header{}
	h.Set(swift.HeaderTimestamp, s.ts.next().Internal())
	if _, err := s.containerWrite(ctx, swift.ExpiringObjectsAccount, container, http.MethodDelete, h, transID); err != nil {
		s.log.Warn("expirer: could not delete queue container", "container", container, "err", err)
	}
	s.queueMu.Lock()
	delete(s.queues, container)
	s.queueMu.Unlock()
}

// listQueue lists the queue account's containers (container == "") or a
// queue container's entries, every page, in order. A missing account or
// container is an empty list.
func (s *Server) listQueue(ctx context.Context, container, transID string) ([]string, error) {
	ring := s.accountRing
	if container != "" {
		ring = s.containerRing
	}
	p := s.place(ring, swift.ExpiringObjectsAccount, container, "")
	var names []string
	marker := ""
	for {
		page, err := s.listPage(ctx, p, marker, transID)
		if err != nil || len(page) == 0 {
			return names, err
		}
		names = append(names, page...)
		marker = page[len(page)-1]
	}
}

func (s *Server) listPage(ctx context.Context, p placement, marker, transID string) ([]string, error) {
	q := url.Values{"format": {"json"}, "marker": {marker}}
	resp, replies := s.read(ctx, p, call{method: http.MethodGet, rawQuery: q.Encode()}, transID, false)
	if resp == nil {
		rep, err := readVerdict(replies)
		if isNotFound(rep, err) {
			return nil, nil
		}
		return nil, errorOr(rep, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNoContent {
		return nil, nil
	}
	var names []string
	if p.container == "" {
		recs, err := swift.DecodeContainerListing(resp.Body)
		for _, r := range recs {
			names = append(names, r.Name)
		}
		return names, err
	}
	recs, err := swift.DecodeObjectListing(resp.Body)
	for _, r := range recs {
		names = append(names, r.Name)
	}
	return names, err
}

// ensureQueue makes sure the queue container for a delete-at day exists,
// created through a container PUT that names the queue account's replicas
// so that the container appears in the account's listing, where the
// expirer looks for it. (A container auto-created by an object server's
// queue update would not report to the account.) Each proxy creates each
// day's container once.
func (s *Server) ensureQueue(ctx context.Context, container, transID string) (placement, error) {
	p := s.place(s.containerRing, swift.ExpiringObjectsAccount, container, "")
	s.queueMu.Lock()
	known := s.queues[container]
	s.queueMu.Unlock()
	if known {
		return p, nil
	}
	h := http.Header{}
	h.Set(swift.HeaderTimestamp, s.ts.next().Internal())
	rep, err := s.containerWrite(ctx, swift.ExpiringObjectsAccount, container, http.MethodPut, h, transID)
	if err == nil && rep.status >= 300 {
		err = swift.FromStatus(rep.status, string(rep.body))
	}
	if err != nil {
		s.log.Error("could not create expirer queue container", "container", container, "err", err, "trans_id", transID)
		return p, swift.ErrServiceUnavailable
	}
	s.queueMu.Lock()
	s.queues[container] = true
	s.queueMu.Unlock()
	return p, nil
}
