package vol

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
)

func linkNames(links []domain.Link) []string {
	out := make([]string, len(links))
	for i, l := range links {
		out[i] = l.Name
	}
	return out
}

// reopen closes f and opens it again (write or not).
func reopen(t *testing.T, c *Connector, s Settings, f *File, write bool) *File {
	t.Helper()
	name := f.Name()
	check(t, f.Close())
	return must[*File](t)(c.OpenFile(s, name, write))
}

func TestGroupsAndPaths(t *testing.T) {
	s := testSettings(t, srv)
	c := newTestConnector(t)
	f := must[*File](t)(c.CreateFile(s, "groups.h5", CreateExclusive, []byte("fcpl")))
	root := f.Root()

	a := must[*Object](t)(root.CreateGroup("a", false, []byte("gcpl-a")))
	b := must[*Object](t)(a.CreateGroup("b", false, nil))
	if _, err := root.CreateGroup("x/y/z", false, nil); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("missing intermediate: %v", err)
	}
	z := must[*Object](t)(root.CreateGroup("x/y/z", true, nil))
	if _, err := root.CreateGroup("a", false, nil); !errors.Is(err, ErrExists) {
		t.Errorf("existing name: %v", err)
	}
	for _, bad := range []string{"/", ".", "a/./"} {
		if _, err := root.CreateGroup(bad, false, nil); !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrExists) {
			t.Errorf("CreateGroup(%q): %v", bad, err)
		}
	}
	resolveTests := []struct {
		from *Object
		path string
		want *Object
	}{
		{root, "/", root}, {root, ".", root}, {root, "a", a}, {root, "/a/b", b}, {a, "b", b}, {a, "./b/", b},
		{b, "/a", a}, {root, "a//b", b}, {root, "x/y/z", z}, {b, "/x/y/z", z},
	}
	for _, tt := range resolveTests {
		got, err := tt.from.Resolve(tt.path)
		if err != nil || got != tt.want {
			t.Errorf("Resolve(%q) from %d = %v, %v; want object %d", tt.path, tt.from.Token(), got, err, tt.want.Token())
		}
	}
	if _, err := root.Resolve("a/nope/b"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("Resolve of a missing component: %v", err)
	}
	anon := must[*Object](t)(root.CreateGroup("", false, nil))
	if anon.Info().Refcount != 0 {
		t.Errorf("anonymous group refcount %d", anon.Info().Refcount)
	}
	check(t, root.CreateHardLink("named", anon, false))

	f = reopen(t, c, s, f, false)
	root = f.Root()
	for _, p := range []string{"/a/b", "x/y/z", "named"} {
		o, err := root.Resolve(p)
		if err != nil || o.Kind() != domain.KindGroup {
			t.Errorf("after reopen, Resolve(%q) = %v, %v", p, o, err)
		}
	}
	ga := must[*Object](t)(root.Resolve("a"))
	if string(ga.CPL()) != "gcpl-a" || ga.Info().Refcount != 1 || ga.Info().Created == 0 {
		t.Errorf("group a: cpl %q info %+v", ga.CPL(), ga.Info())
	}
	if o := must[*Object](t)(f.ObjectByToken(ga.Token())); o != ga {
		t.Error("ObjectByToken gave another object")
	}
	// By token, on a fresh open where the object was never resolved.
	tok := must[*Object](t)(root.Resolve("x/y/z")).Token()
	check(t, f.Close())
	f = must[*File](t)(c.OpenFile(s, "groups.h5", false))
	if o, err := f.ObjectByToken(tok); err != nil || o.Kind() != domain.KindGroup {
		t.Errorf("ObjectByToken(%d) on a fresh open: %v %v", tok, o, err)
	}
	if _, err := f.ObjectByToken(9999); !errors.Is(err, ErrNotFound) {
		t.Errorf("ObjectByToken(9999): %v", err)
	}
	check(t, f.Close())
}

