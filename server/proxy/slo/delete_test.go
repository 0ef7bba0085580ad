package slo

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

type bulkResult struct {
	Status   string     `json:"Response Status"`
	Body     string     `json:"Response Body"`
	Deleted  int        `json:"Number Deleted"`
	NotFound int        `json:"Number Not Found"`
	Errors   [][]string `json:"Errors"`
}

func deleteManifest(t *testing.T, m *Middleware, name string) bulkResult {
	t.Helper()
	rec := do(t, m, "DELETE", "/v1/AUTH_test/cont/"+name+"?multipart-manifest=delete", nil, http.Header{"Accept": {"application/json"}})
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("DELETE = %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	var res bulkResult
	if err := json.Unmarshal([]byte(strings.TrimSpace(rec.Body.String())), &res); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	return res
}

func TestMultipartDelete(t *testing.T) {
	f := newFakeSwift()
	f.containers["cont"] = true
	entries, _ := makeSegments(f, 3, 4, 5)
	m := newSLO(f)
	m.deleter.Concurrency = 1 // so that the fake sees Swift's order
	do(t, m, "PUT", "/v1/AUTH_test/cont/inner?multipart-manifest=put", mustJSON(t, entries[:2]), nil)
	outer := []map[string]any{{"path": "/cont/inner"}, entries[2], {"data": "YQ=="}}
	do(t, m, "PUT", "/v1/AUTH_test/cont/outer?multipart-manifest=put", mustJSON(t, outer), nil)
	f.put("cont", "bystander", []byte("x"), nil)
	f.mu.Lock()
	f.log = nil
	f.mu.Unlock()

	res := deleteManifest(t, m, "outer")
	if res.Status != "200 OK" || res.Deleted != 5 || res.NotFound != 0 || len(res.Errors) != 0 {
		t.Fatalf("result %+v", res)
	}
	for _, name := range []string{"cont/inner", "cont/outer", "segs/seg0", "segs/seg1", "segs/seg2"} {
		c, o, _ := strings.Cut(name, "/")
		if _, ok := f.get(c, o); ok {
			t.Errorf("%s survived", name)
		}
	}
	if _, ok := f.get("cont", "bystander"); !ok {
		t.Error("an unrelated object was deleted")
	}
	// Breadth first, each manifest after its own segments, as Swift does.
	var deletes []string
	for _, line := range f.requests() {
		if strings.HasPrefix(line, "DELETE ") {
			deletes = append(deletes, strings.TrimPrefix(strings.Fields(line)[1], "/v1/AUTH_test/"))
		}
	}
	if got, want := strings.Join(deletes, " "), "segs/seg2 cont/outer segs/seg0 segs/seg1 cont/inner"; got != want {
		t.Errorf("deletes %s, want %s", got, want)
	}
}

func TestMultipartDeleteProblems(t *testing.T) {
	f := newFakeSwift()
	f.containers["cont"] = true
	entries, _ := makeSegments(f, 3, 4)
	m := newSLO(f)
	do(t, m, "PUT", "/v1/AUTH_test/cont/m?multipart-manifest=put", mustJSON(t, entries), nil)
	f.mu.Lock()
	delete(f.objects, "segs/seg1")
	f.mu.Unlock()
	if res := deleteManifest(t, m, "m"); res.Status != "200 OK" || res.Deleted != 2 || res.NotFound != 1 {
		t.Errorf("with a missing segment: %+v", res)
	}
	if res := deleteManifest(t, m, "gone"); res.Status != "200 OK" || res.NotFound != 1 || res.Deleted != 0 {
		t.Errorf("missing manifest: %+v", res)
	}
	f.put("cont", "plain", []byte("x"), nil)
	res := deleteManifest(t, m, "plain")
	if res.Status != "400 Bad Request" || len(res.Errors) != 1 || res.Errors[0][0] != "/cont/plain" || res.Errors[0][1] != "Not an SLO manifest" {
		t.Errorf("plain object: %+v", res)
	}
	if _, ok := f.get("cont", "plain"); !ok {
		t.Error("a plain object was deleted by a manifest delete")
	}
}
