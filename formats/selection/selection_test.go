package selection

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/formats"
)

func rng(start, stop, step uint64) formats.Range {
	return formats.Range{Start: start, Stop: stop, Step: step}
}

func idx(i uint64) formats.Range {
	return formats.Range{Start: i, Stop: i + 1, Step: 1, Index: true}
}

func TestParse(t *testing.T) {
	tests := []struct {
		expr  string
		shape []uint64
		want  formats.Selection
	}{
		{"", []uint64{10, 20}, formats.Selection{rng(0, 10, 1), rng(0, 20, 1)}},
		{"  ", []uint64{3}, formats.Selection{rng(0, 3, 1)}},
		{"[:]", []uint64{10}, formats.Selection{rng(0, 10, 1)}},
		{"[2:5]", []uint64{10}, formats.Selection{rng(2, 5, 1)}},
		{"[2:10:3]", []uint64{10}, formats.Selection{rng(2, 10, 3)}},
		{"[:5,3:]", []uint64{10, 4}, formats.Selection{rng(0, 5, 1), rng(3, 4, 1)}},
		{"[::2, 1:3:, 7]", []uint64{10, 4, 8}, formats.Selection{rng(0, 10, 2), rng(1, 3, 1), idx(7)}},
		{"[ 1 : 3 , 0 ]", []uint64{4, 1}, formats.Selection{rng(1, 3, 1), idx(0)}},
		{"[+1:+3]", []uint64{4}, formats.Selection{rng(1, 3, 1)}},
		{"[-0:4]", []uint64{4}, formats.Selection{rng(0, 4, 1)}},
		{"[0:512,0:900]", []uint64{512, 900}, formats.Selection{rng(0, 512, 1), rng(0, 900, 1)}},
		// Extent 0: only the defaults select it.
		{"[:]", []uint64{0}, formats.Selection{rng(0, 0, 1)}},
		{"[::4]", []uint64{0}, formats.Selection{rng(0, 0, 4)}},
		{"[::]", []uint64{0}, formats.Selection{rng(0, 0, 1)}},
		// Scalars, which HSDS treats as shape [1].
		{"", nil, formats.Selection{}},
		{"[]", nil, formats.Selection{}},
		{"[0]", nil, formats.Selection{}},
		{"[:]", nil, formats.Selection{}},
		{"[0:1:1]", nil, formats.Selection{}},
		{"[18446744073709551615:]", []uint64{math.MaxUint64}, nil}, // too large for HSDS's int64 too
		{"[9223372036854775806:]", []uint64{math.MaxUint64}, formats.Selection{rng(math.MaxInt64-1, math.MaxUint64, 1)}},
	}
	for _, tc := range tests {
		got, err := Parse(tc.expr, tc.shape)
		if tc.want == nil {
			if err == nil {
				t.Errorf("Parse(%q, %v) = %v, want an error", tc.expr, tc.shape, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q, %v): %v", tc.expr, tc.shape, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Parse(%q, %v) = %+v, want %+v", tc.expr, tc.shape, got, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		expr  string
		shape []uint64
		kind  error
		msg   string // the whole message
	}{
		{"0:5", []uint64{10}, ErrSyntax, `select: "0:5": expected [start:stop:step,...] in brackets`},
		{"[0:5", []uint64{10}, ErrSyntax, `select: "[0:5": expected [start:stop:step,...] in brackets`},
		{"[", []uint64{10}, ErrSyntax, `select: "[": expected [start:stop:step,...] in brackets`},
		{"[,:]", []uint64{10, 10}, ErrSyntax, "select: dimension 0: empty range (use : for the whole extent)"},
		{"[:,]", []uint64{10, 10}, ErrSyntax, "select: dimension 1: empty range (use : for the whole extent)"},
		{"[1:2:3:4]", []uint64{10}, ErrSyntax, `select: dimension 0: "1:2:3:4": expected start:stop or start:stop:step`},
		{"[a:2]", []uint64{10}, ErrSyntax, `select: dimension 0: start "a" is not an integer`},
		{"[0:x]", []uint64{10}, ErrSyntax, `select: dimension 0: stop "x" is not an integer`},
		{"[0:2:1.5]", []uint64{10}, ErrSyntax, `select: dimension 0: step "1.5" is not an integer`},
		{"[1_0]", []uint64{100}, ErrSyntax, `select: dimension 0: index "1_0" is not an integer`},
		{"[0x10]", []uint64{100}, ErrSyntax, `select: dimension 0: index "0x10" is not an integer`},
		{"[:,:,0:900]", []uint64{4, 4, 512}, ErrOutOfRange, "select: dimension 2: stop 900 > extent 512"},
		{"[10:]", []uint64{10}, ErrOutOfRange, "select: dimension 0: start 10 >= extent 10"},
		{"[5:5]", []uint64{10}, ErrOutOfRange, "select: dimension 0: stop 5 <= start 5 (empty selection)"},
		{"[:0]", []uint64{10}, ErrOutOfRange, "select: dimension 0: stop 0 <= start 0 (empty selection)"},
		{"[6:5]", []uint64{10}, ErrOutOfRange, "select: dimension 0: stop 5 <= start 6 (empty selection)"},
		{"[0:5:0]", []uint64{10}, ErrOutOfRange, "select: dimension 0: step 0: the step must be >= 1"},
		{"[0:5:-1]", []uint64{10}, ErrOutOfRange, "select: dimension 0: step -1: the step must be >= 1"},
		{"[-1]", []uint64{10}, ErrOutOfRange, "select: dimension 0: index -1 < 0 (negative indices are not supported)"},
		{"[-3:]", []uint64{10}, ErrOutOfRange, "select: dimension 0: start -3 < 0 (negative indices are not supported)"},
		{"[:-1]", []uint64{10}, ErrOutOfRange, "select: dimension 0: stop -1 < 0 (negative indices are not supported)"},
		{"[10]", []uint64{10}, ErrOutOfRange, "select: dimension 0: index 10 >= extent 10"},
		{"[0:]", []uint64{0}, ErrOutOfRange, "select: dimension 0: start 0 >= extent 0"},
		{"[99999999999999999999]", []uint64{10}, ErrOutOfRange, "select: dimension 0: index 99999999999999999999 is too large"},
		{"[:]", []uint64{10, 10}, ErrRank, "select: 1 ranges for a 2-dimensional dataset"},
		{"[:,:,:]", []uint64{10, 10}, ErrRank, "select: 3 ranges for a 2-dimensional dataset"},
		{"[]", []uint64{10}, ErrRank, "select: 0 ranges for a 1-dimensional dataset"},
		{"[0,0]", nil, ErrRank, "select: 2 ranges for a scalar dataset"},
		{"[1]", nil, ErrOutOfRange, "select: dimension 0: index 1 >= extent 1"},
		{"[[1,2],:]", []uint64{10, 10}, ErrUnsupported, "select: coordinate lists ([[i,j,...],...]) are not supported; use start:stop:step ranges"},
		{"[" + strings.Repeat("9", 100) + "]", []uint64{10}, ErrOutOfRange, "select: dimension 0: index 9999999999999999999999999999999999999999... is too large"},
	}
	for _, tc := range tests {
		sel, err := Parse(tc.expr, tc.shape)
		if err == nil {
			t.Errorf("Parse(%q, %v) = %v, want %v", tc.expr, tc.shape, sel, tc.kind)
			continue
		}
		if !errors.Is(err, tc.kind) {
			t.Errorf("Parse(%q, %v): error %v is not %v", tc.expr, tc.shape, err, tc.kind)
		}
		if err.Error() != tc.msg {
			t.Errorf("Parse(%q, %v): message\n  %s\nwant\n  %s", tc.expr, tc.shape, err, tc.msg)
		}
	}
}

func TestShapeCount(t *testing.T) {
	tests := []struct {
		expr  string
		shape []uint64
		want  []uint64
		count uint64
	}{
		{"", []uint64{10, 20}, []uint64{10, 20}, 200},
		{"[::3]", []uint64{10}, []uint64{4}, 4},   // 0 3 6 9
		{"[1::3]", []uint64{10}, []uint64{3}, 3},  // 1 4 7
		{"[1:9:3]", []uint64{10}, []uint64{3}, 3}, // 1 4 7
		{"[1:8:3]", []uint64{10}, []uint64{3}, 3}, // 1 4 7
		{"[1:7:3]", []uint64{10}, []uint64{2}, 2}, // 1 4
		{"[5,::2]", []uint64{10, 5}, []uint64{3}, 3},
		{"[5,4]", []uint64{10, 5}, []uint64{}, 1},
		{"[0]", nil, []uint64{}, 1},
		{"[:,:]", []uint64{3, 0}, []uint64{3, 0}, 0},
		{"[::9223372036854775807]", []uint64{math.MaxUint64}, []uint64{3}, 3},
	}
	for _, tc := range tests {
		sel, err := Parse(tc.expr, tc.shape)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.expr, err)
		}
		if got := Shape(sel); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Shape(%q on %v) = %v, want %v", tc.expr, tc.shape, got, tc.want)
		}
		if got := Count(sel); got != tc.count {
			t.Errorf("Count(%q on %v) = %d, want %d", tc.expr, tc.shape, got, tc.count)
		}
	}
	huge := All([]uint64{1 << 40, 1 << 40})
	if got := Count(huge); got != math.MaxUint64 {
		t.Errorf("Count(2^40 x 2^40) = %d, want saturation at MaxUint64", got)
	}
}

