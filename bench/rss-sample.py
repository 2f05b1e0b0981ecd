#!/usr/bin/env python3
# Where a running JVM's resident memory goes, over time: /proc/PID/status (VmRSS, VmHWM, RssAnon,
# RssFile, RssShmem), the process's CPU ticks (utime + stime) and /proc/PID/smaps summed by kind of mapping every INTERVAL seconds, and
# `jcmd PID VM.native_memory summary` (the child needs -XX:NativeMemoryTracking=summary) every
# NMT_EVERY-th sample and whenever VmRSS passes its highest value so far by 4 MiB (never if NMT_EVERY
# is 0: no jcmd attaches to a child run without NMT).
#   bench/rss-sample.py sample PID OUT [interval=0.5] [nmt_every=10]   one JSON line per sample
#   bench/rss-sample.py table OUT [T0 T1]   the parts (MiB) at the highest and the median samples
#                                           that have an NMT summary, the highest VmRSS and its
#                                           percentiles, optionally only between two epoch times
import json, os, re, subprocess, sys, time

MIB = 1048576.0

def status(pid):
    out = {}
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            k, _, v = line.partition(':')
            if k in ('VmRSS', 'VmHWM', 'RssAnon', 'RssFile', 'RssShmem'):
                out[k] = int(v.split()[0]) * 1024
    return out

def smaps(pid):
    kinds = {}
    name = None
    with open(f'/proc/{pid}/smaps') as f:
        for line in f:
            if re.match(r'^[0-9a-f]+-[0-9a-f]+ ', line):
                parts = line.split(None, 5)
                path = parts[5].strip() if len(parts) > 5 else ''
                if path.endswith('.log') and re.search(r'/\d{20}\.log$', path):
                    name = 'log_segments'
                elif path.endswith('.jsa'):
                    name = 'cds'
                elif path.startswith('/'):
                    name = 'other_files'
                elif path == '[heap]':
                    name = 'brk_heap'
                else:
                    name = 'anon'
            elif line.startswith('Rss:') and name:
                kinds[name] = kinds.get(name, 0) + int(line.split()[1]) * 1024
    return kinds

def nmt(pid):
    try:
        text = subprocess.run(['jcmd', str(pid), 'VM.native_memory', 'summary'], capture_output=True,
                              text=True, timeout=20).stdout
    except (subprocess.TimeoutExpired, OSError):
        return None
    out = {}
    for m in re.finditer(r'-\s+([A-Za-z][A-Za-z ]*?) \(reserved=(\d+)KB, committed=(\d+)KB\)', text):
        out[m.group(1).strip()] = int(m.group(3)) * 1024
    m = re.search(r'Total: reserved=(\d+)KB, committed=(\d+)KB', text)
    if m:
        out['Total'] = int(m.group(2)) * 1024
    return out or None

def sample(pid, path, interval, nmt_every):
    best = 0
    n = 0
    with open(path, 'a') as out:
        while os.path.exists(f'/proc/{pid}'):
            try:
                s = status(pid)
                s.update(smaps(pid))
            except OSError:
                break
            s['t'] = time.time()
            with open(f'/proc/{pid}/stat') as f:
                st = f.read()
            fields = st[st.rindex(')') + 2:].split()
            s['cpu_ticks'] = int(fields[11]) + int(fields[12])  # utime + stime, all threads
            if nmt_every > 0 and (n % nmt_every == 0 or s.get('VmRSS', 0) > best + (4 << 20)):
                s['nmt'] = nmt(pid)
            best = max(best, s.get('VmRSS', 0))
            out.write(json.dumps(s) + '\n')
            out.flush()
            n += 1
            time.sleep(interval)

