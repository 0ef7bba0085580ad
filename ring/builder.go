package ring

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// noDevice marks an unassigned table slot, as Swift's NONE_DEV; it is also
// why device ids stop at 65534.
const (
	noDevice    = 0xFFFF
	maxDeviceID = noDevice - 1
)

// maxMinPartHours: partition ages are kept in a byte, as in Swift, so a
// larger minimum could never be reached.
const maxMinPartHours = 255

// maxBalance is what Swift reports when a zero-weight device still holds
// partitions: infinitely out of balance, shown as a finite number.
const maxBalance = 999.99

// Builder is a swift-ring-builder: it keeps devices and a partition table,
// and Rebalance assigns partitions to devices in proportion to weight, as
// dispersed as possible across regions, zones, servers and devices, moving
// as few partitions as it can.
type Builder struct {
	partPower    uint
	replicas     int
	minPartHours int
	seed         int64
	version      int64

	devs []*builderDevice // by id; nil where an id is free

	// table[r][p] is the device id of replica r of partition p, or
	// noDevice; nil until the first rebalance.
	table [][]uint16
	// lastPartMoves[p] is hours since partition p last moved, saturating
	// at 255 (Swift's _last_part_moves); lastPartMovesEpoch is when those
	// ages were last brought up to date (unix seconds).
	lastPartMoves      []uint8
	lastPartMovesEpoch int64
}

type builderDevice struct {
	Device
	// removing devices keep their partitions until the next rebalance
	// moves them off; then the id is freed.
	removing bool
}

// BuilderDevice is a device with its standing in the current table.
type BuilderDevice struct {
	Device
	Parts int // partition replicas assigned to it
	// Balance is the percentage above (+) or below (-) the partitions its
	// weight asks for; 999.99 when a zero-weight device holds partitions.
	Balance  float64
	Removing bool // removed; drained and forgotten by the next rebalance
}

// NewBuilder starts an empty builder. minPartHours is how long a moved
// partition stays put before a rebalance may move it again (device removal
// ignores it), so replication can catch up between changes.
func NewBuilder(partPower uint, replicas int, minPartHours int) (*Builder, error) {
	if err := validateParams(partPower, replicas, minPartHours); err != nil {
		return nil, err
	}
	return &Builder{partPower: partPower, replicas: replicas, minPartHours: minPartHours}, nil
}

func validateParams(partPower uint, replicas, minPartHours int) error {
	switch {
	case partPower > MaxPartPower:
		return invalid("part power %d is more than %d", partPower, MaxPartPower)
	case replicas < 1 || replicas > maxReplicaCount:
		return invalid("replica count %d is not between 1 and %d", replicas, maxReplicaCount)
	case minPartHours < 0 || minPartHours > maxMinPartHours:
		return invalid("min part hours %d is not between 0 and %d", minPartHours, maxMinPartHours)
	}
	return nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidArgument, fmt.Sprintf(format, args...))
}

// PartPower is log2 of the partition count.
func (b *Builder) PartPower() uint { return b.partPower }

// Replicas is the replica count.
func (b *Builder) Replicas() int { return b.replicas }

// MinPartHours is the minimum age, in hours, of a partition a rebalance may move.
func (b *Builder) MinPartHours() int { return b.minPartHours }

// Version counts changes; the ring written from the builder carries it.
func (b *Builder) Version() int64 { return b.version }

// SetSeed picks the random stream rebalances draw from; the same seed, the
// same devices and the same calls give byte-identical rings.
func (b *Builder) SetSeed(seed int64) { b.seed = seed }

// PretendMinPartHoursPassed makes every partition movable at the next
// rebalance, as swift-ring-builder's command of the same name.
func (b *Builder) PretendMinPartHoursPassed() {
	for p := range b.lastPartMoves {
		b.lastPartMoves[p] = math.MaxUint8
	}
}

// AddDevice adds d under the lowest free id, like swift-ring-builder;
// d.ID is ignored. The device gets partitions at the next Rebalance.
func (b *Builder) AddDevice(d Device) (id int, err error) {
	id = slices.Index(b.devs, nil)
	if id < 0 {
		id = len(b.devs)
	}
	d.ID = id
	return id, b.AddDeviceWithID(d)
}

// AddDeviceWithID adds d under d.ID, which must be free. An empty
// replication address means the device's own IP and port.
func (b *Builder) AddDeviceWithID(d Device) error {
	if d.ID < 0 || d.ID > maxDeviceID {
		return invalid("device id %d is not between 0 and %d", d.ID, maxDeviceID)
	}
	if d.ID < len(b.devs) && b.devs[d.ID] != nil {
		return fmt.Errorf("%w: id %d is already %s", ErrDuplicateDevice, d.ID, b.devs[d.ID].Device)
	}
	if err := validateDevice(d); err != nil {
		return err
	}
	for _, o := range b.devs {
		if o != nil && o.IP == d.IP && o.Port == d.Port && o.Name == d.Name {
			return fmt.Errorf("%w: %s already uses %s/%s", ErrDuplicateDevice, o.Device, hostPort(d.IP, d.Port), d.Name)
		}
	}
	d.ReplicationIP, d.ReplicationPort = d.replicationAddr()
	for len(b.devs) <= d.ID {
		b.devs = append(b.devs, nil)
	}
	b.devs[d.ID] = &builderDevice{Device: d}
	b.version++
	return nil
}

