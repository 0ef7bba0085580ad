package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestContainerLifecycle(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c := uniq("life")

	s.do(t, "HEAD", p(c), nil).check(t, 404)
	s.do(t, "GET", p(c), nil).check(t, 404)
	s.do(t, "POST", p(c), nil, "X-Container-Meta-A", "1").check(t, 404)
	s.do(t, "DELETE", p(c), nil).check(t, 404)

	s.do(t, "PUT", p(c), nil).expect(t, 201)
	s.do(t, "PUT", p(c), nil).check(t, 202)
	h := s.do(t, "HEAD", p(c), nil).expect(t, 204)
	h.hdr(t, "X-Container-Object-Count", "0")
	h.hdr(t, "X-Container-Bytes-Used", "0")
	if !timestampRE.MatchString(h.Header.Get("X-Timestamp")) {
		t.Errorf("container HEAD X-Timestamp = %q, want Swift's 1234567890.12345 form", h.Header.Get("X-Timestamp"))
	}
	// An empty plain listing is 204; JSON is an empty array.
	s.do(t, "GET", p(c), nil).check(t, 204)
	if l := s.jsonListing(t, p(c), ""); len(l) != 0 {
		t.Errorf("empty container JSON listing = %v", l)
	}

	s.put(t, c, "a", []byte("hello"))
	s.put(t, c, "b/c", []byte("sciswift!"))
	h = s.do(t, "HEAD", p(c), nil).expect(t, 204)
	h.hdr(t, "X-Container-Object-Count", "2")
	h.hdr(t, "X-Container-Bytes-Used", "14")
	g := s.do(t, "GET", p(c), nil).expect(t, 200)
	g.hdr(t, "X-Container-Object-Count", "2")
	g.hdr(t, "X-Container-Bytes-Used", "14")

	s.do(t, "DELETE", p(c), nil).check(t, 409)
	s.do(t, "DELETE", p(c, "a"), nil).expect(t, 204)
	s.do(t, "DELETE", p(c, "b/c"), nil).expect(t, 204)
	s.do(t, "DELETE", p(c), nil).expect(t, 204)
	s.do(t, "HEAD", p(c), nil).check(t, 404)
	s.do(t, "DELETE", p(c), nil).check(t, 404)
	s.do(t, "PUT", p(c, "x"), "x").check(t, 404)
	// Gone from the account listing too.
	if l := s.listing(t, "", q("prefix", c)); len(l) != 0 {
		t.Errorf("deleted container still listed: %q", l)
	}
	// And can be made again.
	s.do(t, "PUT", p(c), nil).expect(t, 201)
}

func TestContainerMetadata(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c := s.mkContainer(t, "cmeta", "X-Container-Meta-A", "1")
	s.do(t, "HEAD", p(c), nil).expect(t, 204).hdr(t, "X-Container-Meta-A", "1")

	s.do(t, "POST", p(c), nil, "X-Container-Meta-B", "2").expect(t, 204)
	h := s.do(t, "HEAD", p(c), nil).expect(t, 204)
	h.hdr(t, "X-Container-Meta-A", "1") // container POST merges
	h.hdr(t, "X-Container-Meta-B", "2")

	s.do(t, "POST", p(c), nil, "X-Remove-Container-Meta-A", "x").expect(t, 204)
	h = s.do(t, "HEAD", p(c), nil).expect(t, 204)
	h.hdrAbsent(t, "X-Container-Meta-A")
	h.hdr(t, "X-Container-Meta-B", "2")

	s.do(t, "POST", p(c), nil, "X-Container-Meta-B", "").expect(t, 204)
	s.do(t, "HEAD", p(c), nil).expect(t, 204).hdrAbsent(t, "X-Container-Meta-B")

	// PUT on an existing container merges metadata too.
	s.do(t, "PUT", p(c), nil, "X-Container-Meta-C", "3").expect(t, 202)
	s.do(t, "HEAD", p(c), nil).expect(t, 204).hdr(t, "X-Container-Meta-C", "3")

	// ACL headers are stored, returned and removable.
	s.do(t, "POST", p(c), nil, "X-Container-Read", ".r:*,.rlistings", "X-Container-Write", "test:tester3").expect(t, 204)
	h = s.do(t, "HEAD", p(c), nil).expect(t, 204)
	h.hdr(t, "X-Container-Read", ".r:*,.rlistings")
	h.hdr(t, "X-Container-Write", "test:tester3")
	s.do(t, "POST", p(c), nil, "X-Remove-Container-Read", "x", "X-Remove-Container-Write", "x").expect(t, 204)
	h = s.do(t, "HEAD", p(c), nil).expect(t, 204)
	h.hdrAbsent(t, "X-Container-Read")
	h.hdrAbsent(t, "X-Container-Write")

	// A non-admin user may not change container metadata.
	as(t, tester3).do(t, "POST", p(c), nil, "X-Container-Meta-D", "4").check(t, 403)
}

