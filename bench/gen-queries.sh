#!/bin/bash
# gen-queries.sh - writes a dnsperf query file to stdout.
#
# usage: bench/gen-queries.sh [COUNT [ZONE]]   (defaults: 100000 example.com)
#
# COUNT distinct names under ZONE, one "NAME TYPE" per line, types in a fixed
# A/AAAA/MX mix of 6:3:1 (roughly what a resolver asks an authority). Names
# are distinct so that no cache, here or in a later server, turns the run into
# a replay of a few answers; the output is the same on every run so that runs
# are comparable.
set -eu
count=${1:-100000}
zone=${2:-example.com}
case $count in
'' | *[!0-9]*) echo "gen-queries.sh: COUNT must be a number, got '$count'" >&2; exit 2 ;;
esac
awk -v n="$count" -v zone="$zone" 'BEGIN {
	split("A A A A A A AAAA AAAA AAAA MX", types, " ")
	for (i = 0; i < n; i++)
		printf "h%07d.%s %s\n", i * 7919 % 10000019, zone, types[i % 10 + 1]
}'
