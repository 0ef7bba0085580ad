package diskfile

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/sciswift/sciswift/server/swift"
	"github.com/sciswift/sciswift/storage/vfs"
)

// footerGuess is how much of a file's end Open reads in one go: enough for
// the trailer and any ordinary metadata, so one pread usually suffices.
const footerGuess = 8 << 10

// NotFoundError says an object does not exist. Tombstone is the time it was
// deleted, if a tombstone says so (Swift answers it in X-Backend-Timestamp);
// Quarantined says it was found damaged and moved aside just now.
type NotFoundError struct {
	Tombstone   swift.Timestamp
	Quarantined bool
}

func (e *NotFoundError) Error() string {
	switch {
	case e.Quarantined:
		return "object not found: quarantined"
	case !e.Tombstone.IsZero():
		return "object not found: deleted at " + e.Tombstone.Internal()
	}
	return "object not found"
}

// Unwrap makes a NotFoundError a swift.ErrNotFound.
func (e *NotFoundError) Unwrap() error { return swift.ErrNotFound }

// Object is an open, current version of an object: its metadata (with any
// newer .meta applied) and its body. Close it when done.
type Object struct {
	d       *Device
	loc     location
	f       vfs.File
	file    string // the .data file's name, to recognise it when quarantining
	meta    Metadata
	dataTS  swift.Timestamp
	ts      swift.Timestamp
	ctypeTS swift.Timestamp
	size    int64
	// bodyCRC is the body's CRC-32C from the .data's metadata, when
	// hasCRC (see keyBodyCRC).
	bodyCRC uint32
	hasCRC  bool
}

// Open opens the current version of the object name, whose path hash is
// hash. A missing, deleted or damaged object is a *NotFoundError; a damaged
// one is quarantined first.
func (d *Device) Open(part, hash, name string) (*Object, error) {
	loc, err := d.locate(part, hash)
	if err != nil {
		return nil, err
	}
	// A file can vanish between the listing and the open when a writer's
	// cleanup removes what its new version made obsolete: list again.
	for range 3 {
		o, err := d.open(loc, name)
		if !errors.Is(err, os.ErrNotExist) {
			return o, err
		}
	}
	return nil, &NotFoundError{}
}

func (d *Device) open(loc location, name string) (*Object, error) {
	names, err := d.fs.ReadDir(loc.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, &NotFoundError{}
	}
	if err != nil {
		return nil, err
	}
	od := gather(names, time.Time{})
	switch {
	case od.tomb != nil:
		return nil, &NotFoundError{Tombstone: od.tomb.ts}
	case od.data == nil:
		return nil, &NotFoundError{}
	}
	o, err := d.openVersion(loc, od)
	if errors.Is(err, ErrCorrupt) {
		d.quarantine(loc, od.data.name, err)
		return nil, &NotFoundError{Quarantined: true}
	}
	if err != nil {
		return nil, err
	}
	if got := o.meta[KeyName]; got != name {
		o.Close()
		return nil, swift.Errorf(swift.ErrForbidden, "Object name %q collides with %q on disk", name, got)
	}
	return o, nil
}

// openVersion opens the .data file od chose and applies its .meta.
func (d *Device) openVersion(loc location, od ondisk) (*Object, error) {
	f, err := d.fs.Open(filepath.Join(loc.dir, od.data.name))
	if err != nil {
		return nil, err
	}
	o := &Object{d: d, loc: loc, f: f, file: od.data.name, dataTS: od.data.ts}
	if err := o.load(od); err != nil {
		f.Close()
		return nil, err
	}
	return o, nil
}

func (o *Object) load(od ondisk) error {
	bodyLen, dataMeta, err := readFile(o.f)
	if err != nil {
		return err
	}
	if dataMeta[KeyContentLength] != fmt.Sprint(bodyLen) || dataMeta[KeyETag] == "" {
		return fmt.Errorf("%w: Content-Length %q does not match a body of %d bytes", ErrCorrupt, dataMeta[KeyContentLength], bodyLen)
	}
	o.size = bodyLen
	if v, ok := dataMeta[keyBodyCRC]; ok {
		if o.bodyCRC, o.hasCRC = parseCRC(v); !o.hasCRC {
			return fmt.Errorf("%w: body CRC %q", ErrCorrupt, v)
		}
		delete(dataMeta, keyBodyCRC)
	}
	var metaMeta Metadata
	if od.meta != nil {
		if metaMeta, err = o.d.readSmall(filepath.Join(o.loc.dir, od.meta.name)); err != nil {
			return err
		}
	}
	o.meta, o.ctypeTS = merge(dataMeta, od.data.ts, metaMeta)
	o.ts = od.data.ts
	if od.meta != nil {
		o.ts = od.meta.ts
	}
	return nil
}

