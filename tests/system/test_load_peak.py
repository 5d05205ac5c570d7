"""The memory a large zone load peaks at, against what it settles at.

Issue 9 point 14: loading a zone must not need much more memory than holding
it, so that a zone fits on a machine that can hold it once. nimbusd starts
with a generated zone of 500,000 records (bench/gen-zone.sh, the benchmark's
mix; 17 MB of text); once it answers the zone's SOA, its VmHWM (the kernel's high-water
mark of resident memory, which no sampling can miss) must be at most 1.5x
its VmRSS. The target is 1.3x, measured on 1M records by
bench/run-memory.sh (bench/RESULTS.md); this bound is looser because a
smaller process's fixed memory and the huge pages being filled weigh more
(measured 1.26-1.29x here), and it still fails when the version is built
beside the whole staging (1.92x before the change). Under a sanitizer
build only the load and the answer are checked: shadow memory and
quarantine make the figures meaningless.
"""

import os
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # keep the source tree clean when run by hand
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nimtest import NIMBUSD, TOP_SRCDIR, Checker, Nimbusd, dig, poll, require_tools  # noqa: E402

RECORDS = 500000
MAX_RATIO = 1.5


def status_kib(pid, key):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def is_sanitized(path):
    with open(path, "rb") as f:
        data = f.read()
    return b"AddressSanitizer" in data or b"ThreadSanitizer" in data


def main():
    require_tools("dig")
    c = Checker("test_load_peak")
    with tempfile.TemporaryDirectory(prefix="nimtest-peak-") as tmp:
        zone = os.path.join(tmp, "big.zone")
        with open(zone, "w", encoding="ascii") as f:
            subprocess.run(["/bin/bash", os.path.join(TOP_SRCDIR, "bench", "gen-zone.sh"),
                            "-z", "example.com", "-n", str(RECORDS)], stdout=f, check=True,
                           timeout=120)
        srv = Nimbusd(workers=1)
        srv.write_config(srv.config_text().replace(
            "zones: []\n", f'zones:\n  - {{ name: "example.com", file: "{zone}" }}\n'))
        with srv:  # starts it
            soa = poll(lambda: (r := dig("dig", srv.addr, srv.port, "+norec", "example.com", "SOA"))
                       and r.status == "NOERROR" and "aa" in r.flags and r, 60)
            c.check(soa, "the big zone is served (SOA, NOERROR, aa)")
            time.sleep(0.5)  # what is freed after the load is freed by then
            pid = srv.proc.pid
            hwm, rss = status_kib(pid, "VmHWM"), status_kib(pid, "VmRSS")
            print(f"# {RECORDS} records: VmHWM {hwm} KiB, VmRSS {rss} KiB, "
                  f"ratio {hwm / rss:.3f}", flush=True)
            if is_sanitized(NIMBUSD):
                print("# sanitizer build: memory figures not checked", flush=True)
            else:
                c.check(hwm <= MAX_RATIO * rss,
                        f"load peak (VmHWM) <= {MAX_RATIO}x the settled RSS",
                        f"{hwm} KiB against {rss} KiB: {hwm / rss:.3f}x")
    c.finish()


if __name__ == "__main__":
    main()
