package container

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/sciswift/sciswift/server/swift"
	"github.com/sciswift/sciswift/storage/listing"
)

// requestTimestamp is Swift's valid_timestamp: every write names its
// X-Timestamp.
func requestTimestamp(r *http.Request) (swift.Timestamp, error) {
	v := r.Header.Get(swift.HeaderTimestamp)
	if v == "" {
		return swift.Timestamp{}, swift.Errorf(swift.ErrBadRequest, "Missing X-Timestamp header")
	}
	ts, err := swift.ParseTimestamp(v)
	if err != nil {
		return swift.Timestamp{}, swift.Errorf(swift.ErrBadRequest, "Invalid X-Timestamp header")
	}
	return ts, nil
}

// accountTarget reads where the account update goes. As in Swift, hosts
// and devices must pair up (400 otherwise), and without a partition there
// is no target.
func accountTarget(h http.Header) (listing.AccountTarget, error) {
	t := listing.AccountTarget{
		Host:      h.Get(swift.HeaderAccountHost),
		Device:    h.Get(swift.HeaderAccountDevice),
		Partition: h.Get(swift.HeaderAccountPartition),
	}
	if len(strings.Split(t.Host, ",")) != len(strings.Split(t.Device, ",")) {
		return listing.AccountTarget{}, swift.ErrBadRequest
	}
	if t.Partition == "" {
		return listing.AccountTarget{}, nil
	}
	return t, nil
}

// isSaveHeader reports the headers besides metadata that a container keeps
// and returns: Swift's save_headers.
func isSaveHeader(canonical string) bool {
	switch canonical {
	case "X-Container-Read", "X-Container-Write", "X-Container-Sync-Key", "X-Container-Sync-To":
		return true
	}
	return false
}

// containerMetadata is what a PUT or POST sets: user metadata, sysmeta and
// the save headers, with X-Remove-Container-Meta-* and X-Remove-<save
// header> as removals (the proxy normally turns those into empty values
// already).
func containerMetadata(h http.Header) map[string]string {
	m := swift.UserMetadata(h, swift.LevelContainer)
	sys := swift.LevelContainer.SysMetaPrefix()
	for name, vals := range h {
		canon := http.CanonicalHeaderKey(name)
		switch {
		case swift.HasPrefixFold(canon, sys), isSaveHeader(canon):
			m[canon] = strings.Join(vals, ",")
		case strings.HasPrefix(canon, "X-Remove-") && isSaveHeader("X-"+canon[len("X-Remove-"):]):
			if key := "X-" + canon[len("X-Remove-"):]; h.Get(key) == "" {
				m[key] = ""
			}
		}
	}
	return m
}

// setBackendHeaders sets the headers Swift's gen_resp_headers always
// sends, for missing and deleted containers too (with zero timestamps for
// one never created).
func setBackendHeaders(h http.Header, info listing.ContainerInfo) {
	h.Set(swift.HeaderBackendTimestamp, info.CreatedAt.Internal())
	h.Set("X-Backend-Put-Timestamp", info.PutTimestamp.Internal())
	h.Set("X-Backend-Delete-Timestamp", info.DeleteTimestamp.Internal())
	h.Set("X-Backend-Status-Changed-At", info.StatusChangedAt.Internal())
	h.Set("X-Backend-Storage-Policy-Index", "0")
}

// setLiveHeaders sets what HEAD and GET report of a live container: its
// counts, client-facing timestamps and metadata.
func setLiveHeaders(h http.Header, info listing.ContainerInfo) {
	h.Set("X-Container-Object-Count", strconv.FormatInt(info.ObjectCount, 10))
	h.Set("X-Container-Bytes-Used", strconv.FormatInt(info.BytesUsed, 10))
	h.Set(swift.HeaderTimestamp, info.CreatedAt.Normal())
	h.Set(swift.HeaderPutTimestamp, info.PutTimestamp.Normal())
	h.Set("X-Backend-Sharding-State", "unsharded")
	h.Set("Last-Modified", info.PutTimestamp.LastModified())
	for k, v := range info.Metadata.Values() {
		h.Set(k, v)
	}
}
