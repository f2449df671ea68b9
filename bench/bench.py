"""duckpipe benchmark: `duckpipe load --source file` against its peers on the same synthetic
users — a bare DuckDB SQL script, dlt (Arrow and row-wise), polars and a naive pandas pipeline —
plus `duckpipe report` over a large store.

Run it through bench/run.sh (which builds duckpipe and prepares the venv). Each size is run in
rounds; inside a round the pipelines run one after the other in a rotating order, so a busy
machine slows all of them alike. Reported per pipeline: median wall time, users/s, peak RSS (the
process's own maximum resident set, from wait4) and the ratios against duckpipe.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
AS_OF = "2026-01-01T00:00:00Z"
SEED = "bench"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run_measured(cmd: list[str], env: dict[str, str]) -> dict:
    """Runs `cmd`; returns its wall seconds, peak RSS (MiB), CPU seconds and stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
        # wait4 reports this child's own rusage (ru_maxrss in KiB on Linux), not a sum.
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"benchmark step failed (exit {proc.returncode}): {' '.join(cmd)}\n{stderr[-3000:]}")
    return {"wall_s": wall, "rss_mib": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime, "stdout": stdout}


def generate(duckpipe: str, users: int, work: Path, env: dict[str, str]) -> Path:
    """The input file for `users` users (cached in the work dir: same seed, same bytes)."""
    path = work / f"users-{users}.ndjson"
    done = path.with_suffix(".done")
    if not done.exists():
        log(f"generating {users:,} users -> {path}")
        r = run_measured([duckpipe, "-q", "generate", "--ndjson", "--count", str(users), "--seed", SEED, "--as-of", AS_OF, "--out", str(path)], env)
        log(f"  {r['wall_s']:.1f} s = {users / r['wall_s']:,.0f} users/s")
        done.write_text(json.dumps({"users": users, "wall_s": r["wall_s"]}))
    return path


# The peers run by the Python scripts beside this file: name -> script. Each takes INPUT OUT_DIR
# AS_OF and prints {"rows": N}.
SCRIPTS = {
    "duckdb_sql": "sql_pipeline.py",
    "dlt_arrow": "dlt_arrow_pipeline.py",
    "polars": "polars_pipeline.py",
    "dlt_rows": "dlt_rows_pipeline.py",
    "pandas": "pandas_pipeline.py",
}
ALL = ["duckpipe", *SCRIPTS]
# Largest input each peer runs at by default, so that the default full run (1M and 5M) finishes
# on a 2-core, 24 GiB machine: pandas holds the whole input several times over (11 GB at 1M);
# dlt's row-wise path streams but needs minutes per million users.
DEFAULT_MAX_USERS = {"pandas": 1_000_000, "dlt_rows": 1_000_000}
# Rounds a peer runs at most (pandas is by far the slowest and its result hardly varies).
DEFAULT_MAX_ROUNDS = {"pandas": 1}


def pipelines(args, duckpipe: str, py: str) -> dict:
    """name -> function(input, out_dir) -> command line."""
    cmds = {
        "duckpipe": lambda src, out: [duckpipe, "-q", "load", "--source", "file", "--input", str(src), "--dest", str(out), "--as-of", AS_OF, "--format", "json"],
    }
    for name, script in SCRIPTS.items():
        cmds[name] = lambda src, out, script=script: [py, str(HERE / script), str(src), str(out), AS_OF]
    return cmds


def name_numbers(text: str, what: str) -> dict[str, int]:
    """"pandas=1000000,dlt_rows=0" -> {"pandas": 1000000, "dlt_rows": 0}."""
    out = {}
    for item in filter(None, text.split(",")):
        name, sep, number = item.partition("=")
        if not sep or name not in ALL or not number.isdigit():
            raise SystemExit(f"{what}: expected NAME=N with NAME one of {', '.join(ALL)}, got {item!r}")
        out[name] = int(number)
    return out


def rows_of(name: str, stdout: str) -> int:
    data = json.loads(stdout)
    return data["run"]["counts"]["written"] if name == "duckpipe" else data["rows"]


