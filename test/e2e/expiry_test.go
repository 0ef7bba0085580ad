package e2e

import (
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestExpiringObjects(t *testing.T) {
	t.Parallel()
	s := as(t, tester)
	c := s.mkContainer(t, "expire")
	s.put(t, c, "keep", []byte("stays"))
	start := time.Now()
	s.put(t, c, "after", []byte("goes away"), "X-Delete-After", "2")
	at := time.Now().Add(3 * time.Second).Unix()
	s.put(t, c, "at", []byte("goes away too"), "X-Delete-At", strconv.FormatInt(at, 10))
	s.put(t, c, "posted", []byte("expiry set by POST"))
	s.do(t, "POST", p(c, "posted"), nil, "X-Delete-After", "2").expect(t, 202)

	// X-Delete-After becomes X-Delete-At.
	h := s.do(t, "HEAD", p(c, "after"), nil).expect(t, 200)
	da, err := strconv.ParseInt(h.Header.Get("X-Delete-At"), 10, 64)
	if err != nil || da < start.Unix()+1 || da > time.Now().Unix()+3 {
		t.Errorf("X-Delete-After 2 gave X-Delete-At %q, want about now+2 (%d)", h.Header.Get("X-Delete-At"), start.Unix()+2)
	}
	s.do(t, "HEAD", p(c, "at"), nil).expect(t, 200).hdr(t, "X-Delete-At", strconv.FormatInt(at, 10))
	if s.do(t, "HEAD", p(c, "posted"), nil).expect(t, 200).Header.Get("X-Delete-At") == "" {
		t.Errorf("POST X-Delete-After did not set X-Delete-At")
	}

	// Bad values.
	s.do(t, "PUT", p(c, "bad1"), "x", "X-Delete-At", strconv.FormatInt(time.Now().Unix()-100, 10)).check(t, 400)
	s.do(t, "PUT", p(c, "bad2"), "x", "X-Delete-After", "-1").check(t, 400)
	s.do(t, "PUT", p(c, "bad3"), "x", "X-Delete-After", "soon").check(t, 400)
	s.do(t, "PUT", p(c, "bad4"), "x", "X-Delete-At", "tomorrow").check(t, 400)

	// 404 once expired, for GET and HEAD, without waiting for the expirer.
	for _, o := range []string{"after", "at", "posted"} {
		eventually(t, 10*time.Second, o+" to expire", func() string {
			if r := s.do(t, "GET", p(c, o), nil); r.Status != 404 {
				return r.String()
			}
			if r := s.do(t, "HEAD", p(c, o), nil); r.Status != 404 {
				return r.String()
			}
			return ""
		})
	}
	if el := time.Since(start); el < 1500*time.Millisecond {
		t.Errorf("objects with X-Delete-After 2 were gone after %s", el)
	}
	s.get(t, c, "keep")

	// Then the expirer removes them from the listing and the counts.
	wait := 30 * time.Second
	if !expirerConfigured {
		t.Logf("the server ignored our config file (expirer_interval 1s); waiting for its default interval")
		wait = 90 * time.Second
	}
	eventually(t, wait, "the expirer to remove expired objects from the listing", func() string {
		l := s.listing(t, p(c), "")
		if !slices.Equal(l, []string{"keep"}) {
			return fmt.Sprintf("listing %q, want [keep]", l)
		}
		h := s.do(t, "HEAD", p(c), nil).expect(t, 204)
		if h.Header.Get("X-Container-Object-Count") != "1" {
			return "object count " + h.Header.Get("X-Container-Object-Count")
		}
		return ""
	})
	t.Logf("expired objects left the listing %s after upload", time.Since(start).Round(100*time.Millisecond))

	// A POST without X-Delete-At removes the expiry (object POST
	// replaces it along with the metadata), so the object stays.
	s.put(t, c, "saved", []byte("x"), "X-Delete-After", "2")
	s.do(t, "POST", p(c, "saved"), nil, "X-Object-Meta-Saved", "yes").expect(t, 202)
	if s.do(t, "HEAD", p(c, "saved"), nil).expect(t, 200).Header.Get("X-Delete-At") != "" {
		t.Errorf("POST without X-Delete-At kept the expiry (object POST replaces it)")
	}
	time.Sleep(2500 * time.Millisecond) // past the original expiry: an absence can only be waited for
	s.do(t, "HEAD", p(c, "saved"), nil).check(t, 200)
}
