package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/sciswift/sciswift/ring"
)

const ringUsage = `usage: sciswift ring BUILDER_FILE COMMAND [ARGS]   (modelled on swift-ring-builder)

  sciswift ring object.builder create PART_POWER REPLICAS MIN_PART_HOURS
  sciswift ring object.builder add --region R --zone Z --ip IP --port P --device NAME --weight W
                                   [--meta M] [--replication-ip IP] [--replication-port P] [--id ID]
  sciswift ring object.builder add r1z1-127.0.0.1:6200/d1 100 [r1z2-[::1]:6200R10.0.0.1:6300/d2_meta 100 ...]
  sciswift ring object.builder remove ID [ID ...]
  sciswift ring object.builder set_weight ID WEIGHT [ID WEIGHT ...]
  sciswift ring object.builder rebalance          writes object.ring.gz next to the builder
  sciswift ring object.builder write_ring         rewrites object.ring.gz without rebalancing
  sciswift ring object.builder pretend_min_part_hours_passed
  sciswift ring object.builder [show]
  sciswift ring object.ring.gz [show]

Device ids may be written 3 or d3.
`

// usageError marks mistakes in the command line itself (exit status 2), as
// opposed to operations that failed (exit status 1).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...)}
}

// runRing implements `sciswift ring ...` and returns the exit status.
func runRing(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
		fmt.Fprint(stdout, ringUsage)
		return 0
	}
	err := ringCommand(args, stdout)
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "sciswift ring: %v\n", err)
	if errors.As(err, new(usageError)) {
		return 2
	}
	return 1
}

func ringCommand(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usagef("missing the builder file; run 'sciswift ring help' for usage")
	}
	path, cmd, rest := args[0], "show", args[1:]
	if len(rest) > 0 {
		cmd, rest = rest[0], rest[1:]
	}
	if strings.HasSuffix(path, ".ring.gz") {
		if cmd != "show" {
			return usagef("%s is a ring; %q works on the .builder file it was written from", path, cmd)
		}
		return showRing(path, stdout)
	}
	switch cmd {
	case "create":
		return createBuilder(path, rest, stdout)
	case "add":
		return withBuilder(path, stdout, func(b *ring.Builder) ([]string, error) { return addDevices(b, rest) })
	case "remove":
		return withBuilder(path, stdout, func(b *ring.Builder) ([]string, error) { return removeDevices(b, rest) })
	case "set_weight":
		return withBuilder(path, stdout, func(b *ring.Builder) ([]string, error) { return setWeights(b, rest) })
	case "pretend_min_part_hours_passed":
		if err := noArgs(cmd, rest); err != nil {
			return err
		}
		return withBuilder(path, stdout, func(b *ring.Builder) ([]string, error) {
			b.PretendMinPartHoursPassed()
			return []string{"Every partition may move at the next rebalance."}, nil
		})
	case "rebalance":
		return rebalance(path, rest, stdout)
	case "write_ring":
		return writeRing(path, rest, stdout)
	case "show":
		if err := noArgs(cmd, rest); err != nil {
			return err
		}
		b, err := ring.LoadBuilder(path)
		if err != nil {
			return err
		}
		showBuilder(path, b, stdout)
		return nil
	}
	return usagef("unknown command %q; run 'sciswift ring help' for usage", cmd)
}

func noArgs(cmd string, rest []string) error {
	if len(rest) > 0 {
		return usagef("%s takes no arguments (got %q)", cmd, strings.Join(rest, " "))
	}
	return nil
}

// withBuilder loads the builder, applies change, and saves it only if the
// whole change succeeded, so a bad argument halfway leaves the file as it
// was; change's report is printed only once the change is on disk.
func withBuilder(path string, stdout io.Writer, change func(*ring.Builder) ([]string, error)) error {
	b, err := ring.LoadBuilder(path)
	if err != nil {
		return err
	}
	report, err := change(b)
	if err != nil {
		return err
	}
	if err := b.SaveBuilder(path); err != nil {
		return err
	}
	for _, line := range report {
		fmt.Fprintln(stdout, line)
	}
	return nil
}

