package ring

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf16"
)

// Encode writes the ring in Swift's v1 format, rows little-endian.
func (r *Ring) Encode(w io.Writer) error {
	hdr, err := r.headerJSON()
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(w)
	bw := bufio.NewWriterSize(zw, 64<<10)
	bw.WriteString(ringMagic)
	binary.Write(bw, binary.BigEndian, uint16(ringFormatVersion))
	binary.Write(bw, binary.BigEndian, uint32(len(hdr)))
	bw.Write(hdr)
	var id [2]byte
	for _, row := range r.replica2part2dev {
		for _, d := range row {
			binary.LittleEndian.PutUint16(id[:], d)
			bw.Write(id[:])
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

func (r *Ring) headerJSON() ([]byte, error) {
	little := "little"
	shift := int(r.partShift)
	replicas := len(r.replica2part2dev)
	h := ringHeader{
		Byteorder:     &little,
		Devs:          make([]*deviceJSON, len(r.devs)),
		NextPartPower: r.nextPartPower,
		PartShift:     &shift,
		ReplicaCount:  &replicas,
		Version:       r.version,
	}
	for i, d := range r.devs {
		if d == nil {
			continue
		}
		id, region := d.ID, d.Region
		rip, rport := d.replicationAddr()
		h.Devs[i] = &deviceJSON{
			Device: d.Name, ID: &id, IP: d.IP, Meta: d.Meta, Port: d.Port,
			Region: &region, ReplicationIP: &rip, ReplicationPort: &rport,
			Weight: d.Weight, Zone: d.Zone,
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(h); err != nil {
		return nil, fmt.Errorf("ring: encoding header: %w", err)
	}
	return asciiJSON(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// asciiJSON escapes non-ASCII runes as \uXXXX, matching Swift's
// ensure_ascii=True; Python 2 era readers choke on raw UTF-8 here. Non-ASCII
// can only occur inside JSON strings, so escaping is always valid.
func asciiJSON(b []byte) []byte {
	if !bytes.ContainsFunc(b, func(r rune) bool { return r >= 0x80 }) {
		return b
	}
	var out bytes.Buffer
	for _, r := range string(b) {
		switch {
		case r < 0x80:
			out.WriteByte(byte(r))
		case r > 0xffff:
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(&out, `\u%04x\u%04x`, hi, lo)
		default:
			fmt.Fprintf(&out, `\u%04x`, r)
		}
	}
	return out.Bytes()
}

// Save writes the ring to path atomically: a reader sees the old file or the
// complete new one, and after Save returns the new one survives a crash.
func (r *Ring) Save(path string) error {
	return writeFileAtomic(path, r.Encode)
}
