package h5stream

import (
	"encoding/binary"
	"fmt"
)

// undef is HDF5's undefined address.
const undef = ^uint64(0)

// Object header message types (HDF5 spec IV.A.2).
const (
	msgDataspace = 0x01
	msgLinkInfo  = 0x02
	msgDatatype  = 0x03
	msgFill      = 0x05
	msgLink      = 0x06
	msgLayout    = 0x08
	msgGroupInfo = 0x0a
	msgPipeline  = 0x0b
	msgAttribute = 0x0c
	msgAttrInfo  = 0x15
	msgRefcount  = 0x16
)

// Message flags.
const (
	flagConstant = 0x01
	flagShared   = 0x02
)

type message struct {
	typ   byte
	flags byte
	order uint16 // creation order of an attribute message
	data  []byte
}

// maxMessage is the largest message body: its size field is 16 bits.
const maxMessage = 0xffff

// encodeHeader writes a version 2 object header with one chunk: "OHDR",
// version, flags (4-byte chunk size, attribute creation order tracked, no
// times), the chunk size, the messages and the checksum. Tracking
// attribute creation order costs two bytes a message and lets any program
// iterate attributes in the order they were created, as the connector does.
func encodeHeader(msgs []message) ([]byte, error) {
	const msgHeader = 1 + 2 + 1 + 2
	size := 0
	for _, m := range msgs {
		if len(m.data) > maxMessage {
			return nil, fmt.Errorf("%w: object header message of %d bytes (type %#x)", ErrUnsupported, len(m.data), m.typ)
		}
		size += msgHeader + len(m.data)
	}
	b := make([]byte, 0, 4+1+1+4+size+4)
	b = append(b, "OHDR"...)
	b = append(b, 2, 0x02|0x04)
	b = binary.LittleEndian.AppendUint32(b, uint32(size))
	for _, m := range msgs {
		b = append(b, m.typ)
		b = binary.LittleEndian.AppendUint16(b, uint16(len(m.data)))
		b = append(b, m.flags)
		b = binary.LittleEndian.AppendUint16(b, m.order)
		b = append(b, m.data...)
	}
	return binary.LittleEndian.AppendUint32(b, lookup3(b)), nil
}

func le64(b []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(b, v) }

// sharedRef is a version 3 shared message pointing at a committed
// datatype's object header.
func sharedRef(addr uint64) []byte { return le64([]byte{3, 2}, addr) }

// maxAttrOrder is the largest attribute creation order HDF5 records.
const maxAttrOrder = 0xffff

// attrInfo is the Attribute Info message: creation order tracked (not
// indexed), the next creation order, and no dense storage.
func attrInfo(next int64) []byte {
	b := binary.LittleEndian.AppendUint16([]byte{0, 1}, uint16(min(max(next, 0), maxAttrOrder)))
	return le64(le64(b, undef), undef)
}
