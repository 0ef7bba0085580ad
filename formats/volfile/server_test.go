package volfile_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/server/client"
	"github.com/sciswift/sciswift/server/swift"
	"github.com/sciswift/sciswift/test/testserver"
	"github.com/sciswift/sciswift/vol"
)

// The tests write files with package vol against a real `sciswift serve`
// (built here, or $SCISWIFT_BIN) and read them back through an ObjectStore
// over the same server's Swift API. The server starts with the first test
// that needs it, so fuzzing (whose workers run TestMain too) starts none.
var (
	srvOnce sync.Once
	srv     *testserver.Server
	srvErr  error
	srvDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if srv != nil {
		if _, err := srv.Stop(30 * time.Second); err != nil {
			fmt.Fprintln(os.Stderr, "stopping the server:", err)
			code = 1
		}
	}
	if srvDir != "" {
		os.RemoveAll(srvDir)
	}
	os.Exit(code)
}

// server is the shared server, started on first use.
func server(t testing.TB) *testserver.Server {
	t.Helper()
	srvOnce.Do(func() { srv, srvErr = startServer() })
	if srvErr != nil {
		t.Fatal(srvErr)
	}
	return srv
}

func startServer() (*testserver.Server, error) {
	var err error
	if srvDir, err = os.MkdirTemp("", "sciswift-volfile-"); err != nil {
		return nil, err
	}
	bin, err := testserver.Binary(srvDir)
	if err != nil {
		return nil, err
	}
	data := filepath.Join(srvDir, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		return nil, err
	}
	return testserver.Start(bin, "", data, "", filepath.Join(srvDir, "server.log"))
}

const (
	testUser = "test:tester"
	testKey  = "testing"
)

func authURL(t testing.TB) string { return server(t).BaseURL + "/auth/v1.0" }

// settings are vol credentials for the container.
func settings(t testing.TB, container string) vol.Settings {
	return vol.Settings{AuthURL: authURL(t), User: testUser, Key: testKey, Container: container}
}

// swiftStore is formats.ObjectStore over one container of the server,
// counting what it fetches.
type swiftStore struct {
	c         *client.Client
	container string
	gets      atomic.Int64
	bytes     atomic.Int64
}

func newSwiftStore(t testing.TB, container string) *swiftStore {
	t.Helper()
	c := &client.Client{}
	if err := c.Auth(context.Background(), authURL(t), testUser, testKey); err != nil {
		t.Fatal(err)
	}
	return &swiftStore{c: c, container: container}
}

// get GETs an object; the manifest of a VOL-written file is asked for as
// itself (multipart-manifest=get), not as the HDF5 file it stands for.
func (s *swiftStore) get(ctx context.Context, name string, h http.Header) ([]byte, error) {
	resp, err := s.c.Do(ctx, client.Request{Method: http.MethodGet, Container: s.container, Object: name,
		Header: h, Query: url.Values{"multipart-manifest": {"get"}}})
	if err != nil {
		return nil, err
	}
	if err := client.ReadError(resp); err != nil {
		if errors.Is(err, swift.ErrNotFound) {
			return nil, fmt.Errorf("%s: %w", name, formats.ErrNotFound)
		}
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	s.gets.Add(1)
	s.bytes.Add(int64(len(b)))
	return b, err
}

func (s *swiftStore) Get(ctx context.Context, name string) ([]byte, error) {
	return s.get(ctx, name, nil)
}

func (s *swiftStore) Open(ctx context.Context, name string) (formats.Object, error) {
	h, err := s.c.HeadObject(ctx, s.container, name, nil)
	if err != nil {
		return nil, err
	}
	size, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	if err != nil {
		return nil, err
	}
	return &rangeObject{s: s, ctx: ctx, name: name, size: size}, nil
}

func (s *swiftStore) List(ctx context.Context, prefix string) ([]formats.ObjectInfo, error) {
	var out []formats.ObjectInfo
	marker := ""
	for {
		recs, _, err := s.c.ListObjects(ctx, s.container, client.ListOptions{Prefix: prefix, Marker: marker})
		if err != nil {
			return nil, err
		}
		if len(recs) == 0 {
			return out, nil
		}
		for _, r := range recs {
			out = append(out, formats.ObjectInfo{Name: r.Name, Size: r.Bytes})
		}
		marker = recs[len(recs)-1].Name
	}
}

type rangeObject struct {
	s    *swiftStore
	ctx  context.Context
	name string
	size int64
}

func (o *rangeObject) Size() int64 { return o.size }

func (o *rangeObject) ReadAt(p []byte, off int64) (int, error) {
	if off >= o.size {
		return 0, io.EOF
	}
	end := min(off+int64(len(p)), o.size)
	b, err := o.s.get(o.ctx, o.name, http.Header{"Range": {fmt.Sprintf("bytes=%d-%d", off, end-1)}})
	if err != nil {
		return 0, err
	}
	n := copy(p, b)
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
