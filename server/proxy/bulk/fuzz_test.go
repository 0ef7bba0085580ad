package bulk

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

// FuzzParseDeleteBody feeds bulk-delete bodies to the parser: it must
// never panic, must keep to its limits, and must fail only with 400 or
// 413.
func FuzzParseDeleteBody(f *testing.F) {
	for _, seed := range []string{"/c/o\n/c\n", "\n\n\n", "/c/%E2%98%83\r\n", "/c/%zz", strings.Repeat("a", 3000) + "\n/c/o"} {
		f.Add([]byte(seed), uint8(3))
	}
	f.Fuzz(func(t *testing.T, body []byte, max uint8) {
		const maxPath = 64 // small, so that long lines are reached
		names, err := parseDeleteBody(bytes.NewReader(body), int(max), maxPath)
		if err != nil {
			if s := swift.Status(err); s != http.StatusBadRequest && s != http.StatusRequestEntityTooLarge {
				t.Fatalf("error %v has status %d", err, s)
			}
			return
		}
		if len(names) > int(max) {
			t.Fatalf("%d names accepted, limit %d", len(names), max)
		}
		lines := bytes.Count(body, []byte("\n")) + 1
		if len(names) > lines {
			t.Fatalf("%d names from %d lines", len(names), lines)
		}
	})
}

// FuzzNegotiateFormat feeds Accept headers to the negotiation: it must
// never panic and must answer one of the formats or nothing.
func FuzzNegotiateFormat(f *testing.F) {
	for _, seed := range []string{"", "application/json;q=0.5, text/*", "*/*;q=x", `a/b;c="d;e"`, "text/plain;;", ",,"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, accept string) {
		switch got := NegotiateFormat(accept); got {
		case "", FormatPlain, FormatJSON, FormatXML, FormatTextXML:
		default:
			t.Fatalf("NegotiateFormat(%q) = %q", accept, got)
		}
	})
}
