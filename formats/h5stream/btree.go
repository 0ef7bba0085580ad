package h5stream

import "encoding/binary"

// The chunk index is a version 1 B-tree (node type 1). Without a superblock
// extension HDF5 assumes the default rank K = 32 for chunk B-trees, so every
// node holds up to 2K children and is read at its full size.
const (
	btreeK      = 32
	btreeFanout = 2 * btreeK
	btreeHeader = 4 + 1 + 1 + 2 + 8 + 8
)

// chunkKey is a B-tree key: the stored chunk's size, its filter mask and
// its first element's offset in every dimension (plus a trailing 0 for the
// datatype dimension).
type chunkKey struct {
	size    uint32
	mask    uint32
	offsets []uint64
}

func keySize(rank int) int { return 4 + 4 + 8*(rank+1) }

func nodeSize(rank int) int {
	return btreeHeader + btreeFanout*8 + (btreeFanout+1)*keySize(rank)
}

// btreeNodes is how many nodes index n chunks.
func btreeNodes(n int) int {
	total := 0
	for n > 0 {
		n = (n + btreeFanout - 1) / btreeFanout
		total += n
		if n == 1 {
			break
		}
	}
	return total
}

// buildBtree encodes the nodes indexing the chunks (keys sorted, child
// addresses alongside; last is the key right of the last chunk) into
// consecutive nodes starting at base, leaves first. It returns the nodes'
// bytes and the root's address.
func buildBtree(keys []chunkKey, addrs []uint64, last chunkKey, rank int, base uint64) ([]byte, uint64) {
	size := uint64(nodeSize(rank))
	var out []byte
	next := base
	level := 0
	for {
		nodes := (len(keys) + btreeFanout - 1) / btreeFanout
		var upKeys []chunkKey
		var upAddrs []uint64
		for i := range nodes {
			lo, hi := i*btreeFanout, min((i+1)*btreeFanout, len(keys))
			right := last
			if hi < len(keys) {
				right = keys[hi]
			}
			left, rightSib := undef, undef
			if i > 0 {
				left = next - size
			}
			if i < nodes-1 {
				rightSib = next + size
			}
			out = encodeNode(out, level, keys[lo:hi], addrs[lo:hi], right, left, rightSib, int(size))
			upKeys = append(upKeys, keys[lo])
			upAddrs = append(upAddrs, next)
			next += size
		}
		if nodes == 1 {
			return out, upAddrs[0]
		}
		keys, addrs = upKeys, upAddrs
		level++
	}
}

func encodeNode(b []byte, level int, keys []chunkKey, children []uint64, right chunkKey, left, rightSib uint64, size int) []byte {
	start := len(b)
	b = append(b, "TREE"...)
	b = append(b, 1, byte(level))
	b = binary.LittleEndian.AppendUint16(b, uint16(len(keys)))
	b = le64(b, left)
	b = le64(b, rightSib)
	for i, k := range keys {
		b = appendKey(b, k)
		b = le64(b, children[i])
	}
	b = appendKey(b, right)
	return append(b, make([]byte, size-(len(b)-start))...)
}

func appendKey(b []byte, k chunkKey) []byte {
	b = binary.LittleEndian.AppendUint32(b, k.size)
	b = binary.LittleEndian.AppendUint32(b, k.mask)
	for _, o := range k.offsets {
		b = le64(b, o)
	}
	return le64(b, 0)
}
