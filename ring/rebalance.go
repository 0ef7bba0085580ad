package ring

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// Rebalance reassigns partitions after device changes (see RebalanceAt).
func (b *Builder) Rebalance() (moved int, balance float64, err error) {
	return b.RebalanceAt(time.Now())
}

// RebalanceAt is Rebalance with an explicit clock, which only matters for
// min part hours. moved counts partitions with at least one replica on a
// new device (swift-ring-builder's "Reassigned N partitions"); balance is
// as Balance.
//
// Like Swift, it works in three steps: take replicas off removed devices,
// off tiers holding more of a partition than their share, and off devices
// holding more than their weight asks for; then place every loose replica,
// walking region → zone → server → device and picking at each level the
// child that keeps the partition most dispersed and most wants partitions.
// A partition gives up at most one replica per rebalance (removals aside)
// so that a partition never has two replicas in flight at once.
func (b *Builder) RebalanceAt(now time.Time) (moved int, balance float64, err error) {
	if n := b.weightedDeviceCount(); n < b.replicas {
		return 0, 0, fmt.Errorf("%w: %d replicas need at least %d devices with weight, but there are %d",
			ErrTooFewDevices, b.replicas, b.replicas, n)
	}
	if b.table == nil {
		b.initTable(now)
	}
	b.ageParts(now)
	before := make([][]uint16, len(b.table))
	for r, row := range b.table {
		before[r] = slices.Clone(row)
	}

	s := newRebalanceState(b)
	s.gatherFromRemoved()
	s.gatherForDispersion()
	// Replicas freed from a device cannot always land where they are
	// wanted (the needy device may already hold that partition), so, like
	// Swift, go round again with the partitions not yet touched while that
	// keeps improving the balance.
	best := math.Inf(1)
	for pass := 0; pass < maxRebalancePasses; pass++ {
		if freed := s.gatherForBalance(); freed == 0 && pass > 0 {
			break
		}
		if err := s.placeLoose(); err != nil {
			// Leave the builder as it was rather than half-assigned.
			b.table = before
			return 0, 0, err
		}
		bal := b.Balance()
		if bal >= best-0.01 {
			break
		}
		best = bal
	}

	for p := range b.partitionCount() {
		for r := range b.table {
			if b.table[r][p] != before[r][p] {
				b.lastPartMoves[p] = 0
				moved++
				break
			}
		}
	}
	dropped := false
	for id, d := range b.devs {
		if d != nil && d.removing {
			b.devs[id] = nil
			dropped = true
		}
	}
	if moved > 0 || dropped {
		b.version++
	}
	return moved, b.Balance(), nil
}

// maxRebalancePasses bounds the gather/place rounds of one rebalance; each
// round can only use partitions untouched so far, so gains fade quickly.
const maxRebalancePasses = 8

func (b *Builder) weightedDeviceCount() int {
	n := 0
	for _, d := range b.devs {
		if d != nil && d.effectiveWeight() > 0 {
			n++
		}
	}
	return n
}

func (b *Builder) initTable(now time.Time) {
	parts := b.partitionCount()
	b.table = make([][]uint16, b.replicas)
	for r := range b.table {
		b.table[r] = slices.Repeat([]uint16{noDevice}, parts)
	}
	b.lastPartMoves = slices.Repeat([]uint8{math.MaxUint8}, parts)
	b.lastPartMovesEpoch = now.Unix()
}

// ageParts adds the whole hours elapsed since the last update to every
// partition's age, as Swift's _update_last_part_moves.
func (b *Builder) ageParts(now time.Time) {
	hours := (now.Unix() - b.lastPartMovesEpoch) / 3600
	if hours <= 0 {
		return
	}
	for p, age := range b.lastPartMoves {
		b.lastPartMoves[p] = uint8(min(int64(age)+hours, math.MaxUint8))
	}
	b.lastPartMovesEpoch = now.Unix()
}

type rebalanceState struct {
	b       *Builder
	root    *tierNode
	leaf    []*tierNode // by device id; nil for removed or removing devices
	touched []bool      // partitions that already gave up a replica
	rng     *rand.Rand
}

func newRebalanceState(b *Builder) *rebalanceState {
	s := &rebalanceState{
		b:       b,
		root:    &tierNode{},
		leaf:    make([]*tierNode, len(b.devs)),
		touched: make([]bool, b.partitionCount()),
		// Mixing in the version gives each rebalance its own stream while
		// keeping the whole history reproducible.
		rng: rand.New(rand.NewPCG(uint64(b.seed), uint64(b.version))),
	}
	s.buildTree()
	s.setTargets()
	for _, row := range b.table {
		for _, id := range row {
			if id != noDevice && s.leaf[id] != nil {
				s.leaf[id].addAssigned(1)
			}
		}
	}
	return s
}

// unassign frees replica r of partition p.
func (s *rebalanceState) unassign(r, p int) {
	id := s.b.table[r][p]
	if l := s.leaf[id]; l != nil {
		l.addAssigned(-1)
	}
	s.b.table[r][p] = noDevice
	s.touched[p] = true
}

// movable says whether partition p may give up a replica now.
func (s *rebalanceState) movable(p int) bool {
	return !s.touched[p] && int(s.b.lastPartMoves[p]) >= s.b.minPartHours
}

func (s *rebalanceState) gatherFromRemoved() {
	for r, row := range s.b.table {
		for p, id := range row {
			if id != noDevice && s.leaf[id] == nil {
				s.unassign(r, p)
			}
		}
	}
}

