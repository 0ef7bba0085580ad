package fits

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sciswift/sciswift/formats"
)

// BenchmarkOpen scans a file of 16 HDUs with 200-card headers.
func BenchmarkOpen(b *testing.B) {
	var cards []string
	for i := 0; i < 200; i++ {
		cards = append(cards, kv(fmt.Sprintf("KEY%d", i), fmt.Sprintf("%d.5", i)))
	}
	file := primaryEmpty()
	for i := 0; i < 16; i++ {
		file = join(file, imageHDU(-32, []int{64, 64}, cards, make([]byte, 64*64*4)))
	}
	obj := memObject(file)
	b.SetBytes(int64(len(file)))
	for b.Loop() {
		if _, err := Open(context.Background(), obj, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadCutout reads a 512×512 cut of a 4096×4096 int16 image held
// in memory: the cost of planning, joining and copying, not of storage.
func BenchmarkReadCutout(b *testing.B) {
	data := make([]byte, 4096*4096*2)
	syn := bigImage()
	file := join(syn.header, dataBlocks(data))
	f := mustOpen(b, memObject(file), Limits{})
	sel := formats.Selection{{Start: 1000, Stop: 1512, Step: 1}, {Start: 2000, Stop: 2512, Step: 1}}
	b.SetBytes(512 * 512 * 2)
	for b.Loop() {
		if _, err := f.Read(context.Background(), "/HDU0", sel); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadCutoutRemote is BenchmarkReadCutout against a store that
// answers each ReadAt after a 200 µs round trip, as a Range GET to another
// host would: what reading rows several at a time buys.
func BenchmarkReadCutoutRemote(b *testing.B) {
	data := make([]byte, 4096*4096*2)
	syn := bigImage()
	file := join(syn.header, dataBlocks(data))
	f := mustOpen(b, slowObject{memObject(file), 200 * time.Microsecond}, Limits{})
	sel := formats.Selection{{Start: 1000, Stop: 1512, Step: 1}, {Start: 2000, Stop: 2512, Step: 1}}
	b.SetBytes(512 * 512 * 2)
	for b.Loop() {
		if _, err := f.Read(context.Background(), "/HDU0", sel); err != nil {
			b.Fatal(err)
		}
	}
}

// slowObject delays every ReadAt by a round trip.
type slowObject struct {
	formats.Object
	rtt time.Duration
}

func (o slowObject) ReadAt(p []byte, off int64) (int, error) {
	time.Sleep(o.rtt)
	return o.Object.ReadAt(p, off)
}

// BenchmarkReadScaled reads a whole BSCALE/BZERO/BLANK int16 image as
// float32.
func BenchmarkReadScaled(b *testing.B) {
	extra := []string{kv("BSCALE", "0.5"), kv("BZERO", "100"), kv("BLANK", "-32768")}
	file := join(primaryEmpty(), imageHDU(16, []int{1024, 1024}, extra, make([]byte, 1024*1024*2)))
	f := mustOpen(b, memObject(file), Limits{})
	b.SetBytes(1024 * 1024 * 4)
	for b.Loop() {
		if _, err := f.Read(context.Background(), "/HDU1", nil); err != nil {
			b.Fatal(err)
		}
	}
}
