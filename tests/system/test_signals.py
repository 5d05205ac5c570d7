"""Signals and logging.

SIGHUP re-reads the configuration: a broken file is reported as
file:line:col and the running configuration keeps serving; a valid changed
file is served from then on. SIGTERM and SIGINT end the process with status 0,
also under a load of UDP queries and with an idle TCP client connected, and
within a second while hundreds of zones are loading, at start or on SIGHUP
(issue 9 point 12: the load stops between zones).
Every stderr line has the form "<ISO time> <level>: <message>".
"""

import os
import random
import re
import signal
import socket
import string
import struct
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # keep the source tree clean when run by hand
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import nimtest  # noqa: E402
from nimtest import (LOG_LINE_RE, Checker, Nimbusd, dig, frame, is_answered, make_query, poll,  # noqa: E402
                     require_tools, tcp_connect, tcp_read_msg, udp_query)

import dns.rcode  # noqa: E402


def token():
    return "".join(random.choice(string.ascii_lowercase) for _ in range(8))


def version_of(srv):
    """The TXT of version.bind CH, 'REFUSED' when hidden, None without an answer."""
    _, r = udp_query(srv.addr, srv.port, make_query("version.bind.", "TXT", "CH"), timeout=1.0)
    if r is None:
        return None
    if r.rcode() != dns.rcode.NOERROR:
        return dns.rcode.to_text(r.rcode())
    for rrset in r.answer:
        for rd in rrset:
            return b"".join(rd.strings).decode()
    return ""


def check_log_format(c, srv, what):
    lines = srv.log_since(0)
    bad = [ln for ln in lines if not LOG_LINE_RE.match(ln)]
    c.check(lines and not bad, f"{what}: every stderr line is '<ISO time> <level>: <message>'",
            bad[:3] or "no lines")


def reload_checks(c):
    old, new = f"old-{token()}", f"new-{token()}"
    with Nimbusd(version=old) as srv:
        c.eq(version_of(srv), old, "version.bind before any reload")
        ready = srv.wait_log(r"ready:", 0)
        c.check(ready and LOG_LINE_RE.match(ready) and " info: " in ready, "ready line is an info line", ready)

        # 1. An unknown key: the diagnostic names the file, line and column.
        good = srv.config_text(version=old)
        lines = good.splitlines()
        at = next(i for i, ln in enumerate(lines) if ln.startswith("  workers:"))
        lines.insert(at + 1, "  bogus-key: 1")
        line_no = at + 2
        srv.write_config("\n".join(lines) + "\n")
        mark = srv.mark()
        srv.send_signal(signal.SIGHUP)
        path_re = re.escape(os.path.basename(srv.conf_path))
        diag = srv.wait_log(rf"{path_re}:{line_no}:3: error: .*bogus-key", 10, mark)
        c.check(diag, f"SIGHUP, unknown key: log names nimbusd.yaml:{line_no}:3 and the key",
                srv.log_since(mark))
        c.check(srv.wait_log(r"reload failed", 10, mark), "SIGHUP, unknown key: 'reload failed' logged")
        c.check(not srv.wait_log(r"configuration reloaded", 0, mark), "SIGHUP, unknown key: no 'configuration reloaded'")
        c.eq(version_of(srv), old, "after failed reload: old version still served")
        c.check(is_answered(srv) and is_answered(srv, transport="tcp"), "after failed reload: UDP and TCP answered")

        # 2. Broken YAML syntax.
        srv.write_config(good.replace("zones: []", "zones: [ {name: x\n"))
        mark = srv.mark()
        srv.send_signal(signal.SIGHUP)
        c.check(srv.wait_log(rf"{path_re}:\d+:\d+: error: ", 10, mark),
                "SIGHUP, YAML syntax error: log has file:line:col: error:", srv.log_since(mark))
        c.check(srv.wait_log(r"reload failed", 10, mark), "SIGHUP, YAML syntax error: 'reload failed' logged")
        c.eq(version_of(srv), old, "after second failed reload: old version still served")

        # 3. A valid change (the version and our EDNS payload size).
        srv.write_config(version=new, udp_max_payload=1400)
        mark = srv.mark()
        srv.send_signal(signal.SIGHUP)
        c.check(srv.wait_log(r"configuration reloaded", 10, mark), "SIGHUP, valid file: 'configuration reloaded'",
                srv.log_since(mark))
        c.eq(poll(lambda: version_of(srv) == new, 10, 0.1) and new, new, "after reload: new version served")
        d = dig("dig", srv.addr, srv.port, "version.server", "CH", "TXT", "+tcp")
        c.eq(d.txt(), [new], "after reload: dig +tcp version.server gives the new version")
        d = dig("kdig", srv.addr, srv.port, "example.com", "+edns")
        c.eq((d.status, d.edns_udp), ("REFUSED", 1400), "after reload: new udp-max-payload in the OPT (kdig)")

        # 4. Hide the version by reload.
        srv.write_config(version=False)
        mark = srv.mark()
        srv.send_signal(signal.SIGHUP)
        c.check(srv.wait_log(r"configuration reloaded", 10, mark), "SIGHUP, version: false: reloaded")
        c.eq(poll(lambda: version_of(srv) == "REFUSED", 10, 0.1) and "REFUSED", "REFUSED",
             "after reload with version: false: REFUSED")

        # 5. Several SIGHUPs in a row, the last file valid: the server ends on it.
        last = f"last-{token()}"
        srv.write_config(version=last)
        for _ in range(5):
            srv.send_signal(signal.SIGHUP)
            time.sleep(0.02)
        c.eq(poll(lambda: version_of(srv) == last, 10, 0.1) and last, last, "5 quick SIGHUPs: last version served")
        c.check(is_answered(srv), "server answers after the reloads")
        rc = srv.stop()
        c.eq(rc, 0, "SIGTERM after reloads: exit status 0")
        check_log_format(c, srv, "reload server")


