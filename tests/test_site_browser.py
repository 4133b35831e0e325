"""The static site in a real browser: Debian's chromium, headless, every request but the site's own files refused.

Outside CI these tests skip with a reason when /usr/bin/chromium is missing;
with CI=true they fail instead, as the explorer's browser tests do.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from graph.site import build_site
from graph.store import SHAPES_FILE, load_graph, parse_file
from tests.conftest import CSP_WATCH

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page


pytestmark = pytest.mark.browser

TINY = Path(__file__).resolve().parent / "data" / "site" / "tiny.ttl"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def tiny_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny") / "site"
    build_site(load_graph([TINY], shipped=False), out, shapes=parse_file(SHAPES_FILE))
    return out


@dataclass
class Session:
    """A browser tab on the site, with everything the pages tried to do."""

    context: BrowserContext
    page: Page
    console: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def goto(self, path: Path) -> None:
        self.collect_csp()
        self.page.goto(path.resolve().as_uri())

    def collect_csp(self) -> None:
        """Keep the current page's CSP reports before it is left (each page starts a fresh list)."""
        try:
            self.csp.extend(self.js("window.__csp || []"))
        except Exception:  # no page loaded yet  # noqa: BLE001
            pass

    def problems(self) -> list[str]:
        self.collect_csp()
        return self.console + [f"CSP: {v}" for v in self.csp] + [f"request: {u}" for u in self.refused] \
            + [f"dialog: {d}" for d in self.dialogs]


@pytest.fixture
def tab(browser: Browser) -> Iterator[Session]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    s = Session(context, page)

    def route(r: Any) -> None:
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            s.refused.append(r.request.url)
            r.abort()

    def dialog(d: Any) -> None:
        s.dialogs.append(d.message)
        d.dismiss()

    context.route("**/*", route)
    page.on("console", lambda m: s.console.append(f"{m.type}: {m.text}") if m.type in {"error", "warning"} else None)
    page.on("pageerror", lambda e: s.console.append(f"pageerror: {e}"))
    page.on("dialog", dialog)
    page.add_init_script(CSP_WATCH)
    try:
        yield s
    finally:
        context.close()


