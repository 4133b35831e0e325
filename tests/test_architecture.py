"""The house rules that keep the code base navigable: layers, light start-up, docstrings."""

from __future__ import annotations

import ast
import configparser
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import graph.cli

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("rdflib", "networkx", "pyshacl", "pyvis", "matplotlib", "pyoxigraph", "igraph", "scipy", "numpy")


def test_import_layers_hold() -> None:
    exe = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(exe), "--config", str(ROOT / "setup.cfg")], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cli_modules_import_no_heavy_library() -> None:
    names = [m.name for m in pkgutil.iter_modules(graph.cli.__path__)]
    code = (
        "import sys, importlib\n"
        f"for n in {names!r}: importlib.import_module('graph.cli.' + n)\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"


def _modules() -> list[Path]:
    return sorted(p for p in (ROOT / "graph").rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_states_its_responsibility(path: Path) -> None:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert doc and doc.strip().splitlines()[0].endswith("."), f"{path} needs a one-line docstring"


def test_no_utils_module() -> None:
    assert not [p for p in _modules() if p.stem in {"utils", "helpers", "misc"}]


def test_library_modules_do_not_import_click() -> None:
    offenders = []
    for path in _modules():
        if "cli" in path.relative_to(ROOT / "graph").parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "click" for a in node.names):
                offenders.append(path.name)
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "click":
                offenders.append(path.name)
    assert offenders == []


def test_importing_the_package_has_no_side_effects(tmp_path: Path) -> None:
    """``import graph`` in a fresh process loads no heavy library and no other wbsec module, prints and writes
    nothing, carries the version setup.cfg declares, and loads a façade name's module only on first use."""
    home = tmp_path / "home"
    home.mkdir()
    code = (
        "import sys\n"
        "import graph\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
        "print(sorted(m for m in sys.modules if m.startswith('graph.')))\n"
        "print(graph.__version__)\n"
        "assert 'graph.notebook' not in sys.modules\n"
        "graph.queries\n"
        "print('graph.notebook' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(home), "XDG_CACHE_HOME": str(home / "cache")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    declared = configparser.RawConfigParser()
    declared.read(ROOT / "setup.cfg", encoding="utf-8")
    assert result.stdout.splitlines() == ["[]", "[]", declared["metadata"]["version"], "True"]
    assert result.stderr == ""
    assert [p.name for p in tmp_path.rglob("*")] == ["home"]  # nothing written in the working directory or home
