package main

// HDF5 datatypes <-> formats.Dtype. The model keeps exactly what a program
// can observe of a type (class, size, byte order, sign, precision, string
// padding and character set, members, tags), so typeFor(dtypeOf(t)) is
// H5Tequal to t and h5dump prints the two identically. Types the model cannot
// describe losslessly (references, time, non-IEEE floats) are refused rather
// than approximated.

/*
#cgo pkg-config: hdf5
#include <stdlib.h>
#include <hdf5.h>
*/
import "C"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/vol"
)

// errLibCall marks a failed libhdf5 call; what went wrong is on HDF5's error
// stack, which the failing callback hands back to the program.
var errLibCall = errors.New("HDF5 call failed")

func h5fail(call string) error { return fmt.Errorf("%w: %s", errLibCall, call) }

// maxTypeDepth bounds recursion through nested compound/array/vlen/enum
// types, so a pathological type cannot exhaust the C stack of the callback.
const maxTypeDepth = 64

// dtypeOf describes an HDF5 datatype in model terms.
func dtypeOf(tid C.hid_t) (formats.Dtype, error) {
	return dtypeOfDepth(tid, 0)
}

func dtypeOfDepth(tid C.hid_t, depth int) (formats.Dtype, error) {
	if depth > maxTypeDepth {
		return formats.Dtype{}, fmt.Errorf("%w: datatype nested more than %d levels", vol.ErrUnsupported, maxTypeDepth)
	}
	class := C.H5Tget_class(tid)
	if class == C.H5T_NO_CLASS {
		return formats.Dtype{}, h5fail("H5Tget_class")
	}
	size := C.H5Tget_size(tid)
	if size == 0 {
		return formats.Dtype{}, h5fail("H5Tget_size")
	}
	switch class {
	case C.H5T_INTEGER, C.H5T_BITFIELD:
		return bitsDtypeOf(tid, class, int(size))
	case C.H5T_FLOAT:
		return floatDtypeOf(tid, int(size))
	case C.H5T_STRING:
		return stringDtypeOf(tid, int(size))
	case C.H5T_OPAQUE:
		t := formats.Dtype{Class: formats.ClassOpaque, Size: int(size)}
		if tag := C.H5Tget_tag(tid); tag != nil {
			t.Tag = C.GoString(tag)
			C.H5free_memory(unsafe.Pointer(tag))
		}
		return t, nil
	case C.H5T_COMPOUND:
		return compoundDtypeOf(tid, int(size), depth)
	case C.H5T_ENUM:
		return enumDtypeOf(tid, depth)
	case C.H5T_ARRAY:
		return arrayDtypeOf(tid, int(size), depth)
	case C.H5T_VLEN:
		base, err := superDtypeOf(tid, depth)
		if err != nil {
			return formats.Dtype{}, err
		}
		return formats.Dtype{Class: formats.ClassVlen, Base: &base}, nil
	case C.H5T_REFERENCE:
		return formats.Dtype{}, fmt.Errorf("%w: reference datatypes", vol.ErrUnsupported)
	case C.H5T_TIME:
		return formats.Dtype{}, fmt.Errorf("%w: time datatypes", vol.ErrUnsupported)
	}
	return formats.Dtype{}, fmt.Errorf("%w: datatype class %d", vol.ErrUnsupported, int(class))
}

func orderOf(tid C.hid_t) (formats.ByteOrder, error) {
	switch C.H5Tget_order(tid) {
	case C.H5T_ORDER_LE:
		return formats.LittleEndian, nil
	case C.H5T_ORDER_BE:
		return formats.BigEndian, nil
	case C.H5T_ORDER_ERROR:
		return "", h5fail("H5Tget_order")
	}
	return "", fmt.Errorf("%w: byte order other than little or big endian", vol.ErrUnsupported)
}

// bitsDtypeOf describes integers and bitfields: the same fields, only
// integers carry a sign.
func bitsDtypeOf(tid C.hid_t, class C.H5T_class_t, size int) (formats.Dtype, error) {
	order, err := orderOf(tid)
	if err != nil {
		return formats.Dtype{}, err
	}
	t := formats.Dtype{Class: formats.ClassBitfield, Size: size, Order: order}
	if class == C.H5T_INTEGER {
		t.Class = formats.ClassInteger
		switch C.H5Tget_sign(tid) {
		case C.H5T_SGN_2:
			t.Signed = true
		case C.H5T_SGN_NONE:
		default:
			return formats.Dtype{}, h5fail("H5Tget_sign")
		}
	}
	prec := C.H5Tget_precision(tid)
	off := C.H5Tget_offset(tid)
	if prec == 0 || off < 0 {
		return formats.Dtype{}, h5fail("H5Tget_precision/H5Tget_offset")
	}
	if int(prec) != 8*size || off != 0 {
		t.Precision, t.BitOffset = int(prec), int(off)
	}
	return t, nil
}