func createBuilder(path string, args []string, stdout io.Writer) error {
	if len(args) != 3 {
		return usagef("create needs PART_POWER REPLICAS MIN_PART_HOURS (got %d arguments)", len(args))
	}
	power, err := parseInt("part power", args[0])
	if err != nil {
		return err
	}
	replicas, err := parseInt("replica count", args[1])
	if err != nil {
		return err
	}
	hours, err := parseInt("min part hours", args[2])
	if err != nil {
		return err
	}
	if power < 0 {
		return usagef("part power %d must not be negative", power)
	}
	// Overwriting would throw away the partition history that keeps data
	// movement small, so starting over has to be deliberate.
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s already exists; remove it first to start a new ring", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	b, err := ring.NewBuilder(uint(power), replicas, hours)
	if err != nil {
		return err
	}
	if err := b.SaveBuilder(path); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created %s: %d partitions, %d replicas, min part hours %d.\n", path, 1<<power, replicas, hours)
	return nil
}

func parseInt(what, s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, usagef("%s must be a whole number, got %q", what, s)
	}
	return n, nil
}

func parseWeight(s string) (float64, error) {
	w, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, usagef("weight must be a number, got %q", s)
	}
	return w, nil
}

// parseDeviceID accepts "3" and swift-ring-builder's "d3".
func parseDeviceID(s string) (int, error) {
	id, err := strconv.Atoi(strings.TrimPrefix(s, "d"))
	if err != nil || id < 0 {
		return 0, usagef("device id must look like 3 or d3, got %q", s)
	}
	return id, nil
}

func addDevices(b *ring.Builder, args []string) ([]string, error) {
	var report []string
	if len(args) == 0 {
		return nil, usagef("add needs a device: --region R --zone Z --ip IP --port P --device NAME --weight W, or r1z1-IP:PORT/NAME WEIGHT")
	}
	var devs []ring.Device
	explicitID := false
	if strings.HasPrefix(args[0], "-") {
		d, hasID, err := parseAddFlags(args)
		if err != nil {
			return nil, err
		}
		devs, explicitID = []ring.Device{d}, hasID
	} else {
		if len(args)%2 != 0 {
			return nil, usagef("add takes DEVICE WEIGHT pairs; %q has no weight", args[len(args)-1])
		}
		for i := 0; i < len(args); i += 2 {
			d, err := parseCompactDevice(args[i])
			if err != nil {
				return nil, err
			}
			if d.Weight, err = parseWeight(args[i+1]); err != nil {
				return nil, err
			}
			devs = append(devs, d)
		}
	}
	for _, d := range devs {
		var err error
		if explicitID {
			err = b.AddDeviceWithID(d)
		} else {
			d.ID, err = b.AddDevice(d)
		}
		if err != nil {
			return nil, err
		}
		report = append(report, fmt.Sprintf("Device %v with weight %g got id %d.", d, d.Weight, d.ID))
	}
	return report, nil
}

// parseAddFlags reads the long form of add; it reports whether --id was given.
func parseAddFlags(args []string) (ring.Device, bool, error) {
	fl := flag.NewFlagSet("add", flag.ContinueOnError)
	fl.SetOutput(io.Discard) // errors are reported once, by runRing
	var d ring.Device
	fl.IntVar(&d.Region, "region", 1, "region")
	fl.IntVar(&d.Zone, "zone", 0, "zone")
	fl.StringVar(&d.IP, "ip", "", "ip address or host name")
	fl.IntVar(&d.Port, "port", 0, "port")
	fl.StringVar(&d.Name, "device", "", "device directory name")
	fl.Float64Var(&d.Weight, "weight", 0, "weight")
	fl.StringVar(&d.Meta, "meta", "", "free-form metadata")
	fl.StringVar(&d.ReplicationIP, "replication-ip", "", "replication ip (default: --ip)")
	fl.IntVar(&d.ReplicationPort, "replication-port", 0, "replication port (default: --port)")
	fl.IntVar(&d.ID, "id", -1, "device id (default: lowest free)")
	if err := fl.Parse(args); err != nil {
		return d, false, usagef("add: %v", err)
	}
	if fl.NArg() > 0 {
		return d, false, usagef("add: unexpected argument %q after the flags", fl.Arg(0))
	}
	set := map[string]bool{}
	fl.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, required := range []string{"zone", "ip", "port", "device", "weight"} {
		if !set[required] {
			return d, false, usagef("add: --%s is required", required)
		}
	}
	return d, set["id"], nil
}

