package parquet

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/sciswift/sciswift/formats"
)

// Format is the Tree.Format of Parquet files.
const Format = "parquet"

// Errors, wrapped with detail; test with errors.Is.
var (
	// ErrNotParquet: the object does not start and end with "PAR1".
	ErrNotParquet = fmt.Errorf("parquet: %w", formats.ErrUnrecognized)
	// ErrCorrupt: the footer or a column chunk is malformed or truncated.
	ErrCorrupt = fmt.Errorf("parquet: %w", formats.ErrCorrupt)
	// ErrUnsupported: a valid Parquet construct this reader does not serve
	// (encryption, external column chunks, map columns, …).
	ErrUnsupported = fmt.Errorf("parquet: %w", formats.ErrUnsupported)
	// ErrLimit: the file or a request exceeds the Limits.
	ErrLimit = fmt.Errorf("parquet: %w", formats.ErrLimit)
	// ErrNotFound: no dataset at the path.
	ErrNotFound = fmt.Errorf("parquet: %w", formats.ErrNotFound)
)

// Limits bound what a crafted file or request can make Open and Read do.
// A zero field takes its default.
type Limits struct {
	// MaxFooterBytes bounds the serialized file metadata; default 64 MiB.
	MaxFooterBytes int64
	// MaxReadBytes bounds what one Read returns (element bytes, and string
	// bytes for variable-length types); default 1 GiB.
	MaxReadBytes int64
	// MaxChunkBytes bounds one column chunk a Read fetches (its stored
	// size) and one page it decompresses; default 512 MiB.
	MaxChunkBytes int64
}

func (l Limits) withDefaults() Limits {
	if l.MaxFooterBytes <= 0 {
		l.MaxFooterBytes = 64 << 20
	}
	if l.MaxReadBytes <= 0 {
		l.MaxReadBytes = 1 << 30
	}
	if l.MaxChunkBytes <= 0 {
		l.MaxChunkBytes = 512 << 20
	}
	return l
}

// Layout constants of the format: "PAR1" at both ends, the footer length
// (uint32, little-endian) just before the final magic.
const (
	magicSize  = 4
	tailSize   = 8 // footer length + magic
	minFile    = magicSize + tailSize
	tailPrefix = 64 << 10 // bytes read from the end at once, in the hope the footer is inside
)

var (
	magic          = []byte("PAR1")
	magicEncrypted = []byte("PARE")
)

// Sniff reports whether head, the first bytes of an object, starts a
// Parquet file. (The file must also end with the magic; Open checks that.)
func Sniff(head []byte) bool {
	return bytes.HasPrefix(head, magic)
}

// File is an opened Parquet file: its metadata, parsed, and the datasets it
// offers. It is immutable after Open, so Read may run concurrently.
type File struct {
	obj    formats.Object
	limits Limits
	meta   *metadata.FileMetaData
	reader *pqarrow.FileReader

	rowGroups []rowGroup
	numRows   int64
	chunks    [][]chunk // [row group][leaf column]
	// leafCodecs are the compression codecs of each leaf column's chunks
	// (lower case, "uncompressed" left out).
	leafCodecs [][]string

	root     *node
	table    *tableSet        // the /table compound; nil when no column is fixed-size
	datasets map[string]*node // path → leaf dataset
	skipped  map[string]string
	warnings []string // for the root's "sciswift:warning" attribute
}

// rowGroup is where a row group's rows start in the file's row numbering.
type rowGroup struct {
	start, rows int64
}

// chunk is one column chunk: the byte range arrow-go reads for it.
type chunk struct {
	off, size int64
	nullCount int64 // -1 when the statistics do not say
}