// gatherForDispersion frees one replica of each partition that a tier
// holds more of than its share allows, e.g. two replicas in one zone
// when there are as many zones as replicas.
func (s *rebalanceState) gatherForDispersion() {
	for p := range s.b.partitionCount() {
		if !s.movable(p) {
			continue
		}
		counts := s.partCounts(p)
		for _, c := range counts {
			if c.have <= c.node.maxPerPart() {
				continue
			}
			if r := s.mostOverloadedReplica(p, c.node); r >= 0 {
				s.unassign(r, p)
			}
			break
		}
	}
}

// mostOverloadedReplica picks, among replicas of p under tier n, the one
// on the device furthest over its target, so fixing dispersion also helps
// balance.
func (s *rebalanceState) mostOverloadedReplica(p int, n *tierNode) int {
	best, bestOver := -1, math.Inf(-1)
	for r, row := range s.b.table {
		if row[p] == noDevice {
			continue
		}
		l := s.leaf[row[p]]
		if l == nil || !under(l, n) {
			continue
		}
		// A second replica on the same device is always the one to go.
		for _, earlier := range s.b.table[:r] {
			if earlier[p] == row[p] {
				return r
			}
		}
		if over := -l.wanted(); over > bestOver {
			best, bestOver = r, over
		}
	}
	return best
}

// gatherForBalance frees replicas from devices holding more than their
// target, first down to ceil(target), then, if devices below floor(target)
// still would not fill up, one more from the most loaded devices. It
// returns how many replicas it freed.
func (s *rebalanceState) gatherForBalance() (freed int) {
	slots := s.slotsByDevice()
	for id, l := range s.leaf {
		if l == nil {
			continue
		}
		for _, sl := range slots[id] {
			if l.assigned <= int(math.Ceil(l.target-eps)) {
				break
			}
			if s.movable(sl.p) {
				s.unassign(sl.r, sl.p)
				freed++
			}
		}
	}

	need := 0
	for _, l := range s.leaf {
		if l != nil && l.dev.Weight > 0 {
			need += max(0, int(math.Floor(l.target+eps))-l.assigned)
		}
	}
	need -= s.looseCount()
	for need > 0 {
		var donors []int
		for id, l := range s.leaf {
			if l != nil && float64(l.assigned) > l.target+eps {
				donors = append(donors, id)
			}
		}
		// Most overloaded (most negative wanted) first.
		slices.SortStableFunc(donors, func(a, b int) int {
			return cmp.Compare(s.leaf[a].wanted(), s.leaf[b].wanted())
		})
		progress := false
		for _, id := range donors {
			if need == 0 {
				break
			}
			for i, sl := range slots[id] {
				if s.b.table[sl.r][sl.p] == uint16(id) && s.movable(sl.p) {
					s.unassign(sl.r, sl.p)
					slots[id] = slots[id][i+1:]
					need--
					freed++
					progress = true
					break
				}
			}
		}
		if !progress {
			return freed
		}
	}
	return freed
}

type slot struct{ r, p int }

// slotsByDevice lists each device's replicas, shuffled so that which
// partitions leave an overloaded device is random (and reproducible).
func (s *rebalanceState) slotsByDevice() [][]slot {
	slots := make([][]slot, len(s.leaf))
	for r, row := range s.b.table {
		for p, id := range row {
			if id != noDevice && s.leaf[id] != nil {
				slots[id] = append(slots[id], slot{r, p})
			}
		}
	}
	for _, sl := range slots {
		s.rng.Shuffle(len(sl), func(i, j int) { sl[i], sl[j] = sl[j], sl[i] })
	}
	return slots
}

func (s *rebalanceState) looseCount() int {
	n := 0
	for _, row := range s.b.table {
		for _, id := range row {
			if id == noDevice {
				n++
			}
		}
	}
	return n
}

// placeLoose assigns every free slot.
func (s *rebalanceState) placeLoose() error {
	for p := range s.b.partitionCount() {
		for r, row := range s.b.table {
			if row[p] != noDevice {
				continue
			}
			l := s.choose(p)
			if l == nil {
				return fmt.Errorf("%w: no device left for replica %d of partition %d", ErrTooFewDevices, r, p)
			}
			row[p] = uint16(l.dev.ID)
			l.addAssigned(1)
		}
	}
	return nil
}

// choose walks down the tree, at each level taking the child that is least
// crowded by partition p and then most wants partitions, among children
// with a weighted device not already holding p. Children within one
// partition of the neediest count as tied and one is drawn at random:
// always taking the single neediest makes placement march in lockstep, so
// that each device shares partitions with only a couple of others, and
// rebuilding a failed disk would then lean on those few.
func (s *rebalanceState) choose(p int) *tierNode {
	counts := s.partCounts(p)
	n := s.root
	for n.dev == nil {
		bestClass, mostWanted := 3, math.Inf(-1)
		for _, c := range n.children {
			have, weightedHolders := counts.of(c)
			if c.weightedDevs-weightedHolders <= 0 {
				continue
			}
			class := c.class(have)
			if class < bestClass || class == bestClass && c.wanted() > mostWanted {
				bestClass, mostWanted = class, c.wanted()
			}
		}
		var pick *tierNode
		ties := 0
		for _, c := range n.children {
			have, weightedHolders := counts.of(c)
			if c.weightedDevs-weightedHolders <= 0 || c.class(have) != bestClass || c.wanted() <= mostWanted-1 {
				continue
			}
			if ties++; s.rng.IntN(ties) == 0 {
				pick = c
			}
		}
		if pick == nil {
			return nil
		}
		n = pick
	}
	return n
}
