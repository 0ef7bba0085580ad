package volfile

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/formats/encode"
	"github.com/sciswift/sciswift/formats/filter"
)

// File is a VOL-written file opened for describing and reading.
type File struct {
	doc      *domain.File
	store    formats.ObjectStore
	tree     *formats.Tree
	datasets map[string]*dataset // by every path the dataset is reachable at
	maxChunk uint64              // bytes of the largest chunk Read decodes
}

// dataset is one dataset at one path.
type dataset struct {
	doc   *domain.Dataset
	model *formats.Dataset
}

// Open is Load followed by FromDomain, without checking again what Load
// has just checked.
func Open(ctx context.Context, store formats.ObjectStore, name string) (*File, error) {
	f, err := Load(ctx, store, name)
	if err != nil {
		return nil, err
	}
	return build(f, store)
}

// FromDomain builds the dataset model of a loaded file; store is where Read
// fetches chunks. f is checked again (it may come from a cache or a caller
// other than Load) and must not be modified afterwards.
func FromDomain(f *domain.File, store formats.ObjectStore) (*File, error) {
	if err := checkFile(f); err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	return build(f, store)
}

// build is FromDomain for a file already checked, by Load or checkFile.
func build(f *domain.File, store formats.ObjectStore) (*File, error) {
	vf := &File{doc: f, store: store, datasets: map[string]*dataset{}, maxChunk: maxChunkBytes}
	b := &treeBuilder{f: vf, onPath: map[uint64]bool{}}
	root, err := b.group(f.Manifest.Root, "/")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	vf.tree = &formats.Tree{Format: Format, Root: root}
	return vf, nil
}

func (f *File) Tree() *formats.Tree { return f.tree }

func (f *File) Dataset(path string) (*formats.Dataset, bool) {
	ds, ok := f.datasets[path]
	if !ok {
		return nil, false
	}
	return ds.model, true
}

