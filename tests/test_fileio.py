"""Atomic writes: all or nothing, usual permissions, no temp files left behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graph.errors import OutputError
from graph.fileio import atomic_write_bytes, atomic_write_text


def test_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        target = atomic_write_bytes(tmp_path / "a.txt", b"x")
    finally:
        os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o644


def test_existing_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_bytes(b"old")
    target.chmod(0o640)
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new" and target.stat().st_mode & 0o777 == 0o640


def test_failure_leaves_target_and_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.txt"
    target.write_bytes(b"old")

    def disk_full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OutputError, match=r"a\.txt: cannot write \(No space left on device\)"):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_directory_or_missing_parent_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a directory"):
        atomic_write_bytes(tmp_path, b"x")
    with pytest.raises(OutputError, match="does not exist"):
        atomic_write_bytes(tmp_path / "missing" / "a.txt", b"x")


def test_lone_surrogate_text_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="invalid Unicode"):
        atomic_write_text(tmp_path / "a.txt", "bad \ud800")
    assert list(tmp_path.iterdir()) == []
