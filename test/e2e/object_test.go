package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestObjectBasics(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c := s.mkContainer(t, "obj")
	data := randBytes(100_000)

	r := s.put(t, c, "o", data, "Content-Type", "application/x-sci")
	r.hdr(t, "Etag", md5hex(data)) // plain objects: unquoted MD5, as Swift
	if r.Header.Get("Last-Modified") == "" {
		t.Errorf("PUT response has no Last-Modified")
	}
	if r.Header.Get("X-Timestamp") == "" {
		t.Logf("note: PUT response has no X-Timestamp (Swift 2.30 does not send one on PUT either)")
	}

	g := s.get(t, c, "o")
	if !bytes.Equal(g.Body, data) {
		t.Fatalf("GET returned different bytes")
	}
	g.hdr(t, "Content-Length", strconv.Itoa(len(data)))
	g.hdr(t, "Content-Type", "application/x-sci")
	g.hdr(t, "Etag", md5hex(data))
	g.hdr(t, "Accept-Ranges", "bytes")
	ts := g.Header.Get("X-Timestamp")
	if !timestampRE.MatchString(ts) {
		t.Errorf("GET X-Timestamp = %q, want Swift's 1234567890.12345 form", ts)
	}
	lm, err := http.ParseTime(g.Header.Get("Last-Modified"))
	if err != nil {
		t.Errorf("GET Last-Modified %q: %v", g.Header.Get("Last-Modified"), err)
	} else if d := time.Since(lm); d < -5*time.Second || d > 5*time.Minute {
		t.Errorf("Last-Modified %s is not about now", lm)
	}

	h := s.do(t, "HEAD", p(c, "o"), nil).expect(t, 200)
	if len(h.Body) != 0 {
		t.Errorf("HEAD returned a body")
	}
	h.hdr(t, "Content-Length", strconv.Itoa(len(data)))
	h.hdr(t, "Etag", md5hex(data))
	h.hdr(t, "X-Timestamp", ts)
	if !timestampRE.MatchString(h.Header.Get("X-Timestamp")) {
		t.Errorf("HEAD X-Timestamp = %q", h.Header.Get("X-Timestamp"))
	}

	// Overwrite.
	data2 := []byte("second version")
	s.put(t, c, "o", data2)
	if g := s.get(t, c, "o"); !bytes.Equal(g.Body, data2) {
		t.Errorf("after overwrite GET returned %q", g.Body)
	} else if ts2 := g.Header.Get("X-Timestamp"); ts2 <= ts {
		t.Errorf("overwrite X-Timestamp %q not newer than %q", ts2, ts)
	}

	// Zero bytes.
	z := s.put(t, c, "empty", nil)
	z.hdr(t, "Etag", "d41d8cd98f00b204e9800998ecf8427e")
	s.get(t, c, "empty").hdr(t, "Content-Length", "0")

	// Names with spaces, reserved characters, unicode, leading slash.
	for _, n := range []string{"with space", "q?uery#frag&amp;%25", "ünï/cødé ✓", "/leading", "trailing/", "a//b", "+plus+"} {
		s.put(t, c, n, []byte(n))
		if g := s.get(t, c, n); string(g.Body) != n {
			t.Errorf("object %q came back as %q", n, g.Body)
		}
	}
	found := map[string]bool{}
	for _, l := range s.listing(t, p(c), "") {
		found[l] = true
	}
	for _, n := range []string{"with space", "q?uery#frag&amp;%25", "ünï/cødé ✓", "/leading", "trailing/", "a//b", "+plus+"} {
		if !found[n] {
			t.Errorf("listing lacks %q", n)
		}
	}

	// Delete.
	s.do(t, "DELETE", p(c, "o"), nil).expect(t, 204)
	s.do(t, "GET", p(c, "o"), nil).check(t, 404)
	s.do(t, "HEAD", p(c, "o"), nil).check(t, 404)
	s.do(t, "DELETE", p(c, "o"), nil).check(t, 404)
}

