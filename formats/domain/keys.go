package domain

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrBadKey is wrapped by the key parsers' errors.
var ErrBadKey = errors.New("domain: not a key of a VOL-written file")

// Prefix is what every object of the file NAME (the manifest excepted) starts
// with: listing or deleting it covers the file.
func Prefix(name string) string { return name + "/" }

// LockKey is the object held while a writer has the file open.
func LockKey(name string) string { return name + "/.lock" }

// kindDir is the directory letter of a document kind under NAME/.
func kindDir(k Kind) string {
	switch k {
	case KindGroup:
		return "g"
	case KindDataset:
		return "d"
	case KindNamedType:
		return "t"
	}
	return ""
}

// dirKind is kindDir's inverse.
func dirKind(d string) Kind {
	switch d {
	case "g":
		return KindGroup
	case "d":
		return KindDataset
	case "t":
		return KindNamedType
	}
	return ""
}

// DocKey is the key of an object's document: "NAME/g/ID.json",
// "NAME/d/ID.json" or "NAME/t/ID.json", ID in decimal. An unknown kind has no
// document and gives "" (see Kind.Valid); kinds read from stored documents
// should be checked before use.
func DocKey(name string, kind Kind, id uint64) string {
	d := kindDir(kind)
	if d == "" {
		return ""
	}
	return name + "/" + d + "/" + strconv.FormatUint(id, 10) + ".json"
}

// ParseDocKey splits a document key into the file name, kind and id. It is
// the inverse of DocKey and accepts only what DocKey produces (canonical
// decimal, no leading zeros), so a parsed key always rebuilds to itself.
func ParseDocKey(key string) (name string, kind Kind, id uint64, err error) {
	rest, file, ok := cutLast(key)
	if !ok {
		return "", "", 0, fmt.Errorf("%w: %q", ErrBadKey, key)
	}
	name, dir, ok := cutLast(rest)
	if !ok || name == "" {
		return "", "", 0, fmt.Errorf("%w: %q", ErrBadKey, key)
	}
	kind = dirKind(dir)
	num, ok := strings.CutSuffix(file, ".json")
	if kind == "" || !ok {
		return "", "", 0, fmt.Errorf("%w: %q", ErrBadKey, key)
	}
	if id, err = parseDecimal(num); err != nil {
		return "", "", 0, fmt.Errorf("%w: %q: %v", ErrBadKey, key, err)
	}
	return name, kind, id, nil
}

// ChunkKey is the key of one chunk of a dataset: "NAME/d/ID/i_j_k", the
// chunk's grid index in decimal joined by "_". A scalar's only chunk (rank 0)
// is "NAME/d/ID/0", the same key as chunk [0] of a rank-1 dataset: the
// dataset's rank tells them apart.
func ChunkKey(name string, dataset uint64, index []uint64) string {
	var b strings.Builder
	b.Grow(len(name) + 24 + 8*len(index))
	b.WriteString(name)
	b.WriteString("/d/")
	b.WriteString(strconv.FormatUint(dataset, 10))
	b.WriteByte('/')
	if len(index) == 0 {
		b.WriteByte('0')
		return b.String()
	}
	var num [20]byte
	for i, x := range index {
		if i > 0 {
			b.WriteByte('_')
		}
		b.Write(strconv.AppendUint(num[:0], x, 10))
	}
	return b.String()
}

// maxRank bounds the index ParseChunkKey returns: HDF5's H5S_MAX_RANK.
const maxRank = 32

// ParseChunkKey splits a chunk key into the file name, dataset id and grid
// index ("0" parses as [0]; a caller with a scalar dataset takes it as []).
// Only canonical keys, as ChunkKey writes them, are accepted.
func ParseChunkKey(key string) (name string, dataset uint64, index []uint64, err error) {
	rest, last, ok := cutLast(key)
	if !ok {
		return "", 0, nil, fmt.Errorf("%w: %q", ErrBadKey, key)
	}
	rest, num, ok := cutLast(rest)
	if !ok {
		return "", 0, nil, fmt.Errorf("%w: %q", ErrBadKey, key)
	}
	name, dir, ok := cutLast(rest)
	if !ok || dir != "d" || name == "" {
		return "", 0, nil, fmt.Errorf("%w: %q", ErrBadKey, key)
	}
	if dataset, err = parseDecimal(num); err != nil {
		return "", 0, nil, fmt.Errorf("%w: %q: %v", ErrBadKey, key, err)
	}
	if n := strings.Count(last, "_") + 1; n > maxRank {
		return "", 0, nil, fmt.Errorf("%w: %q: rank %d above %d", ErrBadKey, key, n, maxRank)
	}
	for part := range strings.SplitSeq(last, "_") {
		x, err := parseDecimal(part)
		if err != nil {
			return "", 0, nil, fmt.Errorf("%w: %q: %v", ErrBadKey, key, err)
		}
		index = append(index, x)
	}
	return name, dataset, index, nil
}

// cutLast splits s at its last "/".
func cutLast(s string) (before, after string, ok bool) {
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}

// parseDecimal accepts a canonical unsigned decimal: digits only, no sign, no
// leading zero unless the number is 0, no overflow.
func parseDecimal(s string) (uint64, error) {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return 0, fmt.Errorf("non-canonical number %q", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("non-canonical number %q", s)
		}
	}
	return strconv.ParseUint(s, 10, 64)
}
