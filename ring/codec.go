package ring

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// The v1 ring file (Swift's RingData.serialize_v1) is a gzip stream of:
//
//	"R1NG"  uint16be(1)  uint32be(len(header))  header (JSON)
//	replica_count rows of uint16 device ids, one per partition, in the
//	byte order the header names.

const (
	ringMagic         = "R1NG"
	ringFormatVersion = 1
	// maxHeaderBytes bounds the JSON header. A 65535-device ring's header is
	// about 20 MiB; anything beyond this is not a ring.
	maxHeaderBytes = 64 << 20
)

// ringHeader mirrors the JSON object Swift writes. Fields are declared in
// sorted order so that our output has the key order of Swift's
// json.dumps(sort_keys=True). Pointers tell "absent" from zero on decode.
type ringHeader struct {
	Byteorder     *string       `json:"byteorder"`
	Devs          []*deviceJSON `json:"devs"`
	NextPartPower *int          `json:"next_part_power,omitempty"`
	PartShift     *int          `json:"part_shift"`
	ReplicaCount  *int          `json:"replica_count"`
	Version       *int64        `json:"version,omitempty"`
}

// deviceJSON is one entry of "devs", keys as swift-ring-builder writes them.
type deviceJSON struct {
	Device          string  `json:"device"`
	ID              *int    `json:"id"`
	IP              string  `json:"ip"`
	Meta            string  `json:"meta"`
	Port            int     `json:"port"`
	Region          *int    `json:"region"`
	ReplicationIP   *string `json:"replication_ip"`
	ReplicationPort *int    `json:"replication_port"`
	Weight          float64 `json:"weight"`
	Zone            int     `json:"zone"`
}

// Load reads a .ring.gz file written by Swift or by Save.
func Load(path string) (*Ring, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// Decode reads a v1 ring from a gzip stream. Input is treated as untrusted:
// every failure is an error wrapping ErrBadMagic, ErrUnsupportedVersion,
// ErrCorrupt or ErrTooLarge, and memory grows only with data actually
// present in the stream, never with sizes the header merely claims.
func Decode(src io.Reader) (*Ring, error) {
	zr, err := gzip.NewReader(bufio.NewReader(src))
	if err != nil {
		if errors.Is(err, gzip.ErrHeader) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: not a gzip stream", ErrBadMagic)
		}
		return nil, corrupt("gzip header: %v", err)
	}
	defer zr.Close()

	var magic [4]byte
	if _, err := io.ReadFull(zr, magic[:]); err != nil {
		return nil, shortRead("magic", err)
	}
	if string(magic[:]) != ringMagic {
		return nil, fmt.Errorf("%w: magic %q, want %q (pickled pre-2013 rings are not supported)",
			ErrBadMagic, magic[:], ringMagic)
	}
	var fixed [6]byte // format version, header length
	if _, err := io.ReadFull(zr, fixed[:]); err != nil {
		return nil, shortRead("header length", err)
	}
	if v := binary.BigEndian.Uint16(fixed[:2]); v != ringFormatVersion {
		return nil, fmt.Errorf("%w: %d (only v1 is supported)", ErrUnsupportedVersion, v)
	}
	hdrLen := binary.BigEndian.Uint32(fixed[2:])
	if hdrLen > maxHeaderBytes {
		return nil, fmt.Errorf("%w: %d-byte header (limit %d)", ErrTooLarge, hdrLen, maxHeaderBytes)
	}
	// CopyN grows the buffer as bytes arrive, so a lying length costs nothing.
	var hdrBuf bytes.Buffer
	if _, err := io.CopyN(&hdrBuf, zr, int64(hdrLen)); err != nil {
		return nil, shortRead("JSON header", err)
	}
	hdr, err := parseHeader(hdrBuf.Bytes())
	if err != nil {
		return nil, err
	}
	table, err := readTable(zr, hdr)
	if err != nil {
		return nil, err
	}
	// Reading to EOF makes gzip verify its CRC and length trailer.
	var extra [1]byte
	if n, err := io.ReadFull(zr, extra[:]); n > 0 {
		return nil, corrupt("data after the last replica row (header says %d replicas)", len(table))
	} else if !errors.Is(err, io.EOF) {
		return nil, corrupt("gzip trailer: %v", err)
	}
	return newRing(hdr.partPower, hdr.devs, table, hdr.version, hdr.nextPartPower), nil
}

// parsedHeader is the validated form of ringHeader.
type parsedHeader struct {
	partPower     uint
	replicas      int
	order         binary.ByteOrder
	devs          []*Device
	version       *int64
	nextPartPower *int
}

