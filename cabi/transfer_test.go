package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"
	"unsafe"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/vol"
)

// Dataspace ids with a meaning of their own in H5Dwrite/H5Dread, and
// H5P_DEFAULT, as the tests (which cannot import "C") write them.
const (
	sAll     h5id = 0 // H5S_ALL
	sBlock   h5id = 1 // H5S_BLOCK
	sPlist   h5id = 2 // H5S_PLIST
	pDefault h5id = 0 // H5P_DEFAULT
)

// ---- selections and their brute-force oracle ----

type hyperslab struct{ start, stride, count, block []uint64 }

// sel describes a dataspace and its selection.
type sel struct {
	space  domain.Space
	all    bool
	none   bool
	hypers []hyperslab // OR'ed together
	points [][]uint64
	offset []int64
}

func simpleSel(dims ...uint64) sel { return sel{space: domain.Space{Class: "simple", Dims: dims}} }

func (s sel) withAll() sel                 { s.all = true; return s }
func (s sel) withNone() sel                { s.none = true; return s }
func (s sel) withHyper(h ...hyperslab) sel { s.hypers = h; return s }
func (s sel) withPoints(p ...[]uint64) sel { s.points = p; return s }
func (s sel) withOffset(off ...int64) sel  { s.offset = off; return s }
func hs(start, stride, count, block []uint64) hyperslab {
	return hyperslab{start, stride, count, block}
}

func makeSpace(t *testing.T, s sel) h5id {
	t.Helper()
	sid, err := spaceFor(s.space)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeSpaceID(sid) })
	switch {
	case s.none:
		err = selectNone(sid)
	case s.points != nil:
		err = selectPoints(sid, s.points)
	case s.hypers != nil:
		for i, h := range s.hypers {
			if err = selectHyperslab(sid, i > 0, h.start, h.stride, h.count, h.block); err != nil {
				break
			}
		}
	}
	if err == nil && s.offset != nil {
		err = setSpaceOffset(sid, s.offset)
	}
	if err != nil {
		t.Fatal(err)
	}
	return sid
}

// linear is coord's index in dims, C order.
func linear(coord, dims []uint64) uint64 {
	var idx uint64
	for i, c := range coord {
		idx = idx*dims[i] + c
	}
	return idx
}

// order is the oracle: the linear indexes of the selected elements in
// HDF5's iteration order — points as listed, anything else in C order,
// found by asking HDF5 about every single element.
func order(t *testing.T, s sel, sid h5id) []uint64 {
	t.Helper()
	if s.points != nil {
		var out []uint64
		for _, p := range s.points {
			out = append(out, linear(p, s.space.Dims))
		}
		return out
	}
	n := spacePoints(s.space)
	var out []uint64
	coord := make([]uint64, len(s.space.Dims))
	for idx := uint64(0); idx < n; idx++ {
		rem := idx
		for i := len(coord) - 1; i >= 0; i-- {
			coord[i] = rem % s.space.Dims[i]
			rem /= s.space.Dims[i]
		}
		in, err := selectionContains(sid, coord)
		if err != nil {
			t.Fatal(err)
		}
		if in {
			out = append(out, idx)
		}
	}
	return out
}

func runsOf(indexes []uint64) []vol.Run {
	var runs []vol.Run
	for _, i := range indexes {
		if k := len(runs) - 1; k >= 0 && runs[k].Offset+runs[k].Count == i {
			runs[k].Count++
			continue
		}
		runs = append(runs, vol.Run{Offset: i, Count: 1})
	}
	return runs
}

func TestSelectionRuns(t *testing.T) {
	tests := map[string]sel{
		"all":                 simpleSel(6, 7).withAll(),
		"none":                simpleSel(6, 7).withNone(),
		"scalar":              {space: domain.Space{Class: "scalar"}},
		"null":                {space: domain.Space{Class: "null"}},
		"block":               simpleSel(6, 7).withHyper(hs([]uint64{1, 2}, nil, []uint64{3, 4}, nil)),
		"full rows merge":     simpleSel(6, 7).withHyper(hs([]uint64{2, 0}, nil, []uint64{3, 7}, nil)),
		"strided blocks":      simpleSel(6, 7).withHyper(hs([]uint64{1, 0}, []uint64{2, 3}, []uint64{3, 2}, []uint64{1, 2})),
		"union overlapping":   simpleSel(6, 7).withHyper(hs([]uint64{0, 0}, nil, []uint64{2, 3}, nil), hs([]uint64{1, 2}, nil, []uint64{4, 4}, nil)),
		"3-D":                 simpleSel(4, 5, 6).withHyper(hs([]uint64{1, 1, 0}, []uint64{2, 2, 1}, []uint64{2, 2, 1}, []uint64{1, 2, 6})),
		"points keep order":   simpleSel(6, 7).withPoints([]uint64{5, 6}, []uint64{0, 0}, []uint64{0, 1}, []uint64{3, 3}, []uint64{0, 2}),
		"points repeated":     simpleSel(6, 7).withPoints([]uint64{1, 1}, []uint64{1, 1}, []uint64{1, 2}),
		"hyperslab offset":    simpleSel(6, 7).withHyper(hs([]uint64{0, 0}, nil, []uint64{2, 2}, nil)).withOffset(3, 4),
		"1-D strided":         simpleSel(100).withHyper(hs([]uint64{3}, []uint64{7}, []uint64{13}, []uint64{2})),
		"large all one run":   simpleSel(1<<20, 1<<12).withAll(),
		"zero-size dimension": simpleSel(0, 7).withAll(),
	}
	for name, s := range tests {
		t.Run(name, func(t *testing.T) {
			sid := makeSpace(t, s)
			got, err := selectionRuns(sid)
			if err != nil {
				t.Fatal(err)
			}
			var want []vol.Run
			if name == "large all one run" { // too many elements to ask about one by one
				want = []vol.Run{{Offset: 0, Count: 1 << 32}}
			} else {
				want = runsOf(order(t, s, sid))
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("runs = %v, want %v", got, want)
			}
		})
	}
	// The oracle itself honours H5Soffset_simple: rows 3 and 4, columns 4-5.
	s := tests["hyperslab offset"]
	if got, want := runsOf(order(t, s, makeSpace(t, s))), []vol.Run{{Offset: 25, Count: 2}, {Offset: 32, Count: 2}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("offset selection: oracle says %v, want %v", got, want)
	}
}

