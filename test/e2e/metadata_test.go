package e2e

import (
	"fmt"
	"strings"
	"testing"
)

func TestObjectMetadataPostReplaces(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c := s.mkContainer(t, "ometa")
	data := []byte("metadata test object")
	s.put(t, c, "o", data,
		"Content-Type", "text/x-custom",
		"X-Object-Meta-Color", "red",
		"X-Object-Meta-Size", "big",
		"X-Object-Meta-Unicode", "π≈3.14")
	h := s.do(t, "HEAD", p(c, "o"), nil).expect(t, 200)
	h.hdr(t, "X-Object-Meta-Color", "red")
	h.hdr(t, "X-Object-Meta-Size", "big")
	h.hdr(t, "X-Object-Meta-Unicode", "π≈3.14")
	s.get(t, c, "o").hdr(t, "X-Object-Meta-Color", "red")

	// POST replaces all user metadata (fast-POST), keeps data and type.
	s.do(t, "POST", p(c, "o"), nil, "X-Object-Meta-Shape", "round").expect(t, 202)
	h = s.do(t, "HEAD", p(c, "o"), nil).expect(t, 200)
	h.hdr(t, "X-Object-Meta-Shape", "round")
	h.hdrAbsent(t, "X-Object-Meta-Color")
	h.hdrAbsent(t, "X-Object-Meta-Size")
	h.hdrAbsent(t, "X-Object-Meta-Unicode")
	h.hdr(t, "Content-Type", "text/x-custom")
	h.hdr(t, "Etag", md5hex(data))
	h.hdr(t, "Content-Length", fmt.Sprint(len(data)))
	if g := s.get(t, c, "o"); string(g.Body) != string(data) {
		t.Errorf("POST changed the object's data: %q", g.Body)
	}

	// POST may change the content type.
	s.do(t, "POST", p(c, "o"), nil, "Content-Type", "application/x-new", "X-Object-Meta-Shape", "round").expect(t, 202)
	s.do(t, "HEAD", p(c, "o"), nil).expect(t, 200).hdr(t, "Content-Type", "application/x-new")
	// The listing follows the new content type.
	rows := s.jsonListing(t, p(c), "")
	if len(rows) != 1 || rows[0]["content_type"] != "application/x-new" {
		t.Errorf("listing after a content-type POST: %v", rows)
	}

	// POST with no metadata clears it.
	s.do(t, "POST", p(c, "o"), nil).expect(t, 202)
	s.do(t, "HEAD", p(c, "o"), nil).expect(t, 200).hdrAbsent(t, "X-Object-Meta-Shape")

	s.do(t, "POST", p(c, "missing"), nil, "X-Object-Meta-A", "1").check(t, 404)
}

// metaHeaders builds n metadata headers of prefix with names of nameLen
// (made unique) and values of valueLen.
func metaHeaders(prefix string, n, nameLen, valueLen int) []string {
	var h []string
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("k%0*d", nameLen-1, i)
		if nameLen < 2 {
			name = string(rune('a' + i))
		}
		h = append(h, prefix+name, strings.Repeat("v", valueLen))
	}
	return h
}

