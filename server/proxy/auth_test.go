package proxy

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sciswift/sciswift/server/swift"
)

var epoch = time.Unix(1700000000, 0)

func TestTokens(t *testing.T) {
	signer := tokenSigner{prefix: "AUTH_tk", secret: []byte("secret")}
	groups := []string{"test", "test:tester", "AUTH_test"}
	token := signer.mint(groups, epoch.Add(time.Hour))
	other := tokenSigner{prefix: "AUTH_tk", secret: []byte("other secret")}
	tamper := func(i int) string {
		b := []byte(token)
		b[i] ^= 1
		return string(b)
	}
	tests := []struct {
		name   string
		signer tokenSigner
		token  string
		now    time.Time
		want   error
	}{
		{"valid", signer, token, epoch, nil},
		{"last second", signer, token, epoch.Add(time.Hour - time.Second), nil},
		{"expired", signer, token, epoch.Add(time.Hour), errTokenExpired},
		{"other secret", other, token, epoch, errTokenInvalid},
		{"payload changed", signer, tamper(len("AUTH_tk") + 2), epoch, errTokenInvalid},
		{"mac changed", signer, tamper(len(token) - 3), epoch, errTokenInvalid},
		{"no mac", signer, token[:strings.LastIndexByte(token, '.')], epoch, errTokenInvalid},
		{"other prefix", tokenSigner{prefix: "KEY_tk", secret: []byte("secret")}, token, epoch, errTokenInvalid},
		{"garbage", signer, "AUTH_tk.", epoch, errTokenInvalid},
		{"empty", signer, "", epoch, errTokenInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, err := tc.signer.verify(tc.token, tc.now)
			if !errors.Is(err, tc.want) {
				t.Fatalf("verify: %v, want %v", err, tc.want)
			}
			if err == nil && !slices.Equal(id.groups, groups) {
				t.Errorf("groups %v, want %v", id.groups, groups)
			}
		})
	}
}

// FuzzVerifyToken: no input makes verify panic, and whatever verifies is
// exactly a token mint made: nobody without the secret can forge one, and
// no other spelling of a valid token is accepted.
func FuzzVerifyToken(f *testing.F) {
	signer := tokenSigner{prefix: "AUTH_tk", secret: []byte("secret")}
	valid := signer.mint([]string{"a", "a:b"}, epoch.Add(time.Hour))
	f.Add(valid)
	f.Add(valid + "A")
	f.Add("AUTH_tk.")
	f.Add("AUTH_tkMTcwMDAwMzYwMCxhLGE6Yg.AAAA")
	f.Fuzz(func(t *testing.T, token string) {
		id, err := signer.verify(token, epoch)
		if err != nil {
			return
		}
		if token != valid || !slices.Equal(id.groups, []string{"a", "a:b"}) {
			t.Fatalf("verified %q as %v", token, id.groups)
		}
	})
}

func TestUserGroups(t *testing.T) {
	tests := []struct {
		user User
		want []string
	}{
		{User{Account: "test", Name: "tester", Admin: true}, []string{"test", "test:tester", "AUTH_test"}},
		{User{Account: "test", Name: "tester3"}, []string{"test", "test:tester3"}},
		{User{Account: "ops", Name: "root", ResellerAdmin: true}, []string{"ops", "ops:root", ".reseller_admin"}},
	}
	for _, tc := range tests {
		if got := userGroups("AUTH_", tc.user); !slices.Equal(got, tc.want) {
			t.Errorf("userGroups(%+v) = %v, want %v", tc.user, got, tc.want)
		}
	}
}

func TestReadCredentials(t *testing.T) {
	tests := []struct {
		name      string
		header    map[string]string
		want      credentials
		wantRealm string // non-empty: a 401 naming this realm
	}{
		{"auth headers", map[string]string{"X-Auth-User": "test:tester", "X-Auth-Key": "testing"}, credentials{"test", "tester", "testing"}, ""},
		{"storage headers", map[string]string{"X-Storage-User": "test:tester", "X-Storage-Pass": "testing"}, credentials{"test", "tester", "testing"}, ""},
		{"auth wins", map[string]string{"X-Auth-User": "a:b", "X-Storage-User": "c:d", "X-Auth-Key": "k", "X-Storage-Pass": "p"}, credentials{"a", "b", "k"}, ""},
		{"quoted", map[string]string{"X-Auth-User": "t%C3%A9st:us%3Aer", "X-Auth-Key": "k%20ey"}, credentials{"tést", "us:er", "k ey"}, ""},
		{"user may hold colons", map[string]string{"X-Auth-User": "a:b:c", "X-Auth-Key": "k"}, credentials{"a", "b:c", "k"}, ""},
		{"no colon", map[string]string{"X-Auth-User": "tester", "X-Auth-Key": "k"}, credentials{}, "unknown"},
		{"nothing", map[string]string{}, credentials{}, "unknown"},
		{"no key", map[string]string{"X-Auth-User": "test:tester"}, credentials{}, "test"},
		{"no user name", map[string]string{"X-Auth-User": "test:", "X-Auth-Key": "k"}, credentials{}, "test"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			got, err := readCredentials(h)
			var bad errBadCredentials
			switch {
			case tc.wantRealm == "" && (err != nil || got != tc.want):
				t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
			case tc.wantRealm != "" && (!errors.As(err, &bad) || bad.realm != tc.wantRealm || swift.Status(err) != 401):
				t.Errorf("got %v, want a 401 for realm %q", err, tc.wantRealm)
			}
		})
	}
}

