package vol

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/chunks"
	"github.com/sciswift/sciswift/formats/domain"
)

// An uploaded .h5, .fits or .parquet object is not stored as chunk objects:
// the server describes it (?describe) and slices it (?dataset=&select=).
// Opened through the connector it becomes an in-memory, read-only domain:
// documents synthesised from the description, each stored chunk fetched as
// the select= box it covers. Everything else (paths, links, attributes,
// the chunk cache, parallel fetches) is the code VOL-written files use.

// uploadedFile is what a File made from a description keeps.
type uploadedFile struct {
	format string            // "hdf5", "parquet" or "fits"
	paths  map[uint64]string // dataset id -> its path in the object
}

// errPlainObject marks a name that exists but is no VOL-written file's
// manifest: it may be an uploaded file to describe.
var errPlainObject = errors.New("no manifest header")

// readOnlyErr is the sentence every change to an uploaded file gets.
func readOnlyErr(name, format string) error {
	return fmt.Errorf("%s is an uploaded %s file, read-only through sciswift: %w", name, format, ErrReadOnly)
}

// notScientific is the sentence for an object that is neither kind of file.
func notScientific(name string, detail string) error {
	msg := fmt.Sprintf("%s is not an HDF5, Parquet or FITS file, nor one written by sciswift", name)
	if detail != "" {
		msg += " (" + detail + ")"
	}
	return fmt.Errorf("%s: %w", msg, ErrNotHDF5)
}

// maxDescription bounds a ?describe answer held in memory.
const maxDescription = 256 << 20

// describeObject asks the server for an object's dataset tree. An object in
// no format the server knows (415) is ErrNotHDF5 with the sentence users
// see.
func describeObject(ctx context.Context, sess *session, container, object, name string) (*formats.Tree, time.Time, error) {
	resp, err := sess.do(ctx, request{method: http.MethodGet, container: container, object: object, query: url.Values{"describe": {""}}})
	if err != nil {
		if statusOf(err) == http.StatusUnsupportedMediaType {
			var se *storeError
			errors.As(err, &se)
			return nil, time.Time{}, notScientific(name, se.detail)
		}
		return nil, time.Time{}, fmt.Errorf("describing %s: %w", name, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxDescription+1))
	if err != nil {
		return nil, time.Time{}, &storeError{op: http.MethodGet, path: container + "/" + object + "?describe", detail: "reading body: " + err.Error(), sentinel: ErrUnreachable}
	}
	if len(data) > maxDescription {
		return nil, time.Time{}, fmt.Errorf("%w: the description of %s exceeds %d bytes", ErrUnsupported, name, maxDescription)
	}
	tree, err := parseTree(data)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("describing %s: %w", name, err)
	}
	mtime, _ := http.ParseTime(resp.Header.Get("Last-Modified"))
	return tree, mtime, nil
}

// parseTree decodes a ?describe answer, numbers kept exact.
func parseTree(data []byte) (*formats.Tree, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var t formats.Tree
	if err := d.Decode(&t); err != nil {
		return nil, fmt.Errorf("%w: bad description: %v", ErrStore, err)
	}
	if t.Root == nil {
		return nil, fmt.Errorf("%w: description without a root group", ErrStore)
	}
	return &t, nil
}

// refuseUploaded is the error for changing the object at t when it is not
// a VOL-written file: the read-only sentence for an uploaded file, nil when
// there is no object or it is a VOL-written file.
func refuseUploaded(ctx context.Context, t *target) error {
	hdr, err := t.sess.head(ctx, t.container, t.path)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil
	case err != nil:
		return err
	case hdr.Get(headerFormat) == domain.FormatName:
		return nil
	}
	return refusePlainObject(ctx, t)
}

// refusePlainObject is the error for changing the object at t, known to
// exist and not to be a VOL-written file: the read-only sentence for an
// uploaded file, or why it is not one.
func refusePlainObject(ctx context.Context, t *target) error {
	tree, _, err := describeObject(ctx, t.sess, t.container, t.path, t.name)
	if err != nil {
		return err
	}
	return readOnlyErr(t.name, tree.Format)
}

