package ring

import (
	"fmt"
	"slices"
	"testing"
)

// twoRegionDevices: 2 regions × 3 zones × 2 servers × 2 disks.
func twoRegionDevices() []Device {
	var devs []Device
	for r := 1; r <= 2; r++ {
		for z := 1; z <= 3; z++ {
			for s := 1; s <= 2; s++ {
				for d := 1; d <= 2; d++ {
					devs = append(devs, Device{Region: r, Zone: z, IP: fmt.Sprintf("10.%d.%d.%d", r, z, s),
						Port: 6200, Name: fmt.Sprintf("d%d", d), Weight: 100})
				}
			}
		}
	}
	return devs
}

func TestHandoffs(t *testing.T) {
	b := testBuilder(t, 8, 3, twoRegionDevices())
	// A new device with no partitions yet is no handoff, as in Swift.
	newID, err := b.AddDevice(Device{Region: 3, Zone: 1, IP: "10.3.1.1", Port: 6200, Name: "d1", Weight: 100})
	if err != nil {
		t.Fatal(err)
	}
	r := mustRing(t, b)
	assigned := r.PartitionsPerDevice()

	for p := range r.PartitionCount() {
		primaries := r.Primaries(p)
		handoffs := slices.Collect(r.Handoffs(p))
		seen := map[int]bool{}
		for _, d := range primaries {
			seen[d.ID] = true
		}
		for _, h := range handoffs {
			if seen[h.ID] {
				t.Fatalf("partition %d: handoff %v is a primary or repeated", p, h)
			}
			if h.ID == newID {
				t.Fatalf("partition %d: handoff %v holds no partitions", p, h)
			}
			seen[h.ID] = true
		}
		if len(seen) != len(assigned) {
			t.Fatalf("partition %d: primaries+handoffs cover %d devices, want all %d", p, len(seen), len(assigned))
		}
		if levels := freshness(primaries, handoffs); !slices.IsSorted(levels) {
			t.Fatalf("partition %d: handoffs %v are not new-region, then new-zone, then new-server, then the rest (levels %v)",
				p, ids(handoffs), levels)
		}
	}
}

// freshness labels each handoff 0 if it opened a new region, 1 a new zone,
// 2 a new server, 3 otherwise, relative to everything before it.
func freshness(primaries, handoffs []Device) []int {
	regions, zones, ips := map[int]bool{}, map[zoneTier]bool{}, map[ipTier]bool{}
	add := func(d Device) {
		regions[d.Region], zones[d.zoneTier()], ips[d.ipTier()] = true, true, true
	}
	for _, d := range primaries {
		add(d)
	}
	var levels []int
	for _, d := range handoffs {
		switch {
		case !regions[d.Region]:
			levels = append(levels, 0)
		case !zones[d.zoneTier()]:
			levels = append(levels, 1)
		case !ips[d.ipTier()]:
			levels = append(levels, 2)
		default:
			levels = append(levels, 3)
		}
		add(d)
	}
	return levels
}

func TestHandoffsStopEarlyAndOutOfRange(t *testing.T) {
	r := mustRing(t, testBuilder(t, 4, 3, twoRegionDevices()))
	n := 0
	for range r.Handoffs(3) {
		n++
		if n == 2 {
			break
		}
	}
	if n != 2 {
		t.Errorf("took %d handoffs, want 2", n)
	}
	if got := slices.Collect(r.Handoffs(16)); len(got) != 0 {
		t.Errorf("Handoffs(out of range) = %v, want none", got)
	}
}

// Swift's stride never visits partition 0 when it starts elsewhere, so a
// device assigned only there is never offered by get_more_nodes; we offer
// it last.
func TestHandoffsReachStragglers(t *testing.T) {
	devs := []*Device{
		{ID: 0, Region: 1, Zone: 1, IP: "10.0.0.1", Port: 6200, Name: "d0", Weight: 1},
		{ID: 1, Region: 1, Zone: 1, IP: "10.0.0.1", Port: 6200, Name: "d1", Weight: 1},
	}
	r := newRing(2, devs, [][]uint16{{0, 1, 1, 1}}, nil, nil)
	for p := uint32(1); p < 4; p++ {
		if start, _ := handoffStart(r, p); start == 0 {
			continue
		}
		if got := ids(slices.Collect(r.Handoffs(p))); !slices.Equal(got, []int{0}) {
			t.Errorf("Handoffs(%d) = %v, want [0]", p, got)
		}
		return
	}
	t.Skip("no partition with a non-zero start; pick another table")
}
