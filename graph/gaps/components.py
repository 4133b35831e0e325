"""Turn the grouped facts into the raw value of every component for one pair of polities."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from graph.gaps.config import GapConfig
from graph.gaps.facts import Facts, Observation, evidence_for, latest
from graph.gaps.model import COOPERATING, NO_DATA, STATED_ABSENT, Evidence, mean, pct


@dataclass
class PairRaw:
    status: str
    status_note: str
    status_evidence: list[Evidence]
    bilateral: int | None
    bilateral_evidence: list[Evidence]
    shared_orgs: list[str]
    shared_org_evidence: list[Evidence]
    shared_agreements: list[str]
    shared_agreement_evidence: list[Evidence]
    positive: list[Evidence]
    support: float | None
    support_basis: str
    support_evidence: list[Evidence]
    threats: list[str] | None
    threat_basis: str
    threat_evidence: list[Evidence]
    threat_perception: float | None
    threat_perception_basis: str
    threat_perception_evidence: list[Evidence]
    unfavourable: float | None
    unfavourable_basis: str
    unfavourable_evidence: list[Evidence]
    hostile: list[Evidence]


class Analyst:
    """Turns the grouped facts into per-pair raw values; one instance per analysis."""

    def __init__(self, facts: Facts, cfg: GapConfig, region: str, labels: Mapping[str, str]) -> None:
        self.f = facts
        self.cfg = cfg
        self.region = region
        self.labels = labels
        self.latest = latest(facts.observations)

    def name(self, iri: str) -> str:
        return self.labels.get(iri, iri)

    # -- bilateral status and count

    def bilateral(self, a: str, b: str) -> tuple[str, str, list[Evidence], int | None]:
        cfg = self.cfg
        claims = self.f.bilateral.get((a, b), [])
        positive: dict[str, Evidence] = {}
        absent: dict[str, Evidence] = {}
        counts: list[int] = []
        for claim, count, status in claims:
            if count is not None and count > 0:
                counts.append(count)
                positive[claim] = evidence_for(self.f, claim, f"a source states {count} agreements")
            elif count == 0:
                absent.setdefault(claim, evidence_for(self.f, claim, "a source states 0 agreements"))
            if status in cfg.cooperating_statuses:
                positive.setdefault(claim, evidence_for(self.f, claim, f"a source describes the cooperation as {self.name(status)}"))
            elif status in cfg.absent_statuses:
                absent.setdefault(claim, evidence_for(self.f, claim, f"a source says: {self.name(status)}"))
        named = sorted(ag for ag, (parties, _fw) in self.f.agreements.items() if parties == frozenset((a, b)))
        for ag in named:
            positive.setdefault(ag, evidence_for(self.f, ag, f"a named agreement between the two: {self.name(ag)}"))
        counts_max = max(counts) if counts else None
        if named:
            counts_max = max(counts_max or 0, len(named))
        if positive:
            note = "bilateral cooperation is recorded"
            if absent:
                note += "; another claim says it is absent (the sources disagree, both are listed)"
            evidence = list(positive.values()) + list(absent.values())
            return COOPERATING, note, evidence, counts_max
        if absent:
            return STATED_ABSENT, "a source says there is no cooperation: a known zero, not a missing figure", \
                list(absent.values()), 0
        return NO_DATA, "no source describes bilateral cooperation between the two", [], None

    # -- affiliations, agreements, statements

    def shared_orgs(self, a: str, b: str) -> tuple[list[str], list[Evidence]]:
        ma, mb = self.f.memberships.get(a, {}), self.f.memberships.get(b, {})
        shared = sorted(set(ma) & set(mb))
        evidence = []
        for org in shared:
            for polity, claims in ((a, ma[org]), (b, mb[org])):
                for claim in sorted(claims):
                    evidence.append(evidence_for(self.f, claim, f"{self.name(polity)} belongs to {self.name(org)}"))
        return shared, evidence

    def shared_agreements(self, a: str, b: str) -> tuple[list[str], list[Evidence]]:
        found = sorted(ag for ag, (parties, _fw) in self.f.agreements.items()
                       if len(parties) >= 3 and a in parties and b in parties)
        return found, [evidence_for(self.f, ag, f"both are parties to {self.name(ag)} ({len(self.f.agreements[ag][0])} parties)")
                       for ag in found]

    def statements(self, a: str, b: str) -> tuple[list[Evidence], list[Evidence]]:
        cfg = self.cfg
        positive: dict[str, Evidence] = {}
        hostile: dict[str, Evidence] = {}
        for stmt, frm, to, stance, route, incident in self.f.statements:
            if {frm, to} != {a, b}:
                continue
            who, whom, verb = self.name(frm), self.name(to), self.name(stance)
            if route == "direct" and stance in cfg.positive_stances:
                positive.setdefault(stmt, evidence_for(self.f, stmt, f"{who}: {verb} {whom}"))
            elif route == "incident" and stance in cfg.solidarity_stances and incident is not None:
                positive.setdefault(stmt, evidence_for(self.f, stmt, f"{who}: {verb} {self.name(incident)}, aimed at {whom} (solidarity)"))
            if route == "direct" and stance in cfg.hostile_stances:
                hostile.setdefault(stmt, evidence_for(self.f, stmt, f"{who}: {verb} {whom}"))
        return sorted(positive.values(), key=lambda e: e.claim), sorted(hostile.values(), key=lambda e: e.claim)

    # -- survey figures

    def side_support(self, side: str, other: str) -> tuple[float | None, str, list[Evidence]]:
        cfg = self.cfg
        pair = [o for o in self.latest
                if o.area == side and o.indicator in cfg.pair_support_indicators and other in o.abouts]
        if pair:
            return mean([o.pct for o in pair]), "pair-specific", [
                evidence_for(self.f, o.obs, f"{self.name(side)} respondents: {pct(o.pct)} {self.name(o.indicator)} "
                                   f"with {self.name(other)}") for o in pair]
        own = [o for o in self.latest if o.area == side and o.indicator in cfg.support_indicators]
        if own:
            return mean([o.pct for o in own]), "own", [
                evidence_for(self.f, o.obs, f"{self.name(side)} respondents: {pct(o.pct)} {self.name(o.indicator)}")
                for o in own]
        region = [o for o in self.latest if o.area == self.region and o.indicator in cfg.support_indicators]
        if region:
            return mean([o.pct for o in region]), "region-wide fallback", [
                evidence_for(self.f, o.obs, f"region-wide figure used for {self.name(side)} (fallback): "
                                   f"{pct(o.pct)} {self.name(o.indicator)}") for o in region]
        return None, "no figure", []

    def threats_of(self, side: str, pair: frozenset[str]) -> tuple[dict[str, list[Observation]], str]:
        """What the side's public names as threats or cooperation needs: its own figures plus the region-wide ones.

        Region-wide surveys sampled every polity of the region, so their
        answers apply to each side (marked as region-wide in the evidence);
        the pair's own members are left out (those figures are friction).
        """
        wanted = set(self.cfg.threat_indicators) | set(self.cfg.need_indicators)
        out: dict[str, list[Observation]] = defaultdict(list)
        found = {"own": False, "region-wide": False}
        for o in self.latest:
            if o.indicator in wanted and o.area in (side, self.region):
                for t in o.abouts - pair - {self.region}:
                    out[t].append(o)
                    found["own" if o.area == side else "region-wide"] = True
        basis = " + ".join(k for k, v in found.items() if v) or "no figure"
        return out, basis

    def shared_threats(self, a: str, b: str) -> tuple[list[str] | None, str, list[Evidence]]:
        pair = frozenset((a, b))
        ta, basis_a = self.threats_of(a, pair)
        tb, basis_b = self.threats_of(b, pair)
        basis = f"{self.name(a)}: {basis_a}; {self.name(b)}: {basis_b}"
        if not ta or not tb:
            return None, basis, []
        shared = sorted(set(ta) & set(tb))
        evidence: list[Evidence] = []
        for t in shared:
            for side, table in ((a, ta), (b, tb)):
                for o in table[t]:
                    who = self.name(side) if o.area == side else f"region-wide figure, applies to {self.name(side)}"
                    evidence.append(evidence_for(self.f, o.obs, f"{who}: {pct(o.pct)} {self.name(o.indicator)} "
                                                       f"({self.name(t)})"))
        return shared, basis, evidence

    def directed(self, indicators: Sequence[str], a: str, b: str,
                 first_only: bool) -> tuple[float | None, str, list[Evidence]]:
        """The larger of the two directions' figures (a's respondents about b, b's about a)."""
        best: float | None = None
        parts: list[str] = []
        evidence: list[Evidence] = []
        for side, other in ((a, b), (b, a)):
            figures: list[Observation] = []
            for ind in indicators:
                found = [o for o in self.latest if o.area == side and o.indicator == ind and other in o.abouts]
                if found:
                    figures.extend(found)
                    if first_only:
                        break
            if not figures:
                parts.append(f"{self.name(side)} about {self.name(other)}: no figure")
                continue
            top = max(o.pct for o in figures)
            parts.append(f"{self.name(side)} about {self.name(other)}: {pct(top)}")
            best = top if best is None else max(best, top)
            evidence.extend(evidence_for(self.f, o.obs, f"{self.name(side)} respondents: {pct(o.pct)} "
                                               f"{self.name(o.indicator)} ({self.name(other)})") for o in figures)
        return best, "; ".join(parts), evidence

    def pair(self, a: str, b: str) -> PairRaw:
        status, note, status_ev, count = self.bilateral(a, b)
        orgs, org_ev = self.shared_orgs(a, b)
        ags, ag_ev = self.shared_agreements(a, b)
        positive, hostile = self.statements(a, b)
        sa, basis_a, ev_a = self.side_support(a, b)
        sb, basis_b, ev_b = self.side_support(b, a)
        known = [s for s in (sa, sb) if s is not None]
        support = mean(known) if known else None
        support_basis = (f"{self.name(a)}: {pct(sa) if sa is not None else 'no figure'} ({basis_a}); "
                         f"{self.name(b)}: {pct(sb) if sb is not None else 'no figure'} ({basis_b})")
        threats, threat_basis, threat_ev = self.shared_threats(a, b)
        tp, tp_basis, tp_ev = self.directed(self.cfg.threat_indicators, a, b, first_only=False)
        un, un_basis, un_ev = self.directed(self.cfg.unfavourable_indicators, a, b, first_only=True)
        return PairRaw(status, note, status_ev, count, status_ev,
                        orgs, org_ev, ags, ag_ev, positive, support, support_basis, ev_a + ev_b,
                        threats, threat_basis, threat_ev, tp, tp_basis, tp_ev, un, un_basis, un_ev, hostile)
