"""Tests for the cooperation-gap analysis (graph.gaps, graph.report, graph.gapcharts, wbsec gaps).

The fixture tests/data/gaps/four-polities.ttl has four polities (AL, BA, ME, RS:
six pairs). Every expected number below is worked out by hand from that file
with the shipped weights in ontology/gaps.toml and the plain settings of
tests/data/gaps/plain.toml (every counted role 1, a multilateral instrument 1
per pair, counts divided by the largest, "no progress" 0; the robust
defaults are tested in tests/test_gaps_method.py):

    actual   = 0.4 bilateral_agreements + 0.3 shared_affiliations + 0.1 shared_agreements + 0.2 positive_statements
    demand   = 0.7 public_support + 0.3 shared_threats
    friction = 0.4 threat_perception + 0.3 unfavourable_opinion + 0.3 accusations
    gap      = demand - actual

Normalisers (largest raw value of any pair): bilateral 10 (AL-BA), shared
affiliations 2, shared multilateral agreements 2, positive statements 1,
shared threats 2 (AL-BA), accusations 1.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from graph.cli import main
from graph.errors import InputError, OutputError
from graph.gaps import (
    COOPERATING,
    NO_DATA,
    STATED_ABSENT,
    GapAnalysis,
    cooperation_gaps,
    external_dependence,
    load_config,
)
from graph.namespaces import WB, WBO
from graph.gapcharts import plot_bytes, write_plot
from graph.report import csv_text, json_text, markdown_report, table_text
from graph.store import load_graph

FIXTURE = Path(__file__).resolve().parent / "data" / "gaps" / "four-polities.ttl"
PLAIN = FIXTURE.parent / "plain.toml"
AL, BA, ME, RS, XK = (str(WB[c]) for c in ("AL", "BA", "ME", "RS", "XK"))
MK = str(WB.MK)


@pytest.fixture(scope="module")
def fx() -> GapAnalysis:
    return cooperation_gaps(load_graph([FIXTURE], shipped=False), load_config(PLAIN))


@pytest.fixture(scope="module")
def shipped() -> GapAnalysis:
    return cooperation_gaps(load_graph())


def comps(agg) -> dict[str, tuple[float | None, float, float]]:
    return {c.name: (c.raw, c.low, c.high) for c in agg.components}


def claims(component) -> list[str]:
    return [e.claim for e in component.evidence]


# --------------------------------------------------------------------------- statuses


def test_statuses_come_from_the_bilateral_claims_only(fx: GapAnalysis) -> None:
    status = {(d.a, d.b): d.status for d in fx.dyads}
    assert status == {
        (AL, BA): COOPERATING,   # agreementCount 10 + StrongCooperation
        (AL, ME): COOPERATING,   # two claims, 4 and 5 agreements
        (BA, RS): COOPERATING,   # AgreementsSigned without a number
        (ME, RS): STATED_ABSENT,  # NoProgress
        (AL, RS): NO_DATA,       # nothing bilateral (shared affiliations do not change the status)
        (BA, ME): NO_DATA,
    }


def test_a_stated_absence_lists_its_claim_with_the_locator(fx: GapAnalysis) -> None:
    d = fx.dyad(RS, ME)
    assert (d.a, d.b) == (ME, RS)
    [ev] = d.status_evidence
    assert ev.claim == str(WB["t-coop-me-rs"])
    assert ev.locator == "p. 4" and ev.quote == "no progress at all"
    assert ev.sources == (str(WB["t-source"]),)
    bilateral = d.actual.component("bilateral_agreements")
    # "no progress" is a status with its own value ([status] no_progress, 0 in the plain settings), not a count
    assert (bilateral.raw, bilateral.value) == (None, 0.0)


def test_a_pair_without_data_is_never_scored_as_zero(fx: GapAnalysis) -> None:
    d = fx.dyad(AL, RS)
    assert d.status == NO_DATA and d.status_evidence == ()
    bilateral = d.actual.component("bilateral_agreements")
    assert bilateral.raw is None and bilateral.value is None
    assert (bilateral.low, bilateral.high) == (0.0, 1.0)
    assert d.score is None and d.rank is None
    assert d.actual.value is None


# --------------------------------------------------------------------------- components by hand


def test_actual_cooperation_components_by_hand(fx: GapAnalysis) -> None:
    ab = fx.dyad(AL, BA)
    # bilateral 10/10 = 1; shared {NATO, Berlin Process} 2/2 = 1; agreements {four, three} 2/2 = 1; statements 0/1 = 0
    assert comps(ab.actual) == {
        "bilateral_agreements": (10, 1.0, 1.0),
        "shared_affiliations": (2, 1.0, 1.0),
        "shared_agreements": (2, 1.0, 1.0),
        "positive_statements": (0, 0.0, 0.0),
    }
    # 0.4*1 + 0.3*1 + 0.1*1 + 0.2*0 = 0.8
    assert ab.actual.value == pytest.approx(0.8)
    assert set(ab.actual.component("shared_affiliations").items) == {str(WB.NATO), str(WB.BerlinProcess)}

    am = fx.dyad(AL, ME)
    # bilateral max(4, 5) = 5 -> 5/10 = 0.5; shared {NATO, EU} 2/2; agreements 2/2; AL supports ME 1/1
    assert comps(am.actual)["bilateral_agreements"] == (5, 0.5, 0.5)
    assert comps(am.actual)["positive_statements"] == (1, 1.0, 1.0)
    # 0.4*0.5 + 0.3*1 + 0.1*1 + 0.2*1 = 0.8
    assert am.actual.value == pytest.approx(0.8)
    assert set(claims(am.actual.component("bilateral_agreements"))) == {
        str(WB["t-coop-al-me-1"]), str(WB["t-coop-al-me-2"])}

    ar = fx.dyad(AL, RS)
    # bilateral unknown [0, 1]; shared {EU, IISG via both ministries} 2/2; agreements {four} 1/2; statements 0
    # (RS's NATO aspiration and its ended Berlin Process membership do not count)
    assert comps(ar.actual)["shared_affiliations"] == (2, 1.0, 1.0)
    assert set(ar.actual.component("shared_affiliations").items) == {str(WB.EU), str(WB.IISG)}
    assert comps(ar.actual)["shared_agreements"] == (1, 0.5, 0.5)
    # low = 0.4*0 + 0.3*1 + 0.1*0.5 + 0.2*0 = 0.35; high = 0.35 + 0.4*1 = 0.75
    assert (ar.actual.low, ar.actual.high) == (pytest.approx(0.35), pytest.approx(0.75))

    br = fx.dyad(BA, RS)
    # cooperating without a number: bilateral [0, 1]; shared none (BA's EU status is undecided) 0/2;
    # agreements {four} 1/2; BA's ministry condemns the attack on RS's police: solidarity 1/1
    assert comps(br.actual) == {
        "bilateral_agreements": (None, 0.0, 1.0),
        "shared_affiliations": (0, 0.0, 0.0),
        "shared_agreements": (1, 0.5, 0.5),
        "positive_statements": (1, 1.0, 1.0),
    }
    assert claims(br.actual.component("positive_statements")) == [str(WB["t-stmt-ba-condemns-attack"])]
    # low = 0.1*0.5 + 0.2*1 = 0.25; high = 0.25 + 0.4 = 0.65
    assert (br.actual.low, br.actual.high) == (pytest.approx(0.25), pytest.approx(0.65))

    mr = fx.dyad(ME, RS)
    # stated absent: 0; shared {EU} 1/2; agreements {four} 1/2; statements 0
    # 0.4*0 + 0.3*0.5 + 0.1*0.5 + 0 = 0.2
    assert mr.actual.value == pytest.approx(0.2)


def test_demand_components_by_hand(fx: GapAnalysis) -> None:
    ab = fx.dyad(AL, BA)
    # support: AL own 80 (no AL figure about BA), BA own 90 (the 2021 figure of 50 is older) -> 85 -> 0.85
    # threats: AL {organised crime, corruption, war (region-wide), RS}, BA {organised crime (need), war}
    #          shared {organised crime, war} = 2 / 2 = 1
    assert comps(ab.demand) == {"public_support": (85.0, 0.85, 0.85), "shared_threats": (2, 1.0, 1.0)}
    # 0.7*0.85 + 0.3*1 = 0.895
    assert ab.demand.value == pytest.approx(0.895)
    assert str(WB["t-o-ba-support-2021"]) not in claims(ab.demand.component("public_support"))

    am = fx.dyad(AL, ME)
    # AL 80 own, ME has no figure -> region-wide 70 (fallback) -> 75; shared {war} 1/2
    assert comps(am.demand) == {"public_support": (75.0, 0.75, 0.75), "shared_threats": (1, 0.5, 0.5)}
    assert am.demand.value == pytest.approx(0.7 * 0.75 + 0.3 * 0.5)  # 0.675
    notes = [e.note for e in am.demand.component("public_support").evidence]
    assert any("fallback" in n and "Montenegro" in n for n in notes)

    ar = fx.dyad(AL, RS)
    # the pair-specific AL figure (60% for cooperation with RS) replaces AL's general 80; RS -> region-wide 70
    assert comps(ar.demand)["public_support"] == (65.0, 0.65, 0.65)
    assert claims(ar.demand.component("public_support")) == [str(WB["t-o-al-support-rs"]), str(WB["t-o-wb-support"])]
    # RS itself is not a shared threat of AL-RS (that figure is friction); shared {war} only
    assert ar.demand.component("shared_threats").items == (str(WBO.War),)
    assert ar.demand.value == pytest.approx(0.7 * 0.65 + 0.3 * 0.5)  # 0.605

    bm = fx.dyad(BA, ME)
    assert bm.demand.value == pytest.approx(0.7 * 0.8 + 0.3 * 0.5)  # (90 + 70) / 2 = 80 -> 0.71
    mr = fx.dyad(ME, RS)
    assert mr.demand.value == pytest.approx(0.7 * 0.7 + 0.3 * 0.5)  # both fallback 70 -> 0.64


def test_friction_components_by_hand(fx: GapAnalysis) -> None:
    ar = fx.dyad(AL, RS)
    # AL sees RS as a threat 40%; RS unfavourable about AL 75% (the first indicator found, so the
    # 35% "highly unfavourable" is not used); RS accuses AL: 1/1
    assert comps(ar.friction) == {
        "threat_perception": (40.0, 0.4, 0.4),
        "unfavourable_opinion": (75.0, 0.75, 0.75),
        "accusations": (1, 1.0, 1.0),
    }
    # 0.4*0.4 + 0.3*0.75 + 0.3*1 = 0.685
    assert ar.friction.value == pytest.approx(0.685)

    mr = fx.dyad(ME, RS)
    # threat perception unknown [0, 1]; ME highly unfavourable about RS 25% (no plain figure); ME condemns RS 1/1
    assert comps(mr.friction) == {
        "threat_perception": (None, 0.0, 1.0),
        "unfavourable_opinion": (25.0, 0.25, 0.25),
        "accusations": (1, 1.0, 1.0),
    }
    # low = 0.3*0.25 + 0.3*1 = 0.375; high = 0.375 + 0.4 = 0.775
    assert (mr.friction.low, mr.friction.high) == (pytest.approx(0.375), pytest.approx(0.775))

    ab = fx.dyad(AL, BA)
    # no figures: [0, 0.7]; no hostile statements: a recorded count of 0
    assert (ab.friction.low, ab.friction.high) == (pytest.approx(0.0), pytest.approx(0.7))


def test_scores_and_ranks_by_hand(fx: GapAnalysis) -> None:
    order = [(d.a, d.b) for d in fx.dyads]
    ranks = {(d.a, d.b): d.rank for d in fx.dyads}
    scores = {(d.a, d.b): (d.score_low, d.score_high) for d in fx.dyads}
    # ME-RS 0.64 - 0.2 = 0.44 (rank 1); AL-BA 0.895 - 0.8 = 0.095 (2); AL-ME 0.675 - 0.8 = -0.125 (3)
    assert fx.dyad(ME, RS).score == pytest.approx(0.44)
    assert fx.dyad(AL, BA).score == pytest.approx(0.095)
    assert fx.dyad(AL, ME).score == pytest.approx(-0.125)
    assert ranks == {(ME, RS): 1, (AL, BA): 2, (AL, ME): 3, (BA, ME): None, (BA, RS): None, (AL, RS): None}
    # ranges, listed after the ranked pairs by their upper bound:
    # BA-ME [0.71 - 0.65, 0.71 - 0.25] = [0.06, 0.46]; BA-RS the same; AL-RS [0.605 - 0.75, 0.605 - 0.35]
    assert scores[(BA, ME)] == (pytest.approx(0.06), pytest.approx(0.46))
    assert scores[(BA, RS)] == (pytest.approx(0.06), pytest.approx(0.46))
    assert scores[(AL, RS)] == (pytest.approx(-0.145), pytest.approx(0.255))
    assert order == [(ME, RS), (AL, BA), (AL, ME), (BA, ME), (BA, RS), (AL, RS)]
    assert fx.normalisers == {"bilateral_agreements": 10, "shared_affiliations": 2, "shared_agreements": 2,
                              "positive_statements": 1, "shared_threats": 2, "accusations": 1}


def test_every_claim_behind_a_pair_is_listed_once_with_its_locator(fx: GapAnalysis) -> None:
    d = fx.dyad(AL, RS)
    listed = [e.claim for e in d.evidence]
    assert len(listed) == len(set(listed))
    by_claim = {e.claim: e for e in d.evidence}
    assert by_claim[str(WB["t-stmt-rs-accuses-al"])].locator == "p. 23"
    assert by_claim[str(WB["t-o-al-threat-rs"])].locator == "p. 36"
    assert str(WB["t-m-rs-iisg"]) in by_claim and str(WB["t-m-al-iisg"]) in by_claim
    assert all(e.sources == (str(WB["t-source"]),) for e in d.evidence)


# --------------------------------------------------------------------------- external dependence


def test_external_dependence_by_hand(fx: GapAnalysis) -> None:
    ed = fx.external_dependence
    # Ties: AL-BA, AL-ME, BA-RS (bilateral); the four-party agreement hubs on the Berlin Process, the
    # three-party one on the agreement itself; NATO {AL, BA, ME}, EU {AL, ME, RS}, Berlin Process {AL, BA},
    # IISG {AL, RS} (through their ministries). Shortest paths:
    #   AL-BA 1, AL-ME 1, BA-RS 1 (direct, nothing outside)
    #   AL-RS 2 via Berlin Process, EU, IISG, BA: 1 of 4 outside (EU)
    #   BA-ME 2 via AL, Berlin Process, agreement-three, NATO: 1 of 4 outside (NATO)
    #   ME-RS 2 via Berlin Process, EU: 1 of 2 outside (EU)
    # share = (0 + 0 + 0 + 1/4 + 1/4 + 1/2) / 6 = 1/6
    assert ed.share_through_outside == pytest.approx(1 / 6)
    shares = {c.actor: (c.outside, c.share, c.pairs) for c in ed.carriers}
    assert shares[str(WB.BerlinProcess)] == (False, pytest.approx((1 / 4 + 1 / 4 + 1 / 2) / 6), 3)
    assert shares[str(WB.EU)] == (True, pytest.approx((1 / 4 + 1 / 2) / 6), 2)
    assert shares[str(WB.NATO)] == (True, pytest.approx((1 / 4) / 6), 1)
    assert [c.actor for c in ed.outside_actors] == [str(WB.EU), str(WB.NATO)]
    assert str(WB.RCC) not in shares  # hosts the IISG but lies on no shortest path
    # mean shortest path (1 + 1 + 2 + 2 + 1 + 2) / 6 = 1.5, with or without EU, NATO, RCC
    assert (ed.with_outside.components, ed.with_outside.average_path_length) == (1, pytest.approx(1.5))
    assert (ed.without_outside.components, ed.without_outside.average_path_length) == (1, pytest.approx(1.5))
    # direct ties only: AL-BA 1, AL-ME 1, BA-RS 1, AL-RS 2, BA-ME 2, ME-RS 3 -> 10 / 6
    assert ed.direct_only.average_path_length == pytest.approx(10 / 6)
    pair = next(p for p in ed.pairs if (p.a, p.b) == (ME, RS))
    assert (pair.distance, pair.paths, pair.through_outside, pair.outside_carriers) == (2, 2, 1, (str(WB.EU),))


def test_external_dependence_splits_without_outside_actors() -> None:
    H = nx.Graph([("A", "EU"), ("EU", "B"), ("B", "C")])
    H.nodes["EU"]["external"] = True
    ed = external_dependence(H, ["A", "B", "C"])
    # with EU: A-B 2, A-C 3, B-C 1 -> mean 2; A-B and A-C run through EU: 2 of 3 pairs
    assert ed.with_outside.average_path_length == pytest.approx(2.0)
    assert ed.share_through_outside == pytest.approx(2 / 3)
    # without EU: {A} and {B, C}; only B-C connected
    assert ed.without_outside.groups == (("A",), ("B", "C"))
    assert (ed.without_outside.components, ed.without_outside.reachable_pairs) == (2, 1)
    [eu, b] = ed.carriers
    assert (eu.actor, eu.share, eu.sole_carrier_pairs) == ("EU", pytest.approx(2 / 3), 2)
    assert (b.actor, b.outside, b.share) == ("B", False, pytest.approx(1 / 3))


# --------------------------------------------------------------------------- suggestions and profiles


def test_missing_tie_suggestions_by_hand(fx: GapAnalysis) -> None:
    got = [(s.rank, s.a, s.b, s.jaccard, s.adamic_adar) for s in fx.suggestions]
    import math

    # Candidates: pairs not cooperating (AL-RS, BA-ME no-data; ME-RS stated absent).
    # AL {NATO, EU, BP, IISG}, BA {NATO, BP}, ME {NATO, EU}, RS {EU, IISG}; members: NATO 3, EU 3, BP 2, IISG 2
    # AL-RS: 2 shared / 4 -> 0.5; AA = 1/ln 3 + 1/ln 2
    # BA-ME: {NATO} / {NATO, BP, EU} -> 1/3; AA = 1/ln 3  (demand 0.71)
    # ME-RS: {EU} / {NATO, EU, IISG} -> 1/3; AA = 1/ln 3  (demand 0.64, so after BA-ME)
    assert got == [
        (1, AL, RS, pytest.approx(0.5), pytest.approx(1 / math.log(3) + 1 / math.log(2))),
        (2, BA, ME, pytest.approx(1 / 3), pytest.approx(1 / math.log(3))),
        (3, ME, RS, pytest.approx(1 / 3), pytest.approx(1 / math.log(3))),
    ]
    first = fx.suggestions[0]
    assert "European Union, IISG" in first.reason and "no source records bilateral cooperation" in first.reason
    assert "threat perception 40.0%" in first.reason
    # neither public has its own figure about war, and Serbia none about cooperation: the reason says so
    assert "war as a threat or need (region-wide figures, not the public's own, for war: Albania and Serbia)" \
        in first.reason
    assert "65.0% (region-wide figures, not the public's own, for Serbia)" in first.reason
    assert "no progress" in fx.suggestions[2].reason


def test_perception_versus_reality_per_polity(fx: GapAnalysis) -> None:
    prof = {p.polity: p for p in fx.perception_vs_reality}
    assert (prof[AL].support, prof[AL].support_basis) == (80.0, "own")
    assert (prof[ME].support, prof[ME].support_basis) == (70.0, "region-wide fallback")
    assert prof[AL].cooperating == (BA, ME) and prof[AL].no_data == (RS,)
    assert prof[RS].stated_absent == (ME,) and prof[RS].cooperating == (BA,)
    assert prof[AL].agreements == 15  # 10 with BA + 5 with ME
    assert prof[RS].affiliations == (str(WB.EU), str(WB.IISG))
    [init] = prof[RS].initiative_support
    assert (init.initiative, init.percentage) == (str(WB.BerlinProcess), 55.0)
    # AL's pairs: actual AL-BA 0.8, AL-ME 0.8, AL-RS [0.35, 0.75] -> mean [0.65, 0.783333]
    assert (prof[AL].actual_low, prof[AL].actual_high) == (pytest.approx(0.65), pytest.approx(2.35 / 3))
    # support 0.80 minus that mean: [0.8 - 0.783333, 0.8 - 0.65]
    assert (prof[AL].gap_low, prof[AL].gap_high) == (pytest.approx(0.8 - 2.35 / 3), pytest.approx(0.15))


# --------------------------------------------------------------------------- configuration


def write(tmp_path: Path, text: str, plain: bool = True) -> Path:
    """A config file: ``text``, after the plain settings of tests/data/gaps/plain.toml if ``plain``."""
    path = tmp_path / "weights.toml"
    path.write_text((PLAIN.read_text(encoding="utf-8") + "\n" if plain else "") + text, encoding="utf-8")
    return path


def test_a_config_override_changes_the_score_as_computed_by_hand(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "[actual]\nbilateral_agreements = 0\n"))
    assert cfg.actual == {"bilateral_agreements": 0.0, "shared_affiliations": 0.3, "shared_agreements": 0.1,
                          "positive_statements": 0.2}
    an = cooperation_gaps(load_graph([FIXTURE], shipped=False), cfg)
    # weights now 0 / 0.3 / 0.1 / 0.2, sum 0.6
    # AL-BA actual (0.3*1 + 0.1*1 + 0.2*0) / 0.6 = 0.666667; gap 0.895 - 0.666667 = 0.228333
    assert an.dyad(AL, BA).score == pytest.approx(0.895 - 0.4 / 0.6)
    # the unknown bilateral component no longer matters: AL-RS (0.3*1 + 0.1*0.5) / 0.6 -> 0.605 - 0.583333
    assert an.dyad(AL, RS).score == pytest.approx(0.605 - 0.35 / 0.6)
    assert an.dyad(AL, RS).status == NO_DATA
    # ME-RS 0.64 - 0.2/0.6 = 0.306667 (1); BA-ME and BA-RS 0.71 - 0.25/0.6 = 0.293333 (tied 2);
    # AL-BA 0.228333 (4); AL-RS 0.021667 (5); AL-ME 0.675 - 0.6/0.6 = -0.325 (6)
    assert [((d.a, d.b), d.rank) for d in an.dyads] == [
        ((ME, RS), 1), ((BA, ME), 2), ((BA, RS), 2), ((AL, BA), 4), ((AL, RS), 5), ((AL, ME), 6)]
    assert an.config.files == ("ontology/gaps.toml", str(tmp_path / "weights.toml"))


def test_friction_can_enter_the_score(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "[score]\nfriction_weight = 0.5\n"))
    an = cooperation_gaps(load_graph([FIXTURE], shipped=False), cfg)
    # AL-RS: [0.605 - 0.75, 0.605 - 0.35] + 0.5 * 0.685
    d = an.dyad(AL, RS)
    assert (d.score_low, d.score_high) == (pytest.approx(-0.145 + 0.3425), pytest.approx(0.255 + 0.3425))
    # ME-RS: friction unknown in part [0.375, 0.775] -> the score becomes a range and loses its rank
    m = an.dyad(ME, RS)
    assert m.score is None and (m.score_low, m.score_high) == (pytest.approx(0.44 + 0.1875), pytest.approx(0.44 + 0.3875))


def test_extra_outside_nodes_change_the_dependence_by_hand(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, '[external]\nextra_outside = ["wb:BerlinProcess"]\n'))
    ed = cooperation_gaps(load_graph([FIXTURE], shipped=False), cfg).external_dependence
    # AL-RS: BP and EU of 4 paths; BA-ME: BP and NATO of 4; ME-RS: both paths -> (1/2 + 1/2 + 1) / 6
    assert ed.share_through_outside == pytest.approx(2 / 6)
    # without EU, NATO, RCC and BP: ME-RS needs 3 hops (ME-AL-BA-RS): (1 + 1 + 2 + 2 + 1 + 3) / 6
    assert ed.without_outside.average_path_length == pytest.approx(10 / 6)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[actual]\nbilateral = 1\n", "unknown key 'bilateral' in [actual]"),
        ("[weights]\nx = 1\n", "unknown section [weights]"),
        ("[actual]\nbilateral_agreements = \"high\"\n", "[actual] bilateral_agreements must be a weight or a table"),
        ("[actual]\nbilateral_agreements = -1\n", "must be a finite number >= 0"),
        ("[demand]\npublic_support = 0\nshared_threats = 0\n", "[demand] needs at least one weight above 0"),
        ("[roles]\nMembr = 1\n", "unknown key 'Membr' in [roles]"),
        ("[status]\nabsent = [\"NoProgres\"]\n", "'NoProgres' is not a term of the wbsec ontology"),
        ("[roles]\nMember = 2\n", "[roles] Member must be a finite number between 0 and 1"),
        ("[normalisation]\nmethod = \"zscore\"\n", "[normalisation] method must be one of minmax, log, rank"),
        ("[normalisation]\nreference = \"q90\"\n", "[normalisation] reference must be"),
        ("[status]\nno_progress = 0.5\n", "[status] no_progress_range = [0, 0.15] must contain the value 0.5"),
        ("[actual.bilateral_agreements]\nweight_range = [0.5, 0.6]\n", "must contain the value 0.4"),
        ("[actual.mine]\nweight = 1\n", "[actual.mine] needs a function and a weight"),
        ("[instruments]\nmultilateral_discount = \"half\"\n", "[instruments] multilateral_discount must be one of"),
        ("[suggestions]\nmethod = \"cosine\"\n", "method must be one of jaccard, adamic_adar"),
        ("[external]\nextra_outside = [\"EU\"]\n", "is not a prefixed name"),
        ("[actual\n", "TOML syntax error"),
    ],
)
def test_bad_config_files_are_input_errors_naming_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text, plain=False)
    with pytest.raises(InputError) as err:
        load_config(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_too_few_polities_is_an_input_error() -> None:
    with pytest.raises(InputError, match="at least two"):
        cooperation_gaps(load_graph(shipped=False))


# --------------------------------------------------------------------------- outputs


def test_json_has_the_agreed_shape(fx: GapAnalysis) -> None:
    data = json.loads(json_text(fx))
    assert {"dyads", "external_dependence", "suggestions", "perception_vs_reality"} <= set(data)
    assert len(data["dyads"]) == 6
    for d in data["dyads"]:
        assert d["a"] < d["b"]
        assert {"a", "b", "status", "score", "rank", "actual", "demand", "friction", "evidence"} <= set(d)
    first = data["dyads"][0]
    assert (first["a"], first["b"], first["status"], first["score"], first["rank"]) == (ME, RS, STATED_ABSENT, 0.44, 1)
    assert first["actual"]["components"][0] == {
        "name": "bilateral_agreements", "raw": None, "value": 0.0, "range": [0.0, 0.0], "weight": 0.4,
        "basis": "a source says the cooperation has made no progress: the [status] no_progress value "
                 "→ 0 ([status] no_progress)", "items": [], "claims": [str(WB["t-coop-me-rs"])], "fallbacks": []}
    # 1,000 seeded draws: ME-RS is first in most of them (its interval is checked in test_gaps_method.py)
    assert first["rank_interval"]["low"] == 1 and first["rank_interval"]["draws"] == 1000
    assert data["method"]["normalisation"] == "minmax" and data["uncertainty"]["seed"] == 14
    no_data = next(d for d in data["dyads"] if (d["a"], d["b"]) == (AL, RS))
    assert (no_data["score"], no_data["rank"], no_data["score_range"]) == (None, None, [-0.145, 0.255])
    assert data["external_dependence"]["share_through_outside"] == pytest.approx(1 / 6, abs=1e-6)
    assert data["external_dependence"]["outside_actors"] == [str(WB.EU), str(WB.NATO)]
    assert data["suggestions"][0]["a"] == AL and data["suggestions"][0]["method"] == "jaccard"


def test_json_is_deterministic() -> None:
    g = load_graph([FIXTURE], shipped=False)
    assert json_text(cooperation_gaps(g)) == json_text(cooperation_gaps(g))


def test_csv_has_one_row_per_pair_with_every_component(fx: GapAnalysis) -> None:
    rows = list(csv.DictReader(io.StringIO(csv_text(fx))))
    assert [(r["a"], r["b"]) for r in rows][:3] == [(ME, RS), (AL, BA), (AL, ME)]
    top = rows[0]
    assert (top["rank"], top["status"], top["score"], top["actual"], top["demand"]) == (
        "1", STATED_ABSENT, "0.44", "0.2", "0.64")
    no_data = next(r for r in rows if (r["a"], r["b"]) == (AL, RS))
    assert (no_data["rank"], no_data["score"], no_data["score_low"], no_data["score_high"]) == (
        "", "", "-0.145", "0.255")
    assert no_data["actual.bilateral_agreements.raw"] == "" and no_data["friction.accusations.raw"] == "1"
    assert str(WB["t-stmt-rs-accuses-al"]) in no_data["claims"].split()


def test_markdown_and_table_report_every_section(fx: GapAnalysis) -> None:
    md = markdown_report(fx)
    for heading in ("## Pairs", "## External dependence", "## Perception versus reality",
                    "## Missing-tie suggestions", "## Evidence per pair", "## Sources"):
        assert heading in md
    assert "| 1 | 1 [1–2] | Montenegro – Serbia | stated-absent | 0.44 | 0.20 | 0.64 | 0.38–0.78 |" in md
    # -0.145 and 0.605 are rounded half away from zero, as by hand
    assert "| — | 5 [2–6] | Albania – Serbia | no-data | -0.15–0.26 | 0.35–0.75 | 0.61 | 0.69 |" in md
    assert "| `[actual.shared_agreements]` | 0.1 (0–0.2) | `multilateral_instruments` |" in md
    assert "- status: [1], p. 4: a source says: no progress" in md  # claims cited by source and locator
    assert f"`{WB['t-coop-me-rs']}`" not in md
    table = table_text(fx)
    assert "Montenegro – Serbia" in table and "stated-absent" in table and "16.7%" in table


# --------------------------------------------------------------------------- figures


def test_png_and_svg_plots_are_valid_and_deterministic(fx: GapAnalysis, tmp_path: Path) -> None:
    png = write_plot(fx, tmp_path / "gaps.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    svg_path = write_plot(fx, tmp_path / "gaps.svg")
    root = ET.fromstring(svg_path.read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = svg_path.read_text(encoding="utf-8")
    assert "<dc:date>" not in text
    assert plot_bytes(fx, "svg") == svg_path.read_bytes()
    assert plot_bytes(fx, "png", ["heatmap"]) != png
    assert not list(tmp_path.glob(".tmp-wbsec-*"))


def test_a_failed_plot_write_leaves_the_old_file(fx: GapAnalysis, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "gaps.png"
    target.write_bytes(b"old")

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("graph.fileio.os.replace", refuse)
    with pytest.raises(OutputError):
        write_plot(fx, target)
    assert target.read_bytes() == b"old"
    assert not list(tmp_path.glob(".tmp-wbsec-*"))


def test_plot_format_comes_from_the_file_ending(fx: GapAnalysis, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\.png or \.svg"):
        write_plot(fx, tmp_path / "gaps.pdf")


# --------------------------------------------------------------------------- CLI


def test_cli_json_csv_md_and_plots(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["gaps", "--no-shipped", "--data", str(FIXTURE)]
    out = runner.invoke(main, [*base, "--format", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["dyads"][0]["rank"] == 1
    out = runner.invoke(main, base)  # not a terminal: CSV
    assert out.exit_code == 0 and out.stdout.startswith("rank,rank_median,rank_low,rank_high,a,b,")
    report = tmp_path / "gaps.md"
    out = runner.invoke(main, [*base, "--format", "md", "--output", str(report), "--plot", str(tmp_path / "p.svg"),
                               "--heatmap", str(tmp_path / "h.png"), "--dependence-chart", str(tmp_path / "d.png")])
    assert out.exit_code == 0, out.output
    assert report.read_text(encoding="utf-8").startswith("# Cooperation gaps: Western Balkans")
    assert (tmp_path / "h.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "d.png").read_bytes()[:4] == b"\x89PNG"
    ET.fromstring((tmp_path / "p.svg").read_bytes())


def test_cli_config_override_and_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["gaps", "--no-shipped", "--data", str(FIXTURE), "--format", "json"]
    cfg = write(tmp_path, "[actual]\nbilateral_agreements = 0\n")
    out = runner.invoke(main, [*base, "--config", str(cfg)])
    assert out.exit_code == 0, out.output
    scores = {(d["a"], d["b"]): d["score"] for d in json.loads(out.stdout)["dyads"]}
    assert scores[(AL, BA)] == pytest.approx(0.228333, abs=1e-6)
    bad = write(tmp_path, "[actual]\nnope = 1\n")
    out = runner.invoke(main, [*base, "--config", str(bad)])
    assert out.exit_code == 2 and "Error:" in out.stderr and "nope" in out.stderr
    out = runner.invoke(main, [*base, "--plot", str(tmp_path / "x.pdf")])
    assert out.exit_code == 2 and ".png or .svg" in out.stderr
    out = runner.invoke(main, [*base, "--output", str(tmp_path / "missing" / "x.json")])
    assert out.exit_code == 4


# --------------------------------------------------------------------------- the shipped data


def test_shipped_kosovo_serbia_lists_the_no_progress_claim_beside_the_agreements(shipped: GapAnalysis) -> None:
    d = shipped.dyad(XK, RS)
    # two-party dialogue agreements make the pair cooperating; the source saying "no progress" is kept as evidence
    assert d.status == COOPERATING and "the sources disagree" in d.status_note
    [ev] = [e for e in d.status_evidence if e.claim == str(WB["coop-xk-rs-security"])]
    assert ev.locator == "para. 13" and "no progress" in ev.quote
    bilateral = d.actual.component("bilateral_agreements")
    assert bilateral.raw is not None and bilateral.raw > 0  # never "0 agreements"
    assert bilateral.value >= shipped.config.no_progress
    assert d.rank is not None


def test_shipped_albania_kosovo_has_the_most_actual_cooperation(shipped: GapAnalysis) -> None:
    ak = shipped.dyad(AL, XK)
    assert ak.status == COOPERATING and ak.actual.value is not None
    others = [d for d in shipped.dyads if (d.a, d.b) != (AL, XK)]
    assert all(ak.actual.value > d.actual.low for d in others)
    assert all(ak.actual.value > d.actual.value for d in others if d.actual.value is not None)
    counts = [d.actual.component("bilateral_agreements").raw for d in shipped.dyads]
    assert ak.actual.component("bilateral_agreements").raw == max(c for c in counts if c is not None)
    # the reference is the 90th percentile of the stated counts, so the largest count is capped at 1
    assert ak.actual.component("bilateral_agreements").value == 1.0
    assert shipped.normalisers["bilateral_agreements"] < 26


def test_shipped_pairs_without_bilateral_claims_are_no_data(shipped: GapAnalysis) -> None:
    assert len(shipped.dyads) == 15
    for d in shipped.dyads:
        if not d.status_evidence:  # no bilateral claim and no two-party instrument
            assert d.status == NO_DATA and d.score is None and d.rank is None, (d.a, d.b)
        else:
            assert d.status in {COOPERATING, STATED_ABSENT} and d.rank is not None, (d.a, d.b)
    assert shipped.dyad(BA, XK).status == NO_DATA


def test_shipped_external_dependence_names_its_carriers(shipped: GapAnalysis) -> None:
    ed = shipped.external_dependence
    outside = {c.actor: c for c in ed.outside_actors}
    assert outside and all(c.share > 0 and shipped.label(c.actor) != c.actor for c in outside.values())
    assert ed.share_through_outside is not None and 0 < ed.share_through_outside < 1
    assert ed.direct_only.components >= ed.with_outside.components
    # the declared classification is one of the alternatives shown beside it
    assert sum(1 for c in ed.alternatives if c.declared) == 1
    assert {p.polity for p in shipped.perception_vs_reality} == set(shipped.polities)
