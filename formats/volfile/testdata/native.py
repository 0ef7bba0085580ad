"""Write a native HDF5 file with h5py and print, as JSON, what h5py reads
back from it: for every dataset its shape, chunks, filters, bytes (fixed-size
types, as stored) or strings, and every attribute's value.

usage: native.py OUT.h5
"""
import base64
import json
import sys

import h5py
import numpy as np


def write(path):
    with h5py.File(path, "w") as f:
        f.attrs["title"] = "run 1"
        f.attrs["version"] = np.int32(3)
        g = f.create_group("wind")
        u = g.create_dataset("u", data=np.arange(37 * 23, dtype="<f8").reshape(37, 23) * 0.5,
                             chunks=(8, 5), compression="gzip", shuffle=True, fletcher32=True)
        u.attrs["units"] = "m/s"
        u.attrs["scale"] = np.array([1.5, -2.0, 1e300])
        g.create_group("empty")
        f.create_dataset("contig", data=np.arange(1000, dtype=">i4") * 7 - 3000)
        f.create_dataset("table", data=np.array([(i, i * 0.25) for i in range(25)],
                                                dtype=[("x", "<i4"), ("y", "<f8")]))
        f.create_dataset("strings", data=np.array(["alpha", "", "δέλτα"], dtype=h5py.string_dtype()))
        f.create_dataset("filled", shape=(30,), dtype="<i2", chunks=(7,), fillvalue=-5)
        f["filled"][7:14] = np.arange(7)
        f.create_dataset("grow", data=np.ones((5, 4), dtype="<f4"), maxshape=(None, 4), chunks=(2, 4))
        f["grow"].resize((9, 4))
        f.create_dataset("scalar", data=np.float64(3.25))


def attr_value(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.ndarray):
        return [attr_value(x) for x in v.tolist()]
    if isinstance(v, np.generic):
        return v.item()
    return v


def describe(path):
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if not isinstance(obj, h5py.Dataset):
                return
            d = {"shape": list(obj.shape), "chunks": list(obj.chunks) if obj.chunks else None,
                 "filters": sorted(k for k in ("shuffle", "fletcher32") if getattr(obj, k))
                 + (["deflate"] if obj.compression == "gzip" else []),
                 "attrs": {k: attr_value(v) for k, v in obj.attrs.items()}}
            data = obj[()]
            if h5py.check_string_dtype(obj.dtype) and h5py.check_string_dtype(obj.dtype).length is None:
                d["strings"] = [s.decode() if isinstance(s, bytes) else s for s in np.ravel(data).tolist()]
            else:
                d["bytes"] = base64.b64encode(np.ascontiguousarray(data).tobytes()).decode()
            d["filters"].sort()
            out["/" + name] = d
        f.visititems(visit)
        out["/"] = {"attrs": {k: attr_value(v) for k, v in f.attrs.items()}}
    return out


write(sys.argv[1])
json.dump(describe(sys.argv[1]), sys.stdout)
