package h5stream

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/formats/filter"
)

const superblockSize = 48

// layOut places everything. Metadata sizes never depend on addresses
// (every address is 8 bytes), so headers are encoded once with zero
// addresses to measure them, the file is laid out as superblock, object
// headers, B-tree nodes, heap collections, then data, and the headers are
// encoded again for real.
func (b *builder) layOut() (*Plan, error) {
	b.hdrAddr = make(map[objRef]uint64, len(b.order))
	b.collAddr = make([]uint64, len(b.heap.colls))
	sizes := make([]int, len(b.order))
	for i, o := range b.order {
		h, err := b.encodeObject(o)
		if err != nil {
			return nil, fmt.Errorf("%s %d: %w", o.kind, o.id, err)
		}
		sizes[i] = len(h)
	}
	pos := uint64(superblockSize)
	for i, o := range b.order {
		b.hdrAddr[o] = pos
		pos += uint64(sizes[i])
	}
	ids := slices.Sorted(maps.Keys(b.dsets))
	for _, id := range ids {
		dp := b.dsets[id]
		dp.btreeBase = pos
		pos += uint64(btreeNodes(len(dp.chunks)) * nodeSize(len(dp.space.dims)))
	}
	for i, s := range b.heap.sizes() {
		b.collAddr[i] = pos
		pos += uint64(s)
	}
	metaEnd := pos
	p := &Plan{store: b.store}
	for _, id := range ids {
		var err error
		if pos, err = b.placeData(b.dsets[id], pos, p); err != nil {
			return nil, fmt.Errorf("dataset %d: %w", id, err)
		}
	}
	head := make([]byte, superblockSize, metaEnd)
	for i, o := range b.order {
		h, err := b.encodeObject(o)
		if err != nil {
			return nil, err
		}
		if len(h) != sizes[i] {
			return nil, fmt.Errorf("h5stream: %s %d header changed size", o.kind, o.id)
		}
		head = append(head, h...)
	}
	for _, id := range ids {
		dp := b.dsets[id]
		if len(dp.chunks) == 0 {
			continue
		}
		nodes, root := buildBtree(dp.keys(), dp.chunkAddr, dp.lastKey(), len(dp.space.dims), dp.btreeBase)
		if root != dp.btreeRoot {
			return nil, fmt.Errorf("h5stream: dataset %d B-tree root at %d, planned %d", id, root, dp.btreeRoot)
		}
		head = append(head, nodes...)
	}
	for i := range b.heap.colls {
		head = b.heap.encode(head, i)
	}
	if uint64(len(head)) != metaEnd {
		return nil, fmt.Errorf("h5stream: metadata is %d bytes, planned %d", len(head), metaEnd)
	}
	encodeSuperblock(head[:0], pos, b.hdrAddr[b.order[0]])
	p.head, p.size = head, int64(pos)
	return p, nil
}

// placeData gives the dataset's chunks (or contiguous element) their
// addresses from pos on, re-encoding variable-length data in memory, and
// computes where its B-tree root lands.
func (b *builder) placeData(dp *dsPlan, pos uint64, p *Plan) (uint64, error) {
	add := func(pc piece) uint64 {
		at := pos
		p.pieces = append(p.pieces, pc)
		pos += uint64(pc.size)
		return at
	}
	dp.contigAt = undef
	switch {
	case dp.contig != nil:
		dp.contigAt = add(piece{size: int64(len(dp.contig)), data: dp.contig})
	case dp.contigVar != nil:
		raw := appendRef(nil, dp.contigVar[0], b.collAddr)
		dp.contigAt = add(piece{size: int64(len(raw)), data: raw})
	}
	for i, c := range dp.chunks {
		pc := piece{key: c.key, size: c.size}
		if dp.variable {
			raw := make([]byte, 0, len(dp.varRef[i])*vlenRefSize)
			for _, r := range dp.varRef[i] {
				raw = appendRef(raw, r, b.collAddr)
			}
			if len(dp.filters) > 0 {
				var err error
				if raw, err = filter.Encode(dp.filters, vlenRefSize, raw); err != nil {
					return 0, fmt.Errorf("%w: re-encoding chunk %s: %w", ErrUnsupported, c.key, err)
				}
			}
			if len(raw) > maxChunkBytes {
				return 0, fmt.Errorf("%w: chunk %s re-encodes to %d bytes", ErrUnsupported, c.key, len(raw))
			}
			pc = piece{size: int64(len(raw)), data: raw}
		}
		dp.chunkAddr = append(dp.chunkAddr, add(pc))
		dp.chunkSize = append(dp.chunkSize, uint32(pc.size))
	}
	dp.btreeRoot = undef
	if n := btreeNodes(len(dp.chunks)); n > 0 {
		// Nodes are written leaves first, so the root is the last one.
		dp.btreeRoot = dp.btreeBase + uint64((n-1)*nodeSize(len(dp.space.dims)))
	}
	return pos, nil
}

