package formats

import "fmt"

// Span is one dimension of a checked selection: Count elements from Start,
// Step apart.
type Span struct{ Start, Count, Step uint64 }

// Spans checks sel against shape and returns one Span per dimension and
// the shape of the result, where a dimension picked by a single index is
// dropped. An empty sel selects everything. Errors wrap ErrSelection and
// name the dimension.
func (sel Selection) Spans(shape []uint64) ([]Span, []uint64, error) {
	spans := make([]Span, len(shape))
	out := make([]uint64, 0, len(shape))
	if len(sel) == 0 {
		for d, n := range shape {
			spans[d] = Span{0, n, 1}
			out = append(out, n)
		}
		return spans, out, nil
	}
	if len(sel) != len(shape) {
		return nil, nil, fmt.Errorf("%w: %d ranges for a %d-dimensional dataset", ErrSelection, len(sel), len(shape))
	}
	for d, r := range sel {
		n := shape[d]
		if r.Index {
			if r.Start >= n {
				return nil, nil, fmt.Errorf("%w: index %d out of 0..%d in dimension %d", ErrSelection, r.Start, n, d)
			}
			spans[d] = Span{r.Start, 1, 1}
			continue
		}
		if r.Step == 0 || r.Start > r.Stop || r.Stop > n {
			return nil, nil, fmt.Errorf("%w: %d:%d:%d does not fit 0..%d in dimension %d", ErrSelection, r.Start, r.Stop, r.Step, n, d)
		}
		// Not (n+step-1)/step: that wraps for a step near 2^64.
		c := (r.Stop - r.Start) / r.Step
		if (r.Stop-r.Start)%r.Step != 0 {
			c++
		}
		spans[d] = Span{r.Start, c, r.Step}
		out = append(out, c)
	}
	return spans, out, nil
}