func TestAccountMetadata(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	key := strings.ReplaceAll(uniq("Probe"), "-", "")
	s.do(t, "POST", "", nil, "X-Account-Meta-"+key, "v1").expect(t, 204)
	s.do(t, "HEAD", "", nil).expect(t, 204).hdr(t, "X-Account-Meta-"+key, "v1")
	s.do(t, "GET", "", nil).expect(t, 200, 204).hdr(t, "X-Account-Meta-"+key, "v1")
	s.do(t, "POST", "", nil, "X-Remove-Account-Meta-"+key, "x").expect(t, 204)
	s.do(t, "HEAD", "", nil).expect(t, 204).hdrAbsent(t, "X-Account-Meta-"+key)
	as(t, tester3).do(t, "POST", "", nil, "X-Account-Meta-"+key, "v").check(t, 403)
}

// accountStats reads the account's container count, object count and bytes.
type accountStats struct{ containers, objects, bytes int64 }

func headAccount(t testing.TB, s *session) accountStats {
	t.Helper()
	// 204 normally; Swift answers 200 for an auto-created account that has
	// not been written yet.
	h := s.do(t, "HEAD", "", nil).expect(t, 204, 200)
	return accountStats{h.intHdr(t, "X-Account-Container-Count"), h.intHdr(t, "X-Account-Object-Count"), h.intHdr(t, "X-Account-Bytes-Used")}
}

// settledAccount waits until the account's totals agree with the
// container listing and every container's own HEAD (account stats in
// Swift are eventually consistent), and returns them.
func settledAccount(t testing.TB, s *session) accountStats {
	t.Helper()
	var st accountStats
	eventually(t, 15*time.Second, "account stats to settle", func() string {
		st = headAccount(t, s)
		var sum accountStats
		for _, e := range s.jsonListing(t, "", "?limit=10000") {
			name, _ := e["name"].(string)
			cnt, _ := e["count"].(float64)
			byt, _ := e["bytes"].(float64)
			h := s.do(t, "HEAD", p(name), nil)
			if h.Status != 204 {
				continue // deleted meanwhile
			}
			if h.intHdr(t, "X-Container-Object-Count") != int64(cnt) || h.intHdr(t, "X-Container-Bytes-Used") != int64(byt) {
				return fmt.Sprintf("account listing row for %s (%v objects, %v bytes) lags its container HEAD (%s, %s)", name, cnt, byt,
					h.Header.Get("X-Container-Object-Count"), h.Header.Get("X-Container-Bytes-Used"))
			}
			sum.containers++
			sum.objects += int64(cnt)
			sum.bytes += int64(byt)
		}
		if sum != st {
			return fmt.Sprintf("HEAD says %+v, the listing sums to %+v", st, sum)
		}
		return ""
	})
	return st
}

