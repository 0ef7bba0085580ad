package ring

import (
	"crypto/md5"
	"encoding/hex"
	"io"
)

// PathHasher is Swift's hash_path with the per-cluster swift_hash_path_prefix/suffix.
//
// Prefix and Suffix are secrets shared by every node of a cluster; changing
// them moves every object, so they are set once at cluster creation.
type PathHasher struct{ Prefix, Suffix string }

// Hash returns md5(prefix + "/" + account [+ "/" + container [+ "/" + object]] + suffix),
// like swift.common.utils.hash_path. An empty container or object is left
// out, as in Swift.
//
// Swift refuses an object without a container; callers validate names before
// hashing, so here that case hashes "account//object", which can never
// collide with the account's own hash.
func (h PathHasher) Hash(account, container, object string) [16]byte {
	d := md5.New()
	io.WriteString(d, h.Prefix)
	io.WriteString(d, "/")
	io.WriteString(d, account)
	if container != "" || object != "" {
		io.WriteString(d, "/")
		io.WriteString(d, container)
	}
	if object != "" {
		io.WriteString(d, "/")
		io.WriteString(d, object)
	}
	io.WriteString(d, h.Suffix)
	var sum [16]byte
	d.Sum(sum[:0])
	return sum
}

// HashHex is the lowercase hex of Hash (used for on-disk directory names).
func (h PathHasher) HashHex(account, container, object string) string {
	sum := h.Hash(account, container, object)
	return hex.EncodeToString(sum[:])
}
