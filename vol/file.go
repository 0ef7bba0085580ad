package vol

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/sciswift/sciswift/formats/domain"
)

func newFile(c *Connector, t *target, writable bool) *File {
	f := &File{
		c: c, sess: t.sess, key: t.key, name: t.name,
		container: t.container, path: t.path, settings: t.s,
		writable: writable, refs: 1,
		objects: map[uint64]*Object{},
	}
	f.io = newChunkIO(f)
	return f
}

// adopt makes o the one *Object for its id.
func (f *File) adopt(o *Object) *Object {
	f.objects[o.id] = o
	return o
}

// ctx is the context of one call on the file.
func (f *File) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), opTimeout)
}

// checkWritable refuses changes to a read-only or broken file.
func (f *File) checkWritable() error {
	if f.closed {
		return fmt.Errorf("%w: %s is closed", ErrInvalid, f.name)
	}
	if f.uploaded != nil {
		return readOnlyErr(f.name, f.uploaded.format)
	}
	if !f.writable {
		return fmt.Errorf("%s: %w", f.name, ErrReadOnly)
	}
	if f.deletedUnder != nil {
		return f.deletedUnder
	}
	if f.lock != nil {
		if err := f.lock.lostErr(); err != nil {
			return err
		}
	}
	return nil
}

// load returns object id of the given kind, reading its document on first
// use.
func (f *File) load(ctx context.Context, id uint64, kind domain.Kind) (*Object, error) {
	if o := f.objects[id]; o != nil {
		if o.gone {
			return nil, fmt.Errorf("%w: object %d of %s was deleted", ErrNotFound, id, f.name)
		}
		if o.kind != kind {
			return nil, fmt.Errorf("%w: object %d of %s is a %s, a link says %s", ErrNotHDF5, id, f.name, o.kind, kind)
		}
		return o, nil
	}
	key := domain.DocKey(f.path, kind, id)
	if key == "" {
		return nil, fmt.Errorf("%w: object %d of %s has unknown kind %q", ErrNotHDF5, id, f.name, kind)
	}
	data, _, err := f.sess.get(ctx, f.container, key, nil)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("%w: the document of %s %d of %s is missing (%v)", ErrNotFound, kind, id, f.name, err)
		}
		return nil, err
	}
	o, err := parseObject(f, kind, id, data)
	if err != nil {
		return nil, fmt.Errorf("%s/%s: %w", f.container, key, err)
	}
	return f.adopt(o), nil
}

