package main

// Object callbacks (H5O*, H5Iget_name, H5Iget_file_id).

/*
#include "cabi.h"
*/
import "C"

import (
	"errors"
	"unsafe"

	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/vol"
)

//export swObjectOpen
func swObjectOpen(obj C.uintptr_t, loc *C.sw_loc_t, opened *C.H5I_type_t) C.uintptr_t {
	return object("H5Oopen", func(p *plugin) (*handle, error) {
		h, o, path, err := p.lookupAt(obj, loc)
		if err != nil {
			return nil, err
		}
		nh, err := p.handleFor(h.file, o, path)
		if err != nil {
			return nil, err
		}
		switch nh.kind {
		case kindGroup:
			*opened = C.H5I_GROUP
		case kindDataset:
			*opened = C.H5I_DATASET
		case kindDatatype:
			*opened = C.H5I_DATATYPE
		}
		return nh, nil
	})
}

// swObjectGetFile is the file of an object (H5Iget_file_id). HDF5 looks
// for an id already standing for the returned object, so an open file
// handle of the same file is returned when there is one; otherwise a new one
// that HDF5 registers.
//
//export swObjectGetFile
func swObjectGetFile(obj C.uintptr_t) (ret C.uintptr_t) {
	defer guard("H5Iget_file_id", &ret, 0)
	p, err := thePlugin()
	var h *handle
	if err == nil {
		h, err = p.lookup(obj)
	}
	if err != nil {
		pushError("H5Iget_file_id", err)
		return 0
	}
	if h.kind == kindFile {
		return obj
	}
	for id, o := range p.handles {
		if o.kind == kindFile && o.file == h.file {
			return C.uintptr_t(id)
		}
	}
	return p.register(&handle{kind: kindFile, file: h.file.Reopen(), path: "/"})
}

//export swObjectGetName
func swObjectGetName(obj C.uintptr_t, loc *C.sw_loc_t, buf *C.char, size C.size_t, length *C.size_t) C.herr_t {
	return status("H5Iget_name", func(p *plugin) error {
		h, o, path, err := p.lookupAt(obj, loc)
		if err != nil {
			return err
		}
		if path == "" {
			if path, err = findPath(h.file, o); err != nil {
				return err
			}
			if loc.kind == C.H5VL_OBJECT_BY_SELF && h.kind != kindFile {
				h.path = path
			}
		}
		copyName(buf, size, length, path)
		return nil
	})
}

func objectType(k domain.Kind) C.H5O_type_t {
	switch k {
	case domain.KindGroup:
		return C.H5O_TYPE_GROUP
	case domain.KindDataset:
		return C.H5O_TYPE_DATASET
	case domain.KindNamedType:
		return C.H5O_TYPE_NAMED_DATATYPE
	}
	return C.H5O_TYPE_UNKNOWN
}

//export swObjectGetType
func swObjectGetType(obj C.uintptr_t, loc *C.sw_loc_t, typ *C.H5O_type_t) C.herr_t {
	return status("H5Oget_info", func(p *plugin) error {
		_, o, _, err := p.lookupAt(obj, loc)
		if err != nil {
			return err
		}
		*typ = objectType(o.Kind())
		return nil
	})
}

// fillObjectInfo answers H5Oget_info3 for the requested fields. The store
// keeps creation and modification times; access and change time read as the
// modification time.
func fillObjectInfo(f *vol.File, o *vol.Object, fields C.uint, oi *C.H5O_info2_t) {
	*oi = C.H5O_info2_t{}
	in := o.Info()
	if fields&C.H5O_INFO_BASIC != 0 {
		oi.fileno = C.ulong(f.FileNo())
		C.sw_token_set(&oi.token, C.uint64_t(in.Token))
		oi._type = objectType(in.Kind)
		oi.rc = C.uint(in.Refcount)
	}
	if fields&C.H5O_INFO_TIME != 0 {
		oi.atime = C.time_t(in.Modified)
		oi.mtime = C.time_t(in.Modified)
		oi.ctime = C.time_t(in.Modified)
		oi.btime = C.time_t(in.Created)
	}
	if fields&C.H5O_INFO_NUM_ATTRS != 0 {
		oi.num_attrs = C.hsize_t(in.NumAttrs)
	}
}

