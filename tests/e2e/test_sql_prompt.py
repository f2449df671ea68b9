"""The `duckpipe sql` prompt on a pseudo-terminal: the DuckDB shell's dot-commands, an unknown one
refused without starting a statement, and wide results cut to the terminal's width."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import termios
import time

import pytest

import support
from support import AS_OF

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\r")


class Prompt:
    """duckpipe sql on a pseudo-terminal of a given width."""

    def __init__(self, dp, columns: int):
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
        self.proc = subprocess.Popen([dp.binary, "sql", "--dest", "lake"], stdin=slave, stdout=slave, stderr=slave,
                                     cwd=dp.cwd, env=dp.env(TERM="dumb"))
        os.close(slave)
        self.out = b""

    def text(self) -> str:
        return ANSI.sub("", self.out.decode(errors="replace"))

    def read_until(self, marker: str, timeout: float = 60) -> str:
        """Reads until `marker` appears after what was read before; returns the new text."""
        start = len(self.text())
        deadline = time.monotonic() + timeout
        while marker not in self.text()[start:] and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.5)
            if ready:
                try:
                    self.out += os.read(self.master, 65536)
                except OSError:
                    break
        new = self.text()[start:]
        assert marker in new, f"no {marker!r} in the session:\n{self.text()}"
        return new

    def send(self, line: str, until: str = "duckpipe> ") -> str:
        os.write(self.master, line.encode() + b"\r")
        return self.read_until(until)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        os.close(self.master)


@pytest.fixture
def lake(dp):
    users = dp.generate(60, "e2e-prompt", dp.cwd / "users.json")
    dp.ok("load", "--input", str(dp.cwd / "users.json"), "--dest", "lake", "--as-of", AS_OF, "--format", "json")
    return users


def test_dot_commands_on_a_terminal(dp, lake):
    p = Prompt(dp, 120)
    try:
        banner = p.read_until("duckpipe> ")
        assert ".help" in banner
        out = p.send(".help")
        for command in (".tables", ".schema", ".mode", ".timer", ".read", ".quit"):
            assert command in out, out
        out = p.send(".tables")
        assert re.search(r"^users\s+view\s+11$", out, re.M), out
        out = p.send(".schema users")
        for column, kind in support.EXPECTED_COLUMNS:
            assert re.search(rf"^users\s+{column}\s+{re.escape(kind)}\s*$", out, re.M), (column, out)
        out = p.send(".schema nothing")
        assert 'no table or view named "nothing"' in out, out

        # An unknown dot-command is an error, and does not start a multi-line statement.
        out = p.send(".frobnicate")
        assert "unknown command .frobnicate" in out and "..>" not in out, out
        out = p.send("SELECT count(*) AS n FROM users;")
        assert re.search(r"^\s*60$", out, re.M), out

        out = p.send(".mode")
        assert "current output mode: table" in out
        p.send(".mode csv")
        out = p.send("SELECT gender, count(*) AS n FROM users GROUP BY gender ORDER BY gender;")
        genders = sorted({u["gender"] for u in lake})
        assert "gender,n" in out and f"{genders[0]}," in out, out
        p.send(".mode json")
        out = p.send("SELECT 1 AS one;")
        assert '[{"one":1}]' in out, out
        p.send(".mode line")
        out = p.send("SELECT 1 AS one, 'x' AS two;")
        assert re.search(r"^one = 1$", out, re.M) and re.search(r"^two = x$", out, re.M), out
        out = p.send(".mode nonsense")
        assert "unknown mode" in out and "table, csv, json or line" in out, out
        p.send(".mode table")

        p.send(".timer on")
        out = p.send("SELECT 2 AS two;")
        assert re.search(r"Run Time \(s\): real \d+\.\d{3}", out), out
        p.send(".timer off")
        out = p.send("SELECT 3 AS three;")
        assert "Run Time" not in out, out

        os.write(p.master, b".quit\r")
        assert p.proc.wait(timeout=30) == 0
    finally:
        p.close()


def test_wide_results_are_cut_to_the_terminal_width(dp, lake):
    p = Prompt(dp, 70)
    try:
        p.read_until("duckpipe> ")
        out = p.send("SELECT * FROM users LIMIT 3;")
        lines = [l for l in out.splitlines() if l.strip() and "duckpipe>" not in l and "SELECT" not in l]
        assert all(len(l) <= 70 for l in lines), "\n".join(l for l in lines if len(l) > 70)
        assert "(cut to fit:" in out and "of 11 columns" in out and ".mode line shows all" in out, out
        p.send(".mode line")
        out = p.send("SELECT * FROM users LIMIT 1;")
        for column, _ in support.EXPECTED_COLUMNS:
            assert re.search(rf"^\s*{column} = ", out, re.M), (column, out)
    finally:
        p.close()
    # Not on a terminal: nothing is cut.
    r = dp.ok("sql", "--dest", "lake", "-c", "SELECT * FROM users LIMIT 3")
    assert "cut to fit" not in r.stdout and max(len(l) for l in r.stdout.splitlines()) > 70
