"""Render a cooperation-gap analysis as text for readers: JSON, CSV, a terminal table and the Markdown methods annex.

Every renderer takes the :class:`graph.gaps.GapAnalysis` and returns text;
:func:`gap_report` runs the analysis, renders it and has the figures of
:mod:`graph.gapcharts` written where it is told. Numbers are rounded to 4
decimals in text and 6 in JSON/CSV. The annex is rendered from the Jinja2
template ``graph/templates/gaps-annex.md.j2``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graph.errors import InputError
from graph.gapcharts import write_plot
from graph.gaps import (
    COOPERATING,
    NO_DATA,
    STATED_ABSENT,
    Aggregate,
    Component,
    Connectivity,
    Dyad,
    Evidence,
    GapAnalysis,
    PolityProfile,
    map_rule,
    mapped_gaps,
)
from graph.gaps.model import decimals
from graph.spreadsheet import csv_table
from graph.timeslice import DateLike, as_date
from graph.gaps import component_table, cooperation_gaps, load_config

FORMATS = ("table", "csv", "json", "md")


def _r(x: float | None, digits: int = 6) -> float | None:
    if x is None:
        return None
    y = round(x, digits)
    return 0.0 if y == 0 else y


def _range(low: float, high: float, digits: int = 2) -> str:
    if abs(high - low) < 1e-9:
        return decimals(low, digits)
    return f"{decimals(low, digits)}–{decimals(high, digits)}"


# --------------------------------------------------------------------------- JSON


def _evidence_json(ev: Evidence) -> dict[str, object]:
    return {
        "claim": ev.claim,
        "sources": list(ev.sources),
        "locator": ev.locator,
        "note": ev.note,
        "quote": ev.quote,
        "primary_sources": list(ev.primary_sources),
    }


def _component_json(c: Component) -> dict[str, object]:
    return {
        "name": c.name,
        "raw": _r(c.raw),
        "value": _r(c.value),
        "range": [_r(c.low), _r(c.high)],
        "weight": c.weight,
        "basis": c.basis,
        "items": list(c.items),
        "claims": [e.claim for e in c.evidence],
        "fallbacks": [{"item": item or None, "side": side} for item, side in c.fallbacks],
    }


def _aggregate_json(agg: Aggregate) -> dict[str, object]:
    return {
        "value": _r(agg.value),
        "range": [_r(agg.low), _r(agg.high)],
        "components": [_component_json(c) for c in agg.components],
    }


def _interval_json(d: Dyad) -> dict[str, object] | None:
    ri = d.rank_interval
    if ri is None:
        return None
    return {"median": ri.median, "low": ri.low, "high": ri.high, "gap_median": _r(ri.gap_median),
            "gap_low": _r(ri.gap_low), "gap_high": _r(ri.gap_high), "level": ri.level, "draws": ri.draws}


def _rank_interval(d: Dyad) -> str:
    """``median [low–high]`` of the Monte Carlo ranks, or a dash without draws."""
    ri = d.rank_interval
    if ri is None:
        return "—"
    return f"{ri.median:g} [{ri.low}–{ri.high}]"


def _dyad_json(d: Dyad, an: GapAnalysis) -> dict[str, object]:
    return {
        "a": d.a,
        "b": d.b,
        "label_a": an.label(d.a),
        "label_b": an.label(d.b),
        "status": d.status,
        "status_note": d.status_note,
        "status_claims": [e.claim for e in d.status_evidence],
        "score": _r(d.score),
        "score_range": [_r(d.score_low), _r(d.score_high)],
        "rank": d.rank,
        "rank_interval": _interval_json(d),
        "actual": _aggregate_json(d.actual),
        "demand": _aggregate_json(d.demand),
        "friction": _aggregate_json(d.friction),
        "evidence": [_evidence_json(e) for e in d.evidence],
    }


def _connectivity_json(c: Connectivity) -> dict[str, object]:
    return {
        "components": c.components,
        "groups": [list(g) for g in c.groups],
        "reachable_pairs": c.reachable_pairs,
        "pairs": c.pairs,
        "average_path_length": _r(c.average_path_length),
    }


def _uncertainty_json(an: GapAnalysis) -> dict[str, object] | None:
    u = an.uncertainty
    if u is None:
        return None
    return {
        "draws": u.draws,
        "seed": u.seed,
        "level": u.level,
        "share_through_outside": None if u.share is None else
        {"median": _r(u.share.median), "low": _r(u.share.low), "high": _r(u.share.high)},
        "sensitivity": [
            {"factor": s.factor, "rank_mu_star": _r(s.rank_mu_star), "rank_sigma": _r(s.rank_sigma),
             "share_mu_star": _r(s.share_mu_star)} for s in u.sensitivity
        ],
        "sensitivity_method": "Morris elementary effects (SALib)" if u.sensitivity else None,
        "trajectories": u.trajectories,
    }


def _method_json(an: GapAnalysis) -> dict[str, object]:
    cfg = an.config
    return {
        "normalisation": cfg.normalisation,
        "reference": cfg.reference,
        "normalisation_alternatives": list(cfg.normalisation_alternatives),
        "no_progress": cfg.no_progress,
        "no_progress_range": list(cfg.no_progress_range),
        "role_weights": dict(sorted((cfg.role_weights or {}).items())),
        "multilateral_discount": cfg.multilateral_discount,
        "bridging": list(cfg.bridging),
        "as_of": an.as_of.isoformat() if an.as_of else None,
        "map": {"min_gap": cfg.map_min_gap, "max_interval_width": cfg.map_max_interval_width,
                "rule": map_rule(cfg), "pairs": [[d.a, d.b] for d in mapped_gaps(an)]},
        "components": [
            {"aggregate": c.aggregate, "name": c.name, "function": c.function, "weight": c.weight,
             "weight_range": list(c.weight_range)}
            for c in cfg.components
        ],
    }


def _classification_json(an: GapAnalysis) -> dict[str, object] | None:
    """The classification of bridging actors behind ``share_through_outside``, and the rule in words."""
    declared = next((c for c in an.external_dependence.alternatives if c.declared), None)
    if declared is None:
        return None
    return {"bridging_outside": list(declared.outside), "bridging_inside": list(declared.inside),
            "extra_outside": list(an.config.extra_outside),
            "rule": "outside = the actors the network marks external plus [external] extra_outside; the bridging "
                    "actors ([external] bridging) as listed; 'classifications' gives the result under every "
                    "alternative, the one used marked declared"}


def analysis_dict(an: GapAnalysis) -> dict[str, object]:
    """The analysis as plain JSON-ready data (what ``--format json`` prints)."""
    ed = an.external_dependence
    cfg = an.config
    return {
        "region": an.region,
        "polities": [{"id": p, "label": an.label(p)} for p in an.polities],
        "config": {
            "files": list(cfg.files),
            "weights": {"actual": dict(cfg.actual), "demand": dict(cfg.demand), "friction": dict(cfg.friction),
                        "friction_weight": cfg.friction_weight},
        },
        "method": _method_json(an),
        "normalisers": {k: _r(v) for k, v in an.normalisers.items()},
        "uncertainty": _uncertainty_json(an),
        "dyads": [_dyad_json(d, an) for d in an.dyads],
        "external_dependence": {
            "relations": list(ed.relations),
            "outside_nodes": ed.outside_nodes,
            "with_outside": _connectivity_json(ed.with_outside),
            "without_outside": _connectivity_json(ed.without_outside),
            "direct_only": _connectivity_json(ed.direct_only),
            "share_through_outside": _r(ed.share_through_outside),
            "carriers": [
                {"id": c.actor, "label": an.label(c.actor), "outside": c.outside, "share": _r(c.share),
                 "pairs": c.pairs, "sole_carrier_pairs": c.sole_carrier_pairs}
                for c in ed.carriers
            ],
            "outside_actors": [c.actor for c in ed.outside_actors],
            "classification_used": _classification_json(an),
            "classifications": [
                {"outside": list(c.outside), "inside": list(c.inside), "declared": c.declared,
                 "share_through_outside": _r(c.share_through_outside),
                 "without_outside": _connectivity_json(c.without_outside)}
                for c in ed.alternatives
            ],
            "pairs": [
                {"a": p.a, "b": p.b, "distance": p.distance, "shortest_paths": p.paths,
                 "through_outside": p.through_outside, "carriers": list(p.carriers),
                 "outside_carriers": list(p.outside_carriers)}
                for p in ed.pairs
            ],
        },
        "perception_vs_reality": [
            {
                "polity": p.polity,
                "label": an.label(p.polity),
                "support": _r(p.support),
                "support_basis": p.support_basis,
                "support_period": p.support_period or None,
                "support_editions": list(p.support_editions),
                "support_claims": [e.claim for e in p.support_evidence],
                "initiative_support": [
                    {"initiative": s.initiative, "label": an.label(s.initiative), "percentage": _r(s.percentage),
                     "claim": s.evidence.claim}
                    for s in p.initiative_support
                ],
                "cooperating": list(p.cooperating),
                "stated_absent": list(p.stated_absent),
                "no_data": list(p.no_data),
                "agreements": p.agreements,
                "agreements_unknown": list(p.agreements_unknown),
                "affiliations": list(p.affiliations),
                "actual_range": [_r(p.actual_low), _r(p.actual_high)],
                "gap_range": [_r(p.gap_low), _r(p.gap_high)],
            }
            for p in an.perception_vs_reality
        ],
        "suggestions": [
            {"rank": s.rank, "a": s.a, "b": s.b, "label_a": an.label(s.a), "label_b": an.label(s.b),
             "status": s.status, "score": _r(s.score), "method": cfg.suggestion_method, "jaccard": _r(s.jaccard),
             "adamic_adar": _r(s.adamic_adar), "shared_affiliations": list(s.shared_affiliations),
             "affiliations_union": s.affiliations_union, "shared_threats": list(s.shared_threats),
             "reason": s.reason}
            for s in an.suggestions
        ],
        "labels": dict(sorted(an.labels.items())),
    }


def json_text(an: GapAnalysis) -> str:
    """The analysis as indented JSON text (deterministic key and row order)."""
    return json.dumps(analysis_dict(an), indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- CSV and table


def csv_text(an: GapAnalysis) -> str:
    """One CSV row per pair: status, score, the three aggregates, every component's raw and normalised value, claims."""
    sample = an.dyads[0] if an.dyads else None
    comp_cols: list[str] = []
    if sample is not None:
        for agg in (sample.actual, sample.demand, sample.friction):
            for c in agg.components:
                comp_cols += [f"{agg.name}.{c.name}.raw", f"{agg.name}.{c.name}"]
    head = ["rank", "rank_median", "rank_low", "rank_high", "a", "b", "label_a", "label_b", "status",
            "score", "score_low", "score_high",
            "actual", "actual_low", "actual_high", "demand", "demand_low", "demand_high",
            "friction", "friction_low", "friction_high", *comp_cols, "claims"]

    def cell(x: float | None) -> str:
        return "" if x is None else repr(_r(x))

    rows: list[list[object]] = []
    for d in an.dyads:
        ri = d.rank_interval
        row: list[object] = [d.rank if d.rank is not None else "",
                             *(("", "", "") if ri is None else (repr(ri.median), ri.low, ri.high)),
                             d.a, d.b, an.label(d.a), an.label(d.b), d.status,
                             cell(d.score), cell(d.score_low), cell(d.score_high)]
        for agg in (d.actual, d.demand, d.friction):
            row += [cell(agg.value), cell(agg.low), cell(agg.high)]
        for agg in (d.actual, d.demand, d.friction):
            for c in agg.components:
                row += [cell(c.raw), cell(c.value)]
        row.append(" ".join(e.claim for e in d.evidence))
        rows.append(row)
    return csv_table(head, rows)


