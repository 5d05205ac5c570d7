# servers.sh - sourced by run-auth.sh and run-memory.sh: starts nimbusd, NSD
# and Knot on one zone, each with its own config in a temp dir, one worker,
# response rate limiting off; tells when one answers SOA; reads CPU time and
# memory over a server's processes; stops them by PID, with bounded waits.
#
# The caller sets: tmp (temp dir), nimbusd (binary), server_cpu (core),
# and an array server_pids=() that its EXIT trap hands to stop_all.

nsd_bin=${NSD:-/usr/sbin/nsd}
knotd_bin=${KNOTD:-/usr/sbin/knotd}

# A port nothing listens on (UDP or TCP) right now.
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

# The PIDs of a server: the one we started and its children (NSD forks a
# server process and xfrd; nimbusd and Knot are one process with threads).
server_tree() {
	local pid=$1 kid
	echo "$pid"
	for kid in $(pgrep -P "$pid" 2>/dev/null); do
		server_tree "$kid"
	done
}

# utime + stime in clock ticks over every process of the server (proc(5) 14, 15).
tree_ticks() {
	local p stat f sum=0
	for p in $(server_tree "$1"); do
		stat=$(<"/proc/$p/stat") 2>/dev/null || continue
		read -r -a f <<<"${stat##*) }"
		sum=$((sum + f[11] + f[12]))
	done
	echo "$sum"
}

# VmRSS in KiB of one process.
rss_kib() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

# largest VmRSS over the server's processes, and the sum of their Pss (KiB):
# "RSS PSS". For NSD the children share the parent's pages, so the sum of RSS
# would count the zone several times; Pss splits shared pages fairly.
tree_mem() {
	local p r max=0 pss=0 x
	for p in $(server_tree "$1"); do
		r=$(rss_kib "$p")
		[ -n "$r" ] && ((r > max)) && max=$r
		x=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null)
		[ -n "$x" ] && pss=$((pss + x))
	done
	echo "$max $pss"
}

# True if ADDRESS PORT ZONE answers SOA authoritatively (NOERROR, aa).
answers_soa() {
	local out
	out=$(timeout 3 dig +norec +time=1 +tries=1 -p "$2" "@$1" "$3" SOA 2>/dev/null) || return 1
	case $out in
	*"status: NOERROR"*) ;;
	*) return 1 ;;
	esac
	case $out in
	*"flags: qr aa"*) return 0 ;;
	esac
	return 1
}

