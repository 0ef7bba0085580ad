package listing

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"

	"github.com/sciswift/sciswift/server/swift"
)

// ContainerInfo is a container's info row: what HEAD reports and what the
// account server is told.
type ContainerInfo struct {
	Account, Container string
	// CreatedAt is when this database first saw the container (Swift's
	// created_at, sent as X-Timestamp); PutTimestamp and DeleteTimestamp
	// are the newest PUT (or POST) and DELETE; StatusChangedAt is the last
	// time the container went from deleted to live or back.
	CreatedAt, PutTimestamp, DeleteTimestamp, StatusChangedAt swift.Timestamp
	ObjectCount, BytesUsed                                    int64
	Metadata                                                  Metadata
	// AccountTarget is where account updates go, from the latest container
	// PUT or DELETE that named one.
	AccountTarget AccountTarget
}

// Deleted is Swift's rule: a container is deleted when its newest DELETE is
// newer than its newest PUT and it holds no objects. An object row that
// arrives after the DELETE therefore brings the container back, rather than
// leaving an object no listing can show.
func (c ContainerInfo) Deleted() bool {
	return c.ObjectCount == 0 && c.DeleteTimestamp.After(c.PutTimestamp)
}

// Update is a PUT or POST of a container or account.
type Update struct {
	Timestamp swift.Timestamp
	// Metadata is the request's metadata headers, canonical name → value;
	// an empty value removes the item.
	Metadata map[string]string
	// Check, if set, validates the metadata the entity would have after the
	// update (set values only, existing and new together, as Swift's
	// validate_metadata counts them). An error aborts the update and is
	// returned as is, so it should wrap a swift sentinel.
	Check func(merged map[string]string) error
}

// containerKeys are the keys of one container's records.
type containerKeys struct {
	account, container string
	state, meta        []byte
}

func keysForContainer(account, container string) containerKeys {
	return containerKeys{
		account: account, container: container,
		state: makeKey(nsContainerState, account, container),
		meta:  makeKey(nsContainerMeta, account, container),
	}
}

// loadContainer reads a container's info; ok is false if it was never
// created (or has been reclaimed).
func (d *DB) loadContainer(k containerKeys) (info ContainerInfo, ok bool, err error) {
	v, ok, err := d.get(k.state)
	if err != nil || !ok {
		return ContainerInfo{}, false, err
	}
	st, err := decodeContainerState(v)
	if err != nil {
		return ContainerInfo{}, false, fmt.Errorf("listing: container %s/%s: %w", k.account, k.container, err)
	}
	info = ContainerInfo{
		Account: k.account, Container: k.container,
		CreatedAt: st.CreatedAt, PutTimestamp: st.PutTimestamp,
		DeleteTimestamp: st.DeleteTimestamp, StatusChangedAt: st.StatusChangedAt,
		ObjectCount: st.ObjectCount, BytesUsed: st.BytesUsed,
		Metadata: Metadata{},
	}
	mv, ok, err := d.get(k.meta)
	if err != nil || !ok {
		return info, true, err
	}
	info.Metadata, info.AccountTarget, err = decodeMeta(mv)
	if err != nil {
		return ContainerInfo{}, false, fmt.Errorf("listing: container %s/%s: %w", k.account, k.container, err)
	}
	return info, true, nil
}

func (info ContainerInfo) state() containerState {
	return containerState{
		CreatedAt: info.CreatedAt, PutTimestamp: info.PutTimestamp,
		DeleteTimestamp: info.DeleteTimestamp, StatusChangedAt: info.StatusChangedAt,
		ObjectCount: info.ObjectCount, BytesUsed: info.BytesUsed,
	}
}

// stageContainer writes the whole info, metadata included: for container
// PUT, POST and DELETE, which are rare next to object row updates.
func stageContainer(b *pebble.Batch, k containerKeys, info ContainerInfo) error {
	meta, err := encodeMeta(info.Metadata, info.AccountTarget)
	if err != nil {
		return fmt.Errorf("listing: container %s/%s: %w", k.account, k.container, err)
	}
	set(b, k.state, encodeContainerState(info.state()))
	set(b, k.meta, meta)
	return nil
}

// Container returns a container's info, deleted or not; it is
// swift.ErrNotFound only when the database has no record of it.
func (d *DB) Container(account, container string) (ContainerInfo, error) {
	k := keysForContainer(account, container)
	info, ok, err := d.loadContainer(k)
	if err == nil && !ok {
		err = fmt.Errorf("listing: container %s/%s: %w", account, container, swift.ErrNotFound)
	}
	return info, err
}

