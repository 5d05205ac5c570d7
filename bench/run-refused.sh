#!/bin/bash
# run-refused.sh - nimbusd's REFUSED path against the UDP reflector.
#
# usage: bench/run-refused.sh [-r ROUNDS] [-l SECONDS] [-b BUILDDIR] [-n NIMBUSD] [-k]
#
#   -r ROUNDS   rounds (default 5); each runs every generator against every server
#   -l SECONDS  length of one run (default 10)
#   -b BUILDDIR build tree holding bench/reflector, bench/loadgen and src/nimbusd
#               (default: ../build-bench, then the source tree itself)
#   -n NIMBUSD  the nimbusd binary (default: BUILDDIR/src/nimbusd)
#   -k          keep the temporary directory (configs, logs, raw outputs)
#
# Environment: CLIENT_CPU (default 0) and SERVER_CPU (default 1) are the cores
# the generators and the servers are pinned to; OUTSTANDING (200) and SOCKETS
# (4) are given to both generators.
#
# Both servers answer every query with REFUSED: the reflector by flipping two
# header fields, nimbusd because it serves no zone. The reflector's rate is
# what one core can do at all here, so nimbusd/reflector is the share of that
# ceiling nimbusd's receive-parse-answer-send path reaches. Target: at least
# 0.9 under the batching generator (bench/loadgen). dnsperf is run too, as
# the reference everyone knows, but it saturates its own core first.
#
# The machine is shared and noisy, so servers alternate within each round
# (the first server swaps every round) and only medians over rounds, within
# one invocation, are compared. Every wait is bounded; the script stops
# itself, and stops only the servers it started, by PID.
set -u

rounds=5
duration=10
build_dir=
nimbusd=
keep_tmp=false
client_cpu=${CLIENT_CPU:-0}
server_cpu=${SERVER_CPU:-1}
outstanding=${OUTSTANDING:-200}
sockets=${SOCKETS:-4}
query_timeout=1

src_dir=$(cd "$(dirname "$0")/.." && pwd)

die() {
	echo "run-refused.sh: $*" >&2
	exit 1
}

while getopts "r:l:b:n:kh" opt; do
	case $opt in
	r) rounds=$OPTARG ;;
	l) duration=$OPTARG ;;
	b) build_dir=$OPTARG ;;
	n) nimbusd=$OPTARG ;;
	k) keep_tmp=true ;;
	h) sed -n '2,/^set -u/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
for v in rounds duration client_cpu server_cpu outstanding sockets; do
	case ${!v} in
	'' | *[!0-9]*) die "$v must be a whole number, got '${!v}'" ;;
	esac
done
((rounds >= 1 && rounds <= 50)) || die "rounds must be 1 to 50"
((duration >= 1 && duration <= 300)) || die "a run lasts 1 to 300 seconds"

if [ -z "$build_dir" ]; then
	for d in "$src_dir/build-bench" "$src_dir"; do
		if [ -x "$d/bench/loadgen" ]; then
			build_dir=$d
			break
		fi
	done
fi
[ -n "$build_dir" ] || die "no bench/loadgen found: run 'make bench' in a build tree, or pass -b"
reflector=$build_dir/bench/reflector
loadgen=$build_dir/bench/loadgen
if [ ! -x "$reflector" ] || [ ! -x "$loadgen" ]; then
	die "'$build_dir' lacks bench/reflector or bench/loadgen: run 'make bench'"
fi
[ -n "$nimbusd" ] || nimbusd=$build_dir/src/nimbusd
dnsperf=$(command -v dnsperf) || dnsperf=
clk_tck=$(getconf CLK_TCK)

tmp=$(mktemp -d /tmp/nimbus-bench.XXXXXX) || die "mktemp failed"
server_pids=()
cleanup() {
	local pid
	for pid in "${server_pids[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${server_pids[@]}"; do
		wait "$pid" 2>/dev/null
	done
	if $keep_tmp; then
		echo "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- servers --------------------------------------------------------------

# A port nothing listens on (UDP or TCP) right now; a server that still loses
# the race fails to start and is retried on another port.
free_port() {
	local i port
	for ((i = 0; i < 50; i++)); do
		port=$((20000 + RANDOM % 40000))
		if [ -z "$(ss -Hln "( sport = :$port )" 2>/dev/null)" ]; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

# utime + stime of a process, all threads, in clock ticks (proc(5) fields 14, 15).
cpu_ticks() {
	local stat f
	stat=$(<"/proc/$1/stat") || return 1
	# The command name may hold spaces: split only what follows it, so
	# f[0] is field 3 (state) and fields 14 and 15 are f[11] and f[12].
	read -r -a f <<<"${stat##*) }"
	echo $((f[11] + f[12]))
}

# True once one query to $1#$2 gets any answer (the probe the reflector needs).
answers_query() {
	local out
	out=$(timeout 5 "$loadgen" -s "$1" -p "$2" -d "$tmp/probe.txt" -q 1 -c 1 -l 0.2 -t 0.5 2>/dev/null | tail -n 1)
	case $out in
	*" answered=0 "*) return 1 ;;
	*" answered="*) return 0 ;;
	esac
	return 1
}

