package encode

import (
	"bufio"
	"bytes"
	"fmt"

	"github.com/sciswift/sciswift/formats"
)

func prepareCSV(v *view) (*Encoding, error) {
	if len(v.shape) != 1 && len(v.shape) != 2 {
		return nil, fmt.Errorf("%w: csv holds 1-D and 2-D arrays, not shape %v; select fewer dimensions or use json or npy", ErrUnsupported, v.shape)
	}
	if v.t.Class == formats.ClassCompound {
		if len(v.shape) != 1 {
			return nil, fmt.Errorf("%w: csv holds compounds (one column per member) only in 1-D arrays, not shape %v", ErrUnsupported, v.shape)
		}
		for _, m := range v.t.Members {
			if !csvCell(m.Type) {
				return nil, fmt.Errorf("%w: compound member %q is a %s, which has no csv cell form", ErrUnsupported, m.Name, m.Type.Class)
			}
		}
	} else if !csvCell(&v.t) {
		return nil, fmt.Errorf("%w: a %s has no csv cell form", ErrUnsupported, v.t.Class)
	}
	return &Encoding{
		ContentType: "text/csv; charset=utf-8; header=absent",
		write:       func(w *bufio.Writer) error { return writeCSV(w, v) },
	}, nil
}

// csvCell reports whether values of t fit in one CSV field.
func csvCell(t *formats.Dtype) bool {
	switch t.Class {
	case formats.ClassInteger, formats.ClassBitfield, formats.ClassFloat, formats.ClassEnum, formats.ClassString, formats.ClassOpaque:
		return true
	}
	return false
}

func writeCSV(w *bufio.Writer, v *view) error {
	perRow := uint64(1)
	rows := v.shape[0]
	if len(v.shape) == 2 {
		perRow = v.shape[1]
	}
	buf := make([]byte, 0, flushAt+1024)
	var k uint64
	for r := uint64(0); r < rows; r++ {
		for c := uint64(0); c < perRow; c++ {
			if c > 0 {
				buf = append(buf, ',')
			}
			buf = csvElement(buf, v, k)
			k++
			if len(buf) >= flushAt {
				if _, err := w.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
		buf = append(buf, '\n')
	}
	_, err := w.Write(buf)
	return err
}

func csvElement(buf []byte, v *view, k uint64) []byte {
	if v.null != nil && v.null[k] {
		// No value: an empty field (an empty string is written "").
		for i := 1; i < len(v.t.Members); i++ {
			buf = append(buf, ',')
		}
		return buf
	}
	if v.t.Class == formats.ClassString && v.t.Variable {
		return appendCSVString(buf, v.strs[k])
	}
	size := uint64(v.t.Size)
	b := v.data[k*size : (k+1)*size]
	if v.t.Class != formats.ClassCompound {
		return csvValue(buf, &v.t, b)
	}
	for i, m := range v.t.Members {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = csvValue(buf, m.Type, b[m.Offset:m.Offset+m.Type.Size])
	}
	return buf
}

func csvValue(buf []byte, t *formats.Dtype, b []byte) []byte {
	switch t.Class {
	case formats.ClassInteger, formats.ClassBitfield:
		return appendInt(buf, t, b)
	case formats.ClassFloat:
		f, bits := float(t, b)
		buf, _ = appendFloat(buf, f, bits)
		return buf
	case formats.ClassEnum:
		if t.IsBool() {
			if isTrue(b) {
				return append(buf, "true"...)
			}
			return append(buf, "false"...)
		}
		return appendInt(buf, t.Base, b)
	case formats.ClassString:
		return appendCSVString(buf, fixedString(t, b))
	case formats.ClassOpaque:
		return appendBase64(buf, b) // base64 needs no quoting
	}
	return buf
}

// appendCSVString appends s as a CSV field: quoted, with quotes doubled,
// when RFC 4180 needs it (a comma, quote, CR or LF), when it is empty (or a
// 1-D column would show a blank line, which readers skip) and when it has
// spaces at either end (which some readers trim). Bytes that are not UTF-8
// become U+FFFD, as the content type promises UTF-8.
func appendCSVString(buf, s []byte) []byte {
	s = bytes.ToValidUTF8(s, []byte("\uFFFD"))
	quote := len(s) == 0 || s[0] == ' ' || s[len(s)-1] == ' ' || bytes.ContainsAny(s, ",\"\r\n")
	if !quote {
		return append(buf, s...)
	}
	buf = append(buf, '"')
	for _, c := range s {
		if c == '"' {
			buf = append(buf, '"')
		}
		buf = append(buf, c)
	}
	return append(buf, '"')
}
