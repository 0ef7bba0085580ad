// Package vol is the Go half of the HDF5 VOL connector: files, groups,
// datasets, named datatypes, links and attributes of HDF5 files that live in
// the store (layout: package formats/domain). It knows nothing of C or of
// libhdf5: package cabi turns HDF5's callbacks into calls on these types and
// does all type conversion and selection handling with libhdf5, handing this
// package plain bytes in the dataset's stored dtype and element runs.
//
// Concurrency: HDF5 calls the connector from one thread at a time, so the
// exported methods need not be safe for concurrent use; the chunk traffic they
// start (bounded parallel GETs and PUTs, write-behind) runs in goroutines that
// never touch caller memory after a method returns.
//
// THIS FILE IS THE CONTRACT between vol and cabi: signatures change only by
// agreement. The bodies live in the other files of the package.
package vol

import (
	"errors"
	"sync"
	"time"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/chunks"
	"github.com/sciswift/sciswift/formats/domain"
)

// Sentinels; every error returned wraps one of them (or is a store error from
// server/client) and reads as a sentence fit for the HDF5 error stack.
var (
	ErrNoAuth       = errors.New("no credentials")        // nothing in the info string or ST_*/OS_* variables
	ErrAuth         = errors.New("authentication failed") // 401/403
	ErrUnreachable  = errors.New("store unreachable")     // dial/timeout errors
	ErrNotFound     = errors.New("not found")             // file, object, link, attribute
	ErrExists       = errors.New("already exists")        // EXCL create, link/attr name taken
	ErrLocked       = errors.New("file is open for writing elsewhere")
	ErrReadOnly     = errors.New("file is open read-only")
	ErrNoContainer  = errors.New("no container")             // name without '/' and no container= / SCISWIFT_CONTAINER
	ErrNotHDF5      = errors.New("not a sciswift HDF5 file") // object exists but is no manifest
	ErrInvalid      = errors.New("invalid argument")
	ErrUnsupported  = errors.New("not supported")
	ErrDeletedUnder = errors.New("file was deleted while open")
	ErrStore        = errors.New("store error") // other non-2xx (e.g. 507), message carries status and path
)

// Settings are the connection settings of one file access.
type Settings struct {
	AuthURL, User, Key string // tempauth v1.0
	StorageURL, Token  string // pre-authenticated (OS_STORAGE_URL/OS_AUTH_TOKEN or storage_url=/token=)
	Container          string // default container for names without '/'
	// Parallel bounds concurrent chunk requests per file (default 16);
	// CacheBytes bounds the chunk cache per file (default 128 MiB).
	Parallel   int
	CacheBytes int64
}

// ParseSettings reads the connector info string ("auth=URL user=U key=K
// storage_url=… token=… container=… parallel=N cache=BYTES", whitespace
// separated key=value) and falls back, per setting, to the swift CLI's
// variables ST_AUTH, ST_USER, ST_KEY, OS_STORAGE_URL, OS_AUTH_TOKEN and to
// SCISWIFT_CONTAINER, looked up with getenv. Unknown keys are an error.
func ParseSettings(info string, getenv func(string) string) (Settings, error) {
	return parseSettings(info, getenv)
}

// CreateMode is how CreateFile treats an existing file.
type CreateMode int

const (
	CreateExclusive CreateMode = iota // fail with ErrExists (H5F_ACC_EXCL)
	CreateTruncate                    // delete it first (H5F_ACC_TRUNC)
)

// Connector is the process-wide state: one per loaded plugin. It shares
// authenticated sessions between files on the same account and keeps the
// files that are open, so opening an open file again returns the same *File
// (HDF5's own behaviour) with its reference count raised.
type Connector struct {
	mu       sync.Mutex
	sessions map[sessionKey]*session
	files    map[string]*File // open files by storage URL, container, path
	nextNo   uint64

	// leaseTTL and leaseRenew are the write lock's lease and how often it
	// is renewed (tests shorten them).
	leaseTTL, leaseRenew time.Duration
	now                  func() time.Time
}

// NewConnector makes the connector; Close flushes and closes what is open.
func NewConnector() *Connector    { return newConnector() }
func (c *Connector) Close() error { return c.close() }

