package object

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sciswift/sciswift/server/swift"
	"github.com/sciswift/sciswift/storage/diskfile"
)

// target is one container server replica to update.
type target struct{ host, device, partition string }

// targets zips the comma-separated hosts and devices a proxy sends with
// their partition. A mismatch is a proxy bug: Swift logs it and updates
// nothing, and so do we.
func targets(hosts, devices, partition string) ([]target, bool) {
	if hosts == "" || partition == "" {
		return nil, true
	}
	hs, ds := strings.Split(hosts, ","), strings.Split(devices, ",")
	if len(hs) != len(ds) {
		return nil, false
	}
	out := make([]target, 0, len(hs))
	for i := range hs {
		h, d := strings.TrimSpace(hs[i]), strings.TrimSpace(ds[i])
		if h != "" && d != "" {
			out = append(out, target{host: h, device: d, partition: strings.TrimSpace(partition)})
		}
	}
	return out, true
}

func newUpdate(op, account, container, obj string, headers http.Header, t target) diskfile.AsyncUpdate {
	return diskfile.AsyncUpdate{Op: op, Account: account, Container: container, Object: obj,
		Headers: headers, Host: t.host, Device: t.device, Partition: t.partition}
}

// containerUpdates are the listing updates a PUT or DELETE sends to the
// container servers the proxy named in X-Container-Host/-Device/-Partition.
func containerUpdates(r *http.Request, q *request, op string, headers http.Header) []diskfile.AsyncUpdate {
	ts, ok := targets(r.Header.Get(swift.HeaderContainerHost), r.Header.Get(swift.HeaderContainerDevice), r.Header.Get(swift.HeaderContainerPartition))
	if !ok {
		return nil
	}
	ups := make([]diskfile.AsyncUpdate, 0, len(ts))
	for _, t := range ts {
		ups = append(ups, newUpdate(op, q.Account, q.Container, q.Object, headers.Clone(), t))
	}
	return ups
}

// updateHeaders starts every update's headers.
func updateHeaders(r *http.Request, ts swift.Timestamp) http.Header {
	h := http.Header{}
	h.Set(swift.HeaderTimestamp, ts.Internal())
	h.Set("User-Agent", fmt.Sprintf("%s %d", userAgent, os.Getpid()))
	if id := r.Header.Get(swift.HeaderTransID); id != "" {
		h.Set(swift.HeaderTransID, id)
	}
	return h
}

// containerPutHeaders describe the new version's listing row. Override
// headers (from the proxy, then from sysmeta, which wins) replace any of
// them: an SLO's listing shows its manifest's ETag and size, say.
func containerPutHeaders(r *http.Request, ts swift.Timestamp, size int64, etag string, meta diskfile.Metadata) http.Header {
	h := updateHeaders(r, ts)
	h.Set(swift.HeaderSize, strconv.FormatInt(size, 10))
	h.Set(swift.HeaderContentType, meta[diskfile.KeyContentType])
	h.Set(swift.HeaderEtag, etag)
	for _, prefix := range []string{backendOverridePrefix, sysmetaOverridePrefix} {
		for name, vals := range r.Header {
			if swift.HasPrefixFold(name, prefix) && len(vals) > 0 {
				h.Set("X-"+name[len(prefix):], vals[0])
			}
		}
	}
	return h
}

// deleteAtUpdates keep the expirer queue in step when a write changes an
// object's X-Delete-At: an entry for the new time, and the removal of the
// old one, in .expiring_objects as Swift's delete_at_update.
func (s *Server) deleteAtUpdates(r *http.Request, q *request, ts swift.Timestamp, oldAt, newAt int64) []diskfile.AsyncUpdate {
	if oldAt == newAt || configTrue(r.Header.Get(headerReplication)) {
		return nil
	}
	var ups []diskfile.AsyncUpdate
	if newAt > 0 {
		ups = append(ups, s.queueUpdates(r, q, ts, http.MethodPut, newAt)...)
	}
	if oldAt > 0 {
		ups = append(ups, s.queueUpdates(r, q, ts, http.MethodDelete, oldAt)...)
	}
	return ups
}

// queueUpdates makes the updates for one queue entry. The proxy names the
// queue container and its nodes for the new X-Delete-At only; the old
// entry's container is found by the same rule, and it is removed only
// when that is the container the proxy named (its nodes are then known).
// An entry left behind is harmless: the expirer's DELETE carries
// X-If-Delete-At, which no longer matches, and the expirer then drops it.
func (s *Server) queueUpdates(r *http.Request, q *request, ts swift.Timestamp, op string, at int64) []diskfile.AsyncUpdate {
	if op == http.MethodDelete && !configTrueDefault(r.Header.Get(headerCleanExpiringQueue), true) {
		return nil
	}
	container := queueContainer(r.Header, at)
	if op == http.MethodDelete && container != r.Header.Get(swift.HeaderDeleteAtContainer) {
		return nil
	}
	tgts, ok := targets(r.Header.Get(swift.HeaderDeleteAtHost), r.Header.Get(swift.HeaderDeleteAtDevice), r.Header.Get(swift.HeaderDeleteAtPartition))
	if !ok {
		s.log.Error("mismatched X-Delete-At-Host and X-Delete-At-Device", "path", q.name())
		return nil
	}
	h := updateHeaders(r, ts)
	if op == http.MethodPut {
		h.Set(swift.HeaderSize, "0")
		h.Set(swift.HeaderContentType, "text/plain")
		h.Set(swift.HeaderEtag, emptyETag)
	}
	entry := fmt.Sprintf("%010d-%s/%s/%s", at, q.Account, q.Container, q.Object)
	ups := make([]diskfile.AsyncUpdate, 0, len(tgts))
	for _, t := range tgts {
		ups = append(ups, newUpdate(op, swift.ExpiringObjectsAccount, container, entry, h.Clone(), t))
	}
	return ups
}

