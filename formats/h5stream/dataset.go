package h5stream

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/formats/filter"
)

// maxChunkBytes is the largest chunk HDF5's version 1 chunk index records
// (32-bit sizes).
const maxChunkBytes = math.MaxUint32

// deflateDefault is the level zlib's default compression means; libhdf5's
// deflate filter insists on exactly one parameter.
const deflateDefault = 6

// dsPlan is how one dataset is written.
type dsPlan struct {
	d         *domain.Dataset
	space     spaceInfo
	variable  bool
	fileElem  int // bytes per element in the file (a heap reference for variable types)
	chunkDims []uint64
	filters   []domain.Filter // as the file's pipeline declares them

	chunks []listedChunk // chunked: those inside the extent, in key order
	varRef [][]heapRef   // variable-length: the heap refs of each chunk's elements
	inline [][]byte      // bytes of each chunk when not copied from the store

	// contiguous (scalar or null): the element bytes, or nil for none.
	contig    []byte
	contigVar []heapRef

	// Assigned by layOut.
	chunkAddr []uint64
	chunkSize []uint32
	btreeBase uint64
	btreeRoot uint64
	contigAt  uint64
}

type spaceInfo struct {
	class   string
	dims    []uint64
	maxDims []uint64
}

func (s spaceInfo) elements() uint64 {
	if s.class == "null" {
		return 0
	}
	n := uint64(1)
	for _, d := range s.dims {
		n *= d
	}
	return n
}

// checkSpace validates a document's dataspace.
func checkSpace(s domain.Space) (spaceInfo, error) {
	switch s.Class {
	case "scalar", "null":
		if len(s.Dims) != 0 {
			return spaceInfo{}, fmt.Errorf("%w: %s dataspace with dims", ErrDocument, s.Class)
		}
		return spaceInfo{class: s.Class}, nil
	case "simple":
	default:
		return spaceInfo{}, fmt.Errorf("%w: dataspace class %q", ErrDocument, s.Class)
	}
	if len(s.Dims) == 0 || len(s.Dims) > 32 {
		return spaceInfo{}, fmt.Errorf("%w: simple dataspace of rank %d", ErrDocument, len(s.Dims))
	}
	maxDims := s.MaxDims
	if len(maxDims) == 0 {
		maxDims = s.Dims
	}
	if len(maxDims) != len(s.Dims) {
		return spaceInfo{}, fmt.Errorf("%w: %d max dims for rank %d", ErrDocument, len(maxDims), len(s.Dims))
	}
	n := uint64(1)
	for i, d := range s.Dims {
		if maxDims[i] != domain.Unlimited && d > maxDims[i] {
			return spaceInfo{}, fmt.Errorf("%w: dimension %d is %d, above its maximum %d", ErrDocument, i, d, maxDims[i])
		}
		if d != 0 && n > math.MaxInt64/d {
			return spaceInfo{}, fmt.Errorf("%w: dataspace %v overflows", ErrDocument, s.Dims)
		}
		n *= d
	}
	return spaceInfo{class: "simple", dims: s.Dims, maxDims: maxDims}, nil
}

func (b *builder) planDataset(ctx context.Context, d *domain.Dataset, listed []listedChunk) (*dsPlan, error) {
	sp, err := checkSpace(d.Space)
	if err != nil {
		return nil, err
	}
	if _, err := encodeDtype(nil, d.Type, 0); err != nil {
		return nil, err
	}
	dp := &dsPlan{d: d, space: sp, variable: d.Type.IsVariable(), fileElem: d.Type.Size}
	if dp.variable {
		dp.fileElem = vlenRefSize
	}
	if dp.filters, err = fileFilters(d.Layout.Filters, dp.fileElem, dp.variable); err != nil {
		return nil, err
	}
	switch sp.class {
	case "null":
		return dp, nil
	case "scalar":
		return dp, b.planScalar(ctx, dp, listed)
	}
	return dp, b.planChunks(ctx, dp, listed)
}

