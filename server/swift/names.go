package swift

import (
	"strings"
	"unicode/utf8"
)

// validUTF8Name rejects what Swift's check_utf8 rejects: invalid UTF-8 and
// NUL, which sciswift also uses as a key separator in listing databases.
func validUTF8Name(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// CheckAccount validates an account name (e.g. "AUTH_test").
func (l Limits) CheckAccount(name string) error {
	switch {
	case name == "":
		return Errorf(ErrBadRequest, "Account name is required")
	case !validUTF8Name(name):
		return Errorf(ErrPreconditionFailed, "Invalid UTF8 or contains NULL")
	case len(name) > l.MaxAccountNameLength:
		return Errorf(ErrBadRequest, "Account name length of %d longer than %d", len(name), l.MaxAccountNameLength)
	}
	return nil
}

// CheckContainer validates a container name as Swift's proxy does.
func (l Limits) CheckContainer(name string) error {
	switch {
	case name == "":
		return Errorf(ErrBadRequest, "Container name is required")
	case !validUTF8Name(name):
		return Errorf(ErrPreconditionFailed, "Invalid UTF8 or contains NULL")
	case strings.Contains(name, "/"):
		return Errorf(ErrBadRequest, "Container name cannot contain slashes")
	case len(name) > l.MaxContainerNameLength:
		return Errorf(ErrBadRequest, "Container name length of %d longer than %d", len(name), l.MaxContainerNameLength)
	}
	return nil
}

// CheckObject validates an object name. Any byte sequence Swift allows is
// allowed ("..", leading slashes, spaces): names are hashed before they
// touch the disk, so no name can reach outside a device directory.
func (l Limits) CheckObject(name string) error {
	switch {
	case name == "":
		return Errorf(ErrBadRequest, "Object name is required")
	case !validUTF8Name(name):
		return Errorf(ErrPreconditionFailed, "Invalid UTF8 or contains NULL")
	case len(name) > l.MaxObjectNameLength:
		return Errorf(ErrBadRequest, "Object name length of %d longer than %d", len(name), l.MaxObjectNameLength)
	}
	return nil
}
