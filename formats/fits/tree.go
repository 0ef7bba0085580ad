package fits

import (
	"slices"
	"strconv"

	"github.com/sciswift/sciswift/formats"
)

// Attribute names this package adds; FITS keywords cannot contain ':'.
const (
	attrUnsupported = "sciswift:unsupported"
	attrSkipped     = "sciswift:skipped"
)

func stringAttrType() formats.Dtype {
	return formats.Dtype{Class: formats.ClassString, Variable: true, Charset: formats.CharsetUTF8}
}

// cardAttribute is one header card as an attribute.
func cardAttribute(c card) formats.Attribute {
	a := formats.Attribute{Name: c.key}
	switch c.kind {
	case kindBool:
		a.Type, a.Value = boolType(), c.b
	case kindInt:
		a.Type, a.Value = formats.Dtype{Class: formats.ClassInteger, Size: 8, Order: formats.LittleEndian, Signed: true}, c.i
	case kindUint:
		a.Type, a.Value = formats.Dtype{Class: formats.ClassInteger, Size: 8, Order: formats.LittleEndian}, c.u
	case kindFloat:
		a.Type, a.Value = formats.Dtype{Class: formats.ClassFloat, Size: 8, Order: formats.LittleEndian}, c.f
	case kindComplex:
		part := formats.Dtype{Class: formats.ClassFloat, Size: 8, Order: formats.LittleEndian}
		a.Type = formats.Dtype{Class: formats.ClassCompound, Size: 16, Members: []formats.Member{
			{Name: "r", Offset: 0, Type: &part}, {Name: "i", Offset: 8, Type: &part},
		}}
		a.Value = map[string]float64{"r": c.c[0], "i": c.c[1]}
	default:
		a.Type, a.Value = stringAttrType(), c.s
	}
	return a
}

// stringArray is an attribute holding several strings.
func stringArray(name string, values []string) formats.Attribute {
	return formats.Attribute{Name: name, Type: stringAttrType(), Shape: []uint64{uint64(len(values))}, Value: slices.Clone(values)}
}

// headerAttributes is every card of h, COMMENT and HISTORY as string arrays.
func headerAttributes(h *header) []formats.Attribute {
	attrs := make([]formats.Attribute, 0, len(h.cards)+2)
	for _, c := range h.cards {
		attrs = append(attrs, cardAttribute(c))
	}
	if len(h.comments) > 0 {
		attrs = append(attrs, stringArray("COMMENT", h.comments))
	}
	if len(h.history) > 0 {
		attrs = append(attrs, stringArray("HISTORY", h.history))
	}
	return attrs
}

// columnAttributes is the cards describing column i (TTYPEi, TFORMi,
// TUNITi, …), named without the index.
func columnAttributes(h *header, i int) []formats.Attribute {
	suffix := strconv.Itoa(i)
	var attrs []formats.Attribute
	for _, c := range h.cards {
		k := c.key
		if len(k) <= len(suffix) || k[0] != 'T' || k[len(k)-len(suffix):] != suffix {
			continue
		}
		prefix := k[:len(k)-len(suffix)]
		if last := prefix[len(prefix)-1]; last >= '0' && last <= '9' {
			continue // TTYPE12 is not column 2's
		}
		if !isUpperAlpha(prefix) {
			continue
		}
		a := cardAttribute(c)
		a.Name = prefix
		attrs = append(attrs, a)
	}
	return attrs
}

func isUpperAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// Tree describes the file: a node /HDUn per HDU (see the package comment).
// Each call returns a fresh tree the caller may modify.
func (f *File) Tree() *formats.Tree {
	root := &formats.Group{Path: "/"}
	for _, u := range f.hdus {
		if u.image != nil {
			root.Datasets = append(root.Datasets, u.image.describe())
			continue
		}
		g := &formats.Group{Path: hduPath(u.index), Attributes: headerAttributes(u.header)}
		if u.unsupported != "" {
			g.Attributes = append(g.Attributes, formats.Attribute{Name: attrUnsupported, Type: stringAttrType(), Value: u.unsupported})
		}
		if u.table != nil {
			var skipped []string
			for _, c := range u.table.columns {
				if c.skip != "" {
					skipped = append(skipped, c.name+": "+c.skip)
					continue
				}
				g.Datasets = append(g.Datasets, c.ds.describe())
			}
			if len(skipped) > 0 {
				g.Attributes = append(g.Attributes, stringArray(attrSkipped, skipped))
			}
		}
		root.Groups = append(root.Groups, g)
	}
	return &formats.Tree{Format: Format, Root: root}
}

// Dataset describes the dataset at path, false when there is none.
func (f *File) Dataset(path string) (*formats.Dataset, bool) {
	ds, ok := f.datasets[path]
	if !ok {
		return nil, false
	}
	return ds.describe(), true
}

// describe is ds as the model's Dataset, sharing nothing with ds.
func (ds *dataset) describe() *formats.Dataset {
	attrs := headerAttributes(ds.hdr)
	if ds.colIndex > 0 {
		attrs = columnAttributes(ds.hdr, ds.colIndex)
	}
	return &formats.Dataset{
		Path:       ds.path,
		Type:       copyDtype(ds.typ),
		Shape:      slices.Clone(ds.shape),
		Attributes: attrs,
	}
}

// copyDtype deep-copies the parts of a Dtype this package builds.
func copyDtype(t formats.Dtype) formats.Dtype {
	if t.Base != nil {
		b := copyDtype(*t.Base)
		t.Base = &b
	}
	if t.Members != nil {
		t.Members = slices.Clone(t.Members)
		for i, m := range t.Members {
			if m.Type != nil {
				mt := copyDtype(*m.Type)
				t.Members[i].Type = &mt
			}
		}
	}
	return t
}
