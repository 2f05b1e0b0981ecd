#!/usr/bin/env python3
# Bytes allocated per put by site, from a JFR recording (settings=profile): the weights of the
# jdk.ObjectAllocationSample events, each charged to its first Sapwood frame (dev.sapwood, the
# bench's own classes excluded) with the Sapwood frame that called it ("Class.method < caller"),
# per phase when phase boundaries are given (wall-clock epoch seconds, e.g. the times at which the
# bench printed each workload's result line: see bench/stamp-lines.sh), each divided by its puts.
# Streams `jfr print` text, so a recording of several GB of samples fits in little memory.
# Usage: bench/jfr-alloc.py R.jfr PUTS_PER_PHASE [T1 T2 ...] [--top N]
# (with boundaries T1..Tk the phases are [start, T1), [T1, T2), ...; without, one phase.)
import sys, subprocess, re, collections, datetime

args = [a for a in sys.argv[1:] if not a.startswith('--top')]
top = int(next((a.split('=')[1] for a in sys.argv[1:] if a.startswith('--top=')), '20'))
jfr, puts = args[0], float(args[1].replace('M', 'e6'))
bounds = [float(t) for t in args[2:]]
units = {'bytes': 1, 'byte': 1, 'kB': 1e3, 'MB': 1e6, 'GB': 1e9}
summary = subprocess.run(['jfr', 'summary', jfr], capture_output=True, text=True).stdout
sm = re.search(r'Start: (\d+)-(\d+)-(\d+)', summary)
start_day = datetime.date(int(sm.group(1)), int(sm.group(2)), int(sm.group(3))) if sm else datetime.date.today()
p = subprocess.Popen(['jfr', 'print', '--events', 'jdk.ObjectAllocationSample', '--stack-depth', '10', jfr],
                     stdout=subprocess.PIPE, text=True)
by = [collections.Counter() for _ in range(len(bounds) + 1)]
thread_by = [collections.Counter() for _ in range(len(bounds) + 1)]
ev = None


def phase(t):
    for i, b in enumerate(bounds):
        if t < b:
            return i
    return len(bounds)


def done(e):
    if e is None or e.get('w') is None:
        return
    fr = [f for f in e['frames'] if f.startswith('dev.sapwood.') and not f.startswith('dev.sapwood.bench')]
    short = lambda f: '.'.join(f.split('.')[-2:])
    if fr:
        site = short(fr[0]) + (' < ' + fr[1].split('.')[-1] if len(fr) > 1 else '')
    else:
        site = 'not Sapwood: ' + (short(e['frames'][0]) if e['frames'] else '?')
    i = phase(e.get('t', 0))
    by[i][(e.get('cls', '?'), site)] += e['w']
    thread_by[i][e.get('thread', '?')] += e['w']


for line in p.stdout:
    s = line.strip()
    if s.startswith('jdk.ObjectAllocationSample'):
        done(ev)
        ev = {'frames': []}
    elif ev is None:
        continue
    elif s.startswith('startTime ='):
        # 'HH:MM:SS.fff' with ' (YYYY-MM-DD)' when not the recording's first day; UTC assumed
        m = re.match(r'startTime = (\d+):(\d+):(\d+)\.(\d+)(?: \((\d+)-(\d+)-(\d+)\))?', s)
        if m:
            h, mi, se, frac, y, mo, d = m.groups()
            day = datetime.date(int(y), int(mo), int(d)) if y else start_day
            dt = datetime.datetime(day.year, day.month, day.day, int(h), int(mi), int(se), tzinfo=datetime.timezone.utc)
            ev['t'] = dt.timestamp() + float('0.' + frac)
    elif s.startswith('weight ='):
        m = re.match(r'weight = ([\d.]+) (\w+)', s)
        ev['w'] = float(m.group(1)) * units.get(m.group(2), 1)
    elif s.startswith('objectClass ='):
        ev['cls'] = s.split('=', 1)[1].strip().split(' ')[0]
    elif s.startswith('eventThread ='):
        ev['thread'] = re.sub(r' \(javaThreadId.*', '', s.split('=', 1)[1].strip()).strip('"')
    elif re.match(r'^[\w.$<>]+\(.*\)\s+line:', s):
        ev['frames'].append(re.sub(r'\(.*', '', s))
done(ev)
for i, c in enumerate(by):
    tot = sum(c.values())
    print(f"phase {i}: sampled weight {tot / 1e9:.2f} GB, {tot / puts:.0f} B per put")
    for (cls, site), v in c.most_common(top):
        print(f"  {v / puts:7.0f} B/put  {cls:14s} {site}")
    th = collections.Counter()
    for t, v in thread_by[i].items():
        th[re.sub(r'[-#]?\d+$', '', t)] += v
    print("  by thread: " + ", ".join(f"{t} {100 * v / max(tot, 1):.0f}%" for t, v in th.most_common(6)))
