package encode

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/sciswift/sciswift/formats"
)

func prepareNPY(v *view) (*Encoding, error) {
	if v.t.IsVariable() {
		return nil, fmt.Errorf("%w: .npy cannot hold variable-length %s without pickled object arrays; use json or csv", ErrUnsupported, v.t.Class)
	}
	descr, err := v.t.NumpyDescr()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnsupported, err)
	}
	header := npyHeader(descr, v.shape)
	return &Encoding{
		ContentType: "application/x-npy",
		write: func(w *bufio.Writer) error {
			if _, err := w.Write(header); err != nil {
				return err
			}
			_, err := w.Write(v.data)
			return err
		},
	}, nil
}

// npyHeader is the preamble of a .npy file, as numpy.lib.format writes it:
// magic, version, header length, then the header dict padded with spaces
// and a newline so the data starts at a multiple of 64 bytes.
func npyHeader(descr string, shape []uint64) []byte {
	if !strings.HasPrefix(descr, "[") {
		descr = formats.PyString(descr)
	}
	dict := "{'descr': " + descr + ", 'fortran_order': False, 'shape': " + formats.PyTuple(shape) + ", }"

	const align = 64
	major, lenSize := byte(1), 2
	pre := 6 + 2 + lenSize
	padded := (pre + len(dict) + 1 + align - 1) / align * align
	if padded-pre > 0xffff {
		major, lenSize = 2, 4
		pre = 6 + 2 + lenSize
		padded = (pre + len(dict) + 1 + align - 1) / align * align
	}
	out := make([]byte, 0, padded)
	out = append(out, "\x93NUMPY"...)
	out = append(out, major, 0)
	if lenSize == 2 {
		out = binary.LittleEndian.AppendUint16(out, uint16(padded-pre))
	} else {
		out = binary.LittleEndian.AppendUint32(out, uint32(padded-pre))
	}
	out = append(out, dict...)
	for len(out) < padded-1 {
		out = append(out, ' ')
	}
	return append(out, '\n')
}