// PutContainer creates a container or updates an existing one, as Swift's
// container PUT does: created is true when the container did not exist or
// was deleted (Swift answers 201 then, 202 otherwise). A PUT older than the
// container's DELETE is swift.ErrConflict and changes nothing. A non-zero
// target replaces the recorded account-update target.
func (d *DB) PutContainer(account, container string, u Update, target AccountTarget) (info ContainerInfo, created bool, err error) {
	k := keysForContainer(account, container)
	err = d.update(k.state, func(b *pebble.Batch) error {
		cur, exists, err := d.loadContainer(k)
		if err != nil {
			return err
		}
		info, created, err = putContainer(cur, exists, k, u)
		if err != nil {
			return err
		}
		if !target.IsZero() {
			info.AccountTarget = target
		}
		return stageContainer(b, k, info)
	})
	return info, created, err
}

// putContainer is Swift's _update_or_create plus the metadata merge.
func putContainer(info ContainerInfo, exists bool, k containerKeys, u Update) (ContainerInfo, bool, error) {
	ts := u.Timestamp
	if !exists {
		info = ContainerInfo{
			Account: k.account, Container: k.container,
			CreatedAt: ts, PutTimestamp: ts, StatusChangedAt: ts, Metadata: Metadata{},
		}
		return info, true, mergeMetadata(info.Metadata, u)
	}
	recreated := info.Deleted()
	if ts.After(info.PutTimestamp) {
		info.PutTimestamp = ts
	}
	if info.Deleted() {
		return info, false, fmt.Errorf("listing: PUT %s/%s at %s is older than its DELETE at %s: %w",
			k.account, k.container, ts, info.DeleteTimestamp, swift.ErrConflict)
	}
	if recreated {
		info.StatusChangedAt = ts
	}
	return info, recreated, mergeMetadata(info.Metadata, u)
}

// mergeMetadata merges u's metadata into m (in place) and validates the
// result.
func mergeMetadata(m Metadata, u Update) error {
	m.Merge(stamp(u.Metadata, u.Timestamp))
	if u.Check == nil {
		return nil
	}
	return u.Check(m.Values())
}

// PostContainer merges metadata into a live container and, as Swift does,
// moves its put timestamp forward. A missing or deleted container is
// swift.ErrNotFound.
func (d *DB) PostContainer(account, container string, u Update) (info ContainerInfo, err error) {
	k := keysForContainer(account, container)
	err = d.update(k.state, func(b *pebble.Batch) error {
		cur, exists, err := d.loadContainer(k)
		if err != nil {
			return err
		}
		if !exists || cur.Deleted() {
			return fmt.Errorf("listing: POST %s/%s: %w", account, container, swift.ErrNotFound)
		}
		if u.Timestamp.After(cur.PutTimestamp) {
			cur.PutTimestamp = u.Timestamp
		}
		if err := mergeMetadata(cur.Metadata, u); err != nil {
			return err
		}
		info = cur
		return stageContainer(b, k, info)
	})
	return info, err
}

// DeleteContainer marks an empty container deleted at ts and clears its
// metadata, as Swift's delete_db does. existed reports whether it was live
// before (Swift answers 204 then, 404 otherwise; both send an account
// update). A missing container is swift.ErrNotFound; one holding objects, or
// a DELETE older than its PUT, is swift.ErrConflict and changes nothing. A
// non-zero target replaces the recorded account-update target.
func (d *DB) DeleteContainer(account, container string, ts swift.Timestamp, target AccountTarget) (info ContainerInfo, existed bool, err error) {
	k := keysForContainer(account, container)
	err = d.update(k.state, func(b *pebble.Batch) error {
		cur, exists, err := d.loadContainer(k)
		if err != nil {
			return err
		}
		info, existed, err = deleteContainer(cur, exists, k, ts)
		if err != nil {
			return err
		}
		if !target.IsZero() {
			info.AccountTarget = target
		}
		return stageContainer(b, k, info)
	})
	return info, existed, err
}

func deleteContainer(info ContainerInfo, exists bool, k containerKeys, ts swift.Timestamp) (ContainerInfo, bool, error) {
	switch {
	case !exists:
		return info, false, fmt.Errorf("listing: DELETE %s/%s: %w", k.account, k.container, swift.ErrNotFound)
	case info.ObjectCount > 0:
		return info, false, fmt.Errorf("listing: DELETE %s/%s: %d objects remain: %w",
			k.account, k.container, info.ObjectCount, swift.ErrConflict)
	}
	existed := !info.PutTimestamp.IsZero() && !info.Deleted()
	if ts.After(info.DeleteTimestamp) {
		info.Metadata.clearAt(ts)
		info.DeleteTimestamp, info.StatusChangedAt = ts, ts
	}
	if !info.Deleted() {
		return info, false, fmt.Errorf("listing: DELETE %s/%s at %s is older than its PUT at %s: %w",
			k.account, k.container, ts, info.PutTimestamp, swift.ErrConflict)
	}
	return info, existed, nil
}
