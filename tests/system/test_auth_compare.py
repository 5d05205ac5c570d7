"""nimbusd's authoritative answers compared with NSD's and Knot DNS's.

The three servers serve the same zones (zones/: example.com with its child
sub.example.com, and the NSEC and NSEC3 signed zones, signed afresh by
zones/sign.sh into the temporary directory). A corpus generated from the
zones (every name x several types, names that do not exist, names below
wildcards, cuts and DNAMEs, DNSSEC types, mixed case) is sent to each in
several forms (UDP/TCP, with and without EDNS, DO, small EDNS sizes that
force TC). Per query, nimbusd is compared with NSD and with Knot: RCODE,
header flags, OPT presence and DO, and the three sections as sets of RRsets
(names ignoring case, TTLs, RDATA in canonical form, RRSIGs as RRsets).

A difference fails unless a named rule of ALLOWANCES (below, each with its
RFC section) allows it. Where NSD and Knot answer differently, nimbusd must
match one of them; PEER_SPLITS names the known splits and which side the RFC
takes.

  /usr/bin/python3 tests/system/test_auth_compare.py [--peers-only [--show-splits]]
      [--seed N] [--verbose] [--max-diffs N] [--only PART]

--peers-only compares NSD with Knot (no nimbusd): it shows where the two
peers disagree. Exit status 0 pass, 1 fail, 77 skip (NSD, Knot or
ldns-signzone missing).
"""

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # keep the source tree clean when run by hand
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nimtest import (NIMBUSD, TOP_SRCDIR, Nimbusd, StartError, free_port, make_query,  # noqa: E402
                     parse, random_loopback, skip, tcp_raw, udp_raw)

import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.name  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rdataclass  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.zone  # noqa: E402

NSD = "/usr/sbin/nsd"
KNOTD = "/usr/sbin/knotd"
ZONES_DIR = os.path.join(TOP_SRCDIR, "zones")

# (origin, file, signed): signed zones are signed by zones/sign.sh into the temp dir.
ZONES = [
    ("example.com.", "example.com.zone", False),
    ("sub.example.com.", "sub.example.com.zone", False),
    ("example-nsec.test.", "example-nsec.test.zone", True),
    ("example-nsec3.test.", "example-nsec3.test.zone", True),
]

FLAG_NAMES = [("QR", dns.flags.QR), ("AA", dns.flags.AA), ("TC", dns.flags.TC),
              ("RD", dns.flags.RD), ("RA", dns.flags.RA), ("AD", dns.flags.AD),
              ("CD", dns.flags.CD)]

# ---------------------------------------------------------------------------
# Servers.


class Peer:
    """NSD or Knot on its own address and port, with its config in tmpdir; stopped by PID."""

    def __init__(self, kind, tmpdir, zone_files, label=None):
        self.kind = label or kind  # the name its answers go by
        self.addr = random_loopback()
        self.port = free_port([self.addr])
        self.dir = os.path.join(tmpdir, self.kind)
        os.makedirs(self.dir)
        self.log_path = os.path.join(self.dir, "stderr.log")
        self.proc = None
        self.conf = os.path.join(self.dir, kind + ".conf")
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(self.nsd_conf(zone_files) if kind == "nsd" else self.knot_conf(zone_files))

    def nsd_conf(self, zone_files):
        d = self.dir
        out = [
            "server:",
            f"  ip-address: {self.addr}@{self.port}",
            f"  port: {self.port}",
            "  do-ip6: no",
            "  server-count: 1",
            "  reuseport: no",
            '  username: ""',
            '  chroot: ""',
            f'  zonesdir: "{d}"',
            f'  pidfile: "{d}/nsd.pid"',
            '  database: ""',
            f'  zonelistfile: "{d}/zone.list"',
            f'  xfrdfile: "{d}/xfrd.state"',
            f'  xfrdir: "{d}"',
            f'  logfile: "{d}/nsd.log"',
            "  verbosity: 1",
            "  hide-version: yes",
            "  minimal-responses: no",
            "  refuse-any: no",
            "  rrl-ratelimit: 0",
            "  rrl-whitelist-ratelimit: 0",
            "remote-control:",
            "  control-enable: no",
        ]
        for origin, path in zone_files:
            out += ["zone:", f"  name: {origin}", f'  zonefile: "{path}"']
        return "\n".join(out) + "\n"

    def knot_conf(self, zone_files):
        d = self.dir
        out = [
            "server:",
            f"  listen: {self.addr}@{self.port}",
            f'  rundir: "{d}"',
            f'  pidfile: "{d}/knot.pid"',
            "  udp-workers: 1",
            "  tcp-workers: 1",
            "  background-workers: 1",
            "log:",
            "  - target: stderr",
            "    any: info",
            "database:",
            f'  storage: "{d}/db"',
            "control:",
            f'  listen: "{d}/knot.sock"',
            "template:",
            "  - id: default",
            f'    storage: "{d}"',
            "    zonefile-sync: -1",
            "    zonefile-load: whole",
            "    journal-content: none",
            "    semantic-checks: off",
            "zone:",
        ]
        for origin, path in zone_files:
            out += [f"  - domain: {origin}", f'    file: "{path}"']
        return "\n".join(out) + "\n"

    def start(self, origins, timeout=20):
        if os.path.exists(os.path.join(self.dir, "nsd.conf")):
            cmd = [NSD, "-d", "-c", self.conf]
        else:
            cmd = [KNOTD, "-c", self.conf]
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, cwd=self.dir)
        if not wait_ready(self, origins, timeout):
            self.stop()
            raise StartError(f"{self.kind} did not answer SOA for every zone within {timeout}s; "
                             f"its log:\n{self.log_text()}")
        return self

    def log_text(self, last=30):
        text = ""
        for path in (self.log_path, os.path.join(self.dir, "nsd.log")):
            if os.path.exists(path):
                with open(path, encoding="utf-8", errors="replace") as f:
                    text += "".join(f.readlines()[-last:])
        return text

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.log.close()


