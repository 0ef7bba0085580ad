package proxy

import (
	"slices"
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

// The cases are Swift's test_acl.py test_clean_acl.
func TestCleanACL(t *testing.T) {
	tests := []struct {
		header, in, want string
	}{
		{"header", ".r:*", ".r:*"},
		{"header", ".r:specific.host", ".r:specific.host"},
		{"header", ".r:.ending.with", ".r:.ending.with"},
		{"header", ".r:*.ending.with", ".r:.ending.with"},
		{"header", ".r:-*.ending.with", ".r:-.ending.with"},
		{"header", ".r:one,.r:two", ".r:one,.r:two"},
		{"header", ".r:*,.r:-specific.host", ".r:*,.r:-specific.host"},
		{"header", ".r:*,.r:-.ending.with", ".r:*,.r:-.ending.with"},
		{"header", ".r:one,.r:-two", ".r:one,.r:-two"},
		{"header", ".r:one,.r:-two,account,account:user", ".r:one,.r:-two,account,account:user"},
		{"header", "TEST_account", "TEST_account"},
		{"header", ".ref:*", ".r:*"},
		{"header", ".referer:*", ".r:*"},
		{"header", ".referrer:*", ".r:*"},
		{"header", " .r : one , ,, .r:two , .r : - three ", ".r:one,.r:two,.r:-three"},
		{"header", ".rlistings", ".rlistings"},
		{"X-Container-Write", "test:tester3, test2", "test:tester3,test2"},
		{"header", "", ""},
	}
	for _, tc := range tests {
		got, err := cleanACL(tc.header, tc.in)
		if err != nil || got != tc.want {
			t.Errorf("cleanACL(%q, %q) = %q, %v; want %q", tc.header, tc.in, got, err, tc.want)
		}
	}
}

func TestCleanACLErrors(t *testing.T) {
	tests := []struct {
		header, in, msg string
	}{
		{"header", ".unknown:test", "Unknown designator '.unknown' in ACL: '.unknown:test'"},
		{"header", ".r:", "No host/domain value after referrer designation in ACL: '.r:'"},
		{"header", ".r:*.", "No host/domain value after referrer designation in ACL: '.r:*.'"},
		{"header", ".r : * . ", "No host/domain value after referrer designation in ACL: '.r : * .'"},
		{"header", ".r:-*.", "No host/domain value after referrer designation in ACL: '.r:-*.'"},
		{"header", ".r : - * . ", "No host/domain value after referrer designation in ACL: '.r : - * .'"},
		{"header", " .r : ", "No host/domain value after referrer designation in ACL: '.r :'"},
		{"header", "user , .r : ", "No host/domain value after referrer designation in ACL: '.r :'"},
		{"header", ".r:-", "No host/domain value after referrer designation in ACL: '.r:-'"},
		{"header", " .r : - ", "No host/domain value after referrer designation in ACL: '.r : -'"},
		{"write-header", ".r:r", "Referrers not allowed in write ACL: '.r:r'"},
		{"X-Container-Write", ".r:*", "Referrers not allowed in write ACL: '.r:*'"},
		{"header", `.x:it's`, `Unknown designator '.x' in ACL: ".x:it's"`},
	}
	for _, tc := range tests {
		_, err := cleanACL(tc.header, tc.in)
		if swift.Status(err) != 400 || swift.Message(err) != tc.msg {
			t.Errorf("cleanACL(%q, %q) error %q, want 400 %q", tc.header, tc.in, swift.Message(err), tc.msg)
		}
	}
}

// FuzzCleanACL: cleaning never panics, a cleaned ACL cleans to itself,
// and parses into the parts it was made of.
func FuzzCleanACL(f *testing.F) {
	for _, s := range []string{".r:*", " .r : - three ", "a:b,.rlistings", ".r:*.", "%41:b", ".ref:x,,y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := cleanACL("X-Container-Read", in)
		if err != nil {
			return
		}
		again, err := cleanACL("X-Container-Read", out)
		if err != nil || again != out {
			t.Fatalf("clean(%q) = %q, clean again = %q, %v", in, out, again, err)
		}
		refs, groups := parseACL(out)
		for _, r := range refs {
			if r == "" || r == "-" {
				t.Fatalf("empty referrer rule from %q", out)
			}
		}
		_ = groups
		_ = referrerAllowed("http://example.com/", refs)
	})
}

func TestParseACL(t *testing.T) {
	refs, groups := parseACL(".r:*,.r:-bad.com,.rlistings,test:tester3,te%73t2")
	if !slices.Equal(refs, []string{"*", "-bad.com"}) || !slices.Equal(groups, []string{".rlistings", "test:tester3", "test2"}) {
		t.Errorf("parseACL: %v %v", refs, groups)
	}
	if refs, groups := parseACL(""); refs != nil || groups != nil {
		t.Errorf("empty ACL parsed to %v %v", refs, groups)
	}
}

