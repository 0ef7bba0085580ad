package main

// Attribute callbacks (H5A*): locations and bookkeeping here, values through
// readAttr/writeAttr (transfer.go).

/*
#include "cabi.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/sciswift/sciswift/vol"
)

// attrObject is the object an attribute call is about: the location's
// object (BY_SELF), or the object at the location's name (BY_NAME and
// BY_IDX, where the index then picks the attribute, not a link).
func (p *plugin) attrObject(h *handle, loc *C.sw_loc_t) (*vol.Object, string, error) {
	switch loc.kind {
	case C.H5VL_OBJECT_BY_SELF:
		return h.object(), h.objectPath(), nil
	case C.H5VL_OBJECT_BY_NAME, C.H5VL_OBJECT_BY_IDX:
		return resolveFrom(h, C.GoString(loc.name))
	case C.H5VL_OBJECT_BY_TOKEN:
		return p.locate(h, loc)
	}
	return nil, "", fmt.Errorf("%w: attribute location type %d", vol.ErrInvalid, int(loc.kind))
}

// attrByIdx is the attribute at position n in the given order.
func attrByIdx(o *vol.Object, idxType, order C.int, n C.hsize_t) (*vol.Attr, error) {
	lo, err := linkOrder(idxType, order)
	if err != nil {
		return nil, err
	}
	attrs := o.Attrs(lo)
	if uint64(n) >= uint64(len(attrs)) {
		return nil, fmt.Errorf("%w: attribute index %d out of range (object has %d attributes)",
			vol.ErrNotFound, uint64(n), len(attrs))
	}
	return attrs[n], nil
}

// attrAt is the attribute a get-info or get-name location names.
func (p *plugin) attrAt(h *handle, loc *C.sw_loc_t, name *C.char) (*vol.Attr, error) {
	if loc.kind == C.H5VL_OBJECT_BY_SELF && h.kind == kindAttr {
		return h.attr, nil
	}
	o, _, err := p.attrObject(h, loc)
	if err != nil {
		return nil, err
	}
	if loc.kind == C.H5VL_OBJECT_BY_IDX {
		return attrByIdx(o, loc.idx_type, loc.order, loc.n)
	}
	if name == nil {
		return nil, fmt.Errorf("%w: no attribute name", vol.ErrInvalid)
	}
	return o.Attr(C.GoString(name))
}

func (p *plugin) attrHandle(h *handle, o *vol.Object, path string, a *vol.Attr) *handle {
	return &handle{kind: kindAttr, file: h.file.Reopen(), obj: o, attr: a, path: path}
}

//export swAttrCreate
func swAttrCreate(obj C.uintptr_t, loc *C.sw_loc_t, name *C.char, typeID, spaceID, acpl C.hid_t) C.uintptr_t {
	return object("H5Acreate", func(p *plugin) (*handle, error) {
		h, err := p.lookup(obj)
		if err != nil {
			return nil, err
		}
		o, path, err := p.attrObject(h, loc)
		if err != nil {
			return nil, err
		}
		var spec vol.AttrSpec
		if spec.Type, err = dtypeOf(typeID); err != nil {
			return nil, err
		}
		if spec.Space, err = spaceOf(spaceID); err != nil {
			return nil, err
		}
		if spec.UTF8, err = utf8Names(acpl); err != nil {
			return nil, err
		}
		if spec.ACPL, err = encodePlist(acpl); err != nil {
			return nil, err
		}
		// Created with a committed datatype: the attribute shares it, as
		// a dataset does (see swDatasetCreate).
		spec.TypeRef = p.committedType(h.file, typeID)
		a, err := o.CreateAttrWith(C.GoString(name), spec)
		if err != nil {
			return nil, err
		}
		return p.attrHandle(h, o, path, a), nil
	})
}

//export swAttrOpen
func swAttrOpen(obj C.uintptr_t, loc *C.sw_loc_t, name *C.char) C.uintptr_t {
	return object("H5Aopen", func(p *plugin) (*handle, error) {
		h, err := p.lookup(obj)
		if err != nil {
			return nil, err
		}
		o, path, err := p.attrObject(h, loc)
		if err != nil {
			return nil, err
		}
		var a *vol.Attr
		if loc.kind == C.H5VL_OBJECT_BY_IDX {
			a, err = attrByIdx(o, loc.idx_type, loc.order, loc.n)
		} else {
			a, err = o.Attr(goStringOrEmpty(name))
		}
		if err != nil {
			return nil, err
		}
		return p.attrHandle(h, o, path, a), nil
	})
}

func (p *plugin) attrOf(obj C.uintptr_t) (*handle, error) {
	h, err := p.lookup(obj)
	if err != nil {
		return nil, err
	}
	if h.kind != kindAttr {
		return nil, fmt.Errorf("%w: not an attribute", vol.ErrInvalid)
	}
	return h, nil
}

//export swAttrRead
func swAttrRead(obj C.uintptr_t, memType C.hid_t, buf unsafe.Pointer) C.herr_t {
	return status("H5Aread", func(p *plugin) error {
		h, err := p.attrOf(obj)
		if err != nil {
			return err
		}
		return readAttr(h.attr, memType, buf)
	})
}

//export swAttrWrite
func swAttrWrite(obj C.uintptr_t, memType C.hid_t, buf unsafe.Pointer) C.herr_t {
	return status("H5Awrite", func(p *plugin) error {
		h, err := p.attrOf(obj)
		if err != nil {
			return err
		}
		return writeAttr(h.attr, memType, buf)
	})
}

//export swAttrGetACPL
func swAttrGetACPL(obj C.uintptr_t) C.hid_t {
	return identifier("H5Aget_create_plist", func(p *plugin) (C.hid_t, error) {
		h, err := p.attrOf(obj)
		if err != nil {
			return -1, err
		}
		return decodePlist(h.attr.Meta().ACPL, C.SW_ACPL)
	})
}

// attrDataSize is the bytes an attribute's value takes: HDF5 counts 16 (a
// global heap id) per element of a variable-length type.
func attrDataSize(a *vol.Attr) uint64 {
	m := a.Meta()
	size := uint64(m.Type.Size)
	if m.Type.IsVariable() {
		size = 16
	}
	return size * spacePoints(m.Space)
}

//export swAttrGetInfo
func swAttrGetInfo(obj C.uintptr_t, loc *C.sw_loc_t, name *C.char, info *C.H5A_info_t) C.herr_t {
	return status("H5Aget_info", func(p *plugin) error {
		h, err := p.lookup(obj)
		if err != nil {
			return err
		}
		a, err := p.attrAt(h, loc, name)
		if err != nil {
			return err
		}
		fillAttrInfo(a, info)
		return nil
	})
}

func fillAttrInfo(a *vol.Attr, info *C.H5A_info_t) {
	m := a.Meta()
	*info = C.H5A_info_t{corder_valid: true, corder: C.H5O_msg_crt_idx_t(m.Order), cset: C.H5T_CSET_ASCII,
		data_size: C.hsize_t(attrDataSize(a))}
	if m.UTF8 {
		info.cset = C.H5T_CSET_UTF8
	}
}

//export swAttrGetName
func swAttrGetName(obj C.uintptr_t, loc *C.sw_loc_t, buf *C.char, size C.size_t, length *C.size_t) C.herr_t {
	return status("H5Aget_name", func(p *plugin) error {
		h, err := p.lookup(obj)
		if err != nil {
			return err
		}
		a, err := p.attrAt(h, loc, nil)
		if err != nil {
			return err
		}
		copyName(buf, size, length, a.Meta().Name)
		return nil
	})
}

//export swAttrGetSpace
func swAttrGetSpace(obj C.uintptr_t) C.hid_t {
	return identifier("H5Aget_space", func(p *plugin) (C.hid_t, error) {
		h, err := p.attrOf(obj)
		if err != nil {
			return -1, err
		}
		return spaceFor(h.attr.Meta().Space)
	})
}

//export swAttrGetStorageSize
func swAttrGetStorageSize(obj C.uintptr_t, size *C.hsize_t) C.herr_t {
	return status("H5Aget_storage_size", func(p *plugin) error {
		h, err := p.attrOf(obj)
		if err != nil {
			return err
		}
		*size = C.hsize_t(attrDataSize(h.attr))
		return nil
	})
}

// swAttrGetType is H5Aget_type: as H5Dget_type, a committed type id when
// the attribute was created with a named datatype.
//
//export swAttrGetType
func swAttrGetType(obj C.uintptr_t) C.hid_t {
	return identifier("H5Aget_type", func(p *plugin) (C.hid_t, error) {
		h, err := p.attrOf(obj)
		if err != nil {
			return -1, err
		}
		m := h.attr.Meta()
		if id, ok := p.committedTypeID(h.file, m.TypeRef); ok {
			return id, nil
		}
		return typeFor(m.Type)
	})
}

//export swAttrDelete
func swAttrDelete(obj C.uintptr_t, loc *C.sw_loc_t, name *C.char) C.herr_t {
	return status("H5Adelete", func(p *plugin) error {
		h, err := p.lookup(obj)
		if err != nil {
			return err
		}
		o, _, err := p.attrObject(h, loc)
		if err != nil {
			return err
		}
		return o.DeleteAttr(C.GoString(name))
	})
}

//export swAttrDeleteByIdx
func swAttrDeleteByIdx(obj C.uintptr_t, loc *C.sw_loc_t, idxType, order C.int, n C.hsize_t) C.herr_t {
	return status("H5Adelete_by_idx", func(p *plugin) error {
		h, err := p.lookup(obj)
		if err != nil {
			return err
		}
		o, _, err := p.attrObject(h, loc)
		if err != nil {
			return err
		}
		a, err := attrByIdx(o, idxType, order, n)
		if err != nil {
			return err
		}
		return o.DeleteAttr(a.Meta().Name)
	})
}

//export swAttrExists
func swAttrExists(obj C.uintptr_t, loc *C.sw_loc_t, name *C.char, exists *C.hbool_t) C.herr_t {
	return status("H5Aexists", func(p *plugin) error {
		h, err := p.lookup(obj)
		if err != nil {
			return err
		}
		o, _, err := p.attrObject(h, loc)
		if err != nil {
			return err
		}
		_, err = o.Attr(C.GoString(name))
		*exists = C.hbool_t(err == nil)
		if errors.Is(err, vol.ErrNotFound) {
			return nil
		}
		return err
	})
}

//export swAttrRename
func swAttrRename(obj C.uintptr_t, loc *C.sw_loc_t, oldName, newName *C.char) C.herr_t {
	return status("H5Arename", func(p *plugin) error {
		h, err := p.lookup(obj)
		if err != nil {
			return err
		}
		o, _, err := p.attrObject(h, loc)
		if err != nil {
			return err
		}
		return o.RenameAttr(C.GoString(oldName), C.GoString(newName))
	})
}

// swAttrIterate is H5Aiterate2: *idx in/out, the callback gets a new id of
// the object, closed afterwards. Unlike H5Literate, native HDF5 hands a
// failing callback's own negative value back and leaves *idx past the
// attribute whose callback failed; so does this.
//
//export swAttrIterate
func swAttrIterate(obj C.uintptr_t, loc *C.sw_loc_t, idxType, order C.int, idx *C.hsize_t,
	op C.H5A_operator2_t, opData unsafe.Pointer) C.herr_t {
	return iterateKeep("H5Aiterate", func(p *plugin) (C.herr_t, error) {
		h, err := p.lookup(obj)
		if err != nil {
			return -1, err
		}
		o, path, err := p.attrObject(h, loc)
		if err != nil {
			return -1, err
		}
		lo, err := linkOrder(idxType, order)
		if err != nil {
			return -1, err
		}
		attrs := o.Attrs(lo)
		start, err := iterStart(idx, len(attrs))
		if err != nil {
			return -1, err
		}
		id, done, err := p.wrapID(h.file, o, path)
		if err != nil {
			return -1, err
		}
		defer done()
		for i := start; i < uint64(len(attrs)); i++ {
			var info C.H5A_info_t
			fillAttrInfo(attrs[i], &info)
			cname := C.CString(attrs[i].Meta().Name)
			r := C.sw_call_attr_op(op, id, cname, &info, opData)
			C.free(unsafe.Pointer(cname))
			if idx != nil {
				*idx = C.hsize_t(i + 1)
			}
			if r != 0 {
				return r, nil
			}
		}
		return 0, nil
	})
}
