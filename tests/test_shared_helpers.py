"""The shared IRI, label and file helpers: one definition each, used the same way everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from graph import iri, namespaces, sparql, store
from graph.errors import InputError, PolicyError
from graph.namespaces import RDFS, SKOS, WB


def test_local_name_takes_the_last_segment_and_ignores_a_trailing_separator() -> None:
    assert iri.local_name("https://w3id.org/wbsec/def#Membership") == "Membership"
    assert iri.local_name("https://w3id.org/wbsec/id/AL/") == "AL"
    assert iri.local_name("urn:x") == "urn:x"


@pytest.mark.parametrize("text", ["http://x/a b", "http://x/a\x7fb", "http://x/<a>", "http://x/a|b"])
def test_bad_iri_characters_include_space_brackets_and_delete(text: str) -> None:
    assert iri.BAD_IRI_CHARS.search(text)


def test_a_file_with_delete_in_an_iri_is_refused_like_by_the_store_loader(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nt"
    bad.write_text("<http://example.org/a\x7fb> <http://example.org/p> \"x\" .\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.nt"):
        store.parse_file(bad)


def test_web_urls_are_plain_http_addresses_only() -> None:
    assert iri.is_web_url("https://example.org/a")
    assert not iri.is_web_url("javascript:alert(1)")
    assert not iri.is_web_url("https://example.org/a b")


def test_year_day_and_language_patterns() -> None:
    assert iri.YEAR.match("2015") and not iri.YEAR.match("15")
    assert iri.ISO_DAY.match("2015-01-31") and not iri.ISO_DAY.match("2015-1-31")
    assert iri.LANGUAGE_TAG.match("sr-Latn") and not iri.LANGUAGE_TAG.match("sr_Latn")


def test_label_prefers_english_then_untagged_then_other_languages_whatever_the_triple_order() -> None:
    node = WB.X
    for order in ([("Х", "sr"), ("X plain", None), ("X en", "en-GB")], [("X en", "en-GB"), ("X plain", None), ("Х", "sr")]):
        g = Graph()
        for text, lang in order:
            g.add((node, SKOS.prefLabel, Literal(text, lang=lang)))
        g.add((node, RDFS.label, Literal("lower-ranked property", lang="en")))
        assert namespaces.label_of(g, node) == "X en"
    g = Graph()
    g.add((node, SKOS.prefLabel, Literal("X plain")))
    g.add((node, SKOS.prefLabel, Literal("Х", lang="sr")))
    assert namespaces.label(g, node) == "X plain"


def test_an_unlabelled_node_is_named_by_its_compact_iri() -> None:
    g = namespaces.bind_prefixes(Graph())
    assert namespaces.label(g, WB.Nobody) is None
    assert namespaces.label_of(g, WB.Nobody) == "wb:Nobody"
    assert namespaces.compact(Graph(bind_namespaces="none"), URIRef("http://example.org/x")) == "http://example.org/x"


def test_qname_uses_the_longest_project_prefix_and_needs_no_graph() -> None:
    assert namespaces.qname(str(WB.AL)) == "wb:AL"
    assert namespaces.qname("https://w3id.org/wbsec/def#party") == "wbo:party"
    assert namespaces.qname("http://example.org/x") == "http://example.org/x"


def test_query_files_are_checked_like_every_other_local_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="only local files"):
        sparql.query_from_file("http://example.org/q.rq")
    with pytest.raises(InputError, match="no such file"):
        sparql.query_from_file(tmp_path / "missing.rq")
    big = tmp_path / "big.rq"
    big.write_bytes(b"#" * (sparql.MAX_QUERY_BYTES + 1))
    with pytest.raises(PolicyError, match="limit for a query"):
        sparql.query_from_file(big)
