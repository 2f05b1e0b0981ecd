#!/usr/bin/env bash
# Loads and runs YCSB core workloads A-F against Sapwood (blind field-merging updates) and RocksDB
# (read-then-put updates, as YCSB's own RocksDB binding does), each workload on a fresh database,
# and prints a throughput table.
# Usage: bench/ycsb.sh [RECORDS] [OPERATIONS] [THREADS] [WORKLOADS]   (defaults 100000 100000 1 "a b c d e f")
# Env: CACHE (default 256M, both engines), DATA (default ./ycsb-data), JAVA_OPTS (default -Xmx2g),
# JFR (JFR settings, e.g. "profile,settings=bench/parks.jfc": Sapwood's phases are recorded to
# DATA/sapwood-W-PHASE.jfr). Each phase's process CPU seconds (user+system) go to DATA/DB-W-PHASE.cpu.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
records="${1:-100000}"; ops="${2:-100000}"; threads="${3:-1}"; workloads="${4:-a b c d e f}"
cache="${CACHE:-256M}"; data="${DATA:-$PWD/ycsb-data}"
jar="$root/sapwood-bench/target/sapwood-bench.jar"
if [[ ! -f "$jar" || ! -d "$root/sapwood-bench/target/ycsb-lib" ]]; then
  (cd "$root" && mvn -q -DskipTests install) >&2
fi
cp="$jar:$root/sapwood-bench/target/lib/*:$root/sapwood-bench/target/ycsb-lib/*"
mkdir -p "$data"
declare -A result
for db in sapwood rocksdb; do
  case "$db" in
    sapwood) cls=dev.sapwood.bench.ycsb.SapwoodYcsbClient; props=(-p "sapwood.dir=$data/sapwood" -p "sapwood.cache_size=$cache");;
    rocksdb) cls=dev.sapwood.bench.ycsb.RocksDbYcsbClient; props=(-p "rocksdb.dir=$data/rocksdb" -p "rocksdb.cache_size=$cache");;
  esac
  for w in $workloads; do
    rm -rf "${data:?}/$db"
    for phase in load run; do
      flag=-t; [[ $phase == load ]] && flag=-load
      log="$data/$db-$w-$phase.log"
      jfr=(); [[ -n "${JFR:-}" && $db == sapwood ]] && jfr=("-XX:StartFlightRecording=filename=$data/$db-$w-$phase.jfr,settings=$JFR")
      /usr/bin/time -f '%U %S' -o "$data/$db-$w-$phase.cpu" java ${JAVA_OPTS:--Xmx2g} "${jfr[@]}" -cp "$cp" site.ycsb.Client "$flag" -db "$cls" \
        -P "$root/bench/ycsb/workload$w" -p "recordcount=$records" -p "operationcount=$ops" \
        -threads "$threads" "${props[@]}" > "$log" 2> "$log.err" \
        || { echo "ycsb.sh: $db $w $phase failed, see $log.err" >&2; exit 1; }
      tput=$(awk -F', ' '/^\[OVERALL\], Throughput/ {printf "%.0f", $3}' "$log")
      result[$db,$w,$phase]="$tput"
      echo "$db workload $w $phase: $tput ops/s" >&2
    done
  done
  rm -rf "${data:?}/$db"
done
printf '\nYCSB %s records, %s operations, %s thread(s), cache %s; throughput in ops/s\n' "$records" "$ops" "$threads" "$cache"
printf '| %-9s | %13s | %13s | %15s |\n' workload sapwood rocksdb "sapwood/rocksdb"
printf '|%s|%s|%s|%s|\n' ----------- --------------- --------------- -----------------
for w in $workloads; do
  for phase in load run; do
    s="${result[sapwood,$w,$phase]}"; r="${result[rocksdb,$w,$phase]}"
    ratio=$(awk -v s="$s" -v r="$r" 'BEGIN { if (r > 0) printf "%.2fx", s / r; else print "-" }')
    printf '| %-9s | %13s | %13s | %15s |\n' "$w $phase" "$s" "$r" "$ratio"
  done
done
