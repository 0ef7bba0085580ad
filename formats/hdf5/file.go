package hdf5

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/chunks"
	"github.com/sciswift/sciswift/formats/filter"
	"github.com/sciswift/sciswift/formats/selection"
)

// File is an uploaded HDF5 object opened through its Index: it implements
// formats.File.
type File struct {
	obj      formats.Object
	ix       *Indexer
	tree     *formats.Tree
	datasets map[string]*dataset
}

// dataset is an indexed dataset with what reading it needs.
type dataset struct {
	*Dataset
	desc *formats.Dataset

	once    sync.Once
	chunkAt map[uint64]int // grid's Linear index → row of the chunk table
}

// Open serves obj through idx, which must come from ParseIndex (or Build) for
// this very object. ix runs the worker for the datasets the Go reader cannot
// serve; it may be nil, and those reads then fail with ErrNoWorker.
func Open(obj formats.Object, idx *Index, ix *Indexer) (*File, error) {
	if idx == nil || idx.Root == nil {
		return nil, fmt.Errorf("%w: no HDF5 index", formats.ErrCorrupt)
	}
	if idx.Size != obj.Size() {
		return nil, fmt.Errorf("%w: HDF5 index for %d bytes, object has %d", formats.ErrCorrupt, idx.Size, obj.Size())
	}
	// An index built in memory gets the checks a parsed one had.
	if !idx.validated {
		if err := idx.validate(); err != nil {
			return nil, fmt.Errorf("%w: HDF5 index: %v", formats.ErrCorrupt, err)
		}
	}
	f := &File{obj: obj, ix: ix, datasets: map[string]*dataset{}}
	f.tree = &formats.Tree{Format: Format, Root: f.describe(idx.Root)}
	return f, nil
}

func (f *File) describe(g *Group) *formats.Group {
	out := &formats.Group{Path: g.Path, Attributes: g.Attributes}
	for _, c := range g.Groups {
		out.Groups = append(out.Groups, f.describe(c))
	}
	for _, d := range g.Datasets {
		desc := &formats.Dataset{Path: d.Path, Type: d.Type, Shape: d.Shape, Chunks: d.Chunks, Attributes: d.Attributes}
		if d.NullSpace {
			// No dataspace at all (h5py.Empty): to a reader, no elements.
			desc.Shape = []uint64{0}
		}
		for _, flt := range d.Filters {
			desc.Filters = append(desc.Filters, filter.Name(flt.ID, flt.Name))
		}
		out.Datasets = append(out.Datasets, desc)
		if _, dup := f.datasets[d.Path]; !dup {
			f.datasets[d.Path] = &dataset{Dataset: d, desc: desc}
		}
	}
	return out
}

// Tree is the file as `h5dump -H` shows it.
func (f *File) Tree() *formats.Tree { return f.tree }

// Dataset returns the description of the dataset at path.
func (f *File) Dataset(path string) (*formats.Dataset, bool) {
	d, ok := f.datasets[path]
	if !ok {
		return nil, false
	}
	return d.desc, true
}

// Read returns the selected elements, as stored (byte order included).
func (f *File) Read(ctx context.Context, path string, sel formats.Selection) (*formats.Array, error) {
	d, ok := f.datasets[path]
	if !ok {
		return nil, fmt.Errorf("%w: %s", formats.ErrNotFound, path)
	}
	if d.Unsupported != "" {
		return nil, fmt.Errorf("%w: %s: %s", formats.ErrUnsupported, path, d.Unsupported)
	}
	if len(sel) == 0 && len(d.desc.Shape) > 0 {
		sel = selection.All(d.desc.Shape)
	}
	if err := checkSelection(sel, d.desc.Shape); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sel = indexesAsRanges(sel)
	if d.NullSpace {
		return &formats.Array{Type: d.Type, Shape: []uint64{0}, Data: []byte{}}, nil
	}
	if why := d.needsWorker(); why != "" {
		if f.ix == nil {
			return nil, fmt.Errorf("%s (%s): %w", path, why, ErrNoWorker)
		}
		return f.readWorker(ctx, d, sel)
	}
	return f.read(ctx, d, sel)
}

// needsWorker says why the Go reader cannot serve d, or "".
func (d *dataset) needsWorker() string {
	if d.Type.ContainsVariable() {
		return "variable-length elements"
	}
	if d.Layout != LayoutChunked {
		return ""
	}
	for _, flt := range d.Filters {
		if !filter.Supported(flt.ID) {
			return "filter " + filter.Name(flt.ID, flt.Name)
		}
	}
	return ""
}

// chunkIndex maps grid positions to chunk table rows, built on first use.
func (d *dataset) chunkIndex() map[uint64]int {
	d.once.Do(func() {
		g := chunks.Grid{Dims: d.Shape, Chunk: d.Chunks}
		t, rank := d.ChunkTable, len(d.Shape)
		d.chunkAt = make(map[uint64]int, t.Len())
		for i := range t.Len() {
			d.chunkAt[g.Linear(t.Coords[i*rank:(i+1)*rank])] = i
		}
	})
	return d.chunkAt
}

func checkSelection(sel formats.Selection, shape []uint64) error {
	if len(sel) != len(shape) {
		return fmt.Errorf("%w: %d ranges for a %d-dimensional dataset", formats.ErrSelection, len(sel), len(shape))
	}
	for i, r := range sel {
		if r.Index {
			if r.Start >= shape[i] {
				return fmt.Errorf("%w: index %d outside 0..%d in dimension %d", formats.ErrSelection, r.Start, shape[i], i)
			}
			continue
		}
		if r.Step == 0 || r.Start > r.Stop || r.Stop > shape[i] {
			return fmt.Errorf("%w: %d:%d:%d does not fit 0..%d in dimension %d", formats.ErrSelection, r.Start, r.Stop, r.Step, shape[i], i)
		}
	}
	return nil
}

// indexesAsRanges gives each single index the Stop and Step selection.Parse
// writes, which callers may leave out: both readers, the worker's too, then
// count it as one element with selection.Len. sel must have been checked.
func indexesAsRanges(sel formats.Selection) formats.Selection {
	out := slices.Clone(sel)
	for i, r := range out {
		if r.Index {
			out[i].Stop, out[i].Step = r.Start+1, 1
		}
	}
	return out
}

// readWorker reads d with libhdf5 in a child, and checks that the answer is
// what was asked for.
func (f *File) readWorker(ctx context.Context, d *dataset, sel formats.Selection) (*formats.Array, error) {
	arr, err := f.ix.readWorker(ctx, f.obj, d.Path, sel)
	if err != nil {
		return nil, err
	}
	want := selection.Shape(sel)
	if !slices.Equal(arr.Shape, want) || !reflect.DeepEqual(arr.Type, d.Type) {
		return nil, fmt.Errorf("%w: %s: the worker answered %v %s for %v %s", formats.ErrIndexer, d.Path, arr.Shape, arr.Type.Class, want, d.Type.Class)
	}
	return arr, nil
}
