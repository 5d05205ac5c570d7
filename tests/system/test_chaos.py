"""CHAOS class identity queries: version.bind / version.server return the
configured version, id.server (RFC 4892 §2.1) / hostname.bind the configured
identity, authoritatively (AA=1); with "false" the server hides them and
answers REFUSED. The configured strings carry a random token so a value
compiled into the binary cannot pass.
"""

import os
import random
import string
import sys

sys.dont_write_bytecode = True  # keep the source tree clean when run by hand
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nimtest import (Checker, Nimbusd, dig, have_ipv6, make_query, require_tools,  # noqa: E402
                     tcp_query, udp_query)

import dns.flags  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rdataclass  # noqa: E402
import dns.rdatatype  # noqa: E402

VERSION_NAMES = ["version.bind.", "version.server."]
IDENTITY_NAMES = ["id.server.", "hostname.bind."]


def token():
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(8))


def txt_of(r):
    """The TXT strings of the answer section, joined per record."""
    out = []
    for rrset in r.answer:
        if rrset.rdtype == dns.rdatatype.TXT:
            for rd in rrset:
                out.append(b"".join(rd.strings).decode("utf-8", "replace"))
    return out


def check_shown(c, what, q, r, want):
    if not c.check(r is not None, f"{what}: answered"):
        return
    c.eq(r.id, q.id, f"{what}: ID copied")
    c.eq(r.rcode(), dns.rcode.NOERROR, f"{what}: NOERROR")
    c.check(r.flags & dns.flags.AA, f"{what}: AA=1")
    c.check(r.flags & dns.flags.QR, f"{what}: QR=1")
    c.eq(bool(r.flags & dns.flags.RD), bool(q.flags & dns.flags.RD), f"{what}: RD copied")
    c.eq(txt_of(r), [want], f"{what}: TXT value")
    if r.answer:
        rr = r.answer[0]
        c.eq((str(rr.name).lower(), rr.rdclass), (str(q.question[0].name).lower(), dns.rdataclass.CH),
             f"{what}: owner and class CH")
    if r.question:
        c.eq(str(r.question[0].name), str(q.question[0].name), f"{what}: question letter case kept")
    c.eq(r.edns, q.edns, f"{what}: OPT exactly when the query had one")


def check_hidden(c, what, q, r):
    if not c.check(r is not None, f"{what}: answered"):
        return
    c.eq(r.id, q.id, f"{what}: ID copied")
    c.eq(r.rcode(), dns.rcode.REFUSED, f"{what}: REFUSED")
    c.eq(len(r.answer), 0, f"{what}: no answer records")
    c.check(not r.flags & dns.flags.AA, f"{what}: AA=0")


def main():
    require_tools("dig", "kdig")
    c = Checker("test_chaos")
    ipv6 = have_ipv6()
    version = f"nimbus test {token()}"
    identity = f"ns-{token()}.example"
    with Nimbusd(ipv6=ipv6, version=version, identity=identity) as srv:
        addrs = [srv.addr] + ([srv.addr6] if ipv6 else [])
        for addr in addrs:
            for transport, fn in (("udp", udp_query), ("tcp", tcp_query)):
                for names, want in ((VERSION_NAMES, version), (IDENTITY_NAMES, identity)):
                    for name in names:
                        for edns in (None, 0):
                            q = make_query(name, "TXT", "CH", edns=edns, rd=random.random() < 0.5)
                            _, r = fn(addr, srv.port, q)
                            check_shown(c, f"{addr} {transport} {name} edns={edns}", q, r, want)
        # Names are compared without regard to case (RFC 4343 §3).
        q = make_query("VeRsIoN.BiNd.", "TXT", "CH")
        _, r = udp_query(srv.addr, srv.port, q)
        check_shown(c, "VeRsIoN.BiNd.", q, r, version)
        # The same name in class IN is no CHAOS query: REFUSED like any other.
        q = make_query("version.bind.", "TXT", "IN")
        _, r = udp_query(srv.addr, srv.port, q)
        c.check(r is not None and r.rcode() == dns.rcode.REFUSED and not r.answer,
                "version.bind IN TXT: REFUSED, not the version", r and r.to_text())

        for tool in ("dig", "kdig"):
            for transport in ("", "+tcp"):
                for name, want in (("version.bind", version), ("id.server", identity),
                                   ("hostname.bind", identity), ("version.server", version)):
                    what = f"{tool} {transport or '+notcp'} {name} CH TXT"
                    d = dig(tool, srv.addr, srv.port, name, "CH", "TXT", *([transport] if transport else []))
                    c.eq((d.status, d.txt()), ("NOERROR", [want]), f"{what}: value")
                    c.check("aa" in d.flags, f"{what}: aa flag", sorted(d.flags))
            if ipv6:
                d = dig(tool, srv.addr6, srv.port, "version.bind", "CH", "TXT", "+tcp")
                c.eq((d.status, d.txt(), d.proto), ("NOERROR", [version], "TCP"), f"{tool} ::1 +tcp version.bind")
        c.check(srv.alive(), "server still running")

    with Nimbusd(version=False, identity=False) as srv:
        for transport, fn in (("udp", udp_query), ("tcp", tcp_query)):
            for name in VERSION_NAMES + IDENTITY_NAMES:
                q = make_query(name, "TXT", "CH")
                _, r = fn(srv.addr, srv.port, q)
                check_hidden(c, f"hidden: {transport} {name}", q, r)
        for tool in ("dig", "kdig"):
            d = dig(tool, srv.addr, srv.port, "version.bind", "CH", "TXT")
            c.eq((d.status, d.records), ("REFUSED", []), f"hidden: {tool} version.bind")

    # Only the version hidden: the identity is still served.
    with Nimbusd(version=False, identity=identity) as srv:
        q = make_query("id.server.", "TXT", "CH")
        _, r = udp_query(srv.addr, srv.port, q)
        check_shown(c, "version hidden: id.server still served", q, r, identity)
        q = make_query("version.bind.", "TXT", "CH")
        _, r = udp_query(srv.addr, srv.port, q)
        check_hidden(c, "version hidden: version.bind", q, r)
    c.finish()


if __name__ == "__main__":
    main()