// CreateFile creates "CONTAINER/PATH" (or PATH in s.Container), creating the
// container if missing, and takes the write lock. fcpl is kept opaque.
func (c *Connector) CreateFile(s Settings, name string, mode CreateMode, fcpl []byte) (*File, error) {
	return c.createFile(s, name, mode, fcpl)
}

// OpenFile opens an existing file; write takes the write lock.
func (c *Connector) OpenFile(s Settings, name string, write bool) (*File, error) {
	return c.openFileByName(s, name, write)
}

// FileAccessible reports whether name is a file this connector can open; an
// error only when that cannot be determined (no auth, store down).
func (c *Connector) FileAccessible(s Settings, name string) (bool, error) {
	return c.fileAccessible(s, name)
}

// DeleteFile deletes the manifest and every object under its prefix.
func (c *Connector) DeleteFile(s Settings, name string) error { return c.deleteFile(s, name) }

// File is an open file. Each OpenFile/CreateFile/Reopen returns a reference
// that must be Closed; the last Close flushes and releases the lock.
type File struct {
	c               *Connector
	sess            *session
	key             string // in Connector.files
	name            string
	container, path string
	settings        Settings
	writable        bool
	refs            int
	fileno          uint64
	closed          bool
	lock            *lease // nil for read-only files
	// uploaded is set for an uploaded .h5/.fits/.parquet object, served
	// read-only from the server's description (uploaded.go).
	uploaded *uploadedFile

	manifest      domain.Manifest
	manifestETag  string // of the manifest as last read or written
	manifestDirty bool

	objects       map[uint64]*Object
	root          *Object
	pendingDelete []*Object // unlinked objects, deleted at the next Flush
	deletedUnder  error     // sticky ErrDeletedUnder
	manifestGone  bool      // deletedUnder because the manifest is gone (not replaced)

	io *chunkIO
}

func (f *File) Name() string   { return f.name } // as given to Create/Open
func (f *File) Writable() bool { return f.writable }

// FileNo is a number unique to this open file in the process (H5Fget_fileno,
// and the fileno of every object's info).
func (f *File) FileNo() uint64 { return f.fileno }
func (f *File) FCPL() []byte   { return clone(f.manifest.FCPL) }
func (f *File) Root() *Object  { return f.root }

// Reopen returns another reference to the same file (H5Freopen).
func (f *File) Reopen() *File { f.refs++; return f }

// Flush writes dirty chunks, then documents, then the manifest, and reports
// the first error of any write since the last Flush.
func (f *File) Flush() error { return f.flush(nil) }
func (f *File) Close() error { return f.close() }

// ObjectByToken finds an object by the token HDF5 got from Object.Token.
func (f *File) ObjectByToken(token uint64) (*Object, error) { return f.objectByToken(token) }

// Object is a group, dataset or named datatype. Objects are shared: every
// handle to the same object in the same file is the same *Object.
type Object struct {
	f    *File
	id   uint64
	kind domain.Kind
	// One of these is set, by kind.
	group *domain.Group
	dset  *domain.Dataset
	ntype *domain.NamedType

	dirty    bool // the document needs writing
	unlinked bool // its last link went; deleted at the next Flush
	gone     bool // deleted from the store

	linkIdx map[string]int   // groups: link name -> index in group.Links
	attrs   map[string]*Attr // attribute handles handed out
	ds      *dsIO            // datasets: chunk I/O state
}

func (o *Object) Kind() domain.Kind { return o.kind }
func (o *Object) File() *File       { return o.f }

// Token identifies the object within its file (its domain id).
func (o *Object) Token() uint64 { return o.id }
func (o *Object) CPL() []byte   { return clone(o.hdr().CPL) }

// ObjectInfo is what H5Oget_info3 needs.
type ObjectInfo struct {
	Kind              domain.Kind
	Token             uint64
	Refcount          int
	NumAttrs          int
	Created, Modified int64
}

func (o *Object) Info() ObjectInfo { return o.info() }

// Resolve follows path ("/" rooted or relative to o; "." is o) through hard
// and soft links to an object. ErrNotFound names the first missing component.
func (o *Object) Resolve(path string) (*Object, error) { return o.resolve(path) }

