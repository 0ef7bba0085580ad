package parquet

import (
	"encoding/base64"
	"errors"
	"fmt"
)

// arrowSchemaKey is the key-value metadata entry in which Arrow writers
// (pyarrow, arrow-go, arrow-rs) store the Arrow schema of the table: a
// base64 Arrow IPC stream holding one Schema message.
const arrowSchemaKey = "ARROW:schema"

// Budgets for what decoding a stored Arrow schema may make arrow-go build.
// Flatbuffers offsets can point anywhere, so a small buffer can describe a
// tree that shares subtrees many times over; arrow-go expands every use.
const (
	maxArrowSchemaDepth   = 64
	maxArrowSchemaEntries = 1 << 20  // fields, children and metadata entries built
	maxArrowSchemaBytes   = 64 << 20 // string bytes copied (names, metadata)
)

var errArrowSchema = errors.New("malformed")

// checkArrowSchema walks the stored Arrow schema the way arrow-go's IPC
// reader will (flight.DeserializeSchema, ipc.schemaFromFB) and reports
// whether it may be handed to it. arrow-go sizes allocations from lengths
// in the data before checking them against the buffer (the message and
// body lengths, every vector's element count) and recurses without a
// depth limit; those are fatal (out of memory, stack exhaustion), not
// panics it or we could recover from. Everything else malformed only
// makes arrow-go panic or fail, which Open reports as ErrCorrupt.
//
// The walk follows flatbuffers' own arithmetic (uint32 offsets that wrap),
// so it sees the same tree, cycles included.
func checkArrowSchema(serialized string) error {
	var decoded []byte
	var err error
	// As pqarrow decodes it: padded base64 when the length allows, raw
	// otherwise.
	if len(serialized)%4 == 0 {
		decoded, err = base64.StdEncoding.DecodeString(serialized)
	}
	if len(decoded) == 0 || err != nil {
		if decoded, err = base64.RawStdEncoding.DecodeString(serialized); err != nil {
			return fmt.Errorf("%w: base64: %w", errArrowSchema, err)
		}
	}
	b := fbuf(decoded)
	// Stream framing: [0xFFFFFFFF] length, then the Message flatbuffer,
	// then the body.
	pos := uint32(0)
	l, ok := b.u32(0)
	if !ok {
		return fmt.Errorf("%w: %d bytes", errArrowSchema, len(b))
	}
	if l == 0xFFFFFFFF {
		if l, ok = b.u32(4); !ok {
			return fmt.Errorf("%w: no message length", errArrowSchema)
		}
		pos = 8
	} else {
		pos = 4
	}
	msgLen := int64(int32(l))
	if msgLen < 4 || msgLen > int64(len(b))-int64(pos) {
		return fmt.Errorf("%w: message of %d bytes in %d", errArrowSchema, msgLen, len(b))
	}
	msg := b[pos : int64(pos)+msgLen]
	rest := int64(len(b)) - int64(pos) - msgLen

	w := &fbWalker{b: msg}
	root, ok := msg.u32(0)
	if !ok {
		return errArrowSchema
	}
	// Message: version 0, header_type 1, header 2, bodyLength 3,
	// custom_metadata 4.
	if bodyLen, present := w.scalar64(root, 3); present && (bodyLen < 0 || bodyLen > rest) {
		return fmt.Errorf("%w: message body of %d bytes, %d follow", errArrowSchema, bodyLen, rest)
	}
	if err := w.metadata(root, 4); err != nil {
		return err
	}
	if t, _ := w.scalar8(root, 1); t != 1 { // MessageHeader.Schema
		return nil // arrow-go refuses it without building anything
	}
	schema, ok := w.table(root, 2)
	if !ok {
		return nil
	}
	// Schema: endianness 0, fields 1, custom_metadata 2, features 3.
	if err := w.fields(schema, 1, 0); err != nil {
		return err
	}
	return w.metadata(schema, 2)
}

// fbuf is a flatbuffer; reads outside it report false.
type fbuf []byte

func (b fbuf) u32(pos uint32) (uint32, bool) {
	if uint64(pos)+4 > uint64(len(b)) {
		return 0, false
	}
	return uint32(b[pos]) | uint32(b[pos+1])<<8 | uint32(b[pos+2])<<16 | uint32(b[pos+3])<<24, true
}

func (b fbuf) u16(pos uint32) (uint16, bool) {
	if uint64(pos)+2 > uint64(len(b)) {
		return 0, false
	}
	return uint16(b[pos]) | uint16(b[pos+1])<<8, true
}

type fbWalker struct {
	b              fbuf
	entries, bytes int64
}