// ---- an in-memory dataset ----

// memStore is a dataset held in Go memory: fixed-size elements in data, or
// variable-length ones in vars. It records what it was asked.
type memStore struct {
	size     int
	data     []byte
	vars     [][]byte
	calls    int
	lastBuf  unsafe.Pointer // the first byte of the last Read dst / Write src
	lastRuns []vol.Run
}

func (m *memStore) note(runs []vol.Run, b []byte) {
	m.calls++
	m.lastRuns = runs
	if len(b) > 0 {
		m.lastBuf = unsafe.Pointer(&b[0])
	}
}

func count(runs []vol.Run) (n uint64) {
	for _, r := range runs {
		n += r.Count
	}
	return n
}

func (m *memStore) Read(runs []vol.Run, dst []byte) error {
	m.note(runs, dst)
	if uint64(len(dst)) != count(runs)*uint64(m.size) {
		return fmt.Errorf("read of %d runs into %d bytes", count(runs), len(dst))
	}
	pos := 0
	for _, r := range runs {
		pos += copy(dst[pos:], m.data[int(r.Offset)*m.size:int(r.Offset+r.Count)*m.size])
	}
	return nil
}

func (m *memStore) Write(runs []vol.Run, src []byte) error {
	m.note(runs, src)
	if uint64(len(src)) != count(runs)*uint64(m.size) {
		return fmt.Errorf("write of %d runs from %d bytes", count(runs), len(src))
	}
	pos := 0
	for _, r := range runs {
		pos += copy(m.data[int(r.Offset)*m.size:int(r.Offset+r.Count)*m.size], src[pos:])
	}
	return nil
}

func (m *memStore) ReadVar(runs []vol.Run) ([][]byte, error) {
	m.note(runs, nil)
	var out [][]byte
	for _, r := range runs {
		out = append(out, m.vars[r.Offset:r.Offset+r.Count]...)
	}
	return out, nil
}

func (m *memStore) WriteVar(runs []vol.Run, elems [][]byte) error {
	m.note(runs, nil)
	if uint64(len(elems)) != count(runs) {
		return fmt.Errorf("%d elements for %d", len(elems), count(runs))
	}
	k := 0
	for _, r := range runs {
		for i := r.Offset; i < r.Offset+r.Count; i++ {
			m.vars[i] = elems[k]
			k++
		}
	}
	return nil
}

// ---- numbers in the dtypes the tests use ----

func encodeNum(dt formats.Dtype, v float64) []byte {
	b := make([]byte, dt.Size)
	var bo binary.ByteOrder = binary.LittleEndian
	if dt.Order == formats.BigEndian {
		bo = binary.BigEndian
	}
	switch {
	case dt.Class == formats.ClassFloat && dt.Size == 8:
		bo.PutUint64(b, math.Float64bits(v))
	case dt.Class == formats.ClassFloat && dt.Size == 4:
		bo.PutUint32(b, math.Float32bits(float32(v)))
	case dt.Size == 8:
		bo.PutUint64(b, uint64(int64(v)))
	case dt.Size == 4:
		bo.PutUint32(b, uint32(int32(v)))
	case dt.Size == 2:
		bo.PutUint16(b, uint16(int16(v)))
	default:
		panic("encodeNum: unsupported dtype")
	}
	return b
}

