#!/usr/bin/env python3
# The heap cost of a `sapwood bench` fill, from a JFR recording (default settings) and the bench's
# --json output: bytes allocated per put by the first Sapwood frames (jdk.ObjectAllocationSample
# weights), collections and GC CPU time (jdk.GCCPUTime), bytes G1 copied (jdk.EvacuationInformation)
# and evacuation failures, all within the fillrandom window (from the first sample under TreeImpl,
# for the fill's seconds).
# Usage: JAVA_TOOL_OPTIONS="-Xmx80m -XX:StartFlightRecording=filename=R.jfr" sapwood bench
#          --benchmarks fillrandom,... --json R.json ...;  bench/jfr-heap.py R.jfr R.json [top]
import sys, json, subprocess, collections, datetime, re

jfr, js = sys.argv[1], sys.argv[2]
top = int(sys.argv[3]) if len(sys.argv) > 3 else 10
fill = next(r for r in json.load(open(js))['results'] if r['workload'] == 'fillrandom')
events = json.loads(subprocess.run(
    ['jfr', 'print', '--json', '--stack-depth', '8', '--events',
     'jdk.ObjectAllocationSample,jdk.GCCPUTime,jdk.GarbageCollection,jdk.EvacuationInformation,jdk.EvacuationFailed', jfr],
    capture_output=True, text=True).stdout)['recording']['events']
at = lambda e: datetime.datetime.fromisoformat(e['values']['startTime'][:26])
frames = lambda e: (e['values'].get('stackTrace') or {}).get('frames') or []
secs = lambda x: sum(float(n or 0) * m for n, m in zip(re.match(r'PT(?:(\d+)M)?([\d.]+)S', x).groups(), (60, 1)))
start = min(at(e) for e in events if e['type'] == 'jdk.ObjectAllocationSample'
            and any('TreeImpl' in f['method']['type']['name'] for f in frames(e)))
end = start + datetime.timedelta(seconds=fill['seconds'])
alloc, by = 0, collections.Counter()
gcs = cpu = copied = failed = 0
for e in events:
    if not start <= at(e) <= end:
        continue
    t, v = e['type'], e['values']
    if t == 'jdk.ObjectAllocationSample':
        alloc += v['weight']
        sw = [f for f in frames(e) if 'sapwood' in f['method']['type']['name']][:3]
        by[' < '.join(f['method']['type']['name'].split('/')[-1] + '.' + f['method']['name'] for f in sw)] += v['weight']
    elif t == 'jdk.GCCPUTime':
        cpu += secs(v['userTime']) + secs(v['systemTime'])
    elif t == 'jdk.GarbageCollection':
        gcs += 1
    elif t == 'jdk.EvacuationInformation':
        copied += v['bytesCopied']
    else:
        failed += 1
ops = fill['ops']
print(f"fill {ops:,} puts in {fill['seconds']:.1f} s: allocated {alloc / ops:,.0f} B/put; {gcs} collections, "
      f"GC CPU {cpu:.1f} s ({cpu * 1e6 / ops:.1f} us/put), pauses {100 * fill['gc_pause_seconds'] / fill['seconds']:.1f}% "
      f"of the wall time; G1 copied {copied / ops:,.0f} B/put, {failed} evacuation failures; peak RSS {fill['peak_rss_bytes'] >> 20} MiB")
for k, w in by.most_common(top):
    print(f"  {w / ops:7,.0f} B/put {100 * w / alloc:5.1f}%  {k}")
