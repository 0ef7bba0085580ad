"""Prints what h5py reads from an HDF5 file, as JSON.

usage: dump_h5.py FILE

{"datasets": {path: {"dtype", "shape", "values" (flat, C order)}},
 "attrs": {path: {name: value}}}; floats NaN/±inf as "NaN"/"Infinity"/"-Infinity".
"""
import json
import math
import sys

import h5py
import numpy as np


def plain(v):
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def main():
    out = {"datasets": {}, "attrs": {}}
    with h5py.File(sys.argv[1], "r") as f:
        def visit(name, obj):
            p = "/" + name
            out["attrs"][p] = {k: plain(np.asarray(v).tolist()) for k, v in obj.attrs.items()}
            if isinstance(obj, h5py.Dataset):
                a = obj[()]
                out["datasets"][p] = {"dtype": obj.dtype.str, "shape": list(obj.shape),
                                      "values": plain(np.asarray(a).ravel().tolist())}
        out["attrs"]["/"] = {k: plain(np.asarray(v).tolist()) for k, v in f.attrs.items()}
        f.visititems(visit)
    json.dump(out, sys.stdout)


main()
