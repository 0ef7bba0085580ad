package main

// HDF5 dataspaces <-> domain.Space, and the few selection operations the
// transfer code and its tests need.

/*
#cgo pkg-config: hdf5
#include <hdf5.h>
*/
import "C"

import (
	"fmt"

	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/vol"
)

// h5id is hid_t under a name the tests can write (test files cannot import
// "C").
type h5id = C.hid_t

// Space classes as domain.Space.Class spells them.
const (
	spaceScalar = "scalar"
	spaceNull   = "null"
	spaceSimple = "simple"
)

// spaceOf describes a dataspace's extent (its selection is not part of the
// model). MaxDims is always filled for simple spaces, so that a dataset
// shrunk by H5Dset_extent keeps the maximum it was created with.
func spaceOf(sid C.hid_t) (domain.Space, error) {
	switch C.H5Sget_simple_extent_type(sid) {
	case C.H5S_SCALAR:
		return domain.Space{Class: spaceScalar}, nil
	case C.H5S_NULL:
		return domain.Space{Class: spaceNull}, nil
	case C.H5S_SIMPLE:
	default:
		return domain.Space{}, h5fail("H5Sget_simple_extent_type")
	}
	rank := C.H5Sget_simple_extent_ndims(sid)
	if rank < 0 {
		return domain.Space{}, h5fail("H5Sget_simple_extent_ndims")
	}
	s := domain.Space{Class: spaceSimple, Dims: make([]uint64, int(rank)), MaxDims: make([]uint64, int(rank))}
	if rank == 0 {
		return s, nil
	}
	dims := make([]C.hsize_t, int(rank))
	maxDims := make([]C.hsize_t, int(rank))
	if C.H5Sget_simple_extent_dims(sid, &dims[0], &maxDims[0]) < 0 {
		return domain.Space{}, h5fail("H5Sget_simple_extent_dims")
	}
	for i := range dims {
		s.Dims[i] = uint64(dims[i])
		s.MaxDims[i] = uint64(maxDims[i]) // H5S_UNLIMITED == domain.Unlimited
	}
	return s, nil
}

// spaceFor creates a dataspace with s's extent, everything selected; the
// caller closes it. Nil MaxDims means fixed at Dims.
func spaceFor(s domain.Space) (C.hid_t, error) {
	switch s.Class {
	case spaceScalar, spaceNull:
		cls := C.H5S_class_t(C.H5S_SCALAR)
		if s.Class == spaceNull {
			cls = C.H5S_NULL
		}
		sid := C.H5Screate(cls)
		if sid < 0 {
			return -1, h5fail("H5Screate")
		}
		return sid, nil
	case spaceSimple:
	default:
		return -1, fmt.Errorf("%w: dataspace class %q", vol.ErrInvalid, s.Class)
	}
	if err := checkSimpleSpace(s); err != nil {
		return -1, err
	}
	dims := make([]C.hsize_t, len(s.Dims))
	for i, d := range s.Dims {
		dims[i] = C.hsize_t(d)
	}
	var maxPtr *C.hsize_t
	if s.MaxDims != nil {
		maxDims := make([]C.hsize_t, len(s.MaxDims))
		for i, d := range s.MaxDims {
			maxDims[i] = C.hsize_t(d)
		}
		maxPtr = &maxDims[0]
	}
	sid := C.H5Screate_simple(C.int(len(dims)), &dims[0], maxPtr)
	if sid < 0 {
		return -1, h5fail("H5Screate_simple")
	}
	return sid, nil
}

func checkSimpleSpace(s domain.Space) error {
	if len(s.Dims) == 0 || len(s.Dims) > C.H5S_MAX_RANK {
		return fmt.Errorf("%w: simple dataspace of rank %d (1..%d)", vol.ErrInvalid, len(s.Dims), C.H5S_MAX_RANK)
	}
	if s.MaxDims != nil && len(s.MaxDims) != len(s.Dims) {
		return fmt.Errorf("%w: %d max dims for rank %d", vol.ErrInvalid, len(s.MaxDims), len(s.Dims))
	}
	for i, d := range s.MaxDims {
		if d != domain.Unlimited && d < s.Dims[i] {
			return fmt.Errorf("%w: dimension %d is %d, above its maximum %d", vol.ErrInvalid, i, s.Dims[i], d)
		}
	}
	return nil
}

