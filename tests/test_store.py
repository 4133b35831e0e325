"""The hardened loader: every bad input gets a one-line error naming the file and line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef

from graph.errors import InputError, PolicyError
from graph.store import load_graph, parse_file, rdf_format, shipped_files
from tests.conftest import DATA, Listener

STORE = DATA / "store"
EX = "http://example.org/"


def test_turtle_syntax_error_names_file_and_line() -> None:
    with pytest.raises(InputError, match=r"bad\.ttl:1: Turtle syntax error \(objectList expected\)"):
        parse_file(STORE / "bad.ttl")


def test_ntriples_error_gives_the_line() -> None:
    with pytest.raises(InputError, match=r"bad\.nt:2: N-Triples syntax error"):
        parse_file(STORE / "bad.nt")


def test_broken_json_ld_gives_line_and_column() -> None:
    with pytest.raises(InputError, match=r"broken\.jsonld:5: JSON syntax error \(Expecting value, column 1\)"):
        parse_file(STORE / "broken.jsonld")


def test_unknown_format_is_refused() -> None:
    with pytest.raises(InputError, match="unknown RDF format 'n3x'"):
        rdf_format("n3x")
    with pytest.raises(InputError, match=r"unknown file ending '\.csv'"):
        parse_file(_copy(STORE / "good.ttl", ".csv"))


def _copy(src: Path, suffix: str) -> Path:
    import tempfile

    target = Path(tempfile.mkdtemp()) / f"copy{suffix}"
    target.write_bytes(src.read_bytes())
    return target


def test_non_utf8_is_refused_with_byte_offset() -> None:
    with pytest.raises(InputError, match=r"latin1\.ttl:2: not UTF-8 at byte 50"):
        parse_file(STORE / "latin1.ttl")


def test_empty_file_loads_zero_triples_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    g = parse_file(STORE / "empty.ttl")
    assert len(g) == 0
    assert "0 triples loaded" in caplog.text


def test_content_that_does_not_match_the_ending_suggests_a_format() -> None:
    with pytest.raises(InputError, match=r"jsonld-in\.ttl:1: Turtle syntax error .*pass --format jsonld"):
        parse_file(STORE / "jsonld-in.ttl")
    g = parse_file(STORE / "jsonld-in.ttl", "jsonld")
    assert (URIRef(EX + "a"), URIRef(EX + "p"), Literal("x")) in g


def test_iri_with_a_space_is_refused() -> None:
    with pytest.raises(InputError, match=r"space-iri\.ttl: IRI <http://a b> contains a space"):
        parse_file(STORE / "space-iri.ttl")


def test_ill_typed_literal_is_kept_and_reported_once(caplog: pytest.LogCaptureFixture) -> None:
    g = parse_file(STORE / "illtyped.ttl")
    (value,) = list(g.objects(URIRef(EX + "a"), URIRef(EX + "p")))
    assert str(value) == "12,5" and value.ill_typed
    assert caplog.text.count("is not a valid") == 1


def test_lone_surrogate_is_refused() -> None:
    with pytest.raises(InputError, match=r"surrogate\.jsonld: invalid Unicode"):
        parse_file(STORE / "surrogate.jsonld")


def test_control_characters_are_valid_rdf() -> None:
    g = parse_file(STORE / "control.ttl")
    assert Literal("bell\u0007") in set(g.objects())


def test_billion_laughs_is_refused_fast() -> None:
    start = time.monotonic()
    with pytest.raises(PolicyError, match=r"laughs\.rdf: DTD and entity declarations are not allowed"):
        parse_file(STORE / "laughs.rdf")
    assert time.monotonic() - start < 1.0


def test_external_entity_is_refused() -> None:
    with pytest.raises(PolicyError, match="DTD"):
        parse_file(STORE / "xxe.rdf")


def test_external_parameter_entity_makes_no_request(tmp_path: Path, listener: Listener) -> None:
    doc = tmp_path / "pe.rdf"
    doc.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE r [ <!ENTITY % pe SYSTEM "{listener.url}/x.dtd"> %pe; ]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
    )
    with pytest.raises(PolicyError, match="DTD"):
        parse_file(doc)
    assert listener.hits == []


def test_remote_json_ld_context_is_refused_without_a_request(tmp_path: Path, listener: Listener) -> None:
    doc = tmp_path / "remote.jsonld"
    doc.write_text(f'{{"@context": "{listener.url}/ctx", "@id": "{EX}a", "{EX}p": "x"}}')
    with pytest.raises(PolicyError, match="remote JSON-LD contexts are disabled"):
        parse_file(doc)
    assert listener.hits == []


@pytest.mark.parametrize("name", ["file-context.jsonld", "import-context.jsonld"])
def test_file_json_ld_context_and_import_are_refused(name: str) -> None:
    with pytest.raises(PolicyError, match=name.replace(".", r"\.")):
        parse_file(STORE / name)


def test_url_as_input_is_refused(listener: Listener) -> None:
    with pytest.raises(PolicyError, match="only local files"):
        parse_file(f"{listener.url}/data.ttl")
    assert listener.hits == []


def test_size_cap_is_checked_before_parsing() -> None:
    with pytest.raises(PolicyError, match=r"good\.ttl: \d+ bytes is over the 10-byte limit"):
        parse_file(STORE / "good.ttl", max_bytes=10)


def test_blank_nodes_stay_apart_across_json_ld_files() -> None:
    g = load_graph([STORE / "bnode1.jsonld", STORE / "bnode2.jsonld"], shipped=False, ontology=False)
    subjects = {s for s in g.subjects(URIRef(EX + "name"), None)}
    assert len(subjects) == 2 and all(isinstance(s, BNode) for s in subjects)


def test_every_format_parses() -> None:
    assert len(parse_file(STORE / "good.ttl")) == 3
    assert len(parse_file(STORE / "good.rdf")) == 1
    assert len(parse_file(STORE / "good.trig")) == 1


def test_shipped_data_loads_with_the_ontology() -> None:
    assert shipped_files(), "ontology/data/ holds no Turtle files"
    g = load_graph()
    assert len(g) > 1000


def _counting_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import graph.store as store

    names: list[str] = []
    parse = store.parse_bytes

    def counted(data: bytes, spec: object, *, name: str, base: str | None = None) -> object:
        names.append(Path(name).name)
        return parse(data, spec, name=name, base=base)

    monkeypatch.setattr(store, "parse_bytes", counted)
    return names


def test_a_file_is_parsed_once_while_unchanged_and_each_load_is_a_graph_of_its_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "one.ttl"
    data.write_text(f"<{EX}a> <{EX}p> <{EX}b> .\n", encoding="utf-8")
    parses = _counting_parses(monkeypatch)
    first = load_graph([data], shipped=False, ontology=False)
    first.add((URIRef(EX + "mine"), URIRef(EX + "p"), Literal("changed by the caller")))
    second = load_graph([data], shipped=False, ontology=False)
    assert parses == ["one.ttl"]
    assert set(second) == {(URIRef(EX + "a"), URIRef(EX + "p"), URIRef(EX + "b"))}  # the caller's change is its own


def test_an_edited_file_is_parsed_again_even_at_the_same_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    data = tmp_path / "one.ttl"
    data.write_text(f"<{EX}a> <{EX}p> <{EX}b> .\n", encoding="utf-8")
    parses = _counting_parses(monkeypatch)
    load_graph([data], shipped=False, ontology=False)
    stamp = data.stat().st_mtime_ns
    data.write_text(f"<{EX}a> <{EX}p> <{EX}c> .\n", encoding="utf-8")  # same size
    os.utime(data, ns=(stamp, stamp))  # and the old modification time: the change time still differs
    again = load_graph([data], shipped=False, ontology=False)
    assert parses == ["one.ttl", "one.ttl"]
    assert (URIRef(EX + "a"), URIRef(EX + "p"), URIRef(EX + "c")) in again


def test_a_reused_file_warns_again_as_a_fresh_parse_would(caplog: pytest.LogCaptureFixture) -> None:
    for _ in range(2):
        caplog.clear()
        load_graph([STORE / "illtyped.ttl", STORE / "empty.ttl"], shipped=False, ontology=False)
        assert caplog.text.count("is not a valid") == 1
        assert caplog.text.count("0 triples loaded") == 1


def test_a_quiet_load_neither_loses_the_warnings_of_a_later_one_nor_repeats_them_quietly(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    data = tmp_path / "ill.ttl"
    data.write_bytes((STORE / "illtyped.ttl").read_bytes())
    logger = logging.getLogger("wbsec")
    previous = logger.level
    try:
        for quiet, warned in ((True, 0), (False, 1), (True, 0), (False, 1)):
            logger.setLevel(logging.ERROR if quiet else logging.INFO)  # what wbsec -q does
            caplog.clear()
            load_graph([data], shipped=False, ontology=False)
            assert caplog.text.count("is not a valid") == warned, (quiet, caplog.text)
    finally:
        logger.setLevel(previous)


def test_a_quiet_command_keeps_what_it_read_and_a_later_one_still_warns(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``wbsec -q`` silences the printing only: the file is read once, and a run without -q warns as a fresh read would."""
    from click.testing import CliRunner

    from graph.cli import main

    data = tmp_path / "ill.ttl"
    data.write_bytes((STORE / "illtyped.ttl").read_bytes())
    parses = _counting_parses(monkeypatch)
    args = ["export", "--no-shipped", "--data-only", "--data", str(data), "--format", "nt"]
    runs = [CliRunner().invoke(main, [*quiet, *args]) for quiet in (["-q"], ["-q"], [], ["-q"])]
    assert [r.exit_code for r in runs] == [0, 0, 0, 0]
    assert parses == ["ill.ttl"]
    assert [r.stderr.count("is not a valid") for r in runs] == [0, 0, 1, 0]


