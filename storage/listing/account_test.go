package listing

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

func TestAccountLifecycle(t *testing.T) {
	type op struct {
		kind   string // "put", "post", "delete"
		at     int64
		status int
	}
	run := func(db *DB, o op) int {
		u := Update{Timestamp: ts(o.at)}
		switch o.kind {
		case "put":
			_, created, err := db.PutAccount("a", u)
			return statusOf(err, created, 201, 202)
		case "post":
			_, err := db.PostAccount("a", u)
			return statusOf(err, true, 204, 204)
		default:
			_, err := db.DeleteAccount("a", ts(o.at))
			return statusOf(err, true, 204, 204)
		}
	}
	tests := []struct {
		name        string
		ops         []op
		wantDeleted bool
	}{
		{"create", []op{{"put", 1, 201}}, false},
		{"put again", []op{{"put", 1, 201}, {"put", 2, 202}}, false},
		{"post missing", []op{{"post", 1, 404}}, false},
		{"post", []op{{"put", 1, 201}, {"post", 2, 204}}, false},
		{"delete missing", []op{{"delete", 1, 404}}, false},
		{"delete", []op{{"put", 1, 201}, {"delete", 2, 204}}, true},
		{"delete twice", []op{{"put", 1, 201}, {"delete", 2, 204}, {"delete", 3, 404}}, true},
		{"put after delete is forbidden", []op{{"put", 1, 201}, {"delete", 2, 204}, {"put", 3, 403}}, true},
		{"post after delete", []op{{"put", 1, 201}, {"delete", 2, 204}, {"post", 3, 404}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTestDB(t, KindAccount)
			for i, o := range tt.ops {
				if got := run(db, o); got != o.status {
					t.Fatalf("op %d (%s at %d) = %d, want %d", i, o.kind, o.at, got, o.status)
				}
			}
			info, err := db.Account("a")
			if err != nil {
				if swift.Status(err) != 404 || tt.wantDeleted {
					t.Fatal(err)
				}
				return
			}
			if info.Deleted() != tt.wantDeleted {
				t.Errorf("Deleted() = %v, want %v", info.Deleted(), tt.wantDeleted)
			}
		})
	}
}

func TestAccountMetadata(t *testing.T) {
	db := openTestDB(t, KindAccount)
	if _, _, err := db.PutAccount("a", Update{Timestamp: ts(1), Metadata: map[string]string{"X-Account-Meta-A": "1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PostAccount("a", Update{Timestamp: ts(2), Metadata: map[string]string{
		"X-Account-Meta-A": "", "X-Account-Meta-B": "2", "X-Account-Sysmeta-Core-Access-Control": "{}",
	}}); err != nil {
		t.Fatal(err)
	}
	info, err := db.Account("a")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"X-Account-Meta-B": "2", "X-Account-Sysmeta-Core-Access-Control": "{}"}
	if got := info.Metadata.Values(); !maps.Equal(got, want) {
		t.Errorf("metadata = %v, want %v", got, want)
	}
	if info.PutTimestamp != ts(1) {
		t.Errorf("account POST moved the put timestamp to %s; Swift's does not", info.PutTimestamp)
	}
}