// ieeeFloat is the standard IEEE type for a size and order; zero if none.
func ieeeFloat(size int, order formats.ByteOrder) C.hid_t {
	C.H5open()
	le := order == formats.LittleEndian
	switch {
	case size == 2 && le:
		return C.H5T_IEEE_F16LE_g
	case size == 2:
		return C.H5T_IEEE_F16BE_g
	case size == 4 && le:
		return C.H5T_IEEE_F32LE_g
	case size == 4:
		return C.H5T_IEEE_F32BE_g
	case size == 8 && le:
		return C.H5T_IEEE_F64LE_g
	case size == 8:
		return C.H5T_IEEE_F64BE_g
	}
	return 0
}

// floatDtypeOf accepts only the IEEE 754 layouts: the model records size and
// byte order, which determine the rest only for those.
func floatDtypeOf(tid C.hid_t, size int) (formats.Dtype, error) {
	order, err := orderOf(tid)
	if err != nil {
		return formats.Dtype{}, err
	}
	if std := ieeeFloat(size, order); std != 0 {
		eq, err := typesEqual(tid, std)
		if err != nil {
			return formats.Dtype{}, err
		}
		if eq {
			return formats.Dtype{Class: formats.ClassFloat, Size: size, Order: order}, nil
		}
	}
	return formats.Dtype{}, fmt.Errorf("%w: %d-byte floating point type that is not IEEE 754 binary16/32/64", vol.ErrUnsupported, size)
}

func stringDtypeOf(tid C.hid_t, size int) (formats.Dtype, error) {
	t := formats.Dtype{Class: formats.ClassString, Size: size}
	switch v := C.H5Tis_variable_str(tid); {
	case v < 0:
		return formats.Dtype{}, h5fail("H5Tis_variable_str")
	case v > 0:
		t.Variable, t.Size = true, 0
	}
	switch C.H5Tget_cset(tid) {
	case C.H5T_CSET_ASCII:
		t.Charset = formats.CharsetASCII
	case C.H5T_CSET_UTF8:
		t.Charset = formats.CharsetUTF8
	case C.H5T_CSET_ERROR:
		return formats.Dtype{}, h5fail("H5Tget_cset")
	default:
		return formats.Dtype{}, fmt.Errorf("%w: string character set other than ASCII or UTF-8", vol.ErrUnsupported)
	}
	switch C.H5Tget_strpad(tid) {
	case C.H5T_STR_NULLTERM:
		t.Padding = formats.PadNullTerm
	case C.H5T_STR_NULLPAD:
		t.Padding = formats.PadNullPad
	case C.H5T_STR_SPACEPAD:
		t.Padding = formats.PadSpacePad
	case C.H5T_STR_ERROR:
		return formats.Dtype{}, h5fail("H5Tget_strpad")
	default:
		return formats.Dtype{}, fmt.Errorf("%w: string padding other than nullterm, nullpad or spacepad", vol.ErrUnsupported)
	}
	return t, nil
}

func superDtypeOf(tid C.hid_t, depth int) (formats.Dtype, error) {
	super := C.H5Tget_super(tid)
	if super < 0 {
		return formats.Dtype{}, h5fail("H5Tget_super")
	}
	defer C.H5Tclose(super)
	return dtypeOfDepth(super, depth+1)
}

func compoundDtypeOf(tid C.hid_t, size, depth int) (formats.Dtype, error) {
	n := C.H5Tget_nmembers(tid)
	if n < 0 {
		return formats.Dtype{}, h5fail("H5Tget_nmembers")
	}
	t := formats.Dtype{Class: formats.ClassCompound, Size: size, Members: make([]formats.Member, 0, int(n))}
	for i := C.uint(0); i < C.uint(n); i++ {
		name, err := memberName(tid, i)
		if err != nil {
			return formats.Dtype{}, err
		}
		mt := C.H5Tget_member_type(tid, i)
		if mt < 0 {
			return formats.Dtype{}, h5fail("H5Tget_member_type")
		}
		md, err := dtypeOfDepth(mt, depth+1)
		C.H5Tclose(mt)
		if err != nil {
			return formats.Dtype{}, fmt.Errorf("compound member %q: %w", name, err)
		}
		t.Members = append(t.Members, formats.Member{
			Name:   name,
			Offset: int(C.H5Tget_member_offset(tid, i)),
			Type:   &md,
		})
	}
	return t, nil
}