// readFile reads and checks a file's footer, returning the body length
// and the metadata.
func readFile(f vfs.File) (int64, Metadata, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, nil, err
	}
	size := fi.Size()
	tail, err := readTail(f, size, min(size, footerGuess))
	if err != nil {
		return 0, nil, err
	}
	t, mb, err := decodeFooter(tail, size)
	if errors.Is(err, errShortTail) {
		if tail, err = readTail(f, size, int64(t.footerLen())); err != nil {
			return 0, nil, err
		}
		t, mb, err = decodeFooter(tail, size)
	}
	if err != nil {
		return 0, nil, err
	}
	m, err := decodeMetadata(mb)
	return t.bodyLen, m, err
}

func readTail(f vfs.File, size, n int64) ([]byte, error) {
	b := make([]byte, n)
	got, err := f.ReadAt(b, size-n)
	if int64(got) == n {
		return b, nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		// The file shrank under us; it is damaged (nothing truncates
		// files in place).
		return nil, fmt.Errorf("%w: short read", ErrCorrupt)
	}
	return nil, err
}

// readSmall reads the metadata of a .meta file, which has no body.
func (d *Device) readSmall(p string) (Metadata, error) {
	f, err := d.fs.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	bodyLen, m, err := readFile(f)
	if err == nil && bodyLen != 0 {
		err = fmt.Errorf("%w: metadata file with a body", ErrCorrupt)
	}
	return m, err
}

// merge applies a .meta's metadata to its .data's, as Swift's DiskFile
// does: the .meta's user metadata and pass-through headers replace the
// .data's, while what describes the body itself (length, ETag, manifests'
// sysmeta) stays the .data's. Content-Type goes to whichever says it
// later. It returns the merged metadata and the Content-Type's timestamp.
func merge(data Metadata, dataTS swift.Timestamp, meta Metadata) (Metadata, swift.Timestamp) {
	ctype, ctypeTS := data[KeyContentType], dataTS
	if meta == nil {
		return data, ctypeTS
	}
	out := make(Metadata, len(data)+len(meta))
	for k, v := range meta {
		out[k] = v
	}
	for k, v := range data {
		if describesBody(k) {
			out[k] = v
		}
	}
	if mt, ok := meta[KeyContentType]; ok {
		mts, err := swift.ParseTimestamp(meta[KeyContentTypeTimestamp])
		if err != nil {
			mts, _ = swift.ParseTimestamp(meta[KeyTimestamp])
		}
		if mts.After(ctypeTS) {
			ctype, ctypeTS = mt, mts
		}
	}
	out[KeyContentType] = ctype
	if ctypeTS == dataTS {
		delete(out, KeyContentTypeTimestamp)
	}
	return out, ctypeTS
}

// describesBody lists the .data metadata a POST cannot change: Swift's
// RESERVED_DATAFILE_META, DATAFILE_SYSTEM_META and object sysmeta.
func describesBody(key string) bool {
	switch strings.ToLower(key) {
	case "content-length", "etag", "name", "x-static-large-object":
		return true
	}
	return swift.HasPrefixFold(key, swift.LevelObject.SysMetaPrefix())
}

// Metadata is the object's metadata, .meta applied. Callers must not
// modify it.
func (o *Object) Metadata() Metadata { return o.meta }

// Size is the body length.
func (o *Object) Size() int64 { return o.size }

// DataTimestamp is the timestamp of the .data file: when the body was PUT.
func (o *Object) DataTimestamp() swift.Timestamp { return o.dataTS }

// Timestamp is the object's X-Timestamp: the newer of the .data and .meta.
func (o *Object) Timestamp() swift.Timestamp { return o.ts }

// ContentTypeTimestamp is when the current Content-Type was set: the
// DataTimestamp unless a POST changed it since.
func (o *Object) ContentTypeTimestamp() swift.Timestamp { return o.ctypeTS }

