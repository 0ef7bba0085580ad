package main

// Connector objects, locations and errors: what every callback shares.

/*
#include "cabi.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime/cgo"
	"strings"
	"unsafe"

	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/vol"
)

// objKind is what a handle stands for, in HDF5's terms.
type objKind int

const (
	kindFile objKind = iota + 1
	kindGroup
	kindDataset
	kindDatatype
	kindAttr
)

// handle is one connector object HDF5 holds (one per id, roughly). Each holds
// its own reference to the file, so a file stays open while any of its
// objects is, as HDF5's default "weak" file close degree has it.
type handle struct {
	id   cgo.Handle
	kind objKind
	file *vol.File
	obj  *vol.Object // group, dataset, datatype; an attribute's object; nil for a file
	attr *vol.Attr
	// path is the absolute path the object was reached by (H5Iget_name), ""
	// when unknown (opened by token) or anonymous.
	path string
}

// object is the object the handle stands for; a file stands for its root
// group, as in HDF5.
func (h *handle) object() *vol.Object {
	if h.kind == kindFile {
		return h.file.Root()
	}
	return h.obj
}

// objectPath is the path of object(): "/" for a file.
func (h *handle) objectPath() string {
	if h.kind == kindFile {
		return "/"
	}
	return h.path
}

// register makes a connector object of h, which must already own a file
// reference, and returns its value for HDF5.
func (p *plugin) register(h *handle) C.uintptr_t {
	h.id = cgo.NewHandle(h)
	p.handles[h.id] = h
	return C.uintptr_t(h.id)
}

// handleFor returns a new handle of the kind that fits o, sharing f.
func (p *plugin) handleFor(f *vol.File, o *vol.Object, path string) (*handle, error) {
	k, err := kindOf(o)
	if err != nil {
		return nil, err
	}
	return &handle{kind: k, file: f.Reopen(), obj: o, path: path}, nil
}

func kindOf(o *vol.Object) (objKind, error) {
	switch o.Kind() {
	case domain.KindGroup:
		return kindGroup, nil
	case domain.KindDataset:
		return kindDataset, nil
	case domain.KindNamedType:
		return kindDatatype, nil
	}
	return 0, fmt.Errorf("%w: object of unknown kind %q", vol.ErrInvalid, o.Kind())
}

// lookup resolves a connector object HDF5 passed back.
func (p *plugin) lookup(obj C.uintptr_t) (*handle, error) {
	if obj == 0 {
		return nil, fmt.Errorf("%w: no object", vol.ErrInvalid)
	}
	h, ok := p.handles[cgo.Handle(obj)]
	if !ok {
		return nil, fmt.Errorf("%w: not a sciswift object", vol.ErrInvalid)
	}
	return h, nil
}

// release ends a handle: HDF5 closed its id. The file reference goes with it
// (the last one flushes); the file's saved access list goes with the last
// handle on the file.
func (p *plugin) release(h *handle) error {
	delete(p.handles, h.id)
	h.id.Delete()
	err := h.file.Close()
	if fapl, ok := p.fapls[h.file]; ok && !p.fileInUse(h.file) {
		delete(p.fapls, h.file)
		if C.H5Iis_valid(fapl) > 0 {
			C.H5Pclose(fapl)
		}
	}
	return err
}

func (p *plugin) fileInUse(f *vol.File) bool {
	for _, h := range p.handles {
		if h.file == f {
			return true
		}
	}
	return false
}

// ---- locations ----

// lookupAt is lookup followed by locate: the handle obj names and the
// object (with its path) that loc names relative to it, which is where most
// callbacks taking a location start.
func (p *plugin) lookupAt(obj C.uintptr_t, loc *C.sw_loc_t) (*handle, *vol.Object, string, error) {
	h, err := p.lookup(obj)
	if err != nil {
		return nil, nil, "", err
	}
	o, path, err := p.locate(h, loc)
	return h, o, path, err
}

// locate resolves a location relative to h to an object and its path.
func (p *plugin) locate(h *handle, loc *C.sw_loc_t) (*vol.Object, string, error) {
	base, basePath := h.object(), h.objectPath()
	switch loc.kind {
	case C.H5VL_OBJECT_BY_SELF:
		return base, basePath, nil
	case C.H5VL_OBJECT_BY_NAME:
		name := C.GoString(loc.name)
		o, err := base.Resolve(name)
		if err != nil {
			return nil, "", err
		}
		return o, joinPath(basePath, name), nil
	case C.H5VL_OBJECT_BY_IDX:
		grp, grpPath, link, err := p.linkByIdx(h, loc)
		if err != nil {
			return nil, "", err
		}
		o, err := grp.Resolve(link.Name)
		if err != nil {
			return nil, "", err
		}
		return o, joinPath(grpPath, link.Name), nil
	case C.H5VL_OBJECT_BY_TOKEN:
		o, err := h.file.ObjectByToken(uint64(loc.token))
		if err != nil {
			return nil, "", err
		}
		return o, "", nil
	}
	return nil, "", fmt.Errorf("%w: location type %d", vol.ErrInvalid, loc.kind)
}

// linkByIdx finds the group a BY_IDX location names and the link at its
// position.
func (p *plugin) linkByIdx(h *handle, loc *C.sw_loc_t) (*vol.Object, string, domain.Link, error) {
	grp, grpPath, err := resolveFrom(h, C.GoString(loc.name))
	if err != nil {
		return nil, "", domain.Link{}, err
	}
	order, err := linkOrder(loc.idx_type, loc.order)
	if err != nil {
		return nil, "", domain.Link{}, err
	}
	links, err := grp.Links(order)
	if err != nil {
		return nil, "", domain.Link{}, err
	}
	if uint64(loc.n) >= uint64(len(links)) {
		return nil, "", domain.Link{}, fmt.Errorf("%w: link index %d out of range (group has %d links)",
			vol.ErrNotFound, uint64(loc.n), len(links))
	}
	return grp, grpPath, links[loc.n], nil
}

// resolveFrom resolves name ("." for the object itself) relative to h.
func resolveFrom(h *handle, name string) (*vol.Object, string, error) {
	base, basePath := h.object(), h.objectPath()
	if name == "" || name == "." {
		return base, basePath, nil
	}
	o, err := base.Resolve(name)
	if err != nil {
		return nil, "", err
	}
	return o, joinPath(basePath, name), nil
}

// linkOrder maps HDF5's index type and iteration order. H5_ITER_NATIVE is
// increasing order: there is no faster order to offer.
func linkOrder(idxType, order C.int) (vol.LinkOrder, error) {
	var o vol.LinkOrder
	switch idxType {
	case C.H5_INDEX_NAME:
	case C.H5_INDEX_CRT_ORDER:
		o.ByCreation = true
	default:
		return o, fmt.Errorf("%w: index type %d", vol.ErrInvalid, int(idxType))
	}
	switch order {
	case C.H5_ITER_INC, C.H5_ITER_NATIVE:
	case C.H5_ITER_DEC:
		o.Decreasing = true
	default:
		return o, fmt.Errorf("%w: iteration order %d", vol.ErrInvalid, int(order))
	}
	return o, nil
}

// joinPath is the absolute path of name relative to base; "" when base is
// unknown and name relative. "." components and repeated slashes drop out;
// ".." is an ordinary link name in HDF5 and stays.
func joinPath(base, name string) string {
	if !strings.HasPrefix(name, "/") {
		if base == "" {
			return ""
		}
		name = base + "/" + name
	}
	var parts []string
	for _, c := range strings.Split(name, "/") {
		if c != "" && c != "." {
			parts = append(parts, c)
		}
	}
	return "/" + strings.Join(parts, "/")
}

// lastComponent splits a link path into its parent part and the last name.
func lastComponent(path string) (parent, name string) {
	path = strings.TrimRight(path, "/")
	i := strings.LastIndex(path, "/")
	if i < 0 {
		return ".", path
	}
	if i == 0 {
		return "/", path[1:]
	}
	return path[:i], path[i+1:]
}

// findPath searches the file's hard links, breadth first from the root, for
// a path to target: H5Iget_name of an object reached by token.
func findPath(f *vol.File, target *vol.Object) (string, error) {
	root := f.Root()
	if root.Token() == target.Token() {
		return "/", nil
	}
	type entry struct {
		o    *vol.Object
		path string
	}
	seen := map[uint64]bool{root.Token(): true}
	queue := []entry{{root, "/"}}
	for len(queue) > 0 {
		e := queue[0]
		queue = queue[1:]
		links, err := e.o.Links(vol.LinkOrder{})
		if err != nil {
			return "", err
		}
		for _, l := range links {
			if l.Kind != domain.LinkHard {
				continue
			}
			p := joinPath(e.path, l.Name)
			if l.Target == target.Token() {
				return p, nil
			}
			if l.TargetKind == domain.KindGroup && !seen[l.Target] {
				seen[l.Target] = true
				child, err := f.ObjectByToken(l.Target)
				if err != nil {
					return "", err
				}
				queue = append(queue, entry{child, p})
			}
		}
	}
	return "", nil
}

// ---- errors ----

// pushError puts err on HDF5's error stack as "sciswift: <message>". It must
// be the last HDF5 call of a failing callback: every public HDF5 function
// clears the stack on entry.
func pushError(where string, err error) {
	msg := err.Error()
	if !strings.HasPrefix(msg, "sciswift:") {
		msg = "sciswift: " + msg
	}
	cw, cm := C.CString(where), C.CString(msg)
	defer C.free(unsafe.Pointer(cw))
	defer C.free(unsafe.Pointer(cm))
	C.sw_push_error(cw, cm)
}

// errStopped is no failure: an iteration callback asked to stop.
var errStopped = errors.New("iteration stopped")

// guard turns a panic in a callback into an error on HDF5's stack and the
// failure value, so a bug fails one call instead of the program.
func guard[T any](where string, ret *T, failed T) {
	if r := recover(); r != nil {
		pushError(where, fmt.Errorf("internal error: %v", r))
		*ret = failed
	}
}

// status runs a callback that returns herr_t.
func status(where string, fn func(p *plugin) error) (ret C.herr_t) {
	defer guard(where, &ret, -1)
	p, err := thePlugin()
	if err == nil {
		err = fn(p)
	}
	if err != nil {
		pushError(where, err)
		return -1
	}
	return 0
}

// object runs a callback that returns a connector object (0 on failure).
func object(where string, fn func(p *plugin) (*handle, error)) (ret C.uintptr_t) {
	defer guard(where, &ret, 0)
	p, err := thePlugin()
	var h *handle
	if err == nil {
		h, err = fn(p)
	}
	if err != nil {
		pushError(where, err)
		return 0
	}
	return p.register(h)
}

// identifier runs a callback that returns a new HDF5 id (-1 on failure).
func identifier(where string, fn func(p *plugin) (C.hid_t, error)) (ret C.hid_t) {
	defer guard(where, &ret, -1)
	p, err := thePlugin()
	id := C.hid_t(-1)
	if err == nil {
		id, err = fn(p)
	}
	if err != nil {
		pushError(where, err)
		return -1
	}
	return id
}

// errUnsupported makes the message for an operation the connector lacks.
func errUnsupported(what string) error {
	return fmt.Errorf("%s %w", what, vol.ErrUnsupported)
}

// copyName answers a get-name call the HDF5 way: *length is the full length
// of s; buf (if any) gets as much of s as fits with a terminating NUL.
func copyName(buf *C.char, size C.size_t, length *C.size_t, s string) {
	if length != nil {
		*length = C.size_t(len(s))
	}
	if buf == nil || size == 0 {
		return
	}
	dst := unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(size))
	n := copy(dst[:len(dst)-1], s)
	dst[n] = 0
}
