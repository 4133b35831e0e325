"""The HTML explorer, checked on facts of the page (the browser tests are in test_viz_browser.py)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from graph.cli import main
from graph.metrics import METRICS, node_metrics
from graph.project import to_networkx
from graph.store import load_graph
from graph.viz import GapEdge, explorer_page, layout_positions, neighbourhood

DATA = Path(__file__).resolve().parent / "data" / "viz"
HOSTILE = DATA / "hostile.ttl"
W = "https://w3id.org/wbsec/id/"
XSS = "<img src=x onerror=alert(1)>"
BREAKOUT = "</script><script>alert(2)</script>"


@dataclass(frozen=True)
class Src:
    iri: str
    title: str
    primary: bool = False


@dataclass(frozen=True)
class Prov:
    sources: tuple[Src, ...]
    locator: str
    evidence: str


class _Page(HTMLParser):
    """Collects script and style elements, meta tags and every src/href attribute."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self.metas: list[dict[str, str | None]] = []
        self.links: list[str] = []
        self.tags: list[str] = []
        self._open: tuple[str, dict[str, str | None]] | None = None
        self._buf: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        d = dict(attrs)
        self.links += [v or "" for k, v in attrs if k in {"src", "href", "action", "formaction", "data"}]
        if tag == "meta":
            self.metas.append(d)
        if tag in {"script", "style"}:
            self._open, self._buf = (tag, d), []

    def handle_data(self, data: str) -> None:
        if self._open:
            self._buf.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag == self._open[0]:
            text = "".join(self._buf)
            if tag == "script":
                self.scripts.append((self._open[1], text))
            else:
                self.styles.append(text)
            self._open = None


def parse(html: str) -> _Page:
    p = _Page()
    p.feed(html)
    p.close()
    return p


def payload(html: str) -> dict[str, object]:
    (text,) = [t for a, t in parse(html).scripts if a.get("id") == "wbsec-data"]
    data: dict[str, object] = json.loads(text)
    return data


def sample_graph() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    for code, label in [("AL", "Albania"), ("XK", "Kosovo"), ("RS", "Serbia"), ("MK", "North Macedonia")]:
        G.add_node(W + code, label=label, kind="polity", region=W + "WesternBalkans", external=False)
    G.add_node(W + "RU", label="Russia", kind="polity", region="", external=True)
    G.add_node(W + "NATO", label="North Atlantic Treaty Organization", kind="organisation", region="", external=True)
    G.add_node(W + "jp", label="日本", kind="organisation", region="", external=True)
    G.add_node(W + "ci", label="Côte d’Ivoire", kind="polity", region="", external=True)
    G.add_node(W + "x", label=XSS, kind="person", region="", external=False)
    G.add_node(BREAKOUT, label="breakout id", kind="event", region="", external=False)

    def edge(u: str, v: str, relation: str, claim: str, **kw: object) -> None:
        attrs = {"role": "", "via": "", "weight": 1.0, "sign": 1, "since": "", "until": "", "claims": claim}
        attrs.update(kw)
        G.add_edge(u, v, relation=relation, claim=claim, **attrs)

    edge(W + "AL", W + "NATO", "affiliation", W + "m1", role="https://w3id.org/wbsec/def#Member", since="2009")
    edge(W + "AL", W + "MK", "cooperation", W + "c1", weight=5.0, since="2022-03-01")
    edge(W + "AL", W + "MK", "agreement", W + "a1", since="2022")
    edge(W + "RS", W + "RU", "perception", W + "o1", weight=0.3, sign=-1, since="2022")
    edge(W + "x", W + "XK", "statement", W + "s1", sign=-1, since="2023-10-05")
    edge(W + "jp", W + "ci", "cooperation", W + "c2")
    edge(BREAKOUT, W + "XK", "statement", W + "s2")
    G.graph["absences"] = [{"a": W + "RS", "b": W + "XK", "claim": W + "n1", "status": "https://w3id.org/wbsec/def#NoProgress"}]
    return G


