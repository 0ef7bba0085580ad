package dataset_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/server/proxy/dataset"
)

// fakeHDF5 stands in for the HDF5 worker: a "file" is the magic, then
// bytes served as a 1-D uint8 dataset /x. Build counts its runs and
// fails as a crashed worker does when the file says CRASH.
type fakeHDF5 struct {
	builds atomic.Int32
	gate   chan struct{} // when not nil, Build waits for it to close
}

const fakeMagic = "\x89HDF\r\n\x1a\n"

type fakeIndex struct{ N uint64 }

func (i *fakeIndex) Marshal() ([]byte, error) { return json.Marshal(i) }

func (h *fakeHDF5) Sniff(head []byte) bool { return bytes.HasPrefix(head, []byte(fakeMagic)) }

func (h *fakeHDF5) Build(ctx context.Context, obj formats.Object) (dataset.HDF5Index, error) {
	h.builds.Add(1)
	if h.gate != nil {
		<-h.gate
	}
	buf := make([]byte, obj.Size())
	if _, err := obj.ReadAt(buf, 0); err != nil {
		return nil, err
	}
	if bytes.Contains(buf, []byte("CRASH")) {
		return nil, fmt.Errorf("%w: sciswift-h5worker: signal: segmentation fault", formats.ErrIndexer)
	}
	return &fakeIndex{N: uint64(len(buf) - len(fakeMagic))}, nil
}

func (h *fakeHDF5) ParseIndex(data []byte) (dataset.HDF5Index, error) {
	var idx fakeIndex
	if err := json.Unmarshal(data, &idx); err != nil {
		return nil, fmt.Errorf("%w: %v", formats.ErrCorrupt, err)
	}
	return &idx, nil
}

func (h *fakeHDF5) Open(obj formats.Object, idx dataset.HDF5Index) (formats.File, error) {
	return &fakeFile{obj: obj, n: idx.(*fakeIndex).N}, nil
}

type fakeFile struct {
	obj formats.Object
	n   uint64
}

func (f *fakeFile) dataset() *formats.Dataset {
	return &formats.Dataset{Path: "/x", Type: formats.Dtype{Class: formats.ClassInteger, Size: 1}, Shape: []uint64{f.n}}
}

func (f *fakeFile) Tree() *formats.Tree {
	return &formats.Tree{Format: "hdf5", Root: &formats.Group{Path: "/", Datasets: []*formats.Dataset{f.dataset()}}}
}

func (f *fakeFile) Dataset(path string) (*formats.Dataset, bool) {
	return f.dataset(), path == "/x"
}

func (f *fakeFile) Read(ctx context.Context, path string, sel formats.Selection) (*formats.Array, error) {
	r := sel[0]
	buf := make([]byte, r.Stop-r.Start)
	if _, err := f.obj.ReadAt(buf, int64(len(fakeMagic))+int64(r.Start)); err != nil {
		return nil, err
	}
	var out []byte
	for i := uint64(0); i < uint64(len(buf)); i += r.Step {
		out = append(out, buf[i])
	}
	return &formats.Array{Type: f.dataset().Type, Shape: []uint64{uint64(len(out))}, Data: out}, nil
}

func shapeOf(t *testing.T, r response) []any {
	t.Helper()
	tree := jsonValue(t, r.body).(map[string]any)
	return tree["root"].(map[string]any)["datasets"].([]any)[0].(map[string]any)["shape"].([]any)
}

