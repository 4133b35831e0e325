"""The network commands: metrics, neighbours, path and export --view, success and failure paths."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click
import networkx as nx
import pytest
from click.testing import CliRunner, Result

from graph.cli import main
from graph.cli.metrics import command as metrics_command
from graph.metrics import METRICS
from graph.project import VIEWS

NET = Path(__file__).resolve().parent / "data" / "network"
TINY = ["--no-shipped", "--data", str(NET / "tiny.ttl")]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cli_choices_are_the_library_names() -> None:
    params = {p.name: p for p in metrics_command.params}
    assert isinstance(params["view"].type, click.Choice) and isinstance(params["metric"].type, click.Choice)
    assert tuple(params["view"].type.choices) == VIEWS
    assert tuple(params["metric"].type.choices) == METRICS


@pytest.mark.parametrize("name", ["metrics", "neighbours", "path"])
def test_help(name: str) -> None:
    r = invoke(name, "--help")
    assert r.exit_code == 0 and "--view" in r.stdout and "--as-of" in r.stdout


# --- metrics -----------------------------------------------------------------------------------


def test_betweenness_json_matches_networkx_recomputed_from_the_graphml_export(tmp_path: Path) -> None:
    r = invoke("metrics", "--view", "actors", "--metric", "betweenness", "--format", "json")
    assert r.exit_code == 0, r.stderr
    rows = json.loads(r.stdout)
    out = tmp_path / "actors.graphml"
    e = invoke("export", "--view", "actors", "--format", "graphml", "--output", str(out))
    assert e.exit_code == 0, e.stderr
    M = nx.read_graphml(out, force_multigraph=True)
    S = nx.Graph()
    S.add_nodes_from(M.nodes)
    S.add_edges_from((u, v) for u, v in M.edges() if u != v)
    expected = nx.betweenness_centrality(S)
    assert {row["id"] for row in rows} == set(expected)
    for row in rows:
        assert set(row) == {"id", "label", "kind", "betweenness"}
        assert row["betweenness"] == pytest.approx(expected[row["id"]], abs=1e-9)
        assert row["label"] == M.nodes[row["id"]]["label"] and row["kind"] == M.nodes[row["id"]]["kind"]
    values = [row["betweenness"] for row in rows]
    assert values == sorted(values, reverse=True)


def test_metrics_json_has_one_key_per_metric() -> None:
    r = invoke("metrics", *TINY, "--view", "polities", "--format", "json")
    assert r.exit_code == 0
    rows = json.loads(r.stdout)
    assert [row["id"].rsplit("/", 1)[-1] for row in rows][:1] == ["AL"]
    assert list(rows[0]) == ["id", "label", "kind", *METRICS]


def test_metrics_csv_and_table_and_top() -> None:
    r = invoke("metrics", *TINY, "--view", "polities", "--metric", "weighted_degree", "--metric", "degree",
               "--format", "csv", "--top", "2")
    assert r.exit_code == 0
    assert list(csv.reader(io.StringIO(r.stdout))) == [
        ["id", "label", "kind", "weighted_degree", "degree"],
        ["https://w3id.org/wbsec/id/AL", "Albania", "polity", "10.0", "3"],
        ["https://w3id.org/wbsec/id/ME", "Montenegro", "polity", "7.0", "3"],
    ]
    t = invoke("metrics", *TINY, "--view", "polities", "--metric", "core")
    assert t.exit_code == 0
    lines = t.stdout.splitlines()
    assert lines[0].split() == ["#", "label", "kind", "core"] and "Albania" in lines[2]


def test_metrics_signed_view_reports_balance_on_stderr() -> None:
    r = invoke("metrics", "--no-shipped", "--data", str(NET / "signed.ttl"), "--view", "signed",
               "--metric", "positive_ties", "--metric", "negative_ties", "--format", "json")
    assert r.exit_code == 0
    assert "2 of 4 signed triads balanced (share 0.500)" in r.stderr
    got = {row["label"]: (row["positive_ties"], row["negative_ties"]) for row in json.loads(r.stdout)}
    assert got == {"Albania": (2, 1), "Russia": (2, 1), "Kosovo": (1, 2), "Serbia": (1, 2)}


def test_metrics_as_of_and_samples() -> None:
    r = invoke("metrics", *TINY, "--view", "affiliation", "--as-of", "2010-06-01", "--metric", "degree",
               "--format", "json")
    assert r.exit_code == 0
    degree = {row["label"]: row["degree"] for row in json.loads(r.stdout)}
    assert degree["North Atlantic Treaty Organization"] == 2  # AL 2009, RS 2006; ME joined 2017
    s = invoke("metrics", *TINY, "--metric", "betweenness", "--samples", "3", "--format", "json")
    assert s.exit_code == 0 and "estimated from 3 sampled source nodes" in s.stderr


@pytest.mark.parametrize("args", [
    ["--metric", "fame"],
    ["--as-of", "2010"],
    ["--as-of", "June 2010"],
    ["--view", "everything"],
    ["--top", "-1"],
    ["--samples", "-5"],
])
def test_metrics_bad_options_exit_2(args: list[str]) -> None:
    assert invoke("metrics", *TINY, *args).exit_code == 2


def test_metrics_broken_data_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://a> <http://b> .\n")
    r = invoke("metrics", "--data", str(bad))
    assert r.exit_code == 2 and "bad.ttl:1" in r.stderr


# --- neighbours --------------------------------------------------------------------------------


def test_neighbours_json_lists_the_claims() -> None:
    r = invoke("neighbours", *TINY, "Russia", "--format", "json")
    assert r.exit_code == 0, r.stderr
    ego = json.loads(r.stdout)
    assert ego["center"]["id"] == "https://w3id.org/wbsec/id/RU" and ego["depth"] == 1
    assert sorted(t["claim"].rsplit("/", 1)[-1] for t in ego["ties"]) == ["obs-1", "st-1", "st-1", "st-2"]
    assert {n["label"] for n in ego["nodes"]} == {"Russia", "Albania", "Serbia", "Ana Minister"}


def test_neighbours_table_csv_and_depth() -> None:
    r = invoke("neighbours", *TINY, "wb:RCC")
    assert r.exit_code == 0
    assert "Regional Cooperation Council <wb:RCC>, view actors, depth 1: 2 neighbours, 2 ties" in r.stderr
    assert "wb:chg-sp-rcc" in r.stdout and "succession" in r.stdout
    c = invoke("neighbours", *TINY, "https://w3id.org/wbsec/id/RCC", "--format", "csv", "--depth", "2")
    rows = list(csv.DictReader(io.StringIO(c.stdout)))
    assert c.exit_code == 0 and {r_["relation"] for r_ in rows} >= {"host", "support", "pillar", "succession"}


def test_neighbours_unknown_node_exits_2_with_suggestion() -> None:
    r = invoke("neighbours", *TINY, "Albnia")
    assert r.exit_code == 2 and "did you mean 'Albania'" in r.stderr and r.stdout == ""


def test_neighbours_ambiguous_label_exits_2_listing_candidates() -> None:
    r = invoke("neighbours", *TINY, "interior ministry")
    assert r.exit_code == 2
    assert "ambiguous" in r.stderr and "ministry-al" in r.stderr and "ministry-rs" in r.stderr


def test_neighbours_node_outside_the_view_exits_2() -> None:
    r = invoke("neighbours", *TINY, "NATO", "--view", "polities")
    assert r.exit_code == 2 and "not a node of the 'polities' view" in r.stderr


# --- path --------------------------------------------------------------------------------------


def test_path_lists_every_hop_with_its_claims() -> None:
    r = invoke("path", "--no-shipped", "--data", str(NET / "clusters.ttl"), "Albania", "Kosovo", "--view", "polities")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[0] == "1. Albania -> Montenegro -> North Macedonia -> Kosovo  (3 hops)"
    assert "wb:c7" in r.stdout
    j = invoke("path", "--no-shipped", "--data", str(NET / "clusters.ttl"), "wb:AL", "wb:XK", "--view", "polities",
               "--format", "json")
    report = json.loads(j.stdout)
    assert [[t["claim"].rsplit("/", 1)[-1] for t in hop] for hop in report["paths"][0]["hops"]] == [
        ["c2"], ["c7"], ["c5"]]


def test_path_without_a_path_exits_0_and_says_so() -> None:
    r = invoke("path", *TINY, "Bosnia and Herzegovina", "Russia", "--view", "polities")
    assert r.exit_code == 2  # Russia is not in the polities view
    s = invoke("path", *TINY, "wb:NATO", "wb:RU", "--view", "affiliation")
    assert s.exit_code == 2
    # in 2010 Russia is in the actors view (every actor is) but none of its ties had begun
    t = invoke("path", *TINY, "wb:BA", "wb:RU", "--as-of", "2010-06-01", "--format", "json")
    assert t.exit_code == 0 and json.loads(t.stdout)["paths"] == []
    assert "No path between Bosnia and Herzegovina and Russia in the actors view" in t.stderr
    u = invoke("path", *TINY, "wb:BA", "wb:RU", "--as-of", "2010-06-01")
    assert u.exit_code == 0 and u.stdout == ""


def test_path_unknown_node_exits_2() -> None:
    r = invoke("path", *TINY, "Albania", "Atlantis")
    assert r.exit_code == 2 and "Atlantis" in r.stderr


# --- export --view -----------------------------------------------------------------------------


def test_export_csv_writes_nodes_and_edges_tables(tmp_path: Path) -> None:
    target = tmp_path / "net.csv"
    r = invoke("export", *TINY, "--view", "polities", "--format", "csv", "--output", str(target))
    assert r.exit_code == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.edges.csv", "net.nodes.csv"]
    nodes = list(csv.DictReader((tmp_path / "net.nodes.csv").open(encoding="utf-8")))
    edges = list(csv.DictReader((tmp_path / "net.edges.csv").open(encoding="utf-8")))
    assert [n["Label"] for n in nodes] == ["Albania", "Bosnia and Herzegovina", "Montenegro", "Serbia"]
    assert len(edges) == 10 and all(e["claim"] for e in edges)
    only = invoke("export", *TINY, "--view", "polities", "--format", "csv")
    assert only.stdout.startswith("Source,Target,Type,Id,Label,Weight") and "--output" in only.stderr


def test_export_gexf_and_graphml_read_back(tmp_path: Path) -> None:
    from lxml import etree

    g = invoke("export", *TINY, "--view", "signed", "--format", "gexf")
    assert g.exit_code == 0
    edges = etree.fromstring(g.stdout_bytes).iter("{http://www.gexf.net/1.2draft}edge")
    types = {e.get("label"): e.get("type") for e in edges}
    assert types["agreement"] == types["cooperation"] == "undirected" and types["statement"] == "directed"
    p = invoke("export", *TINY, "--view", "polities", "--format", "gexf")  # all ties both ways: NetworkX reads it
    G = nx.read_gexf(io.BytesIO(p.stdout_bytes))
    assert not G.is_directed() and G.nodes["https://w3id.org/wbsec/id/AL"]["label"] == "Albania"
    m = invoke("export", *TINY, "--format", "graphml", "--as-of", "2010-06-01")  # graph format: actors view
    H = nx.read_graphml(io.BytesIO(m.stdout_bytes), force_multigraph=True)
    # 6 = NATO AL (2009) and RS (2006), the 2008 succession, pillar, host, support; the undated claims
    # (WBCTi memberships, cooperation, st-3) go: their source gives no date
    assert H.graph["view"] == "actors" and H.graph["as_of"] == "2010-06-01" and H.number_of_edges() == 6
    assert "undated claims kept because their source dates them on or before that day: 0, dropped: 8" in m.stderr


def test_export_view_with_an_rdf_format_exits_2() -> None:
    r = invoke("export", *TINY, "--view", "signed", "--format", "ttl")
    assert r.exit_code == 2 and "graphml|gexf|csv" in r.stderr


def test_export_rdf_is_unchanged() -> None:
    r = invoke("export", *TINY, "--format", "nt", "--data-only")
    assert r.exit_code == 0
    assert "<https://w3id.org/wbsec/id/m-al-nato> <http://www.w3.org/ns/org#member>" in r.stdout
    t = invoke("export", *TINY)
    assert t.exit_code == 0 and "@prefix" in t.stdout


def test_export_view_write_failure_exits_4_and_leaves_the_target(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "net.graphml"
    r = invoke("export", *TINY, "--view", "actors", "--format", "graphml", "--output", str(target))
    assert r.exit_code == 4 and not target.exists()
