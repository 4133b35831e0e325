"""Tests for the declared method of the gap analysis: components, role weights, instruments,
normalisation, "no progress", unknowns, Monte Carlo rank intervals, sensitivity, monotonicity.

Fixtures are in tests/data/gaps/: four-polities.ttl (see tests/test_gaps.py) and
instruments.ttl (role weights and instruments). Scoring and the Monte Carlo run are
also tested on hand-built tables, where every draw can be followed by hand.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from rdflib import RDF, Literal, URIRef

from graph.cli import main
from graph.errors import InputError
from graph.gaps import NO_DATA, GapAnalysis, component_table, cooperation_gaps, load_config, map_rule, mapped_gaps
from graph.gaps.components import REGISTRY, Reading, discount, register
from graph.gaps.config import ComponentSpec
from graph.gaps.model import RankInterval
from graph.gaps.scoring import fill, normalise, reference_count, table
from graph.gaps.uncertainty import monte_carlo, sensitivity
from graph.namespaces import WB, WBO
from graph.store import load_graph

DATA = Path(__file__).resolve().parent / "data" / "gaps"
FOUR = DATA / "four-polities.ttl"
INSTRUMENTS = DATA / "instruments.ttl"
AL, BA, ME, RS = (str(WB[c]) for c in ("AL", "BA", "ME", "RS"))
ROOT = Path(__file__).resolve().parent.parent


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "method.toml"
    path.write_text(text, encoding="utf-8")
    return path


def raw(an: GapAnalysis, a: str, b: str, aggregate: str, name: str) -> float | None:
    return getattr(an.dyad(a, b), aggregate).component(name).raw


@pytest.fixture(scope="module")
def instruments() -> GapAnalysis:
    return cooperation_gaps(load_graph([INSTRUMENTS], shipped=False), draws=0)


# --------------------------------------------------------------------------- role weights and instruments


def test_role_weights_keep_partnership_and_candidacy_apart_from_membership(instruments: GapAnalysis) -> None:
    shared = {(d.a, d.b): d.actual.component("shared_affiliations").raw for d in instruments.dyads}
    assert shared == {
        (AL, BA): pytest.approx(1.25),  # NATO min(member 1, partner 0.25) + treaty body min(member 1, party 1)
        (AL, ME): pytest.approx(1.25),  # NATO min(1, 1) + EU min(candidate 0.25, negotiating 0.5)
        (AL, RS): pytest.approx(0.25),  # EU 0.25; RS's NATO aspiration weighs 0
        (BA, ME): pytest.approx(0.25),  # NATO 0.25; BA's undecided EU status weighs 0
        (BA, RS): 0,
        (ME, RS): pytest.approx(0.5),   # EU min(0.5, 0.5)
    }
    items = instruments.dyad(AL, RS).actual.component("shared_affiliations").items
    assert items == (str(WB.EU),)


def test_role_weights_come_from_the_config(tmp_path: Path) -> None:
    cfg = load_config(config_file(tmp_path, "[roles]\nPartner = 1.0\nAspirant = 1.0\n"))
    an = cooperation_gaps(load_graph([INSTRUMENTS], shipped=False), cfg, draws=0)
    # BA as a full NATO partner: AL-BA 1 + 1; RS's aspiration now counts: AL-RS 1 (NATO) + 0.25 (EU)
    assert raw(an, AL, BA, "actual", "shared_affiliations") == pytest.approx(2.0)
    assert raw(an, AL, RS, "actual", "shared_affiliations") == pytest.approx(1.25)


def test_multilateral_instruments_are_discounted_by_party_count(instruments: GapAnalysis) -> None:
    # the trilateral counts 1/2 and the four-party instrument 1/3 for each pair of their parties
    assert raw(instruments, AL, BA, "actual", "shared_agreements") == pytest.approx(1 / 2 + 1 / 3)
    assert raw(instruments, BA, ME, "actual", "shared_agreements") == pytest.approx(1 / 2 + 1 / 3)
    assert raw(instruments, ME, RS, "actual", "shared_agreements") == pytest.approx(1 / 3)
    assert discount(2, "inverse_partners") == 1.0 and discount(6, "inverse_partners") == pytest.approx(0.2)
    assert discount(6, "inverse_pairs") == pytest.approx(1 / 15) and discount(6, "one") == 1.0


@pytest.mark.parametrize(("rule", "expected"), [("inverse_pairs", 1 / 3 + 1 / 6), ("one", 2.0)])
def test_the_discount_rule_is_configurable(tmp_path: Path, rule: str, expected: float) -> None:
    cfg = load_config(config_file(tmp_path, f'[instruments]\nmultilateral_discount = "{rule}"\n'))
    an = cooperation_gaps(load_graph([INSTRUMENTS], shipped=False), cfg, draws=0)
    assert raw(an, AL, BA, "actual", "shared_agreements") == pytest.approx(expected)


def test_linked_versions_of_one_instrument_count_once(instruments: GapAnalysis) -> None:
    d = instruments.dyad(AL, BA)
    assert d.status == "cooperating"
    bilateral = d.actual.component("bilateral_agreements")
    assert bilateral.raw == 1  # t-bi and t-bi-other are one instrument reported by two sources
    assert {e.claim for e in bilateral.evidence} == {str(WB["t-bi"]), str(WB["t-bi-other"])}
    # the other pairs have only multilateral instruments: no bilateral data
    assert instruments.dyad(AL, ME).status == NO_DATA


# --------------------------------------------------------------------------- normalisation


def test_each_normalisation_by_hand() -> None:
    x = np.array([0.0, 1, 2, 3, 26, np.nan])
    # min-max against the median of the counts above 0 ({1, 2, 3, 26} -> 2.5), capped at 1
    assert normalise(x, "minmax", "p50")[0][:5].tolist() == pytest.approx([0, 0.4, 0.8, 1, 1])
    assert normalise(x, "minmax", "max")[0][:5].tolist() == pytest.approx([0, 1 / 26, 2 / 26, 3 / 26, 1])
    assert normalise(x, "minmax", 10.0)[0][:5].tolist() == pytest.approx([0, 0.1, 0.2, 0.3, 1])
    log27 = math.log(27)
    assert normalise(x, "log")[0][:5].tolist() == pytest.approx(
        [0, math.log(2) / log27, math.log(3) / log27, math.log(4) / log27, 1])
    # dense rank among {0, 1, 2, 3, 26}
    assert normalise(x, "rank")[0][:5].tolist() == pytest.approx([0, 0.25, 0.5, 0.75, 1])
    for method in ("minmax", "log", "rank"):
        assert math.isnan(normalise(x, method, "p90")[0][5])  # no count stays no count
    # one outlier no longer flattens everyone: p90 of {1, 2, 3, 26} is 3 + 0.7 * 23 = 19.1
    assert reference_count(x[~np.isnan(x)], "p90") == pytest.approx(19.1)


def test_the_normalisation_method_is_configurable(tmp_path: Path) -> None:
    g = load_graph([FOUR], shipped=False)
    cfg = load_config(config_file(tmp_path, '[normalisation]\nmethod = "rank"\n'))
    an = cooperation_gaps(g, cfg, draws=0)
    # stated counts {10 (AL-BA), 5 (AL-ME)} with 0: dense ranks 0, 0.5, 1
    assert an.dyad(AL, BA).actual.component("bilateral_agreements").value == 1.0
    assert an.dyad(AL, ME).actual.component("bilateral_agreements").value == 0.5


# --------------------------------------------------------------------------- no progress and unknowns


def test_no_progress_is_a_status_with_its_own_value(tmp_path: Path) -> None:
    g = load_graph([FOUR], shipped=False)
    d = cooperation_gaps(g, draws=0).dyad(ME, RS)
    bilateral = d.actual.component("bilateral_agreements")
    assert d.status == "stated-absent" and bilateral.raw is None and bilateral.value == 0.05
    cfg = load_config(config_file(tmp_path, "[status]\nno_progress = 0.1\n"))
    assert cooperation_gaps(g, cfg, draws=0).dyad(ME, RS).actual.component("bilateral_agreements").value == 0.1


def test_a_pair_with_agreements_never_scores_below_no_progress() -> None:
    spec = ComponentSpec("actual", "bilateral", "bilateral_agreements", 1.0, (1.0, 1.0))
    rows = [(spec, REGISTRY["bilateral_agreements"], [
        Reading(100, "100"), Reading(1, "1", floor=True), Reading(None, "np", no_progress=True),
        Reading(None, "cooperating, no count", floor=True), Reading(None, "no data")])]
    t = table([("A", "B"), ("A", "C"), ("A", "D"), ("B", "C"), ("B", "D")], rows)
    base = normalise(t.raw[0], "minmax", "max")[0][None, :]
    low = fill(t, base, 0.05, 0.0)[0]
    high = fill(t, base, 0.05, 1.0)[0]
    assert low.tolist() == pytest.approx([1.0, 0.05, 0.05, 0.05, 0.0])  # 1/100 is lifted to the floor
    assert high.tolist() == pytest.approx([1.0, 0.05, 0.05, 1.0, 1.0])


def test_per_polity_agreement_counts_stay_unknown_without_a_source() -> None:
    an = cooperation_gaps(load_graph([FOUR], shipped=False), draws=0)
    prof = {p.polity: p for p in an.perception_vs_reality}
    assert (prof[AL].agreements, prof[AL].agreements_unknown) == (15, (RS,))  # 10 + 5, AL-RS unknown
    # no source gives a count for any of RS's pairs (no data, no number, "no progress"): unknown, not 0
    assert (prof[RS].agreements, prof[RS].agreements_unknown) == (None, (AL, BA, ME))
    from graph.report import analysis_dict, markdown_report

    rs = next(p for p in analysis_dict(an)["perception_vs_reality"] if p["polity"] == RS)
    assert rs["agreements"] is None
    md = markdown_report(an)
    assert "| unknown |" in md and "≥ 15 (1 unknown)" in md
    assert "Member 1, ContractingParty 1, Participant 1, NegotiatingCandidate 0.5, AssociateMember 0.5, Partner 0.25" in md


# --------------------------------------------------------------------------- declared components


def test_adding_a_component_is_one_function_and_one_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(REGISTRY, "constant_half", REGISTRY["positive_statements"])

    def half(ctx: object, a: str, b: str) -> Reading:
        """Half of everything."""
        return Reading(50.0, "always 50%")

    register("constant_half", scale="percent", unit="per cent", queries=())(half)
    cfg = load_config(config_file(tmp_path, '[actual.half]\nfunction = "constant_half"\nweight = 0.5\n'))
    assert cfg.actual["half"] == 0.5 and cfg.components[-6].name == "half"
    an = cooperation_gaps(load_graph([FOUR], shipped=False), cfg, draws=0)
    c = an.dyad(AL, BA).actual.component("half")
    assert (c.raw, c.value, c.weight) == (50.0, 0.5, 0.5)
    assert "| `[actual.half]` | 0.5 (0.5–0.5) | `constant_half` | Half of everything. |" in component_table(cfg)


def test_an_unregistered_function_is_an_input_error_naming_the_key(tmp_path: Path) -> None:
    path = config_file(tmp_path, '[demand.mood]\nfunction = "moodiness"\nweight = 1\n')
    with pytest.raises(InputError, match=r"\[demand\.mood\] function: 'moodiness' is not a registered") as err:
        cooperation_gaps(load_graph([FOUR], shipped=False), load_config(path), draws=0)
    assert str(path) in str(err.value)


def test_the_readme_shows_the_generated_component_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert component_table(load_config()) in readme


# --------------------------------------------------------------------------- Monte Carlo by hand


def _two_component_table(pairs: list[tuple[str, str]], counts: list[float | None], support: list[float]):
    """Actual = one bilateral count; demand = one support figure: weights cannot matter, only values."""
    bil = ComponentSpec("actual", "bilateral", "bilateral_agreements", 1.0, (0.5, 1.5))
    sup = ComponentSpec("demand", "support", "public_support", 1.0, (0.5, 1.5))
    return table(pairs, [
        (bil, REGISTRY["bilateral_agreements"], [Reading(c, "") for c in counts]),
        (sup, REGISTRY["public_support"], [Reading(s, "") for s in support]),
    ])


def test_a_pair_that_dominates_every_draw_has_the_interval_1_1() -> None:
    # P1: 0 agreements, support 90 -> gap 0.9 in every draw (0 normalises to 0 by every method)
    # P2: 5 agreements (the only count above 0 -> 1 by every method), support 50 -> gap -0.5
    # P3: unknown count u in [0, 1], support 70 -> gap 0.7 - u, always between -0.3 and 0.7
    pairs = [("P1", "x"), ("P2", "x"), ("P3", "x")]
    t = _two_component_table(pairs, [0.0, 5.0, None], [90.0, 50.0, 70.0])
    u = monte_carlo(t, load_config(), draws=500, seed=1)
    got = {p: (u.intervals[p].low, u.intervals[p].high, u.intervals[p].median) for p in pairs}
    assert got == {("P1", "x"): (1, 1, 1.0), ("P3", "x"): (2, 2, 2.0), ("P2", "x"): (3, 3, 3.0)}
    assert u.intervals[("P1", "x")].gap_low == pytest.approx(0.9)
    # P3's gap is 0.7 - u with u uniform: its 5th and 95th percentiles are near 0.65 and -0.25
    assert u.intervals[("P3", "x")].gap_high == pytest.approx(0.65, abs=0.03)
    assert u.intervals[("P3", "x")].gap_low == pytest.approx(-0.25, abs=0.03)


def test_a_coin_flip_pair_has_the_interval_1_2_and_the_seed_reproduces_it() -> None:
    # P1 gap 0.5 always; P2 unknown count, support 100: gap 1 - u, first exactly when u < 0.5
    pairs = [("P1", "x"), ("P2", "x")]
    t = _two_component_table(pairs, [0.0, None], [50.0, 100.0])
    u = monte_carlo(t, load_config(), draws=1000, seed=7)
    assert (u.intervals[pairs[0]].low, u.intervals[pairs[0]].high) == (1, 2)
    assert (u.intervals[pairs[1]].low, u.intervals[pairs[1]].high) == (1, 2)
    assert u == monte_carlo(t, load_config(), draws=1000, seed=7)
    assert u.intervals[pairs[1]].gap_median != monte_carlo(t, load_config(), draws=1000, seed=8) \
        .intervals[pairs[1]].gap_median


def test_sensitivity_names_the_only_choice_that_moves_the_ranking() -> None:
    pairs = [("P1", "x"), ("P2", "x")]
    t = _two_component_table(pairs, [0.0, None], [50.0, 100.0])
    # the output is the mean rank shift from the reference ranking P1 first: 0, or 1 when P2 is first
    rows, trajectories = sensitivity(t, load_config(), samples=200, seed=3, reference_ranks=np.array([1, 2]))
    effects = {r.factor: r.rank_mu_star for r in rows}
    # one component per aggregate: weights and the normalisation cannot move anything; the unknown does
    assert rows[0].factor == "where unknown components lie in their ranges" and rows[0].rank_mu_star > 0
    assert effects["weight [actual.bilateral]"] == 0 and effects["[normalisation] method"] == 0
    assert trajectories >= 4


def test_every_pair_gets_a_rank_interval_and_no_data_pairs_too() -> None:
    an = cooperation_gaps(load_graph([FOUR], shipped=False), draws=300, seed=5)
    for d in an.dyads:
        ri = d.rank_interval
        assert ri is not None and 1 <= ri.low <= ri.median <= ri.high <= 6 and ri.draws == 300
    assert an.uncertainty is not None and an.uncertainty.share is not None
    # the Berlin Process inside or outside: 1/6 or 2/6 of the shortest paths (tests/test_gaps.py)
    shares = sorted({round(c.share_through_outside, 6) for c in an.external_dependence.alternatives})
    assert shares == [round(1 / 6, 6), round(2 / 6, 6)]


# --------------------------------------------------------------------------- monotone and consistent


def _with_agreement(parties: list[str], n: int):
    g = load_graph([FOUR], shipped=False)
    ag = URIRef(str(WB[f"t-added-{n}"]))
    g.add((ag, RDF.type, WBO.Agreement))
    for p in parties:
        g.add((ag, WBO.party, URIRef(p)))
    g.add((ag, WBO.locator, Literal("added")))
    return g


@pytest.mark.parametrize("method", ["minmax", "log", "rank"])
def test_adding_one_agreement_never_lowers_cooperation_nor_raises_the_gap(tmp_path: Path, method: str) -> None:
    cfg = load_config(config_file(tmp_path, f'[normalisation]\nmethod = "{method}"\n'))
    before = cooperation_gaps(load_graph([FOUR], shipped=False), cfg, draws=0)
    rng = random.Random(14)
    polities = [AL, BA, ME, RS]
    trials = [(rng.sample(polities, 2), "two-party") for _ in range(6)]
    if method != "rank":  # rank normalisation is relative: a multilateral addition may reorder others
        trials += [(rng.sample(polities, 3), "three-party") for _ in range(3)]
    for n, (parties, kind) in enumerate(trials):
        after = cooperation_gaps(_with_agreement(parties, n), cfg, draws=0)
        a, b = sorted(parties[:2])
        old, new = before.dyad(a, b), after.dyad(a, b)
        where = f"{kind} {parties} ({method})"
        assert new.actual.low >= old.actual.low - 1e-9, where
        assert new.score_high <= old.score_high + 1e-9, where
        if old.status == NO_DATA and new.status != NO_DATA:
            assert old.score_low - 1e-9 <= new.score_low <= new.score_high <= old.score_high + 1e-9, where


# --------------------------------------------------------------------------- CLI


def test_cli_draws_seed_and_sensitivity() -> None:
    runner = CliRunner()
    args = ["gaps", "--no-shipped", "--data", str(FOUR), "--format", "json", "--draws", "200", "--seed", "3",
            "--sensitivity"]
    out = runner.invoke(main, args)
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert (data["uncertainty"]["draws"], data["uncertainty"]["seed"]) == (200, 3)
    assert data["uncertainty"]["sensitivity"] and data["dyads"][0]["rank_interval"]["draws"] == 200
    assert runner.invoke(main, args).stdout == out.stdout
    md = runner.invoke(main, [*args[:4], "--format", "md", "--sensitivity"])
    assert "## Sensitivity" in md.stdout and "median [interval]" in md.stdout
    none = runner.invoke(main, [*args[:4], "--format", "json", "--draws", "0"])
    assert json.loads(none.stdout)["uncertainty"] is None


def test_a_fixed_reference_count_by_hand(tmp_path: Path) -> None:
    cfg = load_config(config_file(tmp_path, "[normalisation]\nreference = 8\n"))
    assert cfg.reference == 8.0
    an = cooperation_gaps(load_graph([FOUR], shipped=False), cfg, draws=0)
    # AL-BA 10 / 8 capped at 1; AL-ME 5 / 8
    assert an.dyad(AL, BA).actual.component("bilateral_agreements").value == 1.0
    assert an.dyad(AL, ME).actual.component("bilateral_agreements").value == pytest.approx(5 / 8)
    assert an.normalisers["bilateral_agreements"] == 8.0


def test_sensitivity_of_the_outside_share_to_the_bridging_classification_by_hand() -> None:
    an = cooperation_gaps(load_graph([FOUR], shipped=False), draws=200, seed=2, sensitivity=True)
    assert an.uncertainty is not None
    rows = {r.factor: r for r in an.uncertainty.sensitivity}
    # Berlin Process outside: 2/6 of the shortest paths, inside: 1/6 (tests/test_gaps.py); every Morris step
    # of the factor flips the classification, so its effect is 1/6 exactly. The RCC lies on no shortest path.
    assert rows["[external] bridging wb:BerlinProcess outside"].share_mu_star == pytest.approx(1 / 6)
    assert rows["[external] bridging wb:BerlinProcess outside"].rank_mu_star == 0
    assert rows["[external] bridging wb:RCC outside"].share_mu_star == 0


def test_sensitivity_without_draws_is_an_input_error() -> None:
    with pytest.raises(InputError, match="needs draws above 0"):
        cooperation_gaps(load_graph([FOUR], shipped=False), draws=0, sensitivity=True)


# --------------------------------------------------------------------------- which gaps a map draws


def test_the_map_draws_only_large_gaps_with_narrow_rank_intervals() -> None:
    an = cooperation_gaps(load_graph([FOUR], shipped=False), draws=0)
    assert mapped_gaps(an) == ()  # without draws there are no rank intervals, so nothing is drawn

    def interval(low: int, high: int) -> RankInterval:
        return RankInterval((low + high) / 2, low, high, 0.0, 0.0, 0.0, 0.9, 100)

    # (gap low, gap high, rank, rank interval): min_gap 0.2, at most 2 ranks wide
    cases = [(0.5, 0.5, 2, interval(1, 2)),     # drawn
             (0.5, 0.5, 1, interval(1, 4)),     # interval 3 ranks wide: not drawn
             (0.1, 0.1, 4, interval(4, 4)),     # gap too small: not drawn
             (0.3, 0.7, None, interval(2, 3)),  # a range whose lower end is above 0.2: drawn, after the ranked
             (0.1, 0.9, None, interval(1, 1)),  # a range reaching below 0.2: not drawn
             (0.6, 0.6, 3, None)]               # no interval: not drawn
    dyads = tuple(replace(d, score_low=lo, score_high=hi, rank=rank, rank_interval=ri)
                  for d, (lo, hi, rank, ri) in zip(an.dyads, cases))
    cfg = replace(an.config, map_min_gap=0.2, map_max_interval_width=2)
    chosen = mapped_gaps(replace(an, dyads=dyads, config=cfg))
    assert [(d.a, d.b) for d in chosen] == [(dyads[0].a, dyads[0].b), (dyads[3].a, dyads[3].b)]
    assert "above 0.2 and whose 90% rank interval" in map_rule(cfg) and "at most 2 ranks" in map_rule(cfg)


def test_map_thresholds_come_from_the_config(tmp_path: Path) -> None:
    cfg = load_config(config_file(tmp_path, "[map]\nmin_gap = 0.4\nmax_interval_width = 1\n"))
    assert (cfg.map_min_gap, cfg.map_max_interval_width) == (0.4, 1)
    with pytest.raises(InputError, match="max_interval_width"):
        load_config(config_file(tmp_path, "[map]\nmax_interval_width = -1\n"))
