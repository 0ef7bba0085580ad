// Package ring maps Swift paths to partitions and partitions to devices.
//
// It speaks Swift's own formats: PathHasher is swift.common.utils.hash_path,
// Ring reads and writes the v1 ".ring.gz" files that swift-ring-builder
// produces, and Handoffs yields nodes in the order of Swift's
// Ring.get_more_nodes, so a sciswift proxy and a Swift replicator agree on
// where data lives. Builder is our own swift-ring-builder.
//
// A Ring is immutable once made and safe for concurrent use.
package ring

import (
	"encoding/binary"
	"slices"
)

// MaxPartPower bounds the partition power. Swift allows 32, but partition
// numbers are uint32 here, so 2^32 partitions cannot be counted; a table that
// big (8 GiB per replica) is no real cluster anyway.
const MaxPartPower = 31

// maxReplicaCount bounds replica rows; erasure-coded policies reach a few
// dozen fragments, nothing reaches this.
const maxReplicaCount = 1024

// maxDevices: table entries are uint16 device ids.
const maxDevices = 1 << 16

// Ring is a loaded partition table: part power, replica count, devices and
// the replica→partition→device table.
type Ring struct {
	partShift uint      // 32 - part power, as Swift stores it
	devs      []*Device // indexed by device id; nil where an id was removed
	// replica2part2dev[r][p] is the device id of replica r of partition p.
	// Only the last row may be shorter: Swift's fractional replica counts.
	replica2part2dev [][]uint16
	version          *int64 // Swift omits it for rings built before versions
	nextPartPower    *int   // set while a part power increase is under way

	// Counts over devices that hold at least one partition, so Handoffs
	// can stop each pass as soon as every region/zone/server is used, as
	// Swift's get_more_nodes does.
	numRegions, numZones, numIPs, numAssignedDevs int
}

// newRing wires up a ring from validated parts and precomputes the handoff
// bookkeeping.
func newRing(partPower uint, devs []*Device, table [][]uint16, version *int64, nextPartPower *int) *Ring {
	r := &Ring{
		partShift:        32 - partPower,
		devs:             devs,
		replica2part2dev: table,
		version:          version,
		nextPartPower:    nextPartPower,
	}
	assigned := make([]bool, len(devs))
	for _, row := range table {
		for _, id := range row {
			assigned[id] = true
		}
	}
	regions := map[int]bool{}
	zones := map[zoneTier]bool{}
	ips := map[ipTier]bool{}
	for id, d := range devs {
		if d == nil || !assigned[id] {
			continue
		}
		regions[d.Region] = true
		zones[d.zoneTier()] = true
		ips[d.ipTier()] = true
		r.numAssignedDevs++
	}
	r.numRegions, r.numZones, r.numIPs = len(regions), len(zones), len(ips)
	return r
}

// PartPower is log2 of the partition count.
func (r *Ring) PartPower() uint { return 32 - r.partShift }

// ReplicaCount is the number of replica rows. With a fractional Swift
// replica count (e.g. 2.5) the last row covers only some partitions, and it
// still counts as one here.
func (r *Ring) ReplicaCount() int { return len(r.replica2part2dev) }

// PartitionCount is 2^PartPower.
func (r *Ring) PartitionCount() uint32 { return uint32(len(r.replica2part2dev[0])) }

// Version is the builder's version counter when the ring was written, and
// false for old rings that do not record one.
func (r *Ring) Version() (int64, bool) {
	if r.version == nil {
		return 0, false
	}
	return *r.version, true
}

// NextPartPower reports a partition power increase in progress (Swift's
// next_part_power); sciswift does not perform one, but keeps the field so
// that rewriting a Swift ring does not lose it.
func (r *Ring) NextPartPower() (uint, bool) {
	if r.nextPartPower == nil {
		return 0, false
	}
	return uint(*r.nextPartPower), true
}

// Devices returns copies of the live devices, by id.
func (r *Ring) Devices() []Device {
	out := make([]Device, 0, len(r.devs))
	for _, d := range r.devs {
		if d != nil {
			out = append(out, *d)
		}
	}
	return out
}

// Device returns the live device with this id.
func (r *Ring) Device(id int) (Device, bool) {
	if id < 0 || id >= len(r.devs) || r.devs[id] == nil {
		return Device{}, false
	}
	return *r.devs[id], true
}

// Partition maps a path hash to its partition: the first 4 bytes big-endian,
// shifted right by 32 - part power, as Swift's get_part.
func (r *Ring) Partition(hash [16]byte) uint32 {
	// A shift of 32 (part power 0) yields 0 in Go, as in Python.
	return binary.BigEndian.Uint32(hash[:4]) >> r.partShift
}

// Primaries returns the devices holding partition part, one per replica. A
// device that holds two replicas (possible only in hand-made rings) is
// listed once, as Swift's get_part_nodes does. Out-of-range parts have none.
func (r *Ring) Primaries(part uint32) []Device {
	out := make([]Device, 0, len(r.replica2part2dev))
	for _, id := range r.primaryIDs(part) {
		out = append(out, *r.devs[id])
	}
	return out
}

func (r *Ring) primaryIDs(part uint32) []uint16 {
	ids := make([]uint16, 0, len(r.replica2part2dev))
	for _, row := range r.replica2part2dev {
		if int64(part) < int64(len(row)) && !slices.Contains(ids, row[part]) {
			ids = append(ids, row[part])
		}
	}
	return ids
}

// PartitionsPerDevice counts partition replicas per device id, for reports.
func (r *Ring) PartitionsPerDevice() map[int]int {
	counts := make([]int, len(r.devs))
	for _, row := range r.replica2part2dev {
		for _, id := range row {
			counts[id]++
		}
	}
	out := map[int]int{}
	for id, n := range counts {
		if n > 0 {
			out[id] = n
		}
	}
	return out
}
