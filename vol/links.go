package vol

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/sciswift/sciswift/formats/domain"
)

// findLink looks a name up in a group through a lazily built index.
func (g *Object) findLink(name string) (domain.Link, bool) {
	if g.linkIdx == nil {
		g.linkIdx = make(map[string]int, len(g.group.Links))
		for i, l := range g.group.Links {
			g.linkIdx[l.Name] = i
		}
	}
	i, ok := g.linkIdx[name]
	if !ok {
		return domain.Link{}, false
	}
	return g.group.Links[i], true
}

// insertLink appends l with the group's next creation order.
func (g *Object) insertLink(l domain.Link) {
	g.findLink("") // build the index before appending
	l.Order = g.group.NextLinkOrder
	g.group.NextLinkOrder++
	g.group.Links = append(g.group.Links, l)
	g.linkIdx[l.Name] = len(g.group.Links) - 1
	g.touch()
}

// removeLink deletes the named link and returns it.
func (g *Object) removeLink(name string) (domain.Link, bool) {
	l, ok := g.findLink(name)
	if !ok {
		return l, false
	}
	i := g.linkIdx[name]
	g.group.Links = slices.Delete(g.group.Links, i, i+1)
	g.linkIdx = nil
	g.touch()
	return l, true
}

// compare orders two links or attributes, given by creation order and
// name, as H5Literate and H5Aiterate do for this order.
func (order LinkOrder) compare(aOrder int64, aName string, bOrder int64, bName string) int {
	var c int
	if order.ByCreation {
		c = cmp.Compare(aOrder, bOrder)
	} else {
		c = cmp.Compare(aName, bName)
	}
	if order.Decreasing {
		c = -c
	}
	return c
}

// sortLinks orders a copy of links as H5Literate would.
func sortLinks(links []domain.Link, order LinkOrder) []domain.Link {
	out := slices.Clone(links)
	slices.SortStableFunc(out, func(a, b domain.Link) int {
		return order.compare(a.Order, a.Name, b.Order, b.Name)
	})
	return out
}

func (o *Object) checkGroup() error {
	if o.kind != domain.KindGroup {
		return fmt.Errorf("%w: object %d is a %s, not a group", ErrInvalid, o.id, o.kind)
	}
	if o.gone {
		return fmt.Errorf("%w: group %d was deleted", ErrNotFound, o.id)
	}
	return nil
}

func (o *Object) links(order LinkOrder) ([]domain.Link, error) {
	if err := o.checkGroup(); err != nil {
		return nil, err
	}
	return sortLinks(o.group.Links, order), nil
}

func (o *Object) link(path string) (domain.Link, error) {
	parent, name, err := o.parentOf(path, false)
	if err != nil {
		return domain.Link{}, err
	}
	l, ok := parent.findLink(name)
	if !ok {
		return domain.Link{}, fmt.Errorf("%w: no link %q (path %q)", ErrNotFound, name, path)
	}
	return l, nil
}

func (o *Object) linkExists(path string) (bool, error) {
	if _, comps := splitPath(path); len(comps) == 0 && path != "" {
		return true, nil // "/" and "." always exist
	}
	parent, name, err := o.parentOf(path, false)
	if err != nil {
		return false, err
	}
	_, ok := parent.findLink(name)
	return ok, nil
}

// newLinkAt resolves where a new link goes and checks the name is free.
func (o *Object) newLinkAt(path string, intermediate bool) (*Object, string, error) {
	if err := o.f.checkWritable(); err != nil {
		return nil, "", err
	}
	parent, name, err := o.parentOf(path, intermediate)
	if err != nil {
		return nil, "", err
	}
	if _, ok := parent.findLink(name); ok {
		return nil, "", fmt.Errorf("link %q: %w", path, ErrExists)
	}
	return parent, name, nil
}

func (o *Object) createHardLink(path string, target *Object, intermediate bool) error {
	if target == nil || target.f != o.f {
		return fmt.Errorf("%w: a hard link's target must be in the same file", ErrInvalid)
	}
	if target.gone || target.unlinked {
		return fmt.Errorf("%w: object %d was deleted", ErrNotFound, target.id)
	}
	parent, name, err := o.newLinkAt(path, intermediate)
	if err != nil {
		return err
	}
	parent.insertLink(domain.Link{Name: name, Kind: domain.LinkHard, Target: target.id, TargetKind: target.kind})
	target.hdr().Refcount++
	target.touch()
	return nil
}

func (o *Object) createSoftLink(path, target string, intermediate bool) error {
	if target == "" {
		return fmt.Errorf("%w: soft link %q to an empty path", ErrInvalid, path)
	}
	parent, name, err := o.newLinkAt(path, intermediate)
	if err != nil {
		return err
	}
	parent.insertLink(domain.Link{Name: name, Kind: domain.LinkSoft, Path: target})
	return nil
}

func (o *Object) createExternalLink(path, file, target string, intermediate bool) error {
	if file == "" || target == "" {
		return fmt.Errorf("%w: external link %q needs a file and a path", ErrInvalid, path)
	}
	parent, name, err := o.newLinkAt(path, intermediate)
	if err != nil {
		return err
	}
	parent.insertLink(domain.Link{Name: name, Kind: domain.LinkExternal, File: file, Path: target})
	return nil
}

