"""Tests of the honest outputs of the gap analysis: the demand-versus-practice scatter, the methods annex
(``--format md``) and the external-dependence classification shown beside its alternatives.

Fixture: tests/data/gaps/four-polities.ttl (see tests/test_gaps.py), with a few hundred seeded draws.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.cli import main
from graph.gaps import GapAnalysis, cooperation_gaps, load_config
from graph.report import _label_places, plot_bytes, write_plot
from graph.store import load_graph

FIXTURE = Path(__file__).resolve().parent / "data" / "gaps" / "four-polities.ttl"


@pytest.fixture(scope="module")
def drawn() -> GapAnalysis:
    return cooperation_gaps(load_graph([FIXTURE], shipped=False), load_config(), draws=200, seed=3)


# --------------------------------------------------------------------------- the scatter


def test_scatter_svg_is_valid_deterministic_and_undated(drawn: GapAnalysis, tmp_path: Path) -> None:
    path = write_plot(drawn, tmp_path / "scatter.svg", ("scatter",))
    data = path.read_bytes()
    assert ET.fromstring(data).tag == "{http://www.w3.org/2000/svg}svg"
    assert plot_bytes(drawn, "svg", ("scatter",)) == data
    assert b"<dc:date>" not in data and not re.search(rb"20\d\d-\d\d-\d\dT", data)
    assert plot_bytes(drawn, "png", ("scatter",))[:4] == b"\x89PNG"


def _code(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def test_scatter_labels_every_pair_with_its_rank_interval(drawn: GapAnalysis) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from graph.report import _scatter

    fig = Figure()
    ax = fig.subplots()
    _scatter(ax, drawn, fig)
    texts = {t.get_text() for t in ax.texts}
    for d in drawn.dyads:
        r = d.rank_interval
        assert r is not None
        assert f"{_code(d.a)}–{_code(d.b)} {d.rank if d.rank is not None else '—'} [{r.low}–{r.high}]" in texts
    # a no-data pair is drawn as a horizontal bar over its actual range
    no_data = [d for d in drawn.dyads if d.actual.high > d.actual.low]
    assert no_data
    segments = {(tuple(line.get_xdata()), tuple(line.get_ydata())) for line in ax.lines}
    for d in no_data:
        y = (d.demand.low + d.demand.high) / 2
        assert ((d.actual.low, d.actual.high), (y, y)) in segments


def test_label_places_never_overlap() -> None:
    points = [(0.5, 0.5, "AL–BA 1 [1–2]"), (0.5, 0.5, "AL–ME 2 [1–3]"), (0.51, 0.505, "BA–ME 3 [2–4]"),
              (0.2, 0.9, "X–Y 4 [4–4]")]
    places = _label_places(points, 1.0)
    boxes = [(x, y - 0.013, x + len(t) * 0.0098, y + 0.013) for (x, y), (_p, _q, t) in zip(places, points)]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or a[0] >= b[2] or a[3] <= b[1] + 1e-12 or a[1] >= b[3] - 1e-12
    assert places[3] == (0.2 + 0.012, 0.9)  # a label with room stays beside its point
    assert _label_places(points, 1.0) == places


def test_cli_scatter_and_plot_with_three_panels(tmp_path: Path) -> None:
    base = ["gaps", "--no-shipped", "--data", str(FIXTURE), "--format", "csv", "--draws", "50"]
    out = CliRunner().invoke(main, [*base, "--scatter", str(tmp_path / "s.svg"), "--plot", str(tmp_path / "p.png")])
    assert out.exit_code == 0, out.output
    assert f"Wrote {tmp_path / 's.svg'}." in out.stderr
    ET.fromstring((tmp_path / "s.svg").read_bytes())
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"
    bad = CliRunner().invoke(main, [*base, "--scatter", str(tmp_path / "s.pdf")])
    assert bad.exit_code == 2 and ".png or .svg" in bad.stderr
    clash = CliRunner().invoke(main, ["gaps", "--by-domain", "--scatter", str(tmp_path / "s.svg")])
    assert clash.exit_code == 2 and "--scatter" in clash.stderr
