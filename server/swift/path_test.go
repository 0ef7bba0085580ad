package swift

import (
	"net/url"
	"testing"
)

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.ParseRequestURI(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestParsePublicPath(t *testing.T) {
	tests := []struct {
		path   string
		want   Path
		status int // 0 for success
		msg    string
	}{
		{path: "/v1/AUTH_test", want: Path{Version: "v1", Account: "AUTH_test"}},
		{path: "/v1/AUTH_test/", want: Path{Version: "v1", Account: "AUTH_test"}},
		{path: "/v1/a/c", want: Path{Version: "v1", Account: "a", Container: "c"}},
		{path: "/v1/a/c/", want: Path{Version: "v1", Account: "a", Container: "c"}},
		{path: "/v1/a/c/o", want: Path{Version: "v1", Account: "a", Container: "c", Object: "o"}},
		{path: "/v1/a/c/dir/sub/o", want: Path{Version: "v1", Account: "a", Container: "c", Object: "dir/sub/o"}},
		{path: "/v1/a/c/o/", want: Path{Version: "v1", Account: "a", Container: "c", Object: "o/"}},
		{path: "/v1/a/c//o", want: Path{Version: "v1", Account: "a", Container: "c", Object: "/o"}},
		{path: "/v1/a/c/%2Fo%2F", want: Path{Version: "v1", Account: "a", Container: "c", Object: "/o/"}},
		{path: "/v1/a/c/x%2Fy", want: Path{Version: "v1", Account: "a", Container: "c", Object: "x/y"}},
		{path: "/v1/a/c/%2E%2E", want: Path{Version: "v1", Account: "a", Container: "c", Object: ".."}},
		{path: "/v1/a/c/sp%20ace%25", want: Path{Version: "v1", Account: "a", Container: "c", Object: "sp ace%"}},
		{path: "/v1/a/c/%C3%A9", want: Path{Version: "v1", Account: "a", Container: "c", Object: "é"}},
		// Swift splits the decoded path, so %2F before the object separates.
		{path: "/v1/a/c%2Fd/o", want: Path{Version: "v1", Account: "a", Container: "c", Object: "d/o"}},
		{path: "/v1/a%2Fc", want: Path{Version: "v1", Account: "a", Container: "c"}},
		{path: "/v1.0/a", want: Path{Version: "v1.0", Account: "a"}},
		// Errors, with the proxy's statuses.
		{path: "/v1/a/c/%00", status: 412, msg: "Invalid UTF8 or contains NULL"},
		{path: "/v1/a%FF", status: 412, msg: "Invalid UTF8 or contains NULL"},
		{path: "//a", status: 404},
		{path: "/", status: 404},
		{path: "/v1", status: 412, msg: "Bad URL"},
		{path: "/v1/", status: 412, msg: "Bad URL"},
		{path: "/v1//c", status: 412, msg: "Bad URL"},
		{path: "/v1/a//o", status: 412, msg: "Bad URL"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			got, err := ParsePublicPath(mustURL(t, tc.path))
			if tc.status != 0 {
				if Status(err) != tc.status || (tc.msg != "" && Message(err) != tc.msg) {
					t.Fatalf("got %+v, %v (%d); want %d %q", got, err, Status(err), tc.status, tc.msg)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestParseBackendPath(t *testing.T) {
	tests := []struct {
		path   string
		want   Path
		status int
		msg    string
	}{
		{path: "/d1/0/AUTH_test", want: Path{Device: "d1", Partition: "0", Account: "AUTH_test"}},
		{path: "/d1/0/a/", want: Path{Device: "d1", Partition: "0", Account: "a"}},
		{path: "/d1/0/a/c", want: Path{Device: "d1", Partition: "0", Account: "a", Container: "c"}},
		{path: "/d1/0/a/c/o", want: Path{Device: "d1", Partition: "0", Account: "a", Container: "c", Object: "o"}},
		{path: "/d1/0/a/c/o/p/", want: Path{Device: "d1", Partition: "0", Account: "a", Container: "c", Object: "o/p/"}},
		{path: "/d1/0/a/c/x%2Fy", want: Path{Device: "d1", Partition: "0", Account: "a", Container: "c", Object: "x/y"}},
		{path: "/d1/0/.expiring_objects/1700006400/1700000000-a%2Fc%2Fo",
			want: Path{Device: "d1", Partition: "0", Account: ".expiring_objects", Container: "1700006400", Object: "1700000000-a/c/o"}},
		{path: "/d1/0/a/c/%00", status: 412, msg: "Invalid UTF8 or contains NULL"},
		{path: "/d1/0", status: 400, msg: "Invalid path: /d1/0"},
		{path: "/d1/0/", status: 400, msg: "Invalid path: /d1/0/"},
		{path: "/d1//a", status: 400, msg: "Invalid path: /d1//a"},
		{path: "//0/a", status: 400, msg: "Invalid path: //0/a"},
		{path: "/d1/0/a//o", status: 400, msg: "Invalid path: /d1/0/a//o"},
		{path: "/d1/0/a b//o", status: 400, msg: "Invalid path: /d1/0/a%20b//o"},
		// Names that would leave the device directory.
		{path: "/../0/a", status: 400, msg: "Invalid device: .."},
		{path: "/%2E/0/a", status: 400, msg: "Invalid device: ."},
		{path: "/d%5C1/0/a", status: 400, msg: "Invalid device: d%5C1"},
		{path: "/d1/../a", status: 400, msg: "Invalid partition: .."},
		{path: "/d1/./a", status: 400, msg: "Invalid partition: ."},
		{path: "/d1/0%5C1/a", status: 400, msg: "Invalid partition: 0%5C1"},
		// A %2F in the device or partition separates segments, as in Swift.
		{path: "/d%2F0/a", want: Path{Device: "d", Partition: "0", Account: "a"}},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			got, err := ParseBackendPath(mustURL(t, tc.path))
			if tc.status != 0 {
				if Status(err) != tc.status || Message(err) != tc.msg {
					t.Fatalf("got %+v, %v (%d); want %d %q", got, err, Status(err), tc.status, tc.msg)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestPathLevel(t *testing.T) {
	for _, tc := range []struct {
		p    Path
		want Level
		name string
	}{
		{Path{Account: "a"}, LevelAccount, "Account"},
		{Path{Account: "a", Container: "c"}, LevelContainer, "Container"},
		{Path{Account: "a", Container: "c", Object: "o"}, LevelObject, "Object"},
	} {
		if tc.p.Level() != tc.want || tc.want.Name() != tc.name {
			t.Errorf("%+v: %v %q", tc.p, tc.p.Level(), tc.want.Name())
		}
	}
}

func TestEscapePath(t *testing.T) {
	got := EscapePath("d1", "0", "AUTH_test", "c c", "dir/é?#%")
	if want := "/d1/0/AUTH_test/c%20c/dir/%C3%A9%3F%23%25"; got != want {
		t.Fatalf("EscapePath = %q, want %q", got, want)
	}
	p, err := ParseBackendPath(mustURL(t, got))
	if err != nil || p.Container != "c c" || p.Object != "dir/é?#%" {
		t.Fatalf("round trip: %+v, %v", p, err)
	}
}
