"""The answers people read (issue 16): one-sentence answers checked word for word on datasets
with known ties, shares that never round a count away, tie markers, small-cell protection, the
risk section, and charts whose text boxes and legend collide with nothing — measured in headless
Chromium."""

from __future__ import annotations

import html as htmllib
import json
import re
from pathlib import Path

import pytest

import support
from support import AS_OF
from test_report_page import parse, run_chromium

FEMALE_HEX, MALE_HEX, BAR_HEX, OTHER_HEX = "#CC79A7", "#0072B2", "#009E73", "#999999"
SERIES = {FEMALE_HEX, MALE_HEX, BAR_HEX, OTHER_HEX}


def write_users(dp, users: list[dict]) -> Path:
    path = dp.cwd / "users.ndjson"
    path.write_text("".join(json.dumps(u) + "\n" for u in users))
    return path


# 25 users: Ireland 8 (Galway 2, Sligo 2: a tie for the top city), Norway 5, Spain/France/Brazil 4;
# 13 female, 12 male; ages 31-39 (10), 40-49 (10: a tie for the top band), 71-75 (5, of them 2
# women); registered 10 years before AS_OF (12 users) or 5 years before (13).
CITIES = (["Galway", "Galway", "Sligo", "Sligo", "Cork", "Dublin", "Limerick", "Ennis"]
          + ["Oslo", "Bergen", "Tromsø", "Bodø", "Molde"] + ["Madrid", "Sevilla", "Bilbao", "Vigo"]
          + ["Lyon", "Lille", "Nantes", "Brest"] + ["Recife", "Natal", "Belém", "Santos"])
COUNTRIES = ["Ireland"] * 8 + ["Norway"] * 5 + ["Spain"] * 4 + ["France"] * 4 + ["Brazil"] * 4
AGES = [31, 32, 33, 34, 35, 35, 36, 37, 38, 39] + list(range(40, 50)) + [71, 72, 73, 74, 75]
FEMALE = set(range(0, 11)) | {20, 21}


def tie_users(dp) -> list[dict]:
    base = dp.generate(25, "answers-tie", dp.cwd / "base.json")
    for i, u in enumerate(base):
        u["location"]["country"], u["location"]["city"] = COUNTRIES[i], CITIES[i]
        u["gender"] = "female" if i in FEMALE else "male"
        u["dob"]["date"] = f"{2026 - AGES[i]}-01-01T00:00:00.000Z"
        u["registered"]["date"] = "2016-11-25T08:00:00.000Z" if i < 12 else "2021-11-25T08:00:00.000Z"
    return base


ANSWERS = {
    "registration": "On average, users registered 7.4 years ago (2,702.5 days before 2026-11-25).",
    "age_gender": "Of 25 users, 52.0 % are female and 48.0 % male; ages run from 31 to 75 (median 42.0), and the "
                  "largest age band is a tie between 30-39 and 40-49, 10 users each (40.0 % each).",
    "places": "Most users come from Ireland (32.0 %); the most common city is a tie between Galway and Sligo, 2 users each.",
}


@pytest.fixture
def tie_lake(dp):
    users = tie_users(dp)
    path = write_users(dp, users)
    load = dp.ok("load", "--input", str(path), "--dest", "lake", "--as-of", AS_OF)
    return users, load


