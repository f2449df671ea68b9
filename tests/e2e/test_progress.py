"""The load progress line: on a terminal only, never on pipes, never on stdout."""

from __future__ import annotations

import json
import os
import re
import pty
import select
import subprocess
import threading

import support

ARGS = ["load", "--source", "synthetic", "--count", "30000", "--page-size", "1000", "--dest", "lake",
        "--as-of", support.AS_OF, "--format", "json"]


def drain(master: int) -> bytes:
    """Everything written to the pty until the writer closed it (EIO/empty read = closed)."""
    data = b""
    while True:
        ready, _, _ = select.select([master], [], [], 1)
        if not ready:
            return data
        try:
            chunk = os.read(master, 65536)
        except OSError:
            return data
        if not chunk:
            return data
        data += chunk


def run_on_a_terminal(dp, args) -> tuple[int, bytes, str]:
    """Runs duckpipe with stderr on a pseudo-terminal: (exit code, stdout, what the terminal got)."""
    master, slave = pty.openpty()
    p = subprocess.Popen([dp.binary, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave,
                         cwd=dp.cwd, env=dp.env())
    os.close(slave)
    # Read stdout on a thread while draining the terminal, so neither side can block the other.
    box: list[bytes] = []
    reader = threading.Thread(target=lambda: box.append(p.stdout.read()))
    reader.start()
    err = drain(master)
    reader.join(timeout=120)
    code = p.wait(timeout=120)
    os.close(master)
    return code, box[0], err.decode(errors="replace")


def test_progress_while_duckdb_reads_a_file(dp):
    """DuckDB reads an NDJSON file in one statement: the line says what it reads, and for how long."""
    path = dp.cwd / "users.ndjson"
    path.write_text("".join(json.dumps(u) + "\n" for u in dp.generate(20000, "ticker", dp.cwd / "g.json")))
    code, out, text = run_on_a_terminal(dp, ["load", "--source", "file", "--input", str(path), "--dest", "lake2",
                                             "--as-of", support.AS_OF, "--format", "json"])
    assert code == 0, text
    assert re.search(r"loading: DuckDB reads users\.ndjson \(\d+\.\d MB\) and writes the run · \d+ s", text), text
    assert json.loads(out)["run"]["counts"]["written"] == 20000
    assert b"loading:" not in out


def test_piped_load_prints_no_progress(dp):
    r = dp.ok(*ARGS)
    json.loads(r.stdout)
    assert "users/s" not in r.stderr and "\r" not in r.stderr, r.stderr[-2000:]


def test_progress_on_a_terminal_stderr_while_stdout_json_stays_clean(dp):
    code, out, text = run_on_a_terminal(dp, ARGS)
    assert code == 0, text
    assert "loading:" in text and "users/s" in text, text
    # The total is known (--count): users of the total, the share done and the time left.
    assert "30,000 of 30,000 users (100.0 %)" in text and " left · " in text, text
    assert re.search(r"loading: [\d,]+ of 30,000 users \(\d+\.\d %\) · [\d,]+ users/s · ", text), text
    doc = json.loads(out)
    assert doc["run"]["counts"]["written"] == 30000
    assert b"users/s" not in out

    # --quiet: nothing but errors, even on a terminal.
    master, slave = pty.openpty()
    p = subprocess.run([dp.binary, "--quiet", *ARGS], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave,
                       cwd=dp.cwd, env=dp.env(), timeout=120)
    os.close(slave)
    quiet = drain(master)
    os.close(master)
    assert p.returncode == 0 and b"users/s" not in quiet, quiet


def test_progress_of_a_rewrite_names_each_step(dp):
    """compact on a terminal: one line per step (rewriting, committing), each with its time."""
    for i in range(2):
        dp.ok("load", "--source", "synthetic", "--count", "200", "--seed", f"s{i}", "--dest", "lake3",
              "--as-of", support.AS_OF)
    code, out, text = run_on_a_terminal(dp, ["compact", "--dest", "lake3", "--format", "json"])
    assert code == 0, text
    assert re.search(r"compact: step 1 of 2: rewriting 2 data objects \(\d+\.\d kB\) · \d+ s", text), text
    assert re.search(r"compact: step 2 of 2: committing, then removing the 2 superseded runs · \d+ s", text), text
    assert json.loads(out)["runs_merged"] == 2
    # Off the terminal: nothing but the JSON (a third run, so that there is something to compact).
    dp.ok("load", "--source", "synthetic", "--count", "200", "--seed", "s2", "--dest", "lake3",
          "--as-of", support.AS_OF)
    piped = dp.ok("compact", "--dest", "lake3", "--format", "json")
    assert piped.json()["runs_merged"] == 2
    assert "compact:" not in piped.stderr
