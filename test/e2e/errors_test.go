package e2e

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestErrorCases(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c := s.mkContainer(t, "err")
	s.put(t, c, "o", []byte("x"))
	missing := uniq("missing")

	for _, tc := range []struct {
		name   string
		r      func() *resp
		status []int
	}{
		{"bad token: account", func() *resp { return s.withToken("AUTH_tkbogus").do(t, "GET", "", nil) }, []int{401}},
		{"bad token: container", func() *resp { return s.withToken("AUTH_tkbogus").do(t, "GET", p(c), nil) }, []int{401}},
		{"bad token: object", func() *resp { return s.withToken("AUTH_tkbogus").do(t, "GET", p(c, "o"), nil) }, []int{401}},
		{"bad token: PUT", func() *resp { return s.withToken("AUTH_tkbogus").do(t, "PUT", p(c, "n"), "x") }, []int{401}},
		{"garbage token", func() *resp { return s.withToken("not even a token; <>").do(t, "GET", "", nil) }, []int{401, 400}},
		{"no token: account", func() *resp { return anon().do(t, "GET", "", nil) }, []int{401}},
		{"no token: object", func() *resp { return anon().do(t, "GET", p(c, "o"), nil) }, []int{401}},
		{"other account", func() *resp { return s.onAccount("AUTH_test2").do(t, "GET", "", nil) }, []int{403}},
		{"unknown account", func() *resp { return s.onAccount("AUTH_nosuch").do(t, "GET", "", nil) }, []int{403}},
		{"non-admin account GET", func() *resp { return as(t, tester3).do(t, "GET", "", nil) }, []int{403}},
		{"non-admin container PUT", func() *resp { return as(t, tester3).do(t, "PUT", p(uniq("n")), nil) }, []int{403}},
		{"missing container GET", func() *resp { return s.do(t, "GET", p(missing), nil) }, []int{404}},
		{"missing container HEAD", func() *resp { return s.do(t, "HEAD", p(missing), nil) }, []int{404}},
		{"missing container object PUT", func() *resp { return s.do(t, "PUT", p(missing, "o"), "x") }, []int{404}},
		{"missing container object GET", func() *resp { return s.do(t, "GET", p(missing, "o"), nil) }, []int{404}},
		{"missing object GET", func() *resp { return s.do(t, "GET", p(c, "nope"), nil) }, []int{404}},
		{"missing object HEAD", func() *resp { return s.do(t, "HEAD", p(c, "nope"), nil) }, []int{404}},
		{"missing object POST", func() *resp { return s.do(t, "POST", p(c, "nope"), nil) }, []int{404}},
		{"missing object DELETE", func() *resp { return s.do(t, "DELETE", p(c, "nope"), nil) }, []int{404}},
		{"unknown API version", func() *resp { return rawDo(t, "GET", srv.BaseURL+"/v2/AUTH_test", nil, "X-Auth-Token", s.token) }, []int{400, 404, 412}},
		{"unknown top-level path", func() *resp { return rawDo(t, "GET", srv.BaseURL+"/nonsense", nil) }, []int{400, 404, 412}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r()
			r.check(t, tc.status...)
			if r.Status == 404 && r.Method == "GET" && strings.Contains(strings.ToLower(string(r.Body)), "traceback") {
				t.Errorf("error body leaks internals: %q", r.Body)
			}
		})
	}
}

// TestContainerNameWithSlash: an encoded slash cannot smuggle a container
// named "a/b" in; Swift decodes the path and sees container "a", object "b".
func TestContainerNameWithSlash(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	base := uniq("slash")
	r := s.do(t, "PUT", "/"+base+"%2Fsub", nil)
	r.check(t, 400, 404)
	for _, name := range s.listing(t, "", q("prefix", base)) {
		t.Errorf("account listing shows %q after PUT %s%%2Fsub", name, base)
	}
	// With the container existing, %2F addresses the object "sub".
	s.do(t, "PUT", p(base), nil).expect(t, 201)
	r = s.do(t, "PUT", "/"+base+"%2Fsub", nil)
	if r.Status == 201 {
		// Swift semantics: container base, object "sub".
		if l := s.listing(t, p(base), ""); !equalStrings(l, []string{"sub"}) {
			t.Errorf("PUT /%s%%2Fsub made %q in %s", base, l, base)
		}
	} else {
		r.check(t, 400)
	}
	if l := s.listing(t, "", q("prefix", base)); !equalStrings(l, []string{base}) {
		t.Errorf("account listing %q, want only %s", l, base)
	}
}

