"""nimbusd --check-zone NAME FILE.

The shipped zones/*.zone files are valid (exit 0), with the serial and the
record count dnspython reads from them. Broken files written here exit 1 and
name file:line (and the fault) for each error on stderr; an out-of-zone
record and missing glue are warnings with exit 0. Where named-checkzone is
installed its exit status is the reference for every file (it agrees on all
of them; NSD's nsd-checkzone is not used: it accepts a zone without apex NS
and rejects out-of-zone data). Signed zones: a broken NSEC chain is an error
at the NSEC's (or the name's) line, a missing chain a warning, NSEC3
iterations above 0 a warning and above 150 an error (issue 9, point 10).
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # keep the source tree clean when run by hand
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nimtest import NIMBUSD, TOP_SRCDIR, Checker, require_tools  # noqa: E402

import dns.zone  # noqa: E402

HEAD = ["$ORIGIN t.", "$TTL 300", "@\tSOA\tns1 hostmaster 7 3600 600 86400 60"]
GOOD = HEAD + ["\tNS\tns1", "ns1\tA\t192.0.2.1"]  # lines 1-5

# (what, zone name, lines, extra files {name: text}, exit status,
#  [(severity, file or None for the zone file, allowed lines, None for "a line" or NOLINE, regex)])
# NOLINE: the zone file has no record to point at; its name is enough (with or without a line).
NOLINE = "no line"
CASES = [
    ("no SOA (NS at the apex)", "t", ["$ORIGIN t.", "$TTL 300", "@\tNS\tns1", "ns1\tA\t192.0.2.1"], {}, 1,
     [("error", None, None, r"no SOA")]),
    ("no SOA (nothing at the apex)", "t", ["$ORIGIN t.", "$TTL 300", "www\tA\t192.0.2.1"], {}, 1,
     [("error", None, None, r"no SOA"), ("error", None, None, r"no NS")]),
    ("no SOA (empty file)", "t", [], {}, 1,
     [("error", None, NOLINE, r"no SOA"), ("error", None, NOLINE, r"no NS")]),
    ("no SOA (only comments)", "t", ["; nothing but a comment"], {}, 1,
     [("error", None, NOLINE, r"no SOA"), ("error", None, NOLINE, r"no NS")]),
    ("no SOA (only out-of-zone records)", "t", ["$ORIGIN t.", "$TTL 300", "foo.other.\tA\t192.0.2.1"], {}, 1,
     [("warning", None, {3}, r"outside the zone"), ("error", None, NOLINE, r"no SOA"),
      ("error", None, NOLINE, r"no NS")]),
    ("two SOAs", "t", GOOD + ["@\tSOA\tns1 hostmaster 8 3600 600 86400 60"], {}, 1,
     [("error", None, {6}, r"more than one SOA")]),
    ("no apex NS", "t", HEAD + ["ns1\tA\t192.0.2.1"], {}, 1,
     [("error", None, {3}, r"no NS")]),
    ("CNAME and other data (CNAME first)", "t", GOOD + ["c\tCNAME\tns1", 'c\tTXT\t"x"'], {}, 1,
     [("error", None, {6, 7}, r"CNAME and other data")]),
    ("CNAME and other data (CNAME last)", "t", GOOD + ["c\tA\t192.0.2.9", "c\tCNAME\tns1"], {}, 1,
     [("error", None, {6, 7}, r"CNAME and other data")]),
    ("syntax error: bad IPv4 address", "t", GOOD + ["w\tA\t192.0.2.999"], {}, 1,
     [("error", None, {6}, r"192\.0\.2\.999")]),
    ("syntax errors: unknown type, open quote (both reported)", "t",
     GOOD + ["w\tBOGUSTYPE\t1", 'x\tTXT\t"unterminated', "y\tA\t192.0.2.2"], {}, 1,
     [("error", None, {6}, r"BOGUSTYPE"), ("error", None, {7}, r"quot")]),
    ("syntax errors: bad TTL, unknown directive", "t", GOOD + ["w\t1x\tA\t192.0.2.1", "$FOO bar"], {}, 1,
     [("error", None, {6}, r"TTL"), ("error", None, {7}, r"\$FOO")]),
    ("syntax error: '(' never closed", "t", GOOD + ["w\tTXT\t( \"a\"", "v\tA\t192.0.2.3"], {}, 1,
     [("error", None, {6}, r"\(")]),
    ("syntax error in an $INCLUDEd file", "t", GOOD + ["$INCLUDE inc.inc"],
     {"inc.inc": "a\tA\t192.0.2.1\nb\tA\t1.2.3\n"}, 1,
     [("error", "inc.inc", {2}, r"1\.2\.3")]),
    ("out-of-zone record (warning)", "t", GOOD + ["foo.other.\tA\t192.0.2.9"], {}, 0,
     [("warning", None, {6}, r"outside the zone")]),
    ("missing glue (warning)", "t", GOOD + ["d\tNS\tns.d"], {}, 0,
     [("warning", None, {6}, r"glue")]),
]


def run(args, cwd):
    p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30, cwd=cwd)
    return p.returncode, p.stdout, p.stderr


def check_zone(name, path, cwd):
    return run([NIMBUSD, "--check-zone", name, path], cwd)


def named_status(name, path, cwd):
    if shutil.which("named-checkzone") is None:
        return None
    return run(["named-checkzone", "-q", name, path], cwd)[0]


def shipped(c):
    files = sorted(glob.glob(os.path.join(TOP_SRCDIR, "zones", "*.zone")))
    c.check(len(files) >= 2, "shipped zones found", files)
    for path in files:
        origin = os.path.basename(path)[:-len(".zone")]
        rc, out, err = check_zone(origin, path, os.path.dirname(path))
        what = f"zones/{os.path.basename(path)}"
        c.eq(rc, 0, f"{what}: exit 0", err.strip())
        c.eq([ln for ln in err.splitlines() if "error" in ln], [], f"{what}: no error on stderr")
        z = dns.zone.from_file(path, origin=origin, relativize=False)
        n = sum(len(rds) for _, node in z.items() for rds in node)
        serial = z.get_soa().serial
        c.check(re.search(rf"zone '{re.escape(origin)}\.?' is valid, serial {serial}, {n} records", out),
                f"{what}: 'valid, serial {serial}, {n} records' (as dnspython reads it)", out.strip())
        ref = named_status(origin, path, os.path.dirname(path))
        if ref is not None:
            c.eq(ref, 0, f"{what}: named-checkzone agrees (exit 0)")


def broken(c, tmp):
    for k, (what, name, lines, extra, want_rc, diags) in enumerate(CASES):
        d = os.path.join(tmp, f"case{k}")
        os.mkdir(d)
        path = os.path.join(d, f"{name}.zone")
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join(ln + "\n" for ln in lines))
        for fname, text in extra.items():
            with open(os.path.join(d, fname), "w", encoding="utf-8") as f:
                f.write(text)
        rc, out, err = check_zone(name, path, d)
        err_lines = err.splitlines()
        c.eq(rc, want_rc, f"{what}: exit {want_rc}", err.strip())
        files_rx = "|".join([re.escape(path)] + [rf"(?:\S*/)?{re.escape(x)}" for x in extra])
        noline = any(a == NOLINE for _, _, a, _ in diags)
        for sev, fname, allowed, rx in diags:
            file_rx = re.escape(path) if fname is None else rf"(?:\S*/)?{re.escape(fname)}"
            line_rx = r"(?::(\d+))?" if allowed == NOLINE else r":(\d+)"
            hits = [ln for ln in err_lines if re.match(rf"{file_rx}{line_rx}(?::\d+)?: {sev}: .*{rx}", ln)]
            if allowed is None or allowed == NOLINE:
                where = fname or os.path.basename(path)
                where += ":LINE" if allowed is None else "[:LINE]"
            else:
                where = f"{fname or os.path.basename(path)}:" + "|".join(str(x) for x in sorted(allowed))
            ok = bool(hits) and (allowed in (None, NOLINE) or all(
                int(re.match(rf"{file_rx}:(\d+)", h).group(1)) in allowed for h in hits))
            c.check(ok, f"{what}: stderr has '{where}: {sev}: ...{rx}'", err.strip())
        # Every diagnostic names the file and a line (the summary line is not a diagnostic).
        line_rx = r"(?::\d+)?" if noline else r":\d+"
        unplaced = [ln for ln in err_lines if re.search(r"\b(error|warning): ", ln)
                    and not re.match(rf"(?:{files_rx}){line_rx}(?::\d+)?: (error|warning): ", ln)]
        c.eq(unplaced, [], f"{what}: every diagnostic names the file" + ("" if noline else " and a line"))
        if want_rc == 0:
            c.check("is valid" in out, f"{what}: stdout says the zone is valid", out.strip())
        ref = named_status(name, path, d)
        if ref is not None:
            c.eq(rc, ref, f"{what}: same exit status as named-checkzone")


def rr_fields(line):
    """(owner, type, rdata fields) of a one-record line of ldns-signzone's output, or None."""
    f = line.split(";")[0].split()
    if len(f) < 4 or f[2] != "IN":
        return None
    return f[0], f[3], f[4:]


