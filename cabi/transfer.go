package main

// Data movement for H5Dwrite/H5Dread/H5Awrite/H5Aread. package vol stores
// elements in the dataset's stored dtype, addressed as runs of the extent in
// C order; everything between that and the program's buffer — selections,
// type conversion, variable-length memory — happens here with libhdf5, on
// the callback's thread, and never keeps the program's buffer past the call.
//
// One transfer is: resolve the selections (H5S_ALL, H5S_BLOCK) into two
// dataspaces with the same number of selected elements; walk both with
// HDF5's selection iterators in step, so the k-th element of the memory
// selection meets the k-th of the file selection (point selections keep the
// order they were made in, as natively); in bounded batches gather from the
// buffer, convert with H5Tconvert, and hand bytes and runs to the store (or
// the reverse for reads). When no conversion is needed and the memory
// selection is one contiguous stretch — the common H5S_ALL case — the
// program's buffer goes to the store as is, without a copy.

/*
#cgo pkg-config: hdf5
#include <stdlib.h>
#include <string.h>
#include <hdf5.h>
#include "transfer.h"
*/
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/vol"
)

// batchBytes bounds the conversion buffer of one batch (and as much again
// for a background buffer). Batches split a store call in several, which may
// cost the store a read-modify-write of a chunk on a batch boundary, so it is
// generous.
const batchBytes = 128 << 20

// maxVarBatch bounds the elements of one batch of a variable-length type,
// whose in-memory size says nothing of the data behind the pointers.
const maxVarBatch = 1 << 20

// seqBatch is how many sequences one H5Ssel_iter_get_seq_list call returns.
const seqBatch = 4096

// elementStore is what a transfer needs of a dataset; *vol.Object has it,
// and tests substitute an in-memory store.
type elementStore interface {
	Read(runs []vol.Run, dst []byte) error
	Write(runs []vol.Run, src []byte) error
	ReadVar(runs []vol.Run) ([][]byte, error)
	WriteVar(runs []vol.Run, elems [][]byte) error
}

// valueStore is what a transfer needs of an attribute; *vol.Attr has it.
type valueStore interface {
	Read() []byte
	Write(b []byte) error
	ReadStrings() []*string
	WriteStrings(s []*string) error
}

func writeDataset(d *vol.Object, memType, memSpace, fileSpace, dxpl C.hid_t, buf unsafe.Pointer) error {
	ds := d.Dataset()
	return writeElements(d, ds.Type, ds.Space, memType, memSpace, fileSpace, dxpl, buf)
}

func readDataset(d *vol.Object, memType, memSpace, fileSpace, dxpl C.hid_t, buf unsafe.Pointer) error {
	ds := d.Dataset()
	return readElements(d, ds.Type, ds.Space, memType, memSpace, fileSpace, dxpl, buf)
}

func writeAttr(a *vol.Attr, memType C.hid_t, buf unsafe.Pointer) error {
	m := a.Meta()
	return writeValue(a, m.Type, m.Space, memType, buf)
}

func readAttr(a *vol.Attr, memType C.hid_t, buf unsafe.Pointer) error {
	m := a.Meta()
	return readValue(a, m.Type, m.Space, memType, buf)
}

// writeValue writes a whole attribute value: the dataset path with both
// selections "all" over the attribute's space and the value as the store.
func writeValue(a valueStore, t formats.Dtype, space domain.Space, memType C.hid_t, buf unsafe.Pointer) error {
	st, err := newValueElements(a, t, space)
	if err != nil {
		return err
	}
	return writeElements(st, t, space, memType, C.H5S_ALL, C.H5S_ALL, C.H5P_DEFAULT, buf)
}

func readValue(a valueStore, t formats.Dtype, space domain.Space, memType C.hid_t, buf unsafe.Pointer) error {
	st, err := newValueElements(a, t, space)
	if err != nil {
		return err
	}
	return readElements(st, t, space, memType, C.H5S_ALL, C.H5S_ALL, C.H5P_DEFAULT, buf)
}

// writeElements moves the memory selection of buf (memType) to the file
// selection of a dataset of type t and extent ext.
func writeElements(st elementStore, t formats.Dtype, ext domain.Space, memType, memSpace, fileSpace, dxpl C.hid_t, buf unsafe.Pointer) error {
	return moveElements(st, t, ext, memType, memSpace, fileSpace, dxpl, buf, true, batchBytes)
}

