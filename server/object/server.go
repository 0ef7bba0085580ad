// Package object is the backend object server, Swift's obj/server.py: PUT,
// GET, HEAD, POST and DELETE of /DEVICE/PARTITION/ACCOUNT/CONTAINER/OBJECT
// on the devices under one data directory, the container and expirer-queue
// updates that follow each change, and the updater that retries those
// that failed. docs/INTERNALS.md ("Object server") is the contract.
package object

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sciswift/sciswift/ring"
	"github.com/sciswift/sciswift/server/swift"
	"github.com/sciswift/sciswift/storage/diskfile"
	"github.com/sciswift/sciswift/storage/vfs"
)

// Config configures a Server. Root, Hasher and, for updates, HTTP matter;
// the rest has Swift's defaults.
type Config struct {
	// Root is the data directory holding one directory per device.
	Root string
	// Limits are the cluster constraints; the zero value means Swift's.
	Limits swift.Limits
	// HTTP sends container and expirer-queue updates; its Transport may
	// be in-process. Nil means a plain http.Client.
	HTTP *http.Client
	// FS is the filesystem; nil means vfs.OS().
	FS     vfs.FS
	Logger *slog.Logger
	// Hasher hashes names into on-disk directories, as every node of the
	// cluster does.
	Hasher ring.PathHasher
	// NodeTimeout bounds one update request (Swift's node_timeout: 3s).
	NodeTimeout time.Duration
	// ContainerUpdateTimeout is how long a write waits for its updates
	// before answering (Swift's container_update_timeout: 1s), so that a
	// listing made right after usually shows the change; slower updates
	// finish, or are saved for the updater, in the background.
	ContainerUpdateTimeout time.Duration
	// UpdaterInterval is the pause between the updater's sweeps of
	// async_pending (default 30s).
	UpdaterInterval time.Duration
	// Disk tunes the devices; its FS and Logger are taken from above.
	Disk diskfile.Options
}

// Server is the object server. It is an http.Handler.
type Server struct {
	cfg Config
	log *slog.Logger

	mu      sync.Mutex
	devices map[string]*diskfile.Device

	// updates tracks update goroutines that outlive their request;
	// lifeMu orders their start against Close's Wait.
	lifeMu  sync.Mutex
	closed  bool
	updates sync.WaitGroup
	bufs    sync.Pool // *[]byte of copyBufSize, for request bodies
}

const copyBufSize = 64 << 10

// New checks cfg and returns a Server. Devices are opened on first use.
func New(cfg Config) (*Server, error) {
	if cfg.Root == "" {
		return nil, errors.New("object: Config.Root is required")
	}
	if cfg.Limits == (swift.Limits{}) {
		cfg.Limits = swift.DefaultLimits()
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{}
	}
	if cfg.FS == nil {
		cfg.FS = vfs.OS()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	setDefault(&cfg.NodeTimeout, 3*time.Second)
	setDefault(&cfg.ContainerUpdateTimeout, time.Second)
	setDefault(&cfg.UpdaterInterval, 30*time.Second)
	cfg.Disk.FS, cfg.Disk.Logger = cfg.FS, cfg.Logger
	s := &Server{cfg: cfg, log: cfg.Logger, devices: map[string]*diskfile.Device{}}
	s.bufs.New = func() any { b := make([]byte, copyBufSize); return &b }
	return s, nil
}

func setDefault(d *time.Duration, def time.Duration) {
	if *d <= 0 {
		*d = def
	}
}

// Close waits for updates still in flight (each ends within NodeTimeout,
// delivered or saved as an async pending).
// Updates of requests that finish after Close are saved as async
// pendings without being tried.
func (s *Server) Close() error {
	s.lifeMu.Lock()
	s.closed = true
	s.lifeMu.Unlock()
	s.updates.Wait()
	return nil
}

// request is what every handler needs from the path.
type request struct {
	swift.Path
	hash string
}

func (q *request) name() string { return "/" + q.Account + "/" + q.Container + "/" + q.Object }

// ServeHTTP routes a backend object request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, err := swift.ParseBackendPath(r.URL)
	if err == nil && p.Object == "" {
		err = swift.Errorf(swift.ErrBadRequest, "Invalid path: %s", r.URL.Path)
	}
	if err != nil {
		swift.WriteError(w, r, err)
		return
	}
	q := &request{Path: p, hash: s.cfg.Hasher.HashHex(p.Account, p.Container, p.Object)}
	switch r.Method {
	case http.MethodPut:
		err = s.put(w, r, q)
	case http.MethodGet, http.MethodHead:
		err = s.get(w, r, q)
	case http.MethodPost:
		err = s.post(w, r, q)
	case http.MethodDelete:
		err = s.delete(w, r, q)
	default:
		w.Header().Set("Allow", "DELETE, GET, HEAD, POST, PUT")
		err = swift.ErrMethodNotAllowed
	}
	if err != nil {
		s.fail(w, r, q, err)
	}
}

// fail answers err; server-side failures are logged, as the client only
// sees a status.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, q *request, err error) {
	if status := swift.Status(err); status >= 500 && status != http.StatusInsufficientStorage {
		s.log.Error("object request failed", "method", r.Method, "device", q.Device, "path", q.name(), "err", err)
	}
	swift.WriteError(w, r, err)
}

// device returns the Device for name, 507 if its directory is missing (an
// unmounted drive). The check is per request, as Swift's check_dir, so a
// drive pulled while running is noticed at once.
func (s *Server) device(name string) (*diskfile.Device, error) {
	root := filepath.Join(s.cfg.Root, name)
	if fi, err := s.cfg.FS.Stat(root); err != nil || !fi.IsDir() {
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			s.log.Warn("device unavailable", "device", name, "err", err)
		}
		return nil, swift.Errorf(swift.ErrInsufficientStorage, "There was not enough space to save the resource. Drive: %s", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.devices[name]; d != nil {
		return d, nil
	}
	d, err := diskfile.OpenDevice(root, s.cfg.Disk)
	if err != nil {
		return nil, err
	}
	s.devices[name] = d
	return d, nil
}
