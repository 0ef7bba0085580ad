package diskfile

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/sciswift/sciswift/server/swift"
)

// AsyncUpdate is a container (or expirer queue) update that could not be
// delivered when its object changed, saved to be retried. Unlike Swift's
// pickles, it records its target: the object server has no ring to look
// the container's nodes up again.
type AsyncUpdate struct {
	Op        string      `json:"op"` // PUT or DELETE
	Account   string      `json:"account"`
	Container string      `json:"container"`
	Object    string      `json:"obj"`
	Headers   http.Header `json:"headers"` // must include X-Timestamp
	Host      string      `json:"host"`
	Device    string      `json:"device"`
	Partition string      `json:"partition"`
}

// key identifies the listing row and target an update is for: a newer
// update with the same key makes an older one pointless.
func (u AsyncUpdate) key() string {
	sum := md5.Sum([]byte(strings.Join([]string{u.Account, u.Container, u.Object, u.Host, u.Device, u.Partition}, "\x00")))
	return hex.EncodeToString(sum[:])
}

// PendingUpdate is a saved AsyncUpdate; ID names it for RemoveAsyncPending.
type PendingUpdate struct {
	ID        string
	Timestamp swift.Timestamp
	Update    AsyncUpdate
}

// SaveAsyncPending durably stores u under DEVICE/async_pending/SUFFIX/
// KEY-TIMESTAMP, KEY being the hash of its row and target.
func (d *Device) SaveAsyncPending(u AsyncUpdate) error {
	ts, err := swift.ParseTimestamp(u.Headers.Get(swift.HeaderTimestamp))
	if err != nil {
		return fmt.Errorf("async pending without a valid X-Timestamp: %w", err)
	}
	body, err := json.Marshal(u)
	if err != nil {
		return err
	}
	key := u.key()
	dir := filepath.Join(d.root, asyncDir, key[len(key)-3:])
	w, err := d.newWriter(location{}, "", ts, "", 0)
	if err != nil {
		return err
	}
	if err := w.sealRaw(body); err != nil {
		w.discard()
		return err
	}
	if err := d.fs.MkdirAll(dir, dirPerm); err != nil {
		d.removeTemp(w.tmp)
		return d.ioError(err)
	}
	if err := d.fs.Rename(w.tmp, filepath.Join(dir, key+"-"+ts.Internal())); err != nil {
		d.removeTemp(w.tmp)
		return d.ioError(err)
	}
	// Syncing both levels every time is simpler than tracking which
	// suffix directories are new, and async pendings are the rare path.
	return d.syncer.syncDirs([]string{dir, filepath.Dir(dir)})
}

// sealRaw writes body as the footer of an empty file and makes it durable.
func (w *Writer) sealRaw(body []byte) error {
	w.done = true
	if _, err := w.f.Write(appendFooter(nil, 0, body)); err != nil {
		return w.d.ioError(err)
	}
	if err := w.f.SyncData(); err != nil {
		return w.d.ioError(err)
	}
	f := w.f
	w.f = nil
	return w.d.ioError(f.Close())
}

// WalkAsyncPending calls fn for each saved update, suffix by suffix, older
// before newer. An update superseded by a newer one for the same row and
// target is removed instead; an unreadable one is moved to
// DEVICE/quarantined/async_pending. fn's error stops the walk and is
// returned. fn may remove the update it is given.
func (d *Device) WalkAsyncPending(fn func(p PendingUpdate) error) error {
	root := filepath.Join(d.root, asyncDir)
	suffixes, err := d.fs.ReadDir(root)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, s := range suffixes {
		if len(s) != 3 || !isLowerHex(s) {
			continue
		}
		if err := d.walkAsyncSuffix(s, fn); err != nil {
			return err
		}
	}
	return nil
}

func (d *Device) walkAsyncSuffix(suffix string, fn func(p PendingUpdate) error) error {
	names, err := d.fs.ReadDir(filepath.Join(d.root, asyncDir, suffix))
	if err != nil {
		return err
	}
	for i, name := range names {
		key, tsPart, ok := strings.Cut(name, "-")
		ts, err := swift.ParseTimestamp(tsPart)
		if !ok || len(key) != 32 || err != nil {
			continue // a temp name or a stranger: not ours
		}
		id := suffix + "/" + name
		// Names sort by key, then timestamp: a next name with the same
		// key is newer.
		if i+1 < len(names) && strings.HasPrefix(names[i+1], key+"-") {
			if err := d.RemoveAsyncPending(id); err != nil {
				return err
			}
			continue
		}
		u, err := d.readAsync(id)
		if errors.Is(err, ErrCorrupt) {
			d.quarantineAsync(id, err)
			continue
		}
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := fn(PendingUpdate{ID: id, Timestamp: ts, Update: u}); err != nil {
			return err
		}
	}
	return nil
}

func (d *Device) readAsync(id string) (AsyncUpdate, error) {
	f, err := d.fs.Open(filepath.Join(d.root, asyncDir, id))
	if err != nil {
		return AsyncUpdate{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return AsyncUpdate{}, err
	}
	tail, err := readTail(f, fi.Size(), fi.Size())
	if err != nil {
		return AsyncUpdate{}, err
	}
	_, body, err := decodeFooter(tail, fi.Size())
	if err != nil {
		return AsyncUpdate{}, err
	}
	var u AsyncUpdate
	if err := json.Unmarshal(body, &u); err != nil {
		return AsyncUpdate{}, fmt.Errorf("%w: async pending: %v", ErrCorrupt, err)
	}
	return u, nil
}

// RemoveAsyncPending removes a delivered (or superseded) update. Removal
// need not be durable: an update that comes back after a crash is sent
// again, and container rows take the newest timestamp.
func (d *Device) RemoveAsyncPending(id string) error {
	if !validAsyncID(id) {
		return swift.Errorf(swift.ErrBadRequest, "Invalid async pending id %q", id)
	}
	err := d.fs.Remove(filepath.Join(d.root, asyncDir, id))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

func validAsyncID(id string) bool {
	suffix, name, ok := strings.Cut(id, "/")
	return ok && len(suffix) == 3 && isLowerHex(suffix) && name != "" &&
		!strings.ContainsAny(name, "/\x00") && name != "." && name != ".."
}

func (d *Device) quarantineAsync(id string, why error) {
	dir := filepath.Join(d.root, quarantineDir, asyncDir)
	src := filepath.Join(d.root, asyncDir, id)
	err := d.fs.MkdirAll(dir, dirPerm)
	if err == nil {
		err = d.fs.Rename(src, filepath.Join(dir, filepath.Base(id)))
	}
	if err != nil {
		d.log.Error("quarantining async pending", "path", src, "reason", why, "err", err)
		return
	}
	d.log.Warn("quarantined async pending", "path", src, "reason", why)
}