func FuzzReadCredentials(f *testing.F) {
	f.Add("test:tester", "testing", "", "")
	f.Add("%zz:%", "", "a:b", "p")
	f.Fuzz(func(t *testing.T, user, key, suser, spass string) {
		h := http.Header{}
		h["X-Auth-User"] = []string{user}
		h["X-Auth-Key"] = []string{key}
		h["X-Storage-User"] = []string{suser}
		h["X-Storage-Pass"] = []string{spass}
		c, err := readCredentials(h)
		if err == nil && (c.account == "" || c.user == "" || c.key == "") {
			t.Fatalf("accepted incomplete credentials %+v", c)
		}
	})
}

func newTestAuth(t *testing.T) *tempauth {
	t.Helper()
	a, err := newTempauth(Config{
		ResellerPrefix: "AUTH_", TokenTTL: time.Hour, TokenSecret: []byte("s"),
		Clock: func() time.Time { return epoch },
		Users: []User{{Account: "test", Name: "tester", Key: "testing", Admin: true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAuthenticate(t *testing.T) {
	a := newTestAuth(t)
	tests := []struct {
		c  credentials
		ok bool
	}{
		{credentials{"test", "tester", "testing"}, true},
		{credentials{"test", "tester", "testin"}, false},
		{credentials{"test", "tester", "testing2"}, false},
		{credentials{"test", "nobody", "testing"}, false},
		{credentials{"other", "tester", "testing"}, false},
	}
	for _, tc := range tests {
		_, err := a.authenticate(tc.c)
		if (err == nil) != tc.ok {
			t.Errorf("authenticate(%+v) = %v, want ok=%v", tc.c, err, tc.ok)
		}
	}
}

func TestNewTempauthRejectsBadUsers(t *testing.T) {
	for _, users := range [][]User{
		{{Account: "a:b", Name: "u", Key: "k"}},
		{{Account: "a", Name: "u,v", Key: "k"}},
		{{Account: "a", Name: "u", Key: ""}},
		{{Account: "a", Name: "u", Key: "k"}, {Account: "a", Name: "u", Key: "k2"}},
	} {
		if _, err := newTempauth(Config{ResellerPrefix: "AUTH_", TokenSecret: []byte("s"), Users: users}); err == nil {
			t.Errorf("accepted users %+v", users)
		}
	}
	if _, err := newTempauth(Config{ResellerPrefix: "AUTH_"}); err == nil {
		t.Error("accepted an empty token secret")
	}
}

func TestServeAuth(t *testing.T) {
	s := &Server{auth: newTestAuth(t)}
	tests := []struct {
		method, path, user, key string
		status                  int
		challenge               string
	}{
		{"GET", "/auth/v1.0", "test:tester", "testing", 200, ""},
		{"GET", "/auth/v1", "test:tester", "testing", 200, ""},
		{"GET", "/v1.0", "test:tester", "testing", 200, ""},
		{"GET", "/auth/v1.0", "test:tester", "wrong", 401, `Swift realm="test"`},
		{"GET", "/auth/v1.0", "tester", "testing", 401, `Swift realm="unknown"`},
		{"POST", "/auth/v1.0", "test:tester", "testing", 400, ""},
	}
	for _, tc := range tests {
		r := httptest.NewRequest(tc.method, "http://proxy.example:8080"+tc.path, nil)
		r.Header.Set("X-Auth-User", tc.user)
		r.Header.Set("X-Auth-Key", tc.key)
		w := httptest.NewRecorder()
		s.serveAuth(w, r)
		if w.Code != tc.status || w.Header().Get("Www-Authenticate") != tc.challenge {
			t.Errorf("%s %s %s: %d %q, want %d %q", tc.method, tc.path, tc.key, w.Code,
				w.Header().Get("Www-Authenticate"), tc.status, tc.challenge)
			continue
		}
		if tc.status != 200 {
			continue
		}
		h := w.Header()
		if h.Get("X-Storage-Url") != "http://proxy.example:8080/v1/AUTH_test" || h.Get("X-Auth-Token-Expires") != "3600" ||
			h.Get("X-Auth-Token") != h.Get("X-Storage-Token") {
			t.Errorf("token response headers %v", h)
		}
		id, err := s.auth.signer.verify(h.Get("X-Auth-Token"), epoch)
		if err != nil || !id.in("AUTH_test") {
			t.Errorf("minted token: %v %v", id, err)
		}
	}
}
