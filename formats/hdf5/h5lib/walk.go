package h5lib

/*
#include "h5lib.h"
*/
import "C"

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unsafe"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/formats/hdf5"
	"github.com/sciswift/sciswift/formats/hdf5/pipe"
	gonum "gonum.org/v1/hdf5"
)

const (
	maxAttrBytes   = 1 << 20 // larger attribute values are described without their value
	maxFilterParam = 32
)

// walker carries the groups already entered, so a hard-link cycle is entered
// once. Tokens compare as their bytes, as libhdf5's native ones do.
type walker struct {
	seen map[C.H5O_token_t]struct{}
}

func buildIndex(file *gonum.File, size uint64) (*hdf5.Index, error) {
	// libhdf5 takes a file's id for its root group wherever a location is
	// asked for: the walk starts there rather than opening "/" once more
	// (which is never to be closed as a group).
	root, err := (&walker{seen: map[C.H5O_token_t]struct{}{}}).group(&gonum.Group{CommonFG: file.CommonFG}, "/", 0)
	if err != nil {
		return nil, err
	}
	return &hdf5.Index{Version: hdf5.IndexVersion, Size: int64(size), Root: root}, nil
}

// objectInfo is libhdf5's object info, which gonum does not wrap: the
// token that tells whether a group was entered, and the attribute count.
func objectInfo(obj C.hid_t, fields C.uint) (C.H5O_info2_t, error) {
	var info C.H5O_info2_t
	if C.H5Oget_info3(obj, &info, fields) < 0 {
		return info, fmt.Errorf("object info: %s", lastError())
	}
	return info, nil
}

func (w *walker) entered(tok C.H5O_token_t) bool {
	if _, ok := w.seen[tok]; ok {
		return true
	}
	w.seen[tok] = struct{}{}
	return false
}

func childPath(parent, name string) string {
	if parent == "/" {
		return "/" + name
	}
	return parent + "/" + name
}

func (w *walker) group(g *gonum.Group, path string, depth int) (*hdf5.Group, error) {
	if depth > hdf5.MaxGroupDepth {
		return nil, fail(pipe.FailLimit, "%s: groups nested deeper than %d", path, hdf5.MaxGroupDepth)
	}
	grp := &hdf5.Group{Path: path}
	info, err := objectInfo(hid(g), C.H5O_INFO_BASIC|C.H5O_INFO_NUM_ATTRS)
	if err != nil {
		return nil, fail(pipe.FailCorrupt, "%s: %v", path, err)
	}
	if w.entered(info.token) {
		return grp, nil
	}
	if grp.Attributes, err = attributes(g, int(info.num_attrs)); err != nil {
		return nil, fail(pipe.FailCorrupt, "%s: %v", path, err)
	}
	// The count first, as gonum's NumObjects: an empty group is never
	// iterated, which in an old-style group would read its name heap.
	n, err := g.NumObjects()
	if err != nil {
		return nil, fail(pipe.FailCorrupt, "%s: group info: %s", path, lastError())
	}
	if n == 0 {
		return grp, nil
	}
	links, err := groupLinks(g)
	if err != nil {
		return nil, fail(pipe.FailCorrupt, "%s: %v", path, err)
	}
	for _, l := range links[:min(n, uint(len(links)))] {
		if err := w.link(g, grp, l, depth); err != nil {
			return nil, err
		}
	}
	return grp, nil
}

// groupLink is one link of a group, as h5w_links lists it.
type groupLink struct {
	name  string
	hard  bool
	otype C.H5O_type_t // of a hard link's target; H5O_TYPE_UNKNOWN if not known
}

