package ring

import (
	"math"
	"slices"
)

// The rebalancer sees the devices as a tree: root → regions → zones →
// servers (ip) → devices. Each node knows its share of the replicas and how
// many partitions it holds, which is all placement needs to decide.

// tierNode is one region, zone, server (ip) or device. The tree holds every
// device not being removed; zero-weight devices are in it (their replicas
// still count for dispersion) but are never chosen.
type tierNode struct {
	children []*tierNode
	parent   *tierNode
	dev      *builderDevice // leaves only
	// replicanths is how many replicas of each partition this tier should
	// hold on average; target = replicanths × partitions.
	replicanths  float64
	target       float64
	assigned     int
	weightedDevs int
}

func (n *tierNode) wanted() float64 { return n.target - float64(n.assigned) }

// Fractional shares come out of float sums; eps keeps 0.9999999 meaning 1.
const eps = 1e-9

// maxPerPart is the most replicas of one partition this tier may hold
// without being over its share.
func (n *tierNode) maxPerPart() int { return int(math.Ceil(n.replicanths - eps)) }

// class ranks how welcome one more replica of a partition is in this tier,
// given it already holds have: 0 below its guaranteed share, 1 within its
// fractional share, 2 over.
func (n *tierNode) class(have int) int {
	switch {
	case have < int(math.Floor(n.replicanths+eps)):
		return 0
	case have < n.maxPerPart():
		return 1
	}
	return 2
}

func (n *tierNode) addAssigned(delta int) {
	for ; n != nil; n = n.parent {
		n.assigned += delta
	}
}

func (s *rebalanceState) buildTree() {
	// Region, zone and server keys have distinct types, so one map serves
	// all three levels.
	index := map[any]*tierNode{}
	child := func(key any, parent *tierNode) *tierNode {
		if n, ok := index[key]; ok {
			return n
		}
		n := &tierNode{parent: parent}
		parent.children = append(parent.children, n)
		index[key] = n
		return n
	}
	for id, d := range s.b.devs {
		if d == nil || d.removing {
			continue
		}
		region := child(d.Region, s.root)
		zone := child(d.zoneTier(), region)
		server := child(d.ipTier(), zone)
		leaf := &tierNode{parent: server, dev: d}
		server.children = append(server.children, leaf)
		s.leaf[id] = leaf
		if d.Weight > 0 {
			for n := leaf; n != nil; n = n.parent {
				n.weightedDevs++
			}
		}
	}
}

// setTargets gives each device its weight's share of replicas, capped at
// one replica of every partition (a device never holds two), handing the
// excess of capped devices to the others in proportion to weight; then
// sums the shares up the tree.
func (s *rebalanceState) setTargets() {
	var open []*tierNode
	for _, l := range s.leaf {
		if l != nil && l.dev.Weight > 0 {
			open = append(open, l)
		}
	}
	left := float64(s.b.replicas)
	for len(open) > 0 {
		weight := 0.0
		for _, l := range open {
			weight += l.dev.Weight
		}
		var capped []*tierNode
		for _, l := range open {
			l.replicanths = left * l.dev.Weight / weight
			if l.replicanths > 1+eps {
				capped = append(capped, l)
			}
		}
		if len(capped) == 0 {
			break
		}
		for _, l := range capped {
			l.replicanths = 1
			left--
		}
		open = slices.DeleteFunc(open, func(l *tierNode) bool { return slices.Contains(capped, l) })
	}
	parts := float64(s.b.partitionCount())
	for _, l := range s.leaf {
		if l == nil {
			continue
		}
		for n := l.parent; n != nil; n = n.parent {
			n.replicanths += l.replicanths
		}
	}
	var setTarget func(n *tierNode)
	setTarget = func(n *tierNode) {
		n.target = n.replicanths * parts
		for _, c := range n.children {
			setTarget(c)
		}
	}
	setTarget(s.root)
}

// under reports whether l is n or one of its descendants.
func under(l, n *tierNode) bool {
	for ; l != nil; l = l.parent {
		if l == n {
			return true
		}
	}
	return false
}

// tierCount is how many replicas of one partition a tier holds.
type tierCount struct {
	node            *tierNode
	have            int
	weightedHolders int
}

type tierCounts []tierCount

func (tc tierCounts) of(n *tierNode) (have, weightedHolders int) {
	for _, c := range tc {
		if c.node == n {
			return c.have, c.weightedHolders
		}
	}
	return 0, 0
}

// partCounts tallies partition p's replicas per tier, top tiers first (so
// gatherForDispersion fixes the widest violation).
func (s *rebalanceState) partCounts(p int) tierCounts {
	var tc tierCounts
	for _, row := range s.b.table {
		id := row[p]
		if id == noDevice || s.leaf[id] == nil {
			continue
		}
		weighted := 0
		if s.leaf[id].dev.Weight > 0 {
			weighted = 1
		}
		for n := s.leaf[id]; n.parent != nil; n = n.parent {
			i := slices.IndexFunc(tc, func(c tierCount) bool { return c.node == n })
			if i < 0 {
				tc = append(tc, tierCount{node: n})
				i = len(tc) - 1
			}
			tc[i].have++
			tc[i].weightedHolders += weighted
		}
	}
	slices.SortStableFunc(tc, func(a, b tierCount) int { return depth(a.node) - depth(b.node) })
	return tc
}

func depth(n *tierNode) int {
	d := 0
	for ; n.parent != nil; n = n.parent {
		d++
	}
	return d
}
