package formats

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestArrayCheck(t *testing.T) {
	i4 := *integer(4, true, LittleEndian)
	vstr := Dtype{Class: ClassString, Variable: true}
	vlen := Dtype{Class: ClassVlen, Base: integer(2, true, LittleEndian)}
	tests := []struct {
		a   Array
		msg string // "" = valid
	}{
		{Array{Type: i4, Shape: []uint64{2, 3}, Data: make([]byte, 24)}, ""},
		{Array{Type: i4, Data: make([]byte, 4)}, ""},
		{Array{Type: i4, Shape: []uint64{0, 5}}, ""},
		{Array{Type: vstr, Shape: []uint64{2}, Strings: [][]byte{nil, []byte("x")}}, ""},
		{Array{Type: vlen, Shape: []uint64{1}, Strings: [][]byte{make([]byte, 6)}}, ""},
		{Array{Type: i4, Shape: []uint64{2, 3}, Data: make([]byte, 23)}, "23 bytes of data for 6 elements of 4 bytes"},
		{Array{Type: i4, Shape: []uint64{math.MaxUint64, 2}}, "more than 2^64 elements"},
		{Array{Type: i4, Shape: []uint64{1 << 62}}, "0 bytes of data for 4611686018427387904 elements"},
		{Array{Type: Dtype{Class: ClassOpaque}, Shape: []uint64{1}}, "fixed-size type of size 0"},
		{Array{Type: vstr, Shape: []uint64{2}, Strings: [][]byte{nil}}, "1 variable-length values for 2 elements"},
		{Array{Type: vlen, Shape: []uint64{1}, Strings: [][]byte{make([]byte, 5)}}, "vlen element 0 has 5 bytes, not a multiple of its base's 2"},
		{Array{Type: Dtype{Class: ClassVlen}, Shape: []uint64{1}, Strings: [][]byte{nil}}, "without a fixed-size base"},
		{Array{Type: i4, Shape: []uint64{2}, Data: make([]byte, 8), Null: []bool{false, true}}, ""},
		{Array{Type: i4, Shape: []uint64{2}, Data: make([]byte, 8), Null: []bool{true}}, "1 null flags for 2 elements"},
	}
	for _, tc := range tests {
		err := tc.a.Check()
		switch {
		case tc.msg == "" && err != nil:
			t.Errorf("Check(%+v): %v", tc.a.Shape, err)
		case tc.msg != "" && (!errors.Is(err, ErrArray) || !strings.Contains(err.Error(), tc.msg)):
			t.Errorf("Check(%v of %s) = %v, want ErrArray with %q", tc.a.Shape, tc.a.Type.Class, err, tc.msg)
		}
	}
	if n := (&Array{Shape: []uint64{1 << 40, 1 << 40}}).Len(); n != math.MaxUint64 {
		t.Errorf("Len saturates at %d", n)
	}
	if n := (&Array{}).Len(); n != 1 {
		t.Errorf("Len of a scalar = %d", n)
	}
}

func TestIsBool(t *testing.T) {
	base := integer(1, true, LittleEndian)
	tests := []struct {
		t    Dtype
		want bool
	}{
		{Dtype{Class: ClassEnum, Size: 1, Base: base, Members: []Member{{Name: "TRUE", Value: 1}, {Name: "FALSE"}}}, true},
		{Dtype{Class: ClassEnum, Size: 1, Base: base, Members: []Member{{Name: "FALSE", Value: 1}, {Name: "TRUE"}}}, false},
		{Dtype{Class: ClassEnum, Size: 1, Base: base, Members: []Member{{Name: "FALSE"}, {Name: "TRUE", Value: 1}, {Name: "MAYBE", Value: 2}}}, false},
		{Dtype{Class: ClassEnum, Size: 2, Base: integer(2, true, LittleEndian), Members: []Member{{Name: "FALSE"}, {Name: "TRUE", Value: 1}}}, false},
		{*base, false},
	}
	for _, tc := range tests {
		if got := tc.t.IsBool(); got != tc.want {
			t.Errorf("IsBool(%+v) = %v", tc.t, got)
		}
	}
}