def parts(s):
    """The sample's resident memory by part, MiB (NMT committed per category, plus smaps)."""
    k = s['nmt']
    get = lambda *names: sum(k.get(x, 0) for x in names) / MIB
    rows = [
        ('Java heap (committed)', get('Java Heap')),
        ('direct memory: the tier + NIO (NMT Other)', get('Other')),
        ('GC structures', get('GC')),
        ('code cache', get('Code')),
        ('class metadata (Class + Metaspace)', get('Class', 'Metaspace')),
        ('JIT work memory (Compiler + Arena Chunk)', get('Compiler', 'Arena Chunk')),
        ('threads, symbols, internal, NMT, the rest', k.get('Total', 0) / MIB - get('Java Heap', 'Other', 'GC', 'Code',
                                                                                  'Class', 'Metaspace', 'Compiler', 'Arena Chunk', 'Shared class space')),
    ]
    nmt_total = k.get('Total', 0) / MIB
    # NMT's committed is not all resident (reserved code cache, unused metaspace chunks, thread
    # stacks): what RssAnon holds beyond it is glibc's and native libraries' memory. The CDS
    # archive is a mapped file: in RssFile with the libraries, not in RssAnon.
    rows.append(('RssAnon - NMT total without CDS: outside NMT (glibc, native libraries)',
                 s['RssAnon'] / MIB - (nmt_total - get('Shared class space'))))
    rows.append(('RssFile: log segments mapped (smaps)', s.get('log_segments', 0) / MIB))
    rows.append(('RssFile: the rest (CDS archive, libjvm and other libraries, jars)',
                 (s['RssFile'] - s.get('log_segments', 0)) / MIB))
    rows.append(('VmRSS of the sample (the rows above sum to it, with RssShmem)', s['VmRSS'] / MIB))
    return rows

def table(path, t0=None, t1=None):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    rows = [r for r in rows if 'VmRSS' in r and 'RssAnon' in r]
    if t0 is not None:
        rows = [r for r in rows if t0 <= r['t'] <= t1]
    with_nmt = [r for r in rows if r.get('nmt')]
    peak = max(rows, key=lambda r: r['VmRSS'])
    rss = sorted(r['VmRSS'] for r in rows)
    start = rows[0]['t']
    print(f'samples {len(rows)} ({len(with_nmt)} with NMT), {rows[-1]["t"] - start:.0f} s')
    print(f'highest VmRSS {peak["VmRSS"] / MIB:.1f} MiB at t={peak["t"] - start:.1f} s'
          f' (RssAnon {peak["RssAnon"] / MIB:.1f}, RssFile {peak["RssFile"] / MIB:.1f},'
          f' log {peak.get("log_segments", 0) / MIB:.1f}); VmHWM at the end {rows[-1]["VmHWM"] / MIB:.1f}')
    print(f'VmRSS median {rss[len(rss) // 2] / MIB:.1f}, 10th-90th percentile '
          f'{rss[len(rss) // 10] / MIB:.1f}-{rss[len(rss) * 9 // 10] / MIB:.1f} MiB')
    if not with_nmt:
        return
    top = max(with_nmt, key=lambda r: r['VmRSS'])
    by_rss = sorted(with_nmt, key=lambda r: r['VmRSS'])
    med = by_rss[len(by_rss) // 2]
    print(f'parts, MiB: the highest sample with NMT (t={top["t"] - start:.1f} s) | the median one (t={med["t"] - start:.1f} s)')
    for (name, a), (_, b) in zip(parts(top), parts(med)):
        print(f'  {name:<75} {a:7.1f} {b:7.1f}')
    for cat in ('Arena Chunk', 'Compiler', 'Other', 'Code'):
        vals = [r['nmt'].get(cat, 0) / MIB for r in with_nmt]
        print(f'  NMT {cat}: max {max(vals):.1f}, median {sorted(vals)[len(vals) // 2]:.1f} MiB')

if __name__ == '__main__':
    if sys.argv[1] == 'sample':
        sample(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]) if len(sys.argv) > 4 else 0.5,
               int(sys.argv[5]) if len(sys.argv) > 5 else 10)
    elif sys.argv[1] == 'table':
        table(sys.argv[2], *(float(x) for x in sys.argv[3:5]))
    else:
        sys.exit('usage: rss-sample.py sample PID OUT [interval] [nmt_every] | table OUT [T0 T1]')
