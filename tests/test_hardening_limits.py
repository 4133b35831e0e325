"""Limits that hold (issue 19): REGEX bounded by --timeout, a cap on string results and on query memory."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

from graph import sparql
from graph.cli import main

WBSEC = Path(sys.executable).parent / "wbsec"
BOMB = 'SELECT * WHERE { VALUES ?x { "' + "a" * 36 + '!" } FILTER(REGEX(?x, "^(a+)+$")) }'


def _doubling(levels: int) -> str:
    """A query whose ?x is 16 * 8**levels characters long, built by nested CONCATs."""
    binds = ['BIND("aaaaaaaaaaaaaaaa" AS ?a0)']
    for i in range(1, levels + 1):
        binds.append(f"BIND(CONCAT({', '.join([f'?a{i - 1}'] * 8)}) AS ?a{i})")
    return "SELECT ?x WHERE { " + " ".join(binds) + f" BIND(?a{levels} AS ?x) }}"


def test_a_backtracking_regex_cannot_run_away() -> None:
    """Issue 19: REGEX "^(a+)+$" on a's and a '!' ignored --timeout 2 (still running at 60 s) on rdflib.

    Oxigraph's regular expressions run in linear time, so the pattern now answers at once, and
    correctly: no match.
    """
    started = time.monotonic()
    result = subprocess.run([str(WBSEC), "query", BOMB, "--no-shipped", "--timeout", "2"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "x\n"  # the header only: the string does not match
    assert time.monotonic() - started < 15


def test_queries_with_regex_still_answer() -> None:
    g = Graph()
    for i in range(5):
        g.add((URIRef(f"http://example.org/s{i}"), URIRef("http://example.org/p"), Literal(f"value {i}")))
    table = sparql.select(g, 'SELECT ?s WHERE { ?s ?p ?o FILTER(REGEX(?o, "value [13]")) } ORDER BY ?s', timeout=10)
    assert [str(r[0]) for r in table] == ["http://example.org/s1", "http://example.org/s3"]
    built = sparql.construct(g, 'CONSTRUCT { ?s ?p ?n } WHERE { ?s ?p ?o BIND(REPLACE(?o, "value", "v") AS ?n) }',
                             timeout=10)
    assert Literal("v 2") in set(built.objects())
    assert sparql.ask(g, 'ASK { ?s ?p ?o FILTER(REGEX(?o, "^value 4$")) }', timeout=10) is True


def test_syntax_and_policy_errors_come_back_from_the_child() -> None:
    result = CliRunner().invoke(main, ["query", 'SELECT * WHERE { ?s ?p ?o FILTER(REGEX(?o, "(")) }', "--no-shipped"])
    assert result.exit_code in (0, 2), result.output  # an invalid pattern: rdflib's own handling, no traceback
    assert "Traceback" not in result.output


def test_string_results_are_capped() -> None:
    """Issue 19: nested CONCAT built a 200M-character string (480 MB) with no cap."""
    result = CliRunner().invoke(main, ["query", _doubling(8), "--no-shipped", "--timeout", "30"])
    assert result.exit_code == 5, result.output[:300]
    # the 268M-character string hits the child's memory cap before the result's character limit
    assert ("over the" in result.output and "character limit" in result.output) or "MiB of memory" in result.output


def test_query_memory_is_capped() -> None:
    result = CliRunner().invoke(main, ["query", _doubling(9), "--no-shipped", "--timeout", "30"])
    assert result.exit_code == 5, result.output[:300]
    assert "MiB of memory" in result.output or "character limit" in result.output
