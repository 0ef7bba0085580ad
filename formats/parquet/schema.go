package parquet

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	pqschema "github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/sciswift/sciswift/formats"
)

// maxNesting bounds the struct and list levels a dataset may sit under, so
// the compound types built from them stay within what the encoders accept.
const maxNesting = 16

// nodeKind is what a schema field becomes.
type nodeKind uint8

const (
	kindGroup   nodeKind = iota // a struct: a group of its fields
	kindFixed                   // a dataset of fixed-size elements (Array.Data)
	kindString                  // a dataset of variable-length strings (Array.Strings)
	kindVlen                    // a dataset of lists of fixed-size elements (Array.Strings)
	kindSkipped                 // not served; skip says why
)

// node is one field of the Arrow schema pqarrow derives from the file.
type node struct {
	name     string // path component
	path     string
	field    *pqarrow.SchemaField
	kind     nodeKind
	dtype    formats.Dtype // of a dataset's elements
	nullable bool          // the field or a struct holding it may be null
	skip     string
	children []*node // of a group
	top      int     // index of the top-level field the node lies in
	depth    int     // structs between the top-level field and the node
	leaves   []int   // Parquet leaf columns under the node
	attrs    []formats.Attribute
}

// tableSet is the /table compound: its type and the columns it reads.
type tableSet struct {
	path     string
	dtype    formats.Dtype
	members  []*node // top-level nodes, one per compound member
	leaves   []int
	excluded []string
}

// buildNodes maps the Arrow schema onto nodes and the /table compound.
func (f *File) buildNodes() {
	f.root = &node{path: "/", kind: kindGroup}
	f.root.children = f.childNodes(f.root, f.reader.Manifest.Fields, 0)
	f.buildTable()
}

// childNodes makes the nodes of fields, the children of parent.
func (f *File) childNodes(parent *node, fields []pqarrow.SchemaField, depth int) []*node {
	names := make([]string, len(fields))
	for i := range fields {
		names[i] = fields[i].Field.Name
	}
	names = uniqueNames(names)
	nodes := make([]*node, len(fields))
	for i := range fields {
		sf := &fields[i]
		n := &node{name: names[i], field: sf, top: parent.top, depth: depth, nullable: parent.nullable || sf.Field.Nullable}
		if parent == f.root {
			n.top = i
		}
		n.path = strings.TrimSuffix(parent.path, "/") + "/" + n.name
		n.leaves = leavesOf(sf, nil)
		if n.name != sf.Field.Name {
			n.attrs = append(n.attrs, stringAttr("sciswift:name", sf.Field.Name))
		}
		f.classify(n, depth)
		nodes[i] = n
		switch n.kind {
		case kindSkipped:
			f.skipped[n.path] = n.skip
		case kindGroup:
		default:
			f.datasets[n.path] = n
		}
	}
	return nodes
}

// uniqueNames replaces names that cannot be a path component, or repeat an
// earlier one, by col<i> (with underscores appended while taken).
func uniqueNames(names []string) []string {
	out := make([]string, len(names))
	taken := make(map[string]bool, len(names))
	for i, name := range names {
		if name == "" || name == "." || name == ".." || strings.Contains(name, "/") || taken[name] {
			name = "col" + strconv.Itoa(i)
			for taken[name] {
				name += "_"
			}
		}
		taken[name] = true
		out[i] = name
	}
	return out
}

// leavesOf appends the leaf column indices under sf.
func leavesOf(sf *pqarrow.SchemaField, out []int) []int {
	if sf.IsLeaf() {
		return append(out, sf.ColIndex)
	}
	for i := range sf.Children {
		out = leavesOf(&sf.Children[i], out)
	}
	return out
}

