package diskfile

import (
	"errors"
	"maps"
	"strings"
	"testing"
)

func encodeFile(t testing.TB, body string, m Metadata) []byte {
	t.Helper()
	mb, err := encodeMetadata(m)
	if err != nil {
		t.Fatal(err)
	}
	return appendFooter([]byte(body), int64(len(body)), mb)
}

func TestFooterRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		body string
		meta Metadata
	}{
		{"empty", "", Metadata{}},
		{"body", "hello, world", Metadata{KeyETag: "x", "X-Object-Meta-A": "b"}},
		{"unicode", "∂", Metadata{"X-Object-Meta-Ünï": "çødé ☃"}},
		{"big metadata", "b", bigMeta()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := encodeFile(t, tt.body, tt.meta)
			tr, mb, err := decodeFooter(file, int64(len(file)))
			if err != nil {
				t.Fatal(err)
			}
			if tr.bodyLen != int64(len(tt.body)) {
				t.Errorf("body length %d, want %d", tr.bodyLen, len(tt.body))
			}
			m, err := decodeMetadata(mb)
			if err != nil || !maps.Equal(m, tt.meta) {
				t.Errorf("metadata %v, %v; want %v", m, err, tt.meta)
			}
		})
	}
}

// bigMeta is Swift's maximum user metadata plus system metadata: more than
// ext4 could keep in xattrs.
func bigMeta() Metadata {
	m := Metadata{}
	for i := range 90 {
		m["X-Object-Meta-"+strings.Repeat("k", 40)+string(rune('A'+i%26))+string(rune('a'+i/26))] = strings.Repeat("v", 256)
	}
	m["X-Object-Sysmeta-Slo-Etag"] = strings.Repeat("e", 32)
	return m
}

func TestFooterShortTail(t *testing.T) {
	file := encodeFile(t, "body", bigMeta())
	tail := file[len(file)-footerGuess:]
	tr, _, err := decodeFooter(tail, int64(len(file)))
	if !errors.Is(err, errShortTail) {
		t.Fatalf("err = %v, want errShortTail", err)
	}
	if tr.footerLen() <= footerGuess {
		t.Fatalf("footer length %d", tr.footerLen())
	}
	if _, _, err := decodeFooter(file[len(file)-tr.footerLen():], int64(len(file))); err != nil {
		t.Fatal(err)
	}
}

func TestFooterDetectsDamage(t *testing.T) {
	good := encodeFile(t, "0123456789", Metadata{KeyETag: "abc"})
	n := len(good)
	tests := []struct {
		name   string
		damage func(b []byte) []byte
	}{
		{"truncated to zero", func(b []byte) []byte { return b[:0] }},
		{"truncated body", func(b []byte) []byte { return b[1:] }},
		{"cut last byte", func(b []byte) []byte { return b[:n-1] }},
		{"cut trailer", func(b []byte) []byte { return b[:n-trailerSize] }},
		{"extended", func(b []byte) []byte { return append([]byte{0}, b...) }},
		{"magic", func(b []byte) []byte { b[n-1] ^= 1; return b }},
		{"version", func(b []byte) []byte { b[n-trailerSize+20]++; return b }},
		{"body length", func(b []byte) []byte { b[n-trailerSize]++; return b }},
		{"meta length", func(b []byte) []byte { b[n-trailerSize+8]++; return b }},
		{"meta byte", func(b []byte) []byte { b[12] ^= 0x20; return b }},
		{"meta crc", func(b []byte) []byte { b[n-trailerSize+12] ^= 1; return b }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.damage(append([]byte(nil), good...))
			_, _, err := decodeFooter(b, int64(len(b)))
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("err = %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestMetadataRejectsInvalidUTF8(t *testing.T) {
	if _, err := encodeMetadata(Metadata{"Content-Disposition": "a\xffb"}); err == nil {
		t.Error("invalid UTF-8 was accepted (JSON would have changed it)")
	}
}

func TestDecodeMetadataRejects(t *testing.T) {
	for _, in := range []string{``, `null`, `[]`, `{"a":1}`, `{"a":"b"`, `"s"`} {
		if _, err := decodeMetadata([]byte(in)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("decodeMetadata(%q) = %v, want ErrCorrupt", in, err)
		}
	}
}

// FuzzDecodeFooter feeds arbitrary files to the footer and metadata
// decoders: they must never panic or over-allocate, and whatever they
// accept must re-encode to something they read back the same.
func FuzzDecodeFooter(f *testing.F) {
	f.Add(encodeFile(f, "", Metadata{}))
	f.Add(encodeFile(f, "body", Metadata{KeyETag: "x", KeyTimestamp: "1700000000.00000"}))
	f.Add([]byte(trailerMagic))
	f.Add(make([]byte, trailerSize))
	f.Fuzz(func(t *testing.T, file []byte) {
		tr, mb, err := decodeFooter(file, int64(len(file)))
		if err != nil {
			return
		}
		if tr.bodyLen+int64(tr.footerLen()) != int64(len(file)) {
			t.Fatalf("accepted lengths %d+%d for %d bytes", tr.bodyLen, tr.footerLen(), len(file))
		}
		m, err := decodeMetadata(mb)
		if err != nil {
			return
		}
		mb2, err := encodeMetadata(m)
		if err != nil {
			return // valid JSON may hold invalid UTF-8 escapes we refuse to write
		}
		again := appendFooter(file[:tr.bodyLen:tr.bodyLen], tr.bodyLen, mb2)
		_, mb3, err := decodeFooter(again, int64(len(again)))
		if err != nil {
			t.Fatalf("re-encoded file rejected: %v", err)
		}
		m3, err := decodeMetadata(mb3)
		if err != nil || !maps.Equal(m, m3) {
			t.Fatalf("round trip changed metadata: %v -> %v (%v)", m, m3, err)
		}
	})
}
