// Package formats is the dataset model shared by every scientific format the
// store understands: a file is a tree of groups and datasets; a dataset has a
// shape, a dtype (with byte order), a chunk grid, attributes and a source for
// each chunk. HDF5 uploads, Parquet, FITS and files written through the VOL
// connector are all described in these terms, so a reader (the dataset API, the
// VOL connector) sees one vocabulary whatever the bytes came from.
package formats

// Class is a dtype's kind. The names follow HDF5's type classes because HDF5's
// type system is the richest of the formats we serve; Parquet and FITS types
// map onto a subset.
type Class string

const (
	ClassInteger  Class = "integer"
	ClassFloat    Class = "float"
	ClassString   Class = "string"
	ClassBitfield Class = "bitfield"
	ClassOpaque   Class = "opaque"
	ClassCompound Class = "compound"
	ClassEnum     Class = "enum"
	ClassArray    Class = "array"
	ClassVlen     Class = "vlen" // variable-length sequence of Base
)

// ByteOrder of an atomic dtype as stored.
type ByteOrder string

const (
	LittleEndian ByteOrder = "le"
	BigEndian    ByteOrder = "be"
)

// String padding and character sets, as HDF5 names them.
const (
	PadNullTerm  = "nullterm"
	PadNullPad   = "nullpad"
	PadSpacePad  = "spacepad"
	CharsetASCII = "ascii"
	CharsetUTF8  = "utf-8"
)

// Dtype describes one element. It is serialised as JSON in descriptions and in
// the documents of VOL-written files, so field names are part of the format.
type Dtype struct {
	Class Class `json:"class"`
	// Size is the element size in bytes as stored; 0 for variable-length
	// strings and vlen sequences, whose elements have no fixed size.
	Size  int       `json:"size"`
	Order ByteOrder `json:"order,omitempty"` // integer, float, bitfield; enum via Base
	// Signed applies to integers.
	Signed bool `json:"signed,omitempty"`
	// Precision and BitOffset describe integers and bitfields whose
	// significant bits do not fill Size (rare; omitted when they do).
	Precision int `json:"precision,omitempty"`
	BitOffset int `json:"bit_offset,omitempty"`

	// Strings.
	Variable bool   `json:"variable,omitempty"`
	Charset  string `json:"charset,omitempty"`
	Padding  string `json:"padding,omitempty"`

	// Compound members (Name, Offset, Type) or enum members (Name, Value).
	Members []Member `json:"members,omitempty"`
	// Base is the element type of enums, arrays and vlen sequences.
	Base *Dtype `json:"base,omitempty"`
	// Dims of an array type.
	Dims []int `json:"dims,omitempty"`
	// Tag of an opaque type.
	Tag string `json:"tag,omitempty"`
}

// Member is a compound field or an enum constant.
type Member struct {
	Name   string `json:"name"`
	Offset int    `json:"offset,omitempty"`
	Type   *Dtype `json:"type,omitempty"`
	// Value of an enum constant, as the signed or unsigned integer its base
	// type holds (a uint64 above MaxInt64 is stored in two's complement).
	Value int64 `json:"value,omitempty"`
}

// IsVariable reports whether elements of t have no fixed size: variable-length
// strings and vlen sequences. Datasets of such types are stored element by
// element rather than as fixed-size byte runs.
func (t Dtype) IsVariable() bool {
	return (t.Class == ClassString && t.Variable) || t.Class == ClassVlen
}

// ContainsVariable reports a variable-length type anywhere inside t: t
// itself, a compound member or an array's base (an enum's base is an
// integer). Types nested deeper than maxTypeDepth, which every reader
// refuses, report false.
func (t Dtype) ContainsVariable() bool { return t.containsVariable(0) }

// maxTypeDepth bounds the recursion over a type from an untrusted file.
const maxTypeDepth = 64

func (t Dtype) containsVariable(depth int) bool {
	if t.IsVariable() {
		return true
	}
	if depth >= maxTypeDepth {
		return false
	}
	for _, m := range t.Members {
		if m.Type != nil && m.Type.containsVariable(depth+1) {
			return true
		}
	}
	return t.Base != nil && t.Class != ClassEnum && t.Base.containsVariable(depth+1)
}
