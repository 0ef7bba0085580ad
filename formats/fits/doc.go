// Package fits indexes FITS files (the astronomy format: 2880-byte blocks of
// 80-character header cards, each header followed by its data unit) into the
// formats dataset model, and reads selections of their data by byte range.
//
// Open scans the headers only, one 2880-byte block at a time, computing where
// each data unit starts from the header it follows; data units are never
// read then. Read reads just the byte ranges a selection touches: one per
// run of the last dimension (for a table column, one per row), ranges at most
// Limits.ReadGap apart joined into one ReadAt. Limits also bound HDUs,
// header cards and the bytes one Read returns, against crafted files and
// requests. Checksums, WCS and the heap of variable-length arrays are not
// interpreted.
//
// # Paths
//
// Every HDU n (0 is the primary HDU) has a node at /HDUn carrying its header
// cards as attributes:
//
//   - an image HDU with NAXIS > 0 is a dataset /HDUn whose shape is the FITS
//     axes reversed (NAXISn … NAXIS1), so the last, fastest-varying
//     dimension is NAXIS1 as in C order and in astropy (a zero NAXISi makes
//     an empty dataset, as astropy's empty array);
//   - an image HDU with NAXIS = 0 (the usual empty primary) is an empty group;
//   - a binary table (XTENSION='BINTABLE') is a group /HDUn holding one
//     dataset per column, /HDUn/NAME, NAME being TTYPEi without surrounding
//     blanks. A column whose TTYPE is missing, empty, ".", "..", contains
//     "/" or repeats an earlier name is /HDUn/col<i> instead (i counted from
//     1 as in TTYPEi, "_" appended while that is taken). A column's own
//     keywords (TTYPEi, TFORMi, TUNITi, TSCALi, TZEROi, TNULLi, TDIMi, …) are
//     also attributes of its dataset, named without the index (TFORM, TUNIT…);
//   - any other HDU (ASCII tables, random groups, tile-compressed images,
//     unknown extensions) is a group with its header and a
//     "sciswift:unsupported" attribute saying why it has no datasets (Read
//     of its path returns ErrUnsupported with that reason).
//
// # Types and scaling
//
// Read returns what astropy 5 returns for hdul[n].data (images) and
// hdul[n].data[name] (table columns), in FITS's big-endian byte order (values
// computed by scaling are written big-endian too, so every FITS dataset is
// "be"). For images:
//
//	BITPIX 8, 16, 32, 64   → uint8, int16, int32, int64
//	BITPIX -32, -64        → float32, float64
//	BITPIX 8,  BSCALE 1, BZERO -128  → int8    (FITS signed-byte convention)
//	BITPIX 16, BSCALE 1, BZERO 2^15  → uint16  (FITS unsigned conventions)
//	BITPIX 32, BSCALE 1, BZERO 2^31  → uint32
//	BITPIX 64, BSCALE 1, BZERO 2^63  → uint64
//	other BSCALE/BZERO, or BLANK     → BITPIX 8/16: float32, 32/64: float64,
//	                                   floats keep their type;
//	                                   physical = raw·BSCALE + BZERO computed
//	                                   in that type, BLANK pixels → NaN.
//
// BLANK applies to integer BITPIX only and is ignored by the integer
// conventions above, as in astropy. One deliberate difference: astropy 5
// skips the NaN substitution when BLANK = 0 (it tests the value's truth);
// we turn BLANK = 0 pixels into NaN as the standard says.
//
// Binary-table columns (TFORMi = rT, r the repeat count):
//
//	L → bool (an enum of int8 FALSE=0/TRUE=1, h5py's convention): 'T' true
//	X → bool per bit, shape [NAXIS2, r] always (as astropy)
//	B, I, J, K → uint8, int16, int32, int64
//	E, D → float32, float64
//	C, M → complex64/complex128 as a compound {r, i} of big-endian floats
//	       (h5py's convention)
//	A → a fixed-size string of r bytes, space padded (bytes after a NUL,
//	    which ends a FITS string, read as spaces; astropy keeps them)
//	P, Q (variable-length arrays) → not supported: the column is listed in
//	       the table group's "sciswift:skipped" attribute and Read returns
//	       ErrUnsupported for its path.
//
// A column of repeat 1 has shape [NAXIS2], of repeat r > 1 [NAXIS2, r], or
// [NAXIS2, TDIM reversed] when TDIMi's product is at most r (for A: equals
// r, and TDIM's first axis is the string length). Columns of repeat 0 are
// skipped. TZERO 2^15, 2^31, 2^63 on I, J, K (TSCAL 1) give uint16, uint32,
// uint64; any other TSCALi/TZEROi on B, I, J, K, E, D gives float64 =
// raw·TSCAL + TZERO, as astropy (which fails outright on K with another
// TZERO than 2^63; we compute it like the rest). TNULLi is reported as an
// attribute and not applied (astropy does not apply it to binary tables
// either). Scaling declared on C, M columns is not supported (the column is
// skipped).
//
// # Header cards
//
// Each card becomes an attribute named by its keyword (HIERARCH keywords
// without the HIERARCH prefix): logical → bool, integer → int64 (uint64 or
// float64 beyond that range), real → float64, complex → compound {r, i},
// string → string (trailing blanks dropped, CONTINUE long strings joined).
// COMMENT and HISTORY become string arrays. A keyword appearing twice keeps
// its first value (astropy's header[key]). Cards with no value and blank
// keyword commentary are not reported.
package fits
