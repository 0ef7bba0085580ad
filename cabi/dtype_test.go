package main

import (
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/sciswift/sciswift/formats"
	"github.com/sciswift/sciswift/vol"
)

func i32le() formats.Dtype {
	return formats.Dtype{Class: formats.ClassInteger, Size: 4, Order: formats.LittleEndian, Signed: true}
}

func ptr(t formats.Dtype) *formats.Dtype { return &t }

// The library's predefined types describe as expected and rebuild equal.
func TestDtypeOfPredefined(t *testing.T) {
	le, be := formats.LittleEndian, formats.BigEndian
	intT := func(size int, order formats.ByteOrder, signed bool) formats.Dtype {
		return formats.Dtype{Class: formats.ClassInteger, Size: size, Order: order, Signed: signed}
	}
	floatT := func(size int, order formats.ByteOrder) formats.Dtype {
		return formats.Dtype{Class: formats.ClassFloat, Size: size, Order: order}
	}
	bits := func(size int, order formats.ByteOrder) formats.Dtype {
		return formats.Dtype{Class: formats.ClassBitfield, Size: size, Order: order}
	}
	tests := []struct {
		name string
		want formats.Dtype
	}{
		{"H5T_STD_I8LE", intT(1, le, true)},
		{"H5T_STD_I8BE", intT(1, be, true)},
		{"H5T_STD_U8LE", intT(1, le, false)},
		{"H5T_STD_U8BE", intT(1, be, false)},
		{"H5T_STD_I16LE", intT(2, le, true)},
		{"H5T_STD_I16BE", intT(2, be, true)},
		{"H5T_STD_U16LE", intT(2, le, false)},
		{"H5T_STD_U16BE", intT(2, be, false)},
		{"H5T_STD_I32LE", intT(4, le, true)},
		{"H5T_STD_I32BE", intT(4, be, true)},
		{"H5T_STD_U32LE", intT(4, le, false)},
		{"H5T_STD_U32BE", intT(4, be, false)},
		{"H5T_STD_I64LE", intT(8, le, true)},
		{"H5T_STD_I64BE", intT(8, be, true)},
		{"H5T_STD_U64LE", intT(8, le, false)},
		{"H5T_STD_U64BE", intT(8, be, false)},
		{"H5T_NATIVE_CHAR", intT(1, le, true)},
		{"H5T_NATIVE_UCHAR", intT(1, le, false)},
		{"H5T_NATIVE_SHORT", intT(2, le, true)},
		{"H5T_NATIVE_INT", intT(4, le, true)},
		{"H5T_NATIVE_UINT", intT(4, le, false)},
		{"H5T_NATIVE_LONG", intT(8, le, true)},
		{"H5T_NATIVE_LLONG", intT(8, le, true)},
		{"H5T_NATIVE_ULLONG", intT(8, le, false)},
		{"H5T_NATIVE_HBOOL", intT(1, le, false)},
		{"H5T_IEEE_F16LE", floatT(2, le)},
		{"H5T_IEEE_F32LE", floatT(4, le)},
		{"H5T_IEEE_F32BE", floatT(4, be)},
		{"H5T_IEEE_F64LE", floatT(8, le)},
		{"H5T_IEEE_F64BE", floatT(8, be)},
		{"H5T_NATIVE_FLOAT", floatT(4, le)},
		{"H5T_NATIVE_DOUBLE", floatT(8, le)},
		{"H5T_STD_B8LE", bits(1, le)},
		{"H5T_STD_B16BE", bits(2, be)},
		{"H5T_STD_B32LE", bits(4, le)},
		{"H5T_STD_B64BE", bits(8, be)},
		{"H5T_NATIVE_B8", bits(1, le)},
		{"H5T_C_S1", formats.Dtype{Class: formats.ClassString, Size: 1, Charset: formats.CharsetASCII, Padding: formats.PadNullTerm}},
		{"H5T_FORTRAN_S1", formats.Dtype{Class: formats.ClassString, Size: 1, Charset: formats.CharsetASCII, Padding: formats.PadSpacePad}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tid := predefinedType(tt.name)
			if tid <= 0 {
				t.Fatalf("no predefined type %s", tt.name)
			}
			got, err := dtypeOf(tid)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("dtypeOf = %+v, want %+v", got, tt.want)
			}
			back, err := typeFor(got)
			if err != nil {
				t.Fatal(err)
			}
			defer closeTypeID(back)
			if eq, err := typesEqual(back, tid); err != nil || !eq {
				t.Fatalf("typeFor(dtypeOf(%s)) not H5Tequal to it (err %v)", tt.name, err)
			}
		})
	}
}

