"""Hostile and malformed packets, over UDP and TCP. After every one, a normal
query must still be answered (the server is alive).

Expected (RFC 1035 §4.1.1, RFC 6891 §6.1.1, §6.1.3, §7, RFC 8906 §3):
  - fewer than 12 octets, or QR=1: dropped (no answer);
  - a question that does not parse (pointer loop, cut, label > 63, name
    > 255 octets), trailing octets, QDCOUNT 0 or 2: FORMERR with the ID;
  - unknown opcode: NOTIMP;
  - EDNS version 1: BADVERS (extended rcode 16) in an OPT of version 0;
  - two OPT records, or an OPT outside the additional section: FORMERR.
Each packet is built by hand so the test does not depend on what a library
agrees to encode. FORMERR answers are checked on their raw header: whether
the question is echoed is not asserted.
"""

import os
import random
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean when run by hand
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nimtest import (Checker, Nimbusd, frame, hdr_opcode, hdr_qr, hdr_rcode, header,  # noqa: E402
                     is_answered, parse, require_tools, tcp_connect, tcp_read_msg, tcp_raw, udp_raw)

import dns.rcode  # noqa: E402

FORMERR, NOTIMP = 1, 4
OPT_V0 = b"\x00" + struct.pack("!HHBBHH", 41, 1232, 0, 0, 0, 0)  # root, OPT, payload, ext-rcode, v0, flags, rdlen
OPT_V1 = b"\x00" + struct.pack("!HHBBHH", 41, 1232, 0, 1, 0, 0)
QTAIL = struct.pack("!HH", 1, 1)  # type A, class IN


