"""Writes the large files of `make bench-formats` with h5py and astropy.

usage: bigfiles.py h5|fits PATH SIDE

Both hold one float32 image of SIDE x SIDE (SIDE=16384: 1 GiB), written a
block of rows at a time so memory stays small:
  h5    /image, chunked 256 x 256, uncompressed (h5py)
  fits  the primary HDU, BITPIX -32 (astropy's StreamingHDU)
Values are a cheap function of the position, so writing is I/O bound.
"""
import sys

import numpy as np

BLOCK_ROWS = 512


def block(start, rows, side):
    r = np.arange(start, start + rows, dtype=np.float32)[:, None]
    c = np.arange(side, dtype=np.float32)[None, :]
    return r * 0.001 + c


def write_h5(path, side):
    import h5py
    with h5py.File(path, "w") as f:
        d = f.create_dataset("image", shape=(side, side), dtype="<f4", chunks=(256, 256))
        d.attrs["units"] = "counts"
        for start in range(0, side, BLOCK_ROWS):
            rows = min(BLOCK_ROWS, side - start)
            d[start:start + rows, :] = block(start, rows, side)


def write_fits(path, side):
    from astropy.io import fits
    hdr = fits.Header()
    hdr["SIMPLE"] = True
    hdr["BITPIX"] = -32
    hdr["NAXIS"] = 2
    hdr["NAXIS1"] = side
    hdr["NAXIS2"] = side
    hdr["OBJECT"] = "bench"
    shdu = fits.StreamingHDU(path, hdr)
    for start in range(0, side, BLOCK_ROWS):
        rows = min(BLOCK_ROWS, side - start)
        shdu.write(block(start, rows, side).astype(">f4"))
    shdu.close()


if __name__ == "__main__":
    kind, path, side = sys.argv[1], sys.argv[2], int(sys.argv[3])
    {"h5": write_h5, "fits": write_fits}[kind](path, side)
