package bulk

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

func TestNegotiateFormat(t *testing.T) {
	tests := []struct{ accept, want string }{
		{"", FormatPlain},
		{"*/*", FormatPlain},
		{"application/json", FormatJSON},
		{"text/xml", FormatTextXML},
		{"application/*", FormatJSON},
		{"text/*", FormatPlain},
		{"*/xml", FormatXML},
		{"application/json;q=0.5, text/xml", FormatTextXML},
		{"application/json;q=0.5, application/xml;q=0.5", FormatJSON},
		{"*/*;q=0.9, application/json", FormatJSON},
		{"text/*, text/xml", FormatTextXML}, // exact types before wildcards
		{"application/json;q=0", FormatJSON},
		{"image/png", ""},
		{"garbage", ""},
		{"text/plain;", ""},
		{"text/plain;q=1;q=1", ""},
		{"text/plain;q=x", ""},
		{"text/plain; charset=\"utf-8\"", FormatPlain},
		{" application/json ; q=0.9 ", FormatJSON},
	}
	for _, tt := range tests {
		if got := NegotiateFormat(tt.accept); got != tt.want {
			t.Errorf("NegotiateFormat(%q) = %q, want %q", tt.accept, got, tt.want)
		}
	}
}

func TestResponseBody(t *testing.T) {
	fields := []Field{
		{"Response Status", "400 Bad Request"},
		{"Response Body", "a<b"},
		{"Number Deleted", 2},
		{"Number Not Found", 0},
	}
	errs := [][2]string{{"/c/o%20x", "409 Conflict"}}
	tests := []struct{ format, want string }{
		{FormatPlain, "Number Deleted: 2\nNumber Not Found: 0\nResponse Body: a<b\nResponse Status: 400 Bad Request\nErrors:\n/c/o%20x, 409 Conflict\n"},
		{FormatJSON, `{"Response Status": "400 Bad Request", "Response Body": "a\u003cb", "Number Deleted": 2, "Number Not Found": 0, "Errors": [["/c/o%20x", "409 Conflict"]]}`},
		{FormatXML, "<delete>\n<number_deleted>2</number_deleted>\n<number_not_found>0</number_not_found>\n" +
			"<response_body>a&lt;b</response_body>\n<response_status>400 Bad Request</response_status>\n" +
			"<errors>\n<object><name>/c/o%20x</name><status>409 Conflict</status></object>\n</errors>\n</delete>\n"},
	}
	for _, tt := range tests {
		if got := string(ResponseBody(tt.format, fields, errs, "delete")); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.format, got, tt.want)
		}
	}
	var decoded map[string]any
	if err := json.Unmarshal(ResponseBody(FormatJSON, fields, nil, "delete"), &decoded); err != nil || decoded["Errors"] == nil {
		t.Errorf("JSON body does not decode with an error list: %v", err)
	}
}

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/c/o", "/c/o"},
		{"/c/a b", "/c/a%20b"},
		{"/c/snow☃", "/c/snow%E2%98%83"},
		{"/c/~_.-", "/c/~_.-"},
		{"/c/?&=%+", "/c/%3F%26%3D%25%2B"},
	}
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStatusLine(t *testing.T) {
	for code, want := range map[int]string{200: "200 OK", 404: "404 Not Found", 500: "500 Internal Error", 502: "502 Bad Gateway", 499: "499 Client Disconnect"} {
		if got := StatusLine(code); got != want {
			t.Errorf("StatusLine(%d) = %q, want %q", code, got, want)
		}
	}
}

func TestParseDeleteBody(t *testing.T) {
	long := strings.Repeat("x", 2*maxPathLength(swift.DefaultLimits())+1)
	tests := []struct {
		name, body string
		max        int
		want       []string
		wantStatus int
		wantMsg    string
	}{
		{"names", "/c/o1\n/c/o%202\r\n  /c  \n", 10, []string{"/c/o1", "/c/o 2", "/c"}, 0, ""},
		{"no final newline", "/c/a\n/c/b", 10, []string{"/c/a", "/c/b"}, 0, ""},
		{"blank lines kept", "\n\n/c/a\n", 10, []string{"", "", "/c/a"}, 0, ""},
		{"lenient unquote", "/c/100%\n/c/%zz%41\n/c/a+b", 10, []string{"/c/100%", "/c/%zzA", "/c/a+b"}, 0, ""},
		{"empty", "", 10, nil, 0, ""},
		{"at the limit", "/c/a\n/c/b\n", 2, []string{"/c/a", "/c/b"}, 0, ""},
		{"over the limit", "/c/a\n/c/b\n/c/c\n", 2, nil, http.StatusRequestEntityTooLarge, "Maximum Bulk Deletes: 2 per request"},
		{"blank lines count", "\n\n\n", 2, nil, http.StatusRequestEntityTooLarge, "Maximum Bulk Deletes: 2 per request"},
		{"line too long", long, 10, nil, http.StatusBadRequest, "Invalid File Name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseDeleteBody(strings.NewReader(tt.body), tt.max, maxPathLength(swift.DefaultLimits()))
			if tt.wantStatus != 0 {
				if swift.Status(err) != tt.wantStatus || swift.Message(err) != tt.wantMsg {
					t.Fatalf("err = %v (%d), want %d %q", err, swift.Status(err), tt.wantStatus, tt.wantMsg)
				}
				return
			}
			if err != nil || strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
