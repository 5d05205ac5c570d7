#!/bin/bash
# run-memory.sh - resident memory and load time of a big zone: nimbusd, NSD, Knot.
#
# usage: bench/run-memory.sh [-r ROUNDS] [-n RECORDS] [-s SETTLE] [-b BUILDDIR] [-N NIMBUSD] [-S SERVERS] [-k]
#
#   -r ROUNDS    rounds (default 1); each starts every server with the tiny
#                zone, then with the big one, the server order rotating
#   -n RECORDS   records in the big zone (default 1000000)
#   -s SETTLE    seconds to wait after the first answer before reading
#                memory (default 2)
#   -b BUILDDIR  build tree with src/nimbusd (default ../build-abench,
#                ../build-bench, the source tree)
#   -N NIMBUSD   the nimbusd binary (default BUILDDIR/src/nimbusd)
#   -S SERVERS   which servers, of "nimbusd nsd knot" (default all three)
#   -k           keep the temporary directory
#
# The big zone is gen-zone.sh's mix (A, AAAA, MX, TXT, CNAME, NS delegations
# with glue, a wildcard), the tiny one the same with 10 records. Each server
# runs with its own config, one worker (servers.sh), pinned to SERVER_CPU
# (default 1).
#
# load time: from starting the process until it answers SOA for the zone
# authoritatively (dig, polled every 20 ms, deadline 300 s). NSD compiles the
# zone file into its database (nsd.db, fresh each start) before it serves, and
# that is in its time.
# memory: VmRSS (/proc/PID/status) of the server's largest process, and Pss
# summed over all its processes (NSD forks a server child and xfrd that share
# the parent's pages; RSS would count those once per process). Per record:
# (big - tiny) / records.
# load peak: the largest VmHWM (the kernel's high-water mark of RSS, so no
# sampling can miss it) over the server's processes, read with the settled
# RSS; peak/settled is that over the largest VmRSS, for the big zone.
# Targets: nimbusd <= 200 bytes per record, its load time <= 1.0x the
# faster of NSD and Knot, and its load peak <= 1.3x its settled RSS.
set -u

rounds=1
records=1000000
settle=2
build_dir=
nimbusd=
keep_tmp=false
only="nimbusd nsd knot"
server_cpu=${SERVER_CPU:-1}
zone=example.com

src_dir=$(cd "$(dirname "$0")/.." && pwd)

die() {
	echo "run-memory.sh: $*" >&2
	exit 1
}

while getopts "r:n:s:b:N:S:kh" opt; do
	case $opt in
	r) rounds=$OPTARG ;;
	n) records=$OPTARG ;;
	s) settle=$OPTARG ;;
	b) build_dir=$OPTARG ;;
	N) nimbusd=$OPTARG ;;
	S) only=$OPTARG ;;
	k) keep_tmp=true ;;
	h) sed -n '2,/^set -u/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
for v in rounds records settle server_cpu; do
	case ${!v} in
	'' | *[!0-9]*) die "$v must be a whole number, got '${!v}'" ;;
	esac
done
((rounds >= 1 && rounds <= 20)) || die "rounds must be 1 to 20"
((settle <= 60)) || die "settle at most 60 s"

if [ -z "$build_dir" ]; then
	for d in "$src_dir/build-abench" "$src_dir/build-bench" "$src_dir"; do
		if [ -x "$d/src/nimbusd" ]; then
			build_dir=$d
			break
		fi
	done
fi
[ -n "$nimbusd" ] || nimbusd=${build_dir:-.}/src/nimbusd
[ -x "$nimbusd" ] || die "no nimbusd at '$nimbusd': build it or pass -N"
command -v dig >/dev/null || die "dig is not installed"

