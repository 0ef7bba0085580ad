package main

// File callbacks (H5F*).

/*
#include "cabi.h"
*/
import "C"

import (
	"fmt"

	"github.com/sciswift/sciswift/vol"
)

//export swFileCreate
func swFileCreate(name *C.char, trunc C.int, fcpl, fapl C.hid_t) C.uintptr_t {
	return object("H5Fcreate", func(p *plugin) (*handle, error) {
		s, err := settingsOf(fapl)
		if err != nil {
			return nil, err
		}
		cpl, err := encodePlist(fcpl)
		if err != nil {
			return nil, err
		}
		mode := vol.CreateExclusive
		if trunc != 0 {
			mode = vol.CreateTruncate
		}
		f, err := p.conn.CreateFile(s, C.GoString(name), mode, cpl)
		if err != nil {
			return nil, err
		}
		p.keepFapl(f, fapl)
		return &handle{kind: kindFile, file: f, path: "/"}, nil
	})
}

//export swFileOpen
func swFileOpen(name *C.char, write C.int, fapl C.hid_t) C.uintptr_t {
	return object("H5Fopen", func(p *plugin) (*handle, error) {
		s, err := settingsOf(fapl)
		if err != nil {
			return nil, err
		}
		f, err := p.conn.OpenFile(s, C.GoString(name), write != 0)
		if err != nil {
			return nil, err
		}
		p.keepFapl(f, fapl)
		return &handle{kind: kindFile, file: f, path: "/"}, nil
	})
}

// keepFapl saves a copy of the access list a file was first opened with,
// for H5Fget_access_plist.
func (p *plugin) keepFapl(f *vol.File, fapl C.hid_t) {
	if _, ok := p.fapls[f]; ok {
		return
	}
	if c := C.H5Pcopy(fapl); c >= 0 {
		p.fapls[f] = c
	}
}

//export swFileGetFAPL
func swFileGetFAPL(obj C.uintptr_t) C.hid_t {
	return identifier("H5Fget_access_plist", func(p *plugin) (C.hid_t, error) {
		h, err := p.lookup(obj)
		if err != nil {
			return -1, err
		}
		saved, ok := p.fapls[h.file]
		if !ok {
			return -1, fmt.Errorf("%w: no access property list kept for %s", vol.ErrNotFound, h.file.Name())
		}
		id := C.H5Pcopy(saved)
		if id < 0 {
			return -1, h5fail("H5Pcopy")
		}
		return id, nil
	})
}

//export swFileGetFCPL
func swFileGetFCPL(obj C.uintptr_t) C.hid_t {
	return identifier("H5Fget_create_plist", func(p *plugin) (C.hid_t, error) {
		h, err := p.lookup(obj)
		if err != nil {
			return -1, err
		}
		return decodePlist(h.file.FCPL(), C.SW_FCPL)
	})
}

//export swFileGetFileno
func swFileGetFileno(obj C.uintptr_t, fileno *C.ulong) C.herr_t {
	return status("H5Fget_fileno", func(p *plugin) error {
		h, err := p.lookup(obj)
		if err != nil {
			return err
		}
		*fileno = C.ulong(h.file.FileNo())
		return nil
	})
}

//export swFileGetIntent
func swFileGetIntent(obj C.uintptr_t, writable *C.int) C.herr_t {
	return status("H5Fget_intent", func(p *plugin) error {
		h, err := p.lookup(obj)
		if err != nil {
			return err
		}
		*writable = 0
		if h.file.Writable() {
			*writable = 1
		}
		return nil
	})
}

//export swFileGetName
func swFileGetName(obj C.uintptr_t, buf *C.char, size C.size_t, length *C.size_t) C.herr_t {
	return status("H5Fget_name", func(p *plugin) error {
		h, err := p.lookup(obj)
		if err != nil {
			return err
		}
		copyName(buf, size, length, h.file.Name())
		return nil
	})
}

// objFlag is the H5F_OBJ_* bit of a kind of handle.
func objFlag(k objKind) C.uint {
	switch k {
	case kindFile:
		return C.H5F_OBJ_FILE
	case kindDataset:
		return C.H5F_OBJ_DATASET
	case kindGroup:
		return C.H5F_OBJ_GROUP
	case kindDatatype:
		return C.H5F_OBJ_DATATYPE
	case kindAttr:
		return C.H5F_OBJ_ATTR
	}
	return 0
}