class Load:
    """Sends UDP queries from a thread (bounded in count and time) and counts answers."""

    def __init__(self, srv, seconds=2.0, max_queries=4000):
        self.srv, self.seconds, self.max_queries = srv, seconds, max_queries
        self.n_sent = self.n_answers = 0
        self.stop_flag = threading.Event()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(0.2)
        self.threads = [threading.Thread(target=self._send, daemon=True),
                        threading.Thread(target=self._recv, daemon=True)]

    def _send(self):
        deadline = time.monotonic() + self.seconds
        wires = [make_query(f"load{i}.example.", "A", qid=i).to_wire() for i in range(256)]
        while self.n_sent < self.max_queries and time.monotonic() < deadline and not self.stop_flag.is_set():
            try:
                self.sock.sendto(wires[self.n_sent % 256], (self.srv.addr, self.srv.port))
            except OSError:
                pass  # ECONNREFUSED once the server is gone
            self.n_sent += 1
            if self.n_sent % 50 == 0:
                time.sleep(0.005)

    def _recv(self):
        deadline = time.monotonic() + self.seconds + 1
        while time.monotonic() < deadline and not self.stop_flag.is_set():
            try:
                self.sock.recvfrom(65535)
                self.n_answers += 1
            except OSError:
                continue

    def start(self):
        for t in self.threads:
            t.start()

    def join(self):
        for t in self.threads:
            t.join(self.seconds + 3)
        self.stop_flag.set()
        self.sock.close()


def term_checks(c):
    # SIGTERM under load.
    with Nimbusd(workers=2) as srv:
        load = Load(srv)
        load.start()
        c.check(poll(lambda: load.n_answers >= 50, 5, 0.02), "load: answers are coming back", load.n_answers)
        srv.send_signal(signal.SIGTERM)
        rc = srv.wait_exit(8)
        c.eq(rc, 0, f"SIGTERM under UDP load: exit status 0 within 8 s ({load.n_sent} sent, "
                    f"{load.n_answers} answered at that time)")
        load.join()
        c.check(not srv.alive(), "process gone after SIGTERM")
        check_log_format(c, srv, "load server")

    # SIGTERM while a TCP client has 500 queries pipelined: whatever was answered arrives
    # whole (the stream ends at a message boundary), then the connection closes.
    with Nimbusd(workers=2) as srv:
        s = tcp_connect(srv.addr, srv.port)
        s.sendall(b"".join(frame(make_query(f"t{i}.example.", qid=i).to_wire()) for i in range(500)))
        first = tcp_read_msg(s, 3)
        c.check(first is not None, "pipelined TCP: first answer before SIGTERM")
        srv.send_signal(signal.SIGTERM)
        data = b""
        deadline = time.monotonic() + 8
        for _ in range(10000):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            s.settimeout(left)
            try:
                chunk = s.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        s.close()
        ids, off, whole = set(), 0, True
        while off < len(data):
            if off + 2 > len(data):
                whole = False
                break
            ln = struct.unpack("!H", data[off:off + 2])[0]
            if off + 2 + ln > len(data):
                whole = False
                break
            ids.add(struct.unpack("!H", data[off + 2:off + 4])[0])
            off += 2 + ln
        c.check(whole, f"SIGTERM with 500 TCP queries pipelined: no answer cut ({len(ids) + 1} answers)")
        c.check(ids <= set(range(500)), "SIGTERM with pipelined TCP: answers carry the IDs sent")
        c.eq(srv.wait_exit(8), 0, "SIGTERM with pipelined TCP: exit status 0 within 8 s")

    # SIGINT with an idle TCP client connected and one stalled mid-message.
    with Nimbusd(workers=2, tcp_idle_timeout="60s") as srv:
        idle = tcp_connect(srv.addr, srv.port)
        stalled = tcp_connect(srv.addr, srv.port)
        stalled.sendall(b"\x00\x20\x01")
        c.check(is_answered(srv), "answers before SIGINT")
        srv.send_signal(signal.SIGINT)
        rc = srv.wait_exit(8)
        c.eq(rc, 0, "SIGINT with idle and stalled TCP clients: exit status 0 within 8 s")
        idle.close()
        stalled.close()

    # SIGTERM right after start.
    with Nimbusd(workers=1) as srv:
        srv.send_signal(signal.SIGTERM)
        c.eq(srv.wait_exit(8), 0, "SIGTERM right after ready: exit status 0")