func (dp *dsPlan) keys() []chunkKey {
	keys := make([]chunkKey, len(dp.chunks))
	for i, c := range dp.chunks {
		off := make([]uint64, len(c.index))
		for k, x := range c.index {
			off[k] = x * dp.chunkDims[k]
		}
		keys[i] = chunkKey{size: dp.chunkSize[i], offsets: off}
	}
	return keys
}

// lastKey bounds the index on the right: the last chunk's offsets plus one
// chunk in every dimension, as libhdf5 makes it.
func (dp *dsPlan) lastKey() chunkKey {
	c := dp.chunks[len(dp.chunks)-1]
	off := make([]uint64, len(c.index))
	for k, x := range c.index {
		off[k] = (x + 1) * dp.chunkDims[k]
	}
	return chunkKey{offsets: off}
}

func encodeSuperblock(b []byte, eof, root uint64) []byte {
	b = append(b, 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n')
	b = append(b, 2, 8, 8, 0)
	b = le64(b, 0)
	b = le64(b, undef)
	b = le64(b, eof)
	b = le64(b, root)
	return binary.LittleEndian.AppendUint32(b, lookup3(b))
}

// encodeObject is the object header of one group, dataset or named type.
func (b *builder) encodeObject(o objRef) ([]byte, error) {
	var msgs []message
	var err error
	switch o.kind {
	case domain.KindGroup:
		msgs, err = b.groupMessages(b.f.Groups[o.id])
	case domain.KindDataset:
		msgs, err = b.datasetMessages(b.dsets[o.id])
	case domain.KindNamedType:
		var t []byte
		t, err = encodeDtype(nil, b.f.Types[o.id].Type, 0)
		msgs = []message{{typ: msgDatatype, flags: flagConstant, data: t}}
	}
	if err != nil {
		return nil, err
	}
	hdr := b.header(o)
	next := hdr.NextAttrOrder
	for i, a := range hdr.Attributes {
		m, err := b.attributeMessage(a, b.attrs[o][i])
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", a.Name, err)
		}
		msgs = append(msgs, m)
		next = max(next, a.Order+1)
	}
	msgs = append(msgs, message{typ: msgAttrInfo, data: attrInfo(next)})
	if n := b.refs[o]; n > 1 {
		msgs = append(msgs, message{typ: msgRefcount, data: binary.LittleEndian.AppendUint32([]byte{0}, uint32(n))})
	}
	return encodeHeader(msgs)
}

func (b *builder) groupMessages(g *domain.Group) ([]message, error) {
	links := slices.Clone(g.Links)
	slices.SortStableFunc(links, func(x, y domain.Link) int { return cmp.Compare(x.Order, y.Order) })
	maxOrder := int64(0)
	for _, l := range links {
		maxOrder = max(maxOrder, l.Order)
	}
	// Link Info: creation order tracked (not indexed), no dense storage.
	info := le64([]byte{0, 1}, uint64(maxOrder))
	info = le64(le64(info, undef), undef)
	msgs := []message{{typ: msgLinkInfo, data: info}, {typ: msgGroupInfo, data: []byte{0, 0}}}
	seen := make(map[string]bool, len(links))
	for _, l := range links {
		if seen[l.Name] {
			return nil, fmt.Errorf("%w: two links named %q", ErrDocument, l.Name)
		}
		seen[l.Name] = true
		m, err := b.linkMessage(l)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, message{typ: msgLink, data: m})
	}
	return msgs, nil
}

