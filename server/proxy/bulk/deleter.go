package bulk

import (
	"context"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sciswift/sciswift/server/proxy/subrequest"
	"github.com/sciswift/sciswift/server/swift"
)

// Deleter runs Swift's bulk-delete loop (Bulk.handle_delete_iter): it
// deletes a stream of objects and containers by subrequest and reports
// the outcome in a bulk-style 200 response. The bulk middleware feeds it
// a request body; SLO feeds it the segments of a manifest.
type Deleter struct {
	Client *subrequest.Client
	// Agent is appended to the User-Agent of each DELETE ("BulkDelete").
	Agent string
	// MaxFailedDeletes stops the run once this many deletes have failed.
	MaxFailedDeletes int
	// Concurrency is how many DELETEs may be in flight at once.
	Concurrency int
	// YieldFrequency is the time between heartbeats.
	YieldFrequency time.Duration
	Logger         *slog.Logger
}

// Item is one name to delete, unescaped: "/container/object" or
// "/container". A non-zero Status reports a failure found before any
// delete was tried (a manifest that could not be read): 404 counts as not
// found, anything else as a failure with Message.
type Item struct {
	Name    string
	Status  int
	Message string
}

// Serve answers r with 200 and a body in format (from NegotiateFormat;
// "" reports 406 in the body, as Swift does) describing the deletion of
// items. An error from items ends the run with that error's status.
// Objects are deleted as they come; containers wait until every object
// has been deleted, so that a body listing a container before its
// objects still empties it first.
func (d *Deleter) Serve(w http.ResponseWriter, r *http.Request, format string, items iter.Seq2[Item, error]) {
	if format != "" {
		w.Header().Set("Content-Type", format)
	}
	w.WriteHeader(http.StatusOK)
	first := " "
	if strings.HasSuffix(format, "/xml") {
		first = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	}
	p := StartProgress(w, first, d.YieldFrequency, false)
	t := &tally{failStatus: http.StatusBadRequest}
	err := d.run(r, format, items, t)
	p.Finish(ResponseBody(format, t.fields(err), t.failed, "delete"))
}

// tally is the running result of a bulk delete.
type tally struct {
	deleted, notFound int
	failed            [][2]string
	failStatus        int // 400, or 502 once a backend failed
}

func (t *tally) fields(err error) []Field {
	status, body := StatusLine(http.StatusOK), ""
	switch {
	case err != nil:
		status = StatusLine(swift.Status(err))
		if swift.Status(err) != http.StatusInternalServerError {
			body = swift.Message(err)
		}
	case len(t.failed) > 0:
		status = StatusLine(t.failStatus)
	case t.deleted == 0 && t.notFound == 0:
		status, body = StatusLine(http.StatusBadRequest), "Invalid bulk delete."
	}
	return []Field{
		{"Response Status", status},
		{"Response Body", body},
		{"Number Deleted", t.deleted},
		{"Number Not Found", t.notFound},
	}
}

func (t *tally) add(o outcome) {
	switch {
	case o.skipped:
	case o.status/100 == 2:
		t.deleted++
	case o.status == http.StatusNotFound:
		t.notFound++
	default:
		if o.status/100 == 5 && !o.early {
			t.failStatus = http.StatusBadGateway
		}
		t.failed = append(t.failed, [2]string{Quote(o.name), o.message})
	}
}

// outcome is the result of one delete, or of an item that failed before.
type outcome struct {
	name    string
	status  int
	message string
	// early marks failures found before any DELETE; like Swift, they do
	// not make the run's status 502 even when they are server errors.
	early bool
	// skipped marks an item not tried because the run had stopped.
	skipped bool
}

func (d *Deleter) run(r *http.Request, format string, items iter.Seq2[Item, error], t *tally) error {
	if format == "" {
		return swift.Errorf(swift.ErrNotAcceptable, "")
	}
	p, err := swift.ParsePublicPath(r.URL)
	if err != nil {
		return swift.Errorf(swift.ErrNotFound, "")
	}
	var containers []string
	objects := func(yield func(Item, error) bool) {
		for it, err := range items {
			if err == nil && isContainer(it.Name) {
				containers = append(containers, it.Name)
				continue
			}
			if !yield(it, err) {
				return
			}
		}
	}
	if err := d.phase(r, p, objects, t); err != nil {
		return err
	}
	return d.phase(r, p, itemsOf(containers), t)
}

func isContainer(name string) bool {
	name = strings.Trim(name, "/")
	return name != "" && !strings.Contains(name, "/")
}

func itemsOf(names []string) iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {
		for _, n := range names {
			if !yield(Item{Name: n}, nil) {
				return
			}
		}
	}
}

// phase deletes items with up to Concurrency DELETEs in flight, taking
// the results in order so that the error list is deterministic. Past
// MaxFailedDeletes failures it stops issuing deletes, lets those in
// flight finish and counts them, as Swift drains its pile.
func (d *Deleter) phase(r *http.Request, p swift.Path, items iter.Seq2[Item, error], t *tally) error {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	pending := make(chan chan outcome, max(d.Concurrency, 1)-1)
	var itemErr error // written by the producer before it closes pending
	go func() {
		defer close(pending)
		itemErr = d.produce(ctx, r, p, items, pending)
	}()
	for ch := range pending {
		t.add(<-ch)
		if len(t.failed) >= d.MaxFailedDeletes {
			cancel()
			for ch := range pending {
				t.add(<-ch)
			}
			return swift.Errorf(swift.ErrBadRequest, "Max delete failures exceeded")
		}
	}
	return itemErr
}

// produce starts a delete for each item, handing its future to pending.
func (d *Deleter) produce(ctx context.Context, r *http.Request, p swift.Path, items iter.Seq2[Item, error], pending chan<- chan outcome) error {
	for it, err := range items {
		if err != nil {
			return err
		}
		if it.Name == "" {
			continue
		}
		ch := make(chan outcome, 1)
		select {
		case pending <- ch:
		case <-ctx.Done():
			return nil
		}
		if ctx.Err() != nil {
			// The run stopped while this item was being handed over.
			ch <- outcome{skipped: true}
			return nil
		}
		if o, ready := precheck(it); ready {
			ch <- o
			continue
		}
		go func() { ch <- d.deleteOne(r, p, it.Name) }()
	}
	return nil
}

// precheck settles items that need no DELETE: failures found earlier and
// names Swift refuses (invalid UTF-8 or NUL).
func precheck(it Item) (outcome, bool) {
	switch {
	case it.Status == http.StatusNotFound:
		return outcome{name: it.Name, status: it.Status}, true
	case it.Status != 0:
		return outcome{name: it.Name, status: it.Status, message: it.Message, early: true}, true
	case !utf8.ValidString(it.Name) || strings.IndexByte(it.Name, 0) >= 0:
		return outcome{name: it.Name, status: http.StatusPreconditionFailed, message: StatusLine(http.StatusPreconditionFailed), early: true}, true
	}
	return outcome{}, false
}

func (d *Deleter) deleteOne(r *http.Request, p swift.Path, name string) outcome {
	path := swift.EscapePath(p.Version, p.Account, strings.TrimLeft(name, "/"))
	resp, err := d.Client.Send(r, http.MethodDelete, path, "", d.Agent, http.NoBody)
	if err != nil {
		d.Logger.Warn("bulk delete subrequest failed", "path", path, "err", err)
		return outcome{name: name, status: http.StatusServiceUnavailable, message: StatusLine(http.StatusServiceUnavailable)}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	return outcome{name: name, status: resp.StatusCode, message: StatusLine(resp.StatusCode)}
}
