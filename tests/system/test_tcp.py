"""DNS over TCP (RFC 1035 §4.2.2, RFC 7766): length-prefixed messages, many
queries per connection, pipelining with answers in any order, messages split
over segments, the idle timeout, the client limit, and clients that stall or
never read, which must not hold up UDP or other TCP clients.

The hostile-client checks run nimbusd with one worker so that a worker
blocked on one connection would show as lost answers elsewhere.
"""

import os
import random
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean when run by hand
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nimtest import (Checker, Nimbusd, dig, frame, have_ipv6, is_answered, make_query, parse,  # noqa: E402
                     poll, require_tools, tcp_connect, tcp_read_msg, wait_closed)

import dns.rcode  # noqa: E402


def ask(s, name="example.com.", timeout=3.0):
    """One query on an open connection; True when its answer (same ID, REFUSED) comes back."""
    q = make_query(name, "A")
    try:
        s.sendall(frame(q.to_wire()))
    except OSError:
        return False
    r = parse(tcp_read_msg(s, timeout))
    return r is not None and r.id == q.id and r.rcode() == dns.rcode.REFUSED


def basic(c, srv):
    with tcp_connect(srv.addr, srv.port) as s:
        ok = [ask(s, f"q{i}.example.") for i in range(20)]
        c.eq(ok.count(True), 20, "20 queries one after another on one connection")

        ids = random.sample(range(65536), 100)
        names = {qid: f"p{qid}.Example.COM." for qid in ids}
        s.sendall(b"".join(frame(make_query(names[qid], "A", qid=qid).to_wire()) for qid in ids))
        got = {}
        deadline = time.monotonic() + 10
        for _ in range(100):
            r = parse(tcp_read_msg(s, max(0.1, deadline - time.monotonic())))
            if r is None:
                break
            got[r.id] = (r.rcode(), str(r.question[0].name) if r.question else None)
        c.eq(sorted(got), sorted(ids), "pipelining: 100 queries in one write, 100 answers with their IDs")
        c.check(all(got[i] == (dns.rcode.REFUSED, names[i]) for i in got),
                "pipelining: each answer REFUSED and carries its own question")

        # One query cut into pieces sent as separate segments (TCP_NODELAY, pauses between).
        q = make_query("Split.Example.", "A")
        data = frame(q.to_wire())
        pieces = [data[:1], data[1:2], data[2:9], data[9:20], data[20:]]
        for p in pieces:
            s.sendall(p)
            time.sleep(0.05)
        r = parse(tcp_read_msg(s, 3))
        c.check(r is not None and r.id == q.id and str(r.question[0].name) == "Split.Example.",
                "query split over 5 segments (inside the length prefix too) answered")

        # Two queries in one segment, the second one cut across the next segment.
        q1, q2 = make_query("one.example.", "A"), make_query("two.example.", "A")
        d1, d2 = frame(q1.to_wire()), frame(q2.to_wire())
        s.sendall(d1 + d2[:7])
        time.sleep(0.05)
        s.sendall(d2[7:])
        rs = [parse(tcp_read_msg(s, 3)) for _ in range(2)]
        c.eq(sorted(r.id for r in rs if r is not None), sorted([q1.id, q2.id]),
             "a message and a half in one segment, the rest in the next: both answered")

    for addr in [srv.addr] + ([srv.addr6] if srv.addr6 else []):
        for tool in ("dig", "kdig"):
            d = dig(tool, addr, srv.port, "example.org", "+tcp")
            c.eq((d.status, d.proto), ("REFUSED", "TCP"), f"{tool} +tcp on {addr}")


def idle(c, srv):
    """tcp-idle-timeout is 2s on this server."""
    with tcp_connect(srv.addr, srv.port) as s:
        c.check(wait_closed(s, 15), "connection that never sends is closed by the server")
    with tcp_connect(srv.addr, srv.port) as s:
        c.check(ask(s), "query answered before going idle")
        c.check(wait_closed(s, 15), "connection idle after an answer is closed by the server")
    with tcp_connect(srv.addr, srv.port) as s:
        s.sendall(b"\x00\x1d\x12\x34")  # a length prefix and 2 of 29 octets, then silence
        c.check(wait_closed(s, 15), "connection stalled mid-message is closed by the server")
    # Activity (a query every 0.5 s, four times the idle timeout's pace) keeps it open.
    with tcp_connect(srv.addr, srv.port) as s:
        ok = []
        for i in range(8):
            ok.append(ask(s, f"busy{i}.example."))
            time.sleep(0.5)
        c.eq(ok.count(True), 8, "a connection used every 0.5 s for 4 s stays open (idle timeout 2 s)")
    c.check(is_answered(srv, transport="tcp"), "server answers TCP after the idle closes")


def fifth_served(s, timeout=2.0):
    """True if a query on s is answered; False on no answer, EOF or reset."""
    q = make_query("fifth.example.", "A")
    try:
        s.sendall(frame(q.to_wire()))
    except OSError:
        return False
    r = parse(tcp_read_msg(s, timeout))
    return r is not None and r.id == q.id


def max_clients(c, srv):
    """tcp-max-clients is 4 on this server."""
    conns = []
    try:
        for i in range(4):
            s = tcp_connect(srv.addr, srv.port)
            conns.append(s)
            c.check(ask(s, f"c{i}.example."), f"client {i + 1} of 4 served")
        fifth = None
        try:
            fifth = tcp_connect(srv.addr, srv.port)
            served = fifth_served(fifth)
        except OSError:
            served = False
        c.check(not served, "5th concurrent connection not served (limit 4)")
        for i, s in enumerate(conns):
            c.check(ask(s, f"again{i}.example."), f"client {i + 1} still served while the 5th waits")
        c.check(is_answered(srv), "UDP answered while TCP is full")
        if fifth is not None:
            fifth.close()
        conns.pop(0).close()

        def new_client_served():
            try:
                with tcp_connect(srv.addr, srv.port, timeout=2) as s:
                    return ask(s, "freed.example.", timeout=1.0)
            except OSError:
                return False
        c.check(poll(new_client_served, 10, 0.2), "after one client leaves, a new connection is served")
    finally:
        for s in conns:
            s.close()