func validateDevice(d Device) error {
	switch {
	case d.Region < 0 || d.Zone < 0:
		return invalid("region and zone must not be negative (got r%d z%d)", d.Region, d.Zone)
	case d.IP == "":
		return invalid("device %q has no ip", d.Name)
	case d.Port < 1 || d.Port > 65535:
		return invalid("port %d is not between 1 and 65535", d.Port)
	case d.ReplicationPort < 0 || d.ReplicationPort > 65535:
		return invalid("replication port %d is not between 1 and 65535", d.ReplicationPort)
	case d.Name == "" || d.Name == "." || d.Name == ".." || strings.ContainsAny(d.Name, "/\x00"):
		return invalid("device name %q is not a directory name", d.Name)
	}
	return validateWeight(d.Weight)
}

func validateWeight(w float64) error {
	if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
		return invalid("weight %v must be a finite number >= 0", w)
	}
	return nil
}

// RemoveDevice schedules device id for removal: the next Rebalance moves
// all its partitions elsewhere (regardless of min part hours, since the
// device is going away) and then frees the id.
func (b *Builder) RemoveDevice(id int) error {
	d, err := b.liveDevice(id)
	if err != nil {
		return err
	}
	d.removing = true
	b.version++
	return nil
}

// SetWeight changes a device's weight; it takes effect at the next Rebalance.
func (b *Builder) SetWeight(id int, w float64) error {
	if err := validateWeight(w); err != nil {
		return err
	}
	d, err := b.liveDevice(id)
	if err != nil {
		return err
	}
	d.Weight = w
	b.version++
	return nil
}

func (b *Builder) liveDevice(id int) (*builderDevice, error) {
	if id < 0 || id >= len(b.devs) || b.devs[id] == nil {
		return nil, fmt.Errorf("%w: no device with id %d", ErrUnknownDevice, id)
	}
	if b.devs[id].removing {
		return nil, fmt.Errorf("%w: device %d is already being removed", ErrUnknownDevice, id)
	}
	return b.devs[id], nil
}

// Devices lists every device, including ones waiting to be removed, by id.
func (b *Builder) Devices() []BuilderDevice {
	parts := b.partsPerDevice()
	wop := b.weightOfOnePart()
	var out []BuilderDevice
	for id, d := range b.devs {
		if d == nil {
			continue
		}
		out = append(out, BuilderDevice{
			Device:   d.Device,
			Parts:    parts[id],
			Balance:  deviceBalance(parts[id], d.effectiveWeight(), wop),
			Removing: d.removing,
		})
	}
	return out
}

// effectiveWeight: a device on its way out wants no partitions.
func (d *builderDevice) effectiveWeight() float64 {
	if d.removing {
		return 0
	}
	return d.Weight
}

// Balance is swift-ring-builder's balance: the largest percentage by which
// any device's partition count differs from what its weight asks for.
func (b *Builder) Balance() float64 {
	parts := b.partsPerDevice()
	wop := b.weightOfOnePart()
	worst := 0.0
	for id, d := range b.devs {
		if d != nil {
			worst = max(worst, math.Abs(deviceBalance(parts[id], d.effectiveWeight(), wop)))
		}
	}
	return worst
}

// weightOfOnePart is Swift's: partition replicas per unit of weight.
func (b *Builder) weightOfOnePart() float64 {
	total := 0.0
	for _, d := range b.devs {
		if d != nil {
			total += d.effectiveWeight()
		}
	}
	if total == 0 {
		return 0
	}
	return float64(b.partitionCount()) * float64(b.replicas) / total
}

func deviceBalance(parts int, weight, weightOfOnePart float64) float64 {
	if weight == 0 || weightOfOnePart == 0 {
		if parts > 0 {
			return maxBalance
		}
		return 0
	}
	return 100*float64(parts)/(weight*weightOfOnePart) - 100
}

func (b *Builder) partitionCount() int { return 1 << b.partPower }

func (b *Builder) partsPerDevice() []int {
	counts := make([]int, len(b.devs))
	for _, row := range b.table {
		for _, id := range row {
			if id != noDevice {
				counts[id]++
			}
		}
	}
	return counts
}

// Ring snapshots the current table as an immutable Ring. Devices removed
// since the last rebalance are still in it: they still hold the data.
func (b *Builder) Ring() (*Ring, error) {
	if b.table == nil {
		return nil, fmt.Errorf("%w: run Rebalance first", ErrNotRebalanced)
	}
	table := make([][]uint16, len(b.table))
	for r, row := range b.table {
		if slices.Contains(row, noDevice) {
			return nil, fmt.Errorf("%w: replica %d has unassigned partitions", ErrNotRebalanced, r)
		}
		table[r] = slices.Clone(row)
	}
	devs := make([]*Device, len(b.devs))
	for id, d := range b.devs {
		if d != nil {
			dev := d.Device
			devs[id] = &dev
		}
	}
	version := b.version
	return newRing(b.partPower, devs, table, &version, nil), nil
}