def _columns(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def table_text(an: GapAnalysis) -> str:
    """A readable plain-text summary: the dyad table, external dependence and suggestions."""
    lines = [_pair_table(an), "", "gap = demand - actual (ranges where a figure is unknown; such pairs are not ranked)"]
    lines += _uncertainty_text(an)
    lines += _demand_text(an)
    lines += _dependence_text(an)
    lines += _suggestions_text(an)
    return "\n".join(lines) + "\n"


def _pair_table(an: GapAnalysis) -> str:
    """The pairs in rank order as aligned columns: rank, rank interval over the draws, status, gap and its parts."""
    level = f"{an.uncertainty.level * 100:g}%" if an.uncertainty else "90%"
    rows = [["rank", f"median [{level}]", "pair", "status", "gap", "actual", "demand", "friction"]]
    for d in an.dyads:
        rows.append([
            str(d.rank) if d.rank is not None else "-",
            _rank_interval(d),
            f"{an.label(d.a)} – {an.label(d.b)}",
            d.status,
            _range(d.score_low, d.score_high),
            _range(d.actual.low, d.actual.high),
            _range(d.demand.low, d.demand.high),
            _range(d.friction.low, d.friction.high),
        ])
    return _columns(rows)


def _uncertainty_text(an: GapAnalysis) -> list[str]:
    """The draws behind the rank intervals and, when computed, the Morris sensitivity of each choice."""
    u = an.uncertainty
    if u is None:
        return []
    lines = [f"median [interval]: rank over {u.draws} draws of the method's choices (seed {u.seed}); "
             f"the interval holds {u.level * 100:g}% of the draws"]
    if u.sensitivity:
        lines += ["", f"Sensitivity (Morris, {u.trajectories} trajectories): mean |effect| on the ranks, on the "
                      "outside share"]
        for s in u.sensitivity:
            lines.append(f"  {s.factor}: {s.rank_mu_star:.2f} ranks, {s.share_mu_star * 100:.1f} points")
    return lines


def _demand_text(an: GapAnalysis) -> list[str]:
    """Each polity's public support for regional cooperation and where the figure comes from."""
    when = f"editions of {an.as_of.year} or the nearest earlier year" if an.as_of else "latest editions"
    lines = ["", f"Demand: support for regional cooperation per polity ({when}):"]
    for p in an.perception_vs_reality:
        lines.append(f"  {an.label(p.polity)}: {'—' if p.support is None else f'{p.support:.1f}%'} "
                     f"({support_source(p, an)})")
    return lines


def _dependence_text(an: GapAnalysis) -> list[str]:
    """External dependence: the three networks compared, the share through outside actors and who carries the paths."""
    ed = an.external_dependence
    lines = ["", "External dependence (cooperative ties on the actors network):"]
    for name, c in (("with outside actors", ed.with_outside), ("without outside actors", ed.without_outside),
                    ("direct ties only", ed.direct_only)):
        lines.append(f"  {name}: {c.components} component(s), {c.reachable_pairs}/{c.pairs} pairs connected, "
                     f"mean shortest path {decimals(c.average_path_length)}")
    share = ed.share_through_outside
    lines.append(f"  shortest paths through an outside actor: {'—' if share is None else f'{share * 100:.1f}%'}")
    lines += _bridging_text(an)
    if ed.carriers:
        lines.append("  who carries the shortest paths:")
    for c in ed.carriers:
        lines.append(f"    {an.label(c.actor)} ({'outside' if c.outside else 'inside'}): {c.share * 100:.1f}% "
                     f"of paths, {c.pairs} pairs")
    return lines


def _bridging_text(an: GapAnalysis) -> list[str]:
    """The declared classification of the bridging actors, then the outside share under each alternative one."""
    ed = an.external_dependence
    lines: list[str] = []
    declared = next((c for c in ed.alternatives if c.declared), None)
    if declared is not None:
        outside = ", ".join(an.label(x) for x in declared.outside) or "none"
        inside = ", ".join(an.label(x) for x in declared.inside) or "none"
        lines.append(f"  classification used: bridging actors outside: {outside}; inside: {inside} "
                     "([external] bridging, extra_outside)")
        lines.append("  the same under each classification of the bridging actors:")
    for c in ed.alternatives:
        s_c = c.share_through_outside
        lines.append(f"    with {', '.join(an.label(x) for x in c.outside) or 'no bridging actor'} outside: "
                     f"{'—' if s_c is None else f'{s_c * 100:.1f}%'}, {c.without_outside.reachable_pairs}/"
                     f"{c.without_outside.pairs} pairs connected without outside actors"
                     f"{' <- used above' if c.declared else ''}")
    return lines


def _suggestions_text(an: GapAnalysis) -> list[str]:
    """The missing-tie suggestions, numbered by rank, with the method and score of each."""
    lines = ["", "Missing-tie suggestions:"]
    if not an.suggestions:
        lines.append("  (none)")
    for s in an.suggestions:
        lines.append(f"  {s.rank}. {s.reason} [{an.config.suggestion_method} {s.score:.2f}]")
    return lines


# --------------------------------------------------------------------------- Markdown


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def support_source(p: PolityProfile, an: GapAnalysis) -> str:
    """Where a polity's support figure comes from, in words: ``own, 2022; ASB 2022``."""
    if p.support is None:
        return p.support_basis
    editions = ", ".join(an.label(e) for e in p.support_editions)
    return f"{p.support_basis}, {p.support_period or 'undated'}{f'; {editions}' if editions else ''}"


def _agreements(p: PolityProfile) -> str:
    """The stated agreement count of a polity: unknown, a number, or a lower bound when some counts are unknown."""
    if p.agreements is None:
        return "unknown"
    if p.agreements_unknown:
        return f"≥ {p.agreements} ({len(p.agreements_unknown)} unknown)"
    return str(p.agreements)


def _natural(text: str) -> tuple[tuple[int, object], ...]:
    """Sort key that orders numbers by value: "p. 2" before "p. 10"."""
    return tuple((0, int(x)) if x.isdigit() else (1, x) for x in re.split(r"(\d+)", text))


class _Citations:
    """Numbers the sources of the cited claims (the bibliography) and cites claims by source number and locator."""

    def __init__(self, an: GapAnalysis, evidence: Sequence[Evidence]) -> None:
        self.an = an
        used = sorted({s for e in evidence for s in e.sources + e.primary_sources},
                      key=lambda s: (self._sort_key(s), s))
        self.number = {s: i for i, s in enumerate(used, 1)}
        self.locators: dict[str, set[str]] = {s: set() for s in used}
        self.relayed_by: dict[str, set[int]] = {s: set() for s in used}
        for e in evidence:
            for s in e.sources:
                if e.locator:
                    self.locators[s].add(e.locator)
                for p in e.primary_sources:
                    self.relayed_by[p].add(self.number[s])

    def _sort_key(self, iri: str) -> str:
        info = self.an.sources.get(iri)
        return ((info.title if info and info.title else self.an.label(iri)) or iri).casefold()

    def cite(self, ev: Evidence) -> str:
        """``[3], para. 13`` (or ``[3; 7]``), with ``(primary: [9])`` when the claim relays an original."""
        numbers = "; ".join(str(n) for n in sorted(self.number[s] for s in ev.sources))
        text = f"[{numbers}]" if numbers else "no source recorded"
        if ev.locator:
            text += f", {ev.locator}"
        if ev.primary_sources:
            text += f" (primary: [{'; '.join(str(n) for n in sorted(self.number[p] for p in ev.primary_sources))}])"
        return _md(text)

    def line(self, ev: Evidence) -> str:
        """A claim as a line of evidence: the citation, what it contributes and its quote."""
        quote = f" — “{_md(ev.quote)}”" if ev.quote else ""
        return f"{self.cite(ev)}: {_md(ev.note)}{quote}"

    def bibliography(self) -> list[str]:
        """One entry per source: title, publisher, year, address and the places cited in it."""
        out = []
        for iri, n in sorted(self.number.items(), key=lambda kv: kv[1]):
            info = self.an.sources.get(iri)
            title = (info.title if info and info.title else "") or self.an.label(iri)
            publisher = "; ".join(self.an.label(p) for p in info.publisher.split("; ")) if info and info.publisher \
                else ""
            year = info.issued[:4] if info and info.issued else "n.d."
            parts = [f"{n}. {_md(title)}"]
            if publisher:
                parts.append(_md(publisher))
            parts.append(year)
            if info and info.url:
                parts.append(f"<{info.url}>")
            entry = ". ".join(p.rstrip(".") for p in parts) + "."
            if self.locators[iri]:
                entry += f" Cited at: {_md('; '.join(sorted(self.locators[iri], key=_natural)))}."
            if self.relayed_by[iri]:
                entry += f" Primary source, relayed by [{'; '.join(str(k) for k in sorted(self.relayed_by[iri]))}]."
            out.append(entry)
        return out


def _formulas(an: GapAnalysis) -> list[str]:
    cfg = an.config
    ref = cfg.reference if isinstance(cfg.reference, str) else f"{cfg.reference:g}"
    norm = ", ".join(f"{k} {v:g}" for k, v in an.normalisers.items())
    roles = ", ".join(f"{r.rsplit('#', 1)[-1]} {w:g}" for r, w in (cfg.role_weights or {}).items())
    friction = f" + {cfg.friction_weight:g} × friction" if cfg.friction_weight else ""
    return [
        "**aggregate** = Σ weight × component / Σ weight over its components (`actual`: "
        + ", ".join(f"{k} {v:g}" for k, v in cfg.actual.items()) + "; `demand`: "
        + ", ".join(f"{k} {v:g}" for k, v in cfg.demand.items()) + "; `friction`: "
        + ", ".join(f"{k} {v:g}" for k, v in cfg.friction.items()) + "). An unknown component counts 0 at the low "
        "end of the aggregate and 1 at the high end, so the aggregate is a range.",
        f"**gap** = demand − actual{friction} (from −1, more cooperation recorded than wanted, to +1, wanted and "
        f"needed, none recorded){'' if friction else '; friction is reported beside it with weight 0'}. **Rank** 1 "
        "is the largest gap among pairs with a score; equal gaps share a rank; a pair whose gap is a range is not "
        "ranked.",
        "**percentages** (survey figures) = per cent / 100.",
        f"**counts** are normalised by `{cfg.normalisation}`: minmax = min(1, count / reference) with reference "
        f"{ref} (`max`: the largest count, `pNN`: the NN-th percentile of the counts above 0); log = ln(1 + count) / "
        "ln(1 + largest count); rank = (dense rank of the count among the distinct counts, 0 included, − 1) / "
        f"(distinct counts − 1). References in this run: {norm or 'none'}.",
        f"**bilateral** = the normalised largest stated agreement count or number of two-party instruments; a "
        f"source saying cooperation made no progress gives {cfg.no_progress:g} (`[status] no_progress`), never "
        "“0 agreements”; a pair with recorded agreements never scores below it; no source: unknown (0 to 1).",
        f"**shared affiliations** = Σ over organisations both belong to of min(role weight of a, role weight of b); "
        f"role weights: {roles}.",
        f"**multilateral instruments** = Σ over instruments with n ≥ 3 parties both signed of the discount "
        f"`{cfg.multilateral_discount}` (inverse_partners = 1 / (n − 1), inverse_pairs = 2 / (n (n − 1)), "
        "one = 1); versions linked by wbo:conflictsWith count once.",
        "**public support** = mean of the two sides' figures: the side's figure about cooperation with the other, "
        "else its own figure on regional cooperation, else the region-wide figure (a declared fallback); each from "
        "the edition of the analysis year or the nearest earlier one.",
        "**shared threats** = number of threats or cooperation needs both publics name (own figures plus "
        "region-wide ones, the pair's own members left out); **threat perception** and **unfavourable opinion** = "
        "the larger of the two directions' figures.",
        "**share through outside actors** = for each connected pair of polities, shortest paths passing an outside "
        "actor / all shortest paths, averaged over pairs (cooperative ties of the actors network).",
        f"**suggestions** rank pairs not cooperating by `{cfg.suggestion_method}`: Jaccard = shared organisations / "
        "all organisations of the two; Adamic–Adar = Σ over shared organisations of 1 / ln(members).",
        f"**map**: the explorer draws a gap tie only where the gap (its lower end) is above {cfg.map_min_gap:g} "
        f"and the rank interval spans at most {cfg.map_max_interval_width} ranks (`[map]`).",
    ]


def _uncertainty_method(an: GapAnalysis) -> list[str]:
    cfg = an.config
    u = an.uncertainty
    lines = [
        "Choices drawn: every component weight uniformly within its range (table above); the normalisation "
        f"method from {', '.join(cfg.normalisation_alternatives)} (equally likely); the no-progress value within "
        f"{cfg.no_progress_range[0]:g}–{cfg.no_progress_range[1]:g}; whether each bridging actor "
        f"({', '.join(an.label(b) for b in cfg.bridging) or 'none declared'}) counts as outside (a fair coin); every "
        "unknown component uniformly within its range.",
        "In each draw all pairs are ranked (pairs without data included). A pair's **median rank** and "
        f"**{cfg.interval * 100:g}% rank interval** (the {(1 - cfg.interval) / 2 * 100:g}th to the "
        f"{(1 + cfg.interval) / 2 * 100:g}th percentile of its ranks) say how far its place survives reasonable "
        "alternative choices: `1 [1–1]` is first under every draw; a wide interval means the data cannot place "
        "the pair.",
    ]
    if u is None:
        lines.append("This run made no draws (`--draws 0`): no rank intervals.")
    else:
        lines.append(f"This run: {u.draws} draws, seed {u.seed} (the same seed gives the same intervals).")
    if u is not None and u.sensitivity:
        lines.append(f"Sensitivity: Morris elementary effects (SALib), {u.trajectories} trajectories; μ* is the mean "
                     "absolute change of the pairs' mean rank shift when one choice alone moves by one grid step (two "
                     "thirds of its range), σ the spread of those changes (interactions, non-linearity).")
    else:
        lines.append("Sensitivity: not computed in this run (`--sensitivity` adds the Morris screening).")
    return lines


def _coverage(an: GapAnalysis, notes: Sequence[str], evidence: Sequence[Evidence], cites: _Citations) -> list[str]:
    """The annex's data-coverage lines: claims and sources cited, the claim filter, fallbacks and unknown components."""
    claims = {e.claim for e in evidence}
    lines = [f"Claims cited: {len(claims)}, from {len(cites.number)} source{'' if len(cites.number) == 1 else 's'}."]
    if notes:
        lines += [_md(n[0].upper() + n[1:]) for n in notes]
    else:
        lines.append("Claim filter: none (no `--as-of` or `--domain`): every claim in the data is used.")
    lines += _fallback_lines(an)
    unknown = _unknown_components(an)
    lines.append("Components unknown (a range) for some pairs: "
                 + (", ".join(f"{k} ({v} of {len(an.dyads)} pairs)" for k, v in unknown.items()) or "none") + ".")
    return lines


def _fallback_lines(an: GapAnalysis) -> list[str]:
    """Where the annex leans on region-wide figures, as two lines.

    The polities whose public support is the region-wide fallback (and those
    without any figure), and the polities for which the shared-threats
    component uses a region-wide figure.
    """
    fallback = [an.label(p.polity) for p in an.perception_vs_reality if p.support_basis == "region-wide fallback"]
    none = [an.label(p.polity) for p in an.perception_vs_reality if p.support is None]
    threat_sides = sorted({an.label(side) for d in an.dyads for c in d.demand.components if c.name == "shared_threats"
                           for _item, side in c.fallbacks})
    return ["Public support from the region-wide figure (a declared fallback): "
            f"{', '.join(fallback) or 'no polity'}; without any figure: {', '.join(none) or 'no polity'}.",
            "Shared threats that rest on region-wide figures for a side: "
            f"{', '.join(threat_sides) or 'none'}."]


def _unknown_components(an: GapAnalysis) -> dict[str, int]:
    """For each component that is a range (unknown) for some pairs, how many pairs; in order of first appearance."""
    unknown: dict[str, int] = {}
    for d in an.dyads:
        for agg in (d.actual, d.demand, d.friction):
            for c in agg.components:
                if c.high - c.low > 1e-9:
                    unknown[c.name] = unknown.get(c.name, 0) + 1
    return unknown


def _dependence_lines(an: GapAnalysis) -> list[str]:
    ed = an.external_dependence
    u = an.uncertainty
    out = [f"Cooperative ties ({', '.join(ed.relations)}) on the actors network; {ed.outside_nodes} outside actors.",
           "", "| network | components | pairs connected | mean shortest path |", "|---|---:|---:|---:|"]
    for name, c in (("with outside actors", ed.with_outside), ("without outside actors", ed.without_outside),
                    ("direct ties among the polities only", ed.direct_only)):
        out.append(f"| {name} | {c.components} | {c.reachable_pairs} of {c.pairs} | {decimals(c.average_path_length)} |")
    out += ["", classification_text(an), ""]
    if ed.alternatives:
        out += ["| counted as outside | classification | share through outside actors | pairs connected without "
                "outside actors |", "|---|---|---:|---:|"]
        for c in ed.alternatives:
            s_c = c.share_through_outside
            out.append(f"| {', '.join(_md(an.label(x)) for x in c.outside) or 'none of them'} "
                       f"| {'**used above**' if c.declared else 'alternative'} "
                       f"| {'—' if s_c is None else f'{s_c * 100:.1f}%'} "
                       f"| {c.without_outside.reachable_pairs} of {c.without_outside.pairs} |")
        if u is not None and u.share is not None:
            out.append(f"\nOver the draws (each bridging actor outside or inside, equally likely): median "
                       f"{u.share.median * 100:.1f}%, interval {u.share.low * 100:.1f}%–{u.share.high * 100:.1f}%.")
        out.append("")
    if ed.carriers:
        out += ["| carrier | outside actor | share of shortest paths | pairs | pairs it carries alone |",
                "|---|---|---:|---:|---:|"]
        for c in ed.carriers:
            out.append(f"| {_md(an.label(c.actor))} | {'yes' if c.outside else 'no'} | {c.share * 100:.1f}% "
                       f"| {c.pairs} | {c.sole_carrier_pairs} |")
        out.append("")
    groups = "; ".join("{" + ", ".join(an.label(p) for p in grp) + "}" for grp in ed.direct_only.groups)
    out.append(f"Groups the polities form through direct ties alone: {groups}.")
    return out


def markdown_report(an: GapAnalysis, notes: Sequence[str] = ()) -> str:
    """The methods annex an analyst can cite (what ``--format md`` prints), rendered from ``gaps-annex.md.j2``.

    Sections: the method (the generated component table and every formula),
    the data coverage (claims cited, the claim filter's ``notes``, which
    polities use fallbacks), the pairs with rank intervals, the sensitivity
    table (when computed), external dependence with the classification used
    beside its alternatives, perception versus reality, suggestions, the
    evidence per pair (claims cited by source number and locator) and the
    bibliography of every source cited.
    """
    from jinja2 import Environment, PackageLoader

    cfg = an.config
    evidence = [e for d in an.dyads for e in d.evidence] + [
        e for p in an.perception_vs_reality for e in p.support_evidence] + [
        s.evidence for p in an.perception_vs_reality for s in p.initiative_support]
    cites = _Citations(an, evidence)
    when = (f"Survey figures: the editions of {an.as_of.year} or the nearest earlier year (analysis date "
            f"{an.as_of.isoformat()})." if an.as_of else "Survey figures: the latest edition of each.")

    context = {
        "region": an.label(an.region),
        "polities": [an.label(p) for p in an.polities],
        "when": when,
        "settings": ", ".join(f"`{f}`" for f in cfg.files),
        "component_table": component_table(cfg),
        "formulas": _formulas(an),
        "uncertainty_method": _uncertainty_method(an),
        "coverage": _coverage(an, notes, evidence, cites),
        **_annex_pairs(an),
        **_annex_sensitivity(an),
        "dependence": _dependence_lines(an),
        **_annex_profiles(an, cites),
        "suggestions": [f"{s.rank}. **{_md(an.label(s.a))} – {_md(an.label(s.b))}** (Jaccard {s.jaccard:.2f}, "
                        f"Adamic–Adar {s.adamic_adar:.2f}): {_md(s.reason)}" for s in an.suggestions]
        or ["None: no pair without recorded cooperation meets the thresholds in [suggestions]."],
        "evidence": [_pair_evidence(d, an, cites) for d in an.dyads],
        "bibliography": cites.bibliography(),
    }
    env = Environment(loader=PackageLoader("graph", "templates"), autoescape=False, trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True)
    text = env.get_template("gaps-annex.md.j2").render(**context)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip() + "\n"


def _annex_pairs(an: GapAnalysis) -> dict[str, object]:
    """The annex's table of pairs: its introduction, rows and the count per status."""
    u = an.uncertainty
    counts = {s: sum(1 for d in an.dyads if d.status == s) for s in (COOPERATING, STATED_ABSENT, NO_DATA)}
    pairs_intro = ("Rank is the rank under the declared settings; *median [interval]* is the rank over "
                   f"{u.draws} draws of the method's choices (seed {u.seed}), the interval holding "
                   f"{u.level * 100:g}% of the draws. Pairs without data are ranked in every draw, so they get an "
                   "interval too." if u is not None else
                   "Rank is the rank under the declared settings (no draws: no rank intervals).")
    return {
        "pairs_intro": pairs_intro,
        "pair_rows": [
            [str(d.rank) if d.rank is not None else "—", _rank_interval(d),
             f"{_md(an.label(d.a))} – {_md(an.label(d.b))}", d.status, _range(d.score_low, d.score_high),
             _range(d.actual.low, d.actual.high), _range(d.demand.low, d.demand.high),
             _range(d.friction.low, d.friction.high)]
            for d in an.dyads],
        "pair_counts": f"{counts[COOPERATING]} pairs cooperating, {counts[STATED_ABSENT]} stated absent, "
                       f"{counts[NO_DATA]} without bilateral data.",
    }


def _annex_sensitivity(an: GapAnalysis) -> dict[str, object]:
    """The annex's sensitivity table (empty without draws)."""
    u = an.uncertainty
    return {
        "sensitivity_intro": (f"Morris elementary effects (SALib, {u.trajectories} trajectories, seed {u.seed}): how "
                              "much moving one choice alone by two thirds of its range changes the pairs' mean rank "
                              "shift (μ*, in ranks; σ shows interaction and non-linearity) and the share of shortest "
                              "paths through outside actors (in percentage points). Unknown components move together "
                              "here, as one factor. The largest μ* is the choice the ranking depends on most."
                              if u is not None else ""),
        "sensitivity_rows": [[_md(s.factor), f"{s.rank_mu_star:.2f}", f"{s.rank_sigma:.2f}",
                              f"{s.share_mu_star * 100:.1f}"] for s in (u.sensitivity if u is not None else ())],
    }


def _annex_profiles(an: GapAnalysis, cites: _Citations) -> dict[str, object]:
    """The annex's perception-versus-reality tables: public support, polity profiles, initiatives supported."""

    def names(xs: Sequence[str]) -> str:
        return ", ".join(_md(an.label(x)) for x in xs) or "—"

    return {
        "support_rows": [
            [_md(an.label(p.polity)), "—" if p.support is None else f"{p.support:.1f}%", p.support_basis,
             p.support_period or "—", _md(", ".join(an.label(e) for e in p.support_editions)) or "—"]
            for p in an.perception_vs_reality],
        "profile_rows": [
            [_md(an.label(p.polity)), "—" if p.support is None else f"{p.support:.1f}%", _md(support_source(p, an)),
             names(p.cooperating), names(p.stated_absent), names(p.no_data), _agreements(p), str(len(p.affiliations)),
             _range(p.actual_low, p.actual_high),
             "—" if p.gap_low is None or p.gap_high is None else _range(p.gap_low, p.gap_high)]
            for p in an.perception_vs_reality],
        "initiatives": "; ".join(f"{_md(an.label(p.polity))} {s.percentage:.1f}% for {_md(an.label(s.initiative))} "
                                 f"({cites.cite(s.evidence)})"
                                 for p in an.perception_vs_reality for s in p.initiative_support),
    }


def _pair_evidence(d: Dyad, an: GapAnalysis, cites: _Citations) -> dict[str, object]:
    lines = [f"- status: {cites.line(ev)}" for ev in d.status_evidence]
    for agg in (d.actual, d.demand, d.friction):
        lines.append(f"- **{agg.name}** = {_range(agg.low, agg.high, 4)}")
        for c in agg.components:
            lines.append(f"  - {c.name} (weight {c.weight:g}) = {_range(c.low, c.high, 4)}: {_md(c.basis)}")
            lines += [f"    - {cites.line(ev)}" for ev in c.evidence]
    score = _range(d.score_low, d.score_high, 4)
    interval = ""
    if d.rank_interval is not None:
        r = d.rank_interval
        interval = (f"; median rank {r.median:g}, {r.level * 100:g}% rank interval {r.low}–{r.high}, gap interval "
                    f"{decimals(r.gap_low)}–{decimals(r.gap_high)}")
    return {"title": f"{_md(an.label(d.a))} – {_md(an.label(d.b))}",
            "summary": f"Status **{d.status}** ({_md(d.status_note)}); gap {score}"
                       f"{f', rank {d.rank}' if d.rank is not None else ', not ranked'}{interval}.",
            "lines": lines}


def classification_text(an: GapAnalysis) -> str:
    """The external-dependence headline with the classification it used, in words (table, Markdown)."""
    ed = an.external_dependence
    share = ed.share_through_outside
    declared = next((c for c in ed.alternatives if c.declared), None)
    used = (", ".join(an.label(x) for x in declared.outside) or "none of the bridging actors") if declared else ""
    inside = (", ".join(an.label(x) for x in declared.inside) or "none") if declared else ""
    text = (f"Share of shortest paths between two polities that pass an outside actor: "
            f"**{'—' if share is None else f'{share * 100:.1f}%'}** (mean over connected pairs)")
    if declared is not None:
        text += (f", under the classification used: outside = the actors the network marks external"
                 f"{' + ' + ', '.join(an.label(x) for x in an.config.extra_outside) if an.config.extra_outside else ''}"
                 f"; of the bridging actors, outside: {used}; inside: {inside}. The alternatives below show how the "
                 "result moves when the bridging actors are classified otherwise")
    return text + "."


def render(an: GapAnalysis, fmt: str, notes: Sequence[str] = ()) -> str:
    """The analysis in one of :data:`FORMATS` (``table``, ``csv``, ``json``, ``md``).

    ``notes`` are the claim filter's lines, which the Markdown annex lists under data coverage.
    """
    if fmt == "table":
        return table_text(an)
    if fmt == "csv":
        return csv_text(an)
    if fmt == "json":
        return json_text(an)
    if fmt == "md":
        return markdown_report(an, notes)
    raise InputError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")


def gap_report(
    g: Any,
    fmt: str,
    *,
    config: str | Path | None = None,
    plots: Sequence[tuple[str | Path, Sequence[str]]] = (),
    draws: int | None = None,
    seed: int | None = None,
    sensitivity: bool = False,
    as_of: DateLike = None,
    notes: Sequence[str] = (),
) -> tuple[str, list[Path]]:
    """What ``wbsec gaps`` prints: the analysis of ``g`` rendered as ``fmt``, and the plot files written.

    ``config`` is a TOML file merged over ``ontology/gaps.toml``; each of
    ``plots`` is a ``.png``/``.svg`` path with the panels to draw in it.
    ``g`` is an rdflib graph or a store or endpoint backend. ``draws`` and
    ``seed`` override ``[uncertainty]`` (0 draws: no rank intervals);
    ``sensitivity`` adds the Morris screening of the method's choices.
    ``as_of`` picks each survey figure's edition of that year or the nearest
    earlier one (filter the claims first; see :func:`graph.timeline.gap_report_on`);
    ``notes`` (the claim filter's lines) go into the Markdown annex's data coverage.
    """
    as_of = as_date(as_of)

    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    an = cooperation_gaps(g, load_config(config), draws=draws, seed=seed, sensitivity=sensitivity, as_of=as_of)
    written = [write_plot(an, path, panels) for path, panels in plots]
    return render(an, fmt, notes), written
