package main

// Group callbacks (H5G*).

/*
#include "cabi.h"
*/
import "C"

import (
	"fmt"

	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/vol"
)

//export swGroupCreate
func swGroupCreate(obj C.uintptr_t, loc *C.sw_loc_t, name *C.char, lcpl, gcpl C.hid_t) C.uintptr_t {
	return object("H5Gcreate", func(p *plugin) (*handle, error) {
		h, base, basePath, err := p.lookupAt(obj, loc)
		if err != nil {
			return nil, err
		}
		cpl, err := encodePlist(gcpl)
		if err != nil {
			return nil, err
		}
		path := goStringOrEmpty(name) // NULL: H5Gcreate_anon
		var g *vol.Object
		if err := createLinked(base, path, lcpl, func(inter bool) (err error) {
			g, err = base.CreateGroup(path, inter, cpl)
			return err
		}); err != nil {
			return nil, err
		}
		return &handle{kind: kindGroup, file: h.file.Reopen(), obj: g, path: createdPath(basePath, path)}, nil
	})
}

//export swGroupOpen
func swGroupOpen(obj C.uintptr_t, loc *C.sw_loc_t, name *C.char) C.uintptr_t {
	return object("H5Gopen", func(p *plugin) (*handle, error) {
		return p.openKind(obj, loc, name, domain.KindGroup)
	})
}

// openKind opens the object at name (relative to the location) and insists
// on its kind, as H5Gopen, H5Dopen and H5Topen do.
func (p *plugin) openKind(obj C.uintptr_t, loc *C.sw_loc_t, name *C.char, want domain.Kind) (*handle, error) {
	h, base, basePath, err := p.lookupAt(obj, loc)
	if err != nil {
		return nil, err
	}
	n := goStringOrEmpty(name)
	o, err := base.Resolve(n)
	if err != nil {
		return nil, err
	}
	if o.Kind() != want {
		return nil, fmt.Errorf("%w: %q is a %s, not a %s", vol.ErrInvalid, n, o.Kind(), want)
	}
	path := joinPath(basePath, n)
	if n == "" {
		path = basePath
	}
	return p.handleFor(h.file, o, path)
}

//export swGroupGetGCPL
func swGroupGetGCPL(obj C.uintptr_t) C.hid_t {
	return identifier("H5Gget_create_plist", func(p *plugin) (C.hid_t, error) {
		h, err := p.lookup(obj)
		if err != nil {
			return -1, err
		}
		g := h.object()
		if cpl := g.CPL(); len(cpl) > 0 || g.Token() != h.file.Root().Token() {
			return decodePlist(cpl, C.SW_GCPL)
		}
		return rootGCPL(h.file.FCPL())
	})
}

// rootGCPL is the root group's creation list: HDF5 creates the root group
// with the group settings of the file creation list (link creation order,
// link storage phase change and size estimates, attribute creation order
// and phase change), so that is what H5Gget_create_plist reports for it.
func rootGCPL(fcpl []byte) (C.hid_t, error) {
	gcpl, err := decodePlist(nil, C.SW_GCPL)
	if err != nil || len(fcpl) == 0 {
		return gcpl, err
	}
	src, err := decodePlist(fcpl, C.SW_FCPL)
	if err != nil {
		C.H5Pclose(gcpl)
		return -1, err
	}
	defer C.H5Pclose(src)
	if C.sw_copy_group_settings(src, gcpl) < 0 {
		C.H5Pclose(gcpl)
		return -1, h5fail("copying the root group's settings from the file creation property list")
	}
	return gcpl, nil
}

//export swGroupGetInfo
func swGroupGetInfo(obj C.uintptr_t, loc *C.sw_loc_t, info *C.H5G_info_t) C.herr_t {
	return status("H5Gget_info", func(p *plugin) error {
		h, g, _, err := p.lookupAt(obj, loc)
		if err != nil {
			return err
		}
		if g.Kind() != domain.KindGroup {
			return fmt.Errorf("%w: not a group", vol.ErrInvalid)
		}
		links, err := g.Links(vol.LinkOrder{ByCreation: true})
		if err != nil {
			return err
		}
		// The next creation order to hand out; the contract has no
		// counter, so the highest in use plus one (equal unless the
		// newest links were deleted).
		var next int64
		for _, l := range links {
			next = max(next, l.Order+1)
		}
		cpl := g.CPL()
		if g.Token() == h.file.Root().Token() {
			cpl = h.file.FCPL() // the root group's settings come from the file's
		}
		st, err := storageType(cpl, len(links))
		if err != nil {
			return err
		}
		*info = C.H5G_info_t{
			storage_type: st,
			nlinks:       C.hsize_t(len(links)),
			max_corder:   C.int64_t(next),
			mounted:      false,
		}
		return nil
	})
}

// storageType is what native HDF5 would report for a group with this gcpl
// and number of links (with the default, earliest-format file access): an
// old-style symbol table unless the group tracks link creation order, then
// compact links up to the gcpl's max_compact and dense storage beyond.
func storageType(gcpl []byte, nlinks int) (C.H5G_storage_type_t, error) {
	if len(gcpl) == 0 {
		return C.H5G_STORAGE_TYPE_SYMBOL_TABLE, nil
	}
	id, err := decodePlist(gcpl, C.SW_GCPL)
	if err != nil {
		return 0, err
	}
	defer C.H5Pclose(id)
	var flags, maxCompact, minDense C.uint
	if C.H5Pget_link_creation_order(id, &flags) < 0 {
		return 0, h5fail("H5Pget_link_creation_order")
	}
	if flags&C.H5P_CRT_ORDER_TRACKED == 0 {
		return C.H5G_STORAGE_TYPE_SYMBOL_TABLE, nil
	}
	if C.H5Pget_link_phase_change(id, &maxCompact, &minDense) < 0 {
		return 0, h5fail("H5Pget_link_phase_change")
	}
	if nlinks > int(maxCompact) {
		return C.H5G_STORAGE_TYPE_DENSE, nil
	}
	return C.H5G_STORAGE_TYPE_COMPACT, nil
}

// goStringOrEmpty is C.GoString that takes NULL for "".
func goStringOrEmpty(s *C.char) string {
	if s == nil {
		return ""
	}
	return C.GoString(s)
}

// createdPath is the path of an object created at name relative to base; ""
// for an anonymous one.
func createdPath(base, name string) string {
	if name == "" {
		return ""
	}
	return joinPath(base, name)
}
