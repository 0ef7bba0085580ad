package hdf5

import (
	"io"

	"github.com/sciswift/sciswift/formats"
)

// Format is the name of this driver in formats.Tree.Format.
const Format = "hdf5"

// signature is the HDF5 superblock signature. A file with a user block has
// it at 512, 1024, 2048, … instead of 0.
const signature = "\x89HDF\r\n\x1a\n"

// Sniff reports whether head (the first bytes of an object) holds the HDF5
// signature at offset 0 or at any power of two from 512 on.
func Sniff(head []byte) bool {
	for off := 0; off+len(signature) <= len(head); off = nextSignatureOffset(off) {
		if string(head[off:off+len(signature)]) == signature {
			return true
		}
	}
	return false
}

// hasSignature is Sniff over a whole object, for user blocks too large for
// any head: it reads 8 bytes at each offset libhdf5 would look at.
func hasSignature(obj formats.Object) (bool, error) {
	buf := make([]byte, len(signature))
	for off := int64(0); off+int64(len(signature)) <= obj.Size(); off = int64(nextSignatureOffset(int(off))) {
		if n, err := obj.ReadAt(buf, off); n < len(buf) {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return false, err
		}
		if string(buf) == signature {
			return true, nil
		}
	}
	return false, nil
}

func nextSignatureOffset(off int) int {
	if off == 0 {
		return 512
	}
	return off * 2
}
