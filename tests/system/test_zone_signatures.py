"""The signed example zones in zones/ carry signatures a validator accepts today
and for at least five more years.

The quick start serves the committed zones/*.zone files as they are; an expired
RRSIG there would make every validating resolver pointed at it answer
SERVFAIL. For each zone the quick start (conf/nimbusd.yaml) serves that has RRSIGs: every RRSIG's inception
is in the past, its expiration at least five years after the day the test
runs (RRSIG times are 32-bit serial numbers, read against now as RFC 4034
§3.1.5 says), and every signature verifies (dnspython with python3-cryptography)
against the zone's apex DNSKEY RRset. Re-sign with `zones/sign.sh --years 25 zones/`.

ldns-verify-zone is not the oracle here: ldns 1.8 compares RRSIG times as
signed 32-bit numbers and rejects every expiration after 2038-01-19, which a
validity of more than eleven years from now needs.
"""

import os
import re
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean when run by hand
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nimtest import TOP_SRCDIR, Checker  # noqa: E402

import dns.dnssec  # noqa: E402
import dns.name  # noqa: E402
import dns.rdataclass  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.rrset  # noqa: E402
import dns.zone  # noqa: E402

MIN_REMAINING = 5 * 365 * 86400  # five years, leap days aside
SERIAL_HALF = 1 << 31


def serial_to_time(value, now):
    """The absolute time of a 32-bit RRSIG time field closest to now (RFC 4034 §3.1.5)."""
    base = now - (now % (1 << 32))
    candidates = [base - (1 << 32) + value, base + value, base + (1 << 32) + value]
    return min(candidates, key=lambda t: abs(t - now))


def quick_start_zones():
    """(zone name, file path) of every zone conf/nimbusd.yaml serves, in order."""
    with open(os.path.join(TOP_SRCDIR, "conf", "nimbusd.yaml"), encoding="utf-8") as f:
        text = f.read()
    pairs = re.findall(r"^\s*-\s*name:\s*(\S+)[^\n]*\n\s*file:\s*(\S+)", text, re.M)
    return [(name, os.path.join(TOP_SRCDIR, path)) for name, path in pairs]


def signed_rrsets(zone):
    """(rrset, its RRSIGs as an rrset) for every RRset of the zone that has RRSIGs."""
    for owner, node in zone.nodes.items():
        for rdataset in node.rdatasets:
            if rdataset.rdtype == dns.rdatatype.RRSIG:
                continue
            sigs = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.RRSIG, rdataset.rdtype)
            if sigs:
                yield (dns.rrset.from_rdata_list(owner, rdataset.ttl, list(rdataset)),
                       dns.rrset.from_rdata_list(owner, sigs.ttl, list(sigs)))


def check_zone_file(c, origin, path, now):
    """Checks one zone file's RRSIGs; False when it has none."""
    name = os.path.basename(path)
    zone = dns.zone.from_file(path, origin=origin, relativize=False, check_origin=True)
    apex = dns.name.from_text(origin)
    keys = zone.get_rdataset(apex, dns.rdatatype.DNSKEY)
    earliest = None
    late, bad = [], []
    n_sigs = 0
    for rrset, sigset in signed_rrsets(zone):
        what = f"{rrset.name} {dns.rdatatype.to_text(rrset.rdtype)}"
        for sig in sigset:
            n_sigs += 1
            expiration = serial_to_time(sig.expiration, now)
            if earliest is None or expiration < earliest[0]:
                earliest = (expiration, what)
            if serial_to_time(sig.inception, now) > now:
                late.append(what)
        try:
            dns.dnssec.validate(rrset, sigset, {apex: keys}, now=now)
        except dns.dnssec.ValidationFailure as e:
            bad.append(f"{what}: {e}")
    if n_sigs == 0:
        return False
    c.check(keys is not None, f"{name}: has an apex DNSKEY RRset")
    c.check(not late, f"{name}: every inception of {n_sigs} RRSIGs is in the past", ", ".join(late[:5]))
    remaining = earliest[0] - now
    c.check(remaining >= MIN_REMAINING,
            f"{name}: the earliest expiration is at least 5 years away",
            f"{earliest[1]} expires {time.strftime('%Y-%m-%d', time.gmtime(earliest[0]))}, "
            f"{remaining / 86400:.0f} days from now; re-sign with zones/sign.sh --years 25 zones/")
    c.check(not bad, f"{name}: every signed RRset verifies against the apex DNSKEYs now", "; ".join(bad[:5]))
    return True


def main():
    c = Checker("test_zone_signatures")
    now = int(time.time())
    zones = quick_start_zones()
    c.check(len(zones) >= 4, "conf/nimbusd.yaml lists the example zones", f"{zones}")
    signed = [name for name, path in zones if check_zone_file(c, name + ".", path, now)]
    c.eq(sorted(signed), ["example-nsec.test", "example-nsec3.test"],
         "the zones with RRSIGs are the NSEC and the NSEC3 example zones")
    c.finish()


if __name__ == "__main__":
    main()