func TestHDF5Index(t *testing.T) {
	h := &fakeHDF5{gate: make(chan struct{})}
	s := newStore(t, func(c *dataset.Config) { c.HDF5 = h })
	u := s.login(t, "test:tester", "testing")
	u.must(t, "PUT", "/c", nil, nil, 201)
	u.must(t, "PUT", "/c/run1.h5", nil, strings.NewReader(fakeMagic+"0123456789"), 201)

	// Concurrent first requests share one build: the build is held until
	// every request has read the object's head.
	const n = 8
	var heads atomic.Int32
	s.hook = func(r *http.Request) {
		if strings.Contains(r.UserAgent(), "DS Head") && heads.Add(1) == n {
			close(h.gate)
		}
	}
	var wg sync.WaitGroup
	results := make([]response, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = u.do(t, "GET", "/c/run1.h5?describe", nil, nil)
		}()
	}
	wg.Wait()
	s.hook = nil
	h.gate = nil
	for _, r := range results {
		if r.status != 200 || !reflect.DeepEqual(shapeOf(t, r), []any{10.0}) {
			t.Fatalf("concurrent describe: %d %s", r.status, r.body)
		}
	}
	if b := h.builds.Load(); b != 1 {
		t.Errorf("%d concurrent first requests ran %d builds, want 1", n, b)
	}
	r := u.must(t, "GET", "/c/run1.h5?dataset=/x&select=[1:9:3]", nil, nil, 200)
	if got := jsonValue(t, r.body); !reflect.DeepEqual(got, []any{49.0, 52.0, 55.0}) {
		t.Errorf("slice: %v", got)
	}

	// The index is kept with the object: a fresh server reads it back.
	key := dataset.IndexKey{Account: u.account, Container: "c", Object: "run1.h5"}
	idx := &dataset.StoreIndexes{HTTP: s.pipeline, Endpoint: "http://index.internal:80"}
	data, v, found, err := idx.Load(context.Background(), key)
	if err != nil || !found || string(data) != `{"N":10}` || v.ETag != strings.Trim(results[0].header.Get("X-Sciswift-Source-Etag"), `"`) || v.Timestamp == "" {
		t.Fatalf("stored index: %q %+v %v %v", data, v, found, err)
	}
	url2, _ := s.serve(t, func(c *dataset.Config) { c.HDF5 = h })
	u2 := &user{s: &store{url: url2}, token: u.token, account: u.account}
	u2.must(t, "GET", "/c/run1.h5?describe", nil, nil, 200)
	if b := h.builds.Load(); b != 1 {
		t.Errorf("a second server rebuilt the stored index (%d builds)", b)
	}

	// Overwritten: rebuilt, for the new bytes.
	u.must(t, "PUT", "/c/run1.h5", nil, strings.NewReader(fakeMagic+"0123"), 201)
	r = u.must(t, "GET", "/c/run1.h5?describe", nil, nil, 200)
	if !reflect.DeepEqual(shapeOf(t, r), []any{4.0}) || h.builds.Load() != 2 {
		t.Errorf("after an overwrite: %s, %d builds", r.body, h.builds.Load())
	}

	// Deleted: the index goes too.
	u.must(t, "DELETE", "/c/run1.h5", nil, nil, 204)
	if _, _, found, err := idx.Load(context.Background(), key); found || err != nil {
		t.Errorf("index of a deleted object: found %v, %v", found, err)
	}

	// The hidden account is not on the public API.
	r = u.doURL(t, "GET", s.url+"/v1/"+dataset.IndexAccount+"/"+u.account+"/c/run1.h5", nil, nil)
	if r.status != 401 && r.status != 403 {
		t.Errorf("public GET of the index account: %d", r.status)
	}

	// A crashing worker is a 422 naming the problem; the server goes on.
	u.must(t, "PUT", "/c/bad.h5", nil, strings.NewReader(fakeMagic+"CRASH"), 201)
	r = u.must(t, "GET", "/c/bad.h5?describe", nil, nil, 422)
	if !strings.Contains(string(r.body), "segmentation fault") {
		t.Errorf("crash message: %s", r.body)
	}
	u.must(t, "PUT", "/c/good.h5", nil, strings.NewReader(fakeMagic+"ok"), 201)
	u.must(t, "GET", "/c/good.h5?describe", nil, nil, 200)
}

func TestHDF5WithoutDriver(t *testing.T) {
	s := newStore(t, nil)
	u := s.login(t, "test:tester", "testing")
	u.must(t, "PUT", "/c", nil, nil, 201)
	u.must(t, "PUT", "/c/run1.h5", nil, strings.NewReader(fakeMagic+"0123456789"), 201)
	r := u.must(t, "GET", "/c/run1.h5?describe", nil, nil, 501)
	if !strings.Contains(string(r.body), "sciswift-h5worker") {
		t.Errorf("501 message: %s", r.body)
	}
}

// TestPinnedToVersion overwrites the object between the head read and the
// next read of one request: the answer is an error, never a mix.
func TestPinnedToVersion(t *testing.T) {
	s := newStore(t, nil)
	u := s.login(t, "test:tester", "testing")
	_, data := fitsFile(t)
	u.must(t, "PUT", "/sky", nil, nil, 201)
	u.must(t, "PUT", "/sky/survey.fits", nil, bytes.NewReader(data), 201)
	other := bytes.Clone(data)
	other[len(other)-1] ^= 1
	var once sync.Once
	s.hook = func(r *http.Request) {
		if strings.Contains(r.UserAgent(), "DS Read") {
			once.Do(func() { u.must(t, "PUT", "/sky/survey.fits", nil, bytes.NewReader(other), 201) })
		}
	}
	r := u.do(t, "GET", "/sky/survey.fits?dataset=/HDU0&select=[100,0:4]", nil, nil)
	s.hook = nil
	if r.status != 409 || !strings.Contains(string(r.body), "changed while it was being read") {
		t.Fatalf("read across an overwrite: %d %s", r.status, r.body)
	}
	u.must(t, "GET", "/sky/survey.fits?dataset=/HDU0&select=[100,0:4]", nil, nil, 200)
}
