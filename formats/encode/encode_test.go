package encode

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/formats"
)

func le32(v ...int32) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, uint32(x))
	}
	return b
}

func be64f(v ...float64) []byte {
	var b []byte
	for _, x := range v {
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(x))
	}
	return b
}

func encode(t *testing.T, format string, a *formats.Array) (string, *Encoding) {
	t.Helper()
	e, err := New(format, a)
	if err != nil {
		t.Fatalf("New(%s): %v", format, err)
	}
	var out bytes.Buffer
	n, err := e.WriteTo(&out)
	if err != nil {
		t.Fatalf("WriteTo(%s): %v", format, err)
	}
	if n != int64(out.Len()) {
		t.Errorf("WriteTo(%s) counted %d bytes, wrote %d", format, n, out.Len())
	}
	return out.String(), e
}

func vstr(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

var pointT = &formats.Dtype{Class: formats.ClassCompound, Size: 12, Members: []formats.Member{
	{Name: "x", Offset: 0, Type: intT(4, true, le)},
	{Name: "label", Offset: 4, Type: strT(4, formats.PadNullTerm)},
	{Name: "ok", Offset: 8, Type: boolT()},
}}

func TestJSON(t *testing.T) {
	tests := []struct {
		name string
		a    formats.Array
		want string
	}{
		{"1-D ints", formats.Array{Type: *intT(4, true, le), Shape: []uint64{3}, Data: le32(1, -2, 2147483647)}, `[1,-2,2147483647]`},
		{"2-D", formats.Array{Type: *intT(4, true, le), Shape: []uint64{2, 2}, Data: le32(1, 2, 3, 4)}, `[[1,2],[3,4]]`},
		{"scalar", formats.Array{Type: *intT(4, true, le), Data: le32(7)}, `7`},
		{"empty", formats.Array{Type: *intT(4, true, le), Shape: []uint64{0}}, `[]`},
		{"empty rows", formats.Array{Type: *intT(4, true, le), Shape: []uint64{3, 0}}, `[[],[],[]]`},
		{"big-endian floats", formats.Array{Type: *floatT(8, be), Shape: []uint64{7}, Data: be64f(0.1, math.Copysign(0, -1), 1e21, 1e-7, math.NaN(), math.Inf(1), math.Inf(-1))},
			`[0.1,-0,1e+21,1e-7,"NaN","Infinity","-Infinity"]`},
		{"float32", formats.Array{Type: *floatT(4, le), Shape: []uint64{2}, Data: binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, math.Float32bits(0.1)), math.Float32bits(16777216))},
			`[0.1,16777216]`},
		{"half", formats.Array{Type: *floatT(2, le), Shape: []uint64{4}, Data: []byte{0x00, 0x38, 0xff, 0x7b, 0x01, 0x00, 0x00, 0xfc}},
			`[0.5,65504,5.9604645e-8,"-Infinity"]`},
		{"u64 max, big-endian", formats.Array{Type: *intT(8, false, be), Shape: []uint64{1}, Data: bytes.Repeat([]byte{0xff}, 8)}, `[18446744073709551615]`},
		{"3-byte signed", formats.Array{Type: *intT(3, true, be), Shape: []uint64{2}, Data: []byte{0xff, 0xff, 0xfe, 0x01, 0x00, 0x00}}, `[-2,65536]`},
		{"bitfield precision", formats.Array{Type: formats.Dtype{Class: formats.ClassBitfield, Size: 2, Order: le, Precision: 4, BitOffset: 4}, Shape: []uint64{1}, Data: []byte{0xab, 0xff}}, `[10]`},
		{"signed precision", formats.Array{Type: formats.Dtype{Class: formats.ClassInteger, Signed: true, Size: 1, Precision: 4}, Shape: []uint64{2}, Data: []byte{0xf8, 0x07}}, `[-8,7]`},
		{"bool", formats.Array{Type: *boolT(), Shape: []uint64{3}, Data: []byte{0, 1, 2}}, `[false,true,true]`},
		{"enum", formats.Array{Type: formats.Dtype{Class: formats.ClassEnum, Size: 2, Base: intT(2, false, be), Members: []formats.Member{{Name: "A", Value: 258}}}, Shape: []uint64{1}, Data: []byte{1, 2}}, `[258]`},
		{"nullterm", formats.Array{Type: *strT(4, formats.PadNullTerm), Shape: []uint64{2}, Data: []byte("ab\x00zcdef")}, `["ab","cdef"]`},
		{"nullpad", formats.Array{Type: *strT(4, formats.PadNullPad), Shape: []uint64{1}, Data: []byte("a\x00b\x00")}, `["a\u0000b"]`},
		{"spacepad", formats.Array{Type: *strT(4, formats.PadSpacePad), Shape: []uint64{1}, Data: []byte(" a  ")}, `[" a"]`},
		{"escapes", formats.Array{Type: formats.Dtype{Class: formats.ClassString, Variable: true}, Shape: []uint64{4}, Strings: vstr("q\"b\\", "t\tn\n\x01", "h\u00e9\U0001F600", "bad\xff\xfe")},
			`["q\"b\\","t\tn\n\u0001","h` + "\u00e9\U0001F600" + `","bad\ufffd\ufffd"]`},
		{"opaque", formats.Array{Type: formats.Dtype{Class: formats.ClassOpaque, Size: 3}, Shape: []uint64{1}, Data: []byte{0xff, 0, 1}}, `["/wAB"]`},
		{"compound", formats.Array{Type: *pointT, Shape: []uint64{1}, Data: append(append(le32(-3), "ab\x00\x00"...), 1, 0, 0, 0)}, `[{"x":-3,"label":"ab","ok":true}]`},
		{"array member", formats.Array{Type: formats.Dtype{Class: formats.ClassCompound, Size: 4, Members: []formats.Member{
			{Name: "m", Offset: 0, Type: arrayT(intT(1, false, le), 2, 2)}}}, Shape: []uint64{1}, Data: []byte{1, 2, 3, 4}}, `[{"m":[[1,2],[3,4]]}]`},
		{"top-level array type", formats.Array{Type: *arrayT(intT(1, false, le), 2), Shape: []uint64{2}, Data: []byte{1, 2, 3, 4}}, `[[1,2],[3,4]]`},
		{"vlen", formats.Array{Type: formats.Dtype{Class: formats.ClassVlen, Base: intT(2, true, be)}, Shape: []uint64{3}, Strings: [][]byte{{0, 1, 0xff, 0xff}, nil, {0, 9}}}, `[[1,-1],[],[9]]`},
	}
	for _, tc := range tests {
		got, e := encode(t, JSON, &tc.a)
		if got != tc.want {
			t.Errorf("%s: JSON\n  %s\nwant\n  %s", tc.name, got, tc.want)
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("%s: invalid JSON %s", tc.name, got)
		}
		if e.ContentType != "application/json" || e.Header != nil {
			t.Errorf("%s: content type %q, header %v", tc.name, e.ContentType, e.Header)
		}
	}
}

