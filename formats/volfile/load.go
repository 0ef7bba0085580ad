package volfile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/formats/domain"
)

// Load reads the manifest of the file name and every document reachable
// from its root group (through hard links, and through the named-type
// references of datasets and attributes), checks each of them, and returns
// them. Documents nothing reaches (HDF5 has no path to them either) are not
// read. Errors about the file's contents wrap ErrNotVOL, ErrCorrupt,
// ErrUnsupported or ErrLimit; errors of the store are returned wrapped as
// they are.
func Load(ctx context.Context, store formats.ObjectStore, name string) (*domain.File, error) {
	data, err := store.Get(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("hdf5-vol: manifest %s: %w", name, err)
	}
	m, err := parseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	l := &loader{store: store, f: &domain.File{
		Name: name, Manifest: m,
		Groups:   map[uint64]*domain.Group{},
		Datasets: map[uint64]*domain.Dataset{},
		Types:    map[uint64]*domain.NamedType{},
	}, kinds: map[uint64]domain.Kind{}}
	if err := l.walk(ctx, docRef{domain.KindGroup, m.Root}); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return l.f, nil
}

// parseManifest tells a manifest of a newer layout (unsupported) from one
// that is broken and from something that is no manifest at all.
func parseManifest(data []byte) (domain.Manifest, error) {
	var m domain.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("%w: manifest: %v", ErrNotVOL, err)
	}
	if m.Format != domain.FormatName {
		return m, fmt.Errorf("%w: manifest of format %q", ErrNotVOL, m.Format)
	}
	if m.Version > domain.Version {
		return m, fmt.Errorf("%w: layout version %d (this reader knows %d)", ErrUnsupported, m.Version, domain.Version)
	}
	if err := m.Check(); err != nil {
		return m, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return m, nil
}

// docRef names a document: its kind gives its key.
type docRef struct {
	kind domain.Kind
	id   uint64
}

// loader fetches documents level by level from the root, a few at a time.
type loader struct {
	store formats.ObjectStore
	f     *domain.File
	kinds map[uint64]domain.Kind // every id asked for, with the kind it was asked as
}

// walk fetches start and everything it reaches.
func (l *loader) walk(ctx context.Context, start docRef) error {
	l.kinds[start.id] = start.kind
	level := []docRef{start}
	for len(level) > 0 {
		docs, err := l.fetch(ctx, level)
		if err != nil {
			return err
		}
		var next []docRef
		for i, ref := range level {
			refs, err := l.add(ref, docs[i])
			if err != nil {
				return err
			}
			for _, r := range refs {
				seen, ok := l.kinds[r.id]
				if ok && seen != r.kind {
					return fmt.Errorf("%w: object %d is referred to as a %s and as a %s", ErrCorrupt, r.id, seen, r.kind)
				}
				if !ok {
					if len(l.kinds) >= maxObjects {
						return fmt.Errorf("%w: more than %d objects", ErrLimit, maxObjects)
					}
					l.kinds[r.id] = r.kind
					next = append(next, r)
				}
			}
		}
		level = next
	}
	return nil
}

// fetch gets the documents of refs, at most fetchParallel at once; a missing
// document is corruption (something refers to it).
func (l *loader) fetch(ctx context.Context, refs []docRef) ([][]byte, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make([][]byte, len(refs))
	errs := make([]error, len(refs))
	sem := make(chan struct{}, fetchParallel)
	var wg sync.WaitGroup
	for i, r := range refs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			key := domain.DocKey(l.f.Name, r.kind, r.id)
			data, err := l.store.Get(ctx, key)
			switch {
			case errors.Is(err, formats.ErrNotFound):
				errs[i] = fmt.Errorf("%w: %s %d is referred to but %s does not exist", ErrCorrupt, r.kind, r.id, key)
			case err != nil:
				errs[i] = fmt.Errorf("hdf5-vol: %s: %w", key, err)
			}
			if errs[i] != nil {
				cancel()
			}
			out[i] = data
		}()
	}
	wg.Wait()
	return out, firstError(errs)
}

// firstError is the first error that is not the cancellation it caused in
// the others.
func firstError(errs []error) error {
	var canceled error
	for _, err := range errs {
		switch {
		case err == nil:
		case errors.Is(err, context.Canceled):
			if canceled == nil {
				canceled = err
			}
		default:
			return err
		}
	}
	return canceled
}

// add parses and checks one document, keeps it, and returns what it refers
// to.
func (l *loader) add(ref docRef, data []byte) ([]docRef, error) {
	switch ref.kind {
	case domain.KindGroup:
		g, err := parseGroup(ref.id, data)
		if err != nil {
			return nil, err
		}
		l.f.Groups[ref.id] = g
		return groupRefs(g), nil
	case domain.KindDataset:
		d, err := parseDataset(ref.id, data)
		if err != nil {
			return nil, err
		}
		l.f.Datasets[ref.id] = d
		return datasetRefs(d), nil
	case domain.KindNamedType:
		t, err := parseNamedType(ref.id, data)
		if err != nil {
			return nil, err
		}
		l.f.Types[ref.id] = t
		return attrRefs(t.Attributes), nil
	}
	return nil, fmt.Errorf("%w: object %d of kind %q", ErrCorrupt, ref.id, ref.kind)
}

// groupRefs is what a group refers to: its hard links' targets and its
// attributes' named types.
func groupRefs(g *domain.Group) []docRef {
	refs := attrRefs(g.Attributes)
	for _, l := range g.Links {
		if l.Kind == domain.LinkHard {
			refs = append(refs, docRef{l.TargetKind, l.Target})
		}
	}
	return refs
}

// datasetRefs is what a dataset refers to: its own and its attributes'
// named types.
func datasetRefs(d *domain.Dataset) []docRef {
	refs := attrRefs(d.Attributes)
	if d.TypeRef != 0 {
		refs = append(refs, docRef{domain.KindNamedType, d.TypeRef})
	}
	return refs
}

func attrRefs(attrs []domain.Attribute) []docRef {
	var refs []docRef
	for _, a := range attrs {
		if a.TypeRef != 0 {
			refs = append(refs, docRef{domain.KindNamedType, a.TypeRef})
		}
	}
	return refs
}

func parseGroup(id uint64, data []byte) (*domain.Group, error) {
	var g domain.Group
	if err := json.Unmarshal(data, &g); err != nil {
		return nil, fmt.Errorf("%w: group %d: %v", ErrCorrupt, id, err)
	}
	if err := checkHeader(&g.Header, domain.KindGroup, id); err != nil {
		return nil, err
	}
	return &g, checkGroup(&g)
}

func parseDataset(id uint64, data []byte) (*domain.Dataset, error) {
	var d domain.Dataset
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("%w: dataset %d: %v", ErrCorrupt, id, err)
	}
	if err := checkHeader(&d.Header, domain.KindDataset, id); err != nil {
		return nil, err
	}
	return &d, checkDataset(&d)
}

func parseNamedType(id uint64, data []byte) (*domain.NamedType, error) {
	var t domain.NamedType
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("%w: datatype %d: %v", ErrCorrupt, id, err)
	}
	if err := checkHeader(&t.Header, domain.KindNamedType, id); err != nil {
		return nil, err
	}
	if err := checkType(&t.Type, 0); err != nil {
		return nil, fmt.Errorf("datatype %d: %w", id, err)
	}
	return &t, nil
}
