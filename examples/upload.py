#!/usr/bin/env python3
"""Make an HDF5 file with one N x M dataset and upload it to the store.

    python3 upload.py sky wind.h5 wind 100 100

writes wind.h5 (dataset /wind, float64, N x M, chunked) with h5py, then
uploads it to container "sky" with python-swiftclient. The credentials are
the `swift` CLI's: ST_AUTH, ST_USER, ST_KEY (or --auth/--user/--key).
"""
import argparse
import os
import sys
import tempfile

# The file is written to local disk and then uploaded, so it is made by
# HDF5's own (native) connector even where the environment names the store's
# connector for every other HDF5 program. HDF5 reads this variable when h5py
# loads it, so it goes before the import.
os.environ.pop("HDF5_VOL_CONNECTOR", None)

import h5py  # noqa: E402
import numpy as np  # noqa: E402
from swiftclient.client import Connection  # noqa: E402


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("container", help="container to upload into (created if missing)")
    p.add_argument("name", help="object name, e.g. wind.h5")
    p.add_argument("dataset", help="name of the dataset in the file, e.g. wind")
    p.add_argument("rows", type=int, help="N, the first dimension")
    p.add_argument("cols", type=int, help="M, the second dimension")
    p.add_argument("--auth", default=os.environ.get("ST_AUTH"), help="auth URL (default $ST_AUTH)")
    p.add_argument("--user", default=os.environ.get("ST_USER"), help="account:user (default $ST_USER)")
    p.add_argument("--key", default=os.environ.get("ST_KEY"), help="key (default $ST_KEY)")
    args = p.parse_args(argv)
    if not (args.auth and args.user and args.key):
        p.error("credentials missing: set ST_AUTH, ST_USER, ST_KEY or pass --auth/--user/--key")
    if args.rows < 1 or args.cols < 1:
        p.error("rows and cols must be at least 1")
    return args


def field(rows, cols):
    """A smooth field with a known formula, so a reader can check any value:
    value[i, j] = i + j / 1000."""
    i = np.arange(rows, dtype=np.float64)[:, None]
    j = np.arange(cols, dtype=np.float64)[None, :]
    return i + j / 1000.0


def write_file(path, dataset, rows, cols):
    with h5py.File(path, "w") as f:
        chunks = (min(rows, 64), min(cols, 64))
        d = f.create_dataset(dataset, data=field(rows, cols), chunks=chunks, compression="gzip")
        d.attrs["units"] = "m/s"
        d.attrs["formula"] = "i + j/1000"


def main(argv):
    args = parse_args(argv)
    conn = Connection(authurl=args.auth, user=args.user, key=args.key)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, os.path.basename(args.name))
        write_file(path, args.dataset, args.rows, args.cols)
        size = os.path.getsize(path)
        conn.put_container(args.container)
        with open(path, "rb") as body:
            etag = conn.put_object(args.container, args.name, body, content_length=size,
                                   content_type="application/x-hdf5")
    print(f"uploaded {args.container}/{args.name}: /{args.dataset} {args.rows}x{args.cols} float64, "
          f"{size} bytes, etag {etag}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