func TestCSV(t *testing.T) {
	tests := []struct {
		name string
		a    formats.Array
		want string
	}{
		{"1-D", formats.Array{Type: *intT(4, true, le), Shape: []uint64{3}, Data: le32(1, -2, 3)}, "1\n-2\n3\n"},
		{"2-D", formats.Array{Type: *floatT(8, be), Shape: []uint64{2, 2}, Data: be64f(0.5, math.NaN(), math.Inf(-1), 1e300)}, "0.5,NaN\n-Infinity,1e+300\n"},
		{"empty", formats.Array{Type: *intT(4, true, le), Shape: []uint64{0}}, ""},
		{"quoting", formats.Array{Type: formats.Dtype{Class: formats.ClassString, Variable: true}, Shape: []uint64{7}, Strings: vstr("plain", "", "a,b", `say "hi"`, "two\nlines", " lead", "bad\xff")},
			"plain\n\"\"\n\"a,b\"\n\"say \"\"hi\"\"\"\n\"two\nlines\"\n\" lead\"\nbad\uFFFD\n"},
		{"table", formats.Array{Type: *pointT, Shape: []uint64{2}, Data: append(append(append(le32(-3), "a,b\x00"...), 1, 0, 0, 0), append(append(le32(4), "\x00\x00\x00\x00"...), 0, 0, 0, 0)...)},
			"-3,\"a,b\",true\n4,\"\",false\n"},
		{"array type rows", formats.Array{Type: *arrayT(intT(1, false, le), 3), Shape: []uint64{2}, Data: []byte{1, 2, 3, 4, 5, 6}}, "1,2,3\n4,5,6\n"},
		{"opaque", formats.Array{Type: formats.Dtype{Class: formats.ClassOpaque, Size: 2}, Shape: []uint64{1}, Data: []byte{0xfb, 0xff}}, "+/8=\n"},
	}
	for _, tc := range tests {
		got, e := encode(t, CSV, &tc.a)
		if got != tc.want {
			t.Errorf("%s: CSV\n%q\nwant\n%q", tc.name, got, tc.want)
		}
		if _, err := csv.NewReader(strings.NewReader(got)).ReadAll(); err != nil {
			t.Errorf("%s: encoding/csv cannot read %q: %v", tc.name, got, err)
		}
		if e.ContentType != "text/csv; charset=utf-8; header=absent" {
			t.Errorf("%s: content type %q", tc.name, e.ContentType)
		}
	}
}

