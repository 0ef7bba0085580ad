package listing

import (
	"maps"
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

// step is one operation on container a/c and what it must answer: status
// 201 for a PUT that created, 202 for one that updated, 204 for a DELETE of
// a live container, 404 for one that was already deleted, or the status of
// the returned error.
type step struct {
	op     string // "put", "post", "delete", "obj", "delobj"
	at     int64
	size   int64
	meta   map[string]string
	status int
}

func runStep(t *testing.T, db *DB, s step) int {
	t.Helper()
	u := Update{Timestamp: ts(s.at), Metadata: s.meta}
	switch s.op {
	case "put":
		_, created, err := db.PutContainer("a", "c", u, AccountTarget{})
		return statusOf(err, created, 201, 202)
	case "post":
		_, err := db.PostContainer("a", "c", u)
		return statusOf(err, true, 204, 204)
	case "delete":
		_, existed, err := db.DeleteContainer("a", "c", ts(s.at), AccountTarget{})
		return statusOf(err, existed, 204, 404)
	case "obj":
		_, err := db.PutObject("a", "c", ObjectRow{Name: "o", Timestamp: ts(s.at), Size: s.size}, false)
		return statusOf(err, true, 201, 201)
	case "delobj":
		_, err := db.DeleteObject("a", "c", "o", ts(s.at), false)
		return statusOf(err, true, 204, 204)
	}
	t.Fatalf("unknown op %q", s.op)
	return 0
}

func statusOf(err error, flag bool, yes, no int) int {
	switch {
	case err != nil:
		return swift.Status(err)
	case flag:
		return yes
	}
	return no
}

func TestContainerLifecycle(t *testing.T) {
	tests := []struct {
		name        string
		steps       []step
		wantDeleted bool
		wantPut     int64
		wantCount   int64
	}{
		{"create", []step{{op: "put", at: 1, status: 201}}, false, 1, 0},
		{"put again updates", []step{{op: "put", at: 1, status: 201}, {op: "put", at: 2, status: 202}}, false, 2, 0},
		{"older put keeps newer timestamp", []step{{op: "put", at: 5, status: 201}, {op: "put", at: 2, status: 202}}, false, 5, 0},
		{"delete empty", []step{{op: "put", at: 1, status: 201}, {op: "delete", at: 2, status: 204}}, true, 1, 0},
		{"delete missing", []step{{op: "delete", at: 2, status: 404}}, false, 0, 0},
		{"delete twice", []step{
			{op: "put", at: 1, status: 201}, {op: "delete", at: 2, status: 204}, {op: "delete", at: 3, status: 404},
		}, true, 1, 0},
		{"delete older than put", []step{{op: "put", at: 5, status: 201}, {op: "delete", at: 2, status: 409}}, false, 5, 0},
		{"delete non-empty", []step{
			{op: "put", at: 1, status: 201}, {op: "obj", at: 2, size: 3, status: 201}, {op: "delete", at: 3, status: 409},
		}, false, 1, 1},
		{"delete after object removed", []step{
			{op: "put", at: 1, status: 201}, {op: "obj", at: 2, status: 201},
			{op: "delobj", at: 3, status: 204}, {op: "delete", at: 4, status: 204},
		}, true, 1, 0},
		{"recreate after delete", []step{
			{op: "put", at: 1, status: 201}, {op: "delete", at: 2, status: 204}, {op: "put", at: 3, status: 201},
		}, false, 3, 0},
		{"put older than delete conflicts", []step{
			{op: "put", at: 1, status: 201}, {op: "delete", at: 5, status: 204}, {op: "put", at: 3, status: 409},
		}, true, 1, 0},
		{"post missing", []step{{op: "post", at: 1, status: 404}}, false, 0, 0},
		{"post deleted", []step{
			{op: "put", at: 1, status: 201}, {op: "delete", at: 2, status: 204}, {op: "post", at: 3, status: 404},
		}, true, 1, 0},
		{"post moves put timestamp", []step{{op: "put", at: 1, status: 201}, {op: "post", at: 4, status: 204}}, false, 4, 0},
		{"object row needs a container", []step{{op: "obj", at: 1, status: 404}}, false, 0, 0},
		{"late object row revives a deleted container", []step{
			{op: "put", at: 1, status: 201}, {op: "delete", at: 3, status: 204}, {op: "obj", at: 2, size: 7, status: 201},
		}, false, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTestDB(t, KindContainer)
			for i, s := range tt.steps {
				if got := runStep(t, db, s); got != s.status {
					t.Fatalf("step %d (%s at %d) = %d, want %d", i, s.op, s.at, got, s.status)
				}
			}
			info, err := db.Container("a", "c")
			if tt.wantPut == 0 {
				if swift.Status(err) != 404 {
					t.Fatalf("Container = %+v, %v; want not found", info, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if info.Deleted() != tt.wantDeleted || info.PutTimestamp != ts(tt.wantPut) || info.ObjectCount != tt.wantCount {
				t.Errorf("deleted=%v put=%s count=%d; want %v %s %d",
					info.Deleted(), info.PutTimestamp, info.ObjectCount, tt.wantDeleted, ts(tt.wantPut), tt.wantCount)
			}
		})
	}
}

func TestContainerMetadata(t *testing.T) {
	db := openTestDB(t, KindContainer)
	put := func(at int64, meta map[string]string) {
		t.Helper()
		if _, _, err := db.PutContainer("a", "c", Update{Timestamp: ts(at), Metadata: meta}, AccountTarget{}); err != nil {
			t.Fatal(err)
		}
	}
	put(1, map[string]string{"X-Container-Meta-Color": "red", "X-Container-Read": ".r:*"})
	if _, err := db.PostContainer("a", "c", Update{Timestamp: ts(3), Metadata: map[string]string{
		"X-Container-Meta-Size": "big", "X-Container-Meta-Color": "",
	}}); err != nil {
		t.Fatal(err)
	}
	// A late request older than the removal must not bring the value back.
	put(2, map[string]string{"X-Container-Meta-Color": "blue"})
	want := map[string]string{"X-Container-Meta-Size": "big", "X-Container-Read": ".r:*"}
	if got := mustContainer(t, db, "a", "c").Metadata.Values(); !maps.Equal(got, want) {
		t.Errorf("metadata = %v, want %v", got, want)
	}

	// DELETE clears metadata; a re-created container starts without it.
	if _, _, err := db.DeleteContainer("a", "c", ts(4), AccountTarget{}); err != nil {
		t.Fatal(err)
	}
	put(5, nil)
	if got := mustContainer(t, db, "a", "c").Metadata.Values(); len(got) != 0 {
		t.Errorf("metadata after re-create = %v, want none", got)
	}
}

// TestContainerMetadataCheckSeesMerged: limits apply to existing and new
// metadata together, and a failed check writes nothing.
func TestContainerMetadataCheckSeesMerged(t *testing.T) {
	db := openTestDB(t, KindContainer)
	limits := swift.DefaultLimits()
	limits.MaxMetaCount = 2
	check := func(m map[string]string) error { return limits.CheckMetadata(m, swift.LevelContainer) }
	u := func(at int64, meta map[string]string) Update {
		return Update{Timestamp: ts(at), Metadata: meta, Check: check}
	}
	if _, _, err := db.PutContainer("a", "c", u(1, map[string]string{"X-Container-Meta-A": "1", "X-Container-Meta-B": "2"}), AccountTarget{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		meta   map[string]string
		status int
	}{
		{"third item", map[string]string{"X-Container-Meta-C": "3"}, 400},
		{"replace one", map[string]string{"X-Container-Meta-A": "x"}, 204},
		{"remove one and add one", map[string]string{"X-Container-Meta-A": "", "X-Container-Meta-C": "3"}, 204},
		{"acl does not count", map[string]string{"X-Container-Write": "a:b"}, 204},
	}
	for i, tt := range tests {
		_, err := db.PostContainer("a", "c", u(int64(2+i), tt.meta))
		if got := statusOf(err, true, 204, 204); got != tt.status {
			t.Errorf("%s: status %d, want %d (%v)", tt.name, got, tt.status, err)
		}
	}
	got := mustContainer(t, db, "a", "c").Metadata.Values()
	want := map[string]string{"X-Container-Meta-B": "2", "X-Container-Meta-C": "3", "X-Container-Write": "a:b"}
	if !maps.Equal(got, want) {
		t.Errorf("metadata = %v, want %v", got, want)
	}
}

func TestContainerAccountTarget(t *testing.T) {
	db := openTestDB(t, KindContainer)
	t1 := AccountTarget{Host: "10.0.0.1:6202", Device: "sda", Partition: "7"}
	if _, _, err := db.PutContainer("a", "c", Update{Timestamp: ts(1)}, t1); err != nil {
		t.Fatal(err)
	}
	// A PUT without account headers keeps the recorded target.
	if _, _, err := db.PutContainer("a", "c", Update{Timestamp: ts(2)}, AccountTarget{}); err != nil {
		t.Fatal(err)
	}
	if got := mustContainer(t, db, "a", "c").AccountTarget; got != t1 {
		t.Errorf("target = %+v, want %+v", got, t1)
	}
}
