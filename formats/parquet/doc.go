// Package parquet indexes Apache Parquet files into the formats dataset
// model and reads selections of their columns, through arrow-go's parquet
// and pqarrow packages over a formats.Object.
//
// Open reads the object's first four bytes (the "PAR1" magic) and its tail
// (the footer: file metadata, length and magic), nothing else. Read fetches
// only the column chunks of the row groups a selection touches, each with one
// ReadAt of exactly its byte range; row groups holding no selected row are
// not read at all.
//
// # Paths
//
// Columns are named as pqarrow's Arrow schema names them (a Parquet LIST or
// MAP group is one Arrow field, not its three-level parts):
//
//   - every top-level column is /NAME; a struct column is a group /NAME
//     holding its fields, so the leaf c of struct b of struct a is the
//     dataset /a/b/c;
//   - a name that is empty, ".", "..", contains "/" or repeats an earlier
//     sibling's is replaced by col<i> (i the field's 0-based position among
//     its siblings; underscores are appended while that is taken too), and
//     the node gets a "sciswift:name" attribute with the original name;
//   - the table itself is the compound dataset /table of every fixed-size
//     column (see below); if a top-level column is called "table", the
//     compound is /table_ (or /table__, …). The root's "sciswift:table"
//     attribute names it. A file with no fixed-size column has none.
//
// Every dataset has shape [N], N the file's row count (the sum of its row
// groups' row counts), and the selections of formats/selection with one
// range. When every row group but the last has the same number of rows R,
// the dataset's Chunks is [R], so readers can align requests to row groups.
//
// # Types
//
//	BOOLEAN                           → h5py's bool (an int8 enum FALSE=0, TRUE=1)
//	INT8…INT64, UINT8…UINT64          → integers of the same size, little-endian
//	FLOAT16 / FLOAT / DOUBLE          → floats of 2, 4, 8 bytes
//	STRING, ENUM, JSON                → variable-length UTF-8 strings
//	BYTE_ARRAY without annotation     → variable-length strings of charset ascii
//	                                    (h5py's bytes); JSON output replaces
//	                                    bytes that are not UTF-8, Arrow output
//	                                    keeps them (binary)
//	FIXED_LEN_BYTE_ARRAY(n), UUID     → opaque of n bytes (base64 in JSON)
//	DECIMAL(p, s)                     → float64 (nearest value; attributes
//	                                    "precision" and "scale")
//	DATE                              → int32 days since 1970-01-01, unit "D"
//	TIME(unit)                        → int32 (ms) or int64 (us, ns) since
//	                                    midnight, unit "ms", "us" or "ns"
//	TIMESTAMP(unit), INT96            → int64 since 1970-01-01T00:00:00 in the
//	                                    unit ("s", "ms", "us", "ns": NumPy's
//	                                    datetime64 codes) with a "timezone"
//	                                    attribute when UTC-adjusted or known
//	Arrow duration (stored schema)    → int64 in the unit
//	Arrow dictionary (stored schema)  → decoded to its value type
//	Arrow fixed_size_list<T>[n]       → array type T[n] (T fixed-size);
//	  (stored schema)                   written as a trailing dimension by
//	                                    json, npy, csv and raw
//	LIST<T>, T fixed-size             → vlen sequence of T (JSON arrays)
//
// "Stored schema" means the Arrow schema Arrow writers keep in the
// "ARROW:schema" metadata entry, from which pqarrow restores Arrow types
// Parquet cannot express. A stored schema arrow-go could not decode safely
// is ignored (the columns are typed from the Parquet schema, so a
// fixed-size list reads as a LIST) and the root group gets a
// "sciswift:warning" attribute saying so.
//
// Parquet dictionary encoding is a storage detail: values are always read
// decoded. Every dataset has a "sciswift:arrow_type" attribute (the Arrow
// type pqarrow reads, e.g. "timestamp[us, tz=UTC]") and, for leaf columns, a
// "sciswift:parquet_type" attribute (the physical and logical type). Maps,
// lists of variable-length values (strings, lists), unions, intervals,
// Arrow null columns, extension types over nested storage and types nested
// more than 16 deep are not served: they are listed in their parent group's
// "sciswift:skipped" attribute ("name: why") and Read returns ErrUnsupported
// for their paths.
//
// # Nulls
//
// A null (in the column or in any struct holding it) reads as a fill value:
// NaN for floats, 0 for integers and booleans, the empty string or sequence
// for variable-length types; and the returned Array's Null marks it, so JSON
// writes null, CSV an empty field and Arrow output a null (npy and raw keep
// the fill). A nullable column's dataset has the attribute
// "sciswift:null_value" (the fill, as text: "NaN", "0", "false", "") and,
// when every row group's statistics have it, "sciswift:null_count". Null
// elements inside a list or fixed-size list and null fields of /table's rows
// read as the fill value with no mark (the model has no per-member nulls).
//
// # The table compound
//
// /table has one member per column of fixed size, in schema order, under the
// same names as the datasets: numbers, booleans, dates and times, decimals,
// opaque values, fixed-size lists (array members) and structs (nested
// compounds of their own fixed-size fields). Variable-length columns
// (strings, lists) and skipped ones are left out and named in its
// "sciswift:excluded" attribute. Members are packed (no alignment padding),
// in NumPy's sense of a packed structured dtype.
//
// # Attributes
//
// The file's key-value metadata become string attributes of the root group
// (except "ARROW:schema", the serialized Arrow schema pqarrow uses to
// restore types), with "sciswift:num_rows", "sciswift:row_groups" (rows per
// row group) and "sciswift:created_by". An Arrow field's metadata (from a
// stored Arrow schema) become string attributes of its dataset or group.
// Dataset Filters list the compression codecs of its column chunks
// ("snappy", "zstd", …; none when uncompressed).
//
// # Limits
//
// The footer length is checked against the object's size and
// Limits.MaxFooterBytes before anything is allocated for it; the shape of
// the schema (element counts, nesting) and the lengths inside a stored
// Arrow schema are checked before arrow-go builds them (it allocates from
// those numbers unchecked, which would be fatal, not a recoverable panic).
// A Read refuses selections whose result would exceed MaxReadBytes (24
// bytes per variable-length element besides its value bytes) and column
// chunks or pages larger than MaxChunkBytes, decodes at most 64Ki rows at a
// time, and reports a panic inside arrow-go on a corrupt file as ErrCorrupt.
// Encrypted files and column chunks stored in other files are
// ErrUnsupported.
//
// What stays arrow-go's: decoding a page sizes level and value buffers from
// the page's contents, so a crafted run-length-encoded page can still make
// one Read allocate far more than the page's size.
package parquet
