package listing

import (
	"bytes"
	"errors"
	"fmt"
	"hash/maphash"
	"sync"

	"github.com/cockroachdb/pebble/v2"
)

// lockStripes is how many mutexes guard read-modify-writes. Containers hash
// onto stripes, so the lock table never grows and never needs cleaning;
// two containers sharing a stripe only queue behind each other's memtable
// insert, which takes microseconds (the fsync happens outside the lock).
const lockStripes = 256

// formatKey holds the database's format version. It sorts before every
// keyspace byte and decodeKey rejects it, so scans never see it.
var formatKey = []byte("\x00format")

const formatVersion = "1"

// DB is one device's container or account database.
type DB struct {
	db      *pebble.DB
	seed    maphash.Seed
	stripes [lockStripes]sync.Mutex
}

func openDB(dir string, o Options) (*DB, error) {
	cache := pebble.NewCache(o.CacheSize)
	defer cache.Unref() // the DB holds its own reference
	pdb, err := pebble.Open(dir, &pebble.Options{
		Cache:  cache,
		Logger: pebbleLogger{o.Logger},
	})
	if err != nil {
		return nil, fmt.Errorf("listing: opening %s: %w", dir, err)
	}
	d := &DB{db: pdb, seed: maphash.MakeSeed()}
	if err := d.checkFormat(); err != nil {
		_ = pdb.Close()
		return nil, fmt.Errorf("listing: opening %s: %w", dir, err)
	}
	return d, nil
}

// checkFormat stamps a new database with formatVersion and refuses one
// written in a format this code does not know.
func (d *DB) checkFormat() error {
	v, ok, err := d.get(formatKey)
	switch {
	case err != nil:
		return err
	case !ok:
		return d.db.Set(formatKey, []byte(formatVersion), pebble.Sync)
	case string(v) != formatVersion:
		return fmt.Errorf("unsupported listing database format %q", v)
	}
	return nil
}

func (d *DB) close() error { return d.db.Close() }

// get returns a copy of the value at key, and whether it exists.
func (d *DB) get(key []byte) ([]byte, bool, error) {
	v, closer, err := d.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("listing: get: %w", err)
	}
	defer closer.Close()
	return bytes.Clone(v), true, nil
}

// update runs fn, which reads current state straight from the database and
// stages changes in b, under the stripe lock for lockKey, then commits b
// durably. Everything that reads and rewrites a container's rows and counts
// (an account's, for accounts.db) goes through update with the same
// lockKey, which is what keeps counts exact under concurrency.
//
// The lock is released as soon as the batch is applied and visible, before
// the WAL fsync: the next writer to the same container reads our result
// from the memtable and its own commit is ordered after ours in the WAL, so
// writers to one container share fsyncs (pebble's group commit) instead of
// queueing for one fsync each. update still returns only after the sync,
// so a caller's 201 means the change is on disk.
func (d *DB) update(lockKey []byte, fn func(b *pebble.Batch) error) error {
	mu := &d.stripes[maphash.Bytes(d.seed, lockKey)%lockStripes]
	mu.Lock()
	b := d.db.NewBatch()
	if err := fn(b); err != nil || b.Empty() {
		mu.Unlock()
		_ = b.Close()
		return err
	}
	err := d.db.ApplyNoSyncWait(b, pebble.Sync)
	mu.Unlock()
	if err != nil {
		// Not committed; pebble keeps the failed batch out of its pool.
		return fmt.Errorf("listing: commit: %w", err)
	}
	err = b.SyncWait()
	_ = b.Close()
	if err != nil {
		return fmt.Errorf("listing: sync: %w", err)
	}
	return nil
}

// set and del stage writes. pebble's Batch.Set and Delete can only fail on
// an indexed batch, and update hands out plain ones.
func set(b *pebble.Batch, key, value []byte) { _ = b.Set(key, value, nil) }
func del(b *pebble.Batch, key []byte)        { _ = b.Delete(key, nil) }
