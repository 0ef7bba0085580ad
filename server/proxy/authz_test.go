package proxy

import (
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

// TestAuthorize checks tempauth's authorize decisions for the development
// users: test:tester (.admin of AUTH_test), test:tester3 (plain user of
// AUTH_test), test2:tester2 (.admin of AUTH_test2), a reseller admin, and
// anonymous requests.
func TestAuthorize(t *testing.T) {
	a := &tempauth{prefix: "AUTH_"}
	var (
		tester   = &identity{groups: []string{"test", "test:tester", "AUTH_test"}}
		tester3  = &identity{groups: []string{"test", "test:tester3"}}
		tester2  = &identity{groups: []string{"test2", "test2:tester2", "AUTH_test2"}}
		reseller = &identity{groups: []string{"ops", "ops:root", ".reseller_admin"}}
	)
	const (
		ok       = 0
		owner    = 1
		unauth   = 401
		forbid   = 403
		readOnly = `{"read-only":["test:tester3"]}`
	)
	tests := []struct {
		name                       string
		user                       *identity
		method                     string
		account, container, object string
		acl, referer, accountACL   string
		want                       int
	}{
		{"admin reads account", tester, "GET", "AUTH_test", "", "", "", "", "", owner},
		{"admin posts account", tester, "POST", "AUTH_test", "", "", "", "", "", owner},
		{"admin cannot put account", tester, "PUT", "AUTH_test", "", "", "", "", "", forbid},
		{"admin cannot delete account", tester, "DELETE", "AUTH_test", "", "", "", "", "", forbid},
		{"admin puts container", tester, "PUT", "AUTH_test", "c", "", "", "", "", owner},
		{"admin of another account", tester2, "GET", "AUTH_test", "c", "o", "", "", "", forbid},
		{"reseller admin anywhere", reseller, "PUT", "AUTH_test", "", "", "", "", "", owner},
		{"reseller admin not hidden", reseller, "GET", "AUTH_.hidden", "", "", "", "", "", forbid},
		{"reseller admin not bare prefix", reseller, "GET", "AUTH_", "", "", "", "", "", forbid},
		{"not our prefix", tester, "GET", "KEY_test", "", "", "", "", "", forbid},
		{"not our prefix anonymous", nil, "GET", "test", "", "", "", "", "", unauth},
		{"hidden account", tester, "GET", ".expiring_objects", "", "", "", "", "", forbid},
		{"plain user no acl", tester3, "GET", "AUTH_test", "c", "o", "", "", "", forbid},
		{"anonymous no acl", nil, "GET", "AUTH_test", "c", "o", "", "", "", unauth},
		{"user acl", tester3, "GET", "AUTH_test", "c", "o", "test:tester3", "", "", ok},
		{"account acl group", tester3, "GET", "AUTH_test", "c", "", "test", "", "", ok},
		{"quoted acl group", tester3, "GET", "AUTH_test", "c", "", "test%3Atester3", "", "", ok},
		{"other user acl", tester3, "GET", "AUTH_test", "c", "o", "test:tester", "", "", forbid},
		{"referrer object", nil, "GET", "AUTH_test", "c", "o", ".r:*", "", "", ok},
		{"referrer listing needs rlistings", nil, "GET", "AUTH_test", "c", "", ".r:*", "", "", unauth},
		{"referrer listing rlistings", nil, "GET", "AUTH_test", "c", "", ".r:*,.rlistings", "", "", ok},
		{"referrer listing authenticated", tester3, "GET", "AUTH_test", "c", "", ".r:*", "", "", forbid},
		{"referrer domain", nil, "GET", "AUTH_test", "c", "o", ".r:.example.com", "http://a.example.com/", "", ok},
		{"referrer domain other", nil, "GET", "AUTH_test", "c", "o", ".r:.example.com", "http://a.example.org/", "", unauth},
		{"referrer excluded", nil, "GET", "AUTH_test", "c", "o", ".r:*,.r:-bad.com", "http://bad.com/x", "", unauth},
		{"rlistings alone", nil, "GET", "AUTH_test", "c", "", ".rlistings", "", "", unauth},
		{"options always", nil, "OPTIONS", "AUTH_test", "c", "o", "", "", "", ok},
		{"account acl read-only reads", tester3, "HEAD", "AUTH_test", "", "", "", "", readOnly, ok},
		{"account acl read-only objects", tester3, "GET", "AUTH_test", "c", "o", "", "", readOnly, ok},
		{"account acl read-only no write", tester3, "PUT", "AUTH_test", "c", "o", "", "", readOnly, forbid},
		{"account acl read-write writes", tester3, "PUT", "AUTH_test", "c", "o", "", "", `{"read-write":["test"]}`, ok},
		{"account acl read-write no account post", tester3, "POST", "AUTH_test", "", "", "", "", `{"read-write":["test"]}`, forbid},
		{"account acl admin", tester3, "POST", "AUTH_test", "", "", "", "", `{"admin":["test:tester3"]}`, owner},
		{"account acl anonymous", nil, "GET", "AUTH_test", "", "", "", "", `{"read-only":["test"]}`, unauth},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := authzRequest{
				method: tc.method, account: tc.account, container: tc.container, object: tc.object,
				referer: tc.referer, user: tc.user, acl: tc.acl,
				accountACL: func() accountACL {
					acl, err := parseAccountACL(tc.accountACL)
					if err != nil {
						t.Fatal(err)
					}
					return acl
				},
			}
			isOwner, err := a.authorize(q)
			got := ok
			switch {
			case err != nil:
				got = swift.Status(err)
			case isOwner:
				got = owner
			}
			if got != tc.want {
				t.Errorf("authorize = %d (err %v), want %d", got, err, tc.want)
			}
		})
	}
}
