// Command sciswift-h5worker is the child process the server runs to read
// uploaded HDF5 files with libhdf5, so that a crafted file can crash a worker
// but never the store. It reads the object only through requests to its
// parent on stdin/stdout. See package formats/hdf5/h5lib.
//
//	sciswift-h5worker -mode index -size N
//	sciswift-h5worker -mode read -size N -dataset /path -select '[{"Start":0,...}]'
package main

import (
	"flag"
	"os"

	"github.com/sciswift/sciswift/formats/hdf5/h5lib"
)

func main() {
	var cfg h5lib.Config
	flag.StringVar(&cfg.Mode, "mode", h5lib.ModeIndex, "index or read")
	flag.Uint64Var(&cfg.Size, "size", 0, "size of the object in bytes")
	flag.StringVar(&cfg.Dataset, "dataset", "", "read: the dataset's path")
	flag.StringVar(&cfg.Select, "select", "[]", "read: the selection as JSON")
	flag.Int64Var(&cfg.MaxMemory, "max-memory", 0, "address-space limit in bytes (0: none)")
	flag.Uint64Var(&cfg.CPUSeconds, "cpu-seconds", 0, "CPU time limit (0: none)")
	flag.Int64Var(&cfg.MaxResult, "max-result", 256<<20, "read: most bytes of elements to return")
	flag.Parse()
	os.Exit(h5lib.Run(cfg))
}
