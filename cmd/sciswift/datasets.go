package main

import (
	"log/slog"
	"net/http"
	"os"
	"path/filepath"

	"github.com/sciswift/sciswift/formats/hdf5"
	"github.com/sciswift/sciswift/formats/selection"
	"github.com/sciswift/sciswift/server/proxy/dataset"
)

// indexStoreHost is where the pipeline's in-process transport reaches the
// proxy's hidden accounts, in which the dataset API keeps HDF5 indexes.
const indexStoreHost = "index.internal:80"

// h5WorkerName is the HDF5 indexing worker's program, looked for next to
// the running executable.
const h5WorkerName = "sciswift-h5worker"

// datasetConfig wires the dataset API: its subrequests go to the pipeline
// below bulk (bulk has nothing to do with reads).
func datasetConfig(c DatasetsConfig, logger *slog.Logger, pipeline *http.Client) dataset.Config {
	return dataset.Config{
		Logger:         logger,
		Client:         pipeline,
		Endpoint:       "http://slo.internal:80",
		Limit:          selection.Limit{MaxBytes: c.MaxSelectionBytes, MaxElements: c.MaxSelectionElements},
		Index:          &dataset.StoreIndexes{HTTP: pipeline, Endpoint: "http://" + indexStoreHost},
		IndexCacheSize: c.IndexCacheSize,
		MaxWorkers:     c.MaxWorkers,
		// A missing worker is found out per request (501), so the rest of
		// the dataset API works without it.
		HDF5: dataset.HDF5Files{Indexer: &hdf5.Indexer{Worker: h5WorkerPath(c.H5Worker)}},
		VOL:  dataset.VOLFiles{},
	}
}

// h5WorkerPath is the configured worker, or the one next to this
// executable.
func h5WorkerPath(configured string) string {
	if configured != "" {
		return configured
	}
	exe, err := os.Executable()
	if err != nil {
		return h5WorkerName
	}
	return filepath.Join(filepath.Dir(exe), h5WorkerName)
}