func memberName(tid C.hid_t, i C.uint) (string, error) {
	p := C.H5Tget_member_name(tid, i)
	if p == nil {
		return "", h5fail("H5Tget_member_name")
	}
	defer C.H5free_memory(unsafe.Pointer(p))
	return C.GoString(p), nil
}

func enumDtypeOf(tid C.hid_t, depth int) (formats.Dtype, error) {
	base, err := superDtypeOf(tid, depth)
	if err != nil {
		return formats.Dtype{}, err
	}
	if base.Class != formats.ClassInteger {
		return formats.Dtype{}, fmt.Errorf("%w: enum base type is %s, not integer", vol.ErrUnsupported, base.Class)
	}
	n := C.H5Tget_nmembers(tid)
	if n < 0 {
		return formats.Dtype{}, h5fail("H5Tget_nmembers")
	}
	t := formats.Dtype{Class: formats.ClassEnum, Size: base.Size, Base: &base, Members: make([]formats.Member, 0, int(n))}
	val := make([]byte, base.Size)
	for i := C.uint(0); i < C.uint(n); i++ {
		name, err := memberName(tid, i)
		if err != nil {
			return formats.Dtype{}, err
		}
		if C.H5Tget_member_value(tid, i, unsafe.Pointer(&val[0])) < 0 {
			return formats.Dtype{}, h5fail("H5Tget_member_value")
		}
		t.Members = append(t.Members, formats.Member{Name: name, Value: decodeEnumValue(val, base)})
	}
	return t, nil
}

// decodeEnumValue reads an enum constant stored in its base integer type's
// layout as int64 (sign-extended for signed bases; two's complement for
// unsigned values above MaxInt64, as formats.Member documents).
func decodeEnumValue(b []byte, base formats.Dtype) int64 {
	var buf [8]byte
	n := min(len(b), 8)
	if base.Order == formats.BigEndian {
		for i := 0; i < n; i++ { // least significant byte last
			buf[i] = b[len(b)-1-i]
		}
	} else {
		copy(buf[:], b[:n])
	}
	if base.Signed && n < 8 && buf[n-1]&0x80 != 0 {
		for i := n; i < 8; i++ {
			buf[i] = 0xff
		}
	}
	return int64(binary.LittleEndian.Uint64(buf[:]))
}

// encodeEnumValue is decodeEnumValue's inverse.
func encodeEnumValue(v int64, base formats.Dtype) []byte {
	var le [8]byte
	binary.LittleEndian.PutUint64(le[:], uint64(v))
	b := make([]byte, base.Size)
	for i := range b {
		var x byte
		if i < 8 {
			x = le[i]
		} else if v < 0 && base.Signed {
			x = 0xff
		}
		if base.Order == formats.BigEndian {
			b[len(b)-1-i] = x
		} else {
			b[i] = x
		}
	}
	return b
}

func arrayDtypeOf(tid C.hid_t, size, depth int) (formats.Dtype, error) {
	nd := C.H5Tget_array_ndims(tid)
	if nd < 0 {
		return formats.Dtype{}, h5fail("H5Tget_array_ndims")
	}
	dims := make([]C.hsize_t, max(int(nd), 1))
	if C.H5Tget_array_dims2(tid, &dims[0]) < 0 {
		return formats.Dtype{}, h5fail("H5Tget_array_dims2")
	}
	base, err := superDtypeOf(tid, depth)
	if err != nil {
		return formats.Dtype{}, err
	}
	t := formats.Dtype{Class: formats.ClassArray, Size: size, Base: &base, Dims: make([]int, int(nd))}
	for i := range t.Dims {
		t.Dims[i] = int(dims[i])
	}
	return t, nil
}

// Bounds on what typeFor builds. Dtypes come from documents in the store,
// so nothing in them may make the connector allocate without limit.
const (
	maxIntegerSize = 64      // bytes of an integer or bitfield
	maxElementSize = 1 << 30 // bytes of any fixed-size element
)

