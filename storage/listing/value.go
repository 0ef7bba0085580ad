package listing

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/sciswift/sciswift/server/swift"
)

// Values are small binary records: a format version byte, then fields as
// varints and length-prefixed strings. Binary rather than JSON because a row
// and its container's counts are decoded and re-encoded on every object PUT
// and DELETE; metadata, which changes rarely, is JSON (see meta.go).
const valueVersion = 1

const (
	nanosPerTick = 10_000 // Swift timestamps count 10µs ticks
	// fastTimestampSeconds bounds the seconds time.Time.UnixNano can hold
	// (year 2255, safely inside its 2262 limit).
	fastTimestampSeconds = 9_000_000_000
)

// errBadValue is returned for a value no encoder produced.
var errBadValue = errors.New("listing: malformed value")

type encoder struct{ b []byte }

func newEncoder() *encoder { return &encoder{b: []byte{valueVersion}} }

func (e *encoder) int(v int64) { e.b = binary.AppendVarint(e.b, v) }

func (e *encoder) str(s string) {
	e.b = binary.AppendUvarint(e.b, uint64(len(s)))
	e.b = append(e.b, s...)
}

// ts stores a timestamp as whole seconds, ticks (10µs) and offset: three
// varints, which decode without parsing text (ParseTimestamp would cost
// more than the rest of a listing row together).
func (e *encoder) ts(t swift.Timestamp) {
	tm := t.Time()
	e.int(tm.Unix())
	e.int(int64(tm.Nanosecond()) / nanosPerTick)
	e.int(t.Offset())
}

func (e *encoder) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

// decoder reads fields in order and remembers the first error, so record
// decoders read straight through and check once, as encoding/binary users
// in pebble do.
type decoder struct {
	b   []byte
	err error
}

func newDecoder(b []byte) *decoder {
	d := &decoder{b: b}
	switch {
	case len(b) == 0:
		d.fail("empty")
	case b[0] != valueVersion:
		d.fail(fmt.Sprintf("version %d", b[0]))
	default:
		d.b = b[1:]
	}
	return d
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", errBadValue, what)
	}
	d.b = nil
}

func (d *decoder) int() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) str() string {
	n, k := binary.Uvarint(d.b)
	if k <= 0 || n > uint64(len(d.b)-k) {
		d.fail("bad string")
		return ""
	}
	s := string(d.b[k : k+int(n)])
	d.b = d.b[k+int(n):]
	return s
}

func (d *decoder) ts() swift.Timestamp {
	sec, ticks, off := d.int(), d.int(), d.int()
	if d.err != nil || sec < 0 || sec >= 1e10 || ticks < 0 || ticks >= 1e9/nanosPerTick || off < 0 {
		d.fail("bad timestamp")
		return swift.Timestamp{}
	}
	if sec < fastTimestampSeconds {
		return swift.FromTime(time.Unix(sec, ticks*nanosPerTick)).WithOffset(off)
	}
	// FromTime goes through UnixNano, which overflows after 2262; Swift
	// timestamps run to 1e10 seconds (2286), so the last years take the
	// slow, exact path.
	t, err := swift.ParseTimestamp(fmt.Sprintf("%d.%05d", sec, ticks))
	if err != nil {
		d.fail("bad timestamp")
	}
	return t.WithOffset(off)
}

