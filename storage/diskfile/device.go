package diskfile

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/sciswift/sciswift/server/swift"
	"github.com/sciswift/sciswift/storage/vfs"
)

// Directory names inside a device, as in Swift.
const (
	objectsDir     = "objects"
	tmpDir         = "tmp"
	asyncDir       = "async_pending"
	quarantineDir  = "quarantined"
	dirPerm        = 0o755
	filePerm       = 0o644
	extData        = ".data"
	extMeta        = ".meta"
	extTombstone   = ".ts"
	defaultKeep    = 5 << 20
	defaultReclaim = 7 * 24 * time.Hour
	defaultTempAge = time.Hour
)

// Options tune a Device. The zero value is usable.
type Options struct {
	// FS is the filesystem; nil means vfs.OS().
	FS vfs.FS
	// Logger receives what the caller cannot act on (failed cleanups,
	// quarantines); nil discards.
	Logger *slog.Logger
	// KeepCacheSize: objects larger than this are dropped from the page
	// cache after they are written or read in full, as Swift's
	// keep_cache_size does, so that one big transfer does not evict the
	// hot small objects. Zero means 5 MiB.
	KeepCacheSize int64
	// ReclaimAge is how long a tombstone is kept so that replicas learn of
	// the delete; older tombstones are removed when their directory is
	// cleaned up. Zero means a week (Swift's reclaim_age).
	ReclaimAge time.Duration
	// TempMaxAge: temp files older than this found when the device is
	// opened were left by a writer that died, and are removed. Zero means
	// an hour.
	TempMaxAge time.Duration
}

// Device is one device directory's object store. It is safe for
// concurrent use; one Device should own a directory at a time.
type Device struct {
	fs     vfs.FS
	root   string
	log    *slog.Logger
	keep   int64
	reclm  time.Duration
	syncer *syncer
	locks  hashLocks
	hashes suffixCache

	// fresh counts, per directory, writers that have created or are
	// creating it and have not yet synced its parent; see makeHashDir.
	freshMu sync.Mutex
	fresh   map[string]int
}

// OpenDevice opens the device directory root, which must exist (a missing
// device is unmounted: swift.ErrInsufficientStorage), making its objects,
// tmp and async_pending directories if needed.
func OpenDevice(root string, opts Options) (*Device, error) {
	d := newDevice(root, opts)
	if fi, err := d.fs.Stat(root); err != nil || !fi.IsDir() {
		return nil, swift.Errorf(swift.ErrInsufficientStorage, "There was not enough space to save the resource. Drive: %s", filepath.Base(root))
	}
	for _, dir := range []string{objectsDir, tmpDir, asyncDir} {
		if err := d.ensureDir(filepath.Join(root, dir)); err != nil {
			return nil, err
		}
	}
	age := opts.TempMaxAge
	if age == 0 {
		age = defaultTempAge
	}
	d.removeStaleTemps(age)
	return d, nil
}

func newDevice(root string, opts Options) *Device {
	d := &Device{fs: opts.FS, root: root, log: opts.Logger, keep: opts.KeepCacheSize, reclm: opts.ReclaimAge, fresh: map[string]int{}}
	if d.fs == nil {
		d.fs = vfs.OS()
	}
	if d.log == nil {
		d.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if d.keep == 0 {
		d.keep = defaultKeep
	}
	if d.reclm == 0 {
		d.reclm = defaultReclaim
	}
	d.syncer = newSyncer(d.fs, root)
	d.locks.m = map[string]*hashLock{}
	d.hashes.parts = map[string]map[string]*suffixEntry{}
	return d
}

// Root is the device directory.
func (d *Device) Root() string { return d.root }

// ensureDir makes dir, durably, if it is missing.
func (d *Device) ensureDir(dir string) error {
	err := d.fs.Mkdir(dir, dirPerm)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return d.ioError(err)
	}
	return d.syncer.syncDirs([]string{filepath.Dir(dir)})
}

func (d *Device) removeStaleTemps(age time.Duration) {
	dir := filepath.Join(d.root, tmpDir)
	names, err := d.fs.ReadDir(dir)
	if err != nil {
		d.log.Warn("listing temp files", "dir", dir, "err", err)
		return
	}
	cutoff := time.Now().Add(-age)
	for _, n := range names {
		p := filepath.Join(dir, n)
		if fi, err := d.fs.Stat(p); err == nil && fi.ModTime().Before(cutoff) {
			if err := d.fs.Remove(p); err != nil {
				d.log.Warn("removing stale temp file", "path", p, "err", err)
			}
		}
	}
}

// ioError classifies a filesystem error: a full disk is the device's
// problem (507, so the proxy tries another node); anything else is a 500.
func (d *Device) ioError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return fmt.Errorf("%w: %w", swift.ErrInsufficientStorage, err)
	}
	return err
}

// location is where one object's files live.
type location struct {
	part, suffix, hash string
	dir                string // DEVICE/objects/PART/SUFFIX/HASH
}

func (l location) suffixDir() string { return filepath.Dir(l.dir) }
func (l location) partDir() string   { return filepath.Dir(filepath.Dir(l.dir)) }

// locate validates part and hash before they become path components: a
// partition is a decimal number and a hash 32 lowercase hex digits, so no
// request can name a directory outside the device.
func (d *Device) locate(part, hash string) (location, error) {
	if !isPartition(part) {
		return location{}, swift.Errorf(swift.ErrBadRequest, "Invalid partition %q", part)
	}
	if !isHash(hash) {
		return location{}, swift.Errorf(swift.ErrBadRequest, "Invalid hash %q", hash)
	}
	suffix := hash[len(hash)-3:]
	return location{part: part, suffix: suffix, hash: hash,
		dir: filepath.Join(d.root, objectsDir, part, suffix, hash)}, nil
}

func isPartition(s string) bool {
	if s == "" || len(s) > 10 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isHash(s string) bool {
	if len(s) != 32 {
		return false
	}
	return isLowerHex(s)
}

func isLowerHex(s string) bool {
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// hashLocks serialises the writers, cleanups and quarantines of one hash
// directory, so that a cleanup never sees a file whose rename is not yet
// durable, and a directory is never removed under a writer.
type hashLocks struct {
	mu sync.Mutex
	m  map[string]*hashLock
}

type hashLock struct {
	sync.Mutex
	refs int
}

func (l *hashLocks) lock(key string) (unlock func()) {
	l.mu.Lock()
	h := l.m[key]
	if h == nil {
		h = &hashLock{}
		l.m[key] = h
	}
	h.refs++
	l.mu.Unlock()
	h.Lock()
	return func() {
		h.Unlock()
		l.mu.Lock()
		if h.refs--; h.refs == 0 {
			delete(l.m, key)
		}
		l.mu.Unlock()
	}
}
