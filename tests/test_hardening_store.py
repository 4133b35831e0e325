"""Hardening of ``wbsec load`` (issue 19): concurrent runs, the swap, leftovers, exit codes on write failures."""

from __future__ import annotations

import errno
import fcntl
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

import graph.backends as backends
from graph.backends import OxigraphBackend, is_store, load_store
from graph.cli import main
from graph.errors import OutputError
from graph.store import TBOX_FILE
from tests.conftest import DATA

WBSEC = Path(sys.executable).parent / "wbsec"
GOOD = DATA / "store" / "good.ttl"


def _nt(path: Path, prefix: str, n: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(f'<https://example.org/{prefix}/{i}> <https://example.org/p> "{prefix} {i}" .\n')
    return path


def _count(db: Path, prefix: str) -> int:
    query = f'SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "https://example.org/{prefix}/")) }}'
    store = OxigraphBackend(db)
    try:
        return int(str(store.select(query, {}, timeout=None, max_rows=None)[1][0][0]))
    finally:
        store.close()


@pytest.mark.slow
def test_two_concurrent_loads_keep_both_files(tmp_path: Path) -> None:
    """Issue 19: both runs printed +N and exited 0, and the store lacked every triple of one of them."""
    db = tmp_path / "db"
    load_store(db, [GOOD], shipped=False)
    a, b = _nt(tmp_path / "a.nt", "a", 100_000), _nt(tmp_path / "b.nt", "b", 100_000)
    runs = [subprocess.Popen([str(WBSEC), "load", "--store", str(db), str(f)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for f in (a, b)]
    outputs = [r.communicate(timeout=300) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    assert _count(db, "a") == 100_000 and _count(db, "b") == 100_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.nt", "b.nt", "db"]


def test_a_load_waits_for_the_lock_and_says_so(tmp_path: Path) -> None:
    db = tmp_path / "db"
    load_store(db, [GOOD], shipped=False)
    fd = os.open(tmp_path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as another wbsec load would hold it
    try:
        run = subprocess.Popen([str(WBSEC), "load", "--store", str(db), str(_nt(tmp_path / "a.nt", "a", 10))],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert run.stderr is not None
        line = run.stderr.readline()  # blocks until the run reports that it waits
        assert "another wbsec load is writing" in line, line
        assert run.poll() is None and _count(db, "a") == 0
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    _out, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    assert _count(db, "a") == 10


def test_the_swap_never_leaves_the_path_without_a_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Replacing an existing store is one atomic exchange: the store is never renamed away."""
    db = tmp_path / "db"
    load_store(db, [GOOD], shipped=False)
    moves: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(src: os.PathLike[str] | str, dst: os.PathLike[str] | str) -> None:
        moves.append((str(src), str(dst)))
        real_replace(src, dst)

    exchanged: list[bool] = []
    real_exchange = backends._exchange

    def watched(a: Path, b: Path) -> bool:
        assert is_store(b)
        done = real_exchange(a, b)
        exchanged.append(done)
        assert is_store(b)
        return done

    monkeypatch.setattr(backends.os, "replace", spy)
    monkeypatch.setattr(backends, "_exchange", watched)
    load_store(db, [_nt(tmp_path / "a.nt", "a", 5)])
    if sys.platform.startswith("linux"):
        assert exchanged == [True] and moves == []
    assert _count(db, "a") == 5


def test_a_crash_between_the_renames_is_repaired_by_the_next_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without an atomic exchange the store is renamed away first; the next run puts it back."""
    db = tmp_path / "db"
    load_store(db, [GOOD], shipped=False)
    before = OxigraphBackend(db).triple_count()
    real_replace = os.replace
    calls = []

    def crash_on_second(src: os.PathLike[str] | str, dst: os.PathLike[str] | str) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process dies between the two renames
        real_replace(src, dst)

    monkeypatch.setattr(backends, "_exchange", lambda a, b: False)
    monkeypatch.setattr(backends.os, "replace", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        load_store(db, [_nt(tmp_path / "a.nt", "a", 5)])
    monkeypatch.setattr(backends.os, "replace", real_replace)
    assert not db.exists() and list(tmp_path.glob(".db.old-*"))
    report = load_store(db, [_nt(tmp_path / "b.nt", "b", 3)])
    assert report.triples_before == before and _count(db, "b") == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.nt", "b.nt", "db"]


def test_leftover_copies_of_a_killed_run_are_removed(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "db"
    load_store(db, [GOOD], shipped=False)
    leftover = tmp_path / ".db.loading-k1ll3d"  # what a SIGKILLed run leaves: a full copy of the store
    leftover.mkdir()
    (leftover / "000001.sst").write_bytes(b"x" * 4096)
    other = tmp_path / ".dbx.loading-keep"  # another store's: not ours to remove
    other.mkdir()
    load_store(db, [_nt(tmp_path / "a.nt", "a", 2)])
    assert not leftover.exists() and other.exists()
    assert "removed .db.loading-k1ll3d" in caplog.text


def test_a_killed_load_leaves_nothing_the_next_run_keeps(tmp_path: Path) -> None:
    """A real SIGKILL in the middle of a load; the next run cleans up and the store is whole."""
    db = tmp_path / "db"
    load_store(db, [GOOD], shipped=False)
    big = _nt(tmp_path / "big.nt", "big", 400_000)
    run = subprocess.Popen([str(WBSEC), "load", "--store", str(db), str(big)], stderr=subprocess.PIPE)
    appeared = threading.Event()

    def watch() -> None:
        while run.poll() is None and not appeared.is_set():
            if list(tmp_path.glob(".db.loading-*")):
                appeared.set()
            appeared.wait(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    watcher.join(120)
    run.kill()
    run.wait(30)
    if not appeared.is_set():
        pytest.fail("the load finished before a copy appeared")
    load_store(db, [_nt(tmp_path / "a.nt", "a", 2)])
    assert not list(tmp_path.glob(".db.*")) and _count(db, "a") == 2


def test_read_only_file_system_is_exit_4(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only(*_args: object, **_kwargs: object) -> str:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(backends.tempfile, "mkdtemp", read_only)
    result = CliRunner().invoke(main, ["load", "--store", str(tmp_path / "db"), str(GOOD)])
    assert result.exit_code == 4, result.output
    assert result.output.startswith("Error: ") and "Read-only file system" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_max_bytes_applies_to_the_given_files_not_the_shipped_ones(tmp_path: Path) -> None:
    small = _nt(tmp_path / "a.nt", "a", 1)
    assert TBOX_FILE.stat().st_size > 200
    report = load_store(tmp_path / "db", [small], max_bytes=200)
    assert report.created and _count(tmp_path / "db", "a") == 1
    with pytest.raises(Exception, match="over the 200-byte limit"):
        load_store(tmp_path / "db", [_nt(tmp_path / "b.nt", "b", 10)], max_bytes=200)


def test_write_errors_are_output_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*_args: object, **_kwargs: object) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backends.tempfile, "mkdtemp", full)
    with pytest.raises(OutputError, match="No space left"):
        load_store(tmp_path / "db", [GOOD], shipped=False)


def test_load_warns_about_ill_typed_literals_like_data_does(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Issue 19: "12,5"^^xsd:decimal was stored without the warning --data gives."""
    xsd = "http://www.w3.org/2001/XMLSchema#"
    path = tmp_path / "ill.nt"
    path.write_text(f'<http://example.org/a> <http://example.org/p> "12,5"^^<{xsd}decimal> .\n'
                    f'<http://example.org/a> <http://example.org/q> "12.5"^^<{xsd}decimal> .\n'
                    f'<http://example.org/a> <http://example.org/r> "2023-13-01"^^<{xsd}date> .\n'
                    f'<http://example.org/a> <http://example.org/r> "2023-12-01"^^<{xsd}date> .\n', encoding="utf-8")
    load_store(tmp_path / "db", [path])  # with the shipped data: none of it is ill-typed
    warnings = [r.getMessage() for r in caplog.records if "is not a valid" in r.getMessage()]
    assert warnings == [f"{path}: literal '12,5' is not a valid {xsd}decimal",
                        f"{path}: literal '2023-13-01' is not a valid {xsd}date"]
    assert OxigraphBackend(tmp_path / "db").select(
        'SELECT ?o WHERE { <http://example.org/a> <http://example.org/p> ?o }', {}, timeout=None, max_rows=None
    )[1][0][0] is not None  # still stored, as --data keeps it
