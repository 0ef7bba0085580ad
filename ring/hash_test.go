package ring

import (
	"crypto/md5"
	"encoding/hex"
	"testing"
)

func TestPathHasher(t *testing.T) {
	tests := []struct {
		name                       string
		hasher                     PathHasher
		account, container, object string
		// path is what Swift's hash_path feeds to md5 between prefix and suffix.
		path string
		// want, when set, is a literal computed with python3's hashlib:
		//   hashlib.md5(b'/a/c/o' + b'endcap').hexdigest()
		// The endcap vectors are also those of Swift's own test_utils.
		want string
	}{
		{"account", PathHasher{Suffix: "endcap"}, "a", "", "", "/a", "1c84525acb02107ea475dcd3d09c2c58"},
		{"container", PathHasher{Suffix: "endcap"}, "a", "c", "", "/a/c", "33379ecb053aa5c9e356c68997cbb59e"},
		{"object", PathHasher{Suffix: "endcap"}, "a", "c", "o", "/a/c/o", "06fbf0b514e5199dfc4e00f42eb5ea83"},
		{"prefix and utf-8", PathHasher{Prefix: "pre", Suffix: "suf"}, "AUTH_test", "cont", "été", "/AUTH_test/cont/été", "2e980d30b1146fb4a7e77080a25ae1a4"},
		{"object with slashes", PathHasher{Suffix: "s"}, "AUTH_x", "c", "dir/sub/file.h5", "/AUTH_x/c/dir/sub/file.h5", ""},
		{"no secrets", PathHasher{}, "a", "c", "o", "/a/c/o", ""},
		{"object without container", PathHasher{Suffix: "s"}, "a", "", "o", "/a//o", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			formula := md5.Sum([]byte(tt.hasher.Prefix + tt.path + tt.hasher.Suffix))
			got := tt.hasher.Hash(tt.account, tt.container, tt.object)
			if got != formula {
				t.Errorf("Hash = %x, want md5(%q) = %x", got, tt.hasher.Prefix+tt.path+tt.hasher.Suffix, formula)
			}
			hexGot := tt.hasher.HashHex(tt.account, tt.container, tt.object)
			if hexGot != hex.EncodeToString(formula[:]) {
				t.Errorf("HashHex = %s, want %x", hexGot, formula)
			}
			if tt.want != "" && hexGot != tt.want {
				t.Errorf("HashHex = %s, want known vector %s", hexGot, tt.want)
			}
		})
	}
}
