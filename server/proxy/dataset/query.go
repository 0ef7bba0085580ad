package dataset

import (
	"net/url"
	"slices"
	"strings"

	"github.com/sciswift/sciswift/formats/encode"
	"github.com/sciswift/sciswift/server/swift"
)

// encodings are the format= values, json first as the default.
var encodings = []string{encode.JSON, encode.NPY, encode.CSV, encode.Arrow, encode.Raw}

// query is what the dataset API reads from a query string.
type query struct {
	describe   bool
	dataset    string // the dataset's path; "" with describe
	selectExpr string
	format     string
	// manifestGet asks for the stored object itself, never a VOL-written
	// file streamed as HDF5: multipart-manifest=get, or Swift's
	// symlink=get, which swiftclient sends to see what is stored before it
	// deletes it (a half-deleted file cannot be streamed, and its HEAD must
	// not stop the delete).
	manifestGet bool
}

// parseQuery reads rawQuery. isAPI reports a dataset API request
// (describe or dataset= present); the error is a 400 naming the problem.
func parseQuery(rawQuery string) (q query, isAPI bool, err error) {
	v, err := url.ParseQuery(rawQuery)
	if err != nil {
		// Someone else's malformed query is someone else's business, as
		// Swift's lenient parse_qs leaves it.
		if strings.Contains(rawQuery, "describe") || strings.Contains(rawQuery, "dataset") {
			return q, true, swift.Errorf(swift.ErrBadRequest, "malformed query string: %v", err)
		}
		return q, false, nil
	}
	q.manifestGet = v.Get("multipart-manifest") == "get" || v.Get("symlink") == "get"
	_, q.describe = v["describe"]
	paths, hasDataset := v["dataset"]
	if !q.describe && !hasDataset {
		return q, false, nil
	}
	if q.describe && hasDataset {
		return q, true, swift.Errorf(swift.ErrBadRequest, "describe and dataset= cannot be combined: describe shows the whole file")
	}
	if q.describe {
		return q, true, nil
	}
	if len(paths) != 1 || len(v["select"]) > 1 || len(v["format"]) > 1 {
		return q, true, swift.Errorf(swift.ErrBadRequest, "dataset=, select= and format= may each be given once")
	}
	q.dataset = paths[0]
	if q.dataset == "" {
		return q, true, swift.Errorf(swift.ErrBadRequest, "dataset= needs a path, such as dataset=/wind/u (see ?describe)")
	}
	if q.dataset[0] != '/' {
		q.dataset = "/" + q.dataset
	}
	q.selectExpr = v.Get("select")
	q.format = v.Get("format")
	if q.format == "" {
		q.format = encode.JSON
	}
	if !slices.Contains(encodings, q.format) {
		return q, true, swift.Errorf(swift.ErrBadRequest, "format=%s: want one of json, npy, csv, arrow, raw", q.format)
	}
	return q, true, nil
}