// parseCompactDevice reads swift-ring-builder's device string:
// [r<region>]z<zone>-<ip>:<port>[R<replication ip>:<replication port>]/<device>[_<meta>],
// with IPv6 addresses in brackets.
func parseCompactDevice(s string) (ring.Device, error) {
	bad := func(why string) error {
		return usagef("device %q: %s (want e.g. r1z1-127.0.0.1:6200/d1)", s, why)
	}
	d := ring.Device{Region: 1}
	rest := s
	var err error
	if strings.HasPrefix(rest, "r") {
		if d.Region, rest, err = leadingInt(rest[1:]); err != nil {
			return d, bad("region is not a number")
		}
	}
	if !strings.HasPrefix(rest, "z") {
		return d, bad("missing z<zone>")
	}
	if d.Zone, rest, err = leadingInt(rest[1:]); err != nil {
		return d, bad("zone is not a number")
	}
	if !strings.HasPrefix(rest, "-") {
		return d, bad("missing '-' before the address")
	}
	if d.IP, d.Port, rest, err = splitAddr(rest[1:]); err != nil {
		return d, bad(err.Error())
	}
	if strings.HasPrefix(rest, "R") {
		if d.ReplicationIP, d.ReplicationPort, rest, err = splitAddr(rest[1:]); err != nil {
			return d, bad("replication " + err.Error())
		}
	}
	name, ok := strings.CutPrefix(rest, "/")
	if !ok || name == "" {
		return d, bad("missing /<device>")
	}
	d.Name, d.Meta, _ = strings.Cut(name, "_")
	return d, nil
}

// leadingInt splits "12-rest" into 12 and "-rest".
func leadingInt(s string) (int, string, error) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, err := strconv.Atoi(s[:i])
	return n, s[i:], err
}

// splitAddr reads "ip:port" or "[v6]:port" from the front of s.
func splitAddr(s string) (ip string, port int, rest string, err error) {
	if v6, ok := strings.CutPrefix(s, "["); ok {
		end := strings.Index(v6, "]")
		if end < 0 {
			return "", 0, "", errors.New("unclosed '[' in the address")
		}
		ip, s = v6[:end], v6[end+1:]
	} else {
		colon := strings.Index(s, ":")
		if colon < 0 {
			return "", 0, "", errors.New("address has no :port")
		}
		ip, s = s[:colon], s[colon:]
	}
	after, ok := strings.CutPrefix(s, ":")
	if !ok || ip == "" {
		return "", 0, "", errors.New("address must be ip:port")
	}
	port, rest, err = leadingInt(after)
	if err != nil {
		return "", 0, "", errors.New("port is not a number")
	}
	return ip, port, rest, nil
}

func removeDevices(b *ring.Builder, args []string) ([]string, error) {
	var report []string
	if len(args) == 0 {
		return nil, usagef("remove needs at least one device id")
	}
	for _, a := range args {
		id, err := parseDeviceID(a)
		if err != nil {
			return nil, err
		}
		if err := b.RemoveDevice(id); err != nil {
			return nil, err
		}
		report = append(report, fmt.Sprintf("Device %d marked for removal; rebalance to move its partitions off.", id))
	}
	return report, nil
}

func setWeights(b *ring.Builder, args []string) ([]string, error) {
	var report []string
	if len(args) == 0 || len(args)%2 != 0 {
		return nil, usagef("set_weight takes ID WEIGHT pairs (got %d arguments)", len(args))
	}
	for i := 0; i < len(args); i += 2 {
		id, err := parseDeviceID(args[i])
		if err != nil {
			return nil, err
		}
		w, err := parseWeight(args[i+1])
		if err != nil {
			return nil, err
		}
		if err := b.SetWeight(id, w); err != nil {
			return nil, err
		}
		report = append(report, fmt.Sprintf("Device %d weight set to %g; rebalance to apply.", id, w))
	}
	return report, nil
}

// ringPathFor is swift-ring-builder's naming: foo.builder → foo.ring.gz.
func ringPathFor(builderPath string) string {
	return strings.TrimSuffix(builderPath, ".builder") + ".ring.gz"
}

func rebalance(path string, args []string, stdout io.Writer) error {
	if err := noArgs("rebalance", args); err != nil {
		return err
	}
	b, err := ring.LoadBuilder(path)
	if err != nil {
		return err
	}
	moved, balance, err := b.Rebalance()
	if err != nil {
		return err
	}
	// The builder first: if writing the ring then fails, write_ring can
	// redo it, whereas a ring the builder does not know about could not be
	// rebalanced from safely.
	if err := b.SaveBuilder(path); err != nil {
		return err
	}
	if err := saveRing(b, ringPathFor(path)); err != nil {
		return err
	}
	parts := 1 << b.PartPower()
	if moved == 0 {
		fmt.Fprintf(stdout, "No partitions could be reassigned (nothing changed, or min part hours %d holds them). Balance is %.2f.\n",
			b.MinPartHours(), balance)
	} else {
		fmt.Fprintf(stdout, "Reassigned %d (%.2f%%) partitions. Balance is now %.2f.\n",
			moved, 100*float64(moved)/float64(parts), balance)
	}
	fmt.Fprintf(stdout, "Wrote %s (version %d).\n", ringPathFor(path), b.Version())
	return nil
}

