"""Write the curated data and one's own files into a SPARQL server's graph (SPARQL 1.1 Graph Store HTTP Protocol).

:func:`push` loads the files as every command does (strict parse, the
shipped ontology and data unless ``shipped=False``), writes them as sorted
N-Triples in chunks of :data:`CHUNK_TRIPLES` and sends each chunk to
``GSP_URL?graph=IRI``: ``POST`` adds to the graph; with ``replace`` the first
chunk is a ``PUT``, which replaces the graph, and the rest are ``POST``.

Credentials come only from the environment (``WBSEC_USER`` and
``WBSEC_PASSWORD``) or from ``~/.netrc`` (the machine of the URL), never from
the command line or the URL, and never appear in a message. They are sent
only over https or to this machine (Basic or Digest, as the server asks).
TLS certificates are verified; redirects are refused, as for ``--endpoint``.
"""

from __future__ import annotations

import contextvars
import ipaddress
import netrc
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.backends import no_redirect_handler
from graph.errors import GraphError, InputError, LimitError, PolicyError
from graph.sandbox import network_allowed
from graph.store import load_graph

if TYPE_CHECKING:
    from urllib.parse import SplitResult

__all__ = ["CHUNK_TRIPLES", "PushReport", "credentials", "push"]

#: Triples per request: large inputs go in several requests of at most this many.
CHUNK_TRIPLES = 50_000


@dataclass(frozen=True)
class PushReport:
    """What :func:`push` sent: triples, requests and the graph written."""

    url: str
    graph: str
    triples: int
    requests: int
    replaced: bool


def credentials(url: str, *, netrc_file: str | Path | None = None) -> tuple[str, str] | None:
    """``(user, password)`` from ``WBSEC_USER``/``WBSEC_PASSWORD``, else ``~/.netrc`` for the URL's host.

    Both variables or neither: one alone is an :class:`InputError`. A
    ``.netrc`` that cannot be read is an error that names the file, not the
    secret.
    """
    from urllib.parse import urlsplit

    user, password = os.environ.get("WBSEC_USER"), os.environ.get("WBSEC_PASSWORD")
    if (user is None) != (password is None):
        raise InputError("set both WBSEC_USER and WBSEC_PASSWORD, or neither (then ~/.netrc is read)")
    if user is not None and password is not None:
        return user, password
    path = Path(netrc_file) if netrc_file is not None else Path.home() / ".netrc"
    if not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(urlsplit(url).hostname or "")
    except (netrc.NetrcParseError, OSError) as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(f"{path}: cannot read it{f' (line {line})' if line else ''}") from None
    if entry is None:
        return None
    login, _account, secret = entry
    return (login or "", secret or "") if secret else None


def push(
    url: str,
    graph: str,
    files: Sequence[str | Path] = (),
    *,
    shipped: bool = True,
    replace: bool = False,
    timeout: float = 300.0,
    chunk_triples: int = CHUNK_TRIPLES,
    netrc_file: str | Path | None = None,
) -> PushReport:
    """Send the curated data (unless ``shipped=False``) plus ``files`` to the graph ``graph`` at ``url``.

    ``timeout`` bounds each request. Nothing is sent when a file does not
    parse; a failed request stops the push with the chunks before it written
    (the message says how many).
    """
    parts = _checked_url(url)
    _check_graph(graph)
    if chunk_triples < 1:
        raise InputError("chunk_triples must be at least 1")
    lines, with_blanks = _ntriples(files, shipped)
    secret = credentials(url, netrc_file=netrc_file)
    if secret is not None and parts.scheme != "https" and not _loopback(parts.hostname or ""):
        raise PolicyError(f"{_safe(url)}: credentials are sent only over https or to this machine")
    opener = _opener(url)
    signer = _Signer(url, secret) if secret is not None else None
    target = url + ("&" if parts.query else "?") + "graph=" + _quote(graph)
    requests = 0
    for number, part in enumerate(_chunks(lines, with_blanks, chunk_triples)):
        body = "".join(part).encode("utf-8")
        method = "PUT" if replace and number == 0 else "POST"
        try:
            if signer is not None:  # ask for the challenge with an empty POST, then send the body signed
                signer.challenge(_send(opener, target, "POST", b"", timeout, url, expect_challenge=True))
            _send(opener, target, method, body, timeout, url, signer=signer)
        except GraphError as exc:
            if requests:
                raise type(exc)(f"{exc} ({requests} of the chunks before it were written)") from None
            raise
        requests += 1
    return PushReport(url, graph, len(lines) + len(with_blanks), requests, replace)


def _checked_url(url: str) -> SplitResult:
    """The parts of the Graph Store ``url``: an http(s) address with a host and no user information in it."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{_safe(url)}: give the http:// or https:// address of a Graph Store (e.g. …/store)")
    if parts.username is not None or parts.password is not None:
        raise InputError("do not put credentials in the URL: set WBSEC_USER and WBSEC_PASSWORD or use ~/.netrc")
    return parts


def _check_graph(graph: str) -> None:
    """Refuse a ``graph`` name that is not an absolute IRI: empty, no scheme, a space or one of <>"{}|^`\\."""
    if not graph or any(c in graph for c in ' <>"{}|^`\\') or ":" not in graph:
        raise InputError(f"--graph {graph!r}: give the absolute IRI of the graph to write (https://… or urn:…)")