func TestMetadataLimits(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c := s.mkContainer(t, "limits")
	type limitCase struct {
		name    string
		headers func(prefix string) []string
		ok      bool
		msg     string // what a 400 body must mention (case-insensitive)
	}
	cases := []limitCase{
		{"name 128", func(pf string) []string { return []string{pf + strings.Repeat("n", 128), "v"} }, true, ""},
		{"name 129", func(pf string) []string { return []string{pf + strings.Repeat("n", 129), "v"} }, false, "name"},
		{"value 256", func(pf string) []string { return []string{pf + "V", strings.Repeat("v", 256)} }, true, ""},
		{"value 257", func(pf string) []string { return []string{pf + "V", strings.Repeat("v", 257)} }, false, "value"},
		{"90 items", func(pf string) []string { return metaHeaders(pf, 90, 3, 1) }, true, ""},
		{"91 items", func(pf string) []string { return metaHeaders(pf, 91, 3, 1) }, false, "many"},
		// 16 × (3 + 253) = 4096 bytes exactly; one more byte is too many.
		{"overall 4096", func(pf string) []string { return metaHeaders(pf, 16, 3, 253) }, true, ""},
		{"overall 4097", func(pf string) []string {
			h := metaHeaders(pf, 16, 3, 253)
			h[1] += "v"
			return h
		}, false, "total"},
	}
	run := func(t *testing.T, tc limitCase, do func(headers []string) *resp, verify func(headers []string)) {
		r := do(tc.headers(""))
		if tc.ok {
			if r.Status == 503 && strings.Contains(tc.name, "4096") {
				// Real Swift stores object metadata in xattrs and fails
				// here on ext4 (~3.5 KiB per inode); sciswift must not.
				sciswiftOnly(t, "%s: the full 4096-byte metadata allowance must be accepted", r)
				return
			}
			if r.check(t, 201, 202, 204) && verify != nil {
				verify(tc.headers(""))
			}
			return
		}
		r.check(t, 400)
		if !strings.Contains(strings.ToLower(string(r.Body)), tc.msg) {
			t.Errorf("%s: 400 body %q should say what is wrong (mention %q)", tc.name, r.Body, tc.msg)
		}
	}
	withPrefix := func(pf string, h []string) []string {
		out := append([]string(nil), h...)
		for i := 0; i < len(out); i += 2 {
			out[i] = pf + out[i]
		}
		return out
	}
	for _, tc := range cases {
		t.Run("object PUT "+tc.name, func(t *testing.T) {
			o := uniq("o")
			run(t, tc, func(h []string) *resp {
				return s.do(t, "PUT", p(c, o), "data", withPrefix("X-Object-Meta-", h)...)
			}, func(h []string) {
				// Swift's whole allowance must be stored and returned intact.
				got := s.do(t, "HEAD", p(c, o), nil).expect(t, 200)
				for i := 0; i < len(h); i += 2 {
					if v := got.Header.Get("X-Object-Meta-" + h[i]); v != h[i+1] {
						t.Errorf("X-Object-Meta-%s came back as %d bytes, want %d", h[i], len(v), len(h[i+1]))
					}
				}
			})
			if !tc.ok {
				s.do(t, "HEAD", p(c, o), nil).check(t, 404) // rejected PUTs store nothing
			}
		})
		t.Run("object POST "+tc.name, func(t *testing.T) {
			o := uniq("o")
			s.put(t, c, o, []byte("data"))
			run(t, tc, func(h []string) *resp {
				return s.do(t, "POST", p(c, o), nil, withPrefix("X-Object-Meta-", h)...)
			}, nil)
		})
		t.Run("container POST "+tc.name, func(t *testing.T) {
			cc := s.mkContainer(t, "lim")
			run(t, tc, func(h []string) *resp {
				return s.do(t, "POST", p(cc), nil, withPrefix("X-Container-Meta-", h)...)
			}, func(h []string) {
				got := s.do(t, "HEAD", p(cc), nil).expect(t, 204)
				for i := 0; i < len(h); i += 2 {
					if v := got.Header.Get("X-Container-Meta-" + h[i]); v != h[i+1] {
						t.Errorf("X-Container-Meta-%s came back as %d bytes, want %d", h[i], len(v), len(h[i+1]))
					}
				}
			})
		})
		t.Run("container PUT "+tc.name, func(t *testing.T) {
			run(t, tc, func(h []string) *resp {
				return s.do(t, "PUT", p(uniq("limput")), nil, withPrefix("X-Container-Meta-", h)...)
			}, nil)
		})
		if !tc.ok {
			// Over-limit account POSTs must be refused (at-limit ones are
			// not tried: the account is shared by parallel tests).
			t.Run("account POST "+tc.name, func(t *testing.T) {
				run(t, tc, func(h []string) *resp {
					return s.do(t, "POST", "", nil, withPrefix("X-Account-Meta-", h)...)
				}, nil)
			})
		}
	}
}

func TestNameLimits(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c := s.mkContainer(t, "names")

	o1024 := strings.Repeat("o", 1024)
	s.put(t, c, o1024, []byte("longest name"))
	if g := s.get(t, c, o1024); string(g.Body) != "longest name" {
		t.Errorf("1024-character name: GET returned %q", g.Body)
	}
	if l := s.listing(t, p(c), ""); !equalStrings(l, []string{o1024}) {
		t.Errorf("listing of the 1024-character name: %d entries", len(l))
	}
	r := s.do(t, "PUT", p(c, strings.Repeat("o", 1025)), "x")
	r.check(t, 400)
	if !strings.Contains(string(r.Body), "1024") {
		t.Errorf("1025-character object name: body %q should mention the 1024 limit", r.Body)
	}
	// Multi-byte names are not probed at the limit: Swift 2.30 on Python 3
	// counts characters there (a 513-character, 1025-byte name is
	// accepted), Swift on Python 2 counted bytes.
	s.put(t, c, strings.Repeat("é", 512), []byte("x"))

	c256 := uniq("c")
	c256 += strings.Repeat("c", 256-len(c256))
	s.do(t, "PUT", p(c256), nil).check(t, 201)
	r = s.do(t, "PUT", p(c256+"c"), nil)
	r.check(t, 400)
	if !strings.Contains(string(r.Body), "256") {
		t.Errorf("257-character container name: body %q should mention the 256 limit", r.Body)
	}
}
