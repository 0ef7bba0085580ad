package diskfile

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"github.com/sciswift/sciswift/server/swift"
	"github.com/sciswift/sciswift/storage/vfs"
)

// writebackWindow is how much body a Writer lets accumulate before it asks
// the kernel to start writing it out; see Writer.writeback.
const writebackWindow = 8 << 20

var errFinished = errors.New("diskfile: writer already committed or aborted")

// Writer streams a new version of an object to a temp file, computing its
// MD5 on the way. Nothing is visible to readers until Commit returns nil.
// Memory use does not depend on the object's size.
type Writer struct {
	d    *Device
	loc  location
	name string
	ts   swift.Timestamp
	ext  string
	f    vfs.File
	fd   uintptr
	tmp  string
	md5  hash.Hash
	crc  uint32 // CRC-32C of the body, which reads verify (see keyBodyCRC)
	n    int64
	wb   int64 // body bytes handed to writeback so far
	err  error
	done bool
}

// Create starts writing the .data file of the object name (whose path hash
// is hash) at timestamp ts. size is the expected body length, or -1 if
// unknown; it is only a hint for preallocation.
func (d *Device) Create(part, hash, name string, ts swift.Timestamp, size int64) (*Writer, error) {
	loc, err := d.locate(part, hash)
	if err != nil {
		return nil, err
	}
	return d.newWriter(loc, name, ts, extData, size)
}

// WriteMeta stores a .meta file at ts: metadata that replaces the user
// metadata, pass-through headers and (when it has one) the Content-Type of
// the .data it is newer than. This is Swift's fast-POST.
func (d *Device) WriteMeta(part, hash, name string, ts swift.Timestamp, meta Metadata) error {
	return d.writeEmpty(part, hash, name, ts, extMeta, meta)
}

// Delete writes a tombstone at ts; older files go, newer ones stay.
func (d *Device) Delete(part, hash, name string, ts swift.Timestamp) error {
	return d.writeEmpty(part, hash, name, ts, extTombstone, nil)
}

func (d *Device) writeEmpty(part, hash, name string, ts swift.Timestamp, ext string, meta Metadata) error {
	loc, err := d.locate(part, hash)
	if err != nil {
		return err
	}
	w, err := d.newWriter(loc, name, ts, ext, 0)
	if err != nil {
		return err
	}
	return w.Commit(meta)
}

func (d *Device) newWriter(loc location, name string, ts swift.Timestamp, ext string, size int64) (*Writer, error) {
	f, tmp, err := d.createTemp()
	if err != nil {
		return nil, err
	}
	w := &Writer{d: d, loc: loc, name: name, ts: ts, ext: ext, f: f, fd: f.Fd(), tmp: tmp, md5: md5.New()}
	if size > writebackWindow {
		// Fewer, larger extents for big objects; the footer adds a
		// little more, which the file system allocates as needed.
		preallocate(w.fd, size)
	}
	return w, nil
}

func (d *Device) createTemp() (vfs.File, string, error) {
	dir := filepath.Join(d.root, tmpDir)
	for {
		p := filepath.Join(dir, fmt.Sprintf("tmp%016x", rand.Uint64()))
		f, err := d.fs.Create(p, filePerm)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return nil, "", d.ioError(err)
		}
		return f, p, nil
	}
}

// Write appends body bytes.
func (w *Writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, errFinished
	}
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.f.Write(p)
	w.md5.Write(p[:n])
	w.crc = crc32.Update(w.crc, castagnoli(), p[:n])
	w.n += int64(n)
	if err != nil {
		w.err = w.d.ioError(err)
		return n, w.err
	}
	w.writeback()
	return n, nil
}

// writeback asks the kernel to start writing each full window of body as
// soon as it is complete and, one window later, waits for that window and
// drops it from the page cache. Dirty and cached pages stay within two
// windows whatever the object's size, the disk works while the body is
// still arriving, and the final fdatasync finds little left to do.
func (w *Writer) writeback() {
	for w.n-w.wb >= writebackWindow {
		startWriteback(w.fd, w.wb, writebackWindow)
		if prev := w.wb - writebackWindow; prev >= 0 {
			waitWriteback(w.fd, prev, writebackWindow)
			if w.n > w.d.keep {
				dropCache(w.fd, prev, writebackWindow)
			}
		}
		w.wb += writebackWindow
	}
}

// Size is the number of body bytes written so far.
func (w *Writer) Size() int64 { return w.n }

// ETag is the hex MD5 of the body written so far.
func (w *Writer) ETag() string { return hex.EncodeToString(w.md5.Sum(nil)) }

// Commit makes the write durable and visible. meta is stored as given,
// plus name, X-Timestamp and, for .data files, Content-Length and ETag,
// which the Writer knows better than its caller. On error nothing new is
// visible, or (if the error came after the rename) the new version may
// survive a crash, complete.
func (w *Writer) Commit(meta Metadata) error {
	if w.done {
		return errFinished
	}
	w.done = true
	if w.err != nil {
		w.discard()
		return w.err
	}
	m := make(Metadata, len(meta)+4)
	maps.Copy(m, meta)
	m[KeyName] = w.name
	m[KeyTimestamp] = w.ts.Internal()
	if w.ext == extData {
		m[KeyContentLength] = strconv.FormatInt(w.n, 10)
		m[KeyETag] = w.ETag()
		m[keyBodyCRC] = formatCRC(w.crc)
	}
	if err := w.seal(m); err != nil {
		w.discard()
		return err
	}
	return w.d.install(w.tmp, w.loc, w.ts.Internal()+w.ext)
}

