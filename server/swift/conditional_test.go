package swift

import (
	"net/http"
	"testing"
)

func TestCheckPreconditions(t *testing.T) {
	// The entity: ETag "abc", X-Timestamp 1699913599.5, so Last-Modified
	// is 1699913600 = Mon, 13 Nov 2023 22:13:20 GMT.
	ts, err := ParseTimestamp("1699913599.50000")
	if err != nil {
		t.Fatal(err)
	}
	entity := Validators{Exists: true, ETag: "abc", LastModified: ts}
	missing := Validators{}
	const (
		lastModified = "Mon, 13 Nov 2023 22:13:20 GMT"
		before       = "Mon, 13 Nov 2023 22:13:19 GMT"
		after        = "Mon, 13 Nov 2023 22:13:21 GMT"
	)
	tests := []struct {
		name    string
		method  string
		headers map[string]string
		v       Validators
		want    int // 200 = no precondition error
	}{
		{"no conditions", "GET", nil, entity, 200},
		{"if-match hit", "GET", map[string]string{"If-Match": "abc"}, entity, 200},
		{"if-match quoted hit", "GET", map[string]string{"If-Match": `"abc"`}, entity, 200},
		{"if-match list hit", "GET", map[string]string{"If-Match": `"x", "abc"`}, entity, 200},
		{"if-match list no spaces", "GET", map[string]string{"If-Match": `"x","abc"`}, entity, 200},
		{"if-match star", "GET", map[string]string{"If-Match": "*"}, entity, 200},
		{"if-match miss", "GET", map[string]string{"If-Match": "xyz"}, entity, 412},
		{"if-match double quoted", "GET", map[string]string{"If-Match": `""abc""`}, entity, 412},
		{"if-match weak", "GET", map[string]string{"If-Match": `W/"abc"`}, entity, 412},
		{"if-match empty", "GET", map[string]string{"If-Match": ""}, entity, 412},
		{"if-match miss head", "HEAD", map[string]string{"If-Match": "xyz"}, entity, 412},
		{"if-match star missing", "GET", map[string]string{"If-Match": "*"}, missing, 412},
		{"if-match etag missing", "GET", map[string]string{"If-Match": "abc"}, missing, 200},
		{"if-none-match hit", "GET", map[string]string{"If-None-Match": `"abc"`}, entity, 304},
		{"if-none-match star", "HEAD", map[string]string{"If-None-Match": "*"}, entity, 304},
		{"if-none-match miss", "GET", map[string]string{"If-None-Match": "xyz"}, entity, 200},
		{"if-none-match star missing", "GET", map[string]string{"If-None-Match": "*"}, missing, 200},
		{"none-match wins over match", "GET", map[string]string{"If-None-Match": "abc", "If-Match": "xyz"}, entity, 304},
		{"match fails before dates", "GET", map[string]string{"If-Match": "xyz", "If-Modified-Since": after}, entity, 412},
		{"modified-since equal", "GET", map[string]string{"If-Modified-Since": lastModified}, entity, 304},
		{"modified-since after", "GET", map[string]string{"If-Modified-Since": after}, entity, 304},
		{"modified-since before", "GET", map[string]string{"If-Modified-Since": before}, entity, 200},
		{"modified-since garbage", "GET", map[string]string{"If-Modified-Since": "yesterday"}, entity, 200},
		{"modified-since rfc850", "GET", map[string]string{"If-Modified-Since": "Monday, 13-Nov-23 22:13:20 GMT"}, entity, 304},
		{"modified-since asctime", "GET", map[string]string{"If-Modified-Since": "Mon Nov 13 22:13:20 2023"}, entity, 304},
		{"modified-since zone ignored", "GET", map[string]string{"If-Modified-Since": "Mon, 13 Nov 2023 22:13:19 -0200"}, entity, 200},
		{"modified-since missing", "GET", map[string]string{"If-Modified-Since": after}, missing, 200},
		{"unmodified-since equal", "GET", map[string]string{"If-Unmodified-Since": lastModified}, entity, 200},
		{"unmodified-since before", "GET", map[string]string{"If-Unmodified-Since": before}, entity, 412},
		{"unmodified-since garbage", "GET", map[string]string{"If-Unmodified-Since": "?"}, entity, 200},
		{"modified wins over unmodified", "GET", map[string]string{"If-Modified-Since": after, "If-Unmodified-Since": before}, entity, 304},
		// PUT: If-None-Match against an existing object.
		{"put star existing", "PUT", map[string]string{"If-None-Match": "*"}, entity, 412},
		{"put etag existing", "PUT", map[string]string{"If-None-Match": "abc"}, entity, 412},
		{"put other etag", "PUT", map[string]string{"If-None-Match": "xyz"}, entity, 200},
		{"put star new", "PUT", map[string]string{"If-None-Match": "*"}, missing, 200},
		{"put ignores if-match", "PUT", map[string]string{"If-Match": "xyz"}, entity, 200},
		// POST and DELETE have no preconditions in Swift's object server.
		{"post", "POST", map[string]string{"If-Match": "xyz", "If-None-Match": "*"}, entity, 200},
		{"delete", "DELETE", map[string]string{"If-Match": "xyz", "If-Unmodified-Since": before}, entity, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.headers {
				h.Set(k, v)
			}
			err := CheckPreconditions(h, tc.method, tc.v)
			if got := Status(err); got != tc.want {
				t.Fatalf("CheckPreconditions = %v (status %d), want status %d", err, got, tc.want)
			}
		})
	}
}

func TestCheckPreconditionsRepeatedHeaders(t *testing.T) {
	h := http.Header{}
	h.Add("If-Match", "xyz")
	h.Add("If-Match", "abc")
	if err := CheckPreconditions(h, "GET", Validators{Exists: true, ETag: "abc"}); err != nil {
		t.Fatalf("a tag in a second If-Match header line: %v", err)
	}
}

func TestValidatePutIfNoneMatch(t *testing.T) {
	for value, want := range map[string]int{"*": 200, `"x", *`: 200, "abc": 400, "": 400} {
		h := http.Header{"If-None-Match": {value}}
		err := ValidatePutIfNoneMatch(h)
		if Status(err) != want {
			t.Errorf("%q: %v, want status %d", value, err, want)
		}
		if want == 400 && Message(err) != "If-None-Match only supports *" {
			t.Errorf("%q: message %q", value, Message(err))
		}
	}
	if err := ValidatePutIfNoneMatch(http.Header{}); err != nil {
		t.Errorf("no header: %v", err)
	}
}

func TestNormalizeETag(t *testing.T) {
	// swob's test_normalize_etag.
	for given, want := range map[string]string{
		``: ``, `"`: `"`, `""`: ``, `foo`: `foo`, `"bar"`: `bar`, `"baz`: `"baz`,
		`buz"`: `buz"`, `"fuz""`: `fuz"`, "\u2661": "\u2661", "\"\u2661\"": "\u2661",
	} {
		if got := normalizeETag(given); got != want {
			t.Errorf("normalizeETag(%q) = %q, want %q", given, got, want)
		}
	}
}
