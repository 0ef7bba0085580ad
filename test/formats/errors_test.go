package formats_test

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestErrors: every way a dataset request can be wrong gets its status and
// a message naming the problem, and a crafted file costs one 422, never
// the server.
func TestErrors(t *testing.T) {
	t.Parallel()
	s := login(t, shared.srv, tester)
	dir := t.TempDir()
	h5 := makeH5(t, dir, "a")
	c := uniq("errors")
	upload(t, shared.srv, c, h5, "run1.h5")
	upload(t, shared.srv, c, writeFile(t, dir, "notes.txt", []byte("just some text, not a dataset\n")), "notes.txt")
	whole, err := os.ReadFile(h5)
	if err != nil {
		t.Fatal(err)
	}
	upload(t, shared.srv, c, writeFile(t, dir, "truncated.h5", whole[:len(whole)/3]), "truncated.h5")
	garbage := make([]byte, 64<<10)
	rand.Read(garbage)
	copy(garbage, "\x89HDF\r\n\x1a\n") // the signature, then noise
	upload(t, shared.srv, c, writeFile(t, dir, "garbage.h5", garbage), "garbage.h5")
	obj := "/" + c + "/run1.h5"

	for _, tc := range []struct {
		query  string
		status int
		words  []string
	}{
		{"?dataset=/nope&format=json", 400, []string{"/nope"}},
		{"?dataset=/wind&format=json", 400, []string{"/wind"}}, // a group
		{"?dataset=/wind/u&select=[0:300,0:5]&format=json", 400, []string{"dimension 0", "300"}},
		{"?dataset=/wind/u&select=[0:10,50]&format=json", 400, []string{"dimension 1", "50"}},
		{"?dataset=/wind/u&select=[0:10,5:3]&format=json", 400, []string{"dimension 1"}},
		{"?dataset=/wind/u&select=[0:10]&format=json", 400, []string{"2"}}, // rank
		{"?dataset=/wind/u&select=[a:b,0]&format=json", 400, []string{"select"}},
		{"?dataset=/wind/u&select=0:10,0&format=json", 400, []string{"select"}},
		{"?dataset=/wind/u&format=xml", 400, []string{"xml"}},
		{"?dataset=/grid/cube&format=csv", 400, []string{"csv"}},
	} {
		s.get(t, obj+tc.query).wantError(t, tc.status, tc.words...)
	}

	// Not a scientific format: 415 with a message, for both queries.
	s.get(t, "/"+c+"/notes.txt?describe").wantError(t, 415)
	s.get(t, "/"+c+"/notes.txt?dataset=/x&format=json").wantError(t, 415)
	// A missing object is still 404.
	s.get(t, "/"+c+"/missing.h5?describe").wantError(t, 404)

	// Truncated and garbage HDF5: 422, and the server keeps serving.
	for _, name := range []string{"truncated.h5", "garbage.h5"} {
		s.get(t, "/"+c+"/"+name+"?describe").wantError(t, 422)
		s.get(t, "/"+c+"/"+name+"?dataset=/wind/u&format=json").wantError(t, 422)
	}
	// Truncated FITS and Parquet files claim their format and break it: 422.
	for _, local := range []string{makeFITS(t, dir), parquetFile(t, dir)} {
		whole, err := os.ReadFile(local)
		if err != nil {
			t.Fatal(err)
		}
		name := "truncated" + filepath.Ext(local)
		upload(t, shared.srv, c, writeFile(t, dir, name, whole[:len(whole)*2/3]), name)
		s.get(t, "/"+c+"/"+name+"?describe").wantError(t, 422)
	}
	if !shared.srv.Running() {
		t.Fatalf("the server exited after the crafted files; its log:\n%s", shared.srv.LogTail(30))
	}
	s.get(t, obj+"?describe").want(t, 200)
	s.get(t, obj+"?dataset=/counts&select=[0:5]&format=json").want(t, 200)
	// The objects themselves still download as they were uploaded.
	if r := s.get(t, "/"+c+"/garbage.h5").want(t, 200); !bytes.Equal(r.body, garbage) {
		t.Errorf("GET garbage.h5 returned %d bytes, not the uploaded %d", len(r.body), len(garbage))
	}
}

// parquetFile writes the suite's Parquet fixture into dir.
func parquetFile(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "events.parquet")
	writeParquet(t, p, parquetRows, parquetRowGroup)
	return p
}

