package container_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sciswift/sciswift/server/account"
	"github.com/sciswift/sciswift/server/container"
	"github.com/sciswift/sciswift/server/swift"
)

// TestContainerAndAccountServers runs both roles for real, the container
// server reporting to the account server over HTTP, and checks the
// account's listing and totals follow the container's.
func TestContainerAndAccountServers(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "d1"), 0o755); err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.DiscardHandler)
	as, err := account.New(account.Config{Root: root, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	acctHTTP := httptest.NewServer(as)
	cs, err := container.New(container.Config{Root: root, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cs.Close()
		acctHTTP.Close()
		_ = as.Close()
	})
	u, _ := url.Parse(acctHTTP.URL)
	// Every request a distinct, increasing timestamp, however fast the disk.
	clock := time.Now().Unix()
	do := func(h http.Handler, method, path string, hdr ...string) int {
		req := httptest.NewRequest(method, "http://backend"+path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		clock++
		req.Header.Set(swift.HeaderTimestamp, swift.TimestampFromSeconds(clock).Internal())
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	target := []string{swift.HeaderAccountHost, u.Host, swift.HeaderAccountDevice, "d1", swift.HeaderAccountPartition, "0"}

	if got := do(cs, "PUT", "/d1/0/AUTH_x/photos", target...); got != http.StatusNotFound {
		t.Errorf("container PUT before its account = %d, want 404 (every account server said 404)", got)
	}
	if got := do(as, "PUT", "/d1/0/AUTH_x"); got != http.StatusCreated {
		t.Fatalf("account PUT = %d", got)
	}
	if got := do(cs, "PUT", "/d1/0/AUTH_x/photos", target...); got != http.StatusAccepted {
		t.Fatalf("container PUT = %d", got)
	}
	for i := range 5 {
		do(cs, "PUT", fmt.Sprintf("/d1/0/AUTH_x/photos/img%d", i), swift.HeaderSize, "100")
	}
	do(cs, "DELETE", "/d1/0/AUTH_x/photos/img0")
	head := func() (string, string, string) {
		w := httptest.NewRecorder()
		as.ServeHTTP(w, httptest.NewRequest("HEAD", "http://backend/d1/0/AUTH_x", nil))
		h := w.Header()
		return h.Get("X-Account-Container-Count"), h.Get("X-Account-Object-Count"), h.Get("X-Account-Bytes-Used")
	}
	deadline := time.Now().Add(5 * time.Second)
	for c, o, b := head(); c != "1" || o != "4" || b != "400"; c, o, b = head() {
		if time.Now().After(deadline) {
			t.Fatalf("account totals %s/%s/%s, want 1/4/400", c, o, b)
		}
		time.Sleep(5 * time.Millisecond)
	}
	for i := 1; i < 5; i++ {
		do(cs, "DELETE", fmt.Sprintf("/d1/0/AUTH_x/photos/img%d", i))
	}
	if got := do(cs, "DELETE", "/d1/0/AUTH_x/photos"); got != http.StatusNoContent {
		t.Fatalf("container DELETE = %d", got)
	}
	// The container DELETE waits for its report: no polling needed.
	if c, o, b := head(); c != "0" || o != "0" || b != "0" {
		t.Errorf("account totals after container DELETE %s/%s/%s, want 0/0/0", c, o, b)
	}
}
