package main

// What a dataset creation property list asks for, in model terms. The dcpl
// itself is stored encoded (H5Pencode2) next to the dataset so HDF5 gets it
// back verbatim; this is only what the store needs to know to lay chunks out
// and encode them. The checks mirror the native library's H5Dcreate, so a
// program gets the same refusals from the connector as from a local file.

/*
#cgo pkg-config: hdf5
#include <stdlib.h>
#include <hdf5.h>
*/
import "C"

import (
	"fmt"

	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/vol"
)

// Layout classes as domain.Layout.Class spells them.
const (
	layoutContiguous = "contiguous"
	layoutChunked    = "chunked"
	layoutCompact    = "compact"
)

// maxCompactBytes is the most raw data a compact dataset holds natively: the
// object header message limit (64 KiB) less the layout message's own fields.
const maxCompactBytes = 65536 - 4

// supportedFilter names the pipeline stages the store can apply to chunks.
func supportedFilter(id int) (name string, ok bool) {
	switch id {
	case C.H5Z_FILTER_DEFLATE:
		return "deflate", true
	case C.H5Z_FILTER_SHUFFLE:
		return "shuffle", true
	case C.H5Z_FILTER_FLETCHER32:
		return "fletcher32", true
	}
	return "", false
}

// layoutOf reads layout, chunk shape, filters and fill value from dcpl.
// fileType is the dataset's type (the fill value is returned converted to
// it, one element, nil when undefined or default zeros); space its extent.
func layoutOf(dcpl C.hid_t, fileType C.hid_t, space domain.Space) (domain.Layout, []byte, error) {
	var l domain.Layout
	switch C.H5Pget_layout(dcpl) {
	case C.H5D_CONTIGUOUS:
		l.Class = layoutContiguous
	case C.H5D_CHUNKED:
		l.Class = layoutChunked
	case C.H5D_COMPACT:
		l.Class = layoutCompact
	case C.H5D_VIRTUAL:
		return l, nil, fmt.Errorf("%w: virtual dataset layout", vol.ErrUnsupported)
	default:
		return l, nil, h5fail("H5Pget_layout")
	}
	switch n := C.H5Pget_external_count(dcpl); {
	case n < 0:
		return l, nil, h5fail("H5Pget_external_count")
	case n > 0:
		return l, nil, fmt.Errorf("%w: external raw data files (H5Pset_external)", vol.ErrUnsupported)
	}
	if l.Class == layoutChunked {
		chunks, err := chunkDims(dcpl)
		if err != nil {
			return l, nil, err
		}
		l.Chunks = chunks
	}
	filters, err := filtersOf(dcpl)
	if err != nil {
		return l, nil, err
	}
	l.Filters = filters
	if err := checkLayout(l, fileType, space); err != nil {
		return l, nil, err
	}
	fill, err := fillValueOf(dcpl, fileType)
	if err != nil {
		return l, nil, err
	}
	return l, fill, nil
}

func chunkDims(dcpl C.hid_t) ([]uint64, error) {
	var dims [C.H5S_MAX_RANK]C.hsize_t
	rank := C.H5Pget_chunk(dcpl, C.H5S_MAX_RANK, &dims[0])
	if rank < 0 {
		return nil, h5fail("H5Pget_chunk")
	}
	out := make([]uint64, int(rank))
	for i := range out {
		out[i] = uint64(dims[i])
	}
	return out, nil
}

func filtersOf(dcpl C.hid_t) ([]domain.Filter, error) {
	n := C.H5Pget_nfilters(dcpl)
	if n < 0 {
		return nil, h5fail("H5Pget_nfilters")
	}
	var out []domain.Filter
	for i := C.uint(0); i < C.uint(n); i++ {
		var (
			flags  C.uint
			config C.uint
			name   [256]C.char
			values = make([]C.uint, 16)
		)
		nvalues := C.size_t(len(values))
		id := C.H5Pget_filter2(dcpl, i, &flags, &nvalues, &values[0], C.size_t(len(name)), &name[0], &config)
		if id < 0 {
			return nil, h5fail("H5Pget_filter2")
		}
		if int(nvalues) > len(values) { // more parameters than we offered room for: ask again
			values = make([]C.uint, int(nvalues))
			if C.H5Pget_filter2(dcpl, i, &flags, &nvalues, &values[0], C.size_t(len(name)), &name[0], &config) < 0 {
				return nil, h5fail("H5Pget_filter2")
			}
		}
		f := domain.Filter{
			ID:       int(id),
			Name:     C.GoString(&name[0]),
			Optional: flags&C.H5Z_FLAG_OPTIONAL != 0,
		}
		known, ok := supportedFilter(f.ID)
		if !ok {
			return nil, fmt.Errorf("%w: filter %d (%q); the store applies only deflate, shuffle and fletcher32", vol.ErrUnsupported, f.ID, f.Name)
		}
		if f.Name == "" {
			f.Name = known
		}
		for _, v := range values[:int(nvalues)] {
			f.Params = append(f.Params, uint32(v))
		}
		out = append(out, f)
	}
	return out, nil
}