// readElements is writeElements' reverse.
func readElements(st elementStore, t formats.Dtype, ext domain.Space, memType, memSpace, fileSpace, dxpl C.hid_t, buf unsafe.Pointer) error {
	return moveElements(st, t, ext, memType, memSpace, fileSpace, dxpl, buf, false, batchBytes)
}

// moveElements is a write (toFile) or read with conversion buffers of at
// most maxBatch bytes (tests make it small to cross batch boundaries).
func moveElements(st elementStore, t formats.Dtype, ext domain.Space, memType, memSpace, fileSpace, dxpl C.hid_t, buf unsafe.Pointer, toFile bool, maxBatch int) error {
	x, err := newTransfer(st, t, ext, memType, memSpace, fileSpace, dxpl, toFile)
	if err != nil {
		return err
	}
	defer x.close()
	x.maxBatch = maxBatch
	if toFile {
		return x.write(buf)
	}
	return x.read(buf)
}

// transfer is one resolved H5Dwrite/H5Dread.
type transfer struct {
	store     elementStore
	dtype     formats.Dtype
	fileType  C.hid_t // owned
	memType   C.hid_t
	mem, file C.hid_t // owned, selections resolved
	dxpl      C.hid_t
	n         uint64 // selected elements, the same in both
	memSize   int
	fileSize  int // of the stored layout; of the char*/hvl_t for variable types
	convert   bool
	bkg       C.H5T_bkg_t // what the conversion needs of a background buffer
	variable  bool        // t.IsVariable(): elements move as [][]byte
	maxBatch  int         // bytes of conversion buffer per batch
}

func newTransfer(st elementStore, t formats.Dtype, ext domain.Space, memType, memSpace, fileSpace, dxpl C.hid_t, toFile bool) (_ *transfer, err error) {
	x := &transfer{store: st, dtype: t, memType: memType, dxpl: dxpl, fileType: -1, mem: -1, file: -1, variable: t.IsVariable()}
	defer func() {
		if err != nil {
			x.close()
		}
	}()
	if x.fileType, err = typeFor(t); err != nil {
		return nil, err
	}
	if err := checkTransferable(t, x.fileType); err != nil {
		return nil, err
	}
	if x.mem, x.file, x.n, err = resolveSpaces(ext, memSpace, fileSpace); err != nil {
		return nil, err
	}
	if x.memSize, err = typeSize(memType); err != nil {
		return nil, err
	}
	if x.fileSize, err = typeSize(x.fileType); err != nil {
		return nil, err
	}
	if !x.variable && x.fileSize != t.Size {
		return nil, fmt.Errorf("%w: dataset type says %d bytes per element, HDF5 builds %d", vol.ErrInvalid, t.Size, x.fileSize)
	}
	eq, err := typesEqual(memType, x.fileType)
	if err != nil {
		return nil, err
	}
	if !eq {
		x.convert = true
		src, dst := memType, x.fileType
		if !toFile {
			src, dst = dst, src
		}
		if x.bkg, err = conversionBackground(src, dst); err != nil {
			return nil, err
		}
	}
	return x, nil
}

func (x *transfer) close() {
	closeTypeID(x.fileType)
	closeSpaceID(x.mem)
	closeSpaceID(x.file)
}

// checkTransferable refuses types whose elements the store cannot hold:
// pointers are only understood at the top level (a variable-length string
// or a vlen sequence of fixed-size elements).
func checkTransferable(t formats.Dtype, fileType C.hid_t) error {
	inner := fileType
	what := "variable-length strings or sequences inside compound or array types"
	switch {
	case t.Class == formats.ClassVlen:
		if t.Base == nil || t.Base.Size <= 0 {
			return fmt.Errorf("%w: vlen sequences of variable-length elements", vol.ErrUnsupported)
		}
		if inner = C.H5Tget_super(fileType); inner < 0 {
			return h5fail("H5Tget_super")
		}
		defer C.H5Tclose(inner)
		what = "vlen sequences of elements with variable-length parts"
	case t.IsVariable():
		return nil
	}
	v, err := hasVariableParts(inner)
	if err != nil {
		return err
	}
	if v {
		return fmt.Errorf("%w: %s", vol.ErrUnsupported, what)
	}
	return nil
}

