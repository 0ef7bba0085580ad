package h5stream

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/sciswift/sciswift/formats"
)

// memStore is an in-memory container for the tests that need no server
// (the fuzz target and hand-built edge cases).
type memStore map[string][]byte

func (m memStore) Get(_ context.Context, name string) ([]byte, error) {
	b, ok := m[name]
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, formats.ErrNotFound)
	}
	return b, nil
}

func (m memStore) Open(_ context.Context, name string) (formats.Object, error) {
	b, ok := m[name]
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, formats.ErrNotFound)
	}
	return sizedReader{bytes.NewReader(b)}, nil
}

type sizedReader struct{ *bytes.Reader }

func (s sizedReader) Size() int64 { return s.Reader.Size() }

func (m memStore) List(_ context.Context, prefix string) ([]formats.ObjectInfo, error) {
	var out []formats.ObjectInfo
	for k, v := range m {
		if strings.HasPrefix(k, prefix) {
			out = append(out, formats.ObjectInfo{Name: k, Size: int64(len(v))})
		}
	}
	slices.SortFunc(out, func(a, b formats.ObjectInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