// groupLinks lists the links of g in name order in one libhdf5 iteration:
// gonum's ObjectNameByIndex finds each link by index, and each lookup by
// index sorts (or walks) all the group's links once more.
func groupLinks(g *gonum.Group) ([]groupLink, error) {
	var list C.h5w_links_t
	defer C.h5w_links_free(&list)
	if C.h5w_links(hid(g), &list) < 0 {
		return nil, fmt.Errorf("link %d: %s", list.n, lastError())
	}
	links := make([]groupLink, list.n)
	for i, l := range unsafe.Slice(list.links, list.n) {
		links[i] = groupLink{name: C.GoString(l.name), hard: l.hard != 0, otype: l.otype}
	}
	return links, nil
}

// link adds what link l of group g points to. Soft and external links are
// left out: following them could leave the file.
func (w *walker) link(g *gonum.Group, grp *hdf5.Group, l groupLink, depth int) error {
	name := l.name
	path := childPath(grp.Path, name)
	if name == "" || name == "." || name == ".." || strings.Contains(name, "/") {
		return nil // unreachable by path; libhdf5 should never produce it
	}
	if !l.hard {
		return nil
	}
	typ, err := l.targetType(g)
	if err != nil {
		return fail(pipe.FailCorrupt, "%s: %v", path, err)
	}
	switch typ {
	case C.H5O_TYPE_GROUP:
		sub, err := g.OpenGroup(name)
		if err != nil {
			return fail(pipe.FailCorrupt, "%s: cannot open: %s", path, lastError())
		}
		defer sub.Close()
		child, err := w.group(sub, path, depth+1)
		if err != nil {
			return err
		}
		grp.Groups = append(grp.Groups, child)
	case C.H5O_TYPE_DATASET:
		d, err := g.OpenDataset(name)
		if err != nil {
			return fail(pipe.FailCorrupt, "%s: cannot open: %s", path, lastError())
		}
		defer d.Close()
		ds, err := dataset(d, path)
		if err != nil {
			return err
		}
		grp.Datasets = append(grp.Datasets, ds)
	}
	return nil
}

// targetType is the type of what hard link l of g points to. h5w_links
// looked it up while listing; a lookup that failed there is made again
// here, when the walk reaches the link, for libhdf5's error stack.
func (l groupLink) targetType(g *gonum.Group) (C.H5O_type_t, error) {
	if l.otype != C.H5O_TYPE_UNKNOWN {
		return l.otype, nil
	}
	cname := C.CString(l.name)
	defer C.free(unsafe.Pointer(cname))
	var link C.H5L_info2_t
	if C.H5Lget_info2(hid(g), cname, &link, C.H5P_DEFAULT) < 0 {
		return 0, errors.New(lastError())
	}
	if link._type != C.H5L_TYPE_HARD {
		return C.H5O_TYPE_UNKNOWN, nil // never followed
	}
	var info C.H5O_info2_t
	if C.H5Oget_info_by_name3(hid(g), cname, &info, C.H5O_INFO_BASIC, C.H5P_DEFAULT) < 0 {
		return 0, fmt.Errorf("cannot open: %s", lastError())
	}
	return info._type, nil
}

func dataset(d *gonum.Dataset, path string) (*hdf5.Dataset, error) {
	ds := &hdf5.Dataset{Path: path}
	info, err := objectInfo(hid(d), C.H5O_INFO_NUM_ATTRS)
	if err != nil {
		return nil, fail(pipe.FailCorrupt, "%s: %v", path, err)
	}
	tid := C.H5Dget_type(hid(d))
	if tid < 0 {
		return nil, fail(pipe.FailCorrupt, "%s: datatype: %s", path, lastError())
	}
	defer C.H5Tclose(tid)
	if ds.Type, ds.Unsupported, err = dtype(tid, 0); err != nil {
		return nil, fail(pipe.FailCorrupt, "%s: %v", path, err)
	}
	if err := shape(d, ds); err != nil {
		return nil, fail(pipe.FailCorrupt, "%s: %v", path, err)
	}
	dcpl := C.H5Dget_create_plist(hid(d))
	if dcpl < 0 {
		return nil, fail(pipe.FailCorrupt, "%s: creation properties: %s", path, lastError())
	}
	defer C.H5Pclose(dcpl)
	if ds.Filters, err = filters(dcpl); err != nil {
		return nil, fail(pipe.FailCorrupt, "%s: %v", path, err)
	}
	if !ds.Type.ContainsVariable() {
		ds.Fill = fillValue(dcpl, tid, ds.Type.Size)
	}
	if err := layout(hid(d), dcpl, tid, ds); err != nil {
		return nil, fail(pipe.FailCorrupt, "%s: %v", path, err)
	}
	if ds.Attributes, err = attributes(d, int(info.num_attrs)); err != nil {
		return nil, fail(pipe.FailCorrupt, "%s: %v", path, err)
	}
	return ds, nil
}