func TestContainerRows(t *testing.T) {
	row := func(name string, put, del, count, bytes int64) ContainerRow {
		return ContainerRow{Name: name, PutTimestamp: ts(put), DeleteTimestamp: ts(del), ObjectCount: count, BytesUsed: bytes}
	}
	tests := []struct {
		name                           string
		rows                           []ContainerRow
		wantContainers, wantObj, wantB int64
	}{
		{"one", []ContainerRow{row("c", 1, 0, 3, 30)}, 1, 3, 30},
		{"update counts", []ContainerRow{row("c", 1, 0, 3, 30), row("c", 1, 0, 5, 7)}, 1, 5, 7},
		{"two containers", []ContainerRow{row("c", 1, 0, 3, 30), row("d", 1, 0, 1, 1)}, 2, 4, 31},
		{"delete", []ContainerRow{row("c", 1, 0, 3, 30), row("c", 1, 2, 0, 0)}, 0, 0, 0},
		{"delete of absent row", []ContainerRow{row("c", 1, 2, 0, 0)}, 0, 0, 0},
		{"delete with objects left is not a delete", []ContainerRow{row("c", 1, 2, 4, 4)}, 1, 4, 4},
		{"late put report after delete", []ContainerRow{row("c", 3, 0, 0, 0), row("c", 3, 5, 0, 0), row("c", 3, 0, 0, 0)}, 0, 0, 0},
		{"re-created", []ContainerRow{row("c", 1, 0, 3, 30), row("c", 1, 2, 0, 0), row("c", 4, 2, 0, 0)}, 1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTestDB(t, KindAccount)
			if _, _, err := db.PutAccount("a", Update{Timestamp: ts(0)}); err != nil {
				t.Fatal(err)
			}
			for _, r := range tt.rows {
				if err := db.PutContainerRow("a", r, RowOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			info, err := db.Account("a")
			if err != nil {
				t.Fatal(err)
			}
			if info.ContainerCount != tt.wantContainers || info.ObjectCount != tt.wantObj || info.BytesUsed != tt.wantB {
				t.Errorf("totals %d/%d/%d, want %d/%d/%d", info.ContainerCount, info.ObjectCount, info.BytesUsed,
					tt.wantContainers, tt.wantObj, tt.wantB)
			}
		})
	}
}

func TestContainerRowAccountRules(t *testing.T) {
	db := openTestDB(t, KindAccount)
	r := ContainerRow{Name: "c", PutTimestamp: ts(1)}
	tests := []struct {
		name    string
		account string
		opts    RowOptions
		status  int
	}{
		{"missing account", "nobody", RowOptions{}, 404},
		{"auto-create", ".expiring_objects", RowOptions{AutoCreate: true, Timestamp: ts(1)}, 201},
		{"deleted account", "gone", RowOptions{}, 404},
		{"deleted account, override", "gone", RowOptions{OverrideDeleted: true}, 201},
	}
	if _, _, err := db.PutAccount("gone", Update{Timestamp: ts(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeleteAccount("gone", ts(2)); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		err := db.PutContainerRow(tt.account, r, tt.opts)
		if got := statusOf(err, true, 201, 201); got != tt.status {
			t.Errorf("%s: status %d, want %d (%v)", tt.name, got, tt.status, err)
		}
	}
	info, err := db.Account(".expiring_objects")
	if err != nil || info.ContainerCount != 1 || info.Deleted() {
		t.Errorf("auto-created account = %+v, %v", info, err)
	}
}

// TestConcurrentContainerRows: many containers report concurrently, each
// in order (as a container server sends them), some ending deleted; the
// account totals must equal the sum of the final reports.
func TestConcurrentContainerRows(t *testing.T) {
	db := openTestDB(t, KindAccount)
	if _, _, err := db.PutAccount("a", Update{Timestamp: ts(0)}); err != nil {
		t.Fatal(err)
	}
	const containers, reports = 24, 40
	final := make([]ContainerRow, containers)
	var wg sync.WaitGroup
	for c := range containers {
		wg.Go(func() {
			rnd := rand.New(rand.NewPCG(uint64(c), 1))
			name := fmt.Sprint("c", c)
			var r ContainerRow
			for i := range reports {
				r = ContainerRow{Name: name, PutTimestamp: ts(1), ObjectCount: rnd.Int64N(50), BytesUsed: rnd.Int64N(1 << 20)}
				if c%4 == 0 && i == reports-1 {
					r = ContainerRow{Name: name, PutTimestamp: ts(1), DeleteTimestamp: ts(2)}
				}
				if err := db.PutContainerRow("a", r, RowOptions{}); err != nil {
					t.Error(err)
				}
			}
			final[c] = r
		})
	}
	wg.Wait()
	var wc, wo, wb int64
	for _, r := range final {
		if !r.Deleted() {
			wc, wo, wb = wc+1, wo+r.ObjectCount, wb+r.BytesUsed
		}
	}
	info, err := db.Account("a")
	if err != nil {
		t.Fatal(err)
	}
	if info.ContainerCount != wc || info.ObjectCount != wo || info.BytesUsed != wb {
		t.Errorf("totals %d/%d/%d, want %d/%d/%d", info.ContainerCount, info.ObjectCount, info.BytesUsed, wc, wo, wb)
	}
}