def soa_ok(addr, port, origin):
    q = make_query(origin, "SOA", rd=False)
    r = parse(udp_raw(addr, port, q.to_wire(), 0.5))
    return (r is not None and r.rcode() == dns.rcode.NOERROR and r.flags & dns.flags.AA
            and any(rr.rdtype == dns.rdatatype.SOA for rr in r.answer))


def wait_ready(srv, origins, timeout):
    """Polls SOA of every zone until all answer (or the deadline passes, or the process exits)."""
    deadline = time.monotonic() + timeout
    left = list(origins)
    for _ in range(100000):
        left = [o for o in left if not soa_ok(srv.addr, srv.port, o)]
        if not left:
            return True
        if time.monotonic() > deadline or (srv.proc is not None and srv.proc.poll() is not None):
            return False
        time.sleep(0.05)
    return False


class NimbusdServer:
    """nimbusd through nimtest.Nimbusd, with a zones: list in its config."""

    kind = "nimbusd"

    def __init__(self, zone_files):
        self.srv = Nimbusd(workers=2)
        text = self.srv.config_text()
        zl = "".join(f'  - {{ name: "{o}", file: "{p}" }}\n' for o, p in zone_files)
        self.srv.write_config(text.replace("zones: []\n", "zones:\n" + zl))
        self.addr, self.port, self.proc = self.srv.addr, self.srv.port, None

    def start(self, origins, timeout=20):
        self.srv.start(timeout)
        self.proc = self.srv.proc
        if not wait_ready(self, origins, timeout):
            raise StartError("nimbusd logged ready: but does not answer SOA for every zone "
                             "(AA, NOERROR); its log:\n" + "\n".join(self.srv.lines[-30:]))
        return self

    def log_text(self, last=30):
        return "\n".join(self.srv.lines[-last:])

    def stop(self):
        self.srv.stop()
        shutil.rmtree(self.srv.tmpdir, ignore_errors=True)


# ---------------------------------------------------------------------------
# The zones as data: the corpus comes from them, and extra additional data
# is checked against them.