func decodeNum(dt formats.Dtype, b []byte) float64 {
	var bo binary.ByteOrder = binary.LittleEndian
	if dt.Order == formats.BigEndian {
		bo = binary.BigEndian
	}
	switch {
	case dt.Class == formats.ClassFloat && dt.Size == 8:
		return math.Float64frombits(bo.Uint64(b))
	case dt.Class == formats.ClassFloat && dt.Size == 4:
		return float64(math.Float32frombits(bo.Uint32(b)))
	case dt.Size == 8:
		return float64(int64(bo.Uint64(b)))
	case dt.Size == 4:
		return float64(int32(bo.Uint32(b)))
	case dt.Size == 2:
		return float64(int16(bo.Uint16(b)))
	}
	panic("decodeNum: unsupported dtype")
}

func newTypeID(t *testing.T, dt formats.Dtype) h5id {
	t.Helper()
	tid, err := typeFor(dt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeTypeID(tid) })
	return tid
}

// ---- transfers of numbers through selections and conversions ----

type selPair struct {
	name      string
	mem, file sel
	memID     func(t *testing.T, s sel) h5id // nil: makeSpace
	fileID    func(t *testing.T, s sel) h5id
}

func allID(*testing.T, sel) h5id   { return sAll }
func blockID(*testing.T, sel) h5id { return sBlock }

func selPairs() []selPair {
	ds := simpleSel(6, 7)
	return []selPair{
		{name: "all/all ids", mem: ds.withAll(), file: ds.withAll(), memID: allID, fileID: allID},
		{name: "all/all spaces", mem: ds.withAll(), file: ds.withAll()},
		{name: "H5S_BLOCK/all", mem: simpleSel(42).withAll(), file: ds.withAll(), memID: blockID, fileID: allID},
		{name: "mem block in bigger buffer/all", mem: simpleSel(10, 10).withHyper(hs([]uint64{2, 1}, nil, []uint64{6, 7}, nil)), file: ds.withAll(), fileID: allID},
		{name: "H5S_ALL mem follows file selection", mem: ds.withHyper(hs([]uint64{1, 1}, nil, []uint64{2, 3}, nil)),
			file: ds.withHyper(hs([]uint64{1, 1}, nil, []uint64{2, 3}, nil)), memID: allID},
		{name: "strided 1-D/file block", mem: simpleSel(20).withHyper(hs([]uint64{1}, []uint64{3}, []uint64{6}, nil)),
			file: ds.withHyper(hs([]uint64{1, 1}, nil, []uint64{2, 3}, nil))},
		{name: "mem points reversed/file block", mem: simpleSel(3, 3).withPoints([]uint64{2, 2}, []uint64{2, 0}, []uint64{1, 1}, []uint64{0, 2}, []uint64{0, 1}, []uint64{0, 0}),
			file: ds.withHyper(hs([]uint64{4, 2}, nil, []uint64{2, 3}, nil))},
		{name: "mem block/file points", mem: simpleSel(2, 3).withAll(),
			file: ds.withPoints([]uint64{5, 6}, []uint64{0, 0}, []uint64{3, 3}, []uint64{3, 4}, []uint64{0, 6}, []uint64{2, 1})},
		{name: "H5S_BLOCK/file points", mem: simpleSel(4).withAll(), memID: blockID,
			file: ds.withPoints([]uint64{1, 1}, []uint64{0, 0}, []uint64{5, 5}, []uint64{1, 2})},
		{name: "points/points", mem: simpleSel(9).withPoints([]uint64{8}, []uint64{0}, []uint64{4}),
			file: ds.withPoints([]uint64{2, 2}, []uint64{2, 3}, []uint64{0, 0})},
		{name: "union/strided", mem: simpleSel(40).withHyper(hs([]uint64{0}, []uint64{2}, []uint64{20}, nil)),
			file: ds.withHyper(hs([]uint64{0, 0}, nil, []uint64{2, 5}, nil), hs([]uint64{4, 2}, nil, []uint64{2, 5}, nil))},
		{name: "mem with offset", mem: simpleSel(5, 5).withHyper(hs([]uint64{0, 0}, nil, []uint64{2, 3}, nil)).withOffset(2, 1),
			file: ds.withHyper(hs([]uint64{3, 3}, nil, []uint64{2, 3}, nil))},
		{name: "none/none", mem: simpleSel(5).withNone(), file: ds.withNone()},
	}
}

func (p selPair) ids(t *testing.T) (mem, file h5id, memOrder, fileOrder []uint64) {
	t.Helper()
	fileSid := makeSpace(t, p.file)
	fileOrder = order(t, p.file, fileSid)
	file = fileSid
	if p.fileID != nil {
		file = p.fileID(t, p.file)
	}
	memSid := makeSpace(t, p.mem)
	memOrder = order(t, p.mem, memSid)
	mem = memSid
	if p.memID != nil {
		mem = p.memID(t, p.mem)
	}
	return mem, file, memOrder, fileOrder
}

func numericTypes() map[string]formats.Dtype {
	return map[string]formats.Dtype{
		"same int32": i32le(),
		"int64 be":   {Class: formats.ClassInteger, Size: 8, Order: formats.BigEndian, Signed: true},
		"float64":    {Class: formats.ClassFloat, Size: 8, Order: formats.LittleEndian},
		"int16":      {Class: formats.ClassInteger, Size: 2, Order: formats.LittleEndian, Signed: true},
	}
}

