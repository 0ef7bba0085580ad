package ring

import (
	"slices"
	"testing"
)

// testdata/swift_v1.ring.gz and the expectations below come from
// testdata/swift_reference.py, which writes the file with Swift's
// serialize_v1 and computes placements with Swift's get_part_nodes and
// get_more_nodes.
func TestSwiftWrittenRing(t *testing.T) {
	r, err := Load("testdata/swift_v1.ring.gz")
	if err != nil {
		t.Fatal(err)
	}
	if r.PartPower() != 6 || r.ReplicaCount() != 3 {
		t.Fatalf("power %d replicas %d, want 6 and 3", r.PartPower(), r.ReplicaCount())
	}
	if v, ok := r.Version(); !ok || v != 7 {
		t.Errorf("Version() = %d, %v; want 7", v, ok)
	}
	if got := ids(r.Devices()); !slices.Equal(got, []int{0, 1, 2, 4, 5, 6, 7}) {
		t.Errorf("device ids %v: id 3 is null in the file", got)
	}
	d1, _ := r.Device(1)
	want := Device{ID: 1, Region: 1, Zone: 1, IP: "10.0.0.1", Port: 6200, Name: "sdb", Weight: 100,
		Meta: "réplica ☃", ReplicationIP: "10.1.0.1", ReplicationPort: 6300}
	if d1 != want {
		t.Errorf("device 1 = %+v, want %+v", d1, want)
	}

	placements := []struct {
		part      uint32
		primaries []int
		handoffs  []int
	}{
		// Output of swift_reference.py.
		{part: 0, primaries: []int{6, 0, 7}, handoffs: []int{2, 4, 5, 1}},
		{part: 1, primaries: []int{6, 2, 1}, handoffs: []int{4, 7, 5, 0}},
		{part: 17, primaries: []int{5, 0, 4}, handoffs: []int{2, 7, 6, 1}},
		{part: 42, primaries: []int{5, 2, 7}, handoffs: []int{1, 4, 6, 0}},
		{part: 63, primaries: []int{7, 5, 0}, handoffs: []int{2, 4, 6, 1}},
	}
	for _, pl := range placements {
		if got := ids(r.Primaries(pl.part)); !slices.Equal(got, pl.primaries) {
			t.Errorf("Primaries(%d) = %v, Swift says %v", pl.part, got, pl.primaries)
		}
		if got := ids(slices.Collect(r.Handoffs(pl.part))); !slices.Equal(got, pl.handoffs) {
			t.Errorf("Handoffs(%d) = %v, Swift says %v", pl.part, got, pl.handoffs)
		}
	}
}
