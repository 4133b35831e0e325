"""wbsec serve answers the graph's IRIs: /id/NAME and /def give the site's page to a browser and RDF to a program."""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF

from graph.backends import OxigraphBackend
from graph.site import build_site
from graph.store import SHAPES_FILE, parse_file
from tests.conftest import CSP_WATCH
from tests.test_serve import ROOT, Served, _request, _start, _stop

TINY = ROOT / "tests" / "data" / "site" / "tiny.ttl"
WB = "https://w3id.org/wbsec/id/"
WBO = "https://w3id.org/wbsec/def#"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
RDF_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt"}


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    s = _start("--no-shipped", "--data", str(TINY), "--timeout", "10")
    try:
        yield s
    finally:
        _stop(s)


@pytest.fixture(scope="module")
def store_graph(served: Served) -> Graph:
    """Everything the server serves, read back through its own Graph Store GET."""
    status, _h, body = _get(served, "/store?default", "application/n-triples")
    assert status == 200
    return Graph().parse(data=body.decode(), format="nt")


def _get(served: Served, path: str, accept: str | None = None) -> tuple[int, dict[str, str], bytes]:
    # the first page request reads the store and renders the model: allow it time on a busy machine
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=120)
    try:
        conn.request("GET", path, headers={"Accept": accept} if accept else {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def _ground(g: Graph) -> set[tuple[Any, Any, Any]]:
    return {t for t in g if not any(isinstance(x, BNode) for x in t)}


# --------------------------------------------------------------------------- content negotiation


def test_an_entity_iri_gives_html_to_a_browser(served: Served) -> None:
    status, headers, body = _get(served, "/id/XK", BROWSER_ACCEPT)
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["vary"] == "Accept"
    assert headers["content-location"] == "/id/XK.html"
    assert '</id/XK.ttl>; rel="alternate"; type="text/turtle"' in headers["link"]
    assert '</id/XK.jsonld>; rel="alternate"; type="application/ld+json"' in headers["link"]
    assert "default-src 'none'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    html = body.decode()
    assert "<h1>Kosovo</h1>" in html and "Косово" in html
    _s, _h, same = _get(served, "/id/XK.html")
    assert same == body


@pytest.mark.parametrize("accept", list(RDF_TYPES))
def test_an_entity_iri_gives_rdf_to_a_program(served: Served, store_graph: Graph, accept: str) -> None:
    status, headers, body = _get(served, "/id/XK", accept)
    assert status == 200
    assert headers["content-type"].split(";")[0] == accept
    assert headers["vary"] == "Accept"
    ext = {"text/turtle": "ttl", "application/ld+json": "jsonld", "application/n-triples": "nt"}[accept]
    assert headers["content-location"] == f"/id/XK.{ext}"
    assert '</id/XK.html>; rel="alternate"; type="text/html"' in headers["link"]
    g = Graph().parse(data=body.decode(), format=RDF_TYPES[accept])
    xk = URIRef(WB + "XK")
    assert (xk, RDF.type, URIRef(WBO + "Polity")) in g
    assert _ground(g) and _ground(g) <= set(store_graph)


def test_no_accept_gives_html_and_an_unsupported_type_gives_406(served: Served) -> None:
    status, headers, _b = _get(served, "/id/XK")
    assert status == 200 and headers["content-type"].startswith("text/html")
    status, headers, body = _get(served, "/id/XK", "application/pdf, image/png;q=0.5")
    assert status == 406 and headers["vary"] == "Accept"
    assert b"text/turtle" in body and "/id/XK.ttl" in headers["link"]
    status, headers, _b = _get(served, "/id/XK", "text/turtle;q=0, text/html;q=0")
    assert status == 406


def test_the_vocabulary_iri_gives_the_vocabulary(served: Served, store_graph: Graph) -> None:
    status, headers, body = _get(served, "/def", "text/turtle")
    assert status == 200 and headers["content-location"] == "/def.ttl"
    g = Graph().parse(data=body.decode(), format="turtle")
    assert (URIRef("https://w3id.org/wbsec/def"), RDF.type, OWL.Ontology) in g
    assert (URIRef(WBO + "Polity"), RDF.type, OWL.Class) in g
    assert _ground(g) <= set(store_graph)
    status, headers, body = _get(served, "/def", BROWSER_ACCEPT)
    assert status == 200 and headers["content-location"] == "/vocabulary.html"
    _s, _h, vocabulary = _get(served, "/vocabulary.html")
    assert body == vocabulary
    assert b'<dt id="Polity">' in body  # so https://w3id.org/wbsec/def#Polity lands on its entry
    status, headers, _b = _get(served, "/def/Polity", "application/ld+json")
    assert status == 200 and headers["content-location"] == "/def/Polity.jsonld"


@pytest.mark.parametrize("path", ["/id/NoSuchThing", "/id/", "/id/XK/", "/id/..%2fquery", "/id/../id/XK",
                                  "/id/XK.exe", "/def.html", "/.wbsec-site", "/graph.html"])
def test_unknown_paths_are_404(served: Served, path: str) -> None:
    status, _h, _b = _get(served, path, "text/turtle")
    assert status == 404


def test_pages_are_read_only(served: Served) -> None:
    for method in ("POST", "PUT", "DELETE"):
        status, headers, _b = _request(served, method, "/id/XK", b"x", {"Content-Type": "text/turtle"})
        assert status == 405 and headers["allow"] == "GET, HEAD, OPTIONS"
    status, headers, body = _request(served, "HEAD", "/id/XK", headers={"Accept": "text/turtle"})
    assert status == 200 and body == b"" and headers["content-location"] == "/id/XK.ttl"


# --------------------------------------------------------------------------- the same site as 'wbsec site'


@pytest.mark.slow
def test_every_file_of_the_static_site_is_served_byte_for_byte(served: Served, tmp_path: Path) -> None:
    with OxigraphBackend(served.store) as backend:
        g = backend.to_graph()
    site = tmp_path / "site"
    build_site(g, site, shapes=parse_file(SHAPES_FILE))
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    checked = [f for f in files if not f.startswith(("def/", ".")) or f.startswith("def/Polity.")]
    checked.append(".well-known/void")
    assert "assets/ego.js" in checked and "id/XK.html" in checked and "id/XK.jsonld" in checked
    for rel in checked:
        status, headers, body = _get(served, "/" + rel)
        assert status == 200, rel
        assert body == (site / rel).read_bytes(), rel
        if rel.endswith(".html"):
            assert "content-security-policy" in headers, rel


def test_every_entity_page_as_rdf_parses_alike_and_is_part_of_the_graph(served: Served, store_graph: Graph) -> None:
    _s, _h, body = _get(served, "/search-index.json")
    stems = sorted({page[0][: -len(".html")] for page in json.loads(body)["pages"] if page[0].startswith("id/")})
    assert "id/XK" in stems and len(stems) > 5
    store = set(store_graph)
    for stem in stems:
        graphs = []
        for ext, fmt in (("ttl", "turtle"), ("jsonld", "json-ld"), ("nt", "nt")):
            status, _h, data = _get(served, f"/{stem}.{ext}")
            assert status == 200, (stem, ext)
            graphs.append(Graph().parse(data=data.decode(), format=fmt))
        assert isomorphic(graphs[0], graphs[1]) and isomorphic(graphs[0], graphs[2]), stem
        assert _ground(graphs[0]) <= store, stem
        subject = URIRef(WB + urllib.parse.unquote(stem[len("id/"):]))
        if not stem.startswith("id/r-"):  # hashed file names stand for IRIs that are not safe as names
            assert (subject, None, None) in graphs[0], stem


# --------------------------------------------------------------------------- in a browser


@pytest.mark.browser
def test_a_served_page_draws_its_network_without_errors_or_outside_requests(served: Served, browser: Any) -> None:
    base = f"http://127.0.0.1:{served.port}"
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    outside: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(base + "/"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page.on("console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type in {"error", "warning"} else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.add_init_script(CSP_WATCH)
    try:
        page.goto(base + "/id/XK")
        assert page.text_content("h1") == "Kosovo"
        deadline = time.monotonic() + 20
        while not page.evaluate("!!(window.wbsecEgo && wbsecEgo.ready)"):
            assert time.monotonic() < deadline, "the ego network was not drawn"
            page.wait_for_timeout(50)
        assert page.evaluate("document.querySelector('#ego canvas') !== null")
        page.click("a[href$='sources.html']")
        page.wait_for_url(base + "/sources.html")
        problems += [f"CSP: {v}" for v in page.evaluate("window.__csp")]
    finally:
        context.close()
    assert problems == [] and outside == []


# --------------------------------------------------------------------------- the curated data


@pytest.mark.slow
def test_albania_from_the_curated_data() -> None:
    s = _start("--timeout", "10")
    try:
        status, headers, body = _get(s, "/id/AL", "text/turtle")
        assert status == 200 and headers["content-location"] == "/id/AL.ttl"
        g = Graph().parse(data=body.decode(), format="turtle")
        assert (URIRef(WB + "AL"), RDF.type, URIRef(WBO + "Polity")) in g
        _s, _h, whole = _get(s, "/store?default", "application/n-triples")
        assert _ground(g) <= set(Graph().parse(data=whole.decode(), format="nt"))
        status, headers, body = _get(s, "/id/AL", BROWSER_ACCEPT)
        assert status == 200 and headers["content-location"] == "/id/AL.html" and b"<h1>Albania</h1>" in body
    finally:
        _stop(s)


# --------------------------------------------------------------------------- without pages


def test_pages_that_cannot_be_built_get_503_and_the_endpoint_still_answers() -> None:
    from graph.errors import LimitError
    from graph.server import ServeConfig, start, stop

    calls: list[Path] = []

    def too_large(store: Path) -> Any:
        calls.append(store)
        raise LimitError(f"{store} holds too many triples to copy into memory")

    running = start(ServeConfig(port=0, files=[str(TINY)], shipped=False, pages=too_large, pool=1))
    try:
        served = Served(None, running.endpoint, running.store)  # type: ignore[arg-type]
        for _ in range(2):
            status, _h, body = _get(served, "/id/XK", "text/turtle")
            assert status == 503 and b"too many triples" in body
        assert calls == [running.store]  # tried once, the answer remembered
        status, _h, _b = _get(served, "/query?" + urllib.parse.urlencode({"query": "ASK {}"}))
        assert status == 200
    finally:
        stop(running)


def test_a_server_without_a_page_source_has_no_pages() -> None:
    from graph.server import ServeConfig, start, stop

    running = start(ServeConfig(port=0, files=[str(TINY)], shipped=False, pool=1))
    try:
        served = Served(None, running.endpoint, running.store)  # type: ignore[arg-type]
        status, _h, _b = _get(served, "/id/XK", "text/turtle")
        assert status == 404
        status, _h, _b = _get(served, "/store?default")
        assert status == 200
    finally:
        stop(running)
