package ring

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to the ring decoder. It must never panic
// or allocate without bound; it either fails with one of the package's
// sentinel errors or yields a ring that is safe to query and re-encodes to
// an equivalent ring.
func FuzzLoad(f *testing.F) {
	le := binary.LittleEndian
	if swift, err := os.ReadFile("testdata/swift_v1.ring.gz"); err == nil {
		f.Add(swift)
	}
	f.Add(swiftRing(f, twoDevHeader, le, []uint16{0, 2, 0, 2}, []uint16{2, 0, 2, 0}))
	f.Add(swiftRing(f, strings.Replace(twoDevHeader, `"replica_count": 2`, `"replica_count": 3`, 1),
		le, []uint16{0, 2, 0, 2}, []uint16{2, 0, 2, 0}, []uint16{0}))
	f.Add(swiftRing(f, strings.Replace(twoDevHeader, `"part_shift": 30`, `"part_shift": 1`, 1), le))
	f.Add(mustEncode(f, mustRing(f, testBuilder(f, 3, 3, sixDevicesThreeZones()))))
	f.Add(swiftLayout("R1NG", 1, twoDevHeader, le, []uint16{0, 2, 0, 2}, []uint16{2, 0, 2, 0}))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data)
		// Random bytes rarely survive gzip's checksum, so also decode the
		// input as the uncompressed payload: that lets the fuzzer explore
		// the header and table parsing directly.
		checkDecode(t, gzipBytes(t, data))
	})
}

func checkDecode(t *testing.T, data []byte) {
	r, err := Decode(bytes.NewReader(data))
	if err != nil {
		if !errors.Is(err, ErrBadMagic) && !errors.Is(err, ErrUnsupportedVersion) &&
			!errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTooLarge) {
			t.Fatalf("error %v wraps no sentinel", err)
		}
		return
	}
	last := r.PartitionCount() - 1
	for _, p := range []uint32{0, last / 2, last, last + 1} {
		r.Primaries(p)
		n := 0
		for range r.Handoffs(p) {
			if n++; n > len(r.devs) {
				t.Fatalf("partition %d: more handoffs than devices", p)
			}
		}
	}
	r.Partition([16]byte{0xff, 0xff, 0xff, 0xff})

	var buf bytes.Buffer
	if err := r.Encode(&buf); err != nil {
		t.Fatalf("Encode of a decoded ring: %v", err)
	}
	again, err := Decode(&buf)
	if err != nil {
		t.Fatalf("decoding our own encoding: %v", err)
	}
	if !slices.Equal(again.Devices(), r.Devices()) || again.ReplicaCount() != r.ReplicaCount() {
		t.Fatal("re-encoded ring differs")
	}
	for _, p := range []uint32{0, last} {
		if !slices.Equal(ids(again.Primaries(p)), ids(r.Primaries(p))) {
			t.Fatalf("partition %d primaries changed on re-encode", p)
		}
	}
}