def write_lines(path, lines):
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(ln + "\n" for ln in lines))


def diag_lines(err, path, sev, rx):
    """Line numbers of the diagnostics 'path:LINE: sev: ...rx...' on stderr."""
    return [int(m.group(1)) for ln in err.splitlines()
            if (m := re.match(rf"{re.escape(path)}:(\d+): {sev}: .*{rx}", ln))]


def signed_chains(c, tmp):
    """Signed zones whose NSEC chain is gone or broken, and NSEC3 iterations (issue 9, point 10).

    Variants of the shipped zones/example-nsec.test.zone made by editing its
    text (each record on its own line): every diagnostic must name the line
    of the record concerned. NSD's nsd-checkzone accepts all of these and
    Knot 3.2 only warns (semantic-checks: on); check.c says why a broken
    chain is an error here and a missing one a warning.
    """
    src = os.path.join(TOP_SRCDIR, "zones", "example-nsec.test.zone")
    with open(src, encoding="utf-8") as f:
        lines = f.read().splitlines()
    recs = [(i + 1, rr_fields(ln)) for i, ln in enumerate(lines)]
    nsec = [(n, r) for n, r in recs if r and r[1] == "NSEC"]
    c.check(len(nsec) >= 5, "the shipped NSEC zone has an NSEC chain", len(nsec))
    dnskey_line = min(n for n, r in recs if r and r[1] == "DNSKEY")

    # 1. No NSEC (nor their RRSIGs) at all: loads, a warning at the DNSKEY, no proofs.
    path = os.path.join(tmp, "nochain.zone")
    write_lines(path, [ln for ln, (n, r) in zip(lines, recs)
                       if not (r and (r[1] == "NSEC" or (r[1] == "RRSIG" and r[2][0] == "NSEC")))])
    rc, out, err = check_zone("example-nsec.test", path, tmp)
    c.eq(rc, 0, "signed, no NSEC chain: exit 0 (served without denial proofs)", err.strip())
    # The DNSKEY keeps its line: nothing before it was removed.
    c.eq(diag_lines(err, path, "warning", "without denial of existence proofs"), [dnskey_line],
         "signed, no NSEC chain: warning at the DNSKEY's line", err.strip())

    # 2. One NSEC points past its successor: an error at that NSEC's line.
    n_bad, r_bad = nsec[2]
    edited = list(lines)
    edited[n_bad - 1] = edited[n_bad - 1].replace(r_bad[2][0], "zzz.example-nsec.test.", 1)
    path = os.path.join(tmp, "wrongnext.zone")
    write_lines(path, edited)
    rc, out, err = check_zone("example-nsec.test", path, tmp)
    c.eq(rc, 1, "NSEC with a wrong next name: exit 1", err.strip())
    c.eq(diag_lines(err, path, "error", rf"the NSEC at '{re.escape(r_bad[0])}' points to "
                                        r"'zzz\.example-nsec\.test\.'"),
         [n_bad], f"NSEC with a wrong next name: error at line {n_bad}", err.strip())

    # 3. One name loses its NSEC (and its predecessor is relinked past it): an error at the
    #    name's first record.
    n_gone, r_gone = nsec[3]
    n_prev, r_prev = nsec[2]
    first_of_name = min(n for n, r in recs if r and r[0] == r_gone[0])
    edited = list(lines)
    edited[n_prev - 1] = edited[n_prev - 1].replace(r_prev[2][0], r_gone[2][0], 1)
    edited[n_gone - 1] = ";"
    path = os.path.join(tmp, "gap.zone")
    write_lines(path, edited)
    rc, out, err = check_zone("example-nsec.test", path, tmp)
    c.eq(rc, 1, "a name without NSEC: exit 1", err.strip())
    c.eq(diag_lines(err, path, "error", rf"'{re.escape(r_gone[0])}' has no NSEC record"),
         [first_of_name], f"a name without NSEC: error at line {first_of_name}", err.strip())

    # 4. NSEC3 iterations (RFC 9276): 10 is a warning, 151 an error, at the NSEC3PARAM's line.
    if shutil.which("ldns-signzone") is None:
        c.check(True, "ldns-signzone not installed: NSEC3 iteration cases skipped")
        return
    keys = sorted(glob.glob(os.path.join(TOP_SRCDIR, "zones", "keys", "Kexample-nsec3.test.+*.private")))
    for iters, want_rc, sev, rx in ((10, 0, "warning", r"10 additional iterations: RFC 9276 §3\.1"),
                                    (151, 1, "error", r"151 additional iterations, more than the "
                                                      r"nsec3-max-iterations limit of 150")):
        path = os.path.join(tmp, f"nsec3-{iters}.zone")
        rc, _, err = run(["ldns-signzone", "-n", "-a", "1", "-t", str(iters), "-s", "", "-p",
                          "-o", "example-nsec3.test.", "-f", path,
                          os.path.join(TOP_SRCDIR, "zones", "example-nsec3.test.zone.in")]
                         + [k[:-len(".private")] for k in keys], tmp)
        c.eq(rc, 0, f"ldns-signzone -t {iters}", err.strip())
        with open(path, encoding="utf-8") as f:
            param_line = [i + 1 for i, ln in enumerate(f.read().splitlines())
                          if (r := rr_fields(ln)) and r[1] == "NSEC3PARAM"]
        rc, out, err = check_zone("example-nsec3.test", path, tmp)
        c.eq(rc, want_rc, f"NSEC3 with {iters} iterations: exit {want_rc}", err.strip())
        c.eq(diag_lines(err, path, sev, rx), param_line,
             f"NSEC3 with {iters} iterations: {sev} at the NSEC3PARAM's line {param_line}", err.strip())


