"""The static site (``wbsec site``): pages, links, escaping, CSP, RDF per page, dumps, determinism, build time."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import VOID
from rdflib.term import Node

from graph.cli import main
from graph.errors import OutputError
from graph.namespaces import WB
from graph.site import build_site
from graph.store import load_graph, same_graph

ROOT = Path(__file__).resolve().parent.parent
TINY = Path(__file__).resolve().parent / "data" / "site" / "tiny.ttl"
XSS = "<img src=x onerror=alert(1)>"


# --- building -----------------------------------------------------------------------------------


def _cli_build(out: Path, *args: str) -> None:
    result = CliRunner().invoke(main, ["site", *args, "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Open {out / 'index.html'}" in result.output


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny") / "site"
    _cli_build(out, "--no-shipped", "--data", str(TINY))
    return out


@pytest.fixture(scope="module")
def tiny_graph() -> Graph:
    return load_graph([TINY], shipped=False)


@pytest.fixture(scope="module")
def shipped_graph() -> Graph:
    return load_graph()


@pytest.fixture(scope="module")
def shipped(shipped_site: Path) -> Path:
    """The shipped data's site (built once per run, see ``tests/conftest.py``), with an explorer and a gap report beside it."""
    return shipped_site


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


# --- an HTML reader for facts, not golden files --------------------------------------------------


