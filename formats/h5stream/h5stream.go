// Package h5stream writes a VOL-written file (formats/domain) out as one
// standard HDF5 file, by streaming: every address is computed up front from
// the documents and the sizes of the chunk objects, the metadata is written
// first, and the chunk objects follow byte for byte. Chunk objects already
// hold HDF5-encoded chunks (after the filter pipeline), so fixed-size data is
// never decoded; only variable-length data is read ahead, because its bytes
// move into global heap collections and its chunks are re-encoded.
//
// What is emitted, all readable by HDF5 1.8 and later: superblock version 2;
// version 2 object headers; groups in compact link storage (Link Info with
// creation order tracked, Group Info, one Link message per hard, soft or
// external link); dataspace version 2; datatype messages (integers, floats,
// bitfields, opaque, fixed and variable-length strings, variable-length
// sequences, compound, enum and array, version 3 where it matters); fill
// value version 3; filter pipeline version 2 with the stored parameters;
// layout version 3, chunked with a version 1 B-tree index (contiguous for
// scalars and null spaces); attributes in the object header (version 3);
// committed datatypes shared through version 3 shared messages.
package h5stream

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
)

// MaxVariableBytes bounds the variable-length data a plan reads ahead and
// holds in memory (heap collections and re-encoded chunks).
const MaxVariableBytes = 256 << 20

// maxChunks bounds the chunk index held in memory.
const maxChunks = 1 << 22

// Plan is a file laid out and ready to stream: the metadata in memory, then
// a list of pieces (chunk objects to copy, or bytes re-encoded in memory).
type Plan struct {
	store  formats.ObjectStore
	head   []byte
	pieces []piece
	size   int64
}

// piece is one run of file bytes after the metadata.
type piece struct {
	key  string // chunk object to copy, when data is nil
	size int64
	data []byte
}

// Size is the exact length of the stream WriteTo produces.
func (p *Plan) Size() int64 { return p.size }

// readAhead is how many chunk objects WriteTo fetches ahead of the one it
// writes: the store's latency overlaps, and memory stays at a few chunks.
const readAhead = 8

