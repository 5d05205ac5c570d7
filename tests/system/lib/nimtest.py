"""Helpers for the nimbus system tests.

Every test starts the real nimbusd on its own random 127/8 address (and ::1
when it tests IPv6) with a port that was free when probed, waits for the
"ready:" log line with a deadline, queries it with dig, kdig or dnspython
and stops it by PID. Nothing here sleeps to wait for readiness and every
loop is bounded in count and in time.

Run by hand: NIMBUSD=path/to/nimbusd /usr/bin/python3 tests/system/test_x.py
(without NIMBUSD the usual build directories are searched).
"""

import atexit
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77

try:
    import dns.edns
    import dns.flags
    import dns.message
    import dns.name
    import dns.opcode
    import dns.rcode
    import dns.rdataclass
    import dns.rdatatype
except ImportError:
    print(f"SKIP: dnspython is not installed for {sys.executable} (use /usr/bin/python3)", flush=True)
    sys.exit(SKIP)

HERE = os.path.dirname(os.path.abspath(__file__))
TOP_SRCDIR = os.environ.get("TOP_SRCDIR") or os.path.normpath(os.path.join(HERE, "..", "..", ".."))


def find_nimbusd():
    """The binary under test: $NIMBUSD, else the first build directory that has one."""
    path = os.environ.get("NIMBUSD")
    if path:
        return path
    for build in ("build-sys", "build", "build-asan", "."):
        cand = os.path.join(TOP_SRCDIR, build, "src", "nimbusd")
        if os.access(cand, os.X_OK):
            return cand
    return os.path.join(TOP_SRCDIR, "build-sys", "src", "nimbusd")


NIMBUSD = find_nimbusd()


def package_version():
    """The version from configure.ac's AC_INIT, so --version is checked against the source."""
    with open(os.path.join(TOP_SRCDIR, "configure.ac"), encoding="utf-8") as f:
        m = re.search(r"AC_INIT\(\[[^\]]*\],\s*\[([^\]]+)\]", f.read())
    return m.group(1) if m else None


# ---------------------------------------------------------------------------
# Checks: record every failure, keep going, exit with the automake status.


class Checker:
    def __init__(self, name):
        self.name = name
        self.n_checks = 0
        self.failures = []
        print(f"== {name} (nimbusd: {NIMBUSD})", flush=True)

    def check(self, cond, what, detail=""):
        self.n_checks += 1
        if cond:
            print(f"ok   {what}", flush=True)
        else:
            self.failures.append(what)
            msg = f"FAIL {what}"
            if detail != "":
                msg += f": {detail}"
            print(msg, flush=True)
        return bool(cond)

    def eq(self, got, want, what, extra=""):
        detail = f"got {got!r}, want {want!r}"
        if extra != "":
            detail += f"; {extra}"
        return self.check(got == want, what, detail)

    def finish(self):
        n_fail = len(self.failures)
        print(f"== {self.name}: {self.n_checks - n_fail} of {self.n_checks} checks passed", flush=True)
        for f in self.failures:
            print(f"   failed: {f}")
        sys.exit(1 if n_fail or self.n_checks == 0 else 0)


def skip(reason):
    print(f"SKIP: {reason}", flush=True)
    sys.exit(SKIP)


def require_tools(*tools):
    if not os.access(NIMBUSD, os.X_OK):
        # Not a skip: make check builds it, so its absence is a failure to report.
        print(f"FAIL no nimbusd binary at {NIMBUSD} (build it or set NIMBUSD)", flush=True)
        sys.exit(1)
    for t in tools:
        if shutil.which(t) is None:
            skip(f"{t} is not installed")


def poll(fn, timeout, interval=0.05):
    """Calls fn until it returns a true value or timeout seconds pass; returns the last value."""
    deadline = time.monotonic() + timeout
    val = fn()
    n = 0
    while not val and time.monotonic() < deadline and n < 100000:
        time.sleep(interval)
        val = fn()
        n += 1
    return val


# ---------------------------------------------------------------------------
# Addresses and ports.


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def random_loopback():
    """A random 127/8 address: every one of them is on lo under Linux."""
    return "127.%d.%d.%d" % tuple(random.randint(1, 250) for _ in range(3))


