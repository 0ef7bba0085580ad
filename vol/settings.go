package vol

import (
	"fmt"
	"strconv"
	"strings"
)

// Defaults of the per-file I/O knobs.
const (
	DefaultParallel   = 16
	DefaultCacheBytes = 128 << 20
	maxParallel       = 1024
	minCacheBytes     = 1 << 20
)

// infoKeys are the keys of the connector info string.
var infoKeys = []string{"auth", "user", "key", "storage_url", "token", "container", "parallel", "cache"}

// parseSettings is ParseSettings. Precedence, per setting: the info string,
// then the environment. One exception keeps credentials from two sources
// from being mixed: an info string that names one way of authenticating
// (auth/user/key, or storage_url/token) takes no part of the other way from
// the environment, so "auth=… user=… key=…" is never silently paired with a
// stale OS_AUTH_TOKEN of another account.
func parseSettings(info string, getenv func(string) string) (Settings, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	given := map[string]string{}
	for _, field := range strings.Fields(info) {
		k, v, ok := strings.Cut(field, "=")
		if !ok {
			return Settings{}, fmt.Errorf("%w: connector info %q: want key=value, keys %s", ErrInvalid, field, strings.Join(infoKeys, ", "))
		}
		if !knownInfoKey(k) {
			return Settings{}, fmt.Errorf("%w: connector info: unknown key %q (keys: %s)", ErrInvalid, k, strings.Join(infoKeys, ", "))
		}
		if _, dup := given[k]; dup {
			return Settings{}, fmt.Errorf("%w: connector info: %s= given twice", ErrInvalid, k)
		}
		if v == "" {
			return Settings{}, fmt.Errorf("%w: connector info: %s= has no value", ErrInvalid, k)
		}
		given[k] = v
	}
	infoV1 := given["auth"] != "" || given["user"] != "" || given["key"] != ""
	infoPre := given["storage_url"] != "" || given["token"] != ""
	pick := func(key, env string, envAllowed bool) string {
		if v, ok := given[key]; ok {
			return v
		}
		if !envAllowed {
			return ""
		}
		return strings.TrimSpace(getenv(env))
	}
	s := Settings{
		AuthURL:    pick("auth", "ST_AUTH", !infoPre),
		User:       pick("user", "ST_USER", !infoPre),
		Key:        pick("key", "ST_KEY", !infoPre),
		StorageURL: pick("storage_url", "OS_STORAGE_URL", !infoV1),
		Token:      pick("token", "OS_AUTH_TOKEN", !infoV1),
		Container:  pick("container", "SCISWIFT_CONTAINER", true),
		Parallel:   DefaultParallel,
		CacheBytes: DefaultCacheBytes,
	}
	if v, ok := given["parallel"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxParallel {
			return Settings{}, fmt.Errorf("%w: connector info: parallel=%s: want a number from 1 to %d", ErrInvalid, v, maxParallel)
		}
		s.Parallel = n
	}
	if v, ok := given["cache"]; ok {
		n, err := parseBytes(v)
		if err != nil || n < minCacheBytes {
			return Settings{}, fmt.Errorf("%w: connector info: cache=%s: want a byte count of at least 1M (suffixes K, M, G)", ErrInvalid, v)
		}
		s.CacheBytes = n
	}
	if s.Container != "" {
		if err := checkContainer(s.Container); err != nil {
			return Settings{}, err
		}
	}
	return s, nil
}

func knownInfoKey(k string) bool {
	for _, x := range infoKeys {
		if x == k {
			return true
		}
	}
	return false
}