// typeFor builds a new HDF5 datatype for t; the caller closes it.
func typeFor(t formats.Dtype) (C.hid_t, error) {
	tid, err := typeForDepth(t, 0)
	if err != nil {
		return -1, err
	}
	if size := C.H5Tget_size(tid); size == 0 || size > maxElementSize {
		C.H5Tclose(tid)
		return -1, fmt.Errorf("%w: elements of %d bytes (at most %d)", vol.ErrInvalid, uint64(size), maxElementSize)
	}
	return tid, nil
}

func typeForDepth(t formats.Dtype, depth int) (tid C.hid_t, err error) {
	if depth > maxTypeDepth {
		return -1, fmt.Errorf("%w: datatype nested more than %d levels", vol.ErrInvalid, maxTypeDepth)
	}
	// Every builder below starts from a fresh copy it owns; on error it is
	// closed here so no branch leaks an id.
	tid = -1
	defer func() {
		if err != nil && tid >= 0 {
			C.H5Tclose(tid)
			tid = -1
		}
	}()
	if t.Size < 0 || t.Size > maxElementSize {
		return -1, fmt.Errorf("%w: %s of %d bytes", vol.ErrInvalid, t.Class, t.Size)
	}
	switch t.Class {
	case formats.ClassInteger, formats.ClassBitfield:
		return bitsTypeFor(t)
	case formats.ClassFloat:
		std := ieeeFloat(t.Size, t.Order)
		if std == 0 || (t.Order != formats.LittleEndian && t.Order != formats.BigEndian) {
			return -1, fmt.Errorf("%w: float of size %d order %q", vol.ErrUnsupported, t.Size, t.Order)
		}
		return copyType(std)
	case formats.ClassString:
		return stringTypeFor(t)
	case formats.ClassOpaque:
		if t.Size <= 0 {
			return -1, fmt.Errorf("%w: opaque type of size %d", vol.ErrInvalid, t.Size)
		}
		if tid = C.H5Tcreate(C.H5T_OPAQUE, C.size_t(t.Size)); tid < 0 {
			return -1, h5fail("H5Tcreate(H5T_OPAQUE)")
		}
		if t.Tag != "" {
			if len(t.Tag) >= C.H5T_OPAQUE_TAG_MAX {
				return tid, fmt.Errorf("%w: opaque tag longer than %d bytes", vol.ErrInvalid, C.H5T_OPAQUE_TAG_MAX-1)
			}
			tag := C.CString(t.Tag)
			defer C.free(unsafe.Pointer(tag))
			if C.H5Tset_tag(tid, tag) < 0 {
				return tid, h5fail("H5Tset_tag")
			}
		}
		return tid, nil
	case formats.ClassCompound:
		if t.Size <= 0 {
			return -1, fmt.Errorf("%w: compound type of size %d", vol.ErrInvalid, t.Size)
		}
		if tid = C.H5Tcreate(C.H5T_COMPOUND, C.size_t(t.Size)); tid < 0 {
			return -1, h5fail("H5Tcreate(H5T_COMPOUND)")
		}
		for _, m := range t.Members {
			if err := insertMember(tid, m, depth); err != nil {
				return tid, err
			}
		}
		return tid, nil
	case formats.ClassEnum:
		return enumTypeFor(t, depth)
	case formats.ClassArray:
		if t.Base == nil || len(t.Dims) == 0 || len(t.Dims) > C.H5S_MAX_RANK {
			return -1, fmt.Errorf("%w: array type needs a base and 1..%d dims", vol.ErrInvalid, C.H5S_MAX_RANK)
		}
		base, err := typeForDepth(*t.Base, depth+1)
		if err != nil {
			return -1, err
		}
		defer C.H5Tclose(base)
		dims := make([]C.hsize_t, len(t.Dims))
		total := uint64(C.H5Tget_size(base))
		for i, d := range t.Dims {
			if d <= 0 || d > maxElementSize {
				return -1, fmt.Errorf("%w: array dimension %d", vol.ErrInvalid, d)
			}
			if total *= uint64(d); total > maxElementSize {
				return -1, fmt.Errorf("%w: array elements above %d bytes", vol.ErrInvalid, maxElementSize)
			}
			dims[i] = C.hsize_t(d)
		}
		if tid = C.H5Tarray_create2(base, C.uint(len(dims)), &dims[0]); tid < 0 {
			return -1, h5fail("H5Tarray_create2")
		}
		return tid, nil
	case formats.ClassVlen:
		if t.Base == nil {
			return -1, fmt.Errorf("%w: vlen type without a base", vol.ErrInvalid)
		}
		base, err := typeForDepth(*t.Base, depth+1)
		if err != nil {
			return -1, err
		}
		defer C.H5Tclose(base)
		if tid = C.H5Tvlen_create(base); tid < 0 {
			return -1, h5fail("H5Tvlen_create")
		}
		return tid, nil
	}
	return -1, fmt.Errorf("%w: dtype class %q", vol.ErrUnsupported, t.Class)
}