// TestAccountHeadCountsAndBytes is not parallel: it needs an account no
// other test writes to while it measures.
func TestAccountHeadCountsAndBytes(t *testing.T) {
	s := as(t, t2admin)
	before := settledAccount(t, s)

	c1 := s.mkContainer(t, "acct1")
	c2 := s.mkContainer(t, "acct2")
	_ = s.mkContainer(t, "acct3") // empty
	s.put(t, c1, "a", randBytes(1000))
	s.put(t, c1, "b", randBytes(24))
	s.put(t, c2, "c", randBytes(4096))
	s.put(t, c2, "d", nil)
	s.put(t, c2, "a", randBytes(7))
	s.put(t, c2, "a", randBytes(70)) // overwrite: counts once, new size
	want := accountStats{before.containers + 3, before.objects + 5, before.bytes + 1000 + 24 + 4096 + 0 + 70}
	eventually(t, 15*time.Second, "account HEAD to count the uploads", func() string {
		if got := headAccount(t, s); got != want {
			return fmt.Sprintf("got %+v, want %+v", got, want)
		}
		return ""
	})
	// The account listing carries per-container counts and bytes.
	rows := map[string][2]float64{}
	for _, e := range s.jsonListing(t, "", q("prefix", "acct")) {
		rows[e["name"].(string)] = [2]float64{e["count"].(float64), e["bytes"].(float64)}
		if _, ok := e["last_modified"]; !ok {
			t.Errorf("account JSON listing entry lacks last_modified: %v", e)
		}
	}
	if rows[c1] != [2]float64{2, 1024} || rows[c2] != [2]float64{3, 4096 + 70} {
		t.Errorf("account listing rows %v, want %s: 2/1024, %s: 3/4166", rows, c1, c2)
	}

	// Deleting brings the totals back.
	for _, o := range []string{"a", "b"} {
		s.do(t, "DELETE", p(c1, o), nil).expect(t, 204)
	}
	s.do(t, "DELETE", p(c1), nil).expect(t, 204)
	want = accountStats{before.containers + 2, before.objects + 3, before.bytes + 4096 + 70}
	eventually(t, 15*time.Second, "account HEAD to count the deletes", func() string {
		if got := headAccount(t, s); got != want {
			return fmt.Sprintf("got %+v, want %+v", got, want)
		}
		return ""
	})
}

