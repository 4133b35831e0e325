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


def test_readme_notebook_example_runs() -> None:
    pytest.importorskip("pandas")
    scope: dict[str, object] = {}
    exec(compile(_readme_example(), "README.md", "exec"), scope)  # noqa: S102 - our own README
    assert isinstance(scope["G"], nx.Graph) and not scope["G"].is_directed()
    assert isinstance(scope["M"], nx.MultiDiGraph)
    assert list(scope["df"].columns[:2]) == ["member", "memberLabel"]
    from matplotlib.figure import Figure

    assert isinstance(scope["fig"], Figure)


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
