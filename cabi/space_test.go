package main

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/vol"
)

func TestSpaceRoundTrip(t *testing.T) {
	u := domain.Unlimited
	tests := []struct {
		name   string
		in     domain.Space
		want   domain.Space // what spaceOf reports
		points uint64
	}{
		{"scalar", domain.Space{Class: "scalar"}, domain.Space{Class: "scalar"}, 1},
		{"null", domain.Space{Class: "null"}, domain.Space{Class: "null"}, 0},
		{"fixed, max implied", domain.Space{Class: "simple", Dims: []uint64{3, 4}},
			domain.Space{Class: "simple", Dims: []uint64{3, 4}, MaxDims: []uint64{3, 4}}, 12},
		{"unlimited", domain.Space{Class: "simple", Dims: []uint64{0, 5}, MaxDims: []uint64{u, 10}},
			domain.Space{Class: "simple", Dims: []uint64{0, 5}, MaxDims: []uint64{u, 10}}, 0},
		{"rank 5", domain.Space{Class: "simple", Dims: []uint64{1, 2, 3, 4, 5}, MaxDims: []uint64{1, 2, 3, 4, u}},
			domain.Space{Class: "simple", Dims: []uint64{1, 2, 3, 4, 5}, MaxDims: []uint64{1, 2, 3, 4, u}}, 120},
		{"large", domain.Space{Class: "simple", Dims: []uint64{1 << 40}},
			domain.Space{Class: "simple", Dims: []uint64{1 << 40}, MaxDims: []uint64{1 << 40}}, 1 << 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sid, err := spaceFor(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			defer closeSpaceID(sid)
			got, err := spaceOf(sid)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("spaceOf(spaceFor(%+v)) = %+v, want %+v", tt.in, got, tt.want)
			}
			n, err := selectedPoints(sid)
			if err != nil || n != tt.points || spacePoints(got) != tt.points {
				t.Fatalf("points: selected %d (err %v), spacePoints %d, want %d", n, err, spacePoints(got), tt.points)
			}
			same, err := sameExtent(sid, tt.in)
			if err != nil || !same {
				t.Fatalf("sameExtent = %v, %v", same, err)
			}
		})
	}
}

func TestSpaceForInvalid(t *testing.T) {
	for name, s := range map[string]domain.Space{
		"no class":      {},
		"rank 0 simple": {Class: "simple"},
		"max below dim": {Class: "simple", Dims: []uint64{5}, MaxDims: []uint64{4}},
		"max rank off":  {Class: "simple", Dims: []uint64{5}, MaxDims: []uint64{5, 5}},
		"rank 33":       {Class: "simple", Dims: make([]uint64, 33)},
	} {
		t.Run(name, func(t *testing.T) {
			sid, err := spaceFor(s)
			if err == nil {
				closeSpaceID(sid)
				t.Fatal("spaceFor succeeded")
			}
			if !errors.Is(err, vol.ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
		})
	}
}

// FuzzSpaceFor feeds spaceFor the dataspace JSON of stored documents.
func FuzzSpaceFor(f *testing.F) {
	f.Add([]byte(`{"class":"simple","dims":[3,4],"max_dims":[18446744073709551615,4]}`))
	f.Add([]byte(`{"class":"scalar"}`))
	f.Add([]byte(`{"class":"null"}`))
	f.Add([]byte(`{"class":"simple","dims":[18446744073709551615]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s domain.Space
		if json.Unmarshal(data, &s) != nil {
			return
		}
		sid, err := spaceFor(s)
		if err != nil {
			return
		}
		defer closeSpaceID(sid)
		back, err := spaceOf(sid)
		if err != nil {
			t.Fatalf("spaceFor accepted %s, spaceOf refuses the result: %v", data, err)
		}
		if same, err := sameExtent(sid, s); err != nil || !same {
			t.Fatalf("%s: extent became %+v", data, back)
		}
		again, err := spaceFor(back)
		if err != nil {
			t.Fatalf("spaceFor refuses what spaceOf described (%+v): %v", back, err)
		}
		defer closeSpaceID(again)
		if third, err := spaceOf(again); err != nil || !reflect.DeepEqual(third, back) {
			t.Fatalf("second description differs: %+v vs %+v (err %v)", third, back, err)
		}
	})
}
