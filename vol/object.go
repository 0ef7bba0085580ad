package vol

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/chunks"
	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/formats/filter"
)

// maxSoftLinks is how many soft links one path resolution may follow:
// HDF5's default H5Pset_nlinks (H5L_NUM_LINKS).
const maxSoftLinks = 16

// maxRank is HDF5's H5S_MAX_RANK.
const maxRank = 32

func newGroupObject(f *File, g *domain.Group) *Object {
	return &Object{f: f, id: g.ID, kind: domain.KindGroup, group: g}
}

func newDatasetObject(f *File, d *domain.Dataset) *Object {
	o := &Object{f: f, id: d.ID, kind: domain.KindDataset, dset: d}
	o.ds = newDSIO(o)
	return o
}

func newTypeObject(f *File, t *domain.NamedType) *Object {
	return &Object{f: f, id: t.ID, kind: domain.KindNamedType, ntype: t}
}

// hdr is the header every document kind shares.
func (o *Object) hdr() *domain.Header {
	switch o.kind {
	case domain.KindGroup:
		return &o.group.Header
	case domain.KindDataset:
		return &o.dset.Header
	default:
		return &o.ntype.Header
	}
}

// doc is the document to store.
func (o *Object) doc() any {
	switch o.kind {
	case domain.KindGroup:
		return o.group
	case domain.KindDataset:
		return o.dset
	default:
		return o.ntype
	}
}

// touch marks the document changed.
func (o *Object) touch() {
	o.dirty = true
	o.hdr().Modified = o.f.c.now().Unix()
}

// parseObject decodes and checks a stored document: documents come from
// the store and are not trusted.
func parseObject(f *File, kind domain.Kind, id uint64, data []byte) (*Object, error) {
	var o *Object
	switch kind {
	case domain.KindGroup:
		var g domain.Group
		if err := json.Unmarshal(data, &g); err != nil {
			return nil, fmt.Errorf("%w: bad group document: %v", ErrNotHDF5, err)
		}
		if err := checkGroup(&g); err != nil {
			return nil, err
		}
		o = newGroupObject(f, &g)
	case domain.KindDataset:
		var d domain.Dataset
		if err := json.Unmarshal(data, &d); err != nil {
			return nil, fmt.Errorf("%w: bad dataset document: %v", ErrNotHDF5, err)
		}
		if err := checkDataset(&d); err != nil {
			return nil, err
		}
		o = newDatasetObject(f, &d)
	case domain.KindNamedType:
		var t domain.NamedType
		if err := json.Unmarshal(data, &t); err != nil {
			return nil, fmt.Errorf("%w: bad datatype document: %v", ErrNotHDF5, err)
		}
		if err := checkDtype(t.Type); err != nil {
			return nil, err
		}
		o = newTypeObject(f, &t)
	default:
		return nil, fmt.Errorf("%w: unknown object kind %q", ErrNotHDF5, kind)
	}
	h := o.hdr()
	if h.ID != id || h.Kind != kind {
		return nil, fmt.Errorf("%w: document says %s %d, its key %s %d", ErrNotHDF5, h.Kind, h.ID, kind, id)
	}
	if h.Refcount < 0 {
		return nil, fmt.Errorf("%w: negative refcount", ErrNotHDF5)
	}
	if err := checkAttrs(h.Attributes); err != nil {
		return nil, err
	}
	return o, nil
}

func checkGroup(g *domain.Group) error {
	seen := make(map[string]bool, len(g.Links))
	for _, l := range g.Links {
		if err := checkLinkName(l.Name); err != nil {
			return fmt.Errorf("%w: group document: %v", ErrNotHDF5, err)
		}
		if seen[l.Name] {
			return fmt.Errorf("%w: group document: link %q twice", ErrNotHDF5, l.Name)
		}
		seen[l.Name] = true
		switch l.Kind {
		case domain.LinkHard:
			if l.Target == 0 || !l.TargetKind.Valid() {
				return fmt.Errorf("%w: group document: hard link %q has no target", ErrNotHDF5, l.Name)
			}
		case domain.LinkSoft:
			if l.Path == "" {
				return fmt.Errorf("%w: group document: soft link %q has no path", ErrNotHDF5, l.Name)
			}
		case domain.LinkExternal:
			if l.File == "" || l.Path == "" {
				return fmt.Errorf("%w: group document: external link %q lacks file or path", ErrNotHDF5, l.Name)
			}
		default:
			return fmt.Errorf("%w: group document: link %q of kind %q", ErrNotHDF5, l.Name, l.Kind)
		}
	}
	return nil
}

