#!/bin/bash
# run-auth.sh - authoritative throughput: nimbusd against NSD and Knot DNS.
#
# usage: bench/run-auth.sh [-r ROUNDS] [-l SECONDS] [-n RECORDS] [-v VARIANTS]
#                          [-b BUILDDIR] [-N NIMBUSD] [-P] [-k]
#
#   -r ROUNDS    rounds per variant (default 3); each runs every generator
#                against every server, the server order rotating per round
#   -l SECONDS   length of one run (default 5)
#   -n RECORDS   records in the generated zone (default 100000)
#   -v VARIANTS  space-separated, from: plain (unsigned zone, EDNS without DO),
#                nsec (NSEC-signed, EDNS without DO), nsec-do (NSEC-signed, DO),
#                nsec3-do (NSEC3-signed, DO) (default "nsec nsec-do nsec3-do")
#   -b BUILDDIR  build tree with bench/loadgen and src/nimbusd
#                (default: ../build-abench, ../build-bench, the source tree)
#   -N NIMBUSD   the nimbusd binary (default BUILDDIR/src/nimbusd)
#   -P           after the rounds of each variant, profile nimbusd with
#                `perf record -g` during one more loadgen run; prints its
#                hottest symbols (needs perf; with -k the data is kept)
#   -k           keep the temporary directory
#
# Environment: CLIENT_CPU (0) and SERVER_CPU (1) are the generator and server
# cores; OUTSTANDING (200) and SOCKETS (4) go to both generators; NSD and
# KNOTD override /usr/sbin/nsd and /usr/sbin/knotd.
#
# Zone and queries come from gen-zone.sh (A, AAAA, MX, TXT, CNAME, delegations
# with glue, a wildcard; queries 60 % existing names, 10 % each NXDOMAIN,
# NODATA, wildcard, referral). The signed variants are signed by
# ldns-signzone with ECDSA P-256 keys made here (NSEC3: 0 iterations, no salt,
# no opt-out). Each server gets its own config, address and port, one worker,
# no response rate limiting (see servers.sh). Each variant starts the three
# servers afresh. Per run: QPS and answered from the generator, server CPU
# (utime+stime of all its processes, /proc/PID/stat) divided by answers.
# Medians over rounds, ratios nimbusd/Knot and nimbusd/NSD, of medians and
# [median of per-round ratios]. Targets: nimbusd >= 1.2x Knot's QPS and
# <= 0.85x Knot's CPU per query. About 6 x ROUNDS x SECONDS of load per
# variant (270 s by default).
set -u

rounds=3
duration=5
records=100000
variants="nsec nsec-do nsec3-do"
build_dir=
nimbusd=
profile=false
keep_tmp=false
client_cpu=${CLIENT_CPU:-0}
server_cpu=${SERVER_CPU:-1}
outstanding=${OUTSTANDING:-200}
sockets=${SOCKETS:-4}
query_timeout=1
zone=example.com

src_dir=$(cd "$(dirname "$0")/.." && pwd)

die() {
	echo "run-auth.sh: $*" >&2
	exit 1
}

while getopts "r:l:n:v:b:N:Pkh" opt; do
	case $opt in
	r) rounds=$OPTARG ;;
	l) duration=$OPTARG ;;
	n) records=$OPTARG ;;
	v) variants=$OPTARG ;;
	b) build_dir=$OPTARG ;;
	N) nimbusd=$OPTARG ;;
	P) profile=true ;;
	k) keep_tmp=true ;;
	h) sed -n '2,/^set -u/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
for v in rounds duration records client_cpu server_cpu outstanding sockets; do
	case ${!v} in
	'' | *[!0-9]*) die "$v must be a whole number, got '${!v}'" ;;
	esac
done
((rounds >= 1 && rounds <= 50)) || die "rounds must be 1 to 50"
((duration >= 1 && duration <= 300)) || die "a run lasts 1 to 300 seconds"
for v in $variants; do
	case $v in
	plain | nsec | nsec-do | nsec3-do) ;;
	*) die "unknown variant '$v'" ;;
	esac
done

if [ -z "$build_dir" ]; then
	for d in "$src_dir/build-abench" "$src_dir/build-bench" "$src_dir"; do
		if [ -x "$d/bench/loadgen" ]; then
			build_dir=$d
			break
		fi
	done
