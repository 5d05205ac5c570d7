#!/bin/bash
# run-reload-memory.sh - nimbusd's memory across reloads of one zone under query load.
#
# usage: bench/run-reload-memory.sh [-n RECORDS] [-R RELOADS] [-Q QPS] [-w WORKERS]
#                                   [-s SETTLE] [-W WARMUP] [-b BUILDDIR] [-N NIMBUSD]
#                                   [-S DIR] [-k]
#
#   -n RECORDS   records in the zone (default 50000, gen-zone.sh)
#   -R RELOADS   reloads (default 50, at most 200)
#   -Q QPS       dnsperf query rate during the whole run (default 20000)
#   -w WORKERS   nimbusd workers (default 2)
#   -s SETTLE    seconds of queries after each reload before the next one
#                (default 1)
#   -W WARMUP    seconds of unthrottled load (bench/loadgen, from the build
#                tree's `make bench`) before the first reload (default 2;
#                0: none). Each worker's UDP batch buffers (64 x 8 KiB,
#                ~540 KiB) are allocated at start but become resident only
#                as far as the largest batch seen so far; at 20,000 qps a
#                burst now and then fills a little more of them, up to
#                ~1 MB for 2 workers, whatever the reloads. The warm-up
#                fills them once, so that what remains is what reloads do.
#   -b BUILDDIR  build tree with src/nimbusd (default ../build-bench,
#                ../build, the source tree)
#   -N NIMBUSD   the nimbusd binary (default BUILDDIR/src/nimbusd)
#   -S DIR       save /proc/PID/smaps after reload 1 and after the last one
#                in DIR (smaps.first, smaps.last), to see which mappings grew
#   -k           keep the temporary directory
#
# Each reload: the zone file is rewritten (temp file + rename) with the next
# SOA serial, SIGHUP, and the script waits until nimbusd logs "configuration
# reloaded" (deadline 30 s) and serves the new serial. Memory is read from
# /proc/PID: VmRSS (status) and Anonymous / Pss_Anon (smaps_rollup), sampled
# every 5 ms from the SIGHUP to the end of the settle time, so the peak of
# each reload is seen. Printed per reload: RSS before it, the peak during it,
# RSS and anonymous memory after the settle time. At the end: RSS after
# reload 1 and after the last, their ratio (target <= 1.05), the largest
# peak, and the bound "old version + new version + 10 %", where a version's
# size is RSS after reload 1 minus the RSS of the same server serving a
# 10-record zone (measured first, same config, same load).
set -u

records=50000
reloads=50
qps=20000
workers=2
settle=1
build_dir=
nimbusd=
keep_tmp=false
smaps_dir=
warmup=2

src_dir=$(cd "$(dirname "$0")/.." && pwd)

die() {
	echo "run-reload-memory.sh: $*" >&2
	exit 1
}

while getopts "n:R:Q:w:s:W:b:N:S:kh" opt; do
	case $opt in
	n) records=$OPTARG ;;
	R) reloads=$OPTARG ;;
	Q) qps=$OPTARG ;;
	w) workers=$OPTARG ;;
	s) settle=$OPTARG ;;
	W) warmup=$OPTARG ;;
	b) build_dir=$OPTARG ;;
	N) nimbusd=$OPTARG ;;
	S) smaps_dir=$OPTARG ;;
	k) keep_tmp=true ;;
	h) sed -n '2,/^set -u/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
for v in records reloads qps workers settle warmup; do
	case ${!v} in
	'' | *[!0-9]*) die "$v must be a whole number, got '${!v}'" ;;
	esac
done
((reloads >= 1 && reloads <= 200)) || die "reloads must be 1 to 200"
((settle <= 10)) || die "settle at most 10 s"
((warmup <= 30)) || die "warm-up at most 30 s"
((qps <= 200000)) || die "qps at most 200000"

if [ -z "$build_dir" ]; then
	for d in "$src_dir/build-bench" "$src_dir/build" "$src_dir"; do
		if [ -x "$d/src/nimbusd" ]; then
			build_dir=$d
			break
		fi
	done
fi
[ -n "$nimbusd" ] || nimbusd=${build_dir:-.}/src/nimbusd
[ -x "$nimbusd" ] || die "no nimbusd at '$nimbusd': build it or pass -N"
command -v dnsperf >/dev/null || die "dnsperf is not installed"
command -v dig >/dev/null || die "dig is not installed"

tmp=$(mktemp -d /tmp/nimbus-reload-mem.XXXXXX)
pid=
perf_pid=
cleanup() {
	[ -n "$perf_pid" ] && kill "$perf_pid" 2>/dev/null
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	wait 2>/dev/null
	if $keep_tmp; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

addr=127.0.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 2))
port=$((20000 + RANDOM % 20000))
zone=example.com

# rss_kb PID, anon_kb PID, pss_anon_kb PID
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
anon_kb() { awk '/^Anonymous:/ {print $2}' "/proc/$1/smaps_rollup" 2>/dev/null; }
pss_anon_kb() { awk '/^Pss_Anon:/ {print $2}' "/proc/$1/smaps_rollup" 2>/dev/null; }

# write_zone SERIAL: the zone with its SOA serial replaced, atomically.
write_zone() {
	sed "s/ 2026112501 / $1 /" "$tmp/zone.base" >"$tmp/zone.tmp" && mv "$tmp/zone.tmp" "$tmp/zone"
}

