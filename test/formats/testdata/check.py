"""Compares what the dataset API returned with what h5py / astropy read back.

usage: check.py MANIFEST.json

The manifest is a list of cases; each is either
  {"id", "source", "select", "format", "got", "raw_dtype", "raw_shape"}  a slice
  {"id", "describe", "source"}                                          a ?describe
where source is one of
  {"kind": "h5", "file", "dataset"}            h5py: f[dataset][()]
  {"kind": "fits", "file", "hdu"}              astropy: hdul[hdu].data
  {"kind": "fitscol", "file", "hdu", "column"} astropy: hdul[hdu].data[column]
  {"kind": "values", "file"}                   expected values the Go test read back
                                               with arrow-go: {"dtype", "values", "nulls"}
  {"kind": "h5file", "file"} / {"kind": "fitsfile", "file"}  (describe only)
It prints one JSON object {"id": [problems…]} and exits 0; the Go test fails
the cases with problems. Any exception is a problem of its case, not a crash.
"""
import ast
import csv
import io
import json
import sys
import traceback

import numpy as np

FLOAT_WORDS = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}


def parse_select(expr, ndim):
    """HSDS select syntax to a NumPy index tuple."""
    expr = (expr or "").strip()
    if expr.startswith("[") and expr.endswith("]"):
        expr = expr[1:-1]
    parts = [p.strip() for p in expr.split(",")] if expr else []
    index = []
    for p in parts:
        if ":" in p:
            bits = [int(b) if b.strip() else None for b in p.split(":")]
            index.append(slice(*bits))
        else:
            index.append(int(p))
    while len(index) < ndim:
        index.append(slice(None))
    return tuple(index)


def load_source(src):
    """The whole dataset as the writing library reads it, and a null mask."""
    kind = src["kind"]
    if kind == "h5":
        import h5py
        with h5py.File(src["file"], "r") as f:
            return np.asarray(f[src["dataset"]][()]), None
    if kind in ("fits", "fitscol"):
        from astropy.io import fits
        with fits.open(src["file"], memmap=False) as h:
            data = h[src["hdu"]].data
            if kind == "fitscol":
                data = data[src["column"]]
            return np.array(data), None
    if kind == "values":
        with open(src["file"]) as fh:
            doc = json.load(fh)
        dtype = np.dtype(doc["dtype"]) if doc["dtype"] != "str" else None
        nulls = np.array(doc.get("nulls") or [False] * len(doc["values"]), dtype=bool)
        vals = [fill_value(dtype) if n else v for v, n in zip(doc["values"], nulls)]
        if dtype is None:
            return np.array(vals, dtype=object), nulls
        return np.array(vals, dtype=dtype), nulls
    raise ValueError("unknown source kind %r" % kind)


def fill_value(dtype):
    """What the server puts in npy/raw output where Parquet has a null."""
    if dtype is None:
        return ""
    if dtype.kind == "f":
        return float("nan")
    if dtype.kind == "b":
        return False
    return 0


def is_text(dt):
    return dt.kind in "SUO"


def text(v):
    if isinstance(v, (bytes, np.bytes_)):
        v = bytes(v).decode("utf-8", "replace")
    return str(v).rstrip(" \x00")


def compare(exp, got, where, problems):
    """Values of exp and got (NumPy arrays) equal: exact for numbers, NaN = NaN,
    -0.0 distinct from 0.0; strings without their padding."""
    if exp.shape != got.shape:
        problems.append("%s: shape %s, want %s" % (where, got.shape, exp.shape))
        return
    if exp.dtype.names:
        if not got.dtype.names:
            problems.append("%s: got dtype %s, want a compound %s" % (where, got.dtype, exp.dtype))
            return
        if list(got.dtype.names) != list(exp.dtype.names):
            problems.append("%s: members %s, want %s" % (where, got.dtype.names, exp.dtype.names))
            return
        for name in exp.dtype.names:
            compare(np.asarray(exp[name]), np.asarray(got[name]), where + "." + name, problems)
        return
    if exp.dtype.subdtype is not None or got.dtype.subdtype is not None:
        problems.append("%s: unexpected subarray dtype %s / %s" % (where, exp.dtype, got.dtype))
        return
    if is_text(exp.dtype) or is_text(got.dtype):
        e = [text(v) for v in exp.ravel()]
        g = [text(v) for v in got.ravel()]
        bad = [i for i in range(len(e)) if e[i] != g[i]]
        if bad:
            i = bad[0]
            problems.append("%s: %d strings differ, first at flat index %d: %r, want %r" % (where, len(bad), i, g[i], e[i]))
        return
    if exp.dtype.kind == "f" or got.dtype.kind == "f":
        e = exp.astype("f8")
        g = got.astype("f8")
        same = (e == g) | (np.isnan(e) & np.isnan(g))
        same &= np.signbit(e) == np.signbit(g)
    else:
        e = exp.astype(object)
        g = got.astype(object)
        same = np.array([int(a) == int(b) for a, b in zip(e.ravel(), g.ravel())], dtype=bool).reshape(e.shape)
    if not same.all():
        idx = np.argwhere(~same)
        first = tuple(int(i) for i in idx[0])
        problems.append("%s: %d values differ, first at %s: got %r, want %r" % (
            where, len(idx), first, g[first].item() if hasattr(g[first], "item") else g[first],
            e[first].item() if hasattr(e[first], "item") else e[first]))


