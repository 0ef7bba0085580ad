package h5lib

/*
#include "h5lib.h"
*/
import "C"

import (
	"unsafe"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/hdf5/pipe"
	"github.com/sciswift/sciswift/formats/selection"
	gonum "gonum.org/v1/hdf5"
)

// readDataset reads the selected elements of the dataset at path with
// libhdf5, for what the parent's Go reader does not serve: variable-length
// strings come back as Strings, other types as their stored bytes (the
// memory type is the file type, so nothing is converted).
func readDataset(file *gonum.File, path string, sel formats.Selection, maxResult int64) (*formats.Array, error) {
	d, err := file.OpenDataset(path)
	if err != nil {
		return nil, fail(pipe.FailNotFound, "%s: %s", path, lastError())
	}
	defer d.Close()
	tid := C.H5Dget_type(hid(d))
	if tid < 0 {
		return nil, fail(pipe.FailCorrupt, "%s: datatype: %s", path, lastError())
	}
	defer C.H5Tclose(tid)
	typ, why, err := dtype(tid, 0)
	if err != nil {
		return nil, fail(pipe.FailCorrupt, "%s: %v", path, err)
	}
	if why != "" {
		return nil, fail(pipe.FailUnsupported, "%s: %s", path, why)
	}
	variableString := typ.Class == formats.ClassString && typ.Variable
	if !variableString && typ.ContainsVariable() {
		return nil, fail(pipe.FailUnsupported, "%s: variable-length sequences are not supported", path)
	}
	if err := filtersAvailable(hid(d), path); err != nil {
		return nil, err
	}
	fspace := d.Space()
	if fspace == nil {
		return nil, fail(pipe.FailCorrupt, "%s: dataspace: %s", path, lastError())
	}
	defer fspace.Close()
	dims, _, null, err := extent(fspace)
	if err != nil {
		return nil, fail(pipe.FailCorrupt, "%s: %v", path, err)
	}
	if len(sel) == 0 {
		sel = selection.All(dims)
	}
	if len(sel) != len(dims) {
		return nil, fail(pipe.FailSelection, "%s: %d ranges for a %d-dimensional dataset", path, len(sel), len(dims))
	}
	arr := &formats.Array{Type: typ, Shape: selection.Shape(sel), Data: []byte{}}
	n := selection.Count(sel)
	if null || n == 0 {
		return arr, nil
	}
	if len(dims) > 0 && !hyperslab(fspace, sel, dims) {
		return nil, fail(pipe.FailSelection, "%s: selection does not fit %v", path, dims)
	}
	elem := uint64(typ.Size)
	if variableString {
		elem = 16 // at least a pointer and a short string each
	}
	if total, ok := mul(n, elem); !ok || total > uint64(maxResult) {
		return nil, fail(pipe.FailLimit, "%s: %d elements exceed the worker's %d-byte result limit", path, n, maxResult)
	}
	mspace, err := gonum.CreateSimpleDataspace([]uint{uint(n)}, nil)
	if err != nil {
		return nil, fail(pipe.FailCorrupt, "%s: memory dataspace: %s", path, lastError())
	}
	defer mspace.Close()
	if variableString {
		arr.Strings, err = readVlenStrings(hid(d), false, hid(mspace), hid(fspace), typ.Charset == formats.CharsetUTF8, n)
		if err != nil {
			return nil, fail(pipe.FailCorrupt, "%s: %v", path, err)
		}
		arr.Data = nil
		return arr, nil
	}
	arr.Data = make([]byte, n*elem)
	// The memory type is the file type, which gonum's Read cannot say.
	if C.H5Dread(hid(d), tid, hid(mspace), hid(fspace), C.H5P_DEFAULT, unsafe.Pointer(&arr.Data[0])) < 0 {
		return nil, fail(pipe.FailCorrupt, "%s: read: %s", path, lastError())
	}
	return arr, nil
}

func hyperslab(space *gonum.Dataspace, sel formats.Selection, dims []uint64) bool {
	rank := len(dims)
	start, stride, count := make([]uint, rank), make([]uint, rank), make([]uint, rank)
	for i, r := range sel {
		if r.Index {
			if r.Start >= dims[i] {
				return false
			}
			start[i], stride[i], count[i] = uint(r.Start), 1, 1
			continue
		}
		if r.Step == 0 || r.Stop > dims[i] {
			return false
		}
		start[i], stride[i], count[i] = uint(r.Start), uint(r.Step), uint(selection.Len(r))
	}
	return space.SelectHyperslab(start, stride, count, nil) == nil
}

// filtersAvailable refuses, by name, a dataset whose filters this libhdf5
// cannot run (plugins are never loaded).
func filtersAvailable(d C.hid_t, path string) error {
	dcpl := C.H5Dget_create_plist(d)
	if dcpl < 0 {
		return fail(pipe.FailCorrupt, "%s: creation properties: %s", path, lastError())
	}
	defer C.H5Pclose(dcpl)
	fs, err := filters(dcpl)
	if err != nil {
		return fail(pipe.FailCorrupt, "%s: %v", path, err)
	}
	for _, f := range fs {
		if C.H5Zfilter_avail(C.H5Z_filter_t(f.ID)) <= 0 {
			return fail(pipe.FailUnsupported, "%s: HDF5 filter %d (%s) is not available", path, f.ID, f.Name)
		}
	}
	return nil
}
