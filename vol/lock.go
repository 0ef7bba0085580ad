package vol

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/sciswift/sciswift/formats/domain"
)

// The write lock is an object, NAME/.lock, created with If-None-Match: *
// so that exactly one writer wins, and given a lease with X-Delete-After:
// the store deletes it by itself when its holder dies without releasing
// it. A live holder renews the lease with a POST well before it lapses.
const (
	defaultLeaseTTL   = 60 * time.Second
	defaultLeaseRenew = 20 * time.Second
)

// lockHolder is the lock object's body: who holds the file.
type lockHolder struct {
	Host  string `json:"host"`
	PID   int    `json:"pid"`
	Since string `json:"since"` // RFC 3339, UTC
	ID    string `json:"id"`    // random; tells our lock from another's
}

// lease is a held write lock.
type lease struct {
	sess      *session
	container string
	key       string
	id        string
	ttl       time.Duration

	stop chan struct{}
	done chan struct{}

	mu   sync.Mutex
	lost error // set when another writer took the lock from us
}

func newHolder() (lockHolder, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return lockHolder{}, err
	}
	host, _ := os.Hostname()
	return lockHolder{Host: host, PID: os.Getpid(), Since: time.Now().UTC().Format(time.RFC3339), ID: hex.EncodeToString(b[:])}, nil
}

// acquireLock takes the write lock of the file path in container.
func acquireLock(ctx context.Context, sess *session, container, path string, ttl, renew time.Duration) (*lease, error) {
	holder, err := newHolder()
	if err != nil {
		return nil, err
	}
	l := &lease{sess: sess, container: container, key: domain.LockKey(path), id: holder.ID, ttl: ttl,
		stop: make(chan struct{}), done: make(chan struct{})}
	body, _ := json.Marshal(holder)
	if err := l.put(ctx, body); err != nil {
		if statusOf(err) == http.StatusPreconditionFailed {
			return nil, fmt.Errorf("%s/%s is locked by %s: %w", container, path, l.describeHolder(ctx), ErrLocked)
		}
		return nil, fmt.Errorf("taking the write lock: %w", err)
	}
	go l.renewLoop(body, renew)
	return l, nil
}

func (l *lease) put(ctx context.Context, body []byte) error {
	h := http.Header{
		"If-None-Match":               {"*"},
		"X-Delete-After":              {leaseSeconds(l.ttl)},
		"Content-Type":                {"application/json"},
		"X-Object-Meta-Sciswift-Lock": {"1"},
	}
	_, err := l.sess.call(ctx, request{method: http.MethodPut, container: l.container, object: l.key,
		header: h, body: body, hasBody: true, noRetry: true})
	return err
}

func leaseSeconds(d time.Duration) string {
	return strconv.FormatInt(max(int64(d/time.Second), 1), 10)
}

// describeHolder reads who holds the lock, for the error message.
func (l *lease) describeHolder(ctx context.Context) string {
	data, hdr, err := l.sess.get(ctx, l.container, l.key, nil)
	if err != nil {
		return "another writer"
	}
	var h lockHolder
	if json.Unmarshal(data, &h) != nil || h.Host == "" {
		return "another writer"
	}
	s := fmt.Sprintf("host %s pid %d since %s", h.Host, h.PID, h.Since)
	if at, err := strconv.ParseInt(hdr.Get("X-Delete-At"), 10, 64); err == nil {
		left := time.Until(time.Unix(at, 0)).Round(time.Second)
		s += fmt.Sprintf("; its lease lapses in %s unless that writer renews it", max(left, 0))
	}
	return s
}

// renewLoop extends the lease every renew until stopped. A lease that
// vanished (the holder stalled past it, or the file was deleted) is taken
// again if nobody else has; if somebody has, the lock is lost.
func (l *lease) renewLoop(body []byte, renew time.Duration) {
	defer close(l.done)
	t := time.NewTicker(renew)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), renew)
		_, err := l.sess.call(ctx, request{method: http.MethodPost, container: l.container, object: l.key,
			header: http.Header{"X-Delete-After": {leaseSeconds(l.ttl)}, "X-Object-Meta-Sciswift-Lock": {"1"}}})
		if errors.Is(err, ErrNotFound) {
			err = l.put(ctx, body)
			if statusOf(err) == http.StatusPreconditionFailed {
				l.mu.Lock()
				l.lost = fmt.Errorf("%s/%s: the write lock lapsed and %s took it: %w", l.container, l.key, l.describeHolder(ctx), ErrLocked)
				l.mu.Unlock()
				cancel()
				return
			}
		}
		// Other failures (store briefly down) are retried at the next
		// tick; the lease has two more ticks of slack.
		cancel()
	}
}

// lostErr reports whether another writer took the lock.
func (l *lease) lostErr() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost
}

// release stops renewing and deletes the lock if it is still ours.
func (l *lease) release(ctx context.Context) error {
	close(l.stop)
	<-l.done
	if l.lostErr() != nil {
		return nil
	}
	data, _, err := l.sess.get(ctx, l.container, l.key, nil)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("releasing the write lock: %w", err)
	}
	var h lockHolder
	if json.Unmarshal(data, &h) == nil && h.ID != l.id {
		return nil // somebody else's now
	}
	if err := l.sess.del(ctx, l.container, l.key); err != nil {
		return fmt.Errorf("releasing the write lock: %w", err)
	}
	return nil
}