func copyType(src C.hid_t) (C.hid_t, error) {
	tid := C.H5Tcopy(src)
	if tid < 0 {
		return -1, h5fail("H5Tcopy")
	}
	return tid, nil
}

// bitsTypeFor starts from the standard 8-bit type of the class and sign and
// reshapes it, keeping HDF5's defaults for the rest (zero padding), so the
// result equals the standard types of the same size and order.
func bitsTypeFor(t formats.Dtype) (C.hid_t, error) {
	if t.Size <= 0 || t.Size > maxIntegerSize {
		return -1, fmt.Errorf("%w: %s of size %d (1..%d)", vol.ErrInvalid, t.Class, t.Size, maxIntegerSize)
	}
	C.H5open()
	src := C.H5T_STD_B8LE_g
	if t.Class == formats.ClassInteger {
		src = C.H5T_STD_U8LE_g
		if t.Signed {
			src = C.H5T_STD_I8LE_g
		}
	}
	var order C.H5T_order_t
	switch t.Order {
	case formats.LittleEndian:
		order = C.H5T_ORDER_LE
	case formats.BigEndian:
		order = C.H5T_ORDER_BE
	default:
		return -1, fmt.Errorf("%w: %s byte order %q", vol.ErrInvalid, t.Class, t.Order)
	}
	tid, err := copyType(src)
	if err != nil {
		return -1, err
	}
	fail := func(err error) (C.hid_t, error) { C.H5Tclose(tid); return -1, err }
	if C.H5Tset_size(tid, C.size_t(t.Size)) < 0 {
		return fail(h5fail("H5Tset_size"))
	}
	// Growing a type keeps its precision; the model's default is all bits.
	if C.H5Tset_precision(tid, C.size_t(8*t.Size)) < 0 {
		return fail(h5fail("H5Tset_precision"))
	}
	if C.H5Tset_order(tid, order) < 0 {
		return fail(h5fail("H5Tset_order"))
	}
	if t.Precision != 0 || t.BitOffset != 0 {
		if t.Precision <= 0 || t.BitOffset < 0 || t.Precision+t.BitOffset > 8*t.Size {
			return fail(fmt.Errorf("%w: precision %d at bit offset %d in %d bytes", vol.ErrInvalid, t.Precision, t.BitOffset, t.Size))
		}
		if C.H5Tset_precision(tid, C.size_t(t.Precision)) < 0 {
			return fail(h5fail("H5Tset_precision"))
		}
		if C.H5Tset_offset(tid, C.size_t(t.BitOffset)) < 0 {
			return fail(h5fail("H5Tset_offset"))
		}
	}
	return tid, nil
}

func stringTypeFor(t formats.Dtype) (C.hid_t, error) {
	size := C.size_t(C.H5T_VARIABLE)
	if !t.Variable {
		if t.Size <= 0 {
			return -1, fmt.Errorf("%w: fixed-length string of size %d", vol.ErrInvalid, t.Size)
		}
		size = C.size_t(t.Size)
	}
	var cset C.H5T_cset_t
	switch t.Charset {
	case formats.CharsetASCII, "":
		cset = C.H5T_CSET_ASCII
	case formats.CharsetUTF8:
		cset = C.H5T_CSET_UTF8
	default:
		return -1, fmt.Errorf("%w: string charset %q", vol.ErrInvalid, t.Charset)
	}
	var pad C.H5T_str_t
	switch t.Padding {
	case formats.PadNullTerm, "":
		pad = C.H5T_STR_NULLTERM
	case formats.PadNullPad:
		pad = C.H5T_STR_NULLPAD
	case formats.PadSpacePad:
		pad = C.H5T_STR_SPACEPAD
	default:
		return -1, fmt.Errorf("%w: string padding %q", vol.ErrInvalid, t.Padding)
	}
	C.H5open()
	tid, err := copyType(C.H5T_C_S1_g)
	if err != nil {
		return -1, err
	}
	switch {
	case C.H5Tset_size(tid, size) < 0:
		err = h5fail("H5Tset_size")
	case C.H5Tset_cset(tid, cset) < 0:
		err = h5fail("H5Tset_cset")
	case C.H5Tset_strpad(tid, pad) < 0:
		err = h5fail("H5Tset_strpad")
	}
	if err != nil {
		C.H5Tclose(tid)
		return -1, err
	}
	return tid, nil
}

