"""wbsec: a knowledge graph of security cooperation in the Western Balkans.

The package is a library first; :mod:`graph.cli` is a thin click front end.
Nothing heavy is imported here so that ``wbsec --help`` and ``import graph``
start fast: the names below are loaded on first use.

Notebook API (the façade, :mod:`graph.notebook`)::

    import graph

    kg = graph.open()                          # curated data; graph.open(["mine.ttl"]), store=DIR, endpoint=URL
    graph.queries()                            # names of the shipped questions
    table = kg.query("members", org="wb:NATO") # a named question or SPARQL text
    table.columns, table.to_dataframe()        # named columns; pandas with the 'notebook' extra
    G = kg.network("polities", as_of="2015-01-01")   # simple weighted networkx.Graph
    M = kg.network("actors", multigraph=True)        # one edge per claim, every attribute
    kg.metrics("polities").to_dataframe()      # degree, betweenness, pagerank, ... per node
    kg.gaps(as_of="2015-01-01")                # the cooperation-gap analysis
    kg.gap_report("md")                        # the report wbsec gaps prints
    fig = kg.figure("polities")                # a matplotlib Figure (or ax=...)
    fig = kg.gap_figure("heatmap", ax=ax)      # gap heatmap / scatter / dependence bars, into your axes
    fig = kg.domain_figure(["border"])         # one gap heatmap per policy domain
    fig = kg.year_figure(2010, 2020)           # density and each pair's cooperation, year by year

``open``
    Open the curated data plus files, a store or an endpoint: a ``KnowledgeGraph``.
``queries``
    The names of the shipped questions.
``as_date``
    ISO date strings (``"2015-01-01"``) to dates; every ``as_of`` (here and in
    the library's functions) accepts them.
``KnowledgeGraph``
    ``query``, ``network``, ``metrics``, ``gaps``, ``gap_report``, ``figure``,
    ``gap_figure``, ``domain_figure``, ``year_figure`` (figures are matplotlib ``Figure`` objects;
    ``ax=`` draws into your own axes).
``Table``, ``MetricsTable``
    Query and metrics results: ``.columns``, ``.records()``, ``.to_dataframe()``.
``GraphError``
    The base of every error a user can cause.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_FACADE: dict[str, str] = {
    "open": "graph.notebook",
    "queries": "graph.notebook",
    "as_date": "graph.timeslice",
    "KnowledgeGraph": "graph.notebook",
    "MetricsTable": "graph.notebook",
    "Table": "graph.sparql",
    "GraphError": "graph.errors",
}

__all__ = ["__version__", *sorted(_FACADE)]


def __getattr__(name: str) -> Any:
    """Load a façade name from its module on first use (PEP 562), so ``import graph`` stays light."""
    module = _FACADE.get(name)
    if module is None:
        raise AttributeError(f"module 'graph' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_FACADE})
