package fits

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sciswift/sciswift/formats"
)

// bytesObject is an object held in memory.
type bytesObject struct{ *bytes.Reader }

func (o bytesObject) Size() int64 { return o.Reader.Size() }

func memObject(b []byte) bytesObject { return bytesObject{bytes.NewReader(b)} }

// fileObject is an object read from a local file.
type fileObject struct {
	*os.File
	size int64
}

func (o fileObject) Size() int64 { return o.size }

func openFileObject(t testing.TB, path string) fileObject {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return fileObject{f, st.Size()}
}

// countingObject records every ReadAt made through it.
type countingObject struct {
	formats.Object
	mu    sync.Mutex
	reads [][2]int64 // offset, length
}

func (c *countingObject) ReadAt(p []byte, off int64) (int, error) {
	c.mu.Lock()
	c.reads = append(c.reads, [2]int64{off, int64(len(p))})
	c.mu.Unlock()
	return c.Object.ReadAt(p, off)
}

// since returns the reads made after the first n, and their total bytes.
func (c *countingObject) since(n int) ([][2]int64, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	reads := append([][2]int64(nil), c.reads[n:]...)
	var total int64
	for _, r := range reads {
		total += r[1]
	}
	return reads, total
}

func (c *countingObject) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.reads)
}

// --- building FITS bytes in Go, for cases astropy will not write.

// kv is a card "KEY     = value", value given as it appears in the file.
func kv(key, value string) string {
	return fmt.Sprintf("%-8s= %20s", key, value)
}

// str is a FITS string value.
func str(s string) string {
	return fmt.Sprintf("'%-8s'", strings.ReplaceAll(s, "'", "''"))
}

// headerBlocks is cards padded to 80 columns, END, and blanks to a block.
func headerBlocks(cards ...string) []byte {
	var b bytes.Buffer
	for _, c := range cards {
		b.WriteString(fmt.Sprintf("%-80s", c)[:80])
	}
	b.WriteString(fmt.Sprintf("%-80s", "END"))
	for b.Len()%blockSize != 0 {
		b.WriteByte(' ')
	}
	return b.Bytes()
}

// dataBlocks pads data with zeros to a block.
func dataBlocks(data []byte) []byte {
	out := append([]byte(nil), data...)
	for len(out)%blockSize != 0 {
		out = append(out, 0)
	}
	return out
}

func primaryEmpty() []byte {
	return headerBlocks(kv("SIMPLE", "T"), kv("BITPIX", "8"), kv("NAXIS", "0"), kv("EXTEND", "T"))
}

// imageHDU is an image extension of the given BITPIX and FITS-order axes.
func imageHDU(bitpix int, axes []int, extra []string, data []byte) []byte {
	cards := []string{kv("XTENSION", str("IMAGE")), kv("BITPIX", strconv.Itoa(bitpix)), kv("NAXIS", strconv.Itoa(len(axes)))}
	for i, a := range axes {
		cards = append(cards, kv(fmt.Sprintf("NAXIS%d", i+1), strconv.Itoa(a)))
	}
	cards = append(cards, kv("PCOUNT", "0"), kv("GCOUNT", "1"))
	cards = append(cards, extra...)
	return append(headerBlocks(cards...), dataBlocks(data)...)
}

// tableHDU is a binary table with columns (TTYPE, TFORM) and rows of
// rowBytes.
func tableHDU(rowBytes, rows int, cols [][2]string, extra []string, data []byte) []byte {
	cards := []string{
		kv("XTENSION", str("BINTABLE")), kv("BITPIX", "8"), kv("NAXIS", "2"),
		kv("NAXIS1", strconv.Itoa(rowBytes)), kv("NAXIS2", strconv.Itoa(rows)),
		kv("PCOUNT", "0"), kv("GCOUNT", "1"), kv("TFIELDS", strconv.Itoa(len(cols))),
	}
	for i, c := range cols {
		if c[0] != "" {
			cards = append(cards, kv(fmt.Sprintf("TTYPE%d", i+1), str(c[0])))
		}
		cards = append(cards, kv(fmt.Sprintf("TFORM%d", i+1), str(c[1])))
	}
	cards = append(cards, extra...)
	return append(headerBlocks(cards...), dataBlocks(data)...)
}

