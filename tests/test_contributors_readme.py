"""The README's "For contributors" section stays true: its layer chart is setup.cfg's layers contract."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _contract_layers() -> list[str]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    return [line.strip() for line in cfg["importlinter:contract:layers"]["layers"].strip().splitlines()]


def _readme_chart() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## For contributors", 1)[1].split("\n## ", 1)[0]
    chart = re.search(r"```\n(graph\.cli.*?)```", section, re.DOTALL)
    assert chart, "the 'For contributors' section has no layer chart"
    return [line.strip() for line in chart.group(1).strip().splitlines()]


def test_the_readme_layer_chart_is_the_import_linter_contract() -> None:
    assert _readme_chart() == _contract_layers()


def test_every_module_of_the_package_is_in_the_chart() -> None:
    charted = {name.strip() for line in _readme_chart() for name in line.split("|")}
    modules = {f"graph.{p.stem}" for p in (ROOT / "graph").glob("*.py") if p.stem not in ("__init__", "__main__")}
    modules |= {f"graph.{p.name}" for p in (ROOT / "graph").iterdir() if (p / "__init__.py").is_file()}
    assert modules - charted == set()
