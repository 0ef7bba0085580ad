package container

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sciswift/sciswift/server/swift"
)

// fakeAccount is an account server that records the container reports it
// gets and answers with status.
type fakeAccount struct {
	srv    *httptest.Server
	status atomic.Int32
	// hold, while set, keeps every report waiting until it is closed.
	hold atomic.Pointer[chan struct{}]

	mu       sync.Mutex
	reports  []report
	inFlight map[string]int
	maxPer   int // most concurrent reports seen for one container
}

type report struct {
	path                 string
	put, del             string
	count, bytes, userAg string
}

func newFakeAccount(t *testing.T) *fakeAccount {
	f := &fakeAccount{inFlight: map[string]int{}}
	f.status.Store(http.StatusCreated)
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAccount) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.inFlight[r.URL.Path]++
	f.maxPer = max(f.maxPer, f.inFlight[r.URL.Path])
	f.mu.Unlock()
	if hold := f.hold.Load(); hold != nil {
		<-*hold
	}
	f.mu.Lock()
	f.inFlight[r.URL.Path]--
	f.reports = append(f.reports, report{
		path: r.URL.EscapedPath(), put: r.Header.Get("X-Put-Timestamp"), del: r.Header.Get("X-Delete-Timestamp"),
		count: r.Header.Get("X-Object-Count"), bytes: r.Header.Get("X-Bytes-Used"), userAg: r.Header.Get("User-Agent"),
	})
	f.mu.Unlock()
	w.WriteHeader(int(f.status.Load()))
}

func (f *fakeAccount) host() string { u, _ := url.Parse(f.srv.URL); return u.Host }

func (f *fakeAccount) snapshot() []report {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]report(nil), f.reports...)
}

// targetHeaders point account updates at hosts (comma-separated) on
// device sda, partition 3.
func targetHeaders(hosts ...string) []string {
	devs := make([]string, len(hosts))
	for i := range devs {
		devs[i] = "sda"
	}
	return []string{
		swift.HeaderAccountHost, strings.Join(hosts, ","),
		swift.HeaderAccountDevice, strings.Join(devs, ","),
		swift.HeaderAccountPartition, "3",
	}
}

func TestAccountUpdateOnPutAndDelete(t *testing.T) {
	acct := newFakeAccount(t)
	s := newTestServer(t, swift.Limits{})
	if w := call(s, "PUT", "/d1/0/a/c%20x", with(T(1), targetHeaders(acct.host())...)...); w.Code != 201 {
		t.Fatalf("PUT = %d", w.Code)
	}
	// The PUT waits for its report.
	got := acct.snapshot()
	want := report{path: "/sda/3/a/c%20x", put: "1700000001.00000", del: "0000000000.00000", count: "0", bytes: "0"}
	if len(got) != 1 || got[0].path != want.path || got[0].put != want.put || got[0].del != want.del || got[0].count != "0" {
		t.Fatalf("reports after PUT = %+v, want [%+v]", got, want)
	}
	if !strings.HasPrefix(got[0].userAg, "container-server ") {
		t.Errorf("User-Agent = %q", got[0].userAg)
	}
	// DELETE reports to the target recorded at PUT.
	if w := call(s, "DELETE", "/d1/0/a/c%20x", T(2)...); w.Code != 204 {
		t.Fatalf("DELETE = %d", w.Code)
	}
	got = acct.snapshot()
	if len(got) != 2 || got[1].del != "1700000002.00000" || got[1].put != "1700000001.00000" {
		t.Fatalf("reports after DELETE = %+v", got)
	}
}

func TestAccountUpdateStatuses(t *testing.T) {
	tests := []struct {
		name      string
		statuses  []int32 // one fake account server each
		putStatus int
	}{
		{"created", []int32{201}, 201},
		{"all replicas 404", []int32{404, 404}, 404},
		{"one replica 404", []int32{404, 201}, 201},
		{"account server failing is only logged", []int32{503}, 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hosts []string
			for _, st := range tt.statuses {
				a := newFakeAccount(t)
				a.status.Store(st)
				hosts = append(hosts, a.host())
			}
			s := newTestServer(t, swift.Limits{})
			if w := call(s, "PUT", "/d1/0/a/c", with(T(1), targetHeaders(hosts...)...)...); w.Code != tt.putStatus {
				t.Errorf("PUT = %d, want %d", w.Code, tt.putStatus)
			}
		})
	}
	// An unreachable account server is logged, the PUT still succeeds.
	s := newTestServer(t, swift.Limits{})
	if w := call(s, "PUT", "/d1/0/a/c", with(T(1), targetHeaders("127.0.0.1:1")...)...); w.Code != 201 {
		t.Errorf("PUT with unreachable account server = %d, want 201", w.Code)
	}
}