// fileFilters is the pipeline as the file declares it: libhdf5's deflate
// and shuffle insist on the parameter their set-local step would have
// filled in, which a pipeline handed to the connector may lack.
func fileFilters(fs []domain.Filter, elem int, variable bool) ([]domain.Filter, error) {
	out := make([]domain.Filter, len(fs))
	for i, f := range fs {
		if f.ID <= 0 || f.ID > 0xffff || len(f.Params) > 0xffff {
			return nil, fmt.Errorf("%w: filter %d with %d parameters", ErrDocument, f.ID, len(f.Params))
		}
		if variable && !filter.Supported(f.ID) {
			return nil, fmt.Errorf("%w: filter %d on variable-length data", ErrUnsupported, f.ID)
		}
		f.Params = slices.Clone(f.Params)
		switch {
		case f.ID == filter.Deflate && len(f.Params) == 0:
			f.Params = []uint32{deflateDefault}
		case f.ID == filter.Shuffle && (len(f.Params) == 0 || variable):
			f.Params = []uint32{uint32(elem)}
		}
		out[i] = f
	}
	return out, nil
}

func (b *builder) planChunks(ctx context.Context, dp *dsPlan, listed []listedChunk) error {
	d, rank := dp.d, len(dp.space.dims)
	if len(d.Layout.StoredChunks) != rank {
		return fmt.Errorf("%w: stored chunk shape %v for rank %d", ErrDocument, d.Layout.StoredChunks, rank)
	}
	elems := uint64(1)
	for _, c := range d.Layout.StoredChunks {
		if c == 0 || c > math.MaxUint32 {
			return fmt.Errorf("%w: stored chunk shape %v", ErrDocument, d.Layout.StoredChunks)
		}
		if c > maxChunkBytes/elems || elems*c > maxChunkBytes/uint64(max(dp.fileElem, 1)) {
			return fmt.Errorf("%w: stored chunks of %v elements exceed 4 GiB", ErrUnsupported, d.Layout.StoredChunks)
		}
		elems *= c
	}
	dp.chunkDims = d.Layout.StoredChunks
	for _, c := range listed {
		if inExtent(c.index, dp.chunkDims, dp.space.dims) {
			dp.chunks = append(dp.chunks, c)
		}
	}
	slices.SortFunc(dp.chunks, cmpIndex)
	if !dp.variable {
		want := int64(elems) * int64(dp.fileElem)
		for _, c := range dp.chunks {
			if (len(d.Layout.Filters) == 0 && c.size != want) || c.size <= 0 || c.size > maxChunkBytes {
				return fmt.Errorf("%w: chunk %s is %d bytes (a full chunk is %d)", ErrDocument, c.key, c.size, want)
			}
		}
		return nil
	}
	for _, c := range dp.chunks {
		refs, err := b.readVarChunk(ctx, dp, c.key, elems)
		if err != nil {
			return err
		}
		dp.varRef = append(dp.varRef, refs)
	}
	return nil
}

// inExtent reports whether the chunk at index starts inside dims (chunks
// left beyond a shrunk extent are not part of the dataset).
func inExtent(index, chunk, dims []uint64) bool {
	if len(index) != len(dims) {
		return false
	}
	for i, x := range index {
		if x >= math.MaxUint64/chunk[i] || x*chunk[i] >= dims[i] {
			return false
		}
	}
	return true
}

// readVarChunk reads a variable-length chunk and moves its elements into
// the heap.
func (b *builder) readVarChunk(ctx context.Context, dp *dsPlan, key string, n uint64) ([]heapRef, error) {
	stored, err := b.store.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("h5stream: reading chunk %s: %w", key, err)
	}
	b.inMem += len(stored)
	if b.inMem > MaxVariableBytes {
		return nil, fmt.Errorf("%w: more than %d bytes of variable-length chunks", ErrLimit, MaxVariableBytes)
	}
	raw := stored
	if len(dp.d.Layout.Filters) > 0 {
		// The connector filters variable-length chunks as bytes (element
		// size 1), whatever the type's size.
		if raw, err = filter.DecodeAny(dp.d.Layout.Filters, 1, stored, MaxVariableBytes-b.inMem); err != nil {
			return nil, fmt.Errorf("%w: chunk %s: %w", ErrDocument, key, err)
		}
		b.inMem += len(raw)
	}
	vals, err := domain.DecodeVarChunk(raw, n)
	if err != nil {
		return nil, fmt.Errorf("%w: chunk %s: %w", ErrDocument, key, err)
	}
	refs, err := b.heapRefs(dp.d.Type, vals)
	if err != nil {
		return nil, fmt.Errorf("chunk %s %w", key, err)
	}
	return refs, nil
}

