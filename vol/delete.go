package vol

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/sciswift/sciswift/server/client"
)

// bulkMax is how many names one bulk-delete request carries (Swift's
// default max_deletes_per_request).
const bulkMax = 10000

// deleteMany deletes names in container: with Swift's bulk delete when the
// store offers it, else with parallel DELETEs. Names already gone are not
// an error.
func (s *session) deleteMany(ctx context.Context, container string, names []string, parallel int) error {
	for len(names) > 0 {
		n := min(len(names), bulkMax)
		batch := names[:n]
		names = names[n:]
		if len(batch) == 1 {
			if err := s.del(ctx, container, batch[0]); err != nil {
				return err
			}
			continue
		}
		err := s.bulkDelete(ctx, container, batch)
		if errors.Is(err, errNoBulk) {
			err = s.parallelDelete(ctx, container, batch, parallel)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// errNoBulk says the store answered a bulk delete as if it had none.
var errNoBulk = errors.New("no bulk delete")

func (s *session) bulkDelete(ctx context.Context, container string, names []string) error {
	var body strings.Builder
	for _, n := range names {
		body.WriteByte('/')
		body.WriteString(url.PathEscape(container))
		body.WriteByte('/')
		body.WriteString((&url.URL{Path: n}).EscapedPath())
		body.WriteByte('\n')
	}
	h := http.Header{"Content-Type": {"text/plain"}, "Accept": {"application/json"}}
	resp, err := s.do(ctx, request{method: http.MethodPost, query: url.Values{"bulk-delete": {""}},
		header: h, body: []byte(body.String()), hasBody: true})
	if err != nil {
		switch statusOf(err) {
		case http.StatusBadRequest, http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotImplemented:
			return errNoBulk
		}
		return err
	}
	defer client.Drain(resp.Body)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		// A store without the middleware takes the POST as account
		// metadata and answers 204 with no body.
		return errNoBulk
	}
	var out struct {
		Status  string          `json:"Response Status"`
		Body    string          `json:"Response Body"`
		Errors  [][]interface{} `json:"Errors"`
		Deleted int             `json:"Number Deleted"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(&out); err != nil {
		return &storeError{op: "POST", path: container + " (bulk delete)", detail: "bad answer: " + err.Error(), sentinel: ErrStore}
	}
	if !strings.HasPrefix(out.Status, "200") || len(out.Errors) > 0 {
		detail := out.Status
		if len(out.Errors) > 0 {
			detail += fmt.Sprintf("; %d failed, e.g. %v", len(out.Errors), out.Errors[0])
		}
		return &storeError{op: "POST", path: container + " (bulk delete)", detail: detail, sentinel: bulkSentinel(out.Status)}
	}
	return nil
}

func bulkSentinel(status string) error {
	if strings.HasPrefix(status, "401") || strings.HasPrefix(status, "403") {
		return ErrAuth
	}
	return ErrStore
}

func (s *session) parallelDelete(ctx context.Context, container string, names []string, parallel int) error {
	return forEachParallel(len(names), parallel, func(i int) error {
		return s.del(ctx, container, names[i])
	})
}

// forEachParallel runs fn(0..n-1) with at most parallel at a time and
// returns the first error; after an error no new calls start.
func forEachParallel(n, parallel int, fn func(i int) error) error {
	if parallel < 1 {
		parallel = 1
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		sem   = make(chan struct{}, parallel)
	)
	for i := 0; i < n; i++ {
		mu.Lock()
		failed := first != nil
		mu.Unlock()
		if failed {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			if err := fn(i); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	return first
}

func decodeJSON(r io.Reader, v any) error {
	return json.NewDecoder(r).Decode(v)
}