// TestAccountUpdatesFollowRows: while the account server holds a report,
// further row updates coalesce into one report, reports for one container
// never overlap and arrive in order, and the last carries the final totals.
func TestAccountUpdatesFollowRows(t *testing.T) {
	acct := newFakeAccount(t)
	s := newTestServer(t, swift.Limits{})
	call(s, "PUT", "/d1/0/a/c", with(T(1), targetHeaders(acct.host())...)...)
	hold := make(chan struct{})
	acct.hold.Store(&hold)
	const rows = 60
	for i := range rows {
		w := call(s, "PUT", fmt.Sprintf("/d1/0/a/c/o%d", i), with(T(int64(2+i)), swift.HeaderSize, "10")...)
		if w.Code != 201 {
			t.Fatalf("row %d: %d", i, w.Code)
		}
	}
	close(hold)
	waitFor(t, func() bool {
		r := acct.snapshot()
		return r[len(r)-1].count == strconv.Itoa(rows)
	})
	reports := acct.snapshot()
	last := -1
	for _, r := range reports {
		n, _ := strconv.Atoi(r.count)
		if n < last {
			t.Fatalf("report with %d objects after one with %d: out of order", n, last)
		}
		last = n
	}
	if reports[len(reports)-1].bytes != strconv.Itoa(10*rows) {
		t.Errorf("final bytes = %s", reports[len(reports)-1].bytes)
	}
	// The PUT's report, the first row's (held), one for all the others.
	if len(reports) != 3 {
		t.Errorf("%d reports for a PUT and %d rows, want 3: updates did not coalesce", len(reports), rows)
	}
	acct.mu.Lock()
	defer acct.mu.Unlock()
	if acct.maxPer > 1 {
		t.Errorf("%d concurrent reports for one container", acct.maxPer)
	}
}

// TestConcurrentRows sends concurrent row PUTs and DELETEs over HTTP, the
// same names raced with shuffled timestamps, and checks the container's
// counts and the account's last report against the winning rows.
func TestConcurrentRows(t *testing.T) {
	acct := newFakeAccount(t)
	s := newTestServer(t, swift.Limits{})
	call(s, "PUT", "/d1/0/a/c", with(T(1), targetHeaders(acct.host())...)...)
	const workers, perWorker, names = 8, 40, 6
	type op struct {
		name    string
		at      int64
		size    int
		deleted bool
	}
	var ops []op
	for i := range workers * perWorker {
		// Timestamps interleave across workers, so older updates often
		// land after newer ones.
		ops = append(ops, op{name: fmt.Sprint("o", i%names), at: int64(10 + (i*7919)%(workers*perWorker)), size: i % 13, deleted: i%4 == 0})
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for _, o := range ops[w*perWorker : (w+1)*perWorker] {
				method, hdr, want := "PUT", with(T(o.at), swift.HeaderSize, strconv.Itoa(o.size)), 201
				if o.deleted {
					method, hdr, want = "DELETE", T(o.at), 204
				}
				if got := call(s, method, "/d1/0/a/c/"+o.name, hdr...); got.Code != want {
					t.Errorf("%s %s = %d", method, o.name, got.Code)
				}
			}
		})
	}
	wg.Wait()
	winners := map[string]op{}
	for _, o := range ops {
		if w, ok := winners[o.name]; !ok || o.at > w.at {
			winners[o.name] = o
		}
	}
	count, bytes := 0, 0
	for _, o := range winners {
		if !o.deleted {
			count, bytes = count+1, bytes+o.size
		}
	}
	w := call(s, "HEAD", "/d1/0/a/c")
	if w.Header().Get("X-Container-Object-Count") != strconv.Itoa(count) || w.Header().Get("X-Container-Bytes-Used") != strconv.Itoa(bytes) {
		t.Errorf("HEAD count %s bytes %s, want %d %d", w.Header().Get("X-Container-Object-Count"),
			w.Header().Get("X-Container-Bytes-Used"), count, bytes)
	}
	waitFor(t, func() bool {
		r := acct.snapshot()
		return r[len(r)-1].count == strconv.Itoa(count) && r[len(r)-1].bytes == strconv.Itoa(bytes)
	})
}

// waitFor polls cond: row updates report asynchronously.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
