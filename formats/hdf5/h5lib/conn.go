package h5lib

/*
#include <stdint.h>
*/
import "C"

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"runtime/cgo"
	"unsafe"

	"github.com/sciswift/sciswift/formats/hdf5/pipe"
)

// Reads smaller than a block are served from whole blocks, kept in a small
// cache: libhdf5 reads metadata a few bytes at a time, and each pipe round
// trip may be a range request to the store.
const (
	blockSize = 64 << 10
	maxBlocks = 256
)

// conn is the worker's side of the pipe: every byte of the object it sees
// comes through here.
type conn struct {
	in   *bufio.Reader
	out  *bufio.Writer
	size uint64

	blocks map[uint64][]byte
	order  []uint64 // block numbers, oldest first, for eviction
	err    error    // the first read failure, reported instead of libhdf5's
}

func newConn(in io.Reader, out io.Writer, size uint64) *conn {
	return &conn{in: bufio.NewReader(in), out: bufio.NewWriter(out), size: size, blocks: map[uint64][]byte{}}
}

//export sciswiftPipeRead
func sciswiftPipeRead(handle C.uintptr_t, off, n C.uint64_t, buf unsafe.Pointer) C.int {
	c := cgo.Handle(handle).Value().(*conn)
	dst := unsafe.Slice((*byte)(buf), int(n))
	if err := c.readAt(dst, uint64(off)); err != nil {
		if c.err == nil {
			c.err = err
		}
		return -1
	}
	return 0
}

// readAt fills dst from offset off; bytes past the end of the object read as
// zeros, as libhdf5's own drivers do.
func (c *conn) readAt(dst []byte, off uint64) error {
	clear(dst)
	if off >= c.size {
		return nil
	}
	if rest := c.size - off; uint64(len(dst)) > rest {
		dst = dst[:rest]
	}
	if len(dst) >= blockSize {
		return c.fetchDirect(dst, off)
	}
	for len(dst) > 0 {
		b := off / blockSize
		blk, err := c.block(b)
		if err != nil {
			return err
		}
		in := off - b*blockSize
		if in >= uint64(len(blk)) {
			return nil
		}
		n := copy(dst, blk[in:])
		dst, off = dst[n:], off+uint64(n)
	}
	return nil
}

func (c *conn) fetchDirect(dst []byte, off uint64) error {
	for len(dst) > 0 {
		n := min(len(dst), pipe.MaxRead)
		got, err := c.fetch(off, uint32(n))
		if err != nil {
			return err
		}
		copy(dst, got)
		if len(got) < n {
			return nil
		}
		dst, off = dst[n:], off+uint64(n)
	}
	return nil
}

func (c *conn) block(b uint64) ([]byte, error) {
	if blk, ok := c.blocks[b]; ok {
		return blk, nil
	}
	n := uint64(blockSize)
	if start := b * blockSize; c.size-start < n {
		n = c.size - start
	}
	blk, err := c.fetch(b*blockSize, uint32(n))
	if err != nil {
		return nil, err
	}
	if len(c.order) == maxBlocks {
		delete(c.blocks, c.order[0])
		c.order = c.order[1:]
	}
	c.blocks[b] = blk
	c.order = append(c.order, b)
	return blk, nil
}

// fetch asks the parent for n bytes at off.
func (c *conn) fetch(off uint64, n uint32) ([]byte, error) {
	if err := pipe.WriteMessage(c.out, pipe.Read, pipe.EncodeRead(off, n)); err != nil {
		return nil, err
	}
	if err := c.out.Flush(); err != nil {
		return nil, err
	}
	m, err := pipe.ReadMessage(c.in, int(n))
	if err != nil {
		return nil, fmt.Errorf("reading the object: %w", err)
	}
	switch m.Type {
	case pipe.Data:
		return m.Payload, nil
	case pipe.Error:
		return nil, fmt.Errorf("reading the object: %s", m.Payload)
	}
	return nil, errors.New("reading the object: unexpected reply")
}

// send writes the final message.
func (c *conn) send(typ byte, payload []byte) error {
	if err := pipe.WriteMessage(c.out, typ, payload); err != nil {
		return err
	}
	return c.out.Flush()
}
