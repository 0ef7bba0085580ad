package encode

import (
	"bufio"
	"fmt"

	"github.com/sciswift/sciswift/formats"
)

func prepareRaw(v *view) (*Encoding, error) {
	if v.t.IsVariable() {
		return nil, fmt.Errorf("%w: raw output cannot hold variable-length %s; use json or csv", ErrUnsupported, v.t.Class)
	}
	descr, err := v.t.WithOrder(formats.LittleEndian).NumpyDtype()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnsupported, err)
	}
	var plan []span
	swapPlan(&v.t, 0, &plan)
	return &Encoding{
		ContentType: "application/octet-stream",
		Header: map[string]string{
			HeaderDtype: descr,
			HeaderShape: shapeText(v.shape),
		},
		write: func(w *bufio.Writer) error { return writeSwapped(w, v.data, v.t.Size, plan) },
	}, nil
}

// span is a big-endian value inside an element: its offset and size.
type span struct{ off, size int }

// swapPlan lists the multi-byte big-endian values of one element of t.
func swapPlan(t *formats.Dtype, off int, plan *[]span) {
	switch t.Class {
	case formats.ClassInteger, formats.ClassFloat, formats.ClassBitfield:
		if t.Size > 1 && t.Order == formats.BigEndian {
			*plan = append(*plan, span{off, t.Size})
		}
	case formats.ClassEnum:
		swapPlan(t.Base, off, plan)
	case formats.ClassCompound:
		for _, m := range t.Members {
			swapPlan(m.Type, off+m.Offset, plan)
		}
	case formats.ClassArray:
		var inner []span
		swapPlan(t.Base, 0, &inner)
		if len(inner) == 0 {
			return
		}
		for e := 0; e < t.Size/t.Base.Size; e++ {
			for _, s := range inner {
				*plan = append(*plan, span{off + e*t.Base.Size + s.off, s.size})
			}
		}
	}
}

// writeSwapped writes data, elements of size bytes, with the plan's values
// reversed in each, a buffer's worth at a time.
func writeSwapped(w *bufio.Writer, data []byte, size int, plan []span) error {
	if len(plan) == 0 {
		_, err := w.Write(data)
		return err
	}
	per := max(1, (64<<10)/size) * size
	buf := make([]byte, per)
	for len(data) > 0 {
		n := copy(buf, data)
		data = data[n:]
		for e := 0; e < n; e += size {
			for _, s := range plan {
				b := buf[e+s.off : e+s.off+s.size]
				for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
					b[i], b[j] = b[j], b[i]
				}
			}
		}
		if _, err := w.Write(buf[:n]); err != nil {
			return err
		}
	}
	return nil
}
