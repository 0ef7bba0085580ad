package dataset

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/server/proxy/subrequest"
	"github.com/sciswift/sciswift/server/swift"
)

// containerStore is one container as formats.ObjectStore sees it, read
// through the pipeline with the client's token: how a VOL-written file's
// manifest, documents and chunks are read.
type containerStore struct {
	sub  *subrequest.Client
	orig *http.Request
	p    swift.Path // the container; Object unused
	read *atomic.Int64
	// maxGet bounds one Get: documents and chunks are small, an object
	// that is not must not be read into memory.
	maxGet int64
}

func (c *containerStore) objectPath(name string) string {
	return swift.EscapePath(c.p.Version, c.p.Account, c.p.Container, name)
}

// Get returns a whole object. multipart-manifest=get reads a stored
// manifest as itself, never as what it stands for.
func (c *containerStore) Get(ctx context.Context, name string) ([]byte, error) {
	resp, err := c.send(ctx, c.objectPath(name), "multipart-manifest=get", "DS Get")
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, c.statusError(resp, name)
	}
	body, truncated, err := subrequest.ReadBody(resp, c.maxGet)
	c.read.Add(int64(len(body)))
	switch {
	case err != nil:
		return nil, swift.Errorf(swift.ErrServiceUnavailable, "reading %s: %v", name, err)
	case truncated:
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", formats.ErrLimit, name, c.maxGet)
	}
	return body, nil
}

// Open returns the object for range reads.
func (c *containerStore) Open(ctx context.Context, name string) (formats.Object, error) {
	src, resp, err := openSource(ctx, c.sub, c.orig, c.objectPath(name), c.read)
	if err != nil {
		return nil, err
	}
	if resp != nil {
		return nil, c.statusError(resp, name)
	}
	return src, nil
}

// listingPage is the most names a container listing returns at once.
const listingPage = 10000

// List pages through the container listing.
func (c *containerStore) List(ctx context.Context, prefix string) ([]formats.ObjectInfo, error) {
	var out []formats.ObjectInfo
	marker := ""
	for {
		q := url.Values{"format": {"json"}, "prefix": {prefix}, "marker": {marker}, "limit": {fmt.Sprint(listingPage)}}
		resp, err := c.send(ctx, swift.EscapePath(c.p.Version, c.p.Account, c.p.Container), q.Encode(), "DS List")
		if err != nil {
			return nil, err
		}
		if resp.StatusCode/100 != 2 {
			return nil, c.statusError(resp, prefix)
		}
		var page []struct {
			Name  string `json:"name"`
			Bytes int64  `json:"bytes"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil && err != io.EOF {
			return nil, swift.Errorf(swift.ErrBadGateway, "listing %s: %v", prefix, err)
		}
		for _, e := range page {
			out = append(out, formats.ObjectInfo{Name: e.Name, Size: e.Bytes})
		}
		if len(page) < listingPage {
			return out, nil
		}
		marker = page[len(page)-1].Name
	}
}

func (c *containerStore) send(ctx context.Context, escapedPath, rawQuery, agent string) (*http.Response, error) {
	req, err := c.sub.NewRequest(c.orig, http.MethodGet, escapedPath, rawQuery, agent, nil)
	if err != nil {
		return nil, err
	}
	return c.sub.Do(req.WithContext(ctx))
}

// statusError turns a failed subrequest into an error: a 404 wraps
// formats.ErrNotFound, as ObjectStore promises, everything else keeps its
// status.
func (c *containerStore) statusError(resp *http.Response, name string) error {
	body, _, _ := subrequest.ReadBody(resp, 512)
	if resp.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%w: %s/%s", formats.ErrNotFound, c.p.Container, name)
	}
	return fmt.Errorf("%w (reading %s/%s)", swift.FromStatus(resp.StatusCode, string(body)), c.p.Container, name)
}