// parseBytes reads "1048576", "64M", "1G", "512KiB" (binary units).
func parseBytes(v string) (int64, error) {
	shift := 0
	num := strings.TrimSuffix(strings.TrimSuffix(v, "iB"), "B")
	if num != "" {
		switch num[len(num)-1] {
		case 'k', 'K':
			shift = 10
		case 'm', 'M':
			shift = 20
		case 'g', 'G':
			shift = 30
		case 't', 'T':
			shift = 40
		}
		if shift != 0 {
			num = num[:len(num)-1]
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<62)>>shift {
		return 0, fmt.Errorf("bad byte count %q", v)
	}
	return n << shift, nil
}

// withDefaults fills the I/O knobs of a Settings made by hand.
func (s Settings) withDefaults() Settings {
	if s.Parallel <= 0 {
		s.Parallel = DefaultParallel
	}
	if s.Parallel > maxParallel {
		s.Parallel = maxParallel
	}
	if s.CacheBytes <= 0 {
		s.CacheBytes = DefaultCacheBytes
	}
	return s
}

// checkAuth reports ErrNoAuth, saying what to set, when s holds neither a
// complete tempauth triple nor a storage URL and token.
func (s Settings) checkAuth() error {
	if s.StorageURL != "" && s.Token != "" {
		return nil
	}
	if s.AuthURL != "" && s.User != "" && s.Key != "" {
		return nil
	}
	var missing []string
	switch {
	case s.StorageURL != "" || s.Token != "":
		if s.StorageURL == "" {
			missing = append(missing, "storage_url= (OS_STORAGE_URL)")
		}
		if s.Token == "" {
			missing = append(missing, "token= (OS_AUTH_TOKEN)")
		}
	default:
		if s.AuthURL == "" {
			missing = append(missing, "auth= (ST_AUTH)")
		}
		if s.User == "" {
			missing = append(missing, "user= (ST_USER)")
		}
		if s.Key == "" {
			missing = append(missing, "key= (ST_KEY)")
		}
	}
	return fmt.Errorf("%w: set %s in the connector info string or the environment", ErrNoAuth, strings.Join(missing, ", "))
}

// maxPathLen bounds a file's object path so that its longest keys (chunk
// keys of rank-32 datasets excepted) stay within Swift's 1024-byte object
// names.
const maxPathLen = 900

// maxContainerLen is Swift's container name limit.
const maxContainerLen = 256

// parseName splits a file name into container and object path.
//
//   - "CONTAINER/PATH" names PATH in CONTAINER; PATH may hold further '/'.
//     A name with a '/' always starts with its container, whatever
//     Settings.Container says.
//   - "PATH" (no '/') names PATH in defaultContainer, ErrNoContainer if that
//     is empty.
//   - A leading "/" is dropped, as in a Swift URL path ("/sky/run1.h5" is
//     "sky/run1.h5"), and so is any leading "./" ("./run1.h5" is "run1.h5",
//     in the default container): programs written for local files often
//     pass such names.
//
// Empty components, "." and ".." inside the path, NUL bytes and a trailing
// '/' are refused: each would give a file whose objects list confusingly or
// collide with another file's prefix.
func parseName(name, defaultContainer string) (container, path string, err error) {
	n := name
	n = strings.TrimPrefix(n, "/")
	for strings.HasPrefix(n, "./") {
		n = n[2:]
	}
	if n == "" {
		return "", "", fmt.Errorf("%w: file name %q is empty", ErrInvalid, name)
	}
	if strings.IndexByte(n, 0) >= 0 {
		return "", "", fmt.Errorf("%w: file name %q contains a NUL byte", ErrInvalid, name)
	}
	if c, p, ok := strings.Cut(n, "/"); ok {
		container, path = c, p
	} else {
		if defaultContainer == "" {
			return "", "", fmt.Errorf("%w: file name %q has no container: name it CONTAINER/%s, or set container= in the connector info string or SCISWIFT_CONTAINER", ErrNoContainer, name, n)
		}
		container, path = defaultContainer, n
	}
	if err := checkContainer(container); err != nil {
		return "", "", fmt.Errorf("file name %q: %w", name, err)
	}
	if path == "" {
		return "", "", fmt.Errorf("%w: file name %q names a container, not a file in it", ErrInvalid, name)
	}
	if len(path) > maxPathLen {
		return "", "", fmt.Errorf("%w: file name %q: path longer than %d bytes", ErrInvalid, name, maxPathLen)
	}
	for part := range strings.SplitSeq(path, "/") {
		switch part {
		case "":
			return "", "", fmt.Errorf("%w: file name %q has an empty path component", ErrInvalid, name)
		case ".", "..":
			return "", "", fmt.Errorf("%w: file name %q has a %q component", ErrInvalid, name, part)
		}
	}
	return container, path, nil
}

func checkContainer(c string) error {
	switch {
	case c == "":
		return fmt.Errorf("%w: empty container name", ErrInvalid)
	case len(c) > maxContainerLen:
		return fmt.Errorf("%w: container name longer than %d bytes", ErrInvalid, maxContainerLen)
	case strings.ContainsAny(c, "/\x00"):
		return fmt.Errorf("%w: container name %q contains '/' or NUL", ErrInvalid, c)
	case c == "." || c == "..":
		return fmt.Errorf("%w: container name %q", ErrInvalid, c)
	}
	return nil
}