// Open reads obj's head magic and footer and indexes its columns. Column
// data are not read.
func Open(ctx context.Context, obj formats.Object, limits Limits) (f *File, err error) {
	limits = limits.withDefaults()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	size := obj.Size()
	head := make([]byte, min(size, magicSize))
	if err := readFull(obj, head, 0); err != nil {
		return nil, err
	}
	if !Sniff(head) {
		return nil, fmt.Errorf("%w: no PAR1 magic at the start", ErrNotParquet)
	}
	if size < minFile {
		return nil, fmt.Errorf("%w: %d bytes is too short for a Parquet file", ErrCorrupt, size)
	}
	footer, err := readFooter(obj, size, limits.MaxFooterBytes)
	if err != nil {
		return nil, err
	}
	if err := checkFooter(footer); err != nil {
		return nil, err
	}

	// arrow-go panics on some malformed input it does not check; a crafted
	// upload must not take the server down with it.
	defer func() {
		if err != nil {
			f = nil
		}
	}()
	defer recoverCorrupt(&err)
	meta, err := metadata.NewFileMetaData(footer, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: file metadata: %w", ErrCorrupt, err)
	}
	if meta.IsSetEncryptionAlgorithm() {
		return nil, fmt.Errorf("%w: encrypted columns", ErrUnsupported)
	}
	meta.SetSourceFileSize(size)
	f = &File{obj: obj, limits: limits, meta: meta, datasets: map[string]*node{}, skipped: map[string]string{}}
	if err := f.indexRowGroups(size); err != nil {
		return nil, err
	}

	f.dropBadArrowSchema()

	props := pq.NewReaderProperties(memory.DefaultAllocator)
	// One ReadAt per column chunk (not a stream of small reads, each a
	// round trip to the store), and pages no larger than a chunk may be.
	props.BufferedStreamEnabled = false
	props.MaxCompressedPageSize = limits.MaxChunkBytes
	props.MaxUncompressedPageSize = limits.MaxChunkBytes
	pf, err := file.NewParquetReader(io.NewSectionReader(obj, 0, size), file.WithMetadata(meta), file.WithReadProps(props))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	f.reader, err = pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		return nil, fmt.Errorf("%w: arrow-go cannot map the schema: %w", ErrUnsupported, err)
	}
	f.buildNodes()
	return f, nil
}

// dropBadArrowSchema removes a stored Arrow schema arrow-go could not
// decode safely (see checkArrowSchema) from the metadata pqarrow sees: the
// columns are then typed from the Parquet schema alone, and the root says
// so in a "sciswift:warning" attribute.
func (f *File) dropBadArrowSchema() {
	kv := f.meta.FileMetaData.KeyValueMetadata
	kept := kv[:0:0]
	for _, e := range kv {
		if e != nil && e.Key == arrowSchemaKey {
			if err := checkArrowSchema(e.GetValue()); err != nil {
				f.warnings = append(f.warnings, "the stored Arrow schema ("+arrowSchemaKey+") is "+err.Error()+"; columns are typed from the Parquet schema")
				continue
			}
		}
		kept = append(kept, e)
	}
	f.meta.FileMetaData.KeyValueMetadata = kept
}

// readFull reads len(p) bytes at off; a short object is ErrCorrupt.
func readFull(obj formats.Object, p []byte, off int64) error {
	n, err := obj.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: %d of %d bytes at offset %d", ErrCorrupt, n, len(p), off)
	}
	return err
}

// readFooter reads the serialized file metadata: the tail (the last 64 KiB
// at once, which usually holds the whole footer), then the rest of a larger
// footer once its length has been checked.
func readFooter(obj formats.Object, size, maxFooter int64) ([]byte, error) {
	tailLen := min(size, tailPrefix)
	tail := make([]byte, tailLen)
	if err := readFull(obj, tail, size-tailLen); err != nil {
		return nil, err
	}
	end := tail[tailLen-tailSize:]
	switch {
	case bytes.Equal(end[4:], magicEncrypted):
		return nil, fmt.Errorf("%w: encrypted footer", ErrUnsupported)
	case !bytes.Equal(end[4:], magic):
		return nil, fmt.Errorf("%w: no PAR1 magic at the end (truncated?)", ErrCorrupt)
	}
	n := int64(binary.LittleEndian.Uint32(end[:4]))
	if n > size-minFile {
		return nil, fmt.Errorf("%w: footer of %d bytes in a %d-byte file", ErrCorrupt, n, size)
	}
	if n > maxFooter {
		return nil, fmt.Errorf("%w: footer of %d bytes (at most %d)", ErrLimit, n, maxFooter)
	}
	if n <= tailLen-tailSize {
		return tail[tailLen-tailSize-n : tailLen-tailSize], nil
	}
	footer := make([]byte, n)
	if err := readFull(obj, footer, size-tailSize-n); err != nil {
		return nil, err
	}
	return footer, nil
}

