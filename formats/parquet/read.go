package parquet

import (
	"context"
	"fmt"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/sciswift/sciswift/formats"
)

// batchRows is how many rows Read decodes at a time: memory stays bounded
// however large the row groups are.
const batchRows = 64 << 10

// sliceHeader is the memory of one []byte in Array.Strings.
const sliceHeader = 24

// target is what one Read reads: a column dataset or the table.
type target struct {
	path   string
	dtype  formats.Dtype
	kind   nodeKind
	tops   []int // top-level fields, one reader each
	leaves []int // the Parquet columns to fetch
	node   *node // the column dataset; nil for the table
}

// Read returns the selected rows of the dataset at path (see the package
// comment for the types and nulls). It fetches the column chunks of the
// dataset's columns in the row groups holding a selected row, one ReadAt
// each, and decodes those row groups from their first row to the last
// selected one. An empty selection selects everything.
func (f *File) Read(ctx context.Context, path string, sel formats.Selection) (arr *formats.Array, err error) {
	tg, err := f.target(path)
	if err != nil {
		return nil, err
	}
	sp, shape, err := normalize(sel, uint64(f.numRows))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// A variable-length element costs its slice header besides its bytes
	// (counted as they are read): the result's memory, either way.
	elemSize := uint64(sliceHeader)
	if tg.kind == kindFixed {
		elemSize = uint64(tg.dtype.Size)
	}
	if hi, total := bits.Mul64(sp.Count, elemSize); hi != 0 || total > uint64(f.limits.MaxReadBytes) {
		return nil, fmt.Errorf("%w: %s: %d elements of %d bytes is more than %d bytes", ErrLimit, path, sp.Count, elemSize, f.limits.MaxReadBytes)
	}
	arr = &formats.Array{Type: copyDtype(tg.dtype), Shape: shape}
	if tg.kind == kindFixed {
		arr.Data = make([]byte, sp.Count*uint64(tg.dtype.Size))
	} else {
		arr.Strings = make([][]byte, sp.Count)
	}
	if sp.Count == 0 {
		return arr, nil
	}
	groups := f.rowGroupsOf(sp)
	for _, g := range groups {
		for _, l := range tg.leaves {
			if c := f.chunks[g][l]; c.size > f.limits.MaxChunkBytes {
				return nil, fmt.Errorf("%w: %s: column chunk of %d bytes (at most %d)", ErrLimit, path, c.size, f.limits.MaxChunkBytes)
			}
		}
	}

	defer func() {
		if err != nil {
			arr = nil
		}
	}()
	defer recoverCorrupt(&err)
	r := &rowReader{f: f, tg: tg, sp: sp, groups: groups, arr: arr}
	if tg.kind != kindFixed {
		r.strBytes = int64(sp.Count) * sliceHeader
	}
	if err := r.read(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return arr, nil
}

func (f *File) target(path string) (*target, error) {
	if f.table != nil && path == f.table.path {
		ts := f.table
		tg := &target{path: path, dtype: ts.dtype, kind: kindFixed, leaves: ts.leaves}
		for _, m := range ts.members {
			tg.tops = append(tg.tops, m.top)
		}
		return tg, nil
	}
	n, ok := f.datasets[path]
	if !ok {
		if why, ok := f.skipped[path]; ok {
			return nil, fmt.Errorf("%w: %s: %s", ErrUnsupported, path, why)
		}
		return nil, fmt.Errorf("%w: %s", ErrNotFound, path)
	}
	return &target{path: path, dtype: n.dtype, kind: n.kind, tops: []int{n.top}, leaves: n.leaves, node: n}, nil
}

// span is the selected rows.
type span = formats.Span

// normalize checks sel against a 1-D dataset of n rows.
func normalize(sel formats.Selection, n uint64) (span, []uint64, error) {
	spans, shape, err := sel.Spans([]uint64{n})
	if err != nil {
		return span{}, nil, err
	}
	return spans[0], shape, nil
}

// rowGroupsOf lists the row groups holding at least one selected row.
func (f *File) rowGroupsOf(sp span) []int {
	var out []int
	last := sp.Start + (sp.Count-1)*sp.Step
	for i, rg := range f.rowGroups {
		s, e := uint64(rg.start), uint64(rg.start+rg.rows)
		if e <= sp.Start || rg.rows == 0 {
			continue
		}
		if s > last {
			break
		}
		// The first selected row at or after s.
		row := sp.Start
		if s > sp.Start {
			k := (s - sp.Start + sp.Step - 1) / sp.Step
			row = sp.Start + k*sp.Step
		}
		if row < e && row <= last {
			out = append(out, i)
		}
	}
	return out
}

// rowReader reads the selected rows of a target batch by batch.
type rowReader struct {
	f      *File
	tg     *target
	sp     span
	groups []int
	arr    *formats.Array

	// Position of the next selected row: k is its index in the result,
	// sub its row number within the rows of groups (the rows the column
	// readers return).
	k    uint64
	sub  int64
	gi   int   // index in groups of the row group holding it
	base int64 // sub of the first row of groups[gi]

	strBytes int64
}

// locate sets sub (and gi, base) for the selected row k.
func (r *rowReader) locate() {
	row := int64(r.sp.Start + r.k*r.sp.Step)
	for {
		rg := r.f.rowGroups[r.groups[r.gi]]
		if row < rg.start+rg.rows {
			r.sub = r.base + row - rg.start
			return
		}
		r.base += rg.rows
		r.gi++
	}
}

func (r *rowReader) read(ctx context.Context) error {
	included := make(map[int]bool, len(r.tg.leaves))
	for _, l := range r.tg.leaves {
		included[l] = true
	}
	readers := make([]*pqarrow.ColumnReader, len(r.tg.tops))
	defer func() {
		for _, cr := range readers {
			if cr != nil {
				cr.Release()
			}
		}
	}()
	for i, top := range r.tg.tops {
		cr, err := r.f.reader.GetFieldReader(ctx, top, included, r.groups)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		if cr == nil {
			return fmt.Errorf("%w: no reader for field %d", ErrCorrupt, top)
		}
		readers[i] = cr
	}

	// The row (in the readers' numbering) after the last selected one.
	r.k = r.sp.Count - 1
	r.locate()
	end := r.sub + 1
	r.k, r.gi, r.base = 0, 0, 0
	r.locate()

	cols := make([]arrow.Array, len(readers))
	for pos := int64(0); r.k < r.sp.Count; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(batchRows, end-pos)
		for i, cr := range readers {
			a, err := nextBatch(cr, n)
			if err != nil {
				releaseAll(cols)
				return err
			}
			cols[i] = a
		}
		err := r.take(cols, pos, pos+n)
		releaseAll(cols)
		if err != nil {
			return err
		}
		pos += n
	}
	return nil
}

