package voltest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/h5stream"
	"github.com/sciswift/sciswift/formats/volfile"
	"github.com/sciswift/sciswift/server/client"
)

// TestDownloadAsHDF5 runs every feature program through the connector,
// then turns the file in the store into one standard HDF5 file, as a plain
// GET of it does (formats/h5stream), and checks h5dump prints the same for
// it as for the program's native file. When the proxy serves the stream
// (GET NAME answers application/x-hdf5), the downloaded file is checked
// the same way and must be byte for byte the one streamed here.
func TestDownloadAsHDF5(t *testing.T) {
	needVOL(t)
	for _, prog := range featurePrograms {
		t.Run(prog, func(t *testing.T) {
			t.Parallel()
			nativeDir := t.TempDir()
			nativeFile := filepath.Join(nativeDir, prog+".h5")
			runOK(t, nativeEnv(), nativeDir, env.bins[prog], nativeFile)
			container := "dl-" + strings.ReplaceAll(prog, "_", "-")
			name := prog + ".h5"
			cwd := t.TempDir()
			if r := run(t, volEnv("SCISWIFT_KEEP_GOING=1"), cwd, env.bins[prog], container+"/"+name); r.code != 0 {
				t.Fatalf("through the connector: %s", r)
			}

			store := newStore(t, container)
			ctx := context.Background()
			f, err := volfile.Load(ctx, store, name)
			if err != nil {
				t.Fatalf("volfile.Load: %v", err)
			}
			plan, err := h5stream.NewPlan(ctx, f, store)
			if err != nil {
				t.Fatalf("h5stream.NewPlan: %v", err)
			}
			streamed := filepath.Join(t.TempDir(), name)
			out, err := os.Create(streamed)
			if err != nil {
				t.Fatal(err)
			}
			err = plan.WriteTo(ctx, out)
			if cerr := out.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				t.Fatalf("streaming: %v", err)
			}
			if st, _ := os.Stat(streamed); st.Size() != plan.Size() {
				t.Fatalf("streamed %d bytes, Size said %d", st.Size(), plan.Size())
			}
			want := runOK(t, nativeEnv(), nativeDir, tool("h5dump"), nativeFile)
			got := run(t, nativeEnv(), nativeDir, tool("h5dump"), streamed)
			if got.code != 0 {
				t.Fatalf("h5dump of the streamed file: %s", got)
			}
			compareOutputs(t, "h5dump streamed", normaliseDump(want.stdout, false), normaliseDump(got.stdout, false))

			downloaded, ok := store.download(t, name)
			if !ok {
				t.Logf("GET %s/%s does not serve the file as HDF5 yet: download not compared", container, name)
				return
			}
			if s, _ := os.ReadFile(streamed); string(s) != string(downloaded) {
				t.Errorf("GET %s/%s: %d bytes that differ from the %d streamed here", container, name, len(downloaded), len(s))
			}
		})
	}
}

// store is a container of the shared server as the formats layer sees it.
type store struct {
	c         *client.Client
	container string
}

func newStore(t *testing.T, container string) *store {
	t.Helper()
	c := &client.Client{}
	if err := c.Auth(context.Background(), env.authURL, user, key); err != nil {
		t.Fatal(err)
	}
	return &store{c: c, container: container}
}

func (s *store) get(ctx context.Context, name string, q url.Values) (*http.Response, error) {
	return s.c.Do(ctx, client.Request{Method: "GET", Container: s.container, Object: name, Query: q})
}

// Get reads an object as stored: multipart-manifest=get keeps a
// VOL-written file's manifest from being served as the file.
func (s *store) Get(ctx context.Context, name string) ([]byte, error) {
	resp, err := s.get(ctx, name, url.Values{"multipart-manifest": {"get"}})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return io.ReadAll(resp.Body)
	case http.StatusNotFound:
		return nil, fmt.Errorf("%s: %w", name, formats.ErrNotFound)
	}
	return nil, client.ReadError(resp)
}

func (s *store) Open(context.Context, string) (formats.Object, error) {
	return nil, fmt.Errorf("%w: range reads are not needed here", formats.ErrUnsupported)
}

func (s *store) List(ctx context.Context, prefix string) ([]formats.ObjectInfo, error) {
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

// download is a plain GET of name; ok is false when the answer is not an
// HDF5 file (a proxy that does not stream VOL-written files yet).
func (s *store) download(t *testing.T, name string) ([]byte, bool) {
	t.Helper()
	resp, err := s.get(context.Background(), name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", name, err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/x-hdf5" {
		return nil, false
	}
	return body, true
}
