package dataset

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/sciswift/sciswift/server/proxy/subrequest"
	"github.com/sciswift/sciswift/server/swift"
)

// IndexAccount is the hidden account that holds HDF5 indexes: container
// = the source object's account, object = "container/object".
const IndexAccount = ".sciswift_index"

// Metadata of a stored index: the version of the object it describes.
const (
	headerIndexETag      = "X-Object-Meta-Source-Etag"
	headerIndexTimestamp = "X-Object-Meta-Source-Timestamp"
)

// maxIndexBytes bounds a stored index read back into memory.
const maxIndexBytes = 1 << 30

// StoreIndexes keeps indexes in IndexAccount through a handler that
// serves hidden accounts (proxy.Server.InternalHandler), reached by HTTP
// at Endpoint.
type StoreIndexes struct {
	HTTP     *http.Client
	Endpoint string
}

func (s *StoreIndexes) path(key IndexKey) string {
	return swift.EscapePath("v1", IndexAccount, key.Account, key.Container+"/"+key.Object)
}

func (s *StoreIndexes) do(ctx context.Context, method, escapedPath string, h http.Header, body []byte) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.Endpoint+escapedPath, rd)
	if err != nil {
		return nil, err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set(subrequest.Header, subrequestSource)
	resp, err := s.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("index store: %s %s: %w", method, escapedPath, err)
	}
	return resp, nil
}

// Load implements IndexStore.
func (s *StoreIndexes) Load(ctx context.Context, key IndexKey) ([]byte, Version, bool, error) {
	resp, err := s.do(ctx, http.MethodGet, s.path(key), nil, nil)
	if err != nil {
		return nil, Version{}, false, err
	}
	body, truncated, err := subrequest.ReadBody(resp, maxIndexBytes)
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, Version{}, false, nil
	case resp.StatusCode != http.StatusOK:
		return nil, Version{}, false, fmt.Errorf("index store: GET %s: %w", key.Object, swift.FromStatus(resp.StatusCode, string(body)))
	case err != nil || truncated:
		return nil, Version{}, false, fmt.Errorf("index store: reading the index of %s: %v (truncated: %v)", key.Object, err, truncated)
	}
	v := Version{ETag: resp.Header.Get(headerIndexETag), Timestamp: resp.Header.Get(headerIndexTimestamp)}
	return body, v, true, nil
}

// Save implements IndexStore, creating the container on first use.
func (s *StoreIndexes) Save(ctx context.Context, key IndexKey, v Version, data []byte) error {
	h := http.Header{}
	h.Set(headerIndexETag, v.ETag)
	h.Set(headerIndexTimestamp, v.Timestamp)
	h.Set("Content-Type", "application/octet-stream")
	status, err := s.status(ctx, http.MethodPut, s.path(key), h, data)
	if err == nil && status == http.StatusNotFound {
		status, err = s.status(ctx, http.MethodPut, swift.EscapePath("v1", IndexAccount, key.Account), nil, []byte{})
		if err == nil && status/100 == 2 {
			status, err = s.status(ctx, http.MethodPut, s.path(key), h, data)
		}
	}
	if err == nil && status/100 != 2 {
		err = fmt.Errorf("index store: PUT the index of %s: status %d", key.Object, status)
	}
	return err
}

// Delete implements IndexStore; a missing index is not an error.
func (s *StoreIndexes) Delete(ctx context.Context, key IndexKey) error {
	status, err := s.status(ctx, http.MethodDelete, s.path(key), nil, nil)
	if err == nil && status/100 != 2 && status != http.StatusNotFound {
		err = fmt.Errorf("index store: DELETE the index of %s: status %d", key.Object, status)
	}
	return err
}

func (s *StoreIndexes) status(ctx context.Context, method, escapedPath string, h http.Header, body []byte) (int, error) {
	resp, err := s.do(ctx, method, escapedPath, h, body)
	if err != nil {
		return 0, err
	}
	_, _, _ = subrequest.ReadBody(resp, 4096)
	return resp.StatusCode, nil
}