// conversionBackground asks HDF5 whether converting src to dst needs a
// background buffer: H5T_BKG_YES (compound subsets: members the source lacks
// come from the destination's current values), H5T_BKG_TEMP (scratch) or
// H5T_BKG_NO.
func conversionBackground(src, dst C.hid_t) (C.H5T_bkg_t, error) {
	var cdata *C.H5T_cdata_t
	if C.H5Tfind(src, dst, &cdata) == nil || cdata == nil {
		return 0, fmt.Errorf("%w: HDF5 cannot convert between the memory datatype and the dataset's datatype", vol.ErrInvalid)
	}
	return cdata.need_bkg, nil
}

// resolveSpaces turns the dataspace ids a program passed into two owned
// dataspaces: file with the dataset's extent and the file selection, mem
// with the memory selection, both selecting n elements.
func resolveSpaces(ext domain.Space, memSpace, fileSpace C.hid_t) (mem, file C.hid_t, n uint64, err error) {
	mem, file = -1, -1
	defer func() {
		if err != nil {
			closeSpaceID(mem)
			closeSpaceID(file)
			mem, file = -1, -1
		}
	}()
	switch fileSpace {
	case C.H5S_ALL:
		if file, err = spaceFor(ext); err != nil {
			return
		}
	case C.H5S_BLOCK:
		return mem, file, 0, fmt.Errorf("%w: H5S_BLOCK is only valid as the memory dataspace", vol.ErrInvalid)
	case C.H5S_PLIST:
		return mem, file, 0, fmt.Errorf("%w: H5S_PLIST file selections", vol.ErrUnsupported)
	default:
		if file, err = fileSelection(ext, fileSpace); err != nil {
			return
		}
	}
	if n, err = selectedPoints(file); err != nil {
		return
	}
	switch memSpace {
	case C.H5S_ALL:
		// The memory buffer is laid out as the file dataspace the program
		// passed, which may be a space of other dims than the dataset's.
		src := fileSpace
		if fileSpace == C.H5S_ALL {
			src = file
		}
		if mem = C.H5Scopy(src); mem < 0 {
			return mem, file, 0, h5fail("H5Scopy")
		}
	case C.H5S_BLOCK:
		if mem, err = spaceFor(domain.Space{Class: spaceSimple, Dims: []uint64{n}}); err != nil {
			return
		}
	case C.H5S_PLIST:
		return mem, file, 0, fmt.Errorf("%w: H5S_PLIST is only valid as the file dataspace", vol.ErrInvalid)
	default:
		if mem = C.H5Scopy(memSpace); mem < 0 {
			return mem, file, 0, h5fail("H5Scopy")
		}
		if err = checkSelectionValid(mem, "memory"); err != nil {
			return
		}
	}
	nm, err := selectedPoints(mem)
	if err != nil {
		return
	}
	if nm != n {
		return mem, file, 0, fmt.Errorf("%w: src and dest dataspaces have different number of elements selected (memory %d, file %d)", vol.ErrInvalid, nm, n)
	}
	return mem, file, n, nil
}

// fileSelection applies a program's file dataspace to the dataset's current
// extent. Usually the two agree; a space taken before H5Dset_extent keeps
// its own dims, and its selection is carried over to the dataset's extent
// so element coordinates keep their meaning.
func fileSelection(ext domain.Space, fileSpace C.hid_t) (C.hid_t, error) {
	same, err := sameExtent(fileSpace, ext)
	if err != nil {
		return -1, err
	}
	if same {
		sid := C.H5Scopy(fileSpace)
		if sid < 0 {
			return -1, h5fail("H5Scopy")
		}
		if err := checkSelectionValid(sid, "file"); err != nil {
			C.H5Sclose(sid)
			return -1, err
		}
		return sid, nil
	}
	given, err := spaceOf(fileSpace)
	if err != nil {
		return -1, err
	}
	if given.Class != spaceSimple || ext.Class != spaceSimple || len(given.Dims) != len(ext.Dims) {
		return -1, fmt.Errorf("%w: file dataspace (%s, rank %d) does not match the dataset's (%s, rank %d)",
			vol.ErrInvalid, given.Class, len(given.Dims), ext.Class, len(ext.Dims))
	}
	sid, err := spaceFor(ext)
	if err != nil {
		return -1, err
	}
	if C.H5Sget_select_type(fileSpace) == C.H5S_SEL_ALL {
		// "All" of the given space, not of the dataset.
		err = selectHyperslab(sid, false, make([]uint64, len(given.Dims)), nil, given.Dims, nil)
		if err == nil && spacePoints(given) == 0 {
			err = selectNone(sid)
		}
	} else if C.H5Sselect_copy(sid, fileSpace) < 0 {
		err = h5fail("H5Sselect_copy")
	}
	if err == nil {
		err = checkSelectionValid(sid, "file")
	}
	if err != nil {
		C.H5Sclose(sid)
		return -1, err
	}
	return sid, nil
}

