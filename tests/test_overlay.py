"""A graph of one's own on top of a shared one (graph.overlay), the shared union of files, and the import's use of both."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from graph.namespaces import RDF, SKOS, WB, WBO
from graph.overlay import overlay
from graph.store import TBOX_FILE, load_files, load_files_shared, shipped_files
from graph.tabular import import_csv
from graph.tabular.index import Index
from graph.validate import validate

EX = "http://example.org/"


def _t(s: str, o: str) -> tuple[URIRef, URIRef, URIRef]:
    return URIRef(EX + s), URIRef(EX + "p"), URIRef(EX + o)


def test_reads_see_both_parts_and_writes_reach_only_the_additions() -> None:
    base = Graph()
    base.add(_t("a", "b"))
    mine = overlay(base)
    mine.add(_t("b", "c"))
    mine.add(_t("a", "b"))  # already in the base: not a second copy
    assert set(mine) == {_t("a", "b"), _t("b", "c")}
    assert len(mine) == 2
    assert set(base) == {_t("a", "b")}
    assert set(mine.objects(URIRef(EX + "a"), URIRef(EX + "p"))) == {URIRef(EX + "b")}
    assert _t("b", "c") in mine and _t("b", "c") not in base


def test_sparql_reads_across_both_parts() -> None:
    base = Graph()
    base.add(_t("a", "b"))
    mine = overlay(base)
    mine.add(_t("b", "c"))
    rows = mine.query("SELECT ?z WHERE { ?x <http://example.org/p> ?y . ?y <http://example.org/p> ?z }")
    assert [str(r[0]) for r in rows] == [EX + "c"]


def test_the_shared_part_cannot_be_removed_but_additions_can() -> None:
    base = Graph()
    base.add(_t("a", "b"))
    mine = overlay(base)
    mine.add(_t("b", "c"))
    mine.remove(_t("b", "c"))
    assert set(mine) == {_t("a", "b")}
    with pytest.raises(ValueError, match="shared graph"):
        mine.remove(_t("a", "b"))
    assert set(base) == {_t("a", "b")}


def test_validation_of_a_view_is_that_of_a_copy() -> None:
    base = load_files_shared([TBOX_FILE, *shipped_files()])
    before = len(base)
    mine = overlay(base)
    copy = load_files([TBOX_FILE, *shipped_files()])
    broken = URIRef(EX + "claim")
    for g in (mine, copy):  # an agreement without its source or parties
        g.add((broken, RDF.type, WBO.Agreement))
        g.add((broken, SKOS.prefLabel, Literal("x", lang="en")))
    seen, expected = validate(mine, focus=[broken]), validate(copy, focus=[broken])
    assert not expected.conforms
    assert seen.violations == expected.violations
    assert len(base) == before


def test_the_union_of_files_is_merged_once_while_they_are_unchanged(tmp_path: Path) -> None:
    one, two = tmp_path / "one.ttl", tmp_path / "two.ttl"
    one.write_text(f"<{EX}a> <{EX}p> <{EX}b> .\n", encoding="utf-8")
    two.write_text(f"<{EX}b> <{EX}p> <{EX}c> .\n", encoding="utf-8")
    first = load_files_shared([one, two])
    assert load_files_shared([one, two]) is first
    assert set(first) == set(load_files([one, two]))
    two.write_text(f"<{EX}b> <{EX}p> <{EX}d> .\n", encoding="utf-8")
    again = load_files_shared([one, two])
    assert again is not first and _t("b", "d") in again and _t("b", "c") not in again


def test_an_index_of_a_shared_graph_is_each_caller_own() -> None:
    base = load_files_shared([TBOX_FILE, *shipped_files()])
    first = Index.of_shared(base)
    new = WB["new-thing"]
    first.add(new, [WBO.Actor], ["Albania"])
    second = Index.of_shared(base)
    assert new in first.types and new not in second.types
    assert new not in second.by_label.get("albania", set())
    fresh = Index(base)
    assert second.types == fresh.types and second.by_label == fresh.by_label and second.labels == fresh.labels


def test_imports_leave_the_shared_graph_as_it_was() -> None:
    base = load_files_shared([TBOX_FILE, *shipped_files()])
    before = set(base)
    example = Path(__file__).resolve().parents[1] / "ontology" / "examples" / "agreements.csv"
    result = import_csv([example], "agreements")
    assert len(result.graph) > 0
    assert set(base) == before