class ZoneData:
    def __init__(self, zone_files):
        self.zones = {}
        # (owner, type, covers) -> [(ttl, rdata set), ...], owner lower-case text; a list as a
        # name at a cut between two zones we serve has both (delegation NS and apex NS).
        self.rrsets = {}
        for origin, path in zone_files:
            z = dns.zone.from_file(path, origin, relativize=False, check_origin=True)
            self.zones[dns.name.from_text(origin)] = z
            for name, node in z.nodes.items():
                for rds in node.rdatasets:
                    key = (name.to_text().lower(), dns.rdatatype.to_text(rds.rdtype),
                           dns.rdatatype.to_text(rds.covers) if rds.covers else "")
                    val = (rds.ttl, frozenset(canon_rdata(rd) for rd in rds))
                    self.rrsets.setdefault(key, []).append(val)

    def zone_of(self, name):
        best = None
        for origin in self.zones:
            if name.is_subdomain(origin) and (best is None or len(origin) > len(best)):
                best = origin
        return best

    def node_types(self, name):
        z = self.zones.get(self.zone_of(name))
        node = z.get_node(name) if z else None
        return {rds.rdtype for rds in node.rdatasets} if node else set()

    def exists(self, name):
        """True when name owns data or is an empty non-terminal (RFC 4592 §2.2.2)."""
        z = self.zones.get(self.zone_of(name))
        return z is not None and any(n.is_subdomain(name) for n in z.nodes)

    def cut_of(self, name):
        """The delegation (non-apex NS owner) at or above name in its zone, or None."""
        origin = self.zone_of(name)
        if origin is None:
            return None
        z = self.zones[origin]
        n = name
        found = None
        while n != origin and len(n) > len(origin):
            node = z.get_node(n)
            if node and node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NS):
                found = n
            n = n.parent()
        return found


def canon_rdata(rd):
    """RDATA in canonical form (RFC 4034 §6.2: embedded names lower-cased), as hex."""
    return rd.to_digestable(dns.name.root).hex()


# ---------------------------------------------------------------------------
# The corpus.

BASE_TYPES = ["A", "AAAA", "TXT", "MX"]
APEX_TYPES = ["SOA", "NS", "DNSKEY", "NSEC3PARAM", "ANY"]

# Names that do not exist in the files but test one path of the algorithm.
EXTRA_NAMES = {
    "example.com.": [
        "nx", "a.nx", "nx.b", "nx.y.z", "foo.wild", "a.b.wild", "FoO.WiLd", "x.exists.wild",
        "x.below.wild", "foo.wild2", "x.foo.wild2", "bar.cwild", "m.mxwild", "host.deleg",
        "a.b.deleg", "nope.deleg", "host.outdeleg", "x.sibdeleg", "www.dname", "a.b.DNAME",
        "host.dname-in", "deeper.host.dname-in", "nx.dname-in", "www.dname-child",
        "nope.dname-child", "x.loop1", "x.cname",
    ],
    "sub.example.com.": ["nope", "nope.ent", "a.wild", "x.grandchild", "www.x.grandchild"],
    "example-nsec.test.": ["nx", "nx.b", "a.z", "foo.wild", "x.exists.wild", "foo.wild2",
                           "a.cwild", "host.secure", "host.insecure", "host.outsec", "www.dname",
                           "zzz", "0"],
    "example-nsec3.test.": ["nx", "nx.b", "a.z", "foo.wild", "x.exists.wild", "foo.wild2",
                            "a.cwild", "host.secure", "host.insecure", "host.outsec",
                            "www.dname", "zzz", "0"],
}
OUTSIDE_NAMES = ["example.org.", "com.", ".", "test."]  # served by nobody here: REFUSED


def mixed_case(rng, name):
    return "".join(c.upper() if rng.random() < 0.5 else c for c in name)


def base_queries(zd, rng):
    """(qname text, qtype text) pairs: every name of the zones x several types, plus extras."""
    out = []
    for origin, z in zd.zones.items():
        signed = any(n.get_rdataset(dns.rdataclass.IN, dns.rdatatype.RRSIG) for n in z.nodes.values())
        for name in sorted(z.nodes):
            types = {dns.rdatatype.to_text(t) for t in zd.node_types(name)} - {"RRSIG", "NSEC", "NSEC3"}
            if any(t == dns.rdatatype.NSEC3 for t in zd.node_types(name)):
                out += [(name.to_text(), "NSEC3"), (name.to_text(), "A")]
                continue
            qtypes = set(BASE_TYPES) | types | {"ANY"}
            if name == origin:
                qtypes |= set(APEX_TYPES)
            if "NS" in types or "DS" in types:
                qtypes |= {"NS", "DS"}
            qtypes |= {"RRSIG", "NSEC", "DS"} if signed else {"RRSIG"}
            for t in sorted(qtypes):
                out.append((name.to_text(), t))
        extra = [rel + "." + origin.to_text() for rel in EXTRA_NAMES.get(origin.to_text(), [])]
        ents = set()  # empty non-terminals: ancestors of names that own nothing themselves
        for name in z.nodes:
            for a in ancestors(name):
                if a.is_subdomain(origin) and a != origin and a not in z.nodes:
                    ents.add(a)
        for n in extra + [e.to_text() for e in sorted(ents)]:
            for t in ["A", "TXT", "DS", "ANY"] + (["NSEC"] if signed else []):
                out.append((n, t))
    for n in OUTSIDE_NAMES:
        out.append((n, "SOA"))
    out.append(("example.com.", "CNAME"))
    out.append(("cname.example.com.", "CNAME"))
    out.append(("dname.example.com.", "DNAME"))
    out.append(("www.example.com.", "TYPE65280"))  # unknown type: NODATA
    return out


