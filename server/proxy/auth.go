package proxy

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sciswift/sciswift/server/swift"
)

// tempauth is Swift's tempauth middleware: users from the config, tokens
// from GET /auth/v1.0, and (in authz.go) its authorize rules.
type tempauth struct {
	prefix string          // reseller prefix, "AUTH_"
	users  map[string]User // by "account:user"
	ttl    time.Duration
	signer tokenSigner
	clock  func() time.Time
}

func newTempauth(cfg Config) (*tempauth, error) {
	if len(cfg.TokenSecret) == 0 {
		return nil, errors.New("proxy: TokenSecret is required to sign tokens")
	}
	a := &tempauth{
		prefix: cfg.ResellerPrefix,
		users:  make(map[string]User, len(cfg.Users)),
		ttl:    cfg.TokenTTL,
		signer: tokenSigner{prefix: cfg.ResellerPrefix + "tk", secret: cfg.TokenSecret},
		clock:  cfg.Clock,
	}
	for _, u := range cfg.Users {
		if err := checkUser(u); err != nil {
			return nil, err
		}
		key := u.Account + ":" + u.Name
		if _, dup := a.users[key]; dup {
			return nil, fmt.Errorf("proxy: user %q is configured twice", key)
		}
		a.users[key] = u
	}
	return a, nil
}

// checkUser refuses names that cannot round-trip through "account:user"
// and the comma-separated groups of a token.
func checkUser(u User) error {
	switch {
	case u.Account == "" || u.Name == "" || u.Key == "":
		return fmt.Errorf("proxy: user %q:%q needs an account, a name and a key", u.Account, u.Name)
	case strings.ContainsAny(u.Account, ":,/") || strings.Contains(u.Name, ","):
		return fmt.Errorf("proxy: user %q:%q: account names cannot hold ':', ',' or '/', user names ','", u.Account, u.Name)
	}
	return nil
}

// identify returns the request's user, nil for an anonymous request. A
// token with our reseller prefix that does not verify is a 401 at once, as
// tempauth knows itself the only authority for it; any other token is
// treated as no token.
func (a *tempauth) identify(r *http.Request) (*identity, error) {
	token := r.Header.Get(swift.HeaderAuthToken)
	if token == "" {
		token = r.Header.Get(swift.HeaderStorageToken)
	}
	if token == "" || !strings.HasPrefix(token, a.prefix) {
		return nil, nil
	}
	id, err := a.signer.verify(token, a.clock())
	if err != nil {
		return nil, swift.ErrUnauthorized
	}
	return id, nil
}

// credentials are what a token request presents.
type credentials struct{ account, user, key string }

// readCredentials is handle_get_token's header handling: X-Auth-User
// ("account:user", URL-quoted) or X-Storage-User, X-Auth-Key (quoted) or
// X-Storage-Pass.
func readCredentials(h http.Header) (credentials, error) {
	user := unquote(h.Get("X-Auth-User"))
	if user == "" {
		user = h.Get("X-Storage-User")
	}
	account, name, ok := strings.Cut(user, ":")
	if !ok {
		return credentials{}, errBadCredentials{realm: "unknown"}
	}
	key := unquote(h.Get("X-Auth-Key"))
	if key == "" {
		key = h.Get("X-Storage-Pass")
	}
	c := credentials{account: account, user: name, key: key}
	if account == "" || name == "" || key == "" {
		return credentials{}, errBadCredentials{realm: account}
	}
	return c, nil
}

// errBadCredentials is a 401 whose challenge names realm.
type errBadCredentials struct{ realm string }

func (e errBadCredentials) Error() string { return swift.Message(swift.ErrUnauthorized) }
func (e errBadCredentials) Unwrap() error { return swift.ErrUnauthorized }

// unquote is urllib's unquote: bad escapes stay as they are.
func unquote(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// authenticate checks c against the configured users. Keys are compared
// in constant time through their digests, so neither a key's content nor
// its length shows in the timing, and unknown users cost the same.
func (a *tempauth) authenticate(c credentials) (User, error) {
	u, known := a.users[c.account+":"+c.user]
	want := sha256.Sum256([]byte(u.Key))
	got := sha256.Sum256([]byte(c.key))
	if subtle.ConstantTimeCompare(want[:], got[:]) != 1 || !known {
		return User{}, errBadCredentials{realm: c.account}
	}
	return u, nil
}

// serveAuth is tempauth's handle_get_token for GET /auth/v1.0 (any path
// under /auth/, and /v1.0): 200 with the token and the storage URL.
func (s *Server) serveAuth(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		s.fail(w, r, "", swift.ErrBadRequest)
		return
	}
	c, err := readCredentials(r.Header)
	var u User
	if err == nil {
		u, err = s.auth.authenticate(c)
	}
	if err != nil {
		var bad errBadCredentials
		if errors.As(err, &bad) {
			w.Header().Set("Www-Authenticate", challenge(bad.realm))
		}
		swift.WriteError(w, r, err)
		return
	}
	now := s.auth.clock()
	expires := now.Add(s.auth.ttl)
	token := s.auth.signer.mint(userGroups(s.auth.prefix, u), expires)
	h := w.Header()
	h.Set("X-Auth-Token", token)
	h.Set("X-Storage-Token", token)
	h.Set("X-Auth-Token-Expires", strconv.FormatInt(int64(expires.Sub(now)/time.Second), 10))
	h.Set("X-Storage-Url", storageURL(r, s.auth.prefix+u.Account))
	h.Set("Content-Type", "text/html; charset=UTF-8")
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

// storageURL is tempauth's "$HOST/v1/AUTH_account" with $HOST the scheme
// and Host the client used, so the URL works from where the client is.
func storageURL(r *http.Request, account string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/v1/" + url.PathEscape(account)
}