// queueContainer is the expirer queue container for at. For the time the
// proxy named (X-Delete-At with X-Delete-At-Container) it is the proxy's
// choice. For another time it is the day of at, shifted back by as much as
// the proxy's choice is from the day of the named time: Swift subtracts a
// per-object shard from the day, which is the same for both times, so
// this finds the container whatever rule the proxy follows.
func queueContainer(h http.Header, at int64) string {
	day := func(t int64) int64 { return t / swift.ExpiringObjectsDivisor * swift.ExpiringObjectsDivisor }
	named, err := strconv.ParseInt(h.Get(swift.HeaderDeleteAtContainer), 10, 64)
	newAt := deleteAt(h.Get(swift.HeaderDeleteAt))
	if err != nil || newAt == 0 {
		return fmt.Sprintf("%010d", day(at))
	}
	if shift := day(newAt) - named; shift >= 0 && shift < swift.ExpiringObjectsDivisor {
		return fmt.Sprintf("%010d", day(at)-shift)
	}
	return fmt.Sprintf("%010d", day(at))
}

func configTrueDefault(v string, def bool) bool {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return configTrue(v)
}

// dispatch sends updates concurrently once a write is durable. It waits up
// to ContainerUpdateTimeout; updates still running carry on in the
// background, and any that fails is saved as an async pending on dev.
func (s *Server) dispatch(dev *diskfile.Device, ups []diskfile.AsyncUpdate) {
	if len(ups) == 0 {
		return
	}
	s.lifeMu.Lock()
	if s.closed {
		s.lifeMu.Unlock()
		for _, u := range ups {
			s.save(dev, u)
		}
		return
	}
	s.updates.Add(len(ups))
	s.lifeMu.Unlock()
	var wg sync.WaitGroup
	for _, u := range ups {
		wg.Add(1)
		go func() {
			defer s.updates.Done()
			defer wg.Done()
			s.deliver(dev, u)
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	t := time.NewTimer(s.cfg.ContainerUpdateTimeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

func (s *Server) deliver(dev *diskfile.Device, u diskfile.AsyncUpdate) {
	err := s.send(context.Background(), u)
	if err == nil {
		return
	}
	s.log.Warn("container update failed, saving for the updater", "op", u.Op, "host", u.Host, "device", u.Device,
		"path", "/"+u.Account+"/"+u.Container+"/"+u.Object, "err", err)
	s.save(dev, u)
}

func (s *Server) save(dev *diskfile.Device, u diskfile.AsyncUpdate) {
	if err := dev.SaveAsyncPending(u); err != nil {
		s.log.Error("saving async pending: the update is lost", "device", dev.Root(),
			"path", "/"+u.Account+"/"+u.Container+"/"+u.Object, "err", err)
	}
}

// send makes one update request; anything but a 2xx is a failure.
func (s *Server) send(ctx context.Context, u diskfile.AsyncUpdate) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.NodeTimeout)
	defer cancel()
	url := "http://" + u.Host + swift.EscapePath(u.Device, u.Partition, u.Account, u.Container, u.Object)
	req, err := http.NewRequestWithContext(ctx, u.Op, url, nil)
	if err != nil {
		return err
	}
	req.Header = u.Headers.Clone()
	resp, err := s.cfg.HTTP.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxUpdateResponseBodySize))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: status %d", u.Op, url, resp.StatusCode)
	}
	return nil
}

// RunUpdater retries the async pendings of every device under Root, at
// once and then every UpdaterInterval, until ctx is done: Swift's
// object-updater.
func (s *Server) RunUpdater(ctx context.Context) {
	t := time.NewTicker(s.cfg.UpdaterInterval)
	defer t.Stop()
	for {
		s.sweep(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sweep makes one pass over every device's async pendings.
func (s *Server) sweep(ctx context.Context) {
	names, err := s.cfg.FS.ReadDir(s.cfg.Root)
	if err != nil {
		s.log.Warn("updater: listing devices", "root", s.cfg.Root, "err", err)
		return
	}
	for _, name := range names {
		if ctx.Err() != nil {
			return
		}
		if swift.CheckDeviceName(name) != nil {
			continue
		}
		if _, err := s.cfg.FS.Stat(filepath.Join(s.cfg.Root, name, "async_pending")); err != nil {
			continue
		}
		dev, err := s.device(name)
		if err != nil {
			continue
		}
		s.sweepDevice(ctx, dev)
	}
}

func (s *Server) sweepDevice(ctx context.Context, dev *diskfile.Device) {
	err := dev.WalkAsyncPending(func(p diskfile.PendingUpdate) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.send(ctx, p.Update); err != nil {
			s.log.Debug("updater: update still failing", "id", p.ID, "host", p.Update.Host, "err", err)
			return nil
		}
		return dev.RemoveAsyncPending(p.ID)
	})
	if err != nil && ctx.Err() == nil {
		s.log.Warn("updater: walking async pendings", "device", dev.Root(), "err", err)
	}
}