PROVENANCE = {
    W + "c1": Prov((Src(W + "fes", "The Future is Cooperative!?"),), "section 3.1 (pp. 9-10)", "five agreements"),
    W + "s1": Prov((Src(W + "eur", '<a href="javascript:alert(4)">x</a> href'),), "p. <b>3</b>", BREAKOUT),
    W + "n1": Prov((Src(W + "fes", "The Future is Cooperative!?"),), "p. 10", "no progress"),
}


@pytest.fixture(scope="module")
def page() -> str:
    return explorer_page(sample_graph(), title="Test <page> & co", provenance=PROVENANCE).html


# --- offline, CSP -------------------------------------------------------------------------------


def test_page_has_no_reference_to_anything_outside(page: str) -> None:
    parsed = parse(page)
    assert parsed.links == []  # no src=, href=, action= at all: vis-network is inline
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", page, re.IGNORECASE)
    assert "cdn" not in page.lower()
    assert not re.search(r"@import|url\(\s*['\"]?\s*(?:https?:)?//", page, re.IGNORECASE)
    assert [t for t in parsed.tags if t in {"link", "iframe", "img", "object", "embed", "base"}] == []


def test_vis_network_is_inlined(page: str) -> None:
    scripts = [t for a, t in parse(page).scripts if "type" not in a]
    assert len(scripts) == 2
    assert "@version 9.1.2" in scripts[0] and "vis-network" in scripts[0]


