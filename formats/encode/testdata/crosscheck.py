"""Cross-check of package encode against NumPy, Python's json and csv.

  crosscheck.py gen DIR    write DIR/<case>.bin (the elements' bytes, from
                           numpy's tobytes) and DIR/cases.json
  crosscheck.py check DIR  load what the Go test wrote (DIR/<case>.npy,
                           .json, .csv, .raw + .raw.hdr) and compare with
                           the arrays built here; exit 1 on any mismatch

The arrays are built here, independently of the Go code: the Go test
only declares each case's formats.Dtype.
"""
import csv
import io
import json
import math
import os
import sys

import numpy as np


def cases():
    c = {}
    c["i4le_2d"] = np.arange(-5, 7, dtype="<i4").reshape(3, 4)
    c["i4be_2d"] = np.arange(-5, 7, dtype=">i4").reshape(3, 4)
    c["u2be"] = np.array([0, 1, 258, 65535], dtype=">u2")
    c["i8le_extremes"] = np.array([-2**63, 2**63 - 1, 0, -1], dtype="<i8")
    c["u8be_extremes"] = np.array([2**64 - 1, 2**53 + 1, 0], dtype=">u8")
    c["i1"] = np.array([-128, 0, 127], dtype="i1")
    c["u1_boollike"] = np.array([0, 1, 1, 0], dtype="u1")
    c["bool_enum"] = np.array([True, False, True], dtype="?")
    c["enum_i2be"] = np.array([0, 1, 2, 1], dtype=">i2")
    c["f8le_special"] = np.array([0.1, -0.0, 1e-300, 1e300, np.nan, np.inf, -np.inf, 123456789.125, 1e-7, 1e21], dtype="<f8")
    c["f4be_special"] = np.array([0.1, 3.4e38, -1.5e-45, np.nan, -np.inf, 16777217.0], dtype=">f4")
    c["f2le"] = np.array([0.5, 65504, 6e-8, -2.0, np.nan, -np.inf, 0.0999], dtype="<f2")
    c["fixed_str"] = np.array([b"ab", b"hello", b"", b'a,"b', b" x "], dtype="S5")
    c["compound"] = np.array(
        [(1.5, -2, b"abc", (0.25, np.nan)), (np.inf, 300, b"", (1e-8, -1.0))],
        dtype=np.dtype({"names": ["x", "y", "name", "v"],
                        "formats": ["<f4", ">i2", "S3", ("<f8", (2,))],
                        "offsets": [0, 8, 10, 16], "itemsize": 40}))
    inner = np.dtype([("a", ">u2"), ("b", "u1")])
    c["nested_compound"] = np.array(
        [(7, (513, 9)), (-7, (1, 255))],
        dtype=np.dtype([("id", ">i8"), ("pt", inner)]))
    c["table"] = np.array(
        [(1, 2.5, b"one", True), (2, np.nan, b"t,wo", False), (3, -np.inf, b"", True)],
        dtype=np.dtype([("n", "<i4"), ("val", ">f8"), ("label", "S4"), ("ok", "?")]))
    c["scalar"] = np.array(3.5, dtype="<f8")
    c["scalar_str"] = np.array(b"solo", dtype="S4")
    c["f8be_3d"] = (np.arange(24) / 8).astype(">f8").reshape(2, 3, 4)
    c["array_type"] = np.array([[1, 2, 3], [4.5, 5, 6]], dtype="<f4")  # Go: shape [2] of float[3]
    c["empty_1d"] = np.zeros((0,), dtype="<i4")
    c["empty_2d"] = np.zeros((2, 0), dtype="<i4")
    c["opaque"] = np.array([b"\x00\x01\xff\x80", b"abcd"], dtype="V4")
    return c


# Built in Go from Array.Strings, not from numpy bytes.
VSTR = ["", "h\u00e9llo", 'a,"b', "line\nbreak", " pad "]

# What each format must refuse (the Go test checks the error kind).
UNSUPPORTED = {
    "npy": {"vstr"},
    "raw": {"vstr"},
    "csv": {"scalar", "scalar_str", "f8be_3d", "compound", "nested_compound"},
}


