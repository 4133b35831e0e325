"""Normalise the raw values, aggregate them into actual cooperation, demand and friction, and rank the pairs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from graph.gaps.components import Analyst, PairRaw
from graph.gaps.config import GapConfig
from graph.gaps.model import NO_DATA, STATED_ABSENT, Dyad, aggregate, fmt, known, pct, unknown


def _ratio(x: float, top: float) -> float:
    return x / top if top > 0 else 0.0


def score_dyads(raws: Mapping[tuple[str, str], PairRaw], cfg: GapConfig,
           analyst: Analyst) -> tuple[list[Dyad], dict[str, float]]:
    norm = {
        "bilateral_agreements": float(max((r.bilateral for r in raws.values() if r.bilateral is not None), default=0)),
        "shared_affiliations": float(max((len(r.shared_orgs) for r in raws.values()), default=0)),
        "shared_agreements": float(max((len(r.shared_agreements) for r in raws.values()), default=0)),
        "positive_statements": float(max((len(r.positive) for r in raws.values()), default=0)),
        "shared_threats": float(max((len(r.threats) for r in raws.values() if r.threats is not None), default=0)),
        "accusations": float(max((len(r.hostile) for r in raws.values()), default=0)),
    }
    wa, wd, wf = cfg.actual, cfg.demand, cfg.friction
    dyads: list[Dyad] = []
    for (a, b), r in raws.items():
        top = norm["bilateral_agreements"]
        if r.status == NO_DATA:
            bil = unknown("bilateral_agreements", wa["bilateral_agreements"],
                           "no source describes bilateral cooperation: unknown, between 0 and 1")
        elif r.bilateral is None:
            bil = unknown("bilateral_agreements", wa["bilateral_agreements"],
                           "the sources say the two cooperate but give no number of agreements: between 0 and 1",
                           r.bilateral_evidence)
        elif r.status == STATED_ABSENT:
            bil = known("bilateral_agreements", 0, 0.0, wa["bilateral_agreements"],
                         "a source says there is no cooperation: 0", r.bilateral_evidence)
        else:
            bil = known("bilateral_agreements", r.bilateral, _ratio(r.bilateral, top), wa["bilateral_agreements"],
                         f"{r.bilateral} agreements (largest stated count) / {fmt(top)} (largest count of any pair)",
                         r.bilateral_evidence)
        n_org, n_ag, n_pos = len(r.shared_orgs), len(r.shared_agreements), len(r.positive)
        actual = aggregate("actual", [
            bil,
            known("shared_affiliations", n_org, _ratio(n_org, norm["shared_affiliations"]), wa["shared_affiliations"],
                   f"{n_org} shared ({', '.join(analyst.name(o) for o in r.shared_orgs) or 'none'}) / "
                   f"{fmt(norm['shared_affiliations'])} (most shared by any pair)", r.shared_org_evidence,
                   r.shared_orgs),
            known("shared_agreements", n_ag, _ratio(n_ag, norm["shared_agreements"]), wa["shared_agreements"],
                   f"{n_ag} multilateral agreements signed by both / {fmt(norm['shared_agreements'])} (most of any pair)",
                   r.shared_agreement_evidence, r.shared_agreements),
            known("positive_statements", n_pos, _ratio(n_pos, norm["positive_statements"]), wa["positive_statements"],
                   f"{n_pos} supportive or solidarity statements / {fmt(norm['positive_statements'])} (most of any pair)",
                   r.positive, [e.claim for e in r.positive]),
        ])
        if r.support is None:
            support = unknown("public_support", wd["public_support"], f"no survey figure: {r.support_basis}")
        else:
            support = known("public_support", r.support, r.support / 100, wd["public_support"],
                             f"mean of the two sides' figures, {pct(r.support)} / 100 — {r.support_basis}",
                             r.support_evidence)
        if r.threats is None:
            threats = unknown("shared_threats", wd["shared_threats"], f"no threat figures: {r.threat_basis}")
        else:
            n_thr = len(r.threats)
            threats = known("shared_threats", n_thr, _ratio(n_thr, norm["shared_threats"]), wd["shared_threats"],
                             f"{n_thr} threats named by both publics "
                             f"({', '.join(analyst.name(t) for t in r.threats) or 'none'}) / "
                             f"{fmt(norm['shared_threats'])} (most of any pair) — {r.threat_basis}", r.threat_evidence,
                             r.threats)
        demand = aggregate("demand", [support, threats])
        if r.threat_perception is None:
            tp = unknown("threat_perception", wf["threat_perception"], f"no survey figure: {r.threat_perception_basis}")
        else:
            tp = known("threat_perception", r.threat_perception, r.threat_perception / 100, wf["threat_perception"],
                        f"larger direction, {pct(r.threat_perception)} / 100 — {r.threat_perception_basis}",
                        r.threat_perception_evidence)
        if r.unfavourable is None:
            un = unknown("unfavourable_opinion", wf["unfavourable_opinion"], f"no survey figure: {r.unfavourable_basis}")
        else:
            un = known("unfavourable_opinion", r.unfavourable, r.unfavourable / 100, wf["unfavourable_opinion"],
                        f"larger direction, {pct(r.unfavourable)} / 100 — {r.unfavourable_basis}",
                        r.unfavourable_evidence)
        n_host = len(r.hostile)
        acc = known("accusations", n_host, _ratio(n_host, norm["accusations"]), wf["accusations"],
                     f"{n_host} hostile statements between the two / {fmt(norm['accusations'])} (most of any pair)",
                     r.hostile, [e.claim for e in r.hostile])
        friction = aggregate("friction", [tp, un, acc])
        fw = cfg.friction_weight
        lows = (demand.low - actual.high, fw * (friction.low if fw >= 0 else friction.high))
        highs = (demand.high - actual.low, fw * (friction.high if fw >= 0 else friction.low))
        dyads.append(Dyad(a, b, r.status, r.status_note, tuple(r.status_evidence), actual, demand, friction,
                          sum(lows), sum(highs)))
    return ranked(dyads), norm


def ranked(dyads: list[Dyad]) -> list[Dyad]:
    """Pairs with a score first, by score (ties share a rank); pairs with a range after, unranked."""
    scored = sorted((d for d in dyads if d.score is not None),
                    key=lambda d: (-round(d.score_low, 9), -round(d.demand.low, 9), d.a, d.b))
    ranged = sorted((d for d in dyads if d.score is None),
                    key=lambda d: (-round(d.score_high, 9), -round(d.score_low, 9), d.a, d.b))
    out: list[Dyad] = []
    previous: float | None = None
    rank = 0
    for i, d in enumerate(scored, 1):
        key = round(d.score_low, 9)
        if key != previous:
            rank, previous = i, key
        out.append(replace(d, rank=rank))
    return out + ranged