def all_served(srv, n):
    """True when n connections open at once are all answered."""
    conns = []
    try:
        for _ in range(n):
            conns.append(tcp_connect(srv.addr, srv.port, timeout=2))
        return all(ask(s, "slot.example.", timeout=1.0) for s in conns)
    except OSError:
        return False
    finally:
        for s in conns:
            s.close()


def slot_accounting(c, srv):
    """tcp-max-clients 2, idle timeout 1s: every way a connection ends gives its slot back."""
    with tcp_connect(srv.addr, srv.port) as s:
        q = make_query("half.example.", "A")
        s.sendall(frame(q.to_wire()))
        s.shutdown(socket.SHUT_WR)
        r = parse(tcp_read_msg(s, 3))
        c.check(r is not None and r.id == q.id, "query then half-close (SHUT_WR): answer still sent")
    c.check(poll(lambda: all_served(srv, 2), 10, 0.1), "2 of 2 slots usable at start")
    a, b = tcp_connect(srv.addr, srv.port), tcp_connect(srv.addr, srv.port)
    c.check(wait_closed(a, 10) and wait_closed(b, 10), "both idle connections closed by the server")
    a.close()
    b.close()
    c.check(poll(lambda: all_served(srv, 2), 10, 0.1), "slots freed by idle timeouts are usable again")
    for _ in range(10):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(2)
        try:
            s.connect((srv.addr, srv.port))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        s.close()
    c.check(poll(lambda: all_served(srv, 2), 10, 0.1), "slots freed by 10 client resets are usable again")
    def one_served(i):
        try:
            with tcp_connect(srv.addr, srv.port, timeout=2) as s:
                return ask(s, f"seq{i}.example.", timeout=1.0)
        except OSError:
            return False
    # A close may reach the server just after the next connect: each one may retry for a while,
    # but a slot that leaks never comes back.
    ok = sum(bool(poll(lambda: one_served(i), 5, 0.05)) for i in range(20))
    c.eq(ok, 20, "20 connections one after another (limit 2): all served")
    c.check(poll(lambda: all_served(srv, 2), 10, 0.1), "slots freed by client closes are usable again")


def hostile(c, srv):
    """One worker: a stalled or non-reading client must not block anyone else."""
    stalled = []
    try:
        s = tcp_connect(srv.addr, srv.port)
        s.sendall(b"\x00")  # half a length prefix
        stalled.append(s)
        s = tcp_connect(srv.addr, srv.port)
        s.sendall(b"\x00\x40" + os.urandom(10))  # 64 announced, 10 sent
        stalled.append(s)
        c.check(is_answered(srv), "UDP answered while two TCP clients stall mid-message")
        with tcp_connect(srv.addr, srv.port) as s:
            c.check(ask(s), "another TCP client answered while two stall")

        # A client that sends a lot and never reads: its answers fill its
        # receive window (made small) and then the server's send buffer.
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.settimeout(3)
        s.connect((srv.addr, srv.port))
        stalled.append(s)
        s.setblocking(False)
        blob = b"".join(frame(make_query(f"n{i}.example.", "TXT", qid=i).to_wire()) for i in range(1000))
        n_sent = 0
        n_full = 0
        deadline = time.monotonic() + 6
        for _ in range(400):  # at most 400 blobs (about 12 MB)
            if time.monotonic() > deadline:
                break
            try:
                n_sent += s.send(blob)
            except BlockingIOError:
                n_full += 1  # the server stopped reading: its buffers are full
                if n_full >= 10:
                    break
                time.sleep(0.1)
            except OSError:
                break  # the server closed it: also allowed
        print(f"     (non-reading client pushed {n_sent} octets, blocked {n_full} times)")
        c.check(is_answered(srv), "UDP answered while a TCP client never reads")
        with tcp_connect(srv.addr, srv.port) as s2:
            c.check(ask(s2), "another TCP client answered while one never reads")
        d = dig("kdig", srv.addr, srv.port, "example.com", "+tcp")
        c.eq(d.status, "REFUSED", "kdig +tcp answered while one client never reads")
    finally:
        for s in stalled:
            s.close()
    # Many connections opened and dropped at once (RST by SO_LINGER 0).
    for _ in range(50):
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.settimeout(2)
            s.connect((srv.addr, srv.port))
            s.sendall(b"\x00\x1d\x12")
            s.close()
        except OSError:
            pass
    c.check(poll(lambda: is_answered(srv, transport="tcp"), 5, 0.1), "TCP answered after 50 reset connections")
    c.check(is_answered(srv), "UDP answered after the hostile clients left")


def main():
    require_tools("dig", "kdig")
    c = Checker("test_tcp")
    with Nimbusd(ipv6=have_ipv6(), tcp_idle_timeout="2s") as srv:
        basic(c, srv)
        idle(c, srv)
    with Nimbusd(tcp_max_clients=4, tcp_idle_timeout="30s") as srv:
        max_clients(c, srv)
        c.check(srv.alive(), "server (max clients) still running")
    with Nimbusd(tcp_max_clients=2, tcp_idle_timeout="1s") as srv:
        slot_accounting(c, srv)
    with Nimbusd(workers=1, tcp_idle_timeout="20s") as srv:
        hostile(c, srv)
        c.check(srv.alive(), "server (one worker) still running")
    c.finish()


if __name__ == "__main__":
    main()
