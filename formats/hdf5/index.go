package hdf5

import (
	"encoding/json"
	"fmt"
	"math/bits"
	"strings"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/chunks"
	"github.com/sciswift/sciswift/formats/domain"
)

// IndexVersion is the version of the Index JSON written now; ParseIndex
// refuses others, so a stored index from an older server is rebuilt.
const IndexVersion = 1

// Layouts of a dataset's raw data, as libhdf5 names them.
const (
	LayoutContiguous = "contiguous"
	LayoutChunked    = "chunked"
	LayoutCompact    = "compact"
	LayoutExternal   = "external" // raw data in other files: never read
	LayoutVirtual    = "virtual"  // mapped from other datasets: never read
)

// Bounds ParseIndex enforces on untrusted indexes. The worker stops at the
// exported ones too, so that what it writes is what ParseIndex accepts.
const (
	MaxRank       = 32 // H5S_MAX_RANK
	MaxGroupDepth = 256
	MaxTypeDepth  = 16
	maxTypeSize   = 1 << 30
	maxChunkBytes = 1 << 32 // stored size of one chunk (HDF5's own limit)
)

// Index is everything the worker learned about one HDF5 object, serialised
// as JSON and kept beside the object. Size is the object's size when indexed.
type Index struct {
	Version int    `json:"version"`
	Size    int64  `json:"size"`
	Root    *Group `json:"root"`

	// validated is set by ParseIndex, so Open need not check again.
	validated bool
}

// Group is a group and what it links to. A dataset or group reachable by two
// hard links appears under both paths; a group already visited (a link
// cycle) appears again without its members.
type Group struct {
	Path       string              `json:"path"`
	Attributes []formats.Attribute `json:"attributes,omitempty"`
	Groups     []*Group            `json:"groups,omitempty"`
	Datasets   []*Dataset          `json:"datasets,omitempty"`
}

// Dataset is one dataset and where its elements are in the object.
type Dataset struct {
	Path  string        `json:"path"`
	Type  formats.Dtype `json:"type"`
	Shape []uint64      `json:"shape"`
	// MaxShape has -1 for unlimited dimensions; absent when equal to Shape.
	MaxShape []int64 `json:"maxshape,omitempty"`
	// NullSpace marks a dataset with no dataspace at all (h5py.Empty); its
	// Shape is empty and it has no elements.
	NullSpace  bool                `json:"null_space,omitempty"`
	Layout     string              `json:"layout"`
	Chunks     []uint64            `json:"chunks,omitempty"`
	Filters    []domain.Filter     `json:"filters,omitempty"`
	Fill       []byte              `json:"fill,omitempty"` // one element, as stored; absent: zeros
	Attributes []formats.Attribute `json:"attributes,omitempty"`
	// Unsupported, when set, says why the dataset cannot be read at all.
	Unsupported string `json:"unsupported,omitempty"`

	// Where the elements are: Extent for contiguous data (absent when
	// never written: all fill), Compact for compact data, ChunkTable for
	// chunked data (chunks never written are absent: all fill).
	Extent     *Extent     `json:"extent,omitempty"`
	Compact    []byte      `json:"compact,omitempty"`
	ChunkTable *ChunkTable `json:"chunk_table,omitempty"`
}

// Extent is a byte range of the object.
type Extent struct {
	Offset uint64 `json:"offset"`
	Size   uint64 `json:"size"`
}

// ChunkTable lists the allocated chunks of a dataset as parallel arrays, so
// a million chunks stay a few numbers each in JSON: chunk i has grid index
// Coords[i*rank : (i+1)*rank], its stored bytes at Offsets[i] for Sizes[i]
// bytes, and filter mask Masks[i] (bit j set: filter j skipped; Masks is
// absent when every mask is 0).
type ChunkTable struct {
	Coords  []uint64 `json:"coords"`
	Offsets []uint64 `json:"offsets"`
	Sizes   []uint64 `json:"sizes"`
	Masks   []uint32 `json:"masks,omitempty"`
}