func checkSelectionValid(sid C.hid_t, which string) error {
	switch C.H5Sselect_valid(sid) {
	case 0:
		return fmt.Errorf("%w: %s selection + offset not within extent", vol.ErrInvalid, which)
	case 1:
		return nil
	}
	return h5fail("H5Sselect_valid")
}

// ---- selection iteration ----

// byteSeq is one contiguous stretch of a buffer, in bytes.
type byteSeq struct{ off, len uint64 }

// selIter walks a selection in HDF5's iteration order.
type selIter struct {
	id  C.hid_t
	off []C.hsize_t
	len []C.size_t
}

func newSelIter(space C.hid_t, elemSize int) (*selIter, error) {
	id := C.H5Ssel_iter_create(space, C.size_t(elemSize), 0)
	if id < 0 {
		return nil, h5fail("H5Ssel_iter_create")
	}
	return &selIter{id: id, off: make([]C.hsize_t, seqBatch), len: make([]C.size_t, seqBatch)}, nil
}

func (it *selIter) close() { C.H5Ssel_iter_close(it.id) }

// next calls fn with the sequences (offset and length in bytes of the
// iterator's element size) of exactly n more elements.
func (it *selIter) next(n uint64, fn func(off, length uint64)) error {
	for n > 0 {
		var nseq, nelem C.size_t
		if C.H5Ssel_iter_get_seq_list(it.id, C.size_t(len(it.off)), C.size_t(n), &nseq, &nelem, &it.off[0], &it.len[0]) < 0 {
			return h5fail("H5Ssel_iter_get_seq_list")
		}
		if nseq == 0 || nelem == 0 || uint64(nelem) > n {
			return fmt.Errorf("%w: selection iterator ended %d elements early", vol.ErrInvalid, n)
		}
		for i := 0; i < int(nseq); i++ {
			fn(uint64(it.off[i]), uint64(it.len[i]))
		}
		n -= uint64(nelem)
	}
	return nil
}

// runs is the next n elements of a file selection iterated with element size
// 1 (so offsets are element indexes in C order), adjacent stretches merged.
func (it *selIter) runs(n uint64) ([]vol.Run, error) {
	var runs []vol.Run
	err := it.next(n, func(off, length uint64) {
		if k := len(runs) - 1; k >= 0 && runs[k].Offset+runs[k].Count == off {
			runs[k].Count += length
			return
		}
		runs = append(runs, vol.Run{Offset: off, Count: length})
	})
	return runs, err
}

// seqs is the next n elements of a memory selection as byte stretches of the
// buffer, adjacent stretches merged.
func (it *selIter) seqs(n uint64) ([]byteSeq, error) {
	var seqs []byteSeq
	err := it.next(n, func(off, length uint64) {
		if k := len(seqs) - 1; k >= 0 && seqs[k].off+seqs[k].len == off {
			seqs[k].len += length
			return
		}
		seqs = append(seqs, byteSeq{off, length})
	})
	return seqs, err
}

// selectionRuns is the whole selection of a dataspace as runs of elements.
func selectionRuns(space C.hid_t) ([]vol.Run, error) {
	n, err := selectedPoints(space)
	if err != nil || n == 0 {
		return nil, err
	}
	it, err := newSelIter(space, 1)
	if err != nil {
		return nil, err
	}
	defer it.close()
	return it.runs(n)
}

// contiguousSpan reports whether the n selected elements of space lie in one
// stretch of a buffer of elemSize elements, and where it starts.
func contiguousSpan(space C.hid_t, elemSize int, n uint64) (uint64, bool, error) {
	id := C.H5Ssel_iter_create(space, C.size_t(elemSize), 0)
	if id < 0 {
		return 0, false, h5fail("H5Ssel_iter_create")
	}
	defer C.H5Ssel_iter_close(id)
	var (
		nseq, nelem C.size_t
		off         C.hsize_t
		length      C.size_t
	)
	if C.H5Ssel_iter_get_seq_list(id, 1, C.size_t(n), &nseq, &nelem, &off, &length) < 0 {
		return 0, false, h5fail("H5Ssel_iter_get_seq_list")
	}
	return uint64(off), nseq == 1 && uint64(nelem) == n, nil
}

