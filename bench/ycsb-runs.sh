#!/usr/bin/env bash
# Runs YCSB's run phase (no load) of one workload against a database loaded once and kept, for
# several builds interleaved: each round runs every build once, each on a fresh copy of the loaded
# database, so before/after comparisons share the data and the machine's moment. Prints per run the
# throughput, the process CPU per operation (user + system from /usr/bin/time, JVM start included)
# and the load average before it; Sapwood's engine counters go to OUT/TAG-R.stats (last line: the
# run's totals) and, with JFR set, a recording to OUT/TAG-R.jfr.
# Usage: bench/ycsb-runs.sh DB LOADED OUT WORKLOAD OPS THREADS ROUNDS TAG=JARDIR...
#   DB: sapwood or rocksdb; LOADED: a database directory loaded by `site.ycsb.Client -load` with
#   the same binding; JARDIR: a build's sapwood-bench/target (holds sapwood-bench.jar, lib/, ycsb-lib/).
# Env: CACHE (default 256M), RECORDS (default 1000000), JAVA_OPTS (default -Xmx2g), PROPS (more
#   -p options, e.g. "-p sapwood.offheap_share=0.75"), JFR (JFR settings, e.g. profile), STATS
#   (counter prefixes sampled, default cache.,read.,node.,cleaner.,flush.).
# Load a database first, e.g. (records as RECORDS):
#   java -Xmx2g -cp "J/sapwood-bench.jar:J/lib/*:J/ycsb-lib/*" site.ycsb.Client -load \
#     -db dev.sapwood.bench.ycsb.SapwoodYcsbClient -P bench/ycsb/workloadc -p recordcount=1000000 \
#     -threads 2 -p sapwood.dir=LOADED -p sapwood.cache_size=256M
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
db="$1"; loaded="$2"; out="$3"; w="$4"; ops="$5"; threads="$6"; rounds="$7"; shift 7
cache="${CACHE:-256M}"; records="${RECORDS:-1000000}"
mkdir -p "$out"
case "$db" in
  sapwood) cls=dev.sapwood.bench.ycsb.SapwoodYcsbClient; dirp=sapwood.dir; cachep=sapwood.cache_size;;
  rocksdb) cls=dev.sapwood.bench.ycsb.RocksDbYcsbClient; dirp=rocksdb.dir; cachep=rocksdb.cache_size;;
  *) echo "ycsb-runs.sh: DB is sapwood or rocksdb" >&2; exit 2;;
esac
printf '| round | build | ops/s | CPU µs/op | load avg before |\n|---|---|---:|---:|---|\n'
for r in $(seq 1 "$rounds"); do
  for tj in "$@"; do
    tag="${tj%%=*}"; jars="${tj#*=}"
    work="$out/work-$db"
    rm -rf "$work"; cp -r "$loaded" "$work"; sync
    load="$(cut -d' ' -f1-3 /proc/loadavg)"
    opts=(); [[ $db == sapwood ]] && opts=("-Dsapwood.bench.statsFile=$out/$tag-$w-$r.stats" "-Dsapwood.bench.statsPrefixes=${STATS:-cache.,read.,node.,cleaner.,flush.}")
    [[ -n "${JFR:-}" && $db == sapwood ]] && opts+=("-XX:StartFlightRecording=filename=$out/$tag-$w-$r.jfr,settings=$JFR")
    log="$out/$db-$tag-$w-$r.log"
    # shellcheck disable=SC2086
    /usr/bin/time -f '%U %S' -o "$log.cpu" java ${JAVA_OPTS:--Xmx2g} "${opts[@]}" \
      -cp "$jars/sapwood-bench.jar:$jars/lib/*:$jars/ycsb-lib/*" site.ycsb.Client -t -db "$cls" \
      -P "$root/bench/ycsb/workload$w" -p "recordcount=$records" -p "operationcount=$ops" \
      -threads "$threads" -p "$dirp=$work" -p "$cachep=$cache" ${PROPS:-} > "$log" 2> "$log.err" \
      || { echo "ycsb-runs.sh: $db $tag $w round $r failed, see $log.err" >&2; exit 1; }
    tput=$(awk -F', ' '/^\[OVERALL\], Throughput/ {printf "%.0f", $3}' "$log")
    cpu=$(awk -v n="$ops" '{printf "%.1f", ($1 + $2) * 1e6 / n}' "$log.cpu")
    printf '| %s | %s %s | %s | %s | %s |\n' "$r" "$db" "$tag" "$tput" "$cpu" "$load"
  done
done
rm -rf "$out/work-$db"