// nextBatch reads the next n rows of a field as one array.
func nextBatch(cr *pqarrow.ColumnReader, n int64) (arrow.Array, error) {
	chunked, err := cr.NextBatch(n)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	defer chunked.Release()
	if int64(chunked.Len()) != n {
		return nil, fmt.Errorf("%w: a column has %d rows where the row groups promise %d", ErrCorrupt, chunked.Len(), n)
	}
	chunks := chunked.Chunks()
	if len(chunks) == 1 {
		chunks[0].Retain()
		return chunks[0], nil
	}
	a, err := array.Concatenate(chunks, memory.DefaultAllocator)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return a, nil
}

func releaseAll(as []arrow.Array) {
	for i, a := range as {
		if a != nil {
			a.Release()
			as[i] = nil
		}
	}
}

// take copies the selected rows among rows [lo, hi) of the batch cols into
// the result.
func (r *rowReader) take(cols []arrow.Array, lo, hi int64) error {
	if r.sub >= hi {
		return nil
	}
	if r.tg.node == nil {
		return r.takeTable(cols, lo, hi)
	}
	leaf, parents, err := descend(cols[0], r.tg.node.depth)
	if err != nil {
		return err
	}
	isNull := func(i int) bool {
		for _, p := range parents {
			if p.IsNull(i) {
				return true
			}
		}
		return leaf.IsNull(i)
	}
	markNull := func() {
		if r.arr.Null == nil {
			r.arr.Null = make([]bool, r.sp.Count)
		}
		r.arr.Null[r.k] = true
	}
	if r.tg.kind == kindFixed {
		put, err := putter(leaf, &r.tg.dtype)
		if err != nil {
			return err
		}
		size := uint64(r.tg.dtype.Size)
		for ; r.k < r.sp.Count && r.sub < hi; r.advance() {
			i := int(r.sub - lo)
			dst := r.arr.Data[r.k*size : (r.k+1)*size]
			if isNull(i) {
				fill(&r.tg.dtype, dst)
				markNull()
				continue
			}
			put(i, dst)
		}
		return nil
	}
	get, err := variableGetter(leaf, &r.tg.dtype)
	if err != nil {
		return err
	}
	for ; r.k < r.sp.Count && r.sub < hi; r.advance() {
		i := int(r.sub - lo)
		if isNull(i) {
			r.arr.Strings[r.k] = []byte{}
			markNull()
			continue
		}
		b := get(i)
		r.strBytes += int64(len(b))
		if r.strBytes > r.f.limits.MaxReadBytes {
			return fmt.Errorf("%w: more than %d bytes of values", ErrLimit, r.f.limits.MaxReadBytes)
		}
		if b == nil {
			b = []byte{}
		}
		r.arr.Strings[r.k] = b
	}
	return nil
}

// takeTable copies the selected rows of the table's members.
func (r *rowReader) takeTable(cols []arrow.Array, lo, hi int64) error {
	members := r.tg.dtype.Members
	puts := make([]putFunc, len(cols))
	for j, c := range cols {
		var err error
		if puts[j], err = putter(c, members[j].Type); err != nil {
			return fmt.Errorf("member %q: %w", members[j].Name, err)
		}
	}
	size := uint64(r.tg.dtype.Size)
	for ; r.k < r.sp.Count && r.sub < hi; r.advance() {
		i := int(r.sub - lo)
		row := r.arr.Data[r.k*size : (r.k+1)*size]
		for j, m := range members {
			puts[j](i, row[m.Offset:m.Offset+m.Type.Size])
		}
	}
	return nil
}

// advance moves to the next selected row.
func (r *rowReader) advance() {
	r.k++
	if r.k < r.sp.Count {
		r.locate()
	}
}

// descend walks from a top-level field's array through depth structs (each
// filtered to the one field on the dataset's path) to the dataset's array.
func descend(a arrow.Array, depth int) (leaf arrow.Array, parents []arrow.Array, err error) {
	for range depth {
		s, ok := storage(a).(*array.Struct)
		if !ok || s.NumField() != 1 {
			return nil, nil, fmt.Errorf("%w: Arrow %s where a struct of one field was expected", ErrCorrupt, a.DataType())
		}
		parents = append(parents, s)
		a = s.Field(0)
	}
	return a, parents, nil
}
