package main

// Named datatype callbacks (H5Tcommit, H5Topen and what HDF5 needs to build
// a committed type's id).

/*
#include "cabi.h"
*/
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/vol"
)

//export swTypeCommit
func swTypeCommit(obj C.uintptr_t, loc *C.sw_loc_t, name *C.char, typeID, lcpl, tcpl C.hid_t) C.uintptr_t {
	return object("H5Tcommit", func(p *plugin) (*handle, error) {
		h, base, basePath, err := p.lookupAt(obj, loc)
		if err != nil {
			return nil, err
		}
		t, err := dtypeOf(typeID)
		if err != nil {
			return nil, err
		}
		cpl, err := encodePlist(tcpl)
		if err != nil {
			return nil, err
		}
		path := goStringOrEmpty(name) // NULL: H5Tcommit_anon
		var o *vol.Object
		if err := createLinked(base, path, lcpl, func(inter bool) (err error) {
			o, err = base.CommitType(path, inter, t, cpl)
			return err
		}); err != nil {
			return nil, err
		}
		return &handle{kind: kindDatatype, file: h.file.Reopen(), obj: o, path: createdPath(basePath, path)}, nil
	})
}

//export swTypeOpen
func swTypeOpen(obj C.uintptr_t, loc *C.sw_loc_t, name *C.char) C.uintptr_t {
	return object("H5Topen", func(p *plugin) (*handle, error) {
		return p.openKind(obj, loc, name, domain.KindNamedType)
	})
}

// swTypeGetBinary serialises the committed type with H5Tencode: HDF5 builds
// the H5T_t behind a committed type's id from it. With buf NULL it only
// reports the size.
//
//export swTypeGetBinary
func swTypeGetBinary(obj C.uintptr_t, buf unsafe.Pointer, size C.size_t, need *C.size_t) C.herr_t {
	return status("datatype get binary", func(p *plugin) error {
		h, err := p.lookup(obj)
		if err != nil {
			return err
		}
		if h.kind != kindDatatype {
			return fmt.Errorf("%w: not a named datatype", vol.ErrInvalid)
		}
		tid, err := typeFor(h.obj.NamedType().Type)
		if err != nil {
			return err
		}
		defer C.H5Tclose(tid)
		var n C.size_t
		if C.H5Tencode(tid, nil, &n) < 0 {
			return h5fail("H5Tencode")
		}
		if need != nil {
			*need = n
		}
		if buf == nil {
			return nil
		}
		if size < n {
			return fmt.Errorf("%w: datatype buffer of %d bytes, %d needed", vol.ErrInvalid, size, n)
		}
		n = size
		if C.H5Tencode(tid, buf, &n) < 0 {
			return h5fail("H5Tencode")
		}
		return nil
	})
}

//export swTypeGetTCPL
func swTypeGetTCPL(obj C.uintptr_t) C.hid_t {
	return identifier("H5Tget_create_plist", func(p *plugin) (C.hid_t, error) {
		h, err := p.lookup(obj)
		if err != nil {
			return -1, err
		}
		return decodePlist(h.object().CPL(), C.SW_TCPL)
	})
}