func shape(d *gonum.Dataset, ds *hdf5.Dataset) error {
	space := d.Space()
	if space == nil {
		return fmt.Errorf("dataspace: %s", lastError())
	}
	defer space.Close()
	dims, maxDims, null, err := extent(space)
	if err != nil {
		return err
	}
	ds.Shape, ds.NullSpace = dims, null
	for i, m := range maxDims {
		if m != dims[i] {
			ds.MaxShape = make([]int64, len(dims))
			for k, m := range maxDims {
				ds.MaxShape[k] = int64(m)
				if m == ^uint64(0) { // H5S_UNLIMITED
					ds.MaxShape[k] = -1
				}
			}
			break
		}
	}
	return nil
}

// extent is a dataspace's dims and maxdims; null reports H5S_NULL.
func extent(space *gonum.Dataspace) (dims, maxDims []uint64, null bool, err error) {
	switch space.SimpleExtentType() {
	case gonum.S_NULL:
		return []uint64{}, nil, true, nil
	case gonum.S_SCALAR:
		return []uint64{}, nil, false, nil
	}
	// gonum's SimpleExtentDims indexes its slices: rank 0 (or an error's
	// -1) must not reach it.
	rank := space.SimpleExtentNDims()
	if rank < 0 || rank > hdf5.MaxRank {
		return nil, nil, false, fmt.Errorf("dataspace of rank %d", rank)
	}
	dims, maxDims = make([]uint64, rank), make([]uint64, rank)
	if rank == 0 {
		return dims, maxDims, false, nil
	}
	d, m, err := space.SimpleExtentDims()
	if err != nil {
		return nil, nil, false, fmt.Errorf("dataspace: %s", lastError())
	}
	for i := range rank {
		dims[i], maxDims[i] = uint64(d[i]), uint64(m[i])
	}
	return dims, maxDims, false, nil
}

func filters(dcpl C.hid_t) ([]domain.Filter, error) {
	n := int(C.H5Pget_nfilters(dcpl))
	var out []domain.Filter
	for i := range max(n, 0) {
		var flags C.uint
		nparams := C.size_t(maxFilterParam)
		params := make([]C.uint, maxFilterParam)
		name := make([]byte, 256)
		id := C.h5w_filter(dcpl, C.uint(i), &flags, &nparams, &params[0], (*C.char)(unsafe.Pointer(&name[0])), C.size_t(len(name)))
		if id < 0 {
			return nil, fmt.Errorf("filter %d: %s", i, lastError())
		}
		f := domain.Filter{ID: int(id), Name: string(name[:max(bytes.IndexByte(name, 0), 0)]), Optional: flags&C.H5Z_FLAG_OPTIONAL != 0}
		for _, p := range params[:min(int(nparams), maxFilterParam)] {
			f.Params = append(f.Params, uint32(p))
		}
		out = append(out, f)
	}
	return out, nil
}

// fillValue is one element of the fill value as stored, or nil for zeros.
func fillValue(dcpl, tid C.hid_t, size int) []byte {
	var status C.H5D_fill_value_t
	if size <= 0 || C.H5Pfill_value_defined(dcpl, &status) < 0 || status == C.H5D_FILL_VALUE_UNDEFINED {
		return nil
	}
	buf := make([]byte, size)
	if C.H5Pget_fill_value(dcpl, tid, unsafe.Pointer(&buf[0])) < 0 || !bytes.ContainsFunc(buf, func(r rune) bool { return r != 0 }) {
		return nil
	}
	return buf
}

