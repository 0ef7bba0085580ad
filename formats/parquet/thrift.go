package parquet

import (
	"fmt"
)

// checkFooter walks the serialized file metadata (Thrift compact protocol)
// far enough to check the shape of the schema before arrow-go builds it:
// arrow-go preallocates each group's children from the declared
// num_children and builds the tree recursively, so a crafted count would
// make it allocate gigabytes, and a deep nesting would exhaust the stack —
// both fatal, not panics it could recover from. Only the schema list
// (FileMetaData field 2) is interpreted; everything else is skipped, with
// nesting bounded. arrow-go's own parse then checks the rest.
func checkFooter(footer []byte) error {
	r := &thriftReader{b: footer}
	counts, err := r.schemaChildCounts()
	if err != nil {
		return fmt.Errorf("%w: file metadata: %w", ErrCorrupt, err)
	}
	return checkSchemaShape(counts)
}

// maxSchemaDepth bounds the nesting of the Parquet schema. Arrow-go recurses
// once per level; real schemas nest a handful of levels (a list of structs
// of lists is six).
const maxSchemaDepth = 64

// checkSchemaShape checks the num_children of the schema elements, in their
// depth-first order: each group's count must fit the elements that follow,
// and the nesting must stay under maxSchemaDepth.
func checkSchemaShape(counts []int64) error {
	if len(counts) == 0 {
		return fmt.Errorf("%w: empty schema", ErrCorrupt)
	}
	// pending[d] is how many children the group at depth d still expects.
	pending := make([]int64, 0, 8)
	for i, n := range counts {
		remaining := int64(len(counts) - i - 1)
		if n < 0 || n > remaining {
			return fmt.Errorf("%w: schema element %d declares %d children, %d elements follow", ErrCorrupt, i, n, remaining)
		}
		if len(pending) > 0 {
			pending[len(pending)-1]--
		}
		if n > 0 {
			if len(pending) >= maxSchemaDepth {
				return fmt.Errorf("%w: schema nested more than %d deep", ErrUnsupported, maxSchemaDepth)
			}
			pending = append(pending, n)
		}
		for len(pending) > 0 && pending[len(pending)-1] == 0 {
			pending = pending[:len(pending)-1]
		}
		if i == 0 && n == 0 && len(counts) > 1 {
			return fmt.Errorf("%w: schema root has no children but %d elements follow", ErrCorrupt, len(counts)-1)
		}
		if len(pending) == 0 && i < len(counts)-1 {
			return fmt.Errorf("%w: %d schema elements after the root's last child", ErrCorrupt, len(counts)-1-i)
		}
	}
	if len(pending) > 0 {
		return fmt.Errorf("%w: schema ends inside a group", ErrCorrupt)
	}
	return nil
}

// Thrift compact protocol type codes.
const (
	tStop   = 0
	tTrue   = 1
	tFalse  = 2
	tByte   = 3
	tI16    = 4
	tI32    = 5
	tI64    = 6
	tDouble = 7
	tBinary = 8
	tList   = 9
	tSet    = 10
	tMap    = 11
	tStruct = 12
)

// maxThriftDepth bounds the nesting of skipped values (Thrift's own default
// recursion limit).
const maxThriftDepth = 64

type thriftReader struct {
	b   []byte
	pos int
}

var errShort = fmt.Errorf("truncated Thrift data")

func (r *thriftReader) byte() (byte, error) {
	if r.pos >= len(r.b) {
		return 0, errShort
	}
	c := r.b[r.pos]
	r.pos++
	return c, nil
}

func (r *thriftReader) uvarint() (uint64, error) {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		c, err := r.byte()
		if err != nil {
			return 0, err
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, nil
		}
	}
	return 0, fmt.Errorf("varint longer than 10 bytes")
}

func (r *thriftReader) zigzag() (int64, error) {
	u, err := r.uvarint()
	return int64(u>>1) ^ -int64(u&1), err
}

func (r *thriftReader) skipBytes(n uint64) error {
	if n > uint64(len(r.b)-r.pos) {
		return errShort
	}
	r.pos += int(n)
	return nil
}

