"""gaps --as-of/--domain/--by-year/--by-domain and diff on a hand-checked fixture (tests/data/timeline)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from rdflib import Graph
from click.testing import CliRunner, Result

from graph.cli import main
from graph.domains import domains_in_use, gaps_by_domain
from graph.errors import InputError
from graph.gaps import cooperation_gaps
from graph.store import load_graph
from graph.timeline import gaps_by_year, network_diff, parse_years
from graph.timeslice import slice_claims

FIXTURE = Path(__file__).resolve().parent / "data" / "timeline" / "three-polities.ttl"
DATA = ["--no-shipped", "--data", str(FIXTURE)]
WB = "https://w3id.org/wbsec/id/"


def fixture() -> Graph:
    return load_graph([FIXTURE], shipped=False)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


# --- by year -------------------------------------------------------------------------------------


def test_by_year_density_and_external_share_by_hand() -> None:
    s = gaps_by_year(fixture(), 2010, 2013)
    assert [p.year for p in s.years] == [2010, 2011, 2012, 2013]
    assert [p.day for p in s.years][0] == dt.date(2010, 12, 31)
    # pairs with a recorded instrument: {AL-BA}, {AL-BA}, {AL-BA, BA-ME}, all three (fixture header)
    assert [round(p.density, 6) for p in s.years] == [round(1 / 3, 6), round(1 / 3, 6), round(2 / 3, 6), 1.0]
    assert [p.bilateral_density for p in s.years] == [p.density for p in s.years]  # all instruments are bilateral
    # shares through NATO: 0; (0 + 1 + 1)/3; (0 + 0 + 1/2)/3; 0
    assert [round(p.external_share or 0, 6) for p in s.years] == [0.0, round(2 / 3, 6), round(1 / 6, 6), 0.0]
    assert [(p.kept_undated, p.dropped_undated) for p in s.years] == [(0, 3), (0, 3), (1, 2), (2, 1)]
    instrument = {(x.a[-2:], x.b[-2:]): x.instrument for x in s.years[2].pairs}
    assert instrument == {("AL", "BA"): True, ("AL", "ME"): False, ("BA", "ME"): True}


def test_by_year_actual_cooperation_is_the_gap_analysis_of_that_day() -> None:
    g = fixture()
    s = gaps_by_year(g, 2011, 2012)
    for point in s.years:
        analysis = cooperation_gaps(slice_claims(g, as_of=point.day).graph)
        expected = {(d.a, d.b): (d.status, d.actual.low, d.actual.high) for d in analysis.dyads}
        assert {(x.a, x.b): (x.status, x.actual_low, x.actual_high) for x in point.pairs} == expected
    al_me = [x for x in s.years[0].pairs if (x.a, x.b) == (WB + "AL", WB + "ME")][0]
    assert al_me.status == "no-data" and al_me.actual is None and al_me.actual_low < al_me.actual_high  # a range


def test_by_year_cli_csv_json_and_chart(tmp_path: Path) -> None:
    chart = tmp_path / "series.svg"
    r = invoke("gaps", *DATA, "--by-year", "2010..2013", "--format", "csv", "--chart", str(chart))
    assert r.exit_code == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 12 and rows[0]["year"] == "2010" and rows[0]["density"] == "0.333333"
    assert {row["external_share"] for row in rows if row["year"] == "2011"} == {"0.666667"}
    no_data = [row for row in rows if row["status"] == "no-data"]
    assert no_data and all(row["actual"] == "" and row["actual_low"] != row["actual_high"] for row in no_data)
    assert chart.read_bytes().startswith(b"<?xml") and f"Wrote {chart}" in r.stderr
    again = tmp_path / "again.svg"
    invoke("gaps", *DATA, "--by-year", "2010..2013", "--format", "json", "--chart", str(again))
    assert again.read_bytes() == chart.read_bytes()  # deterministic
    j = json.loads(invoke("gaps", *DATA, "--by-year", "2012..2012", "--format", "json").stdout)
    assert j["years"][0]["density"] == round(2 / 3, 6) and j["years"][0]["kept_undated"] == 1


@pytest.mark.parametrize("text", ["2010-2013", "2013..2010", "10..13", "1900..2000"])
def test_bad_year_ranges_name_the_option(text: str) -> None:
    with pytest.raises(InputError, match="--by-year"):
        parse_years(text)
    assert invoke("gaps", *DATA, "--by-year", text).exit_code == 2


@pytest.mark.parametrize("args", [
    ["--by-year", "2010..2011", "--by-domain"],
    ["--chart", "x.png"],
    ["--by-year", "2010..2011", "--as-of", "2011-01-01"],
    ["--by-year", "2010..2011", "--chart", "x.pdf"],
    ["--by-year", "2010..2011", "--format", "md"],
])
def test_by_year_usage_errors(args: list[str]) -> None:
    assert invoke("gaps", *DATA, *args).exit_code == 2


# --- gaps on one date, in one domain ------------------------------------------------------------------


def test_gaps_as_of_reports_the_counts_and_the_claims_of_that_day() -> None:
    r = invoke("gaps", *DATA, "--as-of", "2011-12-31", "--format", "json")
    assert r.exit_code == 0
    assert "Note: claims as of 2011-12-31: kept 6 of 12; undated claims kept because their source dates them " \
           "on or before that day: 0, dropped: 3" in r.stderr
    assert "coop-ba-me" not in r.stdout and "coop-al-ba" in r.stdout
    later = invoke("gaps", *DATA, "--as-of", "2012-12-31", "--format", "json")
    assert "coop-ba-me" in later.stdout  # dated by the 2012 report
    md = invoke("gaps", *DATA, "--as-of", "2012-12-31", "--format", "md")
    assert md.stdout.startswith("> Claims as of 2012-12-31: kept 6 of 12;")


def test_gaps_domain_keeps_the_domain_claims() -> None:
    r = invoke("gaps", *DATA, "--domain", "police", "--format", "json")
    assert r.exit_code == 0 and "coop-al-ba" in r.stdout and "coop-ba-me" not in r.stdout
    bad = invoke("gaps", *DATA, "--domain", "polise")
    assert bad.exit_code == 2 and "use one of:" in bad.stderr and "counter-terrorism" in bad.stderr


def test_by_domain_small_multiples_and_json(tmp_path: Path) -> None:
    assert domains_in_use(fixture()) == ["border", "police"]
    found = {d.name: d for d in gaps_by_domain(fixture())}
    assert (found["border"].claims, found["police"].claims) == (4, 2)
    police = found["police"].analysis
    assert police.dyad(WB + "AL", WB + "BA").status == "cooperating"
    assert police.dyad(WB + "BA", WB + "ME").status == "no-data"  # its cooperation is border security
    heat = tmp_path / "domains.png"
    r = invoke("gaps", *DATA, "--by-domain", "--format", "json", "--heatmap", str(heat))
    assert r.exit_code == 0, r.stderr
    j = json.loads(r.stdout)
    assert [d["name"] for d in j["domains"]] == ["border", "police"]
    assert all(d["analysis"]["dyads"] for d in j["domains"]) and heat.read_bytes()[:4] == b"\x89PNG"
    one = invoke("gaps", *DATA, "--by-domain", "--domain", "border", "--format", "csv")
    assert {row["domain"] for row in csv.DictReader(io.StringIO(one.stdout))} == {"border"}


# --- diff ----------------------------------------------------------------------------------------------


def test_diff_ties_gained_and_lost_and_metric_changes_by_hand() -> None:
    d = network_diff(fixture(), dt.date(2010, 12, 31), dt.date(2012, 12, 31))
    assert [(t.source[-2:], t.target[-4:], t.claim.rsplit("/", 1)[-1]) for t in d.gained] == [
        ("BA", "d/ME", "coop-ba-me"), ("ME", "NATO", "m-me-nato")]
    assert [t.claim.rsplit("/", 1)[-1] for t in d.lost] == ["m-ba-nato"]
    moved = {m.label: (m.degree_from, m.degree_to, round(m.betweenness_from or 0, 4), round(m.betweenness_to or 0, 4))
             for m in d.metrics}
    # 7 nodes, betweenness normalised by 15 pairs: AL 2/15 -> 3.5/15, BA and NATO 0 -> 1/15, ME 0 -> 0.5/15
    assert moved == {"Albania": (3, 3, 0.1333, 0.2333), "Bosnia and Herzegovina": (2, 2, 0.0, 0.0667),
                     "NATO": (2, 2, 0.0, 0.0667), "Montenegro": (0, 2, 0.0, 0.0333)}
    assert [m.label for m in d.metrics][0] == "Albania"  # largest betweenness change first


def test_diff_cli_formats_and_errors() -> None:
    r = invoke("diff", *DATA, "--from", "2010-12-31", "--to", "2012-12-31", "--format", "json")
    assert r.exit_code == 0
    j = json.loads(r.stdout)
    assert len(j["ties"]["gained"]) == 2 and len(j["ties"]["lost"]) == 1 and j["view"] == "actors"
    assert r.stderr.count("Note: claims as of") == 2
    t = invoke("diff", *DATA, "--from", "2010-12-31", "--to", "2013-12-31", "--view", "polities", "--format", "table")
    assert t.stdout.startswith("polities view, 2010-12-31 -> 2013-12-31: 3 ties gained, 1 lost")
    c = invoke("diff", *DATA, "--from", "2010-12-31", "--to", "2012-12-31", "--domain", "border", "--format", "csv")
    assert {row["claim"].rsplit("/", 1)[-1] for row in csv.DictReader(io.StringIO(c.stdout))
            if row["section"] == "tie"} == {"coop-ba-me"}
    assert invoke("diff", *DATA, "--from", "2013-01-01", "--to", "2012-01-01").exit_code == 2
    assert invoke("diff", *DATA, "--from", "2013", "--to", "2014-01-01").exit_code == 2
    assert invoke("diff", *DATA, "--to", "2014-01-01").exit_code == 2


def test_help_of_the_new_options() -> None:
    gaps = invoke("gaps", "--help").stdout
    assert all(opt in gaps for opt in ("--by-year", "--chart", "--by-domain", "--as-of", "--domain"))
    d = invoke("diff", "--help")
    assert d.exit_code == 0 and "--from" in d.stdout and "--to" in d.stdout and "--view" in d.stdout
