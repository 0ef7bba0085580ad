package fits

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sciswift/sciswift/formats"
)

// table is a binary table HDU: fixed-width rows of columns.
type table struct {
	rowBytes uint64 // NAXIS1
	rows     uint64 // NAXIS2
	columns  []*column
}

// column is one TFORMi field of each row.
type column struct {
	index  int // i of TTYPEi, from 1
	name   string
	path   string
	tform  string
	offset uint64 // bytes from the row start
	width  uint64 // bytes in each row
	ds     *dataset
	skip   string // why the column is not served ("" when it is)
}

// parseTForm splits a binary-table TFORM "rTa" into repeat count, type
// letter and the rest (astropy's TFORMAT_RE, case-insensitive).
func parseTForm(tform string) (repeat uint64, code byte, option string, ok bool) {
	s := strings.TrimSpace(tform)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	repeat = 1
	if i > 0 {
		r, err := strconv.ParseUint(s[:i], 10, 64)
		if err != nil {
			return 0, 0, "", false
		}
		repeat = r
	}
	if i >= len(s) {
		return 0, 0, "", false
	}
	code = s[i]
	if code >= 'a' && code <= 'z' {
		code -= 'a' - 'A'
	}
	if !strings.ContainsRune("LXBIJKAEDCMPQ", rune(code)) {
		return 0, 0, "", false
	}
	return repeat, code, s[i+1:], true
}

// fieldWidth is the bytes a column of repeat r and type code takes per row,
// false when it overflows max.
func fieldWidth(r uint64, code byte, max uint64) (uint64, bool) {
	if code == 'X' {
		return (r + 7) / 8, r/8 <= max
	}
	var size uint64
	switch code {
	case 'L', 'B', 'A':
		size = 1
	case 'I':
		size = 2
	case 'J', 'E':
		size = 4
	case 'K', 'D', 'C', 'P':
		size = 8
	case 'M', 'Q':
		size = 16
	}
	if r > max/size {
		return 0, false
	}
	return r * size, true
}

// newTable describes the columns of a binary table with rows of rowBytes.
func newTable(u *hdu, rowBytes, rows uint64) (*table, error) {
	h := u.header
	tfields, ok := h.integer("TFIELDS")
	if !ok || tfields < 0 || tfields > maxColumns {
		return nil, fmt.Errorf("%w: TFIELDS missing or out of 0..%d", ErrCorrupt, maxColumns)
	}
	t := &table{rowBytes: rowBytes, rows: rows}
	taken := map[string]bool{}
	var offset uint64
	for i := 1; i <= int(tfields); i++ {
		tform, ok := h.str(fmt.Sprintf("TFORM%d", i))
		if !ok {
			return nil, fmt.Errorf("%w: TFORM%d missing", ErrCorrupt, i)
		}
		repeat, code, option, ok := parseTForm(tform)
		if !ok {
			// Without this column's width no later column can be placed.
			return nil, fmt.Errorf("%w: TFORM%d = %q is not a binary-table format", ErrUnsupported, i, tform)
		}
		width, ok := fieldWidth(repeat, code, rowBytes)
		if !ok || width > rowBytes-offset {
			return nil, fmt.Errorf("%w: column %d (TFORM%d = %q) overruns the %d-byte row", ErrCorrupt, i, i, tform, rowBytes)
		}
		c := &column{index: i, tform: tform, offset: offset, width: width}
		offset += width
		c.name = columnName(h, i, taken)
		c.path = hduPath(u.index) + "/" + c.name
		t.columns = append(t.columns, c)

		switch {
		case code == 'P' || code == 'Q':
			c.skip = fmt.Sprintf("variable-length array column (TFORM %s%c%s) is not supported", strconv.FormatUint(repeat, 10), code, option)
			continue
		case repeat == 0:
			c.skip = "empty column (repeat count 0)"
			continue
		}
		ds, skip := newColumnDataset(u, t, c, repeat, code)
		if skip != "" {
			c.skip = skip
			continue
		}
		c.ds = ds
	}
	return t, nil
}

// columnName is TTYPEi, or col<i> when that is no usable path element.
func columnName(h *header, i int, taken map[string]bool) string {
	name, _ := h.str(fmt.Sprintf("TTYPE%d", i))
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." || strings.Contains(name, "/") || taken[name] {
		name = fmt.Sprintf("col%d", i)
		for taken[name] {
			name += "_"
		}
	}
	taken[name] = true
	return name
}

