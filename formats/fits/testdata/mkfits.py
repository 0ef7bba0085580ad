#!/usr/bin/python3
"""Makes FITS files for the Go tests and dumps what astropy reads from them.

usage: mkfits.py DIR

Writes DIR/*.fits and, for every dataset the Go reader should serve, the
values astropy returns for several selections as DIR/*.npy; prints a JSON
manifest on stdout:

  {"files": [{"file": ..., "hdus": [{"index", "cards", "comment", "history"}],
              "datasets": [{"path", "descr", "shape",
                            "cases": [{"sel": [[start, stop, step, index], ...],
                                       "npy": ...}]}],
              "skipped": [paths astropy serves but the reader does not],
              "groups": [paths that are groups, not datasets]}]}

Images with BSCALE/BZERO/BLANK are written byte by byte (header cards made
by astropy, data as raw big-endian integers) so that the stored values are
exactly the raw ones chosen here; tables are written by astropy itself.
"""

import json
import os
import sys

import numpy as np
from astropy.io import fits

OUT = sys.argv[1]
rng = np.random.default_rng(20240531)
files = []
counter = [0]


def pad(b):
    return b + b"\0" * (-len(b) % 2880)


def header_bytes(cards):
    h = fits.Header()
    for c in cards:
        if isinstance(c, fits.Card):
            h.append(c)
        else:
            h.append(c)
    return h.tostring().encode("ascii")


def raw_image(bitpix, shape, extra=(), primary=False, values=None):
    """One HDU as bytes: header cards then raw big-endian data."""
    cards = [("SIMPLE", True)] if primary else [("XTENSION", "IMAGE")]
    cards += [("BITPIX", bitpix), ("NAXIS", len(shape))]
    for i, n in enumerate(reversed(shape)):
        cards.append((f"NAXIS{i + 1}", n))
    if primary:
        cards.append(("EXTEND", True))
    else:
        cards += [("PCOUNT", 0), ("GCOUNT", 1)]
    cards += list(extra)
    dt = {8: ">u1", 16: ">i2", 32: ">i4", 64: ">i8", -32: ">f4", -64: ">f8"}[bitpix]
    if values is None:
        if bitpix > 0:
            info = np.iinfo(np.dtype(dt))
            values = rng.integers(info.min, info.max, size=shape, dtype=np.dtype(dt).newbyteorder("="), endpoint=True)
        else:
            values = rng.standard_normal(shape) * 1e3
    data = np.asarray(values).astype(dt)
    return pad(header_bytes(cards)) + pad(data.tobytes())


