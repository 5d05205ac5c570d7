"""Extended DNS Errors (RFC 8914) on error answers, compared with NSD 4.6
(which sends EDE for each of these answers) and checked with dig and kdig,
which print the codes they receive.

Expected, only when the query has EDNS (RFC 8914 §3: EDE lives in OPT):
  - REFUSED for a name outside our zones: 20 Not Authoritative (NSD, Knot);
  - REFUSED for AXFR/IXFR (transfers are not configured: a policy): 18
    Prohibited (NSD; Knot answers NOTAUTH without EDE);
  - REFUSED for a hidden version.bind / id.server: 18 Prohibited (NSD);
  - REFUSED for a CHAOS name or a class we do not serve: 21 Not Supported (NSD);
  - SERVFAIL for a configured zone whose first load failed: 14 Not Ready
    with a short EXTRA-TEXT (NSD sends 14; Knot 24, see dispatch.c).
No EDE without EDNS, none on NOERROR/NXDOMAIN answers, and an answer with
an EDE still fits the client's UDP size (512 octets for a 255-octet name).
"""

import os
import random
import shutil
import struct
import sys
import tempfile

sys.dont_write_bytecode = True  # keep the source tree clean when run by hand
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
sys.path.insert(0, HERE)
from nimtest import (Checker, StartError, dig, make_query, parse, require_tools, skip,  # noqa: E402
                     tcp_raw, udp_raw)
import test_auth_compare as tac  # noqa: E402

import dns.edns  # noqa: E402
import dns.rcode  # noqa: E402

ZONE = """$ORIGIN ede.test.
$TTL 3600
@	SOA	ns1 hostmaster 1 7200 3600 1209600 300
	NS	ns1
ns1	A	192.0.2.53
www	A	192.0.2.80
"""

# (label, qname, qtype, qclass, transport, expected rcode, expected EDE code or None)
CASES = [
    ("outside our zones", "example.org.", "A", "IN", "udp", "REFUSED", 20),
    ("outside, class ANY", "www.example.org.", "A", "ANY", "udp", "REFUSED", 20),
    ("AXFR", "ede.test.", "AXFR", "IN", "tcp", "REFUSED", 18),
    ("IXFR", "ede.test.", "IXFR", "IN", "tcp", "REFUSED", 18),
    ("hidden version.bind", "version.bind.", "TXT", "CH", "udp", "REFUSED", 18),
    ("unknown CHAOS name", "foo.bind.", "TXT", "CH", "udp", "REFUSED", 21),
    ("class HS", "www.ede.test.", "A", "HS", "udp", "REFUSED", 21),
    ("class NONE", "www.ede.test.", "A", "NONE", "udp", "REFUSED", 21),
    ("zone not loaded", "missing.test.", "SOA", "IN", "udp", "SERVFAIL", 14),
    ("name in a zone not loaded", "a.missing.test.", "A", "IN", "tcp", "SERVFAIL", 14),
    ("positive answer", "www.ede.test.", "A", "IN", "udp", "NOERROR", None),
    ("NXDOMAIN", "nx.ede.test.", "A", "IN", "udp", "NXDOMAIN", None),
]


def edes(r):
    return [(o.code, o.text) for o in r.options if o.otype == dns.edns.EDE] if r is not None else []


def ask(srv, qname, qtype, qclass, transport, edns):
    q = make_query(qname, qtype, qclass, edns=edns, payload=1232)
    fn = tcp_raw if transport == "tcp" else udp_raw
    wire = fn(srv.addr, srv.port, q.to_wire(), 3.0)
    return wire, parse(wire)


