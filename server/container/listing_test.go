package container

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

func TestContainerListing(t *testing.T) {
	s := newTestServer(t, swift.Limits{})
	call(s, "PUT", "/d1/0/a/c", T(1)...)
	objects := []string{"a.txt", "dir/", "dir/sub/x", "dir/y", "dir/z", "photos/2024/1.jpg", "photos/2024/2.jpg", "photos/cat.jpg", "zebra"}
	for i, o := range objects {
		w := call(s, "PUT", "/d1/0/a/c/"+url.PathEscape(o), with(T(int64(10+i)),
			swift.HeaderSize, fmt.Sprint(i), swift.HeaderEtag, fmt.Sprintf("etag%d", i),
			swift.HeaderContentType, "text/plain")...)
		if w.Code != 201 {
			t.Fatalf("row %s: %d", o, w.Code)
		}
	}
	tests := []struct {
		query  string
		status int
		body   string
	}{
		{"", 200, "a.txt\ndir/\ndir/sub/x\ndir/y\ndir/z\nphotos/2024/1.jpg\nphotos/2024/2.jpg\nphotos/cat.jpg\nzebra\n"},
		{"?prefix=photos/", 200, "photos/2024/1.jpg\nphotos/2024/2.jpg\nphotos/cat.jpg\n"},
		{"?delimiter=/", 200, "a.txt\ndir/\nphotos/\nzebra\n"},
		{"?prefix=photos/&delimiter=/", 200, "photos/2024/\nphotos/cat.jpg\n"},
		{"?prefix=dir/&delimiter=/", 200, "dir/\ndir/sub/\ndir/y\ndir/z\n"},
		{"?marker=dir/z", 200, "photos/2024/1.jpg\nphotos/2024/2.jpg\nphotos/cat.jpg\nzebra\n"},
		{"?end_marker=dir/sub", 200, "a.txt\ndir/\n"},
		{"?marker=a.txt&end_marker=dir/y", 200, "dir/\ndir/sub/x\n"},
		{"?limit=2", 200, "a.txt\ndir/\n"},
		{"?limit=0", 204, ""},
		{"?reverse=on&limit=3", 200, "zebra\nphotos/cat.jpg\nphotos/2024/2.jpg\n"},
		{"?reverse=true&delimiter=/", 200, "zebra\nphotos/\ndir/\na.txt\n"},
		{"?reverse=1&marker=dir/y&delimiter=/", 200, "dir/\na.txt\n"},
		{"?path=dir", 200, "dir/y\ndir/z\n"},
		{"?path=photos/", 200, "photos/cat.jpg\n"},
		{"?prefix=nothing", 204, ""},
		{"?delimiter=ab", 412, "Bad delimiter"},
		{"?limit=10001", 412, "Maximum limit is 10000"},
	}
	for _, tt := range tests {
		w := call(s, "GET", "/d1/0/a/c"+tt.query)
		if w.Code != tt.status || w.Body.String() != tt.body {
			t.Errorf("GET %s = %d %q, want %d %q", tt.query, w.Code, w.Body.String(), tt.status, tt.body)
		}
		if tt.status < 300 && w.Header().Get("X-Container-Object-Count") != "9" {
			t.Errorf("GET %s: X-Container-Object-Count = %q", tt.query, w.Header().Get("X-Container-Object-Count"))
		}
	}
}

func TestContainerListingFormats(t *testing.T) {
	s := newTestServer(t, swift.Limits{})
	call(s, "PUT", "/d1/0/a/c", T(1)...)
	call(s, "PUT", "/d1/0/a/c/d%C3%A9j%C3%A0/vu", with(T(2), swift.HeaderSize, "5", swift.HeaderEtag, "abc",
		swift.HeaderContentType, "text/plain")...)
	call(s, "PUT", "/d1/0/a/c/manifest", with(T(3), swift.HeaderSize, "100", swift.HeaderEtag, "def",
		swift.HeaderContentType, "application/octet-stream;swift_bytes=12345")...)
	tests := []struct {
		query, accept, contentType, body string
		status                           int
	}{
		{"?format=json", "", "application/json; charset=utf-8",
			`[{"bytes": 5, "hash": "abc", "name": "d\u00e9j\u00e0/vu", "content_type": "text/plain", "last_modified": "2023-11-14T22:13:22.000000"}, ` +
				`{"bytes": 12345, "hash": "def", "name": "manifest", "content_type": "application/octet-stream", "last_modified": "2023-11-14T22:13:23.000000"}]`,
			200},
		{"?format=json&delimiter=/", "", "application/json; charset=utf-8",
			`[{"subdir": "d\u00e9j\u00e0/"}, {"bytes": 12345, "hash": "def", "name": "manifest", "content_type": "application/octet-stream", "last_modified": "2023-11-14T22:13:23.000000"}]`,
			200},
		{"?format=xml&limit=1", "", "application/xml; charset=utf-8",
			"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<container name=\"c\"><object><name>déjà/vu</name><hash>abc</hash>" +
				"<bytes>5</bytes><content_type>text/plain</content_type><last_modified>2023-11-14T22:13:22.000000</last_modified></object></container>",
			200},
		{"?delimiter=/", "application/json", "application/json; charset=utf-8",
			`[{"subdir": "d\u00e9j\u00e0/"}, {"bytes": 12345, "hash": "def", "name": "manifest", "content_type": "application/octet-stream", "last_modified": "2023-11-14T22:13:23.000000"}]`,
			200},
		{"?format=json&prefix=none", "", "application/json; charset=utf-8", "[]", 200},
		{"?format=xml&prefix=none", "", "application/xml; charset=utf-8",
			"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<container name=\"c\" />", 200},
		{"?prefix=none", "", "text/plain; charset=utf-8", "", 204},
	}
	for _, tt := range tests {
		var hdr []string
		if tt.accept != "" {
			hdr = []string{"Accept", tt.accept}
		}
		w := call(s, "GET", "/d1/0/a/c"+tt.query, hdr...)
		if w.Code != tt.status || w.Body.String() != tt.body || w.Header().Get("Content-Type") != tt.contentType {
			t.Errorf("GET %s (Accept %q) = %d %q %q\nwant %d %q %q", tt.query, tt.accept,
				w.Code, w.Header().Get("Content-Type"), w.Body.String(), tt.status, tt.contentType, tt.body)
		}
	}
}