// spacePoints is the number of elements in an extent: 0 for null, 1 for
// scalar, the product of the dims for simple spaces.
func spacePoints(s domain.Space) uint64 {
	switch s.Class {
	case spaceNull:
		return 0
	case spaceScalar:
		return 1
	}
	n := uint64(1)
	for _, d := range s.Dims {
		n *= d
	}
	return n
}

// selectedPoints is H5Sget_select_npoints.
func selectedPoints(sid C.hid_t) (uint64, error) {
	n := C.H5Sget_select_npoints(sid)
	if n < 0 {
		return 0, h5fail("H5Sget_select_npoints")
	}
	return uint64(n), nil
}

// sameExtent reports whether a dataspace has exactly the extent s describes
// (class and dims; max dims do not matter for addressing elements).
func sameExtent(sid C.hid_t, s domain.Space) (bool, error) {
	have, err := spaceOf(sid)
	if err != nil {
		return false, err
	}
	if have.Class != s.Class || len(have.Dims) != len(s.Dims) {
		return false, nil
	}
	for i := range have.Dims {
		if have.Dims[i] != s.Dims[i] {
			return false, nil
		}
	}
	return true, nil
}

func hsizes(v []uint64) []C.hsize_t {
	out := make([]C.hsize_t, len(v))
	for i, x := range v {
		out[i] = C.hsize_t(x)
	}
	return out
}

// selectHyperslab replaces (or, with or, extends) sid's selection with a
// hyperslab; nil stride and block mean ones.
func selectHyperslab(sid C.hid_t, or bool, start, stride, count, block []uint64) error {
	op := C.H5S_seloper_t(C.H5S_SELECT_SET)
	if or {
		op = C.H5S_SELECT_OR
	}
	cStart, cCount := hsizes(start), hsizes(count)
	if len(cStart) == 0 || len(cCount) != len(cStart) {
		return fmt.Errorf("%w: hyperslab start and count of ranks %d, %d", vol.ErrInvalid, len(start), len(count))
	}
	var pStride, pBlock *C.hsize_t
	if stride != nil {
		s := hsizes(stride)
		pStride = &s[0]
	}
	if block != nil {
		b := hsizes(block)
		pBlock = &b[0]
	}
	if C.H5Sselect_hyperslab(sid, op, &cStart[0], pStride, &cCount[0], pBlock) < 0 {
		return h5fail("H5Sselect_hyperslab")
	}
	return nil
}

// selectPoints replaces sid's selection with the given points, in order.
func selectPoints(sid C.hid_t, points [][]uint64) error {
	if len(points) == 0 {
		return selectNone(sid)
	}
	var flat []C.hsize_t
	for _, p := range points {
		flat = append(flat, hsizes(p)...)
	}
	if C.H5Sselect_elements(sid, C.H5S_SELECT_SET, C.size_t(len(points)), &flat[0]) < 0 {
		return h5fail("H5Sselect_elements")
	}
	return nil
}

func selectNone(sid C.hid_t) error {
	if C.H5Sselect_none(sid) < 0 {
		return h5fail("H5Sselect_none")
	}
	return nil
}

// setSpaceOffset is H5Soffset_simple: shifts the selection by off.
func setSpaceOffset(sid C.hid_t, off []int64) error {
	o := make([]C.hssize_t, len(off))
	for i, x := range off {
		o[i] = C.hssize_t(x)
	}
	if C.H5Soffset_simple(sid, &o[0]) < 0 {
		return h5fail("H5Soffset_simple")
	}
	return nil
}

// selectionContains reports whether the element at coord is selected (a
// one-element H5Sselect_intersect_block).
func selectionContains(sid C.hid_t, coord []uint64) (bool, error) {
	c := hsizes(coord)
	if len(c) == 0 { // scalar: the one element is selected iff npoints is 1
		n, err := selectedPoints(sid)
		return n == 1, err
	}
	r := C.H5Sselect_intersect_block(sid, &c[0], &c[0])
	if r < 0 {
		return false, h5fail("H5Sselect_intersect_block")
	}
	return r > 0, nil
}

func closeSpaceID(sid C.hid_t) {
	if sid > 0 {
		C.H5Sclose(sid)
	}
}

func closeTypeID(tid C.hid_t) {
	if tid > 0 {
		C.H5Tclose(tid)
	}
}