// TestTransferNumbers writes and reads int32 memory through every pair of
// selections, into datasets of several types, in one batch and in batches
// of three elements, and checks element k of the memory selection met
// element k of the file selection.
func TestTransferNumbers(t *testing.T) {
	memDt := i32le()
	for _, p := range selPairs() {
		for tname, fileDt := range numericTypes() {
			for _, batch := range []int{batchBytes, 3 * 8} {
				t.Run(fmt.Sprintf("%s/%s/batch %d", p.name, tname, batch), func(t *testing.T) {
					memType := newTypeID(t, memDt)
					mem, file, memOrder, fileOrder := p.ids(t)
					if len(memOrder) != len(fileOrder) {
						t.Fatalf("bad test: %d memory elements, %d file elements", len(memOrder), len(fileOrder))
					}
					ext := p.file.space
					nFile, nMem := spacePoints(ext), spacePoints(p.mem.space)

					// Write: memory holds 1000+index, the dataset -1.
					st := &memStore{size: fileDt.Size, data: bytes.Repeat(encodeNum(fileDt, -1), int(nFile))}
					buf := make([]int32, max(nMem, 1))
					for i := range buf {
						buf[i] = int32(1000 + i)
					}
					if err := moveElements(st, fileDt, ext, memType, mem, file, pDefault, unsafe.Pointer(&buf[0]), true, batch); err != nil {
						t.Fatal(err)
					}
					want := make([]float64, nFile)
					for i := range want {
						want[i] = -1
					}
					for k, fi := range fileOrder {
						want[fi] = float64(1000 + memOrder[k])
					}
					for i := range want {
						if got := decodeNum(fileDt, st.data[i*fileDt.Size:]); got != want[i] {
							t.Fatalf("after write, file element %d = %v, want %v", i, got, want[i])
						}
					}
					if len(fileOrder) == 0 && st.calls != 0 {
						t.Fatalf("empty selection made %d store calls", st.calls)
					}

					// Read: the dataset holds 5000+index, memory -1.
					for i := uint64(0); i < nFile; i++ {
						copy(st.data[int(i)*fileDt.Size:], encodeNum(fileDt, float64(5000+i)))
					}
					for i := range buf {
						buf[i] = -1
					}
					if err := moveElements(st, fileDt, ext, memType, mem, file, pDefault, unsafe.Pointer(&buf[0]), false, batch); err != nil {
						t.Fatal(err)
					}
					wantMem := make([]int32, len(buf))
					for i := range wantMem {
						wantMem[i] = -1
					}
					for k, mi := range memOrder {
						wantMem[mi] = int32(5000 + fileOrder[k])
					}
					if !reflect.DeepEqual(buf, wantMem) {
						t.Fatalf("after read, memory = %v, want %v", buf, wantMem)
					}
				})
			}
		}
	}
}

// With equal types and an "all" memory selection the program's buffer is
// handed to the store itself, in one call: no copy of the data.
func TestTransferNoCopy(t *testing.T) {
	f64 := formats.Dtype{Class: formats.ClassFloat, Size: 8, Order: formats.LittleEndian}
	ext := domain.Space{Class: "simple", Dims: []uint64{1000, 100}}
	memType := newTypeID(t, f64)
	buf := make([]float64, 1000*100)
	st := &memStore{size: 8, data: make([]byte, 8*len(buf))}
	for _, write := range []bool{true, false} {
		st.calls = 0
		if err := moveElements(st, f64, ext, memType, sAll, sAll, pDefault, unsafe.Pointer(&buf[0]), write, batchBytes); err != nil {
			t.Fatal(err)
		}
		if st.calls != 1 || st.lastBuf != unsafe.Pointer(&buf[0]) || !reflect.DeepEqual(st.lastRuns, []vol.Run{{Offset: 0, Count: 100000}}) {
			t.Fatalf("write=%v: %d store calls, buffer %p (program's %p), runs %v", write, st.calls, st.lastBuf, &buf[0], st.lastRuns)
		}
	}
	// A memory block in the middle of a larger buffer still goes uncopied.
	big := make([]float64, 3*1000*100)
	memSpace := makeSpace(t, simpleSel(3000, 100).withHyper(hs([]uint64{1000, 0}, nil, []uint64{1000, 100}, nil)))
	st.calls = 0
	if err := moveElements(st, f64, ext, memType, memSpace, sAll, pDefault, unsafe.Pointer(&big[0]), true, batchBytes); err != nil {
		t.Fatal(err)
	}
	if st.calls != 1 || st.lastBuf != unsafe.Pointer(&big[100000]) {
		t.Fatalf("%d calls, buffer %p, want %p", st.calls, st.lastBuf, &big[100000])
	}
}

// ---- compound subsets: the background buffer ----

