package swift

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseRange(t *testing.T) {
	r := func(pairs ...int64) []ByteRange {
		var out []ByteRange
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, ByteRange{pairs[i], pairs[i+1]})
		}
		return out
	}
	// manyRanges builds "bytes=0-10,1000-1010,..." with n ascending,
	// non-overlapping ranges.
	manyRanges := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf("%d-%d", i*1000, i*1000+10)
		}
		return "bytes=" + strings.Join(parts, ",")
	}
	const unsatisfiable = "416"
	tests := []struct {
		header string
		size   int64
		want   []ByteRange // nil: ignore the header, serve 200
		err    string      // unsatisfiable: expect ErrRangeNotSatisfiable
	}{
		// Absent or syntactically invalid: ignored (swob.Range raises).
		{header: "", size: 10},
		{header: "nonbytes=0-", size: 10},
		{header: "bytes=5-3", size: 10},
		{header: "bytes=-", size: 10},
		{header: "bytes=45", size: 10},
		{header: "bytes=foo-bar,3-5", size: 10},
		{header: "bytes=4-10,45", size: 10},
		{header: "bytes=nonumber-5", size: 10},
		{header: "bytes=--1", size: 10},
		{header: "bytes=--0", size: 10},
		{header: "bytes=0-1,", size: 10},
		{header: "bytes=1-+2", size: 10},
		{header: "bytes=1-2_0", size: 10},
		{header: "bytes=5__0-", size: 10},
		{header: "bytes=99999999999999999999999-99999999999999999999998", size: 10},
		// Valid forms.
		{header: "bytes=0-0", size: 10, want: r(0, 1)},
		{header: "bytes=0-9", size: 10, want: r(0, 10)},
		{header: "bytes=2-5", size: 10, want: r(2, 6)},
		{header: "bytes=5-", size: 10, want: r(5, 10)},
		{header: "bytes=-3", size: 10, want: r(7, 10)},
		{header: "bytes=-10", size: 10, want: r(0, 10)},
		{header: "bytes=-100", size: 10, want: r(0, 10)},
		{header: "bytes=0-99999", size: 10, want: r(0, 10)},
		{header: "bytes=0-99999999999999999999999", size: 10, want: r(0, 10)},
		{header: "BYTES=1-2", size: 10, want: r(1, 3)},
		{header: "bytes = 1 - 2 , 4 - 5", size: 10, want: r(1, 3, 4, 6)},
		{header: "bytes=+1-2", size: 10, want: r(1, 3)},
		{header: "bytes=\t1-2", size: 10, want: r(1, 3)},
		{header: "bytes=1_0-20", size: 100, want: r(10, 21)},
		{header: "bytes=0-1,-7", size: 10, want: r(0, 2, 3, 10)},
		{header: "bytes=-7,0-1", size: 10, want: r(3, 10, 0, 2)},
		{header: "bytes=-7,0-1", size: 5, want: r(0, 5, 0, 2)},
		{header: "bytes=4-6,-100", size: 5, want: r(4, 5, 0, 5)},
		{header: "bytes=30-150,-10", size: 90, want: r(30, 90, 80, 90)},
		{header: "bytes=30-150,-10", size: 200, want: r(30, 151, 190, 200)},
		// Unsatisfiable ranges are dropped; none left is a 416.
		{header: "bytes=10-", size: 10, err: unsatisfiable},
		{header: "bytes=10-20", size: 10, err: unsatisfiable},
		{header: "bytes=-0", size: 10, err: unsatisfiable},
		{header: "bytes=99999999999999999999999-", size: 10, err: unsatisfiable},
		{header: "bytes=20-30,2-3", size: 10, want: r(2, 4)},
		{header: "bytes=0-", size: 0, err: unsatisfiable},
		// A suffix of an empty entity: served whole with 200.
		{header: "bytes=-5", size: 0},
		// Overlaps: at most two overlapping pairs.
		{header: "bytes=10-19,15-24", size: 100, want: r(10, 20, 15, 25)},
		{header: "bytes=10-19,15-24,20-29", size: 100, want: r(10, 20, 15, 25, 20, 30)},
		{header: "bytes=10-19,20-29,30-39", size: 100, want: r(10, 20, 20, 30, 30, 40)},
		{header: "bytes=10-20,20-30,30-40,40-50", size: 100, err: unsatisfiable},
		{header: "bytes=10-15,15-20,30-39,-9", size: 100, want: r(10, 16, 15, 21, 30, 40, 91, 100)},
		{header: "bytes=10-15,15-20,30-39,-9", size: 20, err: unsatisfiable},
		{header: "bytes=0-9,0-9,0-9,0-9", size: 100, want: r(0, 10, 0, 10, 0, 10, 0, 10)}, // identical ranges do not overlap
		// Out of order: fewer than eight ranges are fine.
		{header: "bytes=100-109,200-209,300-309,500-509,400-409,600-609,700-709", size: 100000,
			want: r(100, 110, 200, 210, 300, 310, 500, 510, 400, 410, 600, 610, 700, 710)},
		{header: "bytes=100-109,200-209,300-309,500-509,400-409,600-609,700-709,800-809", size: 100000, err: unsatisfiable},
		// Order is that of (start, end) pairs: an equal start with a smaller end is out of order.
		{header: "bytes=0-9,0-5,100-109,200-209,300-309,400-409,500-509,600-609", size: 100000, err: unsatisfiable},
		{header: "bytes=0-5,0-9,100-109,200-209,300-309,400-409,500-509,600-609", size: 100000,
			want: r(0, 6, 0, 10, 100, 110, 200, 210, 300, 310, 400, 410, 500, 510, 600, 610)},
		// At most fifty satisfiable ranges.
		{header: manyRanges(50), size: 1e9},
		{header: manyRanges(51), size: 1e9, err: unsatisfiable},
		{header: manyRanges(51), size: 5000}, // only five are satisfiable
	}
	for _, tc := range tests {
		t.Run(tc.header, func(t *testing.T) {
			got, err := ParseRange(tc.header, tc.size)
			if tc.err != "" {
				if !errors.Is(err, ErrRangeNotSatisfiable) || Status(err) != http.StatusRequestedRangeNotSatisfiable {
					t.Fatalf("ParseRange = %v, %v; want ErrRangeNotSatisfiable", got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRange: unexpected error %v", err)
			}
			if strings.HasPrefix(tc.header, "bytes=0-10,1000-1010") {
				// The many-ranges cases check counts, not contents.
				n := strings.Count(tc.header, ",") + 1
				if tc.size == 5000 {
					n = 5
				}
				if len(got) != n {
					t.Fatalf("got %d ranges, want %d", len(got), n)
				}
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ParseRange = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestByteRange(t *testing.T) {
	r := ByteRange{0, 10}
	if r.Length() != 10 || r.ContentRange(100) != "bytes 0-9/100" {
		t.Fatalf("got %d %q", r.Length(), r.ContentRange(100))
	}
	if got := (ByteRange{99, 100}).ContentRange(100); got != "bytes 99-99/100" {
		t.Fatalf("got %q", got)
	}
}

func TestRequestRanges(t *testing.T) {
	for _, tc := range []struct {
		method string
		want   []ByteRange
	}{
		{http.MethodGet, []ByteRange{{1, 3}}},
		{http.MethodHead, nil}, // swob answers HEAD before looking at ranges
		{http.MethodPut, nil},
	} {
		req := httptest.NewRequest(tc.method, "/v1/a/c/o", nil)
		req.Header.Set("Range", "bytes=1-2")
		got, err := RequestRanges(req, 10)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: RequestRanges = %v, %v; want %v", tc.method, got, err, tc.want)
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/v1/a/c/o", nil)
	req.Header.Set("Range", "bytes=20-")
	if _, err := RequestRanges(req, 10); Status(err) != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("unsatisfiable GET: err = %v", err)
	}
}

const rangeBody = "0123456789abcdefghij"

func TestWriteRangesWhole(t *testing.T) {
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(method, "/", nil)
		// Ranges passed with HEAD are ignored: Swift answers 200.
		err := WriteRanges(rec, req, "text/plain", 20, []ByteRange{{0, 5}}, strings.NewReader(rangeBody))
		if method == http.MethodGet {
			rec = httptest.NewRecorder()
			err = WriteRanges(rec, req, "text/plain", 20, nil, strings.NewReader(rangeBody))
		}
		if err != nil {
			t.Fatal(err)
		}
		wantBody := rangeBody
		if method == http.MethodHead {
			wantBody = ""
		}
		if rec.Code != 200 || rec.Header().Get("Content-Length") != "20" ||
			rec.Header().Get("Content-Range") != "" || rec.Body.String() != wantBody {
			t.Errorf("%s: %d %v %q", method, rec.Code, rec.Header(), rec.Body.String())
		}
	}
}

func TestWriteRangesSingle(t *testing.T) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if err := WriteRanges(rec, req, "text/plain", 20, []ByteRange{{3, 7}}, strings.NewReader(rangeBody)); err != nil {
		t.Fatal(err)
	}
	h := rec.Header()
	if rec.Code != 206 || h.Get("Content-Range") != "bytes 3-6/20" || h.Get("Content-Length") != "4" ||
		h.Get("Content-Type") != "text/plain" || rec.Body.String() != "3456" {
		t.Fatalf("%d %v %q", rec.Code, h, rec.Body.String())
	}
}

func TestWriteRangesMultipart(t *testing.T) {
	ranges := []ByteRange{{0, 2}, {18, 20}, {5, 6}}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if err := WriteRanges(rec, req, "text/plain; charset=utf-8", 20, ranges, strings.NewReader(rangeBody)); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 206 {
		t.Fatalf("status %d", rec.Code)
	}
	ct := rec.Header().Get("Content-Type")
	if !strings.HasPrefix(ct, "multipart/byteranges;boundary=") || len(ct) != len("multipart/byteranges;boundary=")+32 {
		t.Fatalf("Content-Type %q", ct)
	}
	if cl := rec.Header().Get("Content-Length"); cl != strconv.Itoa(rec.Body.Len()) {
		t.Fatalf("Content-Length %s, body %d bytes", cl, rec.Body.Len())
	}
	_, params, err := mime.ParseMediaType(ct)
	if err != nil {
		t.Fatal(err)
	}
	boundary := params["boundary"]
	want := "--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 0-1/20\r\n\r\n01\r\n" +
		"--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 18-19/20\r\n\r\nij\r\n" +
		"--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 5-5/20\r\n\r\n5\r\n" +
		"--" + boundary + "--"
	if rec.Body.String() != want {
		t.Fatalf("body\n%q\nwant\n%q", rec.Body.String(), want)
	}
	// And a standard reader agrees.
	mr := multipart.NewReader(bytes.NewReader(rec.Body.Bytes()), boundary)
	for i, rng := range ranges {
		part, err := mr.NextPart()
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		data, _ := io.ReadAll(part)
		if part.Header.Get("Content-Range") != rng.ContentRange(20) || string(data) != rangeBody[rng.Start:rng.End] {
			t.Fatalf("part %d: %v %q", i, part.Header, data)
		}
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Fatalf("after the last part: %v", err)
	}
}

func TestWriteRangesShortSource(t *testing.T) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	err := WriteRanges(rec, req, "text/plain", 20, []ByteRange{{0, 20}}, strings.NewReader("short"))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestMultipartRangesContentLength(t *testing.T) {
	for _, ranges := range [][]ByteRange{nil, {{0, 1}}, {{0, 1}, {5, 10}}, {{0, 100}, {99, 100}, {3, 4}}} {
		var buf bytes.Buffer
		mr := NewMultipartRanges(&buf, "application/octet-stream", 100, ranges)
		for i, r := range ranges {
			if err := mr.BeginPart(i); err != nil {
				t.Fatal(err)
			}
			buf.WriteString(strings.Repeat("x", int(r.Length())))
		}
		if err := mr.Close(); err != nil {
			t.Fatal(err)
		}
		if int64(buf.Len()) != mr.ContentLength() {
			t.Errorf("%v: wrote %d bytes, ContentLength %d", ranges, buf.Len(), mr.ContentLength())
		}
	}
}

func TestMultipartRangesOrder(t *testing.T) {
	mr := NewMultipartRanges(io.Discard, "text/plain", 10, []ByteRange{{0, 1}, {2, 3}})
	if err := mr.BeginPart(1); err == nil {
		t.Error("BeginPart(1) before part 0 succeeded")
	}
	if err := mr.BeginPart(0); err != nil {
		t.Fatal(err)
	}
	if err := mr.Close(); err == nil {
		t.Error("Close with a part never begun succeeded")
	}
	if err := mr.BeginPart(1); err != nil {
		t.Fatal(err)
	}
	if err := mr.BeginPart(2); err == nil {
		t.Error("BeginPart past the last range succeeded")
	}
	if err := mr.Close(); err != nil {
		t.Fatal(err)
	}
	if err := mr.BeginPart(2); err == nil {
		t.Error("BeginPart after Close succeeded")
	}
	a := NewMultipartRanges(io.Discard, "text/plain", 10, nil).ContentType()
	b := NewMultipartRanges(io.Discard, "text/plain", 10, nil).ContentType()
	if a == b {
		t.Error("two bodies share a boundary")
	}
}

func TestWriteRangeNotSatisfiable(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteRangeNotSatisfiable(rec, httptest.NewRequest(http.MethodGet, "/", nil), 1234)
	if rec.Code != 416 || rec.Header().Get("Content-Range") != "bytes */1234" ||
		rec.Body.String() != "Requested Range Not Satisfiable" {
		t.Fatalf("%d %v %q", rec.Code, rec.Header(), rec.Body.String())
	}
}