// heapRefs moves elements of type t into the heap, in order; errors name
// the element.
func (b *builder) heapRefs(t formats.Dtype, vals [][]byte) ([]heapRef, error) {
	refs := make([]heapRef, len(vals))
	for i, v := range vals {
		seq, err := seqLen(t, len(v))
		if err == nil {
			refs[i], err = b.heap.add(v, seq)
		}
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
	}
	return refs, nil
}

// seqLen is what a variable-length element records as its length: bytes
// for strings, base elements for sequences.
func seqLen(t formats.Dtype, n int) (uint32, error) {
	if t.Class == formats.ClassVlen {
		if t.Base == nil || t.Base.Size <= 0 || n%t.Base.Size != 0 {
			return 0, fmt.Errorf("%w: %d bytes is not a whole number of base elements", ErrDocument, n)
		}
		n /= t.Base.Size
	}
	return uint32(n), nil
}

// planScalar keeps a scalar's one element in memory: HDF5 has no chunked
// scalars, so it becomes a contiguous dataset and loses any filters.
func (b *builder) planScalar(ctx context.Context, dp *dsPlan, listed []listedChunk) error {
	dp.filters = nil
	var key string
	for _, c := range listed {
		if len(c.index) == 1 && c.index[0] == 0 {
			key = c.key
		}
	}
	if key == "" {
		return nil
	}
	if dp.variable {
		refs, err := b.readVarChunk(ctx, dp, key, 1)
		dp.contigVar = refs
		return err
	}
	stored, err := b.store.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("h5stream: reading chunk %s: %w", key, err)
	}
	raw := stored
	if len(dp.d.Layout.Filters) > 0 {
		if raw, err = filter.Decode(dp.d.Layout.Filters, dp.d.Type.Size, stored, dp.d.Type.Size); err != nil {
			return fmt.Errorf("%w: chunk %s: %w", ErrDocument, key, err)
		}
	}
	if len(raw) != dp.d.Type.Size {
		return fmt.Errorf("%w: scalar chunk %s is %d bytes, want %d", ErrDocument, key, len(raw), dp.d.Type.Size)
	}
	dp.contig = raw
	return nil
}

// attrHeapRefs moves the elements of variable-length attributes into the
// heap; fixed-size attributes get nil.
func (b *builder) attrHeapRefs(attrs []domain.Attribute) ([][]heapRef, error) {
	out := make([][]heapRef, len(attrs))
	for i, a := range attrs {
		if !a.Type.IsVariable() {
			continue
		}
		sp, err := checkSpace(a.Space)
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", a.Name, err)
		}
		vals, err := attrValues(a, sp.elements())
		if err != nil {
			return nil, err
		}
		if out[i], err = b.heapRefs(a.Type, vals); err != nil {
			return nil, fmt.Errorf("attribute %q %w", a.Name, err)
		}
	}
	return out, nil
}

// attrValues is the elements of a variable-length attribute: Strings, or
// Value in the variable-length chunk codec; an attribute never written
// has n NULL elements.
func attrValues(a domain.Attribute, n uint64) ([][]byte, error) {
	if n > maxMessage/vlenRefSize {
		return nil, fmt.Errorf("%w: attribute %q of %d variable-length elements (dense attribute storage)", ErrUnsupported, a.Name, n)
	}
	switch {
	case len(a.Strings) > 0:
		if uint64(len(a.Strings)) != n {
			return nil, fmt.Errorf("%w: attribute %q has %d strings for %d elements", ErrDocument, a.Name, len(a.Strings), n)
		}
		vals := make([][]byte, n)
		for k, s := range a.Strings {
			if s != nil {
				vals[k] = append([]byte{}, *s...) // never nil: "" is not NULL
			}
		}
		return vals, nil
	case len(a.Value) > 0:
		vals, err := domain.DecodeVarChunk(a.Value, n)
		if err != nil {
			return nil, fmt.Errorf("%w: attribute %q: %w", ErrDocument, a.Name, err)
		}
		return vals, nil
	}
	return make([][]byte, n), nil
}
