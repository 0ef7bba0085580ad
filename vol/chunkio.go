package vol

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/formats/filter"
)

// chunkIO is a file's chunk traffic: one cache of decoded chunks (clean,
// dirty and being uploaded alike) bounded by Settings.CacheBytes, the
// uploads behind it, and the bound on concurrent requests.
//
// Ownership: the cache, its entries and the reference counts of chunk
// buffers belong to the goroutine calling the file's methods (HDF5 calls
// one at a time). Upload and fetch goroutines only read the bytes they were
// handed and report back through finished/results; the caller reaps those
// reports. A buffer shared with an upload is never written: a writer copies
// it first.
type chunkIO struct {
	f     *File
	sem   chan struct{} // one token per request in flight
	limit int64

	entries map[string]*entry
	lru     *list.List // of *entry, most recently used first
	bytes   int64      // what the entries hold

	mu       sync.Mutex
	cond     *sync.Cond
	finished []*upload // done, not yet reaped
	running  int       // started, not yet reaped
	abort    atomic.Bool

	err error // first upload error since the last takeErr
}

// chunkBuf is a decoded fixed-size chunk with a reference count (owned by
// the caller goroutine, see chunkIO).
type chunkBuf struct {
	b    []byte
	refs int
	pool *sync.Pool
}

func (b *chunkBuf) release() {
	b.refs--
	if b.refs == 0 && b.pool != nil {
		b.pool.Put(b)
	}
}

// entry is one cached chunk.
type entry struct {
	key    string
	ds     *dsIO
	index  []uint64
	buf    *chunkBuf // fixed-size elements: the full chunk, decoded
	vals   [][]byte  // variable-length elements: one per element of the full chunk
	absent bool      // nothing stored: every element is the fill value
	dirty  bool
	// uploading counts this entry's uploads not yet reaped; an entry
	// stays cached while it has any, so reads see the newest bytes
	// rather than racing the PUT.
	uploading int
	last      *upload // newest upload, which the next one waits for
	size      int64
	elem      *list.Element
}

// upload is one chunk PUT.
type upload struct {
	e    *entry
	key  string
	buf  *chunkBuf // fixed-size: a reference held for the upload
	body []byte    // variable-length: the serialised chunk
	size int64
	prev *upload // the previous upload of the same key, sent first
	err  error
	done chan struct{}
}

// absentSize is what a known-missing chunk costs in the cache.
const absentSize = 64

// errSkipped marks uploads not sent because an earlier one failed.
var errSkipped = errors.New("upload skipped after an earlier failure")

func newChunkIO(f *File) *chunkIO {
	io := &chunkIO{f: f, sem: make(chan struct{}, f.settings.Parallel), limit: f.settings.CacheBytes,
		entries: map[string]*entry{}, lru: list.New()}
	io.cond = sync.NewCond(&io.mu)
	return io
}

func (io *chunkIO) insert(e *entry) {
	e.elem = io.lru.PushFront(e)
	io.entries[e.key] = e
	io.bytes += e.size
}

func (io *chunkIO) touch(e *entry) { io.lru.MoveToFront(e.elem) }

func (io *chunkIO) resize(e *entry, size int64) {
	io.bytes += size - e.size
	e.size = size
}

// remove drops an idle entry.
func (io *chunkIO) remove(e *entry) {
	io.lru.Remove(e.elem)
	delete(io.entries, e.key)
	io.bytes -= e.size
	if e.buf != nil {
		e.buf.release()
		e.buf = nil
	}
	e.vals = nil
}

// reap takes in the uploads that finished.
func (io *chunkIO) reap() {
	io.mu.Lock()
	done := io.finished
	io.finished = nil
	io.running -= len(done)
	io.mu.Unlock()
	for _, u := range done {
		e := u.e
		e.uploading--
		if e.last == u {
			e.last = nil
		}
		if u.buf != nil {
			u.buf.release()
		}
		if u.err != nil {
			// The store lacks these bytes: keep them for the next
			// Flush to try again.
			e.dirty = true
			if io.err == nil && !errors.Is(u.err, errSkipped) {
				io.err = u.err
			}
		}
	}
}

// waitOne blocks until an upload finishes, then reaps. It returns false
// when nothing is running.
func (io *chunkIO) waitOne() bool {
	io.mu.Lock()
	for len(io.finished) == 0 && io.running > 0 {
		io.cond.Wait()
	}
	any := len(io.finished) > 0
	io.mu.Unlock()
	io.reap()
	return any
}

// waitAll blocks until no upload is running.
func (io *chunkIO) waitAll() {
	for io.waitOne() {
	}
}

// sticky is the upload error Write reports, if any.
func (io *chunkIO) sticky() error {
	io.reap()
	return io.err
}

// takeErr returns the first error since the last call and clears it, so
// that the next Flush retries what is still dirty.
func (io *chunkIO) takeErr() error {
	io.reap()
	err := io.err
	io.err = nil
	io.abort.Store(false)
	return err
}

func (io *chunkIO) discardErr() { _ = io.takeErr() }

// makeRoom evicts least recently used entries while the cache is over its
// bound: clean ones are dropped, dirty ones uploaded (and dropped once
// done). With nothing left to evict it waits for uploads: the write-behind
// backpressure.
func (io *chunkIO) makeRoom() error {
	for io.bytes > io.limit {
		io.reap()
		// freeing is what uploads under way will make evictable.
		var freeing int64
		for el := io.lru.Back(); el != nil && io.bytes-freeing > io.limit; {
			e := el.Value.(*entry)
			prev := el.Prev()
			switch {
			case e.uploading > 0:
				freeing += e.size
			case e.dirty:
				if io.abort.Load() {
					return io.failure()
				}
				if err := io.startUpload(e); err != nil {
					return err
				}
				freeing += e.size
			default:
				io.remove(e)
			}
			el = prev
		}
		if io.bytes <= io.limit {
			break
		}
		if !io.waitOne() {
			break // nothing running: nothing more can be freed
		}
		if io.err != nil {
			return io.err
		}
	}
	return nil
}

