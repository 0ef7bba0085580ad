package listing

import (
	"bytes"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/sciswift/sciswift/server/swift"
)

// Reclaim forgets deletions older than age, as Swift's reclaim_age does
// (a week by default; it must exceed the longest time a replica can be
// away, or an old row could come back from it): object tombstones, deleted
// container rows, and containers and accounts that were deleted before the
// cutoff and hold nothing. It returns how many records it dropped. It is
// safe to run while the database serves requests: every drop is re-checked
// under the same lock the updates take.
func (d *DB) Reclaim(age time.Duration) (int, error) {
	return d.reclaimBefore(swift.FromTime(time.Now().Add(-age)))
}

func (d *DB) reclaimBefore(cutoff swift.Timestamp) (int, error) {
	steps := []struct {
		ns   byte
		lock func(comps []string) []byte
		old  func(key, value []byte) (bool, error)
		drop func(b *pebble.Batch, key []byte)
	}{
		{nsObjectTomb, containerLock, tombOlder(cutoff, objectTombTime), dropKey},
		{nsContainerTomb, accountLock, tombOlder(cutoff, containerTombTime), dropKey},
		{nsContainerState, containerLock, containerReclaimable(cutoff), dropContainer},
		{nsAccountState, accountLock, accountReclaimable(cutoff), dropAccount},
	}
	total := 0
	for _, s := range steps {
		n, err := d.reclaimKeyspace(s.ns, s.lock, s.old, s.drop)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// reclaimBatch caps how many records one reclaim commit drops.
const reclaimBatch = 1024

// reclaimer drops the reclaimable records of one keyspace. Keys sort by
// account and container, so the records under one lock arrive together and
// are dropped in one commit.
type reclaimer struct {
	d    *DB
	lock func(comps []string) []byte
	old  func(key, value []byte) (bool, error)
	drop func(b *pebble.Batch, key []byte)

	pendingLock []byte
	pending     [][]byte
	dropped     int
}

// reclaimKeyspace scans keyspace ns for records old says are reclaimable.
func (d *DB) reclaimKeyspace(ns byte, lock func([]string) []byte,
	old func(key, value []byte) (bool, error), drop func(*pebble.Batch, []byte)) (int, error) {
	r := &reclaimer{d: d, lock: lock, old: old, drop: drop}
	it, err := d.db.NewIter(&pebble.IterOptions{LowerBound: []byte{ns}, UpperBound: []byte{ns + 1}})
	if err != nil {
		return 0, fmt.Errorf("listing: reclaim: %w", err)
	}
	defer it.Close()
	for valid := it.First(); valid; valid = it.Next() {
		if err := r.consider(it); err != nil {
			return r.dropped, err
		}
	}
	if err := it.Error(); err != nil {
		return r.dropped, fmt.Errorf("listing: reclaim: %w", err)
	}
	return r.dropped, r.flush()
}

func (r *reclaimer) consider(it *pebble.Iterator) error {
	v, err := it.ValueAndErr()
	if err != nil {
		return fmt.Errorf("listing: reclaim: %w", err)
	}
	if ok, err := r.old(it.Key(), v); err != nil || !ok {
		return err
	}
	dk, err := decodeKey(it.Key())
	if err != nil {
		return fmt.Errorf("listing: reclaim: %w", err)
	}
	lock := r.lock(dk.comps)
	if !bytes.Equal(lock, r.pendingLock) || len(r.pending) >= reclaimBatch {
		if err := r.flush(); err != nil {
			return err
		}
		r.pendingLock = lock
	}
	r.pending = append(r.pending, bytes.Clone(it.Key()))
	return nil
}

// flush drops the pending records that are still reclaimable under their
// lock: an update may have revived one since the scan saw it.
func (r *reclaimer) flush() error {
	if len(r.pending) == 0 {
		return nil
	}
	n := 0
	err := r.d.update(r.pendingLock, func(b *pebble.Batch) error {
		for _, key := range r.pending {
			v, ok, err := r.d.get(key)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if still, err := r.old(key, v); err != nil || !still {
				if err != nil {
					return err
				}
				continue
			}
			r.drop(b, key)
			n++
		}
		return nil
	})
	r.pending = r.pending[:0]
	if err == nil {
		r.dropped += n
	}
	return err
}

// containerLock and accountLock are the lock keys update uses for the
// container or account a record belongs to: its state key.
func containerLock(comps []string) []byte { return makeKey(nsContainerState, comps[0], comps[1]) }
func accountLock(comps []string) []byte   { return makeKey(nsAccountState, comps[0]) }

func tombOlder(cutoff swift.Timestamp, when func([]byte) (swift.Timestamp, error)) func(key, value []byte) (bool, error) {
	return func(_, value []byte) (bool, error) {
		ts, err := when(value)
		if err != nil {
			return false, fmt.Errorf("listing: reclaim: %w", err)
		}
		return ts.Before(cutoff), nil
	}
}

func objectTombTime(v []byte) (swift.Timestamp, error) {
	r, err := decodeObjectRow("", v, true)
	return r.Timestamp, err
}

func containerTombTime(v []byte) (swift.Timestamp, error) {
	r, err := decodeContainerRow("", v)
	return r.DeleteTimestamp, err
}

// containerReclaimable is Swift's is_reclaimable: no objects, and deleted
// (delete newer than put) before the cutoff.
func containerReclaimable(cutoff swift.Timestamp) func(key, value []byte) (bool, error) {
	return func(_, value []byte) (bool, error) {
		st, err := decodeContainerState(value)
		if err != nil {
			return false, fmt.Errorf("listing: reclaim: %w", err)
		}
		return st.ObjectCount == 0 && st.DeleteTimestamp.After(st.PutTimestamp) &&
			st.DeleteTimestamp.Before(cutoff), nil
	}
}

func accountReclaimable(cutoff swift.Timestamp) func(key, value []byte) (bool, error) {
	return func(_, value []byte) (bool, error) {
		st, err := decodeAccountState(value)
		if err != nil {
			return false, fmt.Errorf("listing: reclaim: %w", err)
		}
		return st.ContainerCount == 0 && st.DeleteTimestamp.After(st.PutTimestamp) &&
			st.DeleteTimestamp.Before(cutoff), nil
	}
}

func dropKey(b *pebble.Batch, key []byte) { del(b, key) }

// dropContainer removes a container's records: state, metadata and any
// tombstones left under it, as Swift removes the whole database file.
func dropContainer(b *pebble.Batch, stateKey []byte) {
	rest := stateKey[1:]
	del(b, stateKey)
	del(b, append([]byte{nsContainerMeta}, rest...))
	for _, ns := range []byte{nsObject, nsObjectTomb} {
		prefix := append([]byte{ns}, rest...)
		_ = b.DeleteRange(prefix, keyEnd(prefix), nil)
	}
}

// dropAccount removes an account's records, deleted container rows included.
func dropAccount(b *pebble.Batch, stateKey []byte) {
	rest := stateKey[1:]
	del(b, stateKey)
	del(b, append([]byte{nsAccountMeta}, rest...))
	for _, ns := range []byte{nsContainerRow, nsContainerTomb} {
		prefix := append([]byte{ns}, rest...)
		_ = b.DeleteRange(prefix, keyEnd(prefix), nil)
	}
}
