package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/vol"
)

// What H5Pset_deflate(6), H5Pset_shuffle and H5Pset_fletcher32 put in a
// dcpl: deflate and shuffle optional, fletcher32 mandatory.
var (
	deflate6   = domain.Filter{ID: 1, Optional: true, Params: []uint32{6}}
	shuffle    = domain.Filter{ID: 2, Optional: true}
	fletcher32 = domain.Filter{ID: 3}
)

func named(f domain.Filter, name string) domain.Filter { f.Name = name; return f }

func simple(dims, maxDims []uint64) domain.Space {
	return domain.Space{Class: "simple", Dims: dims, MaxDims: maxDims}
}

func TestLayoutOfRoundTrip(t *testing.T) {
	i32 := i32le()
	tests := []struct {
		name   string
		layout domain.Layout
		space  domain.Space
		want   domain.Layout // with HDF5's filter names
	}{
		{"contiguous", domain.Layout{Class: "contiguous"}, simple([]uint64{100}, nil), domain.Layout{Class: "contiguous"}},
		{"contiguous scalar", domain.Layout{Class: "contiguous"}, domain.Space{Class: "scalar"}, domain.Layout{Class: "contiguous"}},
		{"compact", domain.Layout{Class: "compact"}, simple([]uint64{16, 16}, nil), domain.Layout{Class: "compact"}},
		{"chunked", domain.Layout{Class: "chunked", Chunks: []uint64{10, 20}}, simple([]uint64{100, 100}, nil),
			domain.Layout{Class: "chunked", Chunks: []uint64{10, 20}}},
		{"chunked unlimited", domain.Layout{Class: "chunked", Chunks: []uint64{1000}}, simple([]uint64{0}, []uint64{domain.Unlimited}),
			domain.Layout{Class: "chunked", Chunks: []uint64{1000}}},
		{"shuffle deflate fletcher32",
			domain.Layout{Class: "chunked", Chunks: []uint64{4, 4}, Filters: []domain.Filter{shuffle, deflate6, fletcher32}},
			simple([]uint64{8, 8}, []uint64{domain.Unlimited, 8}),
			domain.Layout{Class: "chunked", Chunks: []uint64{4, 4}, Filters: []domain.Filter{
				named(shuffle, "shuffle"), named(deflate6, "deflate"), named(fletcher32, "fletcher32")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ft, err := typeFor(i32)
			if err != nil {
				t.Fatal(err)
			}
			defer closeTypeID(ft)
			dcpl, err := dcplFor(tt.layout, ft, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer closePlistID(dcpl)
			got, fill, err := layoutOf(dcpl, ft, tt.space)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(tt.want)
				t.Fatalf("layoutOf = %s, want %s", g, w)
			}
			if fill != nil {
				t.Fatalf("fill = % x, want nil", fill)
			}
		})
	}
}

func TestLayoutOfFill(t *testing.T) {
	le, be := formats.LittleEndian, formats.BigEndian
	tests := []struct {
		name      string
		setType   formats.Dtype // the type the fill value was given in
		fill      []byte
		fileType  formats.Dtype
		wantBytes []byte
	}{
		{"same type", i32le(), []byte{7, 0, 0, 0}, i32le(), []byte{7, 0, 0, 0}},
		{"to big endian", i32le(), []byte{7, 0, 0, 0}, formats.Dtype{Class: formats.ClassInteger, Size: 4, Order: be, Signed: true}, []byte{0, 0, 0, 7}},
		{"int to double", i32le(), []byte{0xfe, 0xff, 0xff, 0xff}, formats.Dtype{Class: formats.ClassFloat, Size: 8, Order: le},
			[]byte{0, 0, 0, 0, 0, 0, 0, 0xc0}}, // -2.0
		{"zeros are the default", i32le(), []byte{0, 0, 0, 0}, i32le(), nil},
		{"no fill", i32le(), nil, i32le(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := typeFor(tt.setType)
			if err != nil {
				t.Fatal(err)
			}
			defer closeTypeID(st)
			ft, err := typeFor(tt.fileType)
			if err != nil {
				t.Fatal(err)
			}
			defer closeTypeID(ft)
			dcpl, err := dcplFor(domain.Layout{Class: "contiguous"}, st, tt.fill)
			if err != nil {
				t.Fatal(err)
			}
			defer closePlistID(dcpl)
			_, fill, err := layoutOf(dcpl, ft, simple([]uint64{4}, nil))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(fill, tt.wantBytes) {
				t.Fatalf("fill = % x, want % x", fill, tt.wantBytes)
			}
		})
	}
}

func TestLayoutOfRefuses(t *testing.T) {
	nbit := domain.Filter{ID: 5}
	tests := []struct {
		name   string
		layout domain.Layout
		space  domain.Space
		want   error
	}{
		{"nbit filter", domain.Layout{Class: "chunked", Chunks: []uint64{4}, Filters: []domain.Filter{nbit}}, simple([]uint64{8}, nil), vol.ErrUnsupported},
		{"filters on contiguous", domain.Layout{Class: "contiguous", Filters: []domain.Filter{deflate6}}, simple([]uint64{8}, nil), vol.ErrInvalid},
		{"chunk above fixed max", domain.Layout{Class: "chunked", Chunks: []uint64{16}}, simple([]uint64{8}, nil), vol.ErrInvalid},
		{"chunk rank differs", domain.Layout{Class: "chunked", Chunks: []uint64{4, 4}}, simple([]uint64{8}, nil), vol.ErrInvalid},
		{"chunked scalar", domain.Layout{Class: "chunked", Chunks: []uint64{1}}, domain.Space{Class: "scalar"}, vol.ErrInvalid},
		{"extendible contiguous", domain.Layout{Class: "contiguous"}, simple([]uint64{8}, []uint64{domain.Unlimited}), vol.ErrInvalid},
		{"extendible compact", domain.Layout{Class: "compact"}, simple([]uint64{8}, []uint64{9}), vol.ErrInvalid},
		{"compact too big", domain.Layout{Class: "compact"}, simple([]uint64{20000}, nil), vol.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ft, err := typeFor(i32le())
			if err != nil {
				t.Fatal(err)
			}
			defer closeTypeID(ft)
			dcpl, err := dcplFor(tt.layout, ft, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer closePlistID(dcpl)
			if _, _, err := layoutOf(dcpl, ft, tt.space); !errors.Is(err, tt.want) {
				t.Fatalf("layoutOf = %v, want %v", err, tt.want)
			}
		})
	}
}
