package ring

import (
	"encoding/binary"
	"fmt"
	"slices"
	"testing"
)

func TestPartition(t *testing.T) {
	objectHash := PathHasher{Suffix: "endcap"}.Hash("a", "c", "o")
	catHash := PathHasher{Suffix: "changeme"}.Hash("AUTH_test", "photos", "cat.jpg")
	var allOnes [16]byte
	for i := range allOnes {
		allOnes[i] = 0xff
	}
	tests := []struct {
		name      string
		hash      [16]byte
		partPower uint
		// want is computed by Swift's formula,
		//   struct.unpack_from('>I', md5(...).digest())[0] >> (32 - part_power),
		// with python3 for the path hashes.
		want uint32
	}{
		{"part power 0 has one partition", allOnes, 0, 0},
		{"part power 1", allOnes, 1, 1},
		{"top byte", allOnes, 8, 0xff},
		{"part power 31", allOnes, 31, 0x7fffffff},
		{"/a/c/o power 10", objectHash, 10, 27},
		{"/a/c/o power 18", objectHash, 18, 7151},
		{"/a/c/o power 31", objectHash, 31, 58587226},
		{"cat power 8", catHash, 8, 139},
		{"cat power 16", catHash, 16, 35650},
		{"cat power 22", catHash, 22, 2281624},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Ring{partShift: 32 - tt.partPower}
			got := r.Partition(tt.hash)
			if got != tt.want {
				t.Errorf("Partition = %d, want %d", got, tt.want)
			}
			if formula := binary.BigEndian.Uint32(tt.hash[:4]) >> (32 - tt.partPower); tt.partPower > 0 && got != formula {
				t.Errorf("Partition = %d, formula says %d", got, formula)
			}
		})
	}
}

func TestPrimaries(t *testing.T) {
	r := mustRing(t, testBuilder(t, 6, 3, sixDevicesThreeZones()))
	if r.PartitionCount() != 64 || r.PartPower() != 6 || r.ReplicaCount() != 3 {
		t.Fatalf("count %d power %d replicas %d", r.PartitionCount(), r.PartPower(), r.ReplicaCount())
	}
	for p := range r.PartitionCount() {
		prim := r.Primaries(p)
		if len(prim) != 3 {
			t.Fatalf("partition %d has %d primaries", p, len(prim))
		}
		if got := ids(prim); len(slices.Compact(slices.Sorted(slices.Values(got)))) != 3 {
			t.Fatalf("partition %d primaries %v are not distinct", p, got)
		}
	}
	if got := r.Primaries(64); len(got) != 0 {
		t.Errorf("Primaries(out of range) = %v, want none", got)
	}
	if _, ok := r.Device(99); ok {
		t.Error("Device(99) found a device")
	}
	counts := r.PartitionsPerDevice()
	total := 0
	for _, n := range counts {
		total += n
	}
	if total != 64*3 {
		t.Errorf("PartitionsPerDevice sums to %d, want %d", total, 64*3)
	}
}

// sixDevicesThreeZones is two servers in each of three zones, equal weights.
func sixDevicesThreeZones() []Device {
	var devs []Device
	for z := 1; z <= 3; z++ {
		for s := 1; s <= 2; s++ {
			devs = append(devs, Device{Region: 1, Zone: z, IP: fmt.Sprintf("10.0.%d.%d", z, s), Port: 6200, Name: "d1", Weight: 100})
		}
	}
	return devs
}