def gen(d):
    meta = []
    for name, arr in cases().items():
        with open(os.path.join(d, name + ".bin"), "wb") as f:
            f.write(arr.tobytes())
        meta.append({"name": name, "shape": list(arr.shape)})
    meta.append({"name": "vstr", "shape": [len(VSTR)], "strings": VSTR})
    with open(os.path.join(d, "cases.json"), "w") as f:
        json.dump(meta, f)


def same_array(got, want):
    """Element-wise equality, NaN equal to NaN, fields recursively."""
    if got.shape != want.shape:
        return False
    if want.dtype.names:
        return all(same_array(got[n], want[n]) for n in want.dtype.names)
    if want.dtype.kind in "fc":
        return np.array_equal(got, want, equal_nan=True)
    return np.array_equal(got, want)


def json_expect(x):
    """The JSON value package encode promises for numpy value x."""
    if isinstance(x, np.ndarray):
        if x.dtype.names and x.ndim == 0:
            return json_expect(x[()])
        return [json_expect(e) for e in x]
    if isinstance(x, np.void) and x.dtype.names:
        return {n: json_expect(x[n]) for n in x.dtype.names}
    if isinstance(x, np.void):
        import base64
        return base64.b64encode(x.tobytes()).decode()
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, np.floating):
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "Infinity" if x > 0 else "-Infinity"
        return x  # compared at its own width
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, bytes):
        return x.decode("utf-8", "replace")
    raise TypeError(f"no JSON expectation for {type(x)}")


def same_json(got, want, where="$"):
    if isinstance(want, dict):
        if not isinstance(got, dict) or list(got) != list(want):
            return f"{where}: {got!r} is not an object with keys {list(want)}"
        for k in want:
            e = same_json(got[k], want[k], f"{where}.{k}")
            if e:
                return e
        return None
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return f"{where}: {got!r} is not a list of {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            e = same_json(g, w, f"{where}[{i}]")
            if e:
                return e
        return None
    if isinstance(want, np.floating):
        if isinstance(got, bool) or not isinstance(got, (int, float)) or type(want)(got) != want:
            return f"{where}: {got!r} does not read back as {want!r} ({want.dtype})"
        return None
    if type(got) is not type(want) or got != want:
        return f"{where}: {got!r} != {want!r}"
    return None


def csv_expect(arr):
    """Rows of the CSV package encode promises, as Python values."""
    def cell(x):
        return json_expect(x)
    if arr.dtype.names:
        return [[cell(r[n]) for n in arr.dtype.names] for r in arr]
    if arr.ndim == 1:
        return [[cell(x)] for x in arr]
    return [[cell(x) for x in row] for row in arr]


def same_csv_cell(got, want):
    if isinstance(want, bool):
        return got == ("true" if want else "false")
    if isinstance(want, np.floating):
        return type(want)(float(got)) == want
    if isinstance(want, str) and want in ("NaN", "Infinity", "-Infinity"):
        return got == want
    if isinstance(want, int):
        return int(got) == want
    return got == want