def test_csp_pins_every_inline_script_and_style(page: str) -> None:
    parsed = parse(page)
    (meta,) = [m for m in parsed.metas if (m.get("http-equiv") or "").lower() == "content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in (meta["content"] or "").split(";") if d.strip()}
    assert directives["default-src"] == ["'none'"]
    for name in ("img-src", "base-uri", "form-action"):
        assert directives[name] == ["'none'"]

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"

    assert len(parsed.scripts) == 3
    assert sorted(directives["script-src"]) == sorted(digest(t) for _a, t in parsed.scripts)
    assert parsed.styles and sorted(directives["style-src"]) == sorted(digest(t) for t in parsed.styles)
    assert "unsafe" not in (meta["content"] or "")
    # The CSP meta must come before any script or style so it governs them.
    assert page.index("Content-Security-Policy") < page.index("<style>") < page.index("<script>")


def test_page_is_one_utf8_document_with_charset_first(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert page.index('<meta charset="utf-8">') < 200
    page.encode("utf-8")


# --- escaping -----------------------------------------------------------------------------------


def test_hostile_label_and_title_are_never_raw_html(page: str) -> None:
    assert XSS not in page
    assert "<b>3</b>" not in page
    assert "<a href" not in page and parse(page).links == []
    assert "<page>" not in page and "Test &lt;page&gt; &amp; co" in page
    data = payload(page)
    labels = {n["label"] for n in data["nodes"]}  # type: ignore[index]
    assert XSS in labels  # the JSON carries the text exactly; the page shows it with textContent
    assert all(n["name"] == n["label"] for n in data["nodes"])  # type: ignore[union-attr, index]


def test_title_containing_href_never_switches_to_innerhtml(page: str) -> None:
    app = [t for a, t in parse(page).scripts if "type" not in a][1]
    assert "popup.innerHTML" not in page
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in app
    data = payload(page)
    assert any("href" in s["title"] for c in data["claims"].values() for s in c["sources"])  # type: ignore[union-attr]


def test_node_id_cannot_break_out_of_the_script_block(page: str) -> None:
    assert BREAKOUT not in page
    assert page.count("</script>") == 3
    parsed = parse(page)
    assert len(parsed.scripts) == 3
    ids = {n["id"] for n in payload(page)["nodes"]}  # type: ignore[index]
    assert BREAKOUT in ids


def test_json_payload_escapes_line_separators() -> None:
    G = nx.MultiDiGraph()
    G.add_node("urn:a", label="a\u2028b\u2029c & <d>", kind="person")
    html = explorer_page(G).html
    text = [t for a, t in parse(html).scripts if a.get("id") == "wbsec-data"][0]
    assert "\u2028" not in text and "\u2029" not in text and "<d>" not in text and "&" not in text
    assert json.loads(text)["nodes"][0]["label"] == "a\u2028b\u2029c & <d>"


def test_non_ascii_labels_are_written_as_utf8(page: str) -> None:
    assert "日本" in page and "Côte d’Ivoire" in page


# --- what is drawn ------------------------------------------------------------------------------


def test_every_node_and_edge_is_drawn_with_its_style(page: str) -> None:
    data = payload(page)
    G = sample_graph()
    nodes = {n["id"]: n for n in data["nodes"]}  # type: ignore[index]
    edges = data["edges"]
    assert set(nodes) == set(G.nodes)
    assert len(edges) == G.number_of_edges() + 1  # + the stated absence  # type: ignore[arg-type]
    assert nodes[W + "AL"]["shape"] == "dot" and nodes[W + "NATO"]["shape"] == "square"
    assert nodes[W + "x"]["shape"] == "triangle"
    assert nodes[W + "AL"]["borderWidth"] == 3 and "borderWidth" not in nodes[W + "RU"]  # WB six stand out
    assert nodes[W + "RU"]["color"] != nodes[W + "AL"]["color"]["background"]  # outside polities are paler
    by_relation = {e["relation"]: e for e in edges}  # type: ignore[union-attr]
    assert by_relation["perception"]["color"] == "#c62828" and by_relation["perception"]["sign"] == -1
    assert by_relation["cooperation"]["color"] != "#c62828" and "sign" not in by_relation["cooperation"]
    assert by_relation["absence"]["dashes"] and "dashes" not in by_relation["cooperation"]
    widths = {e["claims"][0]: e["width"] for e in edges}  # type: ignore[index]
    assert widths[W + "c1"] > widths[W + "c2"]  # weight 5 is drawn thicker than weight 1
    assert by_relation["affiliation"]["arrows"] == "to"
    assert "arrows" not in by_relation["cooperation"]
    assert {r["name"]: r["directed"] for r in data["relations"]}["statement"] is True  # type: ignore[union-attr]
    assert data["years"] == [2009, 2022, 2023]
    assert {k["name"]: k["count"] for k in data["kinds"]} == {  # type: ignore[union-attr]
        "polity": 6, "organisation": 2, "person": 1, "event": 1}


def test_parallel_edges_are_kept_and_curved_apart(page: str) -> None:
    edges = [e for e in payload(page)["edges"] if {e["from"], e["to"]} == {W + "AL", W + "MK"}]  # type: ignore[union-attr, index]
    assert len(edges) == 2
    assert edges[0]["smooth"] != edges[1]["smooth"]


def test_side_panel_data_carries_facts_and_provenance(page: str) -> None:
    data = payload(page)
    claims = data["claims"]
    assert claims[W + "c1"] == {  # type: ignore[index]
        "sources": [{"iri": W + "fes", "title": "The Future is Cooperative!?", "primary": False}],
        "locator": "section 3.1 (pp. 9-10)",
        "evidence": "five agreements",
    }
    affiliation = next(e for e in data["edges"] if e["relation"] == "affiliation")  # type: ignore[union-attr, index]
    assert (affiliation["role"], affiliation["since"], affiliation["claims"]) == ("member", "2009", [W + "m1"])
    assert affiliation["title"] == "Albania → North Atlantic Treaty Organization\nAffiliation: member\n2009"
    kosovo = next(n for n in data["nodes"] if n["id"] == W + "XK")  # type: ignore[union-attr, index]
    assert (kosovo["metric"], kosovo["external"], kosovo["region"]) == (2, False, "Western Balkans")
    assert "value" not in kosovo  # vis-network would rescale nodes by a "value" field


def test_gaps_are_dashed_edges_with_their_claims() -> None:
    G = sample_graph()
    gap = GapEdge(W + "MK", W + "XK", score=0.61, note="Ranked 1 of 15", claims=(W + "c1",))
    outside = GapEdge(W + "MK", W + "nowhere", score=0.5)
    page = explorer_page(G, gaps=[gap, outside], provenance=PROVENANCE)
    assert page.gaps == 2  # the stated absence and the drawable gap; the other end of `outside` is not drawn
    edges = [e for e in payload(page.html)["edges"] if e["relation"] == "gap"]  # type: ignore[union-attr, index]
    assert len(edges) == 1
    (e,) = edges
    assert e["dashes"] and e["claims"] == [W + "c1"] and (e["score"], e["note"]) == (0.61, "Ranked 1 of 15")


def test_sizes_follow_the_metric_and_communities_colour_nodes() -> None:
    G = sample_graph()
    sizes = {v: 0.0 for v in G}
    sizes[W + "RU"] = 10.0
    page = explorer_page(G, sizes=sizes, size_label="betweenness", color_by="community",
                         communities={v: i % 3 for i, v in enumerate(sorted(G))})
    data = payload(page.html)
    nodes = {n["id"]: n for n in data["nodes"]}  # type: ignore[index]
    assert nodes[W + "RU"]["size"] > nodes[W + "AL"]["size"]
    assert data["sizeBy"] == "betweenness" and data["colorBy"] == "community"
    fills = {n["color"]["background"] if isinstance(n["color"], dict) else n["color"] for n in nodes.values()}
    assert len(fills) == 3
    with pytest.raises(ValueError):
        explorer_page(G, color_by="community")


def test_output_is_deterministic() -> None:
    assert explorer_page(sample_graph(), provenance=PROVENANCE).html == explorer_page(
        sample_graph(), provenance=PROVENANCE).html


def test_small_graphs_use_physics_large_graphs_get_python_positions() -> None:
    small = explorer_page(sample_graph())
    assert small.physics and payload(small.html)["options"]["physics"]["enabled"] is True  # type: ignore[index]
    G = nx.gnm_random_graph(400, 800, seed=3, directed=True)
    M = nx.MultiDiGraph()
    M.add_nodes_from((f"urn:n{i}", {"label": f"n{i}", "kind": "organisation"}) for i in G)
    M.add_edges_from((f"urn:n{u}", f"urn:n{v}", {"relation": "affiliation", "claim": f"urn:c{u}-{v}"}) for u, v in G.edges)
    big = explorer_page(M)
    data = payload(big.html)
    assert not big.physics and data["options"]["physics"]["enabled"] is False  # type: ignore[index]
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])  # type: ignore[union-attr]
    assert data["options"]["edges"]["smooth"] is False  # type: ignore[index]
    assert not any("smooth" in e or "arrows" in e or "title" in e for e in data["edges"])  # type: ignore[union-attr]
    labelled = [n for n in data["nodes"] if "label" in n]  # type: ignore[union-attr]
    assert len(labelled) == 200 and all("name" in n for n in data["nodes"])  # type: ignore[union-attr]
    assert big.nodes == 400 and big.edges == 800


