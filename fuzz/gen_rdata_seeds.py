#!/usr/bin/python3
"""Writes seeds of fuzz/fuzz_packet.c that take the RDATA iterator through
every name-carrying layout of src/wire/rdata.c, built by dnspython.

Usage: /usr/bin/python3 fuzz/gen_rdata_seeds.py [OUTDIR]   (default fuzz/corpus/packet)

For each type, one response with one answer record (question "example."):
- rdata-TYPE.bin: the record as dnspython writes it (names compressed only
  in the RFC 1035 types, RFC 3597 §4);
- rdata-TYPE-ptr.bin: the first "example." suffix of the RDATA replaced by a
  pointer to the question (receivers decompress every name field);
- rdata-TYPE-cut.bin: RDLENGTH two octets short, so the last field (a name
  for most) runs past it into an A record that follows.
The output is deterministic; files this script does not write are left alone.
"""
import os
import struct
import sys

import dns.flags
import dns.message
import dns.name
import dns.rrset

# A list stands for RDATA dnspython 2.3 has no class for: names and raw
# octets, written in the RFC 3597 generic form.
RECORDS = [
    ("NS", "ns1.Example."),
    ("CNAME", "www.Example."),
    ("SOA", "ns1.Example. host.Example. 1 7200 3600 1209600 300"),
    ("MB", ["mb.Example."]),
    ("MG", ["mg.Example."]),
    ("MR", ["mr.Example."]),
    ("PTR", "ptr.Example."),
    ("MINFO", ["rmail.Example.", "email.Example."]),
    ("MX", "10 mail.Example."),
    ("RP", "mbox.Example. txt.Example."),
    ("AFSDB", "1 afs.Example."),
    ("RT", "10 relay.Example."),
    ("NSAP-PTR", "host.Example."),
    ("PX", "10 map822.Example. mapx400.Example."),
    ("NXT", ["next.Example.", b"\x60"]),
    ("SRV", "0 1 53 target.Example."),
    ("NAPTR", '100 10 "u" "E2U+sip" "!^.*$!sip:x@example!" repl.Example.'),
    ("KX", "10 kx.Example."),
    ("DNAME", "target.Example."),
    ("RRSIG", "A 8 1 300 20300101000000 20200101000000 12345 Example. AAAA"),
    ("NSEC", "next.Example. A RRSIG NSEC"),
    ("SVCB", "1 svc.Example. alpn=h2"),
    ("HTTPS", "1 svc.Example. alpn=h2"),
    ("LP", "10 l64.Example."),
    ("ISDN", '"150862028003217" "004"'),
    ("NSEC3PARAM", "1 0 0 ABCD"),
    ("CAA", '0 issue "ca.example"'),
]

SUFFIX = b"\x07example\x00"


def generic(parts):
    raw = b"".join(p if isinstance(p, bytes) else dns.name.from_text(p).to_wire() for p in parts)
    return "\\# %d %s" % (len(raw), raw.hex())


def message(rtype, rdata):
    if isinstance(rdata, list):
        rdata = generic(rdata)
    q = dns.message.make_query("example.", "A")
    r = dns.message.make_response(q)
    r.id = 0x5eed
    r.flags |= dns.flags.AA
    r.answer.append(dns.rrset.from_text("example.", 300, "IN", rtype, rdata))
    r.additional.append(dns.rrset.from_text("a.example.", 300, "IN", "A", "192.0.2.1"))
    return bytearray(r.to_wire())


def answer_rdata(wire):
    """Offset of the answer's RDLENGTH: header, question "example." A IN, owner pointer."""
    return 12 + len(SUFFIX) + 4 + 2 + 8


def variants(rtype, rdata):
    wire = message(rtype, rdata)
    yield "", bytes(wire)
    at = answer_rdata(wire)
    (rdlength,) = struct.unpack("!H", wire[at:at + 2])
    body = wire[at + 2:at + 2 + rdlength]
    hit = bytes(body).lower().find(SUFFIX)
    if hit >= 0:
        new = body[:hit] + b"\xc0\x0c" + body[hit + len(SUFFIX):]
        ptr = wire[:at] + struct.pack("!H", len(new)) + new + wire[at + 2 + rdlength:]
        yield "-ptr", bytes(ptr)
    cut = bytearray(wire)
    cut[at:at + 2] = struct.pack("!H", rdlength - 2)
    yield "-cut", bytes(cut)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "fuzz/corpus/packet"
    os.makedirs(out, exist_ok=True)
    for rtype, rdata in RECORDS:
        for suffix, data in variants(rtype, rdata):
            name = "rdata-%s%s.bin" % (rtype.lower(), suffix)
            with open(os.path.join(out, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
