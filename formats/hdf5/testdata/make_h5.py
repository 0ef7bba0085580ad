"""Writes the test file and what h5py reads back from it.

usage: make_h5.py OUT.h5 EXPECTED.json [userblock]

EXPECTED.json: {"datasets": {path: {shape, chunks, maxshape, filters}},
"attributes": {path: {name: value}}, "reads": [{path, select, shape,
hex | strings}]}. Every expected value is what h5py reads from the closed
file, never what the script meant to write.
"""
import json
import sys

import h5py
import numpy as np

out, expected = sys.argv[1], sys.argv[2]
userblock = len(sys.argv) > 3

# Data outside the file, which the server must never read: the source of a
# virtual dataset and the raw file of a dataset with external storage.
source = out + ".source.h5"
with h5py.File(source, "w") as s:
    s["data"] = np.arange(10, dtype="<i4")
raw = out + ".raw"
np.arange(8, dtype="<i4").tofile(raw)

kw = {"userblock_size": 1 << 17} if userblock else {}  # past any sniffed head
with h5py.File(out, "w", **kw) as f:
    layout = h5py.VirtualLayout(shape=(10,), dtype="<i4")
    layout[:] = h5py.VirtualSource(source, "data", shape=(10,))
    f.create_virtual_dataset("virtual", layout)
    f.create_dataset("external", shape=(8,), dtype="<i4", external=[(raw, 0, 32)])
    f["soft"] = h5py.SoftLink("/contig")
    f["extlink"] = h5py.ExternalLink(source, "/data")
    rng = np.random.default_rng(7)
    f["contig"] = np.arange(30 * 7, dtype="<i4").reshape(30, 7)
    f["be"] = np.arange(50, dtype=">f8") * 1.5
    f.create_dataset("chunked", data=rng.standard_normal((45, 33)).astype("<f4"), chunks=(10, 8))
    f.create_dataset("deflate", data=np.arange(5000, dtype="<i8").reshape(50, 100) % 97, chunks=(16, 32), compression="gzip", compression_opts=6)
    f.create_dataset("shuffled", data=(np.arange(3000, dtype="<u2") * 7).reshape(3000), chunks=(256,), shuffle=True, compression="gzip", fletcher32=True)
    f.create_dataset("fletcher", data=np.linspace(0, 1, 999, dtype="<f8"), chunks=(100,), fletcher32=True)
    f.create_dataset("scaleoffset", data=np.arange(1000, dtype="<i4") % 50, chunks=(100,), scaleoffset=0)
    f.create_dataset("lzf", data=np.arange(100, dtype="<i4"), chunks=(10,), compression="lzf")
    f.create_dataset("sparse", shape=(40, 40), dtype="<i2", chunks=(8, 8), fillvalue=-3)
    f["sparse"][3:5, 20:30] = 11
    f.create_dataset("unlimited", data=np.arange(25, dtype="<i4"), maxshape=(None,), chunks=(10,))
    f["unlimited"].resize((37,))
    f["unlimited"][25:] = 99
    f.create_dataset("empty", shape=(0,), dtype="<f4")
    f["scalar"] = np.float64(2.75)
    f["nothing"] = h5py.Empty("<f4")
    f.create_dataset("vlenscalar", data="only one", dtype=h5py.string_dtype())
    f["bool"] = np.array([True, False, True, True])
    ct = np.dtype([("x", "<i4"), ("y", "<f8"), ("name", "S6"), ("v", ">i2", (2, 3))])
    comp = np.zeros(12, dtype=ct)
    comp["x"] = np.arange(12)
    comp["y"] = np.arange(12) / 4
    comp["name"] = [b"n%d" % i for i in range(12)]
    comp["v"] = np.arange(12 * 6).reshape(12, 2, 3)
    f["compound"] = comp
    et = h5py.enum_dtype({"RED": 0, "GREEN": 1, "BLUE": 42}, basetype="i1")
    f.create_dataset("enum", data=np.array([0, 1, 42, 1, 0], dtype="i1"), dtype=et)
    f["fixedstr"] = np.array([b"alpha", b"be", b"gamma!"], dtype="S6")
    f.create_dataset("vlenstr", data=["one", "two words", "", "ünïcode"], dtype=h5py.string_dtype())
    f.create_dataset("compact", data=np.arange(12, dtype="<i2"), chunks=None)
    g = f.create_group("wind/deep/er")
    g["u"] = np.arange(6, dtype="<f4").reshape(2, 3)
    f["wind"]["u"] = f["wind/deep/er/u"]  # a second hard link
    f["wind/deep/back"] = f["wind"]  # a cycle
    f["wind"].attrs["units"] = "m/s"
    f["wind"].attrs["count"] = np.int64(-5)
    f["wind"].attrs["scale"] = np.float32(0.5)
    f["wind"].attrs["flags"] = np.array([1, 2, 3], dtype="<u1")
    f["wind"].attrs["grid"] = np.arange(6, dtype="<f8").reshape(2, 3)
    f["wind"].attrs["fixed"] = np.bytes_(b"abc")
    f["wind"].attrs["on"] = np.bool_(True)
    f["contig"].attrs["long_name"] = "a contiguous thing"
    f["contig"].attrs["names"] = ["x", "yy", "zzz"]
    f["contig"].attrs["point"] = np.array((3, 1.25), dtype=[("i", "<i2"), ("v", ">f4")])
    f["contig"].attrs.create("color", 42, dtype=h5py.enum_dtype({"RED": 0, "BLUE": 42}, basetype="u1"))
    f["contig"].attrs["big"] = np.uint64(2**63 + 5)
    f["contig"].attrs["half"] = np.float16(-0.375)
    f["chunked"].attrs["valid_range"] = np.array([-1.5, 1.5], dtype=">f8")
    f.attrs["title"] = "sciswift test"

