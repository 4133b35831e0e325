"""Plain-text checks and shapes of IRIs, URLs, years and language tags.

Every module that looks at an IRI, a URL, a year or a language tag as text
uses these definitions, so the rules cannot drift apart. The module needs no
RDF library: the NetworkX side (``graph.viz``, ``graph.metrics``), which must
never import rdflib, can use it as well as the loaders.

>>> local_name("https://w3id.org/wbsec/def#Membership")
'Membership'
>>> bool(BAD_IRI_CHARS.search("https://example.org/a b"))
True
>>> bool(YEAR.match("2015")), bool(LANGUAGE_TAG.match("sr-Latn"))
(True, True)
"""

from __future__ import annotations

import re

__all__ = [
    "BAD_IRI_CHARS",
    "IRI_SCHEMES",
    "ISO_DAY",
    "LANGUAGE_TAG",
    "URL_LIKE",
    "YEAR",
    "is_web_url",
    "local_name",
]

#: Characters no IRI may contain: controls and space (``\x00``-``\x20``), DEL (``\x7f``) and
#: ``<>"{}|^`\``. Turtle's IRIREF production excludes all but DEL; RFC 3987 (which Turtle,
#: N-Triples and SPARQL require IRIs to follow) excludes DEL as well, so it is refused too.
BAD_IRI_CHARS = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f]')

#: The IRI schemes accepted where a query or a table names a resource.
IRI_SCHEMES = ("http", "https", "urn")

#: Text that starts like a URL (``scheme:/``, so ``file:/etc`` too): refused where a local file path
#: is expected. The scheme has two characters at least, so a Windows drive (``C:/``) is a path.
URL_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:/")

#: A four-digit year (``2015``), as ``xsd:gYear`` is written in the data and on the command line.
YEAR = re.compile(r"^\d{4}$")

#: A calendar day written ``YYYY-MM-DD`` (checked for validity separately, e.g. by ``date.fromisoformat``).
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: A BCP 47 language tag as RDF accepts one: a 1-8 letter primary subtag, then ``-``-separated subtags.
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")

_WEB_URL = re.compile(r"^https?://[^/\s]")


def local_name(iri: str) -> str:
    """The last segment of ``iri`` after ``#`` or ``/`` (``…/def#Membership`` -> ``Membership``).

    A trailing ``/`` or ``#`` is ignored; an IRI without any segment is returned whole.
    """
    tail = re.split(r"[#/]", str(iri).rstrip("/#"))[-1]
    return tail or str(iri)


def is_web_url(url: str) -> bool:
    """True for a plain ``http(s)://host…`` address with no character an IRI may not hold.

    Only such addresses become links in generated pages (never ``javascript:``, ``data:`` or ``file:``).
    """
    return bool(_WEB_URL.match(url)) and not BAD_IRI_CHARS.search(url)