# (label, transport, edns payload or None, DO): every base query is sent in each form.
VARIANTS = [
    ("udp", None, False),
    ("udp", 1232, False),
    ("udp", 1232, True),
    ("udp", 512, True),
    ("tcp", None, False),
    ("tcp", 4096, True),
]


class Query:
    def __init__(self, qname, qtype, transport, payload, do, rd, cd):
        self.qname, self.qtype, self.transport = qname, qtype, transport
        self.payload, self.do, self.rd, self.cd = payload, do, rd, cd

    def message(self):
        q = make_query(self.qname, self.qtype, rd=self.rd,
                       edns=None if self.payload is None else 0,
                       payload=self.payload or 1232, do=self.do)
        if self.cd:
            q.flags |= dns.flags.CD
        return q

    def __str__(self):
        edns = "noedns" if self.payload is None else f"edns={self.payload}{' +DO' if self.do else ''}"
        bits = [b for b, on in (("+RD", self.rd), ("+CD", self.cd)) if on]
        return " ".join([self.qname, self.qtype, self.transport, edns] + bits)


def corpus(zd, rng):
    out = []
    for qname, qtype in base_queries(zd, rng):
        for transport, payload, do in VARIANTS:
            name = mixed_case(rng, qname) if rng.random() < 0.3 else qname
            rd = rng.random() < 0.5
            cd = do and rng.random() < 0.3
            out.append(Query(name, qtype, transport, payload, do, rd, cd))
    return out


# ---------------------------------------------------------------------------
# Answers in comparable form.


class Answer:
    """One server's answer: header, OPT and sections as {(owner, type, covers): (ttl, rdatas)}."""

    def __init__(self, wire):
        self.wire = wire
        self.msg = parse(wire)
        self.ok = self.msg is not None
        if not self.ok:
            return
        m = self.msg
        self.rcode = dns.rcode.to_text(m.rcode())
        self.flags = frozenset(n for n, f in FLAG_NAMES if m.flags & f)
        self.edns = (m.edns >= 0, bool(m.ednsflags & dns.flags.DO))
        self.sec = {"answer": rrsets(m.answer), "authority": rrsets(m.authority),
                    "additional": rrsets(m.additional)}

    def tc(self):
        return self.ok and "TC" in self.flags


def rrsets(section):
    out = {}
    for rrs in section:
        key = (rrs.name.to_text().lower(), dns.rdatatype.to_text(rrs.rdtype),
               dns.rdatatype.to_text(rrs.covers) if rrs.covers else "")
        rds = frozenset(canon_rdata(rd) for rd in rrs)
        if key in out:  # the same RRset twice in one section (loops): one set
            rds = rds | out[key][1]
        out[key] = (rrs.ttl, rds)
    return out


def rrset_text(key, val, msg=None):
    owner, rtype, covers = key
    return f"{owner} {val[0]} {rtype}{'(' + covers + ')' if covers else ''} x{len(val[1])}"


def components(a):
    """The parts compared one by one."""
    if not a.ok:
        return {"parse": "no answer or unparsable"}
    return {"rcode": a.rcode, "flags": a.flags, "opt": a.edns,
            "answer": a.sec["answer"], "authority": a.sec["authority"],
            "additional": a.sec["additional"]}


# ---------------------------------------------------------------------------
# What the RFCs leave open. Each rule gets the query, the subject's and the peer's
# answers, their components (sc, pc) and the zone data, and takes out of sc and pc
# what it allows to differ (None: not compared); the rest must be equal.


def is_referral(a):
    return (a.ok and a.rcode == "NOERROR" and not a.sec["answer"] and "AA" not in a.flags
            and any(k[1] == "NS" for k in a.sec["authority"]))