func TestEtagCheckedOnPut(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c := s.mkContainer(t, "etag")
	data := []byte("checked content")
	s.put(t, c, "good", data, "ETag", md5hex(data)).hdr(t, "Etag", md5hex(data))
	s.do(t, "PUT", p(c, "bad"), data, "ETag", md5hex([]byte("other"))).check(t, 422)
	s.do(t, "HEAD", p(c, "bad"), nil).check(t, 404)
	// A mismatch must not clobber an existing version either.
	s.do(t, "PUT", p(c, "good"), []byte("tampered"), "ETag", md5hex(data)).check(t, 422)
	if g := s.get(t, c, "good"); !bytes.Equal(g.Body, data) {
		t.Errorf("a 422 PUT replaced the object with %q", g.Body)
	}
	// Chunked with a bad ETag.
	s.do(t, "PUT", p(c, "badchunked"), io.MultiReader(bytes.NewReader(data)), "ETag", md5hex([]byte("x"))).check(t, 422)
	s.do(t, "HEAD", p(c, "badchunked"), nil).check(t, 404)
}

// slowReader hands out data in small pieces so the client must chunk it.
type slowReader struct {
	data  []byte
	piece int
}

func (r *slowReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), r.piece, len(r.data))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

func TestChunkedUpload(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c := s.mkContainer(t, "chunked")
	data := randBytes(3<<20 + 7)
	req := newRequest(t, "PUT", s.storageURL+p(c, "o"), &slowReader{data: data, piece: 64 << 10}, "X-Auth-Token", s.token)
	if req.ContentLength != -1 {
		t.Fatalf("request would not be chunked")
	}
	res, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("chunked PUT: %s", res.Status)
	}
	if got := res.Header.Get("Etag"); got != md5hex(data) {
		t.Errorf("chunked PUT ETag %q, want %q", got, md5hex(data))
	}
	h := s.do(t, "HEAD", p(c, "o"), nil).expect(t, 200)
	h.hdr(t, "Content-Length", strconv.Itoa(len(data)))
	if g := s.get(t, c, "o"); !bytes.Equal(g.Body, data) {
		t.Errorf("chunked upload stored different bytes")
	}
	if rows := s.jsonListing(t, p(c), ""); len(rows) != 1 || rows[0]["bytes"] != float64(len(data)) {
		t.Errorf("listing after chunked upload: %v", rows)
	}
}

// rawConn sends a hand-written request and returns a reader on the
// connection, for what net/http will not send (Expect handshakes,
// missing lengths, truncated bodies).
func rawConn(t *testing.T) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	return conn, bufio.NewReader(conn)
}

func TestExpect100Continue(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c := s.mkContainer(t, "expect")
	body := "hello, expect"
	conn, br := rawConn(t)
	fmt.Fprintf(conn, "PUT /v1/AUTH_test%s HTTP/1.1\r\nHost: %s\r\nX-Auth-Token: %s\r\nContent-Length: %d\r\nContent-Type: text/plain\r\nExpect: 100-continue\r\n\r\n",
		p(c, "o"), srv.Addr, s.token, len(body))
	status, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("no interim response: %v", err)
	}
	if !strings.HasPrefix(status, "HTTP/1.1 100") {
		t.Fatalf("first response line %q, want HTTP/1.1 100 Continue before the body is sent", status)
	}
	for { // interim headers end with a blank line
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if line == "\r\n" {
			break
		}
	}
	io.WriteString(conn, body)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("final response %s, want 201", res.Status)
	}
	if g := s.get(t, c, "o"); string(g.Body) != body {
		t.Errorf("stored %q", g.Body)
	}

	// With a bad token the final answer comes without a 100 Continue.
	conn2, br2 := rawConn(t)
	fmt.Fprintf(conn2, "PUT /v1/AUTH_test%s HTTP/1.1\r\nHost: %s\r\nX-Auth-Token: AUTH_tkbogus\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n",
		p(c, "o2"), srv.Addr, 1<<20)
	res2, err := http.ReadResponse(br2, nil)
	if err != nil {
		t.Fatal(err)
	}
	res2.Body.Close()
	if res2.StatusCode != 401 {
		t.Errorf("Expect: 100-continue with a bad token: first response %s, want 401 (no 100 Continue)", res2.Status)
	}
}

