package voltest

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/test/testserver"
)

// featurePrograms write a file with every feature the connector must
// support, reopen it and check every value (see c/*.c).
var featurePrograms = []string{"files_links", "datasets", "attrs_types"}

// dumpVariants are the h5dump invocations compared between native and
// connector runs.
var dumpVariants = []struct {
	name  string
	args  []string
	props bool
}{
	{"h5dump", nil, false},
	{"h5dump -p -H", []string{"-p", "-H"}, true},
}

// TestProgramsNative runs every feature program natively on a local file:
// the programs themselves are right about HDF5 (and the reference the
// connector runs are compared with).
func TestProgramsNative(t *testing.T) {
	needHDF5(t)
	for _, prog := range featurePrograms {
		t.Run(prog, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			r := runOK(t, nativeEnv(), dir, env.bins[prog], filepath.Join(dir, prog+".h5"))
			if !strings.HasPrefix(r.stdout, prog+": ok") {
				t.Errorf("%s printed %q, want its summary line", prog, r.stdout)
			}
		})
	}
}

// TestProgramsThroughConnector runs every feature program through the
// connector against the shared server, then checks the store holds the
// file as a manifest and parts, that h5dump and h5ls print the same as for
// the same program's native file, and that H5Fdelete (h5delete) removes
// every object.
func TestProgramsThroughConnector(t *testing.T) {
	needVOL(t)
	for _, prog := range featurePrograms {
		t.Run(prog, func(t *testing.T) {
			t.Parallel()
			nativeDir := t.TempDir()
			nativeFile := filepath.Join(nativeDir, prog+".h5")
			runOK(t, nativeEnv(), nativeDir, env.bins[prog], nativeFile)

			container := "vol-" + strings.ReplaceAll(prog, "_", "-")
			name := prog + ".h5"
			file := container + "/" + name
			cwd := t.TempDir()
			// A failed check is an error, not the end: the program carries
			// on (SCISWIFT_KEEP_GOING, reporting every mismatch) so that
			// the file reaches its final state and what the tools see of it
			// is worth comparing too.
			if r := run(t, volEnv("SCISWIFT_KEEP_GOING=1"), cwd, env.bins[prog], file); r.code != 0 {
				t.Errorf("through the connector: %s", r)
			} else if !strings.HasPrefix(r.stdout, prog+": ok") {
				t.Errorf("%s printed %q, want its summary line", prog, r.stdout)
			}
			checkNoLocalFiles(t, cwd)
			// The program also made and H5Fdelete'd NAME.scratch.h5: only
			// the file itself may be left.
			checkStoredFile(t, container, name)

			for _, v := range dumpVariants {
				want := runOK(t, nativeEnv(), nativeDir, tool("h5dump"), append(v.args, nativeFile)...)
				got := run(t, volEnv(), cwd, tool("h5dump"), append(v.args, file)...)
				if got.code != 0 {
					t.Errorf("%s through the connector: %s", v.name, got)
					continue
				}
				compareOutputs(t, v.name, normaliseDump(want.stdout, v.props), normaliseDump(got.stdout, v.props))
			}
			want := runOK(t, nativeEnv(), nativeDir, tool("h5ls"), "-r", "-v", nativeFile)
			got := run(t, volEnv(), cwd, tool("h5ls"), "-r", "-v", file)
			if got.code != 0 {
				t.Errorf("h5ls -r -v through the connector: %s", got)
			} else {
				compareOutputs(t, "h5ls -r -v", normaliseLs(want.stdout), normaliseLs(got.stdout))
			}
			checkNoLocalFiles(t, cwd)

			runOK(t, volEnv(), cwd, tool("h5delete"), file)
			if left := listObjects(t, container); len(left) > 0 {
				t.Errorf("after h5delete %s (H5Fdelete), container %s still holds %v", file, container, left)
			}
			if r := run(t, volEnv(), cwd, tool("h5dump"), "-H", file); r.code == 0 {
				t.Errorf("h5dump of %s succeeded after H5Fdelete:\n%s", file, r)
			}
			checkNoLocalFiles(t, cwd)
		})
	}
}

