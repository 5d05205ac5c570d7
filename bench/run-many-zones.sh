#!/bin/bash
# run-many-zones.sh - start-up and reload time with many small zones: nimbusd and NSD.
#
# usage: bench/run-many-zones.sh [-r ROUNDS] [-n ZONES] [-b BUILDDIR] [-N NIMBUSD] [-k]
#
#   -r ROUNDS    rounds (default 3); each starts nimbusd and NSD once, the
#                order alternating from round to round
#   -n ZONES     zones in the configuration (default 100000)
#   -b BUILDDIR  build tree with src/nimbusd (default ../build-abench,
#                ../build-bench, ../build)
#   -N NIMBUSD   the nimbusd binary (default BUILDDIR/src/nimbusd)
#   -k           keep the temporary directory
#
# Every zone is its own small file (SOA, NS, three A records) named
# zNNNNNN.many.test, listed in one configuration. Each server runs with one
# worker, pinned to SERVER_CPU (default 1), the configuration of servers.sh
# otherwise; NSD runs without a database file ('database: ""', it reads the
# zone files at start as nimbusd does; NSD_DATABASE=PATH gives it one).
#
# start: from starting the process until it answers SOA authoritatively for
# the last zone of the configuration (dig polled every 20 ms, deadline 300 s),
# and the CPU time (user + system over the server's processes) spent by then.
# With NSD_DATABASE=PATH the database persists from round to round: NSD's
# first start compiles it, later ones read it instead of the zone files.
# reload (nimbusd only): the configuration gets one more zone, then SIGHUP;
# the time until the new zone answers SOA, and the time between the
# "reloading" and "reloaded" log lines. Done twice, with ZONES/4 and with
# ZONES zones: a reload that costs O(1) per zone takes 4x as long with 4x
# the zones, an O(n) one per zone 16x.
# Target (issue 9, point 18): nimbusd's start <= 0.8x NSD's, same run.
set -u

rounds=3
n_zones=100000
build_dir=
nimbusd=
keep_tmp=false
server_cpu=${SERVER_CPU:-1}

src_dir=$(cd "$(dirname "$0")/.." && pwd)

die() {
	echo "run-many-zones.sh: $*" >&2
	exit 1
}

while getopts "r:n:b:N:kh" opt; do
	case $opt in
	r) rounds=$OPTARG ;;
	n) n_zones=$OPTARG ;;
	b) build_dir=$OPTARG ;;
	N) nimbusd=$OPTARG ;;
	k) keep_tmp=true ;;
	h) sed -n '2,/^set -u/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done

if [ -z "$nimbusd" ]; then
	for d in "$build_dir" "$src_dir/../build-abench" "$src_dir/../build-bench" "$src_dir/build"; do
		[ -n "$d" ] && [ -x "$d/src/nimbusd" ] && { nimbusd=$d/src/nimbusd; break; }
	done
fi
[ -n "$nimbusd" ] && [ -x "$nimbusd" ] || die "no nimbusd binary (build it, or pass -N)"
nimbusd=$(cd "$(dirname "$nimbusd")" && pwd)/$(basename "$nimbusd")

# shellcheck source=bench/servers.sh
. "$src_dir/bench/servers.sh"

tmp=$(mktemp -d /tmp/nimbus-many.XXXXXX)
server_pids=()
cleanup() {
	stop_all
	$keep_tmp || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM # so that the EXIT trap stops the servers

addr=127.0.0.$((2 + RANDOM % 200))

zone_name() {
	printf 'z%06d.many.test' "$1"
}

# gen_zones N: zone files $tmp/zones/zNNNNNN.many.test for 0 .. N (one spare
# for the reload), and the zone lists for nimbusd and NSD of the first N.
gen_zones() {
	mkdir -p "$tmp/zones"
	awk -v n="$1" -v dir="$tmp/zones" 'BEGIN {
		for (i = 0; i <= n; i++) {
			z = sprintf("z%06d.many.test", i)
			f = dir "/" z
			printf "$ORIGIN %s.\n$TTL 3600\n", z > f
			printf "@ SOA ns1 hostmaster %d 7200 3600 1209600 300\n", i + 1 > f
			printf "@ NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.2\nmail A 192.0.2.3\n" > f
			close(f)
		}
	}'
}

# nimbusd_conf DIR PORT N: a configuration with the first N zones.
nimbusd_conf() {
	{
		printf 'server:\n  listen: [ "%s@%s" ]\n  workers: 1\n  log-level: info\nzones:\n' "$addr" "$2"
		awk -v n="$3" -v dir="$tmp/zones" 'BEGIN {
			for (i = 0; i < n; i++) {
				z = sprintf("z%06d.many.test", i)
				printf "  - name: %s\n    file: %s/%s\n", z, dir, z
			}
		}'
	} >"$1/nimbusd.yaml"
}

nsd_conf() {
	cat >"$1/nsd.conf" <<-EOF
		server:
		  ip-address: $addr@$2
		  server-count: 1
		  username: ""
		  chroot: ""
		  zonesdir: "$1"
		  database: "${NSD_DATABASE-}"
		  zonelistfile: "$1/zone.list"
		  pidfile: "$1/nsd.pid"
		  xfrdfile: "$1/xfrd.state"
		  xfrdir: "$1"
		  logfile: "$1/nsd.log"
		  verbosity: 1
		  rrl-ratelimit: 0
		  minimal-responses: yes
		remote-control:
		  control-enable: no
	EOF
	awk -v n="$3" -v dir="$tmp/zones" 'BEGIN {
		for (i = 0; i < n; i++) {
			z = sprintf("z%06d.many.test", i)
			printf "zone:\n  name: %s\n  zonefile: \"%s/%s\"\n", z, dir, z
		}
	}' >>"$1/nsd.conf"
}