func TestRaw(t *testing.T) {
	tests := []struct {
		name         string
		a            formats.Array
		dtype, shape string
		want         []byte
	}{
		{"little-endian as is", formats.Array{Type: *intT(4, true, le), Shape: []uint64{2, 1}, Data: le32(1, -2)}, "<i4", "2,1", le32(1, -2)},
		{"big-endian swapped", formats.Array{Type: *floatT(8, be), Shape: []uint64{1}, Data: be64f(1.5)}, "<f8", "1", binary.LittleEndian.AppendUint64(nil, math.Float64bits(1.5))},
		{"scalar", formats.Array{Type: *intT(1, false, be), Data: []byte{9}}, "|u1", "", []byte{9}},
		{"compound", formats.Array{Type: formats.Dtype{Class: formats.ClassCompound, Size: 8, Members: []formats.Member{
			{Name: "a", Offset: 0, Type: intT(2, false, be)},
			{Name: "s", Offset: 2, Type: strT(2, formats.PadNullPad)},
			{Name: "v", Offset: 4, Type: arrayT(intT(2, true, be), 2)},
		}}, Shape: []uint64{1}, Data: []byte{1, 2, 'h', 'i', 0, 1, 0, 2}},
			"{'names': ['a', 's', 'v'], 'formats': ['<u2', '|S2', ('<i2', (2,))], 'offsets': [0, 2, 4], 'itemsize': 8}", "1",
			[]byte{2, 1, 'h', 'i', 1, 0, 2, 0}},
		{"enum and bool", formats.Array{Type: formats.Dtype{Class: formats.ClassCompound, Size: 3, Members: []formats.Member{
			{Name: "e", Offset: 0, Type: &formats.Dtype{Class: formats.ClassEnum, Size: 2, Base: intT(2, true, be)}},
			{Name: "b", Offset: 2, Type: boolT()},
		}}, Shape: []uint64{1}, Data: []byte{0, 5, 1}},
			"{'names': ['e', 'b'], 'formats': ['<i2', '|b1'], 'offsets': [0, 2], 'itemsize': 3}", "1", []byte{5, 0, 1}},
		{"top-level array type", formats.Array{Type: *arrayT(intT(2, false, be), 2), Shape: []uint64{1}, Data: []byte{0, 1, 0, 2}}, "<u2", "1,2", []byte{1, 0, 2, 0}},
	}
	for _, tc := range tests {
		got, e := encode(t, Raw, &tc.a)
		if got != string(tc.want) {
			t.Errorf("%s: raw % x, want % x", tc.name, got, tc.want)
		}
		if e.Header[HeaderDtype] != tc.dtype || e.Header[HeaderShape] != tc.shape {
			t.Errorf("%s: headers %v, want dtype %q shape %q", tc.name, e.Header, tc.dtype, tc.shape)
		}
		if e.ContentType != "application/octet-stream" {
			t.Errorf("%s: content type %q", tc.name, e.ContentType)
		}
	}
	// The source array is not modified by the swap.
	a := formats.Array{Type: *floatT(8, be), Shape: []uint64{1}, Data: be64f(1.5)}
	encode(t, Raw, &a)
	if !bytes.Equal(a.Data, be64f(1.5)) {
		t.Errorf("raw output swapped the caller's data: % x", a.Data)
	}
	// Many elements: the swap crosses buffer boundaries.
	big := formats.Array{Type: *floatT(8, be), Shape: []uint64{20000}}
	for i := range 20000 {
		big.Data = append(big.Data, be64f(float64(i))...)
	}
	got, _ := encode(t, Raw, &big)
	for i := range 20000 {
		if v := math.Float64frombits(binary.LittleEndian.Uint64([]byte(got[8*i:]))); v != float64(i) {
			t.Fatalf("element %d = %v", i, v)
		}
	}
}