func (b *builder) linkMessage(l domain.Link) ([]byte, error) {
	if !validName(l.Name) || l.Name == "." || strings.Contains(l.Name, "/") || len(l.Name) > 0xffff {
		return nil, fmt.Errorf("%w: link name %q", ErrDocument, l.Name)
	}
	flags := byte(1 | 1<<2) // 2-byte name length, creation order present
	var typ byte
	switch l.Kind {
	case domain.LinkHard:
	case domain.LinkSoft:
		typ = 1
	case domain.LinkExternal:
		typ = 64
	default:
		return nil, fmt.Errorf("%w: link %q of kind %q", ErrDocument, l.Name, l.Kind)
	}
	if typ != 0 {
		flags |= 1 << 3
	}
	if l.UTF8 {
		flags |= 1 << 4
	}
	m := []byte{1, flags}
	if typ != 0 {
		m = append(m, typ)
	}
	m = le64(m, uint64(l.Order))
	if l.UTF8 {
		m = append(m, 1)
	}
	m = binary.LittleEndian.AppendUint16(m, uint16(len(l.Name)))
	m = append(m, l.Name...)
	switch l.Kind {
	case domain.LinkHard:
		return le64(m, b.hdrAddr[objRef{l.TargetKind, l.Target}]), nil
	case domain.LinkSoft:
		if len(l.Path) > 0xffff {
			return nil, fmt.Errorf("%w: soft link %q too long", ErrUnsupported, l.Name)
		}
		m = binary.LittleEndian.AppendUint16(m, uint16(len(l.Path)))
		return append(m, l.Path...), nil
	}
	if strings.ContainsRune(l.File, 0) || strings.ContainsRune(l.Path, 0) {
		return nil, fmt.Errorf("%w: external link %q with a NUL", ErrDocument, l.Name)
	}
	val := append(append(append([]byte{0}, l.File...), 0), l.Path...)
	val = append(val, 0)
	if len(val) > 0xffff {
		return nil, fmt.Errorf("%w: external link %q too long", ErrUnsupported, l.Name)
	}
	m = binary.LittleEndian.AppendUint16(m, uint16(len(val)))
	return append(m, val...), nil
}

func encodeSpace(s spaceInfo) []byte {
	switch s.class {
	case "scalar":
		return []byte{2, 0, 0, 0}
	case "null":
		return []byte{2, 0, 0, 2}
	}
	b := []byte{2, byte(len(s.dims)), 1, 1}
	for _, d := range s.dims {
		b = le64(b, d)
	}
	for _, d := range s.maxDims {
		b = le64(b, d)
	}
	return b
}

// typeMessage is a datatype as an object or attribute carries it: shared
// (a reference to the committed type's header) when it was created from
// one.
func (b *builder) typeMessage(t formats.Dtype, ref uint64) (data []byte, shared bool, err error) {
	if ref != 0 {
		return sharedRef(b.hdrAddr[objRef{domain.KindNamedType, ref}]), true, nil
	}
	data, err = encodeDtype(nil, t, 0)
	return data, false, err
}

func (b *builder) datasetMessages(dp *dsPlan) ([]message, error) {
	d := dp.d
	t, shared, err := b.typeMessage(d.Type, d.TypeRef)
	if err != nil {
		return nil, err
	}
	tflags := byte(flagConstant)
	if shared {
		tflags |= flagShared
	}
	msgs := []message{
		{typ: msgDataspace, data: encodeSpace(dp.space)},
		{typ: msgDatatype, flags: tflags, data: t},
	}
	fill, err := fillMessage(dp)
	if err != nil {
		return nil, err
	}
	msgs = append(msgs, message{typ: msgFill, flags: flagConstant, data: fill})
	if dp.space.class != "simple" {
		size := uint64(dp.fileElem)
		if dp.space.class == "null" {
			size = 0
		}
		layout := le64(le64([]byte{3, 1}, dp.contigAt), size)
		return append(msgs, message{typ: msgLayout, data: layout}), nil
	}
	layout := le64([]byte{3, 2, byte(len(dp.chunkDims) + 1)}, dp.btreeRoot)
	for _, c := range dp.chunkDims {
		layout = binary.LittleEndian.AppendUint32(layout, uint32(c))
	}
	layout = binary.LittleEndian.AppendUint32(layout, uint32(dp.fileElem))
	msgs = append(msgs, message{typ: msgLayout, data: layout})
	if len(dp.filters) > 0 {
		msgs = append(msgs, message{typ: msgPipeline, flags: flagConstant, data: encodePipeline(dp.filters)})
	}
	return msgs, nil
}

