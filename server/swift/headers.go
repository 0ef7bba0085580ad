package swift

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Header names shared by the proxy and the backend roles.
const (
	HeaderTimestamp        = "X-Timestamp"
	HeaderTransID          = "X-Trans-Id"
	HeaderRequestID        = "X-Openstack-Request-Id"
	HeaderBackendTimestamp = "X-Backend-Timestamp"
	HeaderPutTimestamp     = "X-Put-Timestamp"
	HeaderDeleteAt         = "X-Delete-At"
	HeaderDeleteAfter      = "X-Delete-After"
	HeaderIfDeleteAt       = "X-If-Delete-At"
	HeaderObjectManifest   = "X-Object-Manifest"
	HeaderStaticLarge      = "X-Static-Large-Object"
	HeaderDetectType       = "X-Detect-Content-Type"
	HeaderFreshMetadata    = "X-Fresh-Metadata"
	HeaderCopyFrom         = "X-Copy-From"
	HeaderCopyFromAccount  = "X-Copy-From-Account"
	HeaderDestination      = "Destination"
	HeaderDestAccount      = "Destination-Account"
	HeaderAuthToken        = "X-Auth-Token"
	HeaderStorageToken     = "X-Storage-Token"

	// Backend-only: where an object server sends its container update,
	// and where a container server sends its account update.
	HeaderContainerHost      = "X-Container-Host"
	HeaderContainerDevice    = "X-Container-Device"
	HeaderContainerPartition = "X-Container-Partition"
	HeaderAccountHost        = "X-Account-Host"
	HeaderAccountDevice      = "X-Account-Device"
	HeaderAccountPartition   = "X-Account-Partition"
	HeaderDeleteAtHost       = "X-Delete-At-Host"
	HeaderDeleteAtDevice     = "X-Delete-At-Device"
	HeaderDeleteAtPartition  = "X-Delete-At-Partition"
	HeaderDeleteAtContainer  = "X-Delete-At-Container"

	// Container-row updates sent from object servers to container servers.
	HeaderSize        = "X-Size"
	HeaderEtag        = "X-Etag"
	HeaderContentType = "X-Content-Type"

	// Account-row updates sent from container servers to account servers.
	HeaderObjectCount     = "X-Object-Count"
	HeaderBytesUsed       = "X-Bytes-Used"
	HeaderDeleteTimestamp = "X-Delete-Timestamp"
)

// ExpiringObjectsAccount is the hidden account that queues objects with
// X-Delete-At for the expirer, as in Swift.
const ExpiringObjectsAccount = ".expiring_objects"

// ExpiringObjectsDivisor groups queue entries into one container per day.
const ExpiringObjectsDivisor = 86400

// ObjectPassThroughHeaders are the headers an object keeps and returns
// besides its metadata: Swift's object server allowed_headers.
var objectPassThroughHeaders = []string{
	"Content-Disposition", "Content-Encoding", "Content-Language", "Cache-Control",
	"Expires", "X-Robots-Tag", HeaderDeleteAt, HeaderObjectManifest, HeaderStaticLarge,
}

// ObjectPassThroughHeaders returns a fresh copy of the pass-through list.
func ObjectPassThroughHeaders() []string {
	return append([]string(nil), objectPassThroughHeaders...)
}

// IsObjectPassThrough reports whether an object keeps header name as metadata.
func IsObjectPassThrough(name string) bool {
	name = http.CanonicalHeaderKey(name)
	for _, h := range objectPassThroughHeaders {
		if h == name {
			return true
		}
	}
	return false
}

// LevelName is "Account", "Container" or "Object", the word in metadata headers.
func (l Level) Name() string {
	switch l {
	case LevelAccount:
		return "Account"
	case LevelContainer:
		return "Container"
	default:
		return "Object"
	}
}

// UserMetaPrefix is "X-Object-Meta-" and the like.
func (l Level) UserMetaPrefix() string { return "X-" + l.Name() + "-Meta-" }

// SysMetaPrefix is "X-Object-Sysmeta-" and the like: metadata set by the
// cluster itself, never by clients.
func (l Level) SysMetaPrefix() string { return "X-" + l.Name() + "-Sysmeta-" }

// RemoveMetaPrefix is "X-Remove-Object-Meta-" and the like.
func (l Level) RemoveMetaPrefix() string { return "X-Remove-" + l.Name() + "-Meta-" }

// HasPrefixFold is strings.HasPrefix ignoring ASCII case, for header names.
func HasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// NewTransID makes a Swift-style transaction id: "tx" + 21 random hex
// digits + "-" + the hex epoch seconds.
func NewTransID() string {
	var b [11]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("tx%s-%010x", hex.EncodeToString(b[:])[:21], time.Now().Unix())
}