// gather copies the stretches seqs of src, in order, to dst.
func gather(dst []byte, src unsafe.Pointer, seqs []byteSeq) {
	pos := uint64(0)
	for _, s := range seqs {
		copy(dst[pos:pos+s.len], unsafe.Slice((*byte)(unsafe.Add(src, uintptr(s.off))), s.len))
		pos += s.len
	}
}

// scatter is gather's inverse.
func scatter(dst unsafe.Pointer, src []byte, seqs []byteSeq) {
	pos := uint64(0)
	for _, s := range seqs {
		copy(unsafe.Slice((*byte)(unsafe.Add(dst, uintptr(s.off))), s.len), src[pos:pos+s.len])
		pos += s.len
	}
}

// convertElems is H5Tconvert of n elements in place in buf (room for n of
// the larger type) with bkg (n destination elements, or nil).
func convertElems(src, dst C.hid_t, n uint64, buf, bkg unsafe.Pointer, dxpl C.hid_t) error {
	if C.H5Tconvert(src, dst, C.size_t(n), buf, bkg, dxpl) < 0 {
		return h5fail("H5Tconvert")
	}
	return nil
}

// ---- the two directions ----

func cBytes(p unsafe.Pointer, n int) []byte { return unsafe.Slice((*byte)(p), n) }

// batchLen is how many elements one batch converts.
func (x *transfer) batchLen() uint64 {
	per := uint64(max(1, x.maxBatch/max(x.memSize, x.fileSize)))
	if x.variable {
		per = min(per, maxVarBatch)
	}
	return min(x.n, per)
}

// buffers allocates the conversion and background buffers of one batch.
func (x *transfer) buffers(batch uint64, bkgSize int) (tmp, bkg unsafe.Pointer, free func(), err error) {
	tmp = C.calloc(C.size_t(batch), C.size_t(max(x.memSize, x.fileSize)))
	if tmp == nil {
		return nil, nil, nil, fmt.Errorf("%w: out of memory for a %d-element transfer buffer", vol.ErrInvalid, batch)
	}
	if x.convert && x.bkg != C.H5T_BKG_NO {
		if bkg = C.calloc(C.size_t(batch), C.size_t(bkgSize)); bkg == nil {
			C.free(tmp)
			return nil, nil, nil, fmt.Errorf("%w: out of memory for a %d-element background buffer", vol.ErrInvalid, batch)
		}
	}
	return tmp, bkg, func() { C.free(tmp); C.free(bkg) }, nil
}

// direct is the fast path of both directions: with no conversion and
// fixed-size elements, a program buffer whose selection is one contiguous
// span has the stored layout, so the store can write from it or read into
// it in place. ok is false when the transfer needs the batched path.
func (x *transfer) direct(fileIt *selIter, buf unsafe.Pointer) (runs []vol.Run, span []byte, ok bool, err error) {
	if x.convert || x.variable {
		return nil, nil, false, nil
	}
	off, ok, err := contiguousSpan(x.mem, x.memSize, x.n)
	if err != nil || !ok {
		return nil, nil, false, err
	}
	if runs, err = fileIt.runs(x.n); err != nil {
		return nil, nil, false, err
	}
	return runs, cBytes(unsafe.Add(buf, uintptr(off)), int(x.n)*x.fileSize), true, nil
}