def check_dtype(exp, got, where, problems, little=False):
    """got's dtype is exp's up to byte order (and bytes vs str for text)."""
    if exp.dtype.names:
        return
    ek, gk = exp.dtype.kind, got.dtype.kind
    ok = (ek == gk and exp.dtype.itemsize == got.dtype.itemsize) or (is_text(exp.dtype) and is_text(got.dtype)) \
        or (ek == "b" and gk in "biu" and got.dtype.itemsize == 1)
    if not ok:
        problems.append("%s: dtype %s, want %s" % (where, got.dtype.str, exp.dtype.str))
    if little and got.dtype.byteorder == ">":
        problems.append("%s: dtype %s is big-endian, raw output must be little-endian" % (where, got.dtype.str))


def unwords(v, kind):
    """JSON/CSV text conventions back to Python values for dtype kind."""
    if isinstance(v, list):
        return [unwords(x, kind) for x in v]
    if isinstance(v, str) and kind == "f":
        return FLOAT_WORDS.get(v, v)
    return v


def from_nested(val, exp, where, nulls, problems):
    """JSON-like nested lists (json output, arrow decoded by Go) as an array like exp."""
    if exp.dtype.names:
        if not isinstance(val, list):
            problems.append("%s: got %s, want a list of objects" % (where, type(val).__name__))
            return None
        rows = []
        for i, row in enumerate(val):
            if not isinstance(row, dict) or list(row) != list(exp.dtype.names):
                problems.append("%s: element %d is %r, want an object with members %s" % (where, i, row, exp.dtype.names))
                return None
            rows.append(tuple(unwords(row[n], exp.dtype[n].kind) for n in exp.dtype.names))
        return np.array(rows, dtype=exp.dtype)
    val = unwords(val, exp.dtype.kind)
    if nulls is not None:
        flat = val if isinstance(val, list) else [val]
        got_nulls = [v is None for v in flat]
        if got_nulls != list(nulls.ravel()):
            diff = [i for i, (a, b) in enumerate(zip(got_nulls, nulls.ravel())) if a != b]
            problems.append("%s: nulls at %s, want nulls exactly where the source has them (first difference at %s)" % (
                where, [i for i, v in enumerate(got_nulls) if v][:10], diff[:5]))
        fill = fill_value(None if is_text(exp.dtype) else exp.dtype)
        flat = [fill if v is None else v for v in flat]
        val = flat if isinstance(val, list) else flat[0]
    if is_text(exp.dtype):
        return np.array(val, dtype=object)
    return np.array(val, dtype=exp.dtype if exp.dtype.kind != "b" else bool)


def from_csv(body, exp, where, nulls, problems):
    # An empty line is one empty field (a null of a 1-D column).
    rows = [r or [""] for r in csv.reader(io.StringIO(body.decode("utf-8"), newline=""))]
    if not body.endswith(b"\n") and body:
        problems.append("%s: csv does not end with a newline" % where)

    def cell(t, dt):
        if t == "":
            return None if not is_text(dt) else ""
        if dt.kind == "f":
            return float(t)
        if dt.kind == "b":
            if t not in ("true", "false"):
                raise ValueError("boolean cell %r" % t)
            return t == "true"
        if dt.kind in "iu":
            return int(t)
        return t

    if exp.dtype.names:
        vals = [tuple(cell(t, exp.dtype[i]) for i, t in enumerate(r)) for r in rows]
        return np.array(vals, dtype=exp.dtype)
    if exp.ndim == 1:
        if any(len(r) != 1 for r in rows):
            problems.append("%s: 1-D csv has a line with %s fields" % (where, [len(r) for r in rows if len(r) != 1][0]))
            return None
        vals = [cell(r[0], exp.dtype) for r in rows]
    elif exp.ndim == 2:
        vals = [[cell(t, exp.dtype) for t in r] for r in rows]
    else:
        problems.append("%s: csv of a %d-D selection" % (where, exp.ndim))
        return None
    return from_nested(vals, exp, where, nulls, problems)