// checkLayout refuses what native H5Dcreate refuses, with its reasons.
func checkLayout(l domain.Layout, fileType C.hid_t, space domain.Space) error {
	if len(l.Filters) > 0 && l.Class != layoutChunked {
		return fmt.Errorf("%w: filters can only be used with chunked layout", vol.ErrInvalid)
	}
	maxDims := space.MaxDims
	if maxDims == nil { // fixed at dims, as spaceFor reads it
		maxDims = space.Dims
	}
	extendible := false
	for i, m := range maxDims {
		if i < len(space.Dims) && m != space.Dims[i] {
			extendible = true
		}
	}
	switch l.Class {
	case layoutChunked:
		if space.Class != spaceSimple {
			return fmt.Errorf("%w: chunked layout needs a simple dataspace, not %s", vol.ErrInvalid, space.Class)
		}
		if len(l.Chunks) != len(space.Dims) {
			return fmt.Errorf("%w: chunk rank %d differs from dataspace rank %d", vol.ErrInvalid, len(l.Chunks), len(space.Dims))
		}
		for i, c := range l.Chunks {
			if c == 0 {
				return fmt.Errorf("%w: chunk dimension %d is zero", vol.ErrInvalid, i)
			}
			if i < len(maxDims) && maxDims[i] != domain.Unlimited && c > maxDims[i] {
				return fmt.Errorf("%w: chunk size must be <= maximum dimension size for fixed-sized dimensions (dimension %d: chunk %d > max %d)",
					vol.ErrInvalid, i, c, maxDims[i])
			}
		}
	case layoutContiguous:
		if extendible {
			return fmt.Errorf("%w: extendible contiguous non-external dataset not allowed; use a chunked layout", vol.ErrInvalid)
		}
	case layoutCompact:
		if extendible {
			return fmt.Errorf("%w: extendible compact dataset not allowed; use a chunked layout", vol.ErrInvalid)
		}
		size, err := typeSize(fileType)
		if err != nil {
			return err
		}
		if n := spacePoints(space); n > 0 && uint64(size) > maxCompactBytes/n {
			return fmt.Errorf("%w: compact dataset size is bigger than header message maximum size (%d elements of %d bytes > %d bytes)",
				vol.ErrInvalid, n, size, maxCompactBytes)
		}
	}
	return nil
}

// fillValueOf is the user-defined fill value converted to fileType, or nil
// when there is none (undefined, or the default of zero bytes). Fill values
// of variable-length types have no fixed byte layout to store, so they are
// not kept (such datasets read unwritten elements as NULL/empty).
func fillValueOf(dcpl C.hid_t, fileType C.hid_t) ([]byte, error) {
	var status C.H5D_fill_value_t
	if C.H5Pfill_value_defined(dcpl, &status) < 0 {
		return nil, h5fail("H5Pfill_value_defined")
	}
	if status != C.H5D_FILL_VALUE_USER_DEFINED {
		return nil, nil
	}
	if v, err := hasVariableParts(fileType); err != nil || v {
		return nil, err
	}
	size, err := typeSize(fileType)
	if err != nil {
		return nil, err
	}
	buf := C.calloc(1, C.size_t(size))
	if buf == nil {
		return nil, fmt.Errorf("%w: out of memory for a %d-byte fill value", vol.ErrInvalid, size)
	}
	defer C.free(buf)
	if C.H5Pget_fill_value(dcpl, fileType, buf) < 0 {
		return nil, h5fail("H5Pget_fill_value")
	}
	fill := C.GoBytes(buf, C.int(size))
	for _, b := range fill {
		if b != 0 {
			return fill, nil
		}
	}
	return nil, nil // zeros are the default: store nothing
}

