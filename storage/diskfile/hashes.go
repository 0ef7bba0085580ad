package diskfile

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/sciswift/sciswift/server/swift"
)

// suffixCache keeps each suffix's hash until a write invalidates it:
// Swift's hashes.pkl, but in memory only. A persisted cache could be stale
// after a crash (a write's rename durable, its invalidation not), and a
// wrong hash silently stops replication; recomputing once per process
// start is the price of never being wrong.
type suffixCache struct {
	mu    sync.Mutex
	parts map[string]map[string]*suffixEntry
}

type suffixEntry struct {
	gen   uint64 // bumped by every invalidation
	valid bool
	hash  string
}

func (c *suffixCache) entry(part, suffix string) *suffixEntry {
	p := c.parts[part]
	if p == nil {
		p = map[string]*suffixEntry{}
		c.parts[part] = p
	}
	e := p[suffix]
	if e == nil {
		e = &suffixEntry{}
		p[suffix] = e
	}
	return e
}

// invalidate is called after a file is renamed into (or out of) the
// suffix, so that a hash computed concurrently from an older listing is
// either discarded by store or overwritten by this invalidation.
func (c *suffixCache) invalidate(part, suffix string) {
	c.mu.Lock()
	e := c.entry(part, suffix)
	e.gen++
	e.valid = false
	c.mu.Unlock()
}

func (c *suffixCache) lookup(part, suffix string) (hash string, gen uint64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entry(part, suffix)
	return e.hash, e.gen, e.valid
}

// store keeps hash unless the suffix was invalidated since gen was read.
func (c *suffixCache) store(part, suffix string, gen uint64, hash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entry(part, suffix); e.gen == gen {
		e.hash, e.valid = hash, true
	}
}

// SuffixHashes returns, for each suffix directory of partition part that
// holds objects, the hex MD5 of its hash directories' names and live file
// names: two replicas of a suffix hold the same versions exactly when
// their hashes match. Computing a hash cleans the suffix's directories up.
func (d *Device) SuffixHashes(part string) (map[string]string, error) {
	if !isPartition(part) {
		return nil, swift.Errorf(swift.ErrBadRequest, "Invalid partition %q", part)
	}
	suffixes, err := d.fs.ReadDir(filepath.Join(d.root, objectsDir, part))
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(suffixes))
	for _, s := range suffixes {
		if len(s) != 3 || !isLowerHex(s) {
			continue
		}
		h, gen, ok := d.hashes.lookup(part, s)
		if !ok {
			if h, err = d.hashSuffix(part, s); err != nil {
				return nil, err
			}
			d.hashes.store(part, s, gen, h)
		}
		if h != "" {
			out[s] = h
		}
	}
	return out, nil
}

// hashSuffix computes one suffix's hash; "" means it holds nothing.
func (d *Device) hashSuffix(part, suffix string) (string, error) {
	dir := filepath.Join(d.root, objectsDir, part, suffix)
	hashes, err := d.fs.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	sum, n := md5.New(), 0
	for _, h := range hashes {
		if !isHash(h) || h[len(h)-3:] != suffix {
			continue
		}
		loc := location{part: part, suffix: suffix, hash: h, dir: filepath.Join(dir, h)}
		unlock := d.locks.lock(h)
		od, err := d.cleanup(loc)
		unlock()
		if err != nil {
			return "", err
		}
		if len(od.live) == 0 {
			continue
		}
		names := make([]string, 0, len(od.live))
		for _, f := range od.live {
			names = append(names, f.name)
		}
		slices.Sort(names)
		io.WriteString(sum, h)
		for _, name := range names {
			io.WriteString(sum, name)
		}
		n++
	}
	if n == 0 {
		return "", nil
	}
	return hex.EncodeToString(sum.Sum(nil)), nil
}
