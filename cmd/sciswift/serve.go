package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/sciswift/sciswift/server/client"
)

// runServe parses flags, builds the node and serves until ctx ends.
func runServe(ctx context.Context, args []string, stderr io.Writer) int {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	fl.SetOutput(stderr)
	configPath := fl.String("config", "", "JSON config file (users, limits, roles, rings, TLS, …)")
	addr := fl.String("addr", "", "public listen address HOST:PORT (default 127.0.0.1:8080)")
	data := fl.String("data", "", "data directory (default ./data)")
	maxSelection := fl.Uint64("max-selection-bytes", 0, "largest slice the dataset API returns, in bytes (default 256 MiB; config datasets.max_selection_bytes)")
	h5Worker := fl.String("h5-worker", "", "HDF5 indexing worker program (default sciswift-h5worker next to this executable)")
	indexCache := fl.Int("index-cache-size", 0, "HDF5 indexes kept in memory (default 64)")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "sciswift serve: unexpected argument %q\n", fl.Arg(0))
		return 2
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		fmt.Fprintf(stderr, "sciswift serve: %v\n", err)
		return 1
	}
	if *addr != "" {
		cfg.Addr = *addr
	}
	if *data != "" {
		cfg.Data = *data
	}
	if *maxSelection != 0 {
		cfg.Datasets.MaxSelectionBytes = *maxSelection
	}
	if *h5Worker != "" {
		cfg.Datasets.H5Worker = *h5Worker
	}
	if *indexCache != 0 {
		cfg.Datasets.IndexCacheSize = *indexCache
	}
	logger := newLogger(stderr, cfg.LogLevel)
	if err := serve(ctx, cfg, logger); err != nil {
		fmt.Fprintf(stderr, "sciswift serve: %v\n", err)
		return 1
	}
	return 0
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		lv = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lv}))
}

// serve runs the node: listeners, background workers, and a graceful stop
// that lets requests in flight finish before the roles close their files.
func serve(ctx context.Context, cfg Config, logger *slog.Logger) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	n, err := buildNode(cfg, logger)
	if err != nil {
		return err
	}
	defer n.close()

	servers, err := n.listen(cfg)
	if err != nil {
		return err
	}
	workers, stopWorkers := context.WithCancel(context.Background())
	done := n.startBackground(workers)

	errc := make(chan error, len(servers))
	for _, s := range servers {
		go func(s *listeningServer) { errc <- s.serve() }(s)
	}
	logger.Info("sciswift serving", "addr", cfg.Addr, "data", cfg.Data, "roles", cfg.Roles)

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout.Duration)
	defer cancel()
	for _, s := range servers {
		if err := s.srv.Shutdown(shutdownCtx); err != nil {
			logger.Warn("shutdown did not finish in time", "addr", s.ln.Addr().String(), "err", err)
		}
	}
	stopWorkers()
	<-done
	logger.Info("sciswift stopped")
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return nil
}

// listeningServer pairs a bound listener with its server so binding errors
// surface before anything is served.
type listeningServer struct {
	ln       net.Listener
	srv      *http.Server
	certFile string
	keyFile  string
}

func (s *listeningServer) serve() error {
	if s.certFile != "" {
		return s.srv.ServeTLS(s.ln, s.certFile, s.keyFile)
	}
	return s.srv.Serve(s.ln)
}

func newListeningServer(addr string, h http.Handler, logger *slog.Logger) (*listeningServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return &listeningServer{ln: ln, srv: srv}, nil
}

// listen binds the public listener (proxy) and, when asked, the backend
// listeners of this node's roles.
func (n *node) listen(cfg Config) ([]*listeningServer, error) {
	var out []*listeningServer
	closeAll := func() {
		for _, s := range out {
			s.ln.Close()
		}
	}
	if n.public != nil {
		s, err := newListeningServer(cfg.Addr, n.public, n.logger)
		if err != nil {
			return nil, err
		}
		s.certFile, s.keyFile = cfg.TLS.CertFile, cfg.TLS.KeyFile
		out = append(out, s)
	}
	if cfg.ListenBackend || n.public == nil {
		for _, b := range n.backends {
			s, err := newListeningServer(b.addr, b.handler, n.logger)
			if err != nil {
				closeAll()
				return nil, err
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// backendRole is one backend role and where the rings say it lives.
type backendRole struct {
	addr    string
	handler http.Handler
}

// prepareData makes the data directory and, for the embedded single-node
// layout, its one device directory.
func prepareData(cfg Config) error {
	if err := os.MkdirAll(cfg.Data, 0o755); err != nil {
		return fmt.Errorf("creating data directory: %w", err)
	}
	if cfg.AccountRing == "" && cfg.ContainerRing == "" && cfg.ObjectRing == "" {
		if err := os.MkdirAll(filepath.Join(cfg.Data, cfg.Device), 0o755); err != nil {
			return fmt.Errorf("creating device directory: %w", err)
		}
	}
	return nil
}

// backendTransport routes backend requests to this process's roles when
// they are local and to the network otherwise.
func backendTransport() *client.InProcessTransport {
	network := http.DefaultTransport.(*http.Transport).Clone()
	network.MaxIdleConnsPerHost = 256
	return client.NewInProcessTransport(network)
}
