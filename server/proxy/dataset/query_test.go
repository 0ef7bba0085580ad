package dataset

import (
	"errors"
	"net/http"
	"testing"

	"github.com/sciswift/sciswift/server/swift"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		raw   string
		isAPI bool
		want  query
		bad   bool
	}{
		{"", false, query{}, false},
		{"multipart-manifest=get", false, query{manifestGet: true}, false},
		{"symlink=get", false, query{manifestGet: true}, false},
		{"describe", true, query{describe: true}, false},
		{"describe=", true, query{describe: true}, false},
		{"dataset=/a/b", true, query{dataset: "/a/b", format: "json"}, false},
		{"dataset=a%2Fb&select=%5B0:4%5D&format=npy", true, query{dataset: "/a/b", selectExpr: "[0:4]", format: "npy"}, false},
		{"dataset=/x&format=raw&select=", true, query{dataset: "/x", format: "raw"}, false},
		{"dataset=", true, query{}, true},
		{"dataset=/x&dataset=/y", true, query{}, true},
		{"dataset=/x&format=xml", true, query{}, true},
		{"dataset=/x&format=json&format=csv", true, query{}, true},
		{"describe&dataset=/x", true, query{}, true},
		{"dataset=%zz", true, query{}, true},
		{"foo=%zz", false, query{}, false},
		{"format=json", false, query{}, false},
	}
	for _, tt := range tests {
		q, isAPI, err := parseQuery(tt.raw)
		if (err != nil) != tt.bad || isAPI != tt.isAPI {
			t.Errorf("%q: api=%v err=%v", tt.raw, isAPI, err)
			continue
		}
		if err != nil {
			if swift.Status(err) != http.StatusBadRequest {
				t.Errorf("%q: status %d", tt.raw, swift.Status(err))
			}
			continue
		}
		if q != tt.want {
			t.Errorf("%q: %+v, want %+v", tt.raw, q, tt.want)
		}
	}
}

// FuzzParseQuery: any query string is either not the API's, a 400, or a
// request whose dataset path is absolute and whose format is one of the
// encodings.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"describe", "dataset=/a&select=[0:1]&format=csv", "dataset=&x", "%", "dataset=/x&format=arrow&select=[::2,3]", "describe&dataset"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, isAPI, err := parseQuery(raw)
		if err != nil {
			if !errors.Is(err, swift.ErrBadRequest) {
				t.Fatalf("%q: error %v is not a 400", raw, err)
			}
			return
		}
		if !isAPI || q.describe {
			return
		}
		if q.dataset == "" || q.dataset[0] != '/' {
			t.Fatalf("%q: dataset path %q", raw, q.dataset)
		}
		ok := false
		for _, e := range encodings {
			ok = ok || e == q.format
		}
		if !ok {
			t.Fatalf("%q: format %q", raw, q.format)
		}
	})
}