// classify sets n's kind, dtype and attributes from its Arrow type.
func (f *File) classify(n *node, depth int) {
	dt := n.field.Field.Type
	n.attrs = append(n.attrs, stringAttr("sciswift:arrow_type", dt.String()))
	for i, k := range n.field.Field.Metadata.Keys() {
		v := n.field.Field.Metadata.Values()[i]
		if k == "PARQUET:field_id" && v == "-1" {
			continue
		}
		n.attrs = append(n.attrs, stringAttr(k, v))
	}
	if depth >= maxNesting {
		n.kind, n.skip = kindSkipped, fmt.Sprintf("nested more than %d deep", maxNesting)
		return
	}
	if ext, ok := dt.(arrow.ExtensionType); ok {
		if nestedType(ext.StorageType()) {
			n.kind, n.skip = kindSkipped, "extension type "+ext.ExtensionName()+" over nested storage"
			return
		}
		dt = ext.StorageType()
	}
	switch dt.ID() {
	case arrow.STRUCT:
		if len(n.field.Children) == 0 {
			n.kind, n.skip = kindSkipped, "struct without fields"
			return
		}
		n.kind = kindGroup
		n.children = f.childNodes(n, n.field.Children, depth+1)
		return
	case arrow.MAP:
		n.kind, n.skip = kindSkipped, "map columns are not served"
		return
	case arrow.LIST, arrow.LARGE_LIST:
		elem, _, why := fixedType(dt.(arrow.ListLikeType).Elem(), depth+1)
		if why != "" {
			n.kind, n.skip = kindSkipped, "list of "+why+": only lists of fixed-size values are served"
			return
		}
		n.kind, n.dtype = kindVlen, formats.Dtype{Class: formats.ClassVlen, Base: &elem}
		if n.nullable {
			n.attrs = append(n.attrs, stringAttr("sciswift:null_value", "[]"))
		}
		return
	}
	col := f.leafColumn(n)
	if t, ok := variableType(dt, col); ok {
		n.kind, n.dtype = kindString, t
	} else {
		t, attrs, why := fixedType(dt, depth)
		if why != "" {
			n.kind, n.skip = kindSkipped, why
			return
		}
		n.kind, n.dtype = kindFixed, t
		n.attrs = append(n.attrs, attrs...)
	}
	if col != nil {
		pt := col.PhysicalType().String()
		if lt := col.LogicalType(); lt != nil && !lt.IsNone() {
			pt += " " + lt.String()
		}
		n.attrs = append(n.attrs, stringAttr("sciswift:parquet_type", pt))
	}
	if n.nullable {
		n.attrs = append(n.attrs, stringAttr("sciswift:null_value", fillText(&n.dtype)))
		if nc, ok := f.nullCount(n); ok {
			n.attrs = append(n.attrs, formats.Attribute{Name: "sciswift:null_count", Type: int64Type(), Value: nc})
		}
	}
}

// leafColumn is the Parquet column of a node that is one leaf, nil
// otherwise.
func (f *File) leafColumn(n *node) *pqschema.Column {
	if n.field == nil || !n.field.IsLeaf() {
		return nil
	}
	return f.meta.Schema.Column(n.field.ColIndex)
}

// nullCount sums the chunks' null counts of a non-repeated leaf column,
// when every row group's statistics give one.
func (f *File) nullCount(n *node) (int64, bool) {
	col := f.leafColumn(n)
	if col == nil || col.MaxRepetitionLevel() > 0 || len(n.leaves) != 1 || len(f.chunks) == 0 {
		return 0, false
	}
	var total int64
	for _, rg := range f.chunks {
		c := rg[n.leaves[0]].nullCount
		if c < 0 {
			return 0, false
		}
		total += c
	}
	return total, true
}

// nestedType reports whether dt has child fields.
func nestedType(dt arrow.DataType) bool {
	_, ok := dt.(arrow.NestedType)
	return ok
}

// variableType is the dtype of string and binary columns (plain or
// dictionary-encoded in Arrow).
func variableType(dt arrow.DataType, col *pqschema.Column) (formats.Dtype, bool) {
	if d, ok := dt.(*arrow.DictionaryType); ok {
		dt = d.ValueType
	}
	switch dt.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return utf8String(), true
	case arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW:
		if col != nil {
			switch col.LogicalType().(type) {
			case pqschema.JSONLogicalType, pqschema.EnumLogicalType, pqschema.StringLogicalType:
				return utf8String(), true
			}
		}
		return formats.Dtype{Class: formats.ClassString, Variable: true, Charset: formats.CharsetASCII}, true
	}
	return formats.Dtype{}, false
}