// ReadAt reads the body; it is safe for concurrent use.
func (o *Object) ReadAt(p []byte, off int64) (int, error) {
	if off >= o.size {
		return 0, io.EOF
	}
	short := false
	if rem := o.size - off; int64(len(p)) > rem {
		p, short = p[:rem], true
	}
	n, err := o.f.ReadAt(p, off)
	if err == nil && short {
		err = io.EOF
	}
	if errors.Is(err, io.EOF) && off+int64(n) < o.size {
		err = fmt.Errorf("%w: body shorter than its trailer says", ErrCorrupt)
	}
	return n, err
}

// Close releases the file.
func (o *Object) Close() error { return o.f.Close() }

// Reader streams the whole body and, at its end, checks its CRC-32C
// against the one stored with it (or, for files written without one, its
// MD5 against the stored ETag). On a mismatch the object is quarantined
// and the read fails with ErrCorrupt, so the next reader gets a 404 and
// replication restores a good copy (Swift's DiskFileReader does the same
// with the MD5). Bodies
// larger than KeepCacheSize are dropped from the page cache behind the
// reader.
func (o *Object) Reader() io.Reader {
	fd := o.f.Fd()
	adviseSequential(fd)
	r := &verifyingReader{o: o, fd: fd, drop: o.size > o.d.keep}
	if !o.hasCRC {
		r.md5 = md5.New()
	}
	return r
}

type verifyingReader struct {
	o       *Object
	fd      uintptr
	off     int64
	crc     uint32
	md5     hash.Hash // nil when the CRC is checked
	drop    bool
	dropped int64
	err     error
}

func (r *verifyingReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.o.ReadAt(p, r.off)
	if r.md5 != nil {
		r.md5.Write(p[:n])
	} else {
		r.crc = crc32.Update(r.crc, castagnoli(), p[:n])
	}
	r.off += int64(n)
	if r.drop && r.off-r.dropped >= writebackWindow {
		dropCache(r.fd, r.dropped, r.off-r.dropped)
		r.dropped = r.off
	}
	if errors.Is(err, io.EOF) && !errors.Is(err, ErrCorrupt) {
		err = r.finish()
	}
	if errors.Is(err, ErrCorrupt) {
		r.o.d.quarantine(r.o.loc, r.o.file, err)
	}
	r.err = err
	return n, err
}

func (r *verifyingReader) finish() error {
	if r.drop {
		dropCache(r.fd, 0, 0)
	}
	if r.md5 == nil {
		if r.crc != r.o.bodyCRC {
			return fmt.Errorf("%w: body CRC-32C %s, stored %s", ErrCorrupt, formatCRC(r.crc), formatCRC(r.o.bodyCRC))
		}
		return io.EOF
	}
	if got, want := hex.EncodeToString(r.md5.Sum(nil)), r.o.meta[KeyETag]; got != want {
		return fmt.Errorf("%w: body MD5 %s, ETag %s", ErrCorrupt, got, want)
	}
	return io.EOF
}

// quarantine moves a damaged object's hash directory aside, to
// DEVICE/quarantined/objects/HASH, if it still holds the damaged file
// (a newer version written meanwhile is left alone).
func (d *Device) quarantine(loc location, file string, why error) {
	unlock := d.locks.lock(loc.hash)
	defer unlock()
	if _, err := d.fs.Stat(filepath.Join(loc.dir, file)); err != nil {
		return
	}
	parent := filepath.Join(d.root, quarantineDir, objectsDir)
	if err := d.fs.MkdirAll(parent, dirPerm); err != nil {
		d.log.Error("quarantining object", "dir", loc.dir, "reason", why, "err", err)
		return
	}
	dst := filepath.Join(parent, loc.hash)
	err := d.fs.Rename(loc.dir, dst)
	if errors.Is(err, syscall.EEXIST) || errors.Is(err, syscall.ENOTEMPTY) {
		dst = fmt.Sprintf("%s-%016x", dst, time.Now().UnixNano())
		err = d.fs.Rename(loc.dir, dst)
	}
	d.hashes.invalidate(loc.part, loc.suffix)
	if err != nil {
		d.log.Error("quarantining object", "dir", loc.dir, "reason", why, "err", err)
		return
	}
	d.log.Warn("quarantined object", "dir", loc.dir, "to", dst, "reason", why)
}
