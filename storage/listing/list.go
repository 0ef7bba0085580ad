package listing

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/cockroachdb/pebble/v2"

	"github.com/sciswift/sciswift/server/swift"
)

// ListObjects lists a container's live object rows, Swift's
// list_objects_iter: names under q.Prefix, after q.Marker, before
// q.EndMarker (the two swap roles when q.Reverse is set), at most q.Limit
// entries, with names that contain q.Delimiter after the prefix rolled up
// into one subdir entry each. With q.Path set (path=P), the row named P/
// and everything below a further delimiter are left out instead, and no
// subdirs are listed. Tombstones are never listed.
func (d *DB) ListObjects(account, container string, q swift.ListingQuery) ([]swift.ObjectRecord, error) {
	var recs []swift.ObjectRecord
	base := makeKey(nsObject, account, container)
	err := d.scan(base, q, func(name string, value []byte) error {
		if value == nil {
			recs = append(recs, swift.ObjectRecord{Subdir: name})
			return nil
		}
		r, err := decodeObjectRow(name, value, false)
		if err != nil {
			return fmt.Errorf("listing: object row %s/%s/%s: %w", account, container, name, err)
		}
		recs = append(recs, swift.ObjectRecord{
			Name: r.Name, Bytes: r.Size, Hash: r.ETag, ContentType: r.ContentType, LastModified: r.Timestamp,
		})
		return nil
	})
	return recs, err
}

// ListContainers lists an account's live container rows with the same
// rules as ListObjects (Swift's list_containers_iter).
func (d *DB) ListContainers(account string, q swift.ListingQuery) ([]swift.ContainerRecord, error) {
	var recs []swift.ContainerRecord
	base := makeKey(nsContainerRow, account)
	err := d.scan(base, q, func(name string, value []byte) error {
		if value == nil {
			recs = append(recs, swift.ContainerRecord{Subdir: name})
			return nil
		}
		r, err := decodeContainerRow(name, value)
		if err != nil {
			return fmt.Errorf("listing: container row %s/%s: %w", account, name, err)
		}
		recs = append(recs, swift.ContainerRecord{
			Name: r.Name, Count: r.ObjectCount, Bytes: r.BytesUsed, LastModified: r.PutTimestamp,
		})
		return nil
	})
	return recs, err
}

// scan walks the rows whose keys are base + one name component, in the
// order and within the bounds q asks for, calling visit with each row's
// name and value, or with a subdir name and a nil value. Each call to
// visit counts against q.Limit; value is only valid during the call.
func (d *DB) scan(base []byte, q swift.ListingQuery, visit func(name string, value []byte) error) error {
	lower, upper, skipDir := scanBounds(base, q)
	if q.Limit <= 0 || bytes.Compare(lower, upper) >= 0 {
		return nil
	}
	it, err := d.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return fmt.Errorf("listing: scan: %w", err)
	}
	s := scanner{it: it, base: base, q: q, skipDir: skipDir, visit: visit}
	err = s.run()
	if cerr := it.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("listing: scan: %w", cerr)
	}
	return err
}

// scanBounds turns the query into key bounds, exactly as Swift's
// list_objects_iter turns it into SQL: reverse swaps marker and end_marker;
// the lower bound is "name > marker" when the marker is at or past the
// prefix, else "name >= prefix"; the upper bound is the nearer of
// "name < end_marker" and the end of the prefix. skipDir is the marker as
// swapped: Swift does not list the subdir that equals it.
func scanBounds(base []byte, q swift.ListingQuery) (lower, upper []byte, skipDir string) {
	marker, end := q.Marker, q.EndMarker
	if q.Reverse {
		marker, end = end, marker
	}
	lower, upper = base, keyEnd(base)
	switch {
	case marker != "" && (q.Prefix == "" || marker >= q.Prefix):
		// The smallest key after marker's own: marker's key + 0x00.
		lower = append(appendComponent(bytes.Clone(base), marker), 0)
	case q.Prefix != "":
		lower = appendEscaped(bytes.Clone(base), q.Prefix)
	}
	endPrefix := successor(q.Prefix)
	switch {
	case end != "" && (q.Prefix == "" || endPrefix == "" || end < endPrefix):
		upper = appendEscaped(bytes.Clone(base), end)
	case endPrefix != "":
		upper = appendEscaped(bytes.Clone(base), endPrefix)
	}
	return lower, upper, marker
}

// scanner is one listing in progress.
type scanner struct {
	it      *pebble.Iterator
	base    []byte
	q       swift.ListingQuery
	skipDir string
	visit   func(name string, value []byte) error
	n       int
}

func (s *scanner) run() error {
	valid := s.first()
	for valid && s.n < s.q.Limit {
		name, rest, err := decodeComponent(s.it.Key()[len(s.base):])
		if err == nil && len(rest) != 0 {
			err = errBadKey
		}
		if err != nil {
			return fmt.Errorf("listing: scan: %w", err)
		}
		if dir, ok := s.subdir(name); ok && (!s.q.Path || len(name) > len(dir)) {
			if !s.q.Path {
				if err := s.emit(dir, nil); err != nil {
					return err
				}
			}
			valid = s.skip(dir)
			continue
		}
		if s.q.Path && name == s.q.Prefix {
			valid = s.next()
			continue
		}
		v, err := s.it.ValueAndErr()
		if err != nil {
			return fmt.Errorf("listing: scan: %w", err)
		}
		if err := s.emit(name, v); err != nil {
			return err
		}
		valid = s.next()
	}
	return s.it.Error()
}

func (s *scanner) emit(name string, value []byte) error {
	if value == nil && name == s.skipDir {
		return nil
	}
	s.n++
	return s.visit(name, value)
}

// subdir returns the directory name rolls up into: the name up to and
// including the first delimiter after the prefix.
func (s *scanner) subdir(name string) (string, bool) {
	if s.q.Delimiter == "" || !strings.HasPrefix(name, s.q.Prefix) {
		return "", false
	}
	i := strings.Index(name[len(s.q.Prefix):], s.q.Delimiter)
	if i < 0 {
		return "", false
	}
	return name[:len(s.q.Prefix)+i+len(s.q.Delimiter)], true
}

func (s *scanner) first() bool {
	if s.q.Reverse {
		return s.it.Last()
	}
	return s.it.First()
}

func (s *scanner) next() bool {
	if s.q.Reverse {
		return s.it.Prev()
	}
	return s.it.Next()
}

// skip moves past every name under dir with one seek, never reading the
// rows inside it: forward to the first key after the dir's prefix range,
// or, in reverse, to the last key before it. In a path= listing a row named
// exactly dir is an ordinary entry, so the reverse seek stops just after
// it. (Swift's broker skips that row in reverse path listings, and in
// forward ones the row named successor(dir): quirks of its SQL, not
// behaviour anyone relies on, and not copied.)
func (s *scanner) skip(dir string) bool {
	if s.q.Reverse {
		if s.q.Path {
			return s.it.SeekLT(append(appendComponent(bytes.Clone(s.base), dir), 0))
		}
		return s.it.SeekLT(appendEscaped(bytes.Clone(s.base), dir))
	}
	next := successor(dir)
	if next == "" {
		return false
	}
	return s.it.SeekGE(appendEscaped(bytes.Clone(s.base), next))
}