def test_headlines_say_tie_with_shares_in_every_rendering(dp, tie_lake):
    users, load = tie_lake
    report = dp.ok("report", "--dest", "lake", "--as-of", AS_OF, "--format", "json").json()
    support.assert_report(report, support.expected_report([(users, AS_OF)]))
    assert report["answers"] == ANSWERS
    assert report["leaders"] == {"country": {"users": 8, "tied": 1}, "location": {"users": 2, "tied": 2}}

    # The load's summary block ends in the same three sentences.
    for i, key in enumerate(("registration", "age_gender", "places"), 1):
        assert f"  {i}. {ANSWERS[key]}\n" in load.stdout, load.stdout

    text = dp.ok("report", "--dest", "lake", "--as-of", AS_OF).stdout
    for sentence in ANSWERS.values():
        assert f"  {sentence}\n" in text, text
    # Tie markers in the ranked tables, shares beside counts.
    rows = [line.split() for line in text.splitlines()]
    assert ["1", "Ireland", "8", "32.0", "%"] in rows and ["2", "Norway", "5", "20.0", "%"] in rows, text
    assert ["3=", "Brazil", "4", "16.0", "%"] in rows and ["3=", "Spain", "4", "16.0", "%"] in rows, text
    assert ["1=", "Ireland", "Galway", "2", "8.0", "%"] in rows and ["1=", "Ireland", "Sligo", "2", "8.0", "%"] in rows
    assert ["3=", "Brazil", "Belém", "1", "4.0", "%"] in rows, text

    page = parse(dp.ok("report", "--dest", "lake", "--as-of", AS_OF, "--format", "html").stdout)
    assert page.text_by_id["answer-registration"] == ANSWERS["registration"]
    assert page.text_by_id["answer-age-gender"] == ANSWERS["age_gender"]
    assert page.text_by_id["answer-places"] == ANSWERS["places"]
    md = dp.ok("report", "--dest", "lake", "--as-of", AS_OF, "--format", "md").stdout
    for sentence in ANSWERS.values():
        assert f"**{sentence}**" in md


def test_a_tie_for_the_top_country_and_a_single_top_city(dp):
    base = dp.generate(12, "answers-country-tie", dp.cwd / "base.json")
    places = [("Ireland", c) for c in ("Galway", "Galway", "Galway", "Cork", "Sligo", "Ennis")] + \
             [("Norway", c) for c in ("Oslo", "Bergen", "Tromsø", "Bodø", "Molde", "Narvik")]
    for u, (country, city) in zip(base, places):
        u["location"]["country"], u["location"]["city"] = country, city
        u["gender"] = "female"
        u["dob"]["date"] = "1991-01-01T00:00:00.000Z"
    dp.ok("load", "--input", str(write_users(dp, base)), "--dest", "lake", "--as-of", AS_OF)
    report = dp.ok("report", "--dest", "lake", "--as-of", AS_OF, "--format", "json").json()
    assert report["answers"]["places"] == ("Most users come from a tie between Ireland and Norway, 6 users each "
                                           "(50.0 % each); the most common city is Galway (Ireland), 3 users (25.0 %).")
    # --top 1 lists one country only: the tie is still told (q3_leaders counts beyond the list).
    report = dp.ok("report", "--dest", "lake", "--as-of", AS_OF, "--top", "1", "--format", "json").json()
    assert report["answers"]["places"].startswith(
        "Most users come from a tie between 2 countries, 6 users each (50.0 % each), among them Ireland; "), report["answers"]
    assert report["answers"]["age_gender"] == ("All 12 users are female; all are 35 years old, and the largest "
                                               "age band is 30-39 (100.0 %).")
    text = dp.ok("report", "--dest", "lake", "--as-of", AS_OF, "--top", "1").stdout
    assert ["1=", "Ireland", "6", "50.0", "%"] in [line.split() for line in text.splitlines()], text


def test_a_share_that_rounds_to_zero_keeps_its_count(dp):
    users = dp.generate(2400, "answers-rounding", dp.cwd / "base.json")
    users[0]["location"]["country"], users[0]["location"]["city"] = "Atlantis", "Poseidonia"
    dp.ok("load", "--input", str(write_users(dp, users)), "--dest", "lake", "--as-of", AS_OF)
    text = dp.ok("report", "--dest", "lake", "--as-of", AS_OF, "--top", "400").stdout
    row = [line.split() for line in text.splitlines() if "Atlantis" in line and "Poseidonia" not in line]
    assert row and row[0][-4:] == ["1", "<", "0.1", "%"], row
    report = dp.ok("report", "--dest", "lake", "--as-of", AS_OF, "--format", "json").json()
    # Unique records are counted, not rounded away: the count of records alone in their class.
    unique = report["risk"]["below"]["2"]
    assert f"unique records               {unique:,} (" in text, text