// fixedType is the dtype of values of a fixed-size Arrow type, with the
// attributes that qualify it (units, decimal precision); why says why a
// type has none.
func fixedType(dt arrow.DataType, depth int) (t formats.Dtype, attrs []formats.Attribute, why string) {
	if depth > maxNesting {
		return t, nil, fmt.Sprintf("types nested more than %d deep", maxNesting)
	}
	if ext, ok := dt.(arrow.ExtensionType); ok {
		if nestedType(ext.StorageType()) {
			return t, nil, "extension type " + ext.ExtensionName() + " over nested storage"
		}
		dt = ext.StorageType()
	}
	if d, ok := dt.(*arrow.DictionaryType); ok {
		dt = d.ValueType
	}
	unit := func(u arrow.TimeUnit) formats.Attribute { return stringAttr("unit", u.String()) }
	switch dt := dt.(type) {
	case *arrow.BooleanType:
		return boolType(), nil, ""
	case *arrow.Int8Type:
		return intType(1, true), nil, ""
	case *arrow.Int16Type:
		return intType(2, true), nil, ""
	case *arrow.Int32Type:
		return intType(4, true), nil, ""
	case *arrow.Int64Type:
		return intType(8, true), nil, ""
	case *arrow.Uint8Type:
		return intType(1, false), nil, ""
	case *arrow.Uint16Type:
		return intType(2, false), nil, ""
	case *arrow.Uint32Type:
		return intType(4, false), nil, ""
	case *arrow.Uint64Type:
		return intType(8, false), nil, ""
	case *arrow.Float16Type:
		return floatType(2), nil, ""
	case *arrow.Float32Type:
		return floatType(4), nil, ""
	case *arrow.Float64Type:
		return floatType(8), nil, ""
	case arrow.DecimalType:
		return floatType(8), []formats.Attribute{
			{Name: "precision", Type: int64Type(), Value: int64(dt.GetPrecision())},
			{Name: "scale", Type: int64Type(), Value: int64(dt.GetScale())},
		}, ""
	case *arrow.Date32Type:
		return intType(4, true), []formats.Attribute{stringAttr("unit", "D")}, ""
	case *arrow.Date64Type:
		return intType(8, true), []formats.Attribute{stringAttr("unit", "ms")}, ""
	case *arrow.Time32Type:
		return intType(4, true), []formats.Attribute{unit(dt.Unit)}, ""
	case *arrow.Time64Type:
		return intType(8, true), []formats.Attribute{unit(dt.Unit)}, ""
	case *arrow.TimestampType:
		attrs := []formats.Attribute{unit(dt.Unit)}
		if dt.TimeZone != "" {
			attrs = append(attrs, stringAttr("timezone", dt.TimeZone))
		}
		return intType(8, true), attrs, ""
	case *arrow.DurationType:
		return intType(8, true), []formats.Attribute{unit(dt.Unit)}, ""
	case *arrow.FixedSizeBinaryType:
		if dt.ByteWidth <= 0 {
			return t, nil, "fixed_size_binary of width " + strconv.Itoa(dt.ByteWidth)
		}
		return formats.Dtype{Class: formats.ClassOpaque, Size: dt.ByteWidth, Tag: "parquet:fixed_len_byte_array"}, nil, ""
	case *arrow.FixedSizeListType:
		elem, _, why := fixedType(dt.Elem(), depth+1)
		if why != "" {
			return t, nil, "fixed_size_list of " + why
		}
		n := int(dt.Len())
		if n <= 0 || elem.Size > math.MaxInt32/n {
			return t, nil, fmt.Sprintf("fixed_size_list of %d elements of %d bytes", n, elem.Size)
		}
		return formats.Dtype{Class: formats.ClassArray, Size: n * elem.Size, Base: &elem, Dims: []int{n}}, nil, ""
	case *arrow.StructType:
		c := formats.Dtype{Class: formats.ClassCompound}
		for _, fl := range dt.Fields() {
			mt, _, why := fixedType(fl.Type, depth+1)
			if why != "" {
				return t, nil, "struct with a field of " + why
			}
			if c.Size > math.MaxInt32-mt.Size {
				return t, nil, "struct larger than 2 GiB"
			}
			c.Members = append(c.Members, formats.Member{Name: fl.Name, Offset: c.Size, Type: &mt})
			c.Size += mt.Size
		}
		if len(c.Members) == 0 {
			return t, nil, "struct without fields"
		}
		return c, nil, ""
	case *arrow.StringType, *arrow.LargeStringType, *arrow.BinaryType, *arrow.LargeBinaryType, *arrow.StringViewType, *arrow.BinaryViewType:
		return t, nil, "variable-length " + dt.Name() + " values"
	case *arrow.NullType:
		return t, nil, "a column of nulls only"
	}
	return t, nil, dt.String() + " values"
}