// checkFile checks every document of f as Load does, and that every
// reference points at a document of the kind it says.
func checkFile(f *domain.File) error {
	if err := f.Manifest.Check(); err != nil {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if len(f.Groups)+len(f.Datasets)+len(f.Types) > maxObjects {
		return fmt.Errorf("%w: more than %d objects", ErrLimit, maxObjects)
	}
	if f.Groups[f.Manifest.Root] == nil {
		return fmt.Errorf("%w: no root group %d", ErrCorrupt, f.Manifest.Root)
	}
	exists := func(r docRef) bool {
		switch r.kind {
		case domain.KindGroup:
			return f.Groups[r.id] != nil
		case domain.KindDataset:
			return f.Datasets[r.id] != nil
		case domain.KindNamedType:
			return f.Types[r.id] != nil
		}
		return false
	}
	checkRefs := func(refs []docRef) error {
		for _, r := range refs {
			if !exists(r) {
				return fmt.Errorf("%w: %s %d is referred to but missing", ErrCorrupt, r.kind, r.id)
			}
		}
		return nil
	}
	for id, g := range f.Groups {
		if g == nil {
			return fmt.Errorf("%w: group %d has no document", ErrCorrupt, id)
		}
		if err := checkHeader(&g.Header, domain.KindGroup, id); err != nil {
			return err
		}
		if err := checkGroup(g); err != nil {
			return err
		}
		if err := checkRefs(groupRefs(g)); err != nil {
			return err
		}
	}
	for id, d := range f.Datasets {
		if d == nil {
			return fmt.Errorf("%w: dataset %d has no document", ErrCorrupt, id)
		}
		if err := checkHeader(&d.Header, domain.KindDataset, id); err != nil {
			return err
		}
		if err := checkDataset(d); err != nil {
			return err
		}
		if err := checkRefs(datasetRefs(d)); err != nil {
			return err
		}
	}
	for id, t := range f.Types {
		if t == nil {
			return fmt.Errorf("%w: datatype %d has no document", ErrCorrupt, id)
		}
		if err := checkHeader(&t.Header, domain.KindNamedType, id); err != nil {
			return err
		}
		if err := checkType(&t.Type, 0); err != nil {
			return fmt.Errorf("datatype %d: %w", id, err)
		}
		if err := checkRefs(attrRefs(t.Attributes)); err != nil {
			return err
		}
	}
	return nil
}

// treeBuilder walks the groups from the root, depth first.
type treeBuilder struct {
	f      *File
	nodes  int
	onPath map[uint64]bool // groups between the root and the current one: a hard link back to one is a cycle
}

func (b *treeBuilder) count() error {
	b.nodes++
	if b.nodes > maxTreeNodes {
		return fmt.Errorf("%w: more than %d groups and datasets (counting each path)", ErrLimit, maxTreeNodes)
	}
	return nil
}

// group builds the group id at path and everything under it.
func (b *treeBuilder) group(id uint64, path string) (*formats.Group, error) {
	if err := b.count(); err != nil {
		return nil, err
	}
	g := b.f.doc.Groups[id]
	out := &formats.Group{Path: path, Attributes: attributes(g.Attributes)}
	b.onPath[id] = true
	defer delete(b.onPath, id)
	links := slices.Clone(g.Links)
	// h5dump and h5ls list links by name.
	slices.SortFunc(links, func(a, c domain.Link) int { return strings.Compare(a.Name, c.Name) })
	for _, l := range links {
		target, ok := b.target(id, l)
		if !ok {
			continue
		}
		child := joinPath(path, l.Name)
		switch target.kind {
		case domain.KindGroup:
			if b.onPath[target.id] {
				continue
			}
			sub, err := b.group(target.id, child)
			if err != nil {
				return nil, err
			}
			out.Groups = append(out.Groups, sub)
		case domain.KindDataset:
			if err := b.count(); err != nil {
				return nil, err
			}
			ds := b.dataset(target.id, child)
			out.Datasets = append(out.Datasets, ds)
		}
	}
	return out, nil
}

// target is what a link of group id leads to; false for external links
// and soft links that do not resolve inside the file.
func (b *treeBuilder) target(group uint64, l domain.Link) (docRef, bool) {
	switch l.Kind {
	case domain.LinkHard:
		return docRef{l.TargetKind, l.Target}, true
	case domain.LinkSoft:
		return b.f.resolve(group, l.Path, 0)
	}
	return docRef{}, false
}

// resolve follows path (absolute, or relative to group from) through hard
// and soft links, as H5Oopen would; depth counts the soft links followed.
func (f *File) resolve(from uint64, path string, depth int) (docRef, bool) {
	if depth >= maxSoftLinks {
		return docRef{}, false
	}
	cur := docRef{domain.KindGroup, from}
	if strings.HasPrefix(path, "/") {
		cur.id = f.doc.Manifest.Root
	}
	for _, name := range strings.Split(path, "/") {
		if name == "" || name == "." {
			continue
		}
		g := f.doc.Groups[cur.id]
		if cur.kind != domain.KindGroup || g == nil {
			return docRef{}, false
		}
		i := slices.IndexFunc(g.Links, func(l domain.Link) bool { return l.Name == name })
		if i < 0 {
			return docRef{}, false
		}
		switch l := g.Links[i]; l.Kind {
		case domain.LinkHard:
			cur = docRef{l.TargetKind, l.Target}
		case domain.LinkSoft:
			next, ok := f.resolve(cur.id, l.Path, depth+1)
			if !ok {
				return docRef{}, false
			}
			cur = next
		default:
			return docRef{}, false
		}
	}
	return cur, true
}

func joinPath(parent, name string) string {
	if parent == "/" {
		return "/" + name
	}
	return parent + "/" + name
}

// dataset builds and records the dataset id at path.
func (b *treeBuilder) dataset(id uint64, path string) *formats.Dataset {
	d := b.f.doc.Datasets[id]
	m := &formats.Dataset{Path: path, Type: d.Type, Shape: shape(d.Space), Attributes: attributes(d.Attributes)}
	if d.Layout.Class == "chunked" {
		m.Chunks = slices.Clone(d.Layout.Chunks)
		if len(m.Chunks) == 0 {
			m.Chunks = slices.Clone(d.Layout.StoredChunks)
		}
	}
	for _, flt := range d.Layout.Filters {
		m.Filters = append(m.Filters, filter.Name(flt.ID, flt.Name))
	}
	b.f.datasets[path] = &dataset{doc: d, model: m}
	return m
}

// shape is the dataset model's shape of a dataspace: none for a scalar, [0]
// for a null dataspace (no elements; the model has no null).
func shape(s domain.Space) []uint64 {
	switch s.Class {
	case "scalar":
		return []uint64{}
	case "null":
		return []uint64{0}
	}
	return slices.Clone(s.Dims)
}

// attributes converts stored attributes, sorted by name as h5dump shows
// them.
func attributes(attrs []domain.Attribute) []formats.Attribute {
	if len(attrs) == 0 {
		return nil
	}
	out := make([]formats.Attribute, 0, len(attrs))
	for i := range attrs {
		out = append(out, attribute(&attrs[i]))
	}
	slices.SortFunc(out, func(a, c formats.Attribute) int { return strings.Compare(a.Name, c.Name) })
	return out
}

func attribute(a *domain.Attribute) formats.Attribute {
	out := formats.Attribute{Name: a.Name, Type: a.Type}
	if a.Space.Class == "simple" {
		out.Shape = slices.Clone(a.Space.Dims)
	}
	if a.Space.Class == "null" {
		return out
	}
	arr, ok := attrArray(a)
	if !ok {
		return out
	}
	var buf bytes.Buffer
	if err := encode.WriteJSON(&buf, arr); err != nil {
		return out // a type the encoders cannot show: described without a value
	}
	dec := json.NewDecoder(&buf)
	dec.UseNumber() // 64-bit integers stay exact
	var v any
	if dec.Decode(&v) == nil {
		out.Value = v
	}
	return out
}

// attrArray is the attribute's value as an Array; false when there is
// none to show (a huge attribute never written).
func attrArray(a *domain.Attribute) (*formats.Array, bool) {
	n := spaceElems(a.Space)
	arr := &formats.Array{Type: a.Type, Shape: shape(a.Space)}
	switch {
	case a.Strings != nil:
		arr.Strings = make([][]byte, len(a.Strings))
		arr.Null = make([]bool, len(a.Strings))
		for i, s := range a.Strings {
			if s == nil {
				arr.Null[i] = true
			} else {
				arr.Strings[i] = []byte(*s)
			}
		}
	case a.Type.IsVariable():
		if a.Value == nil {
			if n > maxAttrBytes/24 {
				return nil, false
			}
			arr.Strings = make([][]byte, n) // never written: all NULL
		} else {
			vals, err := domain.DecodeVarChunk(a.Value, n)
			if err != nil {
				return nil, false
			}
			arr.Strings = vals
		}
		if a.Type.Class == formats.ClassString {
			arr.Null = make([]bool, n)
			for i, v := range arr.Strings {
				arr.Null[i] = v == nil
			}
		}
	case a.Value != nil:
		arr.Data = a.Value
	default:
		// Never written: HDF5 reads zeros.
		if n*uint64(a.Type.Size) > maxAttrBytes {
			return nil, false
		}
		arr.Data = make([]byte, n*uint64(a.Type.Size))
	}
	return arr, true
}