def hdr(qid, flags=0x0100, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def name(*labels):
    return b"".join(bytes([len(x)]) + x for x in labels) + b"\x00"


def good_question(n=b"example"):
    return name(n, b"com") + QTAIL


def cases(qid):
    """(label, packet bytes, expected: 'drop' | rcode int | 'badvers')."""
    q = good_question()
    return [
        ("5 random octets", os.urandom(5), "drop"),
        ("11 octets (header cut)", hdr(qid)[:11], "drop"),
        ("empty datagram", b"", "drop"),
        ("QR=1 (a response)", hdr(qid, 0x8180) + q, "drop"),
        ("QR=1 with garbage", hdr(qid, 0x8000, 5, 5, 5, 5) + os.urandom(40), "drop"),
        ("pointer to itself", hdr(qid) + b"\xc0\x0c" + QTAIL, FORMERR),
        ("two pointers in a loop", hdr(qid) + b"\x01a\xc0\x0e\xc0\x0c" + QTAIL, FORMERR),
        ("pointer past the end", hdr(qid) + b"\xc0\xff" + QTAIL, FORMERR),
        ("forward pointer", hdr(qid) + b"\xc0\x12" + QTAIL + b"\x00", FORMERR),
        ("question cut in type/class", hdr(qid) + name(b"example", b"com") + b"\x00", FORMERR),
        ("question cut in a label", hdr(qid) + b"\x0aexa", FORMERR),
        ("question with no terminal label", hdr(qid) + b"\x07example\x03com", FORMERR),
        ("label length 64 (0x40 type)", hdr(qid) + b"\x40" + b"a" * 64 + b"\x00" + QTAIL, FORMERR),
        ("label type 0x80 (reserved)", hdr(qid) + b"\x80" + b"a" * 10 + b"\x00" + QTAIL, FORMERR),
        ("name of 321 octets", hdr(qid) + name(*[b"a" * 63] * 5) + QTAIL, FORMERR),
        ("trailing garbage after the question", hdr(qid) + q + b"\x01\x02\x03", FORMERR),
        ("trailing garbage after OPT", hdr(qid, ar=1) + q + OPT_V0 + b"\xff", FORMERR),
        ("QDCOUNT 0", hdr(qid, qd=0), FORMERR),
        ("QDCOUNT 0 with OPT", hdr(qid, qd=0, ar=1) + OPT_V0, FORMERR),
        ("QDCOUNT 2", hdr(qid, qd=2) + q + good_question(b"other"), FORMERR),
        ("QDCOUNT 2, one question present", hdr(qid, qd=2) + q, FORMERR),
        ("ARCOUNT 1, nothing there", hdr(qid, ar=1) + q, FORMERR),
        ("two OPT records", hdr(qid, ar=2) + q + OPT_V0 + OPT_V0, FORMERR),
        ("OPT in the answer section", hdr(qid, an=1) + q + OPT_V0, FORMERR),
        ("OPT in the authority section", hdr(qid, ns=1) + q + OPT_V0, FORMERR),
        ("OPT with a cut option", hdr(qid, ar=1) + q + OPT_V0[:-2] + b"\x00\x08\x00\x0a\x00\x04", FORMERR),
        ("opcode 3", hdr(qid, 3 << 11) + q, NOTIMP),
        ("opcode 7", hdr(qid, 7 << 11) + q, NOTIMP),
        ("opcode 15", hdr(qid, (15 << 11) | 0x0100) + q, NOTIMP),
        ("EDNS version 1", hdr(qid, ar=1) + q + OPT_V1, "badvers"),
        ("EDNS version 1 with DO", hdr(qid, ar=1) + q + OPT_V1[:7] + b"\x80" + OPT_V1[8:], "badvers"),
        # Not specified yet: any answer will do, as long as it has the ID and QR=1.
        ("pointer into the header", hdr(qid) + b"\xc0\x04" + QTAIL, "any"),
        ("QTYPE 0, QCLASS 0", hdr(qid) + name(b"example") + b"\x00" * 4, "any"),
        ("QCLASS ANY", hdr(qid) + name(b"example") + struct.pack("!HH", 1, 255), "any"),
        ("QCLASS NONE", hdr(qid) + name(b"example") + struct.pack("!HH", 1, 254), "any"),
        ("opcode 2 (STATUS)", hdr(qid, 2 << 11) + q, "any"),
        ("opcode 4 (NOTIFY)", hdr(qid, 4 << 11 | 0x0400) + name(b"example") + struct.pack("!HH", 6, 1), "any"),
        ("opcode 5 (UPDATE), empty", hdr(qid, 5 << 11) + name(b"example") + struct.pack("!HH", 6, 1), "any"),
        ("opcode 6 (DSO), no question", hdr(qid, 6 << 11, qd=0), "any"),
        ("TC and Z bits set in a query", hdr(qid, 0x0340) + q, "any"),
    ]


def check_answer(c, what, expect, qid, sent, wire):
    if expect == "drop":
        c.check(wire is None, f"{what}: dropped (no answer)", wire and wire.hex())
        return
    h = header(wire)
    if expect == "any":
        c.check(wire is None or (h is not None and h[0] == qid and hdr_qr(wire)),
                f"{what}: no answer, or one with the ID and QR=1", wire and wire[:16].hex())
        return
    if not c.check(h is not None, f"{what}: answered"):
        return
    c.eq(h[0], qid, f"{what}: ID copied")
    c.check(hdr_qr(wire), f"{what}: QR=1")
    if expect == "badvers":
        r = parse(wire)
        if not c.check(r is not None, f"{what}: answer parses"):
            return
        c.eq(hdr_rcode(wire), 0, f"{what}: header rcode 0 (the 16 lives in OPT)")
        c.eq(r.rcode(), dns.rcode.BADVERS, f"{what}: extended rcode BADVERS (16)")
        c.eq(r.edns, 0, f"{what}: OPT in the answer, version 0")
        return
    c.eq(hdr_rcode(wire), expect, f"{what}: rcode {dns.rcode.to_text(expect)}")
    if expect == NOTIMP:
        c.eq(hdr_opcode(wire), hdr_opcode(sent), f"{what}: opcode copied")


def fuzz_udp(c, srv, seed, n=300):
    """Random packets; answers (if any) must carry a sent ID with QR=1, never for QR=1 packets."""
    rng = random.Random(seed)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent_ids = set()
    bad = []
    for i in range(n):
        ln = rng.choice([0, 1, 11, 12, 13, 17, 29, 40, 100, 512, 1500])
        pkt = bytearray(rng.getrandbits(8) for _ in range(ln))
        if ln >= 12:
            struct.pack_into("!H", pkt, 0, i)
            if rng.random() < 0.5:  # mostly small counts, so that parsing gets somewhere
                struct.pack_into("!HHHH", pkt, 4, *(rng.randint(0, 2) for _ in range(4)))
            if not pkt[2] & 0x80:
                sent_ids.add(i)
        sock.sendto(bytes(pkt), (srv.addr, srv.port))
    n_answers = 0
    deadline = time.monotonic() + 2.0
    for _ in range(n + 10):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            wire, _ = sock.recvfrom(65535)
        except OSError:
            break
        n_answers += 1
        h = header(wire)
        if h is None or h[0] not in sent_ids or not hdr_qr(wire):
            bad.append(wire[:16].hex())
    sock.close()
    c.eq(bad, [], f"fuzz seed {seed}: every answer has QR=1 and the ID of a QR=0 packet ({n_answers} answers)")
    c.check(is_answered(srv), f"fuzz seed {seed}: server alive after {n} random packets")


def main():
    require_tools()
    c = Checker("test_malformed")
    with Nimbusd(workers=2) as srv:
        for label, pkt, expect in cases(random.randint(1, 65535)):
            qid = struct.unpack("!H", pkt[:2])[0] if len(pkt) >= 2 else None
            # Drops wait for the whole timeout; answers come back at once.
            wire = udp_raw(srv.addr, srv.port, pkt, timeout=0.7 if expect in ("drop", "any") else 3.0)
            check_answer(c, f"udp {label}", expect, qid, pkt, wire)
            c.check(is_answered(srv), f"udp {label}: server still answers")

        # The same faults over TCP: each on its own connection.
        for label, pkt, expect in cases(random.randint(1, 65535)):
            if expect in ("drop", "any"):
                continue  # not specified over TCP (close, ignore or answer)
            qid = struct.unpack("!H", pkt[:2])[0]
            wire = tcp_raw(srv.addr, srv.port, pkt, timeout=3.0)
            check_answer(c, f"tcp {label}", expect, qid, pkt, wire)
        # A short message and a zero-length message over TCP, then a good one on a new connection.
        for label, data in (("tcp 5-octet message", frame(os.urandom(5))), ("tcp zero-length message", b"\x00\x00"),
                            ("tcp length prefix only, then close", b"\x01\x00")):
            try:
                with tcp_connect(srv.addr, srv.port) as s:
                    s.sendall(data)
                    tcp_read_msg(s, timeout=0.5)
            except OSError:
                pass
            c.check(is_answered(srv, transport="tcp"), f"{label}: server still answers over TCP")

        # A huge datagram: whatever the answer, the server survives it.
        big = hdr(7) + good_question() + os.urandom(60000)
        udp_raw(srv.addr, srv.port, big, timeout=0.7)
        c.check(is_answered(srv), "60 kB datagram: server still answers")

        seed = random.randint(0, 2**31)
        fuzz_udp(c, srv, seed)
        c.check(srv.alive(), "server process still running")
    c.finish()


if __name__ == "__main__":
    main()
