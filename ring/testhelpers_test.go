package ring

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"testing"
	"time"
)

// gzipBytes compresses b as one gzip member.
func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// swiftLayout lays out a ring's uncompressed bytes exactly as Swift's
// RingData.serialize_v1: magic, big-endian format version and header
// length, the JSON header, then each replica row in the given byte order.
func swiftLayout(magic string, version uint16, header string, order binary.ByteOrder, rows ...[]uint16) []byte {
	var buf bytes.Buffer
	buf.WriteString(magic)
	binary.Write(&buf, binary.BigEndian, version)
	binary.Write(&buf, binary.BigEndian, uint32(len(header)))
	buf.WriteString(header)
	for _, row := range rows {
		for _, id := range row {
			binary.Write(&buf, order, id)
		}
	}
	return buf.Bytes()
}

// swiftRing is swiftLayout for a well-formed v1 file, gzipped.
func swiftRing(t testing.TB, header string, order binary.ByteOrder, rows ...[]uint16) []byte {
	t.Helper()
	return gzipBytes(t, swiftLayout("R1NG", 1, header, order, rows...))
}

// twoDevHeader is a header as Python's json.dumps(sort_keys=True) writes
// it: devices 0 and 2, id 1 removed (null), 4 partitions.
const twoDevHeader = `{"byteorder": "little", "devs": [` +
	`{"device": "sda", "id": 0, "ip": "10.0.0.1", "meta": "", "port": 6200, "region": 1, "replication_ip": "10.0.0.1", "replication_port": 6200, "weight": 100.0, "zone": 1}, ` +
	`null, ` +
	`{"device": "sdb", "id": 2, "ip": "10.0.0.2", "meta": "rack 4", "port": 6201, "region": 2, "replication_ip": "192.168.0.2", "replication_port": 6301, "weight": 50.5, "zone": 3}], ` +
	`"part_shift": 30, "replica_count": 2, "version": 7}`

func ids(devs []Device) []int {
	out := make([]int, len(devs))
	for i, d := range devs {
		out[i] = d.ID
	}
	return out
}

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := out.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// testBuilder makes a builder with devs added and rebalanced once.
func testBuilder(t testing.TB, partPower uint, replicas int, devs []Device) *Builder {
	t.Helper()
	b, err := NewBuilder(partPower, replicas, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		if _, err := b.AddDevice(d); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := b.RebalanceAt(testEpoch); err != nil {
		t.Fatal(err)
	}
	return b
}

func mustRing(t testing.TB, b *Builder) *Ring {
	t.Helper()
	r, err := b.Ring()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// testEpoch is a fixed clock so min-part-hours behaviour is reproducible.
var testEpoch = time.Unix(1_700_000_000, 0)
