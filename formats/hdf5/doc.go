// Package hdf5 serves HDF5 files uploaded whole. The file is never parsed in
// the server: an Indexer runs the sciswift-h5worker child process, which
// opens the object with libhdf5 through a virtual file driver that asks the
// parent for byte ranges over a pipe (package pipe), so only the blocks
// libhdf5 reads cross, and answers an Index. The parent trusts none of it:
// ParseIndex validates the whole Index before anything uses it. The child
// runs with an address-space and CPU limit, a timeout, an empty environment
// and no way to open files or sockets; a crash, kill or timeout is an
// formats.ErrIndexer error naming what happened.
//
// File reads selections from the Index alone: only the chunks a selection
// touches, by range reads of the object (a few in flight at once), decoded
// with formats/filter (deflate, shuffle, fletcher32, honouring each chunk's
// filter mask); chunks never written read as the fill value; contiguous data
// by range reads joined across small gaps; compact data from the Index.
// Elements come back as stored, byte order included. What that path cannot
// serve (variable-length strings, libhdf5's other filters such as
// scale-offset or n-bit) is read by the worker in a child process too;
// variable-length sequences, references, virtual datasets, external raw
// data and filters libhdf5 itself lacks (plugins are never loaded) are
// refused with formats.ErrUnsupported naming the reason.
//
// # Index
//
// The Index is JSON (version 1):
//
//	{"version": 1, "size": <object bytes>, "root": GROUP}
//	GROUP   = {"path", "attributes": [formats.Attribute], "groups": [GROUP], "datasets": [DATASET]}
//	DATASET = {"path", "type": formats.Dtype, "shape": [n], "maxshape": [n | -1],
//	           "null_space": bool, "layout": "contiguous"|"chunked"|"compact"|"external"|"virtual",
//	           "chunks": [n], "filters": [{"id", "name", "optional", "params": [u32]}],
//	           "fill": base64 (one element as stored), "attributes": [...],
//	           "unsupported": "why Read refuses",
//	           "extent": {"offset", "size"},                    // contiguous
//	           "compact": base64,                               // compact
//	           "chunk_table": {"coords": [rank per chunk, grid indices],
//	                           "offsets": [..], "sizes": [..], "masks": [..]}} // chunked
//
// Every path is reached by hard links only (soft and external links are
// left out); an object with two hard links appears under both paths, and a
// group entered before (a link cycle) appears again without members.
// Attribute values are JSON-ready: numbers, strings, booleans (h5py's
// boolean enum), nested lists for shapes and array types, objects for
// compounds, base64 for opaque data; NaN and ±Inf are the strings "NaN",
// "Infinity" and "-Infinity"; values over 1 MiB, variable-length sequences
// and references are described without a value.
package hdf5
