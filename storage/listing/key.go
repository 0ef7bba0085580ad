package listing

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// Key layout. The first byte names a keyspace; the rest is a tuple of
// escaped string components:
//
//	containers.db                          accounts.db
//	'C' acct cont       container state    'A' acct        account state
//	'M' acct cont       container meta     'N' acct        account meta
//	'O' acct cont obj   live object row    'R' acct cont   live container row
//	'T' acct cont obj   object tombstone   'D' acct cont   deleted container row
//
// A component is its bytes with NUL escaped as 0x00 0xFF, followed by the
// terminator 0x00 0x01 (the encoding CockroachDB uses for strings in keys).
// Comparing encoded tuples bytewise gives the same order as comparing the
// tuples component by component, and bytewise UTF-8 order is code point
// order, which is the order Swift's SQLite BINARY collation lists names in.
// Because the terminator sorts below every byte a name can continue with,
// no name's key is a prefix of another's: "a" and "a\x00b" or account "ab"
// and account "a" + container "b" can never collide or interleave.
const (
	nsContainerState byte = 'C'
	nsContainerMeta  byte = 'M'
	nsObject         byte = 'O'
	nsObjectTomb     byte = 'T'
	nsAccountState   byte = 'A'
	nsAccountMeta    byte = 'N'
	nsContainerRow   byte = 'R'
	nsContainerTomb  byte = 'D'
)

const (
	escByte  = 0x00
	escNUL   = 0xFF // 0x00 0xFF is a NUL inside a component
	escTerm  = 0x01 // 0x00 0x01 ends a component
	maxComps = 3
)

// errBadKey is returned by decodeKey for bytes no encoder produced.
var errBadKey = errors.New("listing: malformed key")

// componentCount is how many components follow each keyspace byte.
func componentCount(ns byte) int {
	switch ns {
	case nsAccountState, nsAccountMeta:
		return 1
	case nsContainerState, nsContainerMeta, nsContainerRow, nsContainerTomb:
		return 2
	case nsObject, nsObjectTomb:
		return 3
	}
	return 0
}

// appendEscaped appends s with NULs escaped and no terminator: the form
// used for bounds (prefixes, markers) inside a component.
func appendEscaped(dst []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, escByte)
		if i < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:i]...)
		dst = append(dst, escByte, escNUL)
		s = s[i+1:]
	}
}

// appendComponent appends one complete, terminated component.
func appendComponent(dst []byte, s string) []byte {
	return append(appendEscaped(dst, s), escByte, escTerm)
}

// makeKey builds a key in keyspace ns from its components.
func makeKey(ns byte, comps ...string) []byte {
	n := 1
	for _, c := range comps {
		n += len(c) + 2
	}
	k := make([]byte, 1, n)
	k[0] = ns
	for _, c := range comps {
		k = appendComponent(k, c)
	}
	return k
}

// decodeComponent reads one terminated component from b and returns it and
// the bytes after it.
func decodeComponent(b []byte) (string, []byte, error) {
	var out []byte
	for {
		i := bytes.IndexByte(b, escByte)
		if i < 0 || i+1 >= len(b) {
			return "", nil, fmt.Errorf("%w: unterminated component", errBadKey)
		}
		switch b[i+1] {
		case escTerm:
			if out == nil {
				return string(b[:i]), b[i+2:], nil
			}
			return string(append(out, b[:i]...)), b[i+2:], nil
		case escNUL:
			out = append(append(out, b[:i]...), escByte)
			b = b[i+2:]
		default:
			return "", nil, fmt.Errorf("%w: bad escape 0x00 0x%02x", errBadKey, b[i+1])
		}
	}
}

// decodedKey is a key taken apart: its keyspace and its components.
type decodedKey struct {
	ns    byte
	comps []string
}

// decodeKey is the inverse of makeKey. It rejects unknown keyspaces, the
// wrong number of components, bad escapes and trailing bytes, so a corrupt
// key is reported rather than misread.
func decodeKey(key []byte) (decodedKey, error) {
	if len(key) == 0 {
		return decodedKey{}, fmt.Errorf("%w: empty", errBadKey)
	}
	n := componentCount(key[0])
	if n == 0 {
		return decodedKey{}, fmt.Errorf("%w: unknown keyspace 0x%02x", errBadKey, key[0])
	}
	d := decodedKey{ns: key[0], comps: make([]string, 0, n)}
	rest := key[1:]
	for range n {
		c, r, err := decodeComponent(rest)
		if err != nil {
			return decodedKey{}, err
		}
		d.comps, rest = append(d.comps, c), r
	}
	if len(rest) != 0 {
		return decodedKey{}, fmt.Errorf("%w: %d trailing bytes", errBadKey, len(rest))
	}
	return d, nil
}

// successor returns the smallest string greater than every string that has
// s as a prefix ("ab" → "ac"), or "" when there is none (s empty or all
// 0xFF). Swift computes the same bound as prefix[:-1] + chr(ord(prefix[-1])+1)
// on code points; on UTF-8 bytes the two bound the same set of valid names.
func successor(s string) string {
	b := []byte(s)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] != 0xFF {
			b[i]++
			return string(b[:i+1])
		}
	}
	return ""
}

// keyEnd returns the smallest key greater than every key that starts with
// prefix, for use as an exclusive upper bound. Keys never start with 0xFF,
// so prefix is never all 0xFF.
func keyEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] != 0xFF {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