func (x *transfer) write(buf unsafe.Pointer) error {
	if x.n == 0 {
		return nil
	}
	if buf == nil {
		return fmt.Errorf("%w: no data buffer", vol.ErrInvalid)
	}
	fileIt, err := newSelIter(x.file, 1)
	if err != nil {
		return err
	}
	defer fileIt.close()
	runs, span, ok, err := x.direct(fileIt, buf)
	if err != nil {
		return err
	}
	if ok { // the program's buffer is already the stored layout
		return x.store.Write(runs, span)
	}
	memIt, err := newSelIter(x.mem, x.memSize)
	if err != nil {
		return err
	}
	defer memIt.close()
	batch := x.batchLen()
	tmp, bkg, free, err := x.buffers(batch, x.fileSize)
	if err != nil {
		return err
	}
	defer free()
	for done := uint64(0); done < x.n; {
		b := min(batch, x.n-done)
		seqs, err := memIt.seqs(b)
		if err != nil {
			return err
		}
		gather(cBytes(tmp, int(b)*x.memSize), buf, seqs)
		runs, err := fileIt.runs(b)
		if err != nil {
			return err
		}
		if x.convert {
			if x.bkg == C.H5T_BKG_YES && !x.variable {
				// Members the memory type lacks keep their stored values.
				if err := x.store.Read(runs, cBytes(bkg, int(b)*x.fileSize)); err != nil {
					return err
				}
			}
			if err := convertElems(x.memType, x.fileType, b, tmp, bkg, x.dxpl); err != nil {
				return err
			}
		}
		if x.variable {
			elems, err := varElems(x.dtype, tmp, int(b))
			if x.convert { // the converted pointers are ours to free
				if rerr := reclaimVar(x.fileType, b, tmp, x.dxpl); err == nil {
					err = rerr
				}
			}
			if err != nil {
				return err
			}
			if err := x.store.WriteVar(runs, elems); err != nil {
				return err
			}
		} else if err := x.store.Write(runs, cBytes(tmp, int(b)*x.fileSize)); err != nil {
			return err
		}
		done += b
	}
	return nil
}

func (x *transfer) read(buf unsafe.Pointer) error {
	if x.n == 0 {
		return nil
	}
	if buf == nil {
		return fmt.Errorf("%w: no data buffer", vol.ErrInvalid)
	}
	fileIt, err := newSelIter(x.file, 1)
	if err != nil {
		return err
	}
	defer fileIt.close()
	runs, span, ok, err := x.direct(fileIt, buf)
	if err != nil {
		return err
	}
	if ok { // the store fills the program's buffer directly
		return x.store.Read(runs, span)
	}
	memIt, err := newSelIter(x.mem, x.memSize)
	if err != nil {
		return err
	}
	defer memIt.close()
	batch := x.batchLen()
	tmp, bkg, free, err := x.buffers(batch, x.memSize)
	if err != nil {
		return err
	}
	defer free()
	alloc := x.vlenAllocator()
	for done := uint64(0); done < x.n; {
		b := min(batch, x.n-done)
		runs, err := fileIt.runs(b)
		if err != nil {
			return err
		}
		seqs, err := memIt.seqs(b)
		if err != nil {
			return err
		}
		var ours []unsafe.Pointer // variable-length memory we allocated
		if x.variable {
			elems, err := x.store.ReadVar(runs)
			if err != nil {
				return err
			}
			if uint64(len(elems)) != b {
				return fmt.Errorf("%w: store returned %d variable-length elements for %d", vol.ErrInvalid, len(elems), b)
			}
			// Without conversion the pointers go to the program, which frees
			// them with its own allocator's free; with it they are ours.
			a := alloc
			if x.convert {
				a = vlenAlloc{}
			}
			if ours, err = putVarElems(x.dtype, tmp, elems, a); err != nil {
				return err
			}
		} else if err := x.store.Read(runs, cBytes(tmp, int(b)*x.fileSize)); err != nil {
			return err
		}
		if x.convert {
			if x.bkg == C.H5T_BKG_YES {
				gather(cBytes(bkg, int(b)*x.memSize), buf, seqs)
			}
			err := convertElems(x.fileType, x.memType, b, tmp, bkg, x.dxpl)
			if x.variable {
				freeUnshared(ours, tmp, int(b), x.memSize, x.dtype.Class == formats.ClassVlen)
			}
			if err != nil {
				return err
			}
		}
		scatter(buf, cBytes(tmp, int(b)*x.memSize), seqs)
		done += b
	}
	return nil
}

// ---- variable-length elements ----

// vlenAlloc is the memory manager of a dataset transfer property list
// (H5Pset_vlen_mem_manager); the zero value is malloc and free. HDF5's own
// H5Dvlen_get_buf_size reads through a connector with a counting allocator,
// so honouring it is more than politeness.
type vlenAlloc struct {
	allocFn  C.H5MM_allocate_t
	info     unsafe.Pointer
	freeFn   C.H5MM_free_t
	freeInfo unsafe.Pointer
}

func (x *transfer) vlenAllocator() vlenAlloc {
	var a vlenAlloc
	if x.variable && x.dxpl != C.H5P_DEFAULT {
		if C.H5Pget_vlen_mem_manager(x.dxpl, &a.allocFn, &a.info, &a.freeFn, &a.freeInfo) < 0 {
			return vlenAlloc{}
		}
	}
	return a
}

