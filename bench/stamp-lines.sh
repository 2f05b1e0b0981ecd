#!/usr/bin/env bash
# Prefixes every line of standard input with the wall-clock time (epoch seconds) it arrived at:
# `bench/peers.sh ... | bench/stamp-lines.sh > out.txt` gives the times at which each workload's
# result line was printed, the phase boundaries of bench/jfr-alloc.py and bench/gc-cycles.py.
while IFS= read -r line; do printf '%s %s\n' "$(date +%s.%N)" "$line"; done