# A slow zone set: N_SLOW zones, each a file of 20,000 copies of one record
# (the loader parses each line and keeps one RR: RFC 2181 §5 forbids
# duplicates), about 4 ms per zone in a normal build and 2 s in all, yet
# little memory.
N_SLOW = 500


def slow_zone_text(serial):
    head = ["$TTL 60", f"@ SOA ns1 hostmaster {serial} 3600 600 86400 60", "@ NS ns1", "ns1 A 192.0.2.53"]
    return "\n".join(head + ["dup A 192.0.2.1"] * 20000) + "\n"


def slow_config(srv, path):
    zones = "".join(f'  - {{ name: "z{i}.slow.", file: "{path}" }}\n' for i in range(N_SLOW))
    return srv.config_text().replace("zones: []\n", "zones:\n" + zones)


def n_loaded(srv, since):
    return sum(1 for ln in srv.log_since(since) if re.search(r"zone 'z\d+\.slow\.' loaded", ln))


def term_while_loading(c, srv, what, since):
    """Waits for 20 zones loaded after since, SIGTERM: exit 0 within a second, before the last zone."""
    c.check(srv.wait_log(r"zone 'z19\.slow\.' loaded", 60, since), f"{what}: 20 zones loaded",
            srv.log_since(since)[-5:])
    srv.send_signal(signal.SIGTERM)
    t0 = time.monotonic()
    rc = srv.wait_exit(10)
    elapsed = time.monotonic() - t0
    c.eq(rc, 0, f"{what}: SIGTERM, exit status 0")
    c.check(elapsed <= 1.0, f"{what}: exit within 1 s of SIGTERM ({elapsed:.2f} s)")
    n = n_loaded(srv, since)
    c.check(n < N_SLOW, f"{what}: the load stopped early ({n} of {N_SLOW} zones loaded)")
    bad = [ln for ln in srv.log_since(0) if "Sanitizer" in ln or "runtime error" in ln]
    c.check(not bad, f"{what}: no sanitizer report", bad[:5])


def long_load_checks(c):
    # SIGTERM during the first load, before the server is ready.
    srv = Nimbusd(workers=2)
    zfile = os.path.join(srv.tmpdir, "slow.zone")
    with open(zfile, "w", encoding="utf-8") as f:
        f.write(slow_zone_text(1))
    srv.write_config(slow_config(srv, zfile))
    # Started by hand: Nimbusd.start waits for 'ready:', which must not come.
    srv.proc = subprocess.Popen([nimtest.NIMBUSD, "-c", srv.conf_path], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=srv.tmpdir)
    nimtest._running.append(srv)
    threading.Thread(target=srv._read_stderr, daemon=True).start()
    try:
        term_while_loading(c, srv, "SIGTERM during the first load", 0)
        c.check(not srv.wait_log(r"ready:", 0), "SIGTERM during the first load: never ready")
    finally:
        srv.kill()

    # SIGTERM during a reload of every zone.
    srv = Nimbusd(workers=2)
    zfile = os.path.join(srv.tmpdir, "slow.zone")
    with open(zfile, "w", encoding="utf-8") as f:
        f.write(slow_zone_text(1))
    srv.write_config(slow_config(srv, zfile))
    srv.start(timeout=120)
    try:
        c.eq(n_loaded(srv, 0), N_SLOW, "long reload: every zone loaded at start")
        with open(zfile, "w", encoding="utf-8") as f:
            f.write(slow_zone_text(2) + "; changed\n")
        mark = srv.mark()
        srv.send_signal(signal.SIGHUP)
        term_while_loading(c, srv, "SIGTERM during a long reload", mark)
    finally:
        srv.kill()


def main():
    require_tools("dig")
    c = Checker("test_signals")
    reload_checks(c)
    term_checks(c)
    long_load_checks(c)
    c.finish()


if __name__ == "__main__":
    main()
