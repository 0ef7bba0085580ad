package dataset_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/server/proxy/dataset"
)

func jsonValue(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %v: %.200s", err, b)
	}
	return v
}

func TestFITS(t *testing.T) {
	s := newStore(t, nil)
	u := s.login(t, "test:tester", "testing")
	path, data := fitsFile(t)
	u.must(t, "PUT", "/sky", nil, nil, 201)
	// The name says nothing: the bytes do.
	u.must(t, "PUT", "/sky/survey.dat", nil, bytes.NewReader(data), 201)

	r := u.must(t, "GET", "/sky/survey.dat?describe", nil, nil, 200)
	var tree formats.Tree
	if err := json.Unmarshal(r.body, &tree); err != nil {
		t.Fatal(err)
	}
	if tree.Format != "fits" || len(tree.Root.Datasets) == 0 || tree.Root.Datasets[0].Path != "/HDU0" ||
		!reflect.DeepEqual(tree.Root.Datasets[0].Shape, []uint64{200, 300}) {
		t.Fatalf("describe: %s", r.body)
	}
	if r.header.Get("Content-Type") != "application/json; charset=utf-8" || r.header.Get("X-Sciswift-Format") != "fits" {
		t.Errorf("describe headers: %v", r.header)
	}
	head := u.must(t, "HEAD", "/sky/survey.dat?describe", nil, nil, 200)
	if head.header.Get("Content-Length") != strconv.Itoa(len(r.body)) || len(head.body) != 0 {
		t.Errorf("HEAD ?describe: %v, %d body bytes", head.header, len(head.body))
	}

	cases := []struct{ hdu, query, numpy string }{
		{"0", "dataset=/HDU0&select=[0:10:2,5:7]", "[0:10:2, 5:7]"},
		{"0", "dataset=HDU0&select=[199,::100]&format=json", "[199, ::100]"},
		{"1", "dataset=/HDU1&select=[3:5,:]", "[3:5, :]"},
	}
	for _, c := range cases {
		r := u.must(t, "GET", "/sky/survey.dat?"+c.query, nil, nil, 200)
		want := astropyValues(t, path, c.hdu, c.numpy)
		if got := jsonValue(t, r.body); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, astropy reads %v", c.query, got, want)
		}
		src, err := strconv.Atoi(r.header.Get(dataset.HeaderSourceBytes))
		t.Logf("%s: %d source bytes of a %d-byte FITS file", c.query, src, len(data))
		if err != nil || src <= 0 || src >= len(data)/4 {
			t.Errorf("%s: %s = %q for an object of %d bytes", c.query, dataset.HeaderSourceBytes, r.header.Get(dataset.HeaderSourceBytes), len(data))
		}
	}

	// npy, read back by NumPy itself.
	r = u.must(t, "GET", "/sky/survey.dat?dataset=/HDU0&select=[10:20,30:33]&format=npy", nil, nil, 200)
	npy := filepath.Join(t.TempDir(), "cut.npy")
	if err := os.WriteFile(npy, r.body, 0o644); err != nil {
		t.Fatal(err)
	}
	same := runPython(t, `
import sys, numpy as np
from astropy.io import fits
print(np.array_equal(np.load(sys.argv[1]), fits.getdata(sys.argv[2])[10:20, 30:33]))`, npy, path)
	if strings.TrimSpace(string(same)) != "True" {
		t.Errorf("numpy.load of the npy answer differs from astropy: %s", same)
	}
}

func TestParquet(t *testing.T) {
	s := newStore(t, nil)
	u := s.login(t, "test:tester", "testing")
	data, energy, valid := parquetFile(t)
	u.must(t, "PUT", "/sky", nil, nil, 201)
	u.must(t, "PUT", "/sky/events", nil, bytes.NewReader(data), 201)

	r := u.must(t, "GET", "/sky/events?describe", nil, nil, 200)
	if tree := jsonValue(t, r.body).(map[string]any); tree["format"] != "parquet" {
		t.Fatalf("describe: %s", r.body)
	}
	r = u.must(t, "GET", "/sky/events?dataset=/energy&select=[1000:1010]&format=csv", nil, nil, 200)
	// One value per line; a null is an empty line.
	rows := strings.Split(strings.TrimSuffix(string(r.body), "\n"), "\n")
	if len(rows) != 10 {
		t.Fatalf("csv: %q", r.body)
	}
	for i, row := range rows {
		want := ""
		if valid[1000+i] {
			want = strconv.FormatFloat(energy[1000+i], 'g', -1, 64)
		}
		if row != want {
			t.Errorf("row %d: %q, want %q", 1000+i, row, want)
		}
	}
	src, _ := strconv.Atoi(r.header.Get(dataset.HeaderSourceBytes))
	t.Logf("10 rows of /energy: %d source bytes of a %d-byte Parquet file", src, len(data))
	if src <= 0 || src >= len(data)/4 {
		t.Errorf("%d source bytes for 10 rows of a %d-byte file", src, len(data))
	}
	r = u.must(t, "GET", "/sky/events?dataset=/id&select=[99990:100000:3]&format=raw", nil, nil, 200)
	if r.header.Get("X-Sciswift-Shape") != "4" || len(r.body) != 32 {
		t.Fatalf("raw: %v %d bytes", r.header, len(r.body))
	}
	for i := range 4 {
		var v int64
		for k := 7; k >= 0; k-- {
			v = v<<8 | int64(r.body[8*i+k])
		}
		if v != int64(99990+3*i) {
			t.Errorf("raw element %d = %d", i, v)
		}
	}
}