// objectByToken finds an object by id whatever its kind.
func (f *File) objectByToken(token uint64) (*Object, error) {
	if o := f.objects[token]; o != nil {
		if o.gone {
			return nil, fmt.Errorf("%w: object %d of %s was deleted", ErrNotFound, token, f.name)
		}
		return o, nil
	}
	if token == 0 || token >= f.manifest.NextID {
		return nil, fmt.Errorf("%w: no object %d in %s", ErrNotFound, token, f.name)
	}
	ctx, cancel := f.ctx()
	defer cancel()
	for _, k := range []domain.Kind{domain.KindGroup, domain.KindDataset, domain.KindNamedType} {
		o, err := f.load(ctx, token, k)
		if err == nil {
			return o, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("%w: no object %d in %s", ErrNotFound, token, f.name)
}

// newID hands out the next object id.
func (f *File) newID() uint64 {
	id := f.manifest.NextID
	f.manifest.NextID++
	f.manifestDirty = true
	return id
}

// writeDocs PUTs the documents of objs in parallel and marks them clean.
func (f *File) writeDocs(ctx context.Context, objs []*Object) error {
	bodies := make([][]byte, len(objs))
	for i, o := range objs {
		b, err := marshalDoc(o.doc())
		if err != nil {
			return fmt.Errorf("encoding %s %d: %w", o.kind, o.id, err)
		}
		bodies[i] = b
	}
	h := http.Header{"Content-Type": {"application/json"}}
	err := forEachParallel(len(objs), f.settings.Parallel, func(i int) error {
		_, err := f.sess.put(ctx, f.container, domain.DocKey(f.path, objs[i].kind, objs[i].id), bodies[i], h)
		return err
	})
	if err != nil {
		return err
	}
	for _, o := range objs {
		o.dirty = false
	}
	return nil
}

func (f *File) writeManifest(ctx context.Context) error {
	body, err := marshalDoc(f.manifest)
	if err != nil {
		return err
	}
	etag, err := f.sess.put(ctx, f.container, f.path, body, manifestHeaders())
	if err != nil {
		return err
	}
	f.manifestETag = etag
	f.manifestDirty = false
	return nil
}

// checkNotDeleted makes sure the manifest is still the one this file last
// read or wrote: a file deleted (or recreated) under an open writer must not
// be brought back half-written.
func (f *File) checkNotDeleted(ctx context.Context) error {
	if f.deletedUnder != nil {
		return f.deletedUnder
	}
	hdr, err := f.sess.head(ctx, f.container, f.path)
	switch {
	case errors.Is(err, ErrNotFound):
		f.manifestGone = true
		f.deletedUnder = fmt.Errorf("%s: its manifest %s/%s is gone: %w", f.name, f.container, f.path, ErrDeletedUnder)
	case err != nil:
		return err
	case f.manifestETag != "" && stripQuotes(hdr.Get("Etag")) != f.manifestETag:
		f.deletedUnder = fmt.Errorf("%s: its manifest %s/%s was replaced by another writer: %w", f.name, f.container, f.path, ErrDeletedUnder)
	}
	return f.deletedUnder
}

func stripQuotes(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// dirtyObjects lists the objects whose documents need writing, in id order
// so that writes are reproducible.
func (f *File) dirtyObjects(only *Object) []*Object {
	var out []*Object
	for _, o := range f.objects {
		if o.dirty && !o.gone && (only == nil || o == only) {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b *Object) int {
		switch {
		case a.id < b.id:
			return -1
		case a.id > b.id:
			return 1
		}
		return 0
	})
	return out
}

// flush writes what changed: chunks first (waiting for every upload), then
// documents, then the manifest, then deletes the objects whose last link
// went. only limits chunks and documents to one dataset (Object.Flush).
func (f *File) flush(only *Object) error {
	if f.closed {
		return fmt.Errorf("%w: %s is closed", ErrInvalid, f.name)
	}
	if !f.writable {
		return nil
	}
	ctx, cancel := f.ctx()
	defer cancel()
	if err := f.checkWritable(); err != nil {
		f.io.discardErr()
		return err
	}
	docs := f.dirtyObjects(only)
	pending := f.pendingDelete
	if only != nil {
		pending = nil
	}
	if !f.io.hasWork(only) && len(docs) == 0 && !f.manifestDirty && len(pending) == 0 {
		return f.io.takeErr()
	}
	if err := f.checkNotDeleted(ctx); err != nil {
		f.io.discardErr()
		return err
	}
	var ds *dsIO
	if only != nil {
		ds = only.ds
	}
	if err := f.io.flushChunks(ds); err != nil {
		return err
	}
	if err := f.io.takeErr(); err != nil {
		return err
	}
	if len(docs) > 0 {
		if err := f.writeDocs(ctx, docs); err != nil {
			return err
		}
	}
	if f.manifestDirty {
		if err := f.writeManifest(ctx); err != nil {
			return err
		}
	}
	if len(pending) > 0 {
		if err := f.collect(ctx, pending); err != nil {
			return err
		}
		f.pendingDelete = slices.DeleteFunc(f.pendingDelete, func(o *Object) bool { return slices.Contains(pending, o) })
	}
	return nil
}

// collect deletes unlinked objects: documents and, for datasets, chunks.
func (f *File) collect(ctx context.Context, objs []*Object) error {
	var names []string
	for _, o := range objs {
		if o.kind == domain.KindDataset {
			f.io.dropDataset(o.ds)
			err := f.sess.list(ctx, f.container, chunkPrefix(f.path, o.id), func(name string, _ int64) error {
				names = append(names, name)
				return nil
			})
			if err != nil {
				return err
			}
		}
		names = append(names, domain.DocKey(f.path, o.kind, o.id))
	}
	if err := f.sess.deleteMany(ctx, f.container, names, f.settings.Parallel); err != nil {
		return err
	}
	for _, o := range objs {
		o.gone = true
	}
	return nil
}

// chunkPrefix is what every chunk key of dataset id starts with: the key of
// a scalar's chunk ("…/d/ID/0") without its index.
func chunkPrefix(path string, id uint64) string {
	return strings.TrimSuffix(domain.ChunkKey(path, id, nil), "0")
}

// close drops one reference; the last one flushes, releases the lock and
// forgets the file.
func (f *File) close() error {
	if f.closed {
		return fmt.Errorf("%w: %s is already closed", ErrInvalid, f.name)
	}
	f.refs--
	if f.refs > 0 {
		return nil
	}
	return f.closeNow()
}

func (f *File) closeNow() error {
	var err error
	if f.writable && f.checkWritable() == nil {
		// Anonymous objects never linked go with the file, as in HDF5.
		var orphans []*Object
		for _, o := range f.objects {
			if !o.gone && !o.unlinked && o.hdr().Refcount == 0 && o != f.root {
				orphans = append(orphans, o)
			}
		}
		for _, o := range orphans {
			if err = f.release(o); err != nil {
				break
			}
		}
	}
	if ferr := f.flush(nil); err == nil {
		err = ferr
	}
	f.io.shutdown()
	f.closed = true
	if cerr := f.removeLeftovers(); cerr != nil && err == nil {
		err = cerr
	}
	if f.lock != nil {
		ctx, cancel := f.ctx()
		if lerr := f.lock.release(ctx); lerr != nil && err == nil {
			err = lerr
		}
		cancel()
	}
	f.c.unregister(f)
	return err
}

// removeLeftovers deletes what a writer left under the prefix of a file that
// was deleted while it was open: chunk uploads already in flight when the
// deletion was noticed land after it. Only while we still hold the lock:
// then nobody else can have made a new file of that name.
func (f *File) removeLeftovers() error {
	if !f.manifestGone || f.lock == nil || f.lock.lostErr() != nil {
		return nil
	}
	ctx, cancel := f.ctx()
	defer cancel()
	lockKey := domain.LockKey(f.path)
	var names []string
	err := f.sess.list(ctx, f.container, domain.Prefix(f.path), func(name string, _ int64) error {
		if name != lockKey {
			names = append(names, name)
		}
		return nil
	})
	if err == nil {
		err = f.sess.deleteMany(ctx, f.container, names, f.settings.Parallel)
	}
	if err != nil {
		return fmt.Errorf("removing what was written after %s was deleted: %w", f.name, err)
	}
	return nil
}