def have_ipv6():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def free_port(addrs, tries=200):
    """A port that both UDP and TCP could bind on every address of addrs just now."""
    for _ in range(tries):
        port = random.randint(20000, 60999)
        socks = []
        try:
            for addr in addrs:
                for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                    s = socket.socket(family_of(addr), kind)
                    socks.append(s)
                    s.bind((addr, port))
            return port
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError(f"no free port on {addrs} after {tries} tries")


def fmt_addr(addr, port):
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"


# ---------------------------------------------------------------------------
# The server.

LOG_LINE_RE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)? (error|warning|info|debug): \S")

_running = []


@atexit.register
def _kill_leftovers():
    for srv in list(_running):
        srv.kill()


class StartError(Exception):
    pass


def yaml_str(v):
    if v is False:
        return "false"
    if v is True:
        return "true"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "[ " + ", ".join(yaml_str(x) for x in v) + " ]"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


class Nimbusd:
    """One nimbusd process on its own address and port, with its own config directory.

    server options are given as keyword arguments with '_' for '-' (tcp_idle_timeout="2s").
    """

    def __init__(self, ipv6=False, **server):
        self.addr = random_loopback()
        self.addr6 = "::1" if ipv6 else None
        self.port = free_port([self.addr] + ([self.addr6] if ipv6 else []))
        self.tmpdir = tempfile.mkdtemp(prefix="nimtest-")
        self.conf_path = os.path.join(self.tmpdir, "nimbusd.yaml")
        self.server = {
            "workers": 2,
            "log-level": "info",
            "identity": "ns1.example",
            "version": "nimbus test",
        }
        for k, v in server.items():
            self.server[k.replace("_", "-")] = v
        self.proc = None
        self.lines = []
        self.cond = threading.Condition()
        self.eof = False
        self.returncode = None
        self.write_config()

    @property
    def listen(self):
        out = [f"{self.addr}@{self.port}"]
        if self.addr6:
            out.append(f"{self.addr6}@{self.port}")
        return out

    def config_text(self, **changes):
        server = dict(self.server)
        for k, v in changes.items():
            server[k.replace("_", "-")] = v
        lines = ["server:", f"  listen: {yaml_str(self.listen)}"]
        for k, v in server.items():
            if v is None:
                continue
            lines.append(f"  {k}: {yaml_str(v)}")
        lines.append("zones: []")
        return "\n".join(lines) + "\n"

    def write_config(self, text=None, **changes):
        if text is None:
            text = self.config_text(**changes)
        tmp = self.conf_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, self.conf_path)  # a reload never sees half a file
        return text

    # --- process ---

    def _read_stderr(self):
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def start(self, timeout=20):
        self.proc = subprocess.Popen([NIMBUSD, "-c", self.conf_path], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     cwd=self.tmpdir)
        _running.append(self)
        threading.Thread(target=self._read_stderr, daemon=True).start()
        if self.wait_log(r"ready:", timeout) is None:
            rc = self.proc.poll()
            self.kill()
            log = "\n".join(self.lines[-30:])
            raise StartError(f"nimbusd did not log 'ready:' within {timeout}s "
                             f"(exit status {rc}); its stderr:\n{log}")
        return self

    def mark(self):
        """The number of log lines so far: pass it as since= to wait for later lines only."""
        with self.cond:
            return len(self.lines)

    def wait_log(self, pattern, timeout, since=0):
        """The first log line from index since on that matches pattern, or None at the deadline."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        i = since
        with self.cond:
            while True:
                while i < len(self.lines):
                    if rx.search(self.lines[i]):
                        return self.lines[i]
                    i += 1
                left = deadline - time.monotonic()
                if left <= 0 or self.eof:
                    return None
                self.cond.wait(min(left, 0.5))

    def log_since(self, since=0):
        with self.cond:
            return list(self.lines[since:])

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def send_signal(self, sig):
        if self.alive():
            os.kill(self.proc.pid, sig)

    def wait_exit(self, timeout):
        """The exit status, or None if the process still runs after timeout seconds."""
        try:
            self.returncode = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        with self.cond:  # let the reader thread take the last lines
            self.cond.wait_for(lambda: self.eof, timeout=2)
        if self in _running:
            _running.remove(self)
        return self.returncode

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Stops by PID; SIGKILL after timeout. Returns the exit status (None if it was killed)."""
        if self.proc is None:
            return None
        if self.proc.poll() is not None:
            return self.wait_exit(1)
        os.kill(self.proc.pid, sig)
        rc = self.wait_exit(timeout)
        if rc is None:
            self.kill()
        return rc

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        if self in _running:
            _running.remove(self)

    def dump_log(self, last=60):
        lines = self.log_since(0)
        print(f"-- nimbusd stderr ({len(lines)} lines, last {last}):")
        for line in lines[-last:]:
            print(f"   | {line}")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        self.dump_log()
        shutil.rmtree(self.tmpdir, ignore_errors=True)
        return False


