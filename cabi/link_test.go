package main

import (
	"strings"
	"testing"

	"github.com/sciswift/sciswift/formats/domain"
)

func TestParseExternalLink(t *testing.T) {
	tests := []struct {
		name       string
		in         []byte
		file, path string
		ok         bool
	}{
		{"as H5Lcreate_external packs it", []byte("\x00other.h5\x00/x/y\x00"), "other.h5", "/x/y", true},
		{"trailing bytes ignored", []byte("\x00f\x00/p\x00junk"), "f", "/p", true},
		{"empty", nil, "", "", false},
		{"future version", []byte("\x10f\x00/p\x00"), "", "", false},
		{"unknown flag", []byte("\x01f\x00/p\x00"), "", "", false},
		{"file not terminated", []byte("\x00other.h5"), "", "", false},
		{"path not terminated", []byte("\x00f\x00/p"), "", "", false},
		{"empty file name", []byte("\x00\x00/p\x00"), "", "", false},
		{"empty path", []byte("\x00f\x00\x00"), "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file, path, err := parseExternalLink(tc.in)
			if (err == nil) != tc.ok || file != tc.file || path != tc.path {
				t.Errorf("parseExternalLink(%q) = %q, %q, %v; want %q, %q, ok %v", tc.in, file, path, err, tc.file, tc.path, tc.ok)
			}
		})
	}
}

// What linkValue writes, parseExternalLink reads back; nothing makes it
// panic.
func FuzzParseExternalLink(f *testing.F) {
	f.Add(linkValue(domain.Link{Kind: domain.LinkExternal, File: "other.h5", Path: "/x"}))
	f.Add([]byte("\x00a\x00b"))
	f.Add([]byte{0xff, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		file, path, err := parseExternalLink(b)
		if err != nil {
			return
		}
		if file == "" || path == "" || strings.ContainsRune(file, 0) || strings.ContainsRune(path, 0) {
			t.Fatalf("parsed %q into file %q, path %q", b, file, path)
		}
		again := linkValue(domain.Link{Kind: domain.LinkExternal, File: file, Path: path})
		f2, p2, err := parseExternalLink(again)
		if err != nil || f2 != file || p2 != path {
			t.Fatalf("round trip of %q: %q, %q, %v", again, f2, p2, err)
		}
	})
}

func TestJoinPath(t *testing.T) {
	tests := []struct{ base, name, want string }{
		{"/", "a", "/a"},
		{"/a", "b/c", "/a/b/c"},
		{"/a", "/x", "/x"},
		{"/a", ".", "/a"},
		{"/a", "./b//c/", "/a/b/c"},
		{"/a", "..", "/a/.."}, // ".." is an ordinary link name in HDF5
		{"", "b", ""},         // unknown base, relative name: unknown
		{"", "/b", "/b"},
		{"/", "", "/"},
	}
	for _, tc := range tests {
		if got := joinPath(tc.base, tc.name); got != tc.want {
			t.Errorf("joinPath(%q, %q) = %q, want %q", tc.base, tc.name, got, tc.want)
		}
	}
}

func TestLastComponent(t *testing.T) {
	tests := []struct{ in, parent, name string }{
		{"a", ".", "a"},
		{"/a", "/", "a"},
		{"a/b/c", "a/b", "c"},
		{"/a/b/", "/a", "b"},
	}
	for _, tc := range tests {
		if p, n := lastComponent(tc.in); p != tc.parent || n != tc.name {
			t.Errorf("lastComponent(%q) = %q, %q; want %q, %q", tc.in, p, n, tc.parent, tc.name)
		}
	}
}

// joinPath always yields a clean absolute path that it maps to itself.
func FuzzJoinPath(f *testing.F) {
	f.Add("a/./b//c/")
	f.Add("/")
	f.Add("..")
	f.Fuzz(func(t *testing.T, name string) {
		p := joinPath("/", name)
		if !strings.HasPrefix(p, "/") || strings.Contains(p, "//") || strings.Contains(p, "/./") ||
			strings.HasSuffix(p, "/.") || (p != "/" && strings.HasSuffix(p, "/")) {
			t.Fatalf("joinPath(/, %q) = %q", name, p)
		}
		if again := joinPath("/", p); again != p {
			t.Fatalf("joinPath(/, %q) = %q, not idempotent (%q)", name, p, again)
		}
	})
}
