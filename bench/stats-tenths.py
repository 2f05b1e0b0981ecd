#!/usr/bin/env python3
"""Per-tenth insert rate and counter deltas from a Sapwood stats file (-Dsapwood.bench.statsFile).

Usage: bench/stats-tenths.py STATS N [counter ...]   e.g. bench/stats-tenths.py S 100M flush.by_writers io.bytes_read
Tenths are cut where tree.messages passes 10%, 20% ... of N (time interpolated between samples);
io.* counters print as bytes per key, the others as counts per tenth.
"""
import sys
def parse(path):
    rows=[]
    for line in open(path):
        f=line.split()
        if not f: continue
        d={'t':int(f[0])}
        for kv in f[1:]:
            k,_,v=kv.partition('=')
            try: d[k]=float(v)
            except ValueError: pass
        rows.append(d)
    return rows
def num(s):
    m={'K':1e3,'M':1e6,'G':1e9}
    return int(float(s[:-1])*m[s[-1]]) if s[-1] in m else int(s)
rows=parse(sys.argv[1]); n=num(sys.argv[2]); ctrs=sys.argv[3:]
def at(keys):  # first row with tree.messages >= keys (linear interpolation of time)
    prev=None
    for r in rows:
        if r.get('tree.messages',0)>=keys:
            if prev is None: return r['t']/1000,r
            a,b=prev['tree.messages'],r['tree.messages']
            t=prev['t']+(r['t']-prev['t'])*(keys-a)/max(1,b-a)
            return t/1000,r
        prev=r
    return rows[-1]['t']/1000,rows[-1]
print('tenth  keys/s  '+'  '.join(ctrs))
for i in range(10):
    t0,r0=at(n*i/10) if i else (0,rows[0]); t1,r1=at(n*(i+1)/10)
    rate=n/10/(t1-t0)
    print(f"{i+1:5d} {rate:9,.0f} "+"  ".join((f"{(r1.get(c,0)-r0.get(c,0))/(n/10):.2f}" if c.startswith("io.") else f"{r1.get(c,0)-r0.get(c,0):.0f}") for c in ctrs))