func join(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// --- .npy files as numpy writes them, and values compared as text.

type npyArray struct {
	descr string
	shape []uint64
	data  []byte
}

var (
	npyDescr = regexp.MustCompile(`'descr':\s*'([^']*)'`)
	npyShape = regexp.MustCompile(`'shape':\s*\(([^)]*)\)`)
)

func readNpy(t *testing.T, path string) npyArray {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\x93NUMPY")) {
		t.Fatalf("%s: not .npy", path)
	}
	var hlen, start int
	if b[6] == 1 {
		hlen, start = int(binary.LittleEndian.Uint16(b[8:])), 10
	} else {
		hlen, start = int(binary.LittleEndian.Uint32(b[8:])), 12
	}
	h := string(b[start : start+hlen])
	if strings.Contains(h, "'fortran_order': True") {
		t.Fatalf("%s: Fortran order", path)
	}
	a := npyArray{data: b[start+hlen:]}
	a.descr = npyDescr.FindStringSubmatch(h)[1]
	for _, s := range strings.Split(npyShape.FindStringSubmatch(h)[1], ",") {
		if s = strings.TrimSpace(s); s != "" {
			n, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			a.shape = append(a.shape, n)
		}
	}
	return a
}

// kind is an element encoding: numpy's kind letter, size and byte order.
type kind struct {
	letter byte // b i u f c S
	size   int
	big    bool
}

func npyKind(descr string) kind {
	size, _ := strconv.Atoi(descr[2:])
	return kind{letter: descr[1], size: size, big: descr[0] == '>'}
}

// dtypeKind is the kind of a Dtype this package returns.
func dtypeKind(t formats.Dtype) kind {
	switch t.Class {
	case formats.ClassEnum:
		return kind{'b', 1, false}
	case formats.ClassInteger:
		if t.Signed {
			return kind{'i', t.Size, t.Order == formats.BigEndian}
		}
		return kind{'u', t.Size, t.Order == formats.BigEndian}
	case formats.ClassFloat:
		return kind{'f', t.Size, t.Order == formats.BigEndian}
	case formats.ClassCompound:
		return kind{'c', t.Size, t.Members[0].Type.Order == formats.BigEndian}
	case formats.ClassString:
		return kind{'S', t.Size, false}
	}
	return kind{}
}

// elements renders each element of data as text: integers exactly, floats
// by their shortest round-trip form (NaN as NaN), strings without trailing
// blanks or NULs.
func elements(k kind, data []byte) []string {
	if k.size == 0 {
		return nil
	}
	var order binary.ByteOrder = binary.LittleEndian
	if k.big {
		order = binary.BigEndian
	}
	float := func(b []byte) string {
		if len(b) == 4 {
			v := math.Float32frombits(order.Uint32(b))
			if v != v {
				return "NaN"
			}
			return strconv.FormatFloat(float64(v), 'g', -1, 32)
		}
		v := math.Float64frombits(order.Uint64(b))
		if v != v {
			return "NaN"
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	var out []string
	for off := 0; off+k.size <= len(data); off += k.size {
		e := data[off : off+k.size]
		var s string
		switch k.letter {
		case 'b':
			s = strconv.FormatBool(e[0] != 0)
		case 'i', 'u':
			var u uint64
			switch k.size {
			case 1:
				u = uint64(e[0])
				if k.letter == 'i' {
					u = uint64(int8(e[0]))
				}
			case 2:
				u = uint64(order.Uint16(e))
				if k.letter == 'i' {
					u = uint64(int16(u))
				}
			case 4:
				u = uint64(order.Uint32(e))
				if k.letter == 'i' {
					u = uint64(int32(u))
				}
			case 8:
				u = order.Uint64(e)
			}
			if k.letter == 'i' {
				s = strconv.FormatInt(int64(u), 10)
			} else {
				s = strconv.FormatUint(u, 10)
			}
		case 'f':
			s = float(e)
		case 'c':
			s = float(e[:k.size/2]) + "," + float(e[k.size/2:])
		case 'S':
			s = strings.TrimRight(string(e), " \x00")
		}
		out = append(out, s)
	}
	return out
}
