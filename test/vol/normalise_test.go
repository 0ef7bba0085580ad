package voltest

import (
	"regexp"
	"strings"
	"testing"
)

// What the comparisons of native and connector output normalise, and why.
// Nothing else is touched: every other byte must be the same.
//
// h5dump (any options): the first line, HDF5 "NAME" {, names the file as
// given on the command line, a local path natively and CONTAINER/NAME
// through the connector.
//
// h5dump -p (storage properties) in addition:
//   - "OFFSET n" of a contiguous dataset, a byte address in the file, is
//     printed for files of the native connector only: dropped.
//   - "SIZE n (r:1 COMPRESSION)" of a filtered dataset is the compressed
//     size, which depends on the compressor's exact output (the C programs
//     check it is smaller than the data); uncompressed sizes are compared.
//
// h5ls -r -v in addition:
//   - the "Opened "NAME" with DRIVER driver." line names the file and the
//     native file driver: dropped.
//   - "Location: fileno:token" is the object's address natively and the
//     connector's token through it (the C programs check tokens behave);
//     so is the "shared-fileno:token" prefix of a committed datatype's
//     "Type:" (both print tokens as decimal numbers, glued to the type).
//   - "Modified:" (and Accessed/Changed/Birth) are times: dropped.
//   - in the "Storage:" line of a dataset that has filters, the allocated
//     bytes and utilisation (compressed sizes, as above).

var (
	dumpHeader     = regexp.MustCompile(`^HDF5 ".*" \{$`)
	dumpOffset     = regexp.MustCompile(`^\s+OFFSET (\d+|HADDR_UNDEF)$`)
	dumpCompressed = regexp.MustCompile(`^(\s+SIZE )\d+ \([0-9.]+:1 COMPRESSION\)$`)

	lsOpened   = regexp.MustCompile(`^Opened ".*" with .* driver\.$`)
	lsLocation = regexp.MustCompile(`^(\s+Location:\s+)\S+$`)
	lsShared   = regexp.MustCompile(`(\sType:\s+shared-)\d+:\d+`)
	lsTime     = regexp.MustCompile(`^\s+(Modified|Accessed|Changed|Birth):`)
	lsFilter   = regexp.MustCompile(`^\s+Filter-\d+:`)
	lsStorage  = regexp.MustCompile(`^(\s+Storage:\s+\d+ logical bytes), .*$`)
)

// normaliseDump normalises h5dump output; props is true for -p.
func normaliseDump(out string, props bool) string {
	lines := strings.Split(out, "\n")
	if len(lines) > 0 && dumpHeader.MatchString(lines[0]) {
		lines[0] = `HDF5 "FILE" {`
	}
	if !props {
		return strings.Join(lines, "\n")
	}
	var kept []string
	for _, l := range lines {
		if !dumpOffset.MatchString(l) {
			kept = append(kept, dumpCompressed.ReplaceAllString(l, "${1}<compressed>"))
		}
	}
	return strings.Join(kept, "\n")
}

// normaliseLs normalises h5ls -r -v output.
func normaliseLs(out string) string {
	var kept []string
	block := -1 // index in kept of the current object's first line
	filtered := false
	flush := func() {
		if block < 0 || !filtered {
			return
		}
		for i := block; i < len(kept); i++ {
			kept[i] = lsStorage.ReplaceAllString(kept[i], "${1}, <compressed>")
		}
	}
	for _, l := range strings.Split(out, "\n") {
		switch {
		case lsOpened.MatchString(l), lsTime.MatchString(l):
			continue
		case l != "" && l[0] != ' ':
			flush()
			block, filtered = len(kept), false
		case lsFilter.MatchString(l):
			filtered = true
		}
		l = lsLocation.ReplaceAllString(l, "${1}<token>")
		kept = append(kept, lsShared.ReplaceAllString(l, "${1}<token>"))
	}
	flush()
	return strings.Join(kept, "\n")
}

func TestNormaliseDump(t *testing.T) {
	cases := []struct {
		name  string
		props bool
		in    string
		want  string
	}{
		{"header only", false,
			"HDF5 \"/tmp/x/run1.h5\" {\nGROUP \"/\" {\n   ATTRIBUTE \"HDF5 \\\"a\\\" {\" {\n}\n}\n",
			"HDF5 \"FILE\" {\nGROUP \"/\" {\n   ATTRIBUTE \"HDF5 \\\"a\\\" {\" {\n}\n}\n"},
		{"offsets untouched without -p", false,
			"HDF5 \"c/r.h5\" {\n            OFFSET 2048\n",
			"HDF5 \"FILE\" {\n            OFFSET 2048\n"},
		{"properties", true,
			"HDF5 \"c/r.h5\" {\n            SIZE 480\n            OFFSET 2048\n            SIZE 0\n            OFFSET HADDR_UNDEF\n            SIZE 369 (21.680:1 COMPRESSION)\n",
			"HDF5 \"FILE\" {\n            SIZE 480\n            SIZE 0\n            SIZE <compressed>\n"},
		{"an error is not a header", false,
			"h5dump error: unable to open file \"c/r.h5\"\n",
			"h5dump error: unable to open file \"c/r.h5\"\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := normaliseDump(tc.in, tc.props); got != tc.want {
				t.Errorf("normaliseDump:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestNormaliseLs(t *testing.T) {
	in := `Opened "d.h5" with sec2 driver.
/                        Group
    Location:  1:96
    Links:     1
/grp                     Group
    Location:  1:1096
    Links:     1
    Modified:  2026-11-23 18:01:43 UTC
/filters/shuffle_deflate Dataset {1000/1000}
    Location:  1:49216
    Links:     1
    Chunks:    {128} 1024 bytes
    Storage:   8000 logical bytes, 369 allocated bytes, 2168.02% utilization
    Filter-0:  shuffle-2 OPT {8}
    Filter-1:  deflate-1 OPT {6}
    Type:      native double
/sel/contiguous          Dataset {12/12, 10/10}
    Location:  1:29744
    Links:     2
    Storage:   480 logical bytes, 480 allocated bytes, 100.00% utilization
    Type:      native int
/typed/points            Dataset {4/4}
    Attribute: level scalar
        Type:      shared-1:9838enum native unsigned char {
                   LOW              = 0
               }
    Type:      shared-1:9174struct {
               } 12 bytes
`
	want := `/                        Group
    Location:  <token>
    Links:     1
/grp                     Group
    Location:  <token>
    Links:     1
/filters/shuffle_deflate Dataset {1000/1000}
    Location:  <token>
    Links:     1
    Chunks:    {128} 1024 bytes
    Storage:   8000 logical bytes, <compressed>
    Filter-0:  shuffle-2 OPT {8}
    Filter-1:  deflate-1 OPT {6}
    Type:      native double
/sel/contiguous          Dataset {12/12, 10/10}
    Location:  <token>
    Links:     2
    Storage:   480 logical bytes, 480 allocated bytes, 100.00% utilization
    Type:      native int
/typed/points            Dataset {4/4}
    Attribute: level scalar
        Type:      shared-<token>enum native unsigned char {
                   LOW              = 0
               }
    Type:      shared-<token>struct {
               } 12 bytes
`
	if got := normaliseLs(in); got != want {
		t.Errorf("normaliseLs:\n%s\nwant:\n%s\n%s", got, want, firstDifference(want, got, 2))
	}
}
