// Command sciswift is the object store's single binary: `serve` runs any
// mix of the proxy, account, container and object roles; `ring` builds
// rings; `bench` drives a running store.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: sciswift <command> [arguments]

commands:
  serve     run the store (all roles on embedded defaults when given no flags)
  ring      build and inspect rings (like swift-ring-builder)
  bench     measure PUT/GET throughput and latency of a running store
  version   print the version
`

// version is overridden at link time by the Makefile (-X main.version=…).
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stderr)
	case "ring":
		return runRing(args[1:], stdout, stderr)
	case "bench":
		return runBench(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "sciswift", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "sciswift: unknown command %q\n%s", args[0], usage)
	return 2
}
