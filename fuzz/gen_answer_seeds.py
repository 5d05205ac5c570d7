#!/usr/bin/python3
"""Writes the seed queries of fuzz/fuzz_answer.c, built by dnspython.

Usage: /usr/bin/python3 fuzz/gen_answer_seeds.py [OUTDIR]   (default fuzz/corpus/answer)

One query per file, named after what it asks, for names of the example zones
in zones/: existing names, NXDOMAIN and NODATA, wildcards, CNAME and DNAME
chains (in zone, out of zone, into the child, loops), referrals (with glue,
sibling glue, out of bailiwick), DS at and below cuts, ANY, RRSIG, the
DNSSEC proofs of both signed zones, with and without EDNS, DO set or not,
small and large EDNS payload sizes, TCP-only answers (the large RRsets),
CHAOS identity queries, and a few malformed or unusual queries (another
opcode, EDNS version 1, two questions). Files this script does not write
(crash-*.bin, inputs that once failed) are left alone. The output is
deterministic: each query's ID comes from its file name.
"""
import hashlib
import os
import sys

import dns.flags
import dns.message
import dns.opcode
import dns.rdataclass
import dns.rdatatype

# (name, type) pairs; each is written with several EDNS settings below.
QUESTIONS = [
    # example.com: apex, hosts, case, ENTs
    ("example.com", "SOA"), ("example.com", "NS"), ("example.com", "MX"),
    ("example.com", "TXT"), ("example.com", "ANY"), ("example.com", "DNSKEY"),
    ("www.example.com", "A"), ("WwW.ExAmPlE.cOm", "AAAA"), ("www.example.com", "MX"),
    ("mixed.case.example.com", "TXT"), ("b.example.com", "A"), ("z.example.com", "TXT"),
    ("nope.example.com", "A"), ("x.y.z.example.com", "ANY"),
    # CNAME and DNAME
    ("cname.example.com", "A"), ("cname.example.com", "CNAME"), ("chain1.example.com", "A"),
    ("loop1.example.com", "A"), ("self.example.com", "A"), ("ext.example.com", "A"),
    ("tochild.example.com", "A"), ("tochild-nx.example.com", "A"),
    ("todeleg.example.com", "A"), ("tonx.example.com", "A"), ("towild.example.com", "TXT"),
    ("toent.example.com", "A"), ("upper-cname.example.com", "AAAA"),
    ("a.dname.example.com", "A"), ("dname.example.com", "DNAME"),
    ("host.dname-in.example.com", "A"), ("deeper.host.dname-in.example.com", "TXT"),
    ("www.dname-child.example.com", "A"), ("nx.dname-in.example.com", "A"),
    # wildcards
    ("foo.wild.example.com", "A"), ("foo.wild.example.com", "TXT"),
    ("foo.wild.example.com", "MX"), ("exists.wild.example.com", "TXT"),
    ("x.below.wild.example.com", "A"), ("below.wild.example.com", "A"),
    ("x.wild2.example.com", "A"), ("a.x.wild2.example.com", "A"),
    ("foo.cwild.example.com", "A"), ("foo.mxwild.example.com", "MX"),
    ("*.wild.example.com", "A"),
    # delegations
    ("host.deleg.example.com", "A"), ("deleg.example.com", "NS"), ("deleg.example.com", "DS"),
    ("foo.deleg.example.com", "A"), ("outdeleg.example.com", "A"),
    ("x.sibdeleg.example.com", "A"), ("ns1.deleg.example.com", "A"),
    # large answers
    ("medium.example.com", "TXT"), ("many.example.com", "A"), ("big.example.com", "TXT"),
    ("medium.example.com", "ANY"), ("big.example.com", "ANY"),
    # the child zone
    ("sub.example.com", "SOA"), ("sub.example.com", "DS"), ("sub.example.com", "NS"),
    ("www.sub.example.com", "A"), ("cname.sub.example.com", "A"),
    ("deep.ent.sub.example.com", "TXT"), ("ent.sub.example.com", "A"),
    ("foo.wild.sub.example.com", "A"), ("host.grandchild.sub.example.com", "A"),
    ("grandchild.sub.example.com", "DS"), ("nx.sub.example.com", "A"),
]
for zone in ("example-nsec.test", "example-nsec3.test"):
    QUESTIONS += [
        (zone, "SOA"), (zone, "DNSKEY"), (zone, "NSEC3PARAM"), (zone, "ANY"), (zone, "RRSIG"),
        ("www." + zone, "A"), ("www." + zone, "TXT"), ("nope." + zone, "A"),
        ("a.nope." + zone, "AAAA"), ("b." + zone, "A"), ("x.y.z." + zone, "TXT"),
        ("cname." + zone, "A"), ("chain." + zone, "AAAA"), ("ext." + zone, "A"),
        ("tonx." + zone, "A"), ("a.dname." + zone, "A"),
        ("foo.wild." + zone, "A"), ("foo.wild." + zone, "MX"), ("exists.wild." + zone, "A"),
        ("x.wild2." + zone, "A"), ("foo.cwild." + zone, "A"),
        ("host.secure." + zone, "A"), ("secure." + zone, "DS"), ("secure." + zone, "NS"),
        ("host.insecure." + zone, "A"), ("insecure." + zone, "DS"),
        ("host.outsec." + zone, "A"), ("outsec." + zone, "DS"),
        ("ns1." + zone, "RRSIG"), ("nope.secure." + zone, "DS"),
    ]