// checkLinkName refuses names HDF5 cannot have: empty, ".", or with '/'.
func checkLinkName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty link name", ErrInvalid)
	case name == ".":
		return fmt.Errorf("%w: link name \".\"", ErrInvalid)
	case strings.ContainsRune(name, '/'):
		return fmt.Errorf("%w: link name %q contains '/'", ErrInvalid, name)
	}
	return nil
}

func checkDtype(t formats.Dtype) error {
	if t.IsVariable() {
		return nil
	}
	if t.Size <= 0 || t.Size > 1<<30 {
		return fmt.Errorf("%w: dtype %s of size %d", ErrInvalid, t.Class, t.Size)
	}
	return nil
}

// spaceElems is the number of elements of a dataspace.
func spaceElems(s domain.Space) (uint64, error) {
	switch s.Class {
	case "null":
		return 0, nil
	case "scalar":
		return 1, nil
	}
	g := chunks.Grid{Dims: s.Dims, Chunk: make([]uint64, len(s.Dims))}
	for i := range g.Chunk {
		g.Chunk[i] = 1
	}
	if err := g.Validate(); err != nil {
		return 0, fmt.Errorf("%w: dataspace %v: %v", ErrInvalid, s.Dims, err)
	}
	return g.Elems(), nil
}

func checkSpace(s domain.Space) error {
	switch s.Class {
	case "null", "scalar":
		if len(s.Dims) != 0 || len(s.MaxDims) != 0 {
			return fmt.Errorf("%w: %s dataspace with dims", ErrInvalid, s.Class)
		}
		return nil
	case "simple":
	default:
		return fmt.Errorf("%w: dataspace class %q", ErrInvalid, s.Class)
	}
	if len(s.Dims) == 0 || len(s.Dims) > maxRank {
		return fmt.Errorf("%w: simple dataspace of rank %d", ErrInvalid, len(s.Dims))
	}
	if len(s.MaxDims) != 0 {
		if len(s.MaxDims) != len(s.Dims) {
			return fmt.Errorf("%w: max dims %v for dims %v", ErrInvalid, s.MaxDims, s.Dims)
		}
		for i, m := range s.MaxDims {
			if m != domain.Unlimited && m < s.Dims[i] {
				return fmt.Errorf("%w: dimension %d is %d, above its maximum %d", ErrInvalid, i, s.Dims[i], m)
			}
		}
	}
	_, err := spaceElems(s)
	return err
}

func checkDataset(d *domain.Dataset) error {
	if err := checkDtype(d.Type); err != nil {
		return fmt.Errorf("dataset document: %w", err)
	}
	if err := checkSpace(d.Space); err != nil {
		return fmt.Errorf("dataset document: %w", err)
	}
	switch d.Space.Class {
	case "simple":
		g := chunks.Grid{Dims: d.Space.Dims, Chunk: d.Layout.StoredChunks}
		if err := g.Validate(); err != nil {
			return fmt.Errorf("%w: dataset document: %v", ErrInvalid, err)
		}
		if err := checkChunkBytes(g, d.Type); err != nil {
			return fmt.Errorf("dataset document: %w", err)
		}
	default:
		if len(d.Layout.StoredChunks) != 0 {
			return fmt.Errorf("%w: dataset document: %s dataset with a chunk shape", ErrInvalid, d.Space.Class)
		}
	}
	if !d.Type.IsVariable() && d.Fill != nil && len(d.Fill) != d.Type.Size {
		return fmt.Errorf("%w: dataset document: fill value of %d bytes for %d-byte elements", ErrInvalid, len(d.Fill), d.Type.Size)
	}
	return nil
}

// maxChunkBytes bounds one stored chunk (decoded): a chunk is held whole
// in memory.
const maxChunkBytes = 1 << 31

// checkChunkBytes refuses chunks too big to hold in memory. A
// variable-length element costs at least its slice header in memory.
func checkChunkBytes(g chunks.Grid, t formats.Dtype) error {
	cost := uint64(t.Size)
	if t.IsVariable() {
		cost = 24
	}
	n := g.ChunkElems()
	if n > maxChunkBytes || n*cost > maxChunkBytes {
		return fmt.Errorf("%w: chunks of %v elements of %d bytes exceed %d bytes", ErrInvalid, g.Chunk, cost, maxChunkBytes)
	}
	return nil
}

