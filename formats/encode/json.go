package encode

import (
	"bufio"

	"github.com/sciswift/sciswift/formats"
)

func prepareJSON(v *view) (*Encoding, error) {
	return &Encoding{
		ContentType: "application/json",
		write:       func(w *bufio.Writer) error { return writeJSON(w, v) },
	}, nil
}

// flushAt is how much text the encoders gather before handing it to the
// buffered writer.
const flushAt = 32 << 10

func writeJSON(w *bufio.Writer, v *view) error {
	j := &jsonWriter{w: w, buf: make([]byte, 0, flushAt+1024)}
	var k uint64 // next element, in C order
	var nest func(dim int) error
	nest = func(dim int) error {
		if dim == len(v.shape) {
			j.element(v, k)
			k++
			return j.flush(false)
		}
		j.buf = append(j.buf, '[')
		for i := uint64(0); i < v.shape[dim]; i++ {
			if i > 0 {
				j.buf = append(j.buf, ',')
			}
			if err := nest(dim + 1); err != nil {
				return err
			}
		}
		j.buf = append(j.buf, ']')
		return j.flush(false)
	}
	if err := nest(0); err != nil {
		return err
	}
	return j.flush(true)
}

type jsonWriter struct {
	w   *bufio.Writer
	buf []byte
}

func (j *jsonWriter) flush(always bool) error {
	if len(j.buf) < flushAt && !always {
		return nil
	}
	_, err := j.w.Write(j.buf)
	j.buf = j.buf[:0]
	return err
}

// element appends element k of v.
func (j *jsonWriter) element(v *view, k uint64) {
	switch {
	case v.null != nil && v.null[k]:
		j.buf = append(j.buf, "null"...)
	case v.t.Class == formats.ClassString && v.t.Variable:
		j.buf = appendJSONString(j.buf, v.strs[k])
	case v.t.Class == formats.ClassVlen:
		base := v.t.Base
		seq := v.strs[k]
		j.buf = append(j.buf, '[')
		for off := 0; off < len(seq); off += base.Size {
			if off > 0 {
				j.buf = append(j.buf, ',')
			}
			j.value(base, seq[off:off+base.Size])
		}
		j.buf = append(j.buf, ']')
	default:
		size := uint64(v.t.Size)
		j.value(&v.t, v.data[k*size:(k+1)*size])
	}
}

// value appends one fixed-size value of type t held in b.
func (j *jsonWriter) value(t *formats.Dtype, b []byte) {
	switch t.Class {
	case formats.ClassInteger, formats.ClassBitfield:
		j.buf = appendInt(j.buf, t, b)
	case formats.ClassFloat:
		f, bits := float(t, b)
		start := len(j.buf)
		var ok bool
		if j.buf, ok = appendFloat(j.buf, f, bits); !ok {
			word := string(j.buf[start:])
			j.buf = appendJSONString(j.buf[:start], []byte(word))
		}
	case formats.ClassEnum:
		if t.IsBool() {
			if isTrue(b) {
				j.buf = append(j.buf, "true"...)
			} else {
				j.buf = append(j.buf, "false"...)
			}
			return
		}
		j.buf = appendInt(j.buf, t.Base, b)
	case formats.ClassString:
		j.buf = appendJSONString(j.buf, fixedString(t, b))
	case formats.ClassOpaque:
		j.buf = append(j.buf, '"')
		j.buf = appendBase64(j.buf, b)
		j.buf = append(j.buf, '"')
	case formats.ClassCompound:
		j.buf = append(j.buf, '{')
		for i, m := range t.Members {
			if i > 0 {
				j.buf = append(j.buf, ',')
			}
			j.buf = appendJSONString(j.buf, []byte(m.Name))
			j.buf = append(j.buf, ':')
			j.value(m.Type, b[m.Offset:m.Offset+m.Type.Size])
		}
		j.buf = append(j.buf, '}')
	case formats.ClassArray:
		j.array(t.Base, t.Dims, b)
	}
}

// array appends the elements of an array-typed value as nested arrays.
func (j *jsonWriter) array(base *formats.Dtype, dims []int, b []byte) {
	if len(dims) == 0 {
		j.value(base, b)
		return
	}
	step := len(b) / dims[0]
	j.buf = append(j.buf, '[')
	for i := 0; i < dims[0]; i++ {
		if i > 0 {
			j.buf = append(j.buf, ',')
		}
		j.array(base, dims[1:], b[i*step:(i+1)*step])
	}
	j.buf = append(j.buf, ']')
}
