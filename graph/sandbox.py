"""Keep data and queries from reaching the network or unexpected files.

rdflib fetches URLs and local files when data or a query asks for it (JSON-LD
contexts, ``SERVICE``, ``FROM``, ``LOAD``). wbsec closes those doors in three
layers:

1. static checks before parsing or evaluation (in :mod:`graph.store` and
   :mod:`graph.sparql`), which give clean error messages;
2. :func:`harden_rdflib`: ``FROM``/``LOAD`` never fetch, and a custom
   evaluation hook refuses ``SERVICE`` (queries themselves run on Oxigraph,
   see :mod:`graph.backends`, which enforces their deadline);
3. :func:`install_audit_hook`, installed only by the ``wbsec`` entry point:
   no outbound connection except to loopback, no ``urllib`` request unless a
   backend explicitly allows that URL, and no file reads during a parse except
   the file being parsed and the Python installation.

An audit hook is not a sandbox; for untrusted input run wbsec in a container
without network, as rdflib's own security notes advise.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import os
import sys
from collections.abc import Iterator
from typing import Any

from graph.errors import PolicyError

_ALLOWED_READS: contextvars.ContextVar[frozenset[str] | None] = contextvars.ContextVar(
    "wbsec_allowed_reads", default=None
)
_ALLOWED_URLS: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar(
    "wbsec_allowed_urls", default=()
)
_ALLOWED_ADDRESSES: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar(
    "wbsec_allowed_addresses", default=frozenset()
)
_hook_installed = False
_rdflib_hardened = False
_EVAL_KEY = "wbsec-guard"


def _python_roots() -> tuple[str, ...]:
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.__file__)}
    return tuple(sorted(os.path.realpath(r) for r in roots))


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "urllib.Request":
        url = str(args[0])
        if not any(url.startswith(prefix) for prefix in _ALLOWED_URLS.get()):
            raise PolicyError(f"network access blocked: {url}")
    elif event == "socket.connect":
        address = args[1]
        host = address[0] if isinstance(address, tuple) and address else None
        if isinstance(address, (str, bytes)):
            return  # a Unix socket, never the network
        try:
            loopback = host is not None and ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback and host not in _ALLOWED_ADDRESSES.get():
            raise PolicyError(f"outbound connection blocked: {address!r}")
    elif event == "open":
        allowed = _ALLOWED_READS.get()
        if allowed is None or isinstance(args[0], int):
            return
        path = os.path.realpath(os.fsdecode(args[0]))
        if path not in allowed and not path.startswith(_python_roots()):
            raise PolicyError(f"file access blocked during parse: {path}")


def install_audit_hook() -> None:
    """Install the process-wide audit hook (idempotent; it cannot be removed)."""
    global _hook_installed
    if not _hook_installed:
        sys.addaudithook(_audit)
        _hook_installed = True


@contextlib.contextmanager
def guarded_parse(*paths: str | os.PathLike[str]) -> Iterator[None]:
    """While active, the audit hook lets a parse open only ``paths`` and Python's own files."""
    token = _ALLOWED_READS.set(frozenset(os.path.realpath(os.fspath(p)) for p in paths))
    try:
        yield
    finally:
        _ALLOWED_READS.reset(token)


@contextlib.contextmanager
def network_allowed(url_prefix: str) -> Iterator[None]:
    """Let ``urllib`` requests whose URL starts with ``url_prefix`` through (remote endpoints).

    Connections to the addresses that URL's host resolves to are allowed too,
    in this context only; every other host stays blocked.
    """
    token = _ALLOWED_URLS.set(_ALLOWED_URLS.get() + (url_prefix,))
    addresses = _ALLOWED_ADDRESSES.set(_ALLOWED_ADDRESSES.get() | _addresses_of(url_prefix))
    try:
        yield
    finally:
        _ALLOWED_ADDRESSES.reset(addresses)
        _ALLOWED_URLS.reset(token)


def _addresses_of(url: str) -> frozenset[str]:
    import socket
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname
    if not host:
        return frozenset()
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return frozenset()  # urllib will report that the host cannot be resolved
    return frozenset(str(info[4][0]) for info in infos)


def harden_rdflib() -> None:
    """Make rdflib's SPARQL engine refuse SERVICE and never load FROM/LOAD graphs."""
    global _rdflib_hardened
    if _rdflib_hardened:
        return
    import rdflib.plugins.sparql as rsparql

    rsparql.SPARQL_LOAD_GRAPHS = False

    def guard(ctx: Any, part: Any) -> Any:
        if part.name == "ServiceGraphPattern":
            raise PolicyError("SPARQL SERVICE is disabled: wbsec never queries remote endpoints from a query")
        raise NotImplementedError()  # rdflib's default evaluation handles it

    rsparql.CUSTOM_EVALS[_EVAL_KEY] = guard
    _rdflib_hardened = True
