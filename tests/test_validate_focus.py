"""validate(focus=...): only the focus nodes' results, the same ones a full validation gives them."""

from __future__ import annotations

from pathlib import Path

from pyshacl.validator import Validator
from rdflib import Graph, URIRef

from graph.store import load_graph
from graph.validate import validate

SHAPES_DATA = Path(__file__).resolve().parent / "data" / "shapes"
CASES = ("bilateral-party-not-polity", "percentage-over-100", "claim-no-source", "actor-no-name", "conforming")


def _graph() -> Graph:
    """The base fixture plus each failing case under its own IRI (every case file names its resource wb:bad)."""
    g = load_graph([SHAPES_DATA / "_base.ttl"], shipped=False)
    for i, name in enumerate(CASES):
        text = (SHAPES_DATA / f"{name}.ttl").read_text(encoding="utf-8")
        g.parse(data=text.replace("wb:bad ", f"wb:bad{i} ").replace("wb:bad\n", f"wb:bad{i}\n"), format="turtle")
    return g


def test_focus_gives_the_full_reports_results_for_those_nodes_only() -> None:
    g = _graph()
    full = validate(g)
    failing = sorted({v.focus for v in full.violations})
    assert len(failing) >= 3
    chosen = failing[::2]
    focused = validate(g, focus=[URIRef(f) for f in chosen])
    assert focused.violations == [v for v in full.violations if v.focus in chosen]
    assert not focused.conforms


def test_focus_on_conforming_nodes_conforms() -> None:
    g = _graph()
    failing = {v.focus for v in validate(g).violations}
    ours = (s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith("https://w3id.org/wbsec/id/"))
    quiet = sorted({s for s in ours if str(s) not in failing})
    assert quiet
    assert validate(g, focus=quiet).conforms


def test_pyshacl_focus_test_is_a_set_lookup_once_a_focus_is_given() -> None:
    g = _graph()
    validate(g, focus=[URIRef("https://w3id.org/wbsec/id/bad")])
    installed = Validator.make_executor
    assert getattr(installed, "_wbsec_hashed", False)
    validate(g, focus=[URIRef("https://w3id.org/wbsec/id/bad")])
    assert Validator.make_executor is installed  # installed once, not wrapped again
