"""Cross-check of package filter against libhdf5 (driven by filter_test.go).

  h5filters.py make  DIR   writes DIR/src.h5 with chunked, filtered datasets
                           and prints JSON: each dataset's pipeline and, per
                           chunk, the raw stored bytes, the filter mask and
                           the in-extent values h5py reads.
  h5filters.py write DIR ENCODED DST
                           reads ENCODED (JSON: chunks encoded by Go),
                           writes them with write_direct_chunk into DST
                           under the same pipelines and prints JSON: per
                           dataset whether h5py reads back exactly the
                           values of DIR/src.h5.
"""
import base64
import zlib
import itertools
import json
import sys

import h5py
import numpy as np

rng = np.random.default_rng(7)

# name, dtype, shape, chunk, pipeline (in order), data kind
DATASETS = [
    ("i4_shuf_gzip_fl", "<i4", (1000,), (128,), ["shuffle", "gzip", "fletcher32"], "ramp"),
    ("f8_2d_shuf_gzip", "<f8", (50, 37), (16, 10), ["shuffle", "gzip"], "random"),
    ("u1_gzip_incompressible", "u1", (300,), (100,), ["gzip9"], "random"),
    ("i2_3d_fletcher", "<i2", (7, 9, 11), (3, 4, 5), ["fletcher32"], "random"),
    ("f8be_shuf_gzip_fl", ">f8", (40, 40), (15, 40), ["shuffle", "gzip1", "fletcher32"], "ramp"),
    # fletcher32 before shuffle: shuffle sees a length that is not a
    # multiple of the element size and must keep the tail bytes in place.
    ("f8_fl_then_shuf_gzip", "<f8", (33,), (10,), ["fletcher32", "shuffle", "gzip"], "ramp"),
    ("cmpd5_shuf_gzip", [("a", "<i4"), ("b", "u1")], (77,), (20,), ["shuffle", "gzip"], "ramp"),
    ("u8_shuf_only", "<u8", (5, 6), (2, 4), ["shuffle"], "random"),
    ("i4_gzip0", "<i4", (20,), (7,), ["gzip0"], "ramp"),
    # Chunks written raw with a filter mask, as libhdf5 stores a chunk an
    # optional filter failed on: bit i set means filter i was skipped.
    ("i4_masked", "<i4", (64,), (16,), ["shuffle", "gzip"], "masked"),
]


def write_masked(ds):
    """Chunk k gets mask k % 4 (no, deflate, shuffle or both skipped)."""
    values = np.arange(64, dtype="<i4") * 1001
    for k, off in enumerate(range(0, 64, 16)):
        mask = k % 4
        raw = values[off:off + 16]
        if not mask & 1:  # shuffle applied
            raw = np.ascontiguousarray(raw.view("u1").reshape(16, 4).T)
        data = raw.tobytes()
        if not mask & 2:  # deflate applied
            data = zlib.compress(data)
        ds.id.write_direct_chunk((off,), data, mask)


def dcpl_for(chunk, pipeline):
    p = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    p.set_chunk(chunk)
    for f in pipeline:
        if f == "shuffle":
            p.set_shuffle()
        elif f == "fletcher32":
            p.set_fletcher32()
        elif f.startswith("gzip"):
            p.set_deflate(int(f[4:] or 6))
    # Allocate and write every chunk, so each has stored bytes.
    p.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
    return p


def make_data(dtype, shape, kind):
    dt = np.dtype(dtype)
    n = int(np.prod(shape))
    if dt.names:
        a = np.zeros(n, dtype=dt)
        a["a"] = np.arange(n) * 3 - 100
        a["b"] = np.arange(n) % 7
        return a.reshape(shape)
    if kind == "ramp":
        return (np.arange(n) * 3 - 100).astype(dt).reshape(shape)
    if dt.kind == "f":
        return rng.standard_normal(n).astype(dt).reshape(shape)
    info = np.iinfo(dt)
    return rng.integers(info.min, info.max, size=n, endpoint=True, dtype=dt.newbyteorder("=")).astype(dt).reshape(shape)


def create(f, name, dtype, shape, chunk, pipeline):
    tid = h5py.h5t.py_create(np.dtype(dtype), logical=True)
    space = h5py.h5s.create_simple(shape)
    dsid = h5py.h5d.create(f.id, name.encode(), tid, space, dcpl=dcpl_for(chunk, pipeline))
    return h5py.Dataset(dsid)


def pipeline_of(ds):
    plist = ds.id.get_create_plist()
    out = []
    for i in range(plist.get_nfilters()):
        fid, flags, params, fname = plist.get_filter(i)
        out.append({"id": int(fid), "name": fname.decode(), "optional": bool(flags & 1), "params": [int(x) for x in params]})
    return out


def chunk_offsets(shape, chunk):
    ranges = [range(0, s, c) for s, c in zip(shape, chunk)]
    return itertools.product(*ranges)


def make(d):
    out = []
    with h5py.File(d + "/src.h5", "w") as f:
        for name, dtype, shape, chunk, pipeline, kind in DATASETS:
            ds = create(f, name, dtype, shape, chunk, pipeline)
            if kind == "masked":
                write_masked(ds)
            else:
                ds[...] = make_data(dtype, shape, kind)
        f.flush()
        for name, dtype, shape, chunk, pipeline, kind in DATASETS:
            ds = f[name]
            chunks = []
            for off in chunk_offsets(shape, chunk):
                mask, raw = ds.id.read_direct_chunk(off)
                region = tuple(slice(o, min(o + c, s)) for o, c, s in zip(off, chunk, shape))
                chunks.append({
                    "offset": list(off),
                    "mask": int(mask),
                    "raw": base64.b64encode(bytes(raw)).decode(),
                    "values": base64.b64encode(np.ascontiguousarray(ds[region]).tobytes()).decode(),
                    "extent": [r.stop - r.start for r in region],
                })
            out.append({
                "name": name, "elem_size": ds.dtype.itemsize, "shape": list(shape), "chunk": list(chunk),
                "filters": pipeline_of(ds), "chunks": chunks,
            })
    json.dump(out, sys.stdout)


def write(d, encoded, dst_path):
    with open(encoded) as fp:
        enc = {e["name"]: e for e in json.load(fp)}
    res = []
    with h5py.File(d + "/src.h5", "r") as src, h5py.File(dst_path, "w") as dst:
        for name, dtype, shape, chunk, pipeline, kind in DATASETS:
            ds = create(dst, name, dtype, shape, chunk, pipeline)
            for c in enc[name]["chunks"]:
                ds.id.write_direct_chunk(tuple(c["offset"]), base64.b64decode(c["data"]), 0)
            dst.flush()
            try:
                ok = bool(np.array_equal(ds[...], src[name][...]))
                err = ""
            except Exception as e:  # libhdf5 refused to decode a chunk
                ok, err = False, str(e)
            res.append({"name": name, "ok": ok, "error": err})
    json.dump(res, sys.stdout)


if __name__ == "__main__":
    {"make": make, "write": write}[sys.argv[1]](*sys.argv[2:])
