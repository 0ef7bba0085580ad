// Package bench is sciswift's load generator: it drives a running
// Swift-compatible store with PUTs and GETs of fixed-size objects at chosen
// concurrency levels and reports throughput and latency.
//
// Object data is streamed from one shared random block (no buffer of the
// object size is ever allocated), and every PUT's ETag and every GET's body
// is checked against the MD5 of what was sent, so a fast but wrong store
// cannot produce good figures.
package bench

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config says what to measure.
type Config struct {
	AuthURL string // e.g. http://127.0.0.1:8080/auth/v1.0
	User    string // account:user, e.g. test:tester
	Key     string

	Sizes       []int64 // object sizes in bytes
	Concurrency []int   // client concurrency levels

	// Each phase (PUT, then GET) of each size × concurrency cell runs for
	// Duration, or for exactly Count operations when Count > 0.
	Duration time.Duration
	Count    int

	Container string // created if missing; default "bench"
}

// Result is one phase of one size × concurrency cell.
type Result struct {
	Phase       string // "PUT" or "GET"
	Size        int64
	Concurrency int
	Ops         int           // successful operations
	Errors      int           // failed operations (status, transport or verification)
	Bytes       int64         // payload bytes moved by successful operations
	Elapsed     time.Duration // wall time of the phase
	OpsPerSec   float64
	MBPerSec    float64 // 10^6 bytes per second
	P50, P99    time.Duration
	FirstError  string // the first failure, if any
}

// blockSize is the size of the shared random block object data is cut from.
const blockSize = 1 << 20

// rowFormat lays out the table with fixed widths, so each row can be
// printed (and seen) as soon as its phase ends.
const rowFormat = "%10s %5s %5s %9s %6s %11s %9s %10s %10s\n"

// copyBufSize is the per-worker read buffer for GET bodies.
const copyBufSize = 256 << 10

// Run measures every size × concurrency cell, PUT phase then GET phase,
// printing a table row to out as each phase finishes. It returns all
// results; the error is non-nil when authentication or setup failed, the
// context ended, or any operation failed or returned wrong data.
func Run(ctx context.Context, cfg Config, out io.Writer) ([]Result, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if cfg.Container == "" {
		cfg.Container = "bench"
	}
	maxConc := slices.Max(cfg.Concurrency)
	transport := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        maxConc * 2,
		MaxIdleConnsPerHost: maxConc * 2,
		MaxConnsPerHost:     0,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		WriteBufferSize:     copyBufSize,
		ReadBufferSize:      copyBufSize,
	}
	defer transport.CloseIdleConnections()
	hc := &http.Client{Transport: transport}

	storageURL, token, err := authenticate(ctx, hc, cfg)
	if err != nil {
		return nil, err
	}
	b := &bencher{
		hc:        hc,
		token:     token,
		container: strings.TrimRight(storageURL, "/") + "/" + url.PathEscape(cfg.Container),
		block:     make([]byte, blockSize),
		runID:     randomID(),
	}
	if _, err := rand.Read(b.block); err != nil {
		return nil, fmt.Errorf("bench: random block: %w", err)
	}
	if err := b.createContainer(ctx); err != nil {
		return nil, err
	}

	fmt.Fprintf(out, "sciswift bench: %s (run %s, %s)\n", b.container, b.runID, cfg.describeStop())
	fmt.Fprintf(out, rowFormat, "size", "conc", "phase", "ops", "errors", "ops/s", "MB/s", "p50", "p99")

	var results []Result
	var failures []string
	for _, size := range cfg.Sizes {
		for _, conc := range cfg.Concurrency {
			cell := b.newCell(size, conc)
			for _, phase := range []string{"PUT", "GET"} {
				if ctx.Err() != nil {
					break
				}
				if phase == "GET" && cell.written.Load() == 0 {
					failures = append(failures, fmt.Sprintf("%s × %d: no object was written, GET phase skipped", formatSize(size), conc))
					continue
				}
				r := cell.runPhase(ctx, phase, cfg)
				results = append(results, r)
				fmt.Fprintf(out, rowFormat, formatSize(r.Size), fmt.Sprint(r.Concurrency), r.Phase,
					fmt.Sprint(r.Ops), fmt.Sprint(r.Errors), fmt.Sprintf("%.1f", r.OpsPerSec),
					fmt.Sprintf("%.1f", r.MBPerSec), formatLatency(r.P50), formatLatency(r.P99))
				if r.Errors > 0 {
					failures = append(failures, fmt.Sprintf("%s %s × %d: %d failed, first: %s", r.Phase, formatSize(size), conc, r.Errors, r.FirstError))
				}
			}
			// Clean up between cells so large runs do not fill the disk;
			// not timed, not reported.
			cell.cleanup(context.WithoutCancel(ctx))
		}
	}
	if err := ctx.Err(); err != nil {
		return results, fmt.Errorf("bench: interrupted: %w", err)
	}
	if len(failures) > 0 {
		return results, fmt.Errorf("bench: %d phase(s) had failures:\n  %s", len(failures), strings.Join(failures, "\n  "))
	}
	return results, nil
}

