package e2e

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"mime"
	"regexp"
	"strings"
	"testing"
)

// xmlListing is a parsed Swift XML listing: the root element, its name
// attribute and the entry names in document order (objects, containers
// and subdirs alike).
type xmlListing struct {
	root, name string
	names      []string
	subdirs    []string
	fields     []map[string]string // per entry: child element → text
}

func parseXMLListing(t testing.TB, body []byte) xmlListing {
	t.Helper()
	var out xmlListing
	dec := xml.NewDecoder(bytes.NewReader(body))
	depth := 0
	var cur map[string]string
	var field string
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("XML listing does not parse: %v\n%s", err, body)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			depth++
			switch depth {
			case 1:
				out.root = el.Name.Local
				for _, a := range el.Attr {
					if a.Name.Local == "name" {
						out.name = a.Value
					}
				}
			case 2:
				cur = map[string]string{"_element": el.Name.Local}
				for _, a := range el.Attr {
					cur["@"+a.Name.Local] = a.Value
				}
			case 3:
				field = el.Name.Local
				text.Reset()
			}
		case xml.CharData:
			if depth == 3 {
				text.Write(el)
			}
		case xml.EndElement:
			switch depth {
			case 3:
				cur[field] = text.String()
			case 2:
				name := cur["name"]
				if cur["_element"] == "subdir" {
					if name == "" {
						name = cur["@name"]
					}
					out.subdirs = append(out.subdirs, name)
				}
				out.names = append(out.names, name)
				out.fields = append(out.fields, cur)
			}
			depth--
		}
	}
	return out
}

var lastModifiedRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$`)

func TestContainerListing(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c := s.mkContainer(t, "lst")
	names := []string{"a", "b/1", "b/2", "b/c/3", "c", "d.txt", "e/f/g", "z", "ü/ñ"}
	data := map[string][]byte{}
	for i, n := range names {
		data[n] = randBytes(i * 10)
		s.put(t, c, n, data[n], "Content-Type", "application/x-test-"+string(rune('a'+i)))
	}

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", names},
		{q("prefix", "b/"), []string{"b/1", "b/2", "b/c/3"}},
		{q("delimiter", "/"), []string{"a", "b/", "c", "d.txt", "e/", "z", "ü/"}},
		{q("prefix", "b/", "delimiter", "/"), []string{"b/1", "b/2", "b/c/"}},
		{q("marker", "b/2"), []string{"b/c/3", "c", "d.txt", "e/f/g", "z", "ü/ñ"}},
		{q("end_marker", "c"), []string{"a", "b/1", "b/2", "b/c/3"}},
		{q("marker", "a", "end_marker", "c"), []string{"b/1", "b/2", "b/c/3"}},
		{q("limit", "3"), []string{"a", "b/1", "b/2"}},
		{q("limit", "3", "marker", "b/2"), []string{"b/c/3", "c", "d.txt"}},
		{q("reverse", "true"), []string{"ü/ñ", "z", "e/f/g", "d.txt", "c", "b/c/3", "b/2", "b/1", "a"}},
		{q("reverse", "true", "limit", "2"), []string{"ü/ñ", "z"}},
		{q("reverse", "true", "marker", "c"), []string{"b/c/3", "b/2", "b/1", "a"}},
		{q("reverse", "true", "end_marker", "d.txt"), []string{"ü/ñ", "z", "e/f/g"}},
		{q("reverse", "true", "delimiter", "/"), []string{"ü/", "z", "e/", "d.txt", "c", "b/", "a"}},
		{q("path", "b"), []string{"b/1", "b/2"}},
		{q("path", "e/f"), []string{"e/f/g"}},
		{q("prefix", "ü/"), []string{"ü/ñ"}},
		{q("prefix", "nothing"), nil},
		{q("limit", "10000"), names},
	} {
		if got := s.listing(t, p(c), tc.query); !equalStrings(got, tc.want) {
			t.Errorf("GET %s%s = %q, want %q", c, tc.query, got, tc.want)
		}
	}

	t.Run("limit over 10000 is 412", func(t *testing.T) {
		r := s.do(t, "GET", p(c)+q("limit", "10001"), nil)
		r.check(t, 412)
		if !strings.Contains(string(r.Body), "10000") {
			t.Errorf("412 body %q should name the maximum 10000", r.Body)
		}
		s.do(t, "GET", q("limit", "10001"), nil).check(t, 412) // account listing too
	})

	t.Run("empty plain listing is 204", func(t *testing.T) {
		r := s.do(t, "GET", p(c)+q("prefix", "nothing"), nil)
		r.check(t, 204)
		if len(r.Body) != 0 {
			t.Errorf("204 with a body %q", r.Body)
		}
		r = s.do(t, "GET", p(c)+q("prefix", "nothing", "format", "json"), nil).expect(t, 200)
		if strings.TrimSpace(string(r.Body)) != "[]" {
			t.Errorf("empty JSON listing body %q, want []", r.Body)
		}
		r = s.do(t, "GET", p(c)+q("prefix", "nothing", "format", "xml"), nil).expect(t, 200)
		if doc := parseXMLListing(t, r.Body); doc.root != "container" || doc.name != c || len(doc.names) != 0 {
			t.Errorf("empty XML listing %q", r.Body)
		}
	})

	t.Run("plain", func(t *testing.T) {
		r := s.do(t, "GET", p(c), nil).expect(t, 200)
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "text/plain" {
			t.Errorf("plain listing Content-Type %q", r.Header.Get("Content-Type"))
		}
		if !bytes.HasSuffix(r.Body, []byte("\n")) {
			t.Errorf("plain listing does not end in a newline: %q", r.Body)
		}
		r.hdr(t, "X-Container-Object-Count", "9")
	})

	checkJSON := func(t *testing.T, r *resp) {
		t.Helper()
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
			t.Errorf("JSON listing Content-Type %q", r.Header.Get("Content-Type"))
		}
		var rows []map[string]any
		if err := json.Unmarshal(r.Body, &rows); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, r.Body)
		}
		if len(rows) != len(names) {
			t.Fatalf("JSON listing has %d rows, want %d", len(rows), len(names))
		}
		for i, row := range rows {
			n := names[i]
			if row["name"] != n {
				t.Errorf("row %d name %v, want %q", i, row["name"], n)
				continue
			}
			if row["bytes"] != float64(len(data[n])) || row["hash"] != md5hex(data[n]) ||
				row["content_type"] != "application/x-test-"+string(rune('a'+i)) {
				t.Errorf("row %v, want bytes %d hash %s content_type application/x-test-%c", row, len(data[n]), md5hex(data[n]), 'a'+i)
			}
			if lm, _ := row["last_modified"].(string); !lastModifiedRE.MatchString(lm) {
				t.Errorf("row %q last_modified %q, want Swift's 2006-01-02T15:04:05.000000 form", n, lm)
			}
		}
	}
	t.Run("json via format", func(t *testing.T) { checkJSON(t, s.do(t, "GET", p(c)+"?format=json", nil).expect(t, 200)) })
	t.Run("json via Accept", func(t *testing.T) {
		checkJSON(t, s.do(t, "GET", p(c), nil, "Accept", "application/json").expect(t, 200))
	})
	t.Run("format beats Accept", func(t *testing.T) {
		checkJSON(t, s.do(t, "GET", p(c)+"?format=json", nil, "Accept", "application/xml").expect(t, 200))
	})
	t.Run("json subdirs", func(t *testing.T) {
		rows := s.jsonListing(t, p(c), q("delimiter", "/"))
		var got []string
		for _, r := range rows {
			if sd, ok := r["subdir"].(string); ok {
				got = append(got, "subdir:"+sd)
				if _, hasName := r["name"]; hasName {
					t.Errorf("subdir entry %v should have no name", r)
				}
			} else {
				got = append(got, r["name"].(string))
			}
		}
		want := []string{"a", "subdir:b/", "c", "d.txt", "subdir:e/", "z", "subdir:ü/"}
		if !equalStrings(got, want) {
			t.Errorf("JSON listing with delimiter: %q, want %q", got, want)
		}
	})

	checkXML := func(t *testing.T, r *resp, wantNames []string, wantSubdirs []string) {
		t.Helper()
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/xml" && mt != "text/xml" {
			t.Errorf("XML listing Content-Type %q", r.Header.Get("Content-Type"))
		}
		if !bytes.HasPrefix(r.Body, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
			t.Errorf("XML listing does not start with the XML declaration: %.80q", r.Body)
		}
		doc := parseXMLListing(t, r.Body)
		if doc.root != "container" || doc.name != c {
			t.Errorf("XML root <%s name=%q>, want <container name=%q>", doc.root, doc.name, c)
		}
		if !equalStrings(doc.names, wantNames) || !equalStrings(doc.subdirs, wantSubdirs) {
			t.Errorf("XML entries %q subdirs %q, want %q and %q", doc.names, doc.subdirs, wantNames, wantSubdirs)
		}
		for _, f := range doc.fields {
			if f["_element"] != "object" {
				continue
			}
			n := f["name"]
			if f["hash"] != md5hex(data[n]) || f["bytes"] == "" || f["content_type"] == "" || !lastModifiedRE.MatchString(f["last_modified"]) {
				t.Errorf("XML object entry %v incomplete or wrong", f)
			}
		}
	}
	t.Run("xml via format", func(t *testing.T) {
		checkXML(t, s.do(t, "GET", p(c)+"?format=xml", nil).expect(t, 200), names, nil)
	})
	t.Run("xml via Accept", func(t *testing.T) {
		checkXML(t, s.do(t, "GET", p(c), nil, "Accept", "application/xml").expect(t, 200), names, nil)
		checkXML(t, s.do(t, "GET", p(c), nil, "Accept", "text/xml").expect(t, 200), names, nil)
	})
	t.Run("xml subdirs", func(t *testing.T) {
		checkXML(t, s.do(t, "GET", p(c)+q("delimiter", "/", "format", "xml"), nil).expect(t, 200),
			[]string{"a", "b/", "c", "d.txt", "e/", "z", "ü/"}, []string{"b/", "e/", "ü/"})
	})
}

// TestListingPaging walks a listing page by page with marker and limit,
// the way every Swift client pages.
func TestListingPaging(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c := s.mkContainer(t, "page")
	var want []string
	for i := 0; i < 57; i++ {
		n := strings.Repeat("x", i%5) + string(rune('A'+i%26)) + string(rune('a'+i/26))
		want = append(want, n)
		s.put(t, c, n, nil)
	}
	sortStrings(want)
	var got []string
	marker := ""
	for pages := 0; pages < 20; pages++ {
		page := s.listing(t, p(c), q("limit", "10", "marker", marker))
		got = append(got, page...)
		if len(page) < 10 {
			break
		}
		marker = page[len(page)-1]
	}
	if !equalStrings(got, want) {
		t.Errorf("paged listing %q, want %q", got, want)
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
