"""graph.validate: the SHACL report, its text and JSON forms, and how shapes are handled."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

import graph.validate as validate_module
from graph.errors import InputError
from graph.store import SHAPES_FILE, load_graph
from graph.validate import ValidationReport, Violation, format_report, report_json, validate

SHAPES_DATA = Path(__file__).resolve().parent / "data" / "shapes"


def _graph(*names: str) -> Graph:
    return load_graph([SHAPES_DATA / "_base.ttl", *(SHAPES_DATA / f"{n}.ttl" for n in names)], shipped=False)


def test_empty_graph_conforms() -> None:
    assert validate(Graph()) == ValidationReport(conforms=True, violations=[])
    assert format_report(ValidationReport(True, []), Graph()) == "Conforms: the data satisfies every shape.\n"


def test_one_result_per_rule_even_when_several_constraints_fail() -> None:
    # "45%" fails sh:datatype, sh:minInclusive and sh:maxInclusive of one shape: reported once.
    report = validate(_graph("percentage-text"))
    assert report.violations == [
        Violation(
            focus="https://w3id.org/wbsec/id/bad",
            shape="https://w3id.org/wbsec/shapes#Percentage-value",
            path="https://w3id.org/wbsec/def#percentage",
            value='"45%"',
            severity="Violation",
            message=report.violations[0].message,
        )
    ]
    assert report.violations[0].message.startswith("wbo:percentage must be a decimal between 0 and 100")


def test_results_are_sorted_and_repeatable() -> None:
    g = _graph("bilateral-party-not-polity", "percentage-over-100", "claim-no-source", "actor-no-name")
    first = validate(g)
    assert first == validate(g)
    keys = [(v.shape, v.focus, v.path or "", v.value or "") for v in first.violations]
    assert keys == sorted(keys)
    assert not first.conforms


def test_format_report_groups_by_shape_and_focus_with_labels() -> None:
    g = _graph("bilateral-party-not-polity", "percentage-over-100", "actor-no-name")
    text = format_report(validate(g), g)
    assert text.splitlines()[0] == "Does not conform: 2 violations, 1 warning."
    assert "Shape wbsh:BilateralCooperation-partyPolity\n  wb:bad\n    Violation wbo:party: Each party" in text
    assert "      value: wb:EU (European Union)" in text
    assert '      value: "150.0"^^xsd:decimal' in text
    assert "Shape wbsh:ActorNameShape\n  wb:bad\n    Warning: This actor has no name" in text
    # shapes appear in sorted order, each once
    shape_lines = [line for line in text.splitlines() if line.startswith("Shape ")]
    assert shape_lines == sorted(set(shape_lines))


def test_warnings_alone_still_conform() -> None:
    g = _graph("actor-no-name")
    report = validate(g)
    assert report.conforms
    assert format_report(report, g).startswith("Conforms: 1 warning.")


def test_report_json_is_plain_and_deterministic() -> None:
    report = validate(_graph("bilateral-no-outcome"))
    payload = json.loads(report_json(report))
    assert payload["conforms"] is False
    assert payload["violations"][0]["shape"] == "https://w3id.org/wbsec/shapes#BilateralCooperationOutcomeShape"
    assert payload["violations"][0]["path"] is None
    assert report_json(report) == report_json(validate(_graph("bilateral-no-outcome")))


def test_callers_shapes_graph_is_left_unchanged() -> None:
    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    before = Graph()
    for triple in shapes:
        before.add(triple)
    report = validate(_graph("agreement-one-party"), shapes)
    assert not report.conforms
    assert isomorphic(shapes, before)


def test_unusable_shapes_become_input_error() -> None:
    broken = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount "two" ] .""",
        format="turtle",
    )
    with pytest.raises(InputError) as caught:
        validate(Graph(), broken)
    message = str(caught.value)
    assert "\n" not in message
    assert "sh:minCount" in message


def test_shapes_file_with_a_syntax_error_is_input_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "shapes.ttl"
    bad.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\nsh:a sh:b .\n<http://x> <http://y> .\n", encoding="utf-8")
    monkeypatch.setattr(validate_module, "_shapes_file", lambda: bad)
    with pytest.raises(InputError) as caught:
        validate(Graph())
    assert str(bad) in str(caught.value)


def test_concurrent_validations_agree() -> None:
    g = _graph("bilateral-one-party", "observation-no-dataset")
    expected = validate(g)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: validate(g), range(8)))
    assert all(r == expected for r in results)


def test_a_sparql_constraint_is_parsed_once_for_all_its_focus_nodes(monkeypatch: pytest.MonkeyPatch) -> None:
    # The conflict shape's sh:sparql query runs once per focus node; rdflib's slow parser must see it once.
    import rdflib.plugins.sparql.processor as processor

    parsed: list[str] = []
    parse = processor.parseQuery
    monkeypatch.setattr(processor, "parseQuery", lambda text: parsed.append(text) or parse(text))
    validate_module._prepared_query.cache_clear()
    report = validate(_graph("conflict-different-things"))
    assert not report.conforms
    assert {v.focus.rsplit("/", 1)[-1] for v in report.violations} == {"bad", "other"}  # two focus nodes
    assert len(parsed) == 1 and "conflictsWith" in parsed[0]
    validate_module._prepared_query.cache_clear()
    monkeypatch.setattr(validate_module, "_PreparingGraph", type("Plain", (), {"view_of": staticmethod(lambda g: g)}))
    assert validate(_graph("conflict-different-things")) == report  # rdflib's own path gives the same report
    assert len(parsed) == 3  # ... parsing once per focus node


def test_validation_sees_the_callers_graph_and_leaves_it_as_it_was() -> None:
    data = _graph("conflict-different-things")
    before = len(data)
    view = validate_module._PreparingGraph.view_of(data)
    assert view is not data and view.store is data.store and len(view) == before
    validate(data)
    assert len(data) == before
