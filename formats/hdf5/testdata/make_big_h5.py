"""Writes a large chunked, deflated dataset for the benchmark.

usage: make_big_h5.py OUT.h5 N   (an N×N float64 dataset /big, 128×128 chunks)
"""
import sys

import h5py
import numpy as np

out, n = sys.argv[1], int(sys.argv[2])
with h5py.File(out, "w") as f:
    d = f.create_dataset("big", shape=(n, n), dtype="<f8", chunks=(128, 128), compression="gzip", compression_opts=1)
    for r in range(0, n, 512):
        rows = np.arange(r, min(r + 512, n), dtype="<f8")[:, None]
        d[r:r + 512] = rows * n + np.arange(n)
