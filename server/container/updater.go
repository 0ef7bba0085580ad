package container

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sciswift/sciswift/server/swift"
	"github.com/sciswift/sciswift/storage/listing"
)

// accountUpdateTimeout bounds one report to one account server (Swift's
// conn_timeout + node_timeout are 0.5s + 3s; in-process and LAN peers
// answer far sooner, a dead one should not hold a container's queue long).
const accountUpdateTimeout = 5 * time.Second

// containerRef names a container on a device.
type containerRef struct{ device, account, container string }

// accountUpdater sends account updates, one goroutine per container with
// changes pending. A goroutine takes a snapshot of the container's info
// only after clearing its dirty flag, so every change is covered by a
// report that starts after it, reports for one container go out one at a
// time (in order), and a burst of row updates costs one or two reports,
// not one each.
//
// Failures are logged and dropped: the next change to the container sends
// its totals again, so the account converges then. (Swift also retries
// from its periodic container-updater, which sciswift does not have.)
type accountUpdater struct {
	store  *listing.Store
	client *http.Client
	logger *slog.Logger
	agent  string

	mu     sync.Mutex
	queues map[containerRef]*updateQueue
	closed bool
	wg     sync.WaitGroup
}

// updateQueue is the pending work of one container.
type updateQueue struct {
	dirty   bool
	transID string
	waiters []chan error
}

func newAccountUpdater(store *listing.Store, client *http.Client, logger *slog.Logger) *accountUpdater {
	return &accountUpdater{
		store: store, client: client, logger: logger,
		agent:  "container-server " + strconv.Itoa(os.Getpid()),
		queues: map[containerRef]*updateQueue{},
	}
}

// notify says the container changed. The returned channel receives the
// outcome of the first report that reflects the change: nil, or an error
// wrapping swift.ErrNotFound when every account server answered 404. When
// wait is false nobody listens and the channel is nil.
func (u *accountUpdater) notify(ref containerRef, transID string, wait bool) <-chan error {
	var ch chan error
	if wait {
		ch = make(chan error, 1)
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed {
		if ch != nil {
			ch <- nil
		}
		return ch
	}
	q := u.queues[ref]
	if q == nil {
		q = &updateQueue{}
		u.queues[ref] = q
		u.wg.Add(1)
		go u.run(ref, q)
	}
	q.dirty, q.transID = true, transID
	if ch != nil {
		q.waiters = append(q.waiters, ch)
	}
	return ch
}

// run reports for one container until no change is pending.
func (u *accountUpdater) run(ref containerRef, q *updateQueue) {
	defer u.wg.Done()
	for {
		u.mu.Lock()
		if !q.dirty {
			delete(u.queues, ref)
			u.mu.Unlock()
			return
		}
		q.dirty = false
		waiters, transID := q.waiters, q.transID
		q.waiters = nil
		u.mu.Unlock()

		err := u.report(ref, transID)
		for _, ch := range waiters {
			ch <- err
		}
	}
}

// close stops taking changes and waits for pending reports to finish.
func (u *accountUpdater) close() {
	u.mu.Lock()
	u.closed = true
	u.mu.Unlock()
	u.wg.Wait()
}

// report sends the container's current info to every account server of
// its recorded target.
func (u *accountUpdater) report(ref containerRef, transID string) error {
	db, err := u.store.Device(ref.device)
	if err != nil {
		u.logger.Error("account update: no database", "device", ref.device, "err", err)
		return nil
	}
	info, err := db.Container(ref.account, ref.container)
	if err != nil {
		u.logger.Error("account update: reading container", "account", ref.account, "container", ref.container, "err", err)
		return nil
	}
	t := info.AccountTarget
	if t.IsZero() {
		return nil
	}
	hosts, devices := strings.Split(t.Host, ","), strings.Split(t.Device, ",")
	if len(hosts) != len(devices) { // accountTarget refuses these at PUT
		u.logger.Error("account update: hosts and devices differ", "hosts", t.Host, "devices", t.Device)
		return nil
	}
	results := make([]int, len(hosts))
	var wg sync.WaitGroup
	for i := range hosts {
		wg.Go(func() {
			results[i] = u.send(info, strings.TrimSpace(hosts[i]), strings.TrimSpace(devices[i]), t.Partition, transID)
		})
	}
	wg.Wait()
	for _, status := range results {
		if status != http.StatusNotFound {
			return nil
		}
	}
	return fmt.Errorf("container: account %s not found on any account server: %w", ref.account, swift.ErrNotFound)
}

// send PUTs the container row to one account server and returns its
// status (0 when there was no answer), logging failures.
func (u *accountUpdater) send(info listing.ContainerInfo, host, device, partition, transID string) int {
	ctx, cancel := context.WithTimeout(context.Background(), accountUpdateTimeout)
	defer cancel()
	url := "http://" + host + swift.EscapePath(device, partition, info.Account, info.Container)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, nil)
	if err != nil {
		u.logger.Error("account update: bad target", "url", url, "err", err)
		return 0
	}
	h := req.Header
	h.Set(swift.HeaderPutTimestamp, info.PutTimestamp.Internal())
	h.Set(swift.HeaderDeleteTimestamp, info.DeleteTimestamp.Internal())
	h.Set(swift.HeaderObjectCount, strconv.FormatInt(info.ObjectCount, 10))
	h.Set(swift.HeaderBytesUsed, strconv.FormatInt(info.BytesUsed, 10))
	h.Set(swift.HeaderTimestamp, swift.Now().Internal())
	h.Set("X-Backend-Storage-Policy-Index", "0")
	h.Set("User-Agent", u.agent)
	if transID != "" {
		h.Set(swift.HeaderTransID, transID)
	}
	resp, err := u.client.Do(req)
	if err != nil {
		u.logger.Error("account update failed", "url", url, "err", err)
		return 0
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode != http.StatusNotFound {
		u.logger.Error("account update failed", "url", url, "status", resp.StatusCode)
	}
	return resp.StatusCode
}
