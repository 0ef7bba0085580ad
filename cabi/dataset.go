package main

// Dataset callbacks (H5D*): creation, lookup and metadata here; element
// transfer through readDataset/writeDataset (transfer.go).

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

//export swDatasetCreate
func swDatasetCreate(obj C.uintptr_t, loc *C.sw_loc_t, name *C.char, lcpl, typeID, spaceID, dcpl C.hid_t) C.uintptr_t {
	return object("H5Dcreate", func(p *plugin) (*handle, error) {
		h, base, basePath, err := p.lookupAt(obj, loc)
		if err != nil {
			return nil, err
		}
		var spec vol.DatasetSpec
		if spec.Type, err = dtypeOf(typeID); err != nil {
			return nil, err
		}
		if spec.Space, err = spaceOf(spaceID); err != nil {
			return nil, err
		}
		if spec.Layout, spec.Fill, err = layoutOf(dcpl, typeID, spec.Space); err != nil {
			return nil, err
		}
		if spec.DCPL, err = encodeDCPL(dcpl, typeID); err != nil {
			return nil, err
		}
		if spec.Layout.EarlyAlloc, err = earlyAlloc(dcpl); err != nil {
			return nil, err
		}
		spec.TypeRef = p.committedType(h.file, typeID)
		path := goStringOrEmpty(name) // NULL: H5Dcreate_anon
		var d *vol.Object
		if err := createLinked(base, path, lcpl, func(inter bool) (err error) {
			d, err = base.CreateDataset(path, inter, spec)
			return err
		}); err != nil {
			return nil, err
		}
		return &handle{kind: kindDataset, file: h.file.Reopen(), obj: d, path: createdPath(basePath, path)}, nil
	})
}

// encodeDCPL keeps the dataset creation list as native HDF5 keeps it once
// the dataset exists, which H5Dget_create_plist shows: with the filters'
// per-dataset parameters filled in (the shuffle filter's element size),
// and, for a type with variable-length parts, the fill time
// H5D_FILL_TIME_IFSET turned into H5D_FILL_TIME_ALLOC (native HDF5 always
// writes such fill values; it refuses H5D_FILL_TIME_NEVER for them).
func encodeDCPL(dcpl, typeID C.hid_t) ([]byte, error) {
	isDefault := C.sw_is_default_plist(dcpl) != 0
	fillTime := C.H5D_fill_time_t(C.H5D_FILL_TIME_IFSET)
	if !isDefault && C.H5Pget_fill_time(dcpl, &fillTime) < 0 {
		return nil, h5fail("H5Pget_fill_time")
	}
	variable, err := hasVariableParts(typeID)
	if err != nil {
		return nil, err
	}
	if variable && fillTime == C.H5D_FILL_TIME_NEVER {
		return nil, fmt.Errorf("%w: a variable-length type needs its fill value written (fill time NEVER)", vol.ErrUnsupported)
	}
	allocFill := variable && fillTime == C.H5D_FILL_TIME_IFSET
	filters := !isDefault && C.H5Pget_nfilters(dcpl) > 0
	if !allocFill && !filters {
		return encodePlist(dcpl)
	}
	var cp C.hid_t
	call := "H5Pcopy"
	if isDefault {
		cp, call = C.sw_plist_create(C.SW_DCPL), "H5Pcreate"
	} else {
		cp = C.H5Pcopy(dcpl)
	}
	if cp < 0 {
		return nil, h5fail(call)
	}
	defer C.H5Pclose(cp)
	if filters && C.sw_filters_set_local(cp, C.H5Tget_size(typeID)) < 0 {
		return nil, h5fail("H5Pmodify_filter")
	}
	if allocFill && C.H5Pset_fill_time(cp, C.H5D_FILL_TIME_ALLOC) < 0 {
		return nil, h5fail("H5Pset_fill_time")
	}
	return encodePlist(cp)
}

