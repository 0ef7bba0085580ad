package volfile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
	"github.com/sciswift/sciswift/formats/filter"
)

// memStore is an ObjectStore of objects in memory; every key under
// chunkPrefix answers with the same chunk.
type memStore struct {
	objects     map[string][]byte
	chunkPrefix string
	chunk       []byte
}

func (s *memStore) Get(_ context.Context, name string) ([]byte, error) {
	if b, ok := s.objects[name]; ok {
		return b, nil
	}
	if s.chunk != nil && strings.HasPrefix(name, s.chunkPrefix) {
		return s.chunk, nil
	}
	return nil, fmt.Errorf("%s: %w", name, formats.ErrNotFound)
}

func (s *memStore) Open(context.Context, string) (formats.Object, error) {
	return nil, errors.ErrUnsupported
}

func (s *memStore) List(context.Context, string) ([]formats.ObjectInfo, error) {
	return nil, errors.ErrUnsupported
}

// FuzzLoad feeds a manifest, a root group, a dataset and its chunks as the
// store could hold them, then describes the file and reads a corner of
// every dataset: errors must wrap a formats sentinel, nothing may panic.
func FuzzLoad(f *testing.F) {
	manifest := `{"format":"hdf5-vol","version":1,"root":1,"next_id":3}`
	group := `{"id":1,"kind":"group","refcount":1,"attributes":[{"name":"t","type":{"class":"string","size":0,"variable":true},"space":{"class":"scalar"},"order":0,"strings":["x"]}],` +
		`"links":[{"name":"d","kind":"hard","target":2,"target_kind":"dataset"},{"name":"s","kind":"soft","path":"/d"},{"name":"loop","kind":"hard","target":1,"target_kind":"group"}]}`
	dataset := `{"id":2,"kind":"dataset","refcount":1,"type":{"class":"integer","size":2,"order":"le","signed":true},` +
		`"space":{"class":"simple","dims":[5,3]},"layout":{"class":"chunked","chunks":[2,2],"stored_chunks":[2,2]},"fill":"AQI=",` +
		`"attributes":[{"name":"a","type":{"class":"float","size":8,"order":"le"},"space":{"class":"simple","dims":[1]},"order":0,"value":"AAAAAAAA8D8="}]}`
	f.Add([]byte(manifest), []byte(group), []byte(dataset), []byte("\x01\x00\x02\x00\x03\x00\x04\x00"))
	f.Add([]byte(manifest), []byte(group), []byte(`{"id":2,"kind":"dataset","type":{"class":"string","variable":true},"space":{"class":"simple","dims":[4]},"layout":{"class":"chunked","stored_chunks":[4],"filters":[{"id":1,"params":[6]}]}}`),
		encodeChunk(f, []domain.Filter{{ID: 1, Params: []uint32{6}}}, [][]byte{[]byte("a"), nil, {}, []byte("dd")}))
	f.Add([]byte(manifest), []byte(group), []byte(`{"id":2,"kind":"dataset","type":{"class":"compound","size":12,"members":[{"name":"a","offset":0,"type":{"class":"integer","size":4}},{"name":"b","offset":4,"type":{"class":"array","size":8,"dims":[2],"base":{"class":"float","size":4}}}]},"space":{"class":"scalar"},"layout":{"class":"contiguous","stored_chunks":[]}}`),
		make([]byte, 12))
	f.Add([]byte(manifest), []byte(group), []byte(`{"id":2,"kind":"dataset","type":{"class":"vlen","base":{"class":"integer","size":4}},"space":{"class":"simple","dims":[2],"max_dims":[18446744073709551615]},"layout":{"class":"chunked","stored_chunks":[2],"filters":[{"id":2},{"id":3}]}}`),
		encodeChunk(f, []domain.Filter{{ID: 2}, {ID: 3}}, [][]byte{[]byte("abcd"), nil}))
	f.Fuzz(func(t *testing.T, manifest, group, dataset, chunk []byte) {
		store := &memStore{objects: map[string][]byte{
			"f":          manifest,
			"f/g/1.json": group,
			"f/d/2.json": dataset,
		}, chunkPrefix: "f/d/2/", chunk: chunk}
		ctx := context.Background()
		doc, err := Load(ctx, store, "f")
		if err != nil {
			mustWrapSentinel(t, err)
			return
		}
		file, err := FromDomain(doc, store)
		if err != nil {
			mustWrapSentinel(t, err)
			return
		}
		file.maxChunk = 1 << 16
		if tree := file.Tree(); tree == nil || tree.Root == nil || tree.Root.Path != "/" {
			t.Fatalf("tree %+v", tree)
		}
		for path, ds := range file.datasets {
			sel := make(formats.Selection, len(ds.model.Shape))
			for i, n := range ds.model.Shape {
				sel[i] = formats.Range{Start: 0, Stop: min(n, 3), Step: 1}
			}
			arr, err := file.Read(ctx, path, sel)
			if err != nil {
				mustWrapSentinel(t, err)
				continue
			}
			if err := arr.Check(); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		}
	})
}

// encodeChunk is a variable-length chunk as the connector stores it.
func encodeChunk(f *testing.F, filters []domain.Filter, vals [][]byte) []byte {
	raw, err := domain.EncodeVarChunk(vals)
	if err != nil {
		f.Fatal(err)
	}
	stored, err := filter.Encode(filters, 1, raw)
	if err != nil {
		f.Fatal(err)
	}
	return stored
}

func mustWrapSentinel(t *testing.T, err error) {
	t.Helper()
	for _, s := range []error{formats.ErrUnrecognized, formats.ErrCorrupt, formats.ErrUnsupported, formats.ErrLimit, formats.ErrNotFound, formats.ErrSelection} {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("error wraps no formats sentinel: %v", err)
}

// The dataset model of a file that refers to documents Load never saw is
// refused, not dereferenced.
func TestFromDomainChecksReferences(t *testing.T) {
	f := &domain.File{Name: "f", Manifest: domain.Manifest{Format: domain.FormatName, Version: 1, Root: 1},
		Groups: map[uint64]*domain.Group{1: {Header: domain.Header{ID: 1, Kind: domain.KindGroup},
			Links: []domain.Link{{Name: "x", Kind: domain.LinkHard, Target: 7, TargetKind: domain.KindDataset}}}}}
	if _, err := FromDomain(f, &memStore{}); !errors.Is(err, formats.ErrCorrupt) {
		t.Errorf("dangling hard link: %v", err)
	}
	f.Manifest.Root = 2
	if _, err := FromDomain(f, &memStore{}); !errors.Is(err, formats.ErrCorrupt) {
		t.Errorf("no root group: %v", err)
	}
}
