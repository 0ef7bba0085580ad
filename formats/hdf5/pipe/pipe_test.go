package pipe

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	var b bytes.Buffer
	WriteMessage(&b, Read, EncodeRead(1<<40, 4096))
	WriteMessage(&b, Fail, EncodeFail(FailCorrupt, "bad superblock"))
	m, err := ReadMessage(&b, 100)
	if err != nil || m.Type != Read {
		t.Fatal(m, err)
	}
	if off, n, err := DecodeRead(m.Payload); off != 1<<40 || n != 4096 || err != nil {
		t.Fatal(off, n, err)
	}
	m, _ = ReadMessage(&b, 100)
	if k, msg, err := DecodeFail(m.Payload); k != FailCorrupt || msg != "bad superblock" || err != nil {
		t.Fatal(k, msg, err)
	}
	if _, err := ReadMessage(&b, 100); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
}

func TestBounds(t *testing.T) {
	var b bytes.Buffer
	WriteMessage(&b, Result, make([]byte, 200))
	if _, err := ReadMessage(bytes.NewReader(b.Bytes()), 100); !errors.Is(err, ErrTooLong) {
		t.Errorf("long payload: %v", err)
	}
	if _, err := ReadMessage(bytes.NewReader(b.Bytes()[:50]), 1000); err != io.ErrUnexpectedEOF {
		t.Errorf("short payload: %v", err)
	}
	if _, err := ReadMessage(bytes.NewReader([]byte("x\x00\x00\x00\x00")), 10); !errors.Is(err, ErrMalformed) {
		t.Errorf("unknown type: %v", err)
	}
	if _, _, err := DecodeRead(EncodeRead(0, MaxRead+1)); !errors.Is(err, ErrMalformed) {
		t.Errorf("huge read: %v", err)
	}
}

// FuzzReadMessage feeds arbitrary worker output to the parent's reader.
func FuzzReadMessage(f *testing.F) {
	var b bytes.Buffer
	WriteMessage(&b, Read, EncodeRead(12, 34))
	WriteMessage(&b, Fail, EncodeFail(FailLimit, "x"))
	WriteMessage(&b, Result, []byte(`{"version":1}`))
	f.Add(b.Bytes())
	f.Add([]byte("o\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		for {
			m, err := ReadMessage(r, 1<<16)
			if err != nil {
				return
			}
			if len(m.Payload) > 1<<16 {
				t.Fatalf("payload of %d bytes past the bound", len(m.Payload))
			}
			switch m.Type {
			case Read:
				if _, n, err := DecodeRead(m.Payload); err == nil && n > MaxRead {
					t.Fatalf("read of %d accepted", n)
				}
			case Fail:
				DecodeFail(m.Payload)
			}
		}
	})
}
