#!/bin/sh
# Signs the DNSSEC example zones into OUTDIR (default: the directory of this
# script), with inception = now - 1 day so that a clock slightly behind never
# sees a signature from the future.
#   zones/sign.sh [--years N] [OUTDIR]
# Expiration is now + 30 days by default, which tests that sign at start want
# (they never see a stale signature, and an old copy cannot pass for a new
# one). The copies committed in zones/ are signed with --years 25, so the
# quick start serves valid signatures for decades: RRSIG times are 32-bit
# serial numbers (RFC 4034 §3.1.5), good until 2106, and nothing limits the
# length of a validity period.
# example-nsec.test:  NSEC.
# example-nsec3.test: NSEC3, SHA-1, 0 extra iterations, no salt (RFC 9276),
#                     opt-out (RFC 5155 §6) so "insecure" has no NSEC3 of its own.
# Needs ldns-signzone (Debian package ldnsutils). The keys in keys/ are test
# keys, published on purpose: never use them for anything real.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
years=
if [ "${1:-}" = --years ]; then
	years=${2:?--years needs a number}
	case $years in *[!0-9]* | '') echo "$0: --years takes a whole number" >&2; exit 2 ;; esac
	shift 2
fi
out=${1:-$here}
mkdir -p "$out"
command -v ldns-signzone >/dev/null || { echo "$0: ldns-signzone not found (install ldnsutils)" >&2; exit 1; }
now=$(date -u +%s)
incep=$((now - 86400))
if [ -n "$years" ]; then
	expir=$(date -u -d "$(date -u -d "@$now" "+%Y-%m-%d %H:%M:%S") UTC + $years years" +%s)
else
	expir=$((now + 30 * 86400))
fi

sign() { # zone extra-options...
	zone=$1
	shift
	keys=$(ls "$here/keys/K$zone.+"*.private | sed 's/\.private$//')
	# shellcheck disable=SC2086
	ldns-signzone "$@" -i "$incep" -e "$expir" -o "$zone." -f "$out/$zone.zone.tmp" \
		"$here/$zone.zone.in" $keys
	mv "$out/$zone.zone.tmp" "$out/$zone.zone"
}

sign example-nsec.test
sign example-nsec3.test -n -a 1 -t 0 -s "" -p
