"""The open store: one SQLite connection with the pragmas, transactions and checks we rely on.

Write transactions start with ``BEGIN IMMEDIATE`` (a plain ``BEGIN`` that later writes fails at
once with "database is locked", whatever the busy timeout). The connection is in autocommit mode
and every write goes through :meth:`Store.write`.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labeler.clock import utc_now
from labeler.store.errors import (
    StoreBusy,
    StoreDamaged,
    StoreError,
    StoreFull,
    StorePermission,
)
from labeler.store.opening import (
    check_writable,
    make_group_writable,
    permission_message,
    read_header,
    shown,
)
from labeler.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    import sqlite_utils

    from labeler.identity import Actor

BUSY_TIMEOUT_MS = 10_000


class Store:
    """An open labeler store. Create with :func:`open_store` or :func:`create_store`."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self._lock = threading.RLock()

    @property
    def db(self) -> sqlite_utils.Database:
        """The same connection as a sqlite-utils Database (imported on first use)."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A short write transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``), rolled back on error."""
        with self._lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise translate_error(exc, self.path) from None
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException as exc:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise translate_error(exc, self.path) from None
                raise

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every query inside sees the same state of the store."""
        with self._lock:
            self.conn.execute("BEGIN")
            try:
                yield self.conn
            finally:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")

    def query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        """Run a read query and return all rows."""
        with self._lock:
            try:
                return self.conn.execute(sql, params).fetchall()
            except sqlite3.OperationalError as exc:
                raise translate_error(exc, self.path) from None

    def setting(self, key: str, default: str | None = None) -> str | None:
        """A store-wide setting, or ``default``."""
        rows = self.query("SELECT value FROM settings WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else default

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def translate_error(exc: sqlite3.Error, path: Path) -> StoreError:
    """Turn a SQLite error into one that tells the user what happened and what to do."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return StoreBusy(
            f"{shown(path)} is busy: another process held the write lock for more than "
            f"{BUSY_TIMEOUT_MS // 1000} s (a large import?). Try again in a moment."
        )
    if "readonly" in text or "read-only" in text:
        return StorePermission(permission_message(path, want_write=True, store=path))
    if "full" in text:
        return StoreFull(f"the disk holding {shown(path)} is full; free space and try again")
    if "malformed" in text or "not a database" in text or "disk i/o" in text:
        return StoreDamaged(
            f"{shown(path)} is damaged ({exc}). Restore it from a backup "
            "(`labeler backup` makes one), or run `sqlite3 STORE .recover`."
        )
    return StoreError(f"{shown(path)}: {exc}")


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
    )
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def open_store(path: Path | str, *, migrate: bool = True) -> Store:
    """Open an existing store after checking it; migrate an older one in one transaction.

    Nothing is written to a file that is not a store, is damaged, or comes from a newer labeler.
    """
    path = Path(path)
    header = read_header(path)
    check_writable(path)
    try:
        conn = _connect(path)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if str(journal).lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.DatabaseError as exc:
        raise translate_error(exc, path) from None
    store = Store(path, conn)
    if header.user_version < SCHEMA_VERSION:
        if not migrate:
            store.close()
            raise StoreError(
                f"{shown(path)} has schema version {header.user_version}; "
                f"this labeler needs {SCHEMA_VERSION}. Open it with a writing command to migrate."
            )
        _migrate(store, header.user_version)
    return store


def _migrate(store: Store, from_version: int) -> None:
    with store.write() as conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version != from_version:  # another process migrated it meanwhile
            return
        for number in range(from_version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[number - 1]:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute(
            "INSERT INTO events (at, actor, account, kind, detail) VALUES (?, ?, ?, ?, ?)",
            (
                utc_now(),
                "labeler",
                "labeler",
                "store.migrate",
                f'{{"from": {from_version}, "to": {SCHEMA_VERSION}}}',
            ),
        )


def create_store(path: Path | str, actor: Actor, *, shared: bool = False) -> Store:
    """Create a new store at ``path`` with the default taxonomy; refuse if anything is there.

    The store is built under a temporary name in the same folder and moved into place when
    complete, so a crash never leaves a half-made store under the final name.
    """
    from labeler.taxonomy import default_taxonomy, write_taxonomy

    path = Path(path)
    if path.exists() or path.is_symlink():
        raise StoreError(f"{shown(path)} already exists; not overwriting it")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise StoreError(f"the folder {shown(folder)} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StorePermission(permission_message(folder, want_write=True, store=path))
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".creating", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        conn = _connect(tmp)
        conn.execute("PRAGMA journal_mode = DELETE")
        store = Store(tmp, conn)
        with store.write() as c:
            c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            for migration in MIGRATIONS:
                for statement in migration:
                    c.execute(statement)
            c.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            c.execute(
                "INSERT INTO events (at, actor, account, kind, detail) VALUES (?, ?, ?, ?, ?)",
                (
                    utc_now(),
                    actor.name,
                    actor.account,
                    "store.create",
                    f'{{"schema_version": {SCHEMA_VERSION}}}',
                ),
            )
            write_taxonomy(c, default_taxonomy(), actor, kind="taxonomy.default")
        conn.close()
        if shared:
            make_group_writable(tmp)
        os.link(tmp, path)  # fails if someone created `path` meanwhile
    except FileExistsError:
        raise StoreError(f"{shown(path)} already exists; not overwriting it") from None
    finally:
        tmp.unlink(missing_ok=True)
    store = open_store(path)
    if shared:
        make_group_writable(path)
    return store


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def backup_store(store: Store, dest: Path | str) -> None:
    """Copy a live store safely with SQLite's backup API (a plain ``cp`` can lose WAL contents)."""
    dest = Path(dest)
    if dest.exists():
        raise StoreError(f"{shown(dest)} already exists; choose a new file name")
    tmp = dest.with_name(f".{dest.name}.partial")
    tmp.unlink(missing_ok=True)
    target = sqlite3.connect(tmp)
    try:
        with store._lock:
            store.conn.backup(target)
        target.execute("PRAGMA journal_mode = DELETE")
        target.close()
        os.replace(tmp, dest)
    except BaseException:
        target.close()
        tmp.unlink(missing_ok=True)
        raise
