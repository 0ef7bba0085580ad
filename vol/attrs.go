package vol

import (
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
)

// attribute finds the stored attribute a stands for.
func (a *Attr) attribute() (*domain.Attribute, error) {
	if a.gone {
		return nil, fmt.Errorf("%w: attribute %q was deleted", ErrNotFound, a.name)
	}
	attrs := a.o.hdr().Attributes
	for i := range attrs {
		if attrs[i].Name == a.name {
			return &attrs[i], nil
		}
	}
	return nil, fmt.Errorf("%w: attribute %q", ErrNotFound, a.name)
}

// handle returns the one *Attr for a name.
func (o *Object) handle(name string) *Attr {
	if o.attrs == nil {
		o.attrs = map[string]*Attr{}
	}
	a := o.attrs[name]
	if a == nil {
		a = &Attr{o: o, name: name}
		o.attrs[name] = a
	}
	return a
}

func (o *Object) findAttr(name string) (int, bool) {
	for i, a := range o.hdr().Attributes {
		if a.Name == name {
			return i, true
		}
	}
	return 0, false
}

func (o *Object) attrList(order LinkOrder) []*Attr {
	attrs := slices.Clone(o.hdr().Attributes)
	slices.SortStableFunc(attrs, func(a, b domain.Attribute) int {
		return order.compare(a.Order, a.Name, b.Order, b.Name)
	})
	out := make([]*Attr, len(attrs))
	for i, a := range attrs {
		out[i] = o.handle(a.Name)
	}
	return out
}

func (o *Object) attr(name string) (*Attr, error) {
	if _, ok := o.findAttr(name); !ok {
		return nil, fmt.Errorf("%w: attribute %q", ErrNotFound, name)
	}
	return o.handle(name), nil
}

func (o *Object) createAttr(name string, spec AttrSpec) (*Attr, error) {
	if err := o.f.checkWritable(); err != nil {
		return nil, err
	}
	if name == "" {
		return nil, fmt.Errorf("%w: empty attribute name", ErrInvalid)
	}
	if _, ok := o.findAttr(name); ok {
		return nil, fmt.Errorf("attribute %q: %w", name, ErrExists)
	}
	if err := checkDtype(spec.Type); err != nil {
		return nil, err
	}
	if err := checkSpace(spec.Space); err != nil {
		return nil, err
	}
	if err := o.f.checkTypeRef(spec.TypeRef); err != nil {
		return nil, fmt.Errorf("attribute %q: %w", name, err)
	}
	h := o.hdr()
	at := domain.Attribute{
		Name: name, Type: spec.Type, Order: h.NextAttrOrder, UTF8: spec.UTF8, ACPL: clone(spec.ACPL),
		Space: domain.Space{Class: spec.Space.Class, Dims: clone(spec.Space.Dims), MaxDims: clone(spec.Space.MaxDims)},
	}
	if spec.TypeRef != nil {
		at.TypeRef = spec.TypeRef.id
		spec.TypeRef.hdr().Refcount++
		spec.TypeRef.touch()
	}
	h.Attributes = append(h.Attributes, at)
	h.NextAttrOrder++
	o.touch()
	a := o.handle(name)
	a.gone = false
	return a, nil
}

func (o *Object) deleteAttr(name string) error {
	if err := o.f.checkWritable(); err != nil {
		return err
	}
	i, ok := o.findAttr(name)
	if !ok {
		return fmt.Errorf("%w: attribute %q", ErrNotFound, name)
	}
	h := o.hdr()
	ref := h.Attributes[i].TypeRef
	h.Attributes = slices.Delete(h.Attributes, i, i+1)
	if a := o.attrs[name]; a != nil {
		a.gone = true
		delete(o.attrs, name)
	}
	o.touch()
	if ref != 0 {
		// The named type loses the attribute's reference, and goes with
		// it if that was the last (as natively).
		return o.f.unref(ref, domain.KindNamedType)
	}
	return nil
}