func writeRing(path string, args []string, stdout io.Writer) error {
	if err := noArgs("write_ring", args); err != nil {
		return err
	}
	b, err := ring.LoadBuilder(path)
	if err != nil {
		return err
	}
	if err := saveRing(b, ringPathFor(path)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote %s (version %d).\n", ringPathFor(path), b.Version())
	return nil
}

func saveRing(b *ring.Builder, path string) error {
	r, err := b.Ring()
	if err != nil {
		return err
	}
	return r.Save(path)
}

func showBuilder(path string, b *ring.Builder, w io.Writer) {
	devs := b.Devices()
	fmt.Fprintf(w, "%s, build version %d\n", path, b.Version())
	fmt.Fprintf(w, "%d partitions, %d replicas, %s, %.2f balance\n",
		1<<b.PartPower(), b.Replicas(), tierSummary(builderDevices(devs)), b.Balance())
	fmt.Fprintf(w, "The minimum number of hours before a partition can be reassigned is %d\n", b.MinPartHours())
	if _, err := b.Ring(); err != nil {
		fmt.Fprintln(w, "Not rebalanced yet: no ring can be written.")
	}
	if len(devs) == 0 {
		fmt.Fprintln(w, "No devices.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "id\tregion\tzone\tip address:port\treplication ip:port\tname\tweight\tpartitions\tbalance\tflags\tmeta\t")
	for _, d := range devs {
		flags := ""
		if d.Removing {
			flags = "DEL"
		}
		fmt.Fprintf(tw, "%d\t%d\t%d\t%s\t%s\t%s\t%.2f\t%d\t%.2f\t%s\t%s\t\n",
			d.ID, d.Region, d.Zone, hostPortString(d.IP, d.Port), hostPortString(d.ReplicationIP, d.ReplicationPort),
			d.Name, d.Weight, d.Parts, d.Balance, flags, d.Meta)
	}
	tw.Flush()
}

func showRing(path string, w io.Writer) error {
	r, err := ring.Load(path)
	if err != nil {
		return err
	}
	devs := r.Devices()
	version := "unknown"
	if v, ok := r.Version(); ok {
		version = strconv.FormatInt(v, 10)
	}
	fmt.Fprintf(w, "%s, version %s\n", path, version)
	fmt.Fprintf(w, "%d partitions, %d replicas, %s\n", r.PartitionCount(), r.ReplicaCount(), tierSummary(devs))
	parts := r.PartitionsPerDevice()
	totalWeight, totalParts := 0.0, 0
	for _, d := range devs {
		totalWeight += d.Weight
		totalParts += parts[d.ID]
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "id\tregion\tzone\tip address:port\treplication ip:port\tname\tweight\tpartitions\tbalance\tmeta\t")
	for _, d := range devs {
		balance := "-"
		if d.Weight > 0 && totalWeight > 0 {
			want := d.Weight / totalWeight * float64(totalParts)
			balance = fmt.Sprintf("%.2f", 100*float64(parts[d.ID])/want-100)
		}
		fmt.Fprintf(tw, "%d\t%d\t%d\t%s\t%s\t%s\t%.2f\t%d\t%s\t%s\t\n",
			d.ID, d.Region, d.Zone, hostPortString(d.IP, d.Port), hostPortString(d.ReplicationIP, d.ReplicationPort),
			d.Name, d.Weight, parts[d.ID], balance, d.Meta)
	}
	return tw.Flush()
}

func builderDevices(devs []ring.BuilderDevice) []ring.Device {
	out := make([]ring.Device, len(devs))
	for i, d := range devs {
		out[i] = d.Device
	}
	return out
}

// tierSummary counts regions, zones and devices, as swift-ring-builder's
// header line does.
func tierSummary(devs []ring.Device) string {
	regions := map[int]bool{}
	zones := map[[2]int]bool{}
	for _, d := range devs {
		regions[d.Region] = true
		zones[[2]int{d.Region, d.Zone}] = true
	}
	return fmt.Sprintf("%d regions, %d zones, %d devices", len(regions), len(zones), len(devs))
}

func hostPortString(ip string, port int) string {
	if strings.Contains(ip, ":") {
		return fmt.Sprintf("[%s]:%d", ip, port)
	}
	return fmt.Sprintf("%s:%d", ip, port)
}
