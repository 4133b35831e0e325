"""Every CSV wbsec writes opens in a spreadsheet as data: a label that looks like a formula is never run."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal

from graph.cli import main
from graph.gaps import cooperation_gaps
from graph.namespaces import SKOS, WB
from graph.report import csv_text
from graph.spreadsheet import FORMULA_START, csv_cell, csv_safe, csv_table
from graph.store import load_graph
from tests.conftest import DATA

HOSTILE = '=HYPERLINK("http://evil.example/","open me")'
FIXTURE = DATA / "viz" / "hostile.ttl"
GAPS_FIXTURE = DATA / "gaps" / "four-polities.ttl"


def formula_cells(text: str) -> list[str]:
    """Cells a spreadsheet would run as a formula: a formula character first, and not a plain number."""
    out = []
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            if cell.startswith(FORMULA_START) and csv_safe(cell) != cell:
                out.append(cell)
    return out


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The viz fixture with one polity renamed to a formula."""
    text = FIXTURE.read_text(encoding="utf-8").replace('"日本"@en', '"' + HOSTILE.replace('"', '\\"') + '"@en')
    path = tmp_path_factory.mktemp("spreadsheet") / "hostile.ttl"
    path.write_text(text, encoding="utf-8")
    return path


def test_cells_are_defused_but_numbers_and_text_stay() -> None:
    assert csv_safe(HOSTILE) == "'" + HOSTILE
    assert [csv_safe(c) for c in ("-3", "+1.5", "1e-9", "Albania", "-", "@x", "\tx")] == [
        "-3", "+1.5", "1e-9", "Albania", "'-", "'@x", "'\tx"]
    assert [csv_cell(v) for v in (None, False, 7, -0.25, "+cmd")] == ["", "false", "7", "-0.25", "'+cmd"]
    assert csv_table(["a", "b"], [["=1", 1.0]], newline="\r\n") == "a,b\r\n'=1,1.0\r\n"


@pytest.mark.parametrize(
    "args",
    [
        ["metrics", "--view", "actors", "--format", "csv"],
        ["neighbours", "wb:test-ci", "--format", "csv"],
        ["export", "--view", "actors", "--format", "csv", "--output", "{tmp}/net.csv"],
        ["query", "SELECT ?label WHERE { ?x <http://www.w3.org/2004/02/skos/core#prefLabel> ?label } ORDER BY ?label",
         "--format", "sheet"],
        ["export", "--kind", "actors"],
    ],
    ids=["metrics", "neighbours", "export-view", "query-sheet", "export-kind"],
)
def test_every_csv_command_defuses_a_formula_label(hostile: Path, tmp_path: Path, args: list[str]) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = CliRunner().invoke(main, [*args, "--data", str(hostile), "--no-shipped"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "net.nodes.csv").read_text(encoding="utf-8") if "--output" in args else result.stdout
    assert HOSTILE.replace('"', '""') in text  # the label is there, in full...
    assert formula_cells(text) == []  # ...but as text


def test_gap_csv_defuses_a_formula_label() -> None:
    g = load_graph([GAPS_FIXTURE], shipped=False)
    g.set((WB.AL, SKOS.prefLabel, Literal(HOSTILE, lang="en")))
    text = csv_text(cooperation_gaps(g))
    labels = [cell for row in csv.DictReader(io.StringIO(text)) for cell in (row["label_a"], row["label_b"])]
    assert "'" + HOSTILE in labels
    assert formula_cells(text) == []
