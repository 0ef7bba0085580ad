package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"github.com/sciswift/sciswift/ring"
)

// clusterSecrets are the values every node of a cluster must share: the
// path-hash salt (Swift's swift_hash_path_prefix/suffix; changing it moves
// every object) and the key that signs auth tokens.
type clusterSecrets struct {
	HashPathPrefix string `json:"swift_hash_path_prefix"`
	HashPathSuffix string `json:"swift_hash_path_suffix"`
	TokenSecret    string `json:"token_secret"`
}

// loadOrCreateSecrets reads DATA/swift.json, creating it with random values
// on first start. For a cluster, copy the file to every node.
func loadOrCreateSecrets(data string) (clusterSecrets, error) {
	path := filepath.Join(data, "swift.json")
	b, err := os.ReadFile(path)
	if err == nil {
		var s clusterSecrets
		if err := json.Unmarshal(b, &s); err != nil {
			return s, fmt.Errorf("%s is not valid JSON: %w", path, err)
		}
		if s.HashPathSuffix == "" || s.TokenSecret == "" {
			return s, fmt.Errorf("%s must set swift_hash_path_suffix and token_secret", path)
		}
		return s, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return clusterSecrets{}, err
	}
	s := clusterSecrets{HashPathPrefix: "", HashPathSuffix: randomHex(16), TokenSecret: randomHex(32)}
	b, _ = json.MarshalIndent(s, "", "  ")
	if err := writeFileDurably(path, append(b, '\n'), 0o600); err != nil {
		return s, fmt.Errorf("writing %s: %w", path, err)
	}
	return s, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// writeFileDurably writes via a temp file, fsync and rename so a crash
// never leaves a half-written config behind.
func writeFileDurably(path string, data []byte, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer dir.Close()
	return dir.Sync()
}

// defaultPartPower gives 1024 partitions, Swift's all-in-one default:
// plenty for one node, cheap to walk during replication.
const defaultPartPower = 10

// ensureDefaultRing builds a one-device, one-replica ring at path when no
// ring exists there yet, the embedded single-node layout.
func ensureDefaultRing(path, device, addr string) error {
	if fileExists(path) {
		return nil
	}
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("backend address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return fmt.Errorf("backend address %q: bad port", addr)
	}
	b, err := ring.NewBuilder(defaultPartPower, 1, 0)
	if err != nil {
		return err
	}
	if _, err := b.AddDevice(ring.Device{Region: 1, Zone: 1, IP: host, Port: port, Name: device, Weight: 100}); err != nil {
		return err
	}
	if _, _, err := b.Rebalance(); err != nil {
		return err
	}
	r, err := b.Ring()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return r.Save(path)
}

// rings are the three rings a node consults.
type rings struct {
	account, container, object *ring.Ring
}

// loadRings loads the configured rings, first building single-device
// defaults for any that were not configured and do not exist yet.
func loadRings(cfg Config) (rings, error) {
	var rs rings
	specs := []struct {
		kind, configured, addr string
		dst                    **ring.Ring
	}{
		{"account", cfg.AccountRing, cfg.AccountAddr, &rs.account},
		{"container", cfg.ContainerRing, cfg.ContainerAddr, &rs.container},
		{"object", cfg.ObjectRing, cfg.ObjectAddr, &rs.object},
	}
	for _, s := range specs {
		path := cfg.ringPath(s.kind, s.configured)
		if s.configured == "" {
			if err := ensureDefaultRing(path, cfg.Device, s.addr); err != nil {
				return rs, fmt.Errorf("building the default %s ring: %w", s.kind, err)
			}
		}
		r, err := ring.Load(path)
		if err != nil {
			return rs, fmt.Errorf("loading the %s ring: %w", s.kind, err)
		}
		*s.dst = r
	}
	return rs, nil
}
