"""Tests of the honest outputs of the gap analysis: the demand-versus-practice scatter, the methods annex
(``--format md``) and the external-dependence classification shown beside its alternatives.

Fixture: tests/data/gaps/four-polities.ttl (see tests/test_gaps.py), with a few hundred seeded draws.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import pytest
from click.testing import CliRunner
from matplotlib.figure import Figure

from graph.cli import main
from graph.gaps import Evidence, GapAnalysis, cooperation_gaps, load_config, mapped_gaps
from graph.gapcharts import _label_places, _scatter, plot_bytes, write_plot
from graph.report import _Citations, json_text, markdown_report, table_text
from graph.store import load_graph

FIXTURE = Path(__file__).resolve().parent / "data" / "gaps" / "four-polities.ttl"


@pytest.fixture(scope="module")
def drawn() -> GapAnalysis:
    return cooperation_gaps(load_graph([FIXTURE], shipped=False), load_config(), draws=200, seed=3)


# --------------------------------------------------------------------------- the scatter


def test_scatter_svg_is_valid_deterministic_and_undated(drawn: GapAnalysis, tmp_path: Path) -> None:
    path = write_plot(drawn, tmp_path / "scatter.svg", ("scatter",))
    data = path.read_bytes()
    assert ET.fromstring(data).tag == "{http://www.w3.org/2000/svg}svg"
    assert plot_bytes(drawn, "svg", ("scatter",)) == data
    assert b"<dc:date>" not in data and not re.search(rb"20\d\d-\d\d-\d\dT", data)
    assert plot_bytes(drawn, "png", ("scatter",))[:4] == b"\x89PNG"


def _code(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def test_scatter_labels_every_pair_with_its_rank_interval(drawn: GapAnalysis) -> None:
    matplotlib.use("Agg")
    fig = Figure()
    ax = fig.subplots()
    _scatter(ax, drawn, fig)
    texts = {t.get_text() for t in ax.texts}
    for d in drawn.dyads:
        r = d.rank_interval
        assert r is not None
        assert f"{_code(d.a)}–{_code(d.b)} {d.rank if d.rank is not None else '—'} [{r.low}–{r.high}]" in texts
    # a no-data pair is drawn as a horizontal bar over its actual range
    no_data = [d for d in drawn.dyads if d.actual.high > d.actual.low]
    assert no_data
    segments = {(tuple(line.get_xdata()), tuple(line.get_ydata())) for line in ax.lines}
    for d in no_data:
        y = (d.demand.low + d.demand.high) / 2
        assert ((d.actual.low, d.actual.high), (y, y)) in segments


def test_label_places_never_overlap() -> None:
    points = [(0.5, 0.5, "AL–BA 1 [1–2]"), (0.5, 0.5, "AL–ME 2 [1–3]"), (0.51, 0.505, "BA–ME 3 [2–4]"),
              (0.2, 0.9, "X–Y 4 [4–4]")]
    places = _label_places(points, 1.0)
    boxes = [(x, y - 0.013, x + len(t) * 0.0098, y + 0.013) for (x, y), (_p, _q, t) in zip(places, points)]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or a[0] >= b[2] or a[3] <= b[1] + 1e-12 or a[1] >= b[3] - 1e-12
    assert places[3] == (0.2 + 0.012, 0.9)  # a label with room stays beside its point
    assert _label_places(points, 1.0) == places


def test_cli_scatter_and_plot_with_three_panels(tmp_path: Path) -> None:
    base = ["gaps", "--no-shipped", "--data", str(FIXTURE), "--format", "csv", "--draws", "50"]
    out = CliRunner().invoke(main, [*base, "--scatter", str(tmp_path / "s.svg"), "--plot", str(tmp_path / "p.png")])
    assert out.exit_code == 0, out.output
    assert f"Wrote {tmp_path / 's.svg'}." in out.stderr
    ET.fromstring((tmp_path / "s.svg").read_bytes())
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"
    bad = CliRunner().invoke(main, [*base, "--scatter", str(tmp_path / "s.pdf")])
    assert bad.exit_code == 2 and ".png or .svg" in bad.stderr
    clash = CliRunner().invoke(main, ["gaps", "--by-domain", "--scatter", str(tmp_path / "s.svg")])
    assert clash.exit_code == 2 and "--scatter" in clash.stderr


# --------------------------------------------------------------------------- the methods annex

EDITIONS = FIXTURE.parent / "editions.ttl"


def test_annex_has_every_section_in_order(drawn: GapAnalysis) -> None:
    md = markdown_report(drawn)
    headings = [line for line in md.splitlines() if line.startswith("## ") or line.startswith("### ")][:9]
    assert headings == ["## Method", "### Components", "### Formulas", "### Uncertainty and sensitivity",
                        "## Data coverage", "## Pairs", "## External dependence", "## Perception versus reality",
                        "## Missing-tie suggestions"]
    assert md.rstrip().splitlines()[-1].startswith("1. Test source. n.d. Cited at: p. 1; p. 2; p. 3;")
    assert "## Sensitivity" not in md  # only when computed
    assert "- **gap** = demand − actual" in md and "inverse_partners = 1 / (n − 1)" in md
    assert "- Claim filter: none (no `--as-of` or `--domain`): every claim in the data is used." in md
    assert "- Public support from the region-wide figure (a declared fallback): Montenegro, Serbia;" in md
    assert "https://w3id.org/wbsec/id/t-" not in md.split("## Evidence per pair")[1]  # no claim IRIs


def test_annex_cites_sources_with_title_publisher_year_url_and_locators(tmp_path: Path) -> None:
    out = CliRunner().invoke(main, ["gaps", "--no-shipped", "--data", str(EDITIONS), "--as-of", "2017-06-30",
                                    "--format", "md", "--draws", "20", "--sensitivity"])
    assert out.exit_code == 0, out.output
    md = out.stdout
    assert ("1. Test source. Test publisher. 2021. <https://example.org/source>. Cited at: p. 1; p. 5; p. 6."
            in md)
    # the claim filter's line is in the data coverage, and every support figure names its period and edition
    coverage = md.split("## Data coverage")[1].split("## Pairs")[0]
    assert "- Claims as of 2017-06-30: kept" in coverage
    assert "| Albania | 60.0% | own | 2015 | Test survey 2015 |" in coverage
    assert "| Montenegro | 72.0% | region-wide fallback | 2016 | Test survey 2016 |" in coverage
    assert "## Sensitivity" in md and "| choice | effect on ranks (μ*) | σ | effect on outside share (μ*) |" in md
    assert "Survey figures: the editions of 2017 or the nearest earlier year (analysis date 2017-06-30)." in md
    assert "[1], p. 5: region-wide figure used for Bosnia and Herzegovina (fallback)" in md


def test_annex_is_deterministic(drawn: GapAnalysis) -> None:
    assert markdown_report(drawn) == markdown_report(drawn)


# --------------------------------------------------------------------------- external dependence, said clearly


def test_dependence_names_the_classification_used_beside_the_alternatives(drawn: GapAnalysis) -> None:
    table = table_text(drawn)
    assert ("  classification used: bridging actors outside: Regional Cooperation Council; inside: Berlin Process "
            "([external] bridging, extra_outside)") in table
    assert "    with Regional Cooperation Council outside: 16.7%, 6/6 pairs connected without outside actors " \
           "<- used above" in table
    assert "    with Berlin Process outside: 33.3%" in table
    md = markdown_report(drawn)
    assert "under the classification used: outside = the actors the network marks external; of the bridging " \
           "actors, outside: Regional Cooperation Council; inside: Berlin Process." in md
    assert "| Regional Cooperation Council | **used above** | 16.7% | 6 of 6 |" in md
    assert "| Berlin Process | alternative | 33.3% | 6 of 6 |" in md
    used = json.loads(json_text(drawn))["external_dependence"]["classification_used"]
    assert used["bridging_outside"] == ["https://w3id.org/wbsec/id/RCC"]
    assert used["bridging_inside"] == ["https://w3id.org/wbsec/id/BerlinProcess"]


def test_json_states_the_map_rule_and_the_pairs_it_keeps(drawn: GapAnalysis) -> None:
    method = json.loads(json_text(drawn))["method"]
    assert method["map"]["min_gap"] == 0.25 and method["map"]["max_interval_width"] == 5
    assert method["map"]["pairs"] == [[d.a, d.b] for d in mapped_gaps(drawn)]
    assert method["as_of"] is None


def test_citations_number_sources_in_bibliography_order(drawn: GapAnalysis) -> None:
    ev = Evidence(claim="c", sources=("z-src", "a-src"), locator="p. 10", note="a note", primary_sources=("m-src",))
    cites = _Citations(drawn, [ev])
    assert cites.cite(ev) == "[1; 3], p. 10 (primary: [2])"
    assert cites.bibliography() == ["1. a-src. n.d. Cited at: p. 10.",
                                    "2. m-src. n.d. Primary source, relayed by [1; 3].",
                                    "3. z-src. n.d. Cited at: p. 10."]
