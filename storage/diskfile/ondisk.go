package diskfile

import (
	"cmp"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sciswift/sciswift/server/swift"
)

// fileInfo is one recognised file in a hash directory.
type fileInfo struct {
	name string
	ts   swift.Timestamp
	ext  string
}

// extRank orders files of equal timestamp: a tombstone beats data, data
// beats metadata, as in Swift's reverse sort of file names.
func extRank(ext string) int {
	switch ext {
	case extTombstone:
		return 3
	case extData:
		return 2
	default:
		return 1
	}
}

// parseFileName recognises TIMESTAMP.ext names in their canonical form;
// anything else is left alone by readers and cleanups.
func parseFileName(name string) (fileInfo, bool) {
	ext := filepath.Ext(name)
	if ext != extData && ext != extMeta && ext != extTombstone {
		return fileInfo{}, false
	}
	stem := strings.TrimSuffix(name, ext)
	ts, err := swift.ParseTimestamp(stem)
	if err != nil || ts.Internal() != stem {
		return fileInfo{}, false
	}
	return fileInfo{name: name, ts: ts, ext: ext}, true
}

// ondisk is what a hash directory holds, by Swift's rules: the newest
// .data or .ts wins, and the newest .meta counts only if newer than a
// winning .data. Everything else is obsolete.
type ondisk struct {
	data, meta, tomb *fileInfo
	obsolete         []fileInfo
	live             []fileInfo // not obsolete: what suffix hashes cover
}

// gather sorts out the files named in names. Tombstones, and metadata
// with no data, older than reclaimBefore are obsolete too.
func gather(names []string, reclaimBefore time.Time) ondisk {
	files := make([]fileInfo, 0, len(names))
	for _, n := range names {
		if fi, ok := parseFileName(n); ok {
			files = append(files, fi)
		}
	}
	slices.SortFunc(files, func(a, b fileInfo) int {
		if c := b.ts.Compare(a.ts); c != 0 {
			return c
		}
		return cmp.Compare(extRank(b.ext), extRank(a.ext))
	})
	var od ondisk
	for i := range files {
		f := &files[i]
		switch {
		case od.data != nil || od.tomb != nil:
			od.obsolete = append(od.obsolete, *f)
		case f.ext == extTombstone:
			od.tomb = f
		case f.ext == extData:
			od.data = f
		case od.meta == nil:
			od.meta = f
		default:
			od.obsolete = append(od.obsolete, *f)
		}
	}
	od.settle(reclaimBefore)
	for _, f := range []*fileInfo{od.data, od.meta, od.tomb} {
		if f != nil {
			od.live = append(od.live, *f)
		}
	}
	return od
}

// settle drops metadata that has nothing to apply to, and reclaims old
// tombstones.
func (od *ondisk) settle(reclaimBefore time.Time) {
	reclaim := func(f *fileInfo) bool { return f.ts.Time().Before(reclaimBefore) }
	if od.meta != nil && (od.tomb != nil || (od.data == nil && reclaim(od.meta))) {
		od.obsolete = append(od.obsolete, *od.meta)
		od.meta = nil
	}
	if od.tomb != nil && reclaim(od.tomb) {
		od.obsolete = append(od.obsolete, *od.tomb)
		od.tomb = nil
	}
}

// cleanup removes the obsolete files of a hash directory, and the
// directory itself once empty, returning what is left. The caller holds
// the hash lock. Failures are logged, not returned: a leftover file is
// obsolete by name and the next cleanup retries it.
func (d *Device) cleanup(loc location) (ondisk, error) {
	names, err := d.fs.ReadDir(loc.dir)
	if errors.Is(err, os.ErrNotExist) {
		return ondisk{}, nil
	}
	if err != nil {
		return ondisk{}, err
	}
	od := gather(names, time.Now().Add(-d.reclm))
	for _, f := range od.obsolete {
		if err := d.fs.Remove(filepath.Join(loc.dir, f.name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			d.log.Warn("removing obsolete file", "dir", loc.dir, "file", f.name, "err", err)
		}
	}
	if len(od.live) == 0 && len(od.obsolete) == len(names) {
		// Not durable, and need not be: an empty hash directory that
		// comes back after a crash is harmless.
		if err := d.fs.Remove(loc.dir); err != nil && !errors.Is(err, os.ErrNotExist) {
			d.log.Warn("removing empty hash directory", "dir", loc.dir, "err", err)
		}
	}
	return od, nil
}
