#!/usr/bin/env python3
"""Read an HDF5 file in the store with h5py, through the VOL connector.

    HDF5_VOL_CONNECTOR=sciswift python3 vol_read.py sky/vol.h5 [DATASET ...]

Prints each dataset's shape and type (by default those vol_write.py writes).
For /temperature of a vol_write.py file it also reads a slice (only the
chunks it covers are fetched) and checks every value against the formula
the writer used; the exit status says whether they matched.

The datasets are named rather than discovered, and looked up with f[name],
not `name in f`: Debian's h5py iterates (keys(), visititems()) and tests
membership with HDF5's deprecated 1.10 calls (H5Literate1, H5Ovisit1,
H5Oget_info1), which HDF5 allows with its native connector only. h5dump and
h5ls list the file, and so does the store (GET ?describe, see list.py).
"""
import argparse
import os
import sys

import h5py
import numpy as np

from vol_write import NY, STEPS, temperature

WRITTEN = ["temperature", "grid/lat", "grid/lon", "step"]


def check_temperature(t):
    """Compare a few slices with the writer's formula; the count of bad ones."""
    bad = 0
    for step in range(0, min(t.shape[0], STEPS), 5):
        got = t[step, :, 10:20]
        want = temperature(step)[:, 10:20]
        if not np.array_equal(got, want):
            bad += 1
            print(f"  step {step}: values differ from the writer's", file=sys.stderr)
    print(f"  /temperature[::5, :, 10:20] checked: {'MISMATCH' if bad else 'ok'}, "
          f"mean of step 0 = {t[0].mean():.4f} {t.attrs.get('units')}")
    return bad


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("path", help="CONTAINER/FILE.h5 in the store")
    p.add_argument("datasets", nargs="*", default=WRITTEN,
                   help="datasets to read (default: those vol_write.py writes)")
    args = p.parse_args(argv)
    if not os.environ.get("HDF5_VOL_CONNECTOR", "").startswith("sciswift"):
        p.error("HDF5_VOL_CONNECTOR is not sciswift: this would read a local file")

    with h5py.File(args.path, "r") as f:
        print(f"{args.path}: title={f.attrs.get('title')!r}")
        for name in args.datasets:
            try:
                d = f[name]
            except (KeyError, RuntimeError) as e:
                print(f"  /{name}: {e}", file=sys.stderr)
                return 1
            print(f"  {d.name}  {'x'.join(map(str, d.shape))}  {d.dtype}  chunks={d.chunks}")
        if "temperature" not in args.datasets:
            return 0
        t = f["temperature"]
        if t.ndim != 3 or t.shape[1] != NY:
            return 0
        return 1 if check_temperature(t) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
