#!/usr/bin/env python3
# Where the YCSB client threads' CPU samples go in a JFR recording (settings=profile): the share of
# samples whose stack passes through the node latches, ThreadLocal lookups and the cache's pin/unpin
# code (inclusive), and the most frequent top frames (self).
# Usage: bench/jfr-pin-share.py recording.jfr
import sys, subprocess, collections, re
f = sys.argv[1]
out = subprocess.run(['jfr', 'print', '--stack-depth', '64', '--events', 'jdk.ExecutionSample', f],
                     capture_output=True, text=True).stdout
LATCH = 'node latches (ReentrantReadWriteLock / NodeLatch under CacheTable)'
groups = {
    'ThreadLocal': re.compile(r'java\.lang\.ThreadLocal'),
    'CacheTable pin/unpin (all of it, lookups included)': re.compile(r'CacheTable\.(pin|unpin|tryReadLatch|release)'),
    'pin bookkeeping (held list / Pins)': re.compile(r'CacheTable\.forget|internal\.cache\.Pins\.|java\.util\.ArrayList\.(add|remove)'),
}
total = 0
hits = collections.Counter()
top = collections.Counter()
for block in out.split('\njdk.ExecutionSample')[1:]:
    if 'site.ycsb.ClientThread' not in block:
        continue
    total += 1
    frames = [l.strip() for l in block.split('stackTrace = [', 1)[1].split('\n') if l.strip().endswith(']') is False]
    frames = [fr for fr in frames if fr and not fr.startswith('...') and fr != ']']
    text = '\n'.join(frames)
    for name, rx in groups.items():
        if rx.search(text):
            hits[name] += 1
    # A node latch: lock frames whose first Sapwood caller is the cache (not the database gate's
    # lock or the block reads' lock, which use the same java.util.concurrent classes).
    for i, fr in enumerate(frames):
        if re.search(r'ReentrantReadWriteLock|NodeLatch|AbstractQueuedSynchronizer', fr):
            caller = next((g for g in frames[i:] if g.startswith('dev.sapwood') and 'NodeLatch' not in g), '')
            if 'internal.cache.' in caller:
                hits[LATCH] += 1
            break
    if frames:
        top[re.sub(r'\s+line:.*', '', frames[0])] += 1
print(f"{f}: {total} client-thread samples")
for name in [LATCH] + list(groups):
    print(f"  {100.0 * hits[name] / max(total, 1):5.1f}%  {name}")
print("  top frames (self):")
for fr, n in top.most_common(12):
    print(f"  {100.0 * n / max(total, 1):5.1f}%  {fr}")
