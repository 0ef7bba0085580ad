package dataset

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sciswift/sciswift/server/proxy/subrequest"
	"github.com/sciswift/sciswift/server/swift"
)

// headSize is how much of an object is fetched to recognise its format;
// HDF5 may put its signature after a user block of up to 2 KiB here.
const headSize = 4096

// headerFormat marks the manifest of a VOL-written file.
const headerFormat = "X-Object-Meta-Sciswift-Format"

// source is one stored object read by Range GETs through the pipeline,
// as the client that asked: a formats.Object. Every read after the first
// carries If-Match with the ETag the first one saw, so an object
// overwritten while it is being read fails the read (409) rather than
// mixing the bytes of two versions.
type source struct {
	sub   *subrequest.Client
	orig  *http.Request
	path  string // escaped "/v1/a/c/o"
	size  int64
	etag  string // unquoted
	stamp string // X-Timestamp of the version read
	meta  http.Header
	head  []byte // the first bytes, kept for the drivers' first reads

	// read counts the bytes fetched from the store, head included; the
	// sources and store of one request share it.
	read *atomic.Int64
	mu   sync.Mutex
	err  error // the first failed fetch, which explains any driver error after it
}

// openSource fetches the head of the object at escapedPath. A failure of
// the subrequest itself (401, 403, 404, …) comes back as resp, to be
// relayed to the client unchanged, as a GET of the object would answer.
func openSource(ctx context.Context, sub *subrequest.Client, orig *http.Request, escapedPath string, read *atomic.Int64) (*source, *http.Response, error) {
	req, err := sub.NewRequest(orig, http.MethodGet, escapedPath, "", "DS Head", nil)
	if err != nil {
		return nil, nil, err
	}
	req = req.WithContext(ctx)
	req.Header.Set("Range", fmt.Sprintf("bytes=0-%d", headSize-1))
	resp, err := sub.Do(req)
	if err != nil {
		return nil, nil, err
	}
	s := &source{sub: sub, orig: orig, path: escapedPath, meta: resp.Header, read: read,
		etag: strings.Trim(resp.Header.Get("Etag"), `"`), stamp: resp.Header.Get(swift.HeaderTimestamp)}
	switch resp.StatusCode {
	case http.StatusOK:
		s.size = resp.ContentLength
	case http.StatusPartialContent:
		s.size, err = totalSize(resp.Header.Get("Content-Range"))
	case http.StatusRequestedRangeNotSatisfiable:
		// Only an empty object has no byte 0.
		resp.Body.Close()
		return s, nil, nil
	default:
		return nil, resp, nil
	}
	defer resp.Body.Close()
	if err != nil {
		return nil, nil, err
	}
	s.head, err = io.ReadAll(io.LimitReader(resp.Body, headSize))
	if err != nil {
		return nil, nil, swift.Errorf(swift.ErrServiceUnavailable, "reading %s: %v", escapedPath, err)
	}
	if s.size < 0 || int64(len(s.head)) > s.size {
		return nil, nil, swift.Errorf(swift.ErrBadGateway, "reading %s: %d bytes of an object of %d", escapedPath, len(s.head), s.size)
	}
	s.read.Add(int64(len(s.head)))
	return s, nil, nil
}

// totalSize reads the length after the slash of "bytes a-b/N".
func totalSize(contentRange string) (int64, error) {
	_, total, ok := strings.Cut(contentRange, "/")
	n, err := strconv.ParseInt(total, 10, 64)
	if !ok || err != nil || n < 0 {
		return 0, swift.Errorf(swift.ErrBadGateway, "unusable Content-Range %q", contentRange)
	}
	return n, nil
}

func (s *source) Size() int64 { return s.size }

// ReadAt implements io.ReaderAt with one Range GET per call beyond the
// head.
func (s *source) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("dataset: negative offset %d", off)
	}
	if off >= s.size {
		return 0, io.EOF
	}
	want := p[:min(int64(len(p)), s.size-off)]
	var n int
	if off+int64(len(want)) <= int64(len(s.head)) {
		n = copy(want, s.head[off:])
	} else {
		var err error
		if n, err = s.fetch(want, off); err != nil {
			return n, s.fail(err)
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (s *source) fetch(p []byte, off int64) (int, error) {
	req, err := s.sub.NewRequest(s.orig, http.MethodGet, s.path, "", "DS Read", nil)
	if err != nil {
		return 0, err
	}
	last := off + int64(len(p)) - 1
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, last))
	if s.etag != "" {
		req.Header.Set("If-Match", `"`+s.etag+`"`)
	}
	resp, err := s.sub.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusPreconditionFailed:
		return 0, swift.Errorf(swift.ErrConflict, "%s changed while it was being read (ETag was %s); retry the request", s.path, s.etag)
	case resp.StatusCode == http.StatusOK && off == 0 && resp.ContentLength == s.size:
	case resp.StatusCode != http.StatusPartialContent:
		body, _, _ := subrequest.ReadBody(resp, 512)
		return 0, fmt.Errorf("%w: reading bytes %d-%d of %s", swift.FromStatus(resp.StatusCode, string(body)), off, last, s.path)
	}
	n, err := io.ReadFull(resp.Body, p)
	s.read.Add(int64(n))
	if err != nil {
		return n, swift.Errorf(swift.ErrServiceUnavailable, "reading bytes %d-%d of %s: %v", off, last, s.path, err)
	}
	return n, nil
}

// fail remembers the first fetch error: drivers may wrap it as a corrupt
// file, when the truth is that the store failed or the object changed.
func (s *source) fail(err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
	}
	return err
}

func (s *source) failure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}