// The cases are Swift's test_acl.py test_referrer_allowed.
func TestReferrerAllowed(t *testing.T) {
	tests := []struct {
		referer string
		rules   []string
		want    bool
	}{
		{"host", nil, false},
		{"host", []string{}, false},
		{"", []string{"*"}, true},
		{"", []string{"specific.host"}, false},
		{"http://www.example.com/index.html", []string{".example.com"}, true},
		{"http://user@www.example.com/index.html", []string{".example.com"}, true},
		{"http://user:pass@www.example.com/index.html", []string{".example.com"}, true},
		{"http://www.example.com:8080/index.html", []string{".example.com"}, true},
		{"http://user@www.example.com:8080/index.html", []string{".example.com"}, true},
		{"http://user:pass@www.example.com:8080/index.html", []string{".example.com"}, true},
		{"http://user:pass@www.example.com:8080", []string{".example.com"}, true},
		{"http://www.example.com", []string{".example.com"}, true},
		{"http://thief.example.com", []string{".example.com", "-thief.example.com"}, false},
		{"http://thief.example.com", []string{"*", "-thief.example.com"}, false},
		{"http://www.example.com", []string{".other.com", "www.example.com"}, true},
		{"http://www.example.com", []string{"-.example.com", "www.example.com"}, true},
		{"www.example.com", []string{".example.com"}, false},
		{"../index.html", []string{".example.com"}, false},
		{"www.example.com", []string{"*"}, true},
		{"http://WWW.Example.COM/", []string{"www.example.com"}, true},
	}
	for _, tc := range tests {
		if got := referrerAllowed(tc.referer, tc.rules); got != tc.want {
			t.Errorf("referrerAllowed(%q, %q) = %v, want %v", tc.referer, tc.rules, got, tc.want)
		}
	}
}

func TestParseAccountACL(t *testing.T) {
	tests := []struct {
		in, format, err string
	}{
		{`{"admin":["a:b"],"read-only":["c"]}`, `{"admin":["a:b"],"read-only":["c"]}`, ""},
		{`{ "read-write" : ["x", "y"], "admin": [] }`, `{"admin":[],"read-write":["x","y"]}`, ""},
		{`{"read-only":["caf\u00e9"]}`, `{"read-only":["caf\u00e9"]}`, ""},
		{``, `{}`, ""},
		{`{}`, `{}`, ""},
		{`[]`, "", `X-Account-Access-Control invalid: Syntax error in input ('[]')` + "\n\nInput: []\n"},
		{`{"admin":`, "", `X-Account-Access-Control invalid: Syntax error in input ('{"admin":')` + "\n\nInput: {\"admin\":\n"},
		{`{"owner":["a"]}`, "", "X-Account-Access-Control invalid: Key \"owner\" not recognized\n\nInput: {\"owner\":[\"a\"]}\n"},
		{`{"admin":"a"}`, "", "X-Account-Access-Control invalid: Value for key \"admin\" must be a list\n\nInput: {\"admin\":\"a\"}\n"},
		{`{"admin":null}`, "", "X-Account-Access-Control invalid: Value for key \"admin\" must be a list\n\nInput: {\"admin\":null}\n"},
		{`{"read-only":[1]}`, "", "X-Account-Access-Control invalid: Elements of \"read-only\" list must be strings\n\nInput: {\"read-only\":[1]}\n"},
	}
	for _, tc := range tests {
		acl, err := parseAccountACL(tc.in)
		if tc.err != "" {
			if swift.Status(err) != 400 || swift.Message(err) != tc.err {
				t.Errorf("parseAccountACL(%q) error %q, want %q", tc.in, swift.Message(err), tc.err)
			}
			continue
		}
		if err != nil || acl.format() != tc.format {
			t.Errorf("parseAccountACL(%q) = %q, %v; want %q", tc.in, acl.format(), err, tc.format)
		}
	}
}

// FuzzParseAccountACL: parsing never panics and format is a fixed point.
func FuzzParseAccountACL(f *testing.F) {
	for _, s := range []string{`{"admin":["a"]}`, `{"read-only":["\u00e9\ud83d\ude00"]}`, `[]`, `{"admin":[1]}`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		acl, err := parseAccountACL(in)
		if err != nil {
			return
		}
		out := acl.format()
		again, err := parseAccountACL(out)
		if err != nil || again.format() != out {
			t.Fatalf("format(%q) = %q does not round-trip: %q, %v", in, out, again.format(), err)
		}
	})
}