// Len is the number of chunks in the table.
func (t *ChunkTable) Len() int { return len(t.Offsets) }

// Marshal serialises the index.
func (idx *Index) Marshal() ([]byte, error) { return json.Marshal(idx) }

// ParseIndex decodes and validates an index: every path, dtype, shape, chunk
// coordinate and byte range, so the reader can use it without further checks.
// Errors wrap formats.ErrCorrupt.
func ParseIndex(data []byte) (*Index, error) {
	var idx Index
	if err := json.Unmarshal(data, &idx); err != nil {
		return nil, fmt.Errorf("%w: HDF5 index: %v", formats.ErrCorrupt, err)
	}
	if err := idx.validate(); err != nil {
		return nil, fmt.Errorf("%w: HDF5 index: %v", formats.ErrCorrupt, err)
	}
	idx.validated = true
	return &idx, nil
}

func (idx *Index) validate() error {
	if idx.Version != IndexVersion {
		return fmt.Errorf("version %d, want %d", idx.Version, IndexVersion)
	}
	if idx.Size < 0 {
		return fmt.Errorf("negative object size %d", idx.Size)
	}
	if idx.Root == nil || idx.Root.Path != "/" {
		return fmt.Errorf("no root group")
	}
	return idx.validateGroup(idx.Root, 0)
}

func (idx *Index) validateGroup(g *Group, depth int) error {
	if depth > MaxGroupDepth {
		return fmt.Errorf("%s: groups nested deeper than %d", g.Path, MaxGroupDepth)
	}
	if err := validateAttributes(g.Path, g.Attributes); err != nil {
		return err
	}
	for _, c := range g.Groups {
		if c == nil || !isChild(g.Path, c.Path) {
			return fmt.Errorf("%s: bad child group", g.Path)
		}
		if err := idx.validateGroup(c, depth+1); err != nil {
			return err
		}
	}
	for _, d := range g.Datasets {
		if d == nil || !isChild(g.Path, d.Path) {
			return fmt.Errorf("%s: bad child dataset", g.Path)
		}
		if err := idx.validateDataset(d); err != nil {
			return fmt.Errorf("%s: %v", d.Path, err)
		}
	}
	return nil
}

// isChild reports whether path is one link below parent.
func isChild(parent, path string) bool {
	prefix := parent
	if prefix != "/" {
		prefix += "/"
	}
	name, ok := strings.CutPrefix(path, prefix)
	return ok && name != "" && name != "." && name != ".." && !strings.Contains(name, "/")
}

func validateAttributes(owner string, attrs []formats.Attribute) error {
	for _, a := range attrs {
		if err := validateDtype(&a.Type, 0); err != nil {
			return fmt.Errorf("%s: attribute %q: %v", owner, a.Name, err)
		}
		if len(a.Shape) > MaxRank {
			return fmt.Errorf("%s: attribute %q: rank %d", owner, a.Name, len(a.Shape))
		}
	}
	return nil
}