def required_glue(a, zd):
    """RFC 9471 §3.1: A/AAAA of in-domain name servers (at or below the cut) of a referral."""
    need = set()
    for rrs in a.msg.authority:
        if rrs.rdtype != dns.rdatatype.NS:
            continue
        for rd in rrs:
            if rd.target.is_subdomain(rrs.name):
                for t in ("A", "AAAA"):
                    key = (rd.target.to_text().lower(), t, "")
                    if key in zd.rrsets:
                        need.add(key)
    return need


def rule_additional(q, s, p, sc, pc, zd):
    """RFC 1034 §4.3.2 step 6, RFC 2181 §5.4.1, RFC 4035 §3.1.1: additional-section data is
    optional, except in-domain glue of a referral (RFC 9471 §3.1: MUST, or TC=1). What the
    subject puts there must be the zone's own data (no invented records)."""
    need = required_glue(p, zd) if is_referral(p) else set()
    s_add, p_add = dict(sc["additional"]), dict(pc["additional"])
    for key, val in list(s_add.items()):
        same = p_add.get(key) == val
        if same or (val in zd.rrsets.get(key, ()) and (key not in need or key not in p_add)):
            del s_add[key]
            p_add.pop(key, None)
    for key in list(p_add):
        if key not in need or "TC" in s.flags:
            del p_add[key]
    sc["additional"], pc["additional"] = s_add, p_add
    return True


def rule_truncated(q, s, p, sc, pc, zd):
    """RFC 2181 §9, RFC 1035 §4.1.1: with TC=1 the answer is incomplete and the client asks
    again over TCP; what a truncated answer holds is not specified. When both set TC, the
    sections are not compared."""
    if "TC" in s.flags and "TC" in p.flags:
        for k in ("answer", "authority", "additional"):
            sc[k] = pc[k] = None
    return True


def ancestors(name):
    out = []
    while len(name) > 1:
        name = name.parent()
        out.append(name)
    return out


def rule_any(q, s, p, sc, pc, zd):
    """RFC 8482 §4.1-4.2: ANY may be answered with a subset of the RRsets at the name (one
    or more, with their RRSIGs under DO) or a synthesized HINFO RRset; which subset is the
    server's choice (NSD and Knot choose differently), so each RRset given must be the zone's."""
    if q.qtype != "ANY" or s.rcode != "NOERROR" or p.rcode != "NOERROR" or not pc["answer"]:
        return True
    qname = dns.name.from_text(q.qname)
    owners = [qname] + [dns.name.Name((b"*",) + n.labels) for n in ancestors(qname)]

    def zones_own(key, val):  # the RRset at QNAME, or at a wildcard that covers it
        return key[0] == q.qname.lower() and any(
            val in zd.rrsets.get((o.to_text().lower(), key[1], key[2]), ()) for o in owners)

    sa = sc["answer"]
    if sa and all(k[1] == "HINFO" or pc["answer"].get(k) == v or zones_own(k, v)
                  for k, v in sa.items()):
        sc["answer"] = pc["answer"] = None
        sc["additional"] = pc["additional"] = None  # follows from the answer chosen
    return True


def rule_authority_ns(q, s, p, sc, pc, zd):
    """RFC 1034 §4.3.2 step 3a and §6.2.1, RFC 2181 §6.1: in a positive answer the zone's NS
    RRset (with its RRSIG) in the authority section is optional (NSD adds it, Knot does
    not); when given it must be the zone's apex NS RRset."""
    if s.rcode != "NOERROR" or p.rcode != "NOERROR" or not pc["answer"] or not sc["answer"]:
        return True
    for c in (sc, pc):
        if c["authority"] is None:
            continue
        auth = dict(c["authority"])
        for key, val in list(auth.items()):
            if (key[1] == "NS" or key[2] == "NS") and val in zd.rrsets.get(key, ()) \
                    and dns.name.from_text(key[0]) in zd.zones:
                del auth[key]
        c["authority"] = auth
    return True


ALLOWANCES = [
    ("additional-optional", "RFC 1034 §4.3.2 step 6; RFC 9471 §3", rule_additional),
    ("truncated-content", "RFC 2181 §9; RFC 1035 §4.1.1", rule_truncated),
    ("any-minimal", "RFC 8482 §4.1-4.2", rule_any),
    ("authority-ns-optional", "RFC 1034 §4.3.2 step 3a, §6.2.1; RFC 2181 §6.1", rule_authority_ns),
]
# Not rules but how the comparison works, so the RFCs' freedom is never a failure:
#   order of RRs and RRsets (RFC 2181 §5): sections are compared as sets of RRsets;
#   letter case of names (RFC 4343 §3): owners and RDATA names compared lower-cased
#   (RDATA in canonical form, RFC 4034 §6.2);
#   EDNS payload size (RFC 6891 §6.2.5): each server's own; only OPT presence and DO compared.