def main():
    require_tools("dig", "kdig")
    if not os.access(tac.NSD, os.X_OK):
        skip(f"{tac.NSD} is not installed")
    c = Checker("test_ede")
    tmpdir = tempfile.mkdtemp(prefix="nimede-")
    servers = []
    try:
        path = os.path.join(tmpdir, "ede.test.zone")
        with open(path, "w", encoding="utf-8") as f:
            f.write(ZONE)
        zone_files = [("ede.test.", path), ("missing.test.", os.path.join(tmpdir, "absent.zone"))]
        nsd = tac.Peer("nsd", tmpdir, zone_files)  # hide-version: yes
        servers.append(nsd)
        nsd.start(["ede.test."])
        nim = tac.NimbusdServer(zone_files)
        nim.srv.write_config(nim.srv.config_text(version=False).replace(
            "zones: []\n", "zones:\n" + "".join(f'  - {{ name: "{o}", file: "{p}" }}\n'
                                                for o, p in zone_files)))
        servers.append(nim)
        nim.start(["ede.test."])

        for label, qname, qtype, qclass, transport, rcode, code in CASES:
            what = f"{label} ({qname} {qclass} {qtype} {transport})"
            wire, r = ask(nim, qname, qtype, qclass, transport, 0)
            if not c.check(r is not None, f"{what}: answered"):
                continue
            c.eq(dns.rcode.to_text(r.rcode()), rcode, f"{what}: rcode")
            got = edes(r)
            c.eq([g[0] for g in got], [] if code is None else [code], f"{what}: EDE code")
            if code == 14:
                c.check(got and 0 < len(got[0][1] or "") <= 40, f"{what}: short EXTRA-TEXT", got)
            _, pr = ask(nsd, qname, qtype, qclass, transport, 0)
            if pr is not None:
                c.eq([g[0] for g in got], [g[0] for g in edes(pr)], f"{what}: EDE code as NSD's")
            # Without EDNS: the same RCODE, no OPT, so no EDE.
            wire, r = ask(nim, qname, qtype, qclass, transport, None)
            c.check(r is not None and r.edns < 0 and dns.rcode.to_text(r.rcode()) == rcode,
                    f"{what}, no EDNS: {rcode} without OPT", r and r.edns)

        # dig and kdig print the EDE they receive.
        d = dig("dig", nim.addr, nim.port, "example.org", "A", "+edns=0")
        c.check("EDE: 20 (Not Authoritative)" in d.out, "dig shows EDE 20", d.out[-400:])
        d = dig("kdig", nim.addr, nim.port, "missing.test", "SOA", "+edns")
        c.check("EDE: 14 (Not Ready)" in d.out and "zone not loaded" in d.out,
                "kdig shows EDE 14 with its text", d.out[-400:])
        # kdig prints no OPT for a refused AXFR (dnspython checked it above); dig with an
        # EDE option of its own (+ednsopt, which a server ignores in a query) for a hidden value.
        d = dig("dig", nim.addr, nim.port, "-c", "CH", "version.bind", "TXT", "+ednsopt=15:0000")
        c.check(d.status == "REFUSED" and "EDE: 18 (Prohibited)" in d.out,
                "dig +ednsopt: hidden version.bind shows EDE 18", d.out[-400:])
        d = dig("dig", nim.addr, nim.port, "www.ede.test", "A", "+edns=0")
        c.check(d.status == "NOERROR" and "EDE" not in d.out, "dig: no EDE on a positive answer",
                d.out[-400:])

        # The EDE counts against the UDP size: a 255-octet name at the smallest size.
        long_name = ".".join(["b" * 63] * 3 + ["c" * 48, "missing", "test"]) + "."
        q = make_query(long_name, "A", edns=0, payload=512)
        wire = udp_raw(nim.srv.addr, nim.srv.port, q.to_wire(), 3.0)
        r = parse(wire)
        c.check(wire is not None and len(wire) <= 512, "255-octet name, EDNS 512: answer <= 512 octets",
                wire and len(wire))
        c.eq([g[0] for g in edes(r)], [14], "255-octet name: EDE 14 still there")
        c.eq(len(r.question) if r else None, 1, "255-octet name: question echoed")
        # An OPT with an EDE option in the query is ignored (RFC 8914 §3: only responses carry it).
        q = make_query("www.ede.test.", "A", edns=0)
        q.use_edns(0, 0, 1232, options=[dns.edns.EDEOption(0, "client")])
        wire = udp_raw(nim.srv.addr, nim.srv.port, q.to_wire(), 3.0)
        r = parse(wire)
        c.check(r is not None and r.rcode() == 0 and edes(r) == [], "EDE in a query: ignored", r and edes(r))
        c.check(nim.srv.alive(), "server still running")
    except StartError as e:
        c.check(False, "servers start", str(e))
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(tmpdir, ignore_errors=True)
    c.finish()


if __name__ == "__main__":
    main()
