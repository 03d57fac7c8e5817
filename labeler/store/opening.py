"""Checks made when a store is opened: is it there, is it a store, which version, who may write.

Every check here goes through ``os.stat``/``os.access`` (which open no file) or through SQLite.
Python never opens the store file (or its ``-wal``/``-shm``) while a SQLite connection to it may
exist in this process: on POSIX, closing *any* descriptor of a file drops every lock the process
holds on it, SQLite's included, and another process may then delete ``STORE-wal`` under a live
connection (SQLite, "How To Corrupt An SQLite Database File", section 2.2). The one exception is
:func:`describe_foreign_file`, called only after SQLite itself refused the file as not a
database, when no connection of ours can hold a lock on it.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from typing import NamedTuple

from labeler.store.errors import NotAStore, StoreMissing, StorePermission, StoreTooNew
from labeler.store.schema import APPLICATION_ID, SCHEMA_VERSION
from labeler.text.display import safe_inline

SQLITE_MAGIC = b"SQLite format 3\x00"


class StoreHeader(NamedTuple):
    """What the store's header says, read through SQLite.

    A NamedTuple rather than a frozen dataclass: every command that opens a store imports this
    module, and a dataclass costs about 1 ms to build at import (a NamedTuple 0.1 ms).
    """

    application_id: int
    user_version: int


def shown(path: Path) -> str:
    """A path as it may be printed: control characters made visible."""
    return safe_inline(str(path), max_chars=300)


def wal_path(path: Path) -> Path:
    """The store's write-ahead log."""
    return Path(f"{path}-wal")


def shm_path(path: Path) -> Path:
    """The store's shared-memory index."""
    return Path(f"{path}-shm")


def refuse_store_file(store_path: Path, candidate: Path | str) -> None:
    """Refuse to read ``candidate`` with Python when it is the store or one of its WAL files.

    Reading the store as an input file (``labeler import STORE STORE``) would close a
    descriptor of the store and drop this process's SQLite locks. ``stat`` only.
    """
    try:
        st = os.stat(candidate)
    except OSError:
        return
    for own in (store_path, wal_path(store_path), shm_path(store_path)):
        try:
            mine = os.stat(own)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino):
            raise NotAStore(
                f"{shown(Path(candidate))} is the store itself (or one of its -wal/-shm files), "
                "not an input file; give the file to read after the store"
            )