# start_server NAME ADDRESS: starts it pinned to SERVER_CPU on a free port and
# waits until it serves. Sets server_pid and server_port; returns 1 if it does not come up.
start_server() {
	local name=$1 addr=$2 attempt i port pid
	for ((attempt = 1; attempt <= 3; attempt++)); do
		port=$(free_port) || return 1
		case $name in
		reflector)
			taskset -c "$server_cpu" "$reflector" "$addr" "$port" 2>"$tmp/$name.err" &
			pid=$!
			;;
		nimbusd)
			cat >"$tmp/nimbusd.yaml" <<-EOF
				server:
				  listen: [ "$addr@$port" ]
				  workers: 1
				  log-level: info
			EOF
			taskset -c "$server_cpu" "$nimbusd" -c "$tmp/nimbusd.yaml" 2>"$tmp/$name.err" &
			pid=$!
			;;
		esac
		# Up to 10 s: nimbusd says "ready:" on stderr, the reflector answers a probe.
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			if [ "$name" = nimbusd ]; then
				grep -q "ready:" "$tmp/$name.err" && answers_query "$addr" "$port" && break
			else
				answers_query "$addr" "$port" && break
			fi
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null && ((i < 100)); then
			server_pids+=("$pid")
			server_pid=$pid
			server_port=$port
			return 0
		fi
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		echo "  $name did not come up on $addr#$port (attempt $attempt):" >&2
		tail -n 3 "$tmp/$name.err" | sed 's/^/    /' >&2
	done
	return 1
}

# ---- one run --------------------------------------------------------------

# run_one GENERATOR SERVER ROUND: one timed run; appends a line to runs.tsv.
run_one() {
	local gen=$1 srv=$2 round=$3 addr=${addr_of[$2]} port=${port_of[$2]} pid=${pid_of[$2]}
	local out=$tmp/run-$round-$gen-$srv.out cpu0 cpu1
	local qps='' answered='' lost='' p50='' p99='' p50_us='' p99_us=''
	cpu0=$(cpu_ticks "$pid") || { echo "  $srv (pid $pid) is gone" >&2; return 1; }
	case $gen in
	loadgen)
		timeout $((duration + 20)) taskset -c "$client_cpu" "$loadgen" -s "$addr" -p "$port" \
			-d "$tmp/queries.txt" -l "$duration" -t "$query_timeout" \
			-q "$outstanding" -c "$sockets" >"$out" 2>&1
		eval "$(tail -n 1 "$out" | tr ' ' '\n' | grep -E '^(qps|answered|lost|p50_us|p99_us)=[0-9.]+$')"
		qps=${qps:-0} answered=${answered:-0} lost=${lost:-0} p50=${p50_us:--} p99=${p99_us:--}
		;;
	dnsperf)
		timeout $((duration + 20)) taskset -c "$client_cpu" "$dnsperf" -s "$addr" -p "$port" \
			-d "$tmp/queries.txt" -l "$duration" -t "$query_timeout" -e \
			-q "$outstanding" -c "$sockets" >"$out" 2>&1
		qps=$(awk '/Queries per second:/ { print $4 }' "$out")
		answered=$(awk '/Queries completed:/ { print $3 }' "$out")
		lost=$(awk '/Queries lost:/ { print $3 }' "$out")
		p50=$(awk '/Average Latency/ { printf "%.1f", $4 * 1e6 }' "$out") # dnsperf has no median
		p99=-
		qps=${qps:-0} answered=${answered:-0} lost=${lost:-0} p50=${p50:--}
		;;
	esac
	cpu1=$(cpu_ticks "$pid") || { echo "  $srv (pid $pid) died during the run" >&2; return 1; }
	local cpu_s us_per_q util
	cpu_s=$(awk -v t=$((cpu1 - cpu0)) -v hz="$clk_tck" 'BEGIN { printf "%.2f", t / hz }')
	us_per_q=$(awk -v s="$cpu_s" -v n="$answered" 'BEGIN { printf "%.3f", (n > 0 ? s * 1e6 / n : 0) }')
	util=$(awk -v s="$cpu_s" -v d="$duration" 'BEGIN { printf "%.0f", 100 * s / d }')
	printf "%-5s %-8s %-10s %10.0f %10s %8s %8s %8s %7s %6s%%\n" "$round" "$gen" "$srv" "$qps" \
		"$answered" "$lost" "$p50" "$p99" "$us_per_q" "$util"
	printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$gen" "$srv" "$qps" "$us_per_q" "$p50" "$p99" "$round" \
		>>"$tmp/runs.tsv"
}

