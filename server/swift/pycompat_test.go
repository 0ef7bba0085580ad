package swift

import "testing"

// Expectations in this file come from running the same inputs through
// Python 3, as Swift does.

func TestAppendPyJSONString(t *testing.T) {
	for in, want := range map[string]string{
		"plain":              `"plain"`,
		"é":                  `"\u00e9"`,
		"\U0001F600":         `"\ud83d\ude00"`,
		"\x7f":               `"\u007f"`,
		"\x01\x1f":           `"\u0001\u001f"`,
		`"\/`:                `"\"\\/"`,
		"tab\tnl\nret\r\b\f": `"tab\tnl\nret\r\b\f"`,
		"\u2028":             `"\u2028"`,
		"<>&'":               `"<>&'"`,
		"\xff":               `"\ufffd"`, // invalid UTF-8 (never stored) becomes U+FFFD
	} {
		if got := string(appendPyJSONString(nil, in)); got != want {
			t.Errorf("%q: got %s, want %s", in, got, want)
		}
	}
}

func TestPyQuote(t *testing.T) {
	for in, want := range map[string]string{
		"a b/c": "a%20b/c", "é": "%C3%A9", "%": "%25", "~_.-": "~_.-", "a+b=c&d": "a%2Bb%3Dc%26d", "\x00": "%00",
	} {
		if got := pyQuote(in); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

func TestParsePyUint(t *testing.T) {
	for in, want := range map[string]string{
		" 5 ": "5", "+5": "5", "5_0": "50", "\x85 7\xa0": "7", "007": "7", "0": "0", "000": "0",
		"99999999999999999999999": "99999999999999999999999",
		"_5":                      "", "5_": "", "5__0": "", "0x5": "", "": "", "+": "", "-5": "", "5 5": "",
	} {
		d, ok := parsePyUint(in)
		if got := map[bool]string{true: d.digits}[ok]; got != want {
			t.Errorf("%q: got %q (%v), want %q", in, d.digits, ok, want)
		}
	}
	if d, _ := parsePyUint("99999999999999999999999"); d.int64Sat() != 1<<63-1 {
		t.Error("int64Sat does not saturate")
	}
	a, _ := parsePyUint("100000000000000000000")
	b, _ := parsePyUint("99999999999999999999")
	if a.cmp(b) != 1 || b.cmp(a) != -1 || a.cmp(a) != 0 {
		t.Error("cmp")
	}
}

func TestConfigTrueValue(t *testing.T) {
	for _, s := range []string{"true", "TRUE", "True", "1", "yes", "Yes", "on", "t", "T", "y", "Y"} {
		if !configTrueValue(s) {
			t.Errorf("%q is true in Swift", s)
		}
	}
	for _, s := range []string{"", "0", "false", "no", "off", " true", "true ", "2", "ſ", "tRuE\x00", "\u0130"} {
		if configTrueValue(s) {
			t.Errorf("%q is not true in Swift", s)
		}
	}
}

func TestPyStrip(t *testing.T) {
	if got := pyStripLatin1("\x1c\x85 a b\xa0\t"); got != "a b" {
		t.Errorf("pyStripLatin1: %q", got)
	}
	if got := pyStrip("\u3000\u00a0a\u2028"); got != "a" {
		t.Errorf("pyStrip: %q", got)
	}
	if got := latin1ToUTF8("a\xe9"); got != "aé" {
		t.Errorf("latin1ToUTF8: %q", got)
	}
}

func TestParsePyFloat(t *testing.T) {
	for in, ok := range map[string]bool{
		"1": true, "0.5": true, ".5": true, "5.": true, "1e3": true, "1E-3": true, "+1": true, "-1": true,
		"1_0": true, "inf": true, "-Infinity": true, "NaN": true, "1e999": true,
		"": false, ".": false, "e3": false, "1_": false, "_1": false, "0x10": false, "1..2": false, "infinit": false,
	} {
		if _, got := parsePyFloat(in); got != ok {
			t.Errorf("%q: ok = %v, want %v", in, got, ok)
		}
	}
}
