package dataset

import (
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/server/proxy/subrequest"
	"github.com/sciswift/sciswift/server/swift"
)

// VOL is the seam to the readers of VOL-written files.
type VOL interface {
	// Open reads the file named name (its manifest's object name) for
	// ?describe and ?dataset=.
	Open(ctx context.Context, store formats.ObjectStore, name string) (formats.File, error)
	// Stream plans the file as a standard HDF5 file.
	Stream(ctx context.Context, store formats.ObjectStore, name string) (HDF5Stream, error)
}

// HDF5Stream is a VOL-written file laid out as a standard HDF5 file, ready
// to be written out.
type HDF5Stream interface {
	Size() int64
	WriteTo(ctx context.Context, w io.Writer) error
}

// manifestKeep is more than a manifest holds (an id, a few numbers and a
// file creation property list of a few hundred bytes).
const manifestKeep = 64 << 10

// contentTypeHDF5 is what a streamed VOL-written file is served as.
const contentTypeHDF5 = "application/x-hdf5"

// serveMaybeVOL serves a plain GET or HEAD. The object's answer is
// looked at before it goes out: a VOL-written file's manifest becomes the
// file, streamed as standard HDF5 (so `swift download` gets a file h5py
// opens); anything else passes through untouched, streamed.
func (m *Middleware) serveMaybeVOL(w http.ResponseWriter, r *http.Request, p swift.Path) {
	// The manifest's own bytes are not needed (the stream reads it again
	// through the store, with everything else it needs), but keeping a
	// manifest's worth spares the proxy a failed write to log.
	resp := subrequest.Intercept(m.next, w, r, manifestKeep, func(status int, h http.Header) bool {
		return status/100 == 2 && h.Get(headerFormat) == domain.FormatName
	})
	if resp == nil {
		return
	}
	ar := &apiRequest{w: w, r: r, p: p}
	stream, err := m.cfg.VOL.Stream(r.Context(), m.store(ar), p.Object)
	if err != nil {
		m.fail(ar, err)
		return
	}
	h := w.Header()
	for k, v := range resp.Header {
		h[k] = v
	}
	// The manifest's ETag is not the MD5 of the stream, and clients
	// (swiftclient) check that an ETag is; its ranges were of the
	// manifest. The whole file is sent, whatever Range asked.
	for _, k := range []string{"Etag", "Content-Range", "Accept-Ranges", "Transfer-Encoding"} {
		h.Del(k)
	}
	h.Set("Content-Type", contentTypeHDF5)
	h.Set("Content-Length", strconv.FormatInt(stream.Size(), 10))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	if err := stream.WriteTo(r.Context(), w); err != nil {
		// The status is sent: the short body tells the client.
		m.cfg.Logger.Warn("dataset: streaming a VOL-written file as HDF5 failed", "path", r.URL.EscapedPath(), "err", err)
		panic(http.ErrAbortHandler)
	}
}
