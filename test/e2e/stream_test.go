package e2e

import (
	"bufio"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// genReader streams size bytes cut cyclically from a random block whose
// length is not a power of two, so no two MiB of the stream are equal.
type genReader struct {
	block     []byte
	off       int
	remaining int64
}

func newGenReader(size int64) *genReader {
	return &genReader{block: randBytes(1<<20 + 13), remaining: size}
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.remaining <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > g.remaining {
		p = p[:g.remaining]
	}
	n := copy(p, g.block[g.off:])
	g.off = (g.off + n) % len(g.block)
	g.remaining -= int64(n)
	return n, nil
}

// peakRSS is the server process's peak resident set (VmHWM) in bytes.
func peakRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}

// TestLargeObjectStreaming PUTs and GETs 256 MiB through raw HTTP. The
// data is generated and checked by streaming MD5 on the client, never
// held in memory, and the server's peak memory must stay well below the
// object size.
func TestLargeObjectStreaming(t *testing.T) {
	t.Parallel()
	const size = 256 << 20
	s := as(t, tester)
	c := s.mkContainer(t, "stream")

	sum := md5.New()
	req := newRequest(t, "PUT", s.storageURL+p(c, "big"), io.TeeReader(newGenReader(size), sum), "X-Auth-Token", s.token, "Content-Type", "application/octet-stream")
	req.ContentLength = size
	t0 := time.Now()
	res, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("PUT 256 MiB: %v", err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	putTime := time.Since(t0)
	if res.StatusCode != 201 {
		t.Fatalf("PUT 256 MiB: %s", res.Status)
	}
	want := hex.EncodeToString(sum.Sum(nil))
	if got := unquote(res.Header.Get("Etag")); got != want {
		t.Fatalf("PUT 256 MiB: Etag %q, want %q", got, want)
	}

	h := s.do(t, "HEAD", p(c, "big"), nil).expect(t, 200)
	h.hdr(t, "Content-Length", strconv.Itoa(size))

	t0 = time.Now()
	greq := newRequest(t, "GET", s.storageURL+p(c, "big"), nil, "X-Auth-Token", s.token)
	gres, err := httpClient.Do(greq)
	if err != nil {
		t.Fatal(err)
	}
	defer gres.Body.Close()
	if gres.StatusCode != 200 {
		t.Fatalf("GET 256 MiB: %s", gres.Status)
	}
	gsum := md5.New()
	n, err := io.CopyBuffer(gsum, gres.Body, make([]byte, 1<<20))
	if err != nil {
		t.Fatalf("GET 256 MiB: read %d bytes: %v", n, err)
	}
	getTime := time.Since(t0)
	if n != size || hex.EncodeToString(gsum.Sum(nil)) != want {
		t.Fatalf("GET 256 MiB: %d bytes with MD5 %x, want %d bytes with MD5 %s", n, gsum.Sum(nil), size, want)
	}
	t.Logf("256 MiB: PUT %s (%.0f MB/s), GET %s (%.0f MB/s)", putTime.Round(time.Millisecond), float64(size)/putTime.Seconds()/1e6,
		getTime.Round(time.Millisecond), float64(size)/getTime.Seconds()/1e6)

	// A range far into the object streams too.
	r := s.do(t, "GET", p(c, "big"), nil, "Range", fmt.Sprintf("bytes=%d-%d", size-100, size-1)).expect(t, 206)
	if len(r.Body) != 100 {
		t.Errorf("tail range: %d bytes", len(r.Body))
	}

	if external {
		// not our process
	} else if hwm, err := peakRSS(srv.PID()); err != nil {
		t.Logf("cannot read the server's peak memory: %v", err)
	} else {
		t.Logf("server peak RSS (VmHWM) so far: %d MiB", hwm>>20)
		if hwm >= 200<<20 {
			t.Errorf("server peak RSS %d MiB after a 256 MiB PUT/GET: objects must stream, not be buffered", hwm>>20)
		}
	}
	s.do(t, "DELETE", p(c, "big"), nil).expect(t, 204)
}