func (c Config) check() error {
	switch {
	case c.AuthURL == "":
		return errors.New("bench: AuthURL is required")
	case c.User == "":
		return errors.New("bench: User is required")
	case len(c.Sizes) == 0:
		return errors.New("bench: at least one object size is required")
	case len(c.Concurrency) == 0:
		return errors.New("bench: at least one concurrency level is required")
	case c.Count <= 0 && c.Duration <= 0:
		return errors.New("bench: set Count (operations per phase) or Duration (time per phase)")
	}
	for _, s := range c.Sizes {
		if s < 0 {
			return fmt.Errorf("bench: object size %d is negative", s)
		}
	}
	for _, n := range c.Concurrency {
		if n <= 0 {
			return fmt.Errorf("bench: concurrency %d must be positive", n)
		}
	}
	return nil
}

func (c Config) describeStop() string {
	if c.Count > 0 {
		return fmt.Sprintf("%d ops per phase", c.Count)
	}
	return fmt.Sprintf("%s per phase", c.Duration)
}

func authenticate(ctx context.Context, hc *http.Client, cfg Config) (storageURL, token string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cfg.AuthURL, nil)
	if err != nil {
		return "", "", fmt.Errorf("bench: auth URL: %w", err)
	}
	req.Header.Set("X-Auth-User", cfg.User)
	req.Header.Set("X-Auth-Key", cfg.Key)
	resp, err := hc.Do(req)
	if err != nil {
		return "", "", fmt.Errorf("bench: auth: %w", err)
	}
	defer drain(resp)
	if resp.StatusCode/100 != 2 {
		return "", "", fmt.Errorf("bench: auth as %s at %s: %s", cfg.User, cfg.AuthURL, resp.Status)
	}
	storageURL, token = resp.Header.Get("X-Storage-Url"), resp.Header.Get("X-Auth-Token")
	if storageURL == "" || token == "" {
		return "", "", fmt.Errorf("bench: auth response lacks X-Storage-Url or X-Auth-Token")
	}
	return storageURL, token, nil
}

type bencher struct {
	hc        *http.Client
	token     string
	container string // full URL of the container
	block     []byte
	runID     string
}

func (b *bencher) createContainer(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, b.container, nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-Auth-Token", b.token)
	resp, err := b.hc.Do(req)
	if err != nil {
		return fmt.Errorf("bench: creating container: %w", err)
	}
	drain(resp)
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("bench: creating container %s: %s", b.container, resp.Status)
	}
	return nil
}

// cell is one size × concurrency combination: the objects its PUT phase
// wrote and their MD5s, which the GET phase checks.
type cell struct {
	b       *bencher
	size    int64
	conc    int
	prefix  string
	mu      sync.Mutex
	md5s    map[int]string // object index → hex MD5 of its data
	written atomic.Int64
}

func (b *bencher) newCell(size int64, conc int) *cell {
	return &cell{
		b: b, size: size, conc: conc,
		prefix: fmt.Sprintf("%s/%d-c%d/", b.runID, size, conc),
		md5s:   map[int]string{},
	}
}

func (c *cell) objectURL(i int) string {
	return c.b.container + "/" + c.prefix + fmt.Sprintf("%08d", i)
}

// runPhase runs conc workers until Count operations were started or the
// duration passed, and summarises them.
func (c *cell) runPhase(ctx context.Context, phase string, cfg Config) Result {
	var (
		next     atomic.Int64
		firstErr sync.Once
		errText  string
		errCount atomic.Int64
		bytes    atomic.Int64
		lats     = make([][]time.Duration, c.conc)
		wg       sync.WaitGroup
	)
	// The GET phase reads the objects the PUT phase wrote, in order,
	// cycling when it runs for longer than the PUT phase did.
	var getIndex []int
	if phase == "GET" {
		c.mu.Lock()
		for i := range c.md5s {
			getIndex = append(getIndex, i)
		}
		c.mu.Unlock()
		slices.Sort(getIndex)
	}
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	for w := 0; w < c.conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			buf := make([]byte, copyBufSize)
			for ctx.Err() == nil {
				n := int(next.Add(1) - 1)
				if cfg.Count > 0 {
					if n >= cfg.Count {
						return
					}
				} else if time.Now().After(deadline) {
					return
				}
				t0 := time.Now()
				var moved int64
				var err error
				if phase == "PUT" {
					moved, err = c.put(ctx, n)
				} else {
					moved, err = c.get(ctx, getIndex[n%len(getIndex)], buf)
				}
				if err != nil {
					if ctx.Err() != nil {
						return // interrupted, not a store failure
					}
					errCount.Add(1)
					firstErr.Do(func() { errText = err.Error() })
					continue
				}
				lats[w] = append(lats[w], time.Since(t0))
				bytes.Add(moved)
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)

	all := slices.Concat(lats...)
	slices.Sort(all)
	r := Result{
		Phase: phase, Size: c.size, Concurrency: c.conc,
		Ops: len(all), Errors: int(errCount.Load()), Bytes: bytes.Load(),
		Elapsed: elapsed, FirstError: errText,
		P50: percentile(all, 50), P99: percentile(all, 99),
	}
	if secs := elapsed.Seconds(); secs > 0 {
		r.OpsPerSec = float64(r.Ops) / secs
		r.MBPerSec = float64(r.Bytes) / secs / 1e6
	}
	return r
}