func TestDtypeOfUnsupported(t *testing.T) {
	for _, name := range []string{"H5T_STD_REF", "H5T_STD_REF_OBJ", "H5T_UNIX_D32LE", "H5T_NATIVE_LDOUBLE"} {
		t.Run(name, func(t *testing.T) {
			_, err := dtypeOf(predefinedType(name))
			if !errors.Is(err, vol.ErrUnsupported) {
				t.Fatalf("dtypeOf(%s) = %v, want ErrUnsupported", name, err)
			}
		})
	}
}

// roundTripDtypes are model types of every class, built by typeFor and
// described again by dtypeOf.
func roundTripDtypes() map[string]formats.Dtype {
	le, be := formats.LittleEndian, formats.BigEndian
	u16be := formats.Dtype{Class: formats.ClassInteger, Size: 2, Order: be}
	f64le := formats.Dtype{Class: formats.ClassFloat, Size: 8, Order: le}
	inner := formats.Dtype{Class: formats.ClassCompound, Size: 12, Members: []formats.Member{
		{Name: "x", Offset: 0, Type: ptr(u16be)},
		{Name: "y", Offset: 4, Type: ptr(f64le)}, // not 8-aligned: packed layouts survive
	}}
	return map[string]formats.Dtype{
		"int24 with precision": {Class: formats.ClassInteger, Size: 3, Order: le, Signed: true},
		"int precision offset": {Class: formats.ClassInteger, Size: 4, Order: be, Precision: 12, BitOffset: 3},
		"uint16 be":            u16be,
		"float16 be":           {Class: formats.ClassFloat, Size: 2, Order: be},
		"bitfield 3 bytes":     {Class: formats.ClassBitfield, Size: 3, Order: le},
		"bitfield precision":   {Class: formats.ClassBitfield, Size: 2, Order: be, Precision: 5, BitOffset: 2},
		"string nullterm":      {Class: formats.ClassString, Size: 10, Charset: formats.CharsetASCII, Padding: formats.PadNullTerm},
		"string nullpad utf8":  {Class: formats.ClassString, Size: 7, Charset: formats.CharsetUTF8, Padding: formats.PadNullPad},
		"string spacepad":      {Class: formats.ClassString, Size: 3, Charset: formats.CharsetASCII, Padding: formats.PadSpacePad},
		"vlen string":          {Class: formats.ClassString, Variable: true, Charset: formats.CharsetASCII, Padding: formats.PadNullTerm},
		"vlen string utf8 pad": {Class: formats.ClassString, Variable: true, Charset: formats.CharsetUTF8, Padding: formats.PadNullPad},
		"opaque tagged":        {Class: formats.ClassOpaque, Size: 5, Tag: "raw bytes"},
		"opaque untagged":      {Class: formats.ClassOpaque, Size: 1},
		"compound nested padded": {Class: formats.ClassCompound, Size: 40, Members: []formats.Member{
			{Name: "id", Offset: 0, Type: ptr(formats.Dtype{Class: formats.ClassInteger, Size: 8, Order: le, Signed: true})},
			{Name: "pos", Offset: 12, Type: ptr(inner)},
			{Name: "name", Offset: 24, Type: ptr(formats.Dtype{Class: formats.ClassString, Size: 5, Charset: formats.CharsetUTF8, Padding: formats.PadNullPad})},
			{Name: "flags", Offset: 30, Type: ptr(formats.Dtype{Class: formats.ClassArray, Size: 8, Dims: []int{2, 2}, Base: ptr(u16be)})},
		}},
		"enum signed le": {Class: formats.ClassEnum, Size: 4, Base: ptr(i32le()), Members: []formats.Member{
			{Name: "RED", Value: -1}, {Name: "GREEN", Value: 0}, {Name: "BLUE", Value: 70000},
		}},
		"enum unsigned be": {Class: formats.ClassEnum, Size: 2, Base: ptr(u16be), Members: []formats.Member{
			{Name: "LOW", Value: 1}, {Name: "HIGH", Value: 65535},
		}},
		"enum uint64 top bit": {Class: formats.ClassEnum, Size: 8, Base: ptr(formats.Dtype{Class: formats.ClassInteger, Size: 8, Order: be}), Members: []formats.Member{
			{Name: "MAX", Value: -1}, {Name: "ONE", Value: 1},
		}},
		"array of compound": {Class: formats.ClassArray, Size: 36, Dims: []int{3}, Base: ptr(inner)},
		"vlen of int":       {Class: formats.ClassVlen, Base: ptr(i32le())},
		"vlen of compound":  {Class: formats.ClassVlen, Base: ptr(inner)},
		"vlen of vlen":      {Class: formats.ClassVlen, Base: ptr(formats.Dtype{Class: formats.ClassVlen, Base: ptr(f64le)})},
	}
}