now_ns() { date +%s%N; }

# wait_soa ZONE PORT T0 DEADLINE_S: polls until ZONE answers; prints ms since T0.
wait_soa() {
	local now
	while :; do
		if answers_soa "$addr" "$2" "$1"; then
			echo $((($(now_ns) - $3) / 1000000))
			return 0
		fi
		now=$(now_ns)
		(((now - $3) / 1000000000 >= $4)) && return 1
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.02
	done
}

# run_start NAME N: starts NAME with N zones, sets start_ms to the ms until the
# last zone's answer, and pid/port/dir for run_reload. Not in a subshell: the
# server must be a child of this shell, with its stdout not on a pipe.
run_start() {
	local name=$1 n=$2 t0 ms
	start_ms=
	port=$(free_port) || return 1
	dir=$tmp/$name-$RANDOM
	mkdir -p "$dir"
	case $name in
	nimbusd) nimbusd_conf "$dir" "$port" "$n" ;;
	nsd) nsd_conf "$dir" "$port" "$n" ;;
	esac
	t0=$(now_ns)
	case $name in
	nimbusd) taskset -c "$server_cpu" "$nimbusd" -c "$dir/nimbusd.yaml" >/dev/null 2>"$dir/err" & ;;
	nsd) taskset -c "$server_cpu" "$nsd_bin" -d -c "$dir/nsd.conf" >/dev/null 2>"$dir/err" & ;;
	esac
	pid=$!
	server_pids+=("$pid")
	if ! ms=$(wait_soa "$(zone_name $((n - 1)))" "$port" "$t0" 300); then
		echo "  $name did not answer for the last zone:" >&2
		tail -n 3 "$dir/err" "$dir/nsd.log" 2>/dev/null | sed 's/^/    /' >&2
		stop_server "$pid"
		return 1
	fi
	start_ms=$ms
	# CPU time (user + system, every process of the server) to that answer:
	# steadier than the wall time on a machine that others share.
	start_cpu_ms=$(($(tree_ticks "$pid") * 1000 / $(getconf CLK_TCK)))
}

# run_reload N: nimbusd with N zones is running; add zone N, SIGHUP, print
# "ms_to_answer ms_logged".
run_reload() {
	local n=$1 t0 ms logged
	nimbusd_conf "$dir" "$port" $((n + 1))
	t0=$(now_ns)
	kill -HUP "$pid"
	ms=$(wait_soa "$(zone_name "$n")" "$port" "$t0" 120) || { echo "- -"; return 1; }
	# Log lines start with an ISO 8601 UTC time (util/log.c).
	logged=$(awk 'function secs(t, a) { sub(/.*T/, "", t); sub(/Z$/, "", t); split(t, a, ":"); return a[1]*3600 + a[2]*60 + a[3] }
		/reloading configuration/ { s = secs($1) }
		/configuration reloaded/ { e = secs($1) }
		END { if (s != "" && e != "") printf "%d", (e - s) * 1000; else print "-" }' "$dir/err")
	echo "$ms $logged"
}

median() {
	sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'
}

echo "$(versions_line)"
echo "generating $n_zones zones in $tmp ..."
gen_zones "$n_zones"

nim_ms=()
nsd_ms=()
nim_cpu=()
nsd_cpu=()
for ((r = 1; r <= rounds; r++)); do
	if ((r % 2)); then order="nimbusd nsd"; else order="nsd nimbusd"; fi
	for s in $order; do
		pid=
		if run_start "$s" "$n_zones"; then
			ms=$start_ms
			echo "round $r: $s start with $n_zones zones: $ms ms (cpu $start_cpu_ms ms)"
			if [ "$s" = nimbusd ]; then
				nim_ms+=("$ms")
				nim_cpu+=("$start_cpu_ms")
			else
				nsd_ms+=("$ms")
				nsd_cpu+=("$start_cpu_ms")
			fi
		fi
		[ -n "${pid:-}" ] && stop_server "$pid"
	done
done

m_nim=$(printf '%s\n' "${nim_ms[@]}" | median)
m_nsd=$(printf '%s\n' "${nsd_ms[@]}" | median)
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}
echo "median start, $n_zones zones: nimbusd $m_nim ms, nsd $m_nsd ms, ratio $(ratio "$m_nim" "$m_nsd")"
c_nim=$(printf '%s\n' "${nim_cpu[@]}" | median)
c_nsd=$(printf '%s\n' "${nsd_cpu[@]}" | median)
echo "median cpu to the last answer: nimbusd $c_nim ms, nsd $c_nsd ms, ratio $(ratio "$c_nim" "$c_nsd")"

for n in $((n_zones / 4)) "$n_zones"; do
	if run_start nimbusd "$n"; then
		read -r answer logged < <(run_reload "$n")
		echo "nimbusd reload adding one zone to $n: ${answer} ms to answer, ${logged} ms logged" \
			"($(awk -v a="$logged" -v n="$n" 'BEGIN { printf "%.2f", a * 1000 / n }') us per zone logged)"
		stop_server "$pid"
	fi
done