def test_layout_is_deterministic_and_spread_out() -> None:
    G = nx.gnm_random_graph(1200, 2400, seed=5)
    a, b = layout_positions(G), layout_positions(G)
    assert a == b and len(a) == 1200
    assert len(set(a.values())) == 1200  # no two nodes on the same spot


def test_isolated_nodes_are_packed_below_and_do_not_squash_the_main_component() -> None:
    G = nx.gnm_random_graph(600, 1500, seed=2)
    main = max(nx.connected_components(G), key=len)
    G.add_nodes_from(range(1000, 1300))  # 300 isolated nodes
    pos = layout_positions(G)
    main_x = [pos[v][0] for v in main]
    isolated_y = [pos[v][1] for v in range(1000, 1300)]
    assert min(isolated_y) > max(pos[v][1] for v in main)
    all_x = [p[0] for p in pos.values()]
    assert max(main_x) - min(main_x) > 0.6 * (max(all_x) - min(all_x))


def test_neighbourhood_keeps_edges_and_absences_among_kept_nodes() -> None:
    H = neighbourhood(sample_graph(), W + "XK", 1)
    assert set(H) == {W + "XK", W + "x", BREAKOUT}
    H2 = neighbourhood(sample_graph(), W + "RS", 1)
    assert set(H2) == {W + "RS", W + "RU"} and H2.graph["absences"] == []
    H3 = neighbourhood(sample_graph(), W + "x", 2)
    assert W + "XK" in H3 and H3.number_of_edges() == 2