tmp=$(mktemp -d /tmp/nimbus-mem.XXXXXX) || die "mktemp failed"
server_pids=()
. "$src_dir/bench/servers.sh"
cleanup() {
	stop_all
	if $keep_tmp; then
		echo "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

servers=()
wants() { case " $only " in *" $1 "*) return 0 ;; esac; return 1; }
wants nimbusd && servers+=(nimbusd)
wants nsd && { [ -x "$nsd_bin" ] && servers+=(nsd) || echo "skipping NSD: no $nsd_bin"; }
wants knot && { [ -x "$knotd_bin" ] && servers+=(knot) || echo "skipping Knot: no $knotd_bin"; }
((${#servers[@]} > 0)) || die "no server to measure in '$only'"
declare -A addr_of=([nimbusd]=127.0.0.81 [nsd]=127.0.0.82 [knot]=127.0.0.83)

echo "machine:  $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
versions_line
"$src_dir/bench/gen-zone.sh" -z "$zone" -n "$records" >"$tmp/big.zone" || die "gen-zone.sh failed"
"$src_dir/bench/gen-zone.sh" -z "$zone" -n 10 >"$tmp/tiny.zone" || die "gen-zone.sh failed"
n_big=$(grep -vc '^\$' "$tmp/big.zone")
n_tiny=$(grep -vc '^\$' "$tmp/tiny.zone")
n=$((n_big - n_tiny))
echo "zones:    big $n_big records ($(($(stat -c %s "$tmp/big.zone") / 1024)) KiB), tiny $n_tiny; server core $server_cpu; $rounds rounds; settle ${settle} s"
echo

# largest VmHWM in KiB over the server's processes.
tree_hwm() {
	local p h max=0
	for p in $(server_tree "$1"); do
		h=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
		[ -n "$h" ] && ((h > max)) && max=$h
	done
	echo "$max"
}

# measure SERVER SIZE ROUND: start, time the first SOA answer, settle, read memory, stop.
measure() {
	local s=$1 size=$2 r=$3 mem hwm
	if ! start_auth "$s" "${addr_of[$s]}" "$zone" "$tmp/$size.zone" 300; then
		echo "  $s ($size) did not load"
		return 1
	fi
	sleep "$settle"
	if ! kill -0 "$server_pid" 2>/dev/null; then
		echo "  $s ($size) exited after loading"
		return 1
	fi
	mem=$(tree_mem "$server_pid")
	hwm=$(tree_hwm "$server_pid")
	stop_server "$server_pid"
	printf "%s\t%s\t%s\t%s\t%s\t%s\n" "$s" "$size" "$r" "$load_ms" "$mem" "$hwm" | tr ' ' '\t' >>"$tmp/mem.tsv"
	printf "%-5s %-8s %-5s %9s %10s %10s %10s\n" "$r" "$s" "$size" "$load_ms" ${mem} "$hwm"
}

printf "%-5s %-8s %-5s %9s %10s %10s %10s\n" round server zone load_ms rss_kib pss_kib hwm_kib
: >"$tmp/mem.tsv"
for ((r = 1; r <= rounds; r++)); do
	nsrv=${#servers[@]}
	for ((i = 0; i < nsrv; i++)); do
		s=${servers[(i + r - 1) % nsrv]}
		measure "$s" tiny "$r"
		measure "$s" big "$r"
	done
done

# med SERVER SIZE COLUMN (4 load_ms, 5 rss, 6 pss, 7 hwm)
med() {
	awk -F'\t' -v s="$1" -v z="$2" -v c="$3" '$1 == s && $2 == z { print $c }' "$tmp/mem.tsv" |
		sort -g | awk '{ v[NR] = $1 } END {
			if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
			else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
per_rec() {
	awk -v a="$1" -v b="$2" -v n="$n" 'BEGIN { if (a == "-" || b == "-") print "-"; else printf "%.0f", (a - b) * 1024 / n }'
}

echo
echo "medians over $rounds rounds; per record = (big - tiny) * 1024 / $n records"
printf "%-8s %10s %12s %12s %10s %10s %12s %12s\n" server load_ms rss_big_kib pss_big_kib rss_B/rec pss_B/rec rss_tiny_kib hwm_big_kib
for s in "${servers[@]}"; do
	printf "%-8s %10s %12s %12s %10s %10s %12s %12s\n" "$s" "$(med "$s" big 4)" "$(med "$s" big 5)" \
		"$(med "$s" big 6)" "$(per_rec "$(med "$s" big 5)" "$(med "$s" tiny 5)")" \
		"$(per_rec "$(med "$s" big 6)" "$(med "$s" tiny 6)")" "$(med "$s" tiny 5)" "$(med "$s" big 7)"
done
echo
# peak/settled per round (big zone), then their median.
ratio_med() {
	awk -F'\t' -v s="$1" '$1 == s && $2 == "big" && $5 > 0 { printf "%.3f\n", $7 / $5 }' "$tmp/mem.tsv" |
		sort -g | awk '{ v[NR] = $1 } END {
			if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
			else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
echo "load peak (largest VmHWM) against settled RSS (largest VmRSS), big zone, medians"
printf "%-8s %14s %14s %14s %s\n" server peak_kib settled_kib peak/settled per-round
for s in "${servers[@]}"; do
	printf "%-8s %14s %14s %14s %s\n" "$s" "$(med "$s" big 7)" "$(med "$s" big 5)" "$(ratio_med "$s")" \
		"$(awk -F'\t' -v s="$s" '$1 == s && $2 == "big" && $5 > 0 { printf "%.2f ", $7 / $5 }' "$tmp/mem.tsv")"
done
echo
wants nimbusd || exit 0
pr=$(ratio_med nimbusd)
awk -v x="$pr" 'BEGIN { exit !(x != "-" && x <= 1.3) }' && m=met || m=MISSED
echo "target nimbusd load peak <= 1.3x settled RSS: $m ($pr)"
bpr=$(per_rec "$(med nimbusd big 5)" "$(med nimbusd tiny 5)")
awk -v x="$bpr" 'BEGIN { exit !(x != "-" && x <= 200) }' && m=met || m=MISSED
echo "target nimbusd <= 200 bytes/record (RSS): $m ($bpr)"
best=
for s in nsd knot; do
	t=$(med "$s" big 4)
	[ "$t" = - ] && continue
	if [ -z "$best" ] || ((t < best)); then best=$t; fn=$s; fi
done
nl=$(med nimbusd big 4)
if [ -n "$best" ] && [ "$nl" != - ]; then
	rt=$(awk -v a="$nl" -v b="$best" 'BEGIN { printf "%.2f", a / b }')
	awk -v x="$rt" 'BEGIN { exit !(x <= 1.0) }' && m=met || m=MISSED
	echo "target nimbusd load time <= 1.0x the faster of NSD and Knot ($fn, $best ms): $m (${nl} ms, ${rt}x)"
fi
