"""Demand per polity per year: each polity's own survey figure of the analysis year or the nearest earlier edition,
the region-wide figure only as a declared fallback.

The fixture tests/data/gaps/editions.ttl gives Albania its own figures for 2015 (60%) and 2018 (80%), Montenegro
one for 2020 (40%), Bosnia and Herzegovina none, and region-wide figures for 2014 (50%), 2016 (70% and 74%, two
questions of one edition: mean 72%) and 2019 (90%).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.cli import main
from graph.gaps import GapAnalysis, cooperation_gaps
from graph.namespaces import WB
from graph.store import load_graph

EDITIONS = Path(__file__).resolve().parent / "data" / "gaps" / "editions.ttl"
AL, BA, ME = (str(WB[c]) for c in ("AL", "BA", "ME"))


def run(as_of: dt.date | None) -> GapAnalysis:
    return cooperation_gaps(load_graph([EDITIONS], shipped=False), draws=0, as_of=as_of)


def support(an: GapAnalysis) -> dict[str, tuple[float | None, str, str]]:
    return {p.polity[-2:]: (p.support, p.support_basis, p.support_period) for p in an.perception_vs_reality}


def public_support(an: GapAnalysis, a: str, b: str) -> float | None:
    return an.dyad(a, b).demand.component("public_support").raw


def test_without_a_date_each_polity_uses_its_latest_own_edition_and_the_rest_the_latest_region_wide() -> None:
    an = run(None)
    assert support(an) == {"AL": (80.0, "own", "2018"), "BA": (90.0, "region-wide fallback", "2019"),
                           "ME": (40.0, "own", "2020")}
    assert public_support(an, AL, BA) == pytest.approx((80 + 90) / 2)
    assert public_support(an, AL, ME) == pytest.approx((80 + 40) / 2)


def test_a_date_takes_the_edition_of_that_year_or_the_nearest_earlier_one() -> None:
    an = run(dt.date(2017, 6, 30))
    # Albania: 2015 (2018 is later); Montenegro's own 2020 figure is later, so the 2016 region-wide mean of 70 and 74
    assert support(an) == {"AL": (60.0, "own", "2015"), "BA": (72.0, "region-wide fallback", "2016"),
                           "ME": (72.0, "region-wide fallback", "2016")}
    assert public_support(an, AL, ME) == pytest.approx((60 + 72) / 2)
    assert [p.support_editions for p in an.perception_vs_reality] == [
        (str(WB["t-ed-2015"]),), (str(WB["t-ed-2016"]),), (str(WB["t-ed-2016"]),)]


def test_the_fallback_is_declared_per_side_in_the_component() -> None:
    c = run(dt.date(2017, 6, 30)).dyad(AL, ME).demand.component("public_support")
    assert c.fallbacks == (("", ME),)
    assert "Albania: 60.0% (own, 2015; Test survey 2015)" in c.basis
    assert "Montenegro: 72.0% (region-wide fallback, 2016; Test survey 2016)" in c.basis


def test_before_every_edition_support_is_unknown_not_zero() -> None:
    an = run(dt.date(2013, 1, 1))
    assert support(an)["AL"] == (None, "no figure", "")
    assert public_support(an, AL, BA) is None
    assert an.dyad(AL, BA).demand.high > an.dyad(AL, BA).demand.low


def test_cli_as_of_filters_claims_and_declares_the_edition(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["gaps", "--data", str(EDITIONS), "--no-shipped", "--as-of", "2014-12-31",
                                       "--format", "json", "--draws", "0"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rows = {p["label"]: (p["support"], p["support_basis"], p["support_period"], p["support_editions"])
            for p in data["perception_vs_reality"]}
    assert rows["Albania"] == (50.0, "region-wide fallback", "2014", [str(WB["t-ed-2014"])])


def test_cli_table_lists_where_each_figure_comes_from() -> None:
    result = CliRunner().invoke(main, ["gaps", "--data", str(EDITIONS), "--no-shipped", "--as-of", "2017-06-30",
                                       "--format", "table", "--draws", "0"])
    assert result.exit_code == 0, result.output
    assert "Demand: support for regional cooperation per polity (editions of 2017 or the nearest earlier year):" \
        in result.stdout
    assert "  Albania: 60.0% (own, 2015; Test survey 2015)" in result.stdout
    assert "  Montenegro: 72.0% (region-wide fallback, 2016; Test survey 2016)" in result.stdout


def test_shipped_data_on_1_january_2015_uses_the_2015_region_wide_figures() -> None:
    result = CliRunner().invoke(main, ["gaps", "--as-of", "2015-01-01", "--format", "json", "--draws", "0"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rows = {(p["support"], p["support_basis"], p["support_period"]) for p in data["perception_vs_reality"]}
    assert rows == {(68.0, "region-wide fallback", "2015")}  # Balkan Barometer 2015: mean of 76% and 60%
    known = {}
    for d in data["dyads"]:
        c = d["demand"]["components"][0]
        assert c["name"] == "public_support" and c["value"] is not None  # a figure, not the unknown range 0 to 1
        known[(d["label_a"], d["label_b"])] = c["raw"]
    # one pair has a pair-specific 2015 figure (Albanian respondents on cooperation with Serbia); the rest 68%
    assert sorted(set(known.values()))[0] == 68.0
    assert sum(1 for v in known.values() if v == 68.0) == 14