// put uploads object i, streaming its data and checking the returned ETag.
func (c *cell) put(ctx context.Context, i int) (int64, error) {
	h := md5.New()
	body := io.TeeReader(c.b.objectData(i, c.size), h)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.objectURL(i), io.NopCloser(body))
	if err != nil {
		return 0, err
	}
	req.ContentLength = c.size
	if c.size == 0 {
		req.Body = http.NoBody
	}
	req.Header.Set("X-Auth-Token", c.b.token)
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := c.b.hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("PUT %s: %w", c.objectURL(i), err)
	}
	drain(resp)
	if resp.StatusCode != http.StatusCreated {
		return 0, fmt.Errorf("PUT %s: %s", c.objectURL(i), resp.Status)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if got := strings.Trim(resp.Header.Get("Etag"), `"`); got != sum {
		return 0, fmt.Errorf("PUT %s: ETag %q, but the data sent has MD5 %s", c.objectURL(i), got, sum)
	}
	c.mu.Lock()
	c.md5s[i] = sum
	c.mu.Unlock()
	c.written.Add(1)
	return c.size, nil
}

// get downloads object i and checks its length and MD5.
func (c *cell) get(ctx context.Context, i int, buf []byte) (int64, error) {
	c.mu.Lock()
	want := c.md5s[i]
	c.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.objectURL(i), nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("X-Auth-Token", c.b.token)
	resp, err := c.b.hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("GET %s: %w", c.objectURL(i), err)
	}
	defer drain(resp)
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", c.objectURL(i), resp.Status)
	}
	h := md5.New()
	n, err := io.CopyBuffer(h, resp.Body, buf)
	if err != nil {
		return 0, fmt.Errorf("GET %s: reading body after %d bytes: %w", c.objectURL(i), n, err)
	}
	if n != c.size {
		return 0, fmt.Errorf("GET %s: %d bytes, want %d", c.objectURL(i), n, c.size)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return 0, fmt.Errorf("GET %s: body MD5 %s, but the data written has MD5 %s", c.objectURL(i), got, want)
	}
	return n, nil
}

// cleanup deletes the cell's objects with the cell's concurrency.
func (c *cell) cleanup(ctx context.Context) {
	c.mu.Lock()
	idx := make(chan int, len(c.md5s))
	for i := range c.md5s {
		idx <- i
	}
	c.mu.Unlock()
	close(idx)
	var wg sync.WaitGroup
	for w := 0; w < c.conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range idx {
				req, err := http.NewRequestWithContext(ctx, http.MethodDelete, c.objectURL(i), nil)
				if err != nil {
					continue
				}
				req.Header.Set("X-Auth-Token", c.b.token)
				if resp, err := c.b.hc.Do(req); err == nil {
					drain(resp)
				}
			}
		}()
	}
	wg.Wait()
}

// objectData is the content of object i: size bytes read cyclically from
// the shared random block, starting at an offset that depends on i so
// that objects differ from one another.
func (b *bencher) objectData(i int, size int64) io.Reader {
	off := int((uint64(i)*0x9E3779B97F4A7C15 + 12345) % uint64(len(b.block)))
	return &cyclicReader{block: b.block, off: off, remaining: size}
}

type cyclicReader struct {
	block     []byte
	off       int
	remaining int64
}

func (r *cyclicReader) Read(p []byte) (int, error) {
	if r.remaining <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.remaining {
		p = p[:r.remaining]
	}
	n := copy(p, r.block[r.off:])
	r.off = (r.off + n) % len(r.block)
	r.remaining -= int64(n)
	return n, nil
}

// WriteTo lets io.Copy (and net/http) take the block in large slices
// without an intermediate buffer.
func (r *cyclicReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for r.remaining > 0 {
		chunk := r.block[r.off:]
		if int64(len(chunk)) > r.remaining {
			chunk = chunk[:r.remaining]
		}
		n, err := w.Write(chunk)
		total += int64(n)
		r.off = (r.off + n) % len(r.block)
		r.remaining -= int64(n)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 × n)
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
}

func randomID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%s", time.Now().UTC().Format("20060102T150405"), hex.EncodeToString(b[:]))
}

func formatSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

func formatLatency(d time.Duration) string {
	switch {
	case d == 0:
		return "-"
	case d < time.Millisecond:
		return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}
