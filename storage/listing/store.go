package listing

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/cockroachdb/pebble/v2"

	"github.com/sciswift/sciswift/server/swift"
)

// Kind says which of a device's two databases a Store opens.
type Kind int

const (
	// KindContainer is DEVICE/containers.db: container info and object rows.
	KindContainer Kind = iota + 1
	// KindAccount is DEVICE/accounts.db: account info and container rows.
	KindAccount
)

// dirName is the database directory under a device.
func (k Kind) dirName() string {
	if k == KindAccount {
		return "accounts.db"
	}
	return "containers.db"
}

// Options tune the pebble databases a Store opens.
type Options struct {
	// CacheSize is each database's block cache in bytes; 0 means 16 MiB.
	CacheSize int64
	// Logger receives pebble's log lines (informational ones at Debug);
	// nil means slog.Default().
	Logger *slog.Logger
}

const defaultCacheSize = 16 << 20

// Store opens one kind of database lazily, per device, and shares each
// across all requests: a device's database is opened by the first request
// that names the device and stays open until Close.
type Store struct {
	root string
	kind Kind
	opts Options

	// mu guards dbs and closed. Opening a database happens under mu, which
	// briefly stalls lookups of other devices; it happens once per device
	// per process, and it keeps two requests from opening one directory.
	mu     sync.Mutex
	dbs    map[string]*DB
	closed bool
}

// Open returns a Store for the databases of kind under root (the data
// directory holding one directory per device). Nothing is opened until a
// device is asked for.
func Open(root string, kind Kind, opts Options) *Store {
	if opts.CacheSize <= 0 {
		opts.CacheSize = defaultCacheSize
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Store{root: root, kind: kind, opts: opts, dbs: map[string]*DB{}}
}

// Device returns the database of the named device, opening it on first
// use. A device whose directory does not exist (not mounted, failed,
// never set up) is swift.ErrInsufficientStorage, Swift's 507.
func (s *Store) Device(name string) (*DB, error) {
	if err := swift.CheckDeviceName(name); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, fmt.Errorf("%w: listing store closed", swift.ErrServiceUnavailable)
	}
	if db := s.dbs[name]; db != nil {
		return db, nil
	}
	devDir := filepath.Join(s.root, name)
	if fi, err := os.Stat(devDir); err != nil || !fi.IsDir() {
		return nil, swift.Errorf(swift.ErrInsufficientStorage,
			"There was not enough space to save the resource. Drive: %s", name)
	}
	db, err := openDB(filepath.Join(devDir, s.kind.dirName()), s.opts)
	if err != nil {
		return nil, err
	}
	s.dbs[name] = db
	return db, nil
}

// Close closes every open database. Requests still holding a *DB must be
// finished first: pebble panics on use after close.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	var errs []error
	for name, db := range s.dbs {
		if err := db.close(); err != nil {
			errs = append(errs, fmt.Errorf("listing: closing %s: %w", name, err))
		}
	}
	clear(s.dbs)
	return errors.Join(errs...)
}

// pebbleLogger sends pebble's log lines to slog. Fatalf must not return,
// and a library has no business exiting the process, so it panics.
type pebbleLogger struct{ l *slog.Logger }

func (p pebbleLogger) Infof(format string, args ...any) {
	p.l.Debug(fmt.Sprintf(format, args...), "component", "pebble")
}

func (p pebbleLogger) Errorf(format string, args ...any) {
	p.l.Error(fmt.Sprintf(format, args...), "component", "pebble")
}

func (p pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.l.Error(msg, "component", "pebble")
	panic("pebble: " + msg)
}

var _ pebble.Logger = pebbleLogger{}
