package proxy

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"

	"github.com/sciswift/sciswift/server/swift"
)

// Container ACLs (X-Container-Read, X-Container-Write) are Swift's v1 ACL
// strings: comma-separated elements, each a referrer rule (".r:host",
// ".r:.domain", ".r:*", ".r:-host" to exclude), ".rlistings", or a group
// ("account", "account:user"). Account ACLs (X-Account-Access-Control)
// are tempauth's v2 JSON: {"admin": [...], "read-write": [...],
// "read-only": [...]}.

// referrerDesignators are the spellings of ".r" that clean_acl accepts.
var referrerDesignators = []string{".r", ".ref", ".referer", ".referrer"}

// cleanACL is Swift's acl.clean_acl: it normalises an ACL header value
// (".ref:*" → ".r:*", ".r:*.example.com" → ".r:.example.com", spaces
// dropped) and refuses what tempauth cannot enforce, with Swift's
// messages. header is the header's name: write ACLs take no referrers.
func cleanACL(header, value string) (string, error) {
	var out []string
	for _, raw := range strings.Split(value, ",") {
		raw = pyStrip(raw)
		if raw == "" {
			continue
		}
		first, second, found := strings.Cut(raw, ":")
		first, second = pyStrip(first), pyStrip(second)
		if !found || first == "" || !strings.HasPrefix(first, ".") {
			out = append(out, raw)
			continue
		}
		if !slices.Contains(referrerDesignators, first) {
			return "", swift.Errorf(swift.ErrBadRequest, "Unknown designator %s in ACL: %s", pyRepr(first), pyRepr(raw))
		}
		if strings.Contains(strings.ToLower(header), "write") {
			return "", swift.Errorf(swift.ErrBadRequest, "Referrers not allowed in write ACL: %s", pyRepr(raw))
		}
		negate := strings.HasPrefix(second, "-")
		if negate {
			second = pyStrip(second[1:])
		}
		if second != "*" && strings.HasPrefix(second, "*") {
			second = pyStrip(second[1:])
		}
		if second == "" || second == "." {
			return "", swift.Errorf(swift.ErrBadRequest,
				"No host/domain value after referrer designation in ACL: %s", pyRepr(raw))
		}
		if negate {
			second = "-" + second
		}
		out = append(out, ".r:"+second)
	}
	return strings.Join(out, ","), nil
}

// parseACL is Swift's parse_acl (v1) of a cleaned ACL: the referrer rules
// and the (URL-unquoted) groups.
func parseACL(acl string) (referrers, groups []string) {
	if acl == "" {
		return nil, nil
	}
	for _, v := range strings.Split(acl, ",") {
		if rest, ok := strings.CutPrefix(v, ".r:"); ok {
			referrers = append(referrers, rest)
			continue
		}
		groups = append(groups, unquote(v))
	}
	return referrers, groups
}

// referrerAllowed is Swift's referrer_allowed: the last rule that matches
// the Referer's host decides; ".domain" matches any host ending in it and
// "*" any host, even a missing one.
func referrerAllowed(referer string, rules []string) bool {
	if len(rules) == 0 {
		return false
	}
	host := "unknown"
	if u, err := url.Parse(referer); err == nil && u.Hostname() != "" {
		host = strings.ToLower(u.Hostname())
	}
	allow := false
	for _, rule := range rules {
		if deny, ok := strings.CutPrefix(rule, "-"); ok {
			if deny == host || (strings.HasPrefix(deny, ".") && strings.HasSuffix(host, deny)) {
				allow = false
			}
			continue
		}
		if rule == "*" || rule == host || (strings.HasPrefix(rule, ".") && strings.HasSuffix(host, rule)) {
			allow = true
		}
	}
	return allow
}

// accountACL is tempauth's account ACL: who may act as owner, who may
// read and write all containers, who may only read.
type accountACL struct {
	Admin     []string
	ReadWrite []string
	ReadOnly  []string
}

// accountACLKeys are the keys tempauth recognises, in its order of checks.
var accountACLKeys = []string{"admin", "read-write", "read-only"}

// headerAccountACL is the client-facing header; the ACL is stored as
// account sysmeta, which clients can neither set nor see directly.
const (
	headerAccountACL        = "X-Account-Access-Control"
	headerAccountACLSysmeta = "X-Account-Sysmeta-Core-Access-Control"
)

// parseAccountACL validates an X-Account-Access-Control value as
// tempauth's extract_acl_and_report_errors does and returns it; errors
// carry Swift's 400 message.
func parseAccountACL(value string) (accountACL, error) {
	if value == "" {
		return accountACL{}, nil // Swift's parse_acl: "" is an empty ACL
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(value), &raw); err != nil || raw == nil {
		return accountACL{}, accountACLError(value, "Syntax error in input ("+pyRepr(value)+")")
	}
	for key := range raw {
		if !slices.Contains(accountACLKeys, key) {
			return accountACL{}, accountACLError(value, "Key "+pyJSONString(key)+" not recognized")
		}
	}
	var acl accountACL
	for _, key := range accountACLKeys {
		v, ok := raw[key]
		if !ok {
			continue
		}
		list, err := decodeGrantees(v)
		if err != nil {
			return accountACL{}, accountACLError(value, err.Error()+pyJSONString(key)+suffixFor(err))
		}
		switch key {
		case "admin":
			acl.Admin = list
		case "read-write":
			acl.ReadWrite = list
		default:
			acl.ReadOnly = list
		}
	}
	return acl, nil
}

// grantee errors; their text leads tempauth's message about the key.
type granteeError string

func (e granteeError) Error() string { return string(e) }

const (
	errNotList   granteeError = "Value for key "
	errNotString granteeError = "Elements of "
)

func suffixFor(err error) string {
	if err == errNotList {
		return " must be a list"
	}
	return " list must be strings"
}

func decodeGrantees(v json.RawMessage) ([]string, error) {
	var elems []json.RawMessage
	if err := json.Unmarshal(v, &elems); err != nil || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		return nil, errNotList
	}
	list := make([]string, 0, len(elems))
	for _, e := range elems {
		var s string
		if err := json.Unmarshal(e, &s); err != nil {
			return nil, errNotString
		}
		list = append(list, s)
	}
	return list, nil
}

func accountACLError(input, msg string) error {
	return swift.Errorf(swift.ErrBadRequest, "X-Account-Access-Control invalid: %s\n\nInput: %s\n", msg, input)
}

// empty reports an ACL that grants nothing, which tempauth treats as none.
func (a accountACL) empty() bool {
	return len(a.Admin) == 0 && len(a.ReadWrite) == 0 && len(a.ReadOnly) == 0
}

// format is Swift's format_acl (v2): sorted keys, no spaces, ASCII only.
func (a accountACL) format() string {
	var parts []string
	add := func(key string, list []string) {
		if list == nil {
			return
		}
		elems := make([]string, len(list))
		for i, s := range list {
			elems[i] = pyJSONString(s)
		}
		parts = append(parts, pyJSONString(key)+":["+strings.Join(elems, ",")+"]")
	}
	add("admin", a.Admin)
	add("read-only", a.ReadOnly)
	add("read-write", a.ReadWrite)
	return "{" + strings.Join(parts, ",") + "}"
}
