"""The command line: --help, --version, unknown options, --check-config with
its located diagnostics (file:line:col: error: message), and -c with a
broken file.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # keep the source tree clean when run by hand
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nimtest import NIMBUSD, Checker, Nimbusd, package_version, random_loopback, require_tools  # noqa: E402


def run(*args, timeout=15):
    try:
        p = subprocess.run([NIMBUSD, *args], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "", "timeout"
    return p.returncode, p.stdout, p.stderr


def error_lines(stderr, path):
    """The diagnostics 'path:line:col: error: message' on stderr, as (line, col, message)."""
    rx = re.compile(re.escape(path) + r":(\d+):(\d+): error: (.*)$")
    out = []
    for ln in stderr.splitlines():
        m = rx.search(ln)
        if m:
            out.append((int(m.group(1)), int(m.group(2)), m.group(3)))
    return out


def main():
    require_tools()
    c = Checker("test_cli")
    tmp = tempfile.mkdtemp(prefix="nimtest-cli-")
    try:
        rc, out, err = run("--help")
        c.eq(rc, 0, "--help: exit status 0")
        c.check(re.search(r"usage", out, re.I), "--help: usage on stdout", out[:200])
        c.check("--check-config" in out and "-c" in out, "--help: names -c and --check-config", out[:400])

        rc, out, err = run("--version")
        c.eq(rc, 0, "--version: exit status 0")
        first = out.splitlines()[0] if out else ""
        c.check(first.startswith("nimbusd "), "--version: first line starts with 'nimbusd '", first)
        want = package_version()
        c.check(want and want in first, f"--version: shows the version of configure.ac ({want})", first)

        for bad in (["--no-such-option"], ["-Z"], ["-c"]):
            rc, out, err = run(*bad)
            c.check(rc not in (0, None), f"{' '.join(bad)}: non-zero exit status", rc)
            c.check(re.search(r"usage", err, re.I), f"{' '.join(bad)}: usage on stderr", err[:200])

        # A valid file.
        good = os.path.join(tmp, "good.yaml")
        with open(good, "w") as f:
            f.write(f"""server:
  listen: [ "{random_loopback()}@15353", "::1@15353" ]
  workers: 2
  log-level: info
  identity: ns1.example
  version: "nimbus 0.1"
  tcp-idle-timeout: 10s
  tcp-max-clients: 1000
  udp-max-payload: 1232
zones: []
""")
        rc, out, err = run("--check-config", good)
        c.eq(rc, 0, "--check-config valid file: exit status 0")
        c.eq(error_lines(err, good), [], "--check-config valid file: no error lines")

        # The example of the specification: a misspelt key at line 3, column 3.
        typo = os.path.join(tmp, "x.yaml")
        with open(typo, "w") as f:
            f.write('server:\n  listen: [ "127.0.0.5@15353" ]\n  listn: [ "127.0.0.6@15353" ]\nzones: []\n')
        rc, out, err = run("--check-config", typo)
        c.eq(rc, 1, "--check-config unknown key: exit status 1")
        errs = error_lines(err, typo)
        c.eq([(ln, col) for ln, col, _ in errs], [(3, 3)], "--check-config unknown key: one error at 3:3")
        c.check(errs and "unknown key 'listn'" in errs[0][2] and "did you mean 'listen'" in errs[0][2],
                "--check-config unknown key: message names 'listn' and suggests 'listen'", err.strip())

        # Several problems: every one is reported, each at its own line.
        many = os.path.join(tmp, "many.yaml")
        with open(many, "w") as f:
            f.write("server:\n"                               # 1
                    '  listen: [ "127.0.0.5@15353" ]\n'        # 2
                    "  workers: many\n"                        # 3 wrong type
                    "  log-level: loud\n"                      # 4 bad value
                    '  listen-typo: "x"\n'                     # 5 unknown key
                    "  udp-max-payload: 1232\n"                # 6 fine
                    "zones: []\n")                             # 7
        rc, out, err = run("--check-config", many)
        c.eq(rc, 1, "--check-config three errors: exit status 1")
        c.eq(sorted({ln for ln, _, _ in error_lines(err, many)}), [3, 4, 5],
             "--check-config three errors: each reported at lines 3, 4 and 5", err.strip())

        bad_addr = os.path.join(tmp, "addr.yaml")
        with open(bad_addr, "w") as f:
            f.write('server:\n  listen: [ "127.0.0.5@15353", "300.1.2.3@53" ]\nzones: []\n')
        rc, out, err = run("--check-config", bad_addr)
        c.eq(rc, 1, "--check-config bad listen address: exit status 1")
        c.eq([ln for ln, _, _ in error_lines(err, bad_addr)], [2], "--check-config bad listen address: line 2")

        syntax = os.path.join(tmp, "syntax.yaml")
        with open(syntax, "w") as f:
            f.write('server:\n  listen: [ "127.0.0.5@15353"\n  workers: 2\n')
        rc, out, err = run("--check-config", syntax)
        c.eq(rc, 1, "--check-config YAML syntax error: exit status 1")
        c.check(error_lines(err, syntax), "--check-config YAML syntax error: file:line:col: error:", err.strip())

        missing = os.path.join(tmp, "does-not-exist.yaml")
        rc, out, err = run("--check-config", missing)
        c.eq(rc, 1, "--check-config missing file: exit status 1")
        c.check(missing in err, "--check-config missing file: names the file", err.strip())

        # -c with a broken file must not start; it says why and exits non-zero.
        rc, out, err = run("-c", typo, timeout=15)
        c.check(rc not in (0, None), "-c with an unknown key: exits non-zero without serving", rc)
        c.check(error_lines(err, typo), "-c with an unknown key: diagnostic on stderr", err.strip())

        # The running server accepts the same file --check-config accepts.
        srv = Nimbusd()
        rc, out, err = run("--check-config", srv.conf_path)
        c.eq(rc, 0, "--check-config on the test harness's own config: 0")
        with srv:
            c.check(srv.alive(), "nimbusd -c starts with that config")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    c.finish()


if __name__ == "__main__":
    main()
