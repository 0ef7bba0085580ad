package filter

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sciswift/sciswift/formats/domain"
)

const python = "/usr/bin/python3"

// requireH5py skips when the system python has no h5py, unless this is CI or
// a full run (SCISWIFT_BIN set), where a missing h5py is a broken setup.
func requireH5py(t *testing.T) {
	t.Helper()
	if err := exec.Command(python, "-c", "import h5py").Run(); err != nil {
		if os.Getenv("CI") == "" && os.Getenv("SCISWIFT_BIN") == "" {
			t.Skipf("%s has no h5py: %v", python, err)
		}
		t.Fatalf("%s has no h5py: %v", python, err)
	}
}

type h5Chunk struct {
	Offset []uint64 `json:"offset"`
	Mask   uint32   `json:"mask"`
	Raw    []byte   `json:"raw"`
	Values []byte   `json:"values"`
	Extent []uint64 `json:"extent"`
}

type h5Dataset struct {
	Name     string          `json:"name"`
	ElemSize int             `json:"elem_size"`
	Shape    []uint64        `json:"shape"`
	Chunk    []uint64        `json:"chunk"`
	Filters  []domain.Filter `json:"filters"`
	Chunks   []h5Chunk       `json:"chunks"`
}

type encChunk struct {
	Offset []uint64 `json:"offset"`
	Data   []byte   `json:"data"`
}

type encDataset struct {
	Name   string     `json:"name"`
	Chunks []encChunk `json:"chunks"`
}

type writeResult struct {
	Name  string `json:"name"`
	OK    bool   `json:"ok"`
	Error string `json:"error"`
}

func runScript(t *testing.T, out any, args ...string) {
	t.Helper()
	cmd := exec.Command(python, append([]string{filepath.Join("testdata", "h5filters.py")}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	data, err := cmd.Output()
	if err != nil {
		t.Fatalf("h5filters.py %v: %v\n%s", args, err, stderr.Bytes())
	}
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatalf("h5filters.py %v: %v", args, err)
	}
}

// inExtent picks the elements of a full chunk that lie inside extent, in
// row-major order: what h5py reads for the chunk's region.
func inExtent(full []byte, chunk, extent []uint64, size int) []byte {
	var out []byte
	n := uint64(1)
	for _, c := range chunk {
		n *= c
	}
	for e := range n {
		rest, inside := e, true
		for i := len(chunk) - 1; i >= 0; i-- {
			if rest%chunk[i] >= extent[i] {
				inside = false
			}
			rest /= chunk[i]
		}
		if inside {
			out = append(out, full[int(e)*size:int(e+1)*size]...)
		}
	}
	return out
}

// TestAgainstLibhdf5 checks both directions against libhdf5 through h5py:
// raw chunks libhdf5 wrote (shuffle, deflate, fletcher32 in several orders,
// odd element sizes, edge chunks, per-chunk filter masks) decode to the values
// h5py reads, and chunks Encode produced, written with write_direct_chunk,
// read back in h5py as the same values — and a corrupted one does not.
func TestAgainstLibhdf5(t *testing.T) {
	requireH5py(t)
	dir := t.TempDir()
	var sets []h5Dataset
	runScript(t, &sets, "make", dir)
	if len(sets) == 0 {
		t.Fatal("h5filters.py described no datasets")
	}

	var enc []encDataset
	masked := 0
	for _, ds := range sets {
		full := ds.ElemSize
		for _, c := range ds.Chunk {
			full *= int(c)
		}
		e := encDataset{Name: ds.Name}
		for _, c := range ds.Chunks {
			if c.Mask != 0 {
				masked++
			}
			got, err := DecodeMask(ds.Filters, c.Mask, ds.ElemSize, c.Raw, full)
			if err != nil {
				t.Fatalf("%s chunk %v (mask %b): %v", ds.Name, c.Offset, c.Mask, err)
			}
			if !bytes.Equal(inExtent(got, ds.Chunk, c.Extent, ds.ElemSize), c.Values) {
				t.Fatalf("%s chunk %v: decoded values differ from h5py's", ds.Name, c.Offset)
			}
			stored, err := Encode(ds.Filters, ds.ElemSize, got)
			if err != nil {
				t.Fatalf("%s chunk %v: Encode: %v", ds.Name, c.Offset, err)
			}
			e.Chunks = append(e.Chunks, encChunk{Offset: c.Offset, Data: stored})
		}
		enc = append(enc, e)
	}
	if masked == 0 {
		t.Fatal("no chunk had a filter mask: DecodeMask went untested")
	}

	write := func(name string, enc []encDataset) map[string]writeResult {
		path := filepath.Join(dir, name+".json")
		data, err := json.Marshal(enc)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var res []writeResult
		runScript(t, &res, "write", dir, path, filepath.Join(dir, name+".h5"))
		m := map[string]writeResult{}
		for _, r := range res {
			m[r.Name] = r
		}
		return m
	}

	for _, ds := range sets {
		if r, ok := write("good", enc)[ds.Name]; !ok || !r.OK {
			t.Errorf("%s: libhdf5 did not read our chunks back as written: %+v", ds.Name, r)
		}
	}

	// The control: flip a data byte of a fletcher32-protected chunk and
	// libhdf5 must refuse it, or the comparison above proves nothing.
	const victim = "i2_3d_fletcher"
	var bad []encDataset
	for _, e := range enc {
		c := e
		if e.Name == victim {
			c.Chunks = append([]encChunk(nil), e.Chunks...)
			c.Chunks[0].Data = bytes.Clone(c.Chunks[0].Data)
			c.Chunks[0].Data[0] ^= 0x10
		}
		bad = append(bad, c)
	}
	if r := write("bad", bad)[victim]; r.OK {
		t.Errorf("libhdf5 accepted a chunk with a wrong fletcher32 checksum: %+v", r)
	}
}
