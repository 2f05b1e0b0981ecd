#!/usr/bin/env python3
# The fill's heap cost from one `bench/peers.sh` child (or `sapwood bench`) run under JFR: bytes
# allocated per put (jdk.ThreadAllocationStatistics: exact per-thread totals, differenced across
# the fill; and jdk.ObjectAllocationSample weights by the first Sapwood frames), the collections
# by kind with their pauses, GC CPU (jdk.GCCPUTime), all within the fillrandom window (from the
# first allocation sample under TreeImpl, for the fill's seconds), and the run's peak RSS.
# Usage: child JVM options "-XX:StartFlightRecording=filename=R.jfr,settings=profile,
#          jdk.ThreadAllocationStatistics#period=1s", bench JSON in R.json;
#        bench/jfr-fill.py R.jfr R.json [top]
import sys, json, subprocess, collections, datetime, re

jfr, js = sys.argv[1], sys.argv[2]
top = int(sys.argv[3]) if len(sys.argv) > 3 else 12
fill = next(r for r in json.load(open(js))['results'] if r['workload'] == 'fillrandom')
events = json.loads(subprocess.run(
    ['jfr', 'print', '--json', '--stack-depth', '10', '--events',
     'jdk.ObjectAllocationSample,jdk.GCCPUTime,jdk.GarbageCollection,jdk.ThreadAllocationStatistics', jfr],
    capture_output=True, text=True).stdout)['recording']['events']
at = lambda e: datetime.datetime.fromisoformat(e['values']['startTime'][:26])
frames = lambda e: (e['values'].get('stackTrace') or {}).get('frames') or []
secs = lambda x: sum(float(n or 0) * m for n, m in zip(re.match(r'PT(?:(\d+)M)?([\d.]+)S', x).groups(), (60, 1)))
start = min(at(e) for e in events if e['type'] == 'jdk.ObjectAllocationSample'
            and any('TreeImpl' in f['method']['type']['name'] for f in frames(e)))
end = start + datetime.timedelta(seconds=fill['seconds'])
sampled, by = 0, collections.Counter()
cpu = 0.0
gcs = collections.Counter()
pause = collections.Counter()
before, after = {}, {}  # thread -> allocated bytes at the last sample before / first after the window
for e in events:
    t, v = e['type'], e['values']
    if t == 'jdk.ThreadAllocationStatistics':
        th = (v.get('thread') or {}).get('javaThreadId') or v['thread']['osThreadId']
        if at(e) <= start:
            before[th] = v['allocated']
        elif at(e) >= end and th not in after:
            after[th] = v['allocated']
        elif at(e) < end:
            before.setdefault(th, 0)
        continue
    if not start <= at(e) <= end:
        continue
    if t == 'jdk.ObjectAllocationSample':
        sampled += v['weight']
        sw = [f for f in frames(e) if 'sapwood' in f['method']['type']['name']][:3]
        by[' < '.join(f['method']['type']['name'].split('/')[-1] + '.' + f['method']['name'] for f in sw)] += v['weight']
    elif t == 'jdk.GCCPUTime':
        cpu += secs(v['userTime']) + secs(v['systemTime'])
    elif t == 'jdk.GarbageCollection':
        gcs[v['name']] += 1
        pause[v['name']] += secs(v['sumOfPauses'])
ops = fill['ops']
exact = sum(after.get(th, 0) - b for th, b in before.items() if th in after)
wall = fill['seconds']
print(f"fill {ops:,} puts in {wall:.1f} s ({ops / wall:,.0f}/s): allocated {exact / ops:,.0f} B/put "
      f"(thread totals; samples {sampled / ops:,.0f}); GC pauses {100 * sum(pause.values()) / wall:.1f}% of the wall "
      f"(" + ', '.join(f"{k} {gcs[k]} x {1e3 * pause[k] / max(gcs[k], 1):.1f} ms" for k in gcs) + f"); "
      f"GC CPU {cpu:.1f} s = {1e6 * cpu / ops:.2f} us/put; bench GC share {100 * fill['gc_pause_seconds'] / wall:.1f}%; "
      f"peak RSS {fill['peak_rss_bytes'] >> 20} MiB")
for k, w in by.most_common(top):
    print(f"  {w / ops:7,.0f} B/put {100 * w / sampled:5.1f}%  {k}")
