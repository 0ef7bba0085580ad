package proxy

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/ring"
	"github.com/sciswift/sciswift/server/swift"
)

func replies(statuses ...int) []reply {
	out := make([]reply, len(statuses))
	for i, s := range statuses {
		out[i] = reply{status: s}
	}
	return out
}

// The cases follow Swift's best_response: the first status class (in
// 1xx..4xx order) that a quorum falls in wins, with its largest status.
func TestBestResponse(t *testing.T) {
	tests := []struct {
		statuses  []int
		quorum    int
		overrides map[int]int
		want      int // 503 when there is no quorum
	}{
		{[]int{201, 201, 201}, 2, nil, 201},
		{[]int{201, 201, 503}, 2, nil, 201},
		{[]int{201, 503, 503}, 2, nil, 503},
		{[]int{201, 202, 202}, 2, nil, 202},
		{[]int{404, 404, 204}, 2, nil, 404},
		{[]int{404, 409, 409}, 2, nil, 409},
		{[]int{204, 404, 503}, 2, nil, 503},
		{[]int{204, 404, 503}, 2, map[int]int{404: 204}, 204},
		{[]int{404, 404, 404}, 2, map[int]int{404: 204}, 404},
		{[]int{201, 404, 409}, 2, nil, 409},
		{[]int{507, 507, 404}, 2, nil, 503},
		{[]int{201}, 1, nil, 201},
		{[]int{503}, 1, nil, 503},
		{[]int{201, 201}, 2, nil, 201},
		{[]int{201, 503}, 2, nil, 503},
		{nil, 1, nil, 503},
	}
	for _, tc := range tests {
		rep, err := bestResponse(replies(tc.statuses...), tc.quorum, tc.overrides)
		got := rep.status
		if err != nil {
			got = swift.Status(err)
		}
		if got != tc.want {
			t.Errorf("bestResponse(%v, quorum %d, %v) = %d, want %d", tc.statuses, tc.quorum, tc.overrides, got, tc.want)
		}
	}
}

func TestQuorumSize(t *testing.T) {
	for n, want := range map[int]int{1: 1, 2: 2, 3: 2, 4: 3, 5: 3} {
		if got := quorumSize(n); got != want {
			t.Errorf("quorumSize(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestPutVerdict(t *testing.T) {
	etag := func(status int, e string) reply {
		return reply{status: status, header: http.Header{"Etag": {e}}}
	}
	tests := []struct {
		name    string
		replies []reply
		want    int
		etag    string
	}{
		{"agree", []reply{etag(201, `"a"`), etag(201, "a"), unavailable()}, 201, "a"},
		{"mismatch", []reply{etag(201, "a"), etag(201, "b"), etag(201, "a")}, 500, ""},
		{"no quorum", []reply{etag(201, "a"), unavailable(), unavailable()}, 503, ""},
		{"unprocessable", []reply{{status: 422}, {status: 422}, etag(201, "a")}, 422, "a"},
	}
	for _, tc := range tests {
		rep, err := putVerdict(tc.replies, 2)
		got := rep.status
		if err != nil {
			got = swift.Status(err)
		}
		if got != tc.want || (err == nil && rep.header.Get("Etag") != tc.etag) {
			t.Errorf("%s: %d etag %q, want %d %q", tc.name, got, rep.header.Get("Etag"), tc.want, tc.etag)
		}
	}
}

func TestCheckConnections(t *testing.T) {
	p := &putter{}
	tests := []struct {
		name    string
		putters []*putter
		finals  []reply
		inm     bool
		want    int // 0: go on
	}{
		{"all connected", []*putter{p, p, p}, nil, false, 0},
		{"quorum connected", []*putter{p, p}, nil, false, 0},
		{"too few", []*putter{p}, nil, false, 503},
		{"conflict", []*putter{p, p}, replies(409), false, 202},
		{"if-none-match hit", []*putter{p, p}, replies(412), true, 412},
		{"412 without if-none-match counts", []*putter{p}, replies(412), false, 0},
	}
	for _, tc := range tests {
		rep, err := checkConnections(tc.putters, tc.finals, 2, tc.inm)
		got := rep.status
		if err != nil {
			got = swift.Status(err)
		}
		if got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestObjectHeaders checks Swift's spreading of container and expirer
// updates over the object replicas.
func TestObjectHeaders(t *testing.T) {
	devs := func(names ...string) []ring.Device {
		out := make([]ring.Device, len(names))
		for i, n := range names {
			out[i] = ring.Device{IP: "10.0.0." + string(rune('1'+i)), Port: 6201, Name: n}
		}
		return out
	}
	tests := []struct {
		objects, containers int
		want                []string // X-Container-Host per object replica
	}{
		{3, 3, []string{"10.0.0.1:6201", "10.0.0.2:6201", "10.0.0.3:6201"}},
		{1, 1, []string{"10.0.0.1:6201"}},
		{1, 3, []string{"10.0.0.1:6201,10.0.0.2:6201,10.0.0.3:6201"}},
		{3, 1, []string{"10.0.0.1:6201", "10.0.0.1:6201", ""}},
		{2, 2, []string{"10.0.0.1:6201", "10.0.0.2:6201"}},
		{4, 3, []string{"10.0.0.1:6201", "10.0.0.2:6201", "10.0.0.3:6201", ""}},
	}
	s := &Server{}
	for _, tc := range tests {
		op := placement{primaries: make([]ring.Device, tc.objects)}
		ci := containerInfo{place: placement{part: 7, primaries: devs("c1", "c2", "c3")[:tc.containers]}}
		headers, err := s.objectHeaders(context.Background(), op, ci, http.Header{}, "tx")
		if err != nil {
			t.Fatal(err)
		}
		for i, h := range headers {
			if h.Get(swift.HeaderContainerHost) != tc.want[i] || h.Get(swift.HeaderContainerPartition) != "7" {
				t.Errorf("%d objects, %d containers: replica %d host %q, want %q",
					tc.objects, tc.containers, i, h.Get(swift.HeaderContainerHost), tc.want[i])
			}
			if hosts, devices := h.Get(swift.HeaderContainerHost), h.Get(swift.HeaderContainerDevice); strings.Count(hosts, ",") != strings.Count(devices, ",") {
				t.Errorf("hosts %q and devices %q do not pair", hosts, devices)
			}
		}
	}
}

func TestNumContainerUpdates(t *testing.T) {
	tests := []struct{ containers, objects, want int }{
		{3, 3, 3}, {1, 1, 1}, {3, 1, 3}, {1, 3, 2}, {2, 4, 3}, {3, 5, 4}, {1, 4, 2},
	}
	for _, tc := range tests {
		if got := numContainerUpdates(tc.containers, tc.objects); got != tc.want {
			t.Errorf("numContainerUpdates(%d, %d) = %d, want %d", tc.containers, tc.objects, got, tc.want)
		}
	}
}