func (a vlenAlloc) alloc(n int) unsafe.Pointer {
	return C.sciswift_vlen_alloc(a.allocFn, a.info, C.size_t(n))
}

func (a vlenAlloc) free(p unsafe.Pointer) {
	C.sciswift_vlen_free(a.freeFn, a.freeInfo, p)
}

// varElems copies n variable-length elements out of their in-memory form in
// buf (char* for strings, hvl_t for sequences of t.Base) into Go memory: the
// string's bytes without the terminator (nil for NULL), or the sequence's
// elements in the base type's layout.
func varElems(t formats.Dtype, buf unsafe.Pointer, n int) ([][]byte, error) {
	elems := make([][]byte, n)
	if t.Class == formats.ClassString {
		ptrs := unsafe.Slice((**C.char)(buf), n)
		for i, p := range ptrs {
			if p != nil {
				elems[i] = C.GoBytes(unsafe.Pointer(p), C.int(C.strlen(p)))
			}
		}
		return elems, nil
	}
	seqs := unsafe.Slice((*C.hvl_t)(buf), n)
	for i, s := range seqs {
		if s.len == 0 {
			continue
		}
		if s.p == nil {
			return nil, fmt.Errorf("%w: vlen element %d has length %d and no data", vol.ErrInvalid, i, s.len)
		}
		elems[i] = C.GoBytes(s.p, C.int(int(s.len)*t.Base.Size))
	}
	return elems, nil
}

// putVarElems is varElems' inverse: it writes the in-memory form of elems to
// buf with memory from a, and returns the pointers it allocated.
func putVarElems(t formats.Dtype, buf unsafe.Pointer, elems [][]byte, a vlenAlloc) ([]unsafe.Pointer, error) {
	var ours []unsafe.Pointer
	fail := func(err error) ([]unsafe.Pointer, error) {
		for _, p := range ours {
			a.free(p)
		}
		return nil, err
	}
	if t.Class == formats.ClassString {
		ptrs := unsafe.Slice((**C.char)(buf), len(elems))
		for i, e := range elems {
			ptrs[i] = nil
			if e == nil {
				continue
			}
			p := a.alloc(len(e) + 1)
			if p == nil {
				return fail(fmt.Errorf("%w: out of memory for a %d-byte string", vol.ErrInvalid, len(e)))
			}
			s := cBytes(p, len(e)+1)
			copy(s, e)
			s[len(e)] = 0
			ptrs[i] = (*C.char)(p)
			ours = append(ours, p)
		}
		return ours, nil
	}
	seqs := unsafe.Slice((*C.hvl_t)(buf), len(elems))
	for i, e := range elems {
		seqs[i] = C.hvl_t{}
		if len(e) == 0 {
			continue
		}
		if len(e)%t.Base.Size != 0 {
			return fail(fmt.Errorf("%w: vlen element of %d bytes is no whole number of %d-byte elements", vol.ErrInvalid, len(e), t.Base.Size))
		}
		p := a.alloc(len(e))
		if p == nil {
			return fail(fmt.Errorf("%w: out of memory for a %d-byte sequence", vol.ErrInvalid, len(e)))
		}
		copy(cBytes(p, len(e)), e)
		seqs[i] = C.hvl_t{len: C.size_t(len(e) / t.Base.Size), p: p}
		ours = append(ours, p)
	}
	return ours, nil
}

// freeUnshared frees the pointers of ours that a conversion did not carry
// into its output (n elements of elemSize bytes in buf): HDF5's vlen
// conversion allocates new memory for its output and leaves the input alone.
func freeUnshared(ours []unsafe.Pointer, buf unsafe.Pointer, n, elemSize int, seq bool) {
	kept := make(map[unsafe.Pointer]bool, n)
	for i := 0; i < n; i++ {
		e := unsafe.Add(buf, i*elemSize)
		if seq {
			kept[(*C.hvl_t)(e).p] = true
		} else {
			kept[*(*unsafe.Pointer)(e)] = true
		}
	}
	for _, p := range ours {
		if !kept[p] {
			C.free(p)
		}
	}
}

