package swift

import (
	"net/http"
	"testing"
	"time"
)

func TestParseTimestamp(t *testing.T) {
	tests := []struct {
		in       string
		normal   string // "" means a parse error
		internal string // defaults to normal
	}{
		{in: "0", normal: "0000000000.00000"},
		{in: "1700000000", normal: "1700000000.00000"},
		{in: "1700000000.12345", normal: "1700000000.12345"},
		{in: "1700000000.1", normal: "1700000000.10000"},
		{in: "1700000000.", normal: "1700000000.00000"},
		{in: ".5", normal: "0000000000.50000"},
		{in: "0001.5", normal: "0000000001.50000"},
		{in: "+5", normal: "0000000005.00000"},
		{in: "-0", normal: "0000000000.00000"},
		{in: "1e5", normal: "0000100000.00000"},
		{in: "1.7E9", normal: "1700000000.00000"},
		{in: "9999999999.99999", normal: "9999999999.99999"},
		// More than five decimals round as Swift's round(t / 1e-5) does.
		{in: "1700000000.123456789", normal: "1700000000.12346"},
		{in: "1.000005", normal: "0000000001.00000"},
		{in: "1.000015", normal: "0000000001.00002"},
		// Offsets.
		{in: "1700000000.12345_0000000000000001", normal: "1700000000.12345", internal: "1700000000.12345_0000000000000001"},
		{in: "1700000000.12345_00000000000000ff", normal: "1700000000.12345", internal: "1700000000.12345_00000000000000ff"},
		{in: "1700000000.12345_a", normal: "1700000000.12345", internal: "1700000000.12345_000000000000000a"},
		{in: "1700000000.12345_0000000000000000", normal: "1700000000.12345"},
		{in: "1_000", normal: "0000000001.00000"}, // base "1", offset 0, as Swift partitions it
		// Errors.
		{in: ""},
		{in: "abc"},
		{in: "-1"},
		{in: "-0.5"},
		{in: "1e10"},
		{in: "10000000000"},
		{in: "9999999999.999999"}, // rounds to 1e10 seconds
		{in: "inf"},
		{in: "nan"},
		{in: "0x10"},
		{in: "1e_5"},
		{in: " 5"},
		{in: "."},
		{in: "1e"},
		{in: "+-1"},
		{in: "1700000000_"},
		{in: "1700000000_xyz"},
		{in: "1700000000_-1"},
		{in: "1700000000_00000000000000001"}, // 17 hex digits
		{in: "1700000000_1_2"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			ts, err := ParseTimestamp(tc.in)
			if tc.normal == "" {
				if err == nil {
					t.Fatalf("got %v, want an error", ts)
				}
				if Status(err) != http.StatusBadRequest {
					t.Fatalf("status %d", Status(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			internal := tc.internal
			if internal == "" {
				internal = tc.normal
			}
			if ts.Normal() != tc.normal || ts.Internal() != internal || ts.String() != internal {
				t.Fatalf("got normal %q internal %q, want %q %q", ts.Normal(), ts.Internal(), tc.normal, internal)
			}
		})
	}
}

func TestTimestampFormats(t *testing.T) {
	ts := mustTimestamp(t, "1699913599.50000")
	if got := ts.CeilSeconds(); got != 1699913600 {
		t.Errorf("CeilSeconds = %d", got)
	}
	if got := ts.LastModified(); got != "Mon, 13 Nov 2023 22:13:20 GMT" {
		t.Errorf("LastModified = %q", got)
	}
	if got := ts.ListingTime(); got != "2023-11-13T22:13:19.500000" {
		t.Errorf("ListingTime = %q", got)
	}
	whole := mustTimestamp(t, "1699913600")
	if whole.CeilSeconds() != 1699913600 || whole.LastModified() != "Mon, 13 Nov 2023 22:13:20 GMT" {
		t.Errorf("whole seconds: %d %q", whole.CeilSeconds(), whole.LastModified())
	}
	if got := mustTimestamp(t, "1699913600.00001").CeilSeconds(); got != 1699913601 {
		t.Errorf("CeilSeconds rounds any fraction up: %d", got)
	}
	if got := TimestampFromSeconds(1700000000).Normal(); got != "1700000000.00000" {
		t.Errorf("TimestampFromSeconds = %q", got)
	}
	when := time.Date(2023, 11, 14, 22, 13, 20, 123456789, time.UTC)
	if got := FromTime(when); got.Normal() != "1700000000.12345" || !got.Time().Equal(when.Truncate(10*time.Microsecond)) {
		t.Errorf("FromTime = %v, Time = %v", got, got.Time())
	}
	if (Timestamp{}).IsZero() != true || ts.IsZero() || ts.WithOffset(0).IsZero() || !(Timestamp{}).WithOffset(0).IsZero() {
		t.Error("IsZero")
	}
	if (Timestamp{}).WithOffset(1).IsZero() {
		t.Error("an offset alone is not zero")
	}
}

func TestTimestampCompare(t *testing.T) {
	a := mustTimestamp(t, "1700000000.00001")
	b := mustTimestamp(t, "1700000000.00002")
	aOff := a.WithOffset(1)
	if a.Compare(b) != -1 || b.Compare(a) != 1 || a.Compare(a) != 0 {
		t.Error("time order")
	}
	if !aOff.After(a) || !a.Before(aOff) || !aOff.Before(b) {
		t.Error("an offset orders after the same time but before a later time")
	}
	if aOff.Offset() != 1 || a.Offset() != 0 {
		t.Error("Offset")
	}
	// The internal string form sorts like Compare.
	if !(a.Internal() < aOff.Internal() && aOff.Internal() < b.Internal()) {
		t.Errorf("string order: %s %s %s", a.Internal(), aOff.Internal(), b.Internal())
	}
}
