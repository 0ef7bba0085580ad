package testserver

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// FindHDF5 is SCISWIFT_HDF5_PREFIX, else what scripts/install-hdf5.sh
// --print-prefix names (never building), if its bin holds every tool.
func FindHDF5(repo string, tools ...string) (string, error) {
	prefix := os.Getenv("SCISWIFT_HDF5_PREFIX")
	if prefix == "" {
		out, err := exec.Command("bash", filepath.Join(repo, "scripts", "install-hdf5.sh"), "--print-prefix").Output()
		if err != nil {
			return "", fmt.Errorf("scripts/install-hdf5.sh --print-prefix: %w", err)
		}
		prefix = strings.TrimSpace(string(out))
	}
	for _, tool := range tools {
		if _, err := os.Stat(filepath.Join(prefix, "bin", tool)); err != nil {
			return "", fmt.Errorf("no HDF5 >= 1.14 at %s (%v); run make hdf5", prefix, err)
		}
	}
	return prefix, nil
}

// FindPlugin is SCISWIFT_PLUGIN_DIR, else bin/plugins, as an absolute
// path, if it holds libsciswift.so and nothing else HDF5 would try to load.
func FindPlugin(repo string) (string, error) {
	dir := os.Getenv("SCISWIFT_PLUGIN_DIR")
	if dir == "" {
		dir = filepath.Join(repo, "bin", "plugins")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(dir, "libsciswift.so")); err != nil {
		return "", fmt.Errorf("no connector plugin: %v (run make vol)", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		if e.Name() != "libsciswift.so" {
			return "", fmt.Errorf("%s holds %s besides libsciswift.so; HDF5 would try to load it as a plugin", dir, e.Name())
		}
	}
	return dir, nil
}
