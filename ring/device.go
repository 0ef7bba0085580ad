package ring

import (
	"fmt"
	"net"
	"strconv"
)

// Device is one disk in the cluster, as a ring names it.
type Device struct {
	ID     int
	Region int
	Zone   int
	IP     string
	Port   int
	Name   string // device directory name, e.g. "d1"
	Weight float64
	Meta   string

	// ReplicationIP and ReplicationPort are where replicators talk to the
	// device; Swift lets operators put replication on its own network.
	// Empty/zero means "same as IP/Port".
	ReplicationIP   string
	ReplicationPort int
}

// String renders the device the way swift-ring-builder does:
// d<id>r<region>z<zone>-<ip>:<port>R<repl ip>:<repl port>/<name>_"<meta>".
// Only the parts that carry information are shown.
func (d Device) String() string {
	s := fmt.Sprintf("d%dr%dz%d-%s/%s", d.ID, d.Region, d.Zone, hostPort(d.IP, d.Port), d.Name)
	if rip, rport := d.replicationAddr(); rip != d.IP || rport != d.Port {
		s = fmt.Sprintf("d%dr%dz%d-%sR%s/%s", d.ID, d.Region, d.Zone,
			hostPort(d.IP, d.Port), hostPort(rip, rport), d.Name)
	}
	if d.Meta != "" {
		s += "_" + strconv.Quote(d.Meta)
	}
	return s
}

// replicationAddr fills in Swift's defaults for rings that predate the
// replication network.
func (d Device) replicationAddr() (string, int) {
	ip, port := d.ReplicationIP, d.ReplicationPort
	if ip == "" {
		ip = d.IP
	}
	if port == 0 {
		port = d.Port
	}
	return ip, port
}

func hostPort(ip string, port int) string {
	return net.JoinHostPort(ip, strconv.Itoa(port))
}

// ipTier identifies a server; Swift ignores the port here because several
// ports on one address are still one machine.
type ipTier struct {
	region, zone int
	ip           string
}

type zoneTier struct{ region, zone int }

func (d *Device) zoneTier() zoneTier { return zoneTier{d.Region, d.Zone} }
func (d *Device) ipTier() ipTier     { return ipTier{d.Region, d.Zone, d.IP} }
