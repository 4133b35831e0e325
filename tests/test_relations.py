"""Relations are declared, not coded: a rule file plus a table in relations.toml add one, with no code change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from graph import relations as relations_module
from graph.errors import InputError
from graph.project import network_files, projections
from graph.relations import cooperation_relations, relations, symmetric_relations
from graph.store import PROJECTIONS_DIR
from graph.viz import edge_styles, explorer_page

_RULE = """# Edge rule "alliance": two parties of an urn:test:Alliance claim.
# views: actors
SELECT DISTINCT ?source ?target ?claim
WHERE {
  ?claim a <urn:test:Alliance> ;
         <urn:test:party> ?source , ?target .
  FILTER (STR(?source) < STR(?target))
}
ORDER BY ?source ?target ?claim
"""

_TABLE = """
[alliance]
symmetric = true
directed = false
color = "#123456"
caption = "Alliance (test)"
cooperation = true
"""


@pytest.fixture()
def rules_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped rules and relation table with one relation added, and the table pointed at it."""
    folder = tmp_path / "projections"
    shutil.copytree(PROJECTIONS_DIR, folder)
    (folder / "alliance.rq").write_text(_RULE, encoding="utf-8")
    table = folder / "relations.toml"
    table.write_text(table.read_text(encoding="utf-8") + _TABLE, encoding="utf-8")
    monkeypatch.setattr(relations_module, "RELATIONS_FILE", table)
    return folder


def _data() -> Graph:
    g = Graph()
    claim = URIRef("urn:test:claim1")
    g.add((claim, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef("urn:test:Alliance")))
    g.add((claim, URIRef("urn:test:party"), URIRef("urn:test:b")))
    g.add((claim, URIRef("urn:test:party"), URIRef("urn:test:a")))
    return g


def test_a_new_relation_is_symmetric_styled_and_a_tie_of_cooperation_without_code(rules_dir: Path) -> None:
    assert "alliance" in symmetric_relations() and "alliance" in cooperation_relations()
    G = projections(_data(), ["actors"], directory=rules_dir)["actors"]
    edges = [(u, v, d["relation"]) for u, v, d in G.edges(data=True)]
    assert edges == [("urn:test:a", "urn:test:b", "alliance")]
    csv_edges = next(f.data.decode() for f in network_files(G, "csv") if f.suffix == ".edges.csv")
    assert ",Undirected," in csv_edges.splitlines()[1]
    assert edge_styles()["alliance"].color == "#123456"
    page = explorer_page(G).html
    assert "Alliance (test)" in page and "#123456" in page


def test_without_its_table_a_relation_is_directed_and_drawn_as_other(tmp_path: Path) -> None:
    folder = tmp_path / "projections"
    shutil.copytree(PROJECTIONS_DIR, folder)
    (folder / "alliance.rq").write_text(_RULE, encoding="utf-8")
    G = projections(_data(), ["actors"], directory=folder)["actors"]
    csv_edges = next(f.data.decode() for f in network_files(G, "csv") if f.suffix == ".edges.csv")
    assert ",Directed," in csv_edges.splitlines()[1]
    assert "alliance" not in edge_styles()


def test_every_shipped_rule_has_a_table_and_the_shipped_symmetric_set() -> None:
    declared = relations()
    assert {p.stem for p in PROJECTIONS_DIR.glob("*.rq")} <= set(declared)
    assert symmetric_relations() == {"cooperation", "agreement", "shared-affiliation"}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[x]\nsymmetric = true\ndirected = false\ncolor = "#123456"\n', "lacks 'caption'"),
        ('[x]\nsymmetric = "yes"\ndirected = false\ncolor = "#123456"\ncaption = "X"\n', "symmetric must be a bool"),
        ('[x]\nsymmetric = true\ndirected = false\ncolor = "red"\ncaption = "X"\n', "color must be #rrggbb"),
        ('[x]\nsymmetric = true\ndirected = false\ncolor = "#123456"\ncaption = "X"\nshape = 1\n', "unknown key 'shape'"),
        ("x = 1\n", "must be a table"),
    ],
)
def test_a_wrong_table_is_refused_naming_the_file_and_relation(tmp_path: Path, table: str, message: str) -> None:
    path = tmp_path / "relations.toml"
    path.write_text(table, encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        relations(path)
    assert str(path) in str(caught.value)
