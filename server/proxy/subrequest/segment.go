package subrequest

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/sciswift/sciswift/server/swift"
)

// Segment is a byte range of one object that is part of a large object.
type Segment struct {
	// Path is the object's escaped path, "/v1/AUTH_a/c/o".
	Path string
	// First and Last are the inclusive byte range wanted; Last < 0 reads
	// to the end of the object.
	First, Last int64
	// Size and ETag are what the object must still be, as an SLO manifest
	// records them. Size < 0 and ETag "" skip the checks: a DLO segment is
	// whatever the listing finds.
	Size int64
	ETag string
}

// OpenSegment GETs s as a subrequest, the way Swift's SegmentedIterable
// fetches each segment, and checks that the object is still what the
// manifest says. The reader yields exactly the bytes wanted and fails if
// the object ends early or, when the whole object was read, if its MD5 is
// not its ETag. Every failure wraps swift.ErrConflict: before the first
// byte is sent that is the client's answer, as in Swift.
func (c *Client) OpenSegment(orig *http.Request, agent string, s Segment) (io.ReadCloser, error) {
	req, err := c.NewRequest(orig, http.MethodGet, s.Path, "multipart-manifest=get", agent, nil)
	if err != nil {
		return nil, err
	}
	ranged := s.First != 0 || (s.Last >= 0 && s.Last != s.Size-1)
	if ranged {
		end := ""
		if s.Last >= 0 && s.Last != s.Size-1 {
			end = strconv.FormatInt(s.Last, 10)
		}
		req.Header.Set("Range", "bytes="+strconv.FormatInt(s.First, 10)+"-"+end)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, segmentError("While processing manifest %s, %v", orig.URL.Path, err)
	}
	if err := checkSegment(orig, s, resp, ranged); err != nil {
		resp.Body.Close()
		return nil, err
	}
	sr := &segmentReader{body: resp.Body, path: s.Path, remaining: -1, etag: unquote(resp.Header.Get("Etag"))}
	if s.Last >= 0 {
		sr.remaining = s.Last - s.First + 1
	}
	if ranged && resp.StatusCode != http.StatusPartialContent {
		// The server sent the whole object; skip to the range.
		if _, err := io.CopyN(io.Discard, resp.Body, s.First); err != nil {
			resp.Body.Close()
			return nil, segmentError("Not enough bytes for %s", s.Path)
		}
	}
	if !ranged && sr.etag != "" {
		sr.hash = md5.New()
	}
	return sr, nil
}

func checkSegment(orig *http.Request, s Segment, resp *http.Response, ranged bool) error {
	if resp.StatusCode/100 != 2 {
		return segmentError("While processing manifest %s, got %d while retrieving %s", orig.URL.Path, resp.StatusCode, s.Path)
	}
	etag := unquote(resp.Header.Get("Etag"))
	// The size check matters beyond integrity: without it a small object
	// swapped in under a big one's name would let a manifest that repeats
	// it cost far more backend reads than the bytes it returns.
	badSize := s.Size >= 0 && !ranged && resp.ContentLength != s.Size
	if (s.ETag != "" && etag != s.ETag) || badSize {
		return segmentError("Object segment no longer valid: %s etag: %s != %s or %d != %d.",
			s.Path, etag, s.ETag, resp.ContentLength, s.Size)
	}
	return nil
}

func segmentError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", swift.ErrConflict, fmt.Sprintf(format, args...))
}

// unquote strips the quotes Swift puts around ETag values.
func unquote(etag string) string {
	if len(etag) >= 2 && etag[0] == '"' && etag[len(etag)-1] == '"' {
		return etag[1 : len(etag)-1]
	}
	return etag
}

// segmentReader yields the wanted bytes of one segment response.
type segmentReader struct {
	body      io.ReadCloser
	path      string
	remaining int64 // < 0: until the object ends
	hash      hash.Hash
	etag      string
}

func (sr *segmentReader) Read(p []byte) (int, error) {
	if sr.remaining == 0 {
		return 0, sr.finish()
	}
	if sr.remaining > 0 && int64(len(p)) > sr.remaining {
		p = p[:sr.remaining]
	}
	n, err := sr.body.Read(p)
	if sr.hash != nil {
		sr.hash.Write(p[:n])
	}
	if sr.remaining > 0 {
		sr.remaining -= int64(n)
	}
	if err == io.EOF {
		if sr.remaining > 0 {
			return n, segmentError("Not enough bytes for %s; closing connection", sr.path)
		}
		return n, sr.finish()
	}
	return n, err
}

func (sr *segmentReader) finish() error {
	if sr.hash == nil {
		return io.EOF
	}
	got := hex.EncodeToString(sr.hash.Sum(nil))
	sr.hash = nil
	if !strings.EqualFold(got, sr.etag) {
		return segmentError("Bad MD5 checksum for %s: headers had %s, but object MD5 was actually %s", sr.path, sr.etag, got)
	}
	return io.EOF
}

func (sr *segmentReader) Close() error { return sr.body.Close() }
