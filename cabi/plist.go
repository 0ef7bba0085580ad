package main

// Property lists and connection settings.

/*
#include "cabi.h"
*/
import "C"

import (
	"os"
	"unsafe"

	"github.com/sciswift/sciswift/vol"
)

// encodePlist keeps a creation property list as H5Pencode2 bytes, so the
// program gets back exactly what it created with; nil for the library's
// default lists, which a fresh list of the class reproduces.
func encodePlist(id C.hid_t) ([]byte, error) {
	if C.sw_is_default_plist(id) != 0 {
		return nil, nil
	}
	var n C.size_t
	if C.H5Pencode2(id, nil, &n, C.H5P_DEFAULT) < 0 {
		return nil, h5fail("H5Pencode2")
	}
	if n == 0 {
		return nil, nil
	}
	buf := make([]byte, int(n))
	if C.H5Pencode2(id, unsafe.Pointer(&buf[0]), &n, C.H5P_DEFAULT) < 0 {
		return nil, h5fail("H5Pencode2")
	}
	return buf[:int(n)], nil
}

// decodePlist returns a new property list id: the stored one, or a fresh
// list of kind (C.SW_GCPL etc.) when none was stored.
func decodePlist(b []byte, kind C.int) (C.hid_t, error) {
	if len(b) == 0 {
		id := C.sw_plist_create(kind)
		if id < 0 {
			return -1, h5fail("H5Pcreate")
		}
		return id, nil
	}
	id := C.H5Pdecode(unsafe.Pointer(&b[0]))
	if id < 0 {
		return -1, h5fail("H5Pdecode")
	}
	return id, nil
}

// settingsOf reads the connection settings of a file access: the connector
// info string on the access list, then the environment.
func settingsOf(fapl C.hid_t) (vol.Settings, error) {
	var failed C.int
	info := C.sw_fapl_info(fapl, &failed)
	if failed != 0 {
		return vol.Settings{}, h5fail("H5Pget_vol_info")
	}
	s := ""
	if info != nil {
		s = C.GoString(info)
		C.free(unsafe.Pointer(info))
	}
	return vol.ParseSettings(s, os.Getenv)
}

// intermediate reports whether a link creation list asks for missing
// intermediate groups to be created.
func intermediate(lcpl C.hid_t) (bool, error) {
	switch C.sw_lcpl_intermediate(lcpl) {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, h5fail("H5Pget_create_intermediate_group")
}

// utf8Names reports whether a link or attribute creation list says names
// are UTF-8 (H5Pset_char_encoding), which HDF5 records with the name.
func utf8Names(cpl C.hid_t) (bool, error) {
	switch C.sw_cpl_utf8(cpl) {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, h5fail("H5Pget_char_encoding")
}

// createLinked runs a create call that makes a link at path (relative to
// base) under the link creation list lcpl: create gets the list's
// intermediate-group setting, and the new link then gets the list's
// character set. Both are read before create changes anything. An
// anonymous object (path "") has no link to mark.
func createLinked(base *vol.Object, path string, lcpl C.hid_t, create func(intermediate bool) error) error {
	inter, err := intermediate(lcpl)
	if err != nil {
		return err
	}
	utf8, err := utf8Names(lcpl)
	if err != nil {
		return err
	}
	if err := create(inter); err != nil {
		return err
	}
	if path == "" || !utf8 {
		return nil
	}
	return base.SetLinkUTF8(path, true)
}
