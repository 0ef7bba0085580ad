package formats

import "io"

// Object is the bytes of one stored object, read by range: drivers read only
// the headers, index blocks and chunks they need, never the whole object.
// It is the formats layer's only view of the store.
type Object interface {
	io.ReaderAt
	Size() int64
}

// Tree is what `?describe` returns: a file's format and its groups and
// datasets. Paths are HDF5-style ("/", "/wind/u").
type Tree struct {
	Format string `json:"format"` // "hdf5", "hdf5-vol", "parquet" or "fits"
	Root   *Group `json:"root"`
}

// Group is a node holding other groups and datasets.
type Group struct {
	Path       string      `json:"path"`
	Attributes []Attribute `json:"attributes,omitempty"`
	Groups     []*Group    `json:"groups,omitempty"`
	Datasets   []*Dataset  `json:"datasets,omitempty"`
}

// Dataset is an N-dimensional array of one dtype.
type Dataset struct {
	Path  string   `json:"path"`
	Type  Dtype    `json:"type"`
	Shape []uint64 `json:"shape"` // empty for a scalar
	// Chunks is the chunk shape as the file declares it (absent when the
	// data is one contiguous extent).
	Chunks     []uint64    `json:"chunks,omitempty"`
	Filters    []string    `json:"filters,omitempty"` // e.g. "shuffle", "deflate"
	Attributes []Attribute `json:"attributes,omitempty"`
}

// Attribute is a small named value attached to a group or dataset. Value is
// already decoded into JSON-ready Go values (numbers, strings, nested
// slices); header cards of FITS and key-value metadata of Parquet are
// attributes too.
type Attribute struct {
	Name  string   `json:"name"`
	Type  Dtype    `json:"type"`
	Shape []uint64 `json:"shape,omitempty"`
	Value any      `json:"value"`
}

// Array is a dense block of selected elements in C (row-major) order: Data
// holds them in Type's byte layout (Type.Order as stored in the source),
// Strings holds them instead when Type is variable-length.
type Array struct {
	Type    Dtype
	Shape   []uint64
	Data    []byte
	Strings [][]byte
	// Null, when not nil, has one entry per element (C order): true where
	// the source holds no value (a Parquet null). Data or Strings hold a
	// fill value there, which the driver documents. Encoders that can say
	// "no value" do (JSON null, an empty CSV field, Arrow's validity
	// bitmap); npy and raw carry the fill value.
	Null []bool
}

// Selection picks elements of a dataset, one range per dimension, as HSDS's
// `select=[a:b:s,…]` does; see package formats/selection for the syntax.
type Selection []Range

// Range is start:stop:step over one dimension (stop exclusive, step ≥ 1).
// Index marks a single index ("5" rather than "5:6"): the dimension is
// dropped from the result's shape, as NumPy does.
type Range struct {
	Start, Stop, Step uint64
	Index             bool
}