class _Page(HTMLParser):
    """Collects tags, links, inline scripts and styles, ids and the CSP of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.ids: set[str] = set()
        self.scripts: list[str] = []  # inline scripts (code and JSON data blocks)
        self.script_files: list[str] = []  # <script src=...>
        self.styles: list[str] = []
        self._open: str | None = None
        self.csp = ""
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "meta" and a.get("http-equiv", "").lower() == "content-security-policy":
            self.csp = a.get("content", "")
        if tag == "script" and "src" in a:
            self.script_files.append(a["src"])
        elif tag in {"script", "style"}:
            self._open = tag
            (self.scripts if tag == "script" else self.styles).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open == "script":
            self.scripts[-1] += data
        elif self._open == "style":
            self.styles[-1] += data
        else:
            self.text.append(data)


def _read(path: Path) -> _Page:
    parser = _Page()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _links(site: Path, parsed: dict[Path, _Page] | None = None) -> list[tuple[Path, str, str, dict[str, str]]]:
    """Every (page, tag, address, attributes) that points somewhere.

    ``parsed`` (when given) receives every page's parse, so a caller can look up ids without reading it again.
    """
    out = []
    for page in _pages(site):
        read = _read(page)
        if parsed is not None:
            parsed[page] = read
        for tag, attrs in read.tags:
            for key in ("href", "src", "action", "data", "srcset", "poster"):
                if key in attrs:
                    out.append((page, tag, attrs[key], attrs))
    return out


def _broken_links(site: Path) -> list[str]:
    """Every internal address that names no file, or no element id of the page it names.

    Each page is parsed once (its links and its ids come from the same parse). An address that leads into
    the site is looked up among the site's files, listed once: the site holds no symbolic link (checked
    here), so the path written out lexically is the path ``resolve()`` would give. Any other address
    (outside the site, e.g. ``../graph.html``) is checked on the disk, as before.
    """
    parsed: dict[Path, _Page] = {}
    links = _links(site, parsed)
    entries = list(site.rglob("*"))
    assert [p for p in entries if p.is_symlink()] == []
    files = {os.fspath(p) for p in entries if p.is_file()}
    ids = {os.fspath(page): read.ids for page, read in parsed.items()}
    broken = []
    for page, _tag, href, _attrs in links:
        if re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I):
            continue  # checked by the outside-address test
        target, _, fragment = href.partition("#")
        where = os.path.normpath(os.path.join(page.parent, target)) if target else os.fspath(page)
        if where in files:
            known = ids.get(where)  # the ids of a page of the site
            if fragment and known is None and where.endswith(".html"):
                known = ids[where] = _read(Path(where)).ids
            if fragment and known is not None and fragment not in known:
                broken.append(f"{page.relative_to(site)}: {href} (no such id)")
            continue
        path = (page.parent / target).resolve() if target else page.resolve()
        if not path.is_file():
            broken.append(f"{page.relative_to(site)}: {href}")
        elif fragment and path.suffix == ".html":
            ids.setdefault(os.fspath(path), _read(path).ids)
            if fragment not in ids[os.fspath(path)]:
                broken.append(f"{page.relative_to(site)}: {href} (no such id)")
    return broken


# --- structure ------------------------------------------------------------------------------------


def test_tiny_site_has_a_page_per_typed_resource_and_vocabulary_term(tiny: Path, tiny_graph: Graph) -> None:
    for name in ("index.html", "sources.html", "vocabulary.html", "search-index.json", "wbsec.ttl", "wbsec.nt",
                 "wbsec.jsonld", "void.ttl", "id/XK.html", "id/XK.ttl", "id/XK.jsonld", "id/Forum.html",
                 "id/src-news.html", "id/mship-xk-forum.html", "def/Polity.html", "def/party.html",
                 "def/RoleScheme.html", "def/Member.html", "list/polities.html"):
        assert (tiny / name).is_file(), name
    page = _read(tiny / "id" / "XK.html")
    alternates = {(a.get("type"), a.get("href")) for t, a in page.tags if t == "link" and a.get("rel") == "alternate"}
    assert alternates == {("text/turtle", "XK.ttl"), ("application/ld+json", "XK.jsonld")}
    text = " ".join(page.text)
    assert "Kosova" in text and "Косово" in text and "A polity of the region." in text


def test_initiative_page_shows_memberships_with_dates_roles_and_sources(tiny: Path) -> None:
    body = (tiny / "id" / "Forum.html").read_text(encoding="utf-8")
    claims = body[body.index('id="claims"'):]
    assert "Memberships and posts" in claims
    for expected in ("2019-05-04", "member", "News about the Forum", "https://example.org/news/forum",
                     "p. &lt;b&gt;3&lt;/b&gt;", "Kosovo joined &#34;the Forum&#34; &amp; more", "The Paper"):
        assert expected in claims, expected
    timeline = body[body.index('id="timeline"'):]
    assert timeline.index("2019-05-04") < timeline.index("2020") < timeline.index("2021")


def test_conflicting_claims_are_shown_side_by_side_with_both_sources(tiny: Path) -> None:
    for page in ("id/RS.html", "id/Forum.html", "id/mship-rs-forum-2020.html"):
        body = (tiny / page).read_text(encoding="utf-8")
        block = body[body.index('id="conflicts"'):body.index("</section>", body.index('id="conflicts"'))]
        assert block.count('class="conflict"') == 1, page
        assert block.count('class="claim"') == 2
        assert "News about the Forum" in block and "The Forum&#39;s own page" in block


def test_source_page_lists_what_the_graph_took_from_it(tiny: Path) -> None:
    body = (tiny / "id" / "src-news.html").read_text(encoding="utf-8")
    taken = body[body.index('id="taken"'):]
    for claim in ("mship-xk-forum.html", "mship-rs-forum-2020.html", "Forum.html"):
        assert claim in taken
    assert "para. 4" in taken


def test_bibliography_groups_sources_by_kind(tiny: Path) -> None:
    page = _read(tiny / "sources.html")
    headings = [t for t in page.text if t.strip() in {"news", "official", "not classified"}]
    assert headings[:3] == ["news", "official", "not classified"]


def test_vocabulary_documents_classes_code_lists_and_constraints_in_words(tiny: Path) -> None:
    body = (tiny / "vocabulary.html").read_text(encoding="utf-8")
    assert 'href="def/Polity.html"' in body and 'href="def/RoleScheme.html"' in body
    assert "This claim does not say where it comes from" in body  # a sh:message from shapes.ttl
    polity = (tiny / "def" / "Polity.html").read_text(encoding="utf-8")
    assert 'id="instances"' in polity and "../id/XK.html" in polity and "../id/RS.html" in polity
    roles = (tiny / "def" / "RoleScheme.html").read_text(encoding="utf-8")
    assert 'href="../def/Member.html"' in roles


@pytest.mark.slow
def test_home_page_links_explorer_and_gap_results_when_present(shipped: Path) -> None:
    body = (shipped / "index.html").read_text(encoding="utf-8")
    assert 'href="../graph.html"' in body and 'href="../gaps-report.md"' in body  # both resolve: see the link check


def test_home_page_without_explorer_does_not_link_it(tiny: Path) -> None:
    assert "graph.html" not in (tiny / "index.html").read_text(encoding="utf-8")


# --- safety -------------------------------------------------------------------------------------


def test_hostile_text_stays_text_everywhere(tiny: Path) -> None:
    for page in _pages(tiny):
        parsed = _read(page)
        tags = {t for t, _a in parsed.tags}
        assert not tags & {"img", "iframe", "object", "embed", "form"}, page
        assert not any(k.startswith("on") for _t, a in parsed.tags for k in a), page
        code = [t for t, a in parsed.tags if t == "script" and "src" not in a and a.get("type") != "application/json"]
        assert len(code) == (1 if page.name == "index.html" and page.parent == tiny else 0), page
        assert all(re.fullmatch(r"(\.\./)*assets/(vis-network\.min|ego)\.js", f) for f in parsed.script_files), page
    body = (tiny / "id" / "test-xss.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in body and XSS not in body
    assert XSS in " ".join(_read(tiny / "id" / "test-xss.html").text)
    evil = (tiny / "id" / "src-evil.html").read_text(encoding="utf-8")
    assert "javascript:" not in evil.replace("javascript:alert(4)</span>", "")  # shown as a value, never a link
    assert not [a for t, a in _read(tiny / "id" / "src-evil.html").tags if a.get("href", "").startswith("javascript")]


def test_every_page_has_a_strict_csp_matching_its_inline_code(tiny: Path) -> None:
    for page in _pages(tiny):
        parsed = _read(page)
        csp = parsed.csp
        assert csp.startswith("default-src 'none'"), page
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp
        directives = dict(d.split(" ", 1) for d in csp.split("; "))
        assert directives["style-src"] == " ".join(_sha(s) for s in parsed.styles)
        sources = (["'self'"] if parsed.script_files else []) + [_sha(s) for s in parsed.scripts]
        assert directives["script-src"] == (" ".join(sources) or "'none'")


def test_no_outside_address_but_the_sources_own_urls(tiny: Path, tiny_graph: Graph) -> None:
    urls = {str(u) for u in tiny_graph.objects(None, URIRef("https://schema.org/url")) if str(u).startswith("http")}
    outside = [(p, t, href, a) for p, t, href, a in _links(tiny) if re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I)]
    assert outside
    for page, tag, href, attrs in outside:
        assert tag == "a" and href in urls, (page, href)
        assert attrs.get("rel") == "noopener noreferrer"


@pytest.mark.slow
def test_no_broken_internal_link(tiny: Path, shipped: Path) -> None:
    assert _broken_links(tiny) == []
    assert _broken_links(shipped) == []


# --- RDF -----------------------------------------------------------------------------------------


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _as_rdflib(term: Any) -> Node:
    """A term read by pyoxigraph as the term rdflib's own parsers would have made of the same text.

    A literal is built from its lexical form, datatype and language exactly as rdflib's Turtle and JSON-LD
    parsers build it (so rdflib's normalisation of lexical forms applies alike); a plain string is rdflib's
    datatype-less ``Literal``.
    """
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))


def _page_rdf_problems(site: Path, g: Graph) -> list[str]:
    """Every entity page's Turtle and JSON-LD file that does not parse, is empty, or says what ``g`` does not.

    The files are read by pyoxigraph, a strict, conforming Turtle and JSON-LD 1.1 parser that refuses to
    fetch a remote context (a tenth of the time rdflib takes for the shipped site's 3,600 files); the
    triples are compared as rdflib terms with the graph's own, as before.
    """
    import pyoxigraph

    problems = []
    triples = set(g)
    for path in sorted(site.glob("*/*.ttl")) + sorted(site.glob("*/*.jsonld")):
        fmt = pyoxigraph.RdfFormat.TURTLE if path.suffix == ".ttl" else pyoxigraph.RdfFormat.JSON_LD
        try:
            read = list(pyoxigraph.parse(path.read_bytes(), format=fmt))
        except Exception as exc:  # any parser error is a failure to report with the file
            problems.append(f"{path.relative_to(site)}: does not parse ({exc})")
            continue
        page = {(_as_rdflib(q.subject), _as_rdflib(q.predicate), _as_rdflib(q.object)) for q in read}
        if any(q.graph_name != pyoxigraph.DefaultGraph() for q in read):
            problems.append(f"{path.relative_to(site)}: holds a named graph")
        elif len(page) == 0 or not page <= triples:
            problems.append(f"{path.relative_to(site)}: {len(page - triples)} triples not in the graph")
    return problems


@pytest.mark.slow
def test_every_page_rdf_parses_and_is_a_subset_of_the_graph(tiny: Path, tiny_graph: Graph, shipped: Path,
                                                           shipped_graph: Graph) -> None:
    assert _page_rdf_problems(tiny, tiny_graph) == []
    assert _page_rdf_problems(shipped, shipped_graph) == []


def test_entity_rdf_holds_its_own_triples_and_the_claims_about_it(tiny: Path, tiny_graph: Graph) -> None:
    page = Graph().parse(tiny / "id" / "Forum.ttl", format="turtle")
    subjects = {str(s) for s in page.subjects()}
    assert {str(WB.Forum), str(WB["mship-xk-forum"]), str(WB["obs-xk-support"])} <= subjects
    assert (WB["obs-xk-support"], URIRef("https://w3id.org/wbsec/def#percentage"),
            Literal("61.5", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))) in page


def test_dumps_hold_the_whole_graph(tiny: Path, tiny_graph: Graph) -> None:
    for name, fmt in (("wbsec.ttl", "turtle"), ("wbsec.nt", "nt"), ("wbsec.jsonld", "json-ld")):
        assert same_graph(tiny_graph, Graph().parse(tiny / name, format=fmt)), name


DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _void_problems(site: Path, g: Graph) -> list[str]:
    """Every count, size and link of void.ttl checked against the graph and the files it describes."""
    void = Graph().parse(site / "void.ttl", format="turtle")
    d = WB["dataset"]
    problems: list[str] = []

    def check(what: str, held: object, measured: object) -> None:
        if held != measured:
            problems.append(f"{what}: void.ttl says {held}, measured {measured}")

    def number(s: object, p: URIRef) -> int | None:
        v = void.value(s, p)
        return None if v is None else int(v)

    typed = {(s, c) for s, c in g.subject_objects(RDF_TYPE)}
    classes = {c for _s, c in typed}
    check("triples", number(d, VOID.triples), len(g))
    check("entities", number(d, VOID.entities),
          len({s for s, _c in typed if isinstance(s, URIRef) and str(s).startswith(str(WB))}))
    check("classes", number(d, VOID.classes), len(classes))
    check("properties", number(d, VOID.properties), len(set(g.predicates())))
    check("distinct subjects", number(d, VOID.distinctSubjects), len(set(g.subjects())))
    check("distinct objects", number(d, VOID.distinctObjects), len(set(g.objects())))
    held_classes = {void.value(part, VOID["class"]): number(part, VOID.entities)
                    for part in void.objects(d, VOID.classPartition)}
    check("class partitions", held_classes, {c: len({s for s, k in typed if k == c}) for c in classes})
    held_props = {void.value(part, VOID.property): number(part, VOID.triples)
                  for part in void.objects(d, VOID.propertyPartition)}
    check("property partitions", held_props, {p: len(list(g.triples((None, p, None)))) for p in set(g.predicates())})
    kinds = {}
    for dist in void.objects(d, DCAT.distribution):
        url = void.value(dist, DCAT.downloadURL)
        path = Path(str(url).removeprefix("file://"))
        if not path.is_file() or path.parent != site:
            problems.append(f"{dist}: downloadURL {url} is not a file of the site")
            continue
        check(f"{path.name} byteSize", number(dist, DCAT.byteSize), path.stat().st_size)
        kinds[path.name] = str(void.value(dist, DCAT.mediaType)).rsplit("/", 2)[-2:]
    check("dumps", kinds, {"wbsec.ttl": ["text", "turtle"], "wbsec.nt": ["application", "n-triples"],
                           "wbsec.jsonld": ["application", "ld+json"]})
    for example in void.objects(d, VOID.exampleResource):
        if (example, None, None) not in g:
            problems.append(f"example {example} is not a subject of the graph")
    return problems


@pytest.mark.slow  # reads the shipped site, a build of about 16 CPU-s
def test_void_and_dcat_describe_the_dataset_with_counts_measured_on_the_graph(tiny: Path, tiny_graph: Graph,
                                                                             shipped: Path,
                                                                             shipped_graph: Graph) -> None:
    assert _void_problems(tiny, tiny_graph) == []
    assert _void_problems(shipped, shipped_graph) == []
    void = Graph().parse(shipped / "void.ttl", format="turtle")
    d = WB["dataset"]
    assert {VOID.Dataset, DCAT.Dataset} <= set(void.objects(d, RDF_TYPE))
    assert str(void.value(d, DCT.license)) == "https://creativecommons.org/licenses/by/4.0/"
    assert void.value(d, DCT.title) and void.value(d, DCT.description)
    publisher = void.value(d, DCT.publisher)
    assert str(void.value(publisher, URIRef("http://xmlns.com/foaf/0.1/name"))) == "the wbsec contributors"
    assert str(void.value(d, DCT.issued)) == "2026-11-22"  # the ontology's dcterms:created
    newest = max(str(v)[:10] for s in shipped_graph.subjects(RDF_TYPE, URIRef("https://w3id.org/wbsec/def#Source"))
                 for v in shipped_graph.objects(s, DCT.issued) if len(str(v)) >= 10)
    assert str(void.value(d, DCT.modified)) >= max(newest, "2026-11-22")
    assert len(set(void.objects(d, VOID.exampleResource))) >= 3
    assert (d, VOID.sparqlEndpoint, None) not in void  # a static site has none
    dumps = sorted(str(x).rsplit("/", 1)[-1] for x in void.objects(d, VOID.dataDump))
    assert dumps == ["wbsec.jsonld", "wbsec.nt", "wbsec.ttl"]
    # the discovery copy says the same, its addresses resolved from .well-known/
    assert same_graph(void, Graph().parse(shipped / ".well-known" / "void", format="turtle"))
    home = _read(shipped / "index.html")
    assert ("link", {"rel": "alternate", "type": "text/turtle", "href": "void.ttl",
                     "title": "The dataset: VoID and DCAT description"}) in home.tags


@pytest.mark.slow  # reads the shipped site, a build of about 16 CPU-s
def test_search_index_holds_names_in_every_language(tiny: Path, shipped: Path) -> None:
    index = json.loads((tiny / "search-index.json").read_text(encoding="utf-8"))
    names = {n[0]: index["pages"][n[2]][0] for n in index["names"]}
    assert names["Косово"] == names["Kosova"] == names["Kosovo"] == "id/XK.html"
    assert names["Србија"] == "id/RS.html"
    shipped_names = {n[0] for n in json.loads((shipped / "search-index.json").read_text(encoding="utf-8"))["names"]}
    assert "Rashko Konjeviq" in shipped_names and any(re.search("[\u0400-\u04ff]", n) for n in shipped_names)


# --- writing --------------------------------------------------------------------------------------


def test_refuses_to_replace_an_unrelated_directory(tmp_path: Path) -> None:
    keep = tmp_path / "mine"
    keep.mkdir()
    (keep / "notes.txt").write_text("precious", encoding="utf-8")
    result = CliRunner().invoke(main, ["site", "--no-shipped", "--data", str(TINY), "--output", str(keep)])
    assert result.exit_code == 4 and "not an earlier wbsec site" in result.output
    assert (keep / "notes.txt").read_text(encoding="utf-8") == "precious"


def test_rebuild_replaces_the_site_and_a_failed_build_leaves_it_untouched(tmp_path: Path, tiny: Path,
                                                                         tiny_graph: Graph,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """An earlier site (a copy of this module's build) is replaced as a whole; a failed build leaves it untouched."""
    out = tmp_path / "site"
    shutil.copytree(tiny, out)
    (out / "stale.html").write_text("old", encoding="utf-8")
    build_site(tiny_graph, out)
    assert not (out / "stale.html").exists() and (out / "index.html").is_file()
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def boom(*_args: object) -> int:
        raise OutputError("disk full (simulated)")

    monkeypatch.setattr("graph.site._write_all", boom)
    with pytest.raises(OutputError):
        build_site(tiny_graph, out)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no temporary directory left behind


def _other_seed(seed: str) -> str:
    """``seed``, or another one when this process runs with it (the child must hash strings differently)."""
    return str(int(seed) + 1) if os.environ.get("PYTHONHASHSEED") == seed else seed


def _files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_output_is_byte_identical_across_processes_and_hash_seeds(tmp_path: Path, tiny: Path) -> None:
    """A build in a fresh interpreter with another hash seed gives the same bytes as this process's build.

    ``tiny`` is built here, through the same command, under this process's seed (random unless
    ``PYTHONHASHSEED`` is set, in which case the child's seed is chosen to differ).
    """
    out = tmp_path / "site"
    env = {**os.environ, "PYTHONHASHSEED": _other_seed("4242"), "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "graph", "site", "--no-shipped", "--data", str(TINY),
                    "--output", str(out)], check=True, env=env, cwd=tmp_path, capture_output=True)
    ours, theirs = _files(out), _files(tiny)
    assert ours.keys() == theirs.keys()
    assert [k for k in ours if ours[k] != theirs[k]] == []


@pytest.mark.slow
def test_shipped_site_is_byte_identical_across_hash_seeds(tmp_path: Path, shipped: Path) -> None:
    """As above for the shipped data, against the site built once per run (``tests/conftest.py``)."""
    for name in ("graph.html", "gaps-report.md"):  # the same neighbours as the fixture's site
        (tmp_path / name).write_bytes((shipped.parent / name).read_bytes())
    out = tmp_path / "site"
    env = {**os.environ, "PYTHONHASHSEED": _other_seed("977"), "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "graph", "site", "--output", str(out)], check=True, env=env,
                   cwd=tmp_path, capture_output=True)
    ours, theirs = _files(out), _files(shipped)
    assert ours.keys() == theirs.keys()
    assert [k for k in ours if ours[k] != theirs[k]] == []


def test_page_text_is_unescaped_correctly(tiny: Path) -> None:
    body = (tiny / "id" / "mship-xk-forum.html").read_text(encoding="utf-8")
    quote = re.search(r'<blockquote class="quote">(.*?)</blockquote>', body, re.S)
    assert quote and html.unescape(quote.group(1)) == \
        '</script><script>alert(2)</script> Kosovo joined "the Forum" & more'


def test_iris_that_cannot_be_file_names_get_stable_hashed_pages(tiny: Path) -> None:
    index = json.loads((tiny / "search-index.json").read_text(encoding="utf-8"))
    paths = {title: path for path, title, _kind, _rank in index["pages"]}
    assert paths["Case test upper"] == "id/CaseTest.html"
    for title in ("Odd name", "Index the actor", "Case test lower"):
        assert re.fullmatch(r"id/r-[0-9a-f]{16}\.html", paths[title]), title
        assert (tiny / paths[title]).is_file()
    assert len({p.lower() for p in paths.values()}) == len(paths)  # no two pages merge on a case-blind disk
    assert f'href="../{paths["Odd name"]}"' in (tiny / paths["Case test lower"]).read_text(encoding="utf-8")


def test_source_page_links_its_own_url_and_nothing_else_outside(tiny: Path) -> None:
    body = (tiny / "id" / "src-news.html").read_text(encoding="utf-8")
    cite = body[body.index('id="cite"'):body.index("</section>", body.index('id="cite"'))]
    assert '<a class="url" href="https://example.org/news/forum" rel="noopener noreferrer">' in cite
    outside = {a["href"] for t, a in _read(tiny / "id" / "src-news.html").tags
               if t == "a" and a.get("href", "").startswith("http")}
    # its own address, and the other source's in the conflict shown on the page
    assert outside == {"https://example.org/news/forum", "https://example.org/forum/about"}


def test_actor_pages_carry_a_small_ego_network_of_linked_pages(tiny: Path) -> None:
    body = (tiny / "id" / "RS.html").read_text(encoding="utf-8")
    data = json.loads(html.unescape(re.search(r'<script type="application/json" id="ego-data">(.*?)</script>',
                                              body, re.S).group(1)))  # type: ignore[union-attr]
    ids = {n["id"] for n in data["nodes"]}
    assert data["centre"] == str(WB.RS) and {str(WB.RS), str(WB.Forum)} <= ids
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"]) and data["edges"]
    assert all((tiny / n["page"]).is_file() for n in data["nodes"] if n["page"])
    assert (tiny / "assets" / "vis-network.min.js").stat().st_size > 100_000
    assert 'id="ego-data"' not in (tiny / "id" / "src-news.html").read_text(encoding="utf-8")  # sources: none