// WriteTo streams the file. A chunk object whose size differs from what the
// plan saw means the file changed since; the stream then stops with
// ErrChanged (the caller has already sent a Content-Length and must abort
// the response).
func (p *Plan) WriteTo(ctx context.Context, w io.Writer) error {
	if _, err := w.Write(p.head); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for r := range p.fetchAll(ctx) {
		data, err := r()
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// fetchAll yields the pieces' bytes in file order, each as a function that
// waits for it, fetching up to readAhead of them at once.
func (p *Plan) fetchAll(ctx context.Context) <-chan func() ([]byte, error) {
	out := make(chan func() ([]byte, error), readAhead)
	go func() {
		defer close(out)
		for _, pc := range p.pieces {
			type result struct {
				data []byte
				err  error
			}
			done := make(chan result, 1)
			if pc.data != nil {
				done <- result{data: pc.data}
			} else {
				go func() {
					data, err := p.fetch(ctx, pc)
					done <- result{data, err}
				}()
			}
			wait := func() ([]byte, error) { r := <-done; return r.data, r.err }
			select {
			case out <- wait:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// fetch reads one chunk object and checks it is the one planned.
func (p *Plan) fetch(ctx context.Context, pc piece) ([]byte, error) {
	data, err := p.store.Get(ctx, pc.key)
	if err != nil {
		return nil, fmt.Errorf("h5stream: reading chunk %s: %w", pc.key, err)
	}
	if int64(len(data)) != pc.size {
		return nil, fmt.Errorf("%w: chunk %s is %d bytes, planned %d", ErrChanged, pc.key, len(data), pc.size)
	}
	return data, nil
}

// objRef names one object of the file.
type objRef struct {
	kind domain.Kind
	id   uint64
}

// NewPlan lays out f. It lists the file's chunk objects to learn their
// sizes and reads the chunks of variable-length datasets (and scalars).
func NewPlan(ctx context.Context, f *domain.File, store formats.ObjectStore) (*Plan, error) {
	if f == nil {
		return nil, fmt.Errorf("%w: no file", ErrDocument)
	}
	if err := f.Manifest.Check(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDocument, err)
	}
	if f.Groups[f.Manifest.Root] == nil {
		return nil, fmt.Errorf("%w: root group %d has no document", ErrDocument, f.Manifest.Root)
	}
	b := &builder{f: f, store: store, heap: heap{limit: MaxVariableBytes}}
	if err := b.collect(ctx); err != nil {
		return nil, err
	}
	return b.layOut()
}

// builder carries the state of one NewPlan.
type builder struct {
	f     *domain.File
	store formats.ObjectStore
	order []objRef
	refs  map[objRef]int // hard links and uses of each object
	dsets map[uint64]*dsPlan
	heap  heap
	attrs map[objRef][][]heapRef // heap refs of variable-length attributes, by attribute index
	inMem int

	hdrAddr  map[objRef]uint64
	collAddr []uint64
}

func (b *builder) collect(ctx context.Context) error {
	f := b.f
	b.order = append(b.order, objRef{domain.KindGroup, f.Manifest.Root})
	for _, id := range slices.Sorted(maps.Keys(f.Groups)) {
		if id != f.Manifest.Root {
			b.order = append(b.order, objRef{domain.KindGroup, id})
		}
	}
	datasets := slices.Sorted(maps.Keys(f.Datasets))
	for _, id := range datasets {
		b.order = append(b.order, objRef{domain.KindDataset, id})
	}
	for _, id := range slices.Sorted(maps.Keys(f.Types)) {
		b.order = append(b.order, objRef{domain.KindNamedType, id})
	}
	if err := b.countRefs(); err != nil {
		return err
	}
	listed, err := b.listChunks(ctx)
	if err != nil {
		return err
	}
	// countRefs has made sure every object in b.order has a document.
	b.dsets = make(map[uint64]*dsPlan, len(f.Datasets))
	for _, id := range datasets {
		dp, err := b.planDataset(ctx, f.Datasets[id], listed[id])
		if err != nil {
			return fmt.Errorf("dataset %d: %w", id, err)
		}
		b.dsets[id] = dp
	}
	b.attrs = make(map[objRef][][]heapRef)
	for _, o := range b.order {
		refs, err := b.attrHeapRefs(b.header(o).Attributes)
		if err != nil {
			return fmt.Errorf("%s %d: %w", o.kind, o.id, err)
		}
		b.attrs[o] = refs
	}
	return nil
}

func (b *builder) header(o objRef) *domain.Header {
	switch o.kind {
	case domain.KindGroup:
		if g := b.f.Groups[o.id]; g != nil {
			return &g.Header
		}
	case domain.KindDataset:
		if d := b.f.Datasets[o.id]; d != nil {
			return &d.Header
		}
	case domain.KindNamedType:
		if t := b.f.Types[o.id]; t != nil {
			return &t.Header
		}
	}
	return nil
}

// countRefs checks every hard link and type reference and counts them, as
// the object headers' reference counts.
func (b *builder) countRefs() error {
	b.refs = make(map[objRef]int)
	typeRef := func(id uint64) error {
		if id == 0 {
			return nil
		}
		if b.f.Types[id] == nil {
			return fmt.Errorf("%w: named datatype %d has no document", ErrDocument, id)
		}
		b.refs[objRef{domain.KindNamedType, id}]++
		return nil
	}
	for _, o := range b.order {
		hdr := b.header(o)
		if hdr == nil {
			return fmt.Errorf("%w: %s %d has no document", ErrDocument, o.kind, o.id)
		}
		for _, a := range hdr.Attributes {
			if err := typeRef(a.TypeRef); err != nil {
				return err
			}
		}
		switch o.kind {
		case domain.KindGroup:
			for _, l := range b.f.Groups[o.id].Links {
				if l.Kind != domain.LinkHard {
					continue
				}
				t := objRef{l.TargetKind, l.Target}
				if b.header(t) == nil {
					return fmt.Errorf("%w: link %q targets %s %d, which has no document", ErrDocument, l.Name, l.TargetKind, l.Target)
				}
				b.refs[t]++
			}
		case domain.KindDataset:
			if err := typeRef(b.f.Datasets[o.id].TypeRef); err != nil {
				return err
			}
		}
	}
	return nil
}

// listedChunk is one chunk object found by listing.
type listedChunk struct {
	key   string
	index []uint64
	size  int64
}

// listChunks lists NAME/d/ once and groups the chunk objects by dataset.
func (b *builder) listChunks(ctx context.Context) (map[uint64][]listedChunk, error) {
	infos, err := b.store.List(ctx, domain.Prefix(b.f.Name)+"d/")
	if err != nil {
		return nil, fmt.Errorf("h5stream: listing chunks: %w", err)
	}
	if len(infos) > maxChunks {
		return nil, fmt.Errorf("%w: %d chunk objects, at most %d", ErrLimit, len(infos), maxChunks)
	}
	out := make(map[uint64][]listedChunk)
	for _, info := range infos {
		name, id, index, err := domain.ParseChunkKey(info.Name)
		if err != nil || name != b.f.Name {
			continue // a document, or not ours
		}
		out[id] = append(out[id], listedChunk{key: info.Name, index: index, size: info.Size})
	}
	return out, nil
}

func cmpIndex(a, b listedChunk) int {
	return slices.Compare(a.index, b.index)
}
