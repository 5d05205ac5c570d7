"""Zone loading and reload.

1. 50 reloads under query load: a zone whose file is rewritten (temp file +
   rename, size and mtime changed) and SIGHUPed 50 times while client threads
   query it over UDP and TCP. Version i of the zone has serial 1000+i and
   every record that exists in all versions carries i (TXT strings, A
   addresses, the target of a CNAME), so each answer tells which version
   answered it and whether it mixes two. No query is retried: a lost answer,
   a wrong answer (SERVFAIL, REFUSED, NXDOMAIN, a value of no version, two
   versions in one answer) or a version older than one already seen or
   already confirmed by "configuration reloaded" is a failure. A second,
   unchanged zone is queried too (its version is carried over each time).
2. A broken zone file on reload: the log names file:line, the old version is
   still served; fixing the file and SIGHUP serves the new one.
3. A zone that fails at startup answers SERVFAIL while the others answer;
   fixing it and SIGHUP loads it.
4. A zone added to the configuration and SIGHUP is served; removed and
   SIGHUP, REFUSED.

Every server's stderr is searched for sanitizer reports (build with
--enable-asan). A version freed before the grace period ends is caught here
only when a worker happens to be inside that version at the moment of the
free, which a Python client rarely arranges (with the frees moved before
qsbr_wait this test still passed 77 of 77 under ASan); the order itself lives
in qsbr_retire, which nimbusd's publish() uses and test_util's
qsbr_protects_swapped_snapshots fails on, every run, when it is wrong.
"""

import os
import random
import re
import signal
import socket
import struct
import sys
import threading
import time

sys.dont_write_bytecode = True  # keep the source tree clean when run by hand
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nimtest import (Checker, Nimbusd, frame, make_query, parse, poll, require_tools,  # noqa: E402
                     tcp_connect, tcp_query, tcp_read_msg, udp_query)

import dns.flags  # noqa: E402
import dns.name  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rdatatype  # noqa: E402

N_RELOADS = 50
BASE_SERIAL = 1000
ZONE = "reload.test."
STABLE = "stable.test."

SANITIZER_RE = re.compile(r"ERROR: (Address|Leak|Thread|Memory|UndefinedBehavior)Sanitizer|"
                          r"SUMMARY: \w+Sanitizer|runtime error: ")


# ---------------------------------------------------------------------------
# Zone files.


def reload_zone_text(i):
    """Version i of reload.test: serial 1000+i, every value names i, the size differs from i-1."""
    serial = BASE_SERIAL + i
    pad = "x" * (1 + i % 7)  # consecutive versions differ in size, whatever the digits
    return "\n".join([
        f"$ORIGIN {ZONE}",
        "$TTL 60",
        f"@\tSOA\tns1 hostmaster {serial} 3600 600 86400 60",
        "\tNS\tns1",
        "ns1\tA\t192.0.2.53",
        f'ver\tTXT\t"serial={serial}"',
        f'ver\tTXT\t"version={i}"',
        f"multi\tA\t10.0.{i}.1",
        f"multi\tA\t10.0.{i}.2",
        f"multi\tA\t10.0.{i}.3",
        f"alias\tCNAME\tt{i % 3}",
        f't0\tTXT\t"v{i} t0"',
        f't1\tTXT\t"v{i} t1"',
        f't2\tTXT\t"v{i} t2"',
        f'pad\tTXT\t"{pad}"',
        "",
    ])


def simple_zone_text(origin, value, serial=1):
    """A small valid zone whose www TXT is value."""
    return "\n".join([
        f"$ORIGIN {origin}",
        "$TTL 60",
        f"@\tSOA\tns1 hostmaster {serial} 3600 600 86400 60",
        "\tNS\tns1",
        "ns1\tA\t192.0.2.53",
        f'www\tTXT\t"{value}"',
        "",
    ])


_mtime_seq = [0]


