"""Print every dataset and attribute of an HDF5 file as h5py (the Debian
build, on HDF5 1.10) reads it, in a form the Go test compares with what the
VOL connector's Go API reads: fixed-size values as the hex of their bytes in
the file's own byte order, variable-length ones as a list of hex strings
(None for NULL)."""
import json
import sys

import h5py
import numpy as np


def fixed_or_var(arr, dt):
    if dt.kind == "O":
        out = []
        for v in np.asarray(arr, dtype=object).reshape(-1):
            if v is None:
                out.append(None)
            elif isinstance(v, str):
                out.append(v.encode("utf-8").hex())
            elif isinstance(v, bytes):
                out.append(v.hex())
            else:
                out.append(np.ascontiguousarray(v).tobytes().hex())
        return {"var": out}
    return {"hex": np.ascontiguousarray(arr).tobytes().hex()}


def attrs(obj):
    out = {}
    for name in obj.attrs:
        aid = h5py.h5a.open(obj.id, name.encode("utf-8"))
        if aid.shape is None:
            out[name] = {"null": True}
            continue
        arr = np.empty(aid.shape, dtype=aid.dtype)
        if aid.dtype.kind == "O":
            aid.read(arr)
        else:  # the bytes as stored (h5py has no memory type for tagged opaques)
            aid.read(arr, mtype=aid.get_type())
        out[name] = fixed_or_var(arr, aid.dtype)
    return out


def main(path):
    res = {}
    with h5py.File(path, "r") as f:
        res["/"] = {"attrs": attrs(f)}

        def visit(name, obj):
            item = {"attrs": attrs(obj)}
            if isinstance(obj, h5py.Dataset):
                item["chunks"] = list(obj.chunks) if obj.chunks else None
                if obj.shape is None:
                    item["null"] = True
                else:
                    item["shape"] = list(obj.shape)
                    arr = np.empty(obj.shape, dtype=obj.dtype)
                    mtype = None if obj.dtype.kind == "O" else obj.id.get_type()
                    if obj.size:
                        obj.id.read(h5py.h5s.ALL, h5py.h5s.ALL, arr, mtype=mtype)
                    item.update(fixed_or_var(arr, obj.dtype))
            elif isinstance(obj, h5py.Datatype):
                item["datatype"] = True
            res["/" + name] = item

        f.visititems(visit)
        for name in f:
            link = f.get(name, getlink=True)
            if isinstance(link, h5py.SoftLink):
                res["/" + name] = {"soft": link.path}
            elif isinstance(link, h5py.ExternalLink):
                res["/" + name] = {"external": [link.filename, link.path]}
    json.dump(res, sys.stdout, sort_keys=True)


main(sys.argv[1])
