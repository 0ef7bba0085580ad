package e2e

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// etagOfEtags is Swift's large-object ETag: the MD5 of the concatenated
// segment ETags.
func etagOfEtags(segs ...[]byte) string {
	h := md5.New()
	for _, s := range segs {
		h.Write([]byte(md5hex(s)))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestDLO(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	segc, c := s.mkContainer(t, "dloseg"), s.mkContainer(t, "dlo")
	seg := [][]byte{randBytes(1 << 20), randBytes(1 << 20), randBytes(100)}
	for i, d := range seg {
		s.put(t, segc, fmt.Sprintf("big/%03d", i+1), d)
	}
	s.put(t, segc, "bigger/001", []byte("not part of it"))
	whole := bytes.Join(seg, nil)

	s.put(t, c, "big", nil, "X-Object-Manifest", segc+"/big/")
	g := s.get(t, c, "big")
	if !bytes.Equal(g.Body, whole) {
		t.Fatalf("DLO GET: %d bytes, want the %d bytes of the segments", len(g.Body), len(whole))
	}
	g.hdr(t, "Etag", `"`+etagOfEtags(seg...)+`"`)
	g.hdr(t, "X-Object-Manifest", segc+"/big/")
	h := s.do(t, "HEAD", p(c, "big"), nil).expect(t, 200)
	h.hdr(t, "Content-Length", strconv.Itoa(len(whole)))
	h.hdr(t, "Etag", `"`+etagOfEtags(seg...)+`"`)

	// A range across the segment boundary.
	r := s.do(t, "GET", p(c, "big"), nil, "Range", fmt.Sprintf("bytes=%d-%d", 1<<20-5, 1<<20+4)).expect(t, 206)
	if !bytes.Equal(r.Body, whole[1<<20-5:1<<20+5]) {
		t.Errorf("DLO range across segments: wrong bytes")
	}
	r.hdr(t, "Content-Range", fmt.Sprintf("bytes %d-%d/%d", 1<<20-5, 1<<20+4, len(whole)))

	// The manifest itself.
	m := s.do(t, "GET", p(c, "big")+"?multipart-manifest=get", nil).expect(t, 200)
	if len(m.Body) != 0 {
		t.Errorf("DLO ?multipart-manifest=get returned %d bytes, want the empty manifest", len(m.Body))
	}
	m.hdr(t, "X-Object-Manifest", segc+"/big/")

	// Dynamic: a new segment shows up.
	extra := []byte("appended segment")
	s.put(t, segc, "big/004", extra)
	if g := s.get(t, c, "big"); !bytes.Equal(g.Body, append(whole, extra...)) {
		t.Errorf("DLO GET after adding a segment: %d bytes, want %d", len(g.Body), len(whole)+len(extra))
	}

	// A manifest with a bad X-Object-Manifest is refused.
	s.do(t, "PUT", p(c, "bad"), nil, "X-Object-Manifest", "no-slash").check(t, 400)

	// Deleting the manifest leaves the segments.
	s.do(t, "DELETE", p(c, "big"), nil).expect(t, 204)
	s.do(t, "HEAD", p(c, "big"), nil).check(t, 404)
	if n := len(s.listing(t, p(segc), q("prefix", "big/"))); n != 4 {
		t.Errorf("deleting a DLO manifest removed segments: %d left, want 4", n)
	}
}

type sloSegment struct {
	Path      string `json:"path"`
	Etag      string `json:"etag"`
	SizeBytes int64  `json:"size_bytes"`
}

func TestSLO(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	segc, c := s.mkContainer(t, "sloseg"), s.mkContainer(t, "slo")
	seg := [][]byte{randBytes(1 << 20), randBytes(1 << 20), randBytes(123)}
	var manifest []sloSegment
	for i, d := range seg {
		name := fmt.Sprintf("s%d", i+1)
		s.put(t, segc, name, d)
		manifest = append(manifest, sloSegment{"/" + segc + "/" + name, md5hex(d), int64(len(d))})
	}
	whole := bytes.Join(seg, nil)
	sloEtag := etagOfEtags(seg...)
	body, _ := json.Marshal(manifest)

	r := s.do(t, "PUT", p(c, "big")+"?multipart-manifest=put", body, "Content-Type", "application/x-big").expect(t, 201)
	if e := unquote(r.Header.Get("Etag")); e != sloEtag {
		t.Logf("note: SLO manifest PUT answered Etag %q; Swift answers the large object's ETag %q", r.Header.Get("Etag"), sloEtag)
	}

	h := s.do(t, "HEAD", p(c, "big"), nil).expect(t, 200)
	h.hdr(t, "Content-Length", strconv.Itoa(len(whole)))
	h.hdr(t, "Etag", `"`+sloEtag+`"`)
	h.hdr(t, "Content-Type", "application/x-big")
	if !strings.EqualFold(h.Header.Get("X-Static-Large-Object"), "true") {
		t.Errorf("SLO HEAD X-Static-Large-Object = %q, want True", h.Header.Get("X-Static-Large-Object"))
	}
	g := s.get(t, c, "big")
	if !bytes.Equal(g.Body, whole) {
		t.Fatalf("SLO GET: %d bytes, want the %d bytes of the segments", len(g.Body), len(whole))
	}
	rg := s.do(t, "GET", p(c, "big"), nil, "Range", fmt.Sprintf("bytes=%d-%d", 2<<20-3, 2<<20+2)).expect(t, 206)
	if !bytes.Equal(rg.Body, whole[2<<20-3:2<<20+3]) {
		t.Errorf("SLO range across segments 2/3: wrong bytes")
	}
	rg.hdr(t, "Content-Range", fmt.Sprintf("bytes %d-%d/%d", 2<<20-3, 2<<20+2, len(whole)))

	// The listing shows the large object's total size.
	rows := s.jsonListing(t, p(c), "")
	if len(rows) != 1 || rows[0]["bytes"] != float64(len(whole)) {
		t.Errorf("listing of the SLO: %v, want bytes %d", rows, len(whole))
	}

	// ?multipart-manifest=get returns the stored manifest.
	m := s.do(t, "GET", p(c, "big")+"?multipart-manifest=get", nil).expect(t, 200)
	var stored []map[string]any
	if err := json.Unmarshal(m.Body, &stored); err != nil {
		t.Fatalf("?multipart-manifest=get is not JSON: %v\n%s", err, m.Body)
	}
	if len(stored) != 3 {
		t.Fatalf("stored manifest has %d entries, want 3: %s", len(stored), m.Body)
	}
	for i, e := range stored {
		if e["name"] != manifest[i].Path || e["hash"] != manifest[i].Etag || e["bytes"] != float64(manifest[i].SizeBytes) {
			t.Errorf("manifest entry %d = %v, want name %s hash %s bytes %d", i, e, manifest[i].Path, manifest[i].Etag, manifest[i].SizeBytes)
		}
	}
	raw := s.do(t, "GET", p(c, "big")+"?multipart-manifest=get&format=raw", nil).expect(t, 200)
	var rawSegs []sloSegment
	if err := json.Unmarshal(raw.Body, &rawSegs); err != nil || len(rawSegs) != 3 || rawSegs[1] != manifest[1] {
		t.Errorf("?multipart-manifest=get&format=raw = %s (%v), want the PUT format back", raw.Body, err)
	}

	// Bad manifests.
	bad := append([]sloSegment(nil), manifest...)
	bad[1].Etag = md5hex([]byte("wrong"))
	b, _ := json.Marshal(bad)
	s.do(t, "PUT", p(c, "bad1")+"?multipart-manifest=put", b).check(t, 400)
	bad = append([]sloSegment(nil), manifest...)
	bad[0].Path = "/" + segc + "/missing"
	b, _ = json.Marshal(bad)
	s.do(t, "PUT", p(c, "bad2")+"?multipart-manifest=put", b).check(t, 400)
	bad = append([]sloSegment(nil), manifest...)
	bad[2].SizeBytes = 7
	b, _ = json.Marshal(bad)
	s.do(t, "PUT", p(c, "bad3")+"?multipart-manifest=put", b).check(t, 400)
	s.do(t, "PUT", p(c, "bad4")+"?multipart-manifest=put", "this is not json").check(t, 400)
	for _, o := range []string{"bad1", "bad2", "bad3", "bad4"} {
		s.do(t, "HEAD", p(c, o), nil).check(t, 404)
	}

	// A plain DELETE removes only the manifest.
	s.do(t, "PUT", p(c, "big2")+"?multipart-manifest=put", body).expect(t, 201)
	s.do(t, "DELETE", p(c, "big2"), nil).expect(t, 204)
	if n := len(s.listing(t, p(segc), "")); n != 3 {
		t.Errorf("a plain DELETE of an SLO manifest removed segments: %d left, want 3", n)
	}

	// ?multipart-manifest=delete removes segments and manifest.
	d := s.do(t, "DELETE", p(c, "big")+"?multipart-manifest=delete", nil, "Accept", "application/json").expect(t, 200)
	var res map[string]any
	if err := json.Unmarshal(d.Body, &res); err != nil {
		t.Fatalf("multipart-manifest=delete response is not JSON: %v\n%s", err, d.Body)
	}
	if res["Number Deleted"] != 4.0 || res["Number Not Found"] != 0.0 || res["Response Status"] != "200 OK" {
		t.Errorf("multipart-manifest=delete response %v, want 4 deleted (3 segments + manifest), 0 not found, 200 OK", res)
	}
	s.do(t, "HEAD", p(c, "big"), nil).check(t, 404)
	if l := s.listing(t, p(segc), ""); len(l) != 0 {
		t.Errorf("segments left after multipart-manifest=delete: %q", l)
	}
}

func TestBulkDelete(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c := s.mkContainer(t, "bulk")
	names := []string{"a", "b/c", "with space", "ünï"}
	for _, n := range names {
		s.put(t, c, n, []byte(n))
	}
	var body strings.Builder
	for _, n := range names {
		body.WriteString(p(c, n) + "\n")
	}
	body.WriteString(p(c, "missing") + "\n")
	r := s.do(t, "POST", "?bulk-delete", body.String(), "Content-Type", "text/plain", "Accept", "application/json").expect(t, 200)
	var res map[string]any
	if err := json.Unmarshal(r.Body, &res); err != nil {
		t.Fatalf("bulk delete response is not JSON: %v\n%s", err, r.Body)
	}
	if res["Number Deleted"] != 4.0 || res["Number Not Found"] != 1.0 || res["Response Status"] != "200 OK" {
		t.Errorf("bulk delete: %v, want 4 deleted, 1 not found, 200 OK", res)
	}
	if errs, _ := res["Errors"].([]any); len(errs) != 0 {
		t.Errorf("bulk delete errors: %v", errs)
	}
	if l := s.listing(t, p(c), ""); len(l) != 0 {
		t.Errorf("objects left after bulk delete: %q", l)
	}

	// A non-empty container cannot be bulk-deleted; an empty one can.
	c2 := s.mkContainer(t, "bulk2")
	s.put(t, c2, "o", []byte("x"))
	r = s.do(t, "POST", "?bulk-delete", p(c2)+"\n", "Content-Type", "text/plain", "Accept", "application/json").expect(t, 200)
	res = nil
	if err := json.Unmarshal(r.Body, &res); err != nil {
		t.Fatalf("bulk delete response is not JSON: %v\n%s", err, r.Body)
	}
	if errs, _ := res["Errors"].([]any); len(errs) != 1 || !strings.Contains(fmt.Sprint(errs), "409") {
		t.Errorf("bulk delete of a non-empty container: Errors %v, want one 409", res["Errors"])
	}
	s.do(t, "HEAD", p(c2), nil).check(t, 204)

	r = s.do(t, "POST", "?bulk-delete", p(c)+"\n", "Content-Type", "text/plain", "Accept", "application/json").expect(t, 200)
	res = nil
	json.Unmarshal(r.Body, &res)
	if res["Number Deleted"] != 1.0 {
		t.Errorf("bulk delete of the empty container: %v", res)
	}
	s.do(t, "HEAD", p(c), nil).check(t, 404)

	// Plain-text response by default.
	s.put(t, c2, "o2", []byte("y"))
	r = s.do(t, "POST", "?bulk-delete", p(c2, "o2")+"\n", "Content-Type", "text/plain").expect(t, 200)
	if !strings.Contains(string(r.Body), "Number Deleted: 1") {
		t.Errorf("plain bulk delete response %q, want a 'Number Deleted: 1' line", r.Body)
	}

	// A user without write access deletes nothing.
	s.put(t, c2, "o3", []byte("z"))
	r = as(t, tester3).do(t, "POST", "?bulk-delete", p(c2, "o3")+"\n", "Content-Type", "text/plain", "Accept", "application/json")
	if r.Status == 200 {
		res = nil
		json.Unmarshal(r.Body, &res)
		if res["Number Deleted"] != 0.0 {
			t.Errorf("bulk delete as a user without access: %v", res)
		}
	} else {
		r.check(t, 401, 403)
	}
	s.get(t, c2, "o3")
}
