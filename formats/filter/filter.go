// Package filter is HDF5's chunk filter pipeline, byte-compatible with
// libhdf5: a chunk encoded here and written into an HDF5 file (or a raw chunk
// read out of one) decodes the same on both sides. It implements the filters
// every libhdf5 build has: deflate, shuffle and fletcher32.
package filter

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/sciswift/sciswift/formats/domain"
)

// HDF5's filter identifiers (H5Zpublic.h).
const (
	Deflate    = 1 // H5Z_FILTER_DEFLATE: zlib stream, params[0] = level 0..9
	Shuffle    = 2 // H5Z_FILTER_SHUFFLE: byte transpose, params[0] = element size
	Fletcher32 = 3 // H5Z_FILTER_FLETCHER32: 4-byte checksum appended

	// MaxFilters is H5Z_MAX_NFILTERS, the longest pipeline (and the width
	// of a chunk's filter mask).
	MaxFilters = 32
)

var (
	// ErrUnsupportedFilter is wrapped when a pipeline names a filter this
	// package does not implement (szip, n-bit, scale-offset, plugins).
	ErrUnsupportedFilter = errors.New("filter: unsupported filter")
	// ErrCorrupt is wrapped when stored bytes do not decode: a bad zlib
	// stream, a checksum mismatch, or the wrong decoded size.
	ErrCorrupt = errors.New("filter: corrupt chunk")
	// ErrBadParams is wrapped when a filter's parameters are unusable.
	ErrBadParams = errors.New("filter: bad filter parameters")
)

// Supported reports whether Encode and Decode implement the filter id.
func Supported(id int) bool {
	return id == Deflate || id == Shuffle || id == Fletcher32
}

// Name is how a dataset description shows filter id: its libhdf5 name for
// the filters implemented here, else the name stored with it, else its id.
func Name(id int, stored string) string {
	switch id {
	case Deflate:
		return "deflate"
	case Shuffle:
		return "shuffle"
	case Fletcher32:
		return "fletcher32"
	}
	if stored != "" {
		return stored
	}
	return fmt.Sprintf("filter %d", id)
}

// Check reports the first filter of a pipeline that Encode would refuse, so a
// dataset can be refused at creation rather than at its first write.
func Check(filters []domain.Filter, elemSize int) error {
	if len(filters) > MaxFilters {
		return fmt.Errorf("%w: %d filters, HDF5 allows %d", ErrBadParams, len(filters), MaxFilters)
	}
	for i, f := range filters {
		switch f.ID {
		case Deflate:
			if _, err := deflateLevel(f); err != nil {
				return fmt.Errorf("filter %d: %w", i, err)
			}
		case Shuffle:
			if _, err := shuffleSize(f, elemSize); err != nil {
				return fmt.Errorf("filter %d: %w", i, err)
			}
		case Fletcher32:
		default:
			return fmt.Errorf("filter %d: %w: id %d (%s)", i, ErrUnsupportedFilter, f.ID, f.Name)
		}
	}
	return nil
}

// Encode runs chunk through the filters in order and returns the bytes to
// store. Unlike libhdf5 it never skips an optional filter (libhdf5 drops
// deflate for a chunk it cannot shrink and records that in a per-chunk filter
// mask); every chunk stored here went through the whole pipeline, so Decode
// needs no mask. chunk is not modified.
func Encode(filters []domain.Filter, elemSize int, chunk []byte) ([]byte, error) {
	if err := Check(filters, elemSize); err != nil {
		return nil, err
	}
	out := chunk
	for _, f := range filters {
		switch f.ID {
		case Deflate:
			level, _ := deflateLevel(f)
			var b bytes.Buffer
			b.Grow(len(out)/2 + 64)
			w, err := zlib.NewWriterLevel(&b, level)
			if err != nil {
				return nil, fmt.Errorf("%w: deflate level %d: %v", ErrBadParams, level, err)
			}
			if _, err := w.Write(out); err != nil {
				return nil, err
			}
			if err := w.Close(); err != nil {
				return nil, err
			}
			out = b.Bytes()
		case Shuffle:
			size, _ := shuffleSize(f, elemSize)
			out = shuffle(out, size)
		case Fletcher32:
			sum := make([]byte, len(out)+4)
			copy(sum, out)
			binary.LittleEndian.PutUint32(sum[len(out):], fletcher32(out))
			out = sum
		}
	}
	if len(filters) == 0 {
		out = bytes.Clone(chunk)
	}
	return out, nil
}

