package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sciswift/sciswift/server/swift"
)

// Config is everything `serve` can be told. Defaults give a working
// single-node store; a JSON file (--config) overrides any field, and the
// --addr/--data flags override the file.
type Config struct {
	Addr   string   `json:"addr"`
	Data   string   `json:"data"`
	Roles  []string `json:"roles"`
	Device string   `json:"device"` // device directory of the default ring

	// Backend addresses of this node's roles. They are always reachable
	// in-process; ListenBackend also serves them on the network so other
	// nodes' proxies and roles can reach them.
	ObjectAddr    string `json:"object_addr"`
	ContainerAddr string `json:"container_addr"`
	AccountAddr   string `json:"account_addr"`
	ListenBackend bool   `json:"listen_backend"`

	// Ring files; empty means DATA/rings/<kind>.ring.gz, built on first
	// start with one device and one replica when absent.
	AccountRing   string `json:"account_ring"`
	ContainerRing string `json:"container_ring"`
	ObjectRing    string `json:"object_ring"`

	Users             []UserConfig   `json:"users"`
	TokenTTL          Duration       `json:"token_ttl"`
	AccountAutocreate bool           `json:"account_autocreate"`
	ExpirerInterval   Duration       `json:"expirer_interval"`
	ShutdownTimeout   Duration       `json:"shutdown_timeout"`
	Limits            swift.Limits   `json:"limits"`
	TLS               TLSConfig      `json:"tls"`
	LogLevel          string         `json:"log_level"`
	Datasets          DatasetsConfig `json:"datasets"`
}

// DatasetsConfig configures the dataset API (?describe, ?dataset=).
type DatasetsConfig struct {
	// MaxSelectionBytes and MaxSelectionElements bound one slice (413
	// beyond); 0 is unbounded.
	MaxSelectionBytes    uint64 `json:"max_selection_bytes"`
	MaxSelectionElements uint64 `json:"max_selection_elements"`
	// H5Worker is the program that indexes HDF5 uploads in a child
	// process; empty means sciswift-h5worker next to the executable.
	H5Worker string `json:"h5_worker"`
	// IndexCacheSize is how many HDF5 indexes stay in memory;
	// MaxWorkers how many index builds run at once. 0 leaves the
	// dataset package's defaults (64 and 2).
	IndexCacheSize int `json:"index_cache_size"`
	MaxWorkers     int `json:"max_workers"`
}

// UserConfig is one tempauth user.
type UserConfig struct {
	Account       string `json:"account"`
	User          string `json:"user"`
	Key           string `json:"key"`
	Admin         bool   `json:"admin"`
	ResellerAdmin bool   `json:"reseller_admin"`
}

// TLSConfig enables HTTPS on the public listener when both files are set.
type TLSConfig struct {
	CertFile string `json:"cert_file"`
	KeyFile  string `json:"key_file"`
}

// Duration reads "30s"-style strings from JSON.
type Duration struct{ time.Duration }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("durations are strings like \"30s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// defaultConfig is the embedded single-node store of the quickstart.
func defaultConfig() Config {
	return Config{
		Addr:          "127.0.0.1:8080",
		Data:          "./data",
		Roles:         []string{"proxy", "account", "container", "object"},
		Device:        "d1",
		ObjectAddr:    "127.0.0.1:6200",
		ContainerAddr: "127.0.0.1:6201",
		AccountAddr:   "127.0.0.1:6202",
		Users: []UserConfig{
			{Account: "test", User: "tester", Key: "testing", Admin: true},
			{Account: "test", User: "tester2", Key: "testing2", Admin: true},
			{Account: "test", User: "tester3", Key: "testing3"},
			{Account: "test2", User: "tester2", Key: "testing2", Admin: true},
		},
		TokenTTL:          Duration{24 * time.Hour},
		AccountAutocreate: true,
		ExpirerInterval:   Duration{5 * time.Second},
		ShutdownTimeout:   Duration{30 * time.Second},
		Limits:            swift.DefaultLimits(),
		LogLevel:          "info",
		Datasets: DatasetsConfig{
			MaxSelectionBytes: 256 << 20,
		},
	}
}

// loadConfig layers the file (if any) over the defaults.
func loadConfig(path string) (Config, error) {
	cfg := defaultConfig()
	if path == "" {
		return cfg, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return cfg, fmt.Errorf("reading config: %w", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// validate rejects configurations that would start a broken store.
func (c Config) validate() error {
	known := map[string]bool{"proxy": true, "account": true, "container": true, "object": true}
	if len(c.Roles) == 0 {
		return errors.New("no roles to run: roles must name at least one of proxy, account, container, object")
	}
	for _, r := range c.Roles {
		if !known[r] {
			return fmt.Errorf("unknown role %q: roles are proxy, account, container, object", r)
		}
	}
	if c.Data == "" {
		return errors.New("data directory must be set")
	}
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		return errors.New("tls needs both cert_file and key_file")
	}
	if c.hasRole("proxy") && len(c.Users) == 0 {
		return errors.New("the proxy role needs at least one user")
	}
	return nil
}

func (c Config) hasRole(role string) bool {
	for _, r := range c.Roles {
		if r == role {
			return true
		}
	}
	return false
}

func (c Config) ringPath(kind, configured string) string {
	if configured != "" {
		return configured
	}
	return filepath.Join(c.Data, "rings", kind+".ring.gz")
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}
