package vol

import (
	"fmt"

	"github.com/sciswift/sciswift/formats/domain"
)

// The variable-length chunk layout is domain's (readers of the store share
// it); these wrappers give its errors vol's sentinels: an element too large
// is the caller's mistake, a chunk that does not parse is the store's.

func encodeVar(vals [][]byte) ([]byte, error) {
	out, err := domain.EncodeVarChunk(vals)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return out, nil
}

func decodeVar(data []byte, n uint64) ([][]byte, error) {
	vals, err := domain.DecodeVarChunk(data, n)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStore, err)
	}
	return vals, nil
}

// varSize is what a variable-length chunk costs in the cache.
func varSize(vals [][]byte) int64 { return domain.VarChunkMemory(vals) }