def write_zone(path, text):
    """Writes path atomically (temp file + rename) with an mtime no earlier file had."""
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    _mtime_seq[0] += 1
    ns = time.time_ns() + _mtime_seq[0] * 1_000_000_000
    os.utime(tmp, ns=(ns, ns))
    os.replace(tmp, path)


def zones_config(srv, zones):
    """srv's configuration text with a zones: list of (origin, file)."""
    text = srv.config_text()
    if not zones:
        return text
    zl = "".join(f'  - {{ name: "{o}", file: "{p}" }}\n' for o, p in zones)
    return text.replace("zones: []\n", "zones:\n" + zl)


def sighup(srv, what, c, timeout=10):
    """SIGHUP, then wait for 'configuration reloaded' (or 'reload failed'); returns the mark."""
    mark = srv.mark()
    srv.send_signal(signal.SIGHUP)
    line = srv.wait_log(r"configuration reloaded|reload failed", timeout, mark)
    c.check(line and "configuration reloaded" in line, f"{what}: 'configuration reloaded' within {timeout}s",
            srv.log_since(mark)[-10:])
    return mark


def check_sanitizers(c, srv, what):
    bad = [ln for ln in srv.log_since(0) if SANITIZER_RE.search(ln)]
    c.check(not bad, f"{what}: no sanitizer report on stderr", bad[:5])


def stop_checked(c, srv, what):
    rc = srv.stop()
    c.eq(rc, 0, f"{what}: SIGTERM, exit status 0")
    check_sanitizers(c, srv, what)


# ---------------------------------------------------------------------------
# Answers.


def txt_strings(rrset):
    return sorted(b"".join(rd.strings).decode() for rd in rrset)


def header_error(q, r):
    """Why r is not a proper authoritative NOERROR answer to q, or None."""
    if r is None:
        return "no answer that parses"
    if r.id != q.id:
        return f"ID {r.id} for {q.id}"
    if not r.flags & dns.flags.QR:
        return "QR not set"
    if r.rcode() != dns.rcode.NOERROR:
        return f"rcode {dns.rcode.to_text(r.rcode())}"
    if not r.flags & dns.flags.AA:
        return "AA not set"
    if len(r.question) != 1 or r.question[0].name != q.question[0].name \
            or r.question[0].rdtype != q.question[0].rdtype:
        return f"question {r.question}"
    return None


def version_of_answer(kind, r):
    """(version, None) for a correct answer of kind, (None, reason) for a wrong one.

    The stable zone has version -1: it never changes.
    """
    origin = dns.name.from_text(ZONE)
    by_type = {}
    for rrset in r.answer:
        by_type.setdefault(rrset.rdtype, []).append(rrset)
    if kind == "ver":
        if list(by_type) != [dns.rdatatype.TXT] or len(r.answer) != 1:
            return None, f"answer {r.answer}"
        s = txt_strings(r.answer[0])
        m = [re.fullmatch(r"serial=(\d+)", x) for x in s] + [re.fullmatch(r"version=(\d+)", x) for x in s]
        serials = [int(x.group(1)) for x in m[:len(s)] if x]
        versions = [int(x.group(1)) for x in m[len(s):] if x]
        if len(s) != 2 or len(serials) != 1 or len(versions) != 1 or serials[0] != BASE_SERIAL + versions[0]:
            return None, f"ver TXT {s}"
        return versions[0], None
    if kind == "multi":
        if list(by_type) != [dns.rdatatype.A] or len(r.answer) != 1:
            return None, f"answer {r.answer}"
        addrs = sorted(rd.address for rd in r.answer[0])
        m = re.fullmatch(r"10\.0\.(\d+)\.1", addrs[0]) if addrs else None
        if not m or addrs != sorted(f"10.0.{m.group(1)}.{k}" for k in (1, 2, 3)):
            return None, f"multi A {addrs}"
        return int(m.group(1)), None
    if kind == "alias":
        cn = by_type.get(dns.rdatatype.CNAME, [])
        tx = by_type.get(dns.rdatatype.TXT, [])
        if len(cn) != 1 or len(tx) != 1 or len(r.answer) != 2 or len(cn[0]) != 1:
            return None, f"answer {r.answer}"
        target = cn[0][0].target
        m = re.fullmatch(r"t(\d)", target.relativize(origin).to_text()) if target.is_subdomain(origin) else None
        s = txt_strings(tx[0])
        if not m or tx[0].name != target or len(s) != 1:
            return None, f"alias chain {r.answer}"
        k = int(m.group(1))
        mv = re.fullmatch(rf"v(\d+) t{k}", s[0])
        if not mv or int(mv.group(1)) % 3 != k:
            return None, f"alias -> t{k} with TXT {s} (two versions in one answer?)"
        return int(mv.group(1)), None
    if kind == "soa":
        if list(by_type) != [dns.rdatatype.SOA] or len(r.answer) != 1 or len(r.answer[0]) != 1:
            return None, f"answer {r.answer}"
        serial = r.answer[0][0].serial
        return serial - BASE_SERIAL, None
    if kind == "stable":
        if len(r.answer) != 1 or r.answer[0].rdtype != dns.rdatatype.TXT or txt_strings(r.answer[0]) != ["stable"]:
            return None, f"stable TXT {r.answer}"
        return -1, None
    raise ValueError(kind)


