package parquet

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/file"
)

// fbSchemaMessage hand-assembles an Arrow IPC stream of one Schema message
// whose single field has one child: the field itself when cycle is set
// (offsets wrap, so flatbuffers can point backwards), none otherwise.
func fbSchemaMessage(bodyLen int64, fieldsLen uint32, cycle bool) string {
	b := make([]byte, 92)
	le := binary.LittleEndian
	u16 := func(at int, v uint16) { le.PutUint16(b[at:], v) }
	u32 := func(at int, v uint32) { le.PutUint32(b[at:], v) }
	u32(0, 16) // root: the Message table
	// Message vtable: header_type, header, bodyLength.
	u16(4, 12)
	u16(6, 20)
	u16(10, 4)
	u16(12, 8)
	u16(14, 12)
	u32(16, 12) // Message table, vtable 12 bytes back
	b[20] = 1   // MessageHeader.Schema
	u32(24, 44-24)
	le.PutUint64(b[28:], uint64(bodyLen))
	// Schema vtable: fields.
	u16(36, 8)
	u16(38, 8)
	u16(42, 4)
	u32(44, 8)
	u32(48, 52-48)
	u32(52, fieldsLen) // fields vector
	u32(56, 76-56)
	// Field vtable: children (slot 5).
	u16(60, 16)
	u16(62, 8)
	u16(74, 4)
	u32(76, 16)
	u32(80, 84-80)
	if cycle {
		u32(84, 1)
		back := int32(76 - 88)
		u32(88, uint32(back)) // wraps back to the field
	}
	framed := binary.LittleEndian.AppendUint32([]byte{0xff, 0xff, 0xff, 0xff}, uint32(len(b)))
	return base64.StdEncoding.EncodeToString(append(framed, b...))
}

func TestCheckArrowSchema(t *testing.T) {
	data := writeSink(t, 10, 10)
	r, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	stored := *r.MetaData().KeyValueMetadata().FindValue(arrowSchemaKey)
	raw, _ := base64.StdEncoding.DecodeString(stored)
	longMsg := bytes.Clone(raw)
	binary.LittleEndian.PutUint32(longMsg[4:], 0x7fffffff)

	tests := []struct {
		name, serialized, msg string // msg "" = acceptable
	}{
		{"as pqarrow writes it", stored, ""},
		{"unpadded base64", strings.TrimRight(stored, "="), ""},
		{"hand-made", fbSchemaMessage(0, 1, false), ""},
		{"not base64", "!!!", "base64"},
		{"too short", base64.StdEncoding.EncodeToString([]byte{1}), "1 bytes"},
		{"message longer than the data", base64.StdEncoding.EncodeToString(longMsg), "message of 2147483647 bytes"},
		{"body longer than the data", fbSchemaMessage(1<<40, 1, false), "message body of 1099511627776 bytes"},
		{"2^30 fields", fbSchemaMessage(0, 1<<30, false), "vector of 1073741824 elements"},
		{"a field that is its own child", fbSchemaMessage(0, 1, true), "nested more than 64 deep"},
	}
	for _, tc := range tests {
		err := checkArrowSchema(tc.serialized)
		switch {
		case tc.msg == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.msg != "" && (err == nil || !strings.Contains(err.Error(), tc.msg)):
			t.Errorf("%s: %v, want %q", tc.name, err, tc.msg)
		}
	}
}

// TestBadArrowSchemaIgnored opens a file whose stored Arrow schema is
// malformed: the columns are typed from the Parquet schema instead.
func TestBadArrowSchemaIgnored(t *testing.T) {
	data := writeSink(t, 10, 10)
	// Same length, so the footer stays consistent: the body length of the
	// stored message becomes huge.
	r, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	stored := *r.MetaData().KeyValueMetadata().FindValue(arrowSchemaKey)
	raw, _ := base64.StdEncoding.DecodeString(stored)
	bad := bytes.Clone(raw)
	binary.LittleEndian.PutUint32(bad[4:], 0x7fffffff)
	badText := base64.StdEncoding.EncodeToString(bad)
	if len(badText) != len(stored) {
		t.Fatal("re-encoding changed the length")
	}
	patched := bytes.Replace(data, []byte(stored), []byte(badText), 1)
	f := mustOpen(t, memObject(patched))
	warn := attr(f.Tree().Root.Attributes, "sciswift:warning")
	if w, ok := warn.([]string); !ok || len(w) != 1 || !strings.Contains(w[0], "message of 2147483647 bytes") {
		t.Errorf("warning %v", warn)
	}
	// Without the stored schema, the Arrow dictionary column is a plain
	// string column and the fixed-size list a list.
	for path, arrowType := range map[string]string{"/dict": "utf8", "/fsl": "list<element: float32, nullable>", "/ts": "timestamp[us, tz=UTC]"} {
		ds, ok := f.Dataset(path)
		if !ok {
			t.Fatalf("no %s", path)
		}
		if got := attr(ds.Attributes, "sciswift:arrow_type"); got != arrowType {
			t.Errorf("%s: %v, want %s", path, got, arrowType)
		}
	}
	if _, err := f.Read(t.Context(), "/fsl", nil); err != nil {
		t.Error(err)
	}
}
