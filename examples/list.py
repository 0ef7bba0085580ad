#!/usr/bin/env python3
"""List a container with each object's size and file format.

    python3 list.py sky

The format comes from the store itself when it can describe the object
(GET ?describe, which also names the datasets inside); otherwise from the
object's first bytes, then its content type, then its name. A file written
through the VOL connector is one line: its manifest and all its parts
(NAME/...) counted together. Credentials: ST_AUTH, ST_USER, ST_KEY.
"""
import argparse
import json
import os
import sys

from swiftclient.client import ClientException, Connection

MAGIC = [
    (b"\x89HDF\r\n\x1a\n", "hdf5"),
    (b"PAR1", "parquet"),
    (b"SIMPLE  =", "fits"),
]
CONTENT_TYPES = {
    "application/x-hdf5": "hdf5",
    "application/x-hdf": "hdf5",
    "application/vnd.apache.parquet": "parquet",
    "application/x-parquet": "parquet",
    "application/fits": "fits",
    "image/fits": "fits",
}
SUFFIXES = {
    ".h5": "hdf5", ".hdf5": "hdf5", ".he5": "hdf5", ".nc": "hdf5",
    ".parquet": "parquet", ".pq": "parquet",
    ".fits": "fits", ".fit": "fits", ".fts": "fits",
}
# A description larger than this is not a description: the server answered
# ?describe with the object itself (a store without the dataset API).
MAX_DESCRIPTION = 16 << 20


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("container", help="container to list")
    p.add_argument("--prefix", default=None, help="only objects whose names start with this")
    p.add_argument("--auth", default=os.environ.get("ST_AUTH"), help="auth URL (default $ST_AUTH)")
    p.add_argument("--user", default=os.environ.get("ST_USER"), help="account:user (default $ST_USER)")
    p.add_argument("--key", default=os.environ.get("ST_KEY"), help="key (default $ST_KEY)")
    args = p.parse_args(argv)
    if not (args.auth and args.user and args.key):
        p.error("credentials missing: set ST_AUTH, ST_USER, ST_KEY or pass --auth/--user/--key")
    return args


def describe(conn, container, name):
    """The server's description of the object, or None if it gives none."""
    try:
        headers, body = conn.get_object(container, name, query_string="describe",
                                        resp_chunk_size=1 << 16)
    except ClientException:
        return None  # 415: not a format the server reads; 501: not here
    data = b""
    for chunk in body:
        data += chunk
        if len(data) > MAX_DESCRIPTION:
            body.close()
            return None
    if not headers.get("content-type", "").startswith("application/json"):
        return None
    try:
        tree = json.loads(data)
    except ValueError:
        return None
    if isinstance(tree, dict) and "format" in tree and "root" in tree:
        return tree
    return None


def datasets(group):
    for d in group.get("datasets") or []:
        yield d
    for g in group.get("groups") or []:
        yield from datasets(g)


def dtype_name(t):
    cls, size = t.get("class", "?"), t.get("size", 0)
    if cls == "integer":
        return ("int" if t.get("signed") else "uint") + str(8 * size)
    if cls == "float":
        return "float" + str(8 * size)
    return cls


def summary(tree):
    parts = []
    for d in datasets(tree["root"]):
        shape = "x".join(str(n) for n in d.get("shape") or []) or "scalar"
        parts.append(f"{d['path']} {shape} {dtype_name(d.get('type', {}))}")
    return ", ".join(parts)


def sniff(conn, container, name, size):
    if size == 0:
        return None
    _, head = conn.get_object(container, name, headers={"Range": "bytes=0-15"})
    for magic, fmt in MAGIC:
        if head.startswith(magic):
            return fmt
    return None


def detect(conn, probe, container, obj):
    """(format, how it was found, datasets) for one listed object."""
    name = obj["name"]
    tree = describe(probe, container, name)
    if tree:
        return tree["format"], "describe", summary(tree)
    vol = conn.head_object(container, name).get("x-object-meta-sciswift-format")
    if vol:
        return vol, "header", ""
    fmt = sniff(conn, container, name, obj["bytes"])
    if fmt:
        return fmt, "bytes", ""
    ctype = obj.get("content_type", "").split(";")[0]
    if ctype in CONTENT_TYPES:
        return CONTENT_TYPES[ctype], "content-type", ""
    suffix = os.path.splitext(name)[1].lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix], "name", ""
    return "-", "", ""


def rows(conn, probe, container, objects):
    """One row per object; a VOL file's parts fold into its manifest's row."""
    names = {o["name"] for o in objects}
    folded = set()
    out = []
    for obj in objects:
        name = obj["name"]
        if any(name.startswith(f + "/") for f in folded):
            out[-1][1] += obj["bytes"]
            out[-1][4] += 1
            continue
        fmt, how, sets = detect(conn, probe, container, obj)
        if fmt == "hdf5-vol" and any(n.startswith(name + "/") for n in names):
            folded.add(name)
        out.append([name, obj["bytes"], fmt, how, 0, sets])
    return out


def main(argv):
    args = parse_args(argv)
    conn = Connection(authurl=args.auth, user=args.user, key=args.key)
    # A store answers ?describe with 501 for a format it cannot read here
    # (no HDF5 worker, say): an answer, not an outage for swiftclient to
    # retry for half a minute.
    probe = Connection(authurl=args.auth, user=args.user, key=args.key, retries=0)
    _, objects = conn.get_container(args.container, prefix=args.prefix, full_listing=True)
    table = rows(conn, probe, args.container, objects)
    width = max([len(r[0]) for r in table] + [4])
    print(f"{'NAME':<{width}}  {'BYTES':>12}  {'FORMAT':<9} {'FROM':<12} {'PARTS':>5}  DATASETS")
    for name, size, fmt, how, parts, sets in table:
        print(f"{name:<{width}}  {size:>12}  {fmt:<9} {how:<12} {parts:>5}  {sets}")
    total = sum(r[1] for r in table)
    print(f"{len(table)} files, {total} bytes in {args.container}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
