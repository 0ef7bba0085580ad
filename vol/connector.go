package vol

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sciswift/sciswift/formats/domain"
)

// opTimeout bounds one file-level operation (open, create, delete) so a
// store that stops answering turns into an error.
const opTimeout = 10 * time.Minute

func newConnector() *Connector {
	return &Connector{
		sessions:   map[sessionKey]*session{},
		files:      map[string]*File{},
		leaseTTL:   defaultLeaseTTL,
		leaseRenew: defaultLeaseRenew,
		now:        time.Now,
	}
}

// sessionFor returns the (authenticated) session for s's credentials.
func (c *Connector) sessionFor(ctx context.Context, s Settings) (*session, error) {
	if err := s.checkAuth(); err != nil {
		return nil, err
	}
	k := keyOf(s)
	c.mu.Lock()
	sess := c.sessions[k]
	if sess == nil {
		sess = newSession(s)
		c.sessions[k] = sess
	}
	c.mu.Unlock()
	if err := sess.ensure(ctx); err != nil {
		return nil, err
	}
	return sess, nil
}

// fileKey identifies a file across sessions: the same account reached
// with two users is still one file.
func fileKey(sess *session, container, path string) string {
	u, _, _ := sess.current()
	return u + "\x00" + container + "\x00" + path
}

// target is a parsed file name with its session.
type target struct {
	s               Settings
	sess            *session
	name            string
	container, path string
	key             string
}

func (c *Connector) resolveTarget(ctx context.Context, s Settings, name string) (*target, error) {
	s = s.withDefaults()
	container, path, err := parseName(name, s.Container)
	if err != nil {
		return nil, err
	}
	sess, err := c.sessionFor(ctx, s)
	if err != nil {
		return nil, err
	}
	return &target{s: s, sess: sess, name: name, container: container, path: path, key: fileKey(sess, container, path)}, nil
}

func (c *Connector) openFile(key string) *File {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.files[key]
}

func (c *Connector) register(f *File) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextNo++
	f.fileno = c.nextNo
	c.files[f.key] = f
}

func (c *Connector) unregister(f *File) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.files[f.key] == f {
		delete(c.files, f.key)
	}
}

func (c *Connector) createFile(s Settings, name string, mode CreateMode, fcpl []byte) (*File, error) {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	t, err := c.resolveTarget(ctx, s, name)
	if err != nil {
		return nil, err
	}
	if c.openFile(t.key) != nil {
		if mode == CreateExclusive {
			return nil, fmt.Errorf("creating %s: %w (it is open in this process)", name, ErrExists)
		}
		return nil, fmt.Errorf("%w: cannot truncate %s: it is open in this process", ErrInvalid, name)
	}
	if err := t.sess.ensureContainer(ctx, t.container); err != nil {
		return nil, fmt.Errorf("creating %s: %w", name, err)
	}
	exists := func() (bool, error) {
		_, err := t.sess.head(ctx, t.container, t.path)
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	}
	if mode == CreateExclusive {
		// Checked before locking too, so that an existing file reads as
		// "exists" even while somebody writes it, as with native HDF5.
		if ok, err := exists(); err != nil || ok {
			if err == nil {
				err = ErrExists
			}
			return nil, fmt.Errorf("creating %s: %w", name, err)
		}
	}
	if mode == CreateTruncate {
		// Truncating deletes what is there: never an uploaded file.
		if err := refuseUploaded(ctx, t); err != nil {
			return nil, fmt.Errorf("creating %s: %w", name, err)
		}
	}
	lock, err := acquireLock(ctx, t.sess, t.container, t.path, c.leaseTTL, c.leaseRenew)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*File, error) {
		_ = lock.release(ctx)
		return nil, err
	}
	switch mode {
	case CreateExclusive:
		if ok, err := exists(); err != nil || ok {
			if err == nil {
				err = ErrExists
			}
			return fail(fmt.Errorf("creating %s: %w", name, err))
		}
	case CreateTruncate:
		if err := deleteFileObjects(ctx, t.sess, t.container, t.path, t.s.Parallel, true); err != nil {
			return fail(fmt.Errorf("truncating %s: %w", name, err))
		}
	default:
		return fail(fmt.Errorf("%w: create mode %d", ErrInvalid, mode))
	}
	now := c.now().Unix()
	f := newFile(c, t, true)
	f.lock = lock
	f.manifest = domain.Manifest{Format: domain.FormatName, Version: domain.Version, Root: 1, NextID: 2, Created: now, FCPL: clone(fcpl)}
	root := &domain.Group{Header: domain.Header{ID: 1, Kind: domain.KindGroup, Refcount: 1, Created: now, Modified: now}}
	f.root = f.adopt(newGroupObject(f, root))
	f.root.dirty = true
	// The root group and the manifest go out now, so that the file exists
	// for other processes (and FileAccessible) from create on, as a native
	// file does once H5Fcreate returns.
	if err := f.writeDocs(ctx, []*Object{f.root}); err != nil {
		return fail(fmt.Errorf("creating %s: %w", name, err))
	}
	if err := f.writeManifest(ctx); err != nil {
		return fail(fmt.Errorf("creating %s: %w", name, err))
	}
	c.register(f)
	return f, nil
}

