package listing

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

func TestObjectRowMerge(t *testing.T) {
	put := func(at, size int64) ObjectRow {
		return ObjectRow{Name: "o", Timestamp: ts(at), Size: size, ETag: fmt.Sprint("e", at)}
	}
	del := func(at int64) ObjectRow { return ObjectRow{Name: "o", Timestamp: ts(at), Deleted: true} }
	tests := []struct {
		name        string
		rows        []ObjectRow
		wantChanged []bool
		wantCount   int64
		wantBytes   int64
		wantRow     ObjectRow
	}{
		{"one put", []ObjectRow{put(1, 10)}, []bool{true}, 1, 10, put(1, 10)},
		{"overwrite", []ObjectRow{put(1, 10), put(2, 4)}, []bool{true, true}, 1, 4, put(2, 4)},
		{"overwrite same size", []ObjectRow{put(1, 10), put(2, 10)}, []bool{true, false}, 1, 10, put(2, 10)},
		{"older put arrives late", []ObjectRow{put(2, 4), put(1, 10)}, []bool{true, false}, 1, 4, put(2, 4)},
		{"equal timestamp ignored", []ObjectRow{put(1, 4), put(1, 10)}, []bool{true, false}, 1, 4, put(1, 4)},
		{"delete", []ObjectRow{put(1, 10), del(2)}, []bool{true, true}, 0, 0, del(2)},
		{"delete of absent row", []ObjectRow{del(2)}, []bool{false}, 0, 0, del(2)},
		{"tombstone stops older put", []ObjectRow{del(2), put(1, 10)}, []bool{false, false}, 0, 0, del(2)},
		{"put after delete", []ObjectRow{put(1, 10), del(2), put(3, 6)}, []bool{true, true, true}, 1, 6, put(3, 6)},
		{"older delete ignored", []ObjectRow{put(3, 10), del(2)}, []bool{true, false}, 1, 10, put(3, 10)},
		{"double delete", []ObjectRow{put(1, 10), del(2), del(3)}, []bool{true, true, false}, 0, 0, del(3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTestDB(t, KindContainer)
			mustPutContainer(t, db, "a", "c", 0)
			for i, r := range tt.rows {
				changed, err := db.PutObject("a", "c", r, false)
				if err != nil {
					t.Fatal(err)
				}
				if changed != tt.wantChanged[i] {
					t.Errorf("row %d: changed = %v, want %v", i, changed, tt.wantChanged[i])
				}
			}
			info := mustContainer(t, db, "a", "c")
			if info.ObjectCount != tt.wantCount || info.BytesUsed != tt.wantBytes {
				t.Errorf("count %d bytes %d, want %d %d", info.ObjectCount, info.BytesUsed, tt.wantCount, tt.wantBytes)
			}
			got, err := db.Object("a", "c", "o")
			if err != nil {
				t.Fatal(err)
			}
			want := tt.wantRow
			if want.Deleted {
				want.ETag = ""
			}
			if got != want {
				t.Errorf("row = %+v, want %+v", got, want)
			}
		})
	}
}

func TestObjectRowAutoCreate(t *testing.T) {
	db := openTestDB(t, KindContainer)
	changed, err := db.PutObject(".expiring_objects", "1700000000", ObjectRow{Name: "x", Timestamp: ts(5)}, true)
	if err != nil || !changed {
		t.Fatalf("auto-create PutObject = %v, %v", changed, err)
	}
	info := mustContainer(t, db, ".expiring_objects", "1700000000")
	if info.PutTimestamp != ts(5) || info.ObjectCount != 1 || info.Deleted() {
		t.Errorf("auto-created container = %+v", info)
	}
	// A DELETE may auto-create too (Swift's DELETE path does), leaving an
	// empty live container that records the tombstone.
	if _, err := db.DeleteObject(".expiring_objects", "other", "x", ts(6), true); err != nil {
		t.Fatal(err)
	}
	if r, err := db.Object(".expiring_objects", "other", "x"); err != nil || !r.Deleted {
		t.Errorf("tombstone = %+v, %v", r, err)
	}
}

// TestConcurrentRowUpdates hammers one container with PUTs and DELETEs of a
// few names from many goroutines, timestamps shuffled so old updates arrive
// late, then checks the counts against the rows that won. Run with -race.
func TestConcurrentRowUpdates(t *testing.T) {
	db := openTestDB(t, KindContainer)
	mustPutContainer(t, db, "a", "c", 0)
	const (
		workers = 16
		perWork = 60
		names   = 5
	)
	// Every update gets a distinct timestamp; the winner per name is the
	// update with the largest one, whatever order they land in.
	var updates []ObjectRow
	for i := range workers * perWork {
		r := ObjectRow{Name: fmt.Sprint("obj", i%names), Timestamp: ts(int64(i + 1)), Size: int64(i % 97)}
		r.Deleted = i%3 == 0
		updates = append(updates, r)
	}
	rand.New(rand.NewPCG(7, 7)).Shuffle(len(updates), func(i, j int) { updates[i], updates[j] = updates[j], updates[i] })

	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for _, r := range updates[w*perWork : (w+1)*perWork] {
				if _, err := db.PutObject("a", "c", r, false); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()

	winners := map[string]ObjectRow{}
	for _, r := range updates {
		if w, ok := winners[r.Name]; !ok || r.Timestamp.After(w.Timestamp) {
			winners[r.Name] = r
		}
	}
	var wantCount, wantBytes int64
	for _, r := range winners {
		if !r.Deleted {
			wantCount, wantBytes = wantCount+1, wantBytes+r.Size
		}
	}
	info := mustContainer(t, db, "a", "c")
	if info.ObjectCount != wantCount || info.BytesUsed != wantBytes {
		t.Errorf("count %d bytes %d, want %d %d", info.ObjectCount, info.BytesUsed, wantCount, wantBytes)
	}
	listed, err := db.ListObjects("a", "c", swift.ListingQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(listed)) != wantCount {
		t.Errorf("listing has %d rows, want %d", len(listed), wantCount)
	}
}
