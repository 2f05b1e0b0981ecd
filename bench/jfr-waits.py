#!/usr/bin/env python3
# Where threads wait in a JFR recording made with bench/parks.jfc (plus settings=profile for the
# file events): ThreadPark, JavaMonitorEnter, FileWrite and FileForce events whose stack contains
# MARKER (default SapwoodYcsbClient: YCSB's client threads), summed per event type and grouped by
# the first Sapwood frame outside the cache's and the JDK's locking. With OPS, also per operation.
# Usage: bench/jfr-waits.py recording.jfr [MARKER] [OPS]
import sys, subprocess, collections, re
f = sys.argv[1]
marker = sys.argv[2] if len(sys.argv) > 2 else 'SapwoodYcsbClient'
ops = float(sys.argv[3]) if len(sys.argv) > 3 else 0
events = 'jdk.ThreadPark,jdk.JavaMonitorEnter,jdk.FileWrite,jdk.FileForce'
out = subprocess.run(['jfr', 'print', '--stack-depth', '40', '--events', events, f],
                     capture_output=True, text=True).stdout
skip = ('CacheTable', 'NodeLatch', 'TreeContext.guarded')
by = collections.defaultdict(lambda: [0, 0.0])
kinds = collections.defaultdict(float)
for block in out.split('\njdk.')[1:]:
    if marker not in block:
        continue
    kind = block.split(' ', 1)[0]
    m = re.search(r'duration = ([\d.]+) (ms|s|us|ns)', block)
    d = float(m.group(1)) * {'s': 1, 'ms': 1e-3, 'us': 1e-6, 'ns': 1e-9}[m.group(2)]
    frames = [l.strip() for l in block.split('stackTrace = [')[1].split('\n')]
    key = next((re.sub(r'\(.*', '', fr) for fr in frames
                if fr.startswith('dev.sapwood') and not any(s in fr for s in skip)), '?')
    by[(kind, key)][0] += 1; by[(kind, key)][1] += d
    kinds[kind] += d
tot = sum(kinds.values())
per = f", {tot / ops * 1e6:.1f} us per op" if ops else ''
print(f"{f}: threads with {marker} waited {tot:.1f} s{per}: " +
      ', '.join(f"{k} {v:.1f} s" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])))
for (kind, k), v in sorted(by.items(), key=lambda kv: -kv[1][1])[:10]:
    print(f"  {v[1]:7.1f} s {v[0]:7d}  {kind:18s} {k}")
