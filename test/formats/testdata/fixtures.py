"""Writes the HDF5 and FITS files of the formats suite with h5py and astropy.

usage: fixtures.py h5 PATH [variant] | fits PATH

The suite never hard-codes expected values: check.py reads these files back
with the same libraries and compares what the server returned with that.
"""
import sys

import numpy as np


def write_h5(path, variant="a"):
    import h5py

    rng = np.random.default_rng(4 if variant == "a" else 5)
    with h5py.File(path, "w") as f:
        f.attrs["title"] = "sciswift formats suite " + variant
        f.attrs["version"] = np.int32(3)
        f.attrs["bounds"] = np.array([1.5, -2.25, 1e300])
        if variant != "a":
            # An overwritten object: a different tree.
            f.create_dataset("replaced", data=np.arange(12, dtype="<i8").reshape(3, 4))
            return
        wind = f.create_group("wind")
        wind.attrs["source"] = "model"
        u = wind.create_dataset(
            "u", data=rng.standard_normal((200, 40)).astype("<f4"),
            chunks=(20, 8), compression="gzip", compression_opts=6, shuffle=True)
        u.attrs["units"] = "m/s"
        u.attrs["scale"] = 0.5
        v = rng.standard_normal((200, 40))
        v[3, 4] = np.nan
        v[5, 6] = np.inf
        v[7, 8] = -np.inf
        v[9, 10] = -0.0
        wind.create_dataset("v", data=v)  # contiguous
        f.create_dataset(
            "counts", data=rng.integers(-30000, 30000, size=1000).astype(">i2"),
            chunks=(64,), fletcher32=True)
        table = np.zeros(300, dtype=[("id", "<i4"), ("x", "<f8"), ("name", "S8")])
        table["id"] = np.arange(300) * 7
        table["x"] = rng.standard_normal(300)
        table["name"] = [("n%d" % i).encode() for i in range(300)]
        f.create_dataset("table", data=table, chunks=(50,), compression="gzip")
        grid = f.create_group("grid")
        grid.create_dataset(
            "cube", data=rng.integers(0, 256, size=(10, 20, 30)).astype("u1"),
            chunks=(5, 5, 5), compression="gzip", shuffle=True)
        deep = grid.create_group("deep")
        deep.create_dataset("u8", data=rng.integers(0, 2**63, size=(50,), dtype="<u8"))
        f.create_dataset("flags", data=rng.integers(0, 2, size=100).astype(bool), chunks=(30,))
        f.create_dataset("scalar", data=np.float64(6.02214076e23))


