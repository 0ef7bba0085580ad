package h5lib

/*
#include "h5lib.h"
*/
import "C"

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/hdf5"
)

// dtype describes an HDF5 datatype. Types the model has no class for
// (references, time) come back as opaque bytes with a reason saying why
// their values cannot be served.
func dtype(t C.hid_t, depth int) (formats.Dtype, string, error) {
	if depth > hdf5.MaxTypeDepth {
		return formats.Dtype{}, "", fmt.Errorf("datatype nested deeper than %d", hdf5.MaxTypeDepth)
	}
	size := int(C.H5Tget_size(t))
	switch C.H5Tget_class(t) {
	case C.H5T_INTEGER, C.H5T_BITFIELD:
		return atomic(t, size), "", nil
	case C.H5T_FLOAT:
		d := atomic(t, size)
		d.Class, d.Signed, d.Precision, d.BitOffset = formats.ClassFloat, false, 0, 0
		return d, "", nil
	case C.H5T_STRING:
		return stringType(t, size), "", nil
	case C.H5T_OPAQUE:
		d := formats.Dtype{Class: formats.ClassOpaque, Size: size}
		if tag := C.H5Tget_tag(t); tag != nil {
			d.Tag = C.GoString(tag)
			C.H5free_memory(unsafe.Pointer(tag))
		}
		return d, "", nil
	case C.H5T_COMPOUND:
		return compound(t, size, depth)
	case C.H5T_ENUM:
		return enum(t, size, depth)
	case C.H5T_ARRAY:
		return array(t, size, depth)
	case C.H5T_VLEN:
		base, why, err := super(t, depth)
		if err != nil {
			return formats.Dtype{}, "", err
		}
		return formats.Dtype{Class: formats.ClassVlen, Base: &base}, why, nil
	case C.H5T_REFERENCE:
		return formats.Dtype{Class: formats.ClassOpaque, Size: size, Tag: "hdf5 reference"}, "HDF5 references are not supported", nil
	}
	return formats.Dtype{Class: formats.ClassOpaque, Size: max(size, 1), Tag: "hdf5 time"}, "this HDF5 datatype class is not supported", nil
}

func atomic(t C.hid_t, size int) formats.Dtype {
	class := formats.ClassInteger
	if C.H5Tget_class(t) == C.H5T_BITFIELD {
		class = formats.ClassBitfield
	}
	d := formats.Dtype{Class: class, Size: size, Order: formats.LittleEndian}
	if C.H5Tget_order(t) == C.H5T_ORDER_BE {
		d.Order = formats.BigEndian
	}
	if class == formats.ClassInteger {
		d.Signed = C.H5Tget_sign(t) == C.H5T_SGN_2
	}
	prec, off := int(C.H5Tget_precision(t)), int(C.H5Tget_offset(t))
	if prec != 8*size || off != 0 {
		d.Precision, d.BitOffset = prec, off
	}
	return d
}

func stringType(t C.hid_t, size int) formats.Dtype {
	d := formats.Dtype{Class: formats.ClassString, Size: size, Charset: formats.CharsetASCII, Padding: formats.PadNullTerm}
	if C.H5Tget_cset(t) == C.H5T_CSET_UTF8 {
		d.Charset = formats.CharsetUTF8
	}
	switch C.H5Tget_strpad(t) {
	case C.H5T_STR_NULLPAD:
		d.Padding = formats.PadNullPad
	case C.H5T_STR_SPACEPAD:
		d.Padding = formats.PadSpacePad
	}
	if C.H5Tis_variable_str(t) > 0 {
		d.Variable, d.Size = true, 0
	}
	return d
}

func memberName(t C.hid_t, i C.uint) string {
	p := C.H5Tget_member_name(t, i)
	if p == nil {
		return ""
	}
	defer C.H5free_memory(unsafe.Pointer(p))
	return C.GoString(p)
}

func compound(t C.hid_t, size, depth int) (formats.Dtype, string, error) {
	d := formats.Dtype{Class: formats.ClassCompound, Size: size}
	var why string
	for i := C.uint(0); i < C.uint(max(C.H5Tget_nmembers(t), 0)); i++ {
		mt := C.H5Tget_member_type(t, i)
		if mt < 0 {
			return formats.Dtype{}, "", fmt.Errorf("compound member %d: %s", i, lastError())
		}
		md, mwhy, err := dtype(mt, depth+1)
		C.H5Tclose(mt)
		if err != nil {
			return formats.Dtype{}, "", err
		}
		if why == "" {
			why = mwhy
		}
		d.Members = append(d.Members, formats.Member{Name: memberName(t, i), Offset: int(C.H5Tget_member_offset(t, i)), Type: &md})
	}
	return d, why, nil
}

func super(t C.hid_t, depth int) (formats.Dtype, string, error) {
	st := C.H5Tget_super(t)
	if st < 0 {
		return formats.Dtype{}, "", fmt.Errorf("base type: %s", lastError())
	}
	defer C.H5Tclose(st)
	return dtype(st, depth+1)
}

func enum(t C.hid_t, size, depth int) (formats.Dtype, string, error) {
	base, why, err := super(t, depth)
	if err != nil {
		return formats.Dtype{}, "", err
	}
	d := formats.Dtype{Class: formats.ClassEnum, Size: size, Base: &base}
	buf := make([]byte, max(size, 8))
	for i := C.uint(0); i < C.uint(max(C.H5Tget_nmembers(t), 0)); i++ {
		clear(buf)
		if C.H5Tget_member_value(t, i, unsafe.Pointer(&buf[0])) < 0 {
			return formats.Dtype{}, "", fmt.Errorf("enum member %d: %s", i, lastError())
		}
		d.Members = append(d.Members, formats.Member{Name: memberName(t, i), Value: intValue(&base, buf[:size])})
	}
	return d, why, nil
}

func array(t C.hid_t, size, depth int) (formats.Dtype, string, error) {
	base, why, err := super(t, depth)
	if err != nil {
		return formats.Dtype{}, "", err
	}
	n := int(C.H5Tget_array_ndims(t))
	if n <= 0 || n > hdf5.MaxRank {
		return formats.Dtype{}, "", fmt.Errorf("array type of rank %d", n)
	}
	dims := make([]C.hsize_t, n)
	C.H5Tget_array_dims2(t, &dims[0])
	d := formats.Dtype{Class: formats.ClassArray, Size: size, Base: &base}
	for _, x := range dims {
		d.Dims = append(d.Dims, int(x))
	}
	return d, why, nil
}

// intValue reads an integer of type t (any size up to 8 bytes) as int64
// (a uint64 above MaxInt64 in two's complement, as formats.Member says).
func intValue(t *formats.Dtype, b []byte) int64 {
	var buf [8]byte
	n := min(len(b), 8)
	if t.Order == formats.BigEndian {
		for i := range n {
			buf[i] = b[n-1-i]
		}
	} else {
		copy(buf[:], b[:n])
	}
	if t.Signed && n < 8 && buf[n-1]&0x80 != 0 {
		for i := n; i < 8; i++ {
			buf[i] = 0xff
		}
	}
	return int64(binary.LittleEndian.Uint64(buf[:]))
}
