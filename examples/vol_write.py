#!/usr/bin/env python3
"""Write an HDF5 file straight into the store with h5py, through the VOL connector.

    HDF5_VOL_CONNECTOR=sciswift python3 vol_write.py sky/vol.h5

Nothing here is specific to the store: it is plain h5py. HDF5 (1.14 or later)
loads the connector named by HDF5_VOL_CONNECTOR from HDF5_PLUGIN_PATH, and
the connector logs in with ST_AUTH, ST_USER, ST_KEY. "sky/vol.h5" is
container "sky" (created if missing), file "vol.h5".
"""
import argparse
import os
import sys

import h5py
import numpy as np

STEPS, NY, NX = 12, 90, 180


def temperature(step):
    """A field a reader can recompute: 15 + 10 cos(latitude) + step / 10."""
    lat = np.linspace(-np.pi / 2, np.pi / 2, NY, dtype=np.float64)[:, None]
    return (15 + 10 * np.cos(lat) + step / 10 + np.zeros((1, NX))).astype(np.float32)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("path", help="CONTAINER/FILE.h5 in the store")
    args = p.parse_args(argv)
    if not os.environ.get("HDF5_VOL_CONNECTOR", "").startswith("sciswift"):
        p.error("HDF5_VOL_CONNECTOR is not sciswift: this would write a local file")

    with h5py.File(args.path, "w") as f:
        f.attrs["title"] = "toy climate run"
        grid = f.create_group("grid")
        grid.create_dataset("lat", data=np.linspace(-90, 90, NY))
        grid.create_dataset("lon", data=np.linspace(-180, 180, NX, endpoint=False))
        t = f.create_dataset("temperature", shape=(0, NY, NX), maxshape=(None, NY, NX),
                             dtype="f4", chunks=(1, NY, NX), compression="gzip", shuffle=True)
        t.attrs["units"] = "degC"
        for step in range(STEPS):
            t.resize(step + 1, axis=0)
            t[step] = temperature(step)
        f.create_dataset("step", data=np.arange(STEPS, dtype=np.int32))
    print(f"wrote {args.path}: /temperature {STEPS}x{NY}x{NX} float32, /grid/lat, /grid/lon, /step")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