func parseHeader(raw []byte) (*parsedHeader, error) {
	var h ringHeader
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, corrupt("JSON header: %v", err)
	}
	if h.PartShift == nil || h.ReplicaCount == nil {
		return nil, corrupt("JSON header lacks part_shift or replica_count")
	}
	shift := *h.PartShift
	switch {
	case shift > 32:
		return nil, corrupt("part_shift %d is more than 32", shift)
	case shift < 32-MaxPartPower:
		return nil, fmt.Errorf("%w: part power %d (limit %d)", ErrTooLarge, 32-shift, MaxPartPower)
	}
	switch rc := *h.ReplicaCount; {
	case rc < 1:
		return nil, corrupt("replica_count %d", rc)
	case rc > maxReplicaCount:
		return nil, fmt.Errorf("%w: %d replicas (limit %d)", ErrTooLarge, rc, maxReplicaCount)
	}
	if len(h.Devs) > maxDevices {
		return nil, corrupt("%d devices, but device ids are 16-bit", len(h.Devs))
	}
	p := &parsedHeader{
		partPower: uint(32 - shift),
		replicas:  *h.ReplicaCount,
		version:   h.Version,
	}
	// Rings from before Swift recorded the byte order were written on
	// little-endian machines in practice.
	byteorder := "little"
	if h.Byteorder != nil {
		byteorder = *h.Byteorder
	}
	switch byteorder {
	case "little":
		p.order = binary.LittleEndian
	case "big":
		p.order = binary.BigEndian
	default:
		return nil, corrupt("byteorder %q", byteorder)
	}
	if n := h.NextPartPower; n != nil {
		if *n < 0 || *n > 32 {
			return nil, corrupt("next_part_power %d", *n)
		}
		p.nextPartPower = n
	}
	p.devs = make([]*Device, len(h.Devs))
	for i, dj := range h.Devs {
		if dj == nil {
			continue
		}
		d, err := dj.device(i)
		if err != nil {
			return nil, err
		}
		p.devs[i] = d
	}
	return p, nil
}

// device validates one "devs" entry and applies Swift's defaults for old
// rings (region 1, replication address = service address).
func (dj *deviceJSON) device(index int) (*Device, error) {
	if dj.ID == nil || *dj.ID != index {
		return nil, corrupt("devs[%d] has id %v; a device's id must be its index", index, deref(dj.ID))
	}
	d := &Device{
		ID: index, Region: 1, Zone: dj.Zone, IP: dj.IP, Port: dj.Port,
		Name: dj.Device, Weight: dj.Weight, Meta: dj.Meta,
		ReplicationIP: dj.IP, ReplicationPort: dj.Port,
	}
	if dj.Region != nil {
		d.Region = *dj.Region
	}
	if dj.ReplicationIP != nil {
		d.ReplicationIP = *dj.ReplicationIP
	}
	if dj.ReplicationPort != nil {
		d.ReplicationPort = *dj.ReplicationPort
	}
	if d.Weight < 0 {
		return nil, corrupt("device %d has negative weight %v", index, d.Weight)
	}
	if !validPort(d.Port) || !validPort(d.ReplicationPort) {
		return nil, corrupt("device %d has port %d/%d outside 0-65535", index, d.Port, d.ReplicationPort)
	}
	return d, nil
}

func validPort(p int) bool { return p >= 0 && p <= 65535 }

func deref(p *int) any {
	if p == nil {
		return "missing"
	}
	return *p
}

// readTable reads the replica rows, checking every id against the devices.
// Every row is 2^partPower entries, except that the last one may stop early:
// that is how Swift stores a fractional replica count.
func readTable(zr io.Reader, h *parsedHeader) ([][]uint16, error) {
	parts := 1 << h.partPower
	buf := make([]byte, 64<<10)
	var table [][]uint16
	for r := range h.replicas {
		row := make([]uint16, 0, min(parts, len(buf)/2))
		for len(row) < parts {
			n, err := io.ReadFull(zr, buf[:min(len(buf), 2*(parts-len(row)))])
			for i := 0; i+1 < n; i += 2 {
				id := h.order.Uint16(buf[i:])
				if int(id) >= len(h.devs) || h.devs[id] == nil {
					return nil, corrupt("replica %d partition %d names device %d, which devs does not define", r, len(row), id)
				}
				row = append(row, id)
			}
			if err == nil {
				continue
			}
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, corrupt("replica %d: %v", r, err)
			}
			switch {
			case n%2 == 1:
				return nil, corrupt("replica %d ends in half a device id", r)
			case r != h.replicas-1 || len(row) == 0:
				return nil, corrupt("truncated: replica %d has %d of %d partitions", r, len(row), parts)
			}
			break
		}
		table = append(table, row)
	}
	if len(table[0]) != parts {
		return nil, corrupt("truncated: replica 0 has %d of %d partitions", len(table[0]), parts)
	}
	return table, nil
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

// shortRead classifies a failed fixed-size read: running out of input means
// truncation, anything else is gzip reporting damage.
func shortRead(what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return corrupt("truncated in %s", what)
	}
	return corrupt("reading %s: %v", what, err)
}
