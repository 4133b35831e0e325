"""Measure, for every pair of a region's polities, how far wanted and needed cooperation exceeds recorded cooperation.

The analysis is transparent by construction: every number is a weighted mean
of components in [0, 1], every component says how its raw value was computed
and lists the claims (with source and locator) behind it, and the weights come
from ``ontology/gaps.toml`` (override with :func:`load_config`). README.md,
section "gaps", states every formula in words.

The package is cut along the steps of the method, each a module:
``config`` (settings), ``facts`` (the SPARQL questions, asked once),
``components`` (one registered function per component), ``scoring``
(normalisation, aggregation, ranks; pure arithmetic), ``uncertainty``
(Monte Carlo rank intervals, Morris sensitivity), ``dependence`` (external
dependence, pure NetworkX), ``suggestions`` (missing ties), ``model`` (the
result types) and ``analysis`` (the whole run).

Three kinds of ignorance are kept apart. A bilateral relation no source
describes is ``no-data``: its bilateral component is unknown, which makes the
pair's actual cooperation an interval ``[low, high]`` instead of a number, so
the pair gets a score range and no deterministic rank (the Monte Carlo run
still gives it a median rank and a rank interval). A source saying
cooperation has made no progress is ``stated-absent``, with its own value.
Counts of recorded claims (shared
affiliations, statements) are zero when the graph records none.

>>> from graph.gaps import load_config
>>> load_config().actual["bilateral_agreements"]
0.4
"""

from __future__ import annotations

from graph.gaps.analysis import GapAnalysis, cooperation_gaps, map_rule, mapped_gaps
from graph.gaps.config import DEFAULT_CONFIG, GapConfig, load_config
from graph.gaps.dependence import (
    CarrierShare,
    Classification,
    Connectivity,
    ExternalDependence,
    PairPaths,
    cooperation_network,
    external_dependence,
)
from graph.gaps.facts import QUERIES_DIR, SourceInfo
from graph.gaps.model import (
    COOPERATING,
    NO_DATA,
    STATED_ABSENT,
    Aggregate,
    Component,
    Dyad,
    Evidence,
    InitiativeSupport,
    PolityProfile,
    RankInterval,
)
from graph.gaps.components import component_table
from graph.gaps.suggestions import Suggestion, affiliation_sets, missing_ties
from graph.gaps.uncertainty import Sensitivity, ShareInterval, Uncertainty

__all__ = [
    "COOPERATING", "DEFAULT_CONFIG", "NO_DATA", "QUERIES_DIR", "STATED_ABSENT", "Aggregate",
    "CarrierShare", "Classification", "Component", "Connectivity", "Dyad", "Evidence", "ExternalDependence",
    "GapAnalysis", "GapConfig", "InitiativeSupport", "PairPaths", "PolityProfile", "RankInterval",
    "Sensitivity", "ShareInterval", "SourceInfo", "Suggestion", "Uncertainty", "affiliation_sets", "component_table",
    "cooperation_gaps", "cooperation_network", "external_dependence", "load_config", "map_rule", "mapped_gaps",
    "missing_ties",
]
