package ring

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRebalanceBalanceAndDispersion(t *testing.T) {
	b := testBuilder(t, 10, 3, sixDevicesThreeZones())
	if bal := b.Balance(); bal > 1 {
		t.Errorf("balance %.2f%%, want within 1%%", bal)
	}
	for _, d := range b.Devices() {
		if d.Parts != 512 { // 1024 partitions × 3 replicas / 6 equal devices
			t.Errorf("%v has %d partitions, want 512", d.Device, d.Parts)
		}
	}
	r := mustRing(t, b)
	for p := range r.PartitionCount() {
		zones := map[int]bool{}
		for _, d := range r.Primaries(p) {
			zones[d.Zone] = true
		}
		if len(zones) != 3 {
			t.Fatalf("partition %d has replicas in %d zones, want 3", p, len(zones))
		}
	}
}

func TestRebalanceDispersesUnevenTiers(t *testing.T) {
	tests := []struct {
		name string
		devs []Device
		// maxPerServer is the most replicas of one partition a server may hold.
		maxPerServer int
		maxBalance   float64
	}{
		{"two regions", twoRegionDevices(), 1, 1},
		{"weighted disks", func() []Device {
			devs := twoRegionDevices()
			for i := range devs {
				devs[i].Weight = float64(100 + 50*(i%3))
			}
			return devs
		}(), 1, 2},
		{"fewer servers than replicas", []Device{
			{Region: 1, Zone: 1, IP: "10.0.0.1", Port: 6200, Name: "d1", Weight: 100},
			{Region: 1, Zone: 1, IP: "10.0.0.1", Port: 6200, Name: "d2", Weight: 100},
			{Region: 1, Zone: 1, IP: "10.0.0.2", Port: 6200, Name: "d1", Weight: 100},
			{Region: 1, Zone: 1, IP: "10.0.0.2", Port: 6200, Name: "d2", Weight: 100},
		}, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := testBuilder(t, 9, 3, tt.devs)
			if bal := b.Balance(); bal > tt.maxBalance {
				t.Errorf("balance %.2f%%, want within %v%%", bal, tt.maxBalance)
			}
			r := mustRing(t, b)
			for p := range r.PartitionCount() {
				perServer := map[ipTier]int{}
				for _, d := range r.Primaries(p) {
					perServer[d.ipTier()]++
				}
				for server, n := range perServer {
					if n > tt.maxPerServer {
						t.Fatalf("partition %d has %d replicas on %v", p, n, server)
					}
				}
			}
		})
	}
}