def test_small_cell_protection_for_published_reports(dp, tie_lake):
    users, _ = tie_lake
    report = dp.ok("report", "--dest", "lake", "--as-of", AS_OF, "--min-cell", "3", "--format", "json").json()
    assert report["min_cell"] == 3
    assert report["top_locations"] == [] and report["withheld"] == {"top_countries": 0, "top_locations": 10}
    assert [c["country"] for c in report["top_countries"]] == ["Ireland", "Norway", "Brazil", "France", "Spain"]
    assert report["age"]["min"] is None and report["age"]["max"] is None and report["age"]["median"] == 42.0
    band70 = [b for b in report["age_bands"] if b["band"] == "70-79"][0]
    assert band70 == {"band": "70-79", "female": None, "male": 3, "users": 5}, band70
    assert report["leaders"]["location"] is None
    assert report["answers"]["places"] == "Most users come from Ireland (32.0 %); every city has fewer than 3 users (withheld)."
    assert report["answers"]["age_gender"] == ("Of 25 users, 52.0 % are female and 48.0 % male; the median age is 42.0, "
                                               "and the largest age band is a tie between 30-39 and 40-49, 10 users each (40.0 % each).")
    text = dp.ok("report", "--dest", "lake", "--as-of", AS_OF, "--min-cell", "3").stdout
    line70 = [l for l in text.splitlines() if l.strip().startswith("70-79")][0]
    assert re.search(r"70-79\s+< 3\s+3\s+5\s+20\.0 %", line70), line70
    for city in set(CITIES):
        assert city not in text, f"{city} has fewer than 3 users and is printed"
    assert "min 31" not in text and "max 75" not in text and "withheld" in text
    page = dp.ok("report", "--dest", "lake", "--as-of", AS_OF, "--min-cell", "3", "--format", "html").stdout
    assert "Galway" not in page and "Small-cell protection" in page
    md = dp.ok("report", "--dest", "lake", "--as-of", AS_OF, "--min-cell", "3", "--format", "md").stdout
    assert "| 70-79 | < 3 | 3 | 5 | 20.0 % |" in md and "Galway" not in md


def test_the_risk_section_has_one_title_and_honest_numbers(dp, tie_lake):
    html = dp.ok("report", "--dest", "lake", "--as-of", AS_OF, "--format", "html").stdout
    assert html.count("Re-identification risk") == 1, "the risk section repeats its title"
    report = dp.ok("report", "--dest", "lake", "--as-of", AS_OF, "--format", "json").json()
    risk = report["risk"]
    cells = parse(html).cells
    i = cells.index("unique records")
    assert cells[i + 1] == f"{risk['below']['2']} ({100 * risk['below']['2'] / risk['records']:.1f} %)", cells[i:i + 2]


# --------------------------------------------------------------------------------------------
# Chart geometry, measured by the browser
# --------------------------------------------------------------------------------------------

MEASURE = """
<script>
addEventListener('load', () => {
  const out = [];
  document.querySelectorAll('figure svg').forEach(svg => {
    const box = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
    out.push({
      label: svg.closest('figure').getAttribute('aria-label'),
      box: box(svg),
      texts: [...svg.querySelectorAll('text')].map(t => ({text: t.textContent.trim(), box: box(t)})),
      rects: [...svg.querySelectorAll('rect')].map(r => ({fill: (r.getAttribute('fill') || '').toUpperCase(), box: box(r)})),
    });
  });
  const pre = document.createElement('pre');
  pre.id = 'boxes';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
"""