// field is the position of slot's value in the table at tpos (0 when the
// slot is absent), as flatbuffers.Table.Offset computes it.
func (w *fbWalker) field(tpos uint32, slot int) (uint32, bool) {
	so, ok := w.b.u32(tpos)
	if !ok {
		return 0, false
	}
	vt := uint32(int32(tpos) - int32(so))
	vtSize, ok := w.b.u16(vt)
	if !ok {
		return 0, false
	}
	vo := uint16(4 + 2*slot)
	if vo >= vtSize {
		return 0, true
	}
	off, ok := w.b.u16(vt + uint32(vo))
	if !ok || off == 0 {
		return 0, ok
	}
	return tpos + uint32(off), true
}

// table follows an offset slot to a table.
func (w *fbWalker) table(tpos uint32, slot int) (uint32, bool) {
	f, ok := w.field(tpos, slot)
	if !ok || f == 0 {
		return 0, false
	}
	rel, ok := w.b.u32(f)
	return f + rel, ok
}

func (w *fbWalker) scalar8(tpos uint32, slot int) (byte, bool) {
	f, ok := w.field(tpos, slot)
	if !ok || f == 0 || uint64(f) >= uint64(len(w.b)) {
		return 0, false
	}
	return w.b[f], true
}

func (w *fbWalker) scalar64(tpos uint32, slot int) (int64, bool) {
	f, ok := w.field(tpos, slot)
	if !ok || f == 0 {
		return 0, false
	}
	lo, ok1 := w.b.u32(f)
	hi, ok2 := w.b.u32(f + 4)
	return int64(uint64(hi)<<32 | uint64(lo)), ok1 && ok2
}

// vector follows an offset slot to a vector: its length and where its
// elements start; a vector whose elements cannot all lie in the buffer is
// an error (arrow-go would allocate for all of them first).
func (w *fbWalker) vector(tpos uint32, slot int, elemSize uint64) (n, start uint32, err error) {
	f, ok := w.field(tpos, slot)
	if !ok || f == 0 {
		return 0, 0, nil
	}
	rel, ok := w.b.u32(f)
	if !ok {
		return 0, 0, errArrowSchema
	}
	v := f + rel
	n, ok = w.b.u32(v)
	if !ok || uint64(n)*elemSize > uint64(len(w.b)) {
		return 0, 0, fmt.Errorf("%w: vector of %d elements in %d bytes", errArrowSchema, n, len(w.b))
	}
	w.entries += int64(n)
	if w.entries > maxArrowSchemaEntries {
		return 0, 0, fmt.Errorf("%w: more than %d fields and metadata entries", errArrowSchema, maxArrowSchemaEntries)
	}
	return n, v + 4, nil
}

// element is the table that element i of a vector of tables points to.
func (w *fbWalker) element(start uint32, i uint32) (uint32, bool) {
	e := start + 4*i
	rel, ok := w.b.u32(e)
	return e + rel, ok
}

// str counts the bytes of a string slot arrow-go copies.
func (w *fbWalker) str(tpos uint32, slot int) error {
	f, ok := w.field(tpos, slot)
	if !ok || f == 0 {
		return nil
	}
	rel, ok := w.b.u32(f)
	if !ok {
		return nil // arrow-go panics reading it; nothing allocated
	}
	n, ok := w.b.u32(f + rel)
	if !ok {
		return nil
	}
	w.bytes += int64(n)
	if w.bytes > maxArrowSchemaBytes {
		return fmt.Errorf("%w: more than %d bytes of names and metadata", errArrowSchema, maxArrowSchemaBytes)
	}
	return nil
}

// metadata walks a [KeyValue] slot (key 0, value 1).
func (w *fbWalker) metadata(tpos uint32, slot int) error {
	n, start, err := w.vector(tpos, slot, 4)
	if err != nil {
		return err
	}
	for i := range n {
		kv, ok := w.element(start, i)
		if !ok {
			return nil
		}
		if err := w.str(kv, 0); err != nil {
			return err
		}
		if err := w.str(kv, 1); err != nil {
			return err
		}
	}
	return nil
}

// fields walks a [Field] slot. Field: name 0, nullable 1, type_type 2,
// type 3, dictionary 4, children 5, custom_metadata 6.
func (w *fbWalker) fields(tpos uint32, slot int, depth int) error {
	if depth > maxArrowSchemaDepth {
		return fmt.Errorf("%w: fields nested more than %d deep", errArrowSchema, maxArrowSchemaDepth)
	}
	n, start, err := w.vector(tpos, slot, 4)
	if err != nil {
		return err
	}
	for i := range n {
		field, ok := w.element(start, i)
		if !ok {
			return nil
		}
		if err := w.str(field, 0); err != nil {
			return err
		}
		if err := w.metadata(field, 6); err != nil {
			return err
		}
		if t, _ := w.scalar8(field, 2); t == 10 { // Type.Timestamp: unit 0, timezone 1
			if ts, ok := w.table(field, 3); ok {
				if err := w.str(ts, 1); err != nil {
					return err
				}
			}
		}
		if err := w.fields(field, 5, depth+1); err != nil {
			return err
		}
	}
	return nil
}
