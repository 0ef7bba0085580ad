#!/usr/bin/python3
"""Write the sample files of the README's dataset API example.

run1.h5 (h5py): a group /wind with the wind components u and v on a
200 x 40 grid, chunked 50 x 10, gzip + shuffle; survey.fits (astropy): an
empty primary HDU, a 1024 x 1024 image in HDU1 and a source catalogue as a
binary table in HDU2. Values are deterministic. Needs h5py, numpy and
astropy (Debian: python3-h5py python3-numpy python3-astropy).
"""
import argparse

import h5py
import numpy as np
from astropy.io import fits


def write_hdf5(path):
    t = np.linspace(0, 2 * np.pi, 200, dtype=np.float32)[:, None]
    z = np.linspace(0, 1, 40, dtype=np.float32)[None, :]
    with h5py.File(path, "w") as f:
        f.attrs["title"] = "run 1: wind at 40 levels"
        wind = f.create_group("wind")
        for name, values, long_name in [
            ("u", 10 * np.cos(t) * (1 + z), "eastward wind"),
            ("v", 5 * np.sin(2 * t) * (1 - z / 2), "northward wind"),
        ]:
            d = wind.create_dataset(name, data=values.astype(np.float32), chunks=(50, 10),
                                    compression="gzip", shuffle=True)
            d.attrs["units"] = "m/s"
            d.attrs["long_name"] = long_name


def write_fits(path):
    y, x = np.mgrid[0:1024, 0:1024].astype(np.float32) / 1024
    image = fits.ImageHDU((100 * np.exp(-((x - 0.5) ** 2 + (y - 0.4) ** 2) * 8)
                           + 10 * np.sin(12 * x) * np.cos(9 * y)).astype(np.float32))
    image.header["BUNIT"] = "adu"
    n = 50
    catalogue = fits.BinTableHDU.from_columns([
        fits.Column(name="ID", format="J", array=np.arange(1, n + 1)),
        fits.Column(name="FLUX", format="E", array=np.linspace(1, 50, n) ** 1.5),
        fits.Column(name="NAME", format="8A", array=[f"src{i:04d}" for i in range(n)]),
        fits.Column(name="POS", format="2D", array=np.stack([np.linspace(10, 20, n), np.linspace(-5, 5, n)], axis=1)),
    ])
    fits.HDUList([fits.PrimaryHDU(), image, catalogue]).writeto(path, overwrite=True)


def main():
    argparse.ArgumentParser(description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    write_hdf5("run1.h5")
    write_fits("survey.fits")


if __name__ == "__main__":
    main()
