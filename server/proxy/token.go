package proxy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// identity is an authenticated user, held as tempauth's REMOTE_USER
// groups: the account, "account:user", the reseller-prefixed account id
// for an .admin user (which is what makes an owner), and .reseller_admin.
type identity struct {
	groups []string
}

// groupResellerAdmin marks a user who owns every reseller account.
const groupResellerAdmin = ".reseller_admin"

func (id *identity) in(group string) bool { return slices.Contains(id.groups, group) }

// userGroups builds tempauth's groups for u (its _get_user_groups).
func userGroups(resellerPrefix string, u User) []string {
	groups := []string{u.Account, u.Account + ":" + u.Name}
	if u.ResellerAdmin {
		groups = append(groups, groupResellerAdmin)
	}
	if u.Admin {
		groups = append(groups, resellerPrefix+u.Account)
	}
	return groups
}

// Token errors; both answer 401.
var (
	errTokenInvalid = errors.New("invalid token")
	errTokenExpired = errors.New("expired token")
)

// b64 is strict so that each token has one spelling only.
var b64 = base64.RawURLEncoding.Strict()

// tokenSigner makes and checks stateless tokens:
//
//	<reseller>tk<base64url(expiry "," groups...)>.<base64url(HMAC-SHA256)>
//
// The MAC covers everything before the dot, so any proxy holding the
// secret accepts the token and nobody without it can forge or extend one.
// tempauth keeps tokens in memcache instead; a signed token needs no shared
// state between proxies.
type tokenSigner struct {
	prefix string // e.g. "AUTH_tk"
	secret []byte
}

func (t tokenSigner) mac(signed string) []byte {
	m := hmac.New(sha256.New, t.secret)
	m.Write([]byte(signed))
	return m.Sum(nil)
}

// mint returns a token for groups valid until expires.
func (t tokenSigner) mint(groups []string, expires time.Time) string {
	payload := strconv.FormatInt(expires.Unix(), 10) + "," + strings.Join(groups, ",")
	signed := t.prefix + b64.EncodeToString([]byte(payload))
	return signed + "." + b64.EncodeToString(t.mac(signed))
}

// verify checks token's MAC, then its expiry against now.
func (t tokenSigner) verify(token string, now time.Time) (*identity, error) {
	dot := strings.LastIndexByte(token, '.')
	if !strings.HasPrefix(token, t.prefix) || dot < len(t.prefix) || !tokenChars(token[len(t.prefix):]) {
		return nil, errTokenInvalid
	}
	signed := token[:dot]
	mac, err := b64.DecodeString(token[dot+1:])
	if err != nil || !hmac.Equal(mac, t.mac(signed)) {
		return nil, errTokenInvalid
	}
	payload, err := b64.DecodeString(signed[len(t.prefix):])
	if err != nil {
		return nil, errTokenInvalid
	}
	fields := strings.Split(string(payload), ",")
	expires, err := strconv.ParseInt(fields[0], 10, 64)
	if err != nil || len(fields) < 3 {
		return nil, errTokenInvalid
	}
	if now.Unix() >= expires {
		return nil, errTokenExpired
	}
	return &identity{groups: fields[1:]}, nil
}

// tokenChars reports whether s holds only what mint writes after the
// prefix: base64url and the dot. The decoder alone would also skip
// newlines, giving one token several spellings.
func tokenChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
