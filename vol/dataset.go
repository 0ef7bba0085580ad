package vol

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sync"

	"github.com/sciswift/sciswift/formats/chunks"
	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/formats/filter"
)

// dsIO is a dataset's I/O state: its chunk grid over the current extent
// and what its chunks look like in memory and in the store.
type dsIO struct {
	o        *Object
	null     bool // null dataspace: no elements at all
	grid     chunks.Grid
	variable bool
	elem     int // element size (fixed-size types)
	// chunkBytes is a full decoded chunk of a fixed-size type.
	chunkBytes int
	filters    []domain.Filter
	filterElem int // element size the filters see
	fill       []byte
	fillChunk  []byte // a full chunk of fill values; nil when fill is zeros
	pool       sync.Pool
}

func newDSIO(o *Object) *dsIO {
	d := o.dset
	ds := &dsIO{o: o, null: d.Space.Class == "null", variable: d.Type.IsVariable(), elem: d.Type.Size,
		filters: d.Layout.Filters, fill: d.Fill}
	ds.grid = chunks.Grid{Dims: d.Space.Dims, Chunk: d.Layout.StoredChunks}
	if d.Space.Class != "simple" {
		ds.grid = chunks.Grid{}
	}
	ds.filterElem = ds.elem
	if ds.variable {
		ds.filterElem = 1
		ds.fill = nil
	} else {
		ds.chunkBytes = int(ds.grid.ChunkElems()) * ds.elem
		if len(ds.fill) == ds.elem && !allZero(ds.fill) {
			ds.fillChunk = make([]byte, ds.chunkBytes)
			fillPattern(ds.fillChunk, ds.fill)
		}
	}
	n := ds.chunkBytes
	ds.pool.New = func() any { return &chunkBuf{b: make([]byte, n), pool: &ds.pool} }
	return ds
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

// fillPattern repeats pat over dst by doubling copies.
func fillPattern(dst, pat []byte) {
	if len(dst) == 0 {
		return
	}
	n := copy(dst, pat)
	for n < len(dst) {
		n += copy(dst[n:], dst[:n])
	}
}

// fillInto sets dst (whole elements) to the fill value.
func (ds *dsIO) fillInto(dst []byte) {
	if ds.fillChunk == nil {
		clear(dst)
		return
	}
	for len(dst) > 0 {
		n := copy(dst, ds.fillChunk)
		dst = dst[n:]
	}
}

func (ds *dsIO) key(index []uint64) string {
	return domain.ChunkKey(ds.o.f.path, ds.o.id, index)
}

// newBuf takes a chunk buffer (contents undefined) with one reference.
func (ds *dsIO) newBuf() *chunkBuf {
	b := ds.pool.Get().(*chunkBuf)
	b.refs = 1
	return b
}

func (ds *dsIO) newEntry(index []uint64) *entry {
	return &entry{key: ds.key(index), ds: ds, index: index}
}

// materialize gives an absent entry real contents (all fill), or a shared
// buffer a private copy, so it can be written. With overwrite the caller
// is about to write every element and the contents need not be set.
func (ds *dsIO) materialize(io *chunkIO, e *entry, overwrite bool) {
	if ds.variable {
		if e.absent {
			e.vals = make([][]byte, ds.grid.ChunkElems())
			e.absent = false
			io.resize(e, varSize(e.vals))
		}
		return
	}
	switch {
	case e.absent:
		b := ds.newBuf()
		if !overwrite {
			ds.fillInto(b.b)
		}
		e.buf, e.absent = b, false
		io.resize(e, int64(len(b.b)))
	case e.buf.refs > 1: // an upload holds it: copy on write
		b := ds.newBuf()
		if !overwrite {
			copy(b.b, e.buf.b)
		}
		e.buf.release()
		e.buf = b
	}
}

// get fetches one chunk from the store as a new entry (runs in a fetch
// goroutine: it touches nothing shared but the pool).
func (ds *dsIO) get(io *chunkIO, index []uint64) (*entry, error) {
	e := ds.newEntry(index)
	io.sem <- struct{}{}
	defer func() { <-io.sem }()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	f := io.f
	if f.uploaded != nil {
		return ds.getUploaded(ctx, e)
	}
	var buf *chunkBuf
	var into []byte
	if !ds.variable && len(ds.filters) == 0 {
		buf = ds.newBuf()
		into = buf.b
	}
	data, _, err := f.sess.get(ctx, f.container, e.key, into)
	if err != nil {
		if buf != nil {
			buf.release()
		}
		if errors.Is(err, ErrNotFound) {
			e.absent, e.size = true, absentSize
			return e, nil
		}
		return nil, err
	}
	if buf != nil {
		if len(data) != len(buf.b) {
			buf.release()
			return nil, fmt.Errorf("%w: chunk %s/%s holds %d bytes, want %d", ErrStore, f.container, e.key, len(data), ds.chunkBytes)
		}
		if &data[0] != &buf.b[0] { // a body of unannounced length
			copy(buf.b, data)
		}
	}
	want := ds.chunkBytes
	if len(ds.filters) > 0 {
		if ds.variable {
			want = -1
		}
		if data, err = decodeFilters(ds.filters, ds.filterElem, data, want); err != nil {
			return nil, fmt.Errorf("%w: chunk %s/%s: %v", ErrStore, f.container, e.key, err)
		}
	}
	if ds.variable {
		vals, err := decodeVar(data, ds.grid.ChunkElems())
		if err != nil {
			return nil, fmt.Errorf("chunk %s/%s: %w", f.container, e.key, err)
		}
		e.vals, e.size = vals, varSize(vals)
		return e, nil
	}
	if buf == nil {
		buf = &chunkBuf{b: data, refs: 1}
		if len(data) == ds.chunkBytes {
			buf.pool = &ds.pool
		}
	}
	e.buf, e.size = buf, int64(len(buf.b))
	return e, nil
}

// getInto fetches a whole unfiltered chunk straight into dst (a fetch
// goroutine; dst is the caller's and exactly one chunk long).
func (ds *dsIO) getInto(io *chunkIO, index []uint64, dst []byte) error {
	io.sem <- struct{}{}
	defer func() { <-io.sem }()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	f := io.f
	if f.uploaded != nil {
		return ds.readUploadedChunk(ctx, index, dst)
	}
	key := ds.key(index)
	data, _, err := f.sess.get(ctx, f.container, key, dst)
	switch {
	case errors.Is(err, ErrNotFound):
		ds.fillInto(dst)
		return nil
	case err != nil:
		return err
	case len(data) != len(dst):
		return fmt.Errorf("%w: chunk %s/%s holds %d bytes, want %d", ErrStore, f.container, key, len(data), len(dst))
	case &data[0] != &dst[0]:
		copy(dst, data)
	}
	return nil
}

// maxVarChunk bounds a decoded variable-length chunk.
const maxVarChunk = 1 << 31

// decodeFilters undoes the pipeline; want < 0 means the size is not known
// in advance (variable-length chunks): any size up to maxVarChunk.
func decodeFilters(filters []domain.Filter, elem int, data []byte, want int) ([]byte, error) {
	if want < 0 {
		return filter.DecodeAny(filters, elem, data, maxVarChunk)
	}
	return filter.Decode(filters, elem, data, want)
}

// discard drops an entry nobody will use.
func (ds *dsIO) discard(e *entry) {
	if e != nil && e.buf != nil {
		e.buf.release()
	}
}

// checkRuns validates a selection against the extent.
func (ds *dsIO) checkRuns(runs []Run) (uint64, error) {
	var total uint64
	for _, r := range runs {
		total += r.Count
	}
	if ds.null {
		if total > 0 {
			return 0, fmt.Errorf("%w: the dataset has a null dataspace", ErrInvalid)
		}
		return 0, nil
	}
	if err := ds.grid.CheckRuns(runs); err != nil {
		return 0, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return total, nil
}

// plan splits runs by chunk.
func (ds *dsIO) plan(runs []Run) []chunks.ChunkPieces {
	return ds.grid.Plan(runs)
}

// copyOut copies the pieces of a cached chunk into dst.
func (ds *dsIO) copyOut(e *entry, pieces []chunks.Piece, dst []byte) {
	size := uint64(ds.elem)
	for _, p := range pieces {
		d := dst[p.InBuf*size : (p.InBuf+p.Count)*size]
		if e.absent {
			ds.fillInto(d)
		} else {
			copy(d, e.buf.b[p.InChunk*size:])
		}
	}
}

// copyIn copies src's pieces into a writable entry.
func (ds *dsIO) copyIn(e *entry, pieces []chunks.Piece, src []byte) {
	size := uint64(ds.elem)
	for _, p := range pieces {
		copy(e.buf.b[p.InChunk*size:], src[p.InBuf*size:(p.InBuf+p.Count)*size])
	}
}

func (ds *dsIO) read(runs []Run, dst []byte) error {
	if ds.variable {
		return fmt.Errorf("%w: variable-length dataset: use ReadVar", ErrInvalid)
	}
	total, err := ds.checkRuns(runs)
	if err != nil {
		return err
	}
	if uint64(len(dst)) != total*uint64(ds.elem) {
		return fmt.Errorf("%w: read of %d elements of %d bytes into %d bytes", ErrInvalid, total, ds.elem, len(dst))
	}
	if total == 0 {
		return nil
	}
	io := ds.o.f.io
	io.reap()
	plan := ds.plan(runs)
	var missing [][]uint64
	var missingAt []int
	for i, cp := range plan {
		if e := io.entries[ds.key(cp.Index)]; e != nil {
			io.touch(e)
			ds.copyOut(e, cp.Pieces, dst)
			continue
		}
		missing = append(missing, cp.Index)
		missingAt = append(missingAt, i)
	}
	// A chunk read whole into one stretch of dst needs no buffer of its
	// own (the common case of big sequential reads): it is not cached.
	var direct func(i int) []byte
	if len(ds.filters) == 0 {
		whole := ds.grid.ChunkElems()
		size := uint64(ds.elem)
		direct = func(i int) []byte {
			p := plan[missingAt[i]].Pieces
			if len(p) != 1 || p[0].InChunk != 0 || p[0].Count != whole {
				return nil
			}
			return dst[p[0].InBuf*size : (p[0].InBuf+whole)*size]
		}
	}
	return io.fetch(ds, missing, direct, func(i int, e *entry) error {
		ds.copyOut(e, plan[missingAt[i]].Pieces, dst)
		io.insert(e)
		io.makeRoomForRead()
		return nil
	})
}

func (ds *dsIO) write(runs []Run, src []byte) error {
	if ds.variable {
		return fmt.Errorf("%w: variable-length dataset: use WriteVar", ErrInvalid)
	}
	total, err := ds.checkRuns(runs)
	if err != nil {
		return err
	}
	if uint64(len(src)) != total*uint64(ds.elem) {
		return fmt.Errorf("%w: write of %d elements of %d bytes from %d bytes", ErrInvalid, total, ds.elem, len(src))
	}
	io := ds.o.f.io
	if err := io.sticky(); err != nil {
		return err
	}
	if total == 0 {
		return nil
	}
	plan := ds.plan(runs)
	return ds.writePlan(io, plan, func(e *entry, cp chunks.ChunkPieces, covered bool) error {
		return ds.update(io, e, cp, covered, src)
	})
}

// update writes a chunk's pieces into its (cached) entry. A chunk the
// write covers is uploaded at once; a partly written one stays dirty in
// the cache for more writes (or eviction, or Flush) to send.
func (ds *dsIO) update(io *chunkIO, e *entry, cp chunks.ChunkPieces, covered bool, src []byte) error {
	// When every element of an interior chunk is overwritten its old
	// contents do not matter; in an edge chunk the part outside the
	// extent must stay fill.
	overwrite := covered && slices.Equal(ds.grid.ChunkExtent(cp.Index), ds.grid.Chunk)
	ds.materialize(io, e, overwrite)
	ds.copyIn(e, cp.Pieces, src)
	e.dirty = true
	io.touch(e)
	if covered {
		if err := io.startUpload(e); err != nil {
			return err
		}
	}
	return io.makeRoom()
}

// ---- variable-length elements ----

func (ds *dsIO) readVar(runs []Run) ([][]byte, error) {
	if !ds.variable {
		return nil, fmt.Errorf("%w: fixed-size dataset: use Read", ErrInvalid)
	}
	total, err := ds.checkRuns(runs)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, total)
	if total == 0 {
		return out, nil
	}
	io := ds.o.f.io
	io.reap()
	plan := ds.plan(runs)
	copyOut := func(e *entry, pieces []chunks.Piece) {
		if e.absent {
			return // NULL
		}
		for _, p := range pieces {
			for k := uint64(0); k < p.Count; k++ {
				if v := e.vals[p.InChunk+k]; v != nil {
					out[p.InBuf+k] = append(make([]byte, 0, len(v)), v...)
				}
			}
		}
	}
	var missing [][]uint64
	var missingAt []int
	for i, cp := range plan {
		if e := io.entries[ds.key(cp.Index)]; e != nil {
			io.touch(e)
			copyOut(e, cp.Pieces)
			continue
		}
		missing = append(missing, cp.Index)
		missingAt = append(missingAt, i)
	}
	err = io.fetch(ds, missing, nil, func(i int, e *entry) error {
		copyOut(e, plan[missingAt[i]].Pieces)
		io.insert(e)
		io.makeRoomForRead()
		return nil
	})
	return out, err
}

func (ds *dsIO) writeVar(runs []Run, elems [][]byte) error {
	if !ds.variable {
		return fmt.Errorf("%w: fixed-size dataset: use Write", ErrInvalid)
	}
	total, err := ds.checkRuns(runs)
	if err != nil {
		return err
	}
	if uint64(len(elems)) != total {
		return fmt.Errorf("%w: write of %d elements with %d values", ErrInvalid, total, len(elems))
	}
	for i, v := range elems {
		if uint64(len(v)) > domain.MaxVarElem {
			return fmt.Errorf("%w: element %d is %d bytes", ErrInvalid, i, len(v))
		}
	}
	io := ds.o.f.io
	if err := io.sticky(); err != nil {
		return err
	}
	if total == 0 {
		return nil
	}
	plan := ds.plan(runs)
	update := func(e *entry, cp chunks.ChunkPieces, covered bool) error {
		ds.materialize(io, e, true)
		size := e.size
		for _, p := range cp.Pieces {
			for k := uint64(0); k < p.Count; k++ {
				old := e.vals[p.InChunk+k]
				var v []byte
				if src := elems[p.InBuf+k]; src != nil {
					v = append(make([]byte, 0, len(src)), src...)
				}
				e.vals[p.InChunk+k] = v
				size += int64(len(v)) - int64(len(old))
			}
		}
		io.resize(e, size)
		e.dirty = true
		io.touch(e)
		if covered {
			if err := io.startUpload(e); err != nil {
				return err
			}
		}
		return io.makeRoom()
	}
	return ds.writePlan(io, plan, update)
}

// writePlan runs update on the entry of every chunk a write's plan
// touches. A chunk that is cached, or that the write covers wholly (its
// old contents do not matter, so it starts absent), is updated at once;
// the others are fetched first, all together, and updated as not covered.
func (ds *dsIO) writePlan(io *chunkIO, plan []chunks.ChunkPieces, update func(e *entry, cp chunks.ChunkPieces, covered bool) error) error {
	var missing [][]uint64
	var missingAt []int
	for i, cp := range plan {
		covered := ds.grid.Covered(cp.Index, cp.Pieces)
		e := io.entries[ds.key(cp.Index)]
		if e == nil && !covered {
			missing = append(missing, cp.Index)
			missingAt = append(missingAt, i)
			continue
		}
		if e == nil {
			e = ds.newEntry(cp.Index)
			e.absent, e.size = true, absentSize
			io.insert(e)
		}
		if err := update(e, cp, covered); err != nil {
			return err
		}
	}
	return io.fetch(ds, missing, nil, func(i int, e *entry) error {
		io.insert(e)
		return update(e, plan[missingAt[i]], false)
	})
}

// ---- extent ----

// setExtent changes the dims. Shrinking deletes the chunks now wholly
// outside (they are enumerated from the grid, not listed: the data path
// never trusts an eventually consistent listing) and resets the cut-off
// part of chunks on the new boundary to fill, so that growing again shows
// fill values there, as in HDF5.
func (ds *dsIO) setExtent(dims []uint64) error {
	d := ds.o.dset
	if d.Space.Class != "simple" {
		return fmt.Errorf("%w: a %s dataspace has no extent to change", ErrInvalid, d.Space.Class)
	}
	if len(dims) != len(d.Space.Dims) {
		return fmt.Errorf("%w: new extent %v has rank %d, the dataset %d", ErrInvalid, dims, len(dims), len(d.Space.Dims))
	}
	maxDims := d.Space.MaxDims
	if len(maxDims) == 0 {
		maxDims = d.Space.Dims
	}
	for i, n := range dims {
		if maxDims[i] != domain.Unlimited && n > maxDims[i] {
			return fmt.Errorf("%w: dimension %d cannot grow to %d beyond its maximum %d", ErrInvalid, i, n, maxDims[i])
		}
	}
	newGrid := chunks.Grid{Dims: slices.Clone(dims), Chunk: ds.grid.Chunk}
	if err := newGrid.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	old := ds.grid
	shrunk := false
	for i := range dims {
		if dims[i] < old.Dims[i] {
			shrunk = true
		}
	}
	if shrunk {
		if err := ds.cut(old, newGrid); err != nil {
			return err
		}
	}
	ds.grid = newGrid
	if len(d.Space.MaxDims) == 0 {
		// Fixed-size before: its maximum was its old extent.
		d.Space.MaxDims = slices.Clone(old.Dims)
	}
	d.Space.Dims = slices.Clone(dims)
	ds.o.touch()
	return nil
}

// cut removes what falls outside newGrid after a shrink.
func (ds *dsIO) cut(old, newGrid chunks.Grid) error {
	io := ds.o.f.io
	f := ds.o.f
	// Uploads under way must land before anything is deleted or read
	// back, or a late PUT could resurrect a deleted chunk.
	io.waitAll()
	if err := io.sticky(); err != nil {
		return err
	}
	outside := func(index []uint64) bool {
		for i, x := range index {
			if x*newGrid.Chunk[i] >= newGrid.Dims[i] {
				return true
			}
		}
		return false
	}
	var gone []string
	forEachIndex(old.NumChunks(), func(index []uint64) {
		if outside(index) {
			gone = append(gone, ds.key(index))
		}
	})
	for _, e := range io.entries {
		if e.ds == ds && outside(e.index) {
			io.remove(e)
		}
	}
	ctx, cancel := f.ctx()
	defer cancel()
	if err := f.sess.deleteMany(ctx, f.container, gone, f.settings.Parallel); err != nil {
		return fmt.Errorf("shrinking the dataset: %w", err)
	}
	// Chunks on the new boundary, along a dimension that shrank.
	oldN, newN := old.NumChunks(), newGrid.NumChunks()
	seen := map[string]bool{}
	var edge [][]uint64
	for d := range newGrid.Dims {
		if newGrid.Dims[d] >= old.Dims[d] || newGrid.Dims[d]%newGrid.Chunk[d] == 0 {
			continue
		}
		span := make([]uint64, len(newN))
		for i := range span {
			span[i] = min(oldN[i], newN[i])
		}
		span[d] = 1
		forEachIndex(span, func(index []uint64) {
			index = slices.Clone(index)
			index[d] = newN[d] - 1
			if k := ds.key(index); !seen[k] {
				seen[k] = true
				edge = append(edge, index)
			}
		})
	}
	reset := func(e *entry) error {
		if e.absent {
			return nil
		}
		ds.materialize(io, e, false)
		ext := newGrid.ChunkExtent(e.index)
		if ds.variable {
			resetVals(e.vals, newGrid.Chunk, ext)
		} else {
			resetOutside(e.buf.b, newGrid.Chunk, ext, ds.elem, ds.fillInto)
		}
		e.dirty = true
		io.touch(e)
		return io.makeRoom()
	}
	var missing [][]uint64
	for _, index := range edge {
		if e := io.entries[ds.key(index)]; e != nil {
			if err := reset(e); err != nil {
				return err
			}
			continue
		}
		missing = append(missing, index)
	}
	return io.fetch(ds, missing, nil, func(_ int, e *entry) error {
		io.insert(e)
		return reset(e)
	})
}

// forEachIndex calls fn with every index of a grid of n chunks per
// dimension, in row-major order (the slice is reused between calls).
func forEachIndex(n []uint64, fn func([]uint64)) {
	for _, x := range n {
		if x == 0 {
			return
		}
	}
	idx := make([]uint64, len(n))
	for {
		fn(idx)
		i := len(n) - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < n[i] {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return
		}
	}
}

// resetOutside sets every element of a full chunk (shape c, row-major,
// elements of size bytes) outside the box [0, ext) to fill, a row at a time.
func resetOutside(b []byte, c, ext []uint64, size int, fill func([]byte)) {
	if len(c) == 0 {
		return
	}
	stride := make([]uint64, len(c))
	s := uint64(size)
	for i := len(c) - 1; i >= 0; i-- {
		stride[i] = s
		s *= c[i]
	}
	var walk func(b []byte, d int)
	walk = func(b []byte, d int) {
		if d == len(c)-1 {
			fill(b[ext[d]*stride[d] : c[d]*stride[d]])
			return
		}
		for j := uint64(0); j < c[d]; j++ {
			blk := b[j*stride[d] : (j+1)*stride[d]]
			if j >= ext[d] {
				fill(blk)
			} else {
				walk(blk, d+1)
			}
		}
	}
	walk(b, 0)
}

// resetVals is resetOutside for variable-length elements (NULL is fill).
func resetVals(vals [][]byte, c, ext []uint64) {
	if len(c) == 0 {
		return
	}
	stride := make([]uint64, len(c))
	s := uint64(1)
	for i := len(c) - 1; i >= 0; i-- {
		stride[i] = s
		s *= c[i]
	}
	var walk func(off uint64, d int)
	walk = func(off uint64, d int) {
		if d == len(c)-1 {
			clear(vals[off+ext[d] : off+c[d]])
			return
		}
		for j := uint64(0); j < c[d]; j++ {
			if j >= ext[d] {
				clear(vals[off+j*stride[d] : off+(j+1)*stride[d]])
			} else {
				walk(off+j*stride[d], d+1)
			}
		}
	}
	walk(0, 0)
}

// listChunks calls fn for each of the dataset's chunk objects in the
// store, after sending what is waiting so that the listing covers every
// write so far.
func (ds *dsIO) listChunks(fn func(name string, bytes int64)) error {
	f := ds.o.f
	if f.writable {
		if err := f.io.flushChunks(ds); err != nil {
			return err
		}
		if err := f.io.sticky(); err != nil {
			return err
		}
	}
	ctx, cancel := f.ctx()
	defer cancel()
	return f.sess.list(ctx, f.container, chunkPrefix(f.path, ds.o.id), func(name string, n int64) error {
		fn(name, n)
		return nil
	})
}

// vlenStoredBytes is what libhdf5 keeps in a dataset's own storage for one
// variable-length element: a global heap reference (length, address,
// index), the bytes H5Dget_storage_size counts for it.
const vlenStoredBytes = 16

// storageSize is Object.StorageSize: native HDF5's H5Dget_storage_size
// (see there) emulated from the stored chunk objects.
func (ds *dsIO) storageSize() (uint64, error) {
	if ds.null {
		return 0, nil
	}
	layout := ds.o.dset.Layout
	elem, requested := ds.allocUnit()
	if ds.o.f.uploaded != nil {
		// Every element is in the uploaded object.
		return allocatedBytes(ds.grid.Dims, nil, elem), nil
	}
	filtered := len(layout.Filters) > 0
	if layout.Class == "compact" || layout.EarlyAlloc && !filtered {
		return allocatedBytes(ds.grid.Dims, requested, elem), nil
	}
	var total uint64
	var any bool
	err := ds.listChunks(func(name string, n int64) {
		any = true
		switch {
		case filtered:
			total = addSat(total, uint64(max(n, 0)))
		case requested != nil:
			_, _, index, err := domain.ParseChunkKey(name)
			if err != nil || len(index) != len(requested) {
				return // not one of our chunk objects
			}
			total = addSat(total, mulSat(requestedChunksIn(ds.grid, index, requested), chunkBytesOf(requested, elem)))
		}
	})
	if err != nil {
		return 0, err
	}
	if !filtered && requested == nil && any {
		total = allocatedBytes(ds.grid.Dims, nil, elem)
	}
	return total, nil
}

// allocUnit is what native HDF5 allocates a dataset's storage in: bytes
// per element, and the program's chunk shape (nil when not chunked).
func (ds *dsIO) allocUnit() (elem uint64, requested []uint64) {
	d := ds.o.dset
	elem = uint64(d.Type.Size)
	if ds.variable {
		elem = vlenStoredBytes
	}
	if d.Layout.Class != "chunked" {
		return elem, nil
	}
	requested = d.Layout.Chunks
	if len(requested) != len(ds.grid.Dims) || slices.Contains(requested, 0) {
		requested = ds.grid.Chunk // a document from elsewhere: count stored chunks
	}
	return elem, requested
}

// allocatedBytes is native's storage once everything is allocated: the
// data size of a contiguous (or compact, or scalar) dataset, every chunk of
// the requested shape that meets the extent for a chunked one.
func allocatedBytes(dims, requested []uint64, elem uint64) uint64 {
	if requested == nil {
		n := elem
		for _, x := range dims {
			n = mulSat(n, x)
		}
		return n
	}
	n := chunkBytesOf(requested, elem)
	for i, x := range dims {
		n = mulSat(n, ceilDiv(x, requested[i]))
	}
	return n
}

// requestedChunksIn counts the chunks of the requested shape that meet the
// extent inside the stored chunk at index. A stored chunk is a whole number
// of requested chunks (chunks.StoredChunkShape), so none is counted twice.
func requestedChunksIn(g chunks.Grid, index, requested []uint64) uint64 {
	n := uint64(1)
	for i, x := range index {
		start := x * g.Chunk[i]
		end := min(start+g.Chunk[i], g.Dims[i])
		if g.Chunk[i] != 0 && start/g.Chunk[i] != x || start >= end {
			return 0 // outside the extent (or an index that overflows)
		}
		n = mulSat(n, ceilDiv(end, requested[i])-start/requested[i])
	}
	return n
}

func chunkBytesOf(shape []uint64, elem uint64) uint64 {
	n := elem
	for _, x := range shape {
		n = mulSat(n, x)
	}
	return n
}

func ceilDiv(a, b uint64) uint64 { return a/b + min(a%b, 1) }

// mulSat and addSat saturate rather than wrap: a size past 2^64 bytes is
// nonsense from a hostile document, not a reason to report a small one.
func mulSat(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 {
		return math.MaxUint64
	}
	return lo
}

func addSat(a, b uint64) uint64 {
	if s := a + b; s >= a {
		return s
	}
	return math.MaxUint64
}