def _wait_until(page: Page, expression: str, seconds: float = 20.0) -> None:
    """Poll from outside: Playwright's wait_for_function evaluates strings, which the CSP refuses."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:.0f} s waiting for {expression}")
        page.wait_for_timeout(50)


def _search(tab: Session, text: str) -> list[tuple[str, str]]:
    tab.page.fill("#q", text)
    _wait_until(tab.page, "document.getElementById('search-status').textContent !== ''")
    return [tuple(x) for x in tab.js(
        "Array.from(document.querySelectorAll('#results a')).map(a => [a.textContent, a.getAttribute('href')])")]


@pytest.mark.slow  # reads the shipped site, a build of about 16 CPU-s
def test_search_finds_names_in_every_language_and_opens_the_page(tab: Session, shipped_site: Path) -> None:
    tab.goto(shipped_site / "index.html")
    _wait_until(tab.page, "!!(window.wbsecSearch && wbsecSearch.ready)")
    assert tab.js("wbsecSearch.count") == len(list(shipped_site.glob("*/*.html"))) - len(
        list(shipped_site.glob("list/*.html")))
    hits = _search(tab, "Kosovo")
    assert hits[0] == ("Kosovo", "id/XK.html")
    cyrillic = _search(tab, "Споразум између Владе Републике Србије и Савета министара")  # Serbian Cyrillic
    assert cyrillic and all(href.startswith("id/agr-") for _t, href in cyrillic)
    assert any(title.startswith("Bosnia and Herzegovina–Serbia agreement") for title, _h in cyrillic)
    albanian = _search(tab, "Konjeviq")  # an Albanian spelling, held as skos:altLabel@sq
    assert albanian and "matched “Rashko Konjeviq” (sq)" in (tab.page.text_content("#results") or "")
    assert _search(tab, "zzzqqq") == []
    assert "No name matches" in (tab.page.text_content("#search-status") or "")
    _search(tab, "Kosovo")
    tab.page.click("#results a >> nth=0")
    tab.page.wait_for_load_state()
    assert tab.page.text_content("h1") == "Kosovo"
    assert tab.page.url.endswith("/id/XK.html")
    assert tab.problems() == []


@pytest.mark.slow  # reads the shipped site, a build of about 16 CPU-s
def test_initiative_membership_leads_to_its_source(tab: Session, shipped_site: Path) -> None:
    tab.goto(shipped_site / "list" / "initiatives.html")
    tab.page.click("text=Berlin Process")
    tab.page.wait_for_load_state()
    assert tab.page.text_content("h1") == "Berlin Process"
    card = tab.page.locator("#claims article.claim", has_text="participant in the Berlin Process").first
    membership = card.locator("h4 a").text_content()
    source = card.locator("a.src-title").first
    title = source.text_content()
    assert membership and title
    source.click()
    tab.page.wait_for_load_state()
    assert "/id/" in tab.page.url
    assert title in (tab.page.text_content("main") or "")
    taken = tab.page.text_content("#taken") or ""
    assert membership in taken
    assert tab.problems() == []


@pytest.mark.slow  # reads the shipped site, a build of about 16 CPU-s
def test_conflict_is_shown_side_by_side_with_both_sources(tab: Session, shipped_site: Path) -> None:
    tab.goto(shipped_site / "id" / "BA.html")
    pairs = tab.page.locator("#conflicts .conflict")
    assert pairs.count() >= 1
    first = pairs.first
    claims = first.locator("article.claim")
    assert claims.count() == 2
    left = claims.nth(0).locator("a.src-title").all_text_contents()
    right = claims.nth(1).locator("a.src-title").all_text_contents()
    assert left and right and set(left) != set(right)
    boxes = [claims.nth(i).bounding_box() for i in range(2)]
    assert boxes[0] and boxes[1] and abs(boxes[0]["y"] - boxes[1]["y"]) < 2 and boxes[0]["x"] < boxes[1]["x"]
    assert tab.problems() == []


def test_hostile_label_renders_as_text(tab: Session, tiny_site: Path) -> None:
    tab.goto(tiny_site / "index.html")
    _wait_until(tab.page, "!!(window.wbsecSearch && wbsecSearch.ready)")
    hits = _search(tab, "onerror")
    assert hits == [(XSS, "id/test-xss.html")]
    tab.page.click("#results a >> nth=0")
    tab.page.wait_for_load_state()
    assert tab.page.text_content("h1") == XSS
    assert tab.js("document.querySelectorAll('img, iframe, object, embed').length") == 0
    tab.goto(tiny_site / "id" / "mship-xk-forum.html")
    assert tab.page.text_content("blockquote.quote") == \
        '</script><script>alert(2)</script> Kosovo joined "the Forum" & more'
    assert tab.js("document.scripts.length") == 0
    tab.goto(tiny_site / "id" / "src-evil.html")
    assert tab.js("Array.from(document.links).filter(a => a.protocol === 'javascript:').length") == 0
    assert tab.dialogs == []
    assert tab.problems() == []


@pytest.mark.slow  # reads the shipped site, a build of about 16 CPU-s
def test_every_kind_of_page_opens_without_errors(tab: Session, shipped_site: Path) -> None:
    for rel in ("index.html", "sources.html", "vocabulary.html", "list/polities.html", "id/XK.html",
                "id/RCC.html", "def/Polity.html", "def/RoleScheme.html", "def/party.html"):
        tab.goto(shipped_site / rel)
        assert tab.page.text_content("h1"), rel
    assert tab.problems() == []


@pytest.mark.slow  # reads the shipped site, a build of about 16 CPU-s
def test_ego_network_draws_and_a_click_opens_the_neighbour(tab: Session, shipped_site: Path) -> None:
    tab.goto(shipped_site / "id" / "XK.html")
    _wait_until(tab.page, "!!(window.wbsecEgo && wbsecEgo.ready)")
    drawn = tab.js("wbsecEgo.nodes.length")
    assert drawn == tab.js("JSON.parse(document.getElementById('ego-data').textContent).nodes.length") and drawn > 5
    assert tab.js("document.querySelector('#ego canvas') !== null")
    rs = "https://w3id.org/wbsec/id/RS"
    tab.page.locator("#ego").scroll_into_view_if_needed()
    x, y = tab.js(
        """id => { const net = wbsecEgo.network; net.focus(id, {scale: 2, animation: false});
                   const d = net.canvasToDOM(net.getPositions([id])[id]);
                   const r = document.getElementById('ego').getBoundingClientRect();
                   return [r.left + d.x, r.top + d.y]; }""",
        rs,
    )
    tab.page.mouse.click(x, y)
    tab.page.wait_for_url("**/id/RS.html", timeout=10_000)
    assert tab.page.text_content("h1") == "Serbia"
    assert tab.problems() == []
