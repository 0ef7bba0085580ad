package diskfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/sciswift/sciswift/storage/vfs"
)

// body returns n bytes that differ from one offset to the next.
func body(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*131 + i>>12)
	}
	return b
}

// TestBodyCheck covers how a full read checks the body: by the stored
// CRC-32C, by MD5 for files written before it was stored, and that a
// damaged body or a damaged CRC is caught either way.
func TestBodyCheck(t *testing.T) {
	tests := []struct {
		name string
		size int
		// edit changes the stored metadata (nil: leave it).
		edit func(m Metadata)
		// flip damages a body byte.
		flip bool
		// atOpen: the damage is found by Open, not only by a full read.
		wantErr, atOpen bool
	}{
		{name: "crc, small", size: 1000},
		{name: "crc, large", size: 3<<20 + 5},
		{name: "crc, small, body damaged", size: 1000, flip: true, wantErr: true},
		{name: "crc, large, body damaged", size: 3<<20 + 5, flip: true, wantErr: true},
		{name: "no crc (older file): md5", size: 1000, edit: func(m Metadata) { delete(m, keyBodyCRC) }},
		{name: "no crc (older file): md5, body damaged", size: 1000, edit: func(m Metadata) { delete(m, keyBodyCRC) }, flip: true, wantErr: true},
		{name: "crc of another body", size: 1000, edit: func(m Metadata) { m[keyBodyCRC] = "0badc0de" }, wantErr: true},
		{name: "crc unreadable", size: 1000, edit: func(m Metadata) { m[keyBodyCRC] = "xyz" }, wantErr: true, atOpen: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newTestDevice(t, nil)
			want := body(tt.size)
			mustPut(t, d, "a/c/o", "1700000001.00000", string(want), nil)
			p := filepath.Join(hashDir(d, "a/c/o"), "1700000001.00000.data")
			if tt.edit != nil {
				rewriteMeta(t, p, tt.edit)
			}
			if tt.flip {
				flip(t, p, int64(tt.size/2))
			}
			o, err := d.Open(part, hashOf("a/c/o"), "a/c/o")
			if tt.atOpen {
				if !isNotFound(err) {
					t.Fatalf("open: %v, want not found (quarantined)", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(o.Reader())
			o.Close()
			switch {
			case tt.wantErr && !errors.Is(err, ErrCorrupt):
				t.Errorf("full read: %v, want ErrCorrupt", err)
			case !tt.wantErr && (err != nil || !bytes.Equal(got, want)):
				t.Errorf("full read: %d bytes, %v", len(got), err)
			}
			if _, err := d.Open(part, hashOf("a/c/o"), "a/c/o"); tt.wantErr != isNotFound(err) {
				t.Errorf("reopen: %v; want quarantined %v", err, tt.wantErr)
			}
		})
	}
}

func isNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// rewriteMeta replaces the metadata of the file at p with edit's changes,
// keeping the body and writing a valid footer.
func rewriteMeta(t *testing.T, p string, edit func(Metadata)) {
	t.Helper()
	f, err := vfs.OS().Open(p)
	if err != nil {
		t.Fatal(err)
	}
	bodyLen, m, err := readFile(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	edit(m)
	mb, err := encodeMetadata(m)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, appendFooter(b[:bodyLen:bodyLen], bodyLen, mb), 0o644); err != nil {
		t.Fatal(err)
	}
}
