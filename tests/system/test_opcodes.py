"""Message checks come before the opcode: every opcode gets the same FORMERR
and BADVERS handling, and only a well-formed message with an opcode we do
not serve gets NOTIMP (issue 9 point 3).

Expected, for each of the 16 opcodes (QUERY's own answers aside):
  - a malformed message (OPT owner not the root octet - a name, or a
    compression pointer to a name or even to the root, RFC 6891 §6.1.2 "MUST
    be 0" -, two OPTs, OPT outside the additional section, trailing octets,
    ARCOUNT larger than the records): FORMERR (RFC 1035 §4.1.1, RFC 6891
    §6.1.1, §7), without an OPT when the OPT itself is the fault;
  - a well-formed message with EDNS version 1: BADVERS in an OPT of version
    0 (RFC 6891 §6.1.3), whatever the opcode and the question count;
  - a well-formed message with an opcode we do not serve (all but QUERY):
    NOTIMP with the opcode copied and an OPT exactly when the query had one,
    with one, two or no questions (DSO, RFC 8490 §5.1.1; RFC 8906 §3.1.4);
  - QUERY with QDCOUNT 0 or 2: FORMERR.
NSD answers NOTIFY it is not configured for with REFUSED and Knot drops it,
so the peers cannot be compared here: the RFCs decide. Packets are built by
hand so that no library decides what may be encoded.
"""

import os
import random
import struct
import sys

sys.dont_write_bytecode = True  # keep the source tree clean when run by hand
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nimtest import (Checker, Nimbusd, hdr_opcode, hdr_qr, hdr_rcode, header, is_answered,  # noqa: E402
                     parse, require_tools, tcp_raw, udp_raw)

import dns.rcode  # noqa: E402

NOERROR, FORMERR, NOTIMP, REFUSED = 0, 1, 4, 5


def name(*labels):
    return b"".join(bytes([len(x)]) + x for x in labels) + b"\x00"


def opt(owner=b"\x00", version=0, options=b""):
    return owner + struct.pack("!HHBBHH", 41, 1232, 0, version, 0, len(options)) + options


def hdr(qid, opcode, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!HHHHHH", qid, (opcode << 11) | 0x0100, qd, an, ns, ar)


Q1 = name(b"example", b"com") + struct.pack("!HH", 6, 1)  # at offset 12; "com" at 20
Q2 = name(b"other") + struct.pack("!HH", 6, 1)
ROOT_OF_Q1 = 12 + len(Q1) - 5  # the zero octet ending "example.com."


def cases(qid, opcode):
    """(label, packet, expected rcode or 'badvers', OPT expected in the answer)."""
    h = lambda **kw: hdr(qid, opcode, **kw)  # noqa: E731
    ptr = lambda off: bytes([0xC0, off])  # noqa: E731
    out = [
        # The packet: two questions, OPT owner a pointer to a non-root name.
        ("2 questions, OPT owner -> example.com", h(qd=2, ar=1) + Q1 + Q2 + opt(ptr(12)), FORMERR, False),
        ("2 questions, OPT owner -> com", h(qd=2, ar=1) + Q1 + Q2 + opt(ptr(20)), FORMERR, False),
        ("OPT owner a pointer to the root octet", h(ar=1) + Q1 + opt(ptr(ROOT_OF_Q1)), FORMERR, False),
        ("OPT owner a pointer, version 1", h(ar=1) + Q1 + opt(ptr(12), version=1), FORMERR, False),
        ("OPT owner a literal name", h(ar=1) + Q1 + opt(name(b"x")), FORMERR, False),
        ("no question, OPT owner a name", h(qd=0, ar=1) + opt(name(b"x")), FORMERR, False),
        ("two OPTs", h(ar=2) + Q1 + opt() + opt(), FORMERR, None),
        ("OPT in the answer section", h(an=1) + Q1 + opt(), FORMERR, False),
        ("OPT with a cut option", h(ar=1) + Q1 + opt(options=b"\x00\x0a\x00\x08abc"), FORMERR, False),
        ("trailing octets", h() + Q1 + b"\x01\x02", FORMERR, False),
        ("ARCOUNT 2, one record", h(ar=2) + Q1 + opt(), FORMERR, True),
        ("cut question", h() + Q1[:5], FORMERR, False),
        ("EDNS version 1", h(ar=1) + Q1 + opt(version=1), "badvers", True),
        ("EDNS version 255, no question", h(qd=0, ar=1) + opt(version=255), "badvers", True),
        ("EDNS version 1, 2 questions", h(qd=2, ar=1) + Q1 + Q2 + opt(version=1), "badvers", True),
    ]
    if opcode == 0:
        out += [
            ("no question", h(qd=0), FORMERR, False),
            ("no question, with OPT", h(qd=0, ar=1) + opt(), FORMERR, True),
            ("2 questions", h(qd=2) + Q1 + Q2, FORMERR, False),
            ("one question, OPT", h(ar=1) + Q1 + opt(), REFUSED, True),  # no zones here
        ]
    else:
        out += [
            ("one question", h() + Q1, NOTIMP, False),
            ("one question, OPT", h(ar=1) + Q1 + opt(), NOTIMP, True),
            ("no question (as DSO)", h(qd=0), NOTIMP, False),
            ("no question, OPT", h(qd=0, ar=1) + opt(), NOTIMP, True),
            ("2 questions, OPT", h(qd=2, ar=1) + Q1 + Q2 + opt(), NOTIMP, True),
        ]
    return out


def check(c, what, qid, opcode, expect, want_opt, wire):
    h = header(wire)
    if not c.check(h is not None, f"{what}: answered"):
        return
    c.eq(h[0], qid, f"{what}: ID copied")
    c.check(hdr_qr(wire), f"{what}: QR=1")
    c.eq(hdr_opcode(wire), opcode, f"{what}: opcode copied")
    # dnspython knows only the assigned opcodes: read the rest with the opcode cleared.
    r = parse(wire[:2] + bytes([wire[2] & 0x87]) + wire[3:])
    if expect == "badvers":
        if c.check(r is not None, f"{what}: answer parses"):
            c.eq((hdr_rcode(wire), r.rcode(), r.edns), (0, dns.rcode.BADVERS, 0),
                 f"{what}: BADVERS (header 0, extended 16) in an OPT of version 0")
        return
    c.eq(hdr_rcode(wire), expect, f"{what}: rcode {dns.rcode.to_text(expect)}")
    if want_opt is not None and r is not None:
        c.eq(r.edns >= 0, want_opt, f"{what}: OPT in the answer")


def main():
    require_tools()
    c = Checker("test_opcodes")
    with Nimbusd(workers=1) as srv:
        for opcode in range(16):
            for label, pkt, expect, want_opt in cases(random.randint(1, 65535), opcode):
                qid = struct.unpack("!H", pkt[:2])[0]
                wire = udp_raw(srv.addr, srv.port, pkt, timeout=3.0)
                check(c, f"udp opcode {opcode}: {label}", qid, opcode, expect, want_opt, wire)
        # The same over TCP for the opcodes that will be served next (NOTIFY, UPDATE).
        for opcode in (0, 4, 5):
            for label, pkt, expect, want_opt in cases(random.randint(1, 65535), opcode):
                qid = struct.unpack("!H", pkt[:2])[0]
                wire = tcp_raw(srv.addr, srv.port, pkt, timeout=3.0)
                check(c, f"tcp opcode {opcode}: {label}", qid, opcode, expect, want_opt, wire)
        c.check(is_answered(srv), "server still answers")
    c.finish()


if __name__ == "__main__":
    main()
