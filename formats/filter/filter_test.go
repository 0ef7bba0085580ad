package filter

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sciswift/sciswift/formats/domain"
)

func TestShuffleLayout(t *testing.T) {
	tests := []struct {
		name     string
		size     int
		in, want []byte
	}{
		{"4-byte elements", 4, []byte{0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23}, []byte{0, 10, 20, 1, 11, 21, 2, 12, 22, 3, 13, 23}},
		{"tail bytes stay at the end", 2, []byte{0, 1, 10, 11, 20, 21, 99}, []byte{0, 10, 20, 1, 11, 21, 99}},
		{"tail after 8-byte elements", 8, append(bytes.Repeat([]byte{1, 2, 3, 4, 5, 6, 7, 8}, 2), 0xa, 0xb, 0xc, 0xd),
			[]byte{1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 0xa, 0xb, 0xc, 0xd}},
		{"one element untouched", 4, []byte{1, 2, 3, 4, 5}, []byte{1, 2, 3, 4, 5}},
		{"1-byte elements untouched", 1, []byte{1, 2, 3}, []byte{1, 2, 3}},
		{"empty", 4, []byte{}, []byte{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := shuffle(tt.in, tt.size)
			if !bytes.Equal(got, tt.want) {
				t.Fatalf("shuffle = %v, want %v", got, tt.want)
			}
			if back := unshuffle(got, tt.size); !bytes.Equal(back, tt.in) {
				t.Fatalf("unshuffle = %v, want %v", back, tt.in)
			}
		})
	}
}

func TestFletcher32(t *testing.T) {
	// Values worked by hand from H5_checksum_fletcher32: words are
	// big-endian, sums start at 0, an odd byte is a word's high byte.
	tests := []struct {
		in   []byte
		want uint32
	}{
		{[]byte{}, 0},
		{[]byte{0x01, 0x02}, 0x01020102},
		{[]byte{0x01, 0x02, 0x03}, 0x05040402}, // sum1 = 0x0102+0x0300, sum2 = 0x0102+0x0402
		{[]byte{0xff, 0xff, 0xff, 0xff}, 0xffffffff},
	}
	for _, tt := range tests {
		if got := fletcher32(tt.in); got != tt.want {
			t.Errorf("fletcher32(%x) = %08x, want %08x", tt.in, got, tt.want)
		}
	}
	// The 360-word folding must agree with a modular reference on long
	// inputs of all-0xff words, the worst case for overflow.
	data := bytes.Repeat([]byte{0xff}, 100001)
	var s1, s2 uint64
	for i := 0; i+1 < len(data); i += 2 {
		s1 = (s1 + (uint64(data[i])<<8 | uint64(data[i+1]))) % 65535
		s2 = (s2 + s1) % 65535
	}
	s1 = (s1 + uint64(data[len(data)-1])<<8) % 65535
	s2 = (s2 + s1) % 65535
	got := fletcher32(data)
	if uint64(got&0xffff)%65535 != s1 || uint64(got>>16)%65535 != s2 {
		t.Fatalf("fletcher32 of long input %08x disagrees with the modular sums %04x %04x", got, s2, s1)
	}
}

var pipelines = []struct {
	name    string
	filters []domain.Filter
}{
	{"none", nil},
	{"shuffle", []domain.Filter{{ID: Shuffle}}},
	{"deflate", []domain.Filter{{ID: Deflate, Params: []uint32{6}}}},
	{"fletcher32", []domain.Filter{{ID: Fletcher32}}},
	{"shuffle deflate fletcher32", []domain.Filter{{ID: Shuffle, Params: []uint32{8}}, {ID: Deflate, Params: []uint32{1}}, {ID: Fletcher32}}},
	{"fletcher32 shuffle deflate", []domain.Filter{{ID: Fletcher32}, {ID: Shuffle}, {ID: Deflate}}},
}

