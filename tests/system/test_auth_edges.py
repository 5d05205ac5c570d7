"""Edge cases of the authoritative answer, compared with NSD and Knot DNS.

Issue 9 points 1 and 2, each over an unsigned, an NSEC-signed and an
NSEC3-signed zone (test-local copies: example-nsec.test and
example-nsec3.test from zones/ with extra names appended, signed here with
the test keys of zones/keys; and an unsigned wloop.test written here):

  - Wildcard CNAME chains that come back into their own wildcard
    (`*.wloop CNAME again.wloop`, so again.wloop is itself synthesized):
    the chain is followed until a name repeats (RFC 1034 §4.3.2 step 3a,
    RFC 4592 §4.3), each synthesized CNAME with its RRSIG and the proof of
    each wildcard expansion (RFC 4035 §3.1.3.3, RFC 5155 §7.2.6). Compared
    with NSD and Knot: every section, as test_auth_compare.py compares them.
  - QCLASS ANY (255): answered from the class IN data with AA clear
    (RFC 1034 §3.7.1: an answer to a class-* query may be incomplete, so it
    is not authoritative), the question echoing class ANY, as NSD answers.
    Compared with NSD only: Knot sets AA for these (the issue asks for NSD's
    behaviour).

  /usr/bin/python3 tests/system/test_auth_edges.py [--seed N] [--verbose]
Exit status 0 pass, 1 fail, 77 skip (NSD, Knot or ldns-signzone missing).
"""

import argparse
import glob
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # keep the source tree clean when run by hand
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
sys.path.insert(0, HERE)
from nimtest import NIMBUSD, TOP_SRCDIR, StartError, make_query, skip  # noqa: E402
import test_auth_compare as tac  # noqa: E402

import dns.flags  # noqa: E402
import dns.rdataclass  # noqa: E402

ZONES_DIR = os.path.join(TOP_SRCDIR, "zones")

# Appended to each zone: loops through one wildcard, a chain through two
# wildcards that ends in data, a chain from an exact name into a looping
# wildcard, and a wildcard CNAME to a name that does not exist.
LOOP_DATA = """
*.wloop		CNAME	again.wloop
*.w2loop	CNAME	x.w2loopb
*.w2loopb	CNAME	y.w2loop
*.wchain	CNAME	z.wchain2
*.wchain2	CNAME	www
intoloop	CNAME	q.wloop
*.wnx		CNAME	nothere
"""

UNSIGNED_ZONE = """$ORIGIN wloop.test.
$TTL 3600
@	SOA	ns1 hostmaster 2026120401 7200 3600 1209600 300
	NS	ns1
ns1	A	192.0.2.53
www	A	192.0.2.80
	AAAA	2001:db8::80
sub	NS	ns.sub
ns.sub	A	192.0.2.9
cname	CNAME	www
""" + LOOP_DATA

LOOP_NAMES = ["x.wloop", "again.wloop", "X.WLoop", "a.b.wloop", "x.w2loop", "y.w2loop",
              "q.wchain", "intoloop", "m.wnx"]
LOOP_TYPES = ["A", "TXT", "CNAME", "ANY"]
# QCLASS ANY: existing data, CNAME, NODATA, NXDOMAIN, wildcard, referral, apex types.
CLASS_ANY_NAMES = [("www", "A"), ("www", "AAAA"), ("www", "TXT"), ("cname", "A"),
                   ("nx", "A"), ("nx.b", "TXT"), ("x.wloop", "A"), ("@", "SOA"), ("@", "NS"),
                   ("@", "ANY"), ("@", "DNSKEY"), ("foo.wild", "A"), ("host.insecure", "A"),
                   ("host.secure", "A"), ("host.sub", "A"), ("secure", "DS"), ("ns1", "A")]

VARIANTS = [("udp", None, False), ("udp", 1232, False), ("udp", 1232, True),
            ("udp", 512, True), ("tcp", 4096, True)]


class Query(tac.Query):
    def __init__(self, qname, qtype, transport, payload, do, rd, cd, qclass="IN", peers=("nsd", "knot")):
        super().__init__(qname, qtype, transport, payload, do, rd, cd)
        self.qclass = qclass
        self.peers = peers

    def message(self):
        q = make_query(self.qname, self.qtype, self.qclass, rd=self.rd,
                       edns=None if self.payload is None else 0,
                       payload=self.payload or 1232, do=self.do)
        if self.cd:
            q.flags |= dns.flags.CD
        return q

    def __str__(self):
        return super().__str__() + ("" if self.qclass == "IN" else f" class {self.qclass}")