# Known splits between NSD and Knot, found with --peers-only. Each: (name, RFC, classifier
# (query, nsd answer, knot answer, zone data) -> bool, the side the RFC takes: "nsd", "knot" or
# "either"). Where the peers split, nimbusd must match that side in every compared part.


def split_cross_zone(q, n, k, zd):
    """A CNAME or DNAME in the chain leads into another zone we serve: NSD goes on in that zone
    (RFC 1034 §4.3.2 step 3a: "go back to step 1", which searches all available zones; the
    RCODE is that of the last name, RFC 6604 §2); Knot stops at the zone's edge."""
    if not n.ok:
        return False
    for rrs in n.msg.answer:
        if rrs.rdtype == dns.rdatatype.CNAME:
            for rd in rrs:
                if zd.zone_of(rd.target) not in (None, zd.zone_of(rrs.name)):
                    return True
    return False


def split_rrsig_qtype(q, n, k, zd):
    """QTYPE=RRSIG: RFC 4035 defines no answer for it; RFC 8482 §7 lets it be treated like ANY.
    NSD gives every RRSIG at the name (and follows a CNAME), Knot a subset."""
    return q.qtype == "RRSIG"


def split_wildcard_nodata(q, n, k, zd):
    """DO, NODATA through a wildcard (the wildcard is an empty non-terminal, *.wild2): RFC 4035
    §3.1.3.4 and RFC 5155 §7.2.5 need the proof that QNAME does not exist and the proof that the
    wildcard has no RRset of QTYPE; NSD gives both, Knot only the first (and so fits in 512
    octets where NSD sets TC)."""
    name = dns.name.from_text(q.qname)
    return (q.do and n.ok and n.rcode == "NOERROR" and not n.sec["answer"]
            and zd.cut_of(name) is None and not zd.exists(name)
            and zd.exists(dns.name.Name((b"*",) + name.parent().labels)))


def split_literal_wildcard(q, n, k, zd):
    """DO, NODATA for the wildcard's own name (QNAME *.wild): an exact match, no wildcard
    expansion (RFC 4592 §3.3.1); RFC 5155 §7.2.3 needs only the NSEC3 matching QNAME. Knot
    gives that; NSD adds wildcard proofs (and sets TC at 512 where Knot's answer fits)."""
    return q.do and q.qname.startswith("*.") and n.ok and not n.sec["answer"]


PEER_SPLITS = [  # the first that matches decides: QTYPE=RRSIG at a CNAME is not followed at all
    ("qtype-rrsig", "RFC 8482 §7; RFC 4035 §3.1", split_rrsig_qtype, "either"),
    ("cname-into-served-zone", "RFC 1034 §4.3.2 step 3a; RFC 6604 §2", split_cross_zone, "nsd"),
    ("wildcard-nodata-proof", "RFC 4035 §3.1.3.4; RFC 5155 §7.2.5", split_wildcard_nodata, "nsd"),
    ("literal-wildcard-nodata", "RFC 4592 §3.3.1; RFC 5155 §7.2.3", split_literal_wildcard, "knot"),
]


def classify_split(q, n, k, zd):
    for name, rfc, fn, side in PEER_SPLITS:
        if fn(q, n, k, zd):
            return name, rfc, side
    return None


def compare(q, s, p, zd, used=None):
    """The components where subject s and peer p differ after the allowances. used (a dict)
    counts the rules that took a difference away."""
    sc, pc = components(s), components(p)
    if not s.ok or not p.ok:
        return [] if s.ok == p.ok else ["parse"]
    for name, _, fn in ALLOWANCES:
        before = sum(sc[k] != pc[k] for k in sc)
        fn(q, s, p, sc, pc, zd)
        if used is not None and sum(sc[k] != pc[k] for k in sc) < before:
            used[name] = used.get(name, 0) + 1
    return [k for k in sc if sc[k] != pc[k]]


# ---------------------------------------------------------------------------
# Sending.


def exchange(srv, q, msg, timeout):
    wire = msg.to_wire()
    if q.transport == "udp":
        return udp_raw(srv.addr, srv.port, wire, timeout)
    return tcp_raw(srv.addr, srv.port, wire, timeout)


