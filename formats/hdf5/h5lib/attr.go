package h5lib

/*
#include "h5lib.h"
*/
import "C"

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"

	"github.com/sciswift/sciswift/formats"
	gonum "gonum.org/v1/hdf5"
)

// attributeOwner is a gonum group or dataset.
type attributeOwner interface {
	ID() int64
	OpenAttribute(name string) (*gonum.Attribute, error)
}

// attributes describes the n attributes of obj, in name order, with their
// values decoded when they are small and of a type JSON can carry.
func attributes(obj attributeOwner, n int) ([]formats.Attribute, error) {
	if n == 0 {
		return nil, nil
	}
	names, err := attributeNames(obj)
	if err != nil {
		return nil, err
	}
	var out []formats.Attribute
	for _, name := range names[:min(n, len(names))] {
		if name == "" {
			continue // unreachable by name; libhdf5 refuses to make it
		}
		a, err := attribute(obj, name)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// attributeNames lists the attribute names of obj in name order, in one
// libhdf5 iteration (gonum has no call for it; asking for the name of
// attribute i sorts all of them once more for every i).
func attributeNames(obj attributeOwner) ([]string, error) {
	var list C.h5w_names_t
	defer C.h5w_names_free(&list)
	if C.h5w_attr_names(hid(obj), &list) < 0 {
		return nil, fmt.Errorf("attribute %d: %s", list.n, lastError())
	}
	names := make([]string, list.n)
	for i, p := range unsafe.Slice(list.names, list.n) {
		names[i] = C.GoString(p)
	}
	return names, nil
}

func attribute(obj attributeOwner, name string) (formats.Attribute, error) {
	a := formats.Attribute{Name: name}
	attr, err := obj.OpenAttribute(name)
	if err != nil {
		return a, fmt.Errorf("attribute %q: %s", name, lastError())
	}
	defer attr.Close()
	tid := C.H5Aget_type(hid(attr))
	if tid < 0 {
		return a, fmt.Errorf("attribute %q: datatype: %s", name, lastError())
	}
	defer C.H5Tclose(tid)
	typ, why, err := dtype(tid, 0)
	if err != nil {
		return a, fmt.Errorf("attribute %q: %v", name, err)
	}
	a.Type = typ
	space := attr.Space()
	if space == nil {
		return a, fmt.Errorf("attribute %q: dataspace: %s", name, lastError())
	}
	defer space.Close()
	dims, _, null, err := extent(space)
	if err != nil {
		return a, fmt.Errorf("attribute %q: %v", name, err)
	}
	if len(dims) > 0 {
		a.Shape = dims
	}
	if null || why != "" {
		return a, nil
	}
	a.Value, err = attributeValue(hid(attr), tid, hid(space), &a)
	if err != nil {
		return a, fmt.Errorf("attribute %q: %v", name, err)
	}
	return a, nil
}

func attributeValue(aid, tid, sid C.hid_t, a *formats.Attribute) (any, error) {
	n, ok := formats.Elements(a.Shape)
	if !ok || n == 0 {
		return nil, nil
	}
	t := &a.Type
	switch {
	case t.Class == formats.ClassString && t.Variable:
		if n > maxAttrBytes/8 {
			return nil, nil
		}
		strs, err := readVlenStrings(aid, true, sid, sid, t.Charset == formats.CharsetUTF8, n)
		if err != nil {
			return nil, err
		}
		vals := make([]any, n)
		for i, s := range strs {
			vals[i] = string(s)
		}
		return shapeValues(vals, a.Shape), nil
	case t.ContainsVariable():
		return nil, nil
	}
	size, ok := mul(n, uint64(t.Size))
	if !ok || size > maxAttrBytes {
		return nil, nil
	}
	buf := make([]byte, size)
	if C.H5Aread(aid, tid, unsafe.Pointer(&buf[0])) < 0 {
		return nil, fmt.Errorf("read: %s", lastError())
	}
	vals := make([]any, n)
	for i := range vals {
		vals[i] = value(t, buf[uint64(i)*uint64(t.Size):])
	}
	return shapeValues(vals, a.Shape), nil
}

func mul(a, b uint64) (uint64, bool) {
	if a != 0 && b > math.MaxUint64/a {
		return 0, false
	}
	return a * b, true
}

// shapeValues nests vals (C order) by shape; a scalar is the value itself.
func shapeValues(vals []any, shape []uint64) any {
	if len(shape) == 0 {
		return vals[0]
	}
	if len(shape) == 1 {
		return vals
	}
	step := len(vals) / int(shape[0])
	out := make([]any, shape[0])
	for i := range out {
		out[i] = shapeValues(vals[i*step:(i+1)*step], shape[1:])
	}
	return out
}

// value decodes one element of fixed-size type t at the start of b into a
// JSON-ready value. Non-finite floats become the strings "NaN", "Infinity"
// and "-Infinity", which JSON cannot carry as numbers.
func value(t *formats.Dtype, b []byte) any {
	switch t.Class {
	case formats.ClassInteger, formats.ClassBitfield:
		if t.Size > 8 {
			return b[:t.Size]
		}
		v := intValue(t, b[:t.Size])
		if t.Signed {
			return v
		}
		return uint64(v)
	case formats.ClassFloat:
		return floatValue(t, b)
	case formats.ClassString:
		return fixedString(t, b[:t.Size])
	case formats.ClassEnum:
		v := intValue(t.Base, b[:t.Size])
		if t.IsBool() {
			return v != 0
		}
		if t.Base.Signed {
			return v
		}
		return uint64(v)
	case formats.ClassCompound:
		m := make(map[string]any, len(t.Members))
		for _, f := range t.Members {
			m[f.Name] = value(f.Type, b[f.Offset:])
		}
		return m
	case formats.ClassArray:
		n := 1
		shape := make([]uint64, len(t.Dims))
		for i, d := range t.Dims {
			n *= d
			shape[i] = uint64(d)
		}
		vals := make([]any, n)
		for i := range vals {
			vals[i] = value(t.Base, b[i*t.Base.Size:])
		}
		return shapeValues(vals, shape)
	}
	return b[:t.Size] // opaque: base64 in JSON
}

func floatValue(t *formats.Dtype, b []byte) any {
	order := binary.ByteOrder(binary.LittleEndian)
	if t.Order == formats.BigEndian {
		order = binary.BigEndian
	}
	var f float64
	switch t.Size {
	case 2:
		f = halfFloat(order.Uint16(b))
	case 4:
		f = float64(math.Float32frombits(order.Uint32(b)))
	case 8:
		f = math.Float64frombits(order.Uint64(b))
	default:
		return b[:t.Size]
	}
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return f
}

func halfFloat(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp, frac := int(h>>10)&0x1f, float64(h&0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 0x1f:
		if frac != 0 {
			return math.NaN()
		}
		return math.Inf(int(sign))
	}
	return sign * math.Ldexp(1+frac/1024, exp-15)
}

func fixedString(t *formats.Dtype, b []byte) string {
	if t.Padding == formats.PadSpacePad {
		end := len(b)
		for end > 0 && (b[end-1] == ' ' || b[end-1] == 0) {
			end--
		}
		return string(b[:end])
	}
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// readVlenStrings reads n variable-length strings from a dataset or
// attribute.
func readVlenStrings(obj C.hid_t, isAttr bool, memspace, filespace C.hid_t, utf8 bool, n uint64) ([][]byte, error) {
	ptrs := C.calloc(C.size_t(max(n, 1)), C.size_t(unsafe.Sizeof(uintptr(0))))
	if ptrs == nil {
		return nil, fmt.Errorf("out of memory for %d strings", n)
	}
	defer C.free(ptrs)
	u, attr := C.int(0), C.int(0)
	if utf8 {
		u = 1
	}
	if isAttr {
		attr = 1
	}
	strs := (**C.char)(ptrs)
	errbuf := make([]byte, 512)
	cerr := (*C.char)(unsafe.Pointer(&errbuf[0]))
	if C.h5w_read_vlen_strings(obj, attr, memspace, filespace, u, strs, cerr, C.size_t(len(errbuf))) < 0 {
		return nil, fmt.Errorf("read: %s", C.GoString(cerr))
	}
	defer C.h5w_reclaim_strings(memspace, u, strs)
	out := make([][]byte, n)
	for i, p := range unsafe.Slice(strs, n) {
		if p != nil {
			out[i] = []byte(C.GoString(p))
		} else {
			out[i] = []byte{}
		}
	}
	return out, nil
}
