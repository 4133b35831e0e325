"""Which heavy libraries each command imports: a query never pays for graph engines, plots or SHACL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Libraries that cost a noticeable part of a second to import.
HEAVY = ("igraph", "scipy", "matplotlib", "pyshacl", "pyvis", "networkx", "jinja2", "SALib", "pandas")

#: Runs the CLI like the ``wbsec`` entry point, then prints the heavy modules left in sys.modules as JSON.
_WRAPPER = """
import atexit, json, sys
heavy = {heavy!r}
atexit.register(lambda: print("MODULES=" + json.dumps(sorted(m for m in heavy if m in sys.modules)), file=sys.stderr))
sys.argv = ["wbsec", *{args!r}]
from graph.cli import run
run()
"""


def _heavy_modules(*args: str) -> list[str]:
    code = _WRAPPER.format(heavy=HEAVY, args=list(args))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    line = [x for x in done.stderr.splitlines() if x.startswith("MODULES=")][-1]
    return list(json.loads(line.removeprefix("MODULES=")))


@pytest.mark.parametrize(
    "args",
    [("query", "members", "--param", "org=wb:EU"), ("--help",), ("info", "--no-validate")],
    ids=["query", "help", "info"],
)
def test_command_imports_no_heavy_library(args: tuple[str, ...]) -> None:
    assert _heavy_modules(*args) == []


@pytest.mark.slow
def test_info_with_a_remembered_verdict_skips_pyshacl() -> None:
    assert "pyshacl" in _heavy_modules("info")  # first run: the SHACL verdict is computed and cached
    assert _heavy_modules("info") == []


def test_degree_metrics_need_neither_scipy_nor_igraph() -> None:
    assert _heavy_modules("metrics", "--metric", "degree", "--format", "json") == ["networkx"]


def test_igraph_loads_without_matplotlib_which_stays_importable() -> None:
    code = (
        "import sys\n"
        "from graph.igraph_import import load_igraph\n"
        "ig = load_igraph()\n"
        "before = 'matplotlib' in sys.modules\n"
        "n = ig.Graph(n=3, edges=[(0, 1), (1, 2)]).pagerank()\n"
        "import matplotlib.pyplot\n"
        "print(before, len(n), matplotlib.pyplot.__name__)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    assert done.stdout.split() == ["False", "3", "matplotlib.pyplot"]
