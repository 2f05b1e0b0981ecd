#!/usr/bin/env bash
# Side-by-side run of Sapwood, RocksDB, LMDB and H2 MVStore (dev.sapwood.bench.peers.PeerBench).
# Builds the project when sapwood-bench's jar is missing, then passes every argument on.
# Usage: bench/peers.sh [--engines sapwood,rocksdb,lmdb,h2] [--num 1M] [--cache-size 256M] ...
# (engines also rocksdb-optimistic, rocksdb-pessimistic: RocksDB's two transaction databases)
# JAVA_OPTS overrides the JVM options (default -Xmx4g).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/sapwood-bench/target/sapwood-bench.jar"
if [[ ! -f "$jar" || -n "${BENCH_REBUILD:-}" ]]; then
  echo "peers.sh: building (mvn -q -DskipTests install)..." >&2
  (cd "$root" && mvn -q -DskipTests install) >&2
fi
exec java ${JAVA_OPTS:--Xmx4g} --add-opens java.base/java.nio=ALL-UNNAMED \
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
  -cp "$jar:$root/sapwood-bench/target/lib/*" dev.sapwood.bench.peers.PeerBench "$@"