// Decode undoes Encode: it runs stored through the filters in reverse order
// and checks the result is want bytes long. stored is untrusted; no stage
// ever produces more than want plus the pipeline's checksums, whatever a
// zlib stream claims. stored is not modified.
func Decode(filters []domain.Filter, elemSize int, stored []byte, want int) ([]byte, error) {
	return DecodeMask(filters, 0, elemSize, stored, want)
}

// DecodeMask is Decode for a chunk libhdf5 wrote, whose filter mask (from
// H5Dget_chunk_info or read_direct_chunk) has bit i set when filter i was
// skipped for that chunk.
func DecodeMask(filters []domain.Filter, mask uint32, elemSize int, stored []byte, want int) ([]byte, error) {
	if want < 0 {
		return nil, fmt.Errorf("%w: negative size %d", ErrBadParams, want)
	}
	out, err := decode(filters, mask, elemSize, stored, want)
	if err != nil {
		return nil, err
	}
	if len(out) != want {
		return nil, fmt.Errorf("%w: decoded %d bytes, want %d", ErrCorrupt, len(out), want)
	}
	return out, nil
}

// DecodeAny is Decode for a chunk whose decoded size is not known in
// advance (variable-length elements serialised into a chunk): it accepts
// any result of at most limit bytes. The bound holds as in Decode: no stage
// ever produces more than limit plus the pipeline's checksums, whatever a
// zlib stream claims, so a small hostile chunk cannot make a big
// allocation. stored is untrusted and not modified.
func DecodeAny(filters []domain.Filter, elemSize int, stored []byte, limit int) ([]byte, error) {
	if limit < 0 {
		return nil, fmt.Errorf("%w: negative size limit %d", ErrBadParams, limit)
	}
	return decode(filters, 0, elemSize, stored, limit)
}

// decode runs stored back through the filters not masked out and returns a
// result of at most limit bytes.
func decode(filters []domain.Filter, mask uint32, elemSize int, stored []byte, limit int) ([]byte, error) {
	if err := Check(filters, elemSize); err != nil {
		return nil, err
	}
	// Decoding can only shrink a chunk by a checksum at each remaining
	// stage, so this bounds every intermediate size (saturating: inflate
	// reads one byte past its limit to notice an overlong stream).
	stageLimit := math.MaxInt - 1
	if limit < stageLimit-4*len(filters) {
		stageLimit = limit + 4*len(filters)
	}
	out, aliased := stored, true
	for i := len(filters) - 1; i >= 0; i-- {
		if mask&(1<<i) != 0 {
			continue
		}
		f := filters[i]
		switch f.ID {
		case Deflate:
			var err error
			if out, err = inflate(out, stageLimit); err != nil {
				return nil, err
			}
			aliased = false
		case Shuffle:
			size, _ := shuffleSize(f, elemSize)
			out, aliased = unshuffle(out, size), false
		case Fletcher32:
			if len(out) < 4 {
				return nil, fmt.Errorf("%w: %d bytes cannot hold a fletcher32 checksum", ErrCorrupt, len(out))
			}
			data := out[:len(out)-4]
			stored := binary.LittleEndian.Uint32(out[len(data):])
			sum := fletcher32(data)
			// libhdf5 before 1.6.3 stored the checksum with the bytes of
			// each 16-bit half swapped on little-endian hosts; libhdf5
			// still accepts both.
			swapped := (sum&0x00ff00ff)<<8 | (sum>>8)&0x00ff00ff
			if stored != sum && stored != swapped {
				return nil, fmt.Errorf("%w: fletcher32 %08x, computed %08x", ErrCorrupt, stored, sum)
			}
			out = data
		}
	}
	if len(out) > limit {
		return nil, fmt.Errorf("%w: decoded %d bytes, at most %d allowed", ErrCorrupt, len(out), limit)
	}
	if aliased {
		out = bytes.Clone(out) // never hand back the caller's own bytes
	}
	return out, nil
}