def loads(body):
    """json.loads, keeping "-0" a negative zero (Python reads it as the int 0)."""
    return json.loads(body, parse_int=lambda t: -0.0 if t == "-0" else int(t))


def parse_raw_dtype(s):
    s = s.strip()
    if s.startswith("[") or s.startswith("{"):
        return np.dtype(ast.literal_eval(s))
    return np.dtype(s)


def check_slice(case, problems):
    whole, nulls = load_source(case["source"])
    index = parse_select(case.get("select"), whole.ndim)
    exp = np.asarray(whole[index] if whole.ndim else whole)
    if nulls is not None:
        nulls = np.asarray(nulls[index])
    where = "%s %s" % (case["format"], case.get("select") or "(whole)")
    with open(case["got"], "rb") as fh:
        body = fh.read()
    fmt = case["format"]
    if fmt == "npy":
        got = np.load(io.BytesIO(body), allow_pickle=False)
        check_dtype(exp, got, where, problems)
        compare(exp, got, where, problems)
    elif fmt == "raw":
        dt = parse_raw_dtype(case["raw_dtype"])
        shape = tuple(int(x) for x in case["raw_shape"].split(",") if x != "")
        check_dtype(exp, np.empty(0, dtype=dt), where, problems, little=True)
        if len(body) != dt.itemsize * int(np.prod(shape, dtype=np.int64)):
            problems.append("%s: %d bytes for dtype %s shape %s" % (where, len(body), dt, shape))
            return
        compare(exp, np.frombuffer(body, dtype=dt).reshape(shape), where, problems)
    elif fmt in ("json", "arrow"):
        doc = loads(body)
        if fmt == "arrow":
            shape = tuple(int(x) for x in doc["shape"].split(",") if x != "")
            if shape != exp.shape:
                problems.append("%s: sciswift:shape metadata %s, want %s" % (where, shape, exp.shape))
            doc = doc["values"]
            if exp.ndim == 0 and isinstance(doc, list) and len(doc) == 1:
                doc = doc[0]
        got = from_nested(doc, exp, where, nulls, problems)
        if got is not None:
            compare(exp, got, where, problems)
    elif fmt == "csv":
        got = from_csv(body, exp, where, nulls, problems)
        if got is not None:
            compare(exp, got, where, problems)
    else:
        problems.append("unknown format " + fmt)


def index_tree(root):
    groups, datasets = {}, {}

    def walk(g):
        groups[g["path"]] = g
        for d in g.get("datasets") or []:
            datasets[d["path"]] = d
        for sub in g.get("groups") or []:
            walk(sub)
    walk(root)
    return groups, datasets


def attr_map(node):
    return {a["name"]: a for a in node.get("attributes") or []}


def same_value(exp, got):
    e = np.asarray(exp)
    if e.dtype.kind in "SUO":
        g = np.asarray(got, dtype=object)
        return [text(x) for x in e.ravel()] == [text(x) for x in g.ravel()]
    g = np.asarray(unwords(got, e.dtype.kind), dtype=e.dtype if e.dtype.kind != "b" else bool)
    if e.shape != g.shape:
        return False
    if e.dtype.kind == "f":
        return bool(np.all((e == g) | (np.isnan(e) & np.isnan(g))))
    return bool(np.all(e == g))


DTYPE_CLASS = {"f": "float", "i": "integer", "u": "integer", "S": "string", "V": "compound", "b": "enum"}