func (c *Connector) openFileByName(s Settings, name string, write bool) (*File, error) {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	t, err := c.resolveTarget(ctx, s, name)
	if err != nil {
		return nil, err
	}
	if f := c.openFile(t.key); f != nil {
		if write && f.uploaded != nil {
			return nil, fmt.Errorf("opening %s for writing: %w", name, readOnlyErr(name, f.uploaded.format))
		}
		if write && !f.writable {
			return nil, fmt.Errorf("opening %s for writing: %w in this process; close it first", name, ErrReadOnly)
		}
		f.refs++
		return f, nil
	}
	var lock *lease
	if write {
		if err := refuseUploaded(ctx, t); err != nil {
			return nil, fmt.Errorf("opening %s for writing: %w", name, err)
		}
		if lock, err = acquireLock(ctx, t.sess, t.container, t.path, c.leaseTTL, c.leaseRenew); err != nil {
			return nil, err
		}
	}
	m, etag, err := readManifest(ctx, t.sess, t.container, t.path)
	if errors.Is(err, errPlainObject) && lock == nil {
		f, err := c.openUploaded(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("opening %s: %w", name, err)
		}
		c.register(f)
		return f, nil
	}
	if err != nil {
		if lock != nil {
			_ = lock.release(ctx)
		}
		return nil, fmt.Errorf("opening %s: %w", name, err)
	}
	f := newFile(c, t, write)
	f.lock = lock
	f.manifest, f.manifestETag = m, etag
	root, err := f.load(ctx, m.Root, domain.KindGroup)
	if err != nil {
		if lock != nil {
			_ = lock.release(ctx)
		}
		return nil, fmt.Errorf("opening %s: root group: %w", name, err)
	}
	f.root = root
	c.register(f)
	return f, nil
}

// readManifest fetches and checks a file's manifest.
func readManifest(ctx context.Context, sess *session, container, path string) (domain.Manifest, string, error) {
	// A plain GET of a manifest streams the file out as standard HDF5;
	// multipart-manifest=get asks for the manifest itself, as for Swift's
	// large-object manifests.
	q := url.Values{"multipart-manifest": {"get"}}
	resp, err := sess.do(ctx, request{method: http.MethodGet, container: container, object: path, query: q})
	if err != nil {
		return domain.Manifest{}, "", err
	}
	// The header is checked before the body is read: the name may be a
	// multi-gigabyte uploaded .h5, which must not be downloaded here.
	defer resp.Body.Close()
	hdr := resp.Header
	if got := hdr.Get(headerFormat); got != domain.FormatName {
		return domain.Manifest{}, "", fmt.Errorf("%w: %s/%s has no %s: %s header (it is a plain object, maybe an uploaded .h5): %w", ErrNotHDF5, container, path, headerFormat, domain.FormatName, errPlainObject)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxManifest+1))
	if err != nil {
		return domain.Manifest{}, "", &storeError{op: http.MethodGet, path: container + "/" + path, detail: "reading body: " + err.Error(), sentinel: ErrUnreachable}
	}
	if len(data) > maxManifest {
		return domain.Manifest{}, "", fmt.Errorf("%w: %s/%s: manifest larger than %d bytes", ErrNotHDF5, container, path, maxManifest)
	}
	m, err := domain.ParseManifest(data)
	if err != nil {
		return domain.Manifest{}, "", fmt.Errorf("%w: %s/%s: %v", ErrNotHDF5, container, path, err)
	}
	if m.NextID <= m.Root {
		return domain.Manifest{}, "", fmt.Errorf("%w: %s/%s: next_id %d not above the root's id %d", ErrNotHDF5, container, path, m.NextID, m.Root)
	}
	return m, strings.Trim(hdr.Get("Etag"), `"`), nil
}