func TestLinks(t *testing.T) {
	s := testSettings(t, srv)
	c := newTestConnector(t)
	raw := rawClient(t, srv)
	f := must[*File](t)(c.CreateFile(s, "links.h5", CreateExclusive, nil))
	root := f.Root()
	g := must[*Object](t)(root.CreateGroup("g", false, nil))
	d := smallDataset(t, g, "data", 10, 10)
	check(t, d.Write(span(0, 10), make([]byte, 80)))

	// Order: created c, a, b.
	for _, n := range []string{"c", "a", "b"} {
		check(t, root.CreateSoftLink(n, "/g/data", false))
	}
	orderTests := []struct {
		order LinkOrder
		want  []string
	}{
		{LinkOrder{}, []string{"a", "b", "c", "g"}},
		{LinkOrder{Decreasing: true}, []string{"g", "c", "b", "a"}},
		{LinkOrder{ByCreation: true}, []string{"g", "c", "a", "b"}},
		{LinkOrder{ByCreation: true, Decreasing: true}, []string{"b", "a", "c", "g"}},
	}
	for _, tt := range orderTests {
		if got := linkNames(must[[]domain.Link](t)(root.Links(tt.order))); !slices.Equal(got, tt.want) {
			t.Errorf("Links(%+v) = %v, want %v", tt.order, got, tt.want)
		}
	}

	// Soft links: followed by Resolve, reported by Link, dangling ones
	// fail, loops are cut.
	if o := must[*Object](t)(root.Resolve("a")); o != d {
		t.Error("soft link not followed")
	}
	check(t, g.CreateSoftLink("rel", "data", false))
	if o := must[*Object](t)(root.Resolve("g/rel")); o != d {
		t.Error("relative soft link not resolved in its group")
	}
	if l := must[domain.Link](t)(root.Link("a")); l.Kind != domain.LinkSoft || l.Path != "/g/data" {
		t.Errorf("Link(a) = %+v", l)
	}
	check(t, root.CreateSoftLink("dangling", "/nowhere", false))
	if _, err := root.Resolve("dangling"); !errors.Is(err, ErrNotFound) {
		t.Errorf("dangling soft link: %v", err)
	}
	check(t, root.CreateSoftLink("loop1", "loop2", false))
	check(t, root.CreateSoftLink("loop2", "loop1", false))
	if _, err := root.Resolve("loop1"); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "soft links") {
		t.Errorf("soft link loop: %v", err)
	}
	check(t, root.CreateExternalLink("ext", "other.h5", "/x", false))
	if _, err := root.Resolve("ext"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("external link: %v", err)
	}
	if l := must[domain.Link](t)(root.Link("ext")); l.Kind != domain.LinkExternal || l.File != "other.h5" {
		t.Errorf("Link(ext) = %+v", l)
	}

	// Exists.
	existsTests := []struct {
		path string
		want bool
		err  bool
	}{
		{"g", true, false}, {"g/data", true, false}, {"nope", false, false}, {"g/nope", false, false},
		{"nope/x", false, true}, {"dangling", true, false}, {"/", true, false},
	}
	for _, tt := range existsTests {
		got, err := root.LinkExists(tt.path)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("LinkExists(%q) = %v, %v", tt.path, got, err)
		}
	}

	// Hard links count references; deleting one keeps the object.
	check(t, root.CreateHardLink("h/d2", d, true))
	if rc := d.Info().Refcount; rc != 2 {
		t.Errorf("refcount after a second hard link: %d", rc)
	}
	if err := root.CreateHardLink("g", d, false); !errors.Is(err, ErrExists) {
		t.Errorf("hard link over a name: %v", err)
	}
	check(t, g.DeleteLink("data"))
	if rc := d.Info().Refcount; rc != 1 {
		t.Errorf("refcount after deleting a link: %d", rc)
	}
	if o := must[*Object](t)(root.Resolve("h/d2")); o != d {
		t.Error("object lost with one of its links")
	}
	if err := g.DeleteLink("data"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting a missing link: %v", err)
	}

	// Move and copy.
	check(t, root.MoveLink("h/d2", g, "moved"))
	if ok := must[bool](t)(root.LinkExists("h/d2")); ok {
		t.Error("moved link still at its source")
	}
	if o := must[*Object](t)(g.Resolve("moved")); o != d {
		t.Error("moved link does not lead to the dataset")
	}
	check(t, g.CopyLink("moved", root, "copied"))
	if rc := d.Info().Refcount; rc != 2 {
		t.Errorf("refcount after CopyLink: %d", rc)
	}
	check(t, root.CopyLink("a", root, "a2"))
	if l := must[domain.Link](t)(root.Link("a2")); l.Kind != domain.LinkSoft || l.Path != "/g/data" {
		t.Errorf("copied soft link %+v", l)
	}
	if err := root.MoveLink("a", root, "b"); !errors.Is(err, ErrExists) {
		t.Errorf("move onto an existing name: %v", err)
	}
	if err := root.MoveLink("g", g, "inner"); !errors.Is(err, ErrInvalid) {
		t.Errorf("moving a group into itself: %v", err)
	}
	check(t, root.MoveLink("b", root, "b-renamed"))

	// Persistence.
	f = reopen(t, c, s, f, true)
	root = f.Root()
	want := []string{"a", "a2", "b-renamed", "c", "copied", "dangling", "ext", "g", "h", "loop1", "loop2"}
	if got := linkNames(must[[]domain.Link](t)(root.Links(LinkOrder{}))); !slices.Equal(got, want) {
		t.Errorf("after reopen: %v\nwant %v", got, want)
	}
	d = must[*Object](t)(root.Resolve("copied"))
	if rc := d.Info().Refcount; rc != 2 {
		t.Errorf("refcount after reopen: %d", rc)
	}

	// Deleting the last links deletes the dataset (document and chunks)
	// at the next Flush; deleting a group releases what it holds.
	id := d.Token()
	check(t, root.DeleteLink("copied"))
	if n := len(names(t, raw, s.Container, "links.h5/d/")); n == 0 {
		t.Fatal("dataset deleted before Flush")
	}
	check(t, root.DeleteLink("g")) // holds "moved", the last link
	check(t, f.Flush())
	if got := names(t, raw, s.Container, "links.h5/d/"); len(got) != 0 {
		t.Errorf("dataset %d objects left after its last link went: %q", id, got)
	}
	if got := names(t, raw, s.Container, "links.h5/g/"); len(got) != 2 { // root and h
		t.Errorf("group documents left: %q", got)
	}
	if _, err := root.Resolve("a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("soft link to a deleted dataset: %v", err)
	}
	check(t, f.Close())
}

