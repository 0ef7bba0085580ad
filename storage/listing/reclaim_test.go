package listing

import (
	"testing"
	"time"

	"github.com/sciswift/sciswift/server/swift"
)

func TestReclaimContainerDB(t *testing.T) {
	db := openTestDB(t, KindContainer)
	mustPutContainer(t, db, "a", "c", 1)
	mustPutObject(t, db, "a", "c", ObjectRow{Name: "live", Timestamp: ts(2), Size: 1})
	for name, at := range map[string]int64{"old1": 3, "old2": 4, "new": 20} {
		if _, err := db.DeleteObject("a", "c", name, ts(at), false); err != nil {
			t.Fatal(err)
		}
	}
	// A deleted container, long ago, with a tombstone of its own.
	mustPutContainer(t, db, "a", "gone", 1)
	if _, err := db.DeleteObject("a", "gone", "x", ts(2), false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.DeleteContainer("a", "gone", ts(3), AccountTarget{}); err != nil {
		t.Fatal(err)
	}
	// Deleted recently: kept.
	mustPutContainer(t, db, "a", "recent", 1)
	if _, _, err := db.DeleteContainer("a", "recent", ts(30), AccountTarget{}); err != nil {
		t.Fatal(err)
	}

	n, err := db.reclaimBefore(ts(10))
	if err != nil {
		t.Fatal(err)
	}
	// old1, old2, gone's tombstone x, and gone itself.
	if n != 4 {
		t.Errorf("reclaimed %d records, want 4", n)
	}
	for _, tt := range []struct {
		c, o   string
		status int
	}{
		{"c", "live", 200}, {"c", "new", 200}, {"c", "old1", 404}, {"c", "old2", 404}, {"gone", "x", 404},
	} {
		_, err := db.Object("a", tt.c, tt.o)
		if got := statusOf(err, true, 200, 200); got != tt.status {
			t.Errorf("row %s/%s after reclaim: %d, want %d", tt.c, tt.o, got, tt.status)
		}
	}
	if _, err := db.Container("a", "gone"); swift.Status(err) != 404 {
		t.Errorf("deleted container survived reclaim: %v", err)
	}
	if info := mustContainer(t, db, "a", "recent"); !info.Deleted() {
		t.Errorf("recently deleted container changed: %+v", info)
	}
	if info := mustContainer(t, db, "a", "c"); info.ObjectCount != 1 || info.BytesUsed != 1 {
		t.Errorf("live container counts changed: %+v", info)
	}
	// Nothing is left to reclaim at the same cutoff.
	if n, err := db.reclaimBefore(ts(10)); err != nil || n != 0 {
		t.Errorf("second reclaim = %d, %v; want 0", n, err)
	}
}

func TestReclaimAccountDB(t *testing.T) {
	db := openTestDB(t, KindAccount)
	if _, _, err := db.PutAccount("a", Update{Timestamp: ts(1)}); err != nil {
		t.Fatal(err)
	}
	rows := []ContainerRow{
		{Name: "live", PutTimestamp: ts(1), ObjectCount: 2},
		{Name: "old", PutTimestamp: ts(1), DeleteTimestamp: ts(2)},
		{Name: "new", PutTimestamp: ts(1), DeleteTimestamp: ts(20)},
	}
	for _, r := range rows {
		if err := db.PutContainerRow("a", r, RowOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// An account deleted long ago, emptied by the reaper.
	if _, _, err := db.PutAccount("gone", Update{Timestamp: ts(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeleteAccount("gone", ts(2)); err != nil {
		t.Fatal(err)
	}
	n, err := db.reclaimBefore(ts(10))
	if err != nil || n != 2 {
		t.Errorf("reclaimed %d, %v; want 2 (row old, account gone)", n, err)
	}
	if _, err := db.ContainerRow("a", "old"); swift.Status(err) != 404 {
		t.Errorf("old row: %v", err)
	}
	if _, err := db.ContainerRow("a", "new"); err != nil {
		t.Errorf("new row: %v", err)
	}
	if _, err := db.Account("gone"); swift.Status(err) != 404 {
		t.Errorf("reclaimed account: %v", err)
	}
	info, err := db.Account("a")
	if err != nil || info.ContainerCount != 1 || info.ObjectCount != 2 {
		t.Errorf("live account = %+v, %v", info, err)
	}
}

func TestReclaimAge(t *testing.T) {
	db := openTestDB(t, KindContainer)
	now := swift.Now()
	mustPutContainer(t, db, "a", "c", 1)
	if _, err := db.DeleteObject("a", "c", "o", now, false); err != nil {
		t.Fatal(err)
	}
	if n, err := db.Reclaim(time.Hour); err != nil || n != 0 {
		t.Errorf("Reclaim(1h) of a fresh tombstone = %d, %v", n, err)
	}
	if n, err := db.Reclaim(-time.Hour); err != nil || n != 1 {
		t.Errorf("Reclaim(-1h) = %d, %v; want 1", n, err)
	}
}
