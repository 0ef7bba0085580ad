package listing

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestKeyRoundTrip(t *testing.T) {
	tests := []struct {
		ns    byte
		comps []string
	}{
		{nsAccountState, []string{"AUTH_test"}},
		{nsContainerState, []string{"AUTH_test", "photos"}},
		{nsObject, []string{"AUTH_test", "photos", "2024/cat.jpg"}},
		{nsObject, []string{"a", "c", "nul\x00inside"}},
		{nsObject, []string{"a", "c", "\x00"}},
		{nsObject, []string{"a", "c", "trailing\x00"}},
		{nsObjectTomb, []string{"a", "c", "\xff\xfe"}},
		{nsContainerRow, []string{".expiring_objects", "1700000000"}},
		{nsObject, []string{"a", "c", "日本語/ファイル 🎉"}},
		{nsAccountMeta, []string{""}},
	}
	for _, tt := range tests {
		key := makeKey(tt.ns, tt.comps...)
		got, err := decodeKey(key)
		if err != nil {
			t.Errorf("decodeKey(makeKey(%q)) error: %v", tt.comps, err)
			continue
		}
		if got.ns != tt.ns || !slices.Equal(got.comps, tt.comps) {
			t.Errorf("round trip of %c%q = %c%q", tt.ns, tt.comps, got.ns, got.comps)
		}
	}
}

func TestDecodeKeyRejects(t *testing.T) {
	tests := []struct {
		name string
		key  []byte
	}{
		{"empty", nil},
		{"unknown keyspace", []byte("Xa\x00\x01")},
		{"format key", formatKey},
		{"unterminated", []byte("Aabc")},
		{"lone escape at end", []byte("Aabc\x00")},
		{"bad escape", []byte("Aa\x00\x02")},
		{"too few components", []byte("Ca\x00\x01")},
		{"trailing bytes", []byte("Aa\x00\x01zz")},
	}
	for _, tt := range tests {
		if _, err := decodeKey(tt.key); !errors.Is(err, errBadKey) {
			t.Errorf("%s: decodeKey(%q) = %v, want errBadKey", tt.name, tt.key, err)
		}
	}
}

// TestKeyOrder checks the property listings rely on: encoded keys sort like
// their tuples, component by component, for any bytes (NUL included).
func TestKeyOrder(t *testing.T) {
	alphabet := []string{"a", "b", "/", "\x00", "\x01", "\xff", "é", "ab"}
	rnd := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		var b strings.Builder
		for range rnd.IntN(4) {
			b.WriteString(alphabet[rnd.IntN(len(alphabet))])
		}
		return b.String()
	}
	type tuple [2]string
	tuples := make([]tuple, 500)
	for i := range tuples {
		tuples[i] = tuple{word(), word()}
	}
	cmpTuple := func(x, y tuple) int {
		if c := strings.Compare(x[0], y[0]); c != 0 {
			return c
		}
		return strings.Compare(x[1], y[1])
	}
	for i := range tuples {
		for j := range tuples {
			x, y := tuples[i], tuples[j]
			want := cmpTuple(x, y)
			got := bytes.Compare(makeKey(nsContainerRow, x[0], x[1]), makeKey(nsContainerRow, y[0], y[1]))
			if got != want {
				t.Fatalf("order of %q vs %q: keys compare %d, tuples %d", x, y, got, want)
			}
		}
	}
}

// TestPrefixBoundsKeys checks that escaped-prefix bounds select exactly the
// names with that prefix, including prefixes ending in NUL.
func TestPrefixBoundsKeys(t *testing.T) {
	names := []string{"", "a", "a\x00", "a\x00b", "a\x01", "ab", "a\xff", "b"}
	base := makeKey(nsObject, "acct", "cont")
	for _, prefix := range []string{"a", "a\x00", "ab", "a\xff"} {
		lower := appendEscaped(bytes.Clone(base), prefix)
		upper := appendEscaped(bytes.Clone(base), successor(prefix))
		if successor(prefix) == "" {
			upper = keyEnd(base)
		}
		for _, n := range names {
			k := appendComponent(bytes.Clone(base), n)
			in := bytes.Compare(k, lower) >= 0 && bytes.Compare(k, upper) < 0
			if in != strings.HasPrefix(n, prefix) {
				t.Errorf("prefix %q: name %q in bounds = %v", prefix, n, in)
			}
		}
	}
}

func TestSuccessor(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"a", "b"},
		{"a/", "a0"},
		{"a\xff", "b"},
		{"\xff\xff", ""},
		{"é", "\xc3\xaa"}, // U+00E9 → U+00EA, same as Swift's chr(ord+1)
	}
	for _, tt := range tests {
		if got := successor(tt.in); got != tt.want {
			t.Errorf("successor(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzDecodeKey: decoding arbitrary bytes never panics, and whatever
// decodes re-encodes to the same bytes (one key per tuple).
func FuzzDecodeKey(f *testing.F) {
	f.Add(makeKey(nsObject, "a", "c", "o"))
	f.Add(makeKey(nsObject, "a\x00", "", "\x00\x00"))
	f.Add(makeKey(nsAccountState, "AUTH_test"))
	f.Add([]byte("C\x00\xff\x00\x01\x00"))
	f.Fuzz(func(t *testing.T, key []byte) {
		d, err := decodeKey(key)
		if err != nil {
			return
		}
		if again := makeKey(d.ns, d.comps...); !bytes.Equal(again, key) {
			t.Fatalf("decodeKey(%q) = %c%q, which encodes to %q", key, d.ns, d.comps, again)
		}
	})
}
