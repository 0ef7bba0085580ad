package domain

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

func TestVarChunkRoundTrip(t *testing.T) {
	vals := [][]byte{nil, {}, []byte("a"), []byte("hello"), nil}
	enc, err := EncodeVarChunk(vals)
	if err != nil {
		t.Fatal(err)
	}
	if want := 5*4 + 1 + 5; len(enc) != want {
		t.Errorf("encoded %d bytes, want %d", len(enc), want)
	}
	got, err := DecodeVarChunk(enc, uint64(len(vals)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range vals {
		if (got[i] == nil) != (vals[i] == nil) || !bytes.Equal(got[i], vals[i]) {
			t.Errorf("element %d: %q, want %q", i, got[i], vals[i])
		}
	}
	if m := VarChunkMemory(vals); m != 5*24+6 {
		t.Errorf("VarChunkMemory = %d, want %d", m, 5*24+6)
	}
}

func TestVarChunkRefusesMalformed(t *testing.T) {
	enc, err := EncodeVarChunk([][]byte{[]byte("ab"), nil})
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		data []byte
		n    uint64
	}{
		"truncated":       {enc[:len(enc)-1], 2},
		"trailing bytes":  {append(slices.Clone(enc), 0), 2},
		"short header":    {[]byte{1, 0, 0}, 1},
		"too many":        {enc, 3},
		"too few":         {enc, 1},
		"length overruns": {[]byte{9, 0, 0, 0, 'x'}, 1},
		"huge count":      {enc, 1 << 62},
	} {
		if _, err := DecodeVarChunk(tc.data, tc.n); !errors.Is(err, ErrBadVarChunk) {
			t.Errorf("%s: %v, want ErrBadVarChunk", name, err)
		}
	}
}

// FuzzDecodeVarChunk: whatever decodes must encode back to the same bytes
// (the format has exactly one encoding of each chunk), and nothing panics.
func FuzzDecodeVarChunk(f *testing.F) {
	enc, _ := EncodeVarChunk([][]byte{nil, []byte("x"), {}})
	f.Add(enc, uint64(3))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff}, uint64(1))
	f.Add([]byte{5, 0, 0, 0, 1}, uint64(1))
	f.Add([]byte{}, uint64(0))
	f.Fuzz(func(t *testing.T, data []byte, n uint64) {
		vals, err := DecodeVarChunk(data, n)
		if err != nil {
			if !errors.Is(err, ErrBadVarChunk) {
				t.Fatalf("error %v does not wrap ErrBadVarChunk", err)
			}
			return
		}
		again, err := EncodeVarChunk(vals)
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("decoded %q does not encode back to its input", vals)
		}
	})
}
