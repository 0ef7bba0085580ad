"""Writes a file with one large group and one object with many attributes,
and what h5py reads back from it.

usage: make_many_h5.py OUT.h5 EXPECTED.json LINKS ATTRS TRACK_ORDER(0|1)

/many holds LINKS one-element datasets, created out of name order, a soft
link and a hard link to the group /other; /attrs is a dataset with ATTRS
scalar attributes, also created out of name order. TRACK_ORDER 1 makes
new-style groups and attribute storage (dense past 8 entries); 0 the
default old-style symbol table and object header messages.

EXPECTED.json: {"many": {"datasets": [names], "groups": [names]},
"attributes": {name: value}}, names in the byte order libhdf5 lists by
name, read from the closed file.
"""
import json
import sys

import h5py
import numpy as np

out, expected, nlinks, nattrs, track = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
with h5py.File(out, "w", track_order=track) as f:
    g = f.create_group("many", track_order=track)
    for i in range(nlinks):
        k = (i * 7919) % nlinks  # 7919 is prime: a permutation of 0..nlinks-1
        g.create_dataset("d%05d" % k if k % 100 else "ü%05d" % k, data=np.array([k], dtype="<i4"))
    g["soft"] = h5py.SoftLink("/many/d00001")
    g["sub"] = f.create_group("other", track_order=track)
    d = f.create_dataset("attrs", data=np.arange(3, dtype="<f8"), track_order=track)
    for i in range(nattrs):
        k = (i * 2999) % nattrs
        d.attrs["a%05d" % k] = np.int32(k)

with h5py.File(out, "r") as f:
    g = f["many"]
    kinds = {name: g.get(name, getlink=True) for name in g}
    hard = [name for name, link in kinds.items() if isinstance(link, h5py.HardLink)]
    exp = {
        "many": {
            "datasets": sorted(n for n in hard if isinstance(g[n], h5py.Dataset)),
            "groups": sorted(n for n in hard if isinstance(g[n], h5py.Group)),
        },
        "attributes": {k: v.item() for k, v in f["attrs"].attrs.items()},
    }
with open(expected, "w") as fh:
    json.dump(exp, fh)
