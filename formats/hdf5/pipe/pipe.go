// Package pipe is the wire protocol between the server and the
// sciswift-h5worker child: length-prefixed messages over the child's stdin
// and stdout. The child asks for byte ranges of the object (Read), the parent
// answers each with Data or Error, and the child ends with one Result or
// Fail. Both sides treat what they receive as untrusted: ReadMessage bounds
// every length before allocating.
package pipe

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Message types.
const (
	// Child → parent.
	Read   byte = 'r' // payload: offset uint64, length uint32 (little-endian)
	Result byte = 'o' // payload: the answer (index JSON, or a read's array JSON)
	Fail   byte = 'f' // payload: a FailKind byte, then a message

	// Parent → child.
	Data  byte = 'd' // payload: the bytes of the range (short at end of object)
	Error byte = 'e' // payload: why the range could not be read
)

// FailKind says what kind of failure a Fail message reports, so the parent
// can wrap the right formats sentinel.
const (
	FailCorrupt     byte = 'c'
	FailUnsupported byte = 'u'
	FailNotFound    byte = 'n'
	FailLimit       byte = 'l'
	FailSelection   byte = 's'
	FailWorker      byte = 'w' // the worker itself cannot work (libhdf5 will not start)
)

// MaxRead is the longest range one Read may ask for; the child splits longer
// reads.
const MaxRead = 16 << 20

// headerLen is the type byte and the uint32 payload length.
const headerLen = 5

var (
	// ErrMalformed is wrapped when a message breaks the protocol.
	ErrMalformed = errors.New("malformed worker message")
	// ErrTooLong is wrapped when a message's payload exceeds the reader's
	// bound.
	ErrTooLong = errors.New("worker message too long")
)

// Message is one decoded message.
type Message struct {
	Type    byte
	Payload []byte
}

// WriteMessage writes one message.
func WriteMessage(w io.Writer, typ byte, payload []byte) error {
	if uint64(len(payload)) > 1<<32-1 {
		return fmt.Errorf("%w: payload of %d bytes", ErrTooLong, len(payload))
	}
	var h [headerLen]byte
	h[0] = typ
	binary.LittleEndian.PutUint32(h[1:], uint32(len(payload)))
	if _, err := w.Write(h[:]); err != nil {
		return err
	}
	_, err := w.Write(payload)
	return err
}

// ReadMessage reads one message whose payload is at most max bytes. A clean
// end of stream before a message is io.EOF; anything else short is
// io.ErrUnexpectedEOF.
func ReadMessage(r io.Reader, max int) (Message, error) {
	var h [headerLen]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return Message{}, err
	}
	if !known(h[0]) {
		return Message{}, fmt.Errorf("%w: unknown type %#x", ErrMalformed, h[0])
	}
	n := binary.LittleEndian.Uint32(h[1:])
	if uint64(n) > uint64(max) {
		return Message{}, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLong, n, max)
	}
	m := Message{Type: h[0], Payload: make([]byte, n)}
	if _, err := io.ReadFull(r, m.Payload); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return Message{}, err
	}
	return m, nil
}

func known(t byte) bool {
	switch t {
	case Read, Result, Fail, Data, Error:
		return true
	}
	return false
}

// EncodeRead is a Read payload.
func EncodeRead(off uint64, n uint32) []byte {
	b := make([]byte, 12)
	binary.LittleEndian.PutUint64(b, off)
	binary.LittleEndian.PutUint32(b[8:], n)
	return b
}

// DecodeRead parses a Read payload, refusing lengths above MaxRead.
func DecodeRead(p []byte) (off uint64, n uint32, err error) {
	if len(p) != 12 {
		return 0, 0, fmt.Errorf("%w: read request of %d bytes", ErrMalformed, len(p))
	}
	off, n = binary.LittleEndian.Uint64(p), binary.LittleEndian.Uint32(p[8:])
	if n > MaxRead {
		return 0, 0, fmt.Errorf("%w: read of %d bytes, limit %d", ErrMalformed, n, MaxRead)
	}
	return off, n, nil
}

// EncodeFail is a Fail payload.
func EncodeFail(kind byte, msg string) []byte {
	return append([]byte{kind}, msg...)
}

// DecodeFail splits a Fail payload.
func DecodeFail(p []byte) (kind byte, msg string, err error) {
	if len(p) == 0 {
		return 0, "", fmt.Errorf("%w: empty failure", ErrMalformed)
	}
	switch p[0] {
	case FailCorrupt, FailUnsupported, FailNotFound, FailLimit, FailSelection, FailWorker:
	default:
		return 0, "", fmt.Errorf("%w: unknown failure kind %#x", ErrMalformed, p[0])
	}
	return p[0], string(p[1:]), nil
}