func TestLimit(t *testing.T) {
	tests := []struct {
		limit    Limit
		shape    []uint64
		elemSize int
		msg      string // "" = within the limit
	}{
		{Limit{}, []uint64{1 << 40, 1 << 40}, 8, ""},
		{Limit{MaxElements: 100}, []uint64{10, 10}, 8, ""},
		{Limit{MaxElements: 99}, []uint64{10, 10}, 8, "select: 100 elements > limit of 99"},
		{Limit{MaxBytes: 800}, []uint64{10, 10}, 8, ""},
		{Limit{MaxBytes: 799}, []uint64{10, 10}, 8, "select: 100 elements of 8 bytes = 800 bytes > limit of 799 bytes"},
		{Limit{MaxBytes: 1}, []uint64{10, 10}, 0, ""}, // variable-length: bytes unknown
		{Limit{MaxBytes: 1 << 30}, []uint64{1 << 40, 1 << 40}, 8, "select: 18446744073709551615 elements of 8 bytes = more than 2^64 bytes > limit of 1073741824 bytes"},
		// No elements, but 2^40 empty rows to write.
		{Limit{MaxElements: 1000}, []uint64{1 << 40, 0}, 8, "select: 1099511627776 elements > limit of 1000"},
		{Limit{MaxElements: 1000}, []uint64{0, 1 << 40}, 8, ""},
	}
	for _, tc := range tests {
		err := tc.limit.Check(All(tc.shape), tc.elemSize)
		switch {
		case tc.msg == "" && err != nil:
			t.Errorf("%+v.Check(%v, %d): %v", tc.limit, tc.shape, tc.elemSize, err)
		case tc.msg != "" && err == nil:
			t.Errorf("%+v.Check(%v, %d) passed, want %q", tc.limit, tc.shape, tc.elemSize, tc.msg)
		case tc.msg != "" && (!errors.Is(err, ErrTooLarge) || err.Error() != tc.msg):
			t.Errorf("%+v.Check(%v, %d) = %v, want ErrTooLarge %q", tc.limit, tc.shape, tc.elemSize, err, tc.msg)
		}
	}
}