KINDS = [("ver", "ver." + ZONE, "TXT"), ("multi", "multi." + ZONE, "A"), ("alias", "alias." + ZONE, "TXT"),
         ("soa", ZONE, "SOA"), ("stable", "www." + STABLE, "TXT")]


class Client:
    """One client thread: queries in turn (no retry) until told to stop, a count or a deadline."""

    def __init__(self, srv, transport, state, max_queries=20000, seconds=45.0):
        self.srv, self.transport, self.state = srv, transport, state
        self.max_queries, self.seconds = max_queries, seconds
        self.n_sent = self.n_ok = 0
        self.lost = []
        self.wrong = []
        self.stale = []
        self.seen = {}  # version -> count
        self.last = -1
        self.sock = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _exchange(self, q):
        """The answer message (or None) to q, one try."""
        if self.transport == "udp":
            if self.sock is None:
                self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            wire = q.to_wire()
            self.sock.settimeout(3.0)
            self.sock.sendto(wire, (self.srv.addr, self.srv.port))
            deadline = time.monotonic() + 3.0
            for _ in range(100):
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.sock.settimeout(left)
                try:
                    data, _ = self.sock.recvfrom(65535)
                except OSError:
                    return None
                if len(data) >= 2 and struct.unpack("!H", data[:2])[0] == q.id:
                    return parse(data)
            return None
        if self.transport == "tcp-new":
            _, r = tcp_query(self.srv.addr, self.srv.port, q, timeout=3.0)
            return r
        # tcp-keep: one connection for all the queries (a new one after a loss).
        try:
            if self.sock is None:
                self.sock = tcp_connect(self.srv.addr, self.srv.port)
            self.sock.sendall(frame(q.to_wire()))
            wire = tcp_read_msg(self.sock, 3.0)
        except OSError:
            wire = None
        if wire is None and self.sock is not None:
            self.sock.close()
            self.sock = None
        return parse(wire)

    def _run(self):
        deadline = time.monotonic() + self.seconds
        rng = random.Random()
        while self.n_sent < self.max_queries and time.monotonic() < deadline and not self.state["stop"].is_set():
            kind, qname, qtype = KINDS[self.n_sent % len(KINDS)]
            q = make_query(qname, qtype, qid=rng.randint(0, 65535), rd=False)
            confirmed = self.state["confirmed"]
            self.n_sent += 1
            r = self._exchange(q)
            if r is None:
                self.lost.append(f"{self.transport} {qname} {qtype} (id {q.id})")
                continue
            err = header_error(q, r)
            v = None
            if err is None:
                v, err = version_of_answer(kind, r)
                if err is None and not (v == -1 or 0 <= v <= N_RELOADS):
                    err = f"version {v} was never written"
            if err is not None:
                self.wrong.append(f"{self.transport} {qname} {qtype}: {err}")
                continue
            self.n_ok += 1
            if v == -1:
                continue
            self.seen[v] = self.seen.get(v, 0) + 1
            if v < self.last or v < confirmed:
                self.stale.append(f"{self.transport} {qname} {qtype}: version {v} after version "
                                  f"{self.last} was seen and {confirmed} was confirmed reloaded")
            self.last = max(self.last, v)
        if self.sock is not None:
            self.sock.close()

    def start(self):
        self.thread.start()

    def join(self, timeout):
        self.thread.join(timeout)
        return not self.thread.is_alive()


