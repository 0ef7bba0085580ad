package encode

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/sciswift/sciswift/formats"
)

// readArrow reads an IPC stream back with arrow-go's own reader: the schema
// and every row as arrow-go's JSON form of a record, batches concatenated.
func readArrow(t *testing.T, stream []byte) (*arrow.Schema, string, int) {
	t.Helper()
	r, err := ipc.NewReader(bytes.NewReader(stream))
	if err != nil {
		t.Fatalf("ipc.NewReader: %v", err)
	}
	defer r.Release()
	var rows []json.RawMessage
	batches := 0
	for r.Next() {
		batches++
		js, err := r.RecordBatch().(json.Marshaler).MarshalJSON()
		if err != nil {
			t.Fatalf("batch %d to JSON: %v", batches, err)
		}
		var part []json.RawMessage
		if err := json.Unmarshal(js, &part); err != nil {
			t.Fatalf("batch %d JSON %s: %v", batches, js, err)
		}
		rows = append(rows, part...)
	}
	if err := r.Err(); err != nil {
		t.Fatalf("reading the stream: %v", err)
	}
	out, _ := json.Marshal(rows)
	if rows == nil {
		out = []byte("[]")
	}
	return r.Schema(), string(out), batches
}

func TestArrow(t *testing.T) {
	utf8Str := formats.Dtype{Class: formats.ClassString, Variable: true, Charset: formats.CharsetUTF8}
	asciiStr := formats.Dtype{Class: formats.ClassString, Variable: true, Charset: formats.CharsetASCII}
	point := append(append(le32(-3), "ab\x00\x00"...), 1, 0, 0, 0)
	tests := []struct {
		name   string
		a      formats.Array
		schema string // arrow-go's Schema.String() without metadata lines
		shape  string
		rows   string
	}{
		{"1-D ints with a null", formats.Array{Type: *intT(4, true, le), Shape: []uint64{3}, Data: le32(1, 0, -3), Null: []bool{false, true, false}},
			"values: type=int32, nullable", "3", `[{"values":1},{"values":null},{"values":-3}]`},
		{"2-D big-endian floats", formats.Array{Type: *floatT(8, be), Shape: []uint64{2, 3}, Data: be64f(0.5, 1, 2, 3, 4, -1e300)},
			"values: type=fixed_size_list<item: float64>[3]", "2,3", `[{"values":[0.5,1,2]},{"values":[3,4,-1e+300]}]`},
		{"3-D ints", formats.Array{Type: *intT(1, false, le), Shape: []uint64{1, 2, 2}, Data: []byte{1, 2, 3, 4}},
			"values: type=fixed_size_list<item: fixed_size_list<item: uint8>[2]>[2]", "1,2,2", `[{"values":[[1,2],[3,4]]}]`},
		{"scalar", formats.Array{Type: *intT(8, false, be), Data: bytes.Repeat([]byte{0xff}, 8)},
			"values: type=uint64", "", `[{"values":18446744073709551615}]`},
		{"empty", formats.Array{Type: *intT(2, true, le), Shape: []uint64{0}},
			"values: type=int16", "0", `[]`},
		{"compound table with a null row", formats.Array{Type: *pointT, Shape: []uint64{2}, Data: append(append([]byte{}, point...), make([]byte, 12)...), Null: []bool{false, true}},
			"x: type=int32, nullable\n    - label: type=binary, nullable\n    - ok: type=bool, nullable", "2",
			`[{"label":"YWI=","ok":true,"x":-3},{"label":null,"ok":null,"x":null}]`},
		{"2-D compound", formats.Array{Type: *pointT, Shape: []uint64{1, 1}, Data: point},
			"values: type=fixed_size_list<item: struct<x: int32, label: binary, ok: bool>>[1]", "1,1", `[{"values":[{"label":"YWI=","ok":true,"x":-3}]}]`},
		{"utf-8 strings", formats.Array{Type: utf8Str, Shape: []uint64{3}, Strings: vstr("h\u00e9", "", "bad\xff")},
			"values: type=utf8", "3", `[{"values":"hé"},{"values":""},{"values":"bad` + "\ufffd" + `"}]`},
		{"ascii strings are binary", formats.Array{Type: asciiStr, Shape: []uint64{2}, Strings: vstr("ab", "\xff")},
			"values: type=binary", "2", `[{"values":"YWI="},{"values":"/w=="}]`},
		{"fixed strings", formats.Array{Type: formats.Dtype{Class: formats.ClassString, Size: 4, Charset: formats.CharsetUTF8, Padding: formats.PadSpacePad}, Shape: []uint64{1}, Data: []byte("ok  ")},
			"values: type=utf8", "1", `[{"values":"ok"}]`},
		{"vlen of big-endian int16", formats.Array{Type: formats.Dtype{Class: formats.ClassVlen, Base: intT(2, true, be)}, Shape: []uint64{3}, Strings: [][]byte{{0, 1, 0xff, 0xff}, nil, {0, 9}}},
			"values: type=list<item: int16>", "3", `[{"values":[1,-1]},{"values":[]},{"values":[9]}]`},
		{"top-level array type", formats.Array{Type: *arrayT(intT(1, false, le), 2), Shape: []uint64{2}, Data: []byte{1, 2, 3, 4}, Null: []bool{false, true}},
			"values: type=fixed_size_list<item: uint8, nullable>[2], nullable", "2,2", `[{"values":[1,2]},{"values":[null,null]}]`},
		{"array member", formats.Array{Type: formats.Dtype{Class: formats.ClassCompound, Size: 4, Members: []formats.Member{
			{Name: "m", Offset: 0, Type: arrayT(intT(1, false, le), 2, 2)}}}, Shape: []uint64{1}, Data: []byte{1, 2, 3, 4}},
			"m: type=fixed_size_list<item: fixed_size_list<item: uint8>[2]>[2]", "1", `[{"m":[[1,2],[3,4]]}]`},
		{"opaque", formats.Array{Type: formats.Dtype{Class: formats.ClassOpaque, Size: 3}, Shape: []uint64{1}, Data: []byte{0xff, 0, 1}},
			"values: type=fixed_size_binary[3]", "1", `[{"values":"/wAB"}]`},
		{"half, bitfield, enum, bool", formats.Array{Type: formats.Dtype{Class: formats.ClassCompound, Size: 6, Members: []formats.Member{
			{Name: "h", Offset: 0, Type: floatT(2, le)},
			{Name: "bits", Offset: 2, Type: &formats.Dtype{Class: formats.ClassBitfield, Size: 2, Order: le, Precision: 4, BitOffset: 4}},
			{Name: "e", Offset: 4, Type: &formats.Dtype{Class: formats.ClassEnum, Size: 1, Base: intT(1, true, le), Members: []formats.Member{{Name: "A", Value: -2}}}},
			{Name: "b", Offset: 5, Type: boolT()},
		}}, Shape: []uint64{1}, Data: []byte{0x00, 0x38, 0xab, 0xff, 0xfe, 2}},
			"h: type=float16\n    - bits: type=uint16\n    - e: type=int8\n    - b: type=bool", "1", `[{"b":true,"bits":10,"e":-2,"h":0.5}]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, e := encode(t, Arrow, &tc.a)
			if e.ContentType != "application/vnd.apache.arrow.stream" {
				t.Errorf("content type %q", e.ContentType)
			}
			schema, rows, _ := readArrow(t, []byte(out))
			if got := schemaFields(schema); got != tc.schema {
				t.Errorf("schema\n  %s\nwant\n  %s", got, tc.schema)
			}
			if got, _ := schema.Metadata().GetValue(ArrowShapeKey); got != tc.shape {
				t.Errorf("shape metadata %q, want %q", got, tc.shape)
			}
			if rows != tc.rows {
				t.Errorf("rows\n  %s\nwant\n  %s", rows, tc.rows)
			}
		})
	}
}

// schemaFields is arrow-go's description of the schema's fields.
func schemaFields(s *arrow.Schema) string {
	var parts []string
	for _, f := range s.Fields() {
		parts = append(parts, f.String())
	}
	return strings.Join(parts, "\n    - ")
}

// TestArrowBatches streams a large array in several record batches and
// checks that every value comes back in order.
func TestArrowBatches(t *testing.T) {
	const n = 3*arrowBatchElements/4 + 17 // rows of 4 elements
	data := make([]byte, 0, n*4*8)
	for i := range n * 4 {
		data = binary.LittleEndian.AppendUint64(data, math.Float64bits(float64(i)/3))
	}
	a := &formats.Array{Type: *floatT(8, le), Shape: []uint64{n, 4}, Data: data}
	var out bytes.Buffer
	if err := WriteArrow(&out, a); err != nil {
		t.Fatal(err)
	}
	r, err := ipc.NewReader(&out)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	batches, k := 0, 0
	for r.Next() {
		batches++
		col := r.RecordBatch().Column(0).(*array.FixedSizeList)
		vals := col.ListValues().(*array.Float64)
		for i := range vals.Len() {
			if want := float64(k) / 3; vals.Value(i) != want {
				t.Fatalf("element %d = %v, want %v", k, vals.Value(i), want)
			}
			k++
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if k != n*4 || batches < 3 {
		t.Errorf("%d elements in %d batches, want %d in several", k, batches, n*4)
	}
}

// TestNulls checks how each format writes elements marked null.
func TestNulls(t *testing.T) {
	ints := formats.Array{Type: *intT(4, true, le), Shape: []uint64{3}, Data: le32(1, 0, 3), Null: []bool{false, true, false}}
	strs := formats.Array{Type: formats.Dtype{Class: formats.ClassString, Variable: true, Charset: formats.CharsetUTF8}, Shape: []uint64{3}, Strings: vstr("a", "", ""), Null: []bool{false, true, false}}
	table := formats.Array{Type: *pointT, Shape: []uint64{2}, Data: append(append(le32(5), "ab\x00\x00"...), make([]byte, 16)...), Null: []bool{false, true}}
	tests := []struct {
		format string
		a      formats.Array
		want   string
	}{
		{JSON, ints, `[1,null,3]`},
		{JSON, strs, `["a",null,""]`},
		{JSON, table, `[{"x":5,"label":"ab","ok":false},null]`},
		{CSV, ints, "1\n\n3\n"},
		{CSV, strs, "a\n\n\"\"\n"},
		{CSV, table, "5,ab,false\n,,\n"},
	}
	for _, tc := range tests {
		got, _ := encode(t, tc.format, &tc.a)
		if got != tc.want {
			t.Errorf("%s of %s: %q, want %q", tc.format, tc.a.Type.Class, got, tc.want)
		}
	}
	// npy carries the fill value.
	got, _ := encode(t, NPY, &ints)
	if !strings.HasSuffix(got, string(le32(1, 0, 3))) {
		t.Errorf("npy data %x", got[len(got)-12:])
	}
	bad := ints
	bad.Null = []bool{true}
	if _, err := New(JSON, &bad); err == nil || !strings.Contains(err.Error(), "1 null flags for 3 elements") {
		t.Errorf("New with short Null: %v", err)
	}
}

func ExampleWriteArrow() {
	a := &formats.Array{Type: formats.Dtype{Class: formats.ClassFloat, Size: 4, Order: formats.LittleEndian}, Shape: []uint64{2, 2},
		Data: binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil,
			math.Float32bits(1)), math.Float32bits(2)), math.Float32bits(3)), math.Float32bits(4))}
	var out bytes.Buffer
	if err := WriteArrow(&out, a); err != nil {
		panic(err)
	}
	r, _ := ipc.NewReader(&out)
	defer r.Release()
	for r.Next() {
		fmt.Println(r.Schema().Field(0).Type, r.RecordBatch().Column(0))
	}
	// Output: fixed_size_list<item: float32>[2] [[1 2] [3 4]]
}
