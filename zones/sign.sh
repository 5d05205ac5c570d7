#!/bin/sh
# Signs the DNSSEC example zones into OUTDIR (default: the directory of this
# script), with inception = now - 1 day and expiration = now + 30 days, so a
# test that signs at start never sees a stale signature.
#   zones/sign.sh [OUTDIR]
# example-nsec.test:  NSEC.
# example-nsec3.test: NSEC3, SHA-1, 0 extra iterations, no salt (RFC 9276),
#                     opt-out (RFC 5155 §6) so "insecure" has no NSEC3 of its own.
# Needs ldns-signzone (Debian package ldnsutils). The keys in keys/ are test
# keys, published on purpose: never use them for anything real.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
mkdir -p "$out"
command -v ldns-signzone >/dev/null || { echo "$0: ldns-signzone not found (install ldnsutils)" >&2; exit 1; }
now=$(date -u +%s)
incep=$((now - 86400))
expir=$((now + 30 * 86400))

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