// TestSettings checks where the connector takes its settings from: the
// info string after the connector name first, then ST_AUTH/ST_USER/ST_KEY,
// OS_STORAGE_URL/OS_AUTH_TOKEN and SCISWIFT_CONTAINER; and that missing or
// wrong ones fail H5Fcreate with a message saying so.
func TestSettings(t *testing.T) {
	needVOL(t)
	storageURL, token := authenticate(t)
	noST := []string{"ST_AUTH=", "ST_USER=", "ST_KEY="}
	closed, err := testserver.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		env       []string
		container string // where the file lands
		file      string // as given to H5Fcreate
		// fail is the pattern a failing H5Fcreate's error stack must match
		// ("" when the create must succeed).
		fail string
	}{
		{"ST variables", nil, "settings-st", "settings-st/f.h5", ""},
		{"info string alone", append(noST, "HDF5_VOL_CONNECTOR=sciswift auth="+env.authURL+" user="+user+" key="+key),
			"settings-info", "settings-info/f.h5", ""},
		{"info string key wins over ST_KEY", []string{"ST_KEY=wrong", "HDF5_VOL_CONNECTOR=sciswift key=" + key},
			"settings-info-key", "settings-info-key/f.h5", ""},
		{"wrong info string key wins over ST_KEY", []string{"HDF5_VOL_CONNECTOR=sciswift key=wrong"},
			"settings-info-wrong", "settings-info-wrong/f.h5", "auth"},
		{"container in the info string", []string{"HDF5_VOL_CONNECTOR=sciswift container=settings-info-c"},
			"settings-info-c", "f.h5", ""},
		{"SCISWIFT_CONTAINER", []string{"SCISWIFT_CONTAINER=settings-env-c"}, "settings-env-c", "f.h5", ""},
		{"info string container wins over SCISWIFT_CONTAINER",
			[]string{"SCISWIFT_CONTAINER=settings-loser", "HDF5_VOL_CONNECTOR=sciswift container=settings-winner"},
			"settings-winner", "f.h5", ""},
		{"no container", nil, "settings-none", "f.h5", "container"},
		{"OS_STORAGE_URL and OS_AUTH_TOKEN", append(noST, "OS_STORAGE_URL="+storageURL, "OS_AUTH_TOKEN="+token),
			"settings-os", "settings-os/f.h5", ""},
		{"storage_url and token in the info string", append(noST, "HDF5_VOL_CONNECTOR=sciswift storage_url="+storageURL+" token="+token),
			"settings-info-token", "settings-info-token/f.h5", ""},
		{"no credentials", noST, "settings-nocred", "settings-nocred/f.h5", "credential|auth"},
		{"wrong key", []string{"ST_KEY=wrong"}, "settings-wrongkey", "settings-wrongkey/f.h5", "auth"},
		{"bad token", append(noST, "OS_STORAGE_URL="+storageURL, "OS_AUTH_TOKEN=AUTH_tknotvalid"),
			"settings-badtoken", "settings-badtoken/f.h5", "auth|401|403"},
		{"unreachable store", []string{"ST_AUTH=http://" + closed + "/auth/v1.0"},
			"settings-unreachable", "settings-unreachable/f.h5", "unreachable|refused|connect"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cwd := t.TempDir()
			envv := volEnv(tc.env...)
			if tc.fail == "" {
				runOK(t, envv, cwd, env.bins["failcase"], "make", tc.file)
				checkNoLocalFiles(t, cwd)
				name := tc.file[strings.LastIndex(tc.file, "/")+1:]
				checkStoredFile(t, tc.container, name)
				runOK(t, envv, cwd, tool("h5delete"), tc.file)
				return
			}
			r := run(t, envv, cwd, env.bins["failcase"], "expect-fail", "create", tc.file, tc.fail)
			if r.code != 0 {
				t.Errorf("H5Fcreate(%s) must fail with a message matching %q:\n%s", tc.file, tc.fail, r)
			}
			checkNoLocalFiles(t, cwd)
			if objs := listObjects(t, tc.container); len(objs) > 0 {
				t.Errorf("a failed H5Fcreate left objects in %s: %v", tc.container, objs)
			}
		})
	}
}

// authenticate logs test:tester in (tempauth v1.0) and returns the storage
// URL and token, for the pre-authenticated settings.
func authenticate(t *testing.T) (storageURL, token string) {
	t.Helper()
	req, err := http.NewRequest("GET", env.authURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Auth-User", user)
	req.Header.Set("X-Auth-Key", key)
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	storageURL, token = resp.Header.Get("X-Storage-Url"), resp.Header.Get("X-Auth-Token")
	if resp.StatusCode != 200 || storageURL == "" || token == "" {
		t.Fatalf("GET %s: %d, X-Storage-Url %q, X-Auth-Token %q", env.authURL, resp.StatusCode, storageURL, token)
	}
	return storageURL, token
}