def test_the_cache_keeps_at_most_its_bytes_of_files_dropping_the_least_recently_used() -> None:
    from graph.store import FileDerivedCache

    cache: FileDerivedCache[str] = FileDerivedCache(10)
    computed: list[str] = []

    def value(name: str) -> str:
        computed.append(name)
        return name.upper()

    assert cache.get("a", lambda: value("a"), size=4) == "A"
    assert cache.get("b", lambda: value("b"), size=4) == "B"
    assert cache.get("a", lambda: value("a"), size=4) == "A"  # kept; now the most recently used
    cache.get("c", lambda: value("c"), size=4)  # 12 bytes: b, the least recently used, goes
    cache.get("big", lambda: value("big"), size=11)  # over the budget: computed, never kept
    for name in ("a", "c", "b", "big"):
        cache.get(name, lambda name=name: value(name), size=11 if name == "big" else 4)
    assert computed == ["a", "b", "c", "big", "b", "big"]


def test_an_output_that_does_not_read_back_as_its_graph_is_refused() -> None:
    from rdflib import Graph

    from graph.errors import OutputError
    from graph.store import check_round_trip

    g = Graph()
    g.add((URIRef(EX + "a"), URIRef(EX + "p"), Literal("Beograd", lang="sr-Latn")))
    nt = rdf_format("nt")
    check_round_trip(g, f'<{EX}a> <{EX}p> "Beograd"@sr-Latn .\n'.encode(), nt, what="the test")
    with pytest.raises(OutputError, match="^the test does not round-trip to the same graph; nothing written$"):
        check_round_trip(g, f'<{EX}a> <{EX}p> "Beograd"@sr-latn .\n'.encode(), nt, what="the test")
    with pytest.raises(OutputError, match=r"^the JSON-LD dump does not parse back \(\w+\); nothing written$"):
        check_round_trip(g, b'{"@graph": [', rdf_format("jsonld"), what="the JSON-LD dump")
