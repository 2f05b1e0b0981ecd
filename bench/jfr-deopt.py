#!/usr/bin/env python3
# Which compiled methods the deoptimizations of a JFR recording (bench/jit.jfc) threw away: each
# jdk.Deoptimization names the method holding the trap (often inlined) and the compile id of the
# nmethod it left; this maps that id to its compilation (root method, tier, OSR, wall time) and
# prints, per root method, its compilations in order with the traps that ended each one.
# Usage: bench/jfr-deopt.py recording.jfr [methods]
import sys, json, subprocess, collections
f = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 15
ev = json.loads(subprocess.run(['jfr', 'print', '--json', '--events', 'jdk.Compilation,jdk.Deoptimization', f],
                               capture_output=True, text=True).stdout)['recording']['events']
def secs(d):
    d = d[2:]; s = 0.0
    if 'M' in d:
        m, d = d.split('M'); s += 60 * float(m)
    return s + float(d.rstrip('S') or 0)
mname = lambda m: m['type']['name'].split('/')[-1] + '.' + m['name']
comp = {}
by_root = collections.defaultdict(list)
t0 = None
for e in ev:
    v = e['values']
    if e['type'] == 'jdk.Compilation':
        c = dict(id=v['compileId'], m=mname(v['method']), c=v.get('compiler'), lvl=v.get('compileLevel'),
                 osr=v.get('isOsr'), d=secs(v['duration']), t=v['startTime'], inl=v.get('inlinedBytes'), traps=[])
        comp[c['id']] = c
        by_root[c['m']].append(c)
for e in ev:
    v = e['values']
    if e['type'] == 'jdk.Deoptimization' and v.get('compileId') in comp:
        comp[v['compileId']]['traps'].append(f"{v.get('reason')}@{mname(v['method'])}:{v.get('lineNumber')}")
c2time = {m: sum(c['d'] for c in cs if c['c'] == 'c2') for m, cs in by_root.items()}
for m in sorted(c2time, key=lambda k: -c2time[k])[:n]:
    print(f"{m}: C2 {c2time[m]:.2f} s")
    for c in sorted(by_root[m], key=lambda c: c['t']):
        if c['c'] != 'c2':
            continue
        print(f"   #{c['id']} {c['t'][11:19]} {'OSR' if c['osr'] else 'std'} {c['d']:.2f}s inl {c['inl']}  ended by: {', '.join(c['traps']) or '-'}")