func (idx *Index) validateDataset(d *Dataset) error {
	if err := validateDtype(&d.Type, 0); err != nil {
		return err
	}
	if err := validateAttributes(d.Path, d.Attributes); err != nil {
		return err
	}
	rank := len(d.Shape)
	if rank > MaxRank {
		return fmt.Errorf("rank %d > %d", rank, MaxRank)
	}
	if d.NullSpace && rank != 0 {
		return fmt.Errorf("null dataspace with a shape")
	}
	elems, ok := formats.Elements(d.Shape)
	if !ok {
		return fmt.Errorf("shape %v overflows", d.Shape)
	}
	if d.NullSpace {
		elems = 0
	}
	nbytes, ok := mul(elems, uint64(d.Type.Size))
	if !ok {
		return fmt.Errorf("%d elements of %d bytes overflow", elems, d.Type.Size)
	}
	if err := validateMaxShape(d.Shape, d.MaxShape); err != nil {
		return err
	}
	if len(d.Filters) > 32 {
		return fmt.Errorf("%d filters", len(d.Filters))
	}
	if len(d.Fill) != 0 && len(d.Fill) != d.Type.Size {
		return fmt.Errorf("fill value of %d bytes for %d-byte elements", len(d.Fill), d.Type.Size)
	}
	switch d.Layout {
	case LayoutContiguous, LayoutChunked, LayoutCompact, LayoutExternal, LayoutVirtual:
	default:
		return fmt.Errorf("unknown layout %q", d.Layout)
	}
	if d.Layout != LayoutChunked && (len(d.Chunks) != 0 || d.ChunkTable != nil) {
		return fmt.Errorf("chunks on a %s dataset", d.Layout)
	}
	if d.Layout != LayoutContiguous && d.Extent != nil {
		return fmt.Errorf("extent on a %s dataset", d.Layout)
	}
	if d.Layout != LayoutCompact && d.Compact != nil {
		return fmt.Errorf("compact bytes on a %s dataset", d.Layout)
	}
	variable := d.Type.ContainsVariable()
	switch d.Layout {
	case LayoutContiguous:
		if e := d.Extent; e != nil {
			if !idx.inObject(e.Offset, e.Size) {
				return fmt.Errorf("extent %d+%d outside the %d-byte object", e.Offset, e.Size, idx.Size)
			}
			if !variable && e.Size != nbytes {
				return fmt.Errorf("extent of %d bytes for %d bytes of elements", e.Size, nbytes)
			}
		}
	case LayoutCompact:
		if !variable && uint64(len(d.Compact)) != nbytes {
			return fmt.Errorf("%d compact bytes for %d bytes of elements", len(d.Compact), nbytes)
		}
	case LayoutChunked:
		return idx.validateChunks(d)
	}
	return nil
}

func validateMaxShape(shape []uint64, maxShape []int64) error {
	if maxShape == nil {
		return nil
	}
	if len(maxShape) != len(shape) {
		return fmt.Errorf("maxshape rank %d for shape rank %d", len(maxShape), len(shape))
	}
	for i, m := range maxShape {
		if m != -1 && (m < 0 || uint64(m) < shape[i]) {
			return fmt.Errorf("maxshape %v below shape %v", maxShape, shape)
		}
	}
	return nil
}

func (idx *Index) validateChunks(d *Dataset) error {
	g := chunks.Grid{Dims: d.Shape, Chunk: d.Chunks}
	if len(d.Chunks) == 0 {
		return fmt.Errorf("chunked without a chunk shape")
	}
	if err := g.Validate(); err != nil {
		return err
	}
	if _, ok := mul(g.ChunkElems(), uint64(max(d.Type.Size, 1))); !ok {
		return fmt.Errorf("chunk %v of %d-byte elements overflows", d.Chunks, d.Type.Size)
	}
	t := d.ChunkTable
	if t == nil {
		return fmt.Errorf("chunked without a chunk table")
	}
	n, rank := len(t.Offsets), len(d.Shape)
	if len(t.Sizes) != n || (t.Masks != nil && len(t.Masks) != n) || len(t.Coords) != n*rank {
		return fmt.Errorf("chunk table arrays of unequal lengths")
	}
	grid := g.NumChunks()
	seen := make(map[uint64]struct{}, n)
	for i := range n {
		coord := t.Coords[i*rank : (i+1)*rank]
		for k, c := range coord {
			if c >= grid[k] {
				return fmt.Errorf("chunk %v outside the %v grid", coord, grid)
			}
		}
		lin := g.Linear(coord)
		if _, dup := seen[lin]; dup {
			return fmt.Errorf("chunk %v listed twice", coord)
		}
		seen[lin] = struct{}{}
		if t.Sizes[i] > maxChunkBytes || !idx.inObject(t.Offsets[i], t.Sizes[i]) {
			return fmt.Errorf("chunk %v at %d+%d outside the %d-byte object", coord, t.Offsets[i], t.Sizes[i], idx.Size)
		}
	}
	return nil
}