fi
[ -n "$build_dir" ] && [ -x "$build_dir/bench/loadgen" ] ||
	die "no bench/loadgen found: run 'make bench' in a build tree, or pass -b"
loadgen=$build_dir/bench/loadgen
[ -n "$nimbusd" ] || nimbusd=$build_dir/src/nimbusd
[ -x "$nimbusd" ] || die "no nimbusd at '$nimbusd'"
for t in dig ldns-keygen ldns-signzone; do
	command -v "$t" >/dev/null || die "$t is not installed"
done
dnsperf=$(command -v dnsperf) || dnsperf=
clk_tck=$(getconf CLK_TCK)

tmp=$(mktemp -d /tmp/nimbus-auth.XXXXXX) || die "mktemp failed"
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

servers=(nimbusd)
[ -x "$nsd_bin" ] && servers+=(nsd) || echo "skipping NSD: no $nsd_bin"
[ -x "$knotd_bin" ] && servers+=(knot) || echo "skipping Knot: no $knotd_bin"
declare -A addr_of=([nimbusd]=127.0.0.71 [nsd]=127.0.0.72 [knot]=127.0.0.73) port_of pid_of
gens=(loadgen)
[ -n "$dnsperf" ] && gens+=(dnsperf) || echo "skipping dnsperf: not installed"

# ---- one run --------------------------------------------------------------

# run_one VARIANT GENERATOR SERVER ROUND: appends a line to runs.tsv.
run_one() {
	local var=$1 gen=$2 srv=$3 round=$4 addr=${addr_of[$3]} port=${port_of[$3]} pid=${pid_of[$3]}
	local out=$tmp/run-$var-$round-$gen-$srv.out cpu0 cpu1 do_lg=() do_dp=()
	local qps='' answered='' lost='' p50_us='' p99_us=''
	case $var in
	*-do) do_lg=(-D) do_dp=(-D) ;;
	esac
	kill -0 "$pid" 2>/dev/null || { echo "  $srv (pid $pid) is gone" >&2; return 1; }
	cpu0=$(tree_ticks "$pid")
	case $gen in
	loadgen)
		timeout $((duration + 20)) taskset -c "$client_cpu" "$loadgen" -s "$addr" -p "$port" \
			-d "$tmp/queries.txt" -l "$duration" -t "$query_timeout" \
			-q "$outstanding" -c "$sockets" "${do_lg[@]}" >"$out" 2>&1
		eval "$(tail -n 1 "$out" | tr ' ' '\n' | grep -E '^(qps|answered|lost|p50_us|p99_us)=[0-9.]+$')"
		;;
	dnsperf)
		timeout $((duration + 20)) taskset -c "$client_cpu" "$dnsperf" -s "$addr" -p "$port" \
			-d "$tmp/queries.txt" -l "$duration" -t "$query_timeout" -e "${do_dp[@]}" \
			-q "$outstanding" -c "$sockets" >"$out" 2>&1
		qps=$(awk '/Queries per second:/ { print $4 }' "$out")
		answered=$(awk '/Queries completed:/ { print $3 }' "$out")
		lost=$(awk '/Queries lost:/ { print $3 }' "$out")
		p50_us=$(awk '/Average Latency/ { printf "%.1f", $4 * 1e6 }' "$out")
		;;
	esac
	kill -0 "$pid" 2>/dev/null || { echo "  $srv (pid $pid) died during the run" >&2; return 1; }
	cpu1=$(tree_ticks "$pid")
	qps=${qps:-0} answered=${answered:-0} lost=${lost:-0} p50_us=${p50_us:--} p99_us=${p99_us:--}
	local cpu_s us_per_q util
	cpu_s=$(awk -v t=$((cpu1 - cpu0)) -v hz="$clk_tck" 'BEGIN { printf "%.2f", t / hz }')
	us_per_q=$(awk -v s="$cpu_s" -v n="$answered" 'BEGIN { printf "%.3f", (n > 0 ? s * 1e6 / n : 0) }')
	util=$(awk -v s="$cpu_s" -v d="$duration" 'BEGIN { printf "%.0f", 100 * s / d }')
	printf "%-9s %-5s %-8s %-8s %10.0f %10s %8s %8s %8s %7s %5s%%\n" "$var" "$round" "$gen" "$srv" \
		"$qps" "$answered" "$lost" "$p50_us" "$p99_us" "$us_per_q" "$util"
	printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$var" "$gen" "$srv" "$qps" "$us_per_q" "$p50_us" \
		"$p99_us" "$round" >>"$tmp/runs.tsv"
}

