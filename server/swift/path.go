package swift

import (
	"net/url"
	"strings"
)

// Path is a parsed request path: the public form /v1/ACCOUNT[/CONTAINER[/OBJECT]]
// or the backend form /DEVICE/PARTITION/ACCOUNT[/CONTAINER[/OBJECT]].
type Path struct {
	Version   string // "v1" for public paths
	Device    string // backend paths only
	Partition string // backend paths only
	Account   string
	Container string
	Object    string
}

// Level says which kind of entity the path names.
type Level int

const (
	LevelAccount Level = iota + 1
	LevelContainer
	LevelObject
)

// Level is the deepest component present.
func (p Path) Level() Level {
	switch {
	case p.Object != "":
		return LevelObject
	case p.Container != "":
		return LevelContainer
	default:
		return LevelAccount
	}
}

// splitPath is Swift's split_path(path, minSegs, maxSegs, rest_with_last=True)
// on a decoded path: at most maxSegs segments, the last keeping any further
// slashes, the first minSegs of them non-empty. Swift splits the path after
// WSGI has percent-decoded it, so "%2F" separates segments exactly as "/"
// does; only the last segment (an object name) can hold a slash.
func splitPath(path string, minSegs, maxSegs int) ([]string, bool) {
	if !strings.HasPrefix(path, "/") {
		return nil, false
	}
	segs := strings.SplitN(path[1:], "/", maxSegs)
	if len(segs) < minSegs {
		return nil, false
	}
	for _, s := range segs[:minSegs] {
		if s == "" {
			return nil, false
		}
	}
	return segs, true
}

// errInvalidUTF8Path is what every Swift server answers for a path that is
// not valid UTF-8 or contains NUL (check_utf8), before looking at it further.
func errInvalidUTF8Path() error {
	return Errorf(ErrPreconditionFailed, "Invalid UTF8 or contains NULL")
}

// ParsePublicPath parses /VERSION/ACCOUNT[/CONTAINER[/OBJECT]] as Swift's
// proxy does. The decoded path is split, so "/v1/a/c%2Fd/o" names container
// "c" and object "d/o", and a trailing slash after the container ("/v1/a/c/")
// names the container. Failures answer as the proxy does: 412 "Invalid UTF8
// or contains NULL" for a path that is not valid UTF-8 or contains NUL, 404
// for a path without a version segment, 412 "Bad URL" for one naming no
// account, or an object without a container. The version itself is not
// checked: callers accept "v1" and "v1.0" and answer 400 otherwise.
func ParsePublicPath(u *url.URL) (Path, error) {
	if !validUTF8Name(u.Path) {
		return Path{}, errInvalidUTF8Path()
	}
	segs, ok := splitPath(u.Path, 1, 4)
	if !ok {
		return Path{}, Errorf(ErrNotFound, "The resource could not be found.")
	}
	p := Path{Version: segs[0]}
	if len(segs) > 1 {
		p.Account = segs[1]
	}
	if len(segs) > 2 {
		p.Container = segs[2]
	}
	if len(segs) > 3 {
		p.Object = segs[3]
	}
	if p.Account == "" || (p.Container == "" && p.Object != "") {
		return Path{}, Errorf(ErrPreconditionFailed, "Bad URL")
	}
	return p, nil
}

// ParseBackendPath parses /DEVICE/PARTITION/ACCOUNT[/CONTAINER[/OBJECT]] as
// Swift's storage servers do (split_and_validate_path): 412 for a path that
// is not valid UTF-8 or contains NUL, else 400 "Invalid path: ..." when the
// device, partition or account is missing or an object comes without a
// container, and 400 "Invalid device: ..." / "Invalid partition: ..." for a
// device or partition that could name a directory outside its parent.
func ParseBackendPath(u *url.URL) (Path, error) {
	if !validUTF8Name(u.Path) {
		return Path{}, errInvalidUTF8Path()
	}
	segs, ok := splitPath(u.Path, 3, 5)
	if !ok {
		return Path{}, Errorf(ErrBadRequest, "Invalid path: %s", pyQuote(u.Path))
	}
	if err := CheckDeviceName(segs[0]); err != nil {
		return Path{}, err
	}
	if err := checkPartitionName(segs[1]); err != nil {
		return Path{}, err
	}
	p := Path{Device: segs[0], Partition: segs[1], Account: segs[2]}
	if len(segs) > 3 {
		p.Container = segs[3]
	}
	if len(segs) > 4 {
		p.Object = segs[4]
	}
	if p.Container == "" && p.Object != "" {
		return Path{}, Errorf(ErrBadRequest, "Invalid path: %s", pyQuote(u.Path))
	}
	return p, nil
}

// CheckDeviceName accepts plain directory names only: Swift's
// validate_device_partition, plus backslash, NUL and over-long names, which
// no device directory has.
func CheckDeviceName(dev string) error {
	if dev == "" || dev == "." || dev == ".." || strings.ContainsAny(dev, "/\\\x00") || len(dev) > 255 {
		return Errorf(ErrBadRequest, "Invalid device: %s", pyQuote(dev))
	}
	return nil
}

// checkPartitionName is the partition half of Swift's
// validate_device_partition: partitions become directory names too.
func checkPartitionName(part string) error {
	if part == "" || part == "." || part == ".." || strings.ContainsAny(part, "/\\\x00") {
		return Errorf(ErrBadRequest, "Invalid partition: %s", pyQuote(part))
	}
	return nil
}

// EscapePath escapes each segment for use in a URL path, keeping slashes.
func EscapePath(segments ...string) string {
	var b strings.Builder
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(escapeKeepSlash(s))
	}
	return b.String()
}

func escapeKeepSlash(s string) string {
	parts := strings.Split(s, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}