def measure(tmp_path: Path, page: str, width: int = 900) -> list[dict]:
    """Every chart's text and rect boxes as Chromium lays them out (a copy of the page with a
    measuring script: the report itself forbids scripts)."""
    probe = page.replace("default-src 'none'; style-src 'unsafe-inline'",
                         "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'")
    probe = probe.replace("</body>", MEASURE + "</body>")
    path = tmp_path / "measure.html"
    path.write_text(probe, encoding="utf-8")
    dom = run_chromium(tmp_path, "--dump-dom", "--virtual-time-budget=5000", f"--window-size={width},3000",
                       path.as_uri()).stdout.decode()
    found = re.search(r'<pre id="boxes">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    return json.loads(htmllib.unescape(found.group(1)))


def overlap(a, b, slack: float = 0.5) -> bool:
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack


def check_charts(charts: list[dict]) -> None:
    assert len(charts) == 5, [c["label"] for c in charts]
    for chart in charts:
        label, texts = chart["label"], chart["texts"]
        for t in texts:
            x0, y0, x1, y1 = chart["box"]
            b = t["box"]
            assert b[0] >= x0 - 0.5 and b[2] <= x1 + 0.5 and b[1] >= y0 - 0.5 and b[3] <= y1 + 0.5, \
                f"{label}: {t['text']!r} sticks out of the chart"
        # No two texts touch: axis titles and tick labels, tick labels among themselves, the legend.
        for i, a in enumerate(texts):
            for b in texts[i + 1:]:
                assert not overlap(a["box"], b["box"]), f"{label}: {a['text']!r} overlaps {b['text']!r}"
        legend_names = {"female", "male", "other"} if label == "Age bands by gender" else set()
        legend_texts = [t for t in texts if t["text"] in legend_names]
        coloured = [r for r in chart["rects"] if r["fill"] in SERIES]
        # A legend swatch: a small square just left of a legend name.
        swatches = [r for r in coloured if any(
            abs(r["box"][2] - t["box"][0]) < 12 and overlap(r["box"], [t["box"][0] - 20, t["box"][1], t["box"][2], t["box"][3]], 0)
            and r["box"][2] - r["box"][0] <= 16 for t in legend_texts)]
        bars = [r for r in coloured if r not in swatches]
        assert bars, f"{label}: no bars"
        if legend_names:
            assert len(legend_texts) >= 2 and len(swatches) == len(legend_texts), (legend_texts, swatches)
            items = [t["box"] for t in legend_texts] + [s["box"] for s in swatches]
            legend = [min(b[0] for b in items), min(b[1] for b in items), max(b[2] for b in items), max(b[3] for b in items)]
            for bar in bars:
                assert not overlap(legend, bar["box"]), f"{label}: the legend covers a bar at {bar['box']}"
        for t in texts:
            for bar in bars:
                assert not overlap(t["box"], bar["box"]), f"{label}: {t['text']!r} covers a bar"


def test_chart_text_and_legend_collide_with_nothing(dp, tmp_path):
    """Three lakes: an ordinary one, a large one with long city names (tick labels in the
    thousands, long labels cut), and a single user (one bar per chart, no empty slots)."""
    users = dp.generate(2600, "charts-big", dp.cwd / "big.json")
    for i, u in enumerate(users[:300]):
        u["location"]["country"] = "United Kingdom of Great Britain and Northern Ireland"
        u["location"]["city"] = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch" if i % 2 else "Newcastle upon Tyne"
    dp.ok("load", "--input", str(write_users(dp, users)), "--dest", "big", "--as-of", AS_OF)
    page = dp.ok("report", "--dest", "big", "--as-of", AS_OF, "--format", "html").stdout
    charts = measure(tmp_path, page)
    check_charts(charts)
    gender = [c for c in charts if c["label"] == "Users by gender"][0]
    ticks = [t["text"] for t in gender["texts"] if re.fullmatch(r"[\d,]+", t["text"])]
    assert any(re.fullmatch(r"\d{1,3}(,\d{3})+", t) for t in ticks), f"no thousands separator on the axis: {ticks}"
    assert all(re.fullmatch(r"\d{1,3}(,\d{3})*", t) for t in ticks), ticks

    dp.generate(100, "readme-sample", dp.cwd / "sample.json")
    dp.ok("load", "--input", str(dp.cwd / "sample.json"), "--dest", "sample", "--as-of", AS_OF)
    check_charts(measure(tmp_path, dp.ok("report", "--dest", "sample", "--as-of", AS_OF, "--format", "html").stdout))

    one = dp.generate(1, "charts-one", dp.cwd / "one.json")
    dp.ok("load", "--input", str(dp.cwd / "one.json"), "--dest", "one", "--as-of", AS_OF)
    page = dp.ok("report", "--dest", "one", "--as-of", AS_OF, "--format", "html").stdout
    charts = measure(tmp_path, page)
    check_charts(charts)
    for chart in charts:
        bars = [r for r in chart["rects"] if r["fill"] in SERIES and r["box"][2] - r["box"][0] > 16]
        assert len(bars) == 1, f"{chart['label']}: {len(bars)} bars for one user"
    assert f"The one user is {one[0]['gender']}" in page
    # One category: its label is drawn, and there is no empty slot beside the bar.
    gender = [c for c in charts if c["label"] == "Users by gender"][0]
    assert one[0]["gender"] in [t["text"] for t in gender["texts"]]