func TestTransferCompoundSubset(t *testing.T) {
	le := formats.LittleEndian
	i32 := i32le()
	f64 := formats.Dtype{Class: formats.ClassFloat, Size: 8, Order: le}
	i16 := formats.Dtype{Class: formats.ClassInteger, Size: 2, Order: formats.BigEndian, Signed: true}
	// Packed file type: a@0 i32, b@4 f64, c@12 i16be.
	fileDt := formats.Dtype{Class: formats.ClassCompound, Size: 14, Members: []formats.Member{
		{Name: "a", Offset: 0, Type: ptr(i32)}, {Name: "b", Offset: 4, Type: ptr(f64)}, {Name: "c", Offset: 12, Type: ptr(i16)},
	}}
	// Memory types as C structs would lay them out.
	type full struct {
		A int32
		_ int32
		B float64
		C int16
		_ [6]byte
	}
	fullDt := formats.Dtype{Class: formats.ClassCompound, Size: 24, Members: []formats.Member{
		{Name: "a", Offset: 0, Type: ptr(i32)}, {Name: "b", Offset: 8, Type: ptr(f64)},
		{Name: "c", Offset: 16, Type: ptr(formats.Dtype{Class: formats.ClassInteger, Size: 2, Order: le, Signed: true})},
	}}
	type onlyB struct{ B float64 }
	onlyBDt := formats.Dtype{Class: formats.ClassCompound, Size: 8, Members: []formats.Member{{Name: "b", Offset: 0, Type: ptr(f64)}}}
	type bAndExtra struct {
		B float64
		Z int32
		_ int32
	}
	bAndExtraDt := formats.Dtype{Class: formats.ClassCompound, Size: 16, Members: []formats.Member{
		{Name: "b", Offset: 0, Type: ptr(f64)}, {Name: "z", Offset: 8, Type: ptr(i32)},
	}}

	const n = 5
	ext := domain.Space{Class: "simple", Dims: []uint64{n}}
	st := &memStore{size: 14, data: make([]byte, 14*n)}
	for _, batch := range []int{batchBytes, 2 * 24} {
		in := make([]full, n)
		for i := range in {
			in[i] = full{A: int32(i), B: float64(i) + 0.5, C: int16(-i)}
		}
		if err := moveElements(st, fileDt, ext, newTypeID(t, fullDt), sAll, sAll, pDefault, unsafe.Pointer(&in[0]), true, batch); err != nil {
			t.Fatal(err)
		}
		// Overwrite b alone on elements 1..3: a and c keep their values.
		bs := []onlyB{{10}, {20}, {30}}
		file := makeSpace(t, simpleSel(n).withHyper(hs([]uint64{1}, nil, []uint64{3}, nil)))
		if err := moveElements(st, fileDt, ext, newTypeID(t, onlyBDt), sBlock, file, pDefault, unsafe.Pointer(&bs[0]), true, batch); err != nil {
			t.Fatal(err)
		}
		out := make([]full, n)
		if err := moveElements(st, fileDt, ext, newTypeID(t, fullDt), sAll, sAll, pDefault, unsafe.Pointer(&out[0]), false, batch); err != nil {
			t.Fatal(err)
		}
		for i, o := range out {
			wantB := float64(i) + 0.5
			if i >= 1 && i <= 3 {
				wantB = float64(i * 10)
			}
			if o.A != int32(i) || o.B != wantB || o.C != int16(-i) {
				t.Fatalf("batch %d: element %d = %+v, want a=%d b=%v c=%d", batch, i, o, i, wantB, -i)
			}
		}
		// Reading into a struct with a member the file lacks leaves it alone.
		partial := make([]bAndExtra, n)
		for i := range partial {
			partial[i].Z = 77
		}
		if err := moveElements(st, fileDt, ext, newTypeID(t, bAndExtraDt), sAll, sAll, pDefault, unsafe.Pointer(&partial[0]), false, batch); err != nil {
			t.Fatal(err)
		}
		for i, p := range partial {
			if p.Z != 77 || p.B != out[i].B {
				t.Fatalf("batch %d: partial read %d = %+v, want b=%v z=77", batch, i, p, out[i].B)
			}
		}
	}
}

// ---- variable-length data ----

func strs(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, x := range s {
		if x != "<nil>" {
			out[i] = []byte(x)
		}
	}
	return out
}