serial_of() {
	dig +short +time=1 +tries=3 -p "$port" @"$addr" "$zone" SOA | awk '{print $3}'
}

# start_server: nimbusd on $tmp/zone, waits for ready; sets pid.
start_server() {
	cat >"$tmp/nimbusd.yaml" <<EOF
server:
  listen: [ "$addr@$port" ]
  workers: $workers
  log-level: info
zones:
  - { name: "$zone.", file: "$tmp/zone" }
EOF
	: >"$tmp/log"
	"$nimbusd" -c "$tmp/nimbusd.yaml" 2>>"$tmp/log" &
	pid=$!
	for _ in $(seq 600); do
		grep -q "ready:" "$tmp/log" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	cat "$tmp/log" >&2
	die "nimbusd did not become ready"
}

stop_server() {
	kill "$pid"
	wait "$pid" 2>/dev/null
	pid=
}

start_load() {
	dnsperf -s "$addr" -p "$port" -d "$tmp/queries" -Q "$qps" -l "$1" -c 4 -q 200 \
		>"$tmp/dnsperf.out" 2>&1 &
	perf_pid=$!
}

stop_load() {
	kill -INT "$perf_pid" 2>/dev/null
	wait "$perf_pid" 2>/dev/null
	perf_pid=
}

warm_up() {
	((warmup > 0)) || return 0
	local loadgen=${build_dir:-.}/bench/loadgen
	[ -x "$loadgen" ] || die "no loadgen at '$loadgen' for the warm-up: make bench, or -W 0"
	"$loadgen" -s "$addr" -p "$port" -d "$tmp/queries" -l "$warmup" -c 4 -q 256 >"$tmp/warmup.out" 2>&1 ||
		die "warm-up failed: $(tail -3 "$tmp/warmup.out")"
}

"$src_dir/bench/gen-zone.sh" -z "$zone" -n "$records" -q "$tmp/queries" -c 100000 >"$tmp/zone.base" ||
	die "gen-zone.sh failed"

# The server with a 10-record zone: what nimbusd costs without zone data.
"$src_dir/bench/gen-zone.sh" -z "$zone" -n 10 >"$tmp/zone"
start_server
warm_up
start_load $((settle + 3))
sleep $((settle + 2))
base=$(rss_kb "$pid")
stop_load
stop_server

write_zone 1
start_server
warm_up
start_load $((reloads * (settle + 2) + 30))
sleep 1
echo "nimbusd $("$nimbusd" -V | awk '{print $2}'), $records records, $workers workers, $qps qps," \
	"$reloads reloads, ${warmup} s warm-up"
echo "server with a 10-record zone: RSS $base kB"
echo "after start: RSS $(rss_kb "$pid") kB, anonymous $(anon_kb "$pid") kB"
printf '%6s %10s %10s %10s %10s %10s %s\n' reload before_kB peak_kB rss_kB anon_kB pss_anon serial
first=
last=
max_peak=0
for i in $(seq 1 "$reloads"); do
	before=$(rss_kb "$pid")
	n_done=$(grep -c "configuration reloaded" "$tmp/log")
	write_zone $((1 + i))
	kill -HUP "$pid"
	peak=$before
	deadline=$((SECONDS + 30))
	while [ "$(grep -c "configuration reloaded" "$tmp/log")" -le "$n_done" ]; do
		r=$(rss_kb "$pid")
		[ -n "$r" ] && ((r > peak)) && peak=$r
		((SECONDS < deadline)) || die "reload $i: not logged within 30 s"
		sleep 0.005
	done
	end=$((SECONDS + settle))
	while ((SECONDS < end)); do
		r=$(rss_kb "$pid")
		[ -n "$r" ] && ((r > peak)) && peak=$r
		sleep 0.005
	done
	got=$(serial_of)
	[ "$got" = $((1 + i)) ] || die "reload $i: serial $got served, $((1 + i)) expected"
	rss=$(rss_kb "$pid")
	((peak > max_peak)) && max_peak=$peak
	if [ -n "$smaps_dir" ]; then
		[ -n "$first" ] || cp "/proc/$pid/smaps" "$smaps_dir/smaps.first"
		((i == reloads)) && cp "/proc/$pid/smaps" "$smaps_dir/smaps.last"
	fi
	[ -n "$first" ] || first=$rss
	last=$rss
	printf '%6d %10d %10d %10d %10d %10d %s\n' "$i" "$before" "$peak" "$rss" "$(anon_kb "$pid")" \
		"$(pss_anon_kb "$pid")" "$got"
done
hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
stop_load
stop_server
version=$((first - base))
bound=$((base + version * 2 * 110 / 100))
echo
awk -v f="$first" -v l="$last" 'BEGIN { printf "RSS after reload 1: %d kB, after the last: %d kB, ratio %.3f (target <= 1.05)\n", f, l, l / f }'
echo "largest peak during a reload: $max_peak kB (VmHWM $hwm kB); one version ~ $version kB;" \
	"bound base + 2 x version + 10 % = $bound kB"
grep -E "Queries (sent|completed|lost)|Queries per second" "$tmp/dnsperf.out" | sed 's/^ */dnsperf: /'