def usage_errors(c, tmp):
    path = os.path.join(tmp, "nosuch", "x.zone")
    rc, _, err = check_zone("t", path, tmp)
    c.eq(rc, 1, "missing file: exit 1")
    c.check(path in err and "No such file" in err, "missing file: stderr names the file and the reason", err)
    good = os.path.join(tmp, "good.zone")
    with open(good, "w", encoding="utf-8") as f:
        f.write("\n".join(GOOD) + "\n")
    rc, out, err = check_zone("t", good, tmp)
    c.eq((rc, err), (0, ""), "a minimal good zone: exit 0, nothing on stderr")
    c.check("zone 't' is valid, serial 7, 3 records" in out, "a minimal good zone: serial 7, 3 records", out)
    rc, _, err = check_zone("bad..name", good, tmp)
    c.eq(rc, 1, "invalid zone name: exit 1")
    c.check("bad..name" in err, "invalid zone name: stderr names it", err)
    rc, _, err = check_zone("other.test", good, tmp)
    c.eq(rc, 1, "zone name that is not the file's origin: exit 1", err)


def main():
    require_tools()
    c = Checker("test_check_zone")
    tmp = tempfile.mkdtemp(prefix="nimtest-cz-")
    try:
        shipped(c)
        broken(c, tmp)
        signed_chains(c, tmp)
        usage_errors(c, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    c.finish()


if __name__ == "__main__":
    main()
