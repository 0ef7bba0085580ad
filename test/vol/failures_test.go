package voltest

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestTwoWriters opens a file for writing in one process and checks a
// second process cannot open it for writing, with a message about the
// lock, until the first closes it. Natively HDF5's file locking does the
// same, which checks the test itself.
func TestTwoWriters(t *testing.T) {
	needHDF5(t)
	cases := []struct {
		name string
		vol  bool
	}{
		{"native", false},
		{"sciswift", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			envv, file, cwd := nativeEnv(), "", t.TempDir()
			if tc.vol {
				needVOL(t)
				envv, file = volEnv(), "locks/held.h5"
			} else {
				file = filepath.Join(cwd, "held.h5")
			}
			fc := env.bins["failcase"]
			runOK(t, envv, cwd, fc, "make", file)
			holder := startProc(t, envv, cwd, fc, "hold", file)
			holder.waitReady(t)

			pattern := "lock|open for writing"
			if r := run(t, envv, cwd, fc, "expect-fail", "open-rw", file, pattern); r.code != 0 {
				t.Errorf("a second writer must fail with a message matching %q:\n%s", pattern, r)
			}
			// Natively, H5Fcreate(TRUNC) of a locked file fails too, but
			// only after open(2) with O_TRUNC has emptied it: the store must
			// do better and leave the file alone.
			if tc.vol {
				if r := run(t, envv, cwd, fc, "expect-fail", "create", file, pattern); r.code != 0 {
					t.Errorf("H5Fcreate(TRUNC) of a file open for writing elsewhere must fail with a message matching %q:\n%s", pattern, r)
				}
			}

			holder.goOn(t)
			if r := holder.wait(); r.code != 0 {
				t.Errorf("the first writer failed to close: %s", r)
			}
			runOK(t, envv, cwd, fc, "open-rw", file)
			if tc.vol {
				runOK(t, envv, cwd, fc, "check", file)
				checkNoLocalFiles(t, cwd)
				runOK(t, envv, cwd, tool("h5delete"), file)
			}
		})
	}
}

// TestServerDownMidWrite kills the store (SIGKILL) while a program writes
// a big dataset through the connector: some HDF5 call, at the latest
// H5Fclose, must fail with a message, and the program must not hang.
func TestServerDownMidWrite(t *testing.T) {
	needVOL(t)
	s, err := startServer("outage")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Kill)
	cwd := t.TempDir()
	envv := volEnv("ST_AUTH=" + s.BaseURL + "/auth/v1.0")
	p := startProc(t, envv, cwd, env.bins["failcase"], "write-through-outage", "outage/big.h5", "64",
		"unreachable|refused|connect|store|server")
	p.waitReady(t)
	s.Kill()
	p.goOn(t)
	if r := p.wait(); r.code != 0 {
		t.Errorf("writing through a store outage must fail with a message (and not hang):\n%s", r)
	}
	checkNoLocalFiles(t, cwd)
}

// TestDeletedUnderOpenFile deletes a file from the store (manifest and
// parts, with the swift CLI) while a program has it open for writing: the
// program's next operations, at the latest H5Fclose, must fail with a
// message, and the file must not open again (in another process).
func TestDeletedUnderOpenFile(t *testing.T) {
	needVOL(t)
	cwd := t.TempDir()
	fc := env.bins["failcase"]
	runOK(t, volEnv(), cwd, fc, "make", "deleted/under.h5")
	p := startProc(t, volEnv(), cwd, fc, "deleted-under", "deleted/under.h5", "deleted|not found|404|gone|missing")
	p.waitReady(t)
	if out, errOut, code := swiftCLI(t, "", "delete", "deleted", "--prefix", "under.h5"); code != 0 {
		t.Fatalf("swift delete deleted --prefix under.h5: exit %d\n%s%s", code, out, errOut)
	}
	p.goOn(t)
	if r := p.wait(); r.code != 0 {
		t.Errorf("operations on a file deleted from the store must fail with a message:\n%s", r)
	}
	// The file stays gone: nothing the program did brought it back.
	if r := run(t, volEnv(), cwd, fc, "expect-fail", "open-ro", "deleted/under.h5", "not found|404|deleted|no such"); r.code != 0 {
		t.Errorf("a file deleted from the store must not open again:\n%s", r)
	}
	checkNoLocalFiles(t, cwd)
	// Chunks uploaded by write-behind before the connector noticed the
	// deletion are removed at close, with the lock; the manifest must not
	// come back.
	for _, o := range listObjects(t, "deleted") {
		if o == "under.h5" {
			t.Errorf("the manifest under.h5 is back in the store after the file was deleted under the program")
		} else if strings.HasPrefix(o, "under.h5/") {
			t.Errorf("left in the store after the deletion: %s", o)
		}
	}
}

// TestNoPlugin asks for the connector with a plugin directory that does
// not hold it. HDF5 1.14 then reports the failure on its first API call
// only and carries on with the native connector, which would write local
// files under the names the program was given; a program that insists on
// the connector (SCISWIFT_EXPECT_VOL=1, see c/check.h) must fail instead,
// and nothing may appear locally.
func TestNoPlugin(t *testing.T) {
	needHDF5(t)
	cases := []struct {
		name string
		env  []string
		file string
	}{
		{"container in the name", nil, "c/x.h5"},
		{"SCISWIFT_CONTAINER", []string{"SCISWIFT_CONTAINER=c"}, "x.h5"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cwd := t.TempDir()
			envv := withEnv(nativeEnv(), append([]string{
				"HDF5_PLUGIN_PATH=" + env.emptyPlugs,
				"HDF5_VOL_CONNECTOR=sciswift",
				"SCISWIFT_EXPECT_VOL=1",
				"ST_AUTH=http://127.0.0.1:9/auth/v1.0", "ST_USER=" + user, "ST_KEY=" + key,
			}, tc.env...)...)
			for _, prog := range []string{"files_links", "failcase"} {
				args := []string{tc.file}
				if prog == "failcase" {
					args = []string{"make", tc.file}
				}
				r := run(t, envv, cwd, env.bins[prog], args...)
				if r.code == 0 {
					t.Errorf("with no plugin to load, %s must fail:\n%s", prog, r)
				}
				if !strings.Contains(r.stderr, "sciswift") {
					t.Errorf("%s failed without naming the connector it wanted:\n%s", prog, r)
				}
			}
			checkNoLocalFiles(t, cwd)
		})
	}
}
