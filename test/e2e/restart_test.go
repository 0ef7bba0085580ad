package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/sciswift/sciswift/test/testserver"
)

// TestGracefulStopAndRestart runs a private server, stops it with SIGTERM
// while a PUT is in flight (the PUT must complete, the exit status must
// be 0), restarts it on the same data directory and port, and checks
// that everything is still there.
func TestGracefulStopAndRestart(t *testing.T) {
	t.Parallel()
	ownServer(t)
	dir := t.TempDir()
	data, logPath := filepath.Join(dir, "data"), filepath.Join(dir, "server.log")
	s1, err := testserver.Start(binPath, "", data, "", logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s1.Kill)
	sess := login(t, s1.BaseURL, tester)

	c := sess.mkContainer(t, "keep", "X-Container-Meta-Project", "sciswift")
	objects := map[string][]byte{
		"a":         randBytes(10),
		"dir/b":     randBytes(1000),
		"dir/sub/c": randBytes(3 << 20),
		"ünï":       []byte("unicode"),
	}
	for n, d := range objects {
		sess.put(t, c, n, d, "X-Object-Meta-Name", fmt.Sprint(len(n)))
	}
	sess.put(t, c, "deleted", []byte("gone"))
	sess.do(t, "DELETE", p(c, "deleted"), nil).expect(t, 204)
	segc := sess.mkContainer(t, "keepseg")
	sess.put(t, segc, "m/1", []byte("part one,"))
	sess.put(t, segc, "m/2", []byte(" part two"))
	sess.put(t, c, "manifest", nil, "X-Object-Manifest", segc+"/m/")

	// A PUT in flight when SIGTERM arrives.
	inflight := randBytes(1 << 20)
	pr, pw := io.Pipe()
	req := newRequest(t, "PUT", sess.storageURL+p(c, "inflight"), pr, "X-Auth-Token", sess.token)
	req.ContentLength = int64(len(inflight))
	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		res, err := httpClient.Do(req)
		if err != nil {
			done <- result{0, err}
			return
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		done <- result{res.StatusCode, nil}
	}()
	if _, err := pw.Write(inflight[:len(inflight)/2]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // let the request reach its handler
	if err := s1.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if !s1.Running() {
		t.Fatalf("the server exited within 500ms of SIGTERM with a PUT in flight (%v); it must finish in-flight requests first", s1.ExitError(""))
	}
	// New connections are no longer accepted.
	fresh := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}, Timeout: 3 * time.Second}
	if res, err := fresh.Get(s1.BaseURL + "/healthcheck"); err == nil {
		res.Body.Close()
		if res.StatusCode == 200 {
			t.Errorf("a new connection after SIGTERM was served (200): the listener should be closed")
		}
	}
	if _, err := pw.Write(inflight[len(inflight)/2:]); err != nil {
		t.Fatalf("the server stopped reading the in-flight PUT: %v", err)
	}
	pw.Close()
	select {
	case r := <-done:
		if r.err != nil || r.status != 201 {
			t.Fatalf("in-flight PUT during shutdown: status %d, err %v; want 201", r.status, r.err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("in-flight PUT did not complete after SIGTERM")
	}
	if err := s1.WaitExit(stopTimeout); err != nil {
		t.Fatalf("after SIGTERM and the last request: %v", err)
	}
	objects["inflight"] = inflight

	// Restart on the same data directory and port.
	s2, err := testserver.Start(binPath, s1.Addr, data, "", logPath)
	if err != nil {
		t.Fatalf("restarting on the same data directory: %v", err)
	}
	t.Cleanup(func() {
		if s2.Running() {
			if _, err := s2.Stop(stopTimeout); err != nil {
				t.Errorf("stopping the restarted server: %v", err)
			}
		}
	})
	if r := sess.do(t, "HEAD", "", nil); r.Status != 204 {
		t.Logf("note: a token issued before the restart is no longer valid (%d); clients re-authenticate", r.Status)
	}
	sess = login(t, s2.BaseURL, tester)

	for n, d := range objects {
		g := sess.get(t, c, n)
		if !bytes.Equal(g.Body, d) {
			t.Errorf("after restart %s has %d different bytes", n, len(g.Body))
		}
		if n != "inflight" {
			g.hdr(t, "X-Object-Meta-Name", fmt.Sprint(len(n)))
		}
	}
	sess.do(t, "GET", p(c, "deleted"), nil).check(t, 404)
	if g := sess.get(t, c, "manifest"); string(g.Body) != "part one, part two" {
		t.Errorf("DLO after restart: %q", g.Body)
	}
	want := []string{"a", "dir/b", "dir/sub/c", "inflight", "manifest", "ünï"}
	if l := sess.listing(t, p(c), ""); !equalStrings(l, want) {
		t.Errorf("listing after restart %q, want %q", l, want)
	}
	if l := sess.listing(t, p(c), q("prefix", "dir/", "delimiter", "/")); !equalStrings(l, []string{"dir/b", "dir/sub/"}) {
		t.Errorf("delimiter listing after restart %q", l)
	}
	h := sess.do(t, "HEAD", p(c), nil).expect(t, 204)
	var bytesUsed int
	for _, d := range objects {
		bytesUsed += len(d)
	}
	h.hdr(t, "X-Container-Object-Count", fmt.Sprint(len(objects)+1))
	h.hdr(t, "X-Container-Bytes-Used", fmt.Sprint(bytesUsed))
	h.hdr(t, "X-Container-Meta-Project", "sciswift")
	eventually(t, 10*time.Second, "account totals after restart", func() string {
		a := headAccount(t, sess)
		wantA := accountStats{2, int64(len(objects) + 1 + 2), int64(bytesUsed + len("part one,") + len(" part two"))}
		if a != wantA {
			return fmt.Sprintf("got %+v, want %+v", a, wantA)
		}
		return ""
	})
	// And it still takes writes.
	sess.put(t, c, "after-restart", []byte("ok"))
}
