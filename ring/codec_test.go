package ring

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDecodeSwiftLayout(t *testing.T) {
	bigHeader := strings.Replace(twoDevHeader, `"little"`, `"big"`, 1)
	// Rings from before Swift recorded byteorder, version, region or the
	// replication network.
	oldHeader := `{"devs": [{"device": "sda", "id": 0, "ip": "10.0.0.1", "meta": "", "port": 6000, "weight": 1.0, "zone": 1}], "part_shift": 31, "replica_count": 1}`
	tests := []struct {
		name        string
		file        []byte
		partPower   uint
		replicas    int
		devIDs      []int
		primaries   map[uint32][]int
		version     int64
		hasVersion  bool
		checkDevice *Device
	}{
		{
			name:      "little endian with removed device",
			file:      swiftRing(t, twoDevHeader, binary.LittleEndian, []uint16{0, 2, 0, 2}, []uint16{2, 0, 2, 0}),
			partPower: 2, replicas: 2, devIDs: []int{0, 2},
			primaries: map[uint32][]int{0: {0, 2}, 1: {2, 0}, 3: {2, 0}},
			version:   7, hasVersion: true,
			checkDevice: &Device{ID: 2, Region: 2, Zone: 3, IP: "10.0.0.2", Port: 6201, Name: "sdb",
				Weight: 50.5, Meta: "rack 4", ReplicationIP: "192.168.0.2", ReplicationPort: 6301},
		},
		{
			name:      "big endian",
			file:      swiftRing(t, bigHeader, binary.BigEndian, []uint16{0, 2, 0, 2}, []uint16{2, 0, 2, 0}),
			partPower: 2, replicas: 2, devIDs: []int{0, 2},
			primaries: map[uint32][]int{0: {0, 2}, 1: {2, 0}, 2: {0, 2}},
			version:   7, hasVersion: true,
		},
		{
			name: "fractional replica count: last row shorter",
			file: swiftRing(t, strings.Replace(twoDevHeader, `"replica_count": 2`, `"replica_count": 3`, 1),
				binary.LittleEndian, []uint16{0, 0, 0, 0}, []uint16{2, 2, 2, 2}, []uint16{0, 2}),
			partPower: 2, replicas: 3, devIDs: []int{0, 2},
			// Partition 0's third replica repeats device 0: listed once, as Swift.
			primaries: map[uint32][]int{0: {0, 2}, 1: {0, 2}, 3: {0, 2}, 4: {}},
			version:   7, hasVersion: true,
		},
		{
			name:      "old ring: defaults for byteorder, region, replication",
			file:      swiftRing(t, oldHeader, binary.LittleEndian, []uint16{0, 0}),
			partPower: 1, replicas: 1, devIDs: []int{0},
			primaries: map[uint32][]int{0: {0}, 1: {0}},
			checkDevice: &Device{ID: 0, Region: 1, Zone: 1, IP: "10.0.0.1", Port: 6000, Name: "sda",
				Weight: 1, ReplicationIP: "10.0.0.1", ReplicationPort: 6000},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Decode(bytes.NewReader(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if r.PartPower() != tt.partPower || r.PartitionCount() != 1<<tt.partPower || r.ReplicaCount() != tt.replicas {
				t.Errorf("power %d count %d replicas %d, want %d %d %d",
					r.PartPower(), r.PartitionCount(), r.ReplicaCount(), tt.partPower, 1<<tt.partPower, tt.replicas)
			}
			if got := ids(r.Devices()); !slices.Equal(got, tt.devIDs) {
				t.Errorf("device ids %v, want %v", got, tt.devIDs)
			}
			for part, want := range tt.primaries {
				if got := ids(r.Primaries(part)); !slices.Equal(got, want) {
					t.Errorf("Primaries(%d) = %v, want %v", part, got, want)
				}
			}
			if v, ok := r.Version(); v != tt.version || ok != tt.hasVersion {
				t.Errorf("Version() = %d, %v, want %d, %v", v, ok, tt.version, tt.hasVersion)
			}
			if tt.checkDevice != nil {
				if got, ok := r.Device(tt.checkDevice.ID); !ok || got != *tt.checkDevice {
					t.Errorf("Device(%d) = %+v, want %+v", tt.checkDevice.ID, got, *tt.checkDevice)
				}
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	le := binary.LittleEndian
	hdr := func(from, to string) string { return strings.Replace(twoDevHeader, from, to, 1) }
	good := [][]uint16{{0, 2, 0, 2}, {2, 0, 2, 0}}
	goodRaw := swiftLayout("R1NG", 1, twoDevHeader, le, good...)
	validGzip := gzipBytes(t, goodRaw)
	badCRC := slices.Clone(validGzip)
	badCRC[len(badCRC)-8] ^= 0xff

	tests := []struct {
		name string
		file []byte
		want error
		msg  string // a fragment the message must contain
	}{
		{"empty", nil, ErrBadMagic, "gzip"},
		{"not gzip", []byte("hello, I am a text file"), ErrBadMagic, "gzip"},
		{"pickled ring", gzipBytes(t, []byte("\x80\x02}q\x00(U\x04devs")), ErrBadMagic, "magic"},
		{"too short for magic", gzipBytes(t, []byte("R1")), ErrCorrupt, "truncated"},
		{"format version 2", gzipBytes(t, swiftLayout("R1NG", 2, twoDevHeader, le, good...)), ErrUnsupportedVersion, "2"},
		{"huge header length", gzipBytes(t, append([]byte("R1NG\x00\x01"), 0xff, 0xff, 0xff, 0xff)), ErrTooLarge, "header"},
		{"header truncated", gzipBytes(t, goodRaw[:40]), ErrCorrupt, "truncated"},
		{"header not JSON", swiftRing(t, "{not json}", le), ErrCorrupt, "JSON"},
		{"devs not a list", swiftRing(t, `{"devs": "x", "part_shift": 30, "replica_count": 1}`, le), ErrCorrupt, "JSON"},
		{"no part_shift", swiftRing(t, `{"devs": [], "replica_count": 1}`, le), ErrCorrupt, "part_shift"},
		{"part power 32", swiftRing(t, hdr(`"part_shift": 30`, `"part_shift": 0`), le), ErrTooLarge, "part power 32"},
		{"part power 33", swiftRing(t, hdr(`"part_shift": 30`, `"part_shift": -1`), le), ErrTooLarge, "part power 33"},
		{"negative part power", swiftRing(t, hdr(`"part_shift": 30`, `"part_shift": 33`), le), ErrCorrupt, "part_shift"},
		{"zero replicas", swiftRing(t, hdr(`"replica_count": 2`, `"replica_count": 0`), le), ErrCorrupt, "replica_count"},
		{"absurd replicas", swiftRing(t, hdr(`"replica_count": 2`, `"replica_count": 100000`), le), ErrTooLarge, "replicas"},
		{"unknown byteorder", swiftRing(t, hdr(`"little"`, `"middle"`), le, good...), ErrCorrupt, "byteorder"},
		{"id not its index", swiftRing(t, hdr(`"id": 2`, `"id": 5`), le, good...), ErrCorrupt, "devs[2]"},
		{"negative weight", swiftRing(t, hdr(`"weight": 50.5`, `"weight": -1`), le, good...), ErrCorrupt, "weight"},
		{"port out of range", swiftRing(t, hdr(`"port": 6201`, `"port": 70000`), le, good...), ErrCorrupt, "port"},
		{"table names removed device", swiftRing(t, twoDevHeader, le, []uint16{0, 1, 0, 2}, good[1]), ErrCorrupt, "device 1"},
		{"table names unknown device", swiftRing(t, twoDevHeader, le, []uint16{0, 2, 0, 65535}, good[1]), ErrCorrupt, "device 65535"},
		{"no table", swiftRing(t, twoDevHeader, le), ErrCorrupt, "truncated"},
		{"first row short", swiftRing(t, twoDevHeader, le, []uint16{0, 2}), ErrCorrupt, "truncated"},
		{"middle row short", swiftRing(t, hdr(`"replica_count": 2`, `"replica_count": 3`), le, good[0], []uint16{0}), ErrCorrupt, "replica 1"},
		{"half a device id", gzipBytes(t, goodRaw[:len(goodRaw)-1]), ErrCorrupt, "half"},
		{"trailing data", gzipBytes(t, append(slices.Clone(goodRaw), 0, 0)), ErrCorrupt, "after the last replica"},
		{"bad gzip checksum", badCRC, ErrCorrupt, "gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Decode(bytes.NewReader(tt.file))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode = %v, %v; want error wrapping %v", r, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.ring.gz"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Load = %v, want ErrNotExist", err)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	b := testBuilder(t, 8, 3, []Device{
		{Region: 1, Zone: 1, IP: "10.0.0.1", Port: 6200, Name: "d1", Weight: 100, Meta: "snow ☃ 𝄞"},
		{Region: 1, Zone: 2, IP: "10.0.0.2", Port: 6200, Name: "d1", Weight: 100, ReplicationIP: "10.9.0.2", ReplicationPort: 6300},
		{Region: 1, Zone: 3, IP: "::1", Port: 6200, Name: "d1", Weight: 100},
		{Region: 2, Zone: 1, IP: "10.0.1.1", Port: 6200, Name: "d2", Weight: 50},
	})
	if err := b.RemoveDevice(0); err != nil {
		t.Fatal(err)
	}
	b.PretendMinPartHoursPassed()
	if _, _, err := b.Rebalance(); err != nil { // id 0 becomes a null hole
		t.Fatal(err)
	}
	orig := mustRing(t, b)
	path := filepath.Join(t.TempDir(), "object.ring.gz")
	if err := orig.Save(path); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("saved ring: %v, mode %v; want 0644", err, fi.Mode())
	}
	loaded, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	assertSameRing(t, orig, loaded)

	// Encoding is deterministic, and a second round trip is byte-identical.
	var a, c bytes.Buffer
	if err := orig.Encode(&a); err != nil {
		t.Fatal(err)
	}
	if err := loaded.Encode(&c); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Error("re-encoding a loaded ring changed its bytes")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("Save left %d files behind, want just the ring", len(entries))
	}
}

func TestEncodeHeaderIsSwiftShaped(t *testing.T) {
	r := mustRing(t, testBuilder(t, 2, 1, []Device{
		{Region: 1, Zone: 1, IP: "10.0.0.1", Port: 6200, Name: "d1", Weight: 100, Meta: "é<&>"},
	}))
	var buf bytes.Buffer
	if err := r.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	raw := gunzip(t, buf.Bytes())
	if string(raw[:6]) != "R1NG\x00\x01" {
		t.Fatalf("starts %q, want R1NG v1", raw[:6])
	}
	n := binary.BigEndian.Uint32(raw[6:10])
	header := string(raw[10 : 10+n])
	want := `{"byteorder":"little","devs":[{"device":"d1","id":0,"ip":"10.0.0.1","meta":"\u00e9<&>","port":6200,` +
		`"region":1,"replication_ip":"10.0.0.1","replication_port":6200,"weight":100,"zone":1}],"part_shift":30,"replica_count":1,"version":2}`
	if header != want {
		t.Errorf("header\n got %s\nwant %s", header, want)
	}
	if table := raw[10+n:]; !bytes.Equal(table, []byte{0, 0, 0, 0, 0, 0, 0, 0}) {
		t.Errorf("table %v, want four little-endian zeros", table)
	}
}

func TestASCIIJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a":"plain"}`, `{"a":"plain"}`},
		{`"é"`, `"\u00e9"`},
		{`"☃"`, `"\u2603"`},
		{`"𝄞"`, `"\ud834\udd1e"`}, // beyond the BMP: a surrogate pair, as Python writes it
	}
	for _, tt := range tests {
		if got := string(asciiJSON([]byte(tt.in))); got != tt.want {
			t.Errorf("asciiJSON(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func assertSameRing(t *testing.T, want, got *Ring) {
	t.Helper()
	if got.PartPower() != want.PartPower() || got.ReplicaCount() != want.ReplicaCount() {
		t.Fatalf("power/replicas %d/%d, want %d/%d", got.PartPower(), got.ReplicaCount(), want.PartPower(), want.ReplicaCount())
	}
	if !slices.Equal(got.Devices(), want.Devices()) {
		t.Errorf("devices\n got %+v\nwant %+v", got.Devices(), want.Devices())
	}
	wv, wok := want.Version()
	if gv, gok := got.Version(); gv != wv || gok != wok {
		t.Errorf("version %d/%v, want %d/%v", gv, gok, wv, wok)
	}
	for p := range want.PartitionCount() {
		if g, w := ids(got.Primaries(p)), ids(want.Primaries(p)); !slices.Equal(g, w) {
			t.Fatalf("partition %d: primaries %v, want %v", p, g, w)
		}
	}
}