func checkAttrs(attrs []domain.Attribute) error {
	seen := make(map[string]bool, len(attrs))
	for _, a := range attrs {
		if a.Name == "" || seen[a.Name] {
			return fmt.Errorf("%w: attribute name %q empty or repeated", ErrNotHDF5, a.Name)
		}
		seen[a.Name] = true
		if err := checkDtype(a.Type); err != nil {
			return fmt.Errorf("attribute %q: %w", a.Name, err)
		}
		if err := checkSpace(a.Space); err != nil {
			return fmt.Errorf("attribute %q: %w", a.Name, err)
		}
		n, _ := spaceElems(a.Space)
		if a.Value != nil && !a.Type.IsVariable() && uint64(len(a.Value)) != n*uint64(a.Type.Size) {
			return fmt.Errorf("%w: attribute %q holds %d bytes for %d elements of %d", ErrNotHDF5, a.Name, len(a.Value), n, a.Type.Size)
		}
		if a.Strings != nil && uint64(len(a.Strings)) != n {
			return fmt.Errorf("%w: attribute %q holds %d strings for %d elements", ErrNotHDF5, a.Name, len(a.Strings), n)
		}
	}
	return nil
}

// info is Object.Info.
func (o *Object) info() ObjectInfo {
	h := o.hdr()
	return ObjectInfo{Kind: o.kind, Token: o.id, Refcount: h.Refcount, NumAttrs: len(h.Attributes), Created: h.Created, Modified: h.Modified}
}

// ---- paths ----

// splitPath splits an HDF5 path into its components: "/" at the start
// makes it absolute; empty components and "." are skipped, as HDF5 does.
func splitPath(p string) (abs bool, comps []string) {
	abs = strings.HasPrefix(p, "/")
	for c := range strings.SplitSeq(p, "/") {
		if c != "" && c != "." {
			comps = append(comps, c)
		}
	}
	return abs, comps
}

// walkState carries the soft-link budget through one resolution.
type walkState struct{ softLeft int }

// walk follows comps from o (the root when abs).
func (o *Object) walk(w *walkState, abs bool, comps []string, full string) (*Object, error) {
	cur := o
	if abs {
		cur = o.f.root
	}
	for i, name := range comps {
		if cur.kind != domain.KindGroup {
			return nil, fmt.Errorf("%w: %q in path %q is not a group", ErrNotFound, strings.Join(comps[:i], "/"), full)
		}
		l, ok := cur.findLink(name)
		if !ok {
			return nil, fmt.Errorf("%w: no %q in path %q", ErrNotFound, name, full)
		}
		next, err := cur.follow(w, l)
		if err != nil {
			return nil, fmt.Errorf("path %q: %w", full, err)
		}
		cur = next
	}
	return cur, nil
}

// follow resolves link l of group g.
func (g *Object) follow(w *walkState, l domain.Link) (*Object, error) {
	switch l.Kind {
	case domain.LinkHard:
		ctx, cancel := g.f.ctx()
		defer cancel()
		return g.f.load(ctx, l.Target, l.TargetKind)
	case domain.LinkSoft:
		if w.softLeft == 0 {
			return nil, fmt.Errorf("%w: more than %d soft links (a loop?) at %q", ErrInvalid, maxSoftLinks, l.Name)
		}
		w.softLeft--
		abs, comps := splitPath(l.Path)
		o, err := g.walk(w, abs, comps, l.Path)
		if err != nil {
			return nil, fmt.Errorf("soft link %q -> %q: %w", l.Name, l.Path, err)
		}
		return o, nil
	default:
		return nil, fmt.Errorf("%w: external link %q -> %s:%s cannot be followed by this connector", ErrUnsupported, l.Name, l.File, l.Path)
	}
}

func (o *Object) resolve(path string) (*Object, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: empty path", ErrInvalid)
	}
	if o.gone {
		return nil, fmt.Errorf("%w: object %d was deleted", ErrNotFound, o.id)
	}
	abs, comps := splitPath(path)
	return o.walk(&walkState{softLeft: maxSoftLinks}, abs, comps, path)
}

