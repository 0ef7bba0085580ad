package fits

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"

	"github.com/sciswift/sciswift/formats"
)

// Format is the Tree.Format of FITS files.
const Format = "fits"

// Errors, wrapped with detail; test with errors.Is.
var (
	// ErrNotFITS: the object does not start with a FITS primary header.
	ErrNotFITS = fmt.Errorf("fits: %w", formats.ErrUnrecognized)
	// ErrCorrupt: a header or data unit is malformed or truncated.
	ErrCorrupt = fmt.Errorf("fits: %w", formats.ErrCorrupt)
	// ErrUnsupported: a valid FITS construct this reader does not serve
	// (variable-length array columns, ASCII tables, random groups, …).
	ErrUnsupported = fmt.Errorf("fits: %w", formats.ErrUnsupported)
	// ErrLimit: the file or a request exceeds the Limits.
	ErrLimit = fmt.Errorf("fits: %w", formats.ErrLimit)
	// ErrNotFound: no dataset at the path.
	ErrNotFound = fmt.Errorf("fits: %w", formats.ErrNotFound)
)

// Limits bound what a crafted file or request can make Open and Read do.
// A zero field takes its default.
type Limits struct {
	MaxHDUs        int   // HDUs in a file; default 4096
	MaxHeaderCards int   // cards in one header; default 100000 (7.7 MiB)
	MaxTotalCards  int   // cards in the whole file; default 500000
	MaxReadBytes   int64 // bytes one Read may return; default 1 GiB
	// ReadGap is the most unneeded bytes Read reads to join two needed
	// ranges into one ReadAt (fewer round trips to the store against a
	// little waste); default 4096, negative for none.
	ReadGap int64
}

func (l Limits) withDefaults() Limits {
	if l.MaxHDUs <= 0 {
		l.MaxHDUs = 4096
	}
	if l.MaxHeaderCards <= 0 {
		l.MaxHeaderCards = 100000
	}
	if l.MaxTotalCards <= 0 {
		l.MaxTotalCards = 500000
	}
	if l.MaxReadBytes <= 0 {
		l.MaxReadBytes = 1 << 30
	}
	switch {
	case l.ReadGap == 0:
		l.ReadGap = 4096
	case l.ReadGap < 0:
		l.ReadGap = 0
	}
	return l
}

// The standard's bounds on NAXIS and TFIELDS.
const (
	maxAxes    = 999
	maxColumns = 999
)

var (
	primaryMagic   = []byte("SIMPLE  =")
	extensionMagic = []byte("XTENSION=")
)

// Sniff reports whether head, the first bytes of an object, starts a FITS
// file.
func Sniff(head []byte) bool {
	return bytes.HasPrefix(head, primaryMagic)
}

// File is an opened FITS file: its headers, parsed, and where each data unit
// lies. It is immutable after Open, so Read may run concurrently.
type File struct {
	obj      formats.Object
	limits   Limits
	hdus     []*hdu
	datasets map[string]*dataset // path → dataset
	skipped  map[string]string   // path of a column or HDU not served → why
}

// hdu is one header-data unit.
type hdu struct {
	index    int
	header   *header
	dataOff  int64 // where the data unit starts
	dataSize int64 // bytes of data, padding excluded

	// At most one of these describes the HDU's data (none: an image with
	// NAXIS = 0).
	image       *dataset // an image with NAXIS > 0
	table       *table   // a binary table
	unsupported string   // why a valid HDU is not served
}

// Open reads the headers of obj, block by block, and indexes its HDUs.
// Data units are not read.
func Open(ctx context.Context, obj formats.Object, limits Limits) (*File, error) {
	limits = limits.withDefaults()
	f := &File{
		obj:      obj,
		limits:   limits,
		datasets: map[string]*dataset{},
		skipped:  map[string]string{},
	}
	size := obj.Size()
	if size < 0 {
		return nil, fmt.Errorf("%w: negative object size %d", ErrCorrupt, size)
	}
	var off int64
	totalCards := 0
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		index := len(f.hdus)
		if index > 0 && off+blockSize > size {
			break // the file ends (trailing bytes short of a block are ignored)
		}
		if index >= limits.MaxHDUs {
			return nil, fmt.Errorf("%w: more than %d HDUs", ErrLimit, limits.MaxHDUs)
		}
		raw, headerEnd, err := f.readHeader(ctx, off, index, totalCards)
		if err != nil {
			if index > 0 && errors.Is(err, errNoExtension) {
				break // bytes after the last HDU that are not an extension: ignored, as astropy
			}
			return nil, err
		}
		totalCards += len(raw)
		u := &hdu{index: index, header: parseHeader(raw), dataOff: headerEnd}
		if err := f.describe(u, size); err != nil {
			return nil, fmt.Errorf("HDU %d: %w", index, err)
		}
		if u.unsupported != "" {
			f.skipped[hduPath(index)] = u.unsupported // Read says why, not just "no such dataset"
		}
		f.hdus = append(f.hdus, u)
		padded, ok := padToBlock(u.dataSize)
		if !ok || headerEnd > math.MaxInt64-padded {
			return nil, fmt.Errorf("%w: HDU %d: data size overflows", ErrCorrupt, index)
		}
		off = headerEnd + padded
	}
	return f, nil
}

