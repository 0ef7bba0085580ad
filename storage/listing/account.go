package listing

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"

	"github.com/sciswift/sciswift/server/swift"
)

// AccountInfo is an account's info row: what HEAD reports.
type AccountInfo struct {
	Account string
	// CreatedAt is when this database first saw the account (X-Timestamp);
	// PutTimestamp and DeleteTimestamp are the newest PUT and DELETE.
	CreatedAt, PutTimestamp, DeleteTimestamp, StatusChangedAt swift.Timestamp
	// StatusDeleted is Swift's status = 'DELETED': set by an account DELETE
	// and permanent (the reaper empties the account, Reclaim drops it);
	// PUTs are refused meanwhile.
	StatusDeleted bool
	// Totals over the live container rows.
	ContainerCount, ObjectCount, BytesUsed int64
	Metadata                               Metadata
}

// Deleted is Swift's AccountBroker rule: deleted by an account DELETE, or
// when the newest delete timestamp beats the newest put and no containers
// remain.
func (a AccountInfo) Deleted() bool {
	return a.StatusDeleted || (a.ContainerCount == 0 && a.DeleteTimestamp.After(a.PutTimestamp))
}

type accountKeys struct {
	account     string
	state, meta []byte
}

func keysForAccount(account string) accountKeys {
	return accountKeys{
		account: account,
		state:   makeKey(nsAccountState, account),
		meta:    makeKey(nsAccountMeta, account),
	}
}

func (info AccountInfo) state() accountState {
	return accountState{
		CreatedAt: info.CreatedAt, PutTimestamp: info.PutTimestamp,
		DeleteTimestamp: info.DeleteTimestamp, StatusChangedAt: info.StatusChangedAt,
		StatusDeleted:  info.StatusDeleted,
		ContainerCount: info.ContainerCount, ObjectCount: info.ObjectCount, BytesUsed: info.BytesUsed,
	}
}

func (d *DB) loadAccount(k accountKeys) (info AccountInfo, ok bool, err error) {
	v, ok, err := d.get(k.state)
	if err != nil || !ok {
		return AccountInfo{}, false, err
	}
	st, err := decodeAccountState(v)
	if err != nil {
		return AccountInfo{}, false, fmt.Errorf("listing: account %s: %w", k.account, err)
	}
	info = AccountInfo{
		Account: k.account, CreatedAt: st.CreatedAt, PutTimestamp: st.PutTimestamp,
		DeleteTimestamp: st.DeleteTimestamp, StatusChangedAt: st.StatusChangedAt,
		StatusDeleted:  st.StatusDeleted,
		ContainerCount: st.ContainerCount, ObjectCount: st.ObjectCount, BytesUsed: st.BytesUsed,
		Metadata: Metadata{},
	}
	mv, ok, err := d.get(k.meta)
	if err != nil || !ok {
		return info, true, err
	}
	if info.Metadata, _, err = decodeMeta(mv); err != nil {
		return AccountInfo{}, false, fmt.Errorf("listing: account %s: %w", k.account, err)
	}
	return info, true, nil
}

func stageAccount(b *pebble.Batch, k accountKeys, info AccountInfo) error {
	meta, err := encodeMeta(info.Metadata, AccountTarget{})
	if err != nil {
		return fmt.Errorf("listing: account %s: %w", k.account, err)
	}
	set(b, k.state, encodeAccountState(info.state()))
	set(b, k.meta, meta)
	return nil
}

// Account returns an account's info, deleted or not; it is
// swift.ErrNotFound only when the database has no record of it.
func (d *DB) Account(account string) (AccountInfo, error) {
	info, ok, err := d.loadAccount(keysForAccount(account))
	if err == nil && !ok {
		err = fmt.Errorf("listing: account %s: %w", account, swift.ErrNotFound)
	}
	return info, err
}