// CreateGroup creates a group at path ("" for an anonymous group), creating
// missing intermediate groups when intermediate is true.
func (o *Object) CreateGroup(path string, intermediate bool, gcpl []byte) (*Object, error) {
	return o.createGroup(path, intermediate, gcpl)
}

// DatasetSpec is what H5Dcreate2 decided; cabi fills it from the type, space
// and dcpl. Layout.StoredChunks may be left empty: the policy fills it.
type DatasetSpec struct {
	Type    formats.Dtype
	TypeRef *Object // named datatype the dataset was created with, or nil
	Space   domain.Space
	Layout  domain.Layout
	Fill    []byte
	DCPL    []byte
}

func (o *Object) CreateDataset(path string, intermediate bool, spec DatasetSpec) (*Object, error) {
	return o.createDataset(path, intermediate, spec)
}

// CommitType commits a named datatype at path ("" for H5Tcommit_anon).
func (o *Object) CommitType(path string, intermediate bool, t formats.Dtype, tcpl []byte) (*Object, error) {
	return o.commitType(path, intermediate, t, tcpl)
}

// ---- links (o must be a group) ----

// LinkOrder selects H5_INDEX_NAME or H5_INDEX_CRT_ORDER, increasing or not.
type LinkOrder struct {
	ByCreation bool
	Decreasing bool
}

// Links lists the group's links in the given order.
func (o *Object) Links(order LinkOrder) ([]domain.Link, error) { return o.links(order) }

// Link finds the link named by path (its last component, in the group the
// rest of path resolves to).
func (o *Object) Link(path string) (domain.Link, error) { return o.link(path) }

// LinkExists is H5Lexists: false, not an error, when the last component is
// missing; an error when an intermediate one is.
func (o *Object) LinkExists(path string) (bool, error) { return o.linkExists(path) }

func (o *Object) CreateHardLink(path string, target *Object, intermediate bool) error {
	return o.createHardLink(path, target, intermediate)
}
func (o *Object) CreateSoftLink(path, target string, intermediate bool) error {
	return o.createSoftLink(path, target, intermediate)
}
func (o *Object) CreateExternalLink(path, file, target string, intermediate bool) error {
	return o.createExternalLink(path, file, target, intermediate)
}

// SetLinkUTF8 records the character set of the name of the link at path
// (its last component), as H5Pset_char_encoding on the lcpl of the call
// that created, moved or copied it: cabi sets it after such a call. Links
// are ASCII until then (intermediate groups stay ASCII, as natively).
func (o *Object) SetLinkUTF8(path string, utf8 bool) error { return o.setLinkUTF8(path, utf8) }

// DeleteLink removes a link; an object whose refcount drops to 0 is deleted
// with its chunks at the next Flush.
func (o *Object) DeleteLink(path string) error { return o.deleteLink(path) }

// MoveLink and CopyLink are H5Lmove and H5Lcopy (dst relative to dstGroup).
func (o *Object) MoveLink(src string, dstGroup *Object, dst string) error {
	return o.moveOrCopy(src, dstGroup, dst, false)
}
func (o *Object) CopyLink(src string, dstGroup *Object, dst string) error {
	return o.moveOrCopy(src, dstGroup, dst, true)
}

// ---- attributes (any object) ----

func (o *Object) Attrs(order LinkOrder) []*Attr   { return o.attrList(order) }
func (o *Object) Attr(name string) (*Attr, error) { return o.attr(name) }
func (o *Object) CreateAttr(name string, t formats.Dtype, space domain.Space, acpl []byte) (*Attr, error) {
	return o.createAttr(name, AttrSpec{Type: t, Space: space, ACPL: acpl})
}

// AttrSpec is what H5Acreate2 decided; cabi fills it from the type, space
// and acpl.
type AttrSpec struct {
	Type    formats.Dtype
	TypeRef *Object // named datatype the attribute was created with, or nil
	Space   domain.Space
	UTF8    bool // the name is UTF-8 (H5Pset_char_encoding on the acpl)
	ACPL    []byte
}