// buildTable makes the /table compound of the fixed-size columns.
func (f *File) buildTable() {
	ts := &tableSet{dtype: formats.Dtype{Class: formats.ClassCompound}}
	for _, n := range f.root.children {
		mt, leaves := memberType(n)
		if mt == nil || ts.dtype.Size > math.MaxInt32-mt.Size {
			ts.excluded = append(ts.excluded, n.name)
			continue
		}
		ts.dtype.Members = append(ts.dtype.Members, formats.Member{Name: n.name, Offset: ts.dtype.Size, Type: mt})
		ts.dtype.Size += mt.Size
		ts.members = append(ts.members, n)
		ts.leaves = append(ts.leaves, leaves...)
	}
	if len(ts.members) == 0 {
		return
	}
	taken := map[string]bool{}
	for _, n := range f.root.children {
		taken[n.name] = true
	}
	ts.path = "/table"
	for taken[ts.path[1:]] {
		ts.path += "_"
	}
	f.table = ts
}

// memberType is n's type as a member of /table and the leaves it reads:
// fixed-size datasets as they are, structs as compounds of their fixed-size
// fields; nil for everything else.
func memberType(n *node) (*formats.Dtype, []int) {
	switch n.kind {
	case kindFixed:
		t := n.dtype
		return &t, n.leaves
	case kindGroup:
		c := formats.Dtype{Class: formats.ClassCompound}
		var leaves []int
		for _, ch := range n.children {
			mt, l := memberType(ch)
			if mt == nil || c.Size > math.MaxInt32-mt.Size {
				continue
			}
			c.Members = append(c.Members, formats.Member{Name: ch.name, Offset: c.Size, Type: mt})
			c.Size += mt.Size
			leaves = append(leaves, l...)
		}
		if len(c.Members) == 0 {
			return nil, nil
		}
		return &c, leaves
	}
	return nil, nil
}

// Dtypes. Parquet and Arrow are little-endian.

func intType(size int, signed bool) formats.Dtype {
	return formats.Dtype{Class: formats.ClassInteger, Size: size, Order: formats.LittleEndian, Signed: signed}
}

func int64Type() formats.Dtype { return intType(8, true) }

func floatType(size int) formats.Dtype {
	return formats.Dtype{Class: formats.ClassFloat, Size: size, Order: formats.LittleEndian}
}

// boolType is h5py's bool: an int8 enum FALSE=0, TRUE=1.
func boolType() formats.Dtype {
	base := intType(1, true)
	return formats.Dtype{
		Class: formats.ClassEnum, Size: 1, Base: &base,
		Members: []formats.Member{{Name: "FALSE", Value: 0}, {Name: "TRUE", Value: 1}},
	}
}

func utf8String() formats.Dtype {
	return formats.Dtype{Class: formats.ClassString, Variable: true, Charset: formats.CharsetUTF8}
}

func stringAttr(name, value string) formats.Attribute {
	return formats.Attribute{Name: name, Type: utf8String(), Value: value}
}

// fillText is the fill value of nulls of type t, as text for the
// "sciswift:null_value" attribute.
func fillText(t *formats.Dtype) string {
	switch {
	case t.Class == formats.ClassFloat:
		return "NaN"
	case t.IsBool():
		return "false"
	case t.Class == formats.ClassInteger:
		return "0"
	case t.IsVariable():
		return ""
	case t.Class == formats.ClassArray && t.Base != nil:
		return fillText(t.Base)
	case t.Class == formats.ClassOpaque:
		return "zero bytes"
	}
	return "NaN for float members, 0 for the others"
}