def _chunks(lines: list[str], with_blanks: list[str], chunk_triples: int) -> list[list[str]]:
    """The request bodies: ``lines`` in chunks of ``chunk_triples``, then every line naming a blank node.

    A blank node is local to one request, so every triple naming one goes in
    the same (last) chunk; with nothing to send there is one empty chunk.

    >>> _chunks(["a", "b", "c"], ["_:x"], 2)
    [['a', 'b'], ['c'], ['_:x']]
    >>> _chunks([], [], 2)
    [[]]
    """
    bodies = [lines[i : i + chunk_triples] for i in range(0, len(lines), chunk_triples)]
    if with_blanks or not bodies:
        bodies.append(with_blanks)
    return bodies


def _ntriples(files: Sequence[str | Path], shipped: bool) -> tuple[list[str], list[str]]:
    """The loaded graph as sorted N-Triples lines (each ending in a newline): without and with blank nodes."""
    import re

    g = load_graph(files, shipped=shipped)
    text = g.serialize(format="nt", encoding="utf-8").decode("utf-8")
    blank = re.compile(r"^_:|\s_:\S+\s*\.\s*$")  # a blank subject, or a blank object (a literal ends otherwise)
    plain: list[str] = []
    blanks: list[str] = []
    for line in text.splitlines():
        if line.strip():
            (blanks if blank.search(line) else plain).append(line + "\n")
    return sorted(plain), sorted(blanks)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def _safe(url: str) -> str:
    """``url`` without any user information, for messages."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _opener(url: str) -> Any:
    import ssl
    import urllib.request

    handlers: list[Any] = [no_redirect_handler(), urllib.request.HTTPSHandler(context=ssl.create_default_context())]
    if _loopback(urllib.request.urlparse(url).hostname or ""):
        handlers.append(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener(*handlers)


class _Signer:
    """Signs a request up front (Basic or Digest, as the server's challenge asks).

    urllib answers a challenge by sending the request again, but a server
    that refuses a large body before reading it breaks the pipe; so an empty
    POST fetches the challenge and the real request goes out signed.
    """

    def __init__(self, url: str, secret: tuple[str, str]) -> None:
        import urllib.request

        self._secret = secret
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, url, *secret)
        self._digest = urllib.request.HTTPDigestAuthHandler(manager)
        self._header: str | None = None

    def challenge(self, header: str | None) -> None:
        """Remember the ``WWW-Authenticate`` header of the last 401 (None: the server asks for nothing)."""
        self._header = header

    def sign(self, request: Any) -> None:
        import base64
        import urllib.request

        header = self._header
        if not header:
            return
        scheme, _, rest = header.partition(" ")
        if scheme.lower() == "basic":
            token = base64.b64encode(":".join(self._secret).encode("utf-8")).decode("ascii")
            request.add_unredirected_header("Authorization", f"Basic {token}")
        elif scheme.lower() == "digest":
            chal = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
            value = self._digest.get_authorization(request, chal)
            if value is None:
                raise PolicyError(f"{_safe(request.full_url)}: cannot answer the server's Digest challenge")
            request.add_unredirected_header("Authorization", f"Digest {value}")
        else:
            raise PolicyError(f"{_safe(request.full_url)}: the server asks for {scheme} authentication; "
                              "wbsec push speaks Basic and Digest")


def _send(opener: Any, target: str, method: str, body: bytes, timeout: float, url: str, *,
          signer: _Signer | None = None, expect_challenge: bool = False) -> str | None:
    """Send one request; with ``expect_challenge`` a 401 is the answer: its ``WWW-Authenticate`` header."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(target, data=body, method=method, headers={
        "Content-Type": "text/turtle; charset=utf-8", "User-Agent": "wbsec (graph store client)"})
    if signer is not None:
        signer.sign(request)
    where = _safe(url)
    context = contextvars.copy_context()

    def send() -> None:
        with network_allowed(url), opener.open(request, timeout=timeout) as response:
            response.read(1 << 16)

    started = time.monotonic()
    try:
        context.run(send)
        return None
    except urllib.error.HTTPError as exc:
        code = exc.code
        if code == 401 and expect_challenge:
            return exc.headers.get("WWW-Authenticate")
        if code in (401, 403):
            raise PolicyError(f"{where}: the server refused the write (HTTP {code}); check WBSEC_USER/WBSEC_PASSWORD "
                              "or ~/.netrc and the account's write permission") from None
        if code in (408, 503, 504):
            raise LimitError(f"{where}: the server gave up (HTTP {code})") from None
        raise InputError(f"{where}: the server answered HTTP {code} to {method}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError) or "timed out" in str(exc.reason):
            raise LimitError(f"{where}: no answer within {timeout:g} s") from None
        raise InputError(f"{where}: cannot reach the server ({' '.join(str(exc.reason).split())[:200]})") from None
    except TimeoutError:
        raise LimitError(f"{where}: no answer within {timeout:g} s after {time.monotonic() - started:.0f} s") from None
    except GraphError:
        raise
    except (OSError, ValueError) as exc:
        raise InputError(f"{where}: request failed ({type(exc).__name__})") from None