// fillMessage is a version 3 fill value message: allocation late
// (contiguous) or incremental (chunked), fill written if set, and the value
// when the document has one.
func fillMessage(dp *dsPlan) ([]byte, error) {
	alloc := byte(3)
	if dp.space.class != "simple" {
		alloc = 2
	}
	flags := alloc | 2<<2
	if dp.d.Fill == nil || dp.variable {
		return []byte{3, flags}, nil
	}
	if len(dp.d.Fill) != dp.d.Type.Size {
		return nil, fmt.Errorf("%w: fill value of %d bytes for %d-byte elements", ErrDocument, len(dp.d.Fill), dp.d.Type.Size)
	}
	b := binary.LittleEndian.AppendUint32([]byte{3, flags | 1<<5}, uint32(len(dp.d.Fill)))
	return append(b, dp.d.Fill...), nil
}

// encodePipeline is a version 2 filter pipeline message.
func encodePipeline(fs []domain.Filter) []byte {
	b := []byte{2, byte(len(fs))}
	for _, f := range fs {
		b = binary.LittleEndian.AppendUint16(b, uint16(f.ID))
		if f.ID >= 256 {
			name := append([]byte(f.Name), 0)
			b = binary.LittleEndian.AppendUint16(b, uint16(len(name)))
			b = appendFilterRest(b, f, name)
			continue
		}
		b = appendFilterRest(b, f, nil)
	}
	return b
}

func appendFilterRest(b []byte, f domain.Filter, name []byte) []byte {
	var flags uint16
	if f.Optional {
		flags = 1
	}
	b = binary.LittleEndian.AppendUint16(b, flags)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(f.Params)))
	b = append(b, name...)
	for _, p := range f.Params {
		b = binary.LittleEndian.AppendUint32(b, p)
	}
	return b
}

// attributeMessage is a version 3 attribute message: name, datatype,
// dataspace and the value, variable-length elements as heap references.
func (b *builder) attributeMessage(a domain.Attribute, refs []heapRef) (message, error) {
	if !validName(a.Name) || len(a.Name) >= 0xffff {
		return message{}, fmt.Errorf("%w: attribute name %q", ErrDocument, a.Name)
	}
	sp, err := checkSpace(a.Space)
	if err != nil {
		return message{}, err
	}
	t, shared, err := b.typeMessage(a.Type, a.TypeRef)
	if err != nil {
		return message{}, err
	}
	if shared {
		if _, err := encodeDtype(nil, a.Type, 0); err != nil {
			return message{}, err
		}
	}
	space := encodeSpace(sp)
	var value []byte
	if a.Type.IsVariable() {
		value = make([]byte, 0, len(refs)*vlenRefSize)
		for _, r := range refs {
			value = appendRef(value, r, b.collAddr)
		}
	} else {
		if sp.elements() > maxMessage {
			return message{}, fmt.Errorf("%w: attribute of %d elements (dense attribute storage)", ErrUnsupported, sp.elements())
		}
		want := sp.elements() * uint64(a.Type.Size)
		switch {
		case uint64(len(a.Value)) == want:
			value = a.Value
		case len(a.Value) == 0 && want <= maxMessage:
			value = make([]byte, want)
		default:
			return message{}, fmt.Errorf("%w: value of %d bytes, want %d", ErrDocument, len(a.Value), want)
		}
	}
	var flags byte
	if shared {
		flags = 1
	}
	var cset byte
	if a.UTF8 {
		cset = 1
	}
	m := []byte{3, flags}
	m = binary.LittleEndian.AppendUint16(m, uint16(len(a.Name)+1))
	m = binary.LittleEndian.AppendUint16(m, uint16(len(t)))
	m = binary.LittleEndian.AppendUint16(m, uint16(len(space)))
	m = append(m, cset)
	m = append(append(m, a.Name...), 0)
	m = append(m, t...)
	m = append(m, space...)
	if len(m)+len(value) > maxMessage {
		return message{}, fmt.Errorf("%w: attribute of %d bytes (dense attribute storage)", ErrUnsupported, len(m)+len(value))
	}
	if a.Order < 0 || a.Order > maxAttrOrder {
		return message{}, fmt.Errorf("%w: attribute creation order %d above %d", ErrUnsupported, a.Order, maxAttrOrder)
	}
	return message{typ: msgAttribute, order: uint16(a.Order), data: append(m, value...)}, nil
}