# median VARIANT GENERATOR SERVER COLUMN (4 qps, 5 us/query, 6 p50, 7 p99)
median() {
	awk -F'\t' -v V="$1" -v g="$2" -v s="$3" -v c="$4" \
		'$1 == V && $2 == g && $3 == s && $c != "-" { print $c }' "$tmp/runs.tsv" |
		sort -g | awk '{ v[NR] = $1 } END {
			if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
			else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# paired_ratio VARIANT GENERATOR OTHER COLUMN: median over rounds of nimbusd/OTHER.
paired_ratio() {
	awk -F'\t' -v V="$1" -v g="$2" -v o="$3" -v c="$4" '$1 == V && $2 == g { v[$8 "," $3] = $c; r[$8] = 1 }
		END { for (k in r) if (v[k "," o] > 0 && v[k ",nimbusd"] != "")
			print v[k ",nimbusd"] / v[k "," o] }' "$tmp/runs.tsv" |
		sort -g | awk '{ v[NR] = $1 } END {
			if (NR == 0) print "-"; else if (NR % 2) printf "%.2f\n", v[(NR + 1) / 2];
			else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'
}

# profile_nimbusd VARIANT: perf record -g on nimbusd during one loadgen run.
profile_nimbusd() {
	local var=$1 pid=${pid_of[nimbusd]} data=$tmp/perf-$1.data do_lg=()
	case $var in
	*-do) do_lg=(-D) ;;
	esac
	command -v perf >/dev/null || { echo "  no perf: skipping the profile"; return 0; }
	timeout $((duration + 30)) perf record -q -F 1999 -g -p "$pid" -o "$data" -- sleep "$duration" \
		>"$tmp/perf-$var.err" 2>&1 &
	local perf_pid=$!
	sleep 0.3
	timeout $((duration + 20)) taskset -c "$client_cpu" "$loadgen" -s "${addr_of[nimbusd]}" \
		-p "${port_of[nimbusd]}" -d "$tmp/queries.txt" -l "$duration" -t "$query_timeout" \
		-q "$outstanding" -c "$sockets" "${do_lg[@]}" >"$tmp/perf-$var.loadgen" 2>&1
	wait "$perf_pid"
	echo "profile of nimbusd, $var (perf report --no-children, top symbols; $(tail -n 1 "$tmp/perf-$var.loadgen" | grep -oE 'qps=[0-9.]+')):"
	timeout 120 perf report -i "$data" --no-children --sort dso,sym --stdio -g none 2>/dev/null |
		grep -E '^ +[0-9]' | head -n 25 | sed 's/^/    /'
	echo "  nimbusd's own code only:"
	timeout 120 perf report -i "$data" --no-children --sort sym --dsos nimbusd --stdio -g none 2>/dev/null |
		grep -E '^ +[0-9]' | head -n 12 | sed 's/^/    /'
}

# ---- main -----------------------------------------------------------------

echo "machine:  $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
versions_line
echo "setup:    generators on core $client_cpu, servers on core $server_cpu; $rounds rounds x ${duration} s;" \
	"-q $outstanding -c $sockets -t $query_timeout; $records records; build '$build_dir'"

"$src_dir/bench/gen-zone.sh" -z "$zone" -n "$records" -q "$tmp/queries.txt" -c 100000 \
	>"$tmp/zone.plain" || die "gen-zone.sh failed"
case " $variants " in
*" nsec"*)
	(cd "$tmp" && ldns-keygen -a ECDSAP256SHA256 "$zone" >zsk && ldns-keygen -k -a ECDSAP256SHA256 "$zone" >ksk) ||
		die "ldns-keygen failed"
	;;