# Outside every zone (REFUSED) and the types dispatch refuses.
QUESTIONS += [("example.net", "A"), ("com", "NS"), (".", "SOA"),
              ("example.com", "AXFR"), ("example.com", "IXFR")]

# (suffix, use_edns, payload, DO)
EDNS = [
    ("plain", False, 0, False),
    ("e512", True, 512, False),
    ("e1232do", True, 1232, True),
    ("e4096do", True, 4096, True),
]
# Small and odd payload sizes, for the large answers only.
SMALL_EDNS = [("e0do", True, 0, True), ("e600do", True, 600, True), ("e1400", True, 1400, False)]
LARGE = ("medium.", "many.", "big.", "example.com", "example-nsec.test", "example-nsec3.test")


def query_id(filename):
    return int.from_bytes(hashlib.sha256(filename.encode()).digest()[:2], "big")


def make(name, rdtype, use_edns, payload, do, rdclass="IN"):
    q = dns.message.make_query(name, dns.rdatatype.from_text(rdtype),
                               dns.rdataclass.from_text(rdclass), use_edns=use_edns,
                               payload=payload, want_dnssec=do)
    if use_edns and payload == 0:
        q.use_edns(0, ednsflags=dns.flags.DO if do else 0, payload=0)
    q.flags = 0
    return q


def write(outdir, filename, msg, mangle=None):
    msg.id = query_id(filename)
    wire = msg.to_wire()
    if mangle is not None:
        wire = mangle(wire)
    with open(os.path.join(outdir, filename), "wb") as f:
        f.write(wire)


def fname(name, rdtype, suffix):
    base = name.strip(".").replace("*", "star") or "root"
    return "%s-%s-%s.bin" % (base.lower(), rdtype.lower(), suffix)


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "fuzz/corpus/answer"
    os.makedirs(outdir, exist_ok=True)
    n = 0
    for name, rdtype in QUESTIONS:
        variants = list(EDNS)
        if name.lower().startswith(LARGE) or rdtype == "ANY":
            variants += SMALL_EDNS
        for suffix, use_edns, payload, do in variants:
            write(outdir, fname(name, rdtype, suffix), make(name, rdtype, use_edns, payload, do))
            n += 1

    # CHAOS identity queries (RFC 4892) and an unknown CHAOS name.
    for name in ("version.bind", "version.server", "id.server", "hostname.bind", "foo.bind"):
        write(outdir, fname(name, "txt", "ch"), make(name, "TXT", True, 1232, False, "CH"))
        n += 1
    # RD set, CD set: RD is echoed, CD cleared (RFC 4035 §3.1.6).
    q = make("www.example.com", "A", True, 1232, True)
    q.flags = dns.flags.RD | dns.flags.CD
    write(outdir, "www.example.com-a-rd-cd.bin", q)
    # Another opcode: NOTIMP. EDNS version 1: BADVERS.
    q = make("www.example.com", "A", True, 1232, False)
    q.set_opcode(dns.opcode.NOTIFY)
    write(outdir, "opcode-notify.bin", q)
    q = make("www.example.com", "A", False, 0, False)
    q.use_edns(1, payload=1232)
    write(outdir, "edns-version1.bin", q)
    # Two questions: FORMERR. QDCOUNT is at octets 4-5 of the header.
    q = make("www.example.com", "A", True, 1232, False)
    q.question.append(q.question[0])
    write(outdir, "two-questions.bin", q)
    # A truncated question: FORMERR with the header only.
    q = make("www.example.com", "A", True, 4096, True)
    write(outdir, "truncated-question.bin", q, lambda w: w[:20])
    # A response (QR set): never answered.
    q = make("www.example.com", "A", False, 0, False)
    q.flags = dns.flags.QR
    write(outdir, "response-dropped.bin", q)
    n += 6
    print("wrote %d seeds to %s" % (n, outdir))


if __name__ == "__main__":
    main()