func (o *Object) deleteLink(path string) error {
	if err := o.f.checkWritable(); err != nil {
		return err
	}
	parent, name, err := o.parentOf(path, false)
	if err != nil {
		return err
	}
	l, ok := parent.removeLink(name)
	if !ok {
		return fmt.Errorf("%w: no link %q (path %q)", ErrNotFound, name, path)
	}
	if l.Kind == domain.LinkHard {
		return o.f.unref(l.Target, l.TargetKind)
	}
	return nil
}

// unref drops one reference to an object. At 0 the object is queued for
// deletion at the next Flush and releases what it refers to: a group its
// members, a dataset its committed type, as HDF5 does when it frees an
// object header.
func (f *File) unref(id uint64, kind domain.Kind) error {
	ctx, cancel := f.ctx()
	defer cancel()
	o, err := f.load(ctx, id, kind)
	if err != nil {
		return err
	}
	h := o.hdr()
	if h.Refcount > 0 {
		h.Refcount--
	}
	o.touch()
	if h.Refcount > 0 || o == f.root {
		return nil
	}
	return f.release(o)
}

// release queues an object nothing links to for deletion and drops the
// references it holds: a group's links, the named types of a dataset and
// of any object's attributes.
func (f *File) release(o *Object) error {
	if o.unlinked {
		return nil // already released (a document that refers to itself)
	}
	o.unlinked = true
	f.pendingDelete = append(f.pendingDelete, o)
	switch o.kind {
	case domain.KindGroup:
		for _, l := range o.group.Links {
			if l.Kind == domain.LinkHard {
				if err := f.unref(l.Target, l.TargetKind); err != nil {
					return err
				}
			}
		}
	case domain.KindDataset:
		if o.dset.TypeRef != 0 {
			if err := f.unref(o.dset.TypeRef, domain.KindNamedType); err != nil {
				return err
			}
		}
	}
	for _, a := range o.hdr().Attributes {
		if a.TypeRef != 0 {
			if err := f.unref(a.TypeRef, domain.KindNamedType); err != nil {
				return err
			}
		}
	}
	return nil
}

func (o *Object) setLinkUTF8(path string, utf8 bool) error {
	if err := o.f.checkWritable(); err != nil {
		return err
	}
	parent, name, err := o.parentOf(path, false)
	if err != nil {
		return err
	}
	if _, ok := parent.findLink(name); !ok {
		return fmt.Errorf("%w: no link %q (path %q)", ErrNotFound, name, path)
	}
	l := &parent.group.Links[parent.linkIdx[name]]
	if l.UTF8 != utf8 {
		l.UTF8 = utf8
		parent.touch()
	}
	return nil
}

// moveOrCopy is H5Lmove (keep false) and H5Lcopy (keep true).
func (o *Object) moveOrCopy(src string, dstGroup *Object, dst string, keep bool) error {
	if err := o.f.checkWritable(); err != nil {
		return err
	}
	if dstGroup == nil {
		dstGroup = o
	}
	if dstGroup.f != o.f {
		return fmt.Errorf("%w: links move and copy within one file", ErrInvalid)
	}
	sp, sname, err := o.parentOf(src, false)
	if err != nil {
		return err
	}
	l, ok := sp.findLink(sname)
	if !ok {
		return fmt.Errorf("%w: no link %q (path %q)", ErrNotFound, sname, src)
	}
	dp, dname, err := dstGroup.parentOf(dst, false)
	if err != nil {
		return err
	}
	if dp == sp && dname == sname {
		if keep {
			return fmt.Errorf("link %q: %w", dst, ErrExists)
		}
		return nil // moving a link onto itself
	}
	if _, ok := dp.findLink(dname); ok {
		return fmt.Errorf("link %q: %w", dst, ErrExists)
	}
	if l.Kind == domain.LinkHard && l.TargetKind == domain.KindGroup && !keep {
		if inside, err := dp.isInside(l.Target); err != nil {
			return err
		} else if inside {
			return fmt.Errorf("%w: cannot move group %q into itself", ErrInvalid, src)
		}
	}
	nl := l
	nl.Name = dname
	if keep {
		if l.Kind == domain.LinkHard {
			ctx, cancel := o.f.ctx()
			t, err := o.f.load(ctx, l.Target, l.TargetKind)
			cancel()
			if err != nil {
				return err
			}
			t.hdr().Refcount++
			t.touch()
		}
	} else {
		sp.removeLink(sname)
	}
	dp.insertLink(nl)
	return nil
}

// isInside reports whether group g is the object id or lies below it, by
// walking up: groups have no parent pointer, so this searches from the
// object down, bounded by the objects already loaded (a group being moved
// was resolved, so its subtree's loaded part is what matters).
func (g *Object) isInside(id uint64) (bool, error) {
	if g.id == id {
		return true, nil
	}
	start := g.f.objects[id]
	if start == nil || start.kind != domain.KindGroup {
		return false, nil
	}
	seen := map[uint64]bool{}
	var walk func(o *Object) bool
	walk = func(o *Object) bool {
		if seen[o.id] {
			return false
		}
		seen[o.id] = true
		for _, l := range o.group.Links {
			if l.Kind != domain.LinkHard || l.TargetKind != domain.KindGroup {
				continue
			}
			if l.Target == g.id {
				return true
			}
			if c := g.f.objects[l.Target]; c != nil && walk(c) {
				return true
			}
		}
		return false
	}
	return walk(start), nil
}