func TestAttributes(t *testing.T) {
	s := testSettings(t, srv)
	c := newTestConnector(t)
	f := must[*File](t)(c.CreateFile(s, "attrs.h5", CreateExclusive, nil))
	g := must[*Object](t)(f.Root().CreateGroup("g", false, nil))
	i32 := formats.Dtype{Class: formats.ClassInteger, Size: 4, Order: formats.LittleEndian, Signed: true}
	vstr := formats.Dtype{Class: formats.ClassString, Variable: true, Charset: formats.CharsetUTF8}
	scalar := domain.Space{Class: "scalar"}

	a := must[*Attr](t)(g.CreateAttr("zeta", i32, domain.Space{Class: "simple", Dims: []uint64{3}}, []byte("acpl")))
	if a.Read() != nil {
		t.Error("unwritten attribute reads non-nil")
	}
	check(t, a.Write([]byte{1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0}))
	if err := a.Write([]byte{1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("short attribute write: %v", err)
	}
	_ = must[*Attr](t)(g.CreateAttr("alpha", i32, scalar, nil))
	if _, err := g.CreateAttr("alpha", i32, scalar, nil); !errors.Is(err, ErrExists) {
		t.Errorf("duplicate attribute: %v", err)
	}
	str := must[*Attr](t)(g.CreateAttr("strings", vstr, domain.Space{Class: "simple", Dims: []uint64{4}}, nil))
	hello, empty, binary := "héllo", "", "\xff\xfe raw"
	check(t, str.WriteStrings([]*string{&hello, nil, &empty, &binary}))
	if err := str.Write([]byte{1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("fixed write to a string attribute: %v", err)
	}
	check(t, g.RenameAttr("alpha", "beta"))
	if _, err := g.Attr("alpha"); !errors.Is(err, ErrNotFound) {
		t.Errorf("old name after rename: %v", err)
	}
	_ = must[*Attr](t)(g.CreateAttr("gone", i32, scalar, nil))
	check(t, g.DeleteAttr("gone"))
	if err := g.DeleteAttr("gone"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting a deleted attribute: %v", err)
	}

	attrNames := func(o *Object, order LinkOrder) []string {
		var out []string
		for _, a := range o.Attrs(order) {
			out = append(out, a.Meta().Name)
		}
		return out
	}
	f = reopen(t, c, s, f, false)
	g = must[*Object](t)(f.Root().Resolve("g"))
	if got := attrNames(g, LinkOrder{}); !slices.Equal(got, []string{"beta", "strings", "zeta"}) {
		t.Errorf("by name: %v", got)
	}
	if got := attrNames(g, LinkOrder{ByCreation: true}); !slices.Equal(got, []string{"zeta", "beta", "strings"}) {
		t.Errorf("by creation order: %v", got)
	}
	if got := attrNames(g, LinkOrder{ByCreation: true, Decreasing: true}); !slices.Equal(got, []string{"strings", "beta", "zeta"}) {
		t.Errorf("by creation order, decreasing: %v", got)
	}
	z := must[*Attr](t)(g.Attr("zeta"))
	if m := z.Meta(); !reflect.DeepEqual(m.Type, i32) || !slices.Equal(m.Space.Dims, []uint64{3}) || string(m.ACPL) != "acpl" || m.Value != nil {
		t.Errorf("meta %+v", m)
	}
	if got := z.Read(); !slices.Equal(got, []byte{1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0}) {
		t.Errorf("value %v", got)
	}
	got := must[*Attr](t)(g.Attr("strings")).ReadStrings()
	if len(got) != 4 || got[0] == nil || *got[0] != hello || got[1] != nil || got[2] == nil || *got[2] != "" || got[3] == nil || *got[3] != binary {
		t.Errorf("strings %v", got)
	}
	if g.Info().NumAttrs != 3 {
		t.Errorf("NumAttrs %d", g.Info().NumAttrs)
	}
	if err := z.Write(make([]byte, 12)); !errors.Is(err, ErrReadOnly) {
		t.Errorf("attribute write on a read-only file: %v", err)
	}
	check(t, f.Close())
}

func TestNamedTypes(t *testing.T) {
	s := testSettings(t, srv)
	c := newTestConnector(t)
	f := must[*File](t)(c.CreateFile(s, "types.h5", CreateExclusive, nil))
	nt := must[*Object](t)(f.Root().CommitType("t", false, float64LE, []byte("tcpl")))
	d := must[*Object](t)(f.Root().CreateDataset("d", false, DatasetSpec{
		Type: float64LE, TypeRef: nt, Space: domain.Space{Class: "simple", Dims: []uint64{4}}}))
	if nt.Info().Refcount != 2 {
		t.Errorf("a committed type used by a dataset: refcount %d, want 2 as in HDF5", nt.Info().Refcount)
	}
	f = reopen(t, c, s, f, true)
	nt = must[*Object](t)(f.Root().Resolve("t"))
	if got := nt.NamedType(); !reflect.DeepEqual(got.Type, float64LE) || string(nt.CPL()) != "tcpl" {
		t.Errorf("named type %+v", got)
	}
	d = must[*Object](t)(f.Root().Resolve("d"))
	if d.Dataset().TypeRef != nt.Token() {
		t.Errorf("dataset type_ref %d", d.Dataset().TypeRef)
	}
	check(t, f.Root().DeleteLink("d"))
	if nt.Info().Refcount != 1 {
		t.Errorf("deleting the dataset left the type's refcount at %d", nt.Info().Refcount)
	}
	check(t, f.Close())

}

// Anonymous objects that were never linked go when the file closes, and
// release what they referred to.
func TestAnonymousObjects(t *testing.T) {
	s := testSettings(t, srv)
	c := newTestConnector(t)
	raw := rawClient(t, srv)
	f := must[*File](t)(c.CreateFile(s, "anon.h5", CreateExclusive, nil))
	nt := must[*Object](t)(f.Root().CommitType("t", false, float64LE, nil))
	d := must[*Object](t)(f.Root().CreateDataset("", false, DatasetSpec{Type: float64LE, TypeRef: nt,
		Space: domain.Space{Class: "simple", Dims: []uint64{8}}}))
	check(t, d.Write(span(0, 8), make([]byte, 64)))
	kept := must[*Object](t)(f.Root().CreateGroup("", false, nil))
	check(t, f.Flush())
	check(t, f.Root().CreateHardLink("kept", kept, false))
	if nt.Info().Refcount != 2 {
		t.Fatalf("type refcount %d", nt.Info().Refcount)
	}
	f = reopen(t, c, s, f, false)
	if got := names(t, raw, s.Container, "anon.h5/d/"); len(got) != 0 {
		t.Errorf("an unlinked anonymous dataset outlived its file's close: %q", got)
	}
	if rc := must[*Object](t)(f.Root().Resolve("t")).Info().Refcount; rc != 1 {
		t.Errorf("type refcount after the anonymous dataset went: %d", rc)
	}
	if _, err := f.Root().Resolve("kept"); err != nil {
		t.Errorf("linked anonymous group: %v", err)
	}
	check(t, f.Close())
}

// An attribute made with a named datatype holds a reference to it, as in
// HDF5: counted in the type's refcount until the attribute, or the object
// carrying it, goes; the type goes with its last reference.
func TestNamedTypeAttributes(t *testing.T) {
	s := testSettings(t, srv)
	c := newTestConnector(t)
	raw := rawClient(t, srv)
	f := must[*File](t)(c.CreateFile(s, "typedattrs.h5", CreateExclusive, nil))
	root := f.Root()
	i16 := formats.Dtype{Class: formats.ClassInteger, Size: 2, Order: formats.BigEndian, Signed: true}
	scalar := domain.Space{Class: "scalar"}
	nt := must[*Object](t)(root.CommitType("t", false, i16, nil))
	g := must[*Object](t)(root.CreateGroup("g", false, nil))
	typed := AttrSpec{Type: i16, TypeRef: nt, Space: scalar}
	refcount := func() int { return must[*Object](t)(f.ObjectByToken(nt.Token())).Info().Refcount }

	steps := []struct {
		what string
		do   func() error
		want int
	}{
		{"attribute on the root", func() error { _, err := root.CreateAttrWith("a1", typed); return err }, 2},
		{"two on a group", func() error {
			if _, err := g.CreateAttrWith("a2", typed); err != nil {
				return err
			}
			_, err := g.CreateAttrWith("a3", typed)
			return err
		}, 4},
		{"transient type", func() error { _, err := root.CreateAttr("plain", i16, scalar, nil); return err }, 4},
		{"delete an attribute", func() error { return root.DeleteAttr("a1") }, 3},
		{"delete the group", func() error { return root.DeleteLink("g") }, 1},
		{"another on the root", func() error { _, err := root.CreateAttrWith("a4", typed); return err }, 2},
	}
	for _, st := range steps {
		check(t, st.do())
		if got := refcount(); got != st.want {
			t.Errorf("after %s: type refcount %d, want %d", st.what, got, st.want)
		}
	}
	if _, err := root.CreateAttrWith("bad", AttrSpec{Type: i16, TypeRef: root, Space: scalar}); !errors.Is(err, ErrInvalid) {
		t.Errorf("a group as the type: %v", err)
	}
	other := must[*File](t)(c.CreateFile(s, "typedattrs-other.h5", CreateExclusive, nil))
	foreign := must[*Object](t)(other.Root().CommitType("t", false, i16, nil))
	if _, err := root.CreateAttrWith("bad", AttrSpec{Type: i16, TypeRef: foreign, Space: scalar}); !errors.Is(err, ErrInvalid) {
		t.Errorf("a type of another file: %v", err)
	}
	check(t, other.Close())

	f = reopen(t, c, s, f, true)
	root = f.Root()
	nt = must[*Object](t)(root.Resolve("t"))
	a4 := must[*Attr](t)(root.Attr("a4"))
	if m := a4.Meta(); m.TypeRef != nt.Token() || !reflect.DeepEqual(m.Type, i16) {
		t.Errorf("attribute after reopen: %+v", m)
	}
	if m := must[*Attr](t)(root.Attr("plain")).Meta(); m.TypeRef != 0 {
		t.Errorf("transient attribute type_ref %d", m.TypeRef)
	}
	if nt.Info().Refcount != 2 {
		t.Errorf("type refcount after reopen %d", nt.Info().Refcount)
	}
	// Unlinked, the type lives on through the attribute ...
	check(t, root.DeleteLink("t"))
	if got := must[*Object](t)(f.ObjectByToken(a4.Meta().TypeRef)); got.Info().Refcount != 1 {
		t.Errorf("unlinked type refcount %d", got.Info().Refcount)
	}
	check(t, f.Flush())
	if got := names(t, raw, s.Container, "typedattrs.h5/t/"); len(got) != 1 {
		t.Errorf("type documents with an attribute using it: %q", got)
	}
	// ... and goes with it.
	check(t, root.DeleteAttr("a4"))
	check(t, f.Close())
	if got := names(t, raw, s.Container, "typedattrs.h5/t/"); len(got) != 0 {
		t.Errorf("type documents after its last user went: %q", got)
	}
	if got := names(t, raw, s.Container, "typedattrs.h5/g/"); len(got) != 1 {
		t.Errorf("group documents (want the root only): %q", got)
	}
}

// The character set of link and attribute names is recorded, as HDF5 does
// with H5Pset_char_encoding, and survives a reopen.
func TestUTF8Names(t *testing.T) {
	s := testSettings(t, srv)
	c := newTestConnector(t)
	f := must[*File](t)(c.CreateFile(s, "utf8.h5", CreateExclusive, nil))
	root := f.Root()
	_ = must[*Object](t)(root.CreateGroup("grüppe", false, nil))
	check(t, root.SetLinkUTF8("grüppe", true))
	_ = must[*Object](t)(root.CreateGroup("mid/dle/leaf", true, nil))
	check(t, root.SetLinkUTF8("mid/dle/leaf", true))
	check(t, root.CreateSoftLink("söft", "/grüppe", false))
	check(t, root.SetLinkUTF8("söft", true))
	check(t, root.CopyLink("söft", root, "copy"))
	check(t, root.SetLinkUTF8("copy", false))
	if err := root.SetLinkUTF8("nope", true); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetLinkUTF8 of a missing link: %v", err)
	}
	i32 := formats.Dtype{Class: formats.ClassInteger, Size: 4, Order: formats.LittleEndian, Signed: true}
	_ = must[*Attr](t)(root.CreateAttrWith("ättr", AttrSpec{Type: i32, Space: domain.Space{Class: "scalar"}, UTF8: true}))
	_ = must[*Attr](t)(root.CreateAttr("plain", i32, domain.Space{Class: "scalar"}, nil))
	check(t, root.RenameAttr("ättr", "renamed"))

	f = reopen(t, c, s, f, false)
	root = f.Root()
	links := []struct {
		path string
		utf8 bool
	}{
		{"grüppe", true}, {"mid", false}, {"mid/dle", false}, {"mid/dle/leaf", true}, {"söft", true}, {"copy", false},
	}
	for _, tt := range links {
		if l := must[domain.Link](t)(root.Link(tt.path)); l.UTF8 != tt.utf8 {
			t.Errorf("link %q: UTF8 %v, want %v", tt.path, l.UTF8, tt.utf8)
		}
	}
	attrs := []struct {
		name string
		utf8 bool
	}{{"renamed", true}, {"plain", false}}
	for _, tt := range attrs {
		if m := must[*Attr](t)(root.Attr(tt.name)).Meta(); m.UTF8 != tt.utf8 {
			t.Errorf("attribute %q: UTF8 %v, want %v", tt.name, m.UTF8, tt.utf8)
		}
	}
	if err := root.SetLinkUTF8("copy", true); !errors.Is(err, ErrReadOnly) {
		t.Errorf("SetLinkUTF8 on a read-only file: %v", err)
	}
	check(t, f.Close())
}
