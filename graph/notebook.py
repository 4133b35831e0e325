"""The notebook façade: one object that opens the data and answers with tables, NetworkX graphs and figures.

``graph.open()`` returns a :class:`KnowledgeGraph`; each method is one call
into the library (:mod:`graph.sparql`, :mod:`graph.project`,
:mod:`graph.metrics`, :mod:`graph.gaps`, :mod:`graph.report`) with the
notebook's conveniences added: dates as ISO strings, tables that become pandas
DataFrames in one call, a simple weighted NetworkX graph by default and
matplotlib ``Figure`` objects (never pyplot state, never a file).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.backends import open_backend
from graph.domains import gaps_by_domain, heatmaps_figure
from graph.errors import InputError
from graph.gapcharts import gap_figure
from graph.gaps import cooperation_gaps, load_config
from graph.metrics import node_metrics, row_dict, simple_graph
from graph.project import to_networkx
from graph.sparql import named_queries, run
from graph.timeline import chart_figure, gap_report_on, gaps_by_year
from graph.timeslice import DateLike, as_date, sliced
from graph.viz import layout_positions

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from graph.backends import Backend
    from graph.gaps import GapAnalysis
    from graph.metrics import MetricsReport
    from graph.sparql import Table

def dataframe(columns: Sequence[str], records: list[dict[str, object]]) -> Any:
    """A pandas DataFrame with the given ``columns``; pandas comes with the ``notebook`` extra."""
    try:
        import pandas as pd
    except ImportError as exc:
        raise InputError("pandas is not installed: pip install 'wbsec[notebook]'") from exc
    return pd.DataFrame.from_records(records, columns=list(columns))


@dataclass(frozen=True)
class MetricsTable:
    """Node metrics as a table: ``columns`` (id, label, kind, then each metric) and one record per node."""

    report: MetricsReport

    @property
    def columns(self) -> list[str]:
        """The column names, in order."""
        return ["id", "label", "kind", *self.report.metrics]

    def records(self) -> list[dict[str, object]]:
        """One dict per node, in rank order."""

        return [row_dict(r, self.report.metrics) for r in self.report.rows]

    def to_dataframe(self) -> Any:
        """The table as a pandas DataFrame (needs the ``notebook`` extra)."""
        return dataframe(self.columns, self.records())

    def __len__(self) -> int:
        return len(self.report.rows)


class KnowledgeGraph:
    """The data wbsec reads (in memory, an on-disk store or a SPARQL endpoint) and the questions it answers.

    Make one with :func:`open`. Methods never print and never write files.
    """

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def __repr__(self) -> str:
        return f"<wbsec KnowledgeGraph: {self.backend.description()}>"

    def close(self) -> None:
        """Release the store or endpoint connection."""
        self.backend.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- questions -------------------------------------------------------------------------

    def query(self, query: str, *, timeout: float | None = 30.0, max_rows: int | None = None,
              **params: object) -> Table | bool | Any:
        """Run a named question (``"members"``, see :func:`queries`) or SPARQL text.

        SELECT gives a :class:`graph.sparql.Table` (``.columns``, ``.records()``,
        ``.to_dataframe()``), ASK a ``bool``, CONSTRUCT/DESCRIBE an rdflib graph.
        Keyword arguments are the question's parameters (``org="wb:NATO"``),
        bound as RDF terms, never pasted into the text.
        """

        return run(self.backend, query, timeout=timeout, max_rows=max_rows, params=params)

    # -- networks --------------------------------------------------------------------------

    def network(self, view: str = "actors", *, as_of: DateLike = None, multigraph: bool = False) -> nx.Graph:
        """The network ``view`` (actors, polities, affiliation, signed) on the day ``as_of``.

        By default a simple undirected weighted ``networkx.Graph``: one tie per
        pair, ``weight`` the sum of the claims' weights, ``sign`` the sign of
        their signed sum, ``n_<relation>`` how many claims of each relation.
        Standard NetworkX calls (``nx.pagerank(G)``) then agree with ``wbsec
        metrics``. ``multigraph=True`` gives the full ``MultiDiGraph``: one edge
        per claim with every attribute (symmetric relations stored once).
        """

        M = to_networkx(self.backend, view, as_of=as_date(as_of))
        if multigraph:
            return M
        S = simple_graph(M)
        S.graph.update(M.graph)
        return S

    def metrics(self, view: str = "actors", *, as_of: DateLike = None, metrics: Sequence[str] | None = None,
                top: int | None = None) -> MetricsTable:
        """Centrality and broker metrics of ``view`` (see ``wbsec metrics``) as a table."""

        return MetricsTable(node_metrics(to_networkx(self.backend, view, as_of=as_date(as_of)), metrics, top=top))

    # -- gaps ------------------------------------------------------------------------------

    def gaps(self, config: str | Path | None = None, *, as_of: DateLike = None, draws: int | None = None,
             seed: int | None = None) -> GapAnalysis:
        """The cooperation-gap analysis (ranked dyads, external dependence, profiles, suggestions).

        ``as_of`` keeps the claims valid on that day (as ``wbsec gaps --as-of``);
        ``draws`` Monte Carlo draws (default: the configuration's; 0 for none).
        """

        day = as_date(as_of)
        data, _notes = sliced(self.backend, as_of=day)
        return cooperation_gaps(data, load_config(config), draws=draws, seed=seed, as_of=day)

    def gap_report(self, fmt: str = "md", config: str | Path | None = None, *, as_of: DateLike = None) -> str:
        """The gap report as ``wbsec gaps`` prints it (``table``, ``csv``, ``json`` or ``md``)."""

        report = gap_report_on(self.backend, fmt, as_of=as_date(as_of), config=config)
        return report.text

    # -- figures ---------------------------------------------------------------------------

    def figure(self, view: str = "polities", *, as_of: DateLike = None, metric: str = "weighted_degree",
               ax: Axes | None = None) -> Figure:
        """A drawing of ``view`` as a matplotlib ``Figure``: node size by ``metric``, tie width by weight.

        Pass ``ax`` to draw into an existing axes (the figure returned is then
        ``ax.figure``). The layout is deterministic.
        """
        from matplotlib.figure import Figure

        import networkx as nx

        S = self.network(view, as_of=as_of)
        values = {r.id: r.value(metric) or 0.0 for r in node_metrics(S, [metric]).rows}
        if ax is None:
            fig = Figure(figsize=(8, 6), layout="constrained")
            ax = fig.add_subplot()
        top = max(values.values(), default=0.0) or 1.0
        pos = layout_positions(S)
        nx.draw_networkx_edges(S, pos, ax=ax, width=[0.5 + float(d.get("weight", 1.0)) ** 0.5
                                                     for _u, _v, d in S.edges(data=True)], alpha=0.5)
        nx.draw_networkx_nodes(S, pos, ax=ax, node_size=[80 + 900 * float(values.get(n, 0.0)) / top for n in S])
        nx.draw_networkx_labels(S, pos, ax=ax, labels={n: str(d.get("label", n)) for n, d in S.nodes(data=True)},
                                font_size=8)
        when = f" on {as_date(as_of)}" if as_of is not None else ""
        ax.set_title(f"{view} view{when}: node size = {metric}")
        ax.set_axis_off()
        figure = ax.figure
        assert figure is not None
        return figure  # type: ignore[return-value]

    def gap_figure(self, panels: str | Sequence[str] = "heatmap", *, analysis: GapAnalysis | None = None,
                   as_of: DateLike = None, ax: Axes | Sequence[Axes] | None = None) -> Figure:
        """The gap results as a matplotlib ``Figure``: ``heatmap``, ``scatter`` (demand against practice),
        ``dependence`` (who carries the shortest paths), or several of them side by side.

        ``analysis`` is a result of :meth:`gaps` (computed, without draws, when
        not given). Pass ``ax`` (one ``Axes`` per panel) to draw into your own axes.
        """

        an = analysis if analysis is not None else self.gaps(as_of=as_of, draws=0)
        return gap_figure(an, panels, ax=ax)

    def domain_figure(self, domains: Sequence[str] = (), *, as_of: DateLike = None,
                      ax: Axes | Sequence[Axes] | None = None) -> Figure:
        """One gap heatmap per policy domain (``wbsec gaps --by-domain``) as a matplotlib ``Figure``.

        ``domains`` are names such as ``"border"`` (default: every domain a claim
        belongs to); ``ax`` is one ``Axes`` per domain.
        """

        return heatmaps_figure(gaps_by_domain(self.backend, domains, as_of=as_of), as_of=as_of, ax=ax)

    def year_figure(self, start: int, end: int, *, domains: Sequence[str] = ()) -> Figure:
        """Regional density, external dependence and each pair's cooperation on 31 December of every year
        from ``start`` to ``end`` (``wbsec gaps --by-year``), as a matplotlib ``Figure``."""

        return chart_figure(gaps_by_year(self.backend, start, end, domains=domains))


def open(  # noqa: A001 - ``graph.open`` reads like the standard library's openers
    files: Sequence[str | Path] = (),
    *,
    shipped: bool = True,
    store: str | Path | None = None,
    endpoint: str | None = None,
    graph: str | None = None,
    timeout: float | None = None,
) -> KnowledgeGraph:
    """Open the curated data plus ``files`` in memory, or a ``store`` (``wbsec load``), or an ``endpoint``.

    ``files`` are RDF files read as ``--data`` reads them; ``shipped=False``
    leaves the curated data out. A store or an endpoint is read as it is
    (files cannot be added to it here). ``graph`` names the endpoint's graph
    to read (``--graph``: sent as ``default-graph-uri``, and checked to hold
    wbsec data before the first query); ``timeout`` caps every query in
    seconds (``--timeout``).
    """

    return KnowledgeGraph(open_backend(files, shipped=shipped, store=store, endpoint=endpoint, graph=graph,
                                       timeout_limit=timeout))


def queries() -> list[str]:
    """The names of the shipped questions (``ontology/queries/*.rq``)."""

    return [q.name for q in named_queries()]
