package examplestest

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoArchive builds examples/go/archive, archives a directory with it,
// and reads every object back with the client to compare with the files.
func TestGoArchive(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "archive")
	if r := run(t, env.repo, nil, "go", "build", "-o", bin, "./examples/go/archive"); r.code != 0 {
		t.Fatalf("go build ./examples/go/archive:\n%s", r)
	}
	src := t.TempDir()
	files := map[string][]byte{
		"run1/params.json": []byte(`{"dt": 0.5}`),
		"run1/output.bin":  bytes.Repeat([]byte{0, 1, 2, 3, 255}, 300_000),
		"README.txt":       []byte("toy run\n"),
		"empty":            nil,
	}
	for name, data := range files {
		path := filepath.Join(src, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := run(t, src, storeEnv(), bin, src, "archive")
	if r.code != 0 || !strings.Contains(r.stdout, "4 objects in archive match their files") {
		t.Fatalf("archive:\n%s", r)
	}
	c := login(t)
	for name, data := range files {
		body, _, err := c.GetObject(context.Background(), "archive", name, nil)
		if err != nil {
			t.Fatalf("GET archive/%s: %v", name, err)
		}
		got, err := io.ReadAll(body)
		body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("archive/%s holds %d bytes that differ from the file's %d", name, len(got), len(data))
		}
	}

	bad := run(t, src, []string{"ST_AUTH=" + env.authURL, "ST_USER=" + user, "ST_KEY=wrong"}, bin, src, "archive")
	if bad.code != 1 || !strings.Contains(bad.stderr, "log in to") {
		t.Errorf("archive with a wrong key: want exit 1 and a login error:\n%s", bad)
	}
	usage := run(t, src, storeEnv(), bin)
	if usage.code != 2 || !strings.Contains(usage.stderr, "usage: archive DIR CONTAINER") {
		t.Errorf("archive without arguments: want exit 2 and the usage:\n%s", usage)
	}
}