// earlyAlloc reports whether a dataset creation list asks for
// H5D_ALLOC_TIME_EARLY (which H5Pset_layout(H5D_COMPACT) implies), which
// changes what H5Dget_storage_size reports before any write.
func earlyAlloc(dcpl C.hid_t) (bool, error) {
	if C.sw_is_default_plist(dcpl) != 0 {
		return false, nil
	}
	var at C.H5D_alloc_time_t
	if C.H5Pget_alloc_time(dcpl, &at) < 0 {
		return false, h5fail("H5Pget_alloc_time")
	}
	return at == C.H5D_ALLOC_TIME_EARLY, nil
}

// committedTypeID is a committed datatype id for the named datatype ref of
// f (as native HDF5 hands back for a dataset or attribute created with one,
// so h5dump prints DATATYPE "/name"): H5VLwrap_register builds it through
// the datatype callbacks. ok is false when ref is 0 or no named datatype.
func (p *plugin) committedTypeID(f *vol.File, ref uint64) (id C.hid_t, ok bool) {
	if ref == 0 {
		return -1, false
	}
	t, err := f.ObjectByToken(ref)
	if err != nil || t.Kind() != domain.KindNamedType {
		return -1, false
	}
	th := &handle{kind: kindDatatype, file: f.Reopen(), obj: t}
	if id := C.sw_wrap_register(p.register(th), C.H5I_DATATYPE); id >= 0 {
		return id, true
	}
	p.release(th)
	return -1, false
}

// committedType is the named datatype of f that typeID stands for, nil for
// a transient type (or one committed in another file, which native HDF5
// would also copy rather than share).
func (p *plugin) committedType(f *vol.File, typeID C.hid_t) *vol.Object {
	v := C.sw_committed_type_handle(typeID)
	if v == 0 {
		return nil
	}
	th, err := p.lookup(v)
	if err != nil || th.kind != kindDatatype || th.file != f {
		return nil
	}
	return th.obj
}

//export swDatasetOpen
func swDatasetOpen(obj C.uintptr_t, loc *C.sw_loc_t, name *C.char) C.uintptr_t {
	return object("H5Dopen", func(p *plugin) (*handle, error) {
		return p.openKind(obj, loc, name, domain.KindDataset)
	})
}

func (p *plugin) datasetOf(obj C.uintptr_t) (*handle, error) {
	h, err := p.lookup(obj)
	if err != nil {
		return nil, err
	}
	if h.kind != kindDataset {
		return nil, fmt.Errorf("%w: not a dataset", vol.ErrInvalid)
	}
	return h, nil
}

// transfer runs H5Dread/H5Dwrite's (possibly multi-dataset) request, one
// dataset after the other.
func transferAll(p *plugin, count C.size_t, dset *unsafe.Pointer, memType, memSpace, fileSpace *C.hid_t,
	dxpl C.hid_t, buf *unsafe.Pointer,
	fn func(d *vol.Object, memType, memSpace, fileSpace, dxpl C.hid_t, buf unsafe.Pointer) error) error {
	n := int(count)
	if n == 0 {
		return nil
	}
	ds := unsafe.Slice(dset, n)
	mts := unsafe.Slice(memType, n)
	mss := unsafe.Slice(memSpace, n)
	fss := unsafe.Slice(fileSpace, n)
	bufs := unsafe.Slice(buf, n)
	for i := range n {
		h, err := p.datasetOf(C.uintptr_t(uintptr(ds[i])))
		if err != nil {
			return err
		}
		if err := fn(h.obj, mts[i], mss[i], fss[i], dxpl, bufs[i]); err != nil {
			return err
		}
	}
	return nil
}

//export swDatasetRead
func swDatasetRead(count C.size_t, dset *unsafe.Pointer, memType, memSpace, fileSpace *C.hid_t, dxpl C.hid_t, buf *unsafe.Pointer) C.herr_t {
	return status("H5Dread", func(p *plugin) error {
		return transferAll(p, count, dset, memType, memSpace, fileSpace, dxpl, buf, readDataset)
	})
}

//export swDatasetWrite
func swDatasetWrite(count C.size_t, dset *unsafe.Pointer, memType, memSpace, fileSpace *C.hid_t, dxpl C.hid_t, buf *unsafe.Pointer) C.herr_t {
	return status("H5Dwrite", func(p *plugin) error {
		return transferAll(p, count, dset, memType, memSpace, fileSpace, dxpl, buf, writeDataset)
	})
}

