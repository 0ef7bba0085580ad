package account

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

// accountMetadata is what a PUT or POST sets: user metadata (with
// X-Remove-Account-Meta-* as removals) and sysmeta, Swift's
// is_sys_or_user_meta('account', key).
func accountMetadata(h http.Header) map[string]string {
	m := swift.UserMetadata(h, swift.LevelAccount)
	sys := swift.LevelAccount.SysMetaPrefix()
	for name, vals := range h {
		if swift.HasPrefixFold(name, sys) {
			m[http.CanonicalHeaderKey(name)] = strings.Join(vals, ",")
		}
	}
	return m
}

// setAccountHeaders sets the headers of Swift's get_response_headers.
func setAccountHeaders(h http.Header, info listing.AccountInfo) {
	h.Set("X-Account-Container-Count", strconv.FormatInt(info.ContainerCount, 10))
	h.Set("X-Account-Object-Count", strconv.FormatInt(info.ObjectCount, 10))
	h.Set("X-Account-Bytes-Used", strconv.FormatInt(info.BytesUsed, 10))
	h.Set(swift.HeaderTimestamp, info.CreatedAt.Normal())
	h.Set(swift.HeaderPutTimestamp, info.PutTimestamp.Normal())
	for k, v := range info.Metadata.Values() {
		h.Set(k, v)
	}
}
