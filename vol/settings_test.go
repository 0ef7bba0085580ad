package vol

import (
	"errors"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseSettings(t *testing.T) {
	env := map[string]string{
		"ST_AUTH": "http://env/auth/v1.0", "ST_USER": "env:user", "ST_KEY": "envkey",
		"OS_STORAGE_URL": "http://env/v1/AUTH_x", "OS_AUTH_TOKEN": "envtok",
		"SCISWIFT_CONTAINER": "envc",
	}
	tests := []struct {
		name string
		info string
		env  map[string]string
		want Settings
		err  error
	}{
		{name: "env only", env: env, want: Settings{AuthURL: "http://env/auth/v1.0", User: "env:user", Key: "envkey",
			StorageURL: "http://env/v1/AUTH_x", Token: "envtok", Container: "envc", Parallel: 16, CacheBytes: 128 << 20}},
		{name: "info wins per setting", info: "auth=http://i/auth/v1.0 user=i:u key=k container=ic", env: env,
			want: Settings{AuthURL: "http://i/auth/v1.0", User: "i:u", Key: "k", Container: "ic", Parallel: 16, CacheBytes: 128 << 20}},
		{name: "info user only takes the rest of tempauth from env", info: "user=i:u", env: env,
			want: Settings{AuthURL: "http://env/auth/v1.0", User: "i:u", Key: "envkey", Container: "envc", Parallel: 16, CacheBytes: 128 << 20}},
		{name: "pre-authenticated info ignores ST_*", info: "storage_url=http://s/v1/AUTH_a token=t", env: env,
			want: Settings{StorageURL: "http://s/v1/AUTH_a", Token: "t", Container: "envc", Parallel: 16, CacheBytes: 128 << 20}},
		{name: "knobs", info: " parallel=4\tcache=64M  ", env: nil,
			want: Settings{Parallel: 4, CacheBytes: 64 << 20}},
		{name: "cache in bytes and KiB", info: "cache=2097152", want: Settings{Parallel: 16, CacheBytes: 2 << 20}},
		{name: "cache 4096KiB", info: "cache=4096KiB", want: Settings{Parallel: 16, CacheBytes: 4 << 20}},
		{name: "empty", want: Settings{Parallel: 16, CacheBytes: 128 << 20}},
		{name: "unknown key", info: "auth=x bogus=1", err: ErrInvalid},
		{name: "no equals", info: "auth", err: ErrInvalid},
		{name: "empty value", info: "key=", err: ErrInvalid},
		{name: "twice", info: "user=a user=b", err: ErrInvalid},
		{name: "parallel 0", info: "parallel=0", err: ErrInvalid},
		{name: "parallel huge", info: "parallel=100000", err: ErrInvalid},
		{name: "cache tiny", info: "cache=1K", err: ErrInvalid},
		{name: "cache junk", info: "cache=lots", err: ErrInvalid},
		{name: "bad container", info: "container=a/b", err: ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSettings(tt.info, envOf(tt.env))
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseSettingsNilGetenv(t *testing.T) {
	s, err := ParseSettings("user=a:b", nil)
	if err != nil || s.User != "a:b" {
		t.Fatalf("%+v %v", s, err)
	}
}

func TestCheckAuth(t *testing.T) {
	tests := []struct {
		s       Settings
		ok      bool
		mention string
	}{
		{Settings{AuthURL: "a", User: "u", Key: "k"}, true, ""},
		{Settings{StorageURL: "s", Token: "t"}, true, ""},
		{Settings{}, false, "ST_AUTH"},
		{Settings{AuthURL: "a", User: "u"}, false, "ST_KEY"},
		{Settings{StorageURL: "s"}, false, "OS_AUTH_TOKEN"},
	}
	for _, tt := range tests {
		err := tt.s.checkAuth()
		if tt.ok != (err == nil) {
			t.Errorf("%+v: err = %v", tt.s, err)
			continue
		}
		if err != nil && (!errors.Is(err, ErrNoAuth) || !strings.Contains(err.Error(), tt.mention)) {
			t.Errorf("%+v: err = %v, want ErrNoAuth mentioning %s", tt.s, err, tt.mention)
		}
	}
}

func TestParseName(t *testing.T) {
	tests := []struct {
		name, def       string
		container, path string
		err             error
	}{
		{"sky/run1.h5", "", "sky", "run1.h5", nil},
		{"sky/a/b/run1.h5", "other", "sky", "a/b/run1.h5", nil},
		{"run1.h5", "def", "def", "run1.h5", nil},
		{"/sky/run1.h5", "", "sky", "run1.h5", nil},
		{"./run1.h5", "def", "def", "run1.h5", nil},
		{"././sky/x.h5", "", "sky", "x.h5", nil},
		{"run1.h5", "", "", "", ErrNoContainer},
		{"", "def", "", "", ErrInvalid},
		{"/", "def", "", "", ErrInvalid},
		{"sky/", "", "", "", ErrInvalid},
		{"sky//x", "", "", "", ErrInvalid},
		{"sky/a/../x", "", "", "", ErrInvalid},
		{"sky/./x", "", "", "", ErrInvalid},
		{"sky/x/", "", "", "", ErrInvalid},
		{"/x.h5", "", "", "", ErrNoContainer}, // the "/" is dropped: a bare name
		{"sky/x\x00y", "", "", "", ErrInvalid},
		{strings.Repeat("c", 257) + "/x", "", "", "", ErrInvalid},
		{"sky/" + strings.Repeat("p", 901), "", "", "", ErrInvalid},
	}
	for _, tt := range tests {
		c, p, err := parseName(tt.name, tt.def)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("parseName(%q, %q) err = %v, want %v", tt.name, tt.def, err, tt.err)
			}
			continue
		}
		if err != nil || c != tt.container || p != tt.path {
			t.Errorf("parseName(%q, %q) = %q, %q, %v; want %q, %q", tt.name, tt.def, c, p, err, tt.container, tt.path)
		}
	}
	_, _, err := parseName("x.h5", "")
	if err == nil || !strings.Contains(err.Error(), "SCISWIFT_CONTAINER") {
		t.Errorf("ErrNoContainer message should say how to set a container: %v", err)
	}
}

func FuzzParseName(f *testing.F) {
	for _, s := range []string{"sky/run1.h5", "/a/b/c", "./x", "x", "a//b", "a/./b", "\x00/x"} {
		f.Add(s, "def")
	}
	f.Fuzz(func(t *testing.T, name, def string) {
		c, p, err := parseName(name, def)
		if err != nil {
			return
		}
		if c == "" || p == "" || strings.Contains(c, "/") || strings.HasSuffix(p, "/") || strings.Contains(p, "//") {
			t.Fatalf("parseName(%q, %q) = %q, %q", name, def, c, p)
		}
		if checkContainer(c) != nil {
			t.Fatalf("accepted bad container %q", c)
		}
		// A parsed name, written back out, parses to itself.
		c2, p2, err := parseName(c+"/"+p, "")
		if err != nil || c2 != c || p2 != p {
			t.Fatalf("%q/%q reparsed as %q, %q, %v", c, p, c2, p2, err)
		}
	})
}

func FuzzParseSettings(f *testing.F) {
	for _, s := range []string{"auth=a user=b key=c", "parallel=3 cache=1G", "x", "cache=99999999999999999G", "container=a/b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, info string) {
		s, err := ParseSettings(info, nil)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if s.Parallel < 1 || s.Parallel > maxParallel || s.CacheBytes < minCacheBytes {
			t.Fatalf("knobs out of range: %+v", s)
		}
	})
}
