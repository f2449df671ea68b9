"""The first hour of a new user (issue 16): the README walk-through run as written, settings that
do what they say (flags > environment > .env > defaults, for every setting), one set of local
credentials, keys written safely, errors that help, and a quiet terminal."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import support
from support import AS_OF

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


# --------------------------------------------------------------------------------------------
# The README walk-through, from an empty folder
# --------------------------------------------------------------------------------------------

def readme_blocks() -> list[str]:
    """The ```sh blocks of the README's first-hour section, in order."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The first hour", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, flags=re.S)


# Lines a test cannot or need not run: building (the suite built the binary), Docker (not on
# this machine: scripts/minio.sh is the other way the README gives) and pip (the venv has them).
SKIPPED = ("cargo build", "export PATH=", "docker compose", "python3 -m pip install")


def walkthrough_script(block: str, subst: dict[str, str]) -> str:
    lines = []
    for line in block.splitlines():
        if line.strip().startswith("#") or not line.strip() or line.strip().startswith(SKIPPED):
            continue
        for a, b in subst.items():
            line = line.replace(a, b)
        lines.append(line)
    return "set -euo pipefail\n" + "\n".join(lines) + "\n"


def test_readme_walkthrough_from_an_empty_folder_to_answers_html_and_a_stock_shell(duckpipe_bin, tmp_path):
    blocks = readme_blocks()
    assert len(blocks) == 4, f"the walk-through has {len(blocks)} sh blocks: update this test with it"
    home = tmp_path / "home"
    home.mkdir()
    folder = home / "duckpipe-first-hour"
    minio_dir = home / "duckpipe-minio"
    port = support.free_port()
    # The README's paths and port, for this machine (a user has port 9000 and a clone at ~/duckpipe).
    subst = {"~/duckpipe-first-hour": str(folder), "~/duckpipe-minio": str(minio_dir), "~/duckpipe/": f"{REPO}/",
             "start 9000": f"start {port}"}
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "duckpipe").symlink_to(duckpipe_bin)
    env = support.clean_env({"HOME": str(home), "PATH": f"{bin_dir}:{VENV_BIN}:{os.environ['PATH']}"})
    env.pop("MINIO_ROOT_USER", None)
    env.pop("MINIO_ROOT_PASSWORD", None)
    env["MINIO_BIN"] = os.environ.get("MINIO_BIN", "")

    def run(block: int, cwd: Path) -> subprocess.CompletedProcess:
        script = walkthrough_script(blocks[block], subst)
        p = subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
        assert p.returncode == 0, f"README block {block} failed:\n{script}\n--- stdout\n{p.stdout}\n--- stderr\n{p.stderr}"
        return p

    try:
        first = run(1, home)
        # keygen --out made a private .env from the template; the answers came out of the load.
        dotenv = folder / ".env"
        assert stat.S_IMODE(dotenv.stat().st_mode) == 0o600
        assert "Loaded 1,000 users into ./lake" in first.stdout, first.stdout
        for start in ("  1. On average, users registered", "  2. Of 1,000 users,", "  3. Most users come from"):
            assert start in first.stdout, first.stdout
        assert "INFO" not in first.stderr, first.stderr
        assert (folder / "report.html").read_text().startswith("<!DOCTYPE html>")
        assert "dest" in first.stdout and "default" in first.stdout  # duckpipe config

        run(2, folder)  # MinIO, as scripts/minio.sh starts it (README credentials by default)
        # The one edit the README asks for: uncomment the five MinIO lines of .env (and, here, the
        # port of this machine's MinIO).
        text = dotenv.read_text()
        minio_block = text.split("# --- MinIO on this machine", 1)[1].split("\n# --- ", 1)[0]
        edited = minio_block.replace("\n#DUCKPIPE_DEST=", "\nDUCKPIPE_DEST=").replace("\n#AWS_", "\nAWS_")
        edited = edited.replace("127.0.0.1:9000", f"127.0.0.1:{port}")
        assert edited.count("\nAWS_") == 4 and "\nDUCKPIPE_DEST=s3://duckpipe/lake" in edited, edited
        dotenv.write_text(text.replace(minio_block, edited))
        (folder / "report.html").unlink()

        final = run(3, folder)
        assert "Loaded 1,000 users into s3://duckpipe/lake" in final.stdout, final.stdout
        assert (folder / "report.html").is_file()
        # The stock shell answered from MinIO: its top countries are the report's.
        dp_env = support.clean_env({"HOME": str(home)})
        rep = support.run_duckpipe(duckpipe_bin, ["report", "--format", "json", "--top", "5"], folder, dp_env)
        report = rep.json()
        assert report["users"] == 1000  # only the MinIO run: the local ./lake is another destination
        for c in report["top_countries"]:
            assert re.search(rf"│ {re.escape(c['country'])}\s+│\s+{c['users']} │", final.stdout), (c, final.stdout)
        setup = (folder / "setup.sql").read_text()
        for line in dotenv.read_text().splitlines():
            name, _, value = line.partition("=")
            if name in ("DUCKPIPE_PARQUET_KEY", "DUCKPIPE_HMAC_KEY", "AWS_SECRET_ACCESS_KEY") and value:
                assert value not in setup, f"{name} is in the printed setup"
    finally:
        subprocess.run(["bash", str(REPO / "scripts" / "minio.sh"), "stop", str(minio_dir)], capture_output=True)


def test_one_set_of_local_credentials_everywhere():
    """README, .env.example, docker-compose.yml and scripts/minio.sh name the same local MinIO
    credentials, and no other."""
    example = (REPO / ".env.example").read_text()
    user = re.search(r"^#AWS_ACCESS_KEY_ID=(\S+)$", example, re.M).group(1)
    password = re.search(r"^#AWS_SECRET_ACCESS_KEY=(\S+)$", example, re.M).group(1)
    compose = (REPO / "docker-compose.yml").read_text()
    assert f"MINIO_ROOT_USER: ${{AWS_ACCESS_KEY_ID:-{user}}}" in compose
    assert f"MINIO_ROOT_PASSWORD: ${{AWS_SECRET_ACCESS_KEY:-{password}}}" in compose
    script = (REPO / "scripts" / "minio.sh").read_text()
    assert f'MINIO_ROOT_USER="${{MINIO_ROOT_USER:-${{AWS_ACCESS_KEY_ID:-{user}}}}}"' in script
    assert f'MINIO_ROOT_PASSWORD="${{MINIO_ROOT_PASSWORD:-${{AWS_SECRET_ACCESS_KEY:-{password}}}}}"' in script
    readme = (REPO / "README.md").read_text()
    assert f"AWS_ACCESS_KEY_ID={user} AWS_SECRET_ACCESS_KEY={password}" in readme
    for other in ("minioadmin", "change-me", "duckpipe-test"):
        for name, text in (("README.md", readme), (".env.example", example), ("docker-compose.yml", compose),
                           ("scripts/minio.sh", script)):
            assert other not in text, f"{name} still names {other!r}"


# --------------------------------------------------------------------------------------------
# Settings: flags > environment > .env > defaults
# --------------------------------------------------------------------------------------------

def config(dp, *args, env=None) -> dict:
    r = dp("config", "--format", "json", *args, env=env)
    doc = json.loads(r.stdout)
    return {s["name"]: s for s in doc["settings"]} | {"_problems": doc["problems"], "_code": r.returncode}


def test_dest_and_api_url_from_dotenv_are_used(dp_s3, minio, bucket, duckpipe_bin, tmp_path):
    """DUCKPIPE_DEST in .env sends the load to MinIO (not ./lake); DUCKPIPE_API_URL in .env is the
    API the load calls."""
    dotenv = "".join(f"{k}={v}\n" for k, v in {**dp_s3.keys, **minio.aws_env()}.items())
    dotenv += f"DUCKPIPE_DEST=s3://{bucket}/lake\n"
    (dp_s3.cwd / ".env").write_text(dotenv)
    env = support.clean_env()  # nothing but .env
    out = dp_s3.ok("load", "--source", "synthetic", "--count", "40", "--as-of", AS_OF, "--format", "json", env=env).json()
    assert out["run"]["counts"]["written"] == 40
    assert any(k.startswith("lake/runs/") for k in minio.keys(bucket)), minio.keys(bucket)
    assert not (dp_s3.cwd / "lake").exists(), "the load went to ./lake instead of DUCKPIPE_DEST"
    c = config(dp_s3, env=env)
    assert c["dest"]["value"] == f"s3://{bucket}/lake" and c["dest"]["from"] == ".env (DUCKPIPE_DEST)", c["dest"]

    mock = Path(duckpipe_bin).parent / "examples" / "mock_randomuser"
    proc = subprocess.Popen([str(mock), "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        base = proc.stdout.readline().strip().split("listening on ", 1)[1] + "/api/1.4/"
        (dp_s3.cwd / ".env").write_text(dotenv + f"DUCKPIPE_API_URL={base}\n")
        out = dp_s3.ok("load", "--count", "30", "--seed", "from-dotenv", "--as-of", AS_OF, "--format", "json",
                       env=env).json()
        assert out["run"]["source"]["kind"] == "api" and out["run"]["counts"]["written"] == 30
        # (The network is closed here: only the mock in .env can have answered.)
        assert out["run"]["parameters"]["api_url"] == base, out["run"]["parameters"]
    finally:
        proc.kill()
        proc.wait()


def test_flag_beats_environment_beats_dotenv_beats_default(dp, tmp_path):
    (dp.cwd / ".env").write_text("DUCKPIPE_DEST=from-dotenv\n")
    assert config(dp)["dest"]["value"] == "from-dotenv"
    assert config(dp, env=dp.env(DUCKPIPE_DEST="from-env"))["dest"] == \
        {"name": "dest", "value": "from-env", "from": "environment (DUCKPIPE_DEST)", "problem": None}
    assert config(dp, "--dest", "from-flag", env=dp.env(DUCKPIPE_DEST="from-env"))["dest"]["from"] == "flag"
    (dp.cwd / ".env").unlink()
    assert config(dp)["dest"] == {"name": "dest", "value": "./lake", "from": "default", "problem": None}
    # A load follows the same order.
    (dp.cwd / ".env").write_text("DUCKPIPE_DEST=dotenv-lake\n")
    dp.ok("load", "--source", "synthetic", "--count", "5", "--as-of", AS_OF, "--format", "json")
    assert (dp.cwd / "dotenv-lake" / "runs").is_dir()
    dp.ok("load", "--source", "synthetic", "--count", "5", "--as-of", AS_OF, "--format", "json",
          env=dp.env(DUCKPIPE_DEST="env-lake"))
    assert (dp.cwd / "env-lake" / "runs").is_dir()


def test_config_shows_fingerprints_never_secrets(dp_s3, minio, bucket):
    r = dp_s3.ok("config", "--dest", f"s3://{bucket}/lake")
    for secret in (*dp_s3.keys.values(), minio.secret_key, minio.access_key):
        assert secret not in r.output, "config printed a key or secret"
    c = config(dp_s3, "--dest", f"s3://{bucket}/lake")
    assert c["_code"] == 0 and c["_problems"] == []
    assert re.fullmatch(r"fingerprint [0-9a-f]{16}", c["DUCKPIPE_PARQUET_KEY"]["value"])
    assert re.fullmatch(r"fingerprint [0-9a-f]{16}", c["AWS_SECRET_ACCESS_KEY"]["value"])
    assert c["AWS_SECRET_ACCESS_KEY"]["from"] == "environment (AWS_SECRET_ACCESS_KEY)"
    assert c["AWS_ENDPOINT_URL"]["value"] == f"{minio.endpoint} (path-style)"
    # The fingerprint is the one the run records hold.
    run = dp_s3.ok("load", "--source", "synthetic", "--count", "5", "--dest", f"s3://{bucket}/lake", "--as-of", AS_OF,
                   "--format", "json").json()["run"]
    assert c["DUCKPIPE_PARQUET_KEY"]["value"] == f"fingerprint {run['keys']['parquet']}"
    # A bad value is a problem named, exit 2.
    bad = config(dp_s3, env=dp_s3.env(DUCKPIPE_HMAC_KEY="not-base64"))
    assert bad["_code"] == 2 and any("DUCKPIPE_HMAC_KEY" in p for p in bad["_problems"]), bad


@pytest.mark.parametrize("dest", ["s3:/bucket/lake", "S3://bucket/lake", "s3:bucket"])
def test_s3_urls_are_validated(dp, dest):
    r = dp("load", "--source", "synthetic", "--dest", dest)
    assert r.returncode == 2 and "s3://bucket[/prefix]" in r.stderr, r.describe()
    assert not any(dp.cwd.iterdir()), "a local folder was made for an S3 URL"
    r = dp("report", env=dp.env(DUCKPIPE_DEST=dest))
    assert r.returncode == 2 and "DUCKPIPE_DEST (from environment)" in r.stderr, r.describe()


def test_input_implies_a_file_source(dp, fixture_users):
    path, users = fixture_users
    out = dp.ok("load", "--input", str(path), "--dest", "lake", "--as-of", AS_OF, "--format", "json").json()
    assert out["run"]["source"]["kind"] == "file" and out["run"]["counts"]["received"] == len(users)


@pytest.mark.parametrize("args, flag, source", [
    (["--input", "users.json", "--count", "5"], "--count", "file"),
    (["--input", "users.json", "--seed", "x"], "--seed", "file"),
    (["--source", "file", "--input", "users.json", "--nat", "GB"], "--nat", "file"),
    (["--source", "synthetic", "--api-url", "http://127.0.0.1:1/api/"], "--api-url", "synthetic"),
    (["--source", "synthetic", "--input", "users.json"], "--input", "synthetic"),
    (["--source", "api", "--input", "users.json"], "--input", "api"),
])
def test_flags_that_do_not_apply_to_the_source_are_refused(dp, fixture_users, args, flag, source):
    r = dp("load", "--dest", "lake", *args)
    assert r.returncode == 2, r.describe()
    assert f"{flag} does not apply to --source {source}" in r.stderr, r.describe()
    assert not (dp.cwd / "lake").exists()


def test_date_only_as_of_any_case_formats_and_out_dash(dp, fixture_users):
    path, users = fixture_users
    dp.ok("load", "--input", str(path), "--dest", "lake", "--as-of", "2026-11-25", "--format", "JSON")
    r = dp.ok("report", "--dest", "lake", "--as-of", "2026-11-25", "--format", "Json", "--out", "-")
    assert json.loads(r.stdout)["as_of"] == "2026-11-25T00:00:00Z"
    assert not (dp.cwd / "-").exists(), "--out - wrote a file named -"
    html = dp.ok("report", "--dest", "lake", "--format", "HTML", "--out", "-").stdout
    assert html.startswith("<!DOCTYPE html>")
    gen = dp.ok("generate", "--count", "2", "--out", "-", env=dp.env())
    assert json.loads(gen.stdout)["info"]["results"] == 2 and not (dp.cwd / "-").exists()
    r = dp("report", "--dest", "lake", "--as-of", "25/11/2026")
    assert r.returncode == 2 and "2026-11-25" in r.stderr, r.describe()


def test_aws_profile_and_shared_credentials_file(dp_s3, minio, bucket, tmp_path):
    creds = tmp_path / "aws-credentials"
    creds.write_text(f"[default]\naws_access_key_id = nobody\naws_secret_access_key = nothing-at-all\n\n"
                     f"[lab]\naws_access_key_id = {minio.access_key}\naws_secret_access_key = {minio.secret_key}\n")
    cfg = tmp_path / "aws-config"
    cfg.write_text(f"[profile lab]\nregion = us-east-1\nendpoint_url = {minio.endpoint}\n")
    files = {"AWS_SHARED_CREDENTIALS_FILE": str(creds), "AWS_CONFIG_FILE": str(cfg), "HOME": str(tmp_path)}
    env = dp_s3.env(s3=False, AWS_PROFILE="lab", **files)
    out = dp_s3.ok("load", "--source", "synthetic", "--count", "12", "--dest", f"s3://{bucket}/lake", "--as-of", AS_OF,
                   "--format", "json", env=env).json()
    assert out["run"]["counts"]["written"] == 12
    c = config(dp_s3, "--dest", f"s3://{bucket}/lake", env=env)
    assert c["AWS_ACCESS_KEY_ID"]["from"] == f'AWS profile "lab" ({creds})', c["AWS_ACCESS_KEY_ID"]
    assert c["AWS_ENDPOINT_URL"]["from"] == f'AWS profile "lab" ({cfg})', c["AWS_ENDPOINT_URL"]
    # The environment's own credentials win over the profile (the default one here is wrong).
    env = dp_s3.env(**files)
    assert dp_s3("report", "--dest", f"s3://{bucket}/lake", env=env).returncode == 0
    # A profile that is not there is a configuration error that names it.
    r = dp_s3("report", "--dest", f"s3://{bucket}/lake", env=dp_s3.env(s3=False, AWS_PROFILE="nope", **files))
    assert r.returncode == 2 and 'AWS_PROFILE "nope"' in r.stderr, r.describe()


# --------------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------------

def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_keygen_out_creates_fills_and_refuses_to_overwrite(dp):
    env = support.clean_env()
    fresh = dp.cwd / "fresh.env"
    r = dp.ok("keygen", "--out", str(fresh), env=env)
    assert "DUCKPIPE_PARQUET_KEY" in r.stdout and mode(fresh) == 0o600
    text = fresh.read_text()
    keys = {k: v for k, _, v in (l.partition("=") for l in text.splitlines()) if k.startswith("DUCKPIPE_") and v}
    assert set(keys) == {"DUCKPIPE_PARQUET_KEY", "DUCKPIPE_HMAC_KEY", "DUCKPIPE_QUARANTINE_KEY"}
    assert not any(v in r.output for v in keys.values()), "keygen --out printed a key"
    assert "#DUCKPIPE_DEST=s3://duckpipe/lake" in text, "the settings template is there to uncomment"

    # A copy of .env.example, world-readable as cp makes it: filled in place, made private.
    copy = dp.cwd / ".env"
    shutil.copyfile(REPO / ".env.example", copy)
    copy.chmod(0o644)
    dp.ok("keygen", "--out", ".env", env=env)
    assert mode(copy) == 0o600
    filled = copy.read_text()
    assert len(filled.splitlines()) == len((REPO / ".env.example").read_text().splitlines())
    assert [l for l in filled.splitlines() if l.startswith("DUCKPIPE_PARQUET_KEY=")][0] != "DUCKPIPE_PARQUET_KEY="
    # The keys are used.
    dp.ok("load", "--source", "synthetic", "--count", "3", "--dest", "lake", "--format", "json", env=env)

    # Existing keys are kept unless --force.
    r = dp("keygen", "--out", ".env", env=env)
    assert r.returncode == 2 and "already holds DUCKPIPE_PARQUET_KEY" in r.stderr and "--force" in r.stderr, r.describe()
    assert copy.read_text() == filled
    dp.ok("keygen", "--out", ".env", "--force", env=env)
    assert copy.read_text() != filled and mode(copy) == 0o600


def test_duplicate_keys_in_dotenv_are_warned_and_the_last_one_is_used(dp, tmp_path):
    """`keygen >> .env` after a copy of .env.example: the empty key lines come first."""
    env = support.clean_env()
    keys = support.parse_keygen(dp.ok("keygen", env=env).stdout)
    text = (REPO / ".env.example").read_text() + "".join(f"{k}={v}\n" for k, v in keys.items())
    (dp.cwd / ".env").write_text(text)
    r = dp.ok("load", "--source", "synthetic", "--count", "3", "--dest", "lake", "--format", "json", env=env)
    lines = [i + 1 for i, l in enumerate(text.splitlines()) if l.startswith("DUCKPIPE_PARQUET_KEY=")]
    assert f"sets DUCKPIPE_PARQUET_KEY 2 times (lines {lines[0]}, {lines[1]}): the last one is used" in r.stderr, r.stderr
    assert not any(v in r.output for v in keys.values())
    [f] = (dp.cwd / "lake").rglob("*.parquet")
    reader = support.ParquetReader(str(f), keys["DUCKPIPE_PARQUET_KEY"])
    assert reader.query("SELECT count(*) FROM {src}") == [(3,)]


# --------------------------------------------------------------------------------------------
# Errors that help
# --------------------------------------------------------------------------------------------

def test_sql_errors_name_columns_keywords_and_positions_but_no_values(dp):
    dp.ok("load", "--source", "synthetic", "--count", "20", "--dest", "lake", "--as-of", AS_OF, "--format", "json")
    r = dp("sql", "--dest", "lake", "-c", "SELECT emial FROM users WHERE city = 'Jane Doe'")
    assert r.returncode == 4, r.describe()
    assert 'Referenced column "emial" not found' in r.stderr and '"email_pseudonym"' in r.stderr, r.describe()
    assert "(at line 1, column 8)" in r.stderr and "Jane Doe" not in r.output, r.describe()
    r = dp("sql", "--dest", "lake", "-c", "SELECT *\nFROM users\nWHERE city = 'Jane Doe' FROMM x")
    assert 'syntax error at or near "FROMM"' in r.stderr and "(at line 3, column 25)" in r.stderr, r.describe()
    assert "Jane Doe" not in r.output
    r = dp("sql", "--dest", "lake", "-c", "SELECT * FROM usr")
    assert "Table with name usr does not exist" in r.stderr and 'Did you mean "users"' in r.stderr, r.describe()
    # A value is still hidden where DuckDB echoes it.
    r = dp("sql", "--dest", "lake", "-c", "SELECT CAST('jane.doe@example.com' AS INTEGER)")
    assert r.returncode == 4 and "jane" not in r.output and "Conversion Error" in r.stderr, r.describe()


def test_https_to_a_plain_http_minio_is_explained(dp_s3, minio, bucket):
    https = minio.endpoint.replace("http://", "https://")
    r = dp_s3("report", "--dest", f"s3://{bucket}/lake", env=dp_s3.env(AWS_ENDPOINT_URL=https))
    assert r.returncode == 2, r.describe()
    assert "does not answer TLS" in r.stderr and f"AWS_ENDPOINT_URL={minio.endpoint}" in r.stderr, r.describe()
    assert "InvalidContentType" not in r.stderr


def test_an_empty_lake_is_a_usage_error_not_a_storage_failure(dp, dp_s3, bucket):
    for args in (["report"], ["risk"], ["sql", "-c", "SELECT 1"], ["report", "--format", "html"]):
        r = dp(*args, "--dest", "nothing-here")
        assert r.returncode == 2, r.describe()
        assert "no complete runs at nothing-here (from --dest)" in r.stderr and "duckpipe load" in r.stderr, r.describe()
    r = dp("report")
    assert r.returncode == 2 and "./lake (the default; --dest or DUCKPIPE_DEST choose another)" in r.stderr, r.describe()
    r = dp_s3("report", "--dest", f"s3://{bucket}/empty")
    assert r.returncode == 2 and "no complete runs" in r.stderr, r.describe()


def test_report_on_a_missing_bucket_does_not_offer_a_flag_it_lacks(dp_s3):
    r = dp_s3("report", "--dest", "s3://no-such-bucket-e2e/lake")
    assert r.returncode == 2, r.describe()
    assert "pass --create-bucket" not in r.stderr and "duckpipe load --create-bucket" in r.stderr, r.describe()


# --------------------------------------------------------------------------------------------
# A quiet terminal
# --------------------------------------------------------------------------------------------

def test_a_load_prints_one_summary_block_and_no_info_logs(dp):
    r = dp.ok("load", "--source", "synthetic", "--count", "1200", "--seed", "quiet", "--dest", "lake", "--as-of", AS_OF)
    assert r.stderr == "", f"stderr is not quiet by default:\n{r.stderr}"
    lines = r.stdout.splitlines()
    assert len(lines) <= 12, r.stdout
    assert lines[0].startswith("Loaded 1,200 users into lake in ") and "seed quiet" in lines[0], lines[0]
    assert "received 1,200  ·  written 1,200" in r.stdout
    assert "duckpipe report --dest lake" in r.stdout
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d{4,}", r.stdout), "a timestamp with fractions of a second"
    # -v adds duckpipe's notes, with timestamps to the second.
    r = dp.ok("-v", "load", "--source", "synthetic", "--count", "10", "--dest", "lake", "--as-of", AS_OF)
    assert "INFO" in r.stderr and "load started" in r.stderr, r.stderr
    assert re.search(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z +INFO", r.stderr, re.M), r.stderr
    # The report's text has consistent numbers: separators, "x.y %" shares.
    text = dp.ok("report", "--dest", "lake", "--as-of", AS_OF).stdout
    assert "1,210 users" in text and re.search(r"\d+\.\d %", text), text
    assert not re.search(r"\d\.\d%", text), "a share without the space before %"