// PutAccount creates an account or updates an existing one, as Swift's
// account PUT does: created is true for a new (or deleted-by-timestamp)
// account. An account marked deleted by DELETE is swift.ErrForbidden
// (Swift's 403 "Recently deleted"); a PUT older than the account's DELETE
// is swift.ErrConflict.
func (d *DB) PutAccount(account string, u Update) (info AccountInfo, created bool, err error) {
	k := keysForAccount(account)
	err = d.update(k.state, func(b *pebble.Batch) error {
		cur, exists, err := d.loadAccount(k)
		if err != nil {
			return err
		}
		info, created, err = putAccount(cur, exists, account, u)
		if err != nil {
			return err
		}
		return stageAccount(b, k, info)
	})
	return info, created, err
}

func putAccount(info AccountInfo, exists bool, account string, u Update) (AccountInfo, bool, error) {
	ts := u.Timestamp
	switch {
	case !exists:
		info = AccountInfo{Account: account, CreatedAt: ts, PutTimestamp: ts, StatusChangedAt: ts, Metadata: Metadata{}}
		return info, true, mergeMetadata(info.Metadata, u)
	case info.StatusDeleted:
		return info, false, fmt.Errorf("listing: PUT account %s: recently deleted: %w", account, swift.ErrForbidden)
	}
	created := info.Deleted()
	if ts.After(info.PutTimestamp) {
		info.PutTimestamp = ts
	}
	if info.Deleted() {
		return info, false, fmt.Errorf("listing: PUT account %s at %s is older than its DELETE at %s: %w",
			account, ts, info.DeleteTimestamp, swift.ErrConflict)
	}
	return info, created, mergeMetadata(info.Metadata, u)
}

// PostAccount merges metadata into a live account; a missing or deleted
// account is swift.ErrNotFound.
func (d *DB) PostAccount(account string, u Update) (info AccountInfo, err error) {
	k := keysForAccount(account)
	err = d.update(k.state, func(b *pebble.Batch) error {
		cur, exists, err := d.loadAccount(k)
		if err != nil {
			return err
		}
		if !exists || cur.Deleted() {
			info = cur
			return fmt.Errorf("listing: POST account %s: %w", account, swift.ErrNotFound)
		}
		if err := mergeMetadata(cur.Metadata, u); err != nil {
			return err
		}
		info = cur
		return stageAccount(b, k, info)
	})
	return info, err
}

// DeleteAccount marks a live account deleted at ts and clears its metadata,
// as Swift's delete_db does. Its container rows stay (the reaper's job); a
// missing or already deleted account is swift.ErrNotFound, with info as
// found so callers can tell the two apart.
func (d *DB) DeleteAccount(account string, ts swift.Timestamp) (info AccountInfo, err error) {
	k := keysForAccount(account)
	err = d.update(k.state, func(b *pebble.Batch) error {
		cur, exists, err := d.loadAccount(k)
		info = cur
		if err != nil {
			return err
		}
		if !exists || cur.Deleted() {
			return fmt.Errorf("listing: DELETE account %s: %w", account, swift.ErrNotFound)
		}
		if ts.After(cur.DeleteTimestamp) {
			cur.Metadata.clearAt(ts)
			cur.DeleteTimestamp, cur.StatusChangedAt, cur.StatusDeleted = ts, ts, true
		}
		info = cur
		return stageAccount(b, k, info)
	})
	return info, err
}

// RowOptions say how PutContainerRow treats an account it cannot find.
type RowOptions struct {
	// AutoCreate creates a missing account at Timestamp (Swift does this
	// for accounts whose name starts with ".").
	AutoCreate bool
	Timestamp  swift.Timestamp
	// OverrideDeleted accepts rows for a deleted account
	// (X-Account-Override-Deleted: yes, used by the reaper).
	OverrideDeleted bool
}