//export swDatasetGetDAPL
func swDatasetGetDAPL(obj C.uintptr_t) C.hid_t {
	return identifier("H5Dget_access_plist", func(p *plugin) (C.hid_t, error) {
		if _, err := p.datasetOf(obj); err != nil {
			return -1, err
		}
		return decodePlist(nil, C.SW_DAPL)
	})
}

//export swDatasetGetDCPL
func swDatasetGetDCPL(obj C.uintptr_t) C.hid_t {
	return identifier("H5Dget_create_plist", func(p *plugin) (C.hid_t, error) {
		h, err := p.datasetOf(obj)
		if err != nil {
			return -1, err
		}
		if cpl := h.obj.CPL(); len(cpl) > 0 {
			return decodePlist(cpl, C.SW_DCPL)
		}
		return describedDCPL(h.obj.Dataset())
	})
}

// describedDCPL is the creation list of a dataset nobody created through
// HDF5 (one of an uploaded file): its layout, so that H5Pget_chunk and
// h5ls -v report the file's chunks.
func describedDCPL(d domain.Dataset) (C.hid_t, error) {
	tid, err := typeFor(d.Type)
	if err != nil {
		return -1, err
	}
	defer C.H5Tclose(tid)
	return dcplFor(d.Layout, tid, d.Fill)
}

//export swDatasetGetSpace
func swDatasetGetSpace(obj C.uintptr_t) C.hid_t {
	return identifier("H5Dget_space", func(p *plugin) (C.hid_t, error) {
		h, err := p.datasetOf(obj)
		if err != nil {
			return -1, err
		}
		return spaceFor(h.obj.Dataset().Space)
	})
}

// datasetStorageSize is the dataset's storage size (vol's StorageSize),
// which both H5Dget_storage_size and H5Dget_space_status report on.
func (p *plugin) datasetStorageSize(obj C.uintptr_t) (uint64, error) {
	h, err := p.datasetOf(obj)
	if err != nil {
		return 0, err
	}
	return h.obj.StorageSize()
}

//export swDatasetGetSpaceStatus
func swDatasetGetSpaceStatus(obj C.uintptr_t, st *C.H5D_space_status_t) C.herr_t {
	return status("H5Dget_space_status", func(p *plugin) error {
		n, err := p.datasetStorageSize(obj)
		if err != nil {
			return err
		}
		*st = C.H5D_SPACE_STATUS_NOT_ALLOCATED
		if n > 0 {
			*st = C.H5D_SPACE_STATUS_ALLOCATED
		}
		return nil
	})
}

//export swDatasetGetStorageSize
func swDatasetGetStorageSize(obj C.uintptr_t, size *C.hsize_t) C.herr_t {
	return status("H5Dget_storage_size", func(p *plugin) error {
		n, err := p.datasetStorageSize(obj)
		if err != nil {
			return err
		}
		*size = C.hsize_t(n)
		return nil
	})
}

// swDatasetGetType is H5Dget_type. A dataset created with a committed
// datatype gets that datatype back as a committed type id
// (committedTypeID); otherwise a transient copy.
//
//export swDatasetGetType
func swDatasetGetType(obj C.uintptr_t) C.hid_t {
	return identifier("H5Dget_type", func(p *plugin) (C.hid_t, error) {
		h, err := p.datasetOf(obj)
		if err != nil {
			return -1, err
		}
		d := h.obj.Dataset()
		if id, ok := p.committedTypeID(h.file, d.TypeRef); ok {
			return id, nil
		}
		return typeFor(d.Type)
	})
}

//export swDatasetSetExtent
func swDatasetSetExtent(obj C.uintptr_t, size *C.hsize_t) C.herr_t {
	return status("H5Dset_extent", func(p *plugin) error {
		h, err := p.datasetOf(obj)
		if err != nil {
			return err
		}
		rank := len(h.obj.Dataset().Space.Dims)
		dims := make([]uint64, rank)
		if rank > 0 {
			for i, v := range unsafe.Slice(size, rank) {
				dims[i] = uint64(v)
			}
		}
		return h.obj.SetExtent(dims)
	})
}