// reclaimVar frees the variable-length memory of n elements of tid in buf
// (H5Treclaim, with dxpl's free function).
func reclaimVar(tid C.hid_t, n uint64, buf unsafe.Pointer, dxpl C.hid_t) error {
	sid, err := spaceFor(domain.Space{Class: spaceSimple, Dims: []uint64{n}})
	if err != nil {
		return err
	}
	defer C.H5Sclose(sid)
	if dxpl == C.H5P_DEFAULT {
		dxpl = C.H5P_DATASET_XFER_DEFAULT
	}
	if C.H5Treclaim(tid, sid, dxpl, buf) < 0 {
		return h5fail("H5Treclaim")
	}
	return nil
}

// ---- attribute values as element stores ----

// valueElements presents a whole attribute value as an elementStore, so
// attributes share the dataset path (conversion, variable-length strings).
type valueElements struct {
	a    valueStore
	n    uint64 // elements in the attribute's space
	size int    // stored element size; 0 for variable-length strings
}

// maxValueBytes bounds an attribute value, which moves whole.
const maxValueBytes = 1 << 31

func newValueElements(a valueStore, t formats.Dtype, space domain.Space) (valueElements, error) {
	if t.Class == formats.ClassVlen {
		return valueElements{}, fmt.Errorf("%w: attributes of vlen sequence types", vol.ErrUnsupported)
	}
	n := uint64(1)
	if space.Class == spaceNull {
		n = 0
	}
	for _, d := range space.Dims { // spacePoints, overflow-checked
		if d != 0 && n > maxValueBytes/d {
			return valueElements{}, fmt.Errorf("%w: attribute of more than %d elements", vol.ErrInvalid, maxValueBytes)
		}
		n *= d
	}
	if size := uint64(max(t.Size, 1)); n > maxValueBytes/size {
		return valueElements{}, fmt.Errorf("%w: attribute value above %d bytes", vol.ErrInvalid, maxValueBytes)
	}
	return valueElements{a: a, n: n, size: t.Size}, nil
}

// current is the stored value, n elements (never written: zeros).
func (v valueElements) current() []byte {
	val := make([]byte, int(v.n)*v.size)
	copy(val, v.a.Read())
	return val
}

func (v valueElements) checkRuns(runs []vol.Run) error {
	for _, r := range runs {
		if r.Offset+r.Count > v.n || r.Offset+r.Count < r.Offset {
			return fmt.Errorf("%w: elements %d..%d of a %d-element attribute", vol.ErrInvalid, r.Offset, r.Offset+r.Count, v.n)
		}
	}
	return nil
}

func (v valueElements) Read(runs []vol.Run, dst []byte) error {
	if err := v.checkRuns(runs); err != nil {
		return err
	}
	val, pos := v.current(), 0
	for _, r := range runs {
		pos += copy(dst[pos:], val[int(r.Offset)*v.size:int(r.Offset+r.Count)*v.size])
	}
	return nil
}

func (v valueElements) Write(runs []vol.Run, src []byte) error {
	if err := v.checkRuns(runs); err != nil {
		return err
	}
	val, pos := v.current(), 0 // a fresh copy: the attribute may keep it
	for _, r := range runs {
		pos += copy(val[int(r.Offset)*v.size:int(r.Offset+r.Count)*v.size], src[pos:])
	}
	return v.a.Write(val)
}

func (v valueElements) strings() []*string {
	s := make([]*string, v.n)
	copy(s, v.a.ReadStrings())
	return s
}

func (v valueElements) ReadVar(runs []vol.Run) ([][]byte, error) {
	if err := v.checkRuns(runs); err != nil {
		return nil, err
	}
	var out [][]byte
	all := v.strings()
	for _, r := range runs {
		for _, s := range all[r.Offset : r.Offset+r.Count] {
			if s == nil {
				out = append(out, nil)
			} else {
				out = append(out, []byte(*s))
			}
		}
	}
	return out, nil
}

func (v valueElements) WriteVar(runs []vol.Run, elems [][]byte) error {
	if err := v.checkRuns(runs); err != nil {
		return err
	}
	all, k := v.strings(), 0
	for _, r := range runs {
		for i := r.Offset; i < r.Offset+r.Count; i++ {
			if k >= len(elems) {
				return fmt.Errorf("%w: %d strings for more elements", vol.ErrInvalid, len(elems))
			}
			if elems[k] == nil {
				all[i] = nil
			} else {
				s := string(elems[k])
				all[i] = &s
			}
			k++
		}
	}
	return v.a.WriteStrings(all)
}
