package fits

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/formats"
)

// synthObject is a FITS file too big to keep around: header bytes, then
// dataLen bytes of data whose byte at data offset o is dataByte(o), then
// zero padding to a block.
type synthObject struct {
	header  []byte
	dataLen int64
}

func dataByte(o int64) byte { return byte(o*131 ^ o>>11) }

func (s synthObject) Size() int64 {
	n, _ := padToBlock(s.dataLen)
	return int64(len(s.header)) + n
}

func (s synthObject) ReadAt(p []byte, off int64) (int, error) {
	for i := range p {
		o := off + int64(i)
		switch {
		case o < int64(len(s.header)):
			p[i] = s.header[o]
		case o-int64(len(s.header)) < s.dataLen:
			p[i] = dataByte(o - int64(len(s.header)))
		case o < s.Size():
			p[i] = 0
		default:
			return i, fmt.Errorf("read past the end at %d", o)
		}
	}
	return len(p), nil
}

// bigImage is a 4096×4096 int16 image in the primary HDU: 32 MiB of data.
func bigImage() synthObject {
	return synthObject{
		header:  headerBlocks(kv("SIMPLE", "T"), kv("BITPIX", "16"), kv("NAXIS", "2"), kv("NAXIS1", "4096"), kv("NAXIS2", "4096")),
		dataLen: 4096 * 4096 * 2,
	}
}

func mustOpen(t testing.TB, obj formats.Object, limits Limits) *File {
	t.Helper()
	f, err := Open(context.Background(), obj, limits)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestReadsOnlyNeededBytes reads selections of a 32 MiB image and of a
// table column through a counting object: the values are the right ones and
// the bytes read are the selected runs (joined across small gaps), not the
// file.
func TestReadsOnlyNeededBytes(t *testing.T) {
	const w = 4096
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		sel      formats.Selection
		gap      int64
		reads    int   // ReadAt calls for the data
		maxBytes int64 // bytes read for the data
	}{
		// A 512×512 cut: 512 runs of 1 KiB, 7 KiB apart: 512 reads, nothing more.
		{"cut", formats.Selection{{Start: 1000, Stop: 1512, Step: 1}, {Start: 2000, Stop: 2512, Step: 1}}, 0, 512, 512 * 1024},
		// Whole rows are one contiguous range: one read straight into the result.
		{"rows", formats.Selection{{Start: 100, Stop: 612, Step: 1}, {Start: 0, Stop: w, Step: 1}}, 0, 1, 512 * w * 2},
		// Every 8th pixel of every 8th row: each row's run spans its gaps
		// (14 bytes), rows 56 KiB apart stay separate.
		{"stepped", formats.Selection{{Start: 0, Stop: w, Step: 8}, {Start: 0, Stop: w, Step: 8}}, 0, 512, 512 * (w*2 - 14)},
		// With no joining at all, one read per pixel.
		{"stepped-nogap", formats.Selection{{Start: 0, Stop: 64, Step: 8}, {Start: 0, Stop: 64, Step: 8}}, -1, 64, 64 * 2},
		// One pixel.
		{"pixel", formats.Selection{{Start: 5, Index: true}, {Start: 7, Index: true}}, 0, 1, 2},
		// A column: 4096 reads of 2 bytes, 8 KiB apart.
		{"column", formats.Selection{{Start: 0, Stop: w, Step: 1}, {Start: 17, Index: true}}, 0, w, w * 2},
		// A large gap limit joins the cut's rows into extents of ≤ 8 MiB.
		{"cut-joined", formats.Selection{{Start: 1000, Stop: 1512, Step: 1}, {Start: 2000, Stop: 2512, Step: 1}}, 16 << 10, 1, 511*w*2 + 1024},
	} {
		t.Run(tc.name, func(t *testing.T) {
			syn := bigImage()
			obj := &countingObject{Object: syn}
			f := mustOpen(t, obj, Limits{ReadGap: tc.gap})
			before := obj.count()
			arr, err := f.Read(ctx, "/HDU0", tc.sel)
			if err != nil {
				t.Fatal(err)
			}
			reads, total := obj.since(before)
			if len(reads) != tc.reads || total > tc.maxBytes {
				t.Errorf("%d reads of %d bytes in all; want %d reads of at most %d", len(reads), total, tc.reads, tc.maxBytes)
			}
			if total >= syn.dataLen {
				t.Errorf("read %d bytes of a %d-byte data unit", total, syn.dataLen)
			}
			// The values: element (r, c) is the two data bytes at 2(r·w+c).
			spans, shape, _ := tc.sel.Spans([]uint64{w, w})
			if !slices.Equal(arr.Shape, shape) {
				t.Fatalf("shape %v, want %v", arr.Shape, shape)
			}
			i := 0
			for r := uint64(0); r < spans[0].Count; r++ {
				for c := uint64(0); c < spans[1].Count; c++ {
					o := int64(((spans[0].Start+r*spans[0].Step)*w + spans[1].Start + c*spans[1].Step) * 2)
					if arr.Data[i] != dataByte(o) || arr.Data[i+1] != dataByte(o+1) {
						t.Fatalf("element %d (%d, %d) wrong", i/2, r, c)
					}
					i += 2
				}
			}
			if i != len(arr.Data) {
				t.Errorf("%d bytes returned, want %d", len(arr.Data), i)
			}
		})
	}
}

