#!/usr/bin/env python3
# What the JIT compiled in a JFR recording made with bench/jit.jfc: compile time by compiler, the
# methods C2 spent the most on (time, count of C2 compilations, OSR ones, largest inlined bytes and
# code size), the deoptimizations by method and reason, and the last CompilerStatistics totals.
# Usage: bench/jfr-jit.py recording.jfr [top]
import sys, json, subprocess, collections
f = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
ev = json.loads(subprocess.run(['jfr', 'print', '--json', '--events',
                                'jdk.Compilation,jdk.Deoptimization,jdk.CompilerStatistics', f],
                               capture_output=True, text=True).stdout)['recording']['events']
def secs(d):  # JFR JSON durations are ISO-8601 like "PT0.012345S"
    d = d[2:]
    s = 0.0
    if 'M' in d:
        m, d = d.split('M'); s += 60 * float(m)
    return s + float(d.rstrip('S') or 0)
def mname(m):
    return m['type']['name'].split('/')[-1] + '.' + m['name']
by_comp = collections.defaultdict(lambda: [0, 0.0])
c2 = collections.defaultdict(lambda: [0, 0.0, 0, 0, 0])  # count, secs, osr, max inlined, max code
deopt = collections.Counter()
deopt_reason = collections.Counter()
stats = None
for e in ev:
    t, v = e['type'], e['values']
    if t == 'jdk.Compilation':
        comp = v.get('compiler') or '?'
        d = secs(v['duration'])
        by_comp[comp][0] += 1; by_comp[comp][1] += d
        if comp == 'c2':
            r = c2[mname(v['method'])]
            r[0] += 1; r[1] += d; r[2] += 1 if v.get('isOsr') else 0
            r[3] = max(r[3], v.get('inlinedBytes') or 0); r[4] = max(r[4], v.get('codeSize') or 0)
    elif t == 'jdk.Deoptimization':
        deopt[(mname(v['method']), v.get('reason'))] += 1
        deopt_reason[v.get('reason')] += 1
    elif t == 'jdk.CompilerStatistics':
        stats = v
for comp, (n, s) in sorted(by_comp.items()):
    print(f"{comp}: {n} compilations, {s:.2f} s")
tot = by_comp['c2'][1] or 1
print(f"C2 by method (top {top} by time): secs, share, compilations (OSR), max inlined bytes, max code size")
for k, r in sorted(c2.items(), key=lambda kv: -kv[1][1])[:top]:
    print(f"  {r[1]:6.2f} {100 * r[1] / tot:5.1f}%  {r[0]:2d} ({r[2]})  {r[3]:6d}  {r[4]:6d}  {k}")
multi = sorted(((k, r) for k, r in c2.items() if r[0] - r[2] > 1), key=lambda kv: -kv[1][1])
print(f"C2-compiled more than once (not counting OSR): {len(multi)} methods, {sum(r[1] for _, r in multi):.2f} s")
for k, r in multi[:12]:
    print(f"  {r[1]:6.2f} s  {r[0]}x  {k}")
print(f"deoptimizations: {sum(deopt.values())}; by reason: " + ', '.join(f'{k} {c}' for k, c in deopt_reason.most_common()))
for (m, why), c in deopt.most_common(top):
    print(f"  {c:4d}  {why:20s} {m}")
if stats:
    print("CompilerStatistics (last): " + ', '.join(f"{k}={v}" for k, v in stats.items() if k not in ('startTime',)))
