package e2e

import (
	"testing"
)

func TestACLUserRead(t *testing.T) {
	t.Parallel()
	owner, u3 := as(t, tester), as(t, tester3)
	c := owner.mkContainer(t, "aclread")
	owner.put(t, c, "o", []byte("secret"))

	u3.do(t, "GET", p(c, "o"), nil).check(t, 403)
	u3.do(t, "HEAD", p(c, "o"), nil).check(t, 403)
	u3.do(t, "GET", p(c), nil).check(t, 403)
	u3.do(t, "PUT", p(c, "new"), "x").check(t, 403)

	owner.do(t, "POST", p(c), nil, "X-Container-Read", "test:tester3").expect(t, 204)
	if g := u3.get(t, c, "o"); string(g.Body) != "secret" {
		t.Errorf("tester3 read %q", g.Body)
	}
	if l := u3.listing(t, p(c), ""); !equalStrings(l, []string{"o"}) {
		t.Errorf("tester3 listing %q, want [o] (a user named in the read ACL may list)", l)
	}
	// Read access is not write access, nor metadata access.
	u3.do(t, "PUT", p(c, "new"), "x").check(t, 403)
	u3.do(t, "DELETE", p(c, "o"), nil).check(t, 403)
	u3.do(t, "POST", p(c), nil, "X-Container-Read", ".r:*").check(t, 403)

	owner.do(t, "POST", p(c), nil, "X-Container-Write", "test:tester3").expect(t, 204)
	u3.do(t, "PUT", p(c, "new"), "from tester3").expect(t, 201)
	u3.do(t, "DELETE", p(c, "new"), nil).expect(t, 204)

	// Revoking works.
	owner.do(t, "POST", p(c), nil, "X-Remove-Container-Read", "x", "X-Remove-Container-Write", "x").expect(t, 204)
	u3.do(t, "GET", p(c, "o"), nil).check(t, 403)
	u3.do(t, "PUT", p(c, "new"), "x").check(t, 403)

	// Another admin of the same account needs no ACL.
	as(t, tester2).get(t, c, "o")
}

func TestACLAnonymous(t *testing.T) {
	t.Parallel()
	owner, a := as(t, tester), anon()
	c := owner.mkContainer(t, "aclanon")
	owner.put(t, c, "o", []byte("public data"))

	a.do(t, "GET", p(c, "o"), nil).check(t, 401)
	a.do(t, "GET", p(c), nil).check(t, 401)
	a.do(t, "GET", "", nil).check(t, 401)

	owner.do(t, "POST", p(c), nil, "X-Container-Read", ".r:*").expect(t, 204)
	if g := a.get(t, c, "o"); string(g.Body) != "public data" {
		t.Errorf("anonymous read %q", g.Body)
	}
	a.do(t, "HEAD", p(c, "o"), nil).check(t, 200)
	a.do(t, "GET", p(c, "missing"), nil).check(t, 404)
	// .r:* alone does not allow listing.
	a.do(t, "GET", p(c), nil).check(t, 401)
	// Nor writing.
	a.do(t, "PUT", p(c, "new"), "x").check(t, 401)
	a.do(t, "DELETE", p(c, "o"), nil).check(t, 401)

	owner.do(t, "POST", p(c), nil, "X-Container-Read", ".r:*,.rlistings").expect(t, 204)
	if l := a.listing(t, p(c), ""); !equalStrings(l, []string{"o"}) {
		t.Errorf("anonymous listing with .rlistings: %q", l)
	}
	a.do(t, "GET", "", nil).check(t, 401) // the account stays private
}

func TestACLReferrer(t *testing.T) {
	t.Parallel()
	owner, a := as(t, tester), anon()
	c := owner.mkContainer(t, "aclref", "X-Container-Read", ".r:example.com")
	owner.put(t, c, "o", []byte("for example.com"))

	a.do(t, "GET", p(c, "o"), nil, "Referer", "http://example.com/page.html").check(t, 200)
	a.do(t, "GET", p(c, "o"), nil, "Referer", "http://evil.org/page.html").check(t, 401)
	a.do(t, "GET", p(c, "o"), nil).check(t, 401)

	owner.do(t, "POST", p(c), nil, "X-Container-Read", ".r:*,.r:-evil.org").expect(t, 204)
	a.do(t, "GET", p(c, "o"), nil, "Referer", "http://evil.org/page.html").check(t, 401)
	a.do(t, "GET", p(c, "o"), nil, "Referer", "http://good.org/").check(t, 200)
}

func TestACLCrossAccountWrite(t *testing.T) {
	t.Parallel()
	owner := as(t, tester)
	other := as(t, t2admin).onAccount("AUTH_test")
	c := owner.mkContainer(t, "aclx")

	other.do(t, "PUT", p(c, "o"), "from test2").check(t, 403)
	other.do(t, "GET", p(c), nil).check(t, 403)

	owner.do(t, "POST", p(c), nil, "X-Container-Write", "test2:tester2").expect(t, 204)
	other.do(t, "PUT", p(c, "o"), "from test2").expect(t, 201)
	if g := owner.get(t, c, "o"); string(g.Body) != "from test2" {
		t.Errorf("owner reads %q", g.Body)
	}
	// Write access does not grant reading.
	other.do(t, "GET", p(c, "o"), nil).check(t, 403)
	owner.do(t, "POST", p(c), nil, "X-Container-Read", "test2").expect(t, 204) // a whole account
	other.get(t, c, "o")

	// The other account's token still cannot touch AUTH_test itself.
	other.do(t, "GET", "", nil).check(t, 403)
	other.do(t, "PUT", p(uniq("nope")), nil).check(t, 403)
}