# compact layout needs the low-level API
with h5py.File(out, "a") as f:
    del f["compact"]
    space = h5py.h5s.create_simple((12,))
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    d = h5py.h5d.create(f.id, b"compact", h5py.h5t.STD_I16LE, space, dcpl=dcpl)
    d.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(12, dtype="<i2") * 3)

reads = [
    ("/contig", ""), ("/contig", "[0:30:2,5:7]"), ("/contig", "[3,:]"), ("/contig", "[4:9,6]"),
    ("/be", "[1:50:7]"),
    ("/chunked", ""), ("/chunked", "[7:43:3,5:33:4]"), ("/chunked", "[44,:]"),
    ("/deflate", "[10:40,50:99]"), ("/shuffled", "[250:2900:13]"), ("/fletcher", ""),
    ("/sparse", ""), ("/unlimited", ""), ("/empty", ""), ("/scalar", ""), ("/nothing", ""), ("/vlenscalar", ""), ("/bool", ""),
    ("/compound", "[2:11:3]"), ("/enum", ""), ("/fixedstr", "[1:3]"), ("/vlenstr", ""),
    ("/vlenstr", "[1:4:2]"), ("/scaleoffset", "[95:512:3]"), ("/compact", "[2:9]"), ("/wind/u", "[1,0:3]"),
]


def index(expr, shape):
    if expr in ("", "[]"):
        return ()
    out = []
    for part, n in zip(expr[1:-1].split(","), shape):
        if ":" not in part:
            out.append(int(part))
            continue
        bits = (part.split(":") + [""])[:3]
        out.append(slice(*(int(b) if b else None for b in bits)))
    return tuple(out)


def plain(dt):  # without h5py's metadata (string encodings, enum maps)
    if dt.names:
        return np.dtype({"names": list(dt.names), "formats": [plain(dt.fields[n][0]) for n in dt.names],
                         "offsets": [dt.fields[n][1] for n in dt.names], "itemsize": dt.itemsize})
    if dt.subdtype:
        return np.dtype((plain(dt.subdtype[0]), dt.subdtype[1]))
    return np.dtype(dt.str)


def descr(dt):
    d = np.lib.format.dtype_to_descr(plain(dt))
    return d if isinstance(d, str) else repr(d)


def jsonable(v):
    if isinstance(v, np.void) and v.dtype.names:
        return {n: jsonable(v[n]) for n in v.dtype.names}
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.ndarray):
        return [jsonable(x) for x in v.tolist()] if v.dtype.kind != "S" else [x.decode() for x in v.tolist()]
    if isinstance(v, list):
        return [jsonable(x) for x in v]
    if isinstance(v, np.generic):
        return jsonable(v.item())
    return v


exp = {"datasets": {}, "attributes": {}, "reads": []}
with h5py.File(out, "r") as f:
    def visit(name, obj):
        path = "/" + name
        exp["attributes"][path] = {k: jsonable(v) for k, v in obj.attrs.items()}
        if isinstance(obj, h5py.Dataset):
            filters = []
            if obj.shuffle:
                filters.append("shuffle")
            if obj.compression == "gzip":
                filters.append("deflate")
            if obj.fletcher32:
                filters.append("fletcher32")
            if obj.scaleoffset is not None:
                filters.append("scaleoffset")
            if obj.compression == "lzf":
                filters.append("lzf")
            exp["datasets"][path] = {
                "shape": list(obj.shape) if obj.shape is not None else [0],"chunks": list(obj.chunks) if obj.chunks else None,
                "maxshape": [-1 if m is None else m for m in obj.maxshape] if obj.maxshape != obj.shape else None,
                "filters": sorted(filters), "descr": descr(obj.dtype),
            }
    f.visititems(visit)
    exp["attributes"]["/"] = {k: jsonable(v) for k, v in f.attrs.items()}

    seen = [f]

    def links(g, prefix):  # every path, hard links included (visititems skips repeats)
        for name in g:
            if not isinstance(g.get(name, getlink=True), h5py.HardLink):
                continue  # soft and external links are not indexed
            obj = g[name]
            if isinstance(obj, h5py.Group):
                if any(obj == v for v in seen):
                    continue  # entered once: a cycle or a second link
                seen.append(obj)
                yield from links(obj, prefix + name + "/")
            else:
                yield prefix + name
    exp["dataset_paths"] = sorted(links(f, "/"))
    for path, expr in reads:
        d = f[path]
        if d.shape is None:  # h5py.Empty: no elements
            exp["reads"].append({"path": path, "select": expr, "shape": [0], "hex": ""})
            continue
        if h5py.check_string_dtype(d.dtype) and h5py.check_string_dtype(d.dtype).length is None:
            v = d.asstr()[index(expr, d.shape)] if d.shape else d.asstr()[()]
            exp["reads"].append({"path": path, "select": expr, "shape": list(np.shape(v)), "strings": list(np.atleast_1d(v))})
            continue
        v = np.asarray(d[index(expr, d.shape)] if d.shape else d[()])
        exp["reads"].append({"path": path, "select": expr, "shape": list(v.shape), "hex": np.ascontiguousarray(v).tobytes().hex()})
with open(expected, "w") as fh:
    json.dump(exp, fh, indent=1)
