"""With no zones, every well-formed IN query is REFUSED, over IPv4 and IPv6,
UDP and TCP, checked with dig, kdig and dnspython.

RFC 1035 §4.1.1: the answer copies ID, opcode, RD and the question; QR=1.
Not authoritative for anything (AA=0), not recursive yet (RA=0).
RFC 6891 §6.1.1/§7: an OPT in the answer exactly when the query had one,
version 0, our payload size (udp-max-payload), the DO bit copied (RFC 3225 §3).
RFC 1035 §4.2.1: a UDP answer to a query without EDNS is at most 512 octets.
"""

import os
import random
import sys

sys.dont_write_bytecode = True  # keep the source tree clean when run by hand
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nimtest import (Checker, Nimbusd, dig, have_ipv6, make_query, parse, require_tools,  # noqa: E402
                     tcp_query, udp_query)

import dns.flags  # noqa: E402
import dns.name  # noqa: E402
import dns.opcode  # noqa: E402
import dns.rcode  # noqa: E402

# A random udp-max-payload (its range is 512-4096), so a size compiled in cannot pass.
PAYLOAD = random.randint(512, 4096)


def check_refused(c, what, q, wire, r, is_udp):
    """Every property a REFUSED answer to query q must have."""
    if not c.check(r is not None, f"{what}: answered", "no answer or unparsable"):
        return
    c.eq(r.id, q.id, f"{what}: ID copied")
    c.eq(r.rcode(), dns.rcode.REFUSED, f"{what}: rcode")
    c.check(r.flags & dns.flags.QR, f"{what}: QR=1")
    c.eq(r.opcode(), dns.opcode.QUERY, f"{what}: opcode copied")
    c.eq(bool(r.flags & dns.flags.RD), bool(q.flags & dns.flags.RD), f"{what}: RD copied")
    c.check(not r.flags & dns.flags.AA, f"{what}: AA=0")
    c.check(not r.flags & dns.flags.RA, f"{what}: RA=0")
    c.check(not r.flags & dns.flags.TC, f"{what}: TC=0")
    c.eq(len(r.question), 1, f"{what}: one question")
    if r.question:
        # str() keeps the letter case of the wire, so this compares octet for octet.
        c.eq((str(r.question[0].name), r.question[0].rdtype, r.question[0].rdclass),
             (str(q.question[0].name), q.question[0].rdtype, q.question[0].rdclass),
             f"{what}: question copied with its letter case")
        qwire = q.to_wire()
        qlen = len(qwire) - 12 - (11 if q.edns >= 0 else 0)  # the question, without an OPT record
        c.eq(wire[12:12 + qlen].hex(), qwire[12:12 + qlen].hex(), f"{what}: question octets copied exactly")
    c.eq((len(r.answer), len(r.authority)), (0, 0), f"{what}: answer and authority empty")
    if q.edns < 0:
        c.eq(r.edns, -1, f"{what}: no OPT in the answer to a query without one")
        if is_udp:
            c.check(len(wire) <= 512, f"{what}: no-EDNS UDP answer <= 512 octets", len(wire))
    else:
        c.eq(r.edns, 0, f"{what}: OPT present, version 0")
        c.eq(r.payload, PAYLOAD, f"{what}: our UDP payload size = udp-max-payload")
        c.eq(bool(r.ednsflags & dns.flags.DO), bool(q.ednsflags & dns.flags.DO), f"{what}: DO copied")


def dnspython_checks(c, srv, addr, fam):
    for transport, fn in (("udp", udp_query), ("tcp", tcp_query)):
        is_udp = transport == "udp"
        cases = [
            ("mixed case, RD=1, no EDNS", make_query("WwW.ExAmPlE.oRg.", "A", rd=True)),
            ("RD=0, AAAA", make_query("example.net.", "AAAA", rd=False)),
            ("EDNS payload 4096, DO=0", make_query("Mail.Example.COM.", "MX", edns=0, payload=4096)),
            ("EDNS payload 512, DO=1", make_query("example.", "SOA", edns=0, payload=512, do=True)),
            ("root NS, ID 0", make_query(".", "NS", qid=0)),
            ("ANY, ID 65535", make_query("a.b.c.d.e.f.example.", "ANY", qid=65535)),
            ("unknown type 65280", make_query("x.example.", "TYPE65280", edns=0)),
            ("255-octet name", make_query(".".join(["a" * 61] * 4) + ".", "TXT")),
            # Labels holding a dot, a zero octet, 0xff and upper case: echoed octet for octet.
            ("binary labels", make_query(dns.name.Name([b"a.B", b"\x00\xff", b"Zz", b""]), "A", edns=0)),
        ]
        for label, q in cases:
            wire, r = fn(addr, srv.port, q)
            check_refused(c, f"{fam}/{transport} dnspython {label}", q, wire, r, is_udp)


