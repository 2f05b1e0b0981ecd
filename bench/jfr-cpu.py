#!/usr/bin/env python3
# Where the CPU goes in one kind of operation, from a JFR recording (settings=profile): the
# execution samples whose stack holds a frame matching MARKER (e.g. "TreeImpl.get" for reads),
# by top frame (self) and by every method on the stack (inclusive), as shares of those samples.
# Usage: bench/jfr-cpu.py R.jfr MARKER [top] [depth]
import sys, json, subprocess, collections

jfr, marker = sys.argv[1], sys.argv[2]
top = int(sys.argv[3]) if len(sys.argv) > 3 else 25
depth = sys.argv[4] if len(sys.argv) > 4 else '64'
events = json.loads(subprocess.run(
    ['jfr', 'print', '--json', '--stack-depth', depth, '--events', 'jdk.ExecutionSample', jfr],
    capture_output=True, text=True).stdout)['recording']['events']
name = lambda f: f['method']['type']['name'].split('/')[-1] + '.' + f['method']['name']
own, incl, n, total = collections.Counter(), collections.Counter(), 0, len(events)
for e in events:
    fs = [name(f) for f in ((e['values'].get('stackTrace') or {}).get('frames') or [])]
    if not any(marker in f for f in fs):
        continue
    n += 1
    own[fs[0]] += 1
    for f in set(fs):
        incl[f] += 1
print(f"{n:,} of {total:,} samples hold a frame matching {marker!r}")
print("self:")
for k, c in own.most_common(top):
    print(f"  {100 * c / max(n, 1):5.1f}%  {k}")
print("inclusive:")
for k, c in incl.most_common(top):
    print(f"  {100 * c / max(n, 1):5.1f}%  {k}")
