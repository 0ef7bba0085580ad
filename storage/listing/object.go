package listing

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"

	"github.com/sciswift/sciswift/server/swift"
)

// PutObject records an object row reported by an object server: a PUT, or a
// DELETE when row.Deleted is set. The row replaces the stored one only if
// its timestamp is newer, so late and replayed reports are harmless, and a
// delete of an object the container never saw leaves a tombstone that
// stops an older PUT arriving later. The container's object count and bytes
// used change by exactly the difference between the old and new row.
//
// A container that does not exist is swift.ErrNotFound unless autoCreate is
// set (Swift auto-creates containers of accounts starting with "."; the
// expirer queue relies on it). A deleted container accepts rows: Swift's
// rule that a container with objects is not deleted then brings it back.
// changed reports whether the count, bytes or container existence changed,
// that is, whether the account server needs to hear about it.
func (d *DB) PutObject(account, container string, row ObjectRow, autoCreate bool) (changed bool, err error) {
	ck := keysForContainer(account, container)
	live := makeKey(nsObject, account, container, row.Name)
	tomb := makeKey(nsObjectTomb, account, container, row.Name)
	err = d.update(ck.state, func(b *pebble.Batch) error {
		st, created, err := d.rowContainerState(ck, row.Timestamp, autoCreate)
		if err != nil {
			return err
		}
		old, exists, err := d.loadObjectRow(row.Name, live, tomb)
		if err != nil {
			return err
		}
		if exists && !row.Timestamp.After(old.Timestamp) {
			if created {
				set(b, ck.state, encodeContainerState(st))
			}
			changed = created
			return nil
		}
		dCount, dBytes := rowStats(row)
		oCount, oBytes := rowStats(old)
		st.ObjectCount += dCount - oCount
		st.BytesUsed += dBytes - oBytes
		stageObjectRow(b, row, live, tomb)
		set(b, ck.state, encodeContainerState(st))
		changed = created || dCount != oCount || dBytes != oBytes
		return nil
	})
	return changed, err
}

// DeleteObject records an object DELETE: PutObject with a tombstone.
func (d *DB) DeleteObject(account, container, name string, ts swift.Timestamp, autoCreate bool) (bool, error) {
	return d.PutObject(account, container, ObjectRow{Name: name, Timestamp: ts, Deleted: true}, autoCreate)
}

// rowContainerState reads the container state an object row update
// changes, creating it (at ts, Swift's initialize) when allowed.
func (d *DB) rowContainerState(ck containerKeys, ts swift.Timestamp, autoCreate bool) (st containerState, created bool, err error) {
	v, ok, err := d.get(ck.state)
	switch {
	case err != nil:
		return st, false, err
	case ok:
		st, err = decodeContainerState(v)
		if err != nil {
			err = fmt.Errorf("listing: container %s/%s: %w", ck.account, ck.container, err)
		}
		return st, false, err
	case !autoCreate:
		return st, false, fmt.Errorf("listing: container %s/%s: %w", ck.account, ck.container, swift.ErrNotFound)
	}
	return containerState{CreatedAt: ts, PutTimestamp: ts, StatusChangedAt: ts}, true, nil
}

// rowStats is what a row contributes to its container's counts.
func rowStats(r ObjectRow) (count, bytes int64) {
	if r.Deleted || r.Timestamp.IsZero() {
		return 0, 0
	}
	return 1, r.Size
}

// loadObjectRow finds the stored row, live or tombstone.
func (d *DB) loadObjectRow(name string, live, tomb []byte) (ObjectRow, bool, error) {
	v, ok, err := d.get(live)
	deleted := false
	if err == nil && !ok {
		v, ok, err = d.get(tomb)
		deleted = true
	}
	if err != nil || !ok {
		return ObjectRow{}, false, err
	}
	r, err := decodeObjectRow(name, v, deleted)
	return r, err == nil, err
}

// stageObjectRow writes row to the keyspace it belongs in and removes it
// from the other, so that a name is live or tombstoned, never both.
func stageObjectRow(b *pebble.Batch, row ObjectRow, live, tomb []byte) {
	if row.Deleted {
		set(b, tomb, encodeObjectRow(row))
		del(b, live)
		return
	}
	set(b, live, encodeObjectRow(row))
	del(b, tomb)
}

// Object returns the stored row for name, live or tombstone; it is
// swift.ErrNotFound when there is neither.
func (d *DB) Object(account, container, name string) (ObjectRow, error) {
	live := makeKey(nsObject, account, container, name)
	tomb := makeKey(nsObjectTomb, account, container, name)
	r, ok, err := d.loadObjectRow(name, live, tomb)
	if err == nil && !ok {
		err = fmt.Errorf("listing: object row %s/%s/%s: %w", account, container, name, swift.ErrNotFound)
	}
	return r, err
}