// maxManifest bounds a manifest (its FCPL is a few hundred bytes).
const maxManifest = 16 << 20

// headerFormat marks a manifest object.
const headerFormat = "X-Object-Meta-Sciswift-Format"

func (c *Connector) fileAccessible(s Settings, name string) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	t, err := c.resolveTarget(ctx, s, name)
	if err != nil {
		if errors.Is(err, ErrInvalid) || errors.Is(err, ErrNoContainer) {
			return false, nil
		}
		return false, err
	}
	if c.openFile(t.key) != nil {
		return true, nil
	}
	_, _, err = readManifest(ctx, t.sess, t.container, t.path)
	if errors.Is(err, errPlainObject) {
		_, _, err = describeObject(ctx, t.sess, t.container, t.path, t.name)
	}
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrNotHDF5):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

func (c *Connector) deleteFile(s Settings, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	t, err := c.resolveTarget(ctx, s, name)
	if err != nil {
		return err
	}
	if c.openFile(t.key) != nil {
		return fmt.Errorf("%w: cannot delete %s: it is open in this process", ErrInvalid, name)
	}
	hdr, err := t.sess.head(ctx, t.container, t.path)
	if err != nil {
		return fmt.Errorf("deleting %s: %w", name, err)
	}
	if hdr.Get(headerFormat) != domain.FormatName {
		return fmt.Errorf("deleting %s: %w", name, refusePlainObject(ctx, t))
	}
	if _, err := t.sess.head(ctx, t.container, domain.LockKey(t.path)); err == nil {
		l := &lease{sess: t.sess, container: t.container, key: domain.LockKey(t.path)}
		return fmt.Errorf("deleting %s: it is locked by %s: %w", name, l.describeHolder(ctx), ErrLocked)
	}
	if err := deleteFileObjects(ctx, t.sess, t.container, t.path, t.s.Parallel, false); err != nil {
		return fmt.Errorf("deleting %s: %w", name, err)
	}
	return nil
}

// deleteFileObjects deletes a file: its manifest first, so the file is gone
// for everybody at once, then every object under its prefix (but the lock,
// when keepLock, as a truncating creator holds it).
func deleteFileObjects(ctx context.Context, sess *session, container, path string, parallel int, keepLock bool) error {
	if err := sess.del(ctx, container, path); err != nil {
		return err
	}
	lockKey := domain.LockKey(path)
	var names []string
	err := sess.list(ctx, container, domain.Prefix(path), func(name string, _ int64) error {
		if !(keepLock && name == lockKey) {
			names = append(names, name)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return sess.deleteMany(ctx, container, names, parallel)
}

func (c *Connector) close() error {
	c.mu.Lock()
	files := make([]*File, 0, len(c.files))
	for _, f := range c.files {
		files = append(files, f)
	}
	c.mu.Unlock()
	var first error
	for _, f := range files {
		if err := f.closeNow(); err != nil && first == nil {
			first = err
		}
	}
	c.mu.Lock()
	for _, s := range c.sessions {
		s.close()
	}
	c.mu.Unlock()
	return first
}

// manifestHeaders are the headers of every manifest PUT.
func manifestHeaders() http.Header {
	return http.Header{headerFormat: {domain.FormatName}, "Content-Type": {"application/json"}}
}

func clone[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append([]T(nil), s...)
}

func marshalDoc(v any) ([]byte, error) { return json.Marshal(v) }
