package ring

import (
	"crypto/md5"
	"encoding/binary"
	"iter"
	"strconv"
)

// Handoffs yields the devices to try when primaries of part are down, in the
// order of Swift's Ring.get_more_nodes: first devices in regions no primary
// is in, then in new zones, then on new servers (ip), then any other device.
// Primaries are never yielded, nor devices that hold no partition at all
// (new or drained ones), exactly as in Swift.
//
// Swift walks the table from a start point derived from md5(str(part)); so
// do we, including its stride arithmetic, which can skip one partition. A
// device seen only there would never be offered by Swift; we yield such
// stragglers last, in id order, so every other assigned device is reachable.
func (r *Ring) Handoffs(part uint32) iter.Seq[Device] {
	return func(yield func(Device) bool) {
		if int64(part) >= int64(len(r.replica2part2dev[0])) {
			return
		}
		w := handoffWalk{r: r, used: make([]bool, len(r.devs)), yield: yield,
			regions: map[int]bool{}, zones: map[zoneTier]bool{}, ips: map[ipTier]bool{}}
		for _, id := range r.primaryIDs(part) {
			w.use(id)
		}
		w.start, w.inc = handoffStart(r, part)

		passes := []struct {
			done  func() bool
			fresh func(d *Device) bool
		}{
			{func() bool { return len(w.regions) == r.numRegions }, func(d *Device) bool { return !w.regions[d.Region] }},
			{func() bool { return len(w.zones) == r.numZones }, func(d *Device) bool { return !w.zones[d.zoneTier()] }},
			{func() bool { return len(w.ips) == r.numIPs }, func(d *Device) bool { return !w.ips[d.ipTier()] }},
			{func() bool { return w.numUsed == r.numAssignedDevs }, func(*Device) bool { return true }},
		}
		for _, p := range passes {
			if !w.pass(p.done, p.fresh) {
				return
			}
		}
		w.stragglers()
	}
}

// handoffStart is Swift's starting partition and stride for the table walk.
func handoffStart(r *Ring, part uint32) (start, inc int) {
	sum := md5.Sum([]byte(strconv.FormatUint(uint64(part), 10)))
	start = int(binary.BigEndian.Uint32(sum[:4]) >> r.partShift)
	inc = len(r.replica2part2dev[0]) / 65536
	if inc == 0 {
		inc = 1
	}
	return start, inc
}

// handoffWalk carries the "already used" sets across the passes.
type handoffWalk struct {
	r          *Ring
	start, inc int
	used       []bool
	numUsed    int
	regions    map[int]bool
	zones      map[zoneTier]bool
	ips        map[ipTier]bool
	yield      func(Device) bool
}

func (w *handoffWalk) use(id uint16) {
	if w.used[id] {
		return
	}
	d := w.r.devs[id]
	w.used[id] = true
	w.numUsed++
	w.regions[d.Region] = true
	w.zones[d.zoneTier()] = true
	w.ips[d.ipTier()] = true
}

// pass walks the table once, yielding unused devices that fresh accepts,
// and stops as soon as done reports the tier exhausted. It returns false
// when the consumer stopped the iteration.
func (w *handoffWalk) pass(done func() bool, fresh func(*Device) bool) bool {
	parts := len(w.r.replica2part2dev[0])
	// Swift: chain(range(start, parts, inc), range(inc - ((parts - start) % inc), start, inc))
	ranges := [2][2]int{{w.start, parts}, {w.inc - (parts-w.start)%w.inc, w.start}}
	for _, rg := range ranges {
		for hp := rg[0]; hp < rg[1]; hp += w.inc {
			if done() {
				return true
			}
			for _, row := range w.r.replica2part2dev {
				if hp >= len(row) {
					continue
				}
				id := row[hp]
				if w.used[id] || !fresh(w.r.devs[id]) {
					continue
				}
				w.use(id)
				if !w.yield(*w.r.devs[id]) {
					return false
				}
				if done() {
					break
				}
			}
		}
	}
	return true
}

// stragglers yields assigned devices that the stride walk never reached.
func (w *handoffWalk) stragglers() {
	if w.numUsed == w.r.numAssignedDevs {
		return
	}
	assigned := make([]bool, len(w.r.devs))
	for _, row := range w.r.replica2part2dev {
		for _, id := range row {
			assigned[id] = true
		}
	}
	for id, d := range w.r.devs {
		if d == nil || !assigned[id] || w.used[id] {
			continue
		}
		w.use(uint16(id))
		if !w.yield(*d) {
			return
		}
	}
}
