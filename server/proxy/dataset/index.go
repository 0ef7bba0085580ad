package dataset

import (
	"container/list"
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/server/swift"
)

// HDF5 is the seam to the HDF5 driver, which runs libhdf5 in a child
// process to index an uploaded file and then reads chunks by range.
type HDF5 interface {
	Sniff(head []byte) bool
	// Build indexes obj in a worker process; a crash, kill or timeout of
	// the worker wraps formats.ErrIndexer.
	Build(ctx context.Context, obj formats.Object) (HDF5Index, error)
	ParseIndex(data []byte) (HDF5Index, error)
	Open(obj formats.Object, idx HDF5Index) (formats.File, error)
}

// HDF5Index is a built index, kept in the store with its object.
type HDF5Index interface {
	Marshal() ([]byte, error)
}

// IndexKey names the object an index was built from.
type IndexKey struct{ Account, Container, Object string }

func indexKeyOf(p swift.Path) IndexKey {
	return IndexKey{Account: p.Account, Container: p.Container, Object: p.Object}
}

// Version is the version of an object an index was built from: an
// overwrite changes its timestamp, and usually its ETag.
type Version struct{ ETag, Timestamp string }

// IndexStore keeps indexes with their objects, out of the public API's
// reach.
type IndexStore interface {
	// Load returns the stored index of key and the version it was built
	// from; found is false when there is none.
	Load(ctx context.Context, key IndexKey) (data []byte, v Version, found bool, err error)
	Save(ctx context.Context, key IndexKey, v Version, data []byte) error
	Delete(ctx context.Context, key IndexKey) error
}

// indexCache finds the index of an object version: in memory (LRU), else
// in the IndexStore, else built by a worker. Concurrent first requests for
// one version share one build, and at most MaxWorkers builds run at once.
type indexCache struct {
	store   IndexStore // nil: memory only
	log     *slog.Logger
	workers chan struct{}

	mu      sync.Mutex
	size    int
	order   *list.List // of *cachedIndex, most recently used first
	entries map[IndexKey]*list.Element
	flights map[flightKey]*flight
}

type cachedIndex struct {
	key IndexKey
	v   Version
	idx HDF5Index
}

type flightKey struct {
	key IndexKey
	v   Version
}

// flight is one index being found; done closes when idx or err is set.
type flight struct {
	done chan struct{}
	idx  HDF5Index
	err  error
}

const (
	defaultIndexCacheSize = 64
	defaultMaxWorkers     = 2
)

func newIndexCache(size, workers int, store IndexStore, log *slog.Logger) *indexCache {
	if size <= 0 {
		size = defaultIndexCacheSize
	}
	if workers <= 0 {
		workers = defaultMaxWorkers
	}
	return &indexCache{
		store: store, log: log, workers: make(chan struct{}, workers),
		size: size, order: list.New(),
		entries: map[IndexKey]*list.Element{}, flights: map[flightKey]*flight{},
	}
}

// get returns the index of version v of key.
func (c *indexCache) get(ctx context.Context, key IndexKey, v Version, h HDF5, obj formats.Object) (HDF5Index, error) {
	for {
		if idx := c.lookup(key, v); idx != nil {
			return idx, nil
		}
		f, leader := c.join(flightKey{key, v})
		if leader {
			// The build goes on if this client leaves: others may be
			// waiting for it, and the worker's own timeout bounds it.
			f.idx, f.err = c.find(context.WithoutCancel(ctx), key, v, h, obj)
			c.land(flightKey{key, v}, f)
		}
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		// A leader whose reads were cut short by its own client leaving
		// says nothing about this request: try again.
		if f.err != nil && errors.Is(f.err, context.Canceled) && ctx.Err() == nil && !leader {
			continue
		}
		return f.idx, f.err
	}
}

func (c *indexCache) lookup(key IndexKey, v Version) HDF5Index {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return nil
	}
	ci := e.Value.(*cachedIndex)
	if ci.v != v {
		return nil
	}
	c.order.MoveToFront(e)
	return ci.idx
}

func (c *indexCache) join(k flightKey) (*flight, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.flights[k]; ok {
		return f, false
	}
	f := &flight{done: make(chan struct{})}
	c.flights[k] = f
	return f, true
}

func (c *indexCache) land(k flightKey, f *flight) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.flights, k)
	if f.err == nil {
		c.remember(k.key, k.v, f.idx)
	}
	close(f.done)
}

func (c *indexCache) remember(key IndexKey, v Version, idx HDF5Index) {
	if e, ok := c.entries[key]; ok {
		e.Value = &cachedIndex{key, v, idx}
		c.order.MoveToFront(e)
		return
	}
	c.entries[key] = c.order.PushFront(&cachedIndex{key, v, idx})
	for c.order.Len() > c.size {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.entries, oldest.Value.(*cachedIndex).key)
	}
}

// find loads the stored index of v, or builds and stores it.
func (c *indexCache) find(ctx context.Context, key IndexKey, v Version, h HDF5, obj formats.Object) (HDF5Index, error) {
	if idx := c.load(ctx, key, v, h); idx != nil {
		return idx, nil
	}
	select {
	case c.workers <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	idx, err := h.Build(ctx, obj)
	<-c.workers
	if err != nil {
		return nil, err
	}
	c.save(ctx, key, v, idx)
	return idx, nil
}

// load returns the stored index when it was built from v. A store that
// fails or holds garbage only costs a rebuild.
func (c *indexCache) load(ctx context.Context, key IndexKey, v Version, h HDF5) HDF5Index {
	if c.store == nil {
		return nil
	}
	data, stored, found, err := c.store.Load(ctx, key)
	if err != nil {
		c.log.Warn("dataset: could not load an HDF5 index; rebuilding it", "object", key.Object, "err", err)
	}
	if !found || err != nil || stored != v {
		return nil
	}
	idx, err := h.ParseIndex(data)
	if err != nil {
		c.log.Warn("dataset: stored HDF5 index unreadable; rebuilding it", "object", key.Object, "err", err)
		return nil
	}
	return idx
}

func (c *indexCache) save(ctx context.Context, key IndexKey, v Version, idx HDF5Index) {
	if c.store == nil {
		return
	}
	data, err := idx.Marshal()
	if err == nil {
		err = c.store.Save(ctx, key, v, data)
	}
	if err != nil {
		c.log.Warn("dataset: could not store an HDF5 index; it stays in memory", "object", key.Object, "err", err)
	}
}

// forget drops key's index from memory and, best effort, from the store.
func (c *indexCache) forget(ctx context.Context, key IndexKey) {
	c.mu.Lock()
	if e, ok := c.entries[key]; ok {
		c.order.Remove(e)
		delete(c.entries, key)
	}
	c.mu.Unlock()
	if c.store == nil {
		return
	}
	if err := c.store.Delete(ctx, key); err != nil {
		c.log.Info("dataset: could not delete the HDF5 index of a deleted object", "object", key.Object, "err", err)
	}
}
