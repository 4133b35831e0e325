"""CSV import (issue 19): rows that share an id but describe different things are refused, not merged."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from graph.cli import main
from tests.conftest import DATA

CONTEXT = DATA / "import" / "context.ttl"
HEADER = "id,type,label,alt_labels,name,source,locator,evidence\n"
ROW = '{id},{type},{label},,{label},wb:euractiv-2023-tirana-panel,{locator},"{label} spoke"\n'


def _import(tmp_path: Path, *rows: dict[str, str]) -> Result:
    path = tmp_path / "actors.csv"
    path.write_text(HEADER + "".join(ROW.format(**r) for r in rows), encoding="utf-8")
    out = tmp_path / "out.ttl"
    return CliRunner().invoke(main, ["import", str(path), "--kind", "actors", "--no-shipped", "--data", str(CONTEXT),
                                     "-o", str(out)])


def test_rows_sharing_an_id_with_different_names_are_refused(tmp_path: Path) -> None:
    """Issue 19: Beta's name, evidence and locator were attached to Alpha, exit 0."""
    result = _import(tmp_path, {"id": "dup-y", "type": "person", "label": "Alpha One", "locator": "para. 15"},
                     {"id": "dup-y", "type": "person", "label": "Beta Two", "locator": "para. 18"})
    assert result.exit_code == 2, result.output
    assert "actors.csv:3: column 'id': 'dup-y' is also the id of line 2" in result.output
    assert "differs in label, name" in result.output
    assert not (tmp_path / "out.ttl").exists()


def test_rows_sharing_an_id_with_different_types_name_the_id_not_the_label(tmp_path: Path) -> None:
    """Issue 19: the error said "(same label)" although the labels differed and the ids matched."""
    result = _import(tmp_path, {"id": "dup-z", "type": "person", "label": "Alpha One", "locator": "para. 15"},
                     {"id": "dup-z", "type": "organisation", "label": "Beta Two", "locator": "para. 18"})
    assert result.exit_code == 2, result.output
    assert "same label" not in result.output
    assert "differs in label, name, type" in result.output


def test_a_row_restating_one_resource_from_another_passage_still_merges(tmp_path: Path) -> None:
    result = _import(tmp_path, {"id": "same-x", "type": "person", "label": "Alpha One", "locator": "para. 15"},
                     {"id": "same-x", "type": "person", "label": "Alpha One", "locator": "para. 18"})
    assert result.exit_code == 0, result.output
    assert "1 new, 1 merged" in result.output
