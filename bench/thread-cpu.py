#!/usr/bin/env python3
# CPU by thread of a running process, from /proc/PID/task/*/stat (all threads, Shenandoah's and the
# JIT's included, which JFR's execution samples do not see).
#   bench/thread-cpu.py sample PID OUT [interval]   appends "time tid ticks name" lines until PID exits
#   bench/thread-cpu.py split OUT T0 T1 [ops]       CPU per thread group between two times (epoch s),
#                                                   in seconds and, with ops, in us per op
import os, sys, time, re, collections

def snapshot(pid):
    rows = []
    for tid in os.listdir(f'/proc/{pid}/task'):
        try:
            with open(f'/proc/{pid}/task/{tid}/stat') as f:
                s = f.read()
        except OSError:
            continue
        name = s[s.index('(') + 1:s.rindex(')')]
        fields = s[s.rindex(')') + 2:].split()
        rows.append((tid, int(fields[11]) + int(fields[12]), name))  # utime + stime
    return rows

def group(name):
    for pat, g in [(r'^GC Thread|^G1 |^Shenandoah|^GC ', 'GC'), (r'^C[12] Compiler', 'JIT'),
                   (r'^VM Thread|^VM Periodic', 'VM'), (r'sapwood-flush', 'flusher'), (r'sapwood-evict', 'evictor'),
                   (r'checkp', 'checkpointer'), (r'log-syn', 'log syncer'), (r'log-rot', 'log rotation')]:
        if re.search(pat, name, re.I):
            return g
    return name

if sys.argv[1] == 'sample':
    pid, out = sys.argv[2], sys.argv[3]
    iv = float(sys.argv[4]) if len(sys.argv) > 4 else 0.5
    with open(out, 'a') as f:
        while os.path.exists(f'/proc/{pid}'):
            t = time.time()
            try:
                for tid, ticks, name in snapshot(pid):
                    f.write(f'{t:.2f} {tid} {ticks} {name}\n')
            except OSError:
                break
            f.flush()
            time.sleep(iv)
else:
    out, t0, t1 = sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    ops = float(sys.argv[5]) if len(sys.argv) > 5 else 0
    hz = os.sysconf('SC_CLK_TCK')
    first, last, names = {}, {}, {}
    with open(out) as f:
        for line in f:
            t, tid, ticks, name = line.rstrip('\n').split(' ', 3)
            t, ticks = float(t), int(ticks)
            names[tid] = name
            if t <= t0:
                first[tid] = ticks  # the last sample at or before t0
            if t <= t1:
                last[tid] = ticks
    by = collections.Counter()
    for tid, v in last.items():
        by[group(names[tid])] += (v - first.get(tid, 0)) / hz
    total = sum(by.values())
    for g, s in by.most_common():
        print(f'{g:24s} {s:8.2f} s' + (f'  {s * 1e6 / ops:6.2f} us/op' if ops else ''))
    print(f'{"total":24s} {total:8.2f} s' + (f'  {total * 1e6 / ops:6.2f} us/op' if ops else ''))
