package main

// Link callbacks (H5L*), including iteration and recursive visits.

/*
#include "cabi.h"
*/
import "C"

import (
	"bytes"
	"fmt"
	"unsafe"

	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/vol"
)

// linkPlace is where a new link goes: the group a location starts from and
// the link's path (BY_NAME is the only form HDF5 uses for this).
func (p *plugin) linkPlace(h *handle, loc *C.sw_loc_t) (*vol.Object, string, error) {
	if loc.kind != C.H5VL_OBJECT_BY_NAME {
		return nil, "", fmt.Errorf("%w: link location type %d", vol.ErrInvalid, int(loc.kind))
	}
	return h.object(), C.GoString(loc.name), nil
}

//export swLinkCreateHard
func swLinkCreateHard(obj C.uintptr_t, loc *C.sw_loc_t, target C.uintptr_t, tloc *C.sw_loc_t, lcpl C.hid_t) C.herr_t {
	return status("H5Lcreate_hard", func(p *plugin) error {
		// H5L_SAME_LOC for either location (h5repack passes it for the
		// new link's) reaches us as a NULL object: the other one serves
		// both names, as in the native connector.
		if target == 0 {
			target = obj
		}
		if obj == 0 {
			obj = target
		}
		h, th, err := p.lookupSameFile(obj, target, "a hard link cannot point into another file")
		if err != nil {
			return err
		}
		o, _, err := p.locate(th, tloc)
		if err != nil {
			return err
		}
		base, name, err := p.linkPlace(h, loc)
		if err != nil {
			return err
		}
		return createLinked(base, name, lcpl, func(inter bool) error {
			return base.CreateHardLink(name, o, inter)
		})
	})
}

//export swLinkCreateSoft
func swLinkCreateSoft(obj C.uintptr_t, loc *C.sw_loc_t, target *C.char, lcpl C.hid_t) C.herr_t {
	return status("H5Lcreate_soft", func(p *plugin) error {
		h, err := p.lookup(obj)
		if err != nil {
			return err
		}
		base, name, err := p.linkPlace(h, loc)
		if err != nil {
			return err
		}
		return createLinked(base, name, lcpl, func(inter bool) error {
			return base.CreateSoftLink(name, C.GoString(target), inter)
		})
	})
}

//export swLinkCreateExternal
func swLinkCreateExternal(obj C.uintptr_t, loc *C.sw_loc_t, buf unsafe.Pointer, size C.size_t, lcpl C.hid_t) C.herr_t {
	return status("H5Lcreate_external", func(p *plugin) error {
		h, err := p.lookup(obj)
		if err != nil {
			return err
		}
		if buf == nil {
			return fmt.Errorf("%w: external link without a value", vol.ErrInvalid)
		}
		file, path, err := parseExternalLink(C.GoBytes(buf, C.int(size)))
		if err != nil {
			return err
		}
		base, name, err := p.linkPlace(h, loc)
		if err != nil {
			return err
		}
		return createLinked(base, name, lcpl, func(inter bool) error {
			return base.CreateExternalLink(name, file, path, inter)
		})
	})
}

// parseExternalLink reads an external link's value as H5Lcreate_external
// packs it (and linkValue writes it): a byte with the format version (high
// nibble, 0) and flags (low nibble, none defined), then the file name and
// the object path, each NUL-terminated.
func parseExternalLink(b []byte) (file, path string, err error) {
	bad := func(why string) (string, string, error) {
		return "", "", fmt.Errorf("%w: malformed external link value: %s", vol.ErrInvalid, why)
	}
	if len(b) < 3 {
		return bad("too short")
	}
	if b[0]>>4 != C.H5L_EXT_VERSION {
		return bad(fmt.Sprintf("version %d", b[0]>>4))
	}
	if b[0]&0x0f&^C.H5L_EXT_FLAGS_ALL != 0 {
		return bad(fmt.Sprintf("flags %#x", b[0]&0x0f))
	}
	f, rest, ok := bytes.Cut(b[1:], []byte{0})
	if !ok {
		return bad("file name not terminated")
	}
	o, _, ok := bytes.Cut(rest, []byte{0})
	if !ok {
		return bad("object path not terminated")
	}
	if len(f) == 0 || len(o) == 0 {
		return bad("empty file name or object path")
	}
	return string(f), string(o), nil
}

// lookupSameFile looks up the two handles a call links between and insists
// they are in one file (links never cross files; external links name
// them instead); refusal says why, for this call.
func (p *plugin) lookupSameFile(a, b C.uintptr_t, refusal string) (*handle, *handle, error) {
	ha, err := p.lookup(a)
	if err != nil {
		return nil, nil, err
	}
	hb, err := p.lookup(b)
	if err != nil {
		return nil, nil, err
	}
	if ha.file != hb.file {
		return nil, nil, fmt.Errorf("%w: %s", vol.ErrInvalid, refusal)
	}
	return ha, hb, nil
}

