#!/usr/bin/env python3
# Collector cycles per 1M puts, per phase, from a unified GC log written with wall-clock times
# (-Xlog:gc:file=gc.log:time,uptime): distinct GC(n) ids, of which degenerated and full, and the
# pauses' total, between phase boundaries (epoch seconds, e.g. from bench/stamp-lines.sh).
# Usage: bench/gc-cycles.py gc.log PUTS_PER_PHASE [T1 T2 ...]
import sys, re, datetime, collections

log, puts = sys.argv[1], float(sys.argv[2].replace('M', 'e6'))
bounds = [float(t) for t in sys.argv[3:]]
n = len(bounds) + 1
ids = [set() for _ in range(n)]
degen = [set() for _ in range(n)]
full = [set() for _ in range(n)]
pause_ms = [0.0] * n
for line in open(log):
    m = re.match(r'\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)([+-]\d{4})\].*?GC\((\d+)\) (.*)', line)
    if not m:
        continue
    t = datetime.datetime.strptime(m.group(1) + m.group(2), '%Y-%m-%dT%H:%M:%S.%f%z').timestamp()
    i = next((k for k, b in enumerate(bounds) if t < b), len(bounds))
    gid, rest = int(m.group(3)), m.group(4)
    ids[i].add(gid)
    if 'Degenerated' in rest:
        degen[i].add(gid)
    if 'Pause Full' in rest:
        full[i].add(gid)
    if rest.startswith('Pause'):
        pm = re.search(r'([\d.]+)ms$', rest.strip())
        if pm:
            pause_ms[i] += float(pm.group(1))
for i in range(n):
    per = 1e6 / puts
    print(f"phase {i}: {len(ids[i])} cycles ({len(ids[i]) * per:.0f} per 1M puts), "
          f"degenerated {len(degen[i])}, full {len(full[i])}, pauses {pause_ms[i] / 1000:.1f} s")