# median GENERATOR SERVER COLUMN (3 qps, 4 us/query, 5 p50, 6 p99)
median() {
	awk -F'\t' -v g="$1" -v s="$2" -v c="$3" '$1 == g && $2 == s && $c != "-" { print $c }' \
		"$tmp/runs.tsv" | sort -g | awk '{ v[NR] = $1 } END {
			if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
			else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# paired_ratio GENERATOR COLUMN: the median over rounds of nimbusd/reflector
# within each round. Runs of one round are seconds apart, so this cancels
# slow drifts in the machine's load better than a ratio of two medians.
paired_ratio() {
	awk -F'\t' -v g="$1" -v c="$2" '$1 == g { v[$7 "," $2] = $c; r[$7] = 1 }
		END { for (k in r) if (v[k ",reflector"] > 0 && v[k ",nimbusd"] != "")
			print v[k ",nimbusd"] / v[k ",reflector"] }' "$tmp/runs.tsv" |
		sort -g | awk '{ v[NR] = $1 } END {
			if (NR == 0) print "-"; else if (NR % 2) printf "%.2f\n", v[(NR + 1) / 2];
			else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'
}

# ---- main -----------------------------------------------------------------

echo "machine:  $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), kernel $(uname -r)"
echo "versions: $(${dnsperf:-false} -h 2>&1 | awk '/^Version/ { print "dnsperf", $2 }' || true)$([ -n "$dnsperf" ] || echo "no dnsperf"), $(gcc --version 2>/dev/null | head -n 1), nimbus $(git -C "$src_dir" rev-parse --short HEAD 2>/dev/null)"
echo "setup:    generators on core $client_cpu, servers on core $server_cpu; $rounds rounds x ${duration} s;" \
	"-q $outstanding -c $sockets -t $query_timeout; build '$build_dir'"

"$src_dir/bench/gen-queries.sh" 100000 example.com >"$tmp/queries.txt" || die "gen-queries.sh failed"
echo "probe.example.com A" >"$tmp/probe.txt"

declare -A addr_of=([reflector]=127.0.0.61 [nimbusd]=127.0.0.62) port_of pid_of
servers=()
if start_server reflector "${addr_of[reflector]}"; then
	servers+=(reflector)
	pid_of[reflector]=$server_pid port_of[reflector]=$server_port
else
	die "the reflector did not start; see above"
fi
if [ ! -x "$nimbusd" ]; then
	echo "skipping nimbusd: no binary at '$nimbusd' (build it: mkdir build-bench && cd build-bench && ../configure && make)"
elif start_server nimbusd "${addr_of[nimbusd]}"; then
	servers+=(nimbusd)
	pid_of[nimbusd]=$server_pid port_of[nimbusd]=$server_port
else
	echo "skipping nimbusd: '$nimbusd' did not become ready (no 'ready:' line and answer within 10 s)"
fi
for s in "${servers[@]}"; do
	echo "server:   $s pid ${pid_of[$s]} on ${addr_of[$s]}#${port_of[$s]}"
done
gens=(loadgen)
if [ -n "$dnsperf" ]; then
	gens+=(dnsperf)
else
	echo "skipping dnsperf: not installed"
fi

echo
printf "%-5s %-8s %-10s %10s %10s %8s %8s %8s %7s %7s\n" round gen server qps answered lost \
	p50_us p99_us us/q cpu
: >"$tmp/runs.tsv"
for ((r = 1; r <= rounds; r++)); do
	order=("${servers[@]}")
	if ((r % 2 == 0 && ${#servers[@]} == 2)); then
		order=("${servers[1]}" "${servers[0]}")
	fi
	for g in "${gens[@]}"; do
		for s in "${order[@]}"; do
			if ! run_one "$g" "$s" "$r"; then
				keep_tmp=true
				die "stopping: a server died (its log is in $tmp)"
			fi
		done
	done
done

echo
echo "medians over $rounds rounds (p50 for dnsperf is its average latency):"
printf "%-8s %-10s %10s %8s %8s %8s\n" gen server qps us/q p50_us p99_us
for g in "${gens[@]}"; do
	for s in "${servers[@]}"; do
		printf "%-8s %-10s %10.0f %8s %8s %8s\n" "$g" "$s" "$(median "$g" "$s" 3)" \
			"$(median "$g" "$s" 4)" "$(median "$g" "$s" 5)" "$(median "$g" "$s" 6)"
	done
done
if ((${#servers[@]} == 2)); then
	echo
	echo "ratios nimbusd/reflector: of the medians [median of the per-round ratios]"
	for g in "${gens[@]}"; do
		echo "  $g: qps $(ratio "$(median "$g" nimbusd 3)" "$(median "$g" reflector 3)")" \
			"[$(paired_ratio "$g" 3)]," \
			"server cpu per query $(ratio "$(median "$g" nimbusd 4)" "$(median "$g" reflector 4)")" \
			"[$(paired_ratio "$g" 4)]"
	done
	q=$(ratio "$(median loadgen nimbusd 3)" "$(median loadgen reflector 3)")
	if awk -v q="$q" 'BEGIN { exit !(q != "-" && q >= 0.9) }'; then
		echo "target (nimbusd >= 0.9 x reflector qps under loadgen): met ($q)"
	else
		echo "target (nimbusd >= 0.9 x reflector qps under loadgen): MISSED ($q, need 0.90)"
	fi
fi