func deflateLevel(f domain.Filter) (int, error) {
	if len(f.Params) == 0 {
		return zlib.DefaultCompression, nil
	}
	if f.Params[0] > 9 {
		return 0, fmt.Errorf("%w: deflate level %d", ErrBadParams, f.Params[0])
	}
	return int(f.Params[0]), nil
}

// shuffleSize is the element size shuffle transposes by: libhdf5 stores the
// dataset's type size as the filter's first parameter, which wins over the
// caller's size so raw chunks from HDF5 files decode as libhdf5 would.
func shuffleSize(f domain.Filter, elemSize int) (int, error) {
	size := elemSize
	if len(f.Params) > 0 {
		size = int(f.Params[0])
	}
	if size <= 0 {
		return 0, fmt.Errorf("%w: shuffle element size %d", ErrBadParams, size)
	}
	return size, nil
}

// inflate decompresses a zlib stream, refusing to produce more than limit
// bytes. Like libhdf5 it ignores bytes after the end of the stream.
func inflate(src []byte, limit int) ([]byte, error) {
	r, err := zlib.NewReader(bytes.NewReader(src))
	if err != nil {
		return nil, fmt.Errorf("%w: zlib: %v", ErrCorrupt, err)
	}
	defer r.Close()
	// The buffer grows with what the stream really yields, so a tiny
	// stream with a huge caller limit allocates little.
	var b bytes.Buffer
	b.Grow(min(limit, 4*len(src)+512) + 1)
	n, err := io.Copy(&b, io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("%w: zlib: %v", ErrCorrupt, err)
	}
	if n > int64(limit) {
		return nil, fmt.Errorf("%w: zlib stream inflates past %d bytes", ErrCorrupt, limit)
	}
	return b.Bytes(), nil
}

// shuffle puts byte k of every element together, as H5Z_filter_shuffle
// does: for 4-byte elements 0123 0123 0123 becomes 000 111 222 333. Bytes
// past the last whole element stay at the end, and a buffer of fewer than
// two elements, or of 1-byte elements, is left as is.
func shuffle(src []byte, size int) []byte {
	n := len(src) / size
	if size <= 1 || n <= 1 {
		return bytes.Clone(src)
	}
	dst := make([]byte, len(src))
	for k := range size {
		plane := dst[k*n : (k+1)*n]
		for e := range plane {
			plane[e] = src[e*size+k]
		}
	}
	copy(dst[n*size:], src[n*size:])
	return dst
}

// unshuffle is shuffle's inverse.
func unshuffle(src []byte, size int) []byte {
	n := len(src) / size
	if size <= 1 || n <= 1 {
		return bytes.Clone(src)
	}
	dst := make([]byte, len(src))
	for k := range size {
		plane := src[k*n : (k+1)*n]
		for e, b := range plane {
			dst[e*size+k] = b
		}
	}
	copy(dst[n*size:], src[n*size:])
	return dst
}

// fletcher32 is libhdf5's H5_checksum_fletcher32: Fletcher's checksum over
// big-endian 16-bit words with both sums starting at 0, an odd last byte
// taken as the high byte of a word, and the sums folded every 360 words.
func fletcher32(data []byte) uint32 {
	var sum1, sum2 uint32
	words := len(data) / 2
	p := data
	for words > 0 {
		t := min(words, 360)
		words -= t
		for i := 0; i < t; i++ {
			sum1 += uint32(p[0])<<8 | uint32(p[1])
			sum2 += sum1
			p = p[2:]
		}
		sum1 = sum1&0xffff + sum1>>16
		sum2 = sum2&0xffff + sum2>>16
	}
	if len(data)%2 != 0 {
		sum1 += uint32(p[0]) << 8
		sum2 += sum1
		sum1 = sum1&0xffff + sum1>>16
		sum2 = sum2&0xffff + sum2>>16
	}
	sum1 = sum1&0xffff + sum1>>16
	sum2 = sum2&0xffff + sum2>>16
	return sum2<<16 | sum1
}
