"""The notebook façade: ``import graph`` stays light, ``help(graph)`` lists it, the README example runs."""

from __future__ import annotations

import datetime as dt
import pydoc
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

import graph
from graph.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
NET = ROOT / "tests" / "data" / "network"
FACADE = ("open", "queries", "as_date", "KnowledgeGraph", "Table", "MetricsTable", "GraphError")


def _readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Python and notebooks", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "the README's notebook section needs a python example"
    return match.group(1)


@pytest.mark.slow
def test_readme_notebook_example_runs() -> None:
    pytest.importorskip("pandas")
    scope: dict[str, object] = {}
    exec(compile(_readme_example(), "README.md", "exec"), scope)  # noqa: S102 - our own README
    assert isinstance(scope["G"], nx.Graph) and not scope["G"].is_directed()
    assert isinstance(scope["M"], nx.MultiDiGraph)
    assert list(scope["df"].columns[:2]) == ["member", "memberLabel"]
    from matplotlib.figure import Figure

    assert isinstance(scope["fig"], Figure) and len(scope["fig"].axes) >= 2
    assert isinstance(scope["net"], Figure) and isinstance(scope["by_domain"], Figure)


def test_help_lists_the_facade_and_import_stays_light() -> None:
    page = pydoc.render_doc(graph, renderer=pydoc.plaintext)
    for name in FACADE:
        assert name in page, name
    assert set(FACADE) <= set(graph.__all__) and set(FACADE) <= set(dir(graph))
    code = "import sys, graph; print(sorted(m for m in ('rdflib', 'networkx', 'pandas', 'matplotlib') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"
    with pytest.raises(AttributeError):
        graph.no_such_name  # noqa: B018


def test_dates_are_accepted_as_iso_strings() -> None:
    assert graph.as_date("2015-01-01") == graph.as_date(dt.date(2015, 1, 1)) == dt.date(2015, 1, 1)
    assert graph.as_date(dt.datetime(2015, 1, 1, 12)) == dt.date(2015, 1, 1)
    with pytest.raises(InputError, match="ISO date"):
        graph.as_date("1 January 2015")


def test_network_is_simple_and_weighted_by_default_and_the_multigraph_on_request() -> None:
    kg = graph.open([NET / "tiny.ttl"], shipped=False)
    S = kg.network("polities", as_of="2010-06-01")
    M = kg.network("polities", as_of=dt.date(2010, 6, 1), multigraph=True)
    assert type(S) is nx.Graph and isinstance(M, nx.MultiDiGraph)
    assert S.graph["view"] == "polities" and S.graph["as_of"] == "2010-06-01"
    for u, v, d in S.edges(data=True):
        parallel = [e for a, b, e in M.edges(data=True) if {a, b} == {u, v}]
        assert d["weight"] == sum(e["weight"] for e in parallel)


def test_tables_have_named_columns_and_become_dataframes() -> None:
    pytest.importorskip("pandas")
    kg = graph.open([NET / "tiny.ttl"], shipped=False)
    table = kg.query("SELECT ?p ?label WHERE { ?p a wbo:Polity ; skos:prefLabel ?label } ORDER BY ?p")
    df = table.to_dataframe()
    assert list(df.columns) == table.columns == ["p", "label"] and len(df) == len(table)
    assert kg.query("ASK { ?p a wbo:Polity }") is True
    metrics = kg.metrics("polities", metrics=["degree"])
    assert list(metrics.to_dataframe().columns) == metrics.columns == ["id", "label", "kind", "degree"]


def test_figure_is_a_matplotlib_figure_and_draws_into_a_given_axes() -> None:
    from matplotlib.figure import Figure

    kg = graph.open([NET / "tiny.ttl"], shipped=False)
    fig = kg.figure("polities")
    assert isinstance(fig, Figure) and fig.axes
    own = Figure()
    ax = own.add_subplot()
    assert kg.figure("polities", ax=ax) is own


# --- gap figures and ISO dates through the library ------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> graph.KnowledgeGraph:
    return graph.open()


@pytest.fixture(scope="module")
def analysis(shipped: graph.KnowledgeGraph) -> object:
    return shipped.gaps(draws=0)


