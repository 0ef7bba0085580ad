package e2e

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestBenchCommand runs `sciswift bench` (what `make bench` runs, with
// far fewer operations) against the shared server: it must exit 0 and
// print a row per size × concurrency × phase. Figures are not judged:
// benchmarks are benchmarks, not assertions.
func TestBenchCommand(t *testing.T) {
	t.Parallel()
	ownServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := uniq("bench")
	cmd := exec.CommandContext(ctx, binPath, "bench",
		"-auth", srv.BaseURL+"/auth/v1.0", "-user", "test:tester", "-key", "testing",
		"-sizes", "4KiB,1MiB", "-concurrency", "1,4", "-count", "20", "-container", c)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("sciswift bench: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	t.Logf("\n%s", out.String())
	rows := 0
	for _, l := range strings.Split(out.String(), "\n") {
		f := strings.Fields(l)
		if len(f) > 3 && (f[3] == "PUT" || f[3] == "GET") {
			rows++
			if f[4] != "20" || f[5] != "0" {
				t.Errorf("bench row %q: want 20 operations and 0 errors", l)
			}
		}
	}
	if rows != 8 {
		t.Errorf("bench printed %d PUT/GET rows, want 8 (2 sizes × 2 concurrencies × 2 phases):\n%s", rows, out.String())
	}
	// The bench cleans up after itself.
	if l := as(t, tester).listing(t, p(c), ""); len(l) != 0 {
		t.Errorf("bench left %d objects in %s", len(l), c)
	}
}
