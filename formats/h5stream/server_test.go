package h5stream_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/server/client"
	"github.com/sciswift/sciswift/test/testserver"
)

// The server tests write files through the vol package's Go API against a
// real `sciswift serve`, stream them, and read the result with h5dump (HDF5
// 1.14) and h5py (HDF5 1.10).
var srv *testserver.Server

const (
	h5dumpBin = "/root/.cache/sciswift/hdf5-1.14.5/bin/h5dump"
	python    = "/usr/bin/python3"
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if testing.Short() {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "h5stream-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin, err := testserver.Binary(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if srv, err = testserver.Start(bin, "", filepath.Join(dir, "data"), "", filepath.Join(dir, "server.log")); err != nil {
		fmt.Fprintln(os.Stderr, "starting the server:", err)
		return 1
	}
	code := m.Run()
	if _, err := srv.Stop(10 * time.Second); err != nil {
		fmt.Fprintln(os.Stderr, "stopping the server:", err)
	}
	return code
}

// swiftStore is a container of the test server as formats.ObjectStore.
type swiftStore struct {
	c         *client.Client
	container string
}

func newSwiftStore(t *testing.T, container string) *swiftStore {
	t.Helper()
	c := &client.Client{}
	if err := c.Auth(context.Background(), srv.BaseURL+"/auth/v1.0", "test:tester", "testing"); err != nil {
		t.Fatal(err)
	}
	return &swiftStore{c: c, container: container}
}

func (s *swiftStore) Get(ctx context.Context, name string) ([]byte, error) {
	// multipart-manifest=get: the manifest as stored, not the file a
	// plain GET of a VOL-written file streams.
	resp, err := s.c.Do(ctx, client.Request{Method: "GET", Container: s.container, Object: name,
		Query: url.Values{"multipart-manifest": {"get"}}})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == 404 {
		return nil, fmt.Errorf("%s: %w", name, formats.ErrNotFound)
	}
	if resp.StatusCode != 200 {
		return nil, client.ReadError(resp)
	}
	return io.ReadAll(resp.Body)
}

func (s *swiftStore) Open(context.Context, string) (formats.Object, error) {
	return nil, fmt.Errorf("%w: not needed by the streamer", formats.ErrUnsupported)
}

func (s *swiftStore) List(ctx context.Context, prefix string) ([]formats.ObjectInfo, error) {
	var out []formats.ObjectInfo
	marker := ""
	for {
		recs, _, err := s.c.ListObjects(ctx, s.container, client.ListOptions{Prefix: prefix, Marker: marker})
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			out = append(out, formats.ObjectInfo{Name: r.Name, Size: r.Bytes})
		}
		if len(recs) == 0 {
			return out, nil
		}
		marker = recs[len(recs)-1].Name
	}
}

// loadFile reads a VOL-written file's documents, as formats/volfile does.
func loadFile(t testing.TB, s *swiftStore, name string) *domain.File {
	t.Helper()
	ctx := context.Background()
	raw, err := s.Get(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	m, err := domain.ParseManifest(raw)
	if err != nil {
		t.Fatal(err)
	}
	f := &domain.File{Name: name, Manifest: m, Groups: map[uint64]*domain.Group{},
		Datasets: map[uint64]*domain.Dataset{}, Types: map[uint64]*domain.NamedType{}}
	infos, err := s.List(ctx, domain.Prefix(name))
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range infos {
		_, kind, id, err := domain.ParseDocKey(info.Name)
		if err != nil {
			continue
		}
		raw, err := s.Get(ctx, info.Name)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		switch kind {
		case domain.KindGroup:
			g := &domain.Group{}
			f.Groups[id], doc = g, g
		case domain.KindDataset:
			d := &domain.Dataset{}
			f.Datasets[id], doc = d, d
		case domain.KindNamedType:
			nt := &domain.NamedType{}
			f.Types[id], doc = nt, nt
		}
		if err := json.Unmarshal(raw, doc); err != nil {
			t.Fatalf("%s: %v", info.Name, err)
		}
	}
	return f
}

// must unwraps a value and an error.
func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var _ = strings.Contains
