package ring

import (
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// The builder file is ours, not Swift's pickle: gzip-compressed JSON, with
// the table and partition ages as base64 byte strings (uint16
// little-endian ids, one byte per age) so it stays compact.

const (
	builderFormat        = "sciswift-ring-builder"
	builderFormatVersion = 1
)

type builderFile struct {
	Format             string               `json:"format"`
	FormatVersion      int                  `json:"format_version"`
	PartPower          uint                 `json:"part_power"`
	Replicas           int                  `json:"replicas"`
	MinPartHours       int                  `json:"min_part_hours"`
	Seed               int64                `json:"seed"`
	Version            int64                `json:"version"`
	Devs               []*builderDeviceJSON `json:"devs"`
	Table              [][]byte             `json:"replica2part2dev,omitempty"`
	LastPartMoves      []byte               `json:"last_part_moves,omitempty"`
	LastPartMovesEpoch int64                `json:"last_part_moves_epoch"`
}

type builderDeviceJSON struct {
	ID              int     `json:"id"`
	Region          int     `json:"region"`
	Zone            int     `json:"zone"`
	IP              string  `json:"ip"`
	Port            int     `json:"port"`
	ReplicationIP   string  `json:"replication_ip,omitempty"`
	ReplicationPort int     `json:"replication_port,omitempty"`
	Device          string  `json:"device"`
	Weight          float64 `json:"weight"`
	Meta            string  `json:"meta"`
	Removing        bool    `json:"removing,omitempty"`
}

// SaveBuilder writes the builder to path atomically.
func (b *Builder) SaveBuilder(path string) error {
	f := builderFile{
		Format: builderFormat, FormatVersion: builderFormatVersion,
		PartPower: b.partPower, Replicas: b.replicas, MinPartHours: b.minPartHours,
		Seed: b.seed, Version: b.version,
		Devs:          make([]*builderDeviceJSON, len(b.devs)),
		LastPartMoves: b.lastPartMoves, LastPartMovesEpoch: b.lastPartMovesEpoch,
	}
	for id, d := range b.devs {
		if d != nil {
			f.Devs[id] = &builderDeviceJSON{
				ID: d.ID, Region: d.Region, Zone: d.Zone, IP: d.IP, Port: d.Port,
				ReplicationIP: d.ReplicationIP, ReplicationPort: d.ReplicationPort,
				Device: d.Name, Weight: d.Weight, Meta: d.Meta, Removing: d.removing,
			}
		}
	}
	for _, row := range b.table {
		raw := make([]byte, 2*len(row))
		for p, id := range row {
			binary.LittleEndian.PutUint16(raw[2*p:], id)
		}
		f.Table = append(f.Table, raw)
	}
	return writeFileAtomic(path, func(w io.Writer) error {
		zw := gzip.NewWriter(w)
		if err := json.NewEncoder(zw).Encode(&f); err != nil {
			return err
		}
		return zw.Close()
	})
}

// LoadBuilder reads a file written by SaveBuilder.
func LoadBuilder(path string) (*Builder, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := decodeBuilder(fh)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

func decodeBuilder(r io.Reader) (*Builder, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, badBuilder("not gzip: %v", err)
	}
	defer zr.Close()
	var f builderFile
	if err := json.NewDecoder(zr).Decode(&f); err != nil {
		return nil, badBuilder("%v", err)
	}
	if f.Format != builderFormat || f.FormatVersion != builderFormatVersion {
		return nil, badBuilder("format %q version %d, want %q version %d (Swift .builder files are not supported)",
			f.Format, f.FormatVersion, builderFormat, builderFormatVersion)
	}
	if err := validateParams(f.PartPower, f.Replicas, f.MinPartHours); err != nil {
		return nil, badBuilder("%v", err)
	}
	b := &Builder{
		partPower: f.PartPower, replicas: f.Replicas, minPartHours: f.MinPartHours,
		seed: f.Seed, version: f.Version, lastPartMovesEpoch: f.LastPartMovesEpoch,
	}
	if len(f.Devs) > maxDeviceID+1 {
		return nil, badBuilder("%d device ids, limit %d", len(f.Devs), maxDeviceID+1)
	}
	b.devs = make([]*builderDevice, len(f.Devs))
	for id, dj := range f.Devs {
		if dj == nil {
			continue
		}
		d := Device{
			ID: dj.ID, Region: dj.Region, Zone: dj.Zone, IP: dj.IP, Port: dj.Port,
			ReplicationIP: dj.ReplicationIP, ReplicationPort: dj.ReplicationPort,
			Name: dj.Device, Weight: dj.Weight, Meta: dj.Meta,
		}
		if d.ID != id {
			return nil, badBuilder("devs[%d] has id %d", id, d.ID)
		}
		if err := validateDevice(d); err != nil {
			return nil, badBuilder("device %d: %v", id, err)
		}
		b.devs[id] = &builderDevice{Device: d, removing: dj.Removing}
	}
	if err := b.decodeTable(f.Table, f.LastPartMoves); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *Builder) decodeTable(rows [][]byte, ages []byte) error {
	if len(rows) == 0 {
		return nil // never rebalanced
	}
	parts := b.partitionCount()
	if len(rows) != b.replicas || len(ages) != parts {
		return badBuilder("table has %d rows and %d ages, want %d and %d", len(rows), len(ages), b.replicas, parts)
	}
	b.table = make([][]uint16, len(rows))
	for r, raw := range rows {
		if len(raw) != 2*parts {
			return badBuilder("replica %d has %d bytes, want %d", r, len(raw), 2*parts)
		}
		row := make([]uint16, parts)
		for p := range row {
			id := binary.LittleEndian.Uint16(raw[2*p:])
			if id != noDevice && (int(id) >= len(b.devs) || b.devs[id] == nil) {
				return badBuilder("replica %d partition %d names unknown device %d", r, p, id)
			}
			row[p] = id
		}
		b.table[r] = row
	}
	b.lastPartMoves = ages
	return nil
}

func badBuilder(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadBuilderFile, fmt.Sprintf(format, args...))
}