//export swLinkCopyMove
func swLinkCopyMove(src C.uintptr_t, srcLoc *C.sw_loc_t, dst C.uintptr_t, dstLoc *C.sw_loc_t, lcpl C.hid_t, move C.int) C.herr_t {
	what := "H5Lcopy"
	if move != 0 {
		what = "H5Lmove"
	}
	return status(what, func(p *plugin) error {
		// Either side is NULL when the program passed H5L_SAME_LOC.
		if src == 0 {
			src = dst
		}
		if dst == 0 {
			dst = src
		}
		sh, dh, err := p.lookupSameFile(src, dst, "links cannot move or be copied between files")
		if err != nil {
			return err
		}
		sbase, sname, err := p.linkPlace(sh, srcLoc)
		if err != nil {
			return err
		}
		dbase, dname, err := p.linkPlace(dh, dstLoc)
		if err != nil {
			return err
		}
		// The new link's name gets the call's character set, not the
		// old link's, as natively.
		utf8, err := utf8Names(lcpl)
		if err != nil {
			return err
		}
		if move != 0 {
			err = sbase.MoveLink(sname, dbase, dname)
		} else {
			err = sbase.CopyLink(sname, dbase, dname)
		}
		if err != nil {
			return err
		}
		return dbase.SetLinkUTF8(dname, utf8)
	})
}

// findLink is the link a location names: BY_NAME its last component, BY_IDX
// the link at a position in a group. The group holding it comes along when
// wanted (for its creation-order tracking).
func (p *plugin) findLink(h *handle, loc *C.sw_loc_t, wantGroup bool) (domain.Link, *vol.Object, error) {
	switch loc.kind {
	case C.H5VL_OBJECT_BY_NAME:
		name := C.GoString(loc.name)
		l, err := h.object().Link(name)
		if err != nil || !wantGroup {
			return l, nil, err
		}
		parent, _ := lastComponent(name)
		grp, err := h.object().Resolve(parent)
		return l, grp, err
	case C.H5VL_OBJECT_BY_IDX:
		grp, _, l, err := p.linkByIdx(h, loc)
		return l, grp, err
	}
	return domain.Link{}, nil, fmt.Errorf("%w: link location type %d", vol.ErrInvalid, int(loc.kind))
}

// linkType is a link's HDF5 type.
func linkType(l domain.Link) C.H5L_type_t {
	switch l.Kind {
	case domain.LinkSoft:
		return C.H5L_TYPE_SOFT
	case domain.LinkExternal:
		return C.H5L_TYPE_EXTERNAL
	}
	return C.H5L_TYPE_HARD
}

// linkValue is a soft or external link's value as H5Lget_val returns it: the
// NUL-terminated path, or H5Lcreate_external's packing (version/flags byte,
// file name, object path).
func linkValue(l domain.Link) []byte {
	switch l.Kind {
	case domain.LinkSoft:
		return append([]byte(l.Path), 0)
	case domain.LinkExternal:
		v := []byte{C.H5L_EXT_VERSION<<4 | C.H5L_EXT_FLAGS_ALL}
		v = append(append(v, l.File...), 0)
		return append(append(v, l.Path...), 0)
	}
	return nil
}

// setLinkInfo fills H5L_info2_t. Like native HDF5, a link's creation order
// is reported (corder_valid) only when its group tracks creation order,
// although the store keeps it for every group.
func setLinkInfo(info *C.H5L_info2_t, l domain.Link, tracked bool) {
	utf8 := C.int(0)
	if l.UTF8 {
		utf8 = 1
	}
	corder := C.int64_t(l.Order)
	if !tracked {
		corder = 0
	}
	C.sw_set_link_info(info, linkType(l), corder, utf8, C.uint64_t(l.Target), C.size_t(len(linkValue(l))))
	info.corder_valid = C.hbool_t(tracked)
}

// tracksLinkOrder reports whether group g was created with link creation
// order tracked (H5Pset_link_creation_order); the root group has it from the
// file creation list.
func tracksLinkOrder(f *vol.File, g *vol.Object) bool {
	cpl := g.CPL()
	if g.Token() == f.Root().Token() {
		cpl = f.FCPL()
	}
	if len(cpl) == 0 {
		return false
	}
	id, err := decodePlist(cpl, C.SW_GCPL)
	if err != nil {
		return false
	}
	defer C.H5Pclose(id)
	var flags C.uint
	return C.H5Pget_link_creation_order(id, &flags) >= 0 && flags&C.H5P_CRT_ORDER_TRACKED != 0
}