func layout(d, dcpl, tid C.hid_t, ds *hdf5.Dataset) error {
	switch C.H5Pget_layout(dcpl) {
	case C.H5D_CHUNKED:
		return chunked(d, dcpl, ds)
	case C.H5D_CONTIGUOUS:
		if C.H5Pget_external_count(dcpl) > 0 {
			ds.Layout = hdf5.LayoutExternal
			ds.Unsupported = "raw data in external files is not served"
			return nil
		}
		ds.Layout = hdf5.LayoutContiguous
		if off := C.H5Dget_offset(d); off != C.HADDR_UNDEF {
			ds.Extent = &hdf5.Extent{Offset: uint64(off), Size: uint64(C.H5Dget_storage_size(d))}
		}
		return nil
	case C.H5D_COMPACT:
		ds.Layout = hdf5.LayoutCompact
		return compactBytes(d, tid, ds)
	case C.H5D_VIRTUAL:
		ds.Layout = hdf5.LayoutVirtual
		ds.Unsupported = "virtual datasets are not served"
		return nil
	}
	return fmt.Errorf("unknown layout")
}

func chunked(d, dcpl C.hid_t, ds *hdf5.Dataset) error {
	ds.Layout = hdf5.LayoutChunked
	rank := len(ds.Shape)
	if rank == 0 {
		return fmt.Errorf("chunked dataset without dimensions")
	}
	dims := make([]C.hsize_t, rank)
	if int(C.H5Pget_chunk(dcpl, C.int(rank), &dims[0])) != rank {
		return fmt.Errorf("chunk shape: %s", lastError())
	}
	for _, c := range dims {
		if c == 0 {
			return fmt.Errorf("chunk dimension 0")
		}
		ds.Chunks = append(ds.Chunks, uint64(c))
	}
	var tab C.h5w_chunks_t
	if C.h5w_chunks(d, C.int(rank), &tab) < 0 {
		C.h5w_chunks_free(&tab)
		return fmt.Errorf("chunk index: %s", lastError())
	}
	defer C.h5w_chunks_free(&tab)
	n := int(tab.n)
	t := &hdf5.ChunkTable{Coords: make([]uint64, 0, n*rank), Offsets: make([]uint64, n), Sizes: make([]uint64, n)}
	if n > 0 {
		coords := unsafe.Slice((*uint64)(unsafe.Pointer(tab.coords)), n*rank)
		for i, c := range coords {
			t.Coords = append(t.Coords, c/ds.Chunks[i%rank])
		}
		copy(t.Offsets, unsafe.Slice((*uint64)(unsafe.Pointer(tab.offsets)), n))
		copy(t.Sizes, unsafe.Slice((*uint64)(unsafe.Pointer(tab.sizes)), n))
		masks := unsafe.Slice((*uint32)(unsafe.Pointer(tab.masks)), n)
		for _, m := range masks {
			if m != 0 {
				t.Masks = append([]uint32(nil), masks...)
				break
			}
		}
	}
	ds.ChunkTable = t
	return nil
}

func compactBytes(d, tid C.hid_t, ds *hdf5.Dataset) error {
	if ds.Type.ContainsVariable() || ds.Unsupported != "" || ds.NullSpace {
		return nil
	}
	n, _ := formats.Elements(ds.Shape)
	size := n * uint64(ds.Type.Size)
	ds.Compact = make([]byte, size)
	if size == 0 {
		return nil
	}
	if C.H5Dread(d, tid, C.H5S_ALL, C.H5S_ALL, C.H5P_DEFAULT, unsafe.Pointer(&ds.Compact[0])) < 0 {
		return fmt.Errorf("compact data: %s", lastError())
	}
	return nil
}