func TestLengthRequired(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c := s.mkContainer(t, "len")
	conn, br := rawConn(t)
	fmt.Fprintf(conn, "PUT /v1/AUTH_test%s HTTP/1.1\r\nHost: %s\r\nX-Auth-Token: %s\r\nContent-Type: text/plain\r\n\r\n", p(c, "o"), srv.Addr, s.token)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 411 {
		t.Errorf("object PUT with neither Content-Length nor chunked encoding: %s, want 411 Length Required", res.Status)
	}
}

// TestTruncatedUpload: a client that disconnects mid-body leaves no object.
func TestTruncatedUpload(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c := s.mkContainer(t, "trunc")
	s.put(t, c, "existing", []byte("old version"))
	for _, name := range []string{"new", "existing"} {
		conn, _ := rawConn(t)
		fmt.Fprintf(conn, "PUT /v1/AUTH_test%s HTTP/1.1\r\nHost: %s\r\nX-Auth-Token: %s\r\nContent-Length: 100000\r\nContent-Type: text/plain\r\n\r\n", p(c, name), srv.Addr, s.token)
		conn.Write(randBytes(1000))
		time.Sleep(100 * time.Millisecond)
		conn.Close()
	}
	// Give the server time to notice; the objects must never look torn.
	deadline := time.Now().Add(1500 * time.Millisecond)
	for time.Now().Before(deadline) {
		if r := s.do(t, "HEAD", p(c, "new"), nil); r.Status != 404 {
			t.Fatalf("after a truncated upload: %s, want 404", r)
		}
		if g := s.get(t, c, "existing"); string(g.Body) != "old version" {
			t.Fatalf("a truncated upload replaced the object: %q", g.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if l := s.listing(t, p(c), ""); !equalStrings(l, []string{"existing"}) {
		t.Errorf("listing after truncated uploads: %q", l)
	}
}

func TestContentTypeDetection(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c := s.mkContainer(t, "ctype")
	for _, tc := range []struct {
		name    string
		headers []string
		want    string // media type
	}{
		{"given.txt", []string{"Content-Type", "application/x-given"}, "application/x-given"},
		{"detect.txt", []string{"Content-Type", "application/x-given", "X-Detect-Content-Type", "true"}, "text/plain"},
		{"detect.png", []string{"Content-Type", "application/x-given", "X-Detect-Content-Type", "true"}, "image/png"},
		{"guess.png", nil, "image/png"},                           // no Content-Type: guessed from the name
		{"guess.html", []string{"Content-Type", ""}, "text/html"}, // empty, as swiftclient sends: guessed
		{"noextension", nil, "application/octet-stream"},
		{"detect.unknownext", []string{"Content-Type", "text/x-given", "X-Detect-Content-Type", "true"}, "application/octet-stream"},
	} {
		s.put(t, c, tc.name, []byte("x"), tc.headers...)
		ct := s.do(t, "HEAD", p(c, tc.name), nil).expect(t, 200).Header.Get("Content-Type")
		if mt, _, _ := mime.ParseMediaType(ct); mt != tc.want {
			t.Errorf("%s with %q: Content-Type %q, want %s", tc.name, tc.headers, ct, tc.want)
		}
	}
}

func TestPassThroughHeaders(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c := s.mkContainer(t, "passthru")
	hdrs := map[string]string{
		"Content-Disposition": `attachment; filename="run1.h5"`,
		"Content-Encoding":    "gzip",
		"Cache-Control":       "max-age=3600, public",
		"Content-Language":    "en",
		"Expires":             "Wed, 21 Oct 2037 07:28:00 GMT",
		"X-Robots-Tag":        "noindex",
	}
	var list []string
	for k, v := range hdrs {
		list = append(list, k, v)
	}
	data := []byte("pretend this is gzip")
	s.put(t, c, "o", data, list...)
	for _, method := range []string{"HEAD", "GET"} {
		r := s.do(t, method, p(c, "o"), nil).expect(t, 200)
		for k, v := range hdrs {
			r.hdr(t, k, v)
		}
		if method == "GET" && !bytes.Equal(r.Body, data) {
			t.Errorf("body changed: %q (Content-Encoding must not be applied by the server)", r.Body)
		}
	}
	// Unknown headers are not stored.
	s.put(t, c, "o2", data, "X-Not-Allowed", "1")
	s.do(t, "HEAD", p(c, "o2"), nil).expect(t, 200).hdrAbsent(t, "X-Not-Allowed")
	// POST replaces them along with the metadata.
	s.do(t, "POST", p(c, "o"), nil, "Content-Disposition", "inline", "X-Object-Meta-A", "1").expect(t, 202)
	r := s.do(t, "HEAD", p(c, "o"), nil).expect(t, 200)
	r.hdr(t, "Content-Disposition", "inline")
	r.hdr(t, "X-Object-Meta-A", "1")
}

func TestConditionalRequests(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c := s.mkContainer(t, "cond")
	data := []byte("conditional requests")
	etag := md5hex(data)
	s.put(t, c, "o", data)
	lmHeader := s.do(t, "HEAD", p(c, "o"), nil).expect(t, 200).Header.Get("Last-Modified")
	lm, err := http.ParseTime(lmHeader)
	if err != nil {
		t.Fatalf("Last-Modified %q: %v", lmHeader, err)
	}
	past := lm.Add(-time.Hour).UTC().Format(http.TimeFormat)
	future := lm.Add(time.Hour).UTC().Format(http.TimeFormat)

	for _, tc := range []struct {
		method string
		hdr    []string
		want   int
	}{
		{"GET", []string{"If-Match", etag}, 200},
		{"GET", []string{"If-Match", `"` + etag + `"`}, 200},
		{"GET", []string{"If-Match", "*"}, 200},
		{"GET", []string{"If-Match", "deadbeef"}, 412},
		{"HEAD", []string{"If-Match", "deadbeef"}, 412},
		{"GET", []string{"If-Match", `"deadbeef", "` + etag + `"`}, 200},
		{"GET", []string{"If-None-Match", etag}, 304},
		{"GET", []string{"If-None-Match", `"` + etag + `"`}, 304},
		{"GET", []string{"If-None-Match", "*"}, 304},
		{"HEAD", []string{"If-None-Match", etag}, 304},
		{"GET", []string{"If-None-Match", "deadbeef"}, 200},
		{"GET", []string{"If-Modified-Since", lmHeader}, 304},
		{"GET", []string{"If-Modified-Since", future}, 304},
		{"GET", []string{"If-Modified-Since", past}, 200},
		{"HEAD", []string{"If-Modified-Since", lmHeader}, 304},
		{"GET", []string{"If-Unmodified-Since", past}, 412},
		{"GET", []string{"If-Unmodified-Since", lmHeader}, 200},
		{"GET", []string{"If-Unmodified-Since", future}, 200},
		{"GET", []string{"If-Modified-Since", "not a date"}, 200},
	} {
		r := s.do(t, tc.method, p(c, "o"), nil, tc.hdr...)
		if r.Status != tc.want {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.hdr, r.Status, tc.want)
			continue
		}
		switch r.Status {
		case 304:
			if len(r.Body) != 0 {
				t.Errorf("%s %s: 304 with a body", tc.method, tc.hdr)
			}
			if unquote(r.Header.Get("Etag")) != etag {
				t.Errorf("%s %s: 304 Etag %q, want %q", tc.method, tc.hdr, r.Header.Get("Etag"), etag)
			}
		case 200:
			if tc.method == "GET" && !bytes.Equal(r.Body, data) {
				t.Errorf("%s %s: wrong body", tc.method, tc.hdr)
			}
		}
	}

	// If-None-Match: * on PUT creates only.
	s.do(t, "PUT", p(c, "o"), "new data", "If-None-Match", "*").check(t, 412)
	if g := s.get(t, c, "o"); !bytes.Equal(g.Body, data) {
		t.Errorf("a 412 PUT replaced the object")
	}
	s.do(t, "PUT", p(c, "fresh"), "new data", "If-None-Match", "*").check(t, 201)
	// Anything but * in If-None-Match on PUT is a 400 in Swift.
	s.do(t, "PUT", p(c, "other"), "x", "If-None-Match", "abc").check(t, 400)
}

func TestRanges(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c := s.mkContainer(t, "range")
	data := randBytes(1000)
	s.put(t, c, "o", data, "Content-Type", "application/x-ranged")

	for _, tc := range []struct {
		rng        string
		start, end int // inclusive
	}{
		{"bytes=0-99", 0, 99},
		{"bytes=100-100", 100, 100},
		{"bytes=-100", 900, 999},
		{"bytes=900-", 900, 999},
		{"bytes=990-2000", 990, 999},
		{"bytes=0-", 0, 999},
		{"bytes=-5000", 0, 999},
	} {
		r := s.do(t, "GET", p(c, "o"), nil, "Range", tc.rng)
		if !r.check(t, 206) {
			continue
		}
		r.hdr(t, "Content-Range", fmt.Sprintf("bytes %d-%d/1000", tc.start, tc.end))
		r.hdr(t, "Content-Length", strconv.Itoa(tc.end-tc.start+1))
		if !bytes.Equal(r.Body, data[tc.start:tc.end+1]) {
			t.Errorf("Range %s: wrong bytes", tc.rng)
		}
	}

	t.Run("multi-range", func(t *testing.T) {
		r := s.do(t, "GET", p(c, "o"), nil, "Range", "bytes=0-9,500-519,-5").expect(t, 206)
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/byteranges" || params["boundary"] == "" {
			t.Fatalf("Content-Type %q, want multipart/byteranges with a boundary", r.Header.Get("Content-Type"))
		}
		mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
		want := [][2]int{{0, 9}, {500, 519}, {995, 999}}
		for i := 0; ; i++ {
			part, err := mr.NextPart()
			if err == io.EOF {
				if i != len(want) {
					t.Errorf("%d parts, want %d", i, len(want))
				}
				break
			}
			if err != nil {
				t.Fatalf("part %d: %v", i, err)
			}
			if i >= len(want) {
				t.Fatalf("more than %d parts", len(want))
			}
			body, _ := io.ReadAll(part)
			w := want[i]
			if cr := part.Header.Get("Content-Range"); cr != fmt.Sprintf("bytes %d-%d/1000", w[0], w[1]) {
				t.Errorf("part %d Content-Range %q, want bytes %d-%d/1000", i, cr, w[0], w[1])
			}
			if ct := part.Header.Get("Content-Type"); ct != "application/x-ranged" {
				t.Errorf("part %d Content-Type %q, want the object's type", i, ct)
			}
			if !bytes.Equal(body, data[w[0]:w[1]+1]) {
				t.Errorf("part %d: wrong bytes", i)
			}
		}
	})

	t.Run("unsatisfiable", func(t *testing.T) {
		for _, rng := range []string{"bytes=1000-2000", "bytes=5000-"} {
			r := s.do(t, "GET", p(c, "o"), nil, "Range", rng)
			r.check(t, 416)
			r.hdr(t, "Content-Range", "bytes */1000")
		}
	})

	t.Run("invalid range header is ignored", func(t *testing.T) {
		for _, rng := range []string{"bytes=abc", "bytes=5-2", "lines=1-2", "bytes=", "bytes=1-2-3"} {
			r := s.do(t, "GET", p(c, "o"), nil, "Range", rng)
			if r.check(t, 200) && !bytes.Equal(r.Body, data) {
				t.Errorf("Range %q: 200 but not the whole object", rng)
			}
		}
	})

	t.Run("range with If-Match", func(t *testing.T) {
		s.do(t, "GET", p(c, "o"), nil, "Range", "bytes=0-1", "If-Match", md5hex(data)).check(t, 206)
		s.do(t, "GET", p(c, "o"), nil, "Range", "bytes=0-1", "If-Match", "nope").check(t, 412)
	})
}

func TestMethodNotAllowed(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c := s.mkContainer(t, "method")
	s.put(t, c, "o", []byte("x"))
	s.do(t, "PATCH", p(c, "o"), "x").check(t, 405)
	s.do(t, "FOO", p(c), nil).check(t, 405)
}
