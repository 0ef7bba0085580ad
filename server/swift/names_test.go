package swift

import (
	"strings"
	"testing"
)

func TestCheckNames(t *testing.T) {
	l := DefaultLimits()
	type check func(string) error
	tests := []struct {
		what   string
		check  check
		name   string
		status int // 200 for valid
		msg    string
	}{
		{"account", l.CheckAccount, "AUTH_test", 200, ""},
		{"account", l.CheckAccount, "", 400, "Account name is required"},
		{"account", l.CheckAccount, "a\x00b", 412, "Invalid UTF8 or contains NULL"},
		{"account", l.CheckAccount, "a\xffb", 412, "Invalid UTF8 or contains NULL"},
		{"account", l.CheckAccount, strings.Repeat("a", 256), 200, ""},
		{"account", l.CheckAccount, strings.Repeat("a", 257), 400, "Account name length of 257 longer than 256"},
		{"container", l.CheckContainer, "photos", 200, ""},
		{"container", l.CheckContainer, "ünï cødé", 200, ""},
		{"container", l.CheckContainer, "", 400, "Container name is required"},
		{"container", l.CheckContainer, "a/b", 400, "Container name cannot contain slashes"},
		{"container", l.CheckContainer, "\xed\xa0\x80", 412, "Invalid UTF8 or contains NULL"}, // a UTF-8 surrogate
		{"container", l.CheckContainer, strings.Repeat("é", 128), 200, ""},
		{"container", l.CheckContainer, strings.Repeat("é", 129), 400, "Container name length of 258 longer than 256"},
		{"object", l.CheckObject, "a/b/../c", 200, ""},
		{"object", l.CheckObject, "/leading/and/trailing/", 200, ""},
		{"object", l.CheckObject, "..", 200, ""},
		{"object", l.CheckObject, "", 400, "Object name is required"},
		{"object", l.CheckObject, "o\x00", 412, "Invalid UTF8 or contains NULL"},
		{"object", l.CheckObject, strings.Repeat("o", 1024), 200, ""},
		{"object", l.CheckObject, strings.Repeat("o", 1025), 400, "Object name length of 1025 longer than 1024"},
	}
	for _, tc := range tests {
		err := tc.check(tc.name)
		if tc.status == 200 {
			if err != nil {
				t.Errorf("%s %q: %v", tc.what, tc.name, err)
			}
			continue
		}
		if Status(err) != tc.status || Message(err) != tc.msg {
			t.Errorf("%s %q: %v (%d), want %d %q", tc.what, tc.name, err, Status(err), tc.status, tc.msg)
		}
	}
}

func TestDefaultLimits(t *testing.T) {
	l := DefaultLimits()
	// Swift 2.30's shipped constraints.
	if l.MaxFileSize != 5368709122 || l.MaxMetaNameLength != 128 || l.MaxMetaValueLength != 256 ||
		l.MaxMetaCount != 90 || l.MaxMetaOverallSize != 4096 || l.MaxHeaderSize != 8192 ||
		l.MaxObjectNameLength != 1024 || l.ContainerListingLimit != 10000 || l.AccountListingLimit != 10000 ||
		l.MaxAccountNameLength != 256 || l.MaxContainerNameLength != 256 {
		t.Fatalf("%+v", l)
	}
}