//export swObjectGetInfo
func swObjectGetInfo(obj C.uintptr_t, loc *C.sw_loc_t, fields C.uint, oi *C.H5O_info2_t) C.herr_t {
	return status("H5Oget_info", func(p *plugin) error {
		h, o, _, err := p.lookupAt(obj, loc)
		if err != nil {
			return err
		}
		fillObjectInfo(h.file, o, fields, oi)
		return nil
	})
}

// swObjectExists is H5Oexists_by_name: false for a missing last component
// or a dangling soft link, an error for a missing intermediate one.
//
//export swObjectExists
func swObjectExists(obj C.uintptr_t, loc *C.sw_loc_t, exists *C.hbool_t) C.herr_t {
	return status("H5Oexists_by_name", func(p *plugin) error {
		h, err := p.lookup(obj)
		if err != nil {
			return err
		}
		*exists = false
		if loc.kind == C.H5VL_OBJECT_BY_SELF {
			*exists = true
			return nil
		}
		if loc.kind != C.H5VL_OBJECT_BY_NAME {
			_, _, err := p.locate(h, loc)
			*exists = C.hbool_t(err == nil)
			if errors.Is(err, vol.ErrNotFound) {
				return nil
			}
			return err
		}
		name := C.GoString(loc.name)
		if joinPath("/", name) != "/" {
			ok, err := h.object().LinkExists(name)
			if err != nil || !ok {
				return err
			}
		}
		_, err = h.object().Resolve(name)
		if errors.Is(err, vol.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		*exists = true
		return nil
	})
}

//export swObjectLookup
func swObjectLookup(obj C.uintptr_t, loc *C.sw_loc_t, token *C.H5O_token_t) C.herr_t {
	return status("H5Oget_token", func(p *plugin) error {
		_, o, _, err := p.lookupAt(obj, loc)
		if err != nil {
			return err
		}
		C.sw_token_set(token, C.uint64_t(o.Token()))
		return nil
	})
}

// swObjectVisit is H5Ovisit3: the starting object as ".", then every object
// reachable from it through hard links, once each, depth first.
//
//export swObjectVisit
func swObjectVisit(obj C.uintptr_t, loc *C.sw_loc_t, idxType, order C.int, fields C.uint,
	op C.H5O_iterate2_t, opData unsafe.Pointer) C.herr_t {
	return iterate("H5Ovisit", func(p *plugin) (C.herr_t, error) {
		h, start, startPath, err := p.lookupAt(obj, loc)
		if err != nil {
			return -1, err
		}
		lo, err := linkOrder(idxType, order)
		if err != nil {
			return -1, err
		}
		id, done, err := p.wrapID(h.file, start, startPath)
		if err != nil {
			return -1, err
		}
		defer done()
		var firstErr error
		call := func(name string, o *vol.Object) C.herr_t {
			var info C.H5O_info2_t
			fillObjectInfo(h.file, o, fields, &info)
			cname := C.CString(name)
			defer C.free(unsafe.Pointer(cname))
			return C.sw_call_object_op(op, id, cname, &info, opData)
		}
		if r := call(".", start); r != 0 || start.Kind() != domain.KindGroup {
			return r, nil
		}
		seen := map[uint64]bool{start.Token(): true}
		r, err := visitLinks(h.file, start, "", lo, map[uint64]bool{start.Token(): true},
			func(name string, l domain.Link, _ bool) C.herr_t {
				if l.Kind != domain.LinkHard || seen[l.Target] {
					return 0
				}
				seen[l.Target] = true
				o, err := h.file.ObjectByToken(l.Target)
				if err != nil {
					firstErr = err
					return -1
				}
				return call(name, o)
			})
		if firstErr != nil {
			return -1, firstErr
		}
		return r, err
	})
}