func TestErrors(t *testing.T) {
	s := newStore(t, func(c *dataset.Config) { c.Limit.MaxBytes = 4000 })
	u := s.login(t, "test:tester", "testing")
	_, data := fitsFile(t)
	u.must(t, "PUT", "/sky", nil, nil, 201)
	u.must(t, "PUT", "/sky/survey.fits", nil, bytes.NewReader(data), 201)
	u.must(t, "PUT", "/sky/notes.fits", nil, strings.NewReader("just some text, named like a FITS file"), 201)
	u.must(t, "PUT", "/sky/empty", nil, nil, 201)
	u.must(t, "PUT", "/sky/broken.fits", nil, bytes.NewReader(data[:2880+100]), 201)

	cases := []struct {
		path   string
		status int
		says   string // in the message
	}{
		{"/sky/notes.fits?describe", 415, "not HDF5, Parquet or FITS"},
		{"/sky/empty?describe", 415, "not HDF5, Parquet or FITS"},
		{"/sky/missing.fits?describe", 404, ""},
		{"/nocontainer/x?describe", 404, ""},
		{"/sky/broken.fits?dataset=/HDU0&select=[0,0:5]", 422, ""},
		{"/sky/survey.fits?dataset=/HDU7", 400, "/HDU7"},
		{"/sky/survey.fits?dataset=", 400, "needs a path"},
		{"/sky/survey.fits?dataset=/HDU0&select=[0:10]", 400, "1 ranges for a 2-dimensional dataset"},
		{"/sky/survey.fits?dataset=/HDU0&select=[0:10,300:301]", 400, "dimension 1"},
		{"/sky/survey.fits?dataset=/HDU0&select=[0:10,a]", 400, "dimension 1"},
		{"/sky/survey.fits?dataset=/HDU0&select=0:10,5", 400, "brackets"},
		{"/sky/survey.fits?dataset=/HDU0&select=[0:2,0:2]&format=xml", 400, "format=xml"},
		{"/sky/survey.fits?describe&dataset=/HDU0", 400, "cannot be combined"},
		{"/sky/survey.fits?dataset=/HDU0", 413, "limit of 4000 bytes"},
		{"/sky/survey.fits?dataset=/HDU0&select=[0:10,0:101]", 413, "4040 bytes"},
		{"/sky/survey.fits?dataset=/HDU0&select=[0:10,0:100]", 200, ""},
	}
	for _, c := range cases {
		r := u.do(t, "GET", c.path, nil, nil)
		if r.status != c.status || !strings.Contains(string(r.body), c.says) {
			t.Errorf("%s: %d %q, want %d saying %q", c.path, r.status, r.body, c.status, c.says)
		}
	}
	// A plain GET is untouched.
	if r := u.must(t, "GET", "/sky/survey.fits", nil, nil, 200); !bytes.Equal(r.body, data) {
		t.Error("plain GET of the object changed")
	}
}

func TestAuth(t *testing.T) {
	s := newStore(t, nil)
	owner := s.login(t, "test:tester", "testing")
	_, data := fitsFile(t)
	owner.must(t, "PUT", "/sky", nil, nil, 201)
	owner.must(t, "PUT", "/sky/survey.fits", nil, bytes.NewReader(data), 201)
	const q = "/sky/survey.fits?dataset=/HDU0&select=[0,0:3]"

	anon := &user{s: s, account: owner.account}
	other := s.login(t, "test2:tester2", "testing2")
	other.account = owner.account
	plain := s.login(t, "test:tester3", "testing3") // in the account, no rights
	for _, u := range []*user{anon, other, plain} {
		for _, path := range []string{q, "/sky/survey.fits?describe"} {
			r := u.do(t, "GET", path, nil, nil)
			want := 403
			if u == anon {
				want = 401
			}
			if r.status != want {
				t.Errorf("%s as %q: %d, want %d", path, u.token, r.status, want)
			}
			if want == 401 && r.header.Get("Www-Authenticate") == "" {
				t.Errorf("401 without a challenge")
			}
		}
	}
	bad := &user{s: s, token: "AUTH_tk0000", account: owner.account}
	if r := bad.do(t, "GET", q, nil, nil); r.status != 401 {
		t.Errorf("bad token: %d", r.status)
	}

	// A container read ACL opens the slice to whoever it names.
	owner.must(t, "POST", "/sky", map[string]string{"X-Container-Read": "test:tester3"}, nil, 204)
	plain.must(t, "GET", q, nil, nil, 200)
	other.must(t, "GET", q, nil, nil, 403)
	owner.must(t, "POST", "/sky", map[string]string{"X-Container-Read": ".r:*"}, nil, 204)
	r := anon.must(t, "GET", q, nil, nil, 200)
	if got := jsonValue(t, r.body); !reflect.DeepEqual(got, []any{0.0, 0.5, 1.0}) {
		t.Errorf("anonymous read: %v", got)
	}
	owner.must(t, "POST", "/sky", map[string]string{"X-Remove-Container-Read": "x"}, nil, 204)
	anon.must(t, "GET", q, nil, nil, 401)

	// An account ACL does too.
	owner.must(t, "POST", "", map[string]string{"X-Account-Access-Control": `{"read-only":["test2"]}`}, nil, 204)
	other.must(t, "GET", q, nil, nil, 200)
	other.must(t, "GET", "/sky/survey.fits?describe", nil, nil, 200)
}

func TestInfo(t *testing.T) {
	s := newStore(t, nil)
	info := s.mw.Info()["sciswift_datasets"].(map[string]any)
	if !reflect.DeepEqual(info["encodings"], []string{"json", "npy", "csv", "arrow", "raw"}) ||
		info["max_selection_bytes"] != uint64(1<<20) {
		t.Errorf("info: %v", info)
	}
}
