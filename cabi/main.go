// Command cabi is the sciswift HDF5 VOL connector, built as a C shared
// library:
//
//	go build -buildmode=c-shared -o bin/plugins/libsciswift.so ./cabi
//
// HDF5 loads it from HDF5_PLUGIN_PATH when HDF5_VOL_CONNECTOR names it
// ("sciswift [info string]", the info being package vol's settings string), so
// unmodified HDF5 programs, h5dump and h5ls create, write and read files that
// live in the store.
//
// connector.c holds the H5VL_class_t and unpacks HDF5's argument unions; the
// //export functions (sw*) in this package are the callbacks' Go halves. Each
// object HDF5 holds for the connector is a cgo.Handle of a *handle (see
// handles.go); the process-wide state is a *plugin reached through a
// cgo.Handle that connector.c keeps in a C static, so the package has no
// mutable globals.
//
// Concurrency: HDF5 (not built thread-safe) calls the connector from one
// thread at a time, but re-enters it from inside callbacks (building a
// committed datatype's id calls back into the datatype class, iteration
// callbacks call any API), so the plugin state takes no locks.
package main

/*
#cgo pkg-config: hdf5
#include "cabi.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime/cgo"

	"github.com/sciswift/sciswift/vol"
)

func main() {}

// plugin is the state of the loaded connector.
type plugin struct {
	conn *vol.Connector
	// handles are the live connector objects HDF5 holds, by their value.
	handles map[cgo.Handle]*handle
	// fapls keeps a copy of the access property list each open file was
	// opened with, for H5Fget_access_plist; closed with the file's last
	// handle.
	fapls map[*vol.File]C.hid_t
}

var errNotInitialized = errors.New("sciswift: connector not initialized")

// thePlugin returns the state initialize made.
func thePlugin() (*plugin, error) {
	if C.sw_plugin == 0 {
		return nil, errNotInitialized
	}
	p, ok := cgo.Handle(C.sw_plugin).Value().(*plugin)
	if !ok {
		return nil, errNotInitialized
	}
	return p, nil
}

// swInit is the connector's initialize: it makes the vol.Connector and
// returns the cgo.Handle of the plugin state (0 on failure).
//
//export swInit
func swInit() (ret C.uintptr_t) {
	defer func() {
		if r := recover(); r != nil {
			pushError("initialize", fmt.Errorf("internal error: %v", r))
			ret = 0
		}
	}()
	p := &plugin{
		conn:    vol.NewConnector(),
		handles: map[cgo.Handle]*handle{},
		fapls:   map[*vol.File]C.hid_t{},
	}
	return C.uintptr_t(cgo.NewHandle(p))
}

// swTerm is the connector's terminate: HDF5 has closed every id by now, so
// what is still open here was leaked by the program; Close flushes it.
//
//export swTerm
func swTerm() C.herr_t {
	return status("terminate", func(p *plugin) error {
		defer cgo.Handle(C.sw_plugin).Delete()
		for _, h := range p.handles {
			h.id.Delete()
		}
		for _, fapl := range p.fapls {
			if C.H5Iis_valid(fapl) > 0 { // the library may be shutting down
				C.H5Pclose(fapl)
			}
		}
		clear(p.handles)
		clear(p.fapls)
		return p.conn.Close()
	})
}