// TestPathTraversal stores objects whose names look like paths out of
// the data directory and checks they are just names: they round-trip by
// their literal names, and nothing appears outside the data directory.
func TestPathTraversal(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c := s.mkContainer(t, "trav")

	for _, tc := range []struct {
		rawPath string // sent as is after /v1/AUTH_test/c/
		name    string // the object name Swift sees
	}{
		{"../../etc/passwd", "../../etc/passwd"},
		{"%2e%2e/%2e%2e/%2e%2e/etc/shadow", "../../../etc/shadow"},
		{"..%2f..%2f..%2fescape", "../../../escape"},
		{"a/../../b", "a/../../b"},
		{"x/..", "x/.."},
		{"%2e%2e%5c%2e%2e%5cwindows", `..\..\windows`},
	} {
		data := []byte("content of " + tc.name)
		r := s.do(t, "PUT", p(c)+"/"+tc.rawPath, data)
		if !r.check(t, 201) {
			continue
		}
		// By the literal (escaped) name, and by the raw form again.
		if g := s.do(t, "GET", p(c, tc.name), nil); !g.check(t, 200) || string(g.Body) != string(data) {
			t.Errorf("object %q: GET by literal name returned %q", tc.name, g.Body)
		}
		if g := s.do(t, "GET", p(c)+"/"+tc.rawPath, nil); !g.check(t, 200) || string(g.Body) != string(data) {
			t.Errorf("object %q: GET by the raw path %q returned %q", tc.name, tc.rawPath, g.Body)
		}
	}
	listed := map[string]bool{}
	for _, l := range s.listing(t, p(c), "") {
		listed[l] = true
	}
	for _, n := range []string{"../../etc/passwd", "../../../etc/shadow", "../../../escape", "a/../../b", "x/..", `..\..\windows`} {
		if !listed[n] {
			t.Errorf("listing lacks %q (has %v)", n, listed)
		}
	}

	// NUL and invalid UTF-8 are refused (Swift: 412 "Invalid UTF8 or contains NULL").
	for _, raw := range []string{"a%00b", "%00", "..%00/x", "bad%ff%feutf8"} {
		s.do(t, "PUT", p(c)+"/"+raw, "x").check(t, 412, 400)
		s.do(t, "GET", p(c)+"/"+raw, nil).check(t, 412, 400)
	}
	s.do(t, "PUT", "/"+"cont%00ainer", nil).check(t, 412, 400)
	// Over-long path components are fine: names are hashed.
	long := strings.Repeat("../", 300) + "x"
	s.put(t, c, long, []byte("deep"))
	if g := s.get(t, c, long); string(g.Body) != "deep" {
		t.Errorf("long ../ name returned %q", g.Body)
	}

	if external {
		return // the data directory is not ours to inspect
	}
	// Nothing was created beside the data directory: each sandbox level
	// holds exactly the next one.
	dir := sandbox
	for _, level := range append(append([]string(nil), sandboxLevels...), "data") {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) == 0 {
			t.Errorf("%s is empty: the server never created its data directory %q there", dir, level)
			return
		}
		if len(entries) != 1 || entries[0].Name() != level {
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Errorf("%s holds %q, want only %q: an object name escaped the data directory", dir, names, level)
		}
		dir = filepath.Join(dir, level)
	}
	// And inside it, no file or directory is named after an object path.
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		switch d.Name() {
		case "passwd", "shadow", "escape", "windows", "etc":
			t.Errorf("%s exists in the data directory: object names must not become paths", path)
		}
		return nil
	})
}