func (idx *Index) inObject(off, n uint64) bool {
	end, carry := bits.Add64(off, n, 0)
	return carry == 0 && end <= uint64(idx.Size)
}

func validateDtype(t *formats.Dtype, depth int) error {
	if depth > MaxTypeDepth {
		return fmt.Errorf("dtype nested deeper than %d", MaxTypeDepth)
	}
	if t.Size < 0 || t.Size > maxTypeSize {
		return fmt.Errorf("dtype size %d", t.Size)
	}
	fixed := func() error {
		if t.Size == 0 {
			return fmt.Errorf("%s dtype of size 0", t.Class)
		}
		return nil
	}
	switch t.Class {
	case formats.ClassInteger, formats.ClassBitfield, formats.ClassFloat:
		if t.Order != formats.LittleEndian && t.Order != formats.BigEndian {
			return fmt.Errorf("%s dtype with byte order %q", t.Class, t.Order)
		}
		// Written so that huge values cannot wrap the sum past the check.
		if t.Precision < 0 || t.BitOffset < 0 || t.Precision > 8*t.Size || t.BitOffset > 8*t.Size-t.Precision {
			return fmt.Errorf("%s dtype with %d bits at %d in %d bytes", t.Class, t.Precision, t.BitOffset, t.Size)
		}
		return fixed()
	case formats.ClassString:
		if t.Variable != (t.Size == 0) {
			return fmt.Errorf("string dtype of size %d (variable %v)", t.Size, t.Variable)
		}
		return nil
	case formats.ClassOpaque:
		return fixed()
	case formats.ClassCompound:
		if len(t.Members) == 0 {
			return fmt.Errorf("compound dtype without members")
		}
		for _, m := range t.Members {
			if m.Type == nil {
				return fmt.Errorf("compound member %q without a type", m.Name)
			}
			if err := validateDtype(m.Type, depth+1); err != nil {
				return err
			}
			// Both sizes are within 0..maxTypeSize: the subtraction cannot
			// wrap, where a huge Offset plus a size could.
			if m.Offset < 0 || m.Offset > t.Size-m.Type.Size {
				return fmt.Errorf("compound member %q at %d+%d outside %d bytes", m.Name, m.Offset, m.Type.Size, t.Size)
			}
		}
		return fixed()
	case formats.ClassEnum:
		if t.Base == nil || t.Base.Class != formats.ClassInteger || t.Base.Size != t.Size {
			return fmt.Errorf("enum dtype without a %d-byte integer base", t.Size)
		}
		return validateDtype(t.Base, depth+1)
	case formats.ClassArray:
		if t.Base == nil || len(t.Dims) == 0 || len(t.Dims) > MaxRank {
			return fmt.Errorf("array dtype without base or dims")
		}
		if err := validateDtype(t.Base, depth+1); err != nil {
			return err
		}
		n := uint64(t.Base.Size)
		for _, d := range t.Dims {
			var ok bool
			if n, ok = mul(n, uint64(max(d, 0))); !ok || d <= 0 {
				return fmt.Errorf("array dtype dims %v", t.Dims)
			}
		}
		if n != uint64(t.Size) {
			return fmt.Errorf("array dtype of %d bytes with %v × %d-byte elements", t.Size, t.Dims, t.Base.Size)
		}
		return nil
	case formats.ClassVlen:
		if t.Base == nil {
			return fmt.Errorf("vlen dtype without base")
		}
		return validateDtype(t.Base, depth+1)
	}
	return fmt.Errorf("unknown dtype class %q", t.Class)
}

func mul(a, b uint64) (uint64, bool) {
	hi, lo := bits.Mul64(a, b)
	return lo, hi == 0
}
