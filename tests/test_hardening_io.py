"""Hardening of inputs and outputs (issue 19): tracebacks and exit codes, N-Triples with Unicode line separators."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Graph, Literal, URIRef

from graph.cli import main
from graph.store import parse_file, same_graph
from tests.conftest import Listener

#: Characters str.splitlines() breaks at although N-Triples and Turtle hold them as data.
SEPARATORS = "\u2028\u2029\u0085\x0b\x0c\x1c\x1d\x1e"


def wbsec(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _one_line_error(result: Result, code: int) -> str:
    assert result.exit_code == code, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def _deep_jsonld(path: Path, depth: int) -> Path:
    text = "".join(f'{{"@id": "http://example.org/n{i}", "http://example.org/p": ' for i in range(depth))
    text += '"v"' + "}" * depth
    path.write_text(text, encoding="utf-8")
    return path


def test_json_ld_nested_3000_deep_is_an_input_error(tmp_path: Path) -> None:
    deep = _deep_jsonld(tmp_path / "deep.jsonld", 3000)
    message = _one_line_error(wbsec("info", "--no-shipped", "--data", str(deep)), 2)
    assert "deep.jsonld" in message and "nests" in message
    message = _one_line_error(wbsec("load", "--store", str(tmp_path / "db"), "--no-shipped", str(deep)), 2)
    assert "deep.jsonld" in message
    assert not (tmp_path / "db").exists()


def test_json_ld_of_ordinary_depth_still_loads(tmp_path: Path) -> None:
    g = parse_file(_deep_jsonld(tmp_path / "ok.jsonld", 50))
    assert len(g) == 50


def test_data_given_as_a_url_is_a_policy_refusal(listener: Listener) -> None:
    for url in (f"{listener.url}/x.ttl", f"https://127.0.0.1:{listener.port}/x.ttl"):
        message = _one_line_error(wbsec("info", "--data", url), 3)
        assert "only local files" in message and url in message
    assert listener.hits == []


def test_output_that_is_a_directory_is_exit_4(tmp_path: Path) -> None:
    (tmp_path / "somedir").mkdir()
    message = _one_line_error(wbsec("export", "--no-shipped", "--format", "nt", "-o", str(tmp_path / "somedir")), 4)
    assert "is a directory" in message
    message = _one_line_error(wbsec("query", "ASK {}", "--no-shipped", "-o", str(tmp_path / "somedir")), 4)
    assert "is a directory" in message


def test_output_that_is_a_dangling_symlink_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "out.nt"
    link.symlink_to(tmp_path / "elsewhere" / "target.nt")
    message = _one_line_error(wbsec("export", "--no-shipped", "--format", "nt", "-o", str(link)), 4)
    assert "symbolic link" in message
    assert link.is_symlink() and not (tmp_path / "elsewhere").exists()


def test_n_triples_export_keeps_unicode_line_separators(tmp_path: Path) -> None:
    value = "a" + "b".join(SEPARATORS) + "z"
    source = Graph()
    source.add((URIRef("http://example.org/a"), URIRef("http://example.org/p"), Literal(value)))
    data = tmp_path / "seps.nt"
    data.write_bytes(source.serialize(format="nt", encoding="utf-8"))
    out = tmp_path / "out.nt"
    result = wbsec("export", "--no-shipped", "--data", str(data), "--format", "nt", "-o", str(out))
    assert result.exit_code == 0, result.output
    back = Graph().parse(out, format="nt")
    assert Literal(value) in set(back.objects(URIRef("http://example.org/a"), URIRef("http://example.org/p")))
    lines = out.read_bytes().split(b"\n")
    assert lines == sorted(lines[:-1]) + [b""]  # still one sorted triple per line
    result = wbsec("query", "CONSTRUCT WHERE { <http://example.org/a> ?p ?o }", "--no-shipped", "--data", str(data),
                   "--format", "nt")
    assert result.exit_code == 0, result.output
    assert same_graph(Graph().parse(data=result.stdout, format="nt"), source)


@pytest.mark.parametrize("char", list(SEPARATORS))
def test_each_separator_round_trips_in_every_text_format(tmp_path: Path, char: str) -> None:
    source = tmp_path / "one.ttl"
    source.write_text(f'<http://example.org/a> <http://example.org/p> "x{char}y" .\n', encoding="utf-8")
    for fmt in ("nt", "ttl", "jsonld"):
        out = tmp_path / f"out.{fmt}"
        result = wbsec("export", "--no-shipped", "--data-only", "--data", str(source), "--format", fmt, "-o", str(out))
        assert result.exit_code == 0, (fmt, result.output)
        assert Literal(f"x{char}y") in set(parse_file(out).objects())


def test_json_results_are_unaffected(tmp_path: Path) -> None:
    source = tmp_path / "one.ttl"
    source.write_text('<http://example.org/a> <http://example.org/p> "x\u2028y" .\n', encoding="utf-8")
    result = wbsec("query", "SELECT ?o WHERE { ?s <http://example.org/p> ?o }", "--no-shipped", "--data",
                   str(source), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"]["bindings"][0]["o"]["value"] == "x\u2028y"


def test_a_long_n_triples_literal_parses_in_linear_time(tmp_path: Path) -> None:
    """Issue 19: one 2 MiB literal took 32 s (rdflib re-scans its buffer every 2,048 characters)."""
    import time

    value = "abcd efgh " * (400 * 1024)  # 4 MiB
    path = tmp_path / "long.nt"
    path.write_text(f'<http://example.org/a> <http://example.org/p> "{value}" .\n'
                    '<http://example.org/b> <http://example.org/p> "short" .\r\n', encoding="utf-8")
    started = time.monotonic()
    g = parse_file(path)
    assert time.monotonic() - started < 5
    assert len(g) == 2 and Literal(value) in set(g.objects())


def test_n_triples_errors_still_name_the_line(tmp_path: Path) -> None:
    from graph.errors import InputError

    path = tmp_path / "bad.nt"
    path.write_text('<http://example.org/a> <http://example.org/p> "x\u2028y" .\n<http://example.org/a> .\n',
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.nt:2: N-Triples syntax error"):
        parse_file(path)


def test_stale_temporary_files_of_a_killed_write_are_removed(tmp_path: Path) -> None:
    """A run killed before its rename leaves .tmp-wbsec-*; the next write there removes it, not a fresh one."""
    import os
    import time

    from graph.fileio import STALE_AFTER, TEMP_PREFIX, atomic_write_bytes

    stale, fresh = tmp_path / f"{TEMP_PREFIX}killed", tmp_path / f"{TEMP_PREFIX}writing"
    stale.write_bytes(b"half a file")
    fresh.write_bytes(b"being written")
    old = time.time() - STALE_AFTER - 60
    os.utime(stale, (old, old))
    atomic_write_bytes(tmp_path / "out.nt", b"<urn:a> <urn:b> <urn:c> .\n")
    assert not stale.exists() and fresh.exists()
    assert (tmp_path / "out.nt").read_bytes() == b"<urn:a> <urn:b> <urn:c> .\n"
