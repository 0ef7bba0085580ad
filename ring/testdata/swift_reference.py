#!/usr/bin/env python3
"""Writes swift_v1.ring.gz and prints the placements Swift computes for it.

The serializer and get_part_nodes/get_more_nodes below are transcribed from
swift/common/ring/ring.py (RingData.serialize_v1, RingData.save,
Ring._get_part_nodes, Ring.get_more_nodes, Ring._update_bookkeeping), so
ring_swift_test.go checks our decoder and Handoffs against Swift's own
byte layout and algorithm without needing Swift installed.

Run from this directory:  python3 swift_reference.py
"""
import array
import gzip
import json
import random
import struct
import sys
from hashlib import md5
from itertools import chain

PART_POWER = 6
REPLICAS = 3
PART_SHIFT = 32 - PART_POWER
PARTS = 1 << PART_POWER

devs = [
    {'id': 0, 'region': 1, 'zone': 1, 'ip': '10.0.0.1', 'port': 6200,
     'device': 'sda', 'weight': 100.0, 'meta': '',
     'replication_ip': '10.1.0.1', 'replication_port': 6300},
    {'id': 1, 'region': 1, 'zone': 1, 'ip': '10.0.0.1', 'port': 6200,
     'device': 'sdb', 'weight': 100.0, 'meta': 'r\u00e9plica \u2603',
     'replication_ip': '10.1.0.1', 'replication_port': 6300},
    {'id': 2, 'region': 1, 'zone': 2, 'ip': '10.0.0.2', 'port': 6200,
     'device': 'sda', 'weight': 100.0, 'meta': '',
     'replication_ip': '10.0.0.2', 'replication_port': 6200},
    None,  # a removed device leaves a hole
    {'id': 4, 'region': 1, 'zone': 3, 'ip': '10.0.0.3', 'port': 6200,
     'device': 'sda', 'weight': 50.0, 'meta': '',
     'replication_ip': '10.0.0.3', 'replication_port': 6200},
    {'id': 5, 'region': 2, 'zone': 1, 'ip': '10.0.1.1', 'port': 6200,
     'device': 'sda', 'weight': 100.0, 'meta': '',
     'replication_ip': '10.0.1.1', 'replication_port': 6200},
    {'id': 6, 'region': 2, 'zone': 1, 'ip': '10.0.1.1', 'port': 6201,
     'device': 'sdb', 'weight': 100.0, 'meta': '',
     'replication_ip': '10.0.1.1', 'replication_port': 6201},
    {'id': 7, 'region': 2, 'zone': 2, 'ip': '10.0.1.2', 'port': 6200,
     'device': 'sda', 'weight': 100.0, 'meta': '',
     'replication_ip': '10.0.1.2', 'replication_port': 6200},
]
live = [d['id'] for d in devs if d]
rnd = random.Random(42)
assign = [rnd.sample(live, REPLICAS) for _ in range(PARTS)]
replica2part2dev_id = [array.array('H', [assign[p][r] for p in range(PARTS)])
                       for r in range(REPLICAS)]

# --- RingData.serialize_v1 + save, verbatim in substance ---
with open('swift_v1.ring.gz', 'wb') as raw:
    gz = gzip.GzipFile('swift_v1.ring.gz', mode='wb', fileobj=raw,
                       mtime=1300507380.0)
    gz.write(struct.pack('!4sH', b'R1NG', 1))
    text = {'devs': devs, 'part_shift': PART_SHIFT,
            'replica_count': len(replica2part2dev_id),
            'byteorder': sys.byteorder, 'version': 7}
    json_text = json.dumps(text, sort_keys=True,
                           ensure_ascii=True).encode('ascii')
    gz.write(struct.pack('!I', len(json_text)))
    gz.write(json_text)
    for part2dev_id in replica2part2dev_id:
        gz.write(part2dev_id.tobytes())
    gz.close()

# --- Ring._update_bookkeeping ---
with_parts = set(i for row in replica2part2dev_id for i in row)
regions, zones, ips = set(), set(), set()
num_assigned = 0
for dev in devs:
    if dev is None or dev['id'] not in with_parts:
        continue
    regions.add(dev['region'])
    zones.add((dev['region'], dev['zone']))
    ips.add((dev['region'], dev['zone'], dev['ip']))
    num_assigned += 1


def get_part_nodes(part):
    nodes, seen = [], set()
    for r2p2d in replica2part2dev_id:
        if part < len(r2p2d):
            dev_id = r2p2d[part]
            if dev_id not in seen:
                nodes.append(devs[dev_id])
                seen.add(dev_id)
    return nodes


def get_more_nodes(part):
    primary_nodes = get_part_nodes(part)
    used = set(d['id'] for d in primary_nodes)
    same_regions = set(d['region'] for d in primary_nodes)
    same_zones = set((d['region'], d['zone']) for d in primary_nodes)
    same_ips = set((d['region'], d['zone'], d['ip']) for d in primary_nodes)
    parts = len(replica2part2dev_id[0])
    part_hash = md5(str(part).encode('ascii')).digest()
    start = struct.unpack_from('>I', part_hash)[0] >> PART_SHIFT
    inc = int(parts / 65536) or 1

    def walk():
        return chain(range(start, parts, inc),
                     range(inc - ((parts - start) % inc), start, inc))

    hit = len(same_regions) == len(regions)
    for hp in walk():
        if hit:
            break
        for p2d in replica2part2dev_id:
            if hp < len(p2d):
                dev_id = p2d[hp]
                dev = devs[dev_id]
                if dev_id not in used and dev['region'] not in same_regions:
                    yield dev
                    used.add(dev_id)
                    same_regions.add(dev['region'])
                    same_zones.add((dev['region'], dev['zone']))
                    same_ips.add((dev['region'], dev['zone'], dev['ip']))
                    if len(same_regions) == len(regions):
                        hit = True
                        break
    hit = len(same_zones) == len(zones)
    for hp in walk():
        if hit:
            break
        for p2d in replica2part2dev_id:
            if hp < len(p2d):
                dev_id = p2d[hp]
                dev = devs[dev_id]
                zone = (dev['region'], dev['zone'])
                if dev_id not in used and zone not in same_zones:
                    yield dev
                    used.add(dev_id)
                    same_zones.add(zone)
                    same_ips.add(zone + (dev['ip'],))
                    if len(same_zones) == len(zones):
                        hit = True
                        break
    hit = len(same_ips) == len(ips)
    for hp in walk():
        if hit:
            break
        for p2d in replica2part2dev_id:
            if hp < len(p2d):
                dev_id = p2d[hp]
                dev = devs[dev_id]
                ip = (dev['region'], dev['zone'], dev['ip'])
                if dev_id not in used and ip not in same_ips:
                    yield dev
                    used.add(dev_id)
                    same_ips.add(ip)
                    if len(same_ips) == len(ips):
                        hit = True
                        break
    hit = len(used) == num_assigned
    for hp in walk():
        if hit:
            break
        for p2d in replica2part2dev_id:
            if hp < len(p2d):
                dev_id = p2d[hp]
                if dev_id not in used:
                    yield devs[dev_id]
                    used.add(dev_id)
                    if len(used) == num_assigned:
                        hit = True
                        break


for part in (0, 1, 17, 42, 63):
    print('{part: %d, primaries: []int{%s}, handoffs: []int{%s}},' % (
        part,
        ', '.join(str(d['id']) for d in get_part_nodes(part)),
        ', '.join(str(d['id']) for d in get_more_nodes(part))))
