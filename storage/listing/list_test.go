package listing

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

// names returns listing entries as strings, subdirs marked with a
// trailing " (dir)".
func names(recs []swift.ObjectRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		if r.Subdir != "" {
			out[i] = r.Subdir + " (dir)"
		} else {
			out[i] = r.Name
		}
	}
	return out
}

func fillContainer(t testing.TB, db *DB, objects ...string) {
	t.Helper()
	mustPutContainer(t, db, "a", "c", 0)
	for i, o := range objects {
		mustPutObject(t, db, "a", "c", ObjectRow{Name: o, Timestamp: ts(int64(i + 1)), Size: 1})
	}
}

func TestListObjects(t *testing.T) {
	db := openTestDB(t, KindContainer)
	fillContainer(t, db,
		"a", "a/", "a/b", "a/b/c", "a/b/d", "a/c", "a/d/e", "a-b", "b", "b/x", "c", "dir/", "dir/sub/", "dir/sub/f",
	)
	// A deleted object is never listed, even as a subdir.
	mustPutObject(t, db, "a", "c", ObjectRow{Name: "gone/x", Timestamp: ts(100), Size: 1})
	if _, err := db.DeleteObject("a", "c", "gone/x", ts(101), false); err != nil {
		t.Fatal(err)
	}
	q := func(mod func(*swift.ListingQuery)) swift.ListingQuery {
		lq := swift.ListingQuery{Limit: 10000}
		mod(&lq)
		return lq
	}
	tests := []struct {
		name string
		q    swift.ListingQuery
		want []string
	}{
		{"all", q(func(*swift.ListingQuery) {}),
			[]string{"a", "a-b", "a/", "a/b", "a/b/c", "a/b/d", "a/c", "a/d/e", "b", "b/x", "c", "dir/", "dir/sub/", "dir/sub/f"}},
		{"limit", q(func(q *swift.ListingQuery) { q.Limit = 3 }), []string{"a", "a-b", "a/"}},
		{"limit zero", q(func(q *swift.ListingQuery) { q.Limit = 0 }), []string{}},
		{"prefix", q(func(q *swift.ListingQuery) { q.Prefix = "a/b" }), []string{"a/b", "a/b/c", "a/b/d"}},
		{"prefix nothing", q(func(q *swift.ListingQuery) { q.Prefix = "zz" }), []string{}},
		{"marker", q(func(q *swift.ListingQuery) { q.Marker = "b" }), []string{"b/x", "c", "dir/", "dir/sub/", "dir/sub/f"}},
		{"marker between names", q(func(q *swift.ListingQuery) { q.Marker = "a/c0" }),
			[]string{"a/d/e", "b", "b/x", "c", "dir/", "dir/sub/", "dir/sub/f"}},
		{"end_marker", q(func(q *swift.ListingQuery) { q.EndMarker = "a/" }), []string{"a", "a-b"}},
		{"marker and end_marker", q(func(q *swift.ListingQuery) { q.Marker = "a/"; q.EndMarker = "a/c" }),
			[]string{"a/b", "a/b/c", "a/b/d"}},
		{"marker before prefix", q(func(q *swift.ListingQuery) { q.Prefix = "b"; q.Marker = "a" }), []string{"b", "b/x"}},
		{"marker after prefix range", q(func(q *swift.ListingQuery) { q.Prefix = "a/"; q.Marker = "b" }), []string{}},
		{"end_marker inside prefix", q(func(q *swift.ListingQuery) { q.Prefix = "a/"; q.EndMarker = "a/c" }),
			[]string{"a/", "a/b", "a/b/c", "a/b/d"}},
		{"delimiter", q(func(q *swift.ListingQuery) { q.Delimiter = "/" }),
			[]string{"a", "a-b", "a/ (dir)", "b", "b/ (dir)", "c", "dir/ (dir)"}},
		{"delimiter limit counts subdirs", q(func(q *swift.ListingQuery) { q.Delimiter = "/"; q.Limit = 3 }),
			[]string{"a", "a-b", "a/ (dir)"}},
		{"nested dirs", q(func(q *swift.ListingQuery) { q.Delimiter = "/"; q.Prefix = "a/" }),
			[]string{"a/", "a/b", "a/b/ (dir)", "a/c", "a/d/ (dir)"}},
		{"deeper", q(func(q *swift.ListingQuery) { q.Delimiter = "/"; q.Prefix = "a/b/" }), []string{"a/b/c", "a/b/d"}},
		{"dir object and subdir", q(func(q *swift.ListingQuery) { q.Delimiter = "/"; q.Prefix = "dir/" }),
			[]string{"dir/", "dir/sub/ (dir)"}},
		{"marker equal to subdir is skipped", q(func(q *swift.ListingQuery) { q.Delimiter = "/"; q.Marker = "a/" }),
			[]string{"b", "b/ (dir)", "c", "dir/ (dir)"}},
		{"other delimiter", q(func(q *swift.ListingQuery) { q.Delimiter = "-" }),
			[]string{"a", "a- (dir)", "a/", "a/b", "a/b/c", "a/b/d", "a/c", "a/d/e", "b", "b/x", "c", "dir/", "dir/sub/", "dir/sub/f"}},
		{"reverse", q(func(q *swift.ListingQuery) { q.Reverse = true; q.Limit = 4 }), []string{"dir/sub/f", "dir/sub/", "dir/", "c"}},
		{"reverse marker", q(func(q *swift.ListingQuery) { q.Reverse = true; q.Marker = "a/" }), []string{"a-b", "a"}},
		{"reverse end_marker", q(func(q *swift.ListingQuery) { q.Reverse = true; q.EndMarker = "b" }),
			[]string{"dir/sub/f", "dir/sub/", "dir/", "c", "b/x"}},
		{"reverse prefix", q(func(q *swift.ListingQuery) { q.Reverse = true; q.Prefix = "a/b" }), []string{"a/b/d", "a/b/c", "a/b"}},
		{"reverse delimiter", q(func(q *swift.ListingQuery) { q.Reverse = true; q.Delimiter = "/" }),
			[]string{"dir/ (dir)", "c", "b/ (dir)", "b", "a/ (dir)", "a-b", "a"}},
		{"reverse nested", q(func(q *swift.ListingQuery) { q.Reverse = true; q.Delimiter = "/"; q.Prefix = "a/" }),
			[]string{"a/d/ (dir)", "a/c", "a/b/ (dir)", "a/b", "a/"}},
		{"prefix and delimiter", q(func(q *swift.ListingQuery) { q.Prefix = "dir/sub/"; q.Delimiter = "/" }), []string{"dir/sub/", "dir/sub/f"}},
		{"path", q(func(q *swift.ListingQuery) { q.Prefix, q.Delimiter, q.Path = "a/", "/", true }),
			[]string{"a/b", "a/c"}},
		{"path root", q(func(q *swift.ListingQuery) { q.Prefix, q.Delimiter, q.Path = "", "/", true }),
			[]string{"a", "a-b", "a/", "b", "c", "dir/"}},
		{"path keeps dir-named row", q(func(q *swift.ListingQuery) { q.Prefix, q.Delimiter, q.Path = "dir/", "/", true }),
			[]string{"dir/sub/"}},
		{"path reverse", q(func(q *swift.ListingQuery) { q.Prefix, q.Delimiter, q.Path, q.Reverse = "", "/", true, true }),
			[]string{"dir/", "c", "b", "a/", "a-b", "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := db.ListObjects("a", "c", tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(recs); !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestListObjectsRecordFields(t *testing.T) {
	db := openTestDB(t, KindContainer)
	mustPutContainer(t, db, "a", "c", 0)
	row := ObjectRow{Name: "x", Timestamp: ts(3), Size: 42, ETag: "abc", ContentType: "text/plain"}
	mustPutObject(t, db, "a", "c", row)
	// A neighbouring container must not leak into the listing.
	mustPutContainer(t, db, "a", "c2", 0)
	mustPutObject(t, db, "a", "c2", ObjectRow{Name: "y", Timestamp: ts(3)})
	recs, err := db.ListObjects("a", "c", swift.ListingQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := []swift.ObjectRecord{{Name: "x", Bytes: 42, Hash: "abc", ContentType: "text/plain", LastModified: ts(3)}}
	if !slices.Equal(recs, want) {
		t.Errorf("got %+v, want %+v", recs, want)
	}
}

// refList is Swift's ContainerBroker.list_objects_iter transcribed over a
// sorted slice, SQL queries and all: the model the pebble scan must match.
func refList(all []string, q swift.ListingQuery) []string {
	marker, end := q.Marker, q.EndMarker
	if q.Reverse {
		marker, end = end, marker
	}
	prefix, delim := q.Prefix, q.Delimiter
	endPrefix := successor(prefix)
	origMarker, forceGTE := marker, false
	out := []string{}
	for len(out) < q.Limit {
		var rows []string
		for _, n := range all {
			switch {
			case end != "" && (prefix == "" || end < endPrefix):
				if n >= end {
					continue
				}
			case prefix != "":
				if n >= endPrefix {
					continue
				}
			}
			switch {
			case forceGTE:
				if n < marker {
					continue
				}
			case marker != "" && (prefix == "" || marker >= prefix):
				if n <= marker {
					continue
				}
			case prefix != "":
				if n < prefix {
					continue
				}
			}
			rows = append(rows, n)
		}
		forceGTE = false
		if q.Reverse {
			slices.Reverse(rows)
		}
		rows = rows[:min(len(rows), q.Limit-len(out))]
		if delim == "" {
			return append(out, rows...)
		}
		for _, n := range rows {
			if q.Reverse {
				end = n
			} else {
				marker = n
			}
			i := strings.Index(n[len(prefix):], delim)
			if q.Path {
				if n == prefix {
					continue
				}
				if i >= 0 && len(n) > len(prefix)+i+len(delim) {
					// Swift sets end_marker = dir (dropping a row named
					// dir) and marker = successor(dir) without forcing >=
					// (dropping a row named that); the scan keeps both.
					dir := n[:len(prefix)+i+len(delim)]
					if q.Reverse {
						end = dir + "\x00"
					} else {
						marker, forceGTE = successor(dir), true
					}
					break
				}
				out = append(out, n)
				continue
			}
			if i < 0 {
				out = append(out, n)
				continue
			}
			dir := n[:len(prefix)+i+len(delim)]
			if q.Reverse {
				end = dir
			} else {
				marker, forceGTE = successor(dir), true
			}
			if dir != origMarker {
				out = append(out, dir+" (dir)")
			}
			break
		}
		if len(rows) == 0 {
			break
		}
	}
	return out
}

// TestListObjectsMatchesSwift compares the scan with refList on random
// names (NUL, multi-byte and 0xFF-adjacent bytes included) and random
// queries.
func TestListObjectsMatchesSwift(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "b", "/", "-", "é", "🎉", "\x00", "z"}
	word := func(max int) string {
		var b strings.Builder
		for range 1 + rnd.IntN(max) {
			b.WriteString(alphabet[rnd.IntN(len(alphabet))])
		}
		return b.String()
	}
	db := openTestDB(t, KindContainer)
	mustPutContainer(t, db, "a", "c", 0)
	set := map[string]bool{}
	for i := range 300 {
		n := word(6)
		set[n] = true
		mustPutObject(t, db, "a", "c", ObjectRow{Name: n, Timestamp: ts(int64(i + 1))})
	}
	all := slices.Sorted(func(yield func(string) bool) {
		for n := range set {
			if !yield(n) {
				return
			}
		}
	})
	optional := func(max int) string {
		if rnd.IntN(3) == 0 {
			return ""
		}
		return word(max)
	}
	for i := range 3000 {
		q := swift.ListingQuery{
			Prefix: optional(2), Marker: optional(4), EndMarker: optional(4),
			Limit: 1 + rnd.IntN(40), Reverse: rnd.IntN(2) == 0,
		}
		switch rnd.IntN(4) {
		case 0:
		case 1:
			// path=P: ParseListingQuery's translation.
			q.Path, q.Delimiter = true, "/"
			if q.Prefix != "" {
				q.Prefix = strings.TrimRight(q.Prefix, "/") + "/"
			}
		default:
			q.Delimiter = []string{"/", "-", "é", "a"}[rnd.IntN(4)]
		}
		recs, err := db.ListObjects("a", "c", q)
		if err != nil {
			t.Fatal(err)
		}
		got, want := names(recs), refList(all, q)
		if !slices.Equal(got, want) {
			t.Fatalf("query %d %+v:\ngot  %q\nwant %q", i, q, got, want)
		}
	}
}

func TestListContainers(t *testing.T) {
	db := openTestDB(t, KindAccount)
	for i, c := range []string{"logs", "logs-2024", "photos", "photos-old", "zeta"} {
		row := ContainerRow{Name: c, PutTimestamp: ts(int64(i + 1)), ObjectCount: int64(i), BytesUsed: int64(10 * i)}
		if err := db.PutContainerRow("a", row, RowOptions{AutoCreate: true, Timestamp: ts(0)}); err != nil {
			t.Fatal(err)
		}
	}
	// Deleted containers are not listed.
	if err := db.PutContainerRow("a", ContainerRow{Name: "zeta", PutTimestamp: ts(5), DeleteTimestamp: ts(9)}, RowOptions{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q    swift.ListingQuery
		want []string
	}{
		{swift.ListingQuery{Limit: 100}, []string{"logs", "logs-2024", "photos", "photos-old"}},
		{swift.ListingQuery{Limit: 100, Delimiter: "-"}, []string{"logs", "logs- (dir)", "photos", "photos- (dir)"}},
		{swift.ListingQuery{Limit: 100, Prefix: "photos"}, []string{"photos", "photos-old"}},
		{swift.ListingQuery{Limit: 2, Reverse: true}, []string{"photos-old", "photos"}},
		{swift.ListingQuery{Limit: 100, Marker: "logs-2024", EndMarker: "photos-old"}, []string{"photos"}},
	}
	for _, tt := range tests {
		recs, err := db.ListContainers("a", tt.q)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]string, len(recs))
		for i, r := range recs {
			got[i] = r.Name
			if r.Subdir != "" {
				got[i] = r.Subdir + " (dir)"
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%+v: got %q, want %q", tt.q, got, tt.want)
		}
	}
	recs, err := db.ListContainers("a", swift.ListingQuery{Limit: 1, Prefix: "photos-"})
	if err != nil {
		t.Fatal(err)
	}
	want := swift.ContainerRecord{Name: "photos-old", Count: 3, Bytes: 30, LastModified: ts(4)}
	if len(recs) != 1 || recs[0] != want {
		t.Errorf("record = %+v, want %+v", recs, want)
	}
}