def tool_checks(c, srv, addr, fam):
    for tool in ("dig", "kdig"):
        for transport in ("UDP", "TCP"):
            what = f"{fam}/{transport} {tool}"
            args = ["+tcp"] if transport == "TCP" else ["+notcp"]
            # kdig sends no EDNS unless asked; ask both tools for the same thing.
            args += ["+edns=0" if tool == "dig" else "+edns", "+dnssec"]
            name = random.choice(["example.com", "Www.Example.Org", "nimbus.test"])
            d = dig(tool, addr, srv.port, name, "A", *args)
            c.eq(d.rc, 0, f"{what}: exit status 0")
            c.eq(d.proto, transport, f"{what}: transport used")
            c.eq(d.status, "REFUSED", f"{what}: status")
            c.eq(d.opcode, "QUERY", f"{what}: opcode")
            c.check({"qr", "rd"} <= d.flags and not {"aa", "ra", "tc"} & d.flags,
                     f"{what}: flags qr rd, no aa ra tc", sorted(d.flags))
            c.eq((d.has_opt, d.edns_version, d.edns_udp), (True, 0, PAYLOAD), f"{what}: OPT v0, udp-max-payload")
            c.check("do" in d.edns_flags, f"{what}: DO echoed", sorted(d.edns_flags))
            c.eq(d.records, [], f"{what}: no records")
            if tool == "dig":  # kdig lower-cases the name it sends
                c.eq([x[0] for x in d.question], [name + "."], f"{what}: question echoed")
        # Without EDNS: no OPT back.
        args = ["+noedns"] if tool == "dig" else ["+noedns"]
        d = dig(tool, addr, srv.port, "example.com", "A", *args)
        c.eq((d.status, d.has_opt), ("REFUSED", False), f"{fam}/UDP {tool} +noedns: REFUSED without OPT")
        d = dig(tool, addr, srv.port, "example.com", "A", "+norec", *args)
        c.check(d.status == "REFUSED" and "rd" not in d.flags, f"{fam}/UDP {tool} +norec: RD=0 echoed",
                repr(d))


def main():
    require_tools("dig", "kdig")
    c = Checker("test_refused")
    ipv6 = have_ipv6()
    print(f"udp-max-payload: {PAYLOAD}")
    if not ipv6:
        print("note: no ::1 here, IPv6 checks left out")
    with Nimbusd(ipv6=ipv6, udp_max_payload=PAYLOAD) as srv:
        fams = [("v4", srv.addr)] + ([("v6", srv.addr6)] if ipv6 else [])
        for fam, addr in fams:
            dnspython_checks(c, srv, addr, fam)
            tool_checks(c, srv, addr, fam)
        # A burst of UDP queries on one socket: every one answered with its own ID.
        import socket
        import time
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        ids = random.sample(range(65536), 100)
        for qid in ids:
            sock.sendto(make_query(f"q{qid}.example.", "A", qid=qid).to_wire(), (srv.addr, srv.port))
        got = {}
        deadline = time.monotonic() + 5
        while len(got) < len(ids) and time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                wire, _ = sock.recvfrom(65535)
            except OSError:
                break
            r = parse(wire)
            if r is not None:
                got[r.id] = (r.rcode(), str(r.question[0].name) if r.question else None)
        sock.close()
        c.eq(len(got), len(ids), "burst of 100 UDP queries: all answered")
        c.check(all(got.get(i) == (dns.rcode.REFUSED, f"q{i}.example.") for i in ids if i in got),
                "burst: each answer REFUSED with its own question")
        c.check(srv.alive(), "server still running")
    c.finish()


if __name__ == "__main__":
    main()
