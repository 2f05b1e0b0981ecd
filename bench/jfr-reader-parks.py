#!/usr/bin/env python3
# Sapwood readers' park time in a JFR recording made with bench/parks.jfc: events whose stack goes
# through TreeReader, summed and grouped by the first Sapwood frame below the cache (which latch).
# Usage: bench/jfr-reader-parks.py recording.jfr
import sys, subprocess, collections, re
f = sys.argv[1]
out = subprocess.run(['jfr', 'print', '--stack-depth', '30', '--events', 'jdk.ThreadPark,jdk.JavaMonitorEnter', f],
                     capture_output=True, text=True).stdout
by = collections.defaultdict(lambda: [0, 0.0])
for block in out.split('\njdk.')[1:]:
    if 'TreeReader' not in block:
        continue
    m = re.search(r'duration = ([\d.]+) (ms|s|us|ns)', block)
    d = float(m.group(1)) * {'s': 1, 'ms': 1e-3, 'us': 1e-6, 'ns': 1e-9}[m.group(2)]
    frames = [l.strip() for l in block.split('stackTrace = [')[1].split('\n')]
    key = next((re.sub(r'\(.*', '', fr) for fr in frames if fr.startswith('dev.sapwood') and 'CacheTable' not in fr), '?')
    by[key][0] += 1; by[key][1] += d
tot = sum(v[1] for v in by.values()); cnt = sum(v[0] for v in by.values())
print(f"{f}: readers parked {tot:.1f} s in {cnt} parks")
for k, v in sorted(by.items(), key=lambda kv: -kv[1][1])[:6]:
    print(f"  {v[1]:7.1f} s {v[0]:6d}  {k}")