func insertMember(tid C.hid_t, m formats.Member, depth int) error {
	if m.Type == nil {
		return fmt.Errorf("%w: compound member %q has no type", vol.ErrInvalid, m.Name)
	}
	if m.Offset < 0 {
		return fmt.Errorf("%w: compound member %q at offset %d", vol.ErrInvalid, m.Name, m.Offset)
	}
	mt, err := typeForDepth(*m.Type, depth+1)
	if err != nil {
		return fmt.Errorf("compound member %q: %w", m.Name, err)
	}
	defer C.H5Tclose(mt)
	name := C.CString(m.Name)
	defer C.free(unsafe.Pointer(name))
	if C.H5Tinsert(tid, name, C.size_t(m.Offset), mt) < 0 {
		return h5fail(fmt.Sprintf("H5Tinsert(%q)", m.Name))
	}
	return nil
}

func enumTypeFor(t formats.Dtype, depth int) (C.hid_t, error) {
	if t.Base == nil || t.Base.Class != formats.ClassInteger {
		return -1, fmt.Errorf("%w: enum type needs an integer base", vol.ErrInvalid)
	}
	base, err := typeForDepth(*t.Base, depth+1)
	if err != nil {
		return -1, err
	}
	defer C.H5Tclose(base)
	tid := C.H5Tenum_create(base)
	if tid < 0 {
		return -1, h5fail("H5Tenum_create")
	}
	for _, m := range t.Members {
		val := encodeEnumValue(m.Value, *t.Base)
		name := C.CString(m.Name)
		rc := C.H5Tenum_insert(tid, name, unsafe.Pointer(&val[0]))
		C.free(unsafe.Pointer(name))
		if rc < 0 {
			C.H5Tclose(tid)
			return -1, h5fail(fmt.Sprintf("H5Tenum_insert(%q)", m.Name))
		}
	}
	return tid, nil
}

// typesEqual is H5Tequal as a Go bool.
func typesEqual(a, b C.hid_t) (bool, error) {
	switch r := C.H5Tequal(a, b); {
	case r < 0:
		return false, h5fail("H5Tequal")
	default:
		return r > 0, nil
	}
}

// typeSize is H5Tget_size (for variable-length types, the size of their
// in-memory handle: a char* or an hvl_t).
func typeSize(tid C.hid_t) (int, error) {
	s := C.H5Tget_size(tid)
	if s == 0 {
		return 0, h5fail("H5Tget_size")
	}
	return int(s), nil
}