// TestAuth: the dataset API has the rules of a GET of the object: 401
// without a token, 403 for another account or a user without access, and
// a container read ACL grants it.
func TestAuth(t *testing.T) {
	t.Parallel()
	owner := login(t, shared.srv, tester)
	dir := t.TempDir()
	c := uniq("acl")
	upload(t, shared.srv, c, makeH5(t, dir, "a"), "run1.h5")
	obj := "/" + c + "/run1.h5"
	queries := []string{"?describe", "?dataset=/wind/u&select=[0:4,0:4]&format=json"}

	anon := &session{srv: shared.srv, storageURL: owner.storageURL}
	other := login(t, shared.srv, t2admin)
	plain := login(t, shared.srv, tester3)
	for _, q := range queries {
		owner.get(t, obj+q).want(t, 200)
		anon.get(t, obj+q).wantError(t, 401)
		other.withURL(owner.storageURL).get(t, obj+q).wantError(t, 403)
		plain.get(t, obj+q).wantError(t, 403)
	}
	owner.request(t, "POST", "/"+c, nil, "X-Container-Read", "test:tester3").want(t, 204)
	for _, q := range queries {
		want := owner.get(t, obj+q).want(t, 200)
		if got := plain.get(t, obj+q).want(t, 200); !bytes.Equal(got.body, want.body) {
			t.Errorf("%s as test:tester3 with the read ACL: %q, the owner gets %q", q, got.body, want.body)
		}
	}
	// A read ACL does not open another container.
	c2 := uniq("acl-other")
	upload(t, shared.srv, c2, makeH5(t, t.TempDir(), "a"), "run1.h5")
	plain.get(t, "/"+c2+"/run1.h5?describe").wantError(t, 403)
}

// withURL is the session's token sent to another account's URL.
func (s *session) withURL(storageURL string) *session {
	c := *s
	c.storageURL = storageURL
	return &c
}

// TestSelectionLimit: a selection above the configured limit is 413 with a
// message; one below it is served. Own server, started with
// datasets.max_selection_bytes (also the serve flag --max-selection-bytes).
func TestSelectionLimit(t *testing.T) {
	t.Parallel()
	srv, err := startServer(shared.bin, shared.workDir, "limit", `{"datasets": {"max_selection_bytes": 4096}}`)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if _, err := srv.Stop(stopTimeout); err != nil {
			t.Error(err)
		}
	}()
	s := login(t, srv, tester)
	c := uniq("limit")
	upload(t, srv, c, makeH5(t, t.TempDir(), "a"), "run1.h5")
	obj := "/" + c + "/run1.h5"
	// /wind/u is 200×40 float32: 32000 bytes.
	for _, f := range allFormats {
		s.get(t, obj+"?dataset=/wind/u&format="+f).wantError(t, 413, "4096")
	}
	s.get(t, obj+"?dataset=/wind/u&select=[0:20,0:8]&format=npy").want(t, 200) // 640 bytes
	s.get(t, obj+"?describe").want(t, 200)
}

// TestOverwrite: replacing the object with another file replaces what
// ?describe and ?dataset= see (the index is rebuilt, not reused).
func TestOverwrite(t *testing.T) {
	t.Parallel()
	s := login(t, shared.srv, tester)
	dir := t.TempDir()
	a, b := makeH5(t, dir, "a"), makeH5(t, dir, "b")
	c := uniq("overwrite")
	obj := "/" + c + "/run1.h5"

	upload(t, shared.srv, c, a, "run1.h5")
	ck := newChecker(t)
	ck.describe(t, s, c+"/run1.h5", source{"kind": "h5file", "file": a})
	s.get(t, obj+"?dataset=/wind/u&select=[0:2,0:2]&format=json").want(t, 200)

	upload(t, shared.srv, c, b, "run1.h5")
	ck.describe(t, s, c+"/run1.h5", source{"kind": "h5file", "file": b})
	for _, f := range allFormats {
		ck.slice(t, s, c+"/run1.h5", "/replaced", "[1:3,::2]", f, h5Source(b, "/replaced"))
	}
	s.get(t, obj+"?dataset=/wind/u&format=json").wantError(t, 400, "/wind/u")

	// And replaced by something that is no dataset at all: 415.
	upload(t, shared.srv, c, writeFile(t, dir, "plain", []byte(strings.Repeat("text ", 100))), "run1.h5")
	s.get(t, obj+"?describe").wantError(t, 415)
	ck.run(t)
}