// errNoExtension marks a block after an HDU that does not start an
// extension header.
var errNoExtension = errors.New("fits: no extension header")

// readHeader reads the header starting at off up to its END card, one block
// per ReadAt, and returns the card images before END and where the header's
// last block ends.
func (f *File) readHeader(ctx context.Context, off int64, index, totalCards int) ([]string, int64, error) {
	size := f.obj.Size()
	block := make([]byte, blockSize)
	var cards []string
	for {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		if off+blockSize > size {
			if index == 0 && len(cards) == 0 {
				// Too short to hold a header: FITS-looking bytes are a
				// truncated file, anything else is not FITS.
				head := make([]byte, min(size, int64(len(primaryMagic))))
				if err := readFull(f.obj, head, 0); err != nil {
					return nil, 0, err
				}
				if !Sniff(head) {
					return nil, 0, ErrNotFITS
				}
				return nil, 0, fmt.Errorf("%w: shorter than one 2880-byte block", ErrCorrupt)
			}
			return nil, 0, fmt.Errorf("%w: HDU %d: header has no END card before the end of the file", ErrCorrupt, index)
		}
		if err := readFull(f.obj, block, off); err != nil {
			return nil, 0, err
		}
		if len(cards) == 0 {
			if index == 0 && !bytes.HasPrefix(block, primaryMagic) {
				return nil, 0, ErrNotFITS
			}
			if index > 0 && !bytes.HasPrefix(block, extensionMagic) {
				return nil, 0, errNoExtension
			}
		}
		off += blockSize
		for c := 0; c < cardsPerBlock; c++ {
			img := block[c*cardSize : (c+1)*cardSize]
			if bytes.Equal(img[:8], []byte("END     ")) {
				return cards, off, nil
			}
			if len(cards) >= f.limits.MaxHeaderCards {
				return nil, 0, fmt.Errorf("%w: HDU %d: more than %d header cards", ErrLimit, index, f.limits.MaxHeaderCards)
			}
			if totalCards+len(cards) >= f.limits.MaxTotalCards {
				return nil, 0, fmt.Errorf("%w: more than %d header cards in the file", ErrLimit, f.limits.MaxTotalCards)
			}
			cards = append(cards, string(img))
		}
	}
}

// readFull reads len(buf) bytes at off, a short read being a truncated file.
func readFull(obj formats.Object, buf []byte, off int64) error {
	n, err := obj.ReadAt(buf, off)
	if n == len(buf) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %d bytes at offset %d: object ends early", ErrCorrupt, len(buf), off)
	}
	return fmt.Errorf("fits: reading %d bytes at offset %d: %w", len(buf), off, err)
}

// padToBlock rounds n up to whole blocks.
func padToBlock(n int64) (int64, bool) {
	if n > math.MaxInt64-blockSize {
		return 0, false
	}
	return (n + blockSize - 1) / blockSize * blockSize, true
}

