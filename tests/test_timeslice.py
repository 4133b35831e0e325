"""The claim filter (graph.timeslice): --as-of keeps claims valid that day, --domain keeps claims of chosen domains."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Graph, URIRef

from graph.cli import main
from graph.errors import InputError
from graph.store import load_graph
from graph.timeslice import ClaimSlice, claim_datings, claim_domains, date_bound, resolve_domains, slice_claims

FIXTURE = Path(__file__).resolve().parent / "data" / "timeline" / "three-polities.ttl"
WB = "https://w3id.org/wbsec/id/"


def fixture() -> Graph:
    return load_graph([FIXTURE], shipped=False)


def kept(s: ClaimSlice, *names: str) -> dict[str, bool]:
    g = s.graph
    return {n: any(True for _ in g.triples((URIRef(WB + n), None, None))) for n in names}


def test_date_bounds_read_years_as_the_whole_year() -> None:
    assert date_bound("2012", end=False) == dt.date(2012, 1, 1)
    assert date_bound("2012", end=True) == dt.date(2012, 12, 31)
    assert date_bound("2012-02-29T10:00:00", end=True) == dt.date(2012, 2, 29)
    assert date_bound("n/a", end=False) is None


def test_undated_claims_are_dated_by_their_source_at_the_end_of_its_year() -> None:
    d = claim_datings(fixture())
    assert d[WB + "coop-ba-me"].start is None and d[WB + "coop-ba-me"].source_date == dt.date(2012, 12, 31)
    assert d[WB + "st-al-ba"].source_date == dt.date(2013, 3, 1)
    assert d[WB + "coop-al-me-x"].source_date is None
    assert d[WB + "obs-wb-support"].start == dt.date(2010, 1, 1)  # refPeriod
    assert d[WB + "m-ba-nato"].end == dt.date(2011, 12, 31)
    assert len(d) == 12  # 4 cooperation/agreement, 6 memberships, 1 statement, 1 survey figure


def test_as_of_drops_undated_claims_and_keeps_source_dated_ones() -> None:
    g = fixture()
    mid_2012 = slice_claims(g, as_of=dt.date(2012, 6, 30))
    # The 2012 report dates coop-ba-me to 31 December 2012 at the earliest (conservative reading).
    assert kept(mid_2012, "coop-ba-me", "coop-al-me-x", "st-al-ba", "coop-al-ba") == {
        "coop-ba-me": False, "coop-al-me-x": False, "st-al-ba": False, "coop-al-ba": True}
    end_2012 = slice_claims(g, as_of=dt.date(2012, 12, 31))
    assert kept(end_2012, "coop-ba-me", "coop-al-me-x") == {"coop-ba-me": True, "coop-al-me-x": False}
    r = end_2012.report
    assert (r.claims, r.kept, r.kept_undated, r.dropped_undated, r.dropped_dated) == (12, 6, 1, 2, 4)
    assert r.summary == ("claims as of 2012-12-31: kept 6 of 12; undated claims kept because their source dates "
                         "them on or before that day: 1, dropped: 2; dated claims not valid that day: 4.")
    # actors and sources are never dropped; only the claims' own triples go
    assert kept(end_2012, "AL", "NATO", "s-undated") == {"AL": True, "NATO": True, "s-undated": True}
    assert len(g) - len(end_2012.graph) == sum(1 for c in ("m-ba-nato", "m-ba-bp", "m-al-pillar", "agr-al-me",
                                                           "coop-al-me-x", "st-al-ba")
                                               for _ in g.triples((URIRef(WB + c), None, None)))


def test_validity_ends_with_valid_through() -> None:
    g = fixture()
    assert kept(slice_claims(g, as_of=dt.date(2011, 12, 31)), "m-ba-nato") == {"m-ba-nato": True}
    assert kept(slice_claims(g, as_of=dt.date(2012, 1, 1)), "m-ba-nato") == {"m-ba-nato": False}


def test_domain_keeps_claims_of_the_domain_directly_or_through_the_body() -> None:
    g = fixture()
    domains = claim_domains(g)
    assert domains[WB + "m-al-pillar"] == frozenset({"https://w3id.org/wbsec/def#BorderSecurity"})  # via pillarOf
    assert domains[WB + "m-al-nato"] == frozenset()
    assert WB + "m-minister" not in domains  # a person's post is not domain-specific
    s = slice_claims(g, domains=["border"])
    assert kept(s, "coop-ba-me", "agr-al-me", "m-ba-bp", "m-al-pillar", "coop-al-ba", "m-al-nato", "m-minister",
                "st-al-ba", "obs-wb-support") == {
        "coop-ba-me": True, "agr-al-me": True, "m-ba-bp": True, "m-al-pillar": True,
        "coop-al-ba": False, "m-al-nato": False, "m-minister": True, "st-al-ba": True, "obs-wb-support": True}
    assert s.report.dropped_domain == 5 and s.report.summary == \
        "claims in domain border: kept 7 of 12; outside the domain: 5."
    both = slice_claims(g, domains=["police", "BORDER"])
    assert both.report.domains == ("police", "border") and both.report.dropped_domain == 3


def test_as_of_and_domain_together() -> None:
    s = slice_claims(fixture(), as_of=dt.date(2012, 12, 31), domains=["police"])
    assert kept(s, "coop-al-ba", "coop-ba-me") == {"coop-al-ba": True, "coop-ba-me": False}
    # coop-ba-me (border) and the NATO memberships of AL and ME (no domain) fall outside police
    assert (s.report.kept_undated, s.report.dropped_domain) == (0, 3)


def test_unknown_domain_lists_the_valid_names() -> None:
    with pytest.raises(InputError, match=r"--domain 'polce': unknown policy domain; use one of: .*\bpolice\b"):
        resolve_domains(fixture(), ["polce"])


def test_the_shipped_domain_names_are_the_cli_names() -> None:
    names = resolve_domains(load_graph(), ["police", "border", "migration", "defence", "civil-protection",
                                           "judicial", "counter-terrorism"])
    assert names["police"] == "https://w3id.org/wbsec/def#PoliceCooperation"


# --- the commands share the filter -----------------------------------------------------------------

DATA = ["--no-shipped", "--data", str(FIXTURE)]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("name", ["metrics", "neighbours", "path", "viz", "export", "gaps", "diff"])
def test_every_command_offers_as_of_and_domain(name: str) -> None:
    r = invoke(name, "--help")
    assert r.exit_code == 0 and "--as-of" in r.stdout and "--domain" in r.stdout


def test_metrics_as_of_prints_the_counts_on_one_stderr_line() -> None:
    r = invoke("metrics", *DATA, "--as-of", "2012-12-31", "--metric", "degree", "--format", "json")
    assert r.exit_code == 0
    notes = [line for line in r.stderr.splitlines() if "undated" in line]
    assert notes == ["Note: claims as of 2012-12-31: kept 6 of 12; undated claims kept because their source dates "
                     "them on or before that day: 1, dropped: 2; dated claims not valid that day: 4."]
    degree = {row["label"]: row["degree"] for row in json.loads(r.stdout)}
    assert degree["Montenegro"] == 2  # NATO (2011) and BA (dated by the 2012 report); not AL (undated source)


def test_neighbours_and_path_filter_by_domain() -> None:
    r = invoke("neighbours", *DATA, "Bosnia and Herzegovina", "--domain", "border", "--format", "json")
    assert r.exit_code == 0, r.stderr
    claims = sorted(t["claim"].rsplit("/", 1)[-1] for t in json.loads(r.stdout)["ties"])
    # the police cooperation with AL and the NATO partnership (no domain) are gone; the statement stays
    assert claims == ["agr-al-me", "coop-ba-me", "m-ba-bp", "st-al-ba"]
    p = invoke("path", *DATA, "Albania", "Montenegro", "--domain", "police", "--as-of", "2012-12-31",
               "--format", "json")
    assert p.exit_code == 0 and json.loads(p.stdout)["paths"] == []
    assert "in domain police" in p.stderr


@pytest.mark.parametrize("args", [["--domain", "polce"], ["--as-of", "2012-13-01"], ["--as-of", "2012"]])
def test_bad_filter_values_are_usage_errors(args: list[str]) -> None:
    r = invoke("metrics", *DATA, *args)
    assert r.exit_code == 2
    if args[0] == "--domain":
        assert "unknown policy domain; use one of:" in r.stderr and "police" in r.stderr


def test_viz_as_of_draws_the_gaps_of_that_date() -> None:
    today = invoke("viz", *DATA, "--view", "polities", "-o", "-")
    then = invoke("viz", *DATA, "--view", "polities", "--as-of", "2010-12-31", "-o", "-")
    assert today.exit_code == 0 and then.exit_code == 0
    assert "coop-ba-me" in today.stdout and "coop-ba-me" not in then.stdout  # neither tie nor gap evidence
    assert "as of 2010-12-31" in then.stdout and "Note: claims as of 2010-12-31" in then.stderr


def test_export_view_domain(tmp_path: Path) -> None:
    r = invoke("export", *DATA, "--view", "polities", "--format", "csv", "--domain", "border")
    assert r.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    # AL's pillar and BA's Border Process are different bodies: no shared affiliation
    assert sorted(row["claim"].rsplit("/", 1)[-1] for row in rows) == ["agr-al-me", "coop-ba-me"]


def test_a_store_gives_the_same_slice_as_the_files(tmp_path: Path) -> None:
    from graph.backends import OxigraphBackend, load_store

    store = tmp_path / "wb.db"
    load_store(store, [FIXTURE], shipped=False)
    day = dt.date(2012, 12, 31)
    on_disk = slice_claims(OxigraphBackend(store), as_of=day, domains=["border"])
    in_memory = slice_claims(fixture(), as_of=day, domains=["border"])
    assert on_disk.report == in_memory.report
    r = invoke("diff", "--store", str(store), "--from", "2010-12-31", "--to", "2012-12-31", "--format", "json")
    assert r.exit_code == 0 and len(json.loads(r.stdout)["ties"]["gained"]) == 2
