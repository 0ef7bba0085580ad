package dlo

import (
	"strings"
	"testing"
)

// FuzzManifestHeader feeds X-Object-Manifest values to both parsers: the
// PUT-time check and the GET-time split. Neither may panic, and a value
// the check accepts must split into a container and a prefix.
func FuzzManifestHeader(f *testing.F) {
	for _, seed := range []string{"segs/big/", "segs", "/x", "a%2Fb/c", "c/%zz", "c/a?b", "%", "c/%2", "x/y/z"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		valid := ValidateManifest(value) == nil
		container, prefix, err := splitManifest(value)
		if !valid {
			return
		}
		if strings.ContainsAny(value, "?&") || strings.HasPrefix(value, "/") {
			t.Fatalf("ValidateManifest accepted %q", value)
		}
		if !strings.Contains(value, "%") && (err != nil || container == "" || prefix == "") {
			t.Fatalf("splitManifest(%q) = %q, %q, %v after it validated", value, container, prefix, err)
		}
	})
}