func TestDtypeRoundTrip(t *testing.T) {
	for name, want := range roundTripDtypes() {
		t.Run(name, func(t *testing.T) {
			tid, err := typeFor(want)
			if err != nil {
				t.Fatal(err)
			}
			defer closeTypeID(tid)
			got, err := dtypeOf(tid)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				t.Fatalf("dtypeOf(typeFor(t)) =\n%s\nwant\n%s", g, w)
			}
			again, err := typeFor(got)
			if err != nil {
				t.Fatal(err)
			}
			defer closeTypeID(again)
			if eq, err := typesEqual(tid, again); err != nil || !eq {
				t.Fatalf("rebuilt type not H5Tequal (err %v)", err)
			}
		})
	}
}

func TestTypeForInvalid(t *testing.T) {
	tests := map[string]formats.Dtype{
		"no class":             {},
		"float 3 bytes":        {Class: formats.ClassFloat, Size: 3, Order: formats.LittleEndian},
		"float no order":       {Class: formats.ClassFloat, Size: 4},
		"int zero size":        {Class: formats.ClassInteger, Order: formats.LittleEndian},
		"int bad precision":    {Class: formats.ClassInteger, Size: 1, Order: formats.LittleEndian, Precision: 7, BitOffset: 2},
		"string zero size":     {Class: formats.ClassString},
		"string bad pad":       {Class: formats.ClassString, Size: 1, Padding: "zigzag"},
		"compound no member t": {Class: formats.ClassCompound, Size: 4, Members: []formats.Member{{Name: "a"}}},
		"compound overflow":    {Class: formats.ClassCompound, Size: 2, Members: []formats.Member{{Name: "a", Offset: 0, Type: ptr(i32le())}}},
		"enum float base":      {Class: formats.ClassEnum, Size: 4, Base: ptr(formats.Dtype{Class: formats.ClassFloat, Size: 4, Order: formats.LittleEndian})},
		"array no dims":        {Class: formats.ClassArray, Size: 4, Base: ptr(i32le())},
		"vlen no base":         {Class: formats.ClassVlen},
	}
	for name, dt := range tests {
		t.Run(name, func(t *testing.T) {
			tid, err := typeFor(dt)
			if err == nil {
				closeTypeID(tid)
				t.Fatalf("typeFor(%+v) succeeded", dt)
			}
			if !errors.Is(err, vol.ErrInvalid) && !errors.Is(err, vol.ErrUnsupported) && !errors.Is(err, errLibCall) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
		})
	}
}

// h5dump prints each rebuilt type exactly as the original it was described
// from: the types are committed to a native file side by side and the
// DATATYPE blocks of the dump compared.
func TestDtypeH5dumpIdentical(t *testing.T) {
	h5dump, err := exec.LookPath("h5dump")
	if err != nil {
		h5dump = "/root/.cache/sciswift/hdf5-1.14.5/bin/h5dump"
	}
	var names []string
	var types []h5id
	add := func(name string, tid h5id) {
		names = append(names, name)
		types = append(types, tid)
	}
	predef := []string{"H5T_NATIVE_INT", "H5T_STD_U16BE", "H5T_IEEE_F32BE", "H5T_NATIVE_DOUBLE", "H5T_STD_B8LE", "H5T_C_S1", "H5T_FORTRAN_S1"}
	for _, name := range predef {
		dt, err := dtypeOf(predefinedType(name))
		if err != nil {
			t.Fatal(err)
		}
		rebuilt, err := typeFor(dt)
		if err != nil {
			t.Fatal(err)
		}
		add("orig_"+name, predefinedType(name))
		add("copy_"+name, rebuilt)
	}
	for name, dt := range roundTripDtypes() {
		if h5dumpCannotPrint(dt) {
			continue // H5Tequal in TestDtypeRoundTrip covers them
		}
		key := strings.ReplaceAll(name, " ", "_")
		orig, err := typeFor(dt)
		if err != nil {
			t.Fatal(err)
		}
		described, err := dtypeOf(orig)
		if err != nil {
			t.Fatal(err)
		}
		rebuilt, err := typeFor(described)
		if err != nil {
			t.Fatal(err)
		}
		add("orig_"+key, orig)
		add("copy_"+key, rebuilt)
	}
	defer func() {
		for i, tid := range types {
			if !isPredefinedName(names[i]) { // the library's own ids are not ours to close
				closeTypeID(tid)
			}
		}
	}()
	path := filepath.Join(t.TempDir(), "types.h5")
	if err := commitTypes(path, names, types); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(h5dump, "-H", path).CombinedOutput()
	if err != nil {
		t.Fatalf("h5dump: %v\n%s", err, out)
	}
	blocks := datatypeBlocks(string(out))
	checked := 0
	for name, body := range blocks {
		if !strings.HasPrefix(name, "orig_") {
			continue
		}
		copyBody, ok := blocks["copy_"+strings.TrimPrefix(name, "orig_")]
		if !ok {
			t.Errorf("no dump of the copy of %s", name)
			continue
		}
		if body != copyBody {
			t.Errorf("%s prints differently:\n%s\nrebuilt:\n%s", name, body, copyBody)
		}
		checked++
	}
	if checked != len(names)/2 {
		t.Fatalf("compared %d types of %d; dump:\n%s", checked, len(names)/2, out)
	}
}