// indexRowGroups checks every row group and column chunk against the file
// and records where each chunk lies, so Read trusts them.
func (f *File) indexRowGroups(size int64) error {
	ncols := f.meta.Schema.NumColumns()
	// Column chunks lie between the head magic and the footer.
	dataEnd := size - tailSize - int64(f.meta.Size())
	f.leafCodecs = make([][]string, ncols)
	for i := range f.meta.NumRowGroups() {
		rg := f.meta.RowGroup(i)
		rows := rg.NumRows()
		if rows < 0 || rows > 1<<62-f.numRows {
			return fmt.Errorf("%w: row group %d has %d rows", ErrCorrupt, i, rows)
		}
		if rg.NumColumns() != ncols {
			return fmt.Errorf("%w: row group %d has %d column chunks for %d columns", ErrCorrupt, i, rg.NumColumns(), ncols)
		}
		f.rowGroups = append(f.rowGroups, rowGroup{start: f.numRows, rows: rows})
		f.numRows += rows
		chunks := make([]chunk, ncols)
		for c := range ncols {
			cc, err := rg.ColumnChunk(c)
			if err != nil {
				return fmt.Errorf("%w: row group %d column %d: %w", ErrCorrupt, i, c, err)
			}
			if cc.FilePath() != "" {
				return fmt.Errorf("%w: column chunk in another file (%q)", ErrUnsupported, cc.FilePath())
			}
			if cc.CryptoMetadata() != nil {
				return fmt.Errorf("%w: encrypted column chunks", ErrUnsupported)
			}
			// The range arrow-go reads (file.RowGroupReader.GetColumnPageReader).
			off := cc.DataPageOffset()
			if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && off > cc.DictionaryPageOffset() {
				off = cc.DictionaryPageOffset()
			}
			n := cc.TotalCompressedSize()
			if off < magicSize || n < 0 || n > dataEnd-off {
				return fmt.Errorf("%w: row group %d column %d: chunk of %d bytes at offset %d outside the data (%d..%d)", ErrCorrupt, i, c, n, off, magicSize, dataEnd)
			}
			if f.meta.WriterVersion().LessThan(metadata.Parquet816FixedVersion) {
				// arrow-go pads such chunks by up to 100 bytes (PARQUET-816).
				n += min(100, size-off-n)
			}
			chunks[c] = chunk{off: off, size: n, nullCount: nullCount(cc)}
			if codec := strings.ToLower(cc.Compression().String()); codec != "uncompressed" && !slices.Contains(f.leafCodecs[c], codec) {
				f.leafCodecs[c] = append(f.leafCodecs[c], codec)
			}
		}
		f.chunks = append(f.chunks, chunks)
	}
	return nil
}

// nullCount is the chunk's null count from its statistics, -1 when absent.
func nullCount(cc *metadata.ColumnChunkMetaData) int64 {
	ok, err := cc.StatsSet()
	if err != nil || !ok {
		return -1
	}
	st, err := cc.Statistics()
	if err != nil || st == nil || !st.HasNullCount() {
		return -1
	}
	return st.NullCount()
}

// recoverCorrupt turns a panic inside arrow-go into ErrCorrupt.
func recoverCorrupt(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: the Parquet reader failed: %v", ErrCorrupt, r)
	}
}