// makeRoomForRead is makeRoom for reads: an upload failure is not the
// read's to report (it stays sticky for the next Write or Flush), so the
// cache may stay over its bound until then.
func (io *chunkIO) makeRoomForRead() { _ = io.makeRoom() }

// failure is the error to report when uploads are being skipped.
func (io *chunkIO) failure() error {
	io.waitAll()
	if io.err != nil {
		return io.err
	}
	return fmt.Errorf("%w: an earlier chunk upload failed", ErrStore)
}

// startUpload sends the entry's current bytes. Uploads of one key go out
// in order: each waits for the previous one.
func (io *chunkIO) startUpload(e *entry) error {
	u := &upload{e: e, key: e.key, prev: e.last, done: make(chan struct{})}
	switch {
	case e.ds.variable:
		vals := e.vals
		if e.absent {
			vals = make([][]byte, e.ds.grid.ChunkElems())
		}
		body, err := encodeVar(vals)
		if err != nil {
			return err
		}
		u.body, u.size = body, int64(len(body))
	case e.absent:
		// Written as fill: materialise it (only SetExtent does this).
		e.ds.materialize(io, e, false)
		fallthrough
	default:
		e.buf.refs++
		u.buf, u.size = e.buf, int64(len(e.buf.b))
	}
	e.dirty = false
	e.uploading++
	e.last = u
	io.mu.Lock()
	io.running++
	io.mu.Unlock()
	go io.send(u, e.ds.filters, e.ds.filterElem)
	return nil
}

// send runs in its own goroutine: encode, PUT, report.
func (io *chunkIO) send(u *upload, filters []domain.Filter, elem int) {
	defer close(u.done)
	if u.prev != nil {
		<-u.prev.done
	}
	io.sem <- struct{}{}
	if io.abort.Load() {
		u.err = errSkipped
	} else {
		u.err = io.put(u, filters, elem)
		if u.err != nil {
			io.abort.Store(true)
		}
	}
	<-io.sem
	io.mu.Lock()
	io.finished = append(io.finished, u)
	io.cond.Broadcast()
	io.mu.Unlock()
}

func (io *chunkIO) put(u *upload, filters []domain.Filter, elem int) error {
	body := u.body
	if u.buf != nil {
		body = u.buf.b
	}
	if len(filters) > 0 {
		enc, err := filter.Encode(filters, elem, body)
		if err != nil {
			return fmt.Errorf("encoding chunk %s: %w", u.key, err)
		}
		body = enc
	}
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	_, err := io.f.sess.put(ctx, io.f.container, u.key, body, http.Header{"Content-Type": {"application/octet-stream"}})
	return err
}

// hasWork reports whether a flush has chunks to send or wait for.
func (io *chunkIO) hasWork(only *Object) bool {
	io.reap()
	if io.err != nil || io.running > 0 {
		return true
	}
	for _, e := range io.entries {
		if e.dirty && (only == nil || e.ds.o == only) {
			return true
		}
	}
	return false
}

// flushChunks uploads every dirty entry (of ds, or all when nil) and waits
// for all uploads.
func (io *chunkIO) flushChunks(ds *dsIO) error {
	io.reap()
	for _, e := range io.entries {
		if e.dirty && (ds == nil || e.ds == ds) {
			if io.abort.Load() {
				break
			}
			if err := io.startUpload(e); err != nil {
				return err
			}
		}
	}
	io.waitAll()
	return nil
}

// dropDataset forgets every cached chunk of ds, after its uploads.
func (io *chunkIO) dropDataset(ds *dsIO) {
	io.waitAll()
	for _, e := range io.entries {
		if e.ds == ds {
			io.remove(e)
		}
	}
}

// shutdown waits for uploads and empties the cache.
func (io *chunkIO) shutdown() {
	io.waitAll()
	for _, e := range io.entries {
		io.remove(e)
	}
}

// fetched is one chunk a fetch goroutine got.
type fetched struct {
	i   int
	e   *entry
	err error
}

// fetch gets the chunks at indexes (none of them cached) with at most
// Parallel requests at a time, and hands each, as a new uncached entry, to
// each, which runs in the calling goroutine as results arrive. After an
// error nothing new is started and the first error is returned.
//
// direct, when not nil, may name for chunk i a caller buffer that is
// exactly the whole chunk: its bytes then go there straight from the
// socket, uncached, and each is not called for it.
func (io *chunkIO) fetch(ds *dsIO, indexes [][]uint64, direct func(i int) []byte, each func(i int, e *entry) error) error {
	if len(indexes) == 0 {
		return nil
	}
	window := 2 * cap(io.sem)
	results := make(chan fetched, window)
	launched, done := 0, 0
	var first error
	for done < launched || (launched < len(indexes) && first == nil) {
		for first == nil && launched < len(indexes) && launched-done < window {
			var into []byte
			if direct != nil {
				into = direct(launched)
			}
			go func(i int) {
				if into != nil {
					results <- fetched{i: i, err: ds.getInto(io, indexes[i], into)}
					return
				}
				e, err := ds.get(io, indexes[i])
				results <- fetched{i: i, e: e, err: err}
			}(launched)
			launched++
		}
		r := <-results
		done++
		if r.err != nil {
			if first == nil {
				first = r.err
			}
			continue
		}
		if first != nil || r.e == nil {
			ds.discard(r.e)
			continue
		}
		if err := each(r.i, r.e); err != nil {
			first = err
		}
	}
	return first
}
