"""Signed zones without a usable NSEC chain, served (issue 9, point 10).

A signed zone (DNSKEY and RRSIGs) with no NSEC at all loads with a warning
and is served without denial proofs: nimbusd's NXDOMAIN and NODATA answers
with DO carry the SOA and its RRSIG and no NSEC, the same RRsets as NSD's
for the same file (NSD 4.6 is started beside it and asked the same
questions), and nimbusd never searches the zone for an NSEC that is not
there. A reload to a file whose NSEC chain is broken fails with the file and
line of the bad NSEC in the log, and the running version keeps answering.
server.nsec3-max-iterations reaches the loader: a zone signed with 10
iterations loads under a limit of 10 and gets SERVFAIL under 9.
Exit status 0 pass, 1 fail, 77 skip (NSD not installed).
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # keep the source tree clean when run by hand
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nimtest import TOP_SRCDIR, Checker, Nimbusd, free_port, make_query, random_loopback, require_tools, skip  # noqa: E402

import dns.message  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rdatatype  # noqa: E402

NSD = "/usr/sbin/nsd"
ORIGIN = "example-nsec.test"
QUESTIONS = [("nx.example-nsec.test.", "A"), ("zz.nx.example-nsec.test.", "AAAA"),
             ("example-nsec.test.", "AAAA"), ("a.b.example-nsec.test.", "TXT")]


def zone_lines():
    with open(os.path.join(TOP_SRCDIR, "zones", f"{ORIGIN}.zone"), encoding="utf-8") as f:
        return f.read().splitlines()


def rtype(line):
    f = line.split(";")[0].split()
    return (f[3], f[4] if len(f) > 4 else "") if len(f) > 3 and f[2] == "IN" else ("", "")


def without_chain(lines):
    return [ln for ln in lines if rtype(ln)[0] != "NSEC" and rtype(ln) != ("RRSIG", "NSEC")]


def write(path, lines):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("".join(ln + "\n" for ln in lines))
    os.replace(tmp, path)


def ask(addr, port, qname, qtype):
    q = make_query(qname, qtype, rd=False, edns=0, do=True)
    return dns.query.udp(q, addr, port=port, timeout=2)


def authority(r):
    return sorted((str(rr.name).lower(), dns.rdatatype.to_text(rr.rdtype),
                   dns.rdatatype.to_text(rr.covers) if rr.rdtype == dns.rdatatype.RRSIG else "")
                  for rr in r.authority)


def start_nsd(tmp, path):
    addr = random_loopback()
    port = free_port([addr])
    d = os.path.join(tmp, "nsd")
    os.makedirs(d)
    conf = os.path.join(d, "nsd.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write("\n".join([
            "server:", f"  ip-address: {addr}@{port}", "  do-ip6: no", "  server-count: 1",
            '  username: ""', '  chroot: ""', f'  zonesdir: "{d}"', f'  pidfile: "{d}/nsd.pid"',
            '  database: ""', f'  zonelistfile: "{d}/zone.list"', f'  xfrdfile: "{d}/xfrd.state"',
            f'  xfrdir: "{d}"', f'  logfile: "{d}/nsd.log"', "  rrl-ratelimit: 0",
            "remote-control:", "  control-enable: no",
            "zone:", f"  name: {ORIGIN}", f'  zonefile: "{path}"']) + "\n")
    proc = subprocess.Popen([NSD, "-d", "-c", conf], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=d)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if ask(addr, port, ORIGIN + ".", "SOA").rcode() == dns.rcode.NOERROR:
                return proc, addr, port
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(0.05)
    proc.kill()
    proc.wait(5)
    raise RuntimeError("NSD did not come up")


def stop(proc):
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(5)


def sign_nsec3(tmp, iterations):
    """zones/example-nsec3.test.zone.in signed with NSEC3 and the given iterations; its path."""
    keys = sorted(k[:-len(".private")] for k in os.listdir(os.path.join(TOP_SRCDIR, "zones", "keys"))
                  if k.startswith("Kexample-nsec3.test.+") and k.endswith(".private"))
    path = os.path.join(tmp, f"nsec3-{iterations}.zone")
    subprocess.run(["ldns-signzone", "-n", "-a", "1", "-t", str(iterations), "-s", "", "-p",
                    "-o", "example-nsec3.test.", "-f", path,
                    os.path.join(TOP_SRCDIR, "zones", "example-nsec3.test.zone.in")]
                   + [os.path.join(TOP_SRCDIR, "zones", "keys", k) for k in keys],
                   check=True, capture_output=True, timeout=60)
    return path


def iteration_limit(c, tmp):
    """server.nsec3-max-iterations reaches the zone loader: 10 iterations load under a limit
    of 10 (with the RFC 9276 §3.1 warning) and are refused under 9 (SERVFAIL)."""
    if shutil.which("ldns-signzone") is None:
        c.check(True, "ldns-signzone not installed: nsec3-max-iterations case skipped")
        return
    path = sign_nsec3(tmp, 10)
    for limit, loads in ((10, True), (9, False)):
        srv = Nimbusd(workers=1, nsec3_max_iterations=limit)
        try:
            srv.write_config(srv.config_text().replace(
                "zones: []\n", f'zones:\n  - {{ name: "example-nsec3.test", file: "{path}" }}\n'))
            srv.start()
            r = ask(srv.addr, srv.port, "example-nsec3.test.", "SOA")
            want = "NOERROR" if loads else "SERVFAIL"
            c.eq(dns.rcode.to_text(r.rcode()), want, f"10 iterations, nsec3-max-iterations {limit}: {want}")
            rx = (r"warning: .*10 additional iterations: RFC 9276" if loads
                  else r"error: .*10 additional iterations, more than the nsec3-max-iterations limit of 9")
            c.check(srv.wait_log(rx, 0) is not None, f"10 iterations, limit {limit}: logged", srv.log_since(0)[-4:])
        finally:
            srv.stop()
            shutil.rmtree(srv.tmpdir, ignore_errors=True)


def main():
    require_tools()
    if not os.access(NSD, os.X_OK):
        skip("NSD not installed")
    c = Checker("test_denial_load")
    tmp = tempfile.mkdtemp(prefix="nimtest-dl-")
    lines = zone_lines()
    path = os.path.join(tmp, f"{ORIGIN}.zone")
    write(path, without_chain(lines))
    nsd = None
    srv = Nimbusd(workers=1)
    try:
        text = srv.config_text().replace("zones: []\n", f'zones:\n  - {{ name: "{ORIGIN}", file: "{path}" }}\n')
        srv.write_config(text)
        srv.start()
        c.check(srv.wait_log(r"warning: .*without denial of existence proofs", 0) is not None,
                "no NSEC chain: the load logs a warning", srv.log_since(0)[-5:])
        nsd, naddr, nport = start_nsd(tmp, path)
        for qname, qtype in QUESTIONS:
            ours = ask(srv.addr, srv.port, qname, qtype)
            theirs = ask(naddr, nport, qname, qtype)
            what = f"{qname} {qtype} +dnssec"
            c.eq(dns.rcode.to_text(ours.rcode()), dns.rcode.to_text(theirs.rcode()), f"{what}: RCODE as NSD")
            c.eq(authority(ours), authority(theirs), f"{what}: authority RRsets as NSD")
            c.check(not any(t in ("NSEC", "NSEC3") for _, t, _ in authority(ours)),
                    f"{what}: no NSEC or NSEC3", authority(ours))
        # The chain made whole again, then broken: the broken reload keeps the whole version.
        write(path, lines)
        mark = srv.mark()
        srv.send_signal(signal.SIGHUP)
        c.check(srv.wait_log(r"configuration reloaded", 10, mark) is not None, "reload with the chain")
        r = ask(srv.addr, srv.port, "nx.example-nsec.test.", "A")
        c.check(any(t == "NSEC" for _, t, _ in authority(r)), "with the chain: NXDOMAIN proves with NSEC",
                authority(r))
        broken = list(lines)
        bad = [i for i, ln in enumerate(lines) if rtype(ln)[0] == "NSEC"][1]
        broken[bad] = broken[bad].replace(lines[bad].split()[4], "zzz.example-nsec.test.", 1)
        write(path, broken)
        os.utime(path, ns=(time.time_ns() + 2_000_000_000,) * 2)
        mark = srv.mark()
        srv.send_signal(signal.SIGHUP)
        line = srv.wait_log(rf"{path}:{bad + 1}: error: the NSEC at", 10, mark)
        c.check(line is not None, f"broken chain: the reload logs an error at {os.path.basename(path)}:{bad + 1}",
                srv.log_since(mark)[-5:])
        c.check(srv.wait_log(r"not reloaded", 10, mark) is not None, "broken chain: the zone is not reloaded")
        r = ask(srv.addr, srv.port, "nx.example-nsec.test.", "A")
        c.check(r.rcode() == dns.rcode.NXDOMAIN and any(t == "NSEC" for _, t, _ in authority(r)),
                "broken chain: the previous version still answers, with its NSEC proof", authority(r))
        srv.stop()
        iteration_limit(c, tmp)
    finally:
        if nsd is not None:
            stop(nsd)
        srv.stop()
        shutil.rmtree(srv.tmpdir, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
    c.finish()


if __name__ == "__main__":
    main()