func (o *Object) renameAttr(oldName, newName string) error {
	if err := o.f.checkWritable(); err != nil {
		return err
	}
	if newName == "" {
		return fmt.Errorf("%w: empty attribute name", ErrInvalid)
	}
	i, ok := o.findAttr(oldName)
	if !ok {
		return fmt.Errorf("%w: attribute %q", ErrNotFound, oldName)
	}
	if oldName == newName {
		return nil
	}
	if _, ok := o.findAttr(newName); ok {
		return fmt.Errorf("attribute %q: %w", newName, ErrExists)
	}
	o.hdr().Attributes[i].Name = newName
	if a := o.attrs[oldName]; a != nil {
		delete(o.attrs, oldName)
		a.name = newName
		o.attrs[newName] = a
	}
	o.touch()
	return nil
}

func (a *Attr) meta() domain.Attribute {
	at, err := a.attribute()
	if err != nil {
		return domain.Attribute{Name: a.name}
	}
	m := *at
	m.Value, m.Strings = nil, nil
	m.ACPL = clone(m.ACPL)
	m.Space.Dims, m.Space.MaxDims = clone(m.Space.Dims), clone(m.Space.MaxDims)
	return m
}

func (a *Attr) read() []byte {
	at, err := a.attribute()
	if err != nil || at.Type.IsVariable() {
		return nil
	}
	return clone(at.Value)
}

func (a *Attr) write(b []byte) error {
	if err := a.o.f.checkWritable(); err != nil {
		return err
	}
	at, err := a.attribute()
	if err != nil {
		return err
	}
	if at.Type.IsVariable() {
		return fmt.Errorf("%w: attribute %q is variable-length: use WriteStrings", ErrInvalid, a.name)
	}
	n, _ := spaceElems(at.Space)
	if uint64(len(b)) != n*uint64(at.Type.Size) {
		return fmt.Errorf("%w: attribute %q holds %d elements of %d bytes, got %d bytes", ErrInvalid, a.name, n, at.Type.Size, len(b))
	}
	at.Value = clone(b)
	if at.Value == nil {
		at.Value = []byte{}
	}
	a.o.touch()
	return nil
}

// readStrings returns the elements of a variable-length attribute, stored
// either as JSON strings or, when they are not all valid UTF-8 (JSON would
// mangle them) or the type is a vlen sequence, in Value with the
// length-prefixed layout of variable-length chunks.
func (a *Attr) readStrings() []*string {
	at, err := a.attribute()
	if err != nil {
		return nil
	}
	if at.Strings != nil {
		out := make([]*string, len(at.Strings))
		for i, s := range at.Strings {
			if s != nil {
				v := *s
				out[i] = &v
			}
		}
		return out
	}
	if at.Value == nil {
		return nil
	}
	n, _ := spaceElems(at.Space)
	vals, err := decodeVar(at.Value, n)
	if err != nil {
		return nil
	}
	out := make([]*string, len(vals))
	for i, v := range vals {
		if v != nil {
			s := string(v)
			out[i] = &s
		}
	}
	return out
}

func (a *Attr) writeStrings(s []*string) error {
	if err := a.o.f.checkWritable(); err != nil {
		return err
	}
	at, err := a.attribute()
	if err != nil {
		return err
	}
	if !at.Type.IsVariable() {
		return fmt.Errorf("%w: attribute %q is fixed-size: use Write", ErrInvalid, a.name)
	}
	n, _ := spaceElems(at.Space)
	if uint64(len(s)) != n {
		return fmt.Errorf("%w: attribute %q holds %d elements, got %d strings", ErrInvalid, a.name, n, len(s))
	}
	asJSON := at.Type.Class == formats.ClassString
	for _, p := range s {
		if p != nil && !utf8.ValidString(*p) {
			asJSON = false
		}
	}
	if asJSON {
		out := make([]*string, len(s))
		for i, p := range s {
			if p != nil {
				v := *p
				out[i] = &v
			}
		}
		at.Strings, at.Value = out, nil
	} else {
		vals := make([][]byte, len(s))
		for i, p := range s {
			if p != nil {
				vals[i] = []byte(*p)
			}
		}
		enc, err := encodeVar(vals)
		if err != nil {
			return err
		}
		at.Value, at.Strings = enc, nil
	}
	a.o.touch()
	return nil
}