//export swLinkGetInfo
func swLinkGetInfo(obj C.uintptr_t, loc *C.sw_loc_t, info *C.H5L_info2_t) C.herr_t {
	return status("H5Lget_info", func(p *plugin) error {
		h, err := p.lookup(obj)
		if err != nil {
			return err
		}
		l, grp, err := p.findLink(h, loc, true)
		if err != nil {
			return err
		}
		setLinkInfo(info, l, tracksLinkOrder(h.file, grp))
		return nil
	})
}

//export swLinkGetName
func swLinkGetName(obj C.uintptr_t, loc *C.sw_loc_t, buf *C.char, size C.size_t, length *C.size_t) C.herr_t {
	return status("H5Lget_name_by_idx", func(p *plugin) error {
		h, err := p.lookup(obj)
		if err != nil {
			return err
		}
		l, _, err := p.findLink(h, loc, false)
		if err != nil {
			return err
		}
		copyName(buf, size, length, l.Name)
		return nil
	})
}

//export swLinkGetVal
func swLinkGetVal(obj C.uintptr_t, loc *C.sw_loc_t, buf unsafe.Pointer, size C.size_t) C.herr_t {
	return status("H5Lget_val", func(p *plugin) error {
		h, err := p.lookup(obj)
		if err != nil {
			return err
		}
		l, _, err := p.findLink(h, loc, false)
		if err != nil {
			return err
		}
		if l.Kind == domain.LinkHard {
			return fmt.Errorf("%w: %q is a hard link, which has no value", vol.ErrInvalid, l.Name)
		}
		if buf != nil && size > 0 {
			copy(unsafe.Slice((*byte)(buf), int(size)), linkValue(l))
		}
		return nil
	})
}

//export swLinkDelete
func swLinkDelete(obj C.uintptr_t, loc *C.sw_loc_t) C.herr_t {
	return status("H5Ldelete", func(p *plugin) error {
		h, err := p.lookup(obj)
		if err != nil {
			return err
		}
		switch loc.kind {
		case C.H5VL_OBJECT_BY_NAME:
			return h.object().DeleteLink(C.GoString(loc.name))
		case C.H5VL_OBJECT_BY_IDX:
			grp, _, l, err := p.linkByIdx(h, loc)
			if err != nil {
				return err
			}
			return grp.DeleteLink(l.Name)
		}
		return fmt.Errorf("%w: link location type %d", vol.ErrInvalid, int(loc.kind))
	})
}

//export swLinkExists
func swLinkExists(obj C.uintptr_t, loc *C.sw_loc_t, exists *C.hbool_t) C.herr_t {
	return status("H5Lexists", func(p *plugin) error {
		h, err := p.lookup(obj)
		if err != nil {
			return err
		}
		if loc.kind != C.H5VL_OBJECT_BY_NAME {
			return fmt.Errorf("%w: link location type %d", vol.ErrInvalid, int(loc.kind))
		}
		ok, err := h.object().LinkExists(C.GoString(loc.name))
		if err != nil {
			return err
		}
		*exists = C.hbool_t(ok)
		return nil
	})
}

// swLinkIterate is H5Literate2 (recursive == 0; *idx in/out) and H5Lvisit2
// (recursive, names relative to the starting group, each group entered
// once). The callback's return value ends the iteration when not zero and is
// returned as HDF5 returns it: positive is success, negative failure.
//
//export swLinkIterate
func swLinkIterate(obj C.uintptr_t, loc *C.sw_loc_t, recursive, idxType, order C.int, idx *C.hsize_t,
	op C.H5L_iterate2_t, opData unsafe.Pointer) C.herr_t {
	return iterate("H5Literate", func(p *plugin) (C.herr_t, error) {
		h, grp, grpPath, err := p.lookupAt(obj, loc)
		if err != nil {
			return -1, err
		}
		if grp.Kind() != domain.KindGroup {
			return -1, fmt.Errorf("%w: links of a %s", vol.ErrInvalid, grp.Kind())
		}
		lo, err := linkOrder(idxType, order)
		if err != nil {
			return -1, err
		}
		gid, done, err := p.wrapID(h.file, grp, grpPath)
		if err != nil {
			return -1, err
		}
		defer done()
		call := func(name string, l domain.Link, tracked bool) C.herr_t {
			var info C.H5L_info2_t
			setLinkInfo(&info, l, tracked)
			cname := C.CString(name)
			defer C.free(unsafe.Pointer(cname))
			return C.sw_call_link_op(op, gid, cname, &info, opData)
		}
		if recursive != 0 {
			seen := map[uint64]bool{grp.Token(): true}
			return visitLinks(h.file, grp, "", lo, seen, call)
		}
		links, err := grp.Links(lo)
		if err != nil {
			return -1, err
		}
		tracked := tracksLinkOrder(h.file, grp)
		start, err := iterStart(idx, len(links))
		if err != nil {
			return -1, err
		}
		// Native HDF5 sets *idx past the last link visited when the
		// iteration ends or a callback stops it, but leaves it as the
		// program passed it when a callback fails (H5Literate2 returns -1
		// without touching it).
		i := start
		r := C.herr_t(0)
		for ; i < uint64(len(links)) && r == 0; i++ {
			r = call(links[i].Name, links[i], tracked)
		}
		if idx != nil && r >= 0 {
			*idx = C.hsize_t(i)
		}
		return r, nil
	})
}

