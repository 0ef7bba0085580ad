package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sciswift/sciswift/server/client/bench"
)

// runBench drives a running store; `make bench` starts one and calls this.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("bench", flag.ContinueOnError)
	fl.SetOutput(stderr)
	cfg := bench.Config{}
	fl.StringVar(&cfg.AuthURL, "auth", "http://127.0.0.1:8080/auth/v1.0", "auth URL")
	fl.StringVar(&cfg.User, "user", "test:tester", "user")
	fl.StringVar(&cfg.Key, "key", "testing", "key")
	fl.StringVar(&cfg.Container, "container", "bench", "container to write into")
	sizes := fl.String("sizes", "4KiB,64MiB", "object sizes, comma separated (KiB/MiB/GiB suffixes)")
	conc := fl.String("concurrency", "1,16", "client concurrency levels, comma separated")
	fl.DurationVar(&cfg.Duration, "duration", 10*time.Second, "time per size × concurrency × phase")
	fl.IntVar(&cfg.Count, "count", 0, "objects per phase instead of a duration (0: use -duration)")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	var err error
	if cfg.Sizes, err = parseSizes(*sizes); err != nil {
		fmt.Fprintf(stderr, "sciswift bench: %v\n", err)
		return 2
	}
	if cfg.Concurrency, err = parseInts(*conc); err != nil {
		fmt.Fprintf(stderr, "sciswift bench: %v\n", err)
		return 2
	}
	if _, err := bench.Run(ctx, cfg, stdout); err != nil {
		fmt.Fprintf(stderr, "sciswift bench: %v\n", err)
		return 1
	}
	return 0
}

func parseSizes(s string) ([]int64, error) {
	var out []int64
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		mult := int64(1)
		for suffix, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
			if strings.HasSuffix(f, suffix) {
				mult, f = m, strings.TrimSuffix(f, suffix)
			}
		}
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("bad size %q: use numbers like 4KiB or 64MiB", f)
		}
		out = append(out, v*mult)
	}
	return out, nil
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("bad concurrency %q: use positive whole numbers", f)
		}
		out = append(out, v)
	}
	return out, nil
}