// hasVariableParts reports whether elements of tid hold pointers anywhere
// (variable-length strings or vlen sequences, at any depth).
func hasVariableParts(tid C.hid_t) (bool, error) {
	if r := C.H5Tdetect_class(tid, C.H5T_VLEN); r != 0 {
		return r > 0, errIf(r < 0, "H5Tdetect_class")
	}
	// H5Tdetect_class finds variable-length strings only through the string
	// class; look for them member by member.
	switch C.H5Tget_class(tid) {
	case C.H5T_STRING:
		r := C.H5Tis_variable_str(tid)
		return r > 0, errIf(r < 0, "H5Tis_variable_str")
	case C.H5T_COMPOUND:
		n := C.H5Tget_nmembers(tid)
		for i := C.uint(0); i < C.uint(max(n, 0)); i++ {
			mt := C.H5Tget_member_type(tid, i)
			if mt < 0 {
				return false, h5fail("H5Tget_member_type")
			}
			v, err := hasVariableParts(mt)
			C.H5Tclose(mt)
			if err != nil || v {
				return v, err
			}
		}
	case C.H5T_ARRAY:
		super := C.H5Tget_super(tid)
		if super < 0 {
			return false, h5fail("H5Tget_super")
		}
		defer C.H5Tclose(super)
		return hasVariableParts(super)
	}
	return false, nil
}

func errIf(failed bool, call string) error {
	if failed {
		return h5fail(call)
	}
	return nil
}

// dcplFor builds the dataset creation property list a layout and fill value
// describe (layoutOf's inverse), for a dataset document that carries no
// encoded dcpl; the caller closes it. fill is one element of fileType.
func dcplFor(l domain.Layout, fileType C.hid_t, fill []byte) (C.hid_t, error) {
	C.H5open()
	dcpl := C.H5Pcreate(C.H5P_CLS_DATASET_CREATE_ID_g)
	if dcpl < 0 {
		return -1, h5fail("H5Pcreate(H5P_DATASET_CREATE)")
	}
	if err := fillDCPL(dcpl, l, fileType, fill); err != nil {
		C.H5Pclose(dcpl)
		return -1, err
	}
	return dcpl, nil
}

func fillDCPL(dcpl C.hid_t, l domain.Layout, fileType C.hid_t, fill []byte) error {
	switch l.Class {
	case layoutChunked:
		if len(l.Chunks) == 0 || len(l.Chunks) > C.H5S_MAX_RANK {
			return fmt.Errorf("%w: chunked layout of rank %d", vol.ErrInvalid, len(l.Chunks))
		}
		dims := hsizes(l.Chunks)
		if C.H5Pset_chunk(dcpl, C.int(len(dims)), &dims[0]) < 0 {
			return h5fail("H5Pset_chunk")
		}
	case layoutContiguous:
		if C.H5Pset_layout(dcpl, C.H5D_CONTIGUOUS) < 0 {
			return h5fail("H5Pset_layout")
		}
	case layoutCompact:
		if C.H5Pset_layout(dcpl, C.H5D_COMPACT) < 0 {
			return h5fail("H5Pset_layout")
		}
	default:
		return fmt.Errorf("%w: layout class %q", vol.ErrInvalid, l.Class)
	}
	for _, f := range l.Filters {
		flags := C.uint(C.H5Z_FLAG_MANDATORY)
		if f.Optional {
			flags = C.H5Z_FLAG_OPTIONAL
		}
		params := make([]C.uint, len(f.Params)+1) // +1: never a zero-length array
		for i, p := range f.Params {
			params[i] = C.uint(p)
		}
		if C.H5Pset_filter(dcpl, C.H5Z_filter_t(f.ID), flags, C.size_t(len(f.Params)), &params[0]) < 0 {
			return h5fail(fmt.Sprintf("H5Pset_filter(%d)", f.ID))
		}
	}
	if fill != nil {
		size, err := typeSize(fileType)
		if err != nil {
			return err
		}
		if len(fill) != size {
			return fmt.Errorf("%w: fill value of %d bytes for a %d-byte type", vol.ErrInvalid, len(fill), size)
		}
		p := C.CBytes(fill)
		defer C.free(p)
		if C.H5Pset_fill_value(dcpl, fileType, p) < 0 {
			return h5fail("H5Pset_fill_value")
		}
	}
	return nil
}

func closePlistID(pid C.hid_t) {
	if pid > 0 {
		C.H5Pclose(pid)
	}
}