@pytest.mark.slow
def test_gap_figures_are_figures_and_draw_into_given_axes(shipped: graph.KnowledgeGraph, analysis: object) -> None:
    from matplotlib.figure import Figure

    fig = shipped.gap_figure("heatmap", analysis=analysis)
    assert isinstance(fig, Figure) and fig.axes[0].get_title().startswith("Cooperation gap per pair")
    own = Figure()
    left, right = own.subplots(1, 2)
    assert shipped.gap_figure(["scatter", "dependence"], analysis=analysis, ax=[left, right]) is own
    assert left.collections and right.patches  # points drawn on the left, bars on the right
    single = Figure().add_subplot()
    assert shipped.gap_figure("dependence", analysis=analysis, ax=single) is single.figure
    with pytest.raises(InputError, match="one Axes per panel"):
        shipped.gap_figure(["heatmap", "scatter"], analysis=analysis, ax=single)
    with pytest.raises(InputError, match="unknown plot panel 'pie'"):
        shipped.gap_figure("pie", analysis=analysis)


@pytest.mark.slow
def test_plot_bytes_is_the_gap_figure_saved(analysis: object) -> None:
    import io

    import matplotlib

    from graph.gapcharts import gap_figure, plot_bytes

    with matplotlib.rc_context({"svg.hashsalt": "wbsec", "svg.fonttype": "path", "font.family": "DejaVu Sans"}):
        buf = io.BytesIO()
        gap_figure(analysis, ["heatmap"]).savefig(buf, format="svg", dpi=150, metadata={"Date": None})
    assert plot_bytes(analysis, "svg", ["heatmap"]) == buf.getvalue()


@pytest.mark.slow
def test_domain_heatmaps_are_a_figure_and_draw_into_given_axes(shipped: graph.KnowledgeGraph) -> None:
    from matplotlib.figure import Figure

    fig = shipped.domain_figure(["border", "police"], as_of="2020-01-01")
    assert isinstance(fig, Figure) and "as of 2020-01-01" in fig.get_suptitle()
    own = Figure()
    ax = own.add_subplot()
    assert shipped.domain_figure(["border"], ax=ax) is own and ax.get_title().startswith("border security")


def test_library_entry_points_take_iso_date_strings() -> None:
    from graph.network import ranked_metrics
    from graph.store import load_graph
    from graph.timeline import network_diff
    from graph.timeslice import slice_claims

    g = load_graph([NET / "tiny.ttl"], shipped=False)
    day = dt.date(2010, 1, 1)
    assert slice_claims(g, as_of="2010-01-01").report == slice_claims(g, as_of=day).report
    assert slice_claims(g, as_of="2010").report.as_of == day
    assert slice_claims(g, as_of="2010-01-01T12:00:00").report.as_of == day
    as_text = ranked_metrics(g, "polities", as_of="2010-01-01", metrics=["degree"])
    assert as_text == ranked_metrics(g, "polities", as_of=day, metrics=["degree"])
    assert network_diff(g, "2005-01-01", "2010").end == day
    with pytest.raises(InputError, match="start must be an ISO date"):
        network_diff(g, "last year", "2010")
    with pytest.raises(InputError, match="as_of must be an ISO date"):
        slice_claims(g, as_of="1/1/2015")


@pytest.mark.slow
def test_gap_entry_points_take_iso_date_strings(shipped: graph.KnowledgeGraph) -> None:
    from graph.gaps import cooperation_gaps
    from graph.timeline import gap_report_on

    day = dt.date(2015, 1, 1)
    assert cooperation_gaps(shipped.backend, draws=0, as_of="2015-01-01").as_of == day
    assert gap_report_on(shipped.backend, "csv", as_of="2015-01-01", draws=0).text == \
        gap_report_on(shipped.backend, "csv", as_of=day, draws=0).text


def test_year_figure_is_the_by_year_chart() -> None:
    from matplotlib.figure import Figure

    kg = graph.open([ROOT / "tests" / "data" / "timeline" / "three-polities.ttl"], shipped=False)
    fig = kg.year_figure(2010, 2013)
    assert isinstance(fig, Figure)
    assert fig.axes[0].get_title().startswith("Regional density") and len(fig.axes) >= 4