def served_version(srv, transport="udp"):
    q = make_query("ver." + ZONE, "TXT", rd=False)
    fn = udp_query if transport == "udp" else tcp_query
    _, r = fn(srv.addr, srv.port, q, 2.0)
    if header_error(q, r) is not None:
        return None
    return version_of_answer("ver", r)[0]


def rcode_of(srv, qname, qtype="SOA", transport="udp"):
    """The rcode name of the answer to qname, 'no answer' without one; AA noted for NOERROR."""
    q = make_query(qname, qtype, rd=False)
    fn = udp_query if transport == "udp" else tcp_query
    _, r = fn(srv.addr, srv.port, q, 2.0)
    if r is None or r.id != q.id:
        return "no answer"
    name = dns.rcode.to_text(r.rcode())
    if r.rcode() == dns.rcode.NOERROR and r.flags & dns.flags.AA and r.answer:
        name += "+AA"
    return name


def www_txt(srv, origin):
    q = make_query("www." + origin, "TXT", rd=False)
    _, r = udp_query(srv.addr, srv.port, q, 2.0)
    if header_error(q, r) is not None or len(r.answer) != 1:
        return None
    return txt_strings(r.answer[0])


# ---------------------------------------------------------------------------
# 1. 50 reloads under load.


def reload_under_load(c):
    srv = Nimbusd(workers=2)
    zfile = os.path.join(srv.tmpdir, "reload.test.zone")
    sfile = os.path.join(srv.tmpdir, "stable.test.zone")
    write_zone(zfile, reload_zone_text(0))
    write_zone(sfile, simple_zone_text(STABLE, "stable"))
    srv.write_config(zones_config(srv, [(ZONE, zfile), (STABLE, sfile)]))
    with srv:
        c.eq(served_version(srv), 0, "load: version 0 served after start")
        state = {"stop": threading.Event(), "confirmed": 0}
        clients = [Client(srv, t, state) for t in ("udp", "udp", "tcp-keep", "tcp-new")]
        for cl in clients:
            cl.start()
        total = lambda: sum(cl.n_sent for cl in clients)  # noqa: E731
        c.check(poll(lambda: total() >= 100, 10, 0.01), "load: queries flowing before the first reload", total())

        t0 = time.monotonic()
        done = 0
        not_loaded = []
        not_served = []
        for i in range(1, N_RELOADS + 1):
            if time.monotonic() - t0 > 40:
                break
            write_zone(zfile, reload_zone_text(i))
            mark = srv.mark()
            srv.send_signal(signal.SIGHUP)
            line = srv.wait_log(r"configuration reloaded|reload failed", 10, mark)
            if not line or "configuration reloaded" not in line:
                c.check(False, f"load: reload {i}: 'configuration reloaded' within 10 s", srv.log_since(mark)[-10:])
                break
            if not srv.wait_log(rf"zone 'reload\.test\.?' loaded from .* serial {BASE_SERIAL + i}\b", 0, mark):
                not_loaded.append(i)
            state["confirmed"] = i
            v = served_version(srv, "udp" if i % 2 else "tcp")
            if v != i:
                not_served.append((i, v))
            # let the clients send some queries against this version before the next reload
            before = total()
            poll(lambda: total() >= before + 20, 2, 0.002)
            done = i
        elapsed = time.monotonic() - t0
        c.eq(done, N_RELOADS, f"load: {N_RELOADS} reloads done ({elapsed:.1f} s)")
        c.eq(not_loaded, [], "load: each reload logged 'zone loaded' with the new serial")
        c.eq(not_served, [], "load: right after each reload the new version is served")

        # let the clients see the final version, then stop them
        before = total()
        poll(lambda: total() >= before + 100, 5, 0.01)
        state["stop"].set()
        c.check(all(cl.join(10) for cl in clients), "load: client threads ended")

        n_sent = sum(cl.n_sent for cl in clients)
        n_ok = sum(cl.n_ok for cl in clients)
        lost = [x for cl in clients for x in cl.lost]
        wrong = [x for cl in clients for x in cl.wrong]
        stale = [x for cl in clients for x in cl.stale]
        seen = {}
        for cl in clients:
            for v, n in cl.seen.items():
                seen[v] = seen.get(v, 0) + n
        per = ", ".join(f"{cl.transport}: {cl.n_sent}" for cl in clients)
        print(f"     {n_sent} queries ({per}), {n_ok} right, {len(lost)} lost, {len(wrong)} wrong, "
              f"{len(stale)} stale; {len(seen)} of {N_RELOADS + 1} versions seen by the clients", flush=True)
        c.check(n_sent >= 1000, "load: at least 1000 queries sent", n_sent)
        c.eq(len(lost), 0, "load: no lost answer", lost[:5])
        c.eq(len(wrong), 0, "load: no wrong answer", wrong[:5])
        c.eq(len(stale), 0, "load: no version older than one seen or confirmed", stale[:5])
        c.eq(n_ok, n_sent, "load: every query answered right")
        c.check(len(seen) >= N_RELOADS // 2, f"load: the clients saw many versions ({len(seen)})",
                sorted(seen))
        c.check(all(cl.last == N_RELOADS for cl in clients), "load: every client ends on the final version",
                [cl.last for cl in clients])
        c.eq(served_version(srv), N_RELOADS, "load: final version served over UDP")
        c.eq(served_version(srv, "tcp"), N_RELOADS, "load: final version served over TCP")
        c.eq(www_txt(srv, STABLE), ["stable"], "load: the unchanged zone still answers")
        c.check(srv.alive(), "load: process still running")
        c.check(not srv.wait_log(r" error: ", 0), "load: no error in the log",
                [ln for ln in srv.log_since(0) if " error: " in ln][:5])
        stop_checked(c, srv, "load")


