#!/usr/bin/env python3
# Bytes written per user byte per workload, from a StatsSampler file (-Dsapwood.bench.statsFile):
# log, internal nodes, whole leaves, delta segments, checkpoints, reclaim moves, block file; and, when
# the sampler recorded them, the process's write_bytes (less cancelled) and what no engine counter counts.
# Usage: bench/wa-breakdown.py STATS NUM [workloads] (NUM puts per workload, e.g. 5M; settle included)
import sys
f, N = sys.argv[1], int(float(sys.argv[2].replace('M','e6')))
names = sys.argv[3].split(',') if len(sys.argv) > 3 else ['fillrandom', 'overwrite', 'updaterandom']
per = {'updaterandom': 24}  # the bench's user bytes per op: key + 8 for a counter update, else key + value
rows = []
for line in open(f):
    p = line.split()
    if not p: continue
    d = {'t': int(p[0])}
    for kv in p[1:]:
        k, v = kv.split('=')
        d[k] = int(v)
    rows.append(d)
g = lambda r, k: r.get(k, 0)
bounds = [rows[0]]
for k in range(1, len(names) + 1):
    last = None
    for r in rows:
        if g(r, 'db.last_msn') <= N * k: last = r
        else: break
    bounds.append(last)
print('%-22s' % 'per user byte', ' '.join('%13s' % n for n in names))
def line(label, fn):
    out = []
    for i in range(len(names)):
        a, b = bounds[i], bounds[i + 1]
        if b is None or b is a: out.append('%13s' % '-'); continue
        user = (g(b, 'db.last_msn') - g(a, 'db.last_msn')) * per.get(names[i], 116)
        out.append('%13.2f' % (fn(a, b) / user) if user else '%13s' % '-')
    print('%-22s' % label, ' '.join(out))
D = lambda k: (lambda a, b: g(b, k) - g(a, k))
line('log', D('log.bytes_written'))
line('internal nodes', lambda a, b: D('node.bytes_written')(a, b) - D('node.leaf_bytes_written')(a, b))
line('leaves, whole', lambda a, b: D('node.leaf_bytes_written')(a, b) - D('node_write.delta_bytes')(a, b))
line('deltas + indexes', D('node_write.delta_bytes'))
line('(by checkpoints)', D('checkpoint.node_bytes_written'))
line('(outside: evict/clean)', lambda a, b: D('node.bytes_written')(a, b) - D('checkpoint.node_bytes_written')(a, b))
if any('node_write.internal_spill_bytes' in r for r in rows):  # who wrote internal nodes (branch spill)
    line('  internal: checkpoints', D('node_write.internal_checkpoint_bytes'))
    line('  internal: spills', D('node_write.internal_spill_bytes'))
    line('  internal: write-backs', D('node_write.internal_writeback_bytes'))
    line('  internal: repeats', D('node_write.internal_repeat_bytes'))
line('reclaim moves', D('space.reclaim_moved_bytes'))
line('block file total', D('io.bytes_written'))
line('log + block file', lambda a, b: D('log.bytes_written')(a, b) + D('io.bytes_written')(a, b))
if any('proc.write_bytes' in r for r in rows):  # StatsSampler's /proc/self/io fields
    line('process write_bytes', lambda a, b: D('proc.write_bytes')(a, b) - D('proc.cancelled_write_bytes')(a, b))
    line('gap (process - engine)', lambda a, b: D('proc.write_bytes')(a, b) - D('proc.cancelled_write_bytes')(a, b)
         - D('log.bytes_written')(a, b) - D('io.bytes_written')(a, b))
    line('process wchar', D('proc.wchar'))
line('(log staged)', D('log.staged_bytes'))
for k in ['checkpoint.count', 'checkpoint.space_triggered', 'space.reclaim_rounds', 'cache.evicted_dirty_writes',
          'cache.parked', 'cache.unparked', 'cache.parked_spills', 'cache.parked_checkpoint_writes',
          'node_write.internal_repeats', 'space.sweeps', 'space.swept_leaves']:
    out = []
    for i in range(len(names)):
        a, b = bounds[i], bounds[i + 1]
        out.append('%13d' % (g(b, k) - g(a, k)) if b is not None else '%13s' % '-')
    print('%-22s' % k.split('.')[-1], ' '.join(out))
# Parked images' buffers: compressed over raw bytes.
if any('cache.parked_raw_bytes' in r for r in rows):
    out = []
    for i in range(len(names)):
        a, b = bounds[i], bounds[i + 1]
        raw = g(b, 'cache.parked_raw_bytes') - g(a, 'cache.parked_raw_bytes') if b is not None else 0
        out.append('%13.3f' % ((g(b, 'cache.parked_compressed_bytes') - g(a, 'cache.parked_compressed_bytes')) / raw)
                   if raw else '%13s' % '-')
    print('%-22s' % 'parked compressed/raw', ' '.join(out))
# Checkpoints by cause: space-triggered, reclaim rounds' (two each), and the rest (the timer, the settle's one).
out = []
for i in range(len(names)):
    a, b = bounds[i], bounds[i + 1]
    if b is None: out.append('%13s' % '-'); continue
    d = lambda k: g(b, k) - g(a, k)
    out.append('%13d' % (d('checkpoint.count') - d('checkpoint.space_triggered') - 2 * d('space.reclaim_rounds')))
print('%-22s' % 'timer+explicit ckpts', ' '.join(out))
# What the block file holds at the end of each span (settle included), MiB, and over the live user bytes
# (every key written once by the fill: N x 116).
for k in ['store.file_bytes', 'store.free_bytes', 'store.pending_free_bytes', 'cache.parked_image_bytes']:
    out = []
    for i in range(len(names)):
        b = bounds[i + 1]
        out.append('%13.1f' % (g(b, k) / 1048576.0) if b is not None else '%13s' % '-')
    print('%-22s' % (k.split('.')[-1] + ' MiB'), ' '.join(out))
out = []
for i in range(len(names)):
    b = bounds[i + 1]
    out.append('%13.3f' % (g(b, 'store.file_bytes') / (N * 116.0)) if b is not None else '%13s' % '-')
print('%-22s' % 'block file / live', ' '.join(out))
