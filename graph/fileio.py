"""Write output files atomically: all or nothing, never a half-written target."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from graph.errors import OutputError

TEMP_PREFIX = ".tmp-wbsec-"
#: A temporary file untouched for this many seconds was left by a run that was killed while writing.
STALE_AFTER = 600.0


def writable_target(path: str | os.PathLike[str]) -> Path:
    """``path`` as a :class:`Path` once it can take a file: not a directory or a dangling link, in a directory.

    :func:`atomic_write_bytes` checks this before writing; a command checks it
    before its work, so a wrong ``--output`` fails at once with the same
    :class:`OutputError`.

    >>> import tempfile
    >>> writable_target(tempfile.gettempdir())
    Traceback (most recent call last):
    graph.errors.OutputError: ...: is a directory, not a file
    """
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{target}: is a directory, not a file")
    if target.is_symlink() and not target.exists():
        raise OutputError(f"{target}: is a symbolic link to {os.readlink(target)}, which does not exist; "
                          "remove the link or write elsewhere")
    parent = target.parent
    if not parent.is_dir():
        raise OutputError(f"{target}: directory {parent} does not exist")
    return target


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and an atomic rename.

    The temporary file lives in the target's directory (same file system), is
    flushed and fsynced, then renamed over the target. On any failure the
    temporary file is removed, the target is unchanged and :class:`OutputError`
    names the path.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_bytes(d / "a.txt", b"hi").read_bytes()
    b'hi'
    """
    target = writable_target(path)
    parent = target.parent
    _remove_stale_temps(parent)
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=parent)
        os.fchmod(fd, _mode_for(target))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        tmp = None
        _fsync_dir(parent)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({exc.strerror or exc})") from exc
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass  # the temp file never appeared or is already gone
    return target


def _remove_stale_temps(directory: Path) -> None:
    """Delete this module's temporary files in ``directory`` that nobody has written to for STALE_AFTER seconds.

    A run killed between creating its temporary file and the rename leaves one
    behind; the next write into the same directory removes it. Files still
    being written are recent and stay.
    """
    import time

    cutoff = time.time() - STALE_AFTER
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(TEMP_PREFIX):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                os.unlink(entry.path)
        except OSError:
            continue  # gone already, or not ours to remove


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` as UTF-8 (strict: a lone surrogate is an error) atomically."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise OutputError(f"{path}: text holds invalid Unicode at position {exc.start}") from exc
    return atomic_write_bytes(path, data)


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0666 less the umask (mkstemp gives 0600)."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_dir(directory: Path) -> None:
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass  # some file systems refuse fsync on directories; the rename already happened
    finally:
        os.close(dfd)