RUN_BUDGET = 90.0  # seconds per server for the whole corpus; past it, queries count as unanswered


def run_all(servers, queries):
    """answers[server kind][i]: every server gets the whole corpus, one thread per server.
    A server that stops answering costs short timeouts, and the run stops at RUN_BUDGET."""
    msgs = [q.message() for q in queries]
    answers = {}

    def worker(srv):
        res = []
        deadline = time.monotonic() + RUN_BUDGET
        unanswered = 0
        for q, m in zip(queries, msgs):
            wire = None
            if time.monotonic() < deadline:
                timeout = 2.0 if unanswered < 10 else 0.3
                wire = exchange(srv, q, m, timeout)
                if wire is None:  # one retry: a lost UDP datagram is not a finding
                    wire = exchange(srv, q, m, timeout)
                unanswered += wire is None
            res.append(Answer(wire))
        answers[srv.kind] = res

    threads = [threading.Thread(target=worker, args=(s,)) for s in servers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def show(kind, a):
    if not a.ok:
        return [f"  {kind}: no answer or unparsable"]
    lines = [f"  {kind}: {a.rcode} flags={' '.join(sorted(a.flags))} opt={a.edns[0]} do={a.edns[1]}"]
    for sec in ("answer", "authority", "additional"):
        rr = getattr(a.msg, sec)
        for rrs in sorted(rr, key=lambda r: (r.name.to_text().lower(), r.rdtype, r.covers)):
            for line in rrs.to_text().splitlines():
                if len(line) > 110:
                    line = line[:107] + "..."
                lines.append(f"    {sec[:4]} {line}")
    return lines


def explain(q, s, p, zd):
    """Lines naming what differs between subject s and peer p (after the allowances)."""
    sc, pc = components(s), components(p)
    if not s.ok or not p.ok:
        return []
    for _, _, fn in ALLOWANCES:
        fn(q, s, p, sc, pc, zd)
    out = []
    for part in ("rcode", "flags", "opt"):
        if sc[part] != pc[part]:
            fmt = (lambda v: " ".join(sorted(v))) if part == "flags" else str
            out.append(f"{part}: {fmt(sc[part])} vs {fmt(pc[part])}")
    for part in ("answer", "authority", "additional"):
        a, b = sc[part] or {}, pc[part] or {}
        if sc[part] == pc[part]:
            continue
        for key in sorted(set(a) | set(b)):
            if a.get(key) == b.get(key):
                continue
            if key not in b:
                out.append(f"{part}: only here: {rrset_text(key, a[key])}")
            elif key not in a:
                out.append(f"{part}: missing:   {rrset_text(key, b[key])}")
            elif a[key][0] != b[key][0]:
                out.append(f"{part}: TTL {a[key][0]} vs {b[key][0]}: {key[0]} {key[1]}")
            else:
                out.append(f"{part}: RDATA differs: {rrset_text(key, a[key])} vs x{len(b[key][1])}")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--peers-only", action="store_true", help="compare NSD with Knot only")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--max-diffs", type=int, default=40, help="diffs printed in full")
    ap.add_argument("--show-splits", action="store_true",
                    help="with --peers-only, print the known NSD/Knot splits as failures too")
    ap.add_argument("--stand-in", choices=["nsd", "knot"], default=None,
                    help="run this peer in nimbusd's place (it must fail where the RFC takes the other side)")
    ap.add_argument("--only", default=None, help="print only diffs in this part (rcode, flags, ...)")
    args = ap.parse_args()

    for tool in (NSD, KNOTD):
        if not os.access(tool, os.X_OK):
            skip(f"{tool} is not installed (scripts/install-deps test)")
    if shutil.which("ldns-signzone") is None:
        skip("ldns-signzone is not installed (package ldnsutils)")
    if not args.peers_only and not args.stand_in and not os.access(NIMBUSD, os.X_OK):
        print(f"FAIL no nimbusd binary at {NIMBUSD} (build it or set NIMBUSD)", flush=True)
        return 1
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    print(f"== test_auth_compare (seed {seed}; nimbusd: {'none' if args.peers_only else NIMBUSD})",
          flush=True)

    tmpdir = tempfile.mkdtemp(prefix="nimcmp-")
    servers = []
    try:
        subprocess.run([os.path.join(ZONES_DIR, "sign.sh"), tmpdir], check=True,
                       stdout=subprocess.DEVNULL)
        zone_files = [(o, os.path.join(tmpdir if signed else ZONES_DIR, f)) for o, f, signed in ZONES]
        origins = [o for o, _, _ in ZONES]
        zd = ZoneData(zone_files)
        queries = corpus(zd, rng)
        kinds = ["nsd", "knot"] + ([] if args.peers_only else ["nimbusd"])
        for kind in kinds:
            if kind != "nimbusd":
                srv = Peer(kind, tmpdir, zone_files)
            elif args.stand_in:  # a peer in nimbusd's place: shows the test can fail
                srv = Peer(args.stand_in, tmpdir, zone_files, label="nimbusd")
            else:
                srv = NimbusdServer(zone_files)
            servers.append(srv)
            srv.start(origins)
            print(f"{kind} ready on {srv.addr}@{srv.port}", flush=True)
        t0 = time.monotonic()
        answers = run_all(servers, queries)
        print(f"{len(queries)} queries x {len(servers)} servers in {time.monotonic() - t0:.1f}s",
              flush=True)
        return report(args, queries, answers, zd)
    except StartError as e:
        print(f"FAIL {e}", flush=True)
        return 1
    finally:
        for srv in servers:
            srv.stop()
        shutil.rmtree(tmpdir, ignore_errors=True)