# ---------------------------------------------------------------------------
# 2. A broken file on reload keeps the old version.


def broken_reload(c):
    srv = Nimbusd(workers=2)
    zfile = os.path.join(srv.tmpdir, "reload.test.zone")
    write_zone(zfile, reload_zone_text(1))
    srv.write_config(zones_config(srv, [(ZONE, zfile)]))
    base = re.escape(os.path.basename(zfile))
    with srv:
        c.eq(served_version(srv), 1, "broken: version 1 served after start")

        # A syntax error on a known line.
        lines = reload_zone_text(2).splitlines()
        at = next(k for k, ln in enumerate(lines) if ln.startswith("multi"))
        lines.insert(at, "bad\tA\t192.0.2.999")
        bad_line = at + 1
        write_zone(zfile, "\n".join(lines) + "\n")
        mark = sighup(srv, "broken (syntax error)", c)
        diag = srv.wait_log(rf"{base}:{bad_line}(:\d+)?: .*192\.0\.2\.999", 0, mark)
        c.check(diag and " error: " in diag, f"broken (syntax error): log names {os.path.basename(zfile)}:{bad_line}",
                srv.log_since(mark))
        c.check(srv.wait_log(r"zone 'reload\.test\.?' not reloaded.*serial 1001", 0, mark),
                "broken (syntax error): 'not reloaded ... serving serial 1001' logged", srv.log_since(mark))
        c.eq(served_version(srv), 1, "broken (syntax error): old version still served (UDP)")
        c.eq(served_version(srv, "tcp"), 1, "broken (syntax error): old version still served (TCP)")

        # A semantic error: CNAME and other data.
        lines = reload_zone_text(3).splitlines()
        cname_line = next(k for k, ln in enumerate(lines) if ln.startswith("alias\tCNAME")) + 1
        lines.append("alias\tTXT\t\"beside a CNAME\"")
        txt_line = len(lines)
        write_zone(zfile, "\n".join(lines) + "\n")
        mark = sighup(srv, "broken (CNAME and other data)", c)
        c.check(srv.wait_log(rf"{base}:({cname_line}|{txt_line})(:\d+)?: error: .*CNAME", 0, mark),
                f"broken (CNAME and other data): log names {os.path.basename(zfile)}:{cname_line} or :{txt_line}",
                srv.log_since(mark))
        c.eq(served_version(srv), 1, "broken (CNAME and other data): old version still served")

        # An empty file, then no file at all: still the old version.
        write_zone(zfile, "")
        mark = sighup(srv, "broken (empty file)", c)
        c.check(srv.wait_log(r"zone 'reload\.test\.?' not reloaded.*serial 1001", 0, mark),
                "broken (empty file): 'not reloaded ... serving serial 1001' logged", srv.log_since(mark))
        c.eq(served_version(srv), 1, "broken (empty file): old version still served")
        os.unlink(zfile)
        mark = sighup(srv, "broken (file removed)", c)
        c.check(srv.wait_log(rf"{base}: .*No such file", 0, mark), "broken (file removed): log names the file",
                srv.log_since(mark))
        c.eq(served_version(srv, "tcp"), 1, "broken (file removed): old version still served")

        # Fixed: the new version.
        write_zone(zfile, reload_zone_text(4))
        mark = sighup(srv, "fixed", c)
        c.check(srv.wait_log(r"zone 'reload\.test\.?' loaded from .* serial 1004", 0, mark),
                "fixed: 'zone loaded ... serial 1004' logged", srv.log_since(mark))
        c.eq(served_version(srv), 4, "fixed: new version served (UDP)")
        c.eq(served_version(srv, "tcp"), 4, "fixed: new version served (TCP)")

        # Unchanged file and SIGHUP: nothing reloaded, same version.
        mark = sighup(srv, "unchanged", c)
        c.check(not srv.wait_log(r"zone 'reload\.test\.?' (loaded|not)", 0, mark),
                "unchanged file: the zone is not loaded again", srv.log_since(mark))
        c.eq(served_version(srv), 4, "unchanged file: same version served")
        stop_checked(c, srv, "broken")