// parentOf resolves all but the last component of path to a group and
// returns it with the last component. With create, missing groups on the
// way are created (H5Pset_create_intermediate_group).
func (o *Object) parentOf(path string, create bool) (*Object, string, error) {
	abs, comps := splitPath(path)
	if len(comps) == 0 {
		return nil, "", fmt.Errorf("%w: path %q names no link", ErrInvalid, path)
	}
	last := comps[len(comps)-1]
	if err := checkLinkName(last); err != nil {
		return nil, "", err
	}
	w := &walkState{softLeft: maxSoftLinks}
	cur := o
	if abs {
		cur = o.f.root
	}
	for i, name := range comps[:len(comps)-1] {
		if cur.kind != domain.KindGroup {
			return nil, "", fmt.Errorf("%w: %q in path %q is not a group", ErrNotFound, strings.Join(comps[:i], "/"), path)
		}
		l, ok := cur.findLink(name)
		if !ok {
			if !create {
				return nil, "", fmt.Errorf("%w: no %q in path %q", ErrNotFound, name, path)
			}
			g, err := cur.newGroup(name, nil)
			if err != nil {
				return nil, "", err
			}
			cur = g
			continue
		}
		next, err := cur.follow(w, l)
		if err != nil {
			return nil, "", fmt.Errorf("path %q: %w", path, err)
		}
		cur = next
	}
	if cur.kind != domain.KindGroup {
		return nil, "", fmt.Errorf("%w: parent of %q in path %q is not a group", ErrNotFound, last, path)
	}
	return cur, last, nil
}

// newHeader starts the header of a new object.
func (f *File) newHeader(kind domain.Kind, cpl []byte) domain.Header {
	now := f.c.now().Unix()
	return domain.Header{ID: f.newID(), Kind: kind, Created: now, Modified: now, CPL: clone(cpl)}
}

// newGroup creates a group linked as name in g ("" for an anonymous one).
func (g *Object) newGroup(name string, gcpl []byte) (*Object, error) {
	if name != "" {
		if _, ok := g.findLink(name); ok {
			return nil, fmt.Errorf("%w: link %q", ErrExists, name)
		}
	}
	doc := &domain.Group{Header: g.f.newHeader(domain.KindGroup, gcpl), Links: []domain.Link{}}
	o := g.f.adopt(newGroupObject(g.f, doc))
	o.dirty = true
	if name != "" {
		g.insertLink(domain.Link{Name: name, Kind: domain.LinkHard, Target: o.id, TargetKind: o.kind})
		o.group.Refcount = 1
	}
	return o, nil
}

// createAt makes a new object at path via mk, which receives the group
// the object will be linked in and the link name ("" and o for an
// anonymous object).
func (o *Object) createAt(path string, intermediate bool, mk func() (*Object, error)) (*Object, error) {
	if err := o.f.checkWritable(); err != nil {
		return nil, err
	}
	if path == "" {
		return mk()
	}
	parent, name, err := o.parentOf(path, intermediate)
	if err != nil {
		return nil, err
	}
	if _, ok := parent.findLink(name); ok {
		return nil, fmt.Errorf("creating %q: %w", path, ErrExists)
	}
	obj, err := mk()
	if err != nil {
		return nil, err
	}
	parent.insertLink(domain.Link{Name: name, Kind: domain.LinkHard, Target: obj.id, TargetKind: obj.kind})
	obj.hdr().Refcount = 1
	return obj, nil
}

func (o *Object) createGroup(path string, intermediate bool, gcpl []byte) (*Object, error) {
	return o.createAt(path, intermediate, func() (*Object, error) {
		doc := &domain.Group{Header: o.f.newHeader(domain.KindGroup, gcpl), Links: []domain.Link{}}
		g := o.f.adopt(newGroupObject(o.f, doc))
		g.dirty = true
		return g, nil
	})
}

func (o *Object) commitType(path string, intermediate bool, t formats.Dtype, tcpl []byte) (*Object, error) {
	if err := checkDtype(t); err != nil {
		return nil, err
	}
	return o.createAt(path, intermediate, func() (*Object, error) {
		doc := &domain.NamedType{Header: o.f.newHeader(domain.KindNamedType, tcpl), Type: t}
		n := o.f.adopt(newTypeObject(o.f, doc))
		n.dirty = true
		return n, nil
	})
}

