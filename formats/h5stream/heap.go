package h5stream

import (
	"encoding/binary"
	"fmt"
)

// Global heap collections hold the bytes of variable-length elements; an
// element on disk is (length, collection address, object index).
const (
	heapMinSize    = 4096    // HDF5 reads this much before it sees a collection's size
	heapTarget     = 1 << 20 // a collection is closed once it holds about this much
	heapObjHeader  = 16
	heapMaxObjects = 0xffff
)

// heapRef locates one object: collection number and object index (from 1).
// The zero ref is a NULL element, which has no heap object; an empty one
// has an object of no bytes, as libhdf5 since 1.12 writes it (1.12 and
// later read a zero address as NULL, an empty object as "").
type heapRef struct {
	coll int
	idx  uint16
	n    uint32 // the element's sequence length
}

type collection struct {
	objs [][]byte
	used int // bytes of objects including their headers
}

func (c *collection) size() int { return max(heapMinSize, heapObjHeader+c.used+heapObjHeader) }

// heap lays out every variable-length element of the file, in the order
// they are added, bounded by limit bytes.
type heap struct {
	colls []*collection
	total int
	limit int
}

func pad8(n int) int { return (n + 7) &^ 7 }

// add stores v (n is its sequence length: bytes for strings, base elements
// for sequences); nil is NULL.
func (h *heap) add(v []byte, n uint32) (heapRef, error) {
	if v == nil {
		return heapRef{}, nil
	}
	foot := heapObjHeader + pad8(len(v))
	h.total += foot
	if h.total > h.limit {
		return heapRef{}, fmt.Errorf("%w: more than %d bytes of variable-length data", ErrLimit, h.limit)
	}
	var c *collection
	if k := len(h.colls); k > 0 {
		c = h.colls[k-1]
		if len(c.objs) == heapMaxObjects || (c.used > 0 && c.used+foot > heapTarget) {
			c = nil
		}
	}
	if c == nil {
		c = &collection{}
		h.colls = append(h.colls, c)
	}
	c.objs = append(c.objs, v)
	c.used += foot
	return heapRef{coll: len(h.colls) - 1, idx: uint16(len(c.objs)), n: n}, nil
}

// sizes of the collections in file order.
func (h *heap) sizes() []int {
	s := make([]int, len(h.colls))
	for i, c := range h.colls {
		s[i] = c.size()
	}
	return s
}

// encode writes collection i: "GCOL", version 1, its size, the objects
// and a free-space object (index 0) filling the rest.
func (h *heap) encode(b []byte, i int) []byte {
	c := h.colls[i]
	size := c.size()
	b = append(b, "GCOL"...)
	b = append(b, 1, 0, 0, 0)
	b = le64(b, uint64(size))
	for k, o := range c.objs {
		b = binary.LittleEndian.AppendUint16(b, uint16(k+1))
		b = binary.LittleEndian.AppendUint16(b, 1)
		b = append(b, 0, 0, 0, 0)
		b = le64(b, uint64(len(o)))
		b = append(b, o...)
		b = append(b, make([]byte, pad8(len(o))-len(o))...)
	}
	free := size - heapObjHeader - c.used
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0)
	b = le64(b, uint64(free))
	return append(b, make([]byte, free-heapObjHeader)...)
}

// appendRef writes a variable-length element as HDF5 stores it.
func appendRef(b []byte, r heapRef, collAddr []uint64) []byte {
	if r.idx == 0 {
		return append(b, make([]byte, vlenRefSize)...)
	}
	b = binary.LittleEndian.AppendUint32(b, r.n)
	b = le64(b, collAddr[r.coll])
	return binary.LittleEndian.AppendUint32(b, uint32(r.idx))
}