def test_empty_graph_still_renders() -> None:
    page = explorer_page(nx.MultiDiGraph())
    assert page.nodes == 0 and payload(page.html)["years"] is None


# --- the command --------------------------------------------------------------------------------


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, LC_ALL="C", LANG="C", PYTHONIOENCODING="ascii", PYTHONUTF8="0")
    exe = Path(sys.executable).parent / "wbsec"
    return subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600)


def test_cli_writes_only_the_output_file_as_utf8_whatever_the_locale(tmp_path: Path) -> None:
    result = _run(["viz", "--no-shipped", "--data", str(HOSTILE), "--gaps", "0"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wbsec-graph.html"]
    assert "wbsec-graph.html" in result.stderr and result.stdout == ""
    html = (tmp_path / "wbsec-graph.html").read_bytes().decode("utf-8")
    assert "日本" in html and "Côte d’Ivoire" in html
    assert XSS not in html and "<script>alert(5)" not in html and BREAKOUT not in html
    data = payload(html)
    assert {n["label"] for n in data["nodes"]} >= {XSS, "日本", "Côte d’Ivoire", '"><script>alert(5)</script>'}  # type: ignore[union-attr]
    (claim,) = [c for c in data["claims"].values() if c["evidence"]]  # type: ignore[union-attr]
    assert claim["evidence"] == BREAKOUT + ' "quoted" & more' and claim["locator"] == "p. <b>3</b>"


def test_cli_output_in_a_subdirectory_leaves_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    result = _run(["viz", "--no-shipped", "--data", str(HOSTILE), "--gaps", "0", "-o", "out/page.html"], tmp_path)
    assert result.returncode == 0, result.stderr
    found = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert found == ["out", "out/page.html"]


def test_cli_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "page.html"
    target.write_text("old page", encoding="utf-8")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    result = CliRunner().invoke(main, ["viz", "--no-shipped", "--data", str(HOSTILE), "--gaps", "0", "-o", str(target)])
    assert result.exit_code == 4, result.output
    assert "Error:" in result.output and "page.html" in result.output
    assert target.read_text(encoding="utf-8") == "old page"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]


def test_cli_to_stdout(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["viz", "--no-shipped", "--data", str(HOSTILE), "--gaps", "0", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!DOCTYPE html>") and "日本" in result.stdout


def test_cli_focus_and_unknown_focus() -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["viz", "--no-shipped", "--data", str(HOSTILE), "--gaps", "0", "--focus", "日本",
                              "--depth", "1", "-o", "-"])
    assert ok.exit_code == 0, ok.output
    labels = {n["label"] for n in payload(ok.stdout)["nodes"]}  # type: ignore[union-attr]
    assert labels == {"日本", "Côte d’Ivoire"}
    bad = runner.invoke(main, ["viz", "--no-shipped", "--data", str(HOSTILE), "--focus", "Atlantis", "-o", "-"])
    assert bad.exit_code == 2 and "Atlantis" in bad.output
    lonely = runner.invoke(main, ["viz", "--no-shipped", "--data", str(HOSTILE), "--depth", "2", "-o", "-"])
    assert lonely.exit_code == 2 and "--depth needs --focus" in lonely.output


@pytest.mark.parametrize("metric", [m for m in METRICS if m != "community"])
def test_cli_sizes_nodes_by_every_metric_of_the_metrics_module(metric: str) -> None:
    """Each metric ``wbsec metrics`` computes can size the nodes, and each node carries that metric's value."""
    result = CliRunner().invoke(main, ["viz", "--no-shipped", "--data", str(HOSTILE), "--gaps", "0",
                                       "--size-by", metric, "-o", "-"])
    assert result.exit_code == 0, result.output
    data = payload(result.stdout)
    G = to_networkx(load_graph([HOSTILE], shipped=False), "actors")
    expected = {r.id: float(r.value(metric) or 0.0) for r in node_metrics(G, [metric]).rows}
    drawn = {str(n["id"]): n["metric"] for n in data["nodes"]}  # type: ignore[union-attr, index]
    assert drawn == pytest.approx(expected, rel=1e-3, abs=1e-9)
    assert len(drawn) > 1 and data["sizeBy"] == metric.replace("_", " ")


def test_cli_refuses_community_and_unknown_metrics_as_size() -> None:
    for metric in ("community", "colour"):
        result = CliRunner().invoke(main, ["viz", "--no-shipped", "--data", str(HOSTILE), "--size-by", metric,
                                           "-o", "-"])
        assert result.exit_code == 2 and result.stdout == "" and metric in result.stderr, metric


@pytest.mark.slow
def test_cli_shipped_data_with_gaps(tmp_path: Path) -> None:
    out = tmp_path / "graph.html"
    result = CliRunner().invoke(main, ["viz", "--view", "polities", "--color-by", "community", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = payload(out.read_text(encoding="utf-8"))
    G = to_networkx(load_graph(), "polities")
    assert len(data["nodes"]) == G.number_of_nodes() == 6  # type: ignore[arg-type]
    gaps = [e for e in data["edges"] if e["relation"] == "gap"]  # type: ignore[union-attr, index]
    assert 1 <= len(gaps) <= 5 and all(e["dashes"] for e in gaps)
    # only the pairs the map rule keeps: a gap above [map] min_gap with a narrow enough rank interval
    from graph.gaps import cooperation_gaps, mapped_gaps

    expected = {(d.a, d.b) for d in mapped_gaps(cooperation_gaps(load_graph()))[:5]}
    assert {tuple(sorted((e["from"], e["to"]))) for e in gaps} == expected  # type: ignore[index]
    assert "above 0.25" in data["gapRule"] and "rank interval" in data["gapRule"]  # type: ignore[operator]
    sourced = [e for e in data["edges"] if any(c in data["claims"] for c in e["claims"])]  # type: ignore[union-attr, index, operator]
    assert sourced, "every drawn claim should come with its source"


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def test_gap_ties_have_a_colour_clearly_apart_from_statements_and_absences() -> None:
    from graph.viz import EDGE_STYLES

    gap = _rgb(EDGE_STYLES["gap"].color)
    for other in ("statement", "absence", "perception", "agreement", "cooperation"):
        distance = sum((x - y) ** 2 for x, y in zip(gap, _rgb(EDGE_STYLES[other].color))) ** 0.5
        assert distance > 100, other
    assert EDGE_STYLES["gap"].dashes and not EDGE_STYLES["statement"].dashes


def test_the_legend_states_the_gap_rule_it_is_given() -> None:
    G = nx.MultiDiGraph()
    G.add_node("a", label="A", kind="polity")
    G.add_node("b", label="B", kind="polity")
    page = explorer_page(G, gaps=[GapEdge("a", "b", "gap", score=0.4)], gap_rule="Gap ties: a rule in words.")
    data = payload(page.html)
    assert data["gapRule"] == "Gap ties: a rule in words."