func TestFormatRoundTrip(t *testing.T) {
	shape := []uint64{10, 7, 0, 3}
	for _, expr := range []string{"", "[1:9:2,3,:,::2]", "[0,0:7:6,::5,2]"} {
		sel, err := Parse(expr, shape)
		if err != nil {
			t.Fatalf("Parse(%q): %v", expr, err)
		}
		again, err := Parse(Format(sel), shape)
		if err != nil || !reflect.DeepEqual(again, sel) {
			t.Errorf("Parse(Format(%v) = %q) = %v, %v", sel, Format(sel), again, err)
		}
	}
}

// FuzzParse checks that Parse never panics and that whatever it accepts is
// inside the dataset and survives Format.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "[]", "[:]", "[0:10:2,5]", "[::,1:]", "[-1]", "[[1,2],:]", "[1:2:3:4]", " [ 1 , 2 ] ", "[99999999999999999999]"} {
		f.Add(s, uint64(10), uint64(3), uint8(2))
	}
	f.Fuzz(func(t *testing.T, expr string, d0, d1 uint64, rank uint8) {
		shape := []uint64{d0, d1, d0 % 7, d1 % 5}[:rank%5]
		sel, err := Parse(expr, shape)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Kind == nil || !strings.HasPrefix(err.Error(), "select: ") {
				t.Fatalf("Parse(%q): error %v is not a *selection.Error", expr, err)
			}
			return
		}
		if len(shape) == 0 {
			if len(sel) != 0 {
				t.Fatalf("Parse(%q) on a scalar = %v", expr, sel)
			}
			return
		}
		if len(sel) != len(shape) {
			t.Fatalf("Parse(%q, %v) = %v: wrong rank", expr, shape, sel)
		}
		for i, r := range sel {
			if r.Step == 0 || r.Stop > shape[i] || (r.Stop <= r.Start && shape[i] != 0) || (r.Index && (r.Stop != r.Start+1)) {
				t.Fatalf("Parse(%q, %v): range %d = %+v is outside the dataset", expr, shape, i, r)
			}
		}
		again, err := Parse(Format(sel), shape)
		if err != nil || !reflect.DeepEqual(again, sel) {
			t.Fatalf("Parse(%q) = %v; Format gives %q, which parses to %v, %v", expr, sel, Format(sel), again, err)
		}
		_ = Limit{MaxElements: 1000, MaxBytes: 1 << 20}.Check(sel, 8)
	})
}