# start_auth NAME ADDRESS ZONE ZONEFILE DEADLINE_S: starts NAME (nimbusd, nsd or
# knot) pinned to server_cpu on a free port, and polls every 20 ms until it
# answers SOA, at most DEADLINE_S seconds. Sets server_pid, server_port and
# load_ms (start to first SOA answer). Returns 1 if it does not come up.
start_auth() {
	local name=$1 addr=$2 zone=$3 zonefile=$4 deadline=${5:-60}
	local attempt port pid dir t0 t1 now p
	for ((attempt = 1; attempt <= 3; attempt++)); do
		port=$(free_port) || return 1
		dir=$tmp/$name-$attempt-$RANDOM
		rm -rf "$dir"
		mkdir -p "$dir"
		case $name in
		nimbusd)
			cat >"$dir/nimbusd.yaml" <<-EOF
				server:
				  listen: [ "$addr@$port" ]
				  workers: 1
				  log-level: info
				zones:
				  - name: $zone
				    file: $zonefile
			EOF
			;;
		nsd)
			# Debian's NSD rate-limits to 200 qps per source unless
			# rrl-ratelimit is 0. It compiles the zone into its database
			# (nsd.db, fresh here) at every start; NSD_DATABASE= (empty) runs it
			# without one (zone files only, 'database: ""'). minimal-responses makes its
			# answers the same as nimbusd's and Knot's (no apex NS and glue
			# added to every positive answer).
			cat >"$dir/nsd.conf" <<-EOF
				server:
				  ip-address: $addr@$port
				  server-count: 1
				  username: ""
				  chroot: ""
				  zonesdir: "$dir"
				  database: "${NSD_DATABASE-$dir/nsd.db}"
				  zonelistfile: "$dir/zone.list"
				  pidfile: "$dir/nsd.pid"
				  xfrdfile: "$dir/xfrd.state"
				  xfrdir: "$dir"
				  logfile: "$dir/nsd.log"
				  verbosity: 1
				  rrl-ratelimit: 0
				  rrl-whitelist-ratelimit: 0
				  minimal-responses: yes
				remote-control:
				  control-enable: no
				zone:
				  name: $zone
				  zonefile: "$zonefile"
			EOF
			;;
		knot)
			# No mod-rrl: Knot limits nothing unless the module is configured.
			cat >"$dir/knot.conf" <<-EOF
				server:
				  rundir: "$dir"
				  listen: $addr@$port
				  udp-workers: 1
				  tcp-workers: 1
				  background-workers: 1
				log:
				  - target: stderr
				    any: warning
				database:
				  storage: "$dir/db"
				template:
				  - id: default
				    storage: "$dir"
				    zonefile-sync: -1
				    zonefile-load: whole
				    journal-content: none
				    semantic-checks: off
				zone:
				  - domain: $zone
				    file: "$zonefile"
			EOF
			;;
		*) return 1 ;;
		esac
		t0=$(date +%s%N)
		case $name in
		nimbusd) taskset -c "$server_cpu" "$nimbusd" -c "$dir/nimbusd.yaml" 2>"$dir/err" & ;;
		nsd) taskset -c "$server_cpu" "$nsd_bin" -d -c "$dir/nsd.conf" 2>"$dir/err" & ;;
		knot) taskset -c "$server_cpu" "$knotd_bin" -c "$dir/knot.conf" 2>"$dir/err" & ;;
		esac
		pid=$!
		server_pids+=("$pid")
		t1=
		while :; do
			kill -0 "$pid" 2>/dev/null || break
			if answers_soa "$addr" "$port" "$zone"; then
				t1=$(date +%s%N)
				break
			fi
			now=$(date +%s%N)
			(((now - t0) / 1000000000 >= deadline)) && break
			sleep 0.02
		done
		if [ -n "$t1" ]; then
			# Knot pins its worker threads to CPUs 0, 1, ... itself: put every
			# thread of every process back on the server core.
			for p in $(server_tree "$pid"); do
				taskset -a -p -c "$server_cpu" "$p" >/dev/null 2>&1
			done
			server_pid=$pid
			server_port=$port
			load_ms=$(((t1 - t0) / 1000000))
			return 0
		fi
		stop_server "$pid"
		echo "  $name did not answer SOA on $addr#$port within ${deadline}s (attempt $attempt):" >&2
		tail -n 3 "$dir/err" "$dir/nsd.log" 2>/dev/null | sed 's/^/    /' >&2
	done
	return 1
}

# stop_server PID: TERM, wait up to 10 s, then KILL; NSD's children too.
stop_server() {
	local pid=$1 kids i
	kids=$(server_tree "$pid" | tail -n +2)
	kill "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" $kids 2>/dev/null
	wait "$pid" 2>/dev/null
	local p
	for p in "${!server_pids[@]}"; do
		[ "${server_pids[$p]}" = "$pid" ] && unset "server_pids[$p]"
	done
	return 0
}

stop_all() {
	local pid
	for pid in "${server_pids[@]}"; do
		stop_server "$pid"
	done
}

versions_line() {
	echo "versions: $($nsd_bin -v 2>&1 | head -n 1), $($knotd_bin --version 2>&1 | head -n 1)," \
		"$(dnsperf -h 2>&1 | awk '/^Version/ { print "dnsperf", $2 }')," \
		"$(ldns-signzone -v 2>&1 | head -n 1)," \
		"$(gcc --version 2>/dev/null | head -n 1), nimbus $(git -C "$src_dir" rev-parse --short HEAD 2>/dev/null)"
}
