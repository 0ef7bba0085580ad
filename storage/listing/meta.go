package listing

import (
	"encoding/json"
	"fmt"

	"github.com/sciswift/sciswift/server/swift"
)

// MetaValue is one metadata item and the timestamp of the request that set
// it. An empty Value records a removal: it is never returned, but its
// timestamp stops an older value (a late or replicated request) from
// coming back.
type MetaValue struct {
	Value     string
	Timestamp swift.Timestamp
}

// Metadata maps canonical header names (X-Container-Meta-Color,
// X-Container-Read, X-Account-Sysmeta-…) to their values.
type Metadata map[string]MetaValue

// stamp turns request metadata (header → value, "" to remove) into
// Metadata set at ts.
func stamp(values map[string]string, ts swift.Timestamp) Metadata {
	m := make(Metadata, len(values))
	for k, v := range values {
		m[k] = MetaValue{Value: v, Timestamp: ts}
	}
	return m
}

// Merge applies updates key by key, keeping whichever value is newer: last
// write wins per key, as Swift's update_metadata does, so replicas that see
// the same requests in any order agree. It reports whether m changed.
func (m Metadata) Merge(updates Metadata) bool {
	changed := false
	for k, u := range updates {
		cur, ok := m[k]
		if ok && !u.Timestamp.After(cur.Timestamp) {
			continue
		}
		m[k] = u
		changed = true
	}
	return changed
}

// Values returns the items that are set, as response headers.
func (m Metadata) Values() map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if v.Value != "" {
			out[k] = v.Value
		}
	}
	return out
}

// clearAt is what Swift's delete_db does to metadata: every item is removed
// at ts (unless a newer value exists), so a container or account re-created
// later starts without the old metadata.
func (m Metadata) clearAt(ts swift.Timestamp) {
	clear := make(Metadata, len(m))
	for k := range m {
		clear[k] = MetaValue{Timestamp: ts}
	}
	m.Merge(clear)
}

// AccountTarget is where a container server sends account updates: the
// X-Account-Host, X-Account-Device and X-Account-Partition headers of the
// container PUT (hosts and devices comma-separated, one per replica).
type AccountTarget struct {
	Host      string `json:"host"`
	Device    string `json:"device"`
	Partition string `json:"partition"`
}

// IsZero reports whether no target was recorded.
func (t AccountTarget) IsZero() bool { return t == AccountTarget{} }

// metaRecord is the JSON stored under a container's or account's meta key.
// Metadata changes only on PUT, POST and DELETE of the container or account,
// so the flexible encoding costs nothing on the row-update path.
type metaRecord struct {
	Meta   map[string][2]string `json:"meta,omitempty"` // name → [value, timestamp]
	Target AccountTarget        `json:"account_target,omitzero"`
}

func encodeMeta(m Metadata, target AccountTarget) ([]byte, error) {
	rec := metaRecord{Meta: make(map[string][2]string, len(m)), Target: target}
	for k, v := range m {
		rec.Meta[k] = [2]string{v.Value, v.Timestamp.Internal()}
	}
	return json.Marshal(rec)
}

func decodeMeta(b []byte) (Metadata, AccountTarget, error) {
	var rec metaRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, AccountTarget{}, fmt.Errorf("%w: metadata: %v", errBadValue, err)
	}
	m := make(Metadata, len(rec.Meta))
	for k, v := range rec.Meta {
		ts, err := swift.ParseTimestamp(v[1])
		if err != nil {
			return nil, AccountTarget{}, fmt.Errorf("%w: metadata %q timestamp %q", errBadValue, k, v[1])
		}
		m[k] = MetaValue{Value: v[0], Timestamp: ts}
	}
	return m, rec.Target, nil
}