def report(args, queries, answers, zd):
    subject = "nsd" if args.peers_only else "nimbusd"
    peers = ["knot"] if args.peers_only else ["nsd", "knot"]
    n_fail = 0
    printed = 0
    by_part = {}
    splits = {}
    used = {}
    for i, q in enumerate(queries):
        s = answers[subject][i]
        diffs = {}
        for peer in peers:
            d = compare(q, s, answers[peer][i], zd, used.setdefault(peer, {}))
            if d:
                diffs[peer] = d
        if diffs and not args.peers_only and compare(q, answers["nsd"][i], answers["knot"][i], zd):
            # NSD and Knot disagree: nimbusd must match the side the RFC takes.
            split = classify_split(q, answers["nsd"][i], answers["knot"][i], zd)
            name, rfc, side = split or ("unclassified", "-", "either")
            matched = [p for p in peers if p not in diffs]
            if matched and (side == "either" or side in matched):
                splits[name] = splits.get(name, 0) + 1
                diffs = {}
            elif not matched:
                diffs = {"nsd or knot": sorted(set(diffs["nsd"]) | set(diffs["knot"]))}
            else:
                diffs = {f"{side} ({name}, {rfc})": diffs[side]}
        elif args.peers_only and diffs:
            split = classify_split(q, answers["nsd"][i], answers["knot"][i], zd)
            name = split[0] if split else "unclassified"
            splits[name] = splits.get(name, 0) + 1
            if split and not args.show_splits:
                diffs = {}
        if not diffs:
            if args.verbose:
                print(f"ok   {q}")
            continue
        n_fail += 1
        for peer, d in diffs.items():
            for part in d:
                by_part[(peer, part)] = by_part.get((peer, part), 0) + 1
        if printed < args.max_diffs and (args.only is None
                                         or any(args.only in d for d in diffs.values())):
            printed += 1
            print(f"FAIL {q}: differs from " + "; ".join(f"{p} in {', '.join(d)}" for p, d in diffs.items()))
            for peer in peers:
                for line in explain(q, s, answers[peer][i], zd):
                    print(f"  {subject} vs {peer}: {line}")
            for kind in [subject] + peers:
                for line in show(kind, answers[kind][i]):
                    print(line)
    for kind in [subject] + peers:
        tally = {}
        for a in answers[kind]:
            key = "no answer" if not a.ok else ("TC" if a.tc() else a.rcode)
            tally[key] = tally.get(key, 0) + 1
            if a.ok and is_referral(a):
                tally["referral"] = tally.get("referral", 0) + 1
        print(f"   {kind}: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
    for peer in peers:
        for name, n in sorted(used.get(peer, {}).items()):
            print(f"   allowance {name} used for {n} answers ({subject} vs {peer})")
    for name, n in sorted(splits.items()):
        print(f"   NSD and Knot split ({name}): {n} answers")
    for (peer, part), n in sorted(by_part.items()):
        print(f"   {subject} vs {peer}: {n} answers differ in {part}")
    print(f"== test_auth_compare: {len(queries) - n_fail} of {len(queries)} queries match "
          f"({subject} vs {', '.join(peers)}), {n_fail} differ", flush=True)
    return 1 if n_fail else 0


if __name__ == "__main__":
    sys.exit(main())