def check(d):
    failures = []
    meta = json.load(open(os.path.join(d, "cases.json")))
    all_cases = cases()
    checked = 0

    def fail(msg):
        failures.append(msg)

    for m in meta:
        name = m["name"]
        if name == "vstr":
            want_json = VSTR
            want_rows = [[s] for s in VSTR]
            arr = None
        else:
            arr = all_cases[name]
            want_json = json_expect(arr) if arr.ndim else json_expect(arr[()]) if not arr.dtype.names else json_expect(arr)

        # npy
        p = os.path.join(d, name + ".npy")
        if name in UNSUPPORTED["npy"]:
            if os.path.exists(p):
                fail(f"{name}.npy: written, want unsupported")
        else:
            with open(p, "rb") as f:
                raw = f.read()
            got = np.load(p, allow_pickle=False)
            major = raw[6]
            hlen = int.from_bytes(raw[8:10], "little") if major == 1 else int.from_bytes(raw[8:12], "little")
            start = (10 if major == 1 else 12) + hlen
            if start % 64:
                fail(f"{name}.npy: data starts at {start}, not 64-aligned")
            if major != 1:
                fail(f"{name}.npy: version {major}.0, want 1.0")
            if got.dtype != arr.dtype:
                fail(f"{name}.npy: dtype {got.dtype.descr} != {arr.dtype.descr}")
            elif not same_array(got, arr):
                fail(f"{name}.npy: values {got!r} != {arr!r}")
            checked += 1

        # raw
        p = os.path.join(d, name + ".raw")
        if name in UNSUPPORTED["raw"]:
            if os.path.exists(p):
                fail(f"{name}.raw: written, want unsupported")
        else:
            hdr = json.load(open(p + ".hdr"))
            dstr = hdr["X-Sciswift-Dtype"]
            import ast
            dt = np.dtype(ast.literal_eval(dstr) if dstr.startswith("{") else dstr)
            sstr = hdr["X-Sciswift-Shape"]
            shape = tuple(int(s) for s in sstr.split(",")) if sstr else ()
            le = arr.dtype.newbyteorder("<") if not arr.dtype.names else None
            if arr.dtype.names:
                # Structured: every field little-endian.
                def to_le(dt):
                    if dt.names:
                        return np.dtype({"names": list(dt.names),
                                         "formats": [to_le(dt.fields[n][0]) for n in dt.names],
                                         "offsets": [dt.fields[n][1] for n in dt.names],
                                         "itemsize": dt.itemsize})
                    if dt.subdtype:
                        return np.dtype((to_le(dt.subdtype[0]), dt.subdtype[1]))
                    return dt.newbyteorder("<") if dt.byteorder not in "|=" else dt
                le = to_le(arr.dtype)
            if dt != le:
                fail(f"{name}.raw: dtype header {dstr!r} = {dt} != {le}")
            elif shape != arr.shape:
                fail(f"{name}.raw: shape header {sstr!r} != {arr.shape}")
            else:
                got = np.frombuffer(open(p, "rb").read(), dtype=dt).reshape(shape)
                if not same_array(got, arr.astype(le)):
                    fail(f"{name}.raw: values {got!r} != {arr!r}")
                if arr.dtype.names is None and got.tobytes() != arr.astype(le).tobytes():
                    fail(f"{name}.raw: bytes differ from numpy's little-endian bytes")
            checked += 1

        # json
        text = open(os.path.join(d, name + ".json"), "rb").read().decode("utf-8")
        try:
            got = json.loads(text, parse_constant=lambda c: fail(f"{name}.json: bare {c}"))
        except ValueError as e:
            fail(f"{name}.json: invalid JSON: {e}: {text[:200]!r}")
        else:
            e = same_json(got, want_json)
            if e:
                fail(f"{name}.json: {e}")
        checked += 1

        # csv
        p = os.path.join(d, name + ".csv")
        if name in UNSUPPORTED["csv"]:
            if os.path.exists(p):
                fail(f"{name}.csv: written, want unsupported")
            continue
        text = open(p, "rb").read().decode("utf-8")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        if arr is not None:
            want_rows = csv_expect(arr)
        if len(rows) != len(want_rows):
            fail(f"{name}.csv: {len(rows)} rows != {len(want_rows)}: {text[:200]!r}")
            continue
        for i, (g, w) in enumerate(zip(rows, want_rows)):
            if len(g) != len(w) and not (len(w) == 0 and g == []):
                fail(f"{name}.csv: row {i}: {g!r} has {len(g)} cells, want {len(w)}")
                break
            bad = [(x, y) for x, y in zip(g, w) if not same_csv_cell(x, y)]
            if bad:
                fail(f"{name}.csv: row {i}: {bad}")
                break
        if arr is not None and arr.dtype.kind in "iuf" and arr.ndim in (1, 2) and arr.size:
            got = np.loadtxt(io.StringIO(text), delimiter=",", dtype=arr.dtype, ndmin=arr.ndim)
            if not same_array(got, arr):
                fail(f"{name}.csv: numpy.loadtxt gives {got!r} != {arr!r}")
        checked += 1

    for f in failures:
        print("FAIL", f)
    print(f"{checked} outputs checked, {len(failures)} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    {"gen": gen, "check": check}[sys.argv[1]](sys.argv[2])