// PutContainerRow merges a container server's report into the account's
// container rows, as Swift's AccountBroker.merge_items does: the newest put
// and newest delete timestamps are kept, counts are taken from the report,
// and the row is deleted (removed from listings and totals) when its delete
// timestamp is newer than its put timestamp and it holds no objects. The
// account's totals change by exactly the difference between the old row
// and the new. A missing account (unless auto-created) or a deleted one
// (unless overridden) is swift.ErrNotFound.
func (d *DB) PutContainerRow(account string, row ContainerRow, o RowOptions) error {
	k := keysForAccount(account)
	live := makeKey(nsContainerRow, account, row.Name)
	tomb := makeKey(nsContainerTomb, account, row.Name)
	return d.update(k.state, func(b *pebble.Batch) error {
		st, err := d.rowAccountState(k, o)
		if err != nil {
			return err
		}
		old, exists, err := d.loadContainerRow(row.Name, live, tomb)
		if err != nil {
			return err
		}
		row := mergeContainerRow(old, exists, row)
		oc, oo, ob := containerRowStats(old, exists)
		nc, no, nb := containerRowStats(row, true)
		st.ContainerCount += nc - oc
		st.ObjectCount += no - oo
		st.BytesUsed += nb - ob
		stageContainerRow(b, row, live, tomb)
		set(b, k.state, encodeAccountState(st))
		return nil
	})
}

// rowAccountState reads the account state a container row changes.
func (d *DB) rowAccountState(k accountKeys, o RowOptions) (accountState, error) {
	v, ok, err := d.get(k.state)
	switch {
	case err != nil:
		return accountState{}, err
	case !ok && o.AutoCreate:
		ts := o.Timestamp
		return accountState{CreatedAt: ts, PutTimestamp: ts, StatusChangedAt: ts}, nil
	case !ok:
		return accountState{}, fmt.Errorf("listing: account %s: %w", k.account, swift.ErrNotFound)
	}
	st, err := decodeAccountState(v)
	if err != nil {
		return st, fmt.Errorf("listing: account %s: %w", k.account, err)
	}
	deleted := AccountInfo{StatusDeleted: st.StatusDeleted, ContainerCount: st.ContainerCount,
		PutTimestamp: st.PutTimestamp, DeleteTimestamp: st.DeleteTimestamp}.Deleted()
	if deleted && !o.OverrideDeleted {
		return st, fmt.Errorf("listing: account %s is deleted: %w", k.account, swift.ErrNotFound)
	}
	return st, nil
}

func (d *DB) loadContainerRow(name string, live, tomb []byte) (ContainerRow, bool, error) {
	v, ok, err := d.get(live)
	if err == nil && !ok {
		v, ok, err = d.get(tomb)
	}
	if err != nil || !ok {
		return ContainerRow{}, false, err
	}
	r, err := decodeContainerRow(name, v)
	return r, err == nil, err
}

// mergeContainerRow keeps the newer of each timestamp and the report's
// counts: a container's counts have no timestamp of their own, and its
// server sends reports for one container in order.
func mergeContainerRow(old ContainerRow, exists bool, report ContainerRow) ContainerRow {
	if !exists {
		return report
	}
	if old.PutTimestamp.After(report.PutTimestamp) {
		report.PutTimestamp = old.PutTimestamp
	}
	if old.DeleteTimestamp.After(report.DeleteTimestamp) {
		report.DeleteTimestamp = old.DeleteTimestamp
	}
	return report
}

// containerRowStats is what a row contributes to its account's totals.
func containerRowStats(r ContainerRow, exists bool) (containers, objects, bytes int64) {
	if !exists || r.Deleted() {
		return 0, 0, 0
	}
	return 1, r.ObjectCount, r.BytesUsed
}

func stageContainerRow(b *pebble.Batch, row ContainerRow, live, tomb []byte) {
	if row.Deleted() {
		set(b, tomb, encodeContainerRow(row))
		del(b, live)
		return
	}
	set(b, live, encodeContainerRow(row))
	del(b, tomb)
}

// ContainerRow returns the stored row for a container, live or deleted; it
// is swift.ErrNotFound when there is neither.
func (d *DB) ContainerRow(account, container string) (ContainerRow, error) {
	live := makeKey(nsContainerRow, account, container)
	tomb := makeKey(nsContainerTomb, account, container)
	r, ok, err := d.loadContainerRow(container, live, tomb)
	if err == nil && !ok {
		err = fmt.Errorf("listing: container row %s/%s: %w", account, container, swift.ErrNotFound)
	}
	return r, err
}
