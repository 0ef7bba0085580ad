package formats

import "context"

// File is an opened scientific file of any format: what `?describe` shows
// and what `?dataset=&select=` reads. Every driver's File satisfies it.
type File interface {
	Tree() *Tree
	Dataset(path string) (*Dataset, bool)
	// Read returns the selected elements of the dataset at path. sel has
	// already been checked against the dataset's shape.
	Read(ctx context.Context, path string, sel Selection) (*Array, error)
}

// ObjectStore is one container of the store as the formats layer sees it:
// enough to read a file made of several objects (a VOL-written file's
// manifest, documents and chunks).
type ObjectStore interface {
	// Get returns a whole object; it wraps ErrNotFound when there is none.
	// Callers use it only for objects they know to be small (documents,
	// chunks).
	Get(ctx context.Context, name string) ([]byte, error)
	// Open returns an object for range reads.
	Open(ctx context.Context, name string) (Object, error)
	// List returns the objects whose names start with prefix, in name
	// order.
	List(ctx context.Context, prefix string) ([]ObjectInfo, error)
}

// ObjectInfo is one entry of an ObjectStore listing.
type ObjectInfo struct {
	Name string
	Size int64
}
