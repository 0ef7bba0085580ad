package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestReadmeSwiftExample runs the README's `swift` CLI block (the second sh
// block under "## Two commands") as written, with the test server's address
// for 127.0.0.1:8080, in a directory holding the run1.h5 and big.h5 it
// uploads.
func TestReadmeSwiftExample(t *testing.T) {
	script := readmeBlock(t, "## Two commands", 2)
	host := strings.TrimPrefix(srv.BaseURL, "http://")
	if !strings.Contains(script, "127.0.0.1:8080") {
		t.Fatalf("the README's swift block no longer names 127.0.0.1:8080:\n%s", script)
	}
	script = strings.ReplaceAll(script, "127.0.0.1:8080", host)

	dir := t.TempDir()
	run1, big := make([]byte, 300<<10), make([]byte, 3<<20)
	rand.Read(run1)
	rand.Read(big)
	for name, data := range map[string][]byte{"run1.h5": run1, "big.h5": big} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
	cmd.Dir, cmd.Env = dir, cleanEnv()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("the README's swift block failed: %v\n%s\nstdout:\n%s\nstderr:\n%s", err, script, &out, &errOut)
	}

	copied, err := os.ReadFile(filepath.Join(dir, "copy.h5"))
	if err != nil || !bytes.Equal(copied, run1) {
		t.Errorf("swift download … -o copy.h5 did not give back run1.h5 (err %v, %d bytes)", err, len(copied))
	}
	for _, want := range []string{"run1.h5\n", "Object: run1.h5", "Content Length: " + strconv.Itoa(len(run1))} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the block's output lacks %q:\n%s", want, &out)
		}
	}
	got := as(t, tester).get(t, "results", "big.h5").expect(t, 200)
	if !bytes.Equal(got.Body, big) {
		t.Errorf("big.h5 reads back %d bytes, not the %d uploaded", len(got.Body), len(big))
	}
}

// readmeBlock returns the n-th ```sh block after heading in README.md.
func readmeBlock(t *testing.T, heading string, n int) string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no %q section", heading)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	for i := 1; ; i++ {
		_, rest, ok := strings.Cut(section, "```sh\n")
		if !ok {
			t.Fatalf("README.md's %q section has fewer than %d sh blocks", heading, n)
		}
		block, after, ok := strings.Cut(rest, "```")
		if !ok {
			t.Fatalf("unterminated sh block under %q in README.md", heading)
		}
		if i == n {
			return block
		}
		section = after
	}
}