// fieldHeader reads a struct field header; typ is tStop at the end.
func (r *thriftReader) fieldHeader(lastID int16) (id int16, typ byte, err error) {
	c, err := r.byte()
	if err != nil || c == tStop {
		return 0, tStop, err
	}
	typ = c & 0x0f
	if delta := c >> 4; delta != 0 {
		return lastID + int16(delta), typ, nil
	}
	v, err := r.zigzag()
	return int16(v), typ, err
}

// listHeader reads a list or set header.
func (r *thriftReader) listHeader() (size uint64, elem byte, err error) {
	c, err := r.byte()
	if err != nil {
		return 0, 0, err
	}
	size, elem = uint64(c>>4), c&0x0f
	if size == 15 {
		if size, err = r.uvarint(); err != nil {
			return 0, 0, err
		}
	}
	// Every element takes at least a byte.
	if size > uint64(len(r.b)-r.pos) {
		return 0, 0, fmt.Errorf("list of %d elements in %d bytes", size, len(r.b)-r.pos)
	}
	return size, elem, nil
}

// skip skips one value of type typ.
func (r *thriftReader) skip(typ byte, depth int) error {
	if depth > maxThriftDepth {
		return fmt.Errorf("values nested more than %d deep", maxThriftDepth)
	}
	switch typ {
	case tTrue, tFalse:
		return nil
	case tByte:
		_, err := r.byte()
		return err
	case tI16, tI32, tI64:
		_, err := r.uvarint()
		return err
	case tDouble:
		return r.skipBytes(8)
	case tBinary:
		n, err := r.uvarint()
		if err != nil {
			return err
		}
		return r.skipBytes(n)
	case tList, tSet:
		n, elem, err := r.listHeader()
		if err != nil {
			return err
		}
		for range n {
			if elem == tTrue || elem == tFalse {
				// Booleans in lists take a byte each.
				if _, err := r.byte(); err != nil {
					return err
				}
				continue
			}
			if err := r.skip(elem, depth+1); err != nil {
				return err
			}
		}
		return nil
	case tMap:
		n, err := r.uvarint()
		if err != nil || n == 0 {
			return err
		}
		if n > uint64(len(r.b)-r.pos) {
			return errShort
		}
		kv, err := r.byte()
		if err != nil {
			return err
		}
		for range n {
			if err := r.skip(kv>>4, depth+1); err != nil {
				return err
			}
			if err := r.skip(kv&0x0f, depth+1); err != nil {
				return err
			}
		}
		return nil
	case tStruct:
		var id int16
		for {
			fid, ft, err := r.fieldHeader(id)
			if err != nil || ft == tStop {
				return err
			}
			id = fid
			if err := r.skip(ft, depth+1); err != nil {
				return err
			}
		}
	}
	return fmt.Errorf("unknown Thrift type %d", typ)
}

// schemaChildCounts reads FileMetaData and returns num_children of every
// schema element (0 when unset), skipping all other fields.
func (r *thriftReader) schemaChildCounts() ([]int64, error) {
	var counts []int64
	var id int16
	for {
		fid, ft, err := r.fieldHeader(id)
		if err != nil {
			return nil, err
		}
		if ft == tStop {
			return counts, nil
		}
		id = fid
		if fid != 2 || ft != tList {
			if err := r.skip(ft, 1); err != nil {
				return nil, err
			}
			continue
		}
		n, elem, err := r.listHeader()
		if err != nil {
			return nil, err
		}
		if elem != tStruct {
			return nil, fmt.Errorf("schema is a list of type %d, not of structs", elem)
		}
		counts = make([]int64, 0, n)
		for range n {
			c, err := r.schemaElement()
			if err != nil {
				return nil, err
			}
			counts = append(counts, c)
		}
	}
}

// schemaElement reads one SchemaElement and returns its num_children
// (field 5).
func (r *thriftReader) schemaElement() (int64, error) {
	var children int64
	var id int16
	for {
		fid, ft, err := r.fieldHeader(id)
		if err != nil {
			return 0, err
		}
		if ft == tStop {
			return children, nil
		}
		id = fid
		if fid == 5 && ft == tI32 {
			if children, err = r.zigzag(); err != nil {
				return 0, err
			}
			continue
		}
		if err := r.skip(ft, 2); err != nil {
			return 0, err
		}
	}
}
