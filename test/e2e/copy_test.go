package e2e

import (
	"bytes"
	"testing"
)

func TestServerSideCopy(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c, c2 := s.mkContainer(t, "copysrc"), s.mkContainer(t, "copydst")
	data := randBytes(200_000)
	s.put(t, c, "src", data, "Content-Type", "application/x-src", "X-Object-Meta-A", "1", "Content-Disposition", "inline")

	// COPY with Destination (container/object), adding metadata.
	r := s.do(t, "COPY", p(c, "src"), nil, "Destination", c2+"/dst1", "X-Object-Meta-B", "2").expect(t, 201)
	r.hdr(t, "X-Copied-From", c+"/src")
	if r.Header.Get("X-Copied-From-Last-Modified") == "" {
		t.Errorf("COPY response lacks X-Copied-From-Last-Modified")
	}
	g := s.get(t, c2, "dst1")
	if !bytes.Equal(g.Body, data) {
		t.Fatalf("COPY destination has different bytes")
	}
	g.hdr(t, "X-Object-Meta-A", "1") // source metadata kept
	g.hdr(t, "X-Object-Meta-B", "2") // request metadata added
	g.hdr(t, "Content-Type", "application/x-src")
	g.hdr(t, "Etag", md5hex(data))

	// Destination with a leading slash, in the same container.
	s.do(t, "COPY", p(c, "src"), nil, "Destination", "/"+c+"/dst2").expect(t, 201)
	s.get(t, c, "dst2").hdr(t, "Etag", md5hex(data))

	// PUT with X-Copy-From, overriding the content type.
	s.do(t, "PUT", p(c2, "dst3"), nil, "X-Copy-From", c+"/src", "Content-Type", "application/x-other").expect(t, 201)
	g = s.get(t, c2, "dst3")
	if !bytes.Equal(g.Body, data) {
		t.Fatalf("X-Copy-From destination has different bytes")
	}
	g.hdr(t, "Content-Type", "application/x-other")
	g.hdr(t, "X-Object-Meta-A", "1")

	// X-Fresh-Metadata drops the source's metadata.
	s.do(t, "PUT", p(c2, "dst4"), nil, "X-Copy-From", "/"+c+"/src", "X-Fresh-Metadata", "true", "X-Object-Meta-C", "3").expect(t, 201)
	g = s.get(t, c2, "dst4")
	g.hdrAbsent(t, "X-Object-Meta-A")
	g.hdr(t, "X-Object-Meta-C", "3")
	if !bytes.Equal(g.Body, data) {
		t.Errorf("fresh-metadata copy has different bytes")
	}

	// Copying an object onto itself with new metadata (Swift's way to
	// add metadata without replacing it).
	s.do(t, "COPY", p(c, "src"), nil, "Destination", c+"/src", "X-Object-Meta-D", "4").expect(t, 201)
	g = s.get(t, c, "src")
	g.hdr(t, "X-Object-Meta-A", "1")
	g.hdr(t, "X-Object-Meta-D", "4")

	// Copy of a range-less large-ish object keeps the listing right.
	rows := s.jsonListing(t, p(c2), "")
	if len(rows) != 3 {
		t.Errorf("destination listing has %d rows, want 3: %v", len(rows), rows)
	}
	for _, row := range rows {
		if row["hash"] != md5hex(data) || row["bytes"] != float64(len(data)) {
			t.Errorf("listing row %v, want the source's hash and size", row)
		}
	}

	// Errors.
	s.do(t, "COPY", p(c, "missing"), nil, "Destination", c2+"/x").check(t, 404)
	s.do(t, "PUT", p(c2, "x"), nil, "X-Copy-From", c+"/missing").check(t, 404)
	s.do(t, "COPY", p(c, "src"), nil, "Destination", uniq("nocontainer")+"/x").check(t, 404)
	s.do(t, "COPY", p(c, "src"), nil).check(t, 412)                            // no Destination
	s.do(t, "COPY", p(c, "src"), nil, "Destination", "no-slash").check(t, 412) // not container/object
	s.do(t, "PUT", p(c2, "x"), nil, "X-Copy-From", "no-slash").check(t, 412)   // not container/object
	s.do(t, "PUT", p(c2, "x"), "body", "X-Copy-From", c+"/src").check(t, 400)  // copy with a body
	as(t, tester3).do(t, "COPY", p(c, "src"), nil, "Destination", c2+"/y").check(t, 403)
}

// TestCrossAccountCopy copies between AUTH_test and AUTH_test2 in both
// directions with the ACLs Swift requires.
func TestCrossAccountCopy(t *testing.T) {
	t.Parallel()
	s1, s2 := as(t, tester), as(t, t2admin)
	src := s1.mkContainer(t, "xsrc")
	data := randBytes(50_000)
	s1.put(t, src, "o", data, "X-Object-Meta-Origin", "test")
	dst := s2.mkContainer(t, "xdst")

	// test:tester → AUTH_test2 needs write access there.
	s1.do(t, "COPY", p(src, "o"), nil, "Destination", dst+"/o", "Destination-Account", "AUTH_test2").check(t, 403)
	s2.do(t, "POST", p(dst), nil, "X-Container-Write", "test:tester").expect(t, 204)
	s1.do(t, "COPY", p(src, "o"), nil, "Destination", dst+"/o", "Destination-Account", "AUTH_test2").expect(t, 201)
	g := s2.get(t, dst, "o")
	if !bytes.Equal(g.Body, data) {
		t.Fatalf("cross-account COPY has different bytes")
	}
	g.hdr(t, "X-Object-Meta-Origin", "test")

	// test2:tester2 pulls from AUTH_test with X-Copy-From-Account: needs read access.
	s2.do(t, "PUT", p(dst, "pulled"), nil, "X-Copy-From", src+"/o", "X-Copy-From-Account", "AUTH_test").check(t, 403)
	s1.do(t, "POST", p(src), nil, "X-Container-Read", "test2:tester2").expect(t, 204)
	s2.do(t, "PUT", p(dst, "pulled"), nil, "X-Copy-From", src+"/o", "X-Copy-From-Account", "AUTH_test").expect(t, 201)
	if g := s2.get(t, dst, "pulled"); !bytes.Equal(g.Body, data) {
		t.Errorf("X-Copy-From-Account copy has different bytes")
	}
	if rows := s2.jsonListing(t, p(dst), ""); len(rows) != 2 {
		t.Errorf("destination listing %v, want 2 objects", rows)
	}
}