func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, p := range pipelines {
		for _, n := range []int{0, 1, 7, 8, 4096, 100003} {
			chunk := make([]byte, n)
			for i := range chunk {
				chunk[i] = byte(i / 7 % 5 * int(r.IntN(3)))
			}
			orig := bytes.Clone(chunk)
			stored, err := Encode(p.filters, 8, chunk)
			if err != nil {
				t.Fatalf("%s/%d: Encode: %v", p.name, n, err)
			}
			if !bytes.Equal(chunk, orig) {
				t.Fatalf("%s/%d: Encode modified its input", p.name, n)
			}
			got, err := Decode(p.filters, 8, stored, n)
			if err != nil {
				t.Fatalf("%s/%d: Decode: %v", p.name, n, err)
			}
			if !bytes.Equal(got, chunk) {
				t.Fatalf("%s/%d: round trip changed the chunk", p.name, n)
			}
			if n > 0 {
				before := bytes.Clone(stored)
				got[0] ^= 1
				if !bytes.Equal(stored, before) {
					t.Fatalf("%s/%d: Decode returned the stored bytes themselves", p.name, n)
				}
			}
			if _, err := Decode(p.filters, 8, stored, n+1); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%s/%d: Decode with the wrong size: %v, want ErrCorrupt", p.name, n, err)
			}
		}
	}
}

func TestFletcherDetectsCorruption(t *testing.T) {
	f := []domain.Filter{{ID: Fletcher32}}
	chunk := []byte("0123456789abcdef")
	stored, err := Encode(f, 1, chunk)
	if err != nil {
		t.Fatal(err)
	}
	if got := binary.LittleEndian.Uint32(stored[len(chunk):]); got != fletcher32(chunk) {
		t.Fatalf("checksum stored as %08x, want little-endian %08x", got, fletcher32(chunk))
	}
	bad := bytes.Clone(stored)
	bad[3] ^= 0x40
	if _, err := Decode(f, 1, bad, len(chunk)); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("corrupted chunk: %v, want ErrCorrupt", err)
	}
	// libhdf5 also accepts the byte-swapped checksum of releases before
	// 1.6.3; so do we.
	sum := fletcher32(chunk)
	old := bytes.Clone(stored)
	binary.LittleEndian.PutUint32(old[len(chunk):], (sum&0x00ff00ff)<<8|(sum>>8)&0x00ff00ff)
	if _, err := Decode(f, 1, old, len(chunk)); err != nil {
		t.Fatalf("pre-1.6.3 checksum rejected: %v", err)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name    string
		filters []domain.Filter
		elem    int
		want    error
	}{
		{"szip", []domain.Filter{{ID: 4, Name: "szip"}}, 4, ErrUnsupportedFilter},
		{"plugin", []domain.Filter{{ID: Shuffle}, {ID: 32001, Name: "blosc", Optional: true}}, 4, ErrUnsupportedFilter},
		{"deflate level", []domain.Filter{{ID: Deflate, Params: []uint32{10}}}, 4, ErrBadParams},
		{"shuffle size", []domain.Filter{{ID: Shuffle}}, 0, ErrBadParams},
		{"too many", make([]domain.Filter, MaxFilters+1), 4, ErrBadParams},
	}
	for _, tt := range tests {
		if _, err := Encode(tt.filters, tt.elem, []byte("abcdefgh")); !errors.Is(err, tt.want) {
			t.Errorf("%s: Encode: %v, want %v", tt.name, err, tt.want)
		}
		if _, err := Decode(tt.filters, tt.elem, []byte("abcdefgh"), 8); !errors.Is(err, tt.want) {
			t.Errorf("%s: Decode: %v, want %v", tt.name, err, tt.want)
		}
	}
	if !Supported(Deflate) || Supported(4) {
		t.Error("Supported disagrees with the implemented filters")
	}
}

func TestInflateBounded(t *testing.T) {
	// 64 MiB of zeros compresses to ~64 KiB; asked for 1 KiB, Decode must
	// stop at the bound rather than inflate it all.
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	w.Write(make([]byte, 64<<20))
	w.Close()
	f := []domain.Filter{{ID: Deflate}}
	if _, err := Decode(f, 1, b.Bytes(), 1024); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("bomb: %v, want ErrCorrupt", err)
	}
	allocs := testing.AllocsPerRun(1, func() { Decode(f, 1, b.Bytes(), 1024) })
	if allocs > 100 {
		t.Fatalf("bomb decode made %v allocations", allocs)
	}
	// A truncated stream is corrupt, not short.
	if _, err := Decode(f, 1, b.Bytes()[:b.Len()/2], 64<<20); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("truncated stream: %v, want ErrCorrupt", err)
	}
}