func TestNPYHeader(t *testing.T) {
	got, e := encode(t, NPY, &formats.Array{Type: *intT(4, true, be), Shape: []uint64{3}, Data: make([]byte, 12)})
	header := "{'descr': '>i4', 'fortran_order': False, 'shape': (3,), }"
	want := "\x93NUMPY\x01\x00\x76\x00" + header + strings.Repeat(" ", 128-10-len(header)-1) + "\n" + string(make([]byte, 12))
	if got != want {
		t.Errorf("npy\n%q\nwant\n%q", got, want)
	}
	if e.ContentType != "application/x-npy" {
		t.Errorf("content type %q", e.ContentType)
	}

	// A header beyond 64 KiB needs format 2.0, with a 4-byte length.
	wide := formats.Dtype{Class: formats.ClassCompound, Size: 4000}
	for i := range 4000 {
		wide.Members = append(wide.Members, formats.Member{Name: fmt.Sprintf("member_with_a_long_name_%05d", i), Offset: i, Type: intT(1, false, le)})
	}
	got, _ = encode(t, NPY, &formats.Array{Type: wide, Shape: []uint64{1}, Data: make([]byte, 4000)})
	if got[6] != 2 || got[7] != 0 {
		t.Fatalf("wide header: version %d.%d, want 2.0", got[6], got[7])
	}
	hlen := int(binary.LittleEndian.Uint32([]byte(got[8:12])))
	if (12+hlen)%64 != 0 || got[12+hlen-1] != '\n' || len(got) != 12+hlen+4000 {
		t.Errorf("wide header: length %d, total %d", hlen, len(got))
	}
}