esac
for v in $variants; do
	case $v in
	nsec | nsec-do)
		[ -s "$tmp/zone.nsec" ] && continue
		t0=$(date +%s)
		timeout 600 ldns-signzone -f "$tmp/zone.nsec" "$tmp/zone.plain" "$tmp/$(<"$tmp/zsk")" "$tmp/$(<"$tmp/ksk")" ||
			die "ldns-signzone (NSEC) failed"
		echo "signed:   NSEC, $(grep -vc '^;' "$tmp/zone.nsec") records, $(($(date +%s) - t0)) s"
		;;
	nsec3-do)
		t0=$(date +%s)
		timeout 600 ldns-signzone -n -t 0 -f "$tmp/zone.nsec3" "$tmp/zone.plain" "$tmp/$(<"$tmp/zsk")" "$tmp/$(<"$tmp/ksk")" ||
			die "ldns-signzone (NSEC3) failed"
		echo "signed:   NSEC3, $(grep -vc '^;' "$tmp/zone.nsec3") records, $(($(date +%s) - t0)) s"
		;;
	esac
done

echo
printf "%-9s %-5s %-8s %-8s %10s %10s %8s %8s %8s %7s %6s\n" variant round gen server qps answered \
	lost p50_us p99_us us/q cpu
: >"$tmp/runs.tsv"
for var in $variants; do
	case $var in
	plain) zf=$tmp/zone.plain ;;
	nsec | nsec-do) zf=$tmp/zone.nsec ;;
	nsec3-do) zf=$tmp/zone.nsec3 ;;
	esac
	up=()
	for s in "${servers[@]}"; do
		if start_auth "$s" "${addr_of[$s]}" "$zone" "$zf" 120; then
			pid_of[$s]=$server_pid port_of[$s]=$server_port
			up+=("$s")
		else
			echo "  $s: not up for $var, skipped"
		fi
	done
	for ((r = 1; r <= rounds; r++)); do
		n=${#up[@]} order=()
		for ((i = 0; i < n; i++)); do
			order+=("${up[(i + r - 1) % n]}")
		done
		for g in "${gens[@]}"; do
			for s in "${order[@]}"; do
				run_one "$var" "$g" "$s" "$r" || { keep_tmp=true; die "stopping: a server died (logs in $tmp)"; }
			done
		done
	done
	if $profile; then
		profile_nimbusd "$var"
	fi
	for s in "${up[@]}"; do
		stop_server "${pid_of[$s]}"
	done
done

echo
echo "medians over $rounds rounds (p50 for dnsperf is its average latency):"
printf "%-9s %-8s %-8s %10s %8s %8s %8s\n" variant gen server qps us/q p50_us p99_us
for var in $variants; do
	for g in "${gens[@]}"; do
		for s in "${servers[@]}"; do
			printf "%-9s %-8s %-8s %10.0f %8s %8s %8s\n" "$var" "$g" "$s" "$(median "$var" "$g" "$s" 4)" \
				"$(median "$var" "$g" "$s" 5)" "$(median "$var" "$g" "$s" 6)" "$(median "$var" "$g" "$s" 7)"
		done
	done
done
echo
echo "ratios: of the medians [median of the per-round ratios]"
printf "%-9s %-8s %-16s %-16s %-16s %-16s\n" variant gen "qps nimbusd/knot" "cpu/q n/knot" "qps nimbusd/nsd" "cpu/q n/nsd"
for var in $variants; do
	for g in "${gens[@]}"; do
		row=()
		for o in knot nsd; do
			row+=("$(ratio "$(median "$var" "$g" nimbusd 4)" "$(median "$var" "$g" "$o" 4)") [$(paired_ratio "$var" "$g" "$o" 4)]")
			row+=("$(ratio "$(median "$var" "$g" nimbusd 5)" "$(median "$var" "$g" "$o" 5)") [$(paired_ratio "$var" "$g" "$o" 5)]")
		done
		printf "%-9s %-8s %-16s %-16s %-16s %-16s\n" "$var" "$g" "${row[@]}"
	done
done
echo
echo "targets (loadgen, ratio of medians): nimbusd >= 1.2x Knot qps, <= 0.85x Knot cpu/query"
for var in $variants; do
	q=$(ratio "$(median "$var" loadgen nimbusd 4)" "$(median "$var" loadgen knot 4)")
	c=$(ratio "$(median "$var" loadgen nimbusd 5)" "$(median "$var" loadgen knot 5)")
	qm=$(awk -v x="$q" 'BEGIN { print (x != "-" && x >= 1.2) ? "met" : "MISSED" }')
	cm=$(awk -v x="$c" 'BEGIN { print (x != "-" && x <= 0.85) ? "met" : "MISSED" }')
	echo "  $var: qps $q ($qm), cpu/query $c ($cm)"
done