func (o *Object) createDataset(path string, intermediate bool, spec DatasetSpec) (*Object, error) {
	if err := checkDtype(spec.Type); err != nil {
		return nil, err
	}
	if err := checkSpace(spec.Space); err != nil {
		return nil, err
	}
	layout, err := storedLayout(spec)
	if err != nil {
		return nil, err
	}
	if err := o.f.checkTypeRef(spec.TypeRef); err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	fill := clone(spec.Fill)
	if spec.Type.IsVariable() {
		fill = nil // variable-length elements read as NULL until written
	} else if fill != nil && len(fill) != spec.Type.Size {
		return nil, fmt.Errorf("%w: fill value of %d bytes for %d-byte elements", ErrInvalid, len(fill), spec.Type.Size)
	}
	space := domain.Space{Class: spec.Space.Class, Dims: clone(spec.Space.Dims), MaxDims: clone(spec.Space.MaxDims)}
	return o.createAt(path, intermediate, func() (*Object, error) {
		doc := &domain.Dataset{Header: o.f.newHeader(domain.KindDataset, spec.DCPL), Type: spec.Type, Space: space, Layout: layout, Fill: fill}
		if spec.TypeRef != nil {
			doc.TypeRef = spec.TypeRef.id
			// A dataset using a committed type holds a reference to it,
			// as in HDF5 (H5Oget_info on the type counts it).
			spec.TypeRef.ntype.Refcount++
			spec.TypeRef.touch()
		}
		d := o.f.adopt(newDatasetObject(o.f, doc))
		d.dirty = true
		return d, nil
	})
}

// checkTypeRef accepts a named datatype of f, or nil, as the type of a new
// dataset or attribute.
func (f *File) checkTypeRef(t *Object) error {
	if t == nil {
		return nil
	}
	if t.kind != domain.KindNamedType || t.f != f {
		return fmt.Errorf("%w: a type to share must be a committed datatype of the same file", ErrInvalid)
	}
	if t.gone || t.unlinked {
		// Native HDF5 would let an open id keep the unlinked type alive;
		// here it is queued for deletion with the references it held.
		return fmt.Errorf("%w: named datatype %d was deleted", ErrNotFound, t.id)
	}
	return nil
}

// storedLayout checks the requested layout and fills StoredChunks.
func storedLayout(spec DatasetSpec) (domain.Layout, error) {
	l := spec.Layout
	l.Chunks = clone(l.Chunks)
	l.Filters = clone(l.Filters)
	switch l.Class {
	case "contiguous", "compact", "chunked":
	case "":
		l.Class = "contiguous"
	default:
		return l, fmt.Errorf("%w: layout %q", ErrInvalid, l.Class)
	}
	dims := spec.Space.Dims
	if spec.Space.Class != "simple" {
		if l.Class == "chunked" {
			return l, fmt.Errorf("%w: a %s dataset cannot be chunked", ErrInvalid, spec.Space.Class)
		}
		l.StoredChunks = nil
		return l, nil
	}
	if l.Class == "chunked" {
		if len(l.Chunks) != len(dims) {
			return l, fmt.Errorf("%w: chunk shape %v for a rank-%d dataset", ErrInvalid, l.Chunks, len(dims))
		}
		for i, c := range l.Chunks {
			if c == 0 {
				return l, fmt.Errorf("%w: chunk dimension %d is 0", ErrInvalid, i)
			}
			if m := spec.Space.MaxDims; len(m) > 0 && m[i] != domain.Unlimited && c > m[i] {
				return l, fmt.Errorf("%w: chunk dimension %d (%d) exceeds the maximum dimension %d", ErrInvalid, i, c, m[i])
			}
		}
	} else {
		for i, m := range spec.Space.MaxDims {
			if m != dims[i] {
				return l, fmt.Errorf("%w: only chunked datasets can be extendible (dimension %d: %d of max %d)", ErrInvalid, i, dims[i], m)
			}
		}
		if len(l.Filters) > 0 {
			return l, fmt.Errorf("%w: filters need a chunked layout", ErrInvalid)
		}
	}
	if len(l.StoredChunks) == 0 {
		size := spec.Type.Size
		if spec.Type.IsVariable() {
			size = varElemEstimate
		}
		l.StoredChunks = chunks.StoredChunkShape(l.Class, dims, spec.Space.MaxDims, l.Chunks, size)
	} else {
		l.StoredChunks = clone(l.StoredChunks)
	}
	g := chunks.Grid{Dims: dims, Chunk: l.StoredChunks}
	if err := g.Validate(); err != nil {
		return l, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := checkChunkBytes(g, spec.Type); err != nil {
		return l, err
	}
	elem := spec.Type.Size
	if spec.Type.IsVariable() {
		elem = 1
	}
	if err := filter.Check(l.Filters, elem); err != nil {
		return l, fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	return l, nil
}

// varElemEstimate is the per-element size the chunk policy assumes for
// variable-length elements (a short string and its length prefix).
const varElemEstimate = 16
