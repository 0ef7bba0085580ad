package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"

	"github.com/sciswift/sciswift/ring"
	"github.com/sciswift/sciswift/server/account"
	"github.com/sciswift/sciswift/server/client"
	"github.com/sciswift/sciswift/server/container"
	"github.com/sciswift/sciswift/server/object"
	"github.com/sciswift/sciswift/server/proxy"
	"github.com/sciswift/sciswift/server/proxy/bulk"
	"github.com/sciswift/sciswift/server/proxy/dataset"
	"github.com/sciswift/sciswift/server/proxy/dlo"
	"github.com/sciswift/sciswift/server/proxy/slo"
	"github.com/sciswift/sciswift/storage/vfs"
)

// node is one running sciswift process: the roles it was asked to run,
// wired to each other in-process and to other nodes over HTTP.
type node struct {
	logger    *slog.Logger
	public    http.Handler // nil when the proxy role is not run here
	backends  []backendRole
	proxy     *proxy.Server
	object    *object.Server
	container *container.Server
	account   *account.Server
}

func buildNode(cfg Config, logger *slog.Logger) (*node, error) {
	if err := prepareData(cfg); err != nil {
		return nil, err
	}
	secrets, err := loadOrCreateSecrets(cfg.Data)
	if err != nil {
		return nil, err
	}
	rs, err := loadRings(cfg)
	if err != nil {
		return nil, err
	}
	hasher := ring.PathHasher{Prefix: secrets.HashPathPrefix, Suffix: secrets.HashPathSuffix}
	transport := backendTransport()
	backendHTTP := &http.Client{Transport: transport}

	n := &node{logger: logger}
	if err := n.buildBackends(cfg, hasher, backendHTTP, transport); err != nil {
		n.close()
		return nil, err
	}
	if cfg.hasRole("proxy") {
		if err := n.buildProxy(cfg, rs, hasher, secrets, backendHTTP); err != nil {
			n.close()
			return nil, err
		}
	}
	return n, nil
}

func (n *node) buildBackends(cfg Config, hasher ring.PathHasher, backendHTTP *http.Client, transport *client.InProcessTransport) error {
	var err error
	if cfg.hasRole("account") {
		if n.account, err = account.New(account.Config{Root: cfg.Data, Limits: cfg.Limits, Logger: n.logger}); err != nil {
			return err
		}
		n.addBackend(cfg.AccountAddr, n.account, transport)
	}
	if cfg.hasRole("container") {
		if n.container, err = container.New(container.Config{Root: cfg.Data, Limits: cfg.Limits, HTTP: backendHTTP, Logger: n.logger}); err != nil {
			return err
		}
		n.addBackend(cfg.ContainerAddr, n.container, transport)
	}
	if cfg.hasRole("object") {
		if n.object, err = object.New(object.Config{Root: cfg.Data, Limits: cfg.Limits, HTTP: backendHTTP, FS: vfs.OS(), Logger: n.logger, Hasher: hasher}); err != nil {
			return err
		}
		n.addBackend(cfg.ObjectAddr, n.object, transport)
	}
	return nil
}

func (n *node) addBackend(addr string, h http.Handler, transport *client.InProcessTransport) {
	transport.Register(addr, h)
	n.backends = append(n.backends, backendRole{addr: addr, handler: h})
}

// buildProxy assembles Swift's pipeline: dataset → bulk → slo → dlo → proxy, each
// middleware making its subrequests to the rest of the pipeline in-process.
// The middlewares exist before the proxy because /info must list what they
// enable, so the innermost hop is bound once the proxy is built.
func (n *node) buildProxy(cfg Config, rs rings, hasher ring.PathHasher, secrets clusterSecrets, backendHTTP *http.Client) error {
	users := make([]proxy.User, 0, len(cfg.Users))
	for _, u := range cfg.Users {
		users = append(users, proxy.User{Account: u.Account, Name: u.User, Key: u.Key, Admin: u.Admin, ResellerAdmin: u.ResellerAdmin})
	}
	inner := &deferredHandler{}
	pipeline := client.NewInProcessTransport(nil)
	hc := &http.Client{Transport: pipeline}
	pipeline.Register("proxy.internal:80", inner)
	d := dlo.New(inner, dlo.Config{Limits: cfg.Limits, Logger: n.logger, Client: hc, Endpoint: "http://proxy.internal:80"})
	pipeline.Register("dlo.internal:80", d)
	s := slo.New(d, slo.Config{Limits: cfg.Limits, Logger: n.logger, Client: hc, Endpoint: "http://dlo.internal:80"})
	pipeline.Register("slo.internal:80", s)
	b := bulk.New(s, bulk.Config{Limits: cfg.Limits, Logger: n.logger, Client: hc, Endpoint: "http://slo.internal:80"})
	ds := dataset.New(b, datasetConfig(cfg.Datasets, n.logger, hc))

	features := map[string]any{}
	for _, info := range []map[string]any{d.Info(), s.Info(), b.Info(), ds.Info()} {
		for k, v := range info {
			features[k] = v
		}
	}
	p, err := proxy.New(proxy.Config{
		Limits:            cfg.Limits,
		AccountRing:       rs.account,
		ContainerRing:     rs.container,
		ObjectRing:        rs.object,
		Hasher:            hasher,
		HTTP:              backendHTTP,
		Users:             users,
		TokenTTL:          cfg.TokenTTL.Duration,
		TokenSecret:       []byte(secrets.TokenSecret),
		ResellerPrefix:    "AUTH_",
		AccountAutocreate: cfg.AccountAutocreate,
		Features:          features,
		Logger:            n.logger,
		ExpirerInterval:   cfg.ExpirerInterval.Duration,
		Pipeline:          hc,
		PipelineEndpoint:  "http://slo.internal:80",
	})
	if err != nil {
		return err
	}
	inner.h = p
	pipeline.Register(indexStoreHost, p.InternalHandler())
	n.proxy = p
	n.public = proxy.WithRequestLog(ds, n.logger)
	return nil
}

// deferredHandler forwards to a handler set after construction; it is set
// once, before any request is served.
type deferredHandler struct{ h http.Handler }

func (d *deferredHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) { d.h.ServeHTTP(w, r) }

// startBackground runs the roles' background workers until ctx ends; the
// returned channel closes when they have all returned.
func (n *node) startBackground(ctx context.Context) <-chan struct{} {
	var wg sync.WaitGroup
	run := func(f func(context.Context)) {
		wg.Add(1)
		go func() { defer wg.Done(); f(ctx) }()
	}
	if n.object != nil {
		run(n.object.RunUpdater)
	}
	if n.proxy != nil {
		run(n.proxy.RunExpirer)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	return done
}

func (n *node) close() error {
	var errs []error
	if n.object != nil {
		errs = append(errs, n.object.Close())
	}
	if n.container != nil {
		errs = append(errs, n.container.Close())
	}
	if n.account != nil {
		errs = append(errs, n.account.Close())
	}
	return errors.Join(errs...)
}
