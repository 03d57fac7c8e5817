"""Write a file so that its final name only ever holds a complete file.

An export interrupted by a full disk (or a crash, or Ctrl-C) must not leave a truncated file
under the final name. `atomic_write` writes to a temporary file in the same folder, flushes and
fsyncs it, then renames it onto the final name and fsyncs the folder. On any error the temporary
file is removed and the final name is untouched.

The temporary file is created with ``os.open(..., O_CREAT | O_EXCL, 0o666)``, so the process
umask (and a default ACL) gives it exactly the permissions a normal new file would get.
(``tempfile`` would create it as 0600; reading the umask to fix that up afterwards would need
``os.umask``, which changes it for every thread for a moment.) Its name is
``.<final name>.<random>.tmp`` in the same folder.

Without ``overwrite=True`` an existing final name is never replaced: `FileExistsError` is
raised before anything is written, and if another process creates the file while we write,
the final step (a hard link, which refuses to replace) raises `FileExistsError` too.

This module is part of the pure core: standard library only.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Final

__all__ = ["atomic_write"]

_WRITE_MODES: Final[frozenset[str]] = frozenset({"w", "wt", "tw", "wb", "bw"})
_NAME_ATTEMPTS: Final = 100


def _create_temporary(folder: Path, name: str) -> tuple[int, Path]:
    """Create and open a new, empty temporary file next to the final name."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(_NAME_ATTEMPTS):
        candidate = folder / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(candidate, flags, 0o666), candidate
        except FileExistsError:
            continue
    raise FileExistsError(f"could not create a temporary file for {name!r} in {folder}")


def _fsync_file(file_path: Path) -> None:
    """Fsync a file the caller closed inside the block (its data may still be in the cache)."""
    descriptor = os.open(file_path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable, where the platform allows it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # e.g. Windows cannot open a folder
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _install(temporary: Path, path: Path, *, overwrite: bool) -> None:
    """Move the finished temporary file onto `path`."""
    if overwrite:
        os.replace(temporary, path)
        return
    try:
        # A hard link never replaces an existing name, so a file that appeared while we were
        # writing is not clobbered.
        os.link(temporary, path)
    except FileExistsError:
        raise FileExistsError(f"{path} already exists; not overwriting it") from None
    except (NotImplementedError, OSError):
        # Hard links not supported here (some network or FAT file systems): check, then rename.
        if os.path.lexists(path):
            raise FileExistsError(f"{path} already exists; not overwriting it") from None
        os.replace(temporary, path)
        return
    with contextlib.suppress(OSError):
        os.unlink(temporary)  # the final name is in place; a leftover link is only clutter


@contextlib.contextmanager
def atomic_write(
    path: Path,
    *,
    mode: str = "w",
    encoding: str | None = "utf-8",
    newline: str | None = "",
    overwrite: bool = False,
) -> Iterator[IO[Any]]:
    """Open a temporary file for writing; on success it replaces `path` in one step.

    `mode` is "w" (text) or "wb" (binary; `encoding` and `newline` are then ignored). Text is
    written with `encoding` and, by default, ``newline=""`` (no newline translation, as the
    ``csv`` module needs). On leaving the block without an error the data is flushed and
    fsynced, the file is renamed onto `path` and the folder is fsynced. If the block (or any
    of those steps) raises, the temporary file is removed, `path` is left as it was, and the
    exception propagates. If `path` exists and `overwrite` is False, `FileExistsError` is raised
    before anything is written. The new file gets the permissions a normal new file gets under
    the current umask. With `overwrite`, a symlink at `path` is replaced by the new file (its
    target is left alone).
    """
    path = Path(path)
    if mode not in _WRITE_MODES:
        raise ValueError(f"atomic_write mode must be 'w' or 'wb', got {mode!r}")
    if not overwrite and os.path.lexists(path):
        raise FileExistsError(f"{path} already exists; not overwriting it")
    folder = path.parent
    descriptor, temporary = _create_temporary(folder, path.name)
    try:
        if "b" in mode:
            handle: IO[Any] = os.fdopen(descriptor, "wb")
        else:
            handle = os.fdopen(descriptor, "w", encoding=encoding, newline=newline)
    except BaseException:  # e.g. an unknown encoding
        with contextlib.suppress(OSError):
            os.close(descriptor)  # may already be closed by the failed open
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    try:
        with handle:
            yield handle
            closed_by_caller = handle.closed
            if not closed_by_caller:
                handle.flush()
                os.fsync(handle.fileno())
        if closed_by_caller:
            _fsync_file(temporary)
        _install(temporary, path, overwrite=overwrite)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    fsync_folder(folder)