// iterStart is where H5Literate2 or H5Aiterate2 starts: *idx, which must
// name an existing entry when it is not 0 (native HDF5 refuses it as "index
// out of bound"); 0 without idx.
func iterStart(idx *C.hsize_t, n int) (uint64, error) {
	if idx == nil || *idx == 0 {
		return 0, nil
	}
	if uint64(*idx) >= uint64(n) {
		return 0, fmt.Errorf("%w: iteration index %d out of bound (%d entries)", vol.ErrInvalid, uint64(*idx), n)
	}
	return uint64(*idx), nil
}

// visitLinks calls call for every link below grp, depth first: a link, then
// (for a hard link to a group not yet entered) the links inside it.
func visitLinks(f *vol.File, grp *vol.Object, prefix string, lo vol.LinkOrder, seen map[uint64]bool,
	call func(name string, l domain.Link, tracked bool) C.herr_t) (C.herr_t, error) {
	links, err := grp.Links(lo)
	if err != nil {
		return -1, err
	}
	tracked := tracksLinkOrder(f, grp)
	for _, l := range links {
		name := l.Name
		if prefix != "" {
			name = prefix + "/" + l.Name
		}
		if r := call(name, l, tracked); r != 0 {
			return r, nil
		}
		if l.Kind != domain.LinkHard || l.TargetKind != domain.KindGroup || seen[l.Target] {
			continue
		}
		seen[l.Target] = true
		child, err := f.ObjectByToken(l.Target)
		if err != nil {
			return -1, err
		}
		if r, err := visitLinks(f, child, name, lo, seen, call); r != 0 || err != nil {
			return r, err
		}
	}
	return 0, nil
}

// wrapID gives an object an HDF5 id for the duration of an iteration (the
// id passed to the program's callback). done closes the id, which releases
// the handle through the close callback.
func (p *plugin) wrapID(f *vol.File, o *vol.Object, path string) (C.hid_t, func(), error) {
	h, err := p.handleFor(f, o, path)
	if err != nil {
		return -1, nil, err
	}
	v := p.register(h)
	typ := C.H5I_type_t(C.H5I_GROUP)
	switch h.kind {
	case kindDataset:
		typ = C.H5I_DATASET
	case kindDatatype:
		typ = C.H5I_DATATYPE
	}
	id := C.sw_wrap_register(v, typ)
	if id < 0 {
		p.release(h)
		return -1, nil, h5fail("H5VLwrap_register")
	}
	return id, func() { C.sw_id_dec_ref(id) }, nil
}

// iterate runs an iteration callback: it returns what the program's
// callback returned, or -1 with the error pushed (a failing callback's own
// value is not kept, as native H5Literate2, H5Lvisit2 and H5Ovisit3 do).
func iterate(where string, fn func(p *plugin) (C.herr_t, error)) C.herr_t {
	return runIteration(where, fn, false)
}

// iterateKeep is iterate for H5Aiterate2, which hands a failing callback's
// negative value back as it is.
func iterateKeep(where string, fn func(p *plugin) (C.herr_t, error)) C.herr_t {
	return runIteration(where, fn, true)
}

func runIteration(where string, fn func(p *plugin) (C.herr_t, error), keep bool) (ret C.herr_t) {
	defer guard(where, &ret, -1)
	p, err := thePlugin()
	r := C.herr_t(-1)
	if err == nil {
		r, err = fn(p)
	}
	if err == nil && r < 0 {
		pushError(where, fmt.Errorf("iteration callback failed (returned %d)", int(r)))
		if keep {
			return r
		}
		return -1
	}
	if err != nil {
		pushError(where, err)
		return -1
	}
	return r
}
