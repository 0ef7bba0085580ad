package listing

import (
	"errors"
	"maps"
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

func TestValueRoundTrip(t *testing.T) {
	withOffset := ts(5).WithOffset(3)
	late, err := swift.ParseTimestamp("9999999999.99999_00000000000000ff")
	if err != nil {
		t.Fatal(err)
	}
	rows := []ObjectRow{
		{Name: "o", Timestamp: ts(1), Size: 0, ETag: "d41d8cd98f00b204e9800998ecf8427e", ContentType: "text/plain"},
		{Name: "o", Timestamp: withOffset, Size: 1 << 40, ContentType: "application/x-sc;swift_bytes=9"},
		{Name: "o", Timestamp: ts(2), Deleted: true},
		{Name: "o", Timestamp: late, Size: 1},
		{Name: "o", Timestamp: swift.Timestamp{}, Size: 1},
	}
	for _, r := range rows {
		got, err := decodeObjectRow(r.Name, encodeObjectRow(r), r.Deleted)
		if err != nil || got != r {
			t.Errorf("object row %+v → %+v, %v", r, got, err)
		}
	}
	cs := containerState{CreatedAt: ts(1), PutTimestamp: withOffset, ObjectCount: 7, BytesUsed: 1 << 50}
	if got, err := decodeContainerState(encodeContainerState(cs)); err != nil || got != cs {
		t.Errorf("container state %+v → %+v, %v", cs, got, err)
	}
	as := accountState{CreatedAt: ts(1), DeleteTimestamp: ts(2), StatusDeleted: true, ContainerCount: 3, ObjectCount: -1}
	if got, err := decodeAccountState(encodeAccountState(as)); err != nil || got != as {
		t.Errorf("account state %+v → %+v, %v", as, got, err)
	}
	cr := ContainerRow{Name: "c", PutTimestamp: ts(1), DeleteTimestamp: ts(2), ObjectCount: 4, BytesUsed: 5}
	if got, err := decodeContainerRow("c", encodeContainerRow(cr)); err != nil || got != cr {
		t.Errorf("container row %+v → %+v, %v", cr, got, err)
	}
}

func TestValueCorrupt(t *testing.T) {
	good := encodeContainerState(containerState{CreatedAt: ts(1), ObjectCount: 1})
	tests := []struct {
		name string
		v    []byte
	}{
		{"empty", nil},
		{"unknown version", append([]byte{9}, good[1:]...)},
		{"truncated", good[:len(good)-1]},
		{"trailing", append(good, 0)},
		{"string longer than value", []byte{valueVersion, 200}},
		{"negative timestamp", []byte{valueVersion, 1, 0, 0}},
		{"ticks out of range", append([]byte{valueVersion, 2}, 0xc0, 0x9a, 0x0c, 0)},
	}
	for _, tt := range tests {
		if _, err := decodeContainerState(tt.v); !errors.Is(err, errBadValue) {
			t.Errorf("%s: err = %v, want errBadValue", tt.name, err)
		}
	}
}

func TestMetadataMerge(t *testing.T) {
	m := Metadata{
		"X-Container-Meta-A": {Value: "old", Timestamp: ts(5)},
		"X-Container-Meta-B": {Value: "b", Timestamp: ts(5)},
	}
	changed := m.Merge(Metadata{
		"X-Container-Meta-A": {Value: "older", Timestamp: ts(4)}, // loses
		"X-Container-Meta-B": {Value: "", Timestamp: ts(6)},      // removes
		"X-Container-Meta-C": {Value: "c", Timestamp: ts(1)},     // new key, any age
	})
	if !changed {
		t.Error("Merge reported no change")
	}
	want := map[string]string{"X-Container-Meta-A": "old", "X-Container-Meta-C": "c"}
	if got := m.Values(); !maps.Equal(got, want) {
		t.Errorf("Values() = %v, want %v", got, want)
	}
	if m.Merge(Metadata{"X-Container-Meta-A": {Value: "same time", Timestamp: ts(5)}}) {
		t.Error("an equal timestamp replaced a value")
	}
	enc, err := encodeMeta(m, AccountTarget{Host: "h:1", Device: "d", Partition: "2"})
	if err != nil {
		t.Fatal(err)
	}
	back, target, err := decodeMeta(enc)
	if err != nil || !maps.Equal(back, m) || target.Host != "h:1" {
		t.Errorf("meta round trip = %v %+v %v", back, target, err)
	}
	if _, _, err := decodeMeta([]byte(`{"meta":{"k":["v","yesterday"]}}`)); !errors.Is(err, errBadValue) {
		t.Errorf("bad timestamp in metadata: %v", err)
	}
}