def check_path(path: Path) -> None:
    """Refuse a path that is missing, a folder or an empty file (``stat`` only, no descriptor)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise StoreMissing(
            f"no store at {shown(path)}: create one with `labeler init {shown(path)}` "
            "or import cases into it with `labeler import STORE FILE`"
        ) from None
    except PermissionError:
        raise StorePermission(permission_message(path.parent, want_write=False)) from None
    if stat.S_ISDIR(st.st_mode):
        raise NotAStore(f"{shown(path)} is a folder, not a store file")
    if st.st_size == 0:
        raise NotAStore(
            f"{shown(path)} is an empty file, not a labeler store. "
            f"Remove it and run `labeler init {shown(path)}`."
        )
    if not os.access(path, os.R_OK):
        raise StorePermission(permission_message(path, want_write=False))


def read_header(conn: sqlite3.Connection) -> StoreHeader:
    """The application id and schema version, read through SQLite (raises ``sqlite3`` errors)."""
    return StoreHeader(
        application_id=int(conn.execute("PRAGMA application_id").fetchone()[0]),
        user_version=int(conn.execute("PRAGMA user_version").fetchone()[0]),
    )


def check_header(header: StoreHeader, path: Path) -> None:
    """Refuse a SQLite file that is not a store, or a store from a newer labeler."""
    if header.application_id != APPLICATION_ID:
        raise NotAStore(
            f"{shown(path)} is a SQLite database but not a labeler store "
            f"(application id {header.application_id:#x}); nothing was written to it"
        )
    if header.user_version > SCHEMA_VERSION:
        raise StoreTooNew(
            f"{shown(path)} has schema version {header.user_version}, newer than this labeler "
            f"understands (version {SCHEMA_VERSION}). Upgrade labeler; the store was not touched."
        )


def describe_foreign_file(path: Path) -> NotAStore:
    """Say what a file SQLite refused as "not a database" looks like (JSON, CSV, text...).

    Safe to read with Python: SQLite refused the file, so no connection holds a lock on it.
    """
    try:
        with path.open("rb") as f:
            head = f.read(100)
    except OSError:
        head = b""
    if head.startswith(SQLITE_MAGIC) and len(head) < 100:
        return NotAStore(f"{shown(path)} is a truncated SQLite file (only {len(head)} bytes)")
    if head.startswith(SQLITE_MAGIC):
        return NotAStore(
            f"{shown(path)} starts like a SQLite file but SQLite cannot read it: it is damaged "
            "or truncated. Restore it from a backup (`labeler backup` makes one)."
        )
    return NotAStore(
        f"{shown(path)} is not a labeler store ({_guess_kind(head)}). The store comes first: "
        "`labeler import STORE FILE.jsonl`."
    )


def _guess_kind(head: bytes) -> str:
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith((b"{", b"[")):
        return "it looks like JSON or JSON lines"
    if b"," in head.split(b"\n", 1)[0]:
        return "it looks like CSV"
    try:
        if b"\x00" in head:
            raise UnicodeDecodeError("utf-8", head, 0, 1, "NUL byte")
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "it is a binary file of another kind, or a damaged store"
    return "it looks like a text file"


def check_writable(path: Path) -> None:
    """Raise StorePermission naming the exact file or folder the user cannot write."""
    folder = _folder(path)
    for candidate in (path, wal_path(path), shm_path(path)):
        if candidate.exists() and not os.access(candidate, os.R_OK | os.W_OK):
            raise StorePermission(permission_message(candidate, want_write=True, store=path))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StorePermission(permission_message(folder, want_write=True, store=path))


def can_write(path: Path) -> bool:
    """True when this user could write the store (its files and its folder)."""
    try:
        check_writable(path)
    except StorePermission:
        return False
    return True


def _folder(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def permission_message(target: Path, *, want_write: bool, store: Path | None = None) -> str:
    """Say who owns ``target``, its mode, and the commands that fix it.

    When the file's group is one of the user's groups, ``chmod`` is the fix. Otherwise the
    store, its WAL files and its folder must be moved into a group every reviewer is in
    (``chgrp``), with the folder setgid so files SQLite creates later keep that group. Only
    files that exist are named, and a folder already set up is left out of the fix.
    """
    try:
        st = target.stat()
        owner = _user_name(st.st_uid)
        gid: int | None = st.st_gid
        group = _group_name(st.st_gid)
        facts = f"owner {owner}, group {group}, mode {stat.filemode(st.st_mode)}"
    except OSError:
        facts = "cannot be inspected"
        owner, gid, group = "its owner", None, "GROUP"
    what = "write" if want_write else "read"
    store_path = store if store is not None else (None if target.is_dir() else target)
    lines = []
    if store_path is not None and want_write:
        lines.append(f"{shown(store_path)} is read-only for you:")
    lines.append(f"cannot {what} {shown(target)} ({facts}).")
    if store is not None and target != store:
        if target.is_dir():
            lines.append(
                "SQLite must create the store's -wal and -shm files in this folder, "
                "so every reviewer needs write access to it."
            )
        else:
            lines.append("Every reviewer needs read and write access to the store's WAL files.")
    if store_path is not None:
        # All three: -wal and -shm come and go as processes open and close the store.
        files = f"{shown(store_path)} {shown(store_path)}-wal {shown(store_path)}-shm"
        folder_path = _folder(store_path)
    else:
        files, folder_path = "STORE STORE-wal STORE-shm", target
    folder_steps = (
        "" if _folder_is_shared(folder_path) else f" and `chmod g+rwxs {shown(folder_path)}`"
    )
    who = "root" if owner == "root" else f"{owner} (or root)"
    if gid is not None and gid in {*os.getgroups(), os.getgid()}:
        lines.append(
            f"Fix: ask {who} to run `chmod g+rw {files}`{folder_steps} "
            f"(you are in group {group} already; a store made with `labeler init STORE "
            "--shared` is group-writable from the start)."
        )
    else:
        chgrp_folder = "" if _folder_is_shared(folder_path) else f"{shown(folder_path)} "
        lines.append(
            f"You are not in group {group} (your groups: {', '.join(_my_group_names())}). "
            f"Fix: ask {who} to put the store in a group every reviewer is in, "
            f"e.g. `chgrp REVIEWERS {chgrp_folder}{files}` then `chmod g+rw {files}`"
            f"{folder_steps} (setgid: files SQLite creates later keep the group; a missing "
            "-wal or -shm file can be left out). "
            "`labeler init STORE --shared` in such a folder does this from the start."
        )
    return " ".join(lines)


def _folder_is_shared(folder: Path) -> bool:
    """The folder is setgid and group-writable, in a group this user is in."""
    try:
        st = folder.stat()
    except OSError:
        return False
    mode = st.st_mode
    return (
        bool(mode & stat.S_ISGID)
        and bool(mode & stat.S_IWGRP)
        and st.st_gid in {*os.getgroups(), os.getgid()}
    )


def _my_group_names() -> list[str]:
    ids = sorted(set(os.getgroups()) | {os.getgid()})
    return [_group_name(g) for g in ids]


def _user_name(uid: int) -> str:
    import pwd  # only to word a permission error

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _group_name(gid: int) -> str:
    import grp  # only to word a permission error (0.3 ms to import)

    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def make_group_writable(path: Path) -> None:
    """Make the store and its WAL files group-writable (for ``init --shared``)."""
    for candidate in (path, wal_path(path), shm_path(path)):
        if candidate.exists():
            mode = candidate.stat().st_mode
            candidate.chmod(stat.S_IMODE(mode) | stat.S_IRGRP | stat.S_IWGRP)