def check_describe_h5(tree, path, problems):
    import h5py
    if tree.get("format") != "hdf5":
        problems.append("format %r, want \"hdf5\"" % tree.get("format"))
    groups, datasets = index_tree(tree["root"])
    want_groups, want_datasets = {"/"}, {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            p = "/" + name
            if isinstance(obj, h5py.Group):
                want_groups.add(p)
            else:
                want_datasets[p] = obj
        f.visititems(visit)
        if set(groups) != want_groups:
            problems.append("groups %s, want %s" % (sorted(groups), sorted(want_groups)))
        if set(datasets) != set(want_datasets):
            problems.append("datasets %s, want %s" % (sorted(datasets), sorted(want_datasets)))
        for p, d in want_datasets.items():
            got = datasets.get(p)
            if got is None:
                continue
            if list(got.get("shape") or []) != list(d.shape):
                problems.append("%s: shape %s, want %s" % (p, got.get("shape"), list(d.shape)))
            if (got.get("chunks") or None) != (list(d.chunks) if d.chunks else None):
                problems.append("%s: chunks %s, want %s" % (p, got.get("chunks"), d.chunks))
            want_filters = set()
            if d.compression == "gzip":
                want_filters.add("deflate")
            if d.shuffle:
                want_filters.add("shuffle")
            if d.fletcher32:
                want_filters.add("fletcher32")
            if set(got.get("filters") or []) != want_filters:
                problems.append("%s: filters %s, want %s" % (p, got.get("filters"), sorted(want_filters)))
            t = got.get("type") or {}
            want_class = DTYPE_CLASS.get(d.dtype.kind)
            if t.get("class") != want_class or t.get("size") != d.dtype.itemsize:
                problems.append("%s: type %s, want class %s size %d (h5py dtype %s)" % (p, t, want_class, d.dtype.itemsize, d.dtype.str))
            if d.dtype.kind in "iuf" and d.dtype.itemsize > 1:
                want_order = "be" if d.dtype.byteorder == ">" else "le"
                if t.get("order") != want_order:
                    problems.append("%s: byte order %r, want %r" % (p, t.get("order"), want_order))
            if d.dtype.names and [m.get("name") for m in t.get("members") or []] != list(d.dtype.names):
                problems.append("%s: members %s, want %s" % (p, t.get("members"), d.dtype.names))
            check_attrs(p, d.attrs, attr_map(got), problems)
        for p in want_groups:
            if p in groups:
                check_attrs(p, f[p].attrs, attr_map(groups[p]), problems)


def check_attrs(where, want, got, problems):
    for name, value in want.items():
        a = got.get(name)
        if a is None:
            problems.append("%s: attribute %r missing (have %s)" % (where, name, sorted(got)))
        elif not same_value(value, a.get("value")):
            problems.append("%s: attribute %s = %r, want %r" % (where, name, a.get("value"), value))


def check_describe_fits(tree, path, problems):
    from astropy.io import fits
    if tree.get("format") != "fits":
        problems.append("format %r, want \"fits\"" % tree.get("format"))
    groups, datasets = index_tree(tree["root"])
    with fits.open(path, memmap=False) as hdul:
        for n, hdu in enumerate(hdul):
            p = "/HDU%d" % n
            node = datasets.get(p) or groups.get(p)
            if node is None:
                problems.append("%s missing (groups %s, datasets %s)" % (p, sorted(groups), sorted(datasets)))
                continue
            attrs = attr_map(node)
            for key in ("BITPIX", "NAXIS", "OBJECT", "TELESCOP", "EXPTIME", "BSCALE", "BZERO", "BLANK", "EXTNAME", "TFIELDS"):
                if key in hdu.header:
                    a = attrs.get(key)
                    if a is None or not same_value(hdu.header[key], a.get("value")):
                        problems.append("%s: attribute %s = %r, want %r" % (p, key, a and a.get("value"), hdu.header[key]))
            if isinstance(hdu, fits.BinTableHDU):
                for col in hdu.columns:
                    d = datasets.get(p + "/" + col.name)
                    want = list(np.asarray(hdu.data[col.name]).shape)
                    if d is None:
                        problems.append("%s/%s missing" % (p, col.name))
                    elif list(d.get("shape") or []) != want:
                        problems.append("%s/%s: shape %s, want %s" % (p, col.name, d.get("shape"), want))
            elif hdu.data is not None:
                if p not in datasets:
                    problems.append("%s: an image with data, want a dataset" % p)
                elif list(datasets[p].get("shape") or []) != list(hdu.data.shape):
                    problems.append("%s: shape %s, want %s" % (p, datasets[p].get("shape"), list(hdu.data.shape)))


def run_case(case):
    problems = []
    try:
        if "describe" in case:
            with open(case["describe"]) as fh:
                tree = json.load(fh)
            kind = case["source"]["kind"]
            if kind == "h5file":
                check_describe_h5(tree, case["source"]["file"], problems)
            elif kind == "fitsfile":
                check_describe_fits(tree, case["source"]["file"], problems)
            else:
                problems.append("unknown describe source " + kind)
        else:
            check_slice(case, problems)
    except Exception:
        problems.append("checker raised: " + traceback.format_exc(limit=3))
    return problems


def main():
    with open(sys.argv[1]) as fh:
        cases = json.load(fh)
    json.dump({c["id"]: run_case(c) for c in cases}, sys.stdout)


if __name__ == "__main__":
    main()
