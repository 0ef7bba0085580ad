package listing

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

// openTestDB opens the kind database of device "d1" under a fresh root.
func openTestDB(t testing.TB, kind Kind) *DB {
	t.Helper()
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "d1"), 0o755); err != nil {
		t.Fatal(err)
	}
	s := Open(root, kind, Options{Logger: slog.New(slog.DiscardHandler)})
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	db, err := s.Device("d1")
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// ts makes the timestamp n seconds after a fixed epoch.
func ts(n int64) swift.Timestamp { return swift.TimestampFromSeconds(1_700_000_000 + n) }

func mustPutContainer(t testing.TB, db *DB, a, c string, at int64) {
	t.Helper()
	if _, _, err := db.PutContainer(a, c, Update{Timestamp: ts(at)}, AccountTarget{}); err != nil {
		t.Fatalf("PutContainer(%s/%s): %v", a, c, err)
	}
}

func mustPutObject(t testing.TB, db *DB, a, c string, r ObjectRow) {
	t.Helper()
	if _, err := db.PutObject(a, c, r, false); err != nil {
		t.Fatalf("PutObject(%s/%s/%s): %v", a, c, r.Name, err)
	}
}

func mustContainer(t testing.TB, db *DB, a, c string) ContainerInfo {
	t.Helper()
	info, err := db.Container(a, c)
	if err != nil {
		t.Fatalf("Container(%s/%s): %v", a, c, err)
	}
	return info
}
