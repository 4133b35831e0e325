"""The conformance-verdict cache that makes a cold ``wbsec info`` fast: keyed by input bytes, kept under XDG_CACHE_HOME."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import graph.validate as validate_module
from graph.cli import main
from graph.store import TBOX_FILE, load_graph


def test_conformance_verdict_is_cached_per_input_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    extra = tmp_path / "extra.ttl"
    extra.write_text("<https://w3id.org/wbsec/id/x> a <https://w3id.org/wbsec/def#Agreement> .\n", encoding="utf-8")
    calls: list[int] = []
    real = validate_module.validate

    def counting(g: object, shapes: object = None) -> object:
        calls.append(1)
        return real(g)  # type: ignore[arg-type]

    monkeypatch.setattr(validate_module, "validate", counting)
    files = [TBOX_FILE, extra]
    g = load_graph([extra], shipped=False)
    cache = tmp_path / "cache"
    assert validate_module.conforms_cached(g, files, cache_dir=cache) is False  # an agreement without parties
    assert validate_module.conforms_cached(g, files, cache_dir=cache) is False
    assert len(calls) == 1 and len(list(cache.iterdir())) == 1
    extra.write_text("<https://w3id.org/wbsec/id/x> a <https://w3id.org/wbsec/def#Region> .\n", encoding="utf-8")
    g = load_graph([extra], shipped=False)
    assert validate_module.conforms_cached(g, files, cache_dir=cache) is True  # new bytes, new verdict
    assert len(calls) == 2


@pytest.mark.slow
def test_info_uses_the_cache_under_xdg_cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = CliRunner().invoke(main, ["info", "--format", "json"])
    second = CliRunner().invoke(main, ["info", "--format", "json"])
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout and '"conforms": true' in first.stdout
    assert len(list((tmp_path / "wbsec" / "conformance").iterdir())) == 1