// CreateAttrWith is CreateAttr with all of H5Acreate2's choices. An
// attribute created with a named datatype holds a reference to it, as a
// dataset does: the type's refcount counts it until the attribute, or the
// object carrying it, is deleted.
func (o *Object) CreateAttrWith(name string, spec AttrSpec) (*Attr, error) {
	return o.createAttr(name, spec)
}
func (o *Object) DeleteAttr(name string) error             { return o.deleteAttr(name) }
func (o *Object) RenameAttr(oldName, newName string) error { return o.renameAttr(oldName, newName) }

// Attr is an attribute; its value is read and written whole.
type Attr struct {
	o    *Object
	name string // follows RenameAttr
	gone bool   // deleted
}

func (a *Attr) Object() *Object                { return a.o }
func (a *Attr) Meta() domain.Attribute         { return a.meta() } // name, type, space, order (Value/Strings unset)
func (a *Attr) Read() []byte                   { return a.read() } // stored layout; nil if never written (fill = zeros)
func (a *Attr) Write(b []byte) error           { return a.write(b) }
func (a *Attr) ReadStrings() []*string         { return a.readStrings() } // variable-length string attributes
func (a *Attr) WriteStrings(s []*string) error { return a.writeStrings(s) }

// ---- datasets (o must be a dataset) ----

// Dataset returns the dataset's document (type, space, layout, fill).
func (o *Object) Dataset() domain.Dataset { return o.datasetDoc() }

// NamedType returns a committed datatype's document.
func (o *Object) NamedType() domain.NamedType { return o.namedTypeDoc() }

// Run is a stretch of Count elements starting at element Offset of the
// dataset's current extent in C (row-major) order.
type Run = chunks.Run

// Read fills dst with the elements of runs, in order, in the stored dtype's
// byte layout; elements of chunks never written read as the fill value.
// Chunks are fetched concurrently. len(dst) == total count * Type.Size.
func (o *Object) Read(runs []Run, dst []byte) error { return o.read(runs, dst) }

// Write stores src (laid out as Read's dst) at runs. Partial chunks are read,
// modified and written back; whole chunks are uploaded without a read. src is
// not retained after Write returns; uploads may finish later (write-behind),
// and their errors surface from the next Write, Flush or Close.
func (o *Object) Write(runs []Run, src []byte) error { return o.write(runs, src) }

// ReadVar and WriteVar are Read and Write for variable-length element types:
// one []byte per element (nil for a NULL string).
func (o *Object) ReadVar(runs []Run) ([][]byte, error)      { return o.readVar(runs) }
func (o *Object) WriteVar(runs []Run, elems [][]byte) error { return o.writeVar(runs, elems) }

// SetExtent changes the dims (H5Dset_extent): chunks wholly outside the new
// extent are deleted and the cut-off part of edge chunks reset to fill.
func (o *Object) SetExtent(dims []uint64) error { return o.setExtent(dims) }

// StorageSize is what H5Dget_storage_size reports natively, emulated from
// the chunk objects the dataset has in the store (after sending pending
// writes), since stored chunks are not the program's chunks:
//
//   - contiguous: the whole data size once any chunk object exists, else 0;
//   - compact, or Layout.EarlyAlloc without filters: the whole allocation
//     (for chunked: every chunk of the requested shape that meets the
//     extent), written or not, as natively;
//   - chunked without filters: the requested-shape chunks that meet the
//     extent inside each stored chunk object, times the requested chunk's
//     bytes (a stored chunk is a whole number of requested ones);
//   - with filters: the bytes of the chunk objects. This can differ from
//     native, which compresses each requested chunk on its own and
//     allocates fill chunks up front under EarlyAlloc.
//
// Variable-length elements count 16 bytes each (libhdf5's heap reference).
// After a shrinking then growing SetExtent the count can exceed native's:
// a stored chunk cut by the shrink keeps existing, with fill where native
// freed whole chunks.
func (o *Object) StorageSize() (uint64, error) { return o.storageSize() }

// BytesStored is the bytes of the dataset's chunk objects in the store
// (after sending pending writes): what the dataset really costs.
func (o *Object) BytesStored() (uint64, error) { return o.bytesStored() }

// Flush writes the dataset's dirty chunks and document.
func (o *Object) Flush() error { return o.flushDataset() }