def sign(tmpdir, zone):
    """zones/<zone>.zone.in with LOOP_DATA appended, signed as zones/sign.sh signs it."""
    src = os.path.join(tmpdir, zone + ".zone.in")
    with open(os.path.join(ZONES_DIR, zone + ".zone.in"), encoding="utf-8") as f:
        text = f.read()
    with open(src, "w", encoding="utf-8") as f:
        f.write(text + LOOP_DATA)
    keys = sorted(k[:-len(".private")] for k in glob.glob(os.path.join(ZONES_DIR, "keys", f"K{zone}.+*.private")))
    now = int(time.time())
    extra = ["-n", "-a", "1", "-t", "0", "-s", "", "-p"] if "nsec3" in zone else []
    out = os.path.join(tmpdir, zone + ".zone")
    subprocess.run(["ldns-signzone"] + extra + ["-i", str(now - 86400), "-e", str(now + 30 * 86400),
                    "-o", zone + ".", "-f", out, src] + keys, check=True, stdout=subprocess.DEVNULL)
    return out


def corpus(origins, rng):
    out = []
    for origin in origins:
        for rel in LOOP_NAMES:
            for qtype in LOOP_TYPES:
                for transport, payload, do in VARIANTS:
                    out.append(Query(f"{rel}.{origin}", qtype, transport, payload, do,
                                     rng.random() < 0.5, False))
        for rel, qtype in CLASS_ANY_NAMES:
            name = origin if rel == "@" else f"{rel}.{origin}"
            for transport, payload, do in VARIANTS:
                out.append(Query(name, qtype, transport, payload, do, rng.random() < 0.5, False,
                                 qclass="ANY", peers=("nsd",)))
    return out


def report(queries, answers, zd, verbose):
    n_fail = 0
    for i, q in enumerate(queries):
        s = answers["nimbusd"][i]
        diffs = {p: tac.compare(q, s, answers[p][i], zd) for p in q.peers}
        diffs = {p: d for p, d in diffs.items() if d}
        if not s.ok:
            diffs["nimbusd"] = ["no answer"]
        elif q.qclass == "ANY":
            # The question echoes class ANY; the records are the zone's, class IN.
            if [r.rdclass for r in s.msg.question] != [dns.rdataclass.ANY]:
                diffs["nimbusd"] = ["question class"]
            if any(r.rdclass != dns.rdataclass.IN for sec in (s.msg.answer, s.msg.authority,
                                                           s.msg.additional) for r in sec):
                diffs.setdefault("nimbusd", []).append("record class")
        if not diffs:
            if verbose:
                print(f"ok   {q}")
            continue
        n_fail += 1
        print(f"FAIL {q}: differs from " + "; ".join(f"{p} in {', '.join(d)}" for p, d in diffs.items()))
        for p in q.peers:
            for line in tac.explain(q, s, answers[p][i], zd):
                print(f"  nimbusd vs {p}: {line}")
        for kind in ("nimbusd",) + tuple(q.peers):
            for line in tac.show(kind, answers[kind][i]):
                print(line)
    print(f"== test_auth_edges: {len(queries) - n_fail} of {len(queries)} queries match", flush=True)
    return 1 if n_fail else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    for tool in (tac.NSD, tac.KNOTD):
        if not os.access(tool, os.X_OK):
            skip(f"{tool} is not installed")
    if shutil.which("ldns-signzone") is None:
        skip("ldns-signzone is not installed (package ldnsutils)")
    if not os.access(NIMBUSD, os.X_OK):
        print(f"FAIL no nimbusd binary at {NIMBUSD}", flush=True)
        return 1
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    print(f"== test_auth_edges (seed {seed}; nimbusd: {NIMBUSD})", flush=True)
    tmpdir = tempfile.mkdtemp(prefix="nimedge-")
    servers = []
    try:
        unsigned = os.path.join(tmpdir, "wloop.test.zone")
        with open(unsigned, "w", encoding="utf-8") as f:
            f.write(UNSIGNED_ZONE)
        zone_files = [("wloop.test.", unsigned),
                      ("example-nsec.test.", sign(tmpdir, "example-nsec.test")),
                      ("example-nsec3.test.", sign(tmpdir, "example-nsec3.test"))]
        origins = [o for o, _ in zone_files]
        zd = tac.ZoneData(zone_files)
        queries = corpus(origins, rng)
        for kind in ("nsd", "knot", "nimbusd"):
            srv = tac.NimbusdServer(zone_files) if kind == "nimbusd" else tac.Peer(kind, tmpdir, zone_files)
            servers.append(srv)
            srv.start(origins)
            print(f"{kind} ready on {srv.addr}@{srv.port}", flush=True)
        answers = tac.run_all(servers, queries)
        return report(queries, answers, zd, args.verbose)
    except StartError as e:
        print(f"FAIL {e}", flush=True)
        return 1
    finally:
        for srv in servers:
            srv.stop()
        shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
