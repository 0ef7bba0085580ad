package formats

import (
	"math"
	"testing"
)

func TestSpansCount(t *testing.T) {
	for _, tc := range []struct {
		r    Range
		want uint64
	}{
		{Range{Start: 0, Stop: 5, Step: 1}, 5},
		{Range{Start: 0, Stop: 5, Step: 2}, 3},
		{Range{Start: 1, Stop: 5, Step: 4}, 1},
		// A huge step still selects the start: a rounding-up count of
		// (n+step-1)/step would wrap to 0.
		{Range{Start: 0, Stop: 5, Step: math.MaxUint64}, 1},
		{Range{Start: 3, Index: true}, 1},
	} {
		spans, _, err := Selection{tc.r}.Spans([]uint64{5})
		if err != nil {
			t.Fatalf("%+v: %v", tc.r, err)
		}
		if spans[0].Count != tc.want {
			t.Errorf("%+v: count %d, want %d", tc.r, spans[0].Count, tc.want)
		}
	}
}
