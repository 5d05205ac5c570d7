#!/bin/bash
# gen-zone.sh - writes a generated authoritative zone, and optionally a
# matching query file, for the throughput and memory benchmarks.
#
# usage: bench/gen-zone.sh [-z ZONE] [-n RECORDS] [-q QUERYFILE] [-c QUERIES] > ZONEFILE
#
#   -z ZONE      apex (default example.com)
#   -n RECORDS   about this many resource records (default 100000; the
#                output stops at the first name that reaches the count)
#   -q FILE      also write a dnsperf query file ("NAME TYPE" lines)
#   -c QUERIES   lines in that file (default 100000)
#
# Names cycle through ten kinds, each with realistic labels (www-1a2b3c,
# mail-..., sub-... and so on, 10-13 octets plus the apex):
#   www  A + AAAA            mail  A + MX (to itself)    api  A + A
#   cdn  CNAME -> www-...    app   A + AAAA              vpn  TXT (SPF-like)
#   db   A                   sub   delegation: 2 NS + 2 glue A
#   shop A + TXT             blog  AAAA
# plus SOA, apex NS with glue, apex MX and TXT, and a wildcard *.wild (A, TXT).
# About 1.7 records per name.
#
# The query mix (the same on every run: a fixed stride over the names):
#   60 % existing names: www A, www AAAA, mail MX, api A, cdn A (CNAME to an
#        in-zone A), vpn TXT
#   10 % NXDOMAIN (nx-... A)        10 % NODATA (db-... AAAA)
#   10 % wildcard (x-....wild A)    10 % referral (www.sub-... A)
set -eu
zone=example.com
records=100000
qfile=
queries=100000
while getopts "z:n:q:c:h" opt; do
	case $opt in
	z) zone=${OPTARG%.} ;;
	n) records=$OPTARG ;;
	q) qfile=$OPTARG ;;
	c) queries=$OPTARG ;;
	h) sed -n '2,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
for v in records queries; do
	case ${!v} in
	'' | *[!0-9]*) echo "gen-zone.sh: $v must be a whole number" >&2; exit 2 ;;
	esac
done

awk -v zone="$zone" -v want="$records" -v qfile="$qfile" -v nq="$queries" 'BEGIN {
	split("www mail api cdn app vpn db sub shop blog", kind, " ")
	z = zone "."
	print "$ORIGIN " z
	print "$TTL 3600"
	print "@ IN SOA ns1." z " hostmaster." z " 2026112501 7200 3600 1209600 3600"
	print "@ IN NS ns1." z
	print "@ IN NS ns2." z
	print "@ IN MX 10 mail-0." z
	print "@ IN TXT \"v=spf1 mx -all\""
	print "ns1 IN A 192.0.2.1"
	print "ns2 IN A 192.0.2.2"
	print "*.wild IN A 192.0.2.80"
	print "*.wild IN TXT \"wildcard\""
	n = 9
	for (i = 0; n < want; i++) {
		k = i % 10
		name = sprintf("%s-%06x", kind[k + 1], i)
		a = sprintf("10.%d.%d.%d", int(i / 65536) % 256, int(i / 256) % 256, i % 256)
		a6 = sprintf("2001:db8:%x:%x::%x", int(i / 65536), i % 65536, k + 1)
		if (k == 0) { print name " IN A " a; print name " IN AAAA " a6; n += 2 }
		else if (k == 1) { print name " IN A " a; print name " IN MX 10 " name; n += 2 }
		else if (k == 2) { print name " IN A " a; print name " IN A 172.16." (i % 256) "." int(i / 256) % 256; n += 2 }
		else if (k == 3) { printf "%s IN CNAME www-%06x\n", name, i - 3; n++ }
		else if (k == 4) { print name " IN A " a; print name " IN AAAA " a6; n += 2 }
		else if (k == 5) { print name " IN TXT \"v=spf1 ip4:" a " include:_spf.example.net ~all\""; n++ }
		else if (k == 6) { print name " IN A " a; n++ }
		else if (k == 7) {
			print name " IN NS ns1." name; print name " IN NS ns2." name
			print "ns1." name " IN A " a; print "ns2." name " IN A 172.17." (i % 256) "." int(i / 256) % 256
			n += 4
		}
		else if (k == 8) { print name " IN A " a; print name " IN TXT \"shop " i "\""; n += 2 }
		else { print name " IN AAAA " a6; n++ }
	}
	names = i
	if (qfile == "")
		exit
	# A stride coprime with the name count visits names spread over the zone.
	groups = int(names / 10)
	if (groups < 1) groups = 1
	for (j = 0; j < nq; j++) {
		g = (j * 7919) % groups
		c = j % 20
		if (c < 2)       printf "www-%06x.%s A\n", g * 10, z > qfile
		else if (c < 4)  printf "www-%06x.%s AAAA\n", g * 10, z > qfile
		else if (c < 6)  printf "mail-%06x.%s MX\n", g * 10 + 1, z > qfile
		else if (c < 8)  printf "api-%06x.%s A\n", g * 10 + 2, z > qfile
		else if (c < 10) printf "cdn-%06x.%s A\n", g * 10 + 3, z > qfile
		else if (c < 12) printf "vpn-%06x.%s TXT\n", g * 10 + 5, z > qfile
		else if (c < 14) printf "nx-%06x.%s A\n", g, z > qfile
		else if (c < 16) printf "db-%06x.%s AAAA\n", g * 10 + 6, z > qfile
		else if (c < 18) printf "x-%06x.wild.%s A\n", g, z > qfile
		else             printf "www.sub-%06x.%s A\n", g * 10 + 7, z > qfile
	}
}'
