package swift

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestNegotiateListingFormat(t *testing.T) {
	tests := []struct {
		query  string
		accept []string // nil: no Accept header
		want   ListingFormat
		status int // 0: success
	}{
		{"", nil, FormatPlain, 0},
		{"", []string{""}, FormatPlain, 0},
		{"format=json", nil, FormatJSON, 0},
		{"format=JSON", nil, FormatJSON, 0},
		{"format=xml", nil, FormatXML, 0},
		{"format=plain", []string{"application/json"}, FormatPlain, 0},
		{"format=yaml", []string{"application/json"}, FormatPlain, 0}, // unknown formats mean plain
		{"format=", []string{"application/json"}, FormatJSON, 0},      // empty format: use Accept
		{"format=xml&format=json", nil, FormatJSON, 0},                // the last value counts
		{"format=%FF", nil, 0, 400},
		{"format=json", []string{"image/png"}, FormatJSON, 0}, // format overrides Accept
		// swob's test_accept_json / _plain / _xml.
		{"", []string{"application/json"}, FormatJSON, 0},
		{"", []string{"application/json;q=1.0,*/*;q=0.9"}, FormatJSON, 0},
		{"", []string{"*/*;q=0.9,application/json;q=1.0"}, FormatJSON, 0},
		{"", []string{"application/*"}, FormatJSON, 0},
		{"", []string{"text/*,application/json"}, FormatJSON, 0},
		{"", []string{"application/*,text/*"}, FormatJSON, 0},
		{"", []string{"application/json,text/xml"}, FormatJSON, 0},
		{"", []string{"text/plain"}, FormatPlain, 0},
		{"", []string{"application/xml;q=0.8,*/*;q=0.9"}, FormatPlain, 0},
		{"", []string{"*/*;q=0.9,application/xml;q=0.8"}, FormatPlain, 0},
		{"", []string{"*/*"}, FormatPlain, 0},
		{"", []string{"text/plain,application/xml"}, FormatPlain, 0},
		{"", []string{"application/xml"}, FormatXML, 0},
		{"", []string{"application/xml;q=1.0,*/*;q=0.9"}, FormatXML, 0},
		{"", []string{"application/xml;charset=UTF-8"}, FormatXML, 0},
		{"", []string{`application/xml;charset=UTF-8;qws="quoted with space"`}, FormatXML, 0},
		{"", []string{`application/xml; q=0.99 ; qws="quoted with space"`}, FormatXML, 0},
		{"", []string{"text/xml"}, FormatXML, 0},
		{"", []string{"*/json"}, FormatJSON, 0},
		{"", []string{"text/html", "application/json"}, FormatJSON, 0}, // header lines join
		{"", []string{"application/json;q=0"}, FormatJSON, 0},          // Swift ignores q=0
		{"", []string{"application/json;q=1e0, text/plain;q=inf"}, FormatPlain, 0},
		// Nothing acceptable.
		{"", []string{"image/png"}, 0, 406},
		{"", []string{"Application/JSON"}, 0, 406}, // Swift matches case-sensitively
		// swob's test_accept_invalid.
		{"", []string{"*"}, 0, 400},
		{"", []string{"text/plain,,"}, 0, 400},
		{"", []string{"some stuff"}, 0, 400},
		{"", []string{"application/xml;q=1.0;q=1.1"}, 0, 400},
		{"", []string{"text/plain,*"}, 0, 400},
		{"", []string{"text /plain"}, 0, 400},
		{"", []string{"text\x7f/plain"}, 0, 400},
		{"", []string{"text/plain;a=b=c"}, 0, 400},
		{"", []string{"text/plain;q=1;q=2"}, 0, 400},
		{"", []string{"text/plain;q=not-a-number"}, 0, 400},
		{"", []string{`text/plain; ubq="unbalanced " quotes"`}, 0, 400},
		{"", []string{`text/plain;a="x;y"`}, 0, 400}, // swob splits parameters on every ';'
	}
	for _, tc := range tests {
		t.Run(tc.query+"|"+strings.Join(tc.accept, "|"), func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/v1/a?"+tc.query, nil)
			for _, a := range tc.accept {
				req.Header.Add("Accept", a)
			}
			got, err := NegotiateListingFormat(req)
			if tc.status != 0 {
				if Status(err) != tc.status {
					t.Fatalf("got %v, %v; want status %d", got, err, tc.status)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestListingFormatContentType(t *testing.T) {
	for f, want := range map[ListingFormat]string{
		FormatPlain: "text/plain; charset=utf-8",
		FormatJSON:  "application/json; charset=utf-8",
		FormatXML:   "application/xml; charset=utf-8",
	} {
		if got := f.ContentType(); got != want {
			t.Errorf("%d: %q, want %q", f, got, want)
		}
	}
}

func TestParseListingQuery(t *testing.T) {
	tests := []struct {
		query  string
		want   ListingQuery
		status int
		msg    string
	}{
		{query: "", want: ListingQuery{Limit: 100}},
		{query: "prefix=a/&delimiter=/&marker=m&end_marker=n&limit=5&reverse=on",
			want: ListingQuery{Prefix: "a/", Delimiter: "/", Marker: "m", EndMarker: "n", Limit: 5, Reverse: true}},
		{query: "limit=0", want: ListingQuery{Limit: 0}},
		{query: "limit=100", want: ListingQuery{Limit: 100}},
		{query: "limit=0100", want: ListingQuery{Limit: 100}},
		{query: "limit=101", status: 412, msg: "Maximum limit is 100"},
		{query: "limit=99999999999999999999999", status: 412, msg: "Maximum limit is 100"},
		{query: "limit=-1", want: ListingQuery{Limit: 100}}, // not digits: ignored, as Swift does
		{query: "limit=ten", want: ListingQuery{Limit: 100}},
		{query: "limit=", want: ListingQuery{Limit: 100}},
		{query: "limit=5&limit=7", want: ListingQuery{Limit: 7}},
		{query: "reverse=TRUE", want: ListingQuery{Limit: 100, Reverse: true}},
		{query: "reverse=y", want: ListingQuery{Limit: 100, Reverse: true}},
		{query: "reverse=1", want: ListingQuery{Limit: 100, Reverse: true}},
		{query: "reverse=no", want: ListingQuery{Limit: 100}},
		{query: "reverse=%C5%BFure", want: ListingQuery{Limit: 100}}, // "ſ" folds to "s" but does not lower to it
		{query: "delimiter=ab", status: 412, msg: "Bad delimiter"},
		{query: "delimiter=%C3%A9", status: 412, msg: "Bad delimiter"},
		{query: "path=a/b", want: ListingQuery{Prefix: "a/b/", Delimiter: "/", Limit: 100, Path: true}},
		{query: "path=a/b//&prefix=x&delimiter=-", want: ListingQuery{Prefix: "a/b/", Delimiter: "/", Limit: 100, Path: true}},
		{query: "path=", want: ListingQuery{Prefix: "", Delimiter: "/", Limit: 100, Path: true}},
		{query: "path=/", want: ListingQuery{Prefix: "/", Delimiter: "/", Limit: 100, Path: true}},
		{query: "marker=%FF", status: 400, msg: `"marker" parameter not valid UTF-8`},
		{query: "prefix=%FF&marker=%FF", status: 400, msg: `"marker" parameter not valid UTF-8`},
		{query: "limit=%FF", status: 400, msg: `"limit" parameter not valid UTF-8`},
		{query: "prefix=a%00b", status: 412, msg: "Invalid UTF8 or contains NULL"},
		{query: "end_marker=%00", status: 412, msg: "Invalid UTF8 or contains NULL"},
		{query: "path=%00", status: 412, msg: "Invalid UTF8 or contains NULL"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseListingQuery(q, 100)
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

func mustTimestamp(t testing.TB, s string) Timestamp {
	t.Helper()
	ts, err := ParseTimestamp(s)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func testObjectRecords(t testing.TB) []ObjectRecord {
	return []ObjectRecord{
		{Subdir: "dir/"},
		{Name: "a&b<c>\"d'é", Hash: "d41d8cd98f00b204e9800998ecf8427e", Bytes: 0,
			ContentType: "text/plain; charset=utf-8", LastModified: mustTimestamp(t, "1700000000.12345")},
		{Name: "seg", Hash: "", Bytes: 3, ContentType: "application/x-slo;swift_bytes=1048576",
			LastModified: mustTimestamp(t, "1.00001")},
	}
}

// The golden bodies below were produced by Swift 2.30.1's own code
// (json.dumps of update_data_record's dicts, listing_formats.container_to_xml,
// account_to_xml and listing_to_text) for the same records.
func TestEncodeObjectListing(t *testing.T) {
	recs := testObjectRecords(t)
	tests := []struct {
		f         ListingFormat
		container string
		want      string
	}{
		{FormatJSON, "c", `[{"subdir": "dir/"}, ` +
			`{"bytes": 0, "hash": "d41d8cd98f00b204e9800998ecf8427e", "name": "a&b<c>\"d'\u00e9", "content_type": "text/plain;charset=utf-8", "last_modified": "2023-11-14T22:13:20.123450"}, ` +
			`{"bytes": 1048576, "hash": "", "name": "seg", "content_type": "application/x-slo", "last_modified": "1970-01-01T00:00:01.000010"}]`},
		{FormatXML, "c \"1\"\t", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
			`<container name="c &quot;1&quot;&#09;"><subdir name="dir/"><name>dir/</name></subdir>` +
			`<object><name>a&amp;b&lt;c&gt;"d'é</name><hash>d41d8cd98f00b204e9800998ecf8427e</hash><bytes>0</bytes>` +
			`<content_type>text/plain;charset=utf-8</content_type><last_modified>2023-11-14T22:13:20.123450</last_modified></object>` +
			`<object><name>seg</name><hash /><bytes>1048576</bytes><content_type>application/x-slo</content_type>` +
			`<last_modified>1970-01-01T00:00:01.000010</last_modified></object></container>`},
		{FormatPlain, "c", "dir/\na&b<c>\"d'é\nseg\n"},
	}
	for _, tc := range tests {
		if got := string(EncodeObjectListing(tc.f, tc.container, recs)); got != tc.want {
			t.Errorf("format %d:\n got %s\nwant %s", tc.f, got, tc.want)
		}
	}
	for f, want := range map[ListingFormat]string{
		FormatJSON:  "[]",
		FormatXML:   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<container name=\"c\" />",
		FormatPlain: "",
	} {
		if got := string(EncodeObjectListing(f, "c", nil)); got != want {
			t.Errorf("empty, format %d: %q, want %q", f, got, want)
		}
	}
}

func TestEncodeContainerListing(t *testing.T) {
	recs := []ContainerRecord{
		{Subdir: "x/"},
		{Name: "c1", Count: 3, Bytes: 10, LastModified: mustTimestamp(t, "1700000000.5")},
	}
	for _, tc := range []struct {
		f    ListingFormat
		recs []ContainerRecord
		want string
	}{
		{FormatJSON, recs, `[{"subdir": "x/"}, {"name": "c1", "count": 3, "bytes": 10, "last_modified": "2023-11-14T22:13:20.500000"}]`},
		{FormatXML, recs, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<account name=\"AUTH_t&amp;\">\n<subdir name=\"x/\" />\n" +
			"<container><name>c1</name><count>3</count><bytes>10</bytes><last_modified>2023-11-14T22:13:20.500000</last_modified></container>\n</account>"},
		{FormatPlain, recs, "x/\nc1\n"},
		{FormatJSON, nil, "[]"},
		{FormatXML, nil, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<account name=\"AUTH_t&amp;\">\n</account>"},
		{FormatPlain, nil, ""},
	} {
		if got := string(EncodeContainerListing(tc.f, "AUTH_t&", tc.recs)); got != tc.want {
			t.Errorf("format %d, %d records:\n got %q\nwant %q", tc.f, len(tc.recs), got, tc.want)
		}
	}
}

func TestListingContentType(t *testing.T) {
	// Expectations from Swift 2.30.1's override_bytes_from_content_type.
	for _, tc := range []struct {
		in, want string
		bytes    int64
	}{
		{"text/plain", "text/plain", 7},
		{"text/plain; charset=utf-8", "text/plain;charset=utf-8", 7},
		{"text/plain;swift_bytes=5", "text/plain", 5},
		{"a/b; swift_bytes=12; x=y", "a/b;x=y", 12},
		{"a/b;swift_bytes=abc", "a/b", 7},
		{`a/b;swift_bytes="5"`, "a/b", 7},
		{"a/b;  k = v ;z", "a/b;k=v;z=", 7},
		{`a/b;k="q;\"x";swift_bytes=-3`, `a/b;k="q;\"x"`, -3},
		{"a/b;swift_bytes=1_0", "a/b", 10},
		{"a/b;;;k", "a/b;k=", 7},
		{"a/b; k=v/w", "a/b;k=v", 7},
		{"a/b;swift_bytes=5;swift_bytes=6", "a/b", 6},
		{"ünï/ç;é=ü", "ünï/ç;é=ü", 7},
	} {
		ct, n := listingContentType(tc.in, 7)
		if ct != tc.want || n != tc.bytes {
			t.Errorf("%q: got %q, %d; want %q, %d", tc.in, ct, n, tc.want, tc.bytes)
		}
	}
}

func TestWriteObjectListing(t *testing.T) {
	recs := testObjectRecords(t)
	tests := []struct {
		method, query string
		f             ListingFormat
		recs          []ObjectRecord
		status        int
		body          string
		vary          string
	}{
		{"GET", "", FormatPlain, recs, 200, "dir/\na&b<c>\"d'é\nseg\n", "Accept"},
		{"GET", "format=plain", FormatPlain, nil, 204, "", ""},
		{"GET", "format=json", FormatJSON, nil, 200, "[]", ""},
		{"GET", "", FormatXML, nil, 200, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<container name=\"c\" />", "Accept"},
		{"HEAD", "format=json", FormatJSON, recs, 204, "", ""},
	}
	for _, tc := range tests {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(tc.method, "/v1/a/c?"+tc.query, nil)
		if err := WriteObjectListing(rec, req, tc.f, "c", tc.recs); err != nil {
			t.Fatal(err)
		}
		h := rec.Header()
		if rec.Code != tc.status || rec.Body.String() != tc.body || h.Get("Content-Type") != tc.f.ContentType() ||
			h.Get("Content-Length") != strconv.Itoa(len(tc.body)) || h.Get("Vary") != tc.vary {
			t.Errorf("%s ?%s format %d: %d %v %q", tc.method, tc.query, tc.f, rec.Code, h, rec.Body.String())
		}
	}
}

func TestWriteContainerListing(t *testing.T) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/v1/a?format=json", nil)
	recs := []ContainerRecord{{Name: "c", Count: 1, Bytes: 2, LastModified: mustTimestamp(t, "1")}}
	if err := WriteContainerListing(rec, req, FormatJSON, "a", recs); err != nil {
		t.Fatal(err)
	}
	want := `[{"name": "c", "count": 1, "bytes": 2, "last_modified": "1970-01-01T00:00:01.000000"}]`
	if rec.Code != 200 || rec.Body.String() != want {
		t.Fatalf("%d %q", rec.Code, rec.Body.String())
	}
	rec = httptest.NewRecorder()
	if err := WriteContainerListing(rec, httptest.NewRequest("GET", "/v1/a", nil), FormatPlain, "a", nil); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 204 || rec.Body.Len() != 0 {
		t.Fatalf("empty plain: %d %q", rec.Code, rec.Body.String())
	}
}

func TestAddVaryAccept(t *testing.T) {
	for before, after := range map[string]string{
		"": "Accept", "Origin": "Origin, Accept", "accept": "accept", "Origin, Accept": "Origin, Accept",
	} {
		h := http.Header{}
		if before != "" {
			h.Set("Vary", before)
		}
		addVaryAccept(h)
		if got := h.Get("Vary"); got != after {
			t.Errorf("Vary %q: got %q, want %q", before, got, after)
		}
	}
}

func TestListingRoundTrip(t *testing.T) {
	recs := []ObjectRecord{
		{Subdir: "dir/"},
		{Name: "é/\u2028\x01\"", Hash: "abc", Bytes: 5, ContentType: "text/plain", LastModified: mustTimestamp(t, "1700000000.12345")},
		{Name: "z", Bytes: 0, LastModified: mustTimestamp(t, "0")},
	}
	got, err := DecodeObjectListing(strings.NewReader(string(EncodeObjectListing(FormatJSON, "c", recs))))
	if err != nil || !reflect.DeepEqual(got, recs) {
		t.Fatalf("objects: %+v, %v", got, err)
	}
	crecs := []ContainerRecord{
		{Name: "c\U0001F600", Count: 1, Bytes: 1 << 40, LastModified: mustTimestamp(t, "9999999999.99999")},
		{Subdir: "x-"},
	}
	gotc, err := DecodeContainerListing(strings.NewReader(string(EncodeContainerListing(FormatJSON, "a", crecs))))
	if err != nil || !reflect.DeepEqual(gotc, crecs) {
		t.Fatalf("containers: %+v, %v", gotc, err)
	}
}

func TestDecodeListing(t *testing.T) {
	// Extra keys, as Swift's SLO and symlink middlewares add, are ignored.
	got, err := DecodeObjectListing(strings.NewReader(
		`[{"bytes": 3, "hash": "h", "name": "o", "content_type": "a/b", "last_modified": "2023-11-14T22:13:20.123450", "slo_etag": "x"}]`))
	want := []ObjectRecord{{Name: "o", Bytes: 3, Hash: "h", ContentType: "a/b", LastModified: mustTimestamp(t, "1700000000.12345")}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, %v", got, err)
	}
	for _, body := range []string{
		``, `{}`, `null`, `[`, `[1]`, `[null]`, `[{}]`, `[{"name": ""}]`, `[{"subdir": ""}]`,
		`[{"name": "o", "bytes": 1.5}]`, `[{"name": "o", "bytes": "1"}]`, `[{"name": "o", "last_modified": "yesterday"}]`,
		`[] []`, `[]x`,
	} {
		if _, err := DecodeObjectListing(strings.NewReader(body)); Status(err) != http.StatusBadGateway {
			t.Errorf("objects %q: err = %v, want a 502", body, err)
		}
		if _, err := DecodeContainerListing(strings.NewReader(body)); Status(err) != http.StatusBadGateway {
			t.Errorf("containers %q: err = %v, want a 502", body, err)
		}
	}
	if got, err := DecodeObjectListing(strings.NewReader(" [] \n")); err != nil || len(got) != 0 {
		t.Errorf("empty listing: %v, %v", got, err)
	}
}

func TestParseListingTime(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want: the Timestamp's Internal form; "" for an error
	}{
		{"2023-11-14T22:13:20.123450", "1700000000.12345"},
		{"1970-01-01T00:00:00.000000", "0000000000.00000"},
		{"1970-01-01T00:00:01.000010", "0000000001.00001"},
		{"2286-11-20T17:46:39.999990", "9999999999.99999"},
		{"2023-11-14T22:13:20", "1700000000.00000"},
		{"2023-11-14T22:13:20.000005", "1700000000.00000"}, // half to even
		{"2023-11-14T22:13:20.000015", "1700000000.00002"},
		{"2023-11-14T22:13:20.0000151", "1700000000.00002"},
		{"2286-11-20T17:46:39.999999", ""}, // rounds up to 1e10 seconds
		{"1969-12-31T23:59:59.000000", ""},
		{"2023-11-14T22:13:20.123450Z", ""},
		{"2023-11-14 22:13:20.123450", ""},
		{"", ""},
	} {
		got, err := ParseListingTime(tc.in)
		if tc.want == "" {
			if err == nil {
				t.Errorf("%q: got %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got.Internal() != tc.want {
			t.Errorf("%q: got %v, %v; want %s", tc.in, got, err, tc.want)
		}
		if err == nil && strings.HasSuffix(tc.in, "0") && len(tc.in) == 26 && got.ListingTime() != tc.in {
			t.Errorf("%q: ListingTime round trip gives %q", tc.in, got.ListingTime())
		}
	}
}
