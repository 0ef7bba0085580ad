package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/ring"
)

// ringRun runs `sciswift ring args...` and returns exit code and output.
func ringRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = runRing(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func mustRingRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := ringRun(t, args...)
	if code != 0 {
		t.Fatalf("sciswift ring %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

func TestRingCommandLifecycle(t *testing.T) {
	dir := t.TempDir()
	builder := filepath.Join(dir, "object.builder")
	ringFile := filepath.Join(dir, "object.ring.gz")

	mustRingRun(t, builder, "create", "8", "3", "1")
	// Long form and compact form, IPv6 and a replication network included.
	mustRingRun(t, builder, "add", "--region", "1", "--zone", "1", "--ip", "10.0.0.1", "--port", "6200", "--device", "d1", "--weight", "100")
	mustRingRun(t, builder, "add", "--zone", "1", "--ip", "10.0.0.2", "--port", "6200", "--device", "d1", "--weight", "100", "--meta", "rack a")
	out := mustRingRun(t, builder, "add",
		"r1z2-10.0.1.1:6200/d1", "100",
		"z2-10.0.1.2:6200R192.168.1.2:6300/d1_fast disk", "100",
		"r1z3-[::1]:6200/d1", "100",
		"r1z3-[::2]:6200/d1", "100")
	if !strings.Contains(out, "got id 5") {
		t.Errorf("add output %q does not report the last id", out)
	}

	out = mustRingRun(t, builder, "rebalance")
	if !strings.Contains(out, "Reassigned 256 (100.00%) partitions") {
		t.Errorf("rebalance output %q", out)
	}
	r, err := ring.Load(ringFile)
	if err != nil {
		t.Fatal(err)
	}
	if r.ReplicaCount() != 3 || r.PartPower() != 8 || len(r.Devices()) != 6 {
		t.Fatalf("ring has %d replicas, power %d, %d devices", r.ReplicaCount(), r.PartPower(), len(r.Devices()))
	}
	d3, _ := r.Device(3)
	want := ring.Device{ID: 3, Region: 1, Zone: 2, IP: "10.0.1.2", Port: 6200, Name: "d1", Weight: 100,
		Meta: "fast disk", ReplicationIP: "192.168.1.2", ReplicationPort: 6300}
	if d3 != want {
		t.Errorf("device 3 = %+v, want %+v", d3, want)
	}
	if d4, _ := r.Device(4); d4.IP != "::1" {
		t.Errorf("device 4 ip %q, want ::1", d4.IP)
	}

	out = mustRingRun(t, builder)
	for _, s := range []string{"256 partitions, 3 replicas, 1 regions, 3 zones, 6 devices", "[::1]:6200", "192.168.1.2:6300", "rack a"} {
		if !strings.Contains(out, s) {
			t.Errorf("show output lacks %q:\n%s", s, out)
		}
	}

	mustRingRun(t, builder, "set_weight", "d0", "200", "1", "50")
	mustRingRun(t, builder, "remove", "d5")
	if out := mustRingRun(t, builder, "show"); !strings.Contains(out, "DEL") {
		t.Errorf("show does not flag the removed device:\n%s", out)
	}
	mustRingRun(t, builder, "pretend_min_part_hours_passed")
	mustRingRun(t, builder, "rebalance")
	r, err = ring.Load(ringFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Device(5); ok {
		t.Error("removed device 5 is still in the ring")
	}
	if d0, _ := r.Device(0); d0.Weight != 200 {
		t.Errorf("device 0 weight %v, want 200", d0.Weight)
	}

	out = mustRingRun(t, ringFile, "show")
	if !strings.Contains(out, "256 partitions, 3 replicas") || !strings.Contains(out, "10.0.0.1:6200") {
		t.Errorf("ring show output:\n%s", out)
	}
	os.Remove(ringFile)
	mustRingRun(t, builder, "write_ring")
	if _, err := ring.Load(ringFile); err != nil {
		t.Errorf("write_ring: %v", err)
	}
}

func TestRingCommandSingleDevice(t *testing.T) {
	builder := filepath.Join(t.TempDir(), "account.builder")
	mustRingRun(t, builder, "create", "10", "1", "0")
	mustRingRun(t, builder, "add", "r1z1-127.0.0.1:6202/d1", "1")
	mustRingRun(t, builder, "rebalance")
	r, err := ring.Load(filepath.Join(filepath.Dir(builder), "account.ring.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Primaries(1023); len(got) != 1 || got[0].Name != "d1" {
		t.Errorf("Primaries(1023) = %v", got)
	}
}

func TestRingCommandErrors(t *testing.T) {
	dir := t.TempDir()
	builder := filepath.Join(dir, "b.builder")
	mustRingRun(t, builder, "create", "4", "3", "1")
	mustRingRun(t, builder, "add", "r1z1-10.0.0.1:6200/d1", "1", "r1z2-10.0.0.2:6200/d1", "1")
	before, _ := os.ReadFile(builder)

	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no arguments", nil, 2, "missing the builder file"},
		{"unknown command", []string{builder, "frobnicate"}, 2, `unknown command "frobnicate"`},
		{"create arity", []string{filepath.Join(dir, "x.builder"), "create", "4", "3"}, 2, "create needs PART_POWER REPLICAS MIN_PART_HOURS"},
		{"create non-number", []string{filepath.Join(dir, "x.builder"), "create", "four", "3", "1"}, 2, `part power must be a whole number, got "four"`},
		{"create part power too big", []string{filepath.Join(dir, "x.builder"), "create", "40", "3", "1"}, 1, "part power 40"},
		{"create over existing", []string{builder, "create", "4", "3", "1"}, 1, "already exists"},
		{"missing builder", []string{filepath.Join(dir, "nope.builder"), "show"}, 1, "no such file"},
		{"add missing flag", []string{builder, "add", "--zone", "1", "--ip", "10.0.0.3", "--device", "d1", "--weight", "1"}, 2, "--port is required"},
		{"add unknown flag", []string{builder, "add", "--zone", "1", "--colour", "red"}, 2, "colour"},
		{"add bad compact", []string{builder, "add", "z1-10.0.0.3/d1", "1"}, 2, "address has no :port"},
		{"add no weight", []string{builder, "add", "r1z1-10.0.0.3:6200/d1"}, 2, "has no weight"},
		{"add bad weight", []string{builder, "add", "r1z1-10.0.0.3:6200/d1", "heavy"}, 2, `weight must be a number, got "heavy"`},
		{"add duplicate", []string{builder, "add", "r1z1-10.0.0.1:6200/d1", "1"}, 1, "duplicate device"},
		{"add second fails, first not saved", []string{builder, "add", "r1z3-10.0.0.3:6200/d1", "1", "r1z1-10.0.0.1:6200/d1", "1"}, 1, "duplicate device"},
		{"remove unknown", []string{builder, "remove", "d9"}, 1, "no device with id 9"},
		{"remove bad id", []string{builder, "remove", "disk9"}, 2, "device id must look like 3 or d3"},
		{"set_weight odd args", []string{builder, "set_weight", "0"}, 2, "ID WEIGHT pairs"},
		{"set_weight negative", []string{builder, "set_weight", "0", "-5"}, 1, "weight -5"},
		{"rebalance with too few devices", []string{builder, "rebalance"}, 1, "3 replicas need at least 3 devices with weight, but there are 2"},
		{"rebalance with arguments", []string{builder, "rebalance", "now"}, 2, "rebalance takes no arguments"},
		{"write_ring before rebalance", []string{builder, "write_ring"}, 1, "not been rebalanced"},
		{"add to a ring file", []string{filepath.Join(dir, "b.ring.gz"), "add", "r1z1-10.0.0.1:6200/d1", "1"}, 2, "works on the .builder file"},
		{"show missing ring", []string{filepath.Join(dir, "b.ring.gz")}, 1, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := ringRun(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			if !strings.Contains(errOut, tt.msg) {
				t.Errorf("stderr %q does not say %q", errOut, tt.msg)
			}
			if lines := strings.Count(errOut, "\n"); lines != 1 || !strings.HasSuffix(errOut, "\n") {
				t.Errorf("stderr should be one line, got %q", errOut)
			}
			if tt.code != 0 && strings.Contains(out, "got id") {
				t.Errorf("failed command reported success on stdout: %q", out)
			}
		})
	}
	if after, _ := os.ReadFile(builder); !slices.Equal(before, after) {
		t.Error("failed commands modified the builder file")
	}
}

func TestRingHelp(t *testing.T) {
	code, out, errOut := ringRun(t, "help")
	if code != 0 || !strings.Contains(out, "usage: sciswift ring") || errOut != "" {
		t.Errorf("help: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestParseCompactDevice(t *testing.T) {
	tests := []struct {
		in   string
		want ring.Device
	}{
		{"r1z1-127.0.0.1:6200/d1", ring.Device{Region: 1, Zone: 1, IP: "127.0.0.1", Port: 6200, Name: "d1"}},
		{"z3-host.example:6000/sdb", ring.Device{Region: 1, Zone: 3, IP: "host.example", Port: 6000, Name: "sdb"}},
		{"r2z10-[fe80::1]:6200R[fe80::2]:6300/d2_ssd", ring.Device{Region: 2, Zone: 10, IP: "fe80::1", Port: 6200,
			ReplicationIP: "fe80::2", ReplicationPort: 6300, Name: "d2", Meta: "ssd"}},
	}
	for _, tt := range tests {
		got, err := parseCompactDevice(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("parseCompactDevice(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "r1-1.2.3.4:1/d", "rXz1-1.2.3.4:1/d", "z1-[::1:1/d", "z1-1.2.3.4:port/d", "z1-1.2.3.4:1", "z1-1.2.3.4:1/", "z1-:1/d"} {
		if _, err := parseCompactDevice(bad); err == nil {
			t.Errorf("parseCompactDevice(%q) succeeded", bad)
		}
	}
}

// TestReadmeRingExample runs the README's `sciswift ring` lines as
// written, so the quickstart cannot drift from what the command accepts.
func TestReadmeRingExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var ran int
	t.Chdir(t.TempDir())
	for _, line := range strings.Split(string(readme), "\n") {
		args, ok := strings.CutPrefix(line, "bin/sciswift ring ")
		if !ok {
			continue
		}
		mustRingRun(t, strings.Fields(args)...)
		ran++
	}
	if ran < 4 {
		t.Fatalf("found %d `bin/sciswift ring` lines in README.md, want the create/add/rebalance/show example", ran)
	}
	r, err := ring.Load("object.ring.gz")
	if err != nil {
		t.Fatal(err)
	}
	if got := r.ReplicaCount(); got != 3 {
		t.Errorf("README ring has %d replicas, want 3", got)
	}
}