// openUploaded opens an uploaded file read-only from its description.
func (c *Connector) openUploaded(ctx context.Context, t *target) (*File, error) {
	tree, mtime, err := describeObject(ctx, t.sess, t.container, t.path, t.name)
	if err != nil {
		return nil, err
	}
	f := newFile(c, t, false)
	f.uploaded = &uploadedFile{format: tree.Format, paths: map[uint64]string{}}
	b := &treeBuilder{f: f, mtime: mtime.Unix(), next: 1}
	f.root = b.group(tree.Root)
	f.manifest = domain.Manifest{Format: tree.Format, Version: domain.Version, Root: f.root.id, NextID: b.next, Created: b.mtime}
	return f, nil
}

// treeBuilder turns a description into documents, ids in walk order.
type treeBuilder struct {
	f     *File
	mtime int64
	next  uint64
}

func (b *treeBuilder) header(kind domain.Kind, attrs []formats.Attribute) domain.Header {
	h := domain.Header{ID: b.next, Kind: kind, Refcount: 1, Created: b.mtime, Modified: b.mtime}
	b.next++
	for _, a := range attrs {
		if slices.ContainsFunc(h.Attributes, func(x domain.Attribute) bool { return x.Name == a.Name }) || a.Name == "" {
			continue
		}
		da := attributeDoc(a)
		da.Order = int64(len(h.Attributes))
		h.Attributes = append(h.Attributes, da)
	}
	h.NextAttrOrder = int64(len(h.Attributes))
	return h
}

// group makes the documents of g and everything under it.
func (b *treeBuilder) group(g *formats.Group) *Object {
	doc := &domain.Group{Header: b.header(domain.KindGroup, g.Attributes), Links: []domain.Link{}}
	o := b.f.adopt(newGroupObject(b.f, doc))
	var skipped []string
	link := func(p string, target *Object) {
		doc.Links = append(doc.Links, domain.Link{Name: path.Base(p), Kind: domain.LinkHard, Order: doc.NextLinkOrder, Target: target.id, TargetKind: target.kind})
		doc.NextLinkOrder++
	}
	usable := func(p string) bool {
		name := path.Base(p)
		if checkLinkName(name) != nil || name == ".." || path.Join(g.Path, name) != p || slices.ContainsFunc(doc.Links, func(l domain.Link) bool { return l.Name == name }) {
			skipped = append(skipped, fmt.Sprintf("%q: not a name in %q, or taken", p, g.Path))
			return false
		}
		return true
	}
	for _, sub := range g.Groups {
		if sub != nil && usable(sub.Path) {
			link(sub.Path, b.group(sub))
		}
	}
	for _, d := range g.Datasets {
		if d == nil || !usable(d.Path) {
			continue
		}
		ds, err := b.dataset(d)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s: %v", d.Path, err))
			continue
		}
		link(d.Path, ds)
	}
	if len(skipped) > 0 {
		doc.Attributes = append(doc.Attributes, stringsAttr("sciswift:vol_skipped", skipped, int64(len(doc.Attributes))))
		doc.NextAttrOrder = int64(len(doc.Attributes))
	}
	return o
}

// dataset makes a dataset document. Its type is what ?format=raw returns
// (little-endian); its chunk shape is the stored-chunk policy's over the
// described chunks, kept under the size one select= may ask for.
func (b *treeBuilder) dataset(d *formats.Dataset) (*Object, error) {
	t := d.Type.WithOrder(formats.LittleEndian)
	if err := checkDtype(t); err != nil {
		return nil, err
	}
	space := domain.Space{Class: "scalar"}
	var layout domain.Layout
	if len(d.Shape) > 0 {
		space = domain.Space{Class: "simple", Dims: slices.Clone(d.Shape)}
		layout = uploadedLayout(d, t)
	} else {
		layout.Class = "contiguous"
	}
	if err := checkSpace(space); err != nil {
		return nil, err
	}
	doc := &domain.Dataset{Header: b.header(domain.KindDataset, d.Attributes), Type: t, Space: space, Layout: layout}
	if err := checkDataset(doc); err != nil {
		b.next-- // the id goes back: nothing was made
		return nil, err
	}
	o := b.f.adopt(newDatasetObject(b.f, doc))
	b.f.uploaded.paths[o.id] = d.Path
	return o, nil
}

