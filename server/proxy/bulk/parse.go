package bulk

import (
	"bytes"
	"io"

	"github.com/sciswift/sciswift/server/swift"
)

// maxPathLength is the longest "/container/object" a body line can name;
// Swift reads the body in chunks of this size.
func maxPathLength(l swift.Limits) int {
	return l.MaxObjectNameLength + l.MaxContainerNameLength + 2
}

// parseDeleteBody reads a bulk-delete body, one URL-encoded name per line,
// exactly as Swift's get_objs_to_delete does, limits included: empty
// lines count toward maxDeletes (and are skipped later), and a line that
// grows past twice maxPath without a newline is an invalid name. The body
// is read in chunks so that a huge body is refused before it is all read.
func parseDeleteBody(body io.Reader, maxDeletes, maxPath int) ([]string, error) {
	var names []string
	var line []byte
	chunk := make([]byte, maxPath)
	for more := true; more; {
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			names = append(names, unescapeName(string(trimSpace(line[:i]))))
			line = line[i+1:]
		} else {
			n, err := io.ReadFull(body, chunk)
			line = append(line, chunk[:n]...)
			if n == 0 {
				if err != io.EOF {
					// Swift would log the read failure and give up.
					return nil, swift.Errorf(swift.ErrClientDisconnect, "")
				}
				more = false
				if last := trimSpace(line); len(last) > 0 {
					names = append(names, unescapeName(string(last)))
				}
			}
		}
		if len(names) > maxDeletes {
			return nil, swift.Errorf(swift.ErrEntityTooLarge, "Maximum Bulk Deletes: %d per request", maxDeletes)
		}
		if len(line) > maxPath*2 {
			return nil, swift.Errorf(swift.ErrBadRequest, "Invalid File Name")
		}
	}
	return names, nil
}

// trimSpace strips what Python's bytes.strip strips.
func trimSpace(b []byte) []byte { return bytes.Trim(b, " \t\n\r\v\f") }
