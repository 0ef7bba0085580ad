package slo

import (
	"encoding/json"
	"errors"
	"iter"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/sciswift/sciswift/server/proxy/bulk"
	"github.com/sciswift/sciswift/server/swift"
)

// serveDelete answers ?multipart-manifest=delete: the segments, nested
// manifests' segments, and the manifests themselves, manifests after
// their segments, reported like a bulk delete.
func (m *Middleware) serveDelete(w http.ResponseWriter, r *http.Request, p swift.Path) {
	format := bulk.NegotiateFormat(strings.Join(r.Header.Values("Accept"), ","))
	m.deleter.Serve(w, r, format, m.segmentsToDelete(r, p))
}

// toDelete is an entry of the delete queue.
type toDelete struct {
	name   string // "/container/object"
	subSLO bool   // a manifest whose segments are not queued yet
	// status and message record why a manifest could not be read.
	status  int
	message string
}

// segmentsToDelete yields what to delete breadth first, as Swift's
// get_segments_to_delete_iter: a manifest goes back at the end of the
// queue once its segments are queued, so it is deleted after them.
func (m *Middleware) segmentsToDelete(r *http.Request, p swift.Path) iter.Seq2[bulk.Item, error] {
	return func(yield func(bulk.Item, error) bool) {
		self := "/" + p.Container + "/" + p.Object
		if !utf8.ValidString(self) || strings.IndexByte(self, 0) >= 0 {
			yield(bulk.Item{}, swift.Errorf(swift.ErrPreconditionFailed, "Invalid UTF8 or contains NULL"))
			return
		}
		queue := []toDelete{{name: self, subSLO: true}}
		for len(queue) > 0 {
			// A bound below which operators may lower max_manifest_segments
			// without breaking deletes of older manifests, and above which
			// a crafted tree cannot grow the queue.
			if len(queue) > m.cfg.MaxManifestSegments*10 {
				yield(bulk.Item{}, swift.Errorf(swift.ErrBadRequest, "Too many buffered slo segments to delete."))
				return
			}
			e := queue[0]
			queue = queue[1:]
			if e.subSLO {
				queue = append(queue, m.expand(r, p, &e)...)
				e.subSLO = false
				queue = append(queue, e)
				continue
			}
			if !yield(bulk.Item{Name: e.name, Status: e.status, Message: e.message}, nil) {
				return
			}
		}
	}
}

// expand reads manifest e and returns its segments to queue, or records
// in e why it could not.
func (m *Middleware) expand(r *http.Request, p swift.Path, e *toDelete) []toDelete {
	stored, err := m.manifestSegments(r, p, e.name)
	if err != nil {
		e.status, e.message = swift.Status(err), swift.Message(err)
		return nil
	}
	out := make([]toDelete, 0, len(stored))
	for _, s := range stored {
		if s.Data == nil {
			out = append(out, toDelete{name: s.Name, subSLO: s.SubSLO})
		}
	}
	return out
}

// manifestSegments reads manifest name with Swift's get_slo_segments
// errors, which end up in the delete report.
func (m *Middleware) manifestSegments(r *http.Request, p swift.Path, name string) ([]storedSegment, error) {
	f, err := m.fetchManifest(r, p, strings.TrimLeft(name, "/"))
	if err != nil {
		return nil, errUnreadable
	}
	switch {
	case f.StatusCode/100 == 2 && isSLO(f.Header):
		var stored []storedSegment
		if f.Truncated || json.Unmarshal(f.Body, &stored) != nil {
			return nil, errUnloadable
		}
		return stored, nil
	case f.StatusCode/100 == 2:
		return nil, swift.Errorf(swift.ErrBadRequest, "Not an SLO manifest")
	case f.StatusCode == http.StatusNotFound:
		return nil, swift.Errorf(swift.ErrNotFound, "SLO manifest not found")
	case f.StatusCode == http.StatusUnauthorized:
		return nil, swift.Errorf(swift.ErrUnauthorized, "401 Unauthorized")
	}
	return nil, errUnreadable
}

var errUnreadable = swift.Errorf(errors.New("internal server error"), "Unable to load SLO manifest or segment.")
