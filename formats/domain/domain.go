// Package domain is how an HDF5 file written through the VOL connector is laid
// out in the store, HSDS-style: a small manifest object under the file's own
// name, one JSON document per group, dataset and named datatype, and one
// object per chunk, all under "NAME/" so that `swift list C --prefix NAME/`
// shows them and deleting the prefix deletes the file.
//
//	NAME                   Manifest (JSON; X-Object-Meta-Sciswift-Format: hdf5-vol)
//	NAME/g/<id>.json       Group
//	NAME/d/<id>.json       Dataset
//	NAME/t/<id>.json       NamedType
//	NAME/d/<id>/<i>_<j>_…  one chunk, named by its index in the chunk grid
//	NAME/.lock             held while a writer has the file open
//
// Chunk keys are computed from the grid index, never found by listing. The
// documents are the dataset model of package formats plus what HDF5 needs to
// give a program back exactly what it created (encoded property lists).
package domain

import "github.com/sciswift/sciswift/formats"

// FormatName marks a manifest, both in its JSON and in the object's
// X-Object-Meta-Sciswift-Format header, so the proxy can recognise a
// VOL-written file from a HEAD.
const FormatName = "hdf5-vol"

// Version of the layout; readers refuse manifests with a higher one.
const Version = 1

// Kind of an object document.
type Kind string

const (
	KindGroup     Kind = "group"
	KindDataset   Kind = "dataset"
	KindNamedType Kind = "datatype"
)

// Manifest is the object stored under the file's own name.
type Manifest struct {
	Format  string `json:"format"`  // FormatName
	Version int    `json:"version"` // Version
	Root    uint64 `json:"root"`    // id of the root group
	// NextID is the next object id to hand out; ids are never reused.
	NextID  uint64 `json:"next_id"`
	Created int64  `json:"created"` // unix seconds
	// FCPL is the file creation property list as H5Pencode2 wrote it, opaque
	// to everything but the connector.
	FCPL []byte `json:"fcpl,omitempty"`
}

// Header is what every object document shares.
type Header struct {
	ID   uint64 `json:"id"`
	Kind Kind   `json:"kind"`
	// Refcount is the number of hard links to the object.
	Refcount   int         `json:"refcount"`
	Created    int64       `json:"created"`  // unix seconds
	Modified   int64       `json:"modified"` // unix seconds
	Attributes []Attribute `json:"attributes,omitempty"`
	// NextAttrOrder is the creation-order index the next attribute gets.
	NextAttrOrder int64 `json:"next_attr_order,omitempty"`
	// CPL is the object's creation property list (gcpl, dcpl or tcpl) as
	// H5Pencode2 wrote it; opaque outside the connector.
	CPL []byte `json:"cpl,omitempty"`
}

// Group is a group document: its links, in creation order.
type Group struct {
	Header
	Links         []Link `json:"links"`
	NextLinkOrder int64  `json:"next_link_order"`
}

// LinkKind is hard, soft or external, as in HDF5.
type LinkKind string

const (
	LinkHard     LinkKind = "hard"
	LinkSoft     LinkKind = "soft"
	LinkExternal LinkKind = "external"
)

// Link is one entry of a group.
type Link struct {
	Name  string   `json:"name"`
	Kind  LinkKind `json:"kind"`
	Order int64    `json:"order"` // creation order
	// UTF8 is the character set of Name (H5Pset_char_encoding on the lcpl
	// the link was created, moved or copied with).
	UTF8 bool `json:"utf8,omitempty"`
	// Hard links: the target's id and kind.
	Target     uint64 `json:"target,omitempty"`
	TargetKind Kind   `json:"target_kind,omitempty"`
	// Soft links: the path; external links: the file and the path in it.
	Path string `json:"path,omitempty"`
	File string `json:"file,omitempty"`
}

// Space is a dataspace: scalar, null, or simple with dims and max dims
// (MaxDims[i] == Unlimited for an unlimited dimension).
type Space struct {
	Class   string   `json:"class"` // "scalar", "null" or "simple"
	Dims    []uint64 `json:"dims,omitempty"`
	MaxDims []uint64 `json:"max_dims,omitempty"`
}

// Unlimited in Space.MaxDims, HDF5's H5S_UNLIMITED.
const Unlimited = ^uint64(0)

// Attribute is stored inside its object's document.
type Attribute struct {
	Name  string        `json:"name"`
	Type  formats.Dtype `json:"type"`
	Space Space         `json:"space"`
	// TypeRef is the id of the named datatype the attribute was created
	// with, 0 if its type is transient. Like a dataset's, it counts in the
	// named type's Refcount.
	TypeRef uint64 `json:"type_ref,omitempty"`
	Order   int64  `json:"order"`
	// UTF8 is the character set of Name (H5Pset_char_encoding on the acpl);
	// HDF5 records it but does not interpret it.
	UTF8 bool `json:"utf8,omitempty"`
	// Value holds the elements in Type's byte layout; Strings holds them
	// instead when Type is a variable-length string (nil entries are NULL).
	Value   []byte    `json:"value,omitempty"`
	Strings []*string `json:"strings,omitempty"`
	// ACPL is the attribute creation property list from H5Pencode2.
	ACPL []byte `json:"acpl,omitempty"`
}

// Filter is one stage of a chunk's filter pipeline, in HDF5's terms
// (H5Z_FILTER_DEFLATE = 1, H5Z_FILTER_SHUFFLE = 2, H5Z_FILTER_FLETCHER32 = 3).
type Filter struct {
	ID       int      `json:"id"`
	Name     string   `json:"name,omitempty"`
	Optional bool     `json:"optional,omitempty"`
	Params   []uint32 `json:"params,omitempty"`
}

// Layout says how a dataset's elements are split into chunk objects.
type Layout struct {
	// Class is what the program asked for: "contiguous", "chunked" or
	// "compact". Every dataset is stored chunked regardless.
	Class string `json:"class"`
	// Chunks is the chunk shape the program asked for (chunked only), what
	// H5Pget_chunk returns.
	Chunks []uint64 `json:"chunks,omitempty"`
	// StoredChunks is the chunk shape of the chunk objects (HSDS's policy:
	// a synthetic ~1-4 MiB shape for contiguous datasets).
	StoredChunks []uint64 `json:"stored_chunks"`
	Filters      []Filter `json:"filters,omitempty"`
	// EarlyAlloc says the program asked for all storage to exist from the
	// start (H5D_ALLOC_TIME_EARLY; compact datasets always have it). Chunk
	// objects are still written lazily: it only changes what the storage
	// size reports.
	EarlyAlloc bool `json:"early_alloc,omitempty"`
}

// Dataset is a dataset document.
type Dataset struct {
	Header
	Type formats.Dtype `json:"type"`
	// TypeRef is the id of the named datatype the dataset was created with,
	// 0 if its type is transient.
	TypeRef uint64 `json:"type_ref,omitempty"`
	Space   Space  `json:"space"`
	Layout  Layout `json:"layout"`
	// Fill is one element in Type's byte layout, the value of elements never
	// written; nil means zero bytes.
	Fill []byte `json:"fill,omitempty"`
}

// NamedType is a committed datatype's document.
type NamedType struct {
	Header
	Type formats.Dtype `json:"type"`
}

// File is every document of one VOL-written file, as a reader loads them
// (package formats/volfile): what the dataset API describes and slices and
// what a plain GET streams out as a standard HDF5 file.
type File struct {
	Name     string // the manifest's object name in its container
	Manifest Manifest
	Groups   map[uint64]*Group
	Datasets map[uint64]*Dataset
	Types    map[uint64]*NamedType
}