func TestRebalanceAddDeviceMovesLittle(t *testing.T) {
	b := testBuilder(t, 10, 3, sixDevicesThreeZones())
	before := mustRing(t, b)
	newID, err := b.AddDevice(Device{Region: 1, Zone: 1, IP: "10.0.1.3", Port: 6200, Name: "d1", Weight: 100})
	if err != nil {
		t.Fatal(err)
	}
	moved, balance, err := b.RebalanceAt(testEpoch.Add(2 * time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	after := mustRing(t, b)

	// Ideal: the new device takes exactly its share and nothing else moves.
	share := float64(3*1024) / 7
	replicasMoved := 0
	for p := range after.PartitionCount() {
		old, cur := ids(before.Primaries(p)), ids(after.Primaries(p))
		for i := range cur {
			if cur[i] != old[i] {
				replicasMoved++
				if cur[i] != newID {
					t.Errorf("partition %d replica %d moved %d→%d, not to the new device", p, i, old[i], cur[i])
				}
			}
		}
	}
	if replicasMoved > int(math.Ceil(share)) || replicasMoved < int(math.Floor(share))-7 {
		t.Errorf("moved %d replicas, want about %.0f", replicasMoved, share)
	}
	if moved != replicasMoved { // one replica per partition at most
		t.Errorf("Rebalance reported %d partitions moved, table shows %d replicas", moved, replicasMoved)
	}
	if balance > 1 {
		t.Errorf("balance %.2f%% after adding a device", balance)
	}
}

func TestRebalanceSingleDevice(t *testing.T) {
	// The default single-node store: one device, one replica.
	b, err := NewBuilder(10, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.AddDevice(Device{Region: 1, Zone: 1, IP: "127.0.0.1", Port: 6200, Name: "d1", Weight: 1}); err != nil {
		t.Fatal(err)
	}
	moved, balance, err := b.Rebalance()
	if err != nil || moved != 1024 || balance != 0 {
		t.Fatalf("Rebalance = %d, %v, %v; want 1024, 0, nil", moved, balance, err)
	}
	r := mustRing(t, b)
	for p := range r.PartitionCount() {
		if got := ids(r.Primaries(p)); !slices.Equal(got, []int{0}) {
			t.Fatalf("partition %d on %v", p, got)
		}
		if h := slices.Collect(r.Handoffs(p)); len(h) != 0 {
			t.Fatalf("partition %d has handoffs %v with only one device", p, h)
		}
	}
	// Nothing changed: nothing moves.
	if moved, _, err := b.Rebalance(); err != nil || moved != 0 {
		t.Errorf("second Rebalance = %d, %v; want 0, nil", moved, err)
	}
}

func TestRebalanceTooFewDevices(t *testing.T) {
	b, _ := NewBuilder(4, 3, 1)
	b.AddDevice(Device{Region: 1, Zone: 1, IP: "10.0.0.1", Port: 6200, Name: "d1", Weight: 100})
	b.AddDevice(Device{Region: 1, Zone: 1, IP: "10.0.0.1", Port: 6200, Name: "d2", Weight: 100})
	b.AddDevice(Device{Region: 1, Zone: 1, IP: "10.0.0.1", Port: 6200, Name: "d3", Weight: 0})
	_, _, err := b.Rebalance()
	if !errors.Is(err, ErrTooFewDevices) {
		t.Fatalf("Rebalance = %v, want ErrTooFewDevices", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "3 replicas") || !strings.Contains(msg, "there are 2") {
		t.Errorf("message %q should say 3 replicas but 2 devices", msg)
	}
	if _, err := b.Ring(); !errors.Is(err, ErrNotRebalanced) {
		t.Errorf("Ring() = %v, want ErrNotRebalanced", err)
	}
}

func TestRebalanceDeterministic(t *testing.T) {
	build := func(seed int64) []byte {
		b, _ := NewBuilder(8, 3, 1)
		b.SetSeed(seed)
		for _, d := range twoRegionDevices() {
			b.AddDevice(d)
		}
		b.RebalanceAt(testEpoch)
		b.SetWeight(3, 300)
		b.RemoveDevice(7)
		b.RebalanceAt(testEpoch.Add(3 * time.Hour))
		var buf bytes.Buffer
		if err := mustRing(t, b).Encode(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	if !bytes.Equal(build(1), build(1)) {
		t.Error("same seed and operations gave different rings")
	}
	if bytes.Equal(build(1), build(2)) {
		t.Error("different seeds gave identical rings; is the seed used?")
	}
}

func TestRebalanceMinPartHours(t *testing.T) {
	b := testBuilder(t, 8, 3, sixDevicesThreeZones())
	b.AddDevice(Device{Region: 1, Zone: 2, IP: "10.0.2.3", Port: 6200, Name: "d1", Weight: 100})
	// Every partition just moved, so within the hour none may move again.
	if moved, _, err := b.RebalanceAt(testEpoch.Add(30 * time.Minute)); err != nil || moved != 0 {
		t.Fatalf("Rebalance within min_part_hours moved %d (%v), want 0", moved, err)
	}
	b.PretendMinPartHoursPassed()
	if moved, _, err := b.RebalanceAt(testEpoch.Add(40 * time.Minute)); err != nil || moved == 0 {
		t.Fatalf("Rebalance after PretendMinPartHoursPassed moved %d (%v), want some", moved, err)
	}
	// Those partitions are locked again; removing a device still drains it.
	if err := b.RemoveDevice(0); err != nil {
		t.Fatal(err)
	}
	moved, _, err := b.RebalanceAt(testEpoch.Add(50 * time.Minute))
	if err != nil || moved == 0 {
		t.Fatalf("Rebalance after removal moved %d (%v)", moved, err)
	}
	for _, d := range b.Devices() {
		if d.ID == 0 {
			t.Fatal("removed device 0 is still in the builder after rebalance")
		}
	}
	r := mustRing(t, b)
	if _, ok := r.Device(0); ok {
		t.Error("removed device 0 is still in the ring")
	}
	// The freed id is reused, as swift-ring-builder does.
	if id, err := b.AddDevice(Device{Region: 1, Zone: 3, IP: "10.0.3.9", Port: 6200, Name: "d1", Weight: 100}); err != nil || id != 0 {
		t.Errorf("AddDevice = %d, %v; want the freed id 0", id, err)
	}
}

func TestRebalanceWeights(t *testing.T) {
	b := testBuilder(t, 10, 1, []Device{
		{Region: 1, Zone: 1, IP: "10.0.0.1", Port: 6200, Name: "d1", Weight: 100},
		{Region: 1, Zone: 2, IP: "10.0.0.2", Port: 6200, Name: "d1", Weight: 300},
	})
	parts := func() []int {
		var out []int
		for _, d := range b.Devices() {
			out = append(out, d.Parts)
		}
		return out
	}
	if got := parts(); !slices.Equal(got, []int{256, 768}) {
		t.Errorf("parts %v, want [256 768] for weights 100:300", got)
	}
	// Zero weight drains a device but keeps it in the ring.
	if err := b.SetWeight(0, 0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.RebalanceAt(testEpoch.Add(2 * time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := parts(); !slices.Equal(got, []int{0, 1024}) {
		t.Errorf("parts %v, want [0 1024] after zeroing device 0", got)
	}
	if _, ok := mustRing(t, b).Device(0); !ok {
		t.Error("zero-weight device vanished from the ring")
	}
}

func TestBuilderValidation(t *testing.T) {
	ok := Device{Region: 1, Zone: 1, IP: "10.0.0.1", Port: 6200, Name: "d1", Weight: 1}
	with := func(f func(*Device)) Device { d := ok; f(&d); return d }

	for _, tt := range []struct {
		name                   string
		power                  uint
		replicas, minPartHours int
	}{
		{"part power too big", MaxPartPower + 1, 3, 1},
		{"no replicas", 8, 0, 1},
		{"negative min part hours", 8, 3, -1},
		{"min part hours beyond a byte", 8, 3, 256},
	} {
		if _, err := NewBuilder(tt.power, tt.replicas, tt.minPartHours); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%s: NewBuilder = %v, want ErrInvalidArgument", tt.name, err)
		}
	}

	b, _ := NewBuilder(4, 1, 0)
	if _, err := b.AddDevice(ok); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		dev  Device
		want error
	}{
		{"same ip:port/device", ok, ErrDuplicateDevice},
		{"no ip", with(func(d *Device) { d.IP = "" }), ErrInvalidArgument},
		{"port 0", with(func(d *Device) { d.Port = 0 }), ErrInvalidArgument},
		{"port too big", with(func(d *Device) { d.Port = 70000 }), ErrInvalidArgument},
		{"no name", with(func(d *Device) { d.Name = "" }), ErrInvalidArgument},
		{"name with slash", with(func(d *Device) { d.Name = "../etc" }), ErrInvalidArgument},
		{"negative weight", with(func(d *Device) { d.Weight = -1 }), ErrInvalidArgument},
		{"NaN weight", with(func(d *Device) { d.Weight = math.NaN() }), ErrInvalidArgument},
		{"negative zone", with(func(d *Device) { d.Zone = -1 }), ErrInvalidArgument},
	} {
		if _, err := b.AddDevice(tt.dev); !errors.Is(err, tt.want) {
			t.Errorf("%s: AddDevice = %v, want %v", tt.name, err, tt.want)
		}
	}
	if err := b.AddDeviceWithID(with(func(d *Device) { d.ID = 0; d.Name = "d2" })); !errors.Is(err, ErrDuplicateDevice) {
		t.Errorf("AddDeviceWithID(taken id) = %v", err)
	}
	if err := b.AddDeviceWithID(with(func(d *Device) { d.ID = 65535; d.Name = "d2" })); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("AddDeviceWithID(65535) = %v", err)
	}
	if err := b.AddDeviceWithID(with(func(d *Device) { d.ID = 5; d.Name = "d2" })); err != nil {
		t.Errorf("AddDeviceWithID(5) = %v", err)
	}
	if id, _ := b.AddDevice(with(func(d *Device) { d.Name = "d3" })); id != 1 {
		t.Errorf("AddDevice after a hole got id %d, want the lowest free id 1", id)
	}
	for _, id := range []int{-1, 2, 99} {
		if err := b.RemoveDevice(id); !errors.Is(err, ErrUnknownDevice) {
			t.Errorf("RemoveDevice(%d) = %v", id, err)
		}
		if err := b.SetWeight(id, 1); !errors.Is(err, ErrUnknownDevice) {
			t.Errorf("SetWeight(%d) = %v", id, err)
		}
	}
	if err := b.SetWeight(0, math.Inf(1)); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("SetWeight(+Inf) = %v", err)
	}
	if err := b.RemoveDevice(0); err != nil {
		t.Fatal(err)
	}
	if err := b.RemoveDevice(0); !errors.Is(err, ErrUnknownDevice) {
		t.Errorf("removing twice = %v", err)
	}
}

func TestBuilderFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "object.builder")

	b := testBuilder(t, 8, 3, twoRegionDevices())
	b.SetSeed(42)
	b.RemoveDevice(5)
	if err := b.SaveBuilder(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadBuilder(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(loaded.Devices(), b.Devices()) || loaded.Version() != b.Version() ||
		loaded.PartPower() != 8 || loaded.Replicas() != 3 || loaded.MinPartHours() != 1 {
		t.Fatal("loaded builder differs from the saved one")
	}
	// The same future from both: persistence keeps seed, ages and removals.
	later := testEpoch.Add(5 * time.Hour)
	m1, b1, err1 := b.RebalanceAt(later)
	m2, b2, err2 := loaded.RebalanceAt(later)
	if m1 != m2 || b1 != b2 || err1 != nil || err2 != nil {
		t.Fatalf("rebalance after reload: %d %v %v vs %d %v %v", m1, b1, err1, m2, b2, err2)
	}
	var e1, e2 bytes.Buffer
	mustRing(t, b).Encode(&e1)
	mustRing(t, loaded).Encode(&e2)
	if !bytes.Equal(e1.Bytes(), e2.Bytes()) {
		t.Error("rings differ after a builder round trip")
	}

	// A never-rebalanced builder round-trips too.
	fresh, _ := NewBuilder(4, 1, 0)
	if err := fresh.SaveBuilder(path); err != nil {
		t.Fatal(err)
	}
	if got, err := LoadBuilder(path); err != nil || len(got.Devices()) != 0 {
		t.Fatalf("LoadBuilder(fresh) = %v, %v", got, err)
	}
}

func TestLoadBuilderRejects(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, content []byte) string {
		p := filepath.Join(dir, name)
		if err := writeFileAtomic(p, func(w io.Writer) error { _, err := w.Write(content); return err }); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name    string
		content []byte
	}{
		{"plain text", []byte("not gzip")},
		{"a ring file", mustEncode(t, mustRing(t, testBuilder(t, 2, 1, sixDevicesThreeZones())))},
		{"wrong format", gzipBytes(t, []byte(`{"format":"swift","format_version":1}`))},
		{"short table", gzipBytes(t, []byte(`{"format":"sciswift-ring-builder","format_version":1,"part_power":2,"replicas":1,`+
			`"devs":[{"id":0,"region":1,"zone":1,"ip":"a","port":1,"device":"d","weight":1}],"replica2part2dev":["AAA="],"last_part_moves":"AAAAAA=="}`))},
		{"unknown device in table", gzipBytes(t, []byte(`{"format":"sciswift-ring-builder","format_version":1,"part_power":0,"replicas":1,`+
			`"devs":[{"id":0,"region":1,"zone":1,"ip":"a","port":1,"device":"d","weight":1}],"replica2part2dev":["AQA="],"last_part_moves":"AA=="}`))},
	}
	for i, tt := range tests {
		if _, err := LoadBuilder(write(fmt.Sprintf("%d.builder", i), tt.content)); !errors.Is(err, ErrBadBuilderFile) {
			t.Errorf("%s: LoadBuilder = %v, want ErrBadBuilderFile", tt.name, err)
		}
	}
}

func mustEncode(t testing.TB, r *Ring) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Placement must not march in lockstep: when a disk fails, its partitions'
// other replicas should be spread over many disks so rebuilds run in
// parallel. Each device here can share partitions with the 20 devices
// outside its own zone.
func TestRebalanceSpreadsReplicaPeers(t *testing.T) {
	r := mustRing(t, testBuilder(t, 10, 3, twoRegionDevices()))
	peers := map[int]map[int]bool{}
	for p := range r.PartitionCount() {
		prim := ids(r.Primaries(p))
		for _, a := range prim {
			if peers[a] == nil {
				peers[a] = map[int]bool{}
			}
			for _, b := range prim {
				if a != b {
					peers[a][b] = true
				}
			}
		}
	}
	for dev, set := range peers {
		if len(set) < 18 {
			t.Errorf("device %d shares partitions with only %d other devices, want at least 18 of 20", dev, len(set))
		}
	}
}