func (d *decoder) bool() bool {
	if len(d.b) == 0 {
		d.fail("missing flag")
		return false
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v != 0
}

// done reports the first error, or trailing bytes as corruption.
func (d *decoder) done() error {
	if d.err == nil && len(d.b) != 0 {
		d.fail("trailing bytes")
	}
	return d.err
}

// ObjectRow is one object in a container listing, or its tombstone. The
// container server stores what the object server reports after each PUT or
// DELETE; the row with the newest Timestamp wins.
type ObjectRow struct {
	Name        string
	Timestamp   swift.Timestamp
	Size        int64
	ETag        string
	ContentType string
	Deleted     bool
}

// encodeObjectRow encodes a live row. Tombstones keep only the timestamp:
// nothing else about a deleted object is ever listed or counted.
func encodeObjectRow(r ObjectRow) []byte {
	e := newEncoder()
	e.ts(r.Timestamp)
	if !r.Deleted {
		e.int(r.Size)
		e.str(r.ETag)
		e.str(r.ContentType)
	}
	return e.b
}

func decodeObjectRow(name string, v []byte, deleted bool) (ObjectRow, error) {
	d := newDecoder(v)
	r := ObjectRow{Name: name, Deleted: deleted, Timestamp: d.ts()}
	if !deleted {
		r.Size, r.ETag, r.ContentType = d.int(), d.str(), d.str()
	}
	return r, d.done()
}

// containerState is the part of a container's info that object row updates
// read and rewrite: its timestamps and counts. Metadata lives under its own
// key so that a row update never re-encodes it.
type containerState struct {
	CreatedAt, PutTimestamp, DeleteTimestamp, StatusChangedAt swift.Timestamp
	ObjectCount, BytesUsed                                    int64
}

func encodeContainerState(s containerState) []byte {
	e := newEncoder()
	e.ts(s.CreatedAt)
	e.ts(s.PutTimestamp)
	e.ts(s.DeleteTimestamp)
	e.ts(s.StatusChangedAt)
	e.int(s.ObjectCount)
	e.int(s.BytesUsed)
	return e.b
}

func decodeContainerState(v []byte) (containerState, error) {
	d := newDecoder(v)
	s := containerState{
		CreatedAt: d.ts(), PutTimestamp: d.ts(), DeleteTimestamp: d.ts(), StatusChangedAt: d.ts(),
		ObjectCount: d.int(), BytesUsed: d.int(),
	}
	return s, d.done()
}

// accountState is an account's timestamps, status and totals.
type accountState struct {
	CreatedAt, PutTimestamp, DeleteTimestamp, StatusChangedAt swift.Timestamp
	StatusDeleted                                             bool
	ContainerCount, ObjectCount, BytesUsed                    int64
}

func encodeAccountState(s accountState) []byte {
	e := newEncoder()
	e.ts(s.CreatedAt)
	e.ts(s.PutTimestamp)
	e.ts(s.DeleteTimestamp)
	e.ts(s.StatusChangedAt)
	e.bool(s.StatusDeleted)
	e.int(s.ContainerCount)
	e.int(s.ObjectCount)
	e.int(s.BytesUsed)
	return e.b
}

func decodeAccountState(v []byte) (accountState, error) {
	d := newDecoder(v)
	s := accountState{
		CreatedAt: d.ts(), PutTimestamp: d.ts(), DeleteTimestamp: d.ts(), StatusChangedAt: d.ts(),
		StatusDeleted:  d.bool(),
		ContainerCount: d.int(), ObjectCount: d.int(), BytesUsed: d.int(),
	}
	return s, d.done()
}

// ContainerRow is one container in an account listing, as its container
// server last reported it.
type ContainerRow struct {
	Name            string
	PutTimestamp    swift.Timestamp
	DeleteTimestamp swift.Timestamp
	ObjectCount     int64
	BytesUsed       int64
}

// Deleted is Swift's rule for container rows: deleted when the delete
// timestamp is the newer one and no objects remain.
func (r ContainerRow) Deleted() bool {
	return r.ObjectCount == 0 && r.DeleteTimestamp.After(r.PutTimestamp)
}

func encodeContainerRow(r ContainerRow) []byte {
	e := newEncoder()
	e.ts(r.PutTimestamp)
	e.ts(r.DeleteTimestamp)
	e.int(r.ObjectCount)
	e.int(r.BytesUsed)
	return e.b
}

func decodeContainerRow(name string, v []byte) (ContainerRow, error) {
	d := newDecoder(v)
	r := ContainerRow{Name: name, PutTimestamp: d.ts(), DeleteTimestamp: d.ts(), ObjectCount: d.int(), BytesUsed: d.int()}
	return r, d.done()
}
