"""Checks made before SQLite opens a file: is it there, is it a store, which version, who may write.

The SQLite header holds the application id (offset 68) and user_version (offset 60), so a file
that is not a store, or a store from a newer labeler, is refused without SQLite opening it.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
from dataclasses import dataclass
from pathlib import Path

from labeler.display_text import safe_inline
from labeler.store.errors import NotAStore, StoreMissing, StorePermission, StoreTooNew
from labeler.store.schema import APPLICATION_ID, SCHEMA_VERSION

SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class StoreHeader:
    """What the first 100 bytes of a store say."""

    application_id: int
    user_version: int


def shown(path: Path) -> str:
    """A path as it may be printed: control characters made visible."""
    return safe_inline(str(path), max_chars=300)


def read_header(path: Path) -> StoreHeader:
    """Read and check the header of an existing file; raise a worded error if it is not a store."""
    if not path.exists():
        raise StoreMissing(
            f"no store at {shown(path)}: create one with `labeler init {shown(path)}` "
            "or import cases into it with `labeler import STORE FILE`"
        )
    if path.is_dir():
        raise NotAStore(f"{shown(path)} is a folder, not a store file")
    try:
        with path.open("rb") as f:
            head = f.read(100)
    except PermissionError:
        raise StorePermission(permission_message(path, want_write=False)) from None
    if not head:
        raise NotAStore(
            f"{shown(path)} is an empty file, not a labeler store. "
            f"Remove it and run `labeler init {shown(path)}`."
        )
    if not head.startswith(SQLITE_MAGIC):
        kind = _guess_kind(head)
        raise NotAStore(
            f"{shown(path)} is not a labeler store ({kind}). The store comes first: "
            "`labeler import STORE FILE.jsonl`."
        )
    if len(head) < 100:
        raise NotAStore(f"{shown(path)} is a truncated SQLite file (only {len(head)} bytes)")
    header = StoreHeader(
        application_id=int.from_bytes(head[68:72], "big"),
        user_version=int.from_bytes(head[60:64], "big"),
    )
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
    return header


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
    folder = path.parent if str(path.parent) else Path(".")
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if candidate.exists() and not os.access(candidate, os.R_OK | os.W_OK):
            raise StorePermission(permission_message(candidate, want_write=True, store=path))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StorePermission(permission_message(folder, want_write=True, store=path))


def permission_message(target: Path, *, want_write: bool, store: Path | None = None) -> str:
    """Say who owns ``target``, its mode, and the command that fixes it."""
    try:
        st = target.stat()
        owner = _user_name(st.st_uid)
        group = _group_name(st.st_gid)
        mode = stat.filemode(st.st_mode)
        facts = f"owner {owner}, group {group}, mode {mode}"
    except OSError:
        facts = "cannot be inspected"
        group = "GROUP"
    what = "write" if want_write else "read"
    is_dir = target.is_dir()
    fix = f"chmod g+rwx {shown(target)}" if is_dir else f"chmod g+rw {shown(target)}"
    lines = [f"cannot {what} {shown(target)} ({facts})."]
    if store is not None and target != store:
        if is_dir:
            lines.append(
                "SQLite must create the store's -wal and -shm files in this folder, "
                "so every reviewer needs write access to it."
            )
        else:
            lines.append("Every reviewer needs read and write access to the store's WAL files.")
    lines.append(
        f"Fix: ask the owner to run `{fix}` and make sure you are in group {group} "
        "(a store made with `labeler init STORE --shared` is group-writable from the start)."
    )
    return " ".join(lines)


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def make_group_writable(path: Path) -> None:
    """Make the store and its WAL files group-writable (for ``init --shared``)."""
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if candidate.exists():
            mode = candidate.stat().st_mode
            candidate.chmod(stat.S_IMODE(mode) | stat.S_IRGRP | stat.S_IWGRP)