func TestDecodeAny(t *testing.T) {
	for _, p := range pipelines {
		for _, n := range []int{0, 1, 9, 4096, 100003} {
			chunk := bytes.Repeat([]byte("varlen!"), n/7+1)[:n]
			stored, err := Encode(p.filters, 8, chunk)
			if err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				limit int
				ok    bool
			}{{n, true}, {n + 1, true}, {1 << 31, true}, {math.MaxInt, true}, {n - 1, false}}
			for _, tt := range tests {
				if tt.limit < 0 {
					continue
				}
				got, err := DecodeAny(p.filters, 8, stored, tt.limit)
				if !tt.ok {
					if !errors.Is(err, ErrCorrupt) {
						t.Errorf("%s/%d limit %d: %v, want ErrCorrupt", p.name, n, tt.limit, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s/%d limit %d: %v", p.name, n, tt.limit, err)
				}
				if !bytes.Equal(got, chunk) {
					t.Fatalf("%s/%d limit %d: round trip changed the chunk", p.name, n, tt.limit)
				}
				if n > 0 {
					before := bytes.Clone(stored)
					got[0] ^= 1
					if !bytes.Equal(stored, before) {
						t.Fatalf("%s/%d: DecodeAny returned the stored bytes themselves", p.name, n)
					}
				}
			}
		}
	}
	if _, err := DecodeAny(nil, 8, nil, -1); !errors.Is(err, ErrBadParams) {
		t.Errorf("negative limit: %v, want ErrBadParams", err)
	}
}

func TestDecodeAnyBounded(t *testing.T) {
	// The bomb of TestInflateBounded, with a limit instead of a size.
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	w.Write(make([]byte, 64<<20))
	w.Close()
	f := []domain.Filter{{ID: Deflate}}
	if _, err := DecodeAny(f, 1, b.Bytes(), 1024); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("bomb: %v, want ErrCorrupt", err)
	}
	allocs := testing.AllocsPerRun(1, func() { DecodeAny(f, 1, b.Bytes(), 1024) })
	if allocs > 100 {
		t.Fatalf("bomb decode made %v allocations", allocs)
	}
}

func FuzzDecode(f *testing.F) {
	for _, p := range pipelines {
		stored, err := Encode(p.filters, 8, bytes.Repeat([]byte("sciswift"), 9))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(stored, uint8(len(p.filters)), uint16(72), uint32(0))
	}
	f.Fuzz(func(t *testing.T, stored []byte, pick uint8, want uint16, mask uint32) {
		p := pipelines[int(pick)%len(pipelines)]
		out, err := DecodeMask(p.filters, mask, 8, stored, int(want))
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v is not ErrCorrupt", err)
			}
			return
		}
		if len(out) != int(want) {
			t.Fatalf("decoded %d bytes, want %d", len(out), want)
		}
	})
}

func FuzzDecodeAny(f *testing.F) {
	for _, p := range pipelines {
		stored, err := Encode(p.filters, 8, bytes.Repeat([]byte("sciswift"), 9))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(stored, uint8(len(p.filters)), uint16(72))
		f.Add(stored, uint8(len(p.filters)), uint16(71))
	}
	f.Fuzz(func(t *testing.T, stored []byte, pick uint8, limit uint16) {
		p := pipelines[int(pick)%len(pipelines)]
		out, err := DecodeAny(p.filters, 8, stored, int(limit))
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v is not ErrCorrupt", err)
			}
			// Nothing of at most limit bytes decodes, so no exact size
			// within the limit does either.
			if exact, err := Decode(p.filters, 8, stored, int(limit)); err == nil {
				t.Fatalf("DecodeAny failed where Decode of %d bytes gave %d", limit, len(exact))
			}
			return
		}
		if len(out) > int(limit) {
			t.Fatalf("decoded %d bytes past the limit %d", len(out), limit)
		}
		exact, err := Decode(p.filters, 8, stored, len(out))
		if err != nil || !bytes.Equal(exact, out) {
			t.Fatalf("Decode of the %d bytes DecodeAny found: %v", len(out), err)
		}
	})
}
