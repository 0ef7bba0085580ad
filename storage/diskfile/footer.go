package diskfile

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"strconv"
	"unicode/utf8"

	"github.com/sciswift/sciswift/server/swift"
)

// Trailer layout, little-endian, at the very end of every file:
//
//	[0:8]   body length
//	[8:12]  metadata length
//	[12:16] CRC-32C of the metadata bytes
//	[16:20] CRC-32C of bytes [0:16], so a garbled length is caught
//	[20:24] format version
//	[24:32] magic
//
// The magic comes last so that a file cut short anywhere lacks it.
const (
	trailerSize   = 32
	trailerMagic  = "SWOBJ\x00\r\n"
	formatVersion = 1
	// maxMetaSize bounds what a trailer may claim, so a damaged length
	// never makes a reader allocate gigabytes. Swift's limits allow about
	// 4 KiB of user metadata; system metadata and names add a few KiB.
	maxMetaSize = 1 << 20
)

// ErrCorrupt marks a file that fails the format's checks.
var ErrCorrupt = errors.New("diskfile: corrupt file")

func crc(b []byte) uint32 { return crc32.Checksum(b, castagnoli()) }

// castagnoli is the CRC-32C table (built once by hash/crc32; CPUs with
// SSE 4.2 or ARMv8 CRC compute it in hardware, at several GB/s).
func castagnoli() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) }

// keyBodyCRC is the metadata key under which a .data file keeps the
// CRC-32C of its body, as 8 hex digits. A full read checks the body
// against it rather than against the MD5 ETag: both are computed from the
// same bytes as they are written, and both catch a damaged body, but
// CRC-32C runs at tens of GB/s where MD5 manages under 1 GB/s, and the
// MD5 was three quarters of the object server's CPU on large GETs. The
// key is the Writer's own: Open strips it from the metadata callers see,
// and no request header can set it (object servers store only user
// metadata, sysmeta and Swift's pass-through headers). Files written
// before it existed have no such key and are checked by MD5.
const keyBodyCRC = "body-crc32c"

func formatCRC(c uint32) string { return fmt.Sprintf("%08x", c) }

func parseCRC(s string) (uint32, bool) {
	if len(s) != 8 {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 16, 32)
	return uint32(v), err == nil
}

// appendFooter appends meta and the trailer describing a body of bodyLen
// bytes that precedes them in the file.
func appendFooter(dst []byte, bodyLen int64, meta []byte) []byte {
	dst = append(dst, meta...)
	var t [trailerSize]byte
	binary.LittleEndian.PutUint64(t[0:8], uint64(bodyLen))
	binary.LittleEndian.PutUint32(t[8:12], uint32(len(meta)))
	binary.LittleEndian.PutUint32(t[12:16], crc(meta))
	binary.LittleEndian.PutUint32(t[16:20], crc(t[0:16]))
	binary.LittleEndian.PutUint32(t[20:24], formatVersion)
	copy(t[24:32], trailerMagic)
	return append(dst, t[:]...)
}

// trailer is a decoded, self-consistent trailer.
type trailer struct {
	bodyLen int64
	metaLen int
	metaCRC uint32
}

// footerLen is how many bytes at the end of the file the footer takes.
func (t trailer) footerLen() int { return t.metaLen + trailerSize }

// parseTrailer checks the last trailerSize bytes of a file of fileSize
// bytes.
func parseTrailer(b []byte, fileSize int64) (trailer, error) {
	if len(b) != trailerSize || fileSize < trailerSize {
		return trailer{}, fmt.Errorf("%w: %d bytes is too short", ErrCorrupt, fileSize)
	}
	if string(b[24:32]) != trailerMagic {
		return trailer{}, fmt.Errorf("%w: bad magic", ErrCorrupt)
	}
	if v := binary.LittleEndian.Uint32(b[20:24]); v != formatVersion {
		return trailer{}, fmt.Errorf("%w: unknown format version %d", ErrCorrupt, v)
	}
	if binary.LittleEndian.Uint32(b[16:20]) != crc(b[0:16]) {
		return trailer{}, fmt.Errorf("%w: trailer checksum mismatch", ErrCorrupt)
	}
	t := trailer{
		bodyLen: int64(binary.LittleEndian.Uint64(b[0:8])),
		metaLen: int(binary.LittleEndian.Uint32(b[8:12])),
		metaCRC: binary.LittleEndian.Uint32(b[12:16]),
	}
	if t.metaLen > maxMetaSize || t.bodyLen < 0 || t.bodyLen != fileSize-int64(t.footerLen()) {
		return trailer{}, fmt.Errorf("%w: lengths %d+%d do not add up to file size %d", ErrCorrupt, t.bodyLen, t.metaLen, fileSize)
	}
	return t, nil
}

// decodeFooter parses the footer of a file of fileSize bytes whose last
// len(tail) bytes are tail. It returns the body length and the metadata
// bytes (a slice of tail), or errShortTail with the trailer if tail does
// not reach back to the start of the metadata.
func decodeFooter(tail []byte, fileSize int64) (trailer, []byte, error) {
	if len(tail) < trailerSize {
		return trailer{}, nil, fmt.Errorf("%w: %d bytes is too short", ErrCorrupt, len(tail))
	}
	t, err := parseTrailer(tail[len(tail)-trailerSize:], fileSize)
	if err != nil {
		return trailer{}, nil, err
	}
	if len(tail) < t.footerLen() {
		return t, nil, errShortTail
	}
	meta := tail[len(tail)-t.footerLen() : len(tail)-trailerSize]
	if crc(meta) != t.metaCRC {
		return trailer{}, nil, fmt.Errorf("%w: metadata checksum mismatch", ErrCorrupt)
	}
	return t, meta, nil
}

// errShortTail asks the caller to read more of the file.
var errShortTail = errors.New("diskfile: footer extends before the bytes read")

// Metadata is what Swift keeps with each file: header-like names
// (X-Timestamp, Content-Type, ETag, X-Object-Meta-*) mapped to values.
type Metadata map[string]string

// Keys every file, or every .data file, carries. They are spelled as
// Swift's object server spells them.
const (
	KeyName                 = "name"
	KeyTimestamp            = "X-Timestamp"
	KeyContentType          = "Content-Type"
	KeyContentTypeTimestamp = "Content-Type-Timestamp"
	KeyContentLength        = "Content-Length"
	KeyETag                 = "ETag"
	KeyDeleteAt             = "X-Delete-At"
)

// encodeMetadata is JSON, refusing what JSON would silently change: Go
// replaces invalid UTF-8 with U+FFFD, and a stored header must read back
// byte for byte.
func encodeMetadata(m Metadata) ([]byte, error) {
	for k, v := range m {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, swift.Errorf(swift.ErrBadRequest, "Metadata must be valid UTF-8")
		}
	}
	return json.Marshal(m)
}

func decodeMetadata(b []byte) (Metadata, error) {
	var m Metadata
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%w: metadata: %v", ErrCorrupt, err)
	}
	if m == nil {
		return nil, fmt.Errorf("%w: metadata is not an object", ErrCorrupt)
	}
	return m, nil
}