// uploadedLayout is the layout of a described dataset of rank > 0.
func uploadedLayout(d *formats.Dataset, t formats.Dtype) domain.Layout {
	size := t.Size
	if t.IsVariable() {
		size = varElemEstimate
	}
	l := domain.Layout{Class: "contiguous"}
	if len(d.Chunks) == len(d.Shape) && !slices.Contains(d.Chunks, 0) {
		l.Class, l.Chunks = "chunked", slices.Clone(d.Chunks)
		l.StoredChunks = chunks.StoredChunkShape(l.Class, d.Shape, nil, l.Chunks, size)
	}
	if l.Class != "chunked" || boxBytes(l.StoredChunks, size) > chunks.MaxChunkBytes {
		// Contiguous data, or native chunks (a Parquet row group) too big
		// for one request.
		l.StoredChunks = rowBlocks(d.Shape, size)
	}
	for i, c := range l.StoredChunks {
		if c == 0 { // an empty dimension: any chunk will do
			l.StoredChunks[i] = 1
		}
	}
	return l
}

// rowBlocks is the chunk shape for data stored contiguously in the
// uploaded object: whole rows (trailing dimensions kept whole as long as
// possible), at most chunks.MaxChunkBytes. Unlike the policy for
// VOL-written files, which halves dimensions in turn, this keeps each box
// one contiguous byte range of a FITS image or contiguous HDF5 dataset:
// one read on the server, where a square box would cost one per row.
func rowBlocks(dims []uint64, size int) []uint64 {
	c := slices.Clone(dims)
	for i := range c {
		for c[i] > 1 && boxBytes(c, size) > chunks.MaxChunkBytes {
			c[i] = (c[i] + 1) / 2
		}
	}
	return c
}

func boxBytes(shape []uint64, size int) uint64 {
	n := uint64(size)
	for _, x := range shape {
		n = mulSat(n, x)
	}
	return n
}

// attributeDoc converts a described attribute. A value this package cannot
// lay out in its type is kept as a string attribute holding its JSON text:
// shown, never dropped.
func attributeDoc(a formats.Attribute) domain.Attribute {
	da, err := typedAttribute(a)
	if err == nil {
		return da
	}
	text, jerr := json.Marshal(a.Value)
	if jerr != nil {
		text = []byte(fmt.Sprint(a.Value))
	}
	s := string(text)
	return domain.Attribute{Name: a.Name, Type: utf8VarString(), Space: domain.Space{Class: "scalar"}, Strings: []*string{&s}}
}

func typedAttribute(a formats.Attribute) (domain.Attribute, error) {
	da := domain.Attribute{Name: a.Name, Type: a.Type, Space: domain.Space{Class: "scalar"}}
	if len(a.Shape) > 0 {
		da.Space = domain.Space{Class: "simple", Dims: slices.Clone(a.Shape)}
	}
	if err := checkDtype(a.Type); err != nil {
		return da, err
	}
	if err := checkSpace(da.Space); err != nil {
		return da, err
	}
	n, _ := spaceElems(da.Space)
	if n > maxAttrElems || n*uint64(max(a.Type.Size, 1)) > maxAttrBytes {
		return da, fmt.Errorf("%w: attribute of %d elements", ErrUnsupported, n)
	}
	elems, err := flattenJSON(a.Value, len(a.Shape), nil)
	if err != nil && n == 1 {
		elems, err = []any{a.Value}, nil // a one-element array given as its element
	}
	if err != nil {
		return da, err
	}
	if uint64(len(elems)) != n {
		return da, fmt.Errorf("%w: %d values for %d elements", ErrInvalid, len(elems), n)
	}
	switch {
	case a.Type.Class == formats.ClassString && a.Type.Variable:
		da.Strings = make([]*string, n)
		for i, e := range elems {
			switch s := e.(type) {
			case nil:
			case string:
				da.Strings[i] = &s
			default:
				return da, fmt.Errorf("%w: string expected, got %s", ErrInvalid, jsonKind(e))
			}
		}
	case a.Type.IsVariable():
		return da, fmt.Errorf("%w: variable-length sequence attributes", ErrUnsupported)
	default:
		size := a.Type.Size
		da.Value = make([]byte, int(n)*size)
		for i, e := range elems {
			if err := encodeElem(&a.Type, e, da.Value[i*size:(i+1)*size]); err != nil {
				return da, err
			}
		}
	}
	return da, nil
}

