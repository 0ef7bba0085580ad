package object

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sciswift/sciswift/server/swift"
)

// FuzzObjectName stores objects under arbitrary names: every request must
// be answered without a server error, and whatever is stored must land in
// the device's objects directory and read back.
func FuzzObjectName(f *testing.F) {
	for _, s := range []string{"o", "..", "../../x", "/", "a//b", "%00", "\x00", "\xff", strings.Repeat("z", 1100), "ü/../ß"} {
		f.Add(s)
	}
	h := newHarness(f, Config{})
	root := h.root
	f.Fuzz(func(t *testing.T, name string) {
		h.t = t
		path := swift.EscapePath(dev, "3", "AUTH_a", "c", name)
		w := h.do(http.MethodPut, path, strings.NewReader("x"), "X-Timestamp", swift.Now().Internal(), "Content-Type", "a/b")
		if w.Code >= 500 {
			t.Fatalf("PUT %q: %d %s", name, w.Code, w.Body)
		}
		if w.Code == http.StatusCreated {
			if g := h.do(http.MethodGet, path, nil); g.Body.String() != "x" {
				t.Fatalf("GET %q after PUT: %d %q", name, g.Code, g.Body)
			}
		}
		entries, _ := os.ReadDir(root)
		if len(entries) != 1 {
			t.Fatalf("data root holds %v", entries)
		}
		devEntries, _ := os.ReadDir(filepath.Join(root, dev))
		for _, e := range devEntries {
			switch e.Name() {
			case "objects", "tmp", "async_pending":
			default:
				t.Fatalf("device holds %q", e.Name())
			}
		}
	})
}

// FuzzDeleteAtHeaders checks the X-Delete-At / X-Delete-After rules: no
// panics, and an accepted expiry is always after the request.
func FuzzDeleteAtHeaders(f *testing.F) {
	f.Add("1700000100", "", "1700000000.00000")
	f.Add("", "60", "1700000000.00000")
	f.Add("-1", "", "1700000000.00000")
	f.Add("", "-60", "1700000000.5")
	f.Add("99999999999", "", "0")
	f.Fuzz(func(t *testing.T, at, after, stamp string) {
		ts, err := swift.ParseTimestamp(stamp)
		if err != nil {
			return
		}
		h := http.Header{}
		if at != "" {
			h.Set(swift.HeaderDeleteAt, at)
		}
		if after != "" {
			h.Set(swift.HeaderDeleteAfter, after)
		}
		got, err := checkDeleteHeaders(h, ts)
		if err == nil && got != 0 && !swift.TimestampFromSeconds(got).After(ts) {
			t.Fatalf("accepted X-Delete-At %d at %v", got, ts)
		}
		if err == nil && got != 0 && swift.TimestampFromSeconds(got).Time().After(time.Unix(maxDeleteAtSeconds+1, 0)) {
			t.Fatalf("accepted X-Delete-At %d beyond the 10-digit range", got)
		}
		if _, err := postDeleteAt(h, ts); err != nil && swift.Status(err) != http.StatusBadRequest {
			t.Fatalf("postDeleteAt: %v", err)
		}
	})
}