func TestTransferVarStrings(t *testing.T) {
	vstr := formats.Dtype{Class: formats.ClassString, Variable: true, Charset: formats.CharsetASCII, Padding: formats.PadNullTerm}
	vstrPad := vstr
	vstrPad.Padding = formats.PadNullPad
	values := strs("alpha", "", "<nil>", "delta with spaces", "ε")
	const n = 5
	ext := domain.Space{Class: "simple", Dims: []uint64{n}}
	for name, memDt := range map[string]formats.Dtype{"same type": vstr, "converted": vstrPad} {
		for _, batch := range []int{batchBytes, 16} {
			t.Run(fmt.Sprintf("%s/batch %d", name, batch), func(t *testing.T) {
				memType := newTypeID(t, memDt)
				st := &memStore{vars: make([][]byte, n)}
				in := make([]unsafe.Pointer, n)
				ours, err := putVarElems(memDt, unsafe.Pointer(&in[0]), values, vlenAlloc{})
				if err != nil {
					t.Fatal(err)
				}
				if err := moveElements(st, vstr, ext, memType, sAll, sAll, pDefault, unsafe.Pointer(&in[0]), true, batch); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(st.vars, values) {
					t.Fatalf("stored %q, want %q", st.vars, values)
				}
				if err := reclaimVar(memType, n, unsafe.Pointer(&in[0]), pDefault); err != nil {
					t.Fatal(err)
				}
				if len(ours) != 4 {
					t.Fatalf("%d strings allocated for 4 non-NULL values", len(ours))
				}

				// Read back the middle three in reverse order.
				out := make([]unsafe.Pointer, 3)
				file := makeSpace(t, simpleSel(n).withPoints([]uint64{3}, []uint64{2}, []uint64{1}))
				if err := moveElements(st, vstr, ext, memType, sBlock, file, pDefault, unsafe.Pointer(&out[0]), false, batch); err != nil {
					t.Fatal(err)
				}
				got, err := varElems(memDt, unsafe.Pointer(&out[0]), 3)
				if err != nil {
					t.Fatal(err)
				}
				if want := [][]byte{values[3], nil, {}}; !reflect.DeepEqual(got, want) {
					t.Fatalf("read %q, want %q", got, want)
				}
				if err := reclaimVar(memType, 3, unsafe.Pointer(&out[0]), pDefault); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

func TestTransferFixedStrings(t *testing.T) {
	fileDt := formats.Dtype{Class: formats.ClassString, Size: 4, Charset: formats.CharsetASCII, Padding: formats.PadNullPad}
	memDt := formats.Dtype{Class: formats.ClassString, Size: 8, Charset: formats.CharsetASCII, Padding: formats.PadNullTerm}
	ext := domain.Space{Class: "simple", Dims: []uint64{3}}
	in := []byte("ab\x00\x00\x00\x00\x00\x00abcdefg\x00wxyz\x00\x00\x00\x00")
	st := &memStore{size: 4, data: make([]byte, 12)}
	memType := newTypeID(t, memDt)
	if err := moveElements(st, fileDt, ext, memType, sAll, sAll, pDefault, unsafe.Pointer(&in[0]), true, batchBytes); err != nil {
		t.Fatal(err)
	}
	if want := []byte("ab\x00\x00abcdwxyz"); !bytes.Equal(st.data, want) {
		t.Fatalf("stored %q, want %q", st.data, want)
	}
	out := make([]byte, 24)
	if err := moveElements(st, fileDt, ext, memType, sAll, sAll, pDefault, unsafe.Pointer(&out[0]), false, batchBytes); err != nil {
		t.Fatal(err)
	}
	if want := []byte("ab\x00\x00\x00\x00\x00\x00abcd\x00\x00\x00\x00wxyz\x00\x00\x00\x00"); !bytes.Equal(out, want) {
		t.Fatalf("read %q, want %q", out, want)
	}
}

func TestTransferVlenSequences(t *testing.T) {
	i64 := formats.Dtype{Class: formats.ClassInteger, Size: 8, Order: formats.LittleEndian, Signed: true}
	fileDt := formats.Dtype{Class: formats.ClassVlen, Base: ptr(i32le())}
	const n = 3
	ext := domain.Space{Class: "simple", Dims: []uint64{n}}
	seqs := [][]int64{{1, 2, 3}, nil, {-7}}
	for name, memDt := range map[string]formats.Dtype{"same type": fileDt, "int64 memory": {Class: formats.ClassVlen, Base: ptr(i64)}} {
		t.Run(name, func(t *testing.T) {
			memType := newTypeID(t, memDt)
			elems := make([][]byte, n)
			for i, s := range seqs {
				for _, v := range s {
					elems[i] = append(elems[i], encodeNum(*memDt.Base, float64(v))...)
				}
			}
			in := make([]uint64, 2*n) // hvl_t: size_t len, void *p
			if _, err := putVarElems(memDt, unsafe.Pointer(&in[0]), elems, vlenAlloc{}); err != nil {
				t.Fatal(err)
			}
			st := &memStore{vars: make([][]byte, n)}
			if err := moveElements(st, fileDt, ext, memType, sAll, sAll, pDefault, unsafe.Pointer(&in[0]), true, batchBytes); err != nil {
				t.Fatal(err)
			}
			if err := reclaimVar(memType, n, unsafe.Pointer(&in[0]), pDefault); err != nil {
				t.Fatal(err)
			}
			want := [][]byte{{1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0}, nil, {0xf9, 0xff, 0xff, 0xff}}
			if !reflect.DeepEqual(st.vars, want) {
				t.Fatalf("stored % x, want % x", st.vars, want)
			}
			out := make([]uint64, 2*n)
			if err := moveElements(st, fileDt, ext, memType, sAll, sAll, pDefault, unsafe.Pointer(&out[0]), false, batchBytes); err != nil {
				t.Fatal(err)
			}
			got, err := varElems(memDt, unsafe.Pointer(&out[0]), n)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, elems) {
				t.Fatalf("read % x, want % x", got, elems)
			}
			if err := reclaimVar(memType, n, unsafe.Pointer(&out[0]), pDefault); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// ---- attributes ----

type memAttr struct {
	value   []byte
	strings []*string
}

func (a *memAttr) Read() []byte                   { return a.value }
func (a *memAttr) Write(b []byte) error           { a.value = b; return nil }
func (a *memAttr) ReadStrings() []*string         { return a.strings }
func (a *memAttr) WriteStrings(s []*string) error { a.strings = s; return nil }

func TestAttrValues(t *testing.T) {
	f64be := formats.Dtype{Class: formats.ClassFloat, Size: 8, Order: formats.BigEndian}
	space := domain.Space{Class: "simple", Dims: []uint64{2, 2}}
	a := &memAttr{}
	memType := newTypeID(t, i32le())

	// Never written: zeros, converted.
	out := []int32{9, 9, 9, 9}
	if err := readValue(a, f64be, space, memType, unsafe.Pointer(&out[0])); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out, []int32{0, 0, 0, 0}) {
		t.Fatalf("unwritten attribute reads %v", out)
	}
	in := []int32{1, -2, 3, -4}
	if err := writeValue(a, f64be, space, memType, unsafe.Pointer(&in[0])); err != nil {
		t.Fatal(err)
	}
	for i, v := range in {
		if got := decodeNum(f64be, a.value[8*i:]); got != float64(v) {
			t.Fatalf("stored element %d = %v, want %d", i, got, v)
		}
	}
	in[0] = 100 // the attribute kept a copy, not the program's buffer
	if got := decodeNum(f64be, a.value); got != 1 {
		t.Fatalf("attribute value follows the program's buffer: %v", got)
	}
	if err := readValue(a, f64be, space, memType, unsafe.Pointer(&out[0])); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out, []int32{1, -2, 3, -4}) {
		t.Fatalf("read back %v", out)
	}

	// Scalar variable-length string attribute.
	vstr := formats.Dtype{Class: formats.ClassString, Variable: true, Charset: formats.CharsetUTF8, Padding: formats.PadNullTerm}
	strType := newTypeID(t, vstr)
	scalar := domain.Space{Class: "scalar"}
	sa := &memAttr{}
	ptrs := make([]unsafe.Pointer, 1)
	if _, err := putVarElems(vstr, unsafe.Pointer(&ptrs[0]), strs("héllo"), vlenAlloc{}); err != nil {
		t.Fatal(err)
	}
	if err := writeValue(sa, vstr, scalar, strType, unsafe.Pointer(&ptrs[0])); err != nil {
		t.Fatal(err)
	}
	if err := reclaimVar(strType, 1, unsafe.Pointer(&ptrs[0]), pDefault); err != nil {
		t.Fatal(err)
	}
	if len(sa.strings) != 1 || sa.strings[0] == nil || *sa.strings[0] != "héllo" {
		t.Fatalf("stored strings %v", sa.strings)
	}
	ptrs[0] = nil
	if err := readValue(sa, vstr, scalar, strType, unsafe.Pointer(&ptrs[0])); err != nil {
		t.Fatal(err)
	}
	got, err := varElems(vstr, unsafe.Pointer(&ptrs[0]), 1)
	if err != nil {
		t.Fatal(err)
	}
	if string(got[0]) != "héllo" {
		t.Fatalf("read %q", got)
	}
	if err := reclaimVar(strType, 1, unsafe.Pointer(&ptrs[0]), pDefault); err != nil {
		t.Fatal(err)
	}

	// Null space: nothing moves, even with no buffer.
	if err := writeValue(a, f64be, domain.Space{Class: "null"}, memType, nil); err != nil {
		t.Fatal(err)
	}
	// vlen sequences have no attribute representation.
	vlenDt := formats.Dtype{Class: formats.ClassVlen, Base: ptr(i32le())}
	if err := writeValue(a, vlenDt, scalar, newTypeID(t, vlenDt), unsafe.Pointer(&ptrs[0])); !errors.Is(err, vol.ErrUnsupported) {
		t.Fatalf("vlen attribute: %v", err)
	}
}

// ---- file spaces from before H5Dset_extent, and refusals ----

func TestTransferOtherExtent(t *testing.T) {
	ext := domain.Space{Class: "simple", Dims: []uint64{6, 7}}
	memType := newTypeID(t, i32le())
	tests := []struct {
		name string
		file sel
		want []uint64 // dataset elements written, in order
	}{
		{"all of a smaller space", simpleSel(2, 7).withAll(), seq(0, 14)},
		{"row 1 of a smaller space", simpleSel(3, 7).withHyper(hs([]uint64{1, 0}, nil, []uint64{1, 7}, nil)), seq(7, 14)},
		{"column of a larger space", simpleSel(9, 7).withHyper(hs([]uint64{0, 2}, nil, []uint64{6, 1}, nil)), []uint64{2, 9, 16, 23, 30, 37}},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/H5S_ALL memory", func(t *testing.T) {
			// The buffer has the program's file space's shape.
			st := &memStore{size: 4, data: make([]byte, 4*42)}
			file := makeSpace(t, tt.file)
			buf := make([]int32, spacePoints(tt.file.space))
			for i := range buf {
				buf[i] = int32(i + 1)
			}
			if err := moveElements(st, i32le(), ext, memType, sAll, file, pDefault, unsafe.Pointer(&buf[0]), true, batchBytes); err != nil {
				t.Fatal(err)
			}
			memOrder := order(t, tt.file, file)
			for k, idx := range tt.want {
				if got, want := decodeNum(i32le(), st.data[4*idx:]), float64(memOrder[k]+1); got != want {
					t.Fatalf("element %d = %v, want %v", idx, got, want)
				}
			}
		})
		t.Run(tt.name, func(t *testing.T) {
			st := &memStore{size: 4, data: make([]byte, 4*42)}
			buf := make([]int32, len(tt.want))
			for i := range buf {
				buf[i] = int32(i + 1)
			}
			if err := moveElements(st, i32le(), ext, memType, sBlock, makeSpace(t, tt.file), pDefault, unsafe.Pointer(&buf[0]), true, batchBytes); err != nil {
				t.Fatal(err)
			}
			for k, idx := range tt.want {
				if got := decodeNum(i32le(), st.data[4*idx:]); got != float64(k+1) {
					t.Fatalf("element %d = %v, want %d", idx, got, k+1)
				}
			}
		})
	}
}

func seq(from, to uint64) []uint64 {
	var out []uint64
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

func TestTransferRefuses(t *testing.T) {
	ext := domain.Space{Class: "simple", Dims: []uint64{6, 7}}
	str := formats.Dtype{Class: formats.ClassString, Size: 4, Charset: formats.CharsetASCII, Padding: formats.PadNullTerm}
	vstr := formats.Dtype{Class: formats.ClassString, Variable: true, Charset: formats.CharsetASCII, Padding: formats.PadNullTerm}
	withVlen := formats.Dtype{Class: formats.ClassCompound, Size: 16, Members: []formats.Member{{Name: "s", Offset: 0, Type: ptr(vstr)}, {Name: "i", Offset: 8, Type: ptr(i32le())}}}
	buf := make([]byte, 8*42)
	tests := []struct {
		name      string
		fileDt    formats.Dtype
		memDt     formats.Dtype
		mem, file func(t *testing.T) h5id
		want      error
	}{
		{"count mismatch", i32le(), i32le(), func(t *testing.T) h5id { return makeSpace(t, simpleSel(41).withAll()) }, nil, vol.ErrInvalid},
		{"H5S_PLIST file", i32le(), i32le(), nil, func(*testing.T) h5id { return sPlist }, vol.ErrUnsupported},
		{"H5S_PLIST memory", i32le(), i32le(), func(*testing.T) h5id { return sPlist }, nil, vol.ErrInvalid},
		{"H5S_BLOCK file", i32le(), i32le(), nil, func(*testing.T) h5id { return sBlock }, vol.ErrInvalid},
		{"no conversion path", i32le(), str, nil, nil, vol.ErrInvalid},
		{"vlen inside compound", withVlen, withVlen, nil, nil, vol.ErrUnsupported},
		{"file selection outside extent", i32le(), i32le(), func(*testing.T) h5id { return sBlock },
			func(t *testing.T) h5id {
				return makeSpace(t, simpleSel(9, 7).withHyper(hs([]uint64{6, 0}, nil, []uint64{1, 7}, nil)))
			}, vol.ErrInvalid},
		{"memory selection outside extent", i32le(), i32le(),
			func(t *testing.T) h5id {
				return makeSpace(t, simpleSel(42).withHyper(hs([]uint64{0}, nil, []uint64{42}, nil)).withOffset(1))
			}, nil, vol.ErrInvalid},
		{"rank differs", i32le(), i32le(), nil, func(t *testing.T) h5id { return makeSpace(t, simpleSel(42).withAll()) }, vol.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem, file := sAll, sAll
			if tt.mem != nil {
				mem = tt.mem(t)
			}
			if tt.file != nil {
				file = tt.file(t)
			}
			for _, write := range []bool{true, false} {
				st := &memStore{size: tt.fileDt.Size, data: make([]byte, tt.fileDt.Size*42), vars: make([][]byte, 42)}
				err := moveElements(st, tt.fileDt, ext, newTypeID(t, tt.memDt), mem, file, pDefault, unsafe.Pointer(&buf[0]), write, batchBytes)
				if !errors.Is(err, tt.want) {
					t.Fatalf("write=%v: %v, want %v", write, err, tt.want)
				}
				if st.calls != 0 {
					t.Fatalf("write=%v: refused transfer made %d store calls", write, st.calls)
				}
			}
		})
	}
}