# ---------------------------------------------------------------------------
# Building queries and raw exchanges.


def make_query(name="example.com.", rdtype="A", rdclass="IN", qid=None, rd=True, edns=None,
               payload=1232, do=False):
    """A dnspython query; edns=None sends no OPT, otherwise the EDNS version to send."""
    q = dns.message.make_query(name, rdtype, rdclass, use_edns=False)
    q.id = random.randint(0, 65535) if qid is None else qid
    q.flags = dns.flags.RD if rd else 0
    if edns is not None:
        q.use_edns(edns, dns.flags.DO if do else 0, payload)
    return q


def header(wire):
    """(id, flags, qdcount, ancount, nscount, arcount) of raw answer bytes, or None if too short."""
    if wire is None or len(wire) < 12:
        return None
    return struct.unpack("!HHHHHH", wire[:12])


def hdr_rcode(wire):
    return struct.unpack("!H", wire[2:4])[0] & 0xF


def hdr_opcode(wire):
    return (struct.unpack("!H", wire[2:4])[0] >> 11) & 0xF


def hdr_qr(wire):
    return bool(struct.unpack("!H", wire[2:4])[0] & 0x8000)


def udp_socket(addr, timeout=2.0):
    s = socket.socket(family_of(addr), socket.SOCK_DGRAM)
    s.settimeout(timeout)
    return s


def udp_raw(addr, port, data, timeout=2.0):
    """Sends one datagram and returns the first answer from the server, or None at timeout."""
    with udp_socket(addr, timeout) as s:
        s.sendto(data, (addr, port))
        deadline = time.monotonic() + timeout
        for _ in range(100):
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            s.settimeout(left)
            try:
                wire, peer = s.recvfrom(65535)
            except (socket.timeout, ConnectionRefusedError):
                return None
            if peer[1] == port:
                return wire
        return None


