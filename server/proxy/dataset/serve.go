package dataset

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/formats/encode"
	"github.com/sciswift/sciswift/formats/fits"
	"github.com/sciswift/sciswift/formats/hdf5"
	"github.com/sciswift/sciswift/formats/parquet"
	"github.com/sciswift/sciswift/formats/selection"
	"github.com/sciswift/sciswift/server/proxy/subrequest"
	"github.com/sciswift/sciswift/server/swift"
)

// HeaderSourceBytes is how many bytes of stored objects were read to
// answer: the measure of what a slice saved against a whole download.
const HeaderSourceBytes = "X-Sciswift-Source-Bytes"

// HeaderFormat names the format the object was read as.
const HeaderFormat = "X-Sciswift-Format"

// maxDocument bounds one document or chunk object of a VOL-written file
// read whole.
const maxDocument = 256 << 20

// apiRequest is one ?describe or ?dataset= request being served.
type apiRequest struct {
	w    http.ResponseWriter
	r    *http.Request
	p    swift.Path
	q    query
	read atomic.Int64 // bytes read from the store
	src  *source      // the object itself, once fetched
}

func (m *Middleware) serveAPI(w http.ResponseWriter, r *http.Request, p swift.Path, q query) {
	ar := &apiRequest{w: w, r: r, p: p, q: q}
	f, resp, err := m.open(ar)
	if resp != nil {
		subrequest.Relay(w, r.Method, resp)
		return
	}
	if err == nil {
		if q.describe {
			err = ar.describe(f)
		} else {
			err = ar.slice(f, m.cfg.Limit)
		}
	}
	if err != nil {
		m.fail(ar, err)
	}
}

// fail answers err. When a read of the object failed, that failure is the
// answer, whatever the driver made of it.
func (m *Middleware) fail(ar *apiRequest, err error) {
	if ar.src != nil {
		if cause := ar.src.failure(); cause != nil {
			err = cause
		}
	}
	err = apiError(err)
	if swift.Status(err) >= 500 {
		m.cfg.Logger.Error("dataset API request failed", "path", ar.r.URL.EscapedPath(),
			"trans_id", ar.r.Header.Get(swift.HeaderTransID), "err", err)
	}
	swift.WriteError(ar.w, ar.r, err)
}

// open reads the object's head through the pipeline (so the client's
// right to GET it is checked first) and opens it in the format its bytes
// say. A refused or failed head read comes back as resp, to relay.
func (m *Middleware) open(ar *apiRequest) (formats.File, *http.Response, error) {
	ctx := ar.r.Context()
	path := swift.EscapePath(ar.p.Version, ar.p.Account, ar.p.Container, ar.p.Object)
	src, resp, err := openSource(ctx, m.sub, ar.r, path, &ar.read)
	if err != nil || resp != nil {
		return nil, resp, err
	}
	ar.src = src
	f, err := m.openFormat(ctx, ar)
	return f, nil, err
}

func (m *Middleware) openFormat(ctx context.Context, ar *apiRequest) (formats.File, error) {
	src := ar.src
	switch {
	case src.meta.Get(headerFormat) == domain.FormatName:
		if m.cfg.VOL == nil {
			return nil, swift.Errorf(swift.ErrNotImplemented, "%s was written through the VOL connector, which this server cannot read", ar.p.Object)
		}
		return m.cfg.VOL.Open(ctx, m.store(ar), ar.p.Object)
	case fits.Sniff(src.head):
		return fits.Open(ctx, src, m.cfg.FITS)
	case parquet.Sniff(src.head):
		return parquet.Open(ctx, src, m.cfg.Parquet)
	case m.cfg.HDF5 != nil && m.cfg.HDF5.Sniff(src.head):
		return m.openHDF5(ctx, ar)
	case hdf5.Sniff(src.head):
		return nil, ErrNoHDF5
	}
	return nil, fmt.Errorf("%w: %s is not HDF5, Parquet or FITS (it starts with %q)",
		formats.ErrUnrecognized, ar.p.Object, src.head[:min(len(src.head), 16)])
}

func (m *Middleware) openHDF5(ctx context.Context, ar *apiRequest) (formats.File, error) {
	v := Version{ETag: ar.src.etag, Timestamp: ar.src.stamp}
	idx, err := m.indexes.get(ctx, indexKeyOf(ar.p), v, m.cfg.HDF5, ar.src)
	if err != nil {
		return nil, err
	}
	return m.cfg.HDF5.Open(ar.src, idx)
}

// store is the object's container, read as the client.
func (m *Middleware) store(ar *apiRequest) *containerStore {
	return &containerStore{sub: m.sub, orig: ar.r, p: ar.p, read: &ar.read, maxGet: maxDocument}
}

// describe answers the file's tree as JSON.
func (ar *apiRequest) describe(f formats.File) error {
	tree := f.Tree()
	body, err := json.Marshal(tree)
	if err != nil {
		return fmt.Errorf("%w: describing %s: %v", formats.ErrUnsupported, ar.p.Object, err)
	}
	h := ar.w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	ar.setInfo(tree.Format)
	ar.w.WriteHeader(http.StatusOK)
	if ar.r.Method != http.MethodHead {
		_, _ = ar.w.Write(body)
	}
	return nil
}

// slice answers the selected elements of one dataset, encoded.
func (ar *apiRequest) slice(f formats.File, limit selection.Limit) error {
	ds, ok := f.Dataset(ar.q.dataset)
	if !ok {
		return fmt.Errorf("%w: no dataset %s in %s (?describe lists them)", formats.ErrNotFound, ar.q.dataset, ar.p.Object)
	}
	sel, err := selection.Parse(ar.q.selectExpr, ds.Shape)
	if err != nil {
		return fmt.Errorf("%s %v: %w", ar.q.dataset, ds.Shape, err)
	}
	if err := limit.Check(sel, ds.Type.Size); err != nil {
		return fmt.Errorf("%s: %w", ar.q.dataset, err)
	}
	arr, err := f.Read(ar.r.Context(), ar.q.dataset, sel)
	if err != nil {
		return err
	}
	enc, err := encode.New(ar.q.format, arr)
	if err != nil {
		return fmt.Errorf("%s as %s: %w", ar.q.dataset, ar.q.format, err)
	}
	h := ar.w.Header()
	h.Set("Content-Type", enc.ContentType)
	for k, v := range enc.Header {
		h.Set(k, v)
	}
	ar.setInfo(f.Tree().Format)
	ar.w.WriteHeader(http.StatusOK)
	if ar.r.Method != http.MethodHead {
		// The status is sent: a failure now can only cut the body short.
		_, _ = enc.WriteTo(ar.w)
	}
	return nil
}

func (ar *apiRequest) setInfo(format string) {
	h := ar.w.Header()
	h.Set(HeaderSourceBytes, strconv.FormatInt(ar.read.Load(), 10))
	h.Set(HeaderFormat, format)
	if ar.src != nil && ar.src.etag != "" {
		// Which version of the object the answer comes from.
		h.Set("X-Sciswift-Source-Etag", ar.src.etag)
	}
}