def selections(shape):
    """Selections over shape: lists of (start, stop, step, index)."""
    full = [(0, n, 1, False) for n in shape]
    cases = [full]
    cases.append([(min(1, n), n, 2, False) for n in shape])
    cases.append([(0, n, 3, False) for n in shape])
    if shape[0] > 0:
        cases.append([(shape[0] // 2, 0, 0, True)] + full[1:])
    if shape[-1] > 0:
        cases.append(full[:-1] + [(shape[-1] - 1, 0, 0, True)])
    # A window in the middle of every dimension.
    cases.append([(n // 4, n - n // 4, 1, False) for n in shape])
    # Mixed: index in the middle dims, steps elsewhere.
    if len(shape) >= 3 and shape[1] > 0:
        cases.append([(0, shape[0], 2, False), (shape[1] - 1, 0, 0, True)] + [(1, n, 3, False) for n in shape[2:]])
    cases.append([(0, 0, 1, False)] + full[1:])
    return cases


def apply(data, sel):
    key = tuple(s if idx else slice(s, e, st) for s, e, st, idx in sel)
    return data[key]


def to_saveable(a):
    # np.array, not ascontiguousarray: a 0-d result (all indices) stays 0-d.
    a = np.array(a, order="C")
    if a.dtype.kind == "U":
        return a.astype(f"S{max(1, a.dtype.itemsize // 4)}")
    return a


def dataset(path, data):
    data = np.asarray(data)
    cases = []
    for sel in selections(data.shape):
        counter[0] += 1
        name = f"v{counter[0]}.npy"
        np.save(os.path.join(OUT, name), to_saveable(apply(data, sel)), allow_pickle=False)
        cases.append({"sel": [list(s) for s in sel], "npy": name})
    return {"path": path, "descr": data.dtype.str, "shape": list(data.shape), "cases": cases}


def card_value(v):
    if isinstance(v, complex):
        return {"r": v.real, "i": v.imag}
    return v


def headers(path):
    out = []
    with fits.open(path, disable_image_compression=True) as hdul:
        for i, hdu in enumerate(hdul):
            h = hdu.header
            cards = {}
            for k in h.keys():
                if k in ("COMMENT", "HISTORY", "") or k in cards:
                    continue
                v = h[k]
                if v is None or isinstance(v, fits.card.Undefined):
                    continue
                cards[k] = card_value(v)
            out.append({
                "index": i,
                "cards": cards,
                "comment": [str(c) for c in h.get("COMMENT", [])],
                "history": [str(c) for c in h.get("HISTORY", [])],
            })
    return out


def describe(name, skipped=(), groups=()):
    path = os.path.join(OUT, name)
    entry = {"file": name, "hdus": headers(path), "datasets": [], "skipped": list(skipped), "groups": list(groups)}
    with fits.open(path) as hdul:
        for i, hdu in enumerate(hdul):
            if isinstance(hdu, fits.CompImageHDU):
                continue  # a group for the Go reader: tile compression is not served
            if isinstance(hdu, fits.BinTableHDU):
                for col in hdu.columns:
                    p = f"/HDU{i}/{col.name}"
                    if p in skipped:
                        continue
                    entry["datasets"].append(dataset(p, hdu.data[col.name]))
            elif isinstance(hdu, (fits.PrimaryHDU, fits.ImageHDU)) and hdu.data is not None:
                entry["datasets"].append(dataset(f"/HDU{i}", hdu.data))
    files.append(entry)


# --- images.fits: every BITPIX, raw, with the integer conventions and with
# scaling and BLANK; a primary header full of card kinds.
primary_cards = [
    ("OBJECT", "M31   "),
    ("LEADING", "  spaces"),
    ("QUOTE", "O'Brien"),
    ("EMPTY", ""),
    ("LONGSTR", "x" * 100 + "  y & " + "z" * 90),
    ("HIERARCH ESO DET CHIP", 5),
    ("COMPLX", complex(1.5, -2)),
    ("BIGI", 2**63),
    ("NEGI", -42),
    ("FLT", 1.5e-300),
    fits.Card.fromstring("FLTD    =             1.25D+03 / D exponent"),
    ("ISOK", True),
    ("NOTOK", False),
    ("DUP", 1),
    ("DUP", 2),
    ("UNDEF", None),
    ("", "blank keyword commentary"),
    ("COMMENT", "first comment"),
    ("COMMENT", "second comment"),
    ("HISTORY", "made by mkfits.py"),
]
blob = raw_image(8, (), primary_cards, primary=True, values=np.zeros(0))
specs = [
    (8, (7, 13), []),
    (16, (3, 5, 11), []),
    (32, (37,), []),
    (64, (6, 9), []),
    (-32, (4, 6, 8), []),
    (-64, (10, 3), []),
    (8, (9, 5), [("BZERO", -128), ("BSCALE", 1)]),
    (16, (12, 7), [("BSCALE", 1), ("BZERO", 32768)]),
    (32, (19,), [("BZERO", 2147483648)]),
    (64, (4, 5), [("BZERO", 9223372036854775808)]),
    (16, (6, 4), [("BSCALE", 1.0), ("BZERO", 32768.0)]),
    (8, (5, 8), [("BSCALE", 2.5), ("BZERO", 1), ("BLANK", 255)]),
    (16, (3, 4, 9), [("BSCALE", 0.1), ("BZERO", -3.5), ("BLANK", -32768)]),
    (16, (11, 3), [("BLANK", -1)]),
    (32, (8, 8), [("BSCALE", 1e-3), ("BZERO", 7), ("BLANK", 12345)]),
    (64, (5, 6), [("BSCALE", 0.25), ("BZERO", 100)]),
    (-32, (7, 5), [("BSCALE", 2), ("BZERO", 1), ("BLANK", 3)]),
    (-64, (2, 3, 4), [("BSCALE", 3), ("BZERO", -1)]),
    (16, (5, 0), []),  # a zero-length axis: no elements, still a dataset
]
for bitpix, shape, extra in specs:
    values = None
    blank = dict(extra).get("BLANK")
    if bitpix > 0:
        dt = {8: np.uint8, 16: np.int16, 32: np.int32, 64: np.int64}[bitpix]
        info = np.iinfo(dt)
        values = rng.integers(info.min, info.max, size=shape, dtype=dt, endpoint=True)
        if blank is not None and values.size:
            values.flat[:: max(1, values.size // 5)] = blank
        if bitpix == 16 and values.size:
            values.flat[-1] = info.max
            values.flat[0] = info.min
    elif values is None:
        values = (rng.standard_normal(shape) * 1e3).astype(np.float32 if bitpix == -32 else np.float64)
        if values.size > 3:
            values.flat[1] = np.nan
            values.flat[2] = np.inf
    blob += raw_image(bitpix, shape, extra, values=values)
with open(os.path.join(OUT, "images.fits"), "wb") as f:
    f.write(blob)
describe("images.fits", groups=["/HDU0"])

# --- native.fits: what astropy writes itself (pseudo-unsigned and signed
# bytes from numpy arrays), a primary with data, a tile-compressed image.
n = 40
hdul = fits.HDUList([
    fits.PrimaryHDU(data=rng.integers(0, 65535, size=(6, 10), dtype=np.uint16)),
    fits.ImageHDU(data=rng.integers(-128, 127, size=(3, 4, 5), dtype=np.int8), name="SBYTE"),
    fits.ImageHDU(data=rng.integers(0, 2**32 - 1, size=(n,), dtype=np.uint32)),
    fits.ImageHDU(data=rng.integers(0, 2**63, size=(3, 7), dtype=np.uint64) * 2 + 1),
    fits.CompImageHDU(data=rng.standard_normal((16, 16)).astype(np.float32)),
])
hdul.writeto(os.path.join(OUT, "native.fits"))
describe("native.fits", groups=["/HDU4"])

# --- table.fits: a binary table with every TFORM, repeat counts, scaling,
# the unsigned conventions, TNULL, TDIM and variable-length columns.
rows = 23
strings = np.array([("s%d" % i) * (i % 4) + (" x" if i % 5 == 0 else "") for i in range(rows)])
vla = np.empty(rows, dtype=object)
for i in range(rows):
    vla[i] = np.arange(i % 4, dtype=np.int32)
vlq = np.empty(rows, dtype=object)
for i in range(rows):
    vlq[i] = np.arange(i % 3, dtype=np.float64)
cols = [
    fits.Column("FLAG", "L", array=rng.integers(0, 2, rows).astype(bool)),
    fits.Column("FLAGS3", "3L", array=rng.integers(0, 2, (rows, 3)).astype(bool)),
    fits.Column("BITS11", "11X", array=rng.integers(0, 2, (rows, 11)).astype(bool)),
    fits.Column("BITS3", "3X", array=rng.integers(0, 2, (rows, 3)).astype(bool)),
    fits.Column("BYTE", "B", array=rng.integers(0, 255, rows, dtype=np.uint8)),
    fits.Column("BYTE4", "4B", array=rng.integers(0, 255, (rows, 4), dtype=np.uint8)),
    fits.Column("SHORT", "I", array=rng.integers(-32768, 32767, rows, dtype=np.int16)),
    fits.Column("SHORT2", "2I", array=rng.integers(-32768, 32767, (rows, 2), dtype=np.int16)),
    fits.Column("INT", "J", array=rng.integers(-2**31, 2**31 - 1, rows, dtype=np.int32)),
    fits.Column("LONG", "K", array=rng.integers(-2**63, 2**63 - 1, rows, dtype=np.int64)),
    fits.Column("NAME", "8A", array=strings),
    fits.Column("FLOAT", "E", array=np.where(np.arange(rows) == 3, np.nan, rng.standard_normal(rows)).astype(np.float32)),
    fits.Column("FLOAT3", "3E", array=rng.standard_normal((rows, 3)).astype(np.float32)),
    fits.Column("DOUBLE", "D", array=rng.standard_normal(rows)),
    fits.Column("CPLX", "C", array=(rng.standard_normal(rows) + 1j * rng.standard_normal(rows)).astype(np.complex64)),
    fits.Column("CPLX2", "2C", array=(rng.standard_normal((rows, 2)) + 1j).astype(np.complex64)),
    fits.Column("DCPLX", "M", array=rng.standard_normal(rows) - 2j * rng.standard_normal(rows)),
    fits.Column("VLA", "PJ()", array=vla),
    fits.Column("VLQ", "QD()", array=vlq),
    fits.Column("USHORT", "I", bzero=32768, array=rng.integers(0, 65535, rows, dtype=np.uint16)),
    fits.Column("UINT", "J", bzero=2**31, array=rng.integers(0, 2**32 - 1, rows, dtype=np.uint32)),
    fits.Column("ULONG", "K", bzero=2**63, array=rng.integers(0, 2**63, rows, dtype=np.uint64) * 2 + 1),
    fits.Column("SBYTE", "B", array=rng.integers(0, 255, rows, dtype=np.uint8)),  # TZERO -128 added below
    fits.Column("SCALED", "I", array=rng.integers(-1000, 1000, rows, dtype=np.int16)),
    fits.Column("FSCALED", "E", array=rng.standard_normal(rows).astype(np.float32)),
    fits.Column("JSCALED", "2J", array=rng.integers(-10**6, 10**6, (rows, 2), dtype=np.int32)),
    fits.Column("KSCALED", "K", array=rng.integers(-2**62, 2**62, rows, dtype=np.int64)),
    fits.Column("DSCALED", "D", array=rng.standard_normal(rows)),
    fits.Column("BSCALED", "3B", array=rng.integers(0, 255, (rows, 3), dtype=np.uint8)),
    fits.Column("WITHNULL", "J", null=-999, array=np.where(np.arange(rows) % 4 == 0, -999, np.arange(rows)).astype(np.int32)),
    fits.Column("CUBE", "6E", dim="(3,2)", array=rng.standard_normal((rows, 2, 3)).astype(np.float32)),
    fits.Column("WORDS", "12A", dim="(4,3)", array=np.array([["ab", "cdef", ""], ["x", "yy", "zzz"]] * 11 + [["1", "2", "3"]])),
    fits.Column("NOTSCALED", "D", array=rng.standard_normal(rows)),
]
table = fits.BinTableHDU.from_columns(cols, name="CATALOG")
fits.HDUList([fits.PrimaryHDU(), table]).writeto(os.path.join(OUT, "table.fits"))
# astropy 5.2 cannot write some scaled columns from physical values; write
# the raw values and add the scaling cards to the header alone.
scaling = {
    "SBYTE": [("TZERO", -128)],
    "SCALED": [("TSCAL", 0.5), ("TZERO", 3)],
    "FSCALED": [("TSCAL", 2.0)],
    "JSCALED": [("TSCAL", 1e-4), ("TZERO", -7.25)],
    "KSCALED": [("TSCAL", 0.5)],  # astropy 5.2 fails on K with another TZERO than 2^63
    "DSCALED": [("TSCAL", 0.5), ("TZERO", 1.0)],
    "BSCALED": [("TSCAL", 3)],
    "NOTSCALED": [("TSCAL", 1.0), ("TZERO", 0)],
}
with fits.open(os.path.join(OUT, "table.fits"), mode="update") as hdul:
    names = [c.name for c in hdul[1].columns]
    for name, cards in scaling.items():
        n = names.index(name) + 1
        for key, value in reversed(cards):
            hdul[1].header.insert(f"TFORM{n}", (f"{key}{n}", value), after=True)
describe("table.fits", skipped=["/HDU1/VLA", "/HDU1/VLQ"], groups=["/HDU0", "/HDU1"])

json.dump({"files": files}, sys.stdout)