// TestConcurrentPutDeleteCounts hammers one container with concurrent
// PUTs, overwrites and DELETEs (same names included) and checks the
// container and account counts are exact. Not parallel: it checks the
// account totals too.
func TestConcurrentPutDeleteCounts(t *testing.T) {
	s := as(t, t2admin)
	before := settledAccount(t, s)
	c := s.mkContainer(t, "conc")

	const workers = 16
	run := func(n int, f func(i int)) {
		var wg sync.WaitGroup
		next := make(chan int)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					f(i)
				}
			}()
		}
		for i := 0; i < n; i++ {
			next <- i
		}
		close(next)
		wg.Wait()
	}
	size := func(i, gen int) int { return (i*37+gen*101)%3000 + gen }
	name := func(i int) string { return fmt.Sprintf("obj-%04d", i) }

	// Workers must not call t.FailNow: use check, not expect.
	put := func(o string, n int) { s.do(t, "PUT", p(c, o), randBytes(n)).check(t, 201) }

	// Phase 1: 200 objects.
	run(200, func(i int) { put(name(i), size(i, 0)) })
	// Phase 2, all at once: delete 0..79, overwrite 80..139, add 200..279,
	// 40 racing PUTs of one hot object and 20 racing DELETEs of obj-0199.
	var mu sync.Mutex
	deleted199 := 0
	run(240, func(i int) {
		switch {
		case i < 80:
			s.do(t, "DELETE", p(c, name(i)), nil).check(t, 204)
		case i < 140:
			put(name(i), size(i, 1))
		case i < 180:
			put(name(200+i-140), size(200+i-140, 0))
			// Racing PUTs of one name: Swift answers 202 to a PUT that
			// lost the race (an equal or newer timestamp already exists).
			s.do(t, "PUT", p(c, "hot"), randBytes(i)).check(t, 201, 202)
		case i < 200:
			r := s.do(t, "DELETE", p(c, name(199)), nil)
			r.check(t, 204, 404)
			if r.Status == 204 {
				mu.Lock()
				deleted199++
				mu.Unlock()
			}
		default:
			put(name(i+40), size(i+40, 0))
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	if deleted199 == 0 {
		t.Errorf("no DELETE of %s answered 204", name(199))
	}
	// Expected state.
	want := map[string]int{}
	for i := 80; i < 199; i++ {
		gen := 0
		if i < 140 {
			gen = 1
		}
		want[name(i)] = size(i, gen)
	}
	for i := 200; i < 280; i++ {
		want[name(i)] = size(i, 0)
	}
	hot := s.do(t, "HEAD", p(c, "hot"), nil).expect(t, 200)
	want["hot"] = int(hot.intHdr(t, "Content-Length"))
	var wantBytes int64
	for _, n := range want {
		wantBytes += int64(n)
	}

	// The container is exact right away (Swift updates container rows
	// synchronously with the object write).
	h := s.do(t, "HEAD", p(c), nil).expect(t, 204)
	if h.intHdr(t, "X-Container-Object-Count") != int64(len(want)) || h.intHdr(t, "X-Container-Bytes-Used") != wantBytes {
		t.Errorf("container HEAD right after the writes: %s objects, %s bytes; want %d, %d",
			h.Header.Get("X-Container-Object-Count"), h.Header.Get("X-Container-Bytes-Used"), len(want), wantBytes)
	}
	rows := s.jsonListing(t, p(c), "")
	got := map[string]int{}
	for _, r := range rows {
		got[r["name"].(string)] = int(r["bytes"].(float64))
	}
	if len(got) != len(want) {
		t.Errorf("listing has %d objects, want %d", len(got), len(want))
	}
	for n, sz := range want {
		if got[n] != sz {
			t.Errorf("listing: %s has %d bytes, want %d", n, got[n], sz)
		}
	}
	for n := range got {
		if _, ok := want[n]; !ok {
			t.Errorf("listing has %s, which was deleted", n)
		}
	}
	wantAcct := accountStats{before.containers + 1, before.objects + int64(len(want)), before.bytes + wantBytes}
	eventually(t, 15*time.Second, "account totals after concurrent writes", func() string {
		if got := headAccount(t, s); got != wantAcct {
			return fmt.Sprintf("got %+v, want %+v", got, wantAcct)
		}
		return ""
	})
}

func TestAccountListing(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	pre := strings.ReplaceAll(uniq("al"), "-", "") + "_"
	names := []string{pre + "a_1", pre + "a_2", pre + "b", pre + "c"}
	for _, n := range names {
		s.do(t, "PUT", p(n), nil).expect(t, 201)
	}
	s.put(t, names[2], "o1", randBytes(10))
	s.put(t, names[2], "o2", randBytes(20))

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{q("prefix", pre), names},
		{q("prefix", pre, "limit", "2"), names[:2]},
		{q("prefix", pre, "marker", names[1]), names[2:]},
		{q("prefix", pre, "end_marker", names[2]), names[:2]},
		{q("prefix", pre, "reverse", "true"), []string{names[3], names[2], names[1], names[0]}},
		{q("prefix", pre, "delimiter", "_"), []string{pre + "a_", pre + "b", pre + "c"}},
		{q("prefix", pre+"zzz"), nil},
	} {
		if got := s.listing(t, "", tc.query); !equalStrings(got, tc.want) {
			t.Errorf("GET account%s = %q, want %q", tc.query, got, tc.want)
		}
	}
	// An empty plain account listing is 204.
	s.do(t, "GET", q("prefix", pre+"zzz"), nil).check(t, 204)

	eventually(t, 10*time.Second, "account JSON listing to show the container's objects", func() string {
		for _, e := range s.jsonListing(t, "", q("prefix", names[2])) {
			if e["name"] == names[2] {
				if e["count"] == 2.0 && e["bytes"] == 30.0 {
					return ""
				}
				return fmt.Sprintf("row %v, want count 2 bytes 30", e)
			}
		}
		return "no row for " + names[2]
	})
	// JSON subdir entries for the delimiter.
	js := s.jsonListing(t, "", q("prefix", pre, "delimiter", "_"))
	if len(js) != 3 || js[0]["subdir"] != pre+"a_" {
		t.Errorf("JSON account listing with delimiter = %v, want a subdir entry %q first", js, pre+"a_")
	}
	// XML.
	x := s.do(t, "GET", q("prefix", pre, "format", "xml"), nil).expect(t, 200)
	doc := parseXMLListing(t, x.Body)
	if doc.root != "account" || doc.name != "AUTH_test" || !equalStrings(doc.names, names) {
		t.Errorf("XML account listing: root %q name %q entries %q; want account, AUTH_test, %q\n%s", doc.root, doc.name, doc.names, names, x.Body)
	}
	// A plain user may not list the account.
	as(t, tester3).do(t, "GET", "", nil).check(t, 403)
}
