package formats

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func integer(size int, signed bool, o ByteOrder) *Dtype {
	return &Dtype{Class: ClassInteger, Size: size, Signed: signed, Order: o}
}

func TestNumpy(t *testing.T) {
	boolean := &Dtype{Class: ClassEnum, Size: 1, Base: integer(1, true, LittleEndian),
		Members: []Member{{Name: "FALSE"}, {Name: "TRUE", Value: 1}}}
	gappy := Dtype{Class: ClassCompound, Size: 32, Members: []Member{
		{Name: "v", Offset: 8, Type: &Dtype{Class: ClassArray, Size: 24, Dims: []int{3}, Base: &Dtype{Class: ClassFloat, Size: 8, Order: BigEndian}}},
		{Name: "x", Offset: 0, Type: &Dtype{Class: ClassFloat, Size: 4, Order: LittleEndian}},
	}}
	nested := Dtype{Class: ClassCompound, Size: 6, Members: []Member{
		{Name: "it's", Offset: 0, Type: boolean},
		{Name: "p\u00e9", Offset: 1, Type: &Dtype{Class: ClassCompound, Size: 5, Members: []Member{
			{Name: "s", Offset: 0, Type: &Dtype{Class: ClassString, Size: 3}},
			{Name: "b", Offset: 3, Type: &Dtype{Class: ClassBitfield, Size: 2, Order: BigEndian}},
		}}},
	}}
	tests := []struct {
		t           Dtype
		descr, dict string
	}{
		{*integer(4, true, LittleEndian), "<i4", "<i4"},
		{*integer(8, false, BigEndian), ">u8", ">u8"},
		{*integer(2, false, ""), "<u2", "<u2"},
		{*integer(1, true, BigEndian), "|i1", "|i1"},
		{Dtype{Class: ClassFloat, Size: 2, Order: BigEndian}, ">f2", ">f2"},
		{Dtype{Class: ClassString, Size: 10, Padding: PadSpacePad}, "|S10", "|S10"},
		{Dtype{Class: ClassOpaque, Size: 16}, "|V16", "|V16"},
		{*boolean, "|b1", "|b1"},
		{Dtype{Class: ClassEnum, Size: 2, Base: integer(2, false, BigEndian)}, ">u2", ">u2"},
		{gappy, "[('x', '<f4'), ('', '|V4'), ('v', '>f8', (3,))]",
			"{'names': ['x', 'v'], 'formats': ['<f4', ('>f8', (3,))], 'offsets': [0, 8], 'itemsize': 32}"},
		{nested, `[('it\'s', '|b1'), ('p\xe9', [('s', '|S3'), ('b', '>u2')])]`,
			`{'names': ['it\'s', 'p\xe9'], 'formats': ['|b1', {'names': ['s', 'b'], 'formats': ['|S3', '>u2'], 'offsets': [0, 3], 'itemsize': 5}], 'offsets': [0, 1], 'itemsize': 6}`},
		{Dtype{Class: ClassCompound, Size: 8, Members: []Member{{Name: "a", Type: integer(2, true, LittleEndian)}}}, "[('a', '<i2'), ('', '|V6')]",
			"{'names': ['a'], 'formats': ['<i2'], 'offsets': [0], 'itemsize': 8}"},
	}
	for _, tc := range tests {
		if got, err := tc.t.NumpyDescr(); err != nil || got != tc.descr {
			t.Errorf("NumpyDescr(%+v) = %q, %v; want %q", tc.t, got, err, tc.descr)
		}
		if got, err := tc.t.NumpyDtype(); err != nil || got != tc.dict {
			t.Errorf("NumpyDtype(%+v) = %q, %v; want %q", tc.t, got, err, tc.dict)
		}
	}

	bad := []struct {
		t   Dtype
		msg string
	}{
		{Dtype{Class: ClassString, Variable: true}, "variable-length strings"},
		{Dtype{Class: ClassVlen, Base: integer(4, true, LittleEndian)}, "variable-length sequences"},
		{*integer(3, true, LittleEndian), "3-byte integer"},
		{Dtype{Class: ClassFloat, Size: 16}, "16-byte float"},
		{Dtype{Class: ClassArray, Size: 8, Dims: []int{2}, Base: integer(4, true, LittleEndian)}, "array type is the dimensions [2]"},
		{Dtype{Class: ClassCompound, Size: 4, Members: []Member{{Name: "a", Type: integer(4, true, LittleEndian)}, {Name: "b", Offset: 2, Type: integer(2, true, LittleEndian)}}}, `member "b" at offset 2 (size 2) overlaps`},
		{Dtype{Class: ClassCompound, Size: 4, Members: []Member{{Name: "a", Offset: math.MaxInt, Type: integer(4, true, LittleEndian)}}}, "overlaps another or the end"},
		{Dtype{Class: ClassCompound, Size: 4, Members: []Member{{Name: "", Type: integer(4, true, LittleEndian)}}}, `name "" is empty or repeated`},
		{Dtype{Class: ClassCompound, Size: 4, Members: []Member{{Name: "s", Type: &Dtype{Class: ClassString, Variable: true}}}}, `compound member "s": formats: no NumPy equivalent: variable-length strings`},
		{Dtype{Class: ClassEnum, Size: 4, Base: &Dtype{Class: ClassFloat, Size: 4}}, "enum without an integer base"},
		{Dtype{Class: "reference", Size: 8}, `type class "reference"`},
	}
	for _, tc := range bad {
		_, err := tc.t.NumpyDescr()
		if !errors.Is(err, ErrNoNumpy) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("NumpyDescr(%+v) = %v, want ErrNoNumpy containing %q", tc.t, err, tc.msg)
		}
	}

	deep := integer(1, false, LittleEndian)
	for range 40 {
		deep = &Dtype{Class: ClassCompound, Size: 1, Members: []Member{{Name: "m", Type: deep}}}
	}
	if _, err := deep.NumpyDescr(); !errors.Is(err, ErrNoNumpy) {
		t.Errorf("40 nested compounds: %v, want ErrNoNumpy", err)
	}
}