//export swFileGetObjCount
func swFileGetObjCount(obj C.uintptr_t, types C.uint, count *C.size_t) C.herr_t {
	return status("H5Fget_obj_count", func(p *plugin) error {
		h, err := p.lookup(obj)
		if err != nil {
			return err
		}
		n := 0
		for _, o := range p.handles {
			if o.file == h.file && types&objFlag(o.kind) != 0 {
				n++
			}
		}
		*count = C.size_t(n)
		return nil
	})
}

// swSameFile reports whether a and b are both connector objects of the same
// file; anything not in the handle table (other connectors' objects) is not.
//
//export swSameFile
func swSameFile(a, b C.uintptr_t) (ret C.int) {
	defer guard("H5Fget_obj_ids", &ret, 0)
	p, err := thePlugin()
	if err != nil {
		return 0
	}
	ha, errA := p.lookup(a)
	hb, errB := p.lookup(b)
	if errA != nil || errB != nil || ha.file != hb.file {
		return 0
	}
	return 1
}

//export swFileFlush
func swFileFlush(obj C.uintptr_t) C.herr_t {
	return status("H5Fflush", func(p *plugin) error {
		h, err := p.lookup(obj)
		if err != nil {
			return err
		}
		return h.file.Flush()
	})
}

//export swFileReopen
func swFileReopen(obj C.uintptr_t) C.uintptr_t {
	return object("H5Freopen", func(p *plugin) (*handle, error) {
		h, err := p.lookup(obj)
		if err != nil {
			return nil, err
		}
		return &handle{kind: kindFile, file: h.file.Reopen(), path: "/"}, nil
	})
}

//export swFileIsAccessible
func swFileIsAccessible(name *C.char, fapl C.hid_t, accessible *C.hbool_t) C.herr_t {
	return status("H5Fis_accessible", func(p *plugin) error {
		s, err := settingsOf(fapl)
		if err != nil {
			return err
		}
		ok, err := p.conn.FileAccessible(s, C.GoString(name))
		if err != nil {
			return err
		}
		*accessible = C.hbool_t(ok)
		return nil
	})
}

//export swFileDelete
func swFileDelete(name *C.char, fapl C.hid_t) C.herr_t {
	return status("H5Fdelete", func(p *plugin) error {
		s, err := settingsOf(fapl)
		if err != nil {
			return err
		}
		return p.conn.DeleteFile(s, C.GoString(name))
	})
}

//export swFileIsEqual
func swFileIsEqual(obj, obj2 C.uintptr_t, same *C.hbool_t) C.herr_t {
	return status("H5Fis_equal", func(p *plugin) error {
		a, err := p.lookup(obj)
		if err != nil {
			return err
		}
		b, err := p.lookup(obj2)
		if err != nil {
			return err
		}
		*same = C.hbool_t(a.file == b.file)
		return nil
	})
}

// swClose closes any connector object. Datasets and writable files are
// flushed first and a write error is reported, but the handle goes either
// way: HDF5 1.14 drops the id even when the close callback fails
// (H5I_dec_app_ref_always_close), so nothing could close it later.
//
//export swClose
func swClose(obj C.uintptr_t) C.herr_t {
	return status("close", func(p *plugin) error {
		h, err := p.lookup(obj)
		if err != nil {
			return err
		}
		var flushErr error
		switch {
		case h.kind == kindDataset:
			flushErr = h.obj.Flush()
		case h.kind == kindFile && h.file.Writable():
			flushErr = h.file.Flush()
		}
		if err := p.release(h); flushErr == nil {
			flushErr = err
		}
		return flushErr
	})
}

//export swFlush
func swFlush(obj C.uintptr_t) C.herr_t {
	return status("flush", func(p *plugin) error {
		h, err := p.lookup(obj)
		if err != nil {
			return err
		}
		if h.kind == kindDataset {
			return h.obj.Flush()
		}
		return h.file.Flush()
	})
}

// swRefresh (H5Drefresh, H5Grefresh, H5Orefresh) succeeds without doing
// anything: a file has one writer, whose own view is current, and the
// connector keeps no way to re-read documents under a reader's open objects.
//
//export swRefresh
func swRefresh(obj C.uintptr_t) C.herr_t {
	return status("refresh", func(p *plugin) error {
		_, err := p.lookup(obj)
		return err
	})
}
