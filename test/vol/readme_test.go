package voltest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readmeSection is the README heading whose first sh block is the
// connector quickstart.
const readmeSection = "## HDF5 programs on the store: the VOL connector"

// TestReadmeVOLQuickstart runs the README's connector quickstart as written,
// with two substitutions: the test server's address for 127.0.0.1:8080, and
// no `make vol` (the suite runs on the plugin make vol built). It runs in a
// scratch directory that links bin/plugins, scripts and examples, so the
// commands' relative paths resolve as in a checkout.
func TestReadmeVOLQuickstart(t *testing.T) {
	needVOL(t)
	script := readmeShBlock(t, readmeSection, "make vol")
	host := strings.TrimSuffix(strings.TrimPrefix(env.authURL, "http://"), "/auth/v1.0")
	script = strings.ReplaceAll(script, "127.0.0.1:8080", host)
	script = strings.Replace(script, "make vol\n", "", 1)

	dir := t.TempDir()
	links := map[string]string{
		"bin/plugins": env.pluginDir,
		"scripts":     filepath.Join(env.repo, "scripts"),
		"examples":    filepath.Join(env.repo, "examples"),
	}
	for name, target := range links {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	r := run(t, cleanEnv(), dir, "bash", "-euo", "pipefail", "-c", script)
	if r.code != 0 {
		t.Fatalf("the README's connector quickstart failed:\n%s\n%s", script, r)
	}
	for _, want := range []string{
		"simulation: wrote 10 steps",       // the program ran
		`DATASET "temperature"`,            // h5dump through the connector
		"/fields/temperature      Dataset", // h5ls -r -v
		"run1.h5/d/",                       // swift list shows the parts
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("quickstart output lacks %q:\n%s", want, r.stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "results")); err == nil {
		t.Error("the quickstart wrote a local results/ directory instead of using the store")
	}
	checkStoredFile(t, "results", "run1.h5")
}
