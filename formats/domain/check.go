package domain

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ErrBadManifest is wrapped by Check and ParseManifest errors.
var ErrBadManifest = errors.New("domain: bad manifest")

// Valid reports whether k is one of the document kinds.
func (k Kind) Valid() bool { return kindDir(k) != "" }

// Check rejects a manifest this code cannot read: another format, a layout
// version newer than Version (or none at all), or no root group.
func (m Manifest) Check() error {
	switch {
	case m.Format != FormatName:
		return fmt.Errorf("%w: format %q, want %q", ErrBadManifest, m.Format, FormatName)
	case m.Version < 1:
		return fmt.Errorf("%w: no layout version", ErrBadManifest)
	case m.Version > Version:
		return fmt.Errorf("%w: layout version %d is newer than %d", ErrBadManifest, m.Version, Version)
	case m.Root == 0:
		return fmt.Errorf("%w: no root group", ErrBadManifest)
	}
	return nil
}

// ParseManifest decodes a stored manifest object and checks it.
func ParseManifest(data []byte) (Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return Manifest{}, fmt.Errorf("%w: %v", ErrBadManifest, err)
	}
	if err := m.Check(); err != nil {
		return Manifest{}, err
	}
	return m, nil
}