# ---------------------------------------------------------------------------
# 3. A zone that fails at startup; 4. zones added and removed.


def startup_and_membership(c):
    srv = Nimbusd(workers=2)
    good = os.path.join(srv.tmpdir, "good.test.zone")
    bad = os.path.join(srv.tmpdir, "bad.test.zone")
    missing = os.path.join(srv.tmpdir, "missing.test.zone")
    added = os.path.join(srv.tmpdir, "added.test.zone")
    write_zone(good, simple_zone_text("good.test.", "good"))
    bad_text = simple_zone_text("bad.test.", "bad").replace("\tNS\tns1\n", "")  # no apex NS
    write_zone(bad, bad_text)
    write_zone(added, simple_zone_text("added.test.", "added"))
    base_zones = [("good.test.", good), ("bad.test.", bad), ("missing.test.", missing)]
    srv.write_config(zones_config(srv, base_zones))
    with srv:
        c.check(srv.wait_log(rf"{re.escape(os.path.basename(bad))}:\d+: error: .*NS", 0),
                "startup: the broken zone's error names file:line", srv.log_since(0))
        c.check(srv.wait_log(r"zone 'bad\.test\.?' not loaded", 0), "startup: 'zone bad.test not loaded' logged")
        c.check(srv.wait_log(r"zone 'missing\.test\.?' not loaded", 0),
                "startup: 'zone missing.test not loaded' logged (no file)")
        for transport in ("udp", "tcp"):
            c.eq(rcode_of(srv, "good.test.", "SOA", transport), "NOERROR+AA", f"startup: good.test SOA ({transport})")
            c.eq(rcode_of(srv, "bad.test.", "SOA", transport), "SERVFAIL", f"startup: bad.test SOA ({transport})")
            c.eq(rcode_of(srv, "www.bad.test.", "TXT", transport), "SERVFAIL",
                 f"startup: www.bad.test TXT ({transport})")
            c.eq(rcode_of(srv, "nx.missing.test.", "A", transport), "SERVFAIL",
                 f"startup: nx.missing.test A ({transport})")
        c.eq(www_txt(srv, "good.test."), ["good"], "startup: www.good.test TXT answered")
        c.eq(rcode_of(srv, "other.example.", "A"), "REFUSED", "startup: a name in no zone is REFUSED")

        # Fix the broken zone.
        write_zone(bad, simple_zone_text("bad.test.", "bad fixed"))
        sighup(srv, "bad.test fixed", c)
        c.eq(www_txt(srv, "bad.test."), ["bad fixed"], "bad.test fixed + SIGHUP: served")
        c.eq(rcode_of(srv, "nx.missing.test.", "A"), "SERVFAIL", "bad.test fixed: missing.test still SERVFAIL")

        # Add a zone.
        c.eq(rcode_of(srv, "added.test.", "SOA"), "REFUSED", "before adding: added.test REFUSED")
        srv.write_config(zones_config(srv, base_zones + [("added.test.", added)]))
        mark = sighup(srv, "zone added", c)
        c.check(srv.wait_log(r"zone 'added\.test\.?' loaded", 0, mark), "zone added: 'loaded' logged")
        c.eq(www_txt(srv, "added.test."), ["added"], "zone added + SIGHUP: served (UDP)")
        c.eq(rcode_of(srv, "added.test.", "SOA", "tcp"), "NOERROR+AA", "zone added + SIGHUP: SOA over TCP")
        c.eq(www_txt(srv, "good.test."), ["good"], "zone added: good.test still answered")

        # Remove it again, and good.test too.
        srv.write_config(zones_config(srv, [("bad.test.", bad), ("missing.test.", missing)]))
        sighup(srv, "zones removed", c)
        for transport in ("udp", "tcp"):
            c.eq(rcode_of(srv, "added.test.", "SOA", transport), "REFUSED",
                 f"zone removed + SIGHUP: added.test REFUSED ({transport})")
            c.eq(rcode_of(srv, "www.good.test.", "TXT", transport), "REFUSED",
                 f"zone removed + SIGHUP: www.good.test REFUSED ({transport})")
        c.eq(www_txt(srv, "bad.test."), ["bad fixed"], "zones removed: bad.test still answered")

        # Add it back with a file changed meanwhile.
        write_zone(added, simple_zone_text("added.test.", "added again", 2))
        srv.write_config(zones_config(srv, base_zones + [("added.test.", added)]))
        sighup(srv, "zones added back", c)
        c.eq(www_txt(srv, "added.test."), ["added again"], "zone added back: the new file is served")
        c.eq(www_txt(srv, "good.test."), ["good"], "zone added back: good.test answered again")
        stop_checked(c, srv, "startup")


def main():
    require_tools()
    c = Checker("test_reload")
    reload_under_load(c)
    broken_reload(c)
    startup_and_membership(c)
    c.finish()


if __name__ == "__main__":
    main()
