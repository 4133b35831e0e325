"""Every output is the same bytes in separate processes with different hash seeds.

Two runs in one process share one ``PYTHONHASHSEED``, so they iterate sets of
strings in the same order and cannot catch output that depends on it. Here
two fresh interpreters, started with two different seeds, run the same
commands (in-process through click, so one interpreter start serves them all)
and every file and every standard output must match byte for byte. The static
site has its own cross-seed test in test_site.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import DATA

ROOT = Path(__file__).resolve().parent.parent
STORE = DATA / "store"
SHAPES = DATA / "shapes"
NETWORK = DATA / "network"
TIMELINE = DATA / "timeline" / "three-polities.ttl"
SEEDS = ("1", "4242")

#: name -> wbsec arguments; files named by ``-o``/``--plot``/``--chart`` are written in the run's own directory.
#: The curated data where the shapes of real data matter (about 1 s of CPU to load each time), small
#: fixtures elsewhere.
COMMANDS: dict[str, list[str]] = {
    "export-nt": ["export", "--format", "nt"],
    **{f"export-{fmt}": ["export", "--format", fmt, "--no-shipped", "--data", str(STORE / "good.ttl")]
       for fmt in ("ttl", "trig", "jsonld", "xml")},
    "export-graphml": ["export", "--view", "actors", "--format", "graphml"],
    "export-gexf": ["export", "--no-shipped", "--data", str(NETWORK / "signed.ttl"), "--view", "signed",
                    "--format", "gexf"],
    "export-csv": ["export", "--no-shipped", "--data", str(NETWORK / "tiny.ttl"), "--format", "csv",
                   "-o", "net.csv"],
    "metrics": ["metrics", "--format", "json"],
    "path": ["path", "Albania", "Serbia", "--format", "json"],
    "gaps-md": ["gaps", "--format", "md", "--draws", "20", "--plot", "gaps.svg"],
    "gaps-json": ["gaps", "--no-shipped", "--data", str(DATA / "gaps" / "four-polities.ttl"), "--format", "json",
                  "--heatmap", "heatmap.png"],
    "gaps-by-year": ["gaps", "--no-shipped", "--data", str(TIMELINE), "--by-year", "2010..2013",
                     "--format", "json", "--chart", "series.svg"],
    "viz": ["viz", "--gaps", "0", "-o", "graph.html"],
    "validate": ["validate", "--no-shipped", "--format", "json",
                 *[a for name in ("_base", "bilateral-no-outcome", "agreement-one-party", "actor-no-name",
                                  "conflict-one-sided") for a in ("--data", str(SHAPES / f"{name}.ttl"))]],
}

#: Runs every command in one interpreter and records its exit code, standard output and standard error.
DRIVER = """
import json, sys
from pathlib import Path
from click.testing import CliRunner
from graph.cli import main

commands = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
codes = {}
for name, args in commands.items():
    result = CliRunner().invoke(main, args)
    Path(name + ".stdout").write_bytes(result.stdout_bytes)
    Path(name + ".stderr").write_bytes(result.stderr_bytes)
    codes[name] = result.exit_code
Path("exit-codes.json").write_text(json.dumps(codes, indent=1, sort_keys=True), encoding="utf-8")
"""


def _tree(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` by relative name; messages name the run's directory as ``OUT``."""
    files = {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}
    return {name: data.replace(str(directory).encode(), b"OUT") if name.endswith(".stderr") else data
            for name, data in files.items()}


@pytest.mark.slow
def test_every_output_is_byte_identical_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    spec = tmp_path / "commands.json"
    spec.write_text(json.dumps(COMMANDS), encoding="utf-8")
    runs = []
    for seed in SEEDS:  # both interpreters at once: on two cores this halves the wait
        out = tmp_path / f"seed-{seed}"
        out.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT),
               "XDG_CACHE_HOME": str(tmp_path / f"cache-{seed}")}
        runs.append((out, subprocess.Popen([sys.executable, "-c", DRIVER, str(spec)], cwd=out, env=env,
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)))
    trees = []
    for out, child in runs:
        _stdout, stderr = child.communicate(timeout=900)
        assert child.returncode == 0, stderr.decode(errors="replace")
        trees.append(_tree(out))
    first, second = trees
    codes = json.loads(first["exit-codes.json"])
    failed = {name: first[f"{name}.stderr"].decode() for name, code in codes.items() if code != 0}
    assert failed == {"validate": failed.get("validate", "")}  # only the non-conforming data exits non-zero
    assert codes["validate"] == 1
    assert {"net.nodes.csv", "net.edges.csv", "gaps.svg", "heatmap.png", "series.svg", "graph.html"} <= first.keys()
    assert first.keys() == second.keys()
    assert sorted(k for k in first if first[k] != second[k]) == []