// An attribute bigger than these is kept as its JSON text.
const (
	maxAttrElems = 1 << 24
	maxAttrBytes = 64 << 20
)

func utf8VarString() formats.Dtype {
	return formats.Dtype{Class: formats.ClassString, Variable: true, Charset: formats.CharsetUTF8, Padding: formats.PadNullTerm}
}

func stringsAttr(name string, values []string, order int64) domain.Attribute {
	ss := make([]*string, len(values))
	for i := range values {
		ss[i] = &values[i]
	}
	return domain.Attribute{Name: name, Type: utf8VarString(), Space: domain.Space{Class: "simple", Dims: []uint64{uint64(len(values))}}, Strings: ss, Order: order}
}

// ---- chunks as select= boxes ----

// selectBox is the select= expression of the chunk at index, cut to the
// extent; "" for a scalar.
func selectBox(g chunks.Grid, index []uint64) (string, []uint64) {
	if len(g.Dims) == 0 {
		return "", nil
	}
	start, ext := g.ChunkStart(index), g.ChunkExtent(index)
	var sb strings.Builder
	sb.WriteByte('[')
	for i := range start {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strconv.FormatUint(start[i], 10))
		sb.WriteByte(':')
		sb.WriteString(strconv.FormatUint(start[i]+ext[i], 10))
	}
	sb.WriteByte(']')
	return sb.String(), ext
}

// getSlice asks for one box of a dataset of an uploaded file.
func (ds *dsIO) getSlice(ctx context.Context, index []uint64, format string) (*http.Response, []uint64, error) {
	f := ds.o.f
	sel, ext := selectBox(ds.grid, index)
	q := url.Values{"dataset": {f.uploaded.paths[ds.o.id]}, "format": {format}}
	if sel != "" {
		q.Set("select", sel)
	}
	resp, err := f.sess.do(ctx, request{method: http.MethodGet, container: f.container, object: f.path, query: q})
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s of %s: %w", f.uploaded.paths[ds.o.id], f.name, err)
	}
	return resp, ext, nil
}

// readUploadedChunk fills dst, a whole stored chunk of a fixed-size
// type, from the server; the part outside the extent reads as fill.
func (ds *dsIO) readUploadedChunk(ctx context.Context, index []uint64, dst []byte) error {
	resp, ext, err := ds.getSlice(ctx, index, "raw")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	want := boxBytes(ext, ds.elem)
	what := fmt.Sprintf("%s of %s, box %v", ds.o.f.uploaded.paths[ds.o.id], ds.o.f.name, ext)
	if got := resp.Header.Get("X-Sciswift-Shape"); got != "" && got != joinDims(ext) && !arrayShape(got, ext) {
		return fmt.Errorf("%w: %s: the server answered shape %q", ErrStore, what, got)
	}
	whole := want == uint64(len(dst))
	buf := dst
	if !whole {
		buf = make([]byte, want)
	}
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		return fmt.Errorf("%w: %s: %d bytes expected: %v", ErrStore, what, want, err)
	}
	if n, _ := resp.Body.Read(make([]byte, 1)); n > 0 {
		return fmt.Errorf("%w: %s: more than the %d bytes expected", ErrStore, what, want)
	}
	if !whole {
		ds.fillInto(dst)
		scatterBox(ds.grid.Chunk, ext, func(chunkOff, boxOff, n uint64) {
			size := uint64(ds.elem)
			copy(dst[chunkOff*size:(chunkOff+n)*size], buf[boxOff*size:(boxOff+n)*size])
		})
	}
	return nil
}