func TestErrors(t *testing.T) {
	deep := intT(1, false, le)
	for range 20 {
		deep = &formats.Dtype{Class: formats.ClassCompound, Size: 1, Members: []formats.Member{{Name: "m", Type: deep}}}
	}
	vlenStr := formats.Dtype{Class: formats.ClassString, Variable: true}
	tests := []struct {
		format string
		a      formats.Array
		want   error
		msg    string
	}{
		{"xml", formats.Array{Type: *intT(1, false, le), Data: []byte{1}}, ErrFormat, `encode: unknown format: "xml" (want json, npy, csv, raw or arrow)`},
		{Arrow, formats.Array{Type: *intT(3, true, le), Shape: []uint64{1}, Data: make([]byte, 3)}, ErrUnsupported, "arrow has no 3-byte integer"},
		{Arrow, formats.Array{Type: *intT(1, false, le), Shape: []uint64{2, 0}}, ErrUnsupported, "arrow output of shape [2 0]"},
		{CSV, formats.Array{Type: *intT(1, false, le), Shape: []uint64{1, 1, 1}, Data: []byte{1}}, ErrUnsupported, "csv holds 1-D and 2-D arrays, not shape [1 1 1]"},
		{CSV, formats.Array{Type: *intT(1, false, le), Data: []byte{1}}, ErrUnsupported, "csv holds 1-D and 2-D arrays, not shape []"},
		{CSV, formats.Array{Type: *pointT, Shape: []uint64{1, 1}, Data: make([]byte, 12)}, ErrUnsupported, "only in 1-D arrays"},
		{CSV, formats.Array{Type: formats.Dtype{Class: formats.ClassVlen, Base: intT(1, false, le)}, Shape: []uint64{1}, Strings: [][]byte{{1}}}, ErrUnsupported, "a vlen has no csv cell form"},
		{NPY, formats.Array{Type: vlenStr, Shape: []uint64{1}, Strings: vstr("a")}, ErrUnsupported, ".npy cannot hold variable-length string"},
		{Raw, formats.Array{Type: vlenStr, Shape: []uint64{1}, Strings: vstr("a")}, ErrUnsupported, "raw output cannot hold variable-length string"},
		{NPY, formats.Array{Type: *intT(3, true, le), Shape: []uint64{1}, Data: make([]byte, 3)}, ErrUnsupported, "3-byte integer"},
		{JSON, formats.Array{Type: *floatT(16, le), Shape: []uint64{1}, Data: make([]byte, 16)}, ErrUnsupported, "16-byte floats"},
		{JSON, formats.Array{Type: *intT(4, true, le), Shape: []uint64{2}, Data: make([]byte, 7)}, formats.ErrArray, "7 bytes of data for 2 elements of 4 bytes"},
		{JSON, formats.Array{Type: vlenStr, Shape: []uint64{2}, Strings: vstr("a")}, ErrInvalid, "1 variable-length values for 2 elements"},
		{JSON, formats.Array{Type: formats.Dtype{Class: formats.ClassCompound, Size: 4, Members: []formats.Member{{Name: "a", Offset: 2, Type: intT(4, true, le)}}}, Shape: []uint64{1}, Data: make([]byte, 4)},
			ErrInvalid, `compound member "a" (4 bytes at offset 2) ends past the 4-byte compound`},
		{JSON, formats.Array{Type: formats.Dtype{Class: formats.ClassCompound, Size: 8, Members: []formats.Member{{Name: "s", Type: &vlenStr}}}, Shape: []uint64{1}, Data: make([]byte, 8)},
			ErrUnsupported, `compound member "s" is variable-length`},
		{JSON, formats.Array{Type: formats.Dtype{Class: formats.ClassArray, Size: 5, Base: intT(2, true, le), Dims: []int{2}}, Shape: []uint64{1}, Data: make([]byte, 5)}, ErrInvalid, "5-byte array type"},
		{JSON, formats.Array{Type: formats.Dtype{Class: formats.ClassEnum, Size: 1, Base: floatT(4, le)}, Shape: []uint64{1}, Data: make([]byte, 1)}, ErrInvalid, "enum without an integer base type"},
		{JSON, formats.Array{Type: formats.Dtype{Class: formats.ClassInteger, Size: 2, Precision: 12, BitOffset: 6}, Shape: []uint64{1}, Data: make([]byte, 2)}, ErrInvalid, "precision 12 at bit offset 6"},
		{JSON, formats.Array{Type: *deep, Shape: []uint64{1}, Data: make([]byte, 1)}, ErrUnsupported, "nested more than 16 deep"},
		{JSON, formats.Array{Type: formats.Dtype{Class: "reference", Size: 8}, Shape: []uint64{1}, Data: make([]byte, 8)}, ErrUnsupported, `type class "reference"`},
		{NPY, formats.Array{Type: formats.Dtype{Class: formats.ClassCompound, Size: 2, Members: []formats.Member{{Name: "a", Type: intT(1, false, le)}, {Name: "a", Offset: 1, Type: intT(1, false, le)}}}, Shape: []uint64{1}, Data: make([]byte, 2)},
			formats.ErrNoNumpy, `compound member name "a" is empty or repeated`},
	}
	for _, tc := range tests {
		_, err := New(tc.format, &tc.a)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("New(%s, %v): %v, want %v containing %q", tc.format, tc.a.Type.Class, err, tc.want, tc.msg)
		}
	}
}