def tcp_connect(addr, port, timeout=3.0):
    s = socket.socket(family_of(addr), socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((addr, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def recv_exact(s, n, deadline):
    """n bytes, or None on EOF, reset or deadline."""
    buf = b""
    for _ in range(100000):
        if len(buf) >= n:
            return buf
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        s.settimeout(left)
        try:
            chunk = s.recv(n - len(buf))
        except (socket.timeout, ConnectionError, OSError):
            return None
        if not chunk:
            return None
        buf += chunk
    return None


def tcp_read_msg(s, timeout=3.0):
    """One length-prefixed message, or None on EOF, reset or timeout."""
    deadline = time.monotonic() + timeout
    pre = recv_exact(s, 2, deadline)
    if pre is None:
        return None
    return recv_exact(s, struct.unpack("!H", pre)[0], deadline)


def frame(wire):
    return struct.pack("!H", len(wire)) + wire


def tcp_raw(addr, port, data, timeout=3.0):
    """One framed query on a new connection; the answer bytes or None."""
    try:
        with tcp_connect(addr, port, timeout) as s:
            s.sendall(frame(data))
            return tcp_read_msg(s, timeout)
    except OSError:
        return None


def wait_closed(s, timeout):
    """True once the peer closes (EOF or reset) within timeout; answers read meanwhile are dropped."""
    deadline = time.monotonic() + timeout
    for _ in range(100000):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        s.settimeout(left)
        try:
            chunk = s.recv(4096)
        except socket.timeout:
            return False
        except (ConnectionError, OSError):
            return True
        if not chunk:
            return True
    return False


def parse(wire):
    """A dnspython message from answer bytes, or None if it does not parse."""
    if wire is None:
        return None
    try:
        return dns.message.from_wire(wire)
    except Exception as e:  # noqa: BLE001 -- any parse failure is a test failure
        print(f"     (answer does not parse: {e!r}: {wire.hex()})")
        return None


def udp_query(addr, port, q, timeout=2.0):
    wire = udp_raw(addr, port, q.to_wire(), timeout)
    return wire, parse(wire)


def tcp_query(addr, port, q, timeout=3.0):
    wire = tcp_raw(addr, port, q.to_wire(), timeout)
    return wire, parse(wire)


def is_answered(srv, addr=None, transport="udp", timeout=2.0):
    """True when a normal query gets an answer with its ID and QR set (the server is alive)."""
    addr = addr or srv.addr
    q = make_query("alive.example.", "A")
    fn = udp_raw if transport == "udp" else tcp_raw
    wire = fn(addr, srv.port, q.to_wire(), timeout)
    h = header(wire)
    return h is not None and h[0] == q.id and hdr_qr(wire)


# ---------------------------------------------------------------------------
# dig and kdig.


class DigResult:
    """The parts of dig's or kdig's full output the tests look at."""

    def __init__(self, cmd, rc, out, err):
        self.cmd = cmd
        self.rc = rc
        self.out = out
        self.err = err
        self.status = self.opcode = self.id = self.proto = None
        self.flags = set()
        self.has_opt = False
        self.edns_version = self.edns_udp = None
        self.edns_flags = set()
        self.question = []
        self.records = []
        self._parse()

    def _parse(self):
        for line in self.out.splitlines():
            m = re.search(r"->>HEADER<<- opcode: (\w+)[,;] status: ([\w-]+)[,;] id: (\d+)", line)
            if m:
                self.opcode, self.status, self.id = m.group(1), m.group(2), int(m.group(3))
                continue
            m = re.match(r";; [Ff]lags: ([a-z ]*);", line)
            if m:
                self.flags = set(m.group(1).split())
                continue
            m = re.match(r"; EDNS: version: (\d+), flags: ?([a-z ]*); udp: (\d+)", line)  # dig
            if not m:
                m = re.match(r";; Version: (\d+); flags: ?([a-z ]*); UDP size: (\d+)", line)  # kdig
            if m:
                self.has_opt = True
                self.edns_version = int(m.group(1))
                self.edns_flags = set(m.group(2).split())
                self.edns_udp = int(m.group(3))
                continue
            m = re.search(r"\((UDP|TCP)\)", line)
            if m and (line.startswith(";; SERVER:") or line.startswith(";; From")):
                self.proto = m.group(1)
                continue
            m = re.match(r";;? ?(\S+)\s+(IN|CH|CHAOS|HS|CLASS\d+)\s+(\S+)\s*$", line)
            if m and not self.question and not line.startswith(";; ->"):
                self.question.append((m.group(1), m.group(2), m.group(3)))
                continue
            if line and not line.startswith(";"):
                parts = line.split(None, 4)
                if len(parts) == 5:
                    self.records.append(tuple(parts))  # name ttl class type rdata

    def txt(self):
        """The TXT strings of the answer records, quotes removed."""
        out = []
        for r in self.records:
            if r[3] == "TXT":
                out.append("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', r[4])))
        return out

    def __repr__(self):
        return (f"<{' '.join(self.cmd[:1])} rc={self.rc} status={self.status} flags={sorted(self.flags)}"
                f" opt={self.has_opt} proto={self.proto} records={self.records}>")


def dig(tool, addr, port, *args, timeout=15):
    """Runs dig or kdig once (one try, short timeout) and parses its full output."""
    if tool == "dig":
        cmd = ["dig", f"@{addr}", "-p", str(port), "+tries=1", "+time=3"] + list(args)
    else:
        cmd = ["kdig", f"@{addr}", "-p", str(port), "+retry=0", "+time=3"] + list(args)
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return DigResult(cmd, None, "", "timeout")
    return DigResult(cmd, p.returncode, p.stdout, p.stderr)
