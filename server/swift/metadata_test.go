package swift

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestUserMetadata(t *testing.T) {
	h := http.Header{}
	h.Set("X-Object-Meta-Color", "blue")
	h.Add("X-Object-Meta-Tags", "a")
	h.Add("X-Object-Meta-Tags", "b")
	h.Set("X-Remove-Object-Meta-Old", "x")
	h.Set("X-Remove-Object-Meta-Color", "x") // a set wins over a removal
	h.Set("X-Container-Meta-Other", "level mismatch")
	h["x-object-meta-lower"] = []string{"not canonical"}
	h.Set("X-Object-Sysmeta-Secret", "never user metadata")
	got := UserMetadata(h, LevelObject)
	want := map[string]string{
		"X-Object-Meta-Color": "blue",
		"X-Object-Meta-Tags":  "a,b",
		"X-Object-Meta-Old":   "",
		"X-Object-Meta-Lower": "not canonical",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("UserMetadata = %v, want %v", got, want)
	}
}

func TestCheckMetadata(t *testing.T) {
	l := DefaultLimits()
	meta := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	many := func(n, valueLen int) map[string]string {
		m := map[string]string{}
		for i := 0; i < n; i++ {
			m[fmt.Sprintf("X-Container-Meta-K%03d", i)] = strings.Repeat("v", valueLen)
		}
		return m
	}
	tests := []struct {
		name  string
		meta  map[string]string
		level Level
		msg   string // "" for valid
	}{
		{"empty", nil, LevelObject, ""},
		{"simple", meta("X-Object-Meta-Color", "blue"), LevelObject, ""},
		{"other level ignored", meta("X-Container-Meta-"+strings.Repeat("n", 200), "v"), LevelObject, ""},
		{"removal takes no room", meta("X-Object-Meta-"+strings.Repeat("n", 200), ""), LevelObject, ""},
		{"empty name", meta("X-Object-Meta-", "v"), LevelObject, "Metadata name cannot be empty"},
		{"bad utf8 name", meta("X-Account-Meta-\xff", "v"), LevelAccount, "Metadata must be valid UTF-8"},
		{"bad utf8 value", meta("X-Container-Meta-K", "\xff"), LevelContainer, "Metadata must be valid UTF-8"},
		{"nul value", meta("X-Object-Meta-K", "a\x00"), LevelObject, "Metadata must be valid UTF-8"},
		{"name at limit", meta("X-Object-Meta-"+strings.Repeat("n", 128), "v"), LevelObject, ""},
		{"name too long", meta("X-Object-Meta-"+strings.Repeat("n", 129), "v"), LevelObject,
			"Metadata name too long: x-object-meta-" + strings.Repeat("n", 129)},
		{"value at limit", meta("X-Container-Meta-K", strings.Repeat("v", 256)), LevelContainer, ""},
		{"value too long", meta("X-Container-Meta-Key", strings.Repeat("v", 257)), LevelContainer,
			"Metadata value longer than 256: x-container-meta-Key"},
		{"count at limit", many(90, 1), LevelContainer, ""},
		{"too many", many(91, 1), LevelContainer, "Too many metadata items; max 90"},
		// 4 bytes of name and 41 of value, 45 per item: 91 items would be
		// too many, so check size with fewer, bigger items.
		{"size at limit", sized(4096), LevelAccount, ""},
		{"too large", sized(4097), LevelAccount, "Total metadata too large; max 4096"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := l.CheckMetadata(tc.meta, tc.level)
			if tc.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if Status(err) != http.StatusBadRequest || Message(err) != tc.msg {
				t.Fatalf("got %v (%d), want 400 %q", err, Status(err), tc.msg)
			}
		})
	}
}

// sized builds account metadata whose names and values total exactly n
// bytes, in items of at most 256-byte values.
func sized(n int) map[string]string {
	m := map[string]string{}
	for i := 0; n > 0; i++ {
		name := fmt.Sprintf("K%02d", i) // 3 bytes
		v := n - len(name)
		if v > 256 {
			v = 256
		}
		m["X-Account-Meta-"+name] = strings.Repeat("v", v)
		n -= len(name) + v
	}
	return m
}

func TestCheckMetadataDeterministic(t *testing.T) {
	// Two offending items: the first in sorted order is reported, every time.
	m := map[string]string{
		"X-Object-Meta-B" + strings.Repeat("n", 200): "v",
		"X-Object-Meta-A": strings.Repeat("v", 300),
	}
	for i := 0; i < 20; i++ {
		if msg := Message(DefaultLimits().CheckMetadata(m, LevelObject)); msg != "Metadata value longer than 256: x-object-meta-A" {
			t.Fatalf("got %q", msg)
		}
	}
}

func TestMergeMetadata(t *testing.T) {
	current := map[string]string{"X-Container-Meta-A": "1", "X-Container-Meta-B": "2"}
	got := MergeMetadata(current, map[string]string{"X-Container-Meta-B": "", "X-Container-Meta-C": "3", "X-Container-Meta-D": ""})
	want := map[string]string{"X-Container-Meta-A": "1", "X-Container-Meta-C": "3"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("MergeMetadata = %v, want %v", got, want)
	}
	if len(current) != 2 || current["X-Container-Meta-B"] != "2" {
		t.Fatalf("MergeMetadata changed its input: %v", current)
	}
}

func TestObjectPassThroughHeaders(t *testing.T) {
	if !IsObjectPassThrough("content-disposition") || !IsObjectPassThrough("X-Delete-At") || IsObjectPassThrough("X-Object-Meta-A") {
		t.Error("IsObjectPassThrough")
	}
	a := ObjectPassThroughHeaders()
	a[0] = "changed"
	if ObjectPassThroughHeaders()[0] == "changed" {
		t.Error("ObjectPassThroughHeaders returns the shared table")
	}
}