type failingWriter struct{ after int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.after <= 0 {
		return 0, errors.New("connection reset")
	}
	n := min(len(p), f.after)
	f.after -= n
	return n, nil
}

func TestWriteFailure(t *testing.T) {
	a := &formats.Array{Type: *intT(4, true, le), Shape: []uint64{1 << 16}, Data: make([]byte, 4<<16)}
	for _, format := range []string{JSON, NPY, CSV, Raw} {
		e, err := New(format, a)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := e.WriteTo(&failingWriter{after: 1000}); err == nil || n != 1000 {
			t.Errorf("%s: WriteTo a failing writer = %d, %v; want 1000 bytes and the error", format, n, err)
		}
	}
}

// FuzzEncode feeds arbitrary bytes, as a driver reading a crafted file
// would, through every format and type: nothing may panic, and JSON must
// stay valid JSON.
func FuzzEncode(f *testing.F) {
	f.Add([]byte("abcdefghijklmnopqrstuvwxyz012345"), uint8(0), uint8(2))
	f.Add(be64f(math.NaN(), math.Inf(1), 0.1, -0), uint8(3), uint8(4))
	types := []*formats.Dtype{
		intT(4, true, le), intT(3, true, be), floatT(2, le), floatT(4, be), floatT(8, le), boolT(),
		strT(3, formats.PadNullTerm), strT(2, formats.PadSpacePad), pointT, arrayT(floatT(4, be), 2),
		{Class: formats.ClassBitfield, Size: 2, Precision: 5, BitOffset: 3, Order: be},
		{Class: formats.ClassOpaque, Size: 5},
	}
	f.Fuzz(func(t *testing.T, data []byte, which, rows uint8) {
		typ := types[int(which)%len(types)]
		n := len(data) / typ.Size
		r := int(rows%4) + 1
		a := &formats.Array{Type: *typ, Shape: []uint64{uint64(n / r), uint64(r)}, Data: data[:n/r*r*typ.Size]}
		for _, format := range []string{JSON, NPY, CSV, Raw} {
			e, err := New(format, a)
			if err != nil {
				if !errors.Is(err, ErrUnsupported) {
					t.Fatalf("%s: %v", format, err)
				}
				continue
			}
			var out bytes.Buffer
			if _, err := e.WriteTo(&out); err != nil {
				t.Fatal(err)
			}
			if format == JSON && !json.Valid(out.Bytes()) {
				t.Fatalf("invalid JSON %q", out.Bytes())
			}
		}
		strs := &formats.Array{Type: formats.Dtype{Class: formats.ClassString, Variable: true}, Shape: []uint64{2}, Strings: [][]byte{data, data[len(data)/2:]}}
		out, _ := encode(t, JSON, strs)
		if !json.Valid([]byte(out)) {
			t.Fatalf("invalid JSON %q", out)
		}
		csvText, _ := encode(t, CSV, strs)
		recs, err := csv.NewReader(strings.NewReader(csvText)).ReadAll()
		if err != nil || len(recs) != 2 {
			t.Fatalf("csv %q reads as %q, %v", csvText, recs, err)
		}
	})
}
