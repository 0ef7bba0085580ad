package diskfile

import (
	"slices"
	"testing"
	"time"
)

func names(fs []fileInfo) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.name)
	}
	slices.Sort(out)
	return out
}

func name(f *fileInfo) string {
	if f == nil {
		return ""
	}
	return f.name
}

func TestGather(t *testing.T) {
	const (
		d1 = "1700000001.00000.data"
		m2 = "1700000002.00000.meta"
		d3 = "1700000003.00000.data"
		m4 = "1700000004.00000.meta"
		t5 = "1700000005.00000.ts"
		m6 = "1700000006.00000.meta"
		d5 = "1700000005.00000.data"
		o1 = "1700000001.00000_0000000000000001.data"
	)
	recent := time.Unix(1600000000, 0)
	tests := []struct {
		name            string
		files           []string
		reclaim         time.Time
		data, meta, ts  string
		obsolete, other []string
	}{
		{name: "empty"},
		{name: "one data", files: []string{d1}, data: d1},
		{name: "newest data wins", files: []string{d1, d3}, data: d3, obsolete: []string{d1}},
		{name: "meta newer than data applies", files: []string{d1, m2}, data: d1, meta: m2},
		{name: "meta older than data is obsolete", files: []string{m2, d3}, data: d3, obsolete: []string{m2}},
		{name: "only newest meta", files: []string{d1, m2, m4}, data: d1, meta: m4, obsolete: []string{m2}},
		{name: "tombstone deletes", files: []string{d1, m2, d3, m4, t5}, ts: t5, obsolete: []string{d1, d3, m2, m4}},
		{name: "meta after tombstone is obsolete", files: []string{t5, m6}, ts: t5, obsolete: []string{m6}},
		{name: "data after tombstone wins", files: []string{d1, t5, "1700000007.00000.data"}, data: "1700000007.00000.data", obsolete: []string{d1, t5}},
		{name: "tombstone beats data of equal time", files: []string{d5, t5}, ts: t5, obsolete: []string{d5}},
		{name: "offset sorts after", files: []string{d1, o1}, data: o1, obsolete: []string{d1}},
		{name: "orphan meta kept", files: []string{m2}, reclaim: recent, meta: m2},
		{name: "old orphan meta reclaimed", files: []string{m2}, reclaim: time.Unix(1800000000, 0), obsolete: []string{m2}},
		{name: "old tombstone reclaimed", files: []string{d1, t5}, reclaim: time.Unix(1800000000, 0), obsolete: []string{d1, t5}},
		{name: "strangers ignored", files: []string{"junk", "1700000001.data", "x.data", ".lock", d1}, data: d1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			od := gather(tt.files, tt.reclaim)
			if name(od.data) != tt.data || name(od.meta) != tt.meta || name(od.tomb) != tt.ts {
				t.Errorf("chose data=%q meta=%q ts=%q; want %q %q %q", name(od.data), name(od.meta), name(od.tomb), tt.data, tt.meta, tt.ts)
			}
			want := slices.Sorted(slices.Values(tt.obsolete))
			if got := names(od.obsolete); !slices.Equal(got, want) {
				t.Errorf("obsolete %v, want %v", got, want)
			}
		})
	}
}