// readUploadedVarChunk is readUploadedChunk for variable-length elements,
// read as JSON (raw cannot carry them): one value per element of the
// full chunk, nil for null and outside the extent.
func (ds *dsIO) readUploadedVarChunk(ctx context.Context, index []uint64) ([][]byte, error) {
	resp, ext, err := ds.getSlice(ctx, index, "json")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	what := fmt.Sprintf("%s of %s, box %v", ds.o.f.uploaded.paths[ds.o.id], ds.o.f.name, ext)
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxVarChunk+1))
	if err != nil || len(data) > maxVarChunk {
		return nil, fmt.Errorf("%w: %s: reading the answer: %v", ErrStore, what, err)
	}
	box, err := decodeVarBox(data, &ds.o.dset.Type, ext)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	vals := make([][]byte, ds.grid.ChunkElems())
	scatterBox(ds.grid.Chunk, ext, func(chunkOff, boxOff, n uint64) {
		copy(vals[chunkOff:chunkOff+n], box[boxOff:boxOff+n])
	})
	return vals, nil
}

// decodeVarBox parses the JSON of a box of shape ext of variable-length
// elements of type t: one value per element in C order, nil for null.
func decodeVarBox(data []byte, t *formats.Dtype, ext []uint64) ([][]byte, error) {
	v, err := decodeJSONValue(data)
	if err != nil {
		return nil, fmt.Errorf("%w: bad JSON: %v", ErrStore, err)
	}
	elems, err := flattenJSON(v, len(ext), nil)
	if err != nil {
		return nil, err
	}
	if n := boxElems(ext); uint64(len(elems)) != n {
		return nil, fmt.Errorf("%w: %d values for %d elements", ErrStore, len(elems), n)
	}
	box := make([][]byte, len(elems))
	for i, e := range elems {
		if box[i], err = encodeVarElem(t, e); err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
	}
	return box, nil
}

func boxElems(ext []uint64) uint64 {
	n := uint64(1)
	for _, x := range ext {
		n *= x
	}
	return n
}

// scatterBox calls put for each row of a box of shape ext placed at the
// origin of a chunk of shape c (both row-major): the row's element offset
// in the chunk, in the box, and its length.
func scatterBox(c, ext []uint64, put func(chunkOff, boxOff, n uint64)) {
	rank := len(c)
	if rank == 0 {
		put(0, 0, 1)
		return
	}
	if slices.Contains(ext, 0) {
		return
	}
	row := ext[rank-1]
	var boxOff uint64
	forEachIndex(ext[:rank-1], func(idx []uint64) {
		var off uint64
		for i, x := range idx {
			off = off*c[i] + x
		}
		off *= c[rank-1]
		put(off, boxOff, row)
		boxOff += row
	})
}

func joinDims(d []uint64) string {
	s := make([]string, len(d))
	for i, x := range d {
		s[i] = strconv.FormatUint(x, 10)
	}
	return strings.Join(s, ",")
}

// arrayShape accepts the shape raw gives a dataset of array-typed
// elements: the box followed by the array's own dimensions.
func arrayShape(got string, ext []uint64) bool {
	return strings.HasPrefix(got, joinDims(ext)+",") || (len(ext) == 0 && got != "")
}

// getUploaded fills a new entry from the server (a fetch goroutine).
func (ds *dsIO) getUploaded(ctx context.Context, e *entry) (*entry, error) {
	if ds.variable {
		vals, err := ds.readUploadedVarChunk(ctx, e.index)
		if err != nil {
			return nil, err
		}
		e.vals, e.size = vals, varSize(vals)
		return e, nil
	}
	buf := ds.newBuf()
	if err := ds.readUploadedChunk(ctx, e.index, buf.b); err != nil {
		buf.release()
		return nil, err
	}
	e.buf, e.size = buf, int64(len(buf.b))
	return e, nil
}