def bench_size(args, users: int, work: Path, env: dict[str, str]) -> dict:
    src = generate(args.duckpipe, users, work, env)
    names = [n for n in args.pipelines if users <= args.max_users.get(n, users)]
    cmds = pipelines(args, args.duckpipe, sys.executable)
    runs: dict[str, list[dict]] = {n: [] for n in names}
    for rnd in range(args.rounds):
        order = names[rnd % len(names):] + names[: rnd % len(names)]
        for name in order:
            if rnd >= args.max_rounds.get(name, args.rounds):
                continue
            out = work / f"out-{name}"
            shutil.rmtree(out, ignore_errors=True)
            r = run_measured(cmds[name](src, out), env)
            rows = rows_of(name, r["stdout"])
            if rows != users:
                raise SystemExit(f"{name} wrote {rows} rows for {users} users")
            log(f"  {users:>10,} {name:<10} round {rnd + 1}: {r['wall_s']:7.2f} s  {users / r['wall_s']:>10,.0f} users/s  peak RSS {r['rss_mib']:7.0f} MiB  cpu {r['cpu_s']:.1f} s")
            runs[name].append({k: v for k, v in r.items() if k != "stdout"})
            shutil.rmtree(out, ignore_errors=True)
    result = {"users": users, "pipelines": {}}
    for name, rs in runs.items():
        wall = statistics.median(r["wall_s"] for r in rs)
        result["pipelines"][name] = {
            "wall_s": round(wall, 3),
            "users_per_s": round(users / wall),
            "rss_mib": round(max(r["rss_mib"] for r in rs)),
            "cpu_s": round(statistics.median(r["cpu_s"] for r in rs), 2),
            "rounds": [round(r["wall_s"], 3) for r in rs],
        }
    base = result["pipelines"]["duckpipe"]["wall_s"]
    # Speed ratios: how many times faster duckpipe is (> 1 = duckpipe faster).
    result["speedup_vs"] = {n: round(p["wall_s"] / base, 2) for n, p in result["pipelines"].items() if n != "duckpipe"}
    return result


def bench_report(args, work: Path, env: dict[str, str]) -> dict:
    """Fills a lake with `report_users` users (synthetic loads of `report_batch`), then times
    `duckpipe report` over it."""
    lake = work / f"report-lake-{args.report_users}"
    done = lake / ".done"
    if not done.exists():
        shutil.rmtree(lake, ignore_errors=True)
        left, i = args.report_users, 0
        while left > 0:
            n = min(left, args.report_batch)
            log(f"filling the report lake: load {n:,} synthetic users ({args.report_users - left:,} stored)")
            run_measured([args.duckpipe, "-q", "load", "--source", "synthetic", "--count", str(n), "--seed", f"report-{i}", "--dest", str(lake), "--as-of", AS_OF, "--format", "json"], env)
            left -= n
            i += 1
        done.write_text("")
    times = []
    for rnd in range(args.rounds + 1):
        r = run_measured([args.duckpipe, "-q", "report", "--dest", str(lake), "--as-of", AS_OF, "--format", "json"], env)
        stored = json.loads(r["stdout"])["users"]
        if stored != args.report_users:
            raise SystemExit(f"report counted {stored} users, expected {args.report_users}")
        log(f"  report over {stored:,} users: {r['wall_s']:.2f} s  peak RSS {r['rss_mib']:.0f} MiB")
        times.append(r)
    walls = [t["wall_s"] for t in times]
    return {"users": args.report_users, "wall_s": round(statistics.median(walls), 3), "rounds": [round(w, 3) for w in walls], "rss_mib": round(max(t["rss_mib"] for t in times))}


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_gib, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg(),
        "packages": package_versions(),
    }


