package fits

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		head string
		want bool
	}{
		{"SIMPLE  =                    T", true},
		{"SIMPLE  =", true},
		{"SIMPLE =                     T", false},
		{"SIMPLE  ", false},
		{"XTENSION= 'IMAGE   '", false},
		{"\x89HDF\r\n\x1a\n", false},
		{"PAR1", false},
		{"", false},
	} {
		if got := Sniff([]byte(tc.head)); got != tc.want {
			t.Errorf("Sniff(%q) = %v", tc.head, got)
		}
	}
}

func TestParseValue(t *testing.T) {
	for _, tc := range []struct {
		text string
		want card
	}{
		{"                   T / comment", card{kind: kindBool, b: true}},
		{"F", card{kind: kindBool}},
		{"                  42", card{kind: kindInt, i: 42}},
		{"-42 / negative", card{kind: kindInt, i: -42}},
		{"+7", card{kind: kindInt, i: 7}},
		{"9223372036854775807", card{kind: kindInt, i: math.MaxInt64}},
		{"9223372036854775808", card{kind: kindUint, u: 1 << 63}},
		{"18446744073709551616", card{kind: kindFloat, f: 18446744073709551616}},
		{"1.5", card{kind: kindFloat, f: 1.5}},
		{"-.5E2", card{kind: kindFloat, f: -50}},
		{"1.25D+03", card{kind: kindFloat, f: 1250}},
		{"3.", card{kind: kindFloat, f: 3}},
		{"1E400", card{kind: kindFloat, f: math.Inf(1)}},
		{"(1.5, -2)", card{kind: kindComplex, c: [2]float64{1.5, -2}}},
		{"'abc     '", card{kind: kindString, s: "abc"}},
		{"'  lead'", card{kind: kindString, s: "  lead"}},
		{"'O''Brien' / quoted", card{kind: kindString, s: "O'Brien"}},
		{"''", card{kind: kindString, s: ""}},
		{"'a/b' / slash inside", card{kind: kindString, s: "a/b"}},
		{"'unterminated   ", card{kind: kindString, s: "unterminated"}},
		{"", card{}},
		{"          / only a comment", card{}},
		{"inf", card{kind: kindString, s: "inf"}},
		{"0x10", card{kind: kindString, s: "0x10"}},
		{"TRUE", card{kind: kindString, s: "TRUE"}},
	} {
		if got := parseValue(tc.text); got != tc.want {
			t.Errorf("parseValue(%q) = %+v, want %+v", tc.text, got, tc.want)
		}
	}
}

func image(cards ...string) []string {
	out := make([]string, len(cards))
	for i, c := range cards {
		out[i] = fmt.Sprintf("%-80s", c)[:80]
	}
	return out
}

func TestParseHeader(t *testing.T) {
	h := parseHeader(image(
		"SIMPLE  =                    T",
		"LONG    = 'abc&'",
		"CONTINUE  'def  &'",
		"CONTINUE  'ghi' / the end",
		"CONTINUE  'stray continue'",
		"NOTLONG = 'x&'",
		"OTHER   =                    1",
		"HIERARCH ESO DET CHIP NAME = 'CCD-1' / hierarch",
		"DUP     =                    1",
		"DUP     =                    2",
		"UNDEF   =",
		"NOVALUE  this card has no value indicator",
		"        blank keyword commentary",
		"COMMENT first",
		"HISTORY one",
		"COMMENT   second  ",
		"BAD     = 'caf\xe9'",
	))
	want := map[string]card{
		"SIMPLE":            {kind: kindBool, b: true},
		"LONG":              {kind: kindString, s: "abcdef  ghi"},
		"NOTLONG":           {kind: kindString, s: "x&"},
		"OTHER":             {kind: kindInt, i: 1},
		"ESO DET CHIP NAME": {kind: kindString, s: "CCD-1"},
		"DUP":               {kind: kindInt, i: 1},
		"BAD":               {kind: kindString, s: "caf\uFFFD"},
	}
	if len(h.cards) != len(want) {
		t.Errorf("%d cards, want %d: %+v", len(h.cards), len(want), h.cards)
	}
	for k, w := range want {
		c, ok := h.lookup(k)
		w.key = k
		if !ok || c != w {
			t.Errorf("%s = %+v, want %+v", k, c, w)
		}
	}
	if strings.Join(h.comments, "|") != "first|  second" || strings.Join(h.history, "|") != "one" {
		t.Errorf("comments %q, history %q", h.comments, h.history)
	}
}

func TestNumberConventions(t *testing.T) {
	h := parseHeader(image(
		"I15     =                32768",
		"F15     =              32768.0",
		"I63     =  9223372036854775808",
		"F63     = 9.223372036854775808E18",
		"I63M1   =  9223372036854775807",
		"ONE     =                  1.0",
		"NEG     =                 -128",
	))
	for _, tc := range []struct {
		key  string
		pow  uint
		want bool
	}{
		{"I15", 15, true}, {"F15", 15, true}, {"I15", 31, false},
		{"I63", 63, true}, {"F63", 63, true}, {"I63M1", 63, false},
	} {
		if got := h.numeric(tc.key).isPow2(tc.pow); got != tc.want {
			t.Errorf("%s isPow2(%d) = %v", tc.key, tc.pow, got)
		}
	}
	if !h.numeric("ONE").is(1) || !h.numeric("NEG").is(-128) || h.numeric("MISSING").present {
		t.Error("is() or present wrong")
	}
}