// h5dumpCannotPrint: integers and bitfields of odd sizes or partial
// precision make h5dump fail ("unable to dump datatype"), native or not.
func h5dumpCannotPrint(dt formats.Dtype) bool {
	if dt.Class != formats.ClassInteger && dt.Class != formats.ClassBitfield {
		return false
	}
	return dt.Precision != 0 || (dt.Size != 1 && dt.Size != 2 && dt.Size != 4 && dt.Size != 8)
}

func isPredefinedName(name string) bool {
	return strings.HasPrefix(name, "orig_") && predefinedType(strings.TrimPrefix(name, "orig_")) > 0
}

var datatypeHeader = regexp.MustCompile(`(?m)^   DATATYPE "([^"]+)" `)

// datatypeBlocks splits `h5dump -H` output into each named datatype's text.
func datatypeBlocks(dump string) map[string]string {
	out := map[string]string{}
	locs := datatypeHeader.FindAllStringSubmatchIndex(dump, -1)
	for i, loc := range locs {
		end := len(dump)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		body := dump[loc[1]:end]
		if i := strings.Index(body, "\n}"); i >= 0 { // the group's closing brace after the last one
			body = body[:i]
		}
		out[dump[loc[2]:loc[3]]] = strings.TrimSpace(body)
	}
	return out
}

func TestEnumValueCoding(t *testing.T) {
	tests := []struct {
		base formats.Dtype
		v    int64
	}{
		{formats.Dtype{Class: formats.ClassInteger, Size: 1, Order: formats.LittleEndian, Signed: true}, -128},
		{formats.Dtype{Class: formats.ClassInteger, Size: 2, Order: formats.BigEndian, Signed: true}, -2},
		{formats.Dtype{Class: formats.ClassInteger, Size: 2, Order: formats.BigEndian}, 65535},
		{formats.Dtype{Class: formats.ClassInteger, Size: 8, Order: formats.LittleEndian}, -1},
		{formats.Dtype{Class: formats.ClassInteger, Size: 4, Order: formats.BigEndian, Signed: true}, 1 << 30},
	}
	for _, tt := range tests {
		b := encodeEnumValue(tt.v, tt.base)
		if len(b) != tt.base.Size {
			t.Fatalf("encode %d: %d bytes", tt.v, len(b))
		}
		if got := decodeEnumValue(b, tt.base); got != tt.v {
			t.Errorf("decode(encode(%d)) in %+v = %d (bytes % x)", tt.v, tt.base, got, b)
		}
	}
	if got := encodeEnumValue(258, formats.Dtype{Size: 2, Order: formats.BigEndian}); got[0] != 1 || got[1] != 2 {
		t.Errorf("big-endian 258 = % x", got)
	}
}

// FuzzTypeFor feeds typeFor the dtype JSON of stored documents, which the
// store does not vouch for: whatever typeFor accepts must describe again,
// rebuild H5Tequal, and describe the same the second time.
func FuzzTypeFor(f *testing.F) {
	for _, dt := range roundTripDtypes() {
		b, _ := json.Marshal(dt)
		f.Add(b)
	}
	f.Add([]byte(`{"class":"array","base":{"class":"integer","size":8,"order":"le"},"dims":[1073741824,1073741824]}`))
	f.Add([]byte(`{"class":"enum","size":64,"base":{"class":"integer","size":64,"order":"be","signed":true},"members":[{"name":"a","value":-5}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var dt formats.Dtype
		if json.Unmarshal(data, &dt) != nil {
			return
		}
		tid, err := typeFor(dt)
		if err != nil {
			return
		}
		defer closeTypeID(tid)
		back, err := dtypeOf(tid)
		if err != nil {
			t.Fatalf("typeFor accepted %s, dtypeOf refuses the result: %v", data, err)
		}
		again, err := typeFor(back)
		if err != nil {
			t.Fatalf("typeFor refuses what dtypeOf described: %v", err)
		}
		defer closeTypeID(again)
		if eq, err := typesEqual(tid, again); err != nil || !eq {
			t.Fatalf("rebuilt type of %s is not H5Tequal (err %v)", data, err)
		}
		if third, err := dtypeOf(again); err != nil || !reflect.DeepEqual(third, back) {
			t.Fatalf("second description differs: %+v vs %+v (err %v)", third, back, err)
		}
	})
}