// describe reads u's structural keywords: the size of its data unit and
// what the data is.
func (f *File) describe(u *hdu, size int64) error {
	h := u.header
	bitpix, ok := h.integer("BITPIX")
	if !ok {
		return fmt.Errorf("%w: no integer BITPIX", ErrCorrupt)
	}
	elem, ok := bitpixSize(bitpix)
	if !ok {
		return fmt.Errorf("%w: BITPIX %d", ErrCorrupt, bitpix)
	}
	naxis, ok := h.integer("NAXIS")
	if !ok || naxis < 0 || naxis > maxAxes {
		return fmt.Errorf("%w: NAXIS missing or out of 0..%d", ErrCorrupt, maxAxes)
	}
	axes := make([]uint64, naxis) // FITS order: NAXIS1 first
	for i := range axes {
		v, ok := h.integer(fmt.Sprintf("NAXIS%d", i+1))
		if !ok || v < 0 {
			return fmt.Errorf("%w: NAXIS%d missing or negative", ErrCorrupt, i+1)
		}
		axes[i] = uint64(v)
	}
	pcount, gcount := int64(0), int64(1)
	if u.index > 0 {
		if v, ok := h.integer("PCOUNT"); ok {
			pcount = v
		}
		if v, ok := h.integer("GCOUNT"); ok {
			gcount = v
		}
	}
	groups := false
	if c, ok := h.lookup("GROUPS"); ok && c.kind == kindBool && c.b && naxis > 0 && axes[0] == 0 {
		groups = true
		if v, ok := h.integer("PCOUNT"); ok {
			pcount = v
		}
		if v, ok := h.integer("GCOUNT"); ok {
			gcount = v
		}
	}
	if pcount < 0 || gcount < 0 {
		return fmt.Errorf("%w: negative PCOUNT or GCOUNT", ErrCorrupt)
	}

	// Data bytes: |BITPIX|/8 · GCOUNT · (PCOUNT + NAXIS1·…·NAXISn), NAXIS1
	// left out of the product for random groups (where it is 0).
	elems, ok := uint64(0), true
	if naxis > 0 {
		elems = 1
		for i, a := range axes {
			if groups && i == 0 {
				continue
			}
			elems, ok = mulCheck(elems, a, ok)
		}
	}
	total, ok := addCheck(elems, uint64(pcount), ok)
	total, ok = mulCheck(total, uint64(gcount), ok)
	total, ok = mulCheck(total, uint64(elem), ok)
	if !ok || total > uint64(size) || u.dataOff > size-int64(total) {
		return fmt.Errorf("%w: data unit of %d bytes at offset %d does not fit in the %d-byte object", ErrCorrupt, total, u.dataOff, size)
	}
	u.dataSize = int64(total)

	xt := ""
	if u.index > 0 {
		xt, _ = h.str("XTENSION")
	}
	switch {
	case groups:
		u.unsupported = "random groups are not supported"
	case u.index == 0 || xt == "IMAGE":
		if naxis == 0 {
			return nil // no data: an empty group
		}
		if gcount != 1 || pcount != 0 {
			u.unsupported = fmt.Sprintf("image with PCOUNT %d, GCOUNT %d is not supported", pcount, gcount)
			return nil
		}
		ds := newImage(u, bitpix, axes)
		u.image = ds
		f.datasets[ds.path] = ds
	case xt == "BINTABLE":
		if zimage, ok := h.lookup("ZIMAGE"); ok && zimage.kind == kindBool && zimage.b {
			u.unsupported = "tile-compressed images are not supported"
			return nil
		}
		if bitpix != 8 || naxis != 2 || gcount != 1 {
			return fmt.Errorf("%w: BINTABLE needs BITPIX 8, NAXIS 2, GCOUNT 1", ErrCorrupt)
		}
		t, err := newTable(u, axes[0], axes[1])
		if err != nil {
			if errors.Is(err, ErrUnsupported) {
				u.unsupported = err.Error()
				return nil
			}
			return err
		}
		u.table = t
		for _, c := range t.columns {
			if c.skip != "" {
				f.skipped[c.path] = c.skip
				continue
			}
			f.datasets[c.path] = c.ds
		}
	case xt == "TABLE":
		u.unsupported = "ASCII tables are not supported"
	default:
		u.unsupported = fmt.Sprintf("extension type %q is not supported", xt)
	}
	return nil
}

// bitpixSize is the element size of a BITPIX.
func bitpixSize(bitpix int64) (int, bool) {
	switch bitpix {
	case 8, 16, 32, 64, -32, -64:
		return int(abs(bitpix) / 8), true
	}
	return 0, false
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func mulCheck(a, b uint64, ok bool) (uint64, bool) {
	hi, lo := bits.Mul64(a, b)
	return lo, ok && hi == 0 && lo <= math.MaxInt64
}

func addCheck(a, b uint64, ok bool) (uint64, bool) {
	s, carry := bits.Add64(a, b, 0)
	return s, ok && carry == 0 && s <= math.MaxInt64
}

// hduPath is the path of HDU n's node.
func hduPath(n int) string {
	return fmt.Sprintf("/HDU%d", n)
}