// Abort abandons the write and removes the temp file. It does nothing after
// Commit, so callers can defer it.
func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.discard()
}

// seal appends the footer and makes the temp file durable: its bytes must
// be on disk before its name can be.
func (w *Writer) seal(m Metadata) error {
	mb, err := encodeMetadata(m)
	if err != nil {
		return err
	}
	if _, err := w.f.Write(appendFooter(nil, w.n, mb)); err != nil {
		return w.d.ioError(err)
	}
	// Each writer syncs its own data: a failure is then its own (the
	// file is discarded, nothing else is suspect), and concurrent
	// fdatasyncs share journal commits anyway. Only the directory syncs,
	// which many writers can share outright, go through the group commit.
	if err := w.f.SyncData(); err != nil {
		return w.d.ioError(err)
	}
	if w.n > w.d.keep {
		dropCache(w.fd, 0, 0)
	}
	f := w.f
	w.f = nil
	return w.d.ioError(f.Close())
}

func (w *Writer) discard() {
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
	w.d.removeTemp(w.tmp)
}

func (d *Device) removeTemp(p string) {
	if err := d.fs.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		d.log.Warn("removing temp file", "path", p, "err", err)
	}
}

// install renames a sealed temp file into its hash directory, makes the
// rename durable, then removes what it made obsolete.
func (d *Device) install(tmp string, loc location, fileName string) error {
	unlock := d.locks.lock(loc.hash)
	defer unlock()
	syncs, release, err := d.makeHashDir(loc)
	if err != nil {
		d.removeTemp(tmp)
		return d.ioError(err)
	}
	defer release()
	final := filepath.Join(loc.dir, fileName)
	if err := d.fs.Rename(tmp, final); err != nil {
		d.removeTemp(tmp)
		return d.ioError(err)
	}
	d.hashes.invalidate(loc.part, loc.suffix)
	if err := d.syncer.syncDirs(append(syncs, loc.dir)); err != nil {
		// Undo, so that readers see what the error tells the writer. The
		// rename may still survive a crash, which is no worse than a
		// crash just after a success.
		if rerr := d.fs.Remove(final); rerr != nil {
			d.log.Warn("undoing unsynced rename", "path", final, "err", rerr)
		}
		return err
	}
	if _, err := d.cleanup(loc); err != nil {
		d.log.Warn("cleaning up hash directory", "dir", loc.dir, "err", err)
	}
	return nil
}

// makeHashDir makes loc's hash directory if needed and returns the
// directories to sync, besides the hash directory itself, for the path to
// it to be durable, and a release to call once they are synced.
//
// A directory's entry is durable once its parent is synced. The writer that
// creates a directory syncs the parent; a writer that finds a directory
// another writer created but has not synced yet must sync the parent too,
// or it could report success for a file in a directory that a crash
// forgets. The fresh counts say which directories are in that window:
// creators count a directory before mkdir and uncount it after the sync,
// so anyone whose mkdir below it succeeded afterwards sees the count.
// The hash directory needs none of this: the hash lock is held from its
// mkdir until its parent is synced.
func (d *Device) makeHashDir(loc location) (syncs []string, release func(), err error) {
	var marked []string
	release = func() { d.unmarkFresh(marked...) }
	err = d.fs.Mkdir(loc.dir, dirPerm)
	if errors.Is(err, os.ErrNotExist) {
		for _, dir := range []string{loc.partDir(), loc.suffixDir()} {
			created, err := d.mkdirFresh(dir)
			if err != nil {
				release()
				return nil, nil, err
			}
			if created {
				marked = append(marked, dir)
				syncs = append(syncs, filepath.Dir(dir))
			}
		}
		err = d.fs.Mkdir(loc.dir, dirPerm)
	}
	switch {
	case err == nil:
		syncs = append(syncs, loc.suffixDir())
	case !errors.Is(err, os.ErrExist):
		release()
		return nil, nil, err
	}
	d.freshMu.Lock()
	for _, dir := range []string{loc.suffixDir(), loc.partDir()} {
		if d.fresh[dir] > 0 {
			syncs = append(syncs, filepath.Dir(dir))
		}
	}
	d.freshMu.Unlock()
	return syncs, release, nil
}

// mkdirFresh makes dir, counting it as fresh first if it may be created.
func (d *Device) mkdirFresh(dir string) (created bool, err error) {
	d.freshMu.Lock()
	d.fresh[dir]++
	d.freshMu.Unlock()
	err = d.fs.Mkdir(dir, dirPerm)
	if err == nil {
		return true, nil
	}
	d.unmarkFresh(dir)
	if errors.Is(err, os.ErrExist) {
		return false, nil
	}
	return false, err
}

func (d *Device) unmarkFresh(dirs ...string) {
	if len(dirs) == 0 {
		return
	}
	d.freshMu.Lock()
	for _, dir := range dirs {
		if d.fresh[dir]--; d.fresh[dir] <= 0 {
			delete(d.fresh, dir)
		}
	}
	d.freshMu.Unlock()
}