def write_fits(path):
    from astropy.io import fits

    rng = np.random.default_rng(7)
    hdus = [fits.PrimaryHDU()]
    hdus[0].header["OBJECT"] = "M31"
    hdus[0].header["TELESCOP"] = "sciswift"

    # HDU1: BITPIX -32, the README's survey image.
    img = rng.standard_normal((600, 700)).astype(">f4")
    img[10, 10] = np.nan
    h = fits.ImageHDU(data=img, name="SKY")
    h.header["EXPTIME"] = 30.5
    hdus.append(h)
    # HDU2: BITPIX 8, unsigned bytes.
    hdus.append(fits.ImageHDU(data=rng.integers(0, 256, size=(30, 40)).astype("u1")))
    # HDU3: BITPIX 16 with BSCALE/BZERO and BLANK: physical floats, NaN for BLANK.
    raw16 = rng.integers(-1000, 1000, size=(25, 35)).astype(">i2")
    raw16[0, 0] = -32768
    raw16[4, 7] = -32768
    hdus.append(raw_scaled(fits, raw16, bscale=0.5, bzero=10.0, blank=-32768))
    # HDU4: BITPIX 32 with BZERO 2^31: uint32.
    hdus.append(fits.ImageHDU(data=rng.integers(0, 2**32, size=(12, 13), dtype=np.uint64).astype(np.uint32), uint=True))
    # HDU5: BITPIX 64.
    hdus.append(fits.ImageHDU(data=rng.integers(-2**62, 2**62, size=(9, 11), dtype=np.int64).astype(">i8")))
    # HDU6: BITPIX -64, 3-D with NaN and infinities.
    cube = rng.standard_normal((4, 5, 6)).astype(">f8")
    cube[1, 2, 3] = np.nan
    cube[0, 0, 1] = np.inf
    hdus.append(fits.ImageHDU(data=cube))
    # HDU7: BITPIX 16 with BZERO 2^15: uint16.
    hdus.append(fits.ImageHDU(data=rng.integers(0, 65536, size=(20, 21)).astype(np.uint16), uint=True))
    # HDU8: BITPIX 8 with BZERO -128: int8.
    hdus.append(fits.ImageHDU(data=rng.integers(-128, 128, size=(15, 16)).astype(np.int8)))
    # HDU9: BITPIX 32 with BSCALE 2, BZERO 1 and BLANK: float64.
    raw32 = rng.integers(-10**6, 10**6, size=(8, 9)).astype(">i4")
    raw32[2, 2] = 99
    hdus.append(raw_scaled(fits, raw32, bscale=2.0, bzero=1.0, blank=99))
    # HDU10: BITPIX 64 with BSCALE/BZERO: float64.
    raw64 = rng.integers(-10**9, 10**9, size=(6, 7)).astype(">i8")
    hdus.append(raw_scaled(fits, raw64, bscale=0.25, bzero=-3.0, blank=None))
    # HDU11: BITPIX -32 with BSCALE/BZERO.
    hdus.append(raw_scaled(fits, rng.standard_normal((5, 6)).astype(">f4"), bscale=3.0, bzero=0.5, blank=None))

    # HDU12: a binary table: repeat counts, strings, logicals, TSCAL/TZERO.
    n = 500
    cols = [
        fits.Column(name="ID", format="J", array=np.arange(n, dtype=np.int32) * 3),
        fits.Column(name="FLUX", format="3E", array=rng.standard_normal((n, 3)).astype(np.float32)),
        fits.Column(name="MAG", format="D", array=rng.standard_normal(n)),
        fits.Column(name="NAME", format="8A", array=np.array(["star%d" % i for i in range(n)])),
        fits.Column(name="GOOD", format="L", array=rng.integers(0, 2, size=n).astype(bool)),
        fits.Column(name="SCALED", format="I", array=rng.integers(-1000, 1000, size=n).astype(np.int16)),
        fits.Column(name="USHORT", format="I", bzero=32768,
                    array=rng.integers(0, 65536, size=n).astype(np.uint16)),
        fits.Column(name="BIG", format="K", array=rng.integers(-2**62, 2**62, size=n, dtype=np.int64)),
        fits.Column(name="BYTES", format="2B", array=rng.integers(0, 256, size=(n, 2)).astype(np.uint8)),
    ]
    hdus.append(fits.BinTableHDU.from_columns(cols, name="EVENTS"))
    fits.HDUList(hdus).writeto(path, overwrite=True)
    # TSCAL/TZERO on a raw integer column, as instruments write them (astropy
    # cannot build such a column from physical values): header cards only.
    fits.setval(path, "TSCAL6", value=0.1, ext=12, after="TFORM6")
    fits.setval(path, "TZERO6", value=5.0, ext=12, after="TSCAL6")


def raw_scaled(fits, raw, bscale, bzero, blank):
    """An image HDU holding raw values with scaling cards, as instruments write them."""
    h = fits.ImageHDU(data=raw, do_not_scale_image_data=True)
    h.header["BSCALE"] = bscale
    h.header["BZERO"] = bzero
    if blank is not None:
        h.header["BLANK"] = blank
    return h


if __name__ == "__main__":
    kind, path = sys.argv[1], sys.argv[2]
    if kind == "h5":
        write_h5(path, *(sys.argv[3:4] or ["a"]))
    elif kind == "fits":
        write_fits(path)
    else:
        sys.exit("unknown kind " + kind)