def package_versions() -> dict:
    """Versions of the peers' libraries in this venv, recorded with the results."""
    from importlib import metadata

    found = {}
    for name in ["duckdb", "dlt", "polars", "pyarrow", "pandas"]:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--duckpipe", required=True, help="the duckpipe binary")
    p.add_argument("--work", required=True, type=Path, help="work directory (inputs are cached here)")
    p.add_argument("--users", default="1000000,5000000", help="comma-separated input sizes")
    p.add_argument("--rounds", type=int, default=3, help="rounds per size (median reported)")
    p.add_argument("--pipelines", default=",".join(ALL), help=f"comma-separated pipelines to run, duckpipe always among them (default: {','.join(ALL)})")
    p.add_argument("--max-users", default="", help="NAME=N,…: largest size a pipeline runs at (defaults: " + ", ".join(f"{k}={v:_}" for k, v in DEFAULT_MAX_USERS.items()) + ")")
    p.add_argument("--max-rounds", default="", help="NAME=N,…: most rounds a pipeline runs (defaults: " + ", ".join(f"{k}={v}" for k, v in DEFAULT_MAX_ROUNDS.items()) + ")")
    p.add_argument("--pandas-max", type=int, help="the same as --max-users pandas=N")
    p.add_argument("--pandas-rounds", type=int, help="the same as --max-rounds pandas=N")
    p.add_argument("--report-users", type=int, default=10_000_000, help="users stored for the report timing (0 = skip)")
    p.add_argument("--report-batch", type=int, default=2_500_000, help="users per load when filling the report lake")
    p.add_argument("--json", type=Path, help="write the results here as JSON")
    args = p.parse_args()
    args.pipelines = [n for n in args.pipelines.split(",") if n]
    unknown = [n for n in args.pipelines if n not in ALL]
    if unknown or "duckpipe" not in args.pipelines:
        raise SystemExit(f"--pipelines: names are {', '.join(ALL)}, and duckpipe must be one (the ratios are against it); got {unknown or args.pipelines}")
    args.max_users = {**DEFAULT_MAX_USERS, **name_numbers(args.max_users, "--max-users")}
    args.max_rounds = {**DEFAULT_MAX_ROUNDS, **name_numbers(args.max_rounds, "--max-rounds")}
    if args.pandas_max is not None:
        args.max_users["pandas"] = args.pandas_max
    if args.pandas_rounds is not None:
        args.max_rounds["pandas"] = args.pandas_rounds

    args.work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if not env.get("DUCKPIPE_PARQUET_KEY"):
        # Benchmark-only keys, kept in the work dir (mode 0600) so that the cached report lake
        # stays readable by later runs.
        key_file = args.work / "bench-keys.env"
        if not key_file.exists():
            keys = subprocess.run([args.duckpipe, "keygen"], check=True, capture_output=True, text=True).stdout
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(keys)
        elif "DUCKPIPE_QUARANTINE_KEY" not in key_file.read_text():
            # A work dir from before the quarantine had its own key: add one, keep the others.
            keys = subprocess.run([args.duckpipe, "keygen"], check=True, capture_output=True, text=True).stdout
            with open(key_file, "a") as f:
                f.writelines(line + "\n" for line in keys.splitlines() if line.startswith("DUCKPIPE_QUARANTINE_KEY"))
        for line in key_file.read_text().splitlines():
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                env[k.strip()] = v.strip()
    results = {"machine": machine(), "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "sizes": []}
    for users in [int(u) for u in args.users.split(",") if u]:
        log(f"== {users:,} users")
        results["sizes"].append(bench_size(args, users, args.work, env))
    if args.report_users:
        log(f"== report over {args.report_users:,} stored users")
        results["report"] = bench_report(args, args.work, env)
    results["machine"]["load_average_at_end"] = os.getloadavg()

    print(render(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


# What each pipeline's output is protected by (the dlt and polars peers write plain Parquet).
ENCRYPTED = {"duckpipe": "yes (PME)", "duckdb_sql": "yes (PME)", "pandas": "whole file (AES-GCM)"}


def render(results: dict) -> str:
    lines = ["", "| users | pipeline | wall s (median) | users/s | peak RSS MiB | CPU s | duckpipe speed-up | encrypted |", "|---:|---|---:|---:|---:|---:|---:|---|"]
    for size in results["sizes"]:
        for name, p in size["pipelines"].items():
            ratio = "—" if name == "duckpipe" else f"{size['speedup_vs'][name]:.2f}×"
            lines.append(f"| {size['users']:,} | {name} | {p['wall_s']:.2f} | {p['users_per_s']:,} | {p['rss_mib']:,} | {p['cpu_s']:.1f} | {ratio} | {ENCRYPTED.get(name, 'no')} |")
    if len(results["sizes"]) >= 2:
        a, b = results["sizes"][0], results["sizes"][-1]
        growth = b["pipelines"]["duckpipe"]["rss_mib"] / a["pipelines"]["duckpipe"]["rss_mib"] - 1
        lines.append(f"\nduckpipe peak RSS growth {a['users']:,} → {b['users']:,} users: {growth:+.0%}")
    if "report" in results:
        r = results["report"]
        lines.append(f"\n`duckpipe report` over {r['users']:,} stored users: {r['wall_s']:.2f} s (median of {len(r['rounds'])}: {r['rounds']}), peak RSS {r['rss_mib']} MiB")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