// TestTableColumnReads reads rows of one column of a wide table: the reads
// are that column's bytes, joined only across the gaps between rows.
func TestTableColumnReads(t *testing.T) {
	const rows, rowBytes = 100000, 64
	cols := [][2]string{{"A", "2J"}, {"B", "K"}, {"C", "40A"}, {"D", "E"}, {"F", "4X"}}
	syn := synthObject{header: append(primaryEmpty(), tableHDU(rowBytes, rows, cols, nil, nil)[:blockSize]...), dataLen: rows * rowBytes}
	base := int64(len(syn.header))
	ctx := context.Background()
	for _, tc := range []struct {
		path    string
		sel     formats.Selection
		offset  int // column offset in the row
		size    int // bytes per element
		gap     int64
		reads   int
		maxRead int64
	}{
		// Rows 1000..1999 of B: 8 bytes every 64, joined into one extent.
		{"/HDU1/B", formats.Selection{{Start: 1000, Stop: 2000, Step: 1}}, 8, 8, 0, 1, 999*rowBytes + 8},
		// Without joining, one read of 8 bytes per row.
		{"/HDU1/B", formats.Selection{{Start: 1000, Stop: 2000, Step: 1}}, 8, 8, -1, 1000, 1000 * 8},
		// The second element of A in every 1000th row: rows 64000 bytes apart.
		{"/HDU1/A", formats.Selection{{Start: 0, Stop: rows, Step: 1000}, {Start: 1, Index: true}}, 0, 4, 0, 100, 100 * 4},
		// A string column.
		{"/HDU1/C", formats.Selection{{Start: 5, Stop: 8, Step: 1}}, 16, 40, -1, 3, 3 * 40},
	} {
		t.Run(fmt.Sprintf("%s-%v-%d", tc.path, tc.sel, tc.gap), func(t *testing.T) {
			obj := &countingObject{Object: syn}
			f := mustOpen(t, obj, Limits{ReadGap: tc.gap})
			before := obj.count()
			arr, err := f.Read(ctx, tc.path, tc.sel)
			if err != nil {
				t.Fatal(err)
			}
			reads, total := obj.since(before)
			if len(reads) != tc.reads || total > tc.maxRead {
				t.Errorf("%d reads of %d bytes; want %d of at most %d", len(reads), total, tc.reads, tc.maxRead)
			}
			spans, _, err := tc.sel.Spans([]uint64{rows, 2}[:len(tc.sel)])
			if err != nil {
				t.Fatal(err)
			}
			var want []byte
			for r := uint64(0); r < spans[0].Count; r++ {
				o := base + int64(spans[0].Start+r*spans[0].Step)*rowBytes + int64(tc.offset)
				if len(tc.sel) > 1 {
					o += int64(tc.sel[1].Start) * int64(tc.size)
				}
				for k := int64(0); k < int64(tc.size); k++ {
					want = append(want, dataByte(o+k-base))
				}
			}
			if !slices.Equal(arr.Data, want) {
				t.Errorf("data differs")
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	img := func(extra ...string) []byte {
		return append(headerBlocks(append([]string{kv("SIMPLE", "T"), kv("BITPIX", "8"), kv("NAXIS", "1"), kv("NAXIS1", "10")}, extra...)...), dataBlocks(make([]byte, 10))...)
	}
	many := func(n int) []string {
		var cards []string
		for i := 0; i < n; i++ {
			cards = append(cards, kv(fmt.Sprintf("K%d", i), "1"))
		}
		return cards
	}
	noEnd := []byte(fmt.Sprintf("%-2880s", fmt.Sprintf("%-80s", kv("SIMPLE", "T"))))
	table := func(naxis1, tform string) []byte {
		return join(primaryEmpty(), headerBlocks(kv("XTENSION", str("BINTABLE")), kv("BITPIX", "8"), kv("NAXIS", "2"),
			kv("NAXIS1", naxis1), kv("NAXIS2", "1"), kv("PCOUNT", "0"), kv("GCOUNT", "1"), kv("TFIELDS", "1"), kv("TFORM1", str(tform))),
			dataBlocks(make([]byte, 100)))
	}
	for _, tc := range []struct {
		name   string
		data   []byte
		limits Limits
		want   error
	}{
		{"empty", nil, Limits{}, ErrNotFITS},
		{"short not FITS", []byte("hello"), Limits{}, ErrNotFITS},
		{"HDF5", []byte(strings.Repeat("\x89HDF\r\n\x1a\n", 400)), Limits{}, ErrNotFITS},
		{"short FITS", []byte("SIMPLE  =                    T"), Limits{}, ErrCorrupt},
		{"no END", noEnd, Limits{}, ErrCorrupt},
		{"BITPIX 12", headerBlocks(kv("SIMPLE", "T"), kv("BITPIX", "12"), kv("NAXIS", "0")), Limits{}, ErrCorrupt},
		{"no BITPIX", headerBlocks(kv("SIMPLE", "T"), kv("NAXIS", "0")), Limits{}, ErrCorrupt},
		{"string NAXIS", headerBlocks(kv("SIMPLE", "T"), kv("BITPIX", "8"), kv("NAXIS", str("2"))), Limits{}, ErrCorrupt},
		{"NAXIS 1000", headerBlocks(kv("SIMPLE", "T"), kv("BITPIX", "8"), kv("NAXIS", "1000")), Limits{}, ErrCorrupt},
		{"missing NAXIS2", headerBlocks(kv("SIMPLE", "T"), kv("BITPIX", "8"), kv("NAXIS", "2"), kv("NAXIS1", "1")), Limits{}, ErrCorrupt},
		{"negative axis", headerBlocks(kv("SIMPLE", "T"), kv("BITPIX", "8"), kv("NAXIS", "1"), kv("NAXIS1", "-1")), Limits{}, ErrCorrupt},
		{"data past the end", headerBlocks(kv("SIMPLE", "T"), kv("BITPIX", "8"), kv("NAXIS", "1"), kv("NAXIS1", "10")), Limits{}, ErrCorrupt},
		{"overflowing axes", headerBlocks(kv("SIMPLE", "T"), kv("BITPIX", "64"), kv("NAXIS", "3"), kv("NAXIS1", "4294967296"), kv("NAXIS2", "4294967296"), kv("NAXIS3", "4")), Limits{}, ErrCorrupt},
		{"columns overrun the row", table("3", "J"), Limits{}, ErrCorrupt},
		{"huge repeat", table("8", "99999999999999999J"), Limits{}, ErrCorrupt},
		{"no TFORM", join(primaryEmpty(), headerBlocks(kv("XTENSION", str("BINTABLE")), kv("BITPIX", "8"), kv("NAXIS", "2"), kv("NAXIS1", "4"), kv("NAXIS2", "1"), kv("TFIELDS", "1")), dataBlocks(make([]byte, 4))), Limits{}, ErrCorrupt},
		{"too many cards", img(many(50)...), Limits{MaxHeaderCards: 40}, ErrLimit},
		{"too many cards in all", join(img(many(30)...), imageHDU(8, []int{1}, many(30), []byte{1})), Limits{MaxTotalCards: 50}, ErrLimit},
		{"too many HDUs", join(img(), imageHDU(8, []int{1}, nil, []byte{1}), imageHDU(8, []int{1}, nil, []byte{1})), Limits{MaxHDUs: 2}, ErrLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(context.Background(), memObject(tc.data), tc.limits)
			if !errors.Is(err, tc.want) {
				t.Errorf("Open = %v, want %v", err, tc.want)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Open(ctx, memObject(img()), Limits{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Open with a cancelled context = %v", err)
	}
}

// TestOpenLenient covers files that are odd but readable, and HDUs that are
// valid FITS this package does not serve.
func TestOpenLenient(t *testing.T) {
	data := []byte{1, 2, 3, 4, 5, 6}
	unpadded := append(headerBlocks(kv("SIMPLE", "T"), kv("BITPIX", "8"), kv("NAXIS", "1"), kv("NAXIS1", "6")), data...)
	for _, tc := range []struct {
		name        string
		data        []byte
		datasets    []string
		unsupported map[string]string // group path → part of the reason
	}{
		{"unpadded last data unit", unpadded, []string{"/HDU0"}, nil},
		{"trailing junk", join(primaryEmpty(), imageHDU(8, []int{6}, nil, data), []byte(strings.Repeat("junk", 1000))), []string{"/HDU1"}, nil},
		{"trailing partial block", join(primaryEmpty(), imageHDU(8, []int{6}, nil, data), []byte("XTENSION= 'IMAGE'")), []string{"/HDU1"}, nil},
		{"ASCII table", join(primaryEmpty(), headerBlocks(kv("XTENSION", str("TABLE")), kv("BITPIX", "8"), kv("NAXIS", "2"), kv("NAXIS1", "3"), kv("NAXIS2", "2"), kv("PCOUNT", "0"), kv("GCOUNT", "1"), kv("TFIELDS", "1"), kv("TFORM1", str("I3"))), dataBlocks([]byte("  1  2")), imageHDU(8, []int{6}, nil, data)),
			[]string{"/HDU2"}, map[string]string{"/HDU1": "ASCII tables"}},
		{"unknown extension", join(primaryEmpty(), headerBlocks(kv("XTENSION", str("FOREIGN")), kv("BITPIX", "8"), kv("NAXIS", "1"), kv("NAXIS1", "3"), kv("PCOUNT", "0"), kv("GCOUNT", "1")), dataBlocks([]byte("abc"))),
			nil, map[string]string{"/HDU1": "FOREIGN"}},
		{"random groups", join(headerBlocks(kv("SIMPLE", "T"), kv("BITPIX", "16"), kv("NAXIS", "2"), kv("NAXIS1", "0"), kv("NAXIS2", "3"), kv("GROUPS", "T"), kv("PCOUNT", "1"), kv("GCOUNT", "2")), dataBlocks(make([]byte, 16)), imageHDU(8, []int{6}, nil, data)),
			[]string{"/HDU1"}, map[string]string{"/HDU0": "random groups"}},
		{"unknown TFORM", join(primaryEmpty(), tableHDU(4, 1, [][2]string{{"A", "4Z"}}, nil, make([]byte, 4))),
			nil, map[string]string{"/HDU1": "TFORM1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := mustOpen(t, memObject(tc.data), Limits{})
			var got []string
			for p := range f.datasets {
				got = append(got, p)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.datasets) {
				t.Errorf("datasets %v, want %v", got, tc.datasets)
			}
			for _, g := range f.Tree().Root.Groups {
				want, ok := tc.unsupported[g.Path]
				var reason string
				for _, a := range g.Attributes {
					if a.Name == attrUnsupported {
						reason = a.Value.(string)
					}
				}
				if ok != (reason != "") || !strings.Contains(reason, want) {
					t.Errorf("%s: %s = %q, want one containing %q", g.Path, attrUnsupported, reason, want)
				}
			}
			for _, p := range tc.datasets {
				if _, err := f.Read(context.Background(), p, nil); err != nil {
					t.Errorf("Read(%s): %v", p, err)
				}
			}
			for p := range tc.unsupported {
				if _, err := f.Read(context.Background(), p, nil); !errors.Is(err, ErrUnsupported) {
					t.Errorf("Read(%s) = %v, want ErrUnsupported", p, err)
				}
			}
		})
	}
}

// TestColumnNames: TTYPE when it is a usable, unique name; col<i> otherwise.
func TestColumnNames(t *testing.T) {
	cols := [][2]string{{"RA", "E"}, {"", "E"}, {"RA", "E"}, {"a/b", "E"}, {"..", "E"}, {"col7", "E"}, {"", "E"}, {" DEC ", "E"}}
	f := mustOpen(t, memObject(join(primaryEmpty(), tableHDU(32, 1, cols, nil, make([]byte, 32)))), Limits{})
	var got []string
	for _, d := range f.Tree().Root.Groups[1].Datasets {
		got = append(got, d.Path)
	}
	want := []string{"/HDU1/RA", "/HDU1/col2", "/HDU1/col3", "/HDU1/col4", "/HDU1/col5", "/HDU1/col7", "/HDU1/col7_", "/HDU1/DEC"}
	if !slices.Equal(got, want) {
		t.Errorf("paths %v, want %v", got, want)
	}
}

// TestColumnAttributes: a column's own keywords, without their index.
func TestColumnAttributes(t *testing.T) {
	cols := [][2]string{{"A", "E"}, {"B", "J"}}
	extra := []string{kv("TUNIT1", str("deg")), kv("TNULL2", "-1"), kv("TUNIT12", str("not mine")), kv("TTYPE12", str("x"))}
	f := mustOpen(t, memObject(join(primaryEmpty(), tableHDU(8, 1, cols, extra, make([]byte, 8)))), Limits{})
	names := func(path string) map[string]any {
		d, ok := f.Dataset(path)
		if !ok {
			t.Fatalf("no %s", path)
		}
		m := map[string]any{}
		for _, a := range d.Attributes {
			m[a.Name] = a.Value
		}
		return m
	}
	if a := names("/HDU1/A"); len(a) != 3 || a["TTYPE"] != "A" || a["TFORM"] != "E" || a["TUNIT"] != "deg" {
		t.Errorf("A's attributes %v", a)
	}
	if b := names("/HDU1/B"); len(b) != 3 || b["TNULL"] != int64(-1) {
		t.Errorf("B's attributes %v", b)
	}
}

// TestBlankZero: BLANK = 0 marks pixels as the standard says (astropy 5
// skips BLANK when it is 0; see the package comment).
func TestBlankZero(t *testing.T) {
	raw := []byte{0, 0, 0, 5, 0xff, 0xff, 0, 0}
	f := mustOpen(t, memObject(join(primaryEmpty(), imageHDU(16, []int{4}, []string{kv("BLANK", "0"), kv("BSCALE", "2")}, raw))), Limits{})
	arr, err := f.Read(context.Background(), "/HDU1", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := elements(dtypeKind(arr.Type), arr.Data)
	if want := []string{"NaN", "10", "-2", "NaN"}; !slices.Equal(got, want) {
		t.Errorf("values %v, want %v", got, want)
	}
}

// TestBits reads bit columns against a hand-made pattern.
func TestBits(t *testing.T) {
	// Row r holds 12 bits: byte 0 = r, byte 1 = 0xA0 | r (only its top 4 bits count).
	var data []byte
	for r := 0; r < 5; r++ {
		data = append(data, byte(r*37), 0xA0|byte(r))
	}
	f := mustOpen(t, memObject(join(primaryEmpty(), tableHDU(2, 5, [][2]string{{"B", "12X"}}, nil, data))), Limits{})
	bit := func(r, k uint64) byte { return data[r*2+k/8] >> (7 - k%8) & 1 }
	for _, sel := range []formats.Selection{
		nil,
		{{Start: 1, Stop: 5, Step: 2}, {Start: 3, Stop: 12, Step: 4}},
		{{Start: 4, Index: true}, {Start: 9, Stop: 12, Step: 1}},
		{{Start: 0, Stop: 5, Step: 1}, {Start: 11, Index: true}},
	} {
		arr, err := f.Read(context.Background(), "/HDU1/B", sel)
		if err != nil {
			t.Fatal(err)
		}
		spans, _, _ := sel.Spans([]uint64{5, 12})
		var want []byte
		for r := uint64(0); r < spans[0].Count; r++ {
			for k := uint64(0); k < spans[1].Count; k++ {
				want = append(want, bit(spans[0].Start+r*spans[0].Step, spans[1].Start+k*spans[1].Step))
			}
		}
		if !slices.Equal(arr.Data, want) {
			t.Errorf("%v: %v, want %v", sel, arr.Data, want)
		}
	}
}

func TestReadErrors(t *testing.T) {
	raw := make([]byte, 2*3*4)
	file := join(primaryEmpty(), imageHDU(16, []int{4, 3}, nil, raw), tableHDU(8, 1, [][2]string{{"V", "PJ"}}, nil, make([]byte, 8)))
	f := mustOpen(t, memObject(file), Limits{MaxReadBytes: 16})
	ctx := context.Background()
	full := formats.Range{Start: 0, Stop: 3, Step: 1}
	for _, tc := range []struct {
		path string
		sel  formats.Selection
		want error
	}{
		{"/HDU9", nil, ErrNotFound},
		{"/HDU0", nil, ErrNotFound},
		{"/HDU2/V", nil, ErrUnsupported},
		{"/HDU1", formats.Selection{full}, formats.ErrSelection},
		{"/HDU1", formats.Selection{full, {Start: 0, Stop: 5, Step: 1}}, formats.ErrSelection},
		{"/HDU1", formats.Selection{full, {Start: 0, Stop: 4, Step: 0}}, formats.ErrSelection},
		{"/HDU1", formats.Selection{full, {Start: 3, Stop: 2, Step: 1}}, formats.ErrSelection},
		{"/HDU1", formats.Selection{{Start: 3, Index: true}, {Start: 0, Stop: 4, Step: 1}}, formats.ErrSelection},
		{"/HDU1", nil, ErrLimit}, // 24 bytes > 16
	} {
		if _, err := f.Read(ctx, tc.path, tc.sel); !errors.Is(err, tc.want) {
			t.Errorf("Read(%s, %v) = %v, want %v", tc.path, tc.sel, err, tc.want)
		}
	}
	if arr, err := f.Read(ctx, "/HDU1", formats.Selection{{Start: 1, Stop: 1, Step: 1}, {Start: 0, Stop: 4, Step: 1}}); err != nil || len(arr.Data) != 0 || !slices.Equal(arr.Shape, []uint64{0, 4}) {
		t.Errorf("empty selection: %v, %v", arr, err)
	}
	ctxC, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := f.Read(ctxC, "/HDU1", formats.Selection{{Start: 0, Stop: 1, Step: 1}, {Start: 0, Stop: 4, Step: 1}}); !errors.Is(err, context.Canceled) {
		t.Errorf("Read with a cancelled context = %v", err)
	}
	// A truncated object (its size claims more than it holds) is corrupt.
	short := truncatedObject{memObject(file), int64(len(file))}
	g := mustOpen(t, short, Limits{})
	short.Reader.Reset(file[:blockSize*2])
	if _, err := g.Read(ctx, "/HDU1", nil); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Read of a truncated object = %v", err)
	}
}

// truncatedObject reports a size its reader may not hold.
type truncatedObject struct {
	bytesObject
	size int64
}

func (o truncatedObject) Size() int64 { return o.size }

// TestTreeIsACopy: changing a returned tree does not change the next one.
func TestTreeIsACopy(t *testing.T) {
	extra := []string{"COMMENT hello", kv("FLAG", "T")}
	f := mustOpen(t, memObject(join(primaryEmpty(), imageHDU(8, []int{2}, extra, []byte{1, 2}))), Limits{})
	a := f.Tree()
	d := a.Root.Datasets[0]
	d.Shape[0] = 99
	d.Type.Members = append(d.Type.Members, formats.Member{Name: "x"})
	for i := range d.Attributes {
		if s, ok := d.Attributes[i].Value.([]string); ok {
			s[0] = "changed"
		}
		if d.Attributes[i].Type.Base != nil {
			d.Attributes[i].Type.Base.Size = 99
		}
	}
	b := f.Tree().Root.Datasets[0]
	if b.Shape[0] != 2 || len(b.Type.Members) != 0 {
		t.Errorf("shape or type changed: %+v", b)
	}
	for _, at := range b.Attributes {
		if s, ok := at.Value.([]string); ok && s[0] != "hello" {
			t.Errorf("COMMENT changed: %v", s)
		}
		if at.Type.Base != nil && at.Type.Base.Size != 1 {
			t.Errorf("%s's type changed", at.Name)
		}
	}
}

// TestScaledTypes spot-checks conversions on hand-made bytes, with values
// worked out by hand, for the conventions astropy cannot write.
func TestScaledTypes(t *testing.T) {
	be16 := func(vs ...int16) []byte {
		b := make([]byte, 2*len(vs))
		for i, v := range vs {
			binary.BigEndian.PutUint16(b[2*i:], uint16(v))
		}
		return b
	}
	be64 := func(vs ...int64) []byte {
		b := make([]byte, 8*len(vs))
		for i, v := range vs {
			binary.BigEndian.PutUint64(b[8*i:], uint64(v))
		}
		return b
	}
	for _, tc := range []struct {
		name  string
		hdu   []byte
		path  string
		class formats.Class
		want  []string
	}{
		{"K with TZERO 5", tableHDU(8, 2, [][2]string{{"K", "K"}}, []string{kv("TZERO1", "5")}, be64(-5, math.MaxInt64)),
			"/HDU1/K", formats.ClassFloat, []string{"0", strconv.FormatFloat(float64(math.MaxInt64)+5, 'g', -1, 64)}},
		{"I with TZERO 32768 and TSCAL 2", tableHDU(2, 2, [][2]string{{"I", "I"}}, []string{kv("TZERO1", "32768"), kv("TSCAL1", "2")}, be16(-1, 1)),
			"/HDU1/I", formats.ClassFloat, []string{"32766", "32770"}},
		{"BZERO 32768 with BLANK", imageHDU(16, []int{2}, []string{kv("BZERO", "32768"), kv("BLANK", "-1")}, be16(-1, -32768)),
			"/HDU1", formats.ClassInteger, []string{"32767", "0"}},
		{"string ended by a NUL", tableHDU(6, 2, [][2]string{{"S", "6A"}}, nil, []byte("ab\x00xyzabc   ")),
			"/HDU1/S", formats.ClassString, []string{"ab", "abc"}},
		{"BSCALE 1 BZERO 0", imageHDU(16, []int{2}, []string{kv("BZERO", "0"), kv("BSCALE", "1")}, be16(-1, 7)),
			"/HDU1", formats.ClassInteger, []string{"-1", "7"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := mustOpen(t, memObject(join(primaryEmpty(), tc.hdu)), Limits{})
			arr, err := f.Read(context.Background(), tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if arr.Type.Class != tc.class {
				t.Errorf("class %s, want %s", arr.Type.Class, tc.class)
			}
			if got := elements(dtypeKind(arr.Type), arr.Data); !slices.Equal(got, tc.want) {
				t.Errorf("values %v, want %v", got, tc.want)
			}
		})
	}
}

// TestConcurrentReads: a File serves Reads from many goroutines at once (run
// with -race).
func TestConcurrentReads(t *testing.T) {
	f := mustOpen(t, bigImage(), Limits{})
	ctx := context.Background()
	sel := func(i uint64) formats.Selection {
		return formats.Selection{{Start: 100 * i, Stop: 100*i + 64, Step: 3}, {Start: 7 * i, Stop: 7*i + 300, Step: 1}}
	}
	want := make([][]byte, 8)
	for i := range want {
		arr, err := f.Read(ctx, "/HDU0", sel(uint64(i)))
		if err != nil {
			t.Fatal(err)
		}
		want[i] = arr.Data
	}
	errs := make(chan error, len(want))
	for i := range want {
		go func() {
			arr, err := f.Read(ctx, "/HDU0", sel(uint64(i)))
			if err == nil && !slices.Equal(arr.Data, want[i]) {
				err = fmt.Errorf("read %d differs", i)
			}
			errs <- err
		}()
	}
	for range want {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