// predefinedType returns HDF5's predefined type of that name (as h5dump
// prints it, or the H5T_NATIVE_* names), 0 if unknown. The id is the
// library's own: do not close it.
func predefinedType(name string) C.hid_t {
	C.H5open()
	switch name {
	case "H5T_STD_I8LE":
		return C.H5T_STD_I8LE_g
	case "H5T_STD_I8BE":
		return C.H5T_STD_I8BE_g
	case "H5T_STD_U8LE":
		return C.H5T_STD_U8LE_g
	case "H5T_STD_U8BE":
		return C.H5T_STD_U8BE_g
	case "H5T_STD_I16LE":
		return C.H5T_STD_I16LE_g
	case "H5T_STD_I16BE":
		return C.H5T_STD_I16BE_g
	case "H5T_STD_U16LE":
		return C.H5T_STD_U16LE_g
	case "H5T_STD_U16BE":
		return C.H5T_STD_U16BE_g
	case "H5T_STD_I32LE":
		return C.H5T_STD_I32LE_g
	case "H5T_STD_I32BE":
		return C.H5T_STD_I32BE_g
	case "H5T_STD_U32LE":
		return C.H5T_STD_U32LE_g
	case "H5T_STD_U32BE":
		return C.H5T_STD_U32BE_g
	case "H5T_STD_I64LE":
		return C.H5T_STD_I64LE_g
	case "H5T_STD_I64BE":
		return C.H5T_STD_I64BE_g
	case "H5T_STD_U64LE":
		return C.H5T_STD_U64LE_g
	case "H5T_STD_U64BE":
		return C.H5T_STD_U64BE_g
	case "H5T_STD_B8LE":
		return C.H5T_STD_B8LE_g
	case "H5T_STD_B16BE":
		return C.H5T_STD_B16BE_g
	case "H5T_STD_B32LE":
		return C.H5T_STD_B32LE_g
	case "H5T_STD_B64BE":
		return C.H5T_STD_B64BE_g
	case "H5T_IEEE_F16LE":
		return C.H5T_IEEE_F16LE_g
	case "H5T_IEEE_F32LE":
		return C.H5T_IEEE_F32LE_g
	case "H5T_IEEE_F32BE":
		return C.H5T_IEEE_F32BE_g
	case "H5T_IEEE_F64LE":
		return C.H5T_IEEE_F64LE_g
	case "H5T_IEEE_F64BE":
		return C.H5T_IEEE_F64BE_g
	case "H5T_C_S1":
		return C.H5T_C_S1_g
	case "H5T_FORTRAN_S1":
		return C.H5T_FORTRAN_S1_g
	case "H5T_NATIVE_CHAR":
		return C.H5T_NATIVE_SCHAR_g
	case "H5T_NATIVE_UCHAR":
		return C.H5T_NATIVE_UCHAR_g
	case "H5T_NATIVE_SHORT":
		return C.H5T_NATIVE_SHORT_g
	case "H5T_NATIVE_INT":
		return C.H5T_NATIVE_INT_g
	case "H5T_NATIVE_UINT":
		return C.H5T_NATIVE_UINT_g
	case "H5T_NATIVE_LONG":
		return C.H5T_NATIVE_LONG_g
	case "H5T_NATIVE_LLONG":
		return C.H5T_NATIVE_LLONG_g
	case "H5T_NATIVE_ULLONG":
		return C.H5T_NATIVE_ULLONG_g
	case "H5T_NATIVE_FLOAT":
		return C.H5T_NATIVE_FLOAT_g
	case "H5T_NATIVE_DOUBLE":
		return C.H5T_NATIVE_DOUBLE_g
	case "H5T_NATIVE_LDOUBLE":
		return C.H5T_NATIVE_LDOUBLE_g
	case "H5T_NATIVE_B8":
		return C.H5T_NATIVE_B8_g
	case "H5T_NATIVE_HBOOL":
		return C.H5T_NATIVE_HBOOL_g
	case "H5T_STD_REF":
		return C.H5T_STD_REF_g
	case "H5T_STD_REF_OBJ":
		return C.H5T_STD_REF_OBJ_g
	case "H5T_UNIX_D32LE":
		return C.H5T_UNIX_D32LE_g
	}
	return 0
}

// commitTypes writes a new HDF5 file (native format, truncating) with each
// type committed under its name, so h5dump can print them; the tests use it
// to show that rebuilt types print exactly as the originals.
func commitTypes(path string, names []string, types []C.hid_t) error {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	C.H5open()
	fapl := C.H5Pcreate(C.H5P_CLS_FILE_ACCESS_ID_g)
	if fapl < 0 {
		return h5fail("H5Pcreate(H5P_FILE_ACCESS)")
	}
	defer C.H5Pclose(fapl)
	// Integers with unused bits are refused by default since 1.14.4.
	if C.H5Pset_relax_file_integrity_checks(fapl, C.H5F_RFIC_UNUSUAL_NUM_UNUSED_NUMERIC_BITS) < 0 {
		return h5fail("H5Pset_relax_file_integrity_checks")
	}
	fid := C.H5Fcreate(cpath, C.H5F_ACC_TRUNC, C.H5P_DEFAULT, fapl)
	if fid < 0 {
		return h5fail("H5Fcreate")
	}
	defer C.H5Fclose(fid)
	for i, name := range names {
		t, err := copyType(types[i]) // predefined types are locked; commit a copy
		if err != nil {
			return err
		}
		cname := C.CString(name)
		rc := C.H5Tcommit2(fid, cname, t, C.H5P_DEFAULT, C.H5P_DEFAULT, C.H5P_DEFAULT)
		C.free(unsafe.Pointer(cname))
		C.H5Tclose(t)
		if rc < 0 {
			return h5fail("H5Tcommit2(" + name + ")")
		}
	}
	return nil
}
