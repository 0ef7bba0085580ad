// Package e2e is sciswift's end-to-end suite: it runs the real
// `sciswift serve` binary on a free loopback port with a temporary data
// directory and drives it with the real `swift` CLI and with raw HTTP.
//
// Run it with `go test ./test/e2e/` (the binary is built on the fly) or
// with SCISWIFT_BIN=bin/sciswift (as `make test` does). When CI or
// SCISWIFT_BIN is set, missing tools (swift, h5py) fail the tests instead
// of skipping them: the project's setup is supposed to install them.
//
// Starting and stopping server processes is package test/testserver,
// shared with the other suites under test/.
package e2e

import "github.com/sciswift/sciswift/test/testserver"

// serverProc is one `sciswift serve` process (or an external server).
type serverProc = testserver.Server
