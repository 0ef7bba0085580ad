package parquet

import (
	"slices"

	"github.com/sciswift/sciswift/formats"
)

// Tree describes the file (see the package comment). Each call returns a
// fresh tree the caller may modify.
func (f *File) Tree() *formats.Tree {
	root := f.group(f.root)
	root.Attributes = append(f.rootAttributes(), root.Attributes...)
	if f.table != nil {
		root.Datasets = append(root.Datasets, f.tableDataset())
	}
	return &formats.Tree{Format: Format, Root: root}
}

// Dataset describes the dataset at path, false when there is none.
func (f *File) Dataset(path string) (*formats.Dataset, bool) {
	if f.table != nil && path == f.table.path {
		return f.tableDataset(), true
	}
	n, ok := f.datasets[path]
	if !ok {
		return nil, false
	}
	return f.describe(n), true
}

func (f *File) group(n *node) *formats.Group {
	g := &formats.Group{Path: n.path, Attributes: slices.Clone(n.attrs)}
	var skipped []string
	for _, c := range n.children {
		switch c.kind {
		case kindGroup:
			g.Groups = append(g.Groups, f.group(c))
		case kindSkipped:
			skipped = append(skipped, c.name+": "+c.skip)
		default:
			g.Datasets = append(g.Datasets, f.describe(c))
		}
	}
	if len(skipped) > 0 {
		g.Attributes = append(g.Attributes, stringArray("sciswift:skipped", skipped))
	}
	return g
}

// rootAttributes are the file's key-value metadata and what the footer
// says about the rows.
func (f *File) rootAttributes() []formats.Attribute {
	var attrs []formats.Attribute
	seen := map[string]bool{}
	kv := f.meta.KeyValueMetadata()
	keys, values := kv.Keys(), kv.Values()
	for i, k := range keys {
		if k == "ARROW:schema" || seen[k] {
			continue
		}
		seen[k] = true
		attrs = append(attrs, stringAttr(k, values[i]))
	}
	rows := make([]int64, len(f.rowGroups))
	for i, rg := range f.rowGroups {
		rows[i] = rg.rows
	}
	attrs = append(attrs,
		formats.Attribute{Name: "sciswift:num_rows", Type: int64Type(), Value: f.numRows},
		formats.Attribute{Name: "sciswift:row_groups", Type: int64Type(), Shape: []uint64{uint64(len(rows))}, Value: rows},
	)
	if by := f.meta.GetCreatedBy(); by != "" {
		attrs = append(attrs, stringAttr("sciswift:created_by", by))
	}
	if f.table != nil {
		attrs = append(attrs, stringAttr("sciswift:table", f.table.path))
	}
	if len(f.warnings) > 0 {
		attrs = append(attrs, stringArray("sciswift:warning", f.warnings))
	}
	return attrs
}

// describe is the dataset node n as the model's Dataset.
func (f *File) describe(n *node) *formats.Dataset {
	return &formats.Dataset{
		Path:       n.path,
		Type:       copyDtype(n.dtype),
		Shape:      []uint64{uint64(f.numRows)},
		Chunks:     f.chunkShape(),
		Filters:    f.codecs(n.leaves),
		Attributes: slices.Clone(n.attrs),
	}
}

func (f *File) tableDataset() *formats.Dataset {
	ts := f.table
	var attrs []formats.Attribute
	if len(ts.excluded) > 0 {
		attrs = append(attrs, stringArray("sciswift:excluded", ts.excluded))
	}
	return &formats.Dataset{
		Path:       ts.path,
		Type:       copyDtype(ts.dtype),
		Shape:      []uint64{uint64(f.numRows)},
		Chunks:     f.chunkShape(),
		Filters:    f.codecs(ts.leaves),
		Attributes: attrs,
	}
}

// chunkShape is [rows per row group] when all row groups but the last
// have the same number of rows (and the last no more), nil otherwise.
func (f *File) chunkShape() []uint64 {
	if len(f.rowGroups) == 0 {
		return nil
	}
	r := f.rowGroups[0].rows
	for i, rg := range f.rowGroups {
		if rg.rows > r || rg.rows < r && i < len(f.rowGroups)-1 {
			return nil
		}
	}
	if r == 0 {
		return nil
	}
	return []uint64{uint64(r)}
}

// codecs lists the compression codecs of the leaves' column chunks.
func (f *File) codecs(leaves []int) []string {
	var out []string
	for _, l := range leaves {
		for _, c := range f.leafCodecs[l] {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

func stringArray(name string, values []string) formats.Attribute {
	return formats.Attribute{Name: name, Type: utf8String(), Shape: []uint64{uint64(len(values))}, Value: slices.Clone(values)}
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
	t.Dims = slices.Clone(t.Dims)
	return t
}
