package proxy

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

func TestParseCopyPath(t *testing.T) {
	tests := []struct {
		in   string
		want copyTarget
		ok   bool
	}{
		{"c/o", copyTarget{"c", "o"}, true},
		{"/c/o", copyTarget{"c", "o"}, true},
		{"/c/dir/o/", copyTarget{"c", "dir/o/"}, true},
		{"c%20d/o%2Fx", copyTarget{"c d", "o/x"}, true},
		{"/c//o", copyTarget{"c", "/o"}, true},
		{"c", copyTarget{}, false},
		{"c/", copyTarget{}, false},
		{"/c", copyTarget{}, false},
		{"//o", copyTarget{}, false},
		{"", copyTarget{}, false},
	}
	for _, tc := range tests {
		got, err := parseCopyPath(tc.in, msgDestinationForm)
		if tc.ok != (err == nil) || got != tc.want {
			t.Errorf("parseCopyPath(%q) = %+v, %v", tc.in, got, err)
		}
		if err != nil && (swift.Status(err) != 412 || swift.Message(err) != msgDestinationForm) {
			t.Errorf("parseCopyPath(%q) error %d %q", tc.in, swift.Status(err), swift.Message(err))
		}
	}
}

func FuzzParseCopyPath(f *testing.F) {
	for _, s := range []string{"c/o", "/c//o", "%2F/x", "c", "%zz/o"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := parseCopyPath(in, msgCopyFromForm)
		if err != nil {
			return
		}
		if got.container == "" || got.object == "" || strings.Contains(got.container, "/") {
			t.Fatalf("parseCopyPath(%q) = %+v", in, got)
		}
	})
}

func TestParseCopyAccount(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"AUTH_test2", "AUTH_test2", ""},
		{"AUTH_t%C3%A9st", "AUTH_tést", ""},
		{"", "", "Account name is required"},
		{"a/b", "", "Account name cannot contain slashes"},
		{"a%2Fb", "", "Account name cannot contain slashes"},
	}
	for _, tc := range tests {
		got, err := parseCopyAccount(tc.in)
		if got != tc.want || (tc.err == "") != (err == nil) || (err != nil && swift.Message(err) != tc.err) {
			t.Errorf("parseCopyAccount(%q) = %q, %v", tc.in, got, err)
		}
	}
}

func TestSinkHeaders(t *testing.T) {
	src := &http.Response{StatusCode: 200, Header: http.Header{
		"Etag":                     {`"abc"`},
		"Content-Type":             {"text/x-source"},
		"Content-Length":           {"10"},
		"Last-Modified":            {"Tue, 14 Nov 2023 22:13:20 GMT"},
		"X-Timestamp":              {"1700000000.00000"},
		"X-Object-Meta-Old":        {"1"},
		"X-Object-Meta-Both":       {"source"},
		"X-Object-Sysmeta-Thing":   {"s"},
		"Content-Disposition":      {"inline"},
		"X-Delete-At":              {"1900000000"},
		"X-Backend-Timestamp":      {"1700000000.00000"},
		"X-Some-Response-Only-Hdr": {"x"},
	}}
	tests := []struct {
		name string
		req  http.Header
		src  *http.Response
		want map[string]string // "" means absent
	}{
		{"merge", http.Header{"X-Object-Meta-Both": {"request"}, "X-Copy-From": {"c/o"}}, src, map[string]string{
			"Etag": "abc", "Content-Type": "text/x-source", "X-Object-Meta-Old": "1", "X-Object-Meta-Both": "request",
			"X-Object-Sysmeta-Thing": "s", "Content-Disposition": "inline", "X-Delete-At": "1900000000",
			"X-Timestamp": "", "Last-Modified": "", "X-Backend-Timestamp": "", "X-Copy-From": "", "Content-Length": "",
			"X-Some-Response-Only-Hdr": "",
		}},
		{"fresh", http.Header{"X-Fresh-Metadata": {"true"}, "X-Object-Meta-New": {"2"}, "Content-Type": {"a/b"}}, src, map[string]string{
			"X-Object-Meta-Old": "", "X-Object-Meta-New": "2", "X-Object-Sysmeta-Thing": "s", "Content-Type": "a/b",
			"Content-Disposition": "", "X-Delete-At": "", "X-Fresh-Metadata": "",
		}},
		{"partial source", http.Header{"Range": {"bytes=1-2"}}, &http.Response{StatusCode: 206, Header: src.Header}, map[string]string{
			"Etag": "", "Range": "",
		}},
		{"manifest", http.Header{}, &http.Response{StatusCode: 200, Header: http.Header{
			"Etag": {`"x"`}, "X-Static-Large-Object": {"True"}, "X-Object-Sysmeta-Slo-Size": {"5"}}}, map[string]string{
			"Etag": "", "X-Static-Large-Object": "True", "X-Object-Sysmeta-Slo-Size": "5",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := sinkHeaders(tc.req, tc.src)
			for k, want := range tc.want {
				if got.Get(k) != want {
					t.Errorf("%s = %q, want %q", k, got.Get(k), want)
				}
			}
		})
	}
}