// newColumnDataset describes column c's values; a non-empty string says why
// the column cannot be served instead.
func newColumnDataset(u *hdu, t *table, c *column, repeat uint64, code byte) (*dataset, string) {
	h := u.header
	ds := &dataset{path: c.path, base: u.dataOff + int64(c.offset), hdr: h, colIndex: c.index}
	// The cell's shape: [repeat], TDIM reversed, or nothing for repeat 1.
	var cell []uint64
	if code == 'X' {
		ds.typ, ds.rawSize, ds.bitCount = boolType(), int(c.width), int(repeat)
		ds.shape = []uint64{t.rows, repeat}
		ds.strides = []int64{int64(t.rowBytes), 0}
		return ds, ""
	}
	dims := tdim(h, c.index)
	if code == 'A' {
		// TDIM's first axis is the string length; the rest shape the cell.
		width := repeat
		if len(dims) > 0 && product(dims) == repeat {
			width = dims[len(dims)-1]
			cell = dims[:len(dims)-1]
		}
		ds.typ, ds.rawSize, ds.conv = stringType(int(width)), int(width), conversion{kind: convString}
	} else {
		if len(dims) > 0 && product(dims) <= repeat {
			cell = dims
		} else if repeat > 1 {
			cell = []uint64{repeat}
		}
		var ok bool
		if ds.typ, ds.rawSize, ds.conv, ok = columnType(h, c.index, code); !ok {
			return nil, fmt.Sprintf("scaled complex column (TFORM %s) is not supported", c.tform)
		}
	}
	ds.shape = append([]uint64{t.rows}, cell...)
	ds.strides = make([]int64, len(ds.shape))
	ds.strides[0] = int64(t.rowBytes)
	stride := int64(ds.rawSize)
	for d := len(ds.shape) - 1; d > 0; d-- {
		ds.strides[d] = stride
		stride *= int64(ds.shape[d])
	}
	return ds, ""
}

// columnType is the dtype, stored size and conversion of a non-string,
// non-bit column, as astropy's FITS_rec.field returns it. False for a
// scaled complex column.
func columnType(h *header, i int, code byte) (formats.Dtype, int, conversion, bool) {
	var raw rawKind
	switch code {
	case 'L':
		return boolType(), 1, conversion{kind: convLogical}, true
	case 'B':
		raw = rawU8
	case 'I':
		raw = rawI16
	case 'J':
		raw = rawI32
	case 'K':
		raw = rawI64
	case 'E':
		raw = rawF32
	case 'D':
		raw = rawF64
	}
	tscal, tzero := h.numeric(fmt.Sprintf("TSCAL%d", i)), h.numeric(fmt.Sprintf("TZERO%d", i))
	hasScale := tscal.present && !tscal.is(1)
	hasZero := tzero.present && !tzero.is(0)
	if code == 'C' || code == 'M' {
		size := 8
		if code == 'M' {
			size = 16
		}
		return complexType(size), size, conversion{}, !hasScale && !hasZero
	}
	size := raw.size()
	switch {
	case !hasScale && !hasZero:
		return rawType(raw), size, conversion{}, true
	case !hasScale && (code == 'I' && tzero.isPow2(15) || code == 'J' && tzero.isPow2(31) || code == 'K' && tzero.isPow2(63)):
		return intType(size, false), size, conversion{kind: convFlipSign}, true
	}
	return floatType(8), size, conversion{
		kind: convScale, raw: raw, outSize: 8,
		scale: tscal.orDefault(1), zero: tzero.orDefault(0),
		hasScale: hasScale, hasZero: hasZero,
	}, true
}

// tdim parses TDIMi = '(d1,d2,…)' into C order (…, d2, d1); nil when absent
// or malformed.
func tdim(h *header, i int) []uint64 {
	s, ok := h.str(fmt.Sprintf("TDIM%d", i))
	if !ok {
		return nil
	}
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "(") || !strings.HasSuffix(s, ")") {
		return nil
	}
	parts := strings.Split(s[1:len(s)-1], ",")
	if len(parts) > maxAxes {
		return nil
	}
	dims := make([]uint64, len(parts))
	for k, p := range parts {
		v, err := strconv.ParseUint(strings.TrimSpace(p), 10, 64)
		if err != nil || v == 0 || v > 1<<40 {
			return nil
		}
		dims[len(parts)-1-k] = v
	}
	return dims
}

// product of dims, saturating rather than overflowing (dims are ≤ 2^40 each).
func product(dims []uint64) uint64 {
	p := uint64(1)
	for _, d := range dims {
		if p > (1<<63)/d {
			return 1 << 63
		}
		p *= d
	}
	return p
}