func TestPyString(t *testing.T) {
	tests := map[string]string{
		"plain":                  `'plain'`,
		`it's \ here`:            `'it\'s \\ here'`,
		"tab\tnl\n\x7f":          `'tab\x09nl\x0a\x7f'`,
		"\u00e9\u4e2d\U0001F600": `'\xe9\u4e2d\U0001f600'`,
		"bad\xff":                `'bad\ufffd'`,
	}
	for in, want := range tests {
		if got := PyString(in); got != want {
			t.Errorf("PyString(%q) = %s, want %s", in, got, want)
		}
	}
	if got := PyTuple([]uint64{}); got != "()" {
		t.Errorf("PyTuple() = %s", got)
	}
	if got := PyTuple([]int{3}); got != "(3,)" {
		t.Errorf("PyTuple(3) = %s", got)
	}
	if got := PyTuple([]uint64{2, 3}); got != "(2, 3)" {
		t.Errorf("PyTuple(2, 3) = %s", got)
	}
}

func TestWithOrder(t *testing.T) {
	orig := Dtype{Class: ClassCompound, Size: 12, Members: []Member{
		{Name: "e", Offset: 0, Type: &Dtype{Class: ClassEnum, Size: 4, Base: integer(4, true, BigEndian)}},
		{Name: "a", Offset: 4, Type: &Dtype{Class: ClassArray, Size: 8, Dims: []int{2}, Base: &Dtype{Class: ClassFloat, Size: 4, Order: BigEndian}}},
	}}
	got, _ := orig.WithOrder(LittleEndian).NumpyDescr()
	if got != "[('e', '<i4'), ('a', '<f4', (2,))]" {
		t.Errorf("WithOrder(le) = %s", got)
	}
	if d, _ := orig.NumpyDescr(); d != "[('e', '>i4'), ('a', '>f4', (2,))]" {
		t.Errorf("WithOrder changed the original: %s", d)
	}
}
