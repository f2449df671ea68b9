"""`duckpipe report --format html|md`: the page people look at.

The HTML is checked three ways: its source (self-contained, five charts, the numbers of `report
--format json`, which other tests check against an independent computation), the DOM headless
Chromium builds from it (--dump-dom), and the pixels Chromium renders (--screenshot): the chart
colours must cover real areas of a sensible-size, non-blank image.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

import support
from support import AS_OF

REPO = Path(__file__).resolve().parents[2]
# Chart colours (src/analytics/page/charts.rs).
BAR, FEMALE, MALE = (0x00, 0x9E, 0x73), (0xCC, 0x79, 0xA7), (0x00, 0x72, 0xB2)
WIDTH, HEIGHT = 900, 2600


def chromium() -> str:
    path = os.environ.get("CHROMIUM_BIN") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("headless Chromium is needed (scripts/test.sh installs Debian's `chromium`; or set CHROMIUM_BIN)", pytrace=False)
    return path


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}", *args]
    p = subprocess.run(cmd, capture_output=True, timeout=180)
    assert p.returncode == 0, f"chromium failed: {p.stderr.decode(errors='replace')[-2000:]}"
    return p


class Elements(HTMLParser):
    """Counts tags and collects text by element id / class."""

    def __init__(self):
        super().__init__()
        self.tags: Counter = Counter()
        self.attrs: list[tuple[str, dict]] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[str | None] = []
        self.cells: list[str] = []
        self._in_td = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] += 1
        self.attrs.append((tag, a))
        self._open.append(a.get("id"))
        if tag == "td":
            self._in_td = True
            self.cells.append("")

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()
        if tag == "td":
            self._in_td = False

    def handle_data(self, data):
        for i in self._open:
            if i:
                self.text_by_id[i] = self.text_by_id.get(i, "") + data
        if self._in_td:
            self.cells[-1] += data


def parse(html: str) -> Elements:
    e = Elements()
    e.feed(html)
    return e


def png_pixels(data: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    """Decodes an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes) into RGB pixels."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    pixels = []
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 0xFF
            elif f == 2:
                line[x] = (line[x] + b) & 0xFF
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        pixels.extend(tuple(line[i:i + 3]) for i in range(0, stride, bpp))
        prev = line
    return width, height, pixels


@pytest.fixture
def lake(dp):
    users = dp.generate(100, "readme-sample", dp.cwd / "users.json")
    load = dp.ok("load", "--source", "file", "--input", str(dp.cwd / "users.json"), "--dest", "lake",
                 "--as-of", AS_OF, "--format", "json").json()
    report = dp.ok("report", "--dest", "lake", "--as-of", AS_OF, "--top", "8", "--format", "json").json()
    support.assert_report(report, support.expected_report([(users, AS_OF)], top=8))
    return users, load["run"]["run_id"], report


def test_html_report_is_self_contained_and_renders_charts(dp, lake, tmp_path):
    users, run_id, report = lake
    out = dp.cwd / "report.html"
    r = dp.ok("report", "--dest", "lake", "--as-of", AS_OF, "--top", "8", "--format", "html", "--out", str(out))
    assert r.stdout == "", "--out writes to the file, not stdout"
    html = out.read_text(encoding="utf-8")

    # Source: one file, nothing external or active, the numbers of the JSON report.
    src = parse(html)
    assert src.tags["svg"] == 5, src.tags
    for tag in ("script", "link", "img", "iframe", "object"):
        assert src.tags[tag] == 0, f"<{tag}> in a self-contained page"
    for _, attrs in src.attrs:
        for key in ("src", "href"):
            assert key not in attrs, f"external reference {attrs}"
    assert "url(" not in html and "@import" not in html
    assert src.text_by_id["users"].replace(",", "") == str(len(users)) == str(report["users"])
    assert src.text_by_id["as-of"] == AS_OF
    assert run_id in html
    cells = src.cells
    for c in report["top_countries"]:
        i = cells.index(c["country"])
        assert cells[i + 1] == str(c["users"]), (c, cells[i:i + 2])
    # The risk section carries the numbers of the JSON report's risk.
    i = cells.index("k (smallest class)")
    assert cells[i + 1].startswith(f"{report['risk']['k']} ("), cells[i:i + 2]
    i = cells.index("records / classes")
    assert cells[i + 1] == f"{report['risk']['records']} / {report['risk']['classes']}", cells[i:i + 2]

    # DOM as Chromium builds it: the five charts with their bars and labels.
    dom = run_chromium(tmp_path, "--dump-dom", out.as_uri()).stdout.decode()
    tree = parse(dom)
    assert tree.tags["svg"] == 5, tree.tags
    bars = sum(len(report[k]) for k in ("gender", "top_countries", "top_locations")) + 2 * len(report["age_bands"])
    assert tree.tags["rect"] >= bars, (tree.tags["rect"], bars)
    for c in report["top_countries"]:
        assert c["country"] in dom

    # Pixels: a sensible size, not blank, and the chart colours cover real areas.
    png = tmp_path / "report.png"
    run_chromium(tmp_path, f"--screenshot={png}", f"--window-size={WIDTH},{HEIGHT}", "--hide-scrollbars", out.as_uri())
    width, height, pixels = png_pixels(png.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    colours = Counter(pixels)
    white = colours[(255, 255, 255)]
    assert white < 0.97 * len(pixels), "the page rendered (almost) blank"
    for name, rgb in (("bar", BAR), ("female", FEMALE), ("male", MALE)):
        assert colours[rgb] > 500, f"the {name} colour covers only {colours[rgb]} pixels: charts not drawn"
    if os.environ.get("DUCKPIPE_UPDATE_SAMPLE"):
        shutil.copyfile(png, REPO / "docs" / "report-sample.png")


def test_markdown_report_has_the_json_numbers(dp, lake):
    users, run_id, report = lake
    md = dp.ok("report", "--dest", "lake", "--as-of", AS_OF, "--top", "8", "--format", "md").stdout
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in md.splitlines() if line.startswith("|")]
    n = report["users"]
    share = lambda k: f"{100 * k / n:.1f} %"
    for g in report["gender"]:
        assert [g["gender"], str(g["users"]), share(g["users"])] in rows
    for b in report["age_bands"]:
        assert [b["band"], str(b["female"]), str(b["male"]), str(b["users"]), share(b["users"])] in rows
    for loc in report["top_locations"]:
        assert [loc["country"], loc["city"], str(loc["users"]), share(loc["users"])] in [r[1:] for r in rows], loc
    assert f"`{run_id}`" in md and f"**{len(users)}** users" in md
    # Each question opens with its one-sentence answer, in bold.
    for key in ("registration", "age_gender", "places"):
        assert f"**{report['answers'][key]}**" in md
    # The tenure histogram adds up to every user.
    # (the only three-column table whose first column is a number)
    tenure = [r for r in rows if len(r) == 3 and r[0].isdigit()]
    assert tenure, md
    assert sum(int(r[1].replace(",", "")) for r in tenure) == len(users)
